"""Feedback's formulas as MathML (grader/plugins/mathml.py): what is converted, what is left alone, and every formula of the
course converts (a new one latex2mathml cannot read fails here, named)."""

from __future__ import annotations

import re

import nbformat
import pytest

from support import ASSIGNMENTS, ROOT
from grader.plugins.mathml import MarkdownMathML, markdown_with_mathml

MATH = re.compile(r"<math [^>]*display=\"(inline|block)\"")


def test_inline_and_display_formulas_become_mathml():
    out = markdown_with_mathml("The mean $\\mu$ and\n$$\\kappa = \\frac{\\lambda_{\\max}}{\\lambda_{\\min}}$$")
    assert MATH.findall(out) == ["inline", "block"], out
    assert "$" not in out and "&#x003BC;" in out and "<mfrac>" in out, out


def test_an_inline_formula_may_wrap_onto_the_next_line_but_not_across_a_paragraph():
    assert MATH.findall(markdown_with_mathml("a $\\lVert d\\theta\n\\rVert$ b")) == ["inline"]
    assert markdown_with_mathml("costs $5\n\nor $6") == "costs $5\n\nor $6"


@pytest.mark.parametrize("text", [
    "code `x = $y$` stays",
    "```\nprint('$mu$')\n```",
    "a price \\$5 and \\$6",
    "$5 or $ 6$",                      # a space just inside the dollars: not a formula
    "broken $x^$ stays",               # latex2mathml cannot read it: MathJax may still, where it loads
])
def test_code_prices_and_unreadable_tex_are_left_as_they_are(text):
    assert markdown_with_mathml(text) == text


def test_the_preprocessor_touches_markdown_cells_only():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$x$"), nbformat.v4.new_code_cell("s = '$x$'")])
    MarkdownMathML()(nb, {})  # as nbconvert calls it: a preprocessor that is not enabled does nothing
    assert MATH.findall(nb.cells[0].source) == ["inline"] and nb.cells[1].source == "s = '$x$'"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_formula_of_the_course_converts(assignment):
    nb = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        outside_code = re.sub(r"```.*?```|`[^`]*`", "", markdown_with_mathml(cell.source), flags=re.S)
        left = re.findall(r"\$[^$]{0,60}", outside_code)
        assert not left, f"{assignment}: formulas latex2mathml cannot convert, shown as TeX in feedback: {left}"
