"""The feedback page's exporter, warm between the submissions one grading worker renders.

nbgrader's `GenerateFeedback` makes a new `HTMLExporter` for every `generate_feedback` call, and with it a new Jinja
environment that compiles the feedback template and the nbconvert templates it extends all over again; and most
code cells of a class are the same in every submission (the release's tests), which pygments highlights again
each time. `FeedbackExporter` (`c.GenerateFeedback.exporter_class` in nbgrader_config.py) keeps, for the process,
one environment per exporter configuration, and remembers the highlighting of the last few thousand
(source, language) pairs. The page it writes is the page `HTMLExporter` writes (tests/test_feedback.py).

Written here rather than taken from nbconvert: nbconvert has no switch to keep an environment between exporter
instances, and nbgrader creates the instances.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from nbconvert.exporters import HTMLExporter

__all__ = ["FeedbackExporter"]

#: configuration key -> the Jinja environment built for it (one or two per process)
_ENVIRONMENTS: dict[tuple, object] = {}
#: one page at a time per process: a page registers filters of its own (its notebook's lexer, its widget state) in
#: the shared environment, so two pages rendered at once (the formgrader's threads) would mix them
_RENDERING = threading.RLock()
#: (lexer, formatter options, source, language, metadata) -> highlighted HTML, least recently used first
_HIGHLIGHTED: OrderedDict[tuple, str] = OrderedDict()
HIGHLIGHTS_KEPT = 4096


def _configuration(exporter: HTMLExporter) -> tuple:
    """What the environment depends on: every configurable trait of the exporter, by name and value."""
    return tuple((name, repr(getattr(exporter, name))) for name in sorted(exporter.trait_names(config=True)))


class _RememberedHighlight:
    """nbconvert's `Highlight2HTML` filter with its results kept: highlighting is a pure function of its arguments."""

    def __init__(self, highlight):
        self.highlight = highlight
        self.lexer = (getattr(highlight, "pygments_lexer", None),
                      repr(getattr(highlight, "extra_formatter_options", None)))

    def __call__(self, source, language=None, metadata=None):
        key = (*self.lexer, source, language, json.dumps(metadata, sort_keys=True, default=repr))
        html = _HIGHLIGHTED.get(key)
        if html is None:
            html = _HIGHLIGHTED[key] = self.highlight(source, language, metadata)
            if len(_HIGHLIGHTED) > HIGHLIGHTS_KEPT:
                _HIGHLIGHTED.popitem(last=False)
        else:
            _HIGHLIGHTED.move_to_end(key)
        return html


class FeedbackExporter(HTMLExporter):
    """`HTMLExporter` whose Jinja environment (templates compiled) lives as long as the process, one per
    configuration, and whose code highlighting is remembered across pages (see the module docstring)."""

    def _create_environment(self):
        key = _configuration(self)
        environment = _ENVIRONMENTS.get(key)
        if environment is None:
            environment = _ENVIRONMENTS[key] = super()._create_environment()
        return environment

    def from_notebook_node(self, nb, resources=None, **kw):
        with _RENDERING:
            return super().from_notebook_node(nb, resources, **kw)

    def register_filter(self, name, jinja_filter):
        if name == "highlight_code" and not isinstance(jinja_filter, _RememberedHighlight):
            jinja_filter = _RememberedHighlight(jinja_filter)
        return super().register_filter(name, jinja_filter)
