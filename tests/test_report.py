"""Does the class report count the misconceptions the checks named (as data, from the run's state), student by
student, most frequent first?"""

from __future__ import annotations

from dataclasses import asdict

from grader.classrun.report import AssignmentResults, add_outcomes, mistakes_table, summary_line
from grader.plugins.recheck import CellOutcome

A = "01_normalization"
VARIANCE = "your sigma is the variance of each feature: take its square root"
OWN_STATS = "you scale X_test with its own statistics: use those of X_train"


def _cells(*outcomes: CellOutcome) -> list[dict]:
    """The test cells' outcomes as the run's state keeps them."""
    return [asdict(o) for o in outcomes]


def _class() -> AssignmentResults:
    """Two students made the variance mistake (one of them in two cells), one the test-statistics mistake; generic
    failures and timeouts name none, and a submission that could not be graded (dev) is left out."""
    res = AssignmentResults(A, max_score=4, scores={"ada": 2, "ben": 3, "cleo": 2, "eli": 0}, errored={"dev": "broken"})
    add_outcomes(res, "ada", _cells(CellOutcome("test_normalization_stats", False, "CheckFailed", VARIANCE),
                                    CellOutcome("test_normalize_train_test", False, "CheckFailed", VARIANCE)))
    add_outcomes(res, "ben", _cells(CellOutcome("test_normalization_stats", False, "CheckFailed", VARIANCE),
                                    CellOutcome("test_normalize", False, "CheckFailed")))
    add_outcomes(res, "cleo", _cells(CellOutcome("test_normalize_train_test", False, "CheckFailed", OWN_STATS),
                                     CellOutcome("test_condition_number", False, "CellTimeoutError",
                                                 stopped="CellTimeoutError")))
    add_outcomes(res, "dev", _cells(CellOutcome("test_normalize", False, "CheckFailed", OWN_STATS)))
    add_outcomes(res, "eli", _cells(CellOutcome("test_normalize", True)))
    return res


def test_each_named_mistake_is_counted_once_per_student_most_frequent_first():
    res = _class()
    assert res.common_mistakes() == [(VARIANCE, 2), (OWN_STATS, 1)], \
        f"dev could not be graded and is left out; ada counts once: {res.common_mistakes()}"
    assert res.mistake_cells[VARIANCE] == {"test_normalization_stats", "test_normalize_train_test"}, \
        f"the cells that named the variance mistake: {res.mistake_cells}"
    assert res.timed_out == {"cleo": ["test_condition_number: CellTimeoutError"]}, f"timeouts: {res.timed_out}"


def test_the_summary_line_and_the_page_show_the_most_common_mistake():
    res = _class()
    assert summary_line(res).endswith(f"; most common mistake: {VARIANCE} (2 students)"), summary_line(res)
    table = mistakes_table(res)
    assert table.index(VARIANCE) < table.index("you scale X_test"), f"the most frequent should come first: {table}"
    assert "<td>2 of 4</td>" in table and "test_normalize_train_test" in table, f"students and cells: {table}"


def test_a_class_without_named_mistakes_says_so():
    res = AssignmentResults(A, scores={"ada": 0})
    add_outcomes(res, "ada", _cells(CellOutcome("test_normalize", False, "CheckFailed")))
    assert res.common_mistakes() == [] and "most common mistake" not in summary_line(res), summary_line(res)
    assert "Named mistakes: none" in mistakes_table(res), mistakes_table(res)


def test_no_check_is_named_most_failed_when_every_check_passed():
    res = AssignmentResults(A, max_score=4, scores={"ada": 4, "ben": 4},
                            passes={"test_normalize": [2, 2], "test_normalization_stats": [2, 2]})
    assert "most failed check" not in summary_line(res), summary_line(res)
    res.passes["test_normalize"] = [1, 2]
    assert "most failed check: test_normalize (50% pass)" in summary_line(res), summary_line(res)
