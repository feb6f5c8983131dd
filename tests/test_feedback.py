"""What the feedback shows of a test cell and of the student's own cells, on tiny notebooks: the re-check's verdict
(`grader.plugins.recheck.vouched_outputs`), never what the kernel printed in a test cell; no hidden test line anywhere
(`grader.plugins.hidden_tests.HideHiddenTests`); tracebacks down to the student's own lines."""

from __future__ import annotations

import re

import nbformat
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell, new_notebook, new_output
from traitlets.config import Config

from grader.plugins.execute import STOPPED
from grader.plugins.feedback_page import ALT, FeedbackExporter
from grader.plugins.hidden_tests import WITHHELD, HideHiddenTests, hidden_lines, student_frames
from grader.plugins.recheck import vouched_outputs
from support import ASSIGNMENTS, ROOT

#: a 1x1 PNG, as a figure's output holds one (base64)
_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
HIDDEN = "expect_close(call(normalize, _X, _mu, _sigma), _expected, 'X_norm', _on)"


def _test_cell(source: str, outputs=()) -> NotebookNode:
    cell = new_code_cell(source, outputs=list(outputs))
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "test_it", "points": 1}
    return cell


def _error(ename="AssertionError", evalue="x"):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def test_a_passing_test_cell_shows_what_the_trusted_test_printed_not_what_the_kernel_did():
    cell = _test_cell("check()", [new_output("stream", name="stdout", text=f"hook saw: {HIDDEN}\n")])
    verdict = {"passed": True, "ename": "", "evalue": "", "output": "normalize: the visible checks pass.\n"}
    assert [o.get("text") for o in vouched_outputs(cell, verdict)] == ["normalize: the visible checks pass.\n"]


def test_a_failing_test_cell_shows_the_rechecks_message_never_the_kernels():
    cell = _test_cell("check()", [_error("ValueError", f"leaked {HIDDEN}")])
    verdict = {"passed": False, "ename": "CheckFailed", "evalue": "X_norm: expected 1.0, found 2.0", "output": ""}
    out = vouched_outputs(cell, verdict)
    assert [(o.ename, o.evalue) for o in out] == [("CheckFailed", "X_norm: expected 1.0, found 2.0")]


def test_a_cell_the_kernel_failed_stays_failed_in_the_graders_words():
    passed = {"passed": True, "ename": "", "evalue": "", "output": ""}
    failed = vouched_outputs(_test_cell("check()", [_error("ValueError", HIDDEN)]), passed)
    assert failed[0].output_type == "error" and HIDDEN not in failed[0].evalue and "kernel" in failed[0].evalue
    stopped = _test_cell("check()", [_error("CellTimeoutError", "forged by the student")])
    stopped.metadata[STOPPED] = {"ename": "CellTimeoutError", "evalue": "this cell did not finish within 30 s"}
    assert [o.evalue for o in vouched_outputs(stopped, passed)] == ["this cell did not finish within 30 s"]
    assert vouched_outputs(_test_cell("check()"), None)[0].output_type == "error", "no verdict must mean failed"


def test_feedback_withholds_any_output_that_repeats_a_hidden_line():
    test = _test_cell(f"visible()\n### BEGIN HIDDEN TESTS\n{HIDDEN}\n### END HIDDEN TESTS")
    solution = new_code_cell("print(SEEN)", outputs=[new_output("stream", name="stdout", text=f"SEEN: {HIDDEN}\n"),
                                                     new_output("stream", name="stdout", text="my own output\n")])
    nb = new_notebook(cells=[test, solution])
    assert hidden_lines(nb) == {HIDDEN}
    nb, _ = HideHiddenTests().preprocess(nb, {})
    assert HIDDEN not in nb.cells[0].source
    assert [o.text for o in nb.cells[1].outputs] == [WITHHELD, "my own output\n"]


def test_a_traceback_keeps_the_students_lines_and_leaves_library_frames_out():
    tb = ["LinAlgError   Traceback (most recent call last)", "Cell \x1b[0;32mIn[2], line 2\x1b[0m\n----> 2 inv(A)",
          "\x1b[0;31mFile \x1b[0;32m/venv/lib/python3.11/site-packages/numpy/linalg/_linalg.py:647\x1b[0m, in inv(a)",
          "LinAlgError: Singular matrix"]
    assert student_frames(tb) == [tb[0], tb[1], "(1 frame(s) inside libraries left out)", tb[3]]


def test_the_warm_feedback_exporter_writes_the_page_a_fresh_one_writes():
    """FeedbackExporter (grader/plugins/feedback_page.py) keeps its Jinja environment and highlighting between pages:
    each page is still the one nbconvert's HTMLExporter writes, and nothing of one page reaches the next."""
    config = Config()  # nbconvert's own page (the feedback template needs a gradebook's scores; the mechanism is one)
    config.HTMLExporter.exclude_input_prompt = True
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    pages = []
    for assignment in ASSIGNMENTS[:2]:
        nb = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        nb.cells[-1].source += f"\n# only in {assignment}"
        nb.cells.append(new_code_cell("plot()", outputs=[new_output("display_data", data={
            "image/png": _PNG, "text/plain": "<Figure>"})]))  # a figure: an image without alt text
        fresh, _ = HTMLExporter(config=config).from_notebook_node(nb)
        warm, _ = FeedbackExporter(config=config).from_notebook_node(nb)
        # the same page once parsed (HTMLExporter writes out the tree BeautifulSoup parsed; FeedbackExporter keeps
        # the template's text and adds the same attributes)
        parsed = str(BeautifulSoup(warm, features="html.parser"))
        assert uuid.sub("", parsed) == uuid.sub("", fresh), f"{assignment}: the warm exporter's page differs"
        assert 'tabindex="0"' in warm and warm.count(f'alt="{ALT}"') == 1
        pages.append(warm)
    assert "only in" + f" {ASSIGNMENTS[0]}" not in pages[1]
    assert FeedbackExporter(config=config).environment is FeedbackExporter(config=config).environment


def test_a_cell_is_highlighted_once_however_its_runs_differ_in_metadata():
    """Every run of a cell stamps its own execution times in the cell's metadata, which pygments never reads: a
    class's identical cells are highlighted once per grading process, not once per submission. `magics_language`,
    which pygments does read, still tells two cells apart."""
    from grader.plugins.feedback_page import _RememberedHighlight

    seen = []

    def highlight(source, language=None, metadata=None):
        seen.append(metadata)
        return f"<pre>{source}</pre>"

    remembered = _RememberedHighlight(highlight)
    source = "x = 1  # a-cell-of-this-test-only"
    for stamp in ("2026-12-07T17:40:36.594880Z", "2026-12-07T18:02:11.000001Z"):
        assert remembered(source, None, {"execution": {"iopub.execute_input": stamp}, "nbgrader": {"locked": True}}) \
            == f"<pre>{source}</pre>"
    assert len(seen) == 1, f"highlighted {len(seen)} times: {seen}"
    remembered(source, None, {"magics_language": "bash"})
    assert len(seen) == 2, "a cell whose magics_language differs must be highlighted on its own"
