"""Interactive explorers (ipywidgets), one module per topic.

Each explorer keeps the data it last plotted in attributes, so tests can set slider values from Python and
check what would be drawn without a browser.
"""
