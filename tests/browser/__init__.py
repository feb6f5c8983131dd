"""Browser tests: JupyterLab and the formgrader driven by a real Chromium (pytest -m browser)."""
