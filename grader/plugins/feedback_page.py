"""The feedback page's exporter, warm between the submissions one grading worker renders.

nbgrader's `GenerateFeedback` makes a new `HTMLExporter` for every `generate_feedback` call, and with it a new Jinja
environment that compiles the feedback template and the nbconvert templates it extends all over again; and most
code cells of a class are the same in every submission (the release's tests), which pygments highlights again
each time. `FeedbackExporter` (`c.GenerateFeedback.exporter_class` in nbgrader_config.py) keeps, for the process,
one environment per exporter configuration, and remembers the highlighting of the last few thousand
(source, language) pairs and the HTML of as many markdown cells (most are the release's prose). The page it writes
is the page `HTMLExporter` writes (tests/test_feedback.py).

Written here rather than taken from nbconvert: nbconvert has no switch to keep an environment between exporter
instances, and nbgrader creates the instances.

`HTMLExporter` then parses the whole page with BeautifulSoup, to give each image without one an `alt` text and each
cell's input and output `tabindex="0"`, and writes the tree out again: three quarters of a feedback page's CPU
(make bench, "feedback"), for attributes on a few tags of a page the template wrote. `FeedbackExporter` adds the
same attributes to the same tags, at the end of each tag as BeautifulSoup does, with one scan of the text
(`accessible`), and keeps the template's bytes otherwise: the page, once parsed, is the page `HTMLExporter` writes
(tests/test_feedback.py), and its source is the template's own. That step follows nbconvert 7.17's
`HTMLExporter.from_notebook_node` (`NBCONVERT`); under another nbconvert the page is `HTMLExporter`'s own.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict

import nbconvert
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter, TemplateExporter

__all__ = ["FeedbackExporter"]

#: configuration key -> the Jinja environment built for it (one or two per process)
_ENVIRONMENTS: dict[tuple, object] = {}
#: one page at a time per process: a page registers filters of its own (its notebook's lexer, its widget state) in
#: the shared environment, so two pages rendered at once (the formgrader's threads) would mix them
_RENDERING = threading.RLock()
#: (lexer, formatter options, source, language, metadata) -> highlighted HTML, least recently used first
_HIGHLIGHTED: OrderedDict[tuple, str] = OrderedDict()
HIGHLIGHTS_KEPT = 4096
#: (source, attachments) -> a markdown cell's HTML, least recently used first
_MARKDOWN: OrderedDict[tuple, str] = OrderedDict()


def _remembered(kept: OrderedDict, key: tuple, compute) -> str:
    """`kept[key]`, computed by `compute()` the first time; the least recently used of more than HIGHLIGHTS_KEPT
    entries is forgotten."""
    value = kept.get(key)
    if value is None:
        value = kept[key] = compute()
        if len(kept) > HIGHLIGHTS_KEPT:
            kept.popitem(last=False)
    else:
        kept.move_to_end(key)
    return value


#: the nbconvert whose `HTMLExporter.from_notebook_node` `FeedbackExporter.from_notebook_node` follows
NBCONVERT = "7.17.2"
ALT = "No description has been provided for this image"
_IMG = re.compile(r"<img\b(?![^>]*\salt=)([^>]*?)(\s*/?>)", re.IGNORECASE)
_FOCUSABLE = re.compile(r'(<div\b[^>]*\bclass="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*"[^>]*?)'
                        r'(\s*/?>)')


def accessible(html: str, log=None) -> str:
    """`html` with what nbconvert's HTMLExporter adds after its template: `alt` on every image without one, and,
    in a JupyterLab-style page (`jp-Notebook`), `tabindex="0"` on each cell's input wrapper and output."""
    html, missing = _IMG.subn(lambda m: f'<img{m.group(1)} alt="{ALT}"{m.group(2)}', html)
    if missing and log is not None:
        log.warning("Alternative text is missing on %s image(s).", missing)
    if "jp-Notebook" in html:
        html = _FOCUSABLE.sub(lambda m: m.group(0) if "tabindex=" in m.group(1) else
                              f'{m.group(1)} tabindex="0"{m.group(2)}', html)
    return html


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
        # of the cell's metadata, pygments' highlighting reads `magics_language` alone (nbconvert's
        # _pygments_highlight): the rest (nbclient's execution times) differs between any two runs of a cell
        magics = ("magics_language" in metadata, metadata["magics_language"]) if (
            isinstance(metadata, dict) and "magics_language" in metadata) else None
        key = (*self.lexer, source, language, json.dumps(magics, default=repr))
        return _remembered(_HIGHLIGHTED, key, lambda: self.highlight(source, language, metadata))


class FeedbackExporter(HTMLExporter):
    """`HTMLExporter` whose Jinja environment (templates compiled) lives as long as the process, one per
    configuration, and whose code highlighting and markdown are remembered across pages (see the module docstring)."""

    def _create_environment(self):
        key = _configuration(self)
        environment = _ENVIRONMENTS.get(key)
        if environment is None:
            environment = _ENVIRONMENTS[key] = super()._create_environment()
        return environment

    def from_notebook_node(self, nb, resources=None, **kw):
        with _RENDERING:
            if nbconvert.__version__ != NBCONVERT:
                return super().from_notebook_node(nb, resources, **kw)
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            # HTMLExporter.from_notebook_node of nbconvert 7.17, but for its BeautifulSoup pass (module docstring)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                     resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return accessible(html, self.log), resources

    @pass_context
    def markdown2html(self, context, source):
        """`HTMLExporter.markdown2html`, remembered: a markdown cell's HTML is a function of its source and its
        attachments, and of the exporter's configuration, which is the environment's. Not when images are embedded
        from files (`embed_images`), which may change: only then does nbconvert read the notebook's folder."""
        if self.embed_images:
            return super().markdown2html(context, source)
        attachments = context.get("cell", {}).get("attachments", {})
        key = (source, json.dumps(attachments, sort_keys=True, default=repr))
        return _remembered(_MARKDOWN, key, lambda: super(FeedbackExporter, self).markdown2html(context, source))

    def register_filter(self, name, jinja_filter):
        if name == "highlight_code" and not isinstance(jinja_filter, _RememberedHighlight):
            jinja_filter = _RememberedHighlight(jinja_filter)
        return super().register_filter(name, jinja_filter)
