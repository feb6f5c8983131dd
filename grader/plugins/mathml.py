"""Formulas of the feedback as MathML, which a browser draws without any script.

Why: nbconvert's HTML leaves `$\\mu$` in the page for MathJax, loaded from a CDN. A closed network (a class's hub)
refuses the CDN, and JupyterLab's HTML viewer, where a student opens feedback on the hub, runs no script at all:
every formula stayed `$...$`. `MarkdownMathML` (in `GenerateFeedback.preprocessors`, nbgrader_config.py) rewrites
the TeX of the markdown cells as MathML with latex2mathml; Chromium, Firefox and Safari draw MathML Core natively.
Code spans and fenced code are left alone, and so is a formula latex2mathml cannot convert (MathJax, where it
loads, still typesets it).
"""

from __future__ import annotations

import functools
import re

from latex2mathml.converter import convert
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

__all__ = ["MarkdownMathML", "markdown_with_mathml"]

#: fenced code blocks and inline code spans: never touched
_CODE = re.compile(r"(```.*?```|~~~.*?~~~|(`+)[^`].*?\2)", re.S)
#: $$display$$ or $inline$ (no space just inside the dollars, no blank line within), not after a backslash
_MATH = re.compile(r"(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$"
                   r"|(?<![\\$])\$(?P<inline>[^\s$](?:(?:[^$\n]|\n(?![ \t]*\n))*?[^\s\\$])?)\$(?!\$)", re.S)


def _formula(match: re.Match) -> str:
    display = match.group("display") is not None
    tex = match.group("display") if display else match.group("inline")
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on TeX it does not know: keep the TeX
        return match.group(0)


@functools.lru_cache(maxsize=4096)  # a class's pages share most markdown cells: convert each once per process
def markdown_with_mathml(source: str) -> str:
    """`source` (markdown) with each $...$ and $$...$$ outside code replaced by a <math> element."""
    parts = _CODE.split(source)
    out, i = [], 0
    while i < len(parts):
        out.append(_MATH.sub(_formula, parts[i]))  # text between code
        if i + 1 < len(parts):
            out.append(parts[i + 1])  # the code itself, as it was
        i += 3  # split() also returns the inner group (the backticks)
    return "".join(out)


class MarkdownMathML(Preprocessor):
    """Markdown cells with their formulas as MathML (see the module docstring)."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = markdown_with_mathml(cell.source)
        return cell, resources
