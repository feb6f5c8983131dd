"""Feedback without the hidden tests: `HideHiddenTests` (in `GenerateFeedback.preprocessors`, nbgrader_config.py)
removes hidden test code from the test cells, keeps only the message of their tracebacks, shows the other cells'
tracebacks down to the student's own lines (`student_frames`), and withholds any output that repeats a line of the
hidden tests.

The test cells' outputs are already the re-check's (`grader.plugins.recheck`), but a solution cell that runs after a hidden
test could print what student code saw of it in the kernel (an IPython hook sees every cell's source before it
runs): an output holding a distinctive line of a hidden test is replaced by a notice. Code that re-encodes what it
saw would still pass this filter; the sandbox (`grader.plugins.sandbox`) keeps the source notebooks, the gradebook and
everything else of the course out of the kernel's reach, so only the hidden tests it is made to run can leak so.
"""

from __future__ import annotations

import json
import re

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests

from .execute import _is_test

#: a hidden test's line shorter than this (after stripping) is too common to mark an output as a copy of it
MIN_HIDDEN_LINE = 20
WITHHELD = "[output withheld from the feedback: it repeats code of the hidden tests]\n"


class HideHiddenTests(ClearHiddenTests):
    """For feedback: hidden test code leaves the cells, tracebacks keep only the message, and outputs that repeat
    a hidden line are withheld."""

    def preprocess(self, nb, resources):
        self._hidden = hidden_lines(nb, self.begin_test_delimeter, self.end_test_delimeter)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        if _is_test(cell):
            self._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        if cell.cell_type == "code":
            cell.outputs = [_withheld() if _repeats(output, self._hidden) else output for output in cell.outputs]
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = student_frames(output.get("traceback", []))
        return cell, resources


def hidden_lines(nb, begin: str = "BEGIN HIDDEN TESTS", end: str = "END HIDDEN TESTS") -> set[str]:
    """Distinctive lines (stripped, at least MIN_HIDDEN_LINE characters) inside the hidden test regions of `nb`'s
    test cells that appear nowhere outside those regions."""
    hidden, shown = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            core = line.strip()
            if begin in line:
                inside = True
            elif end in line:
                inside = False
            elif inside and _is_test(cell):
                hidden.add(core)
            else:
                shown.add(core)
    return {line for line in hidden - shown if len(line) >= MIN_HIDDEN_LINE}


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: a frame of IPython's traceback in a library, not in the student's cells
_LIBRARY_FRAME = re.compile(r"^File (/\S*/(site-packages|dist-packages|lib/python3[.\d]*)/)")


def student_frames(traceback: list[str]) -> list[str]:
    """An IPython traceback (one entry per frame, with colours) without the frames inside libraries (numpy's
    internals, the kernel's own machinery): the student's lines and the error's last line stay, and a note says how
    many frames were left out."""
    kept = [entry for entry in traceback if not _LIBRARY_FRAME.match(_ANSI.sub("", entry).lstrip())]
    left_out = len(traceback) - len(kept)
    if left_out and kept:
        kept.insert(len(kept) - 1, f"({left_out} frame(s) inside libraries left out)")
    return kept


def _text(output) -> str:
    parts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
    for kind, value in output.get("data", {}).items():
        if not kind.startswith("image/"):
            parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(p if isinstance(p, str) else "".join(map(str, p)) for p in parts)


def _repeats(output, hidden: set[str]) -> bool:
    text = _text(output)
    return bool(hidden) and any(line in text for line in hidden)


def _withheld() -> NotebookNode:
    return NotebookNode(output_type="stream", name="stdout", text=WITHHELD)
