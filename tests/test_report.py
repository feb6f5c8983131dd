"""Does the class report count the misconceptions the checks named, student by student, most frequent first?"""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader.classrun.report import AssignmentResults, mistakes_table, named_mistake, read_autograded, summary_line

A = "01_normalization"
VARIANCE = "your sigma is the variance of each feature: take its square root"
OWN_STATS = "you scale X_test with its own statistics: use those of X_train"


def _error(evalue: str, ename: str = "CheckFailed") -> nbformat.NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _test_cell(grade_id: str, *outputs) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("...", outputs=list(outputs))
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id,
                                 "points": 1, "schema_version": 3}
    return cell


def _autograded(root: Path, student: str, *cells) -> None:
    """root/autograded/<student>/01_normalization/01_normalization.ipynb with `cells`."""
    path = root / "autograded" / student / A / f"{A}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=list(cells)), path)


def _class(root: Path) -> AssignmentResults:
    """Two students named the variance mistake (one of them twice, in two cells, once in the re-check), one the
    test-statistics mistake; generic failures, timeouts and an error of a student's own cell name none, and a
    submission that could not be graded (dev) is left out."""
    details = "\nsigma is wrong at (0, 0): expected 0.816497, found 0.666667\non: X = [[1, 2, 3], [10, 10, 10]]"
    _autograded(root, "ada", _test_cell("test_normalization_stats", _error(f"Mistake: {VARIANCE}{details}")),
                _test_cell("test_normalize_train_test", _error(f"Mistake: {VARIANCE}{details}\n(checked again "
                                                                "outside your notebook's kernel)")))
    _autograded(root, "ben", _test_cell("test_normalization_stats", _error(f"Mistake: {VARIANCE}{details}")),
                _test_cell("test_normalize", _error("X_norm is wrong at (1, 0): expected 0.1, found 7.2e+15")))
    _autograded(root, "cleo", _test_cell("test_normalize_train_test", _error(f"Mistake: {OWN_STATS}\n...")),
                _test_cell("test_condition_number", _error("this cell did not finish", "CellTimeoutError")))
    _autograded(root, "dev", _test_cell("test_normalize", _error("Mistake: " + OWN_STATS)))
    own = nbformat.v4.new_code_cell("raise ValueError('Mistake: mine')",
                                    outputs=[_error("Mistake: mine", "ValueError")])
    own.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "normalize"}
    _autograded(root, "eli", own)
    res = AssignmentResults(A, max_score=4, scores={"ada": 2, "ben": 3, "cleo": 2, "eli": 0}, errored={"dev": "broken"})
    read_autograded(root / "autograded", res)
    return res


def test_each_named_mistake_is_counted_once_per_student_most_frequent_first(tmp_path):
    res = _class(tmp_path)
    assert res.common_mistakes() == [(VARIANCE, 2), (OWN_STATS, 1)], \
        f"dev could not be graded and is left out; ada counts once: {res.common_mistakes()}"
    assert res.mistake_cells[VARIANCE] == {"test_normalization_stats", "test_normalize_train_test"}, \
        f"the cells that named the variance mistake: {res.mistake_cells}"
    assert res.timed_out == {"cleo": ["test_condition_number: CellTimeoutError"]}, f"timeouts: {res.timed_out}"


def test_the_summary_line_and_the_page_show_the_most_common_mistake(tmp_path):
    res = _class(tmp_path)
    assert summary_line(res).endswith(f"; most common mistake: {VARIANCE} (2 students)"), summary_line(res)
    table = mistakes_table(res)
    assert table.index(VARIANCE) < table.index("you scale X_test"), f"the most frequent should come first: {table}"
    assert "<td>2 of 4</td>" in table and "test_normalize_train_test" in table, f"students and cells: {table}"


def test_a_class_without_named_mistakes_says_so(tmp_path):
    _autograded(tmp_path, "ada", _test_cell("test_normalize", _error("X_norm is wrong")))
    res = AssignmentResults(A, scores={"ada": 0})
    read_autograded(tmp_path / "autograded", res)
    assert res.common_mistakes() == [] and "most common mistake" not in summary_line(res), summary_line(res)
    assert "Named mistakes: none" in mistakes_table(res), mistakes_table(res)


def test_only_a_first_line_that_opens_with_mistake_names_one():
    assert named_mistake(f"Mistake: {VARIANCE}\nsigma is wrong") == VARIANCE, "the sentence of the first line"
    assert named_mistake(f"sigma is wrong\nMistake: {VARIANCE}") is None, "only the first line names a mistake"
    assert named_mistake("Mistake: ") is None and named_mistake("") is None, "an empty sentence names nothing"


def test_no_check_is_named_most_failed_when_every_check_passed():
    res = AssignmentResults(A, max_score=4, scores={"ada": 4, "ben": 4},
                            passes={"test_normalize": [2, 2], "test_normalization_stats": [2, 2]})
    assert "most failed check" not in summary_line(res), summary_line(res)
    res.passes["test_normalize"] = [1, 2]
    assert "most failed check: test_normalize (50% pass)" in summary_line(res), summary_line(res)
