"""Is an error never a zero in grades.csv, whether `course grade` or plain `nbgrader export` writes it?"""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from grader.course import Course, interpreter_on_path, nbgrader
from grader.classrun.gradebook import export_errors, export_grades
from support import ROOT

A = "01_normalization"


@pytest.fixture
def course(tmp_path):
    """A course whose gradebook holds ada (graded), ben (graded, but his last grading failed) and no carl, whose
    folder was refused at intake (grading status in .grading/)."""
    from nbgrader.api import Gradebook

    interpreter_on_path()  # nbgrader stamps a new gradebook with `alembic` from PATH
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.add_assignment(A)
        for s in ("ada", "ben", "dan"):
            gb.add_student(s)
        gb.add_submission(A, "ada")
        gb.add_submission(A, "ben")
    (tmp_path / ".grading" / A).mkdir(parents=True)
    status = {"ada": {"ok": True, "file": f"{A}.ipynb", "error": None},
              "ben": {"ok": False, "file": f"{A}.ipynb", "error": "ValueError: the kernel died"},
              "carl": {"ok": False, "file": "(no notebook; found nothing)", "error": "no notebook"}}
    (tmp_path / ".grading" / A / "status.json").write_text(json.dumps(status))
    return Course(tmp_path)


def _rows(path) -> dict[str, dict]:
    with open(path) as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


def test_grades_csv_has_no_score_for_a_failed_or_refused_submission_and_keeps_real_ones(course):
    assert export_grades(course) == [], "no row should fail"
    rows = _rows(course.root / "grades.csv")
    assert rows["ada"]["score"] == "0.0" and rows["dan"]["score"] == "0.0", "a graded or absent student lost 0.0"
    for s in ("ben", "carl"):
        assert rows[s]["score"] == rows[s]["raw_score"] == "", f"{s} could not be graded, yet grades.csv says {rows[s]}"
    assert list(rows["ada"]) == ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
                                 "email", "raw_score", "late_submission_penalty", "score", "max_score"]


def test_plain_nbgrader_export_writes_the_same_grades_csv(course):
    export_grades(course)
    ours = (course.root / "grades.csv").read_text()
    nbgrader("export", "--to=plain.csv", "--log-level=WARN", root=course.root)
    assert (course.root / "plain.csv").read_text() == ours, "nbgrader export and course grade disagree"


def test_a_row_that_cannot_be_computed_is_empty_and_listed_with_the_reason(course, monkeypatch):
    from grader.classrun.export import GradesCsv

    real = GradesCsv.row

    def broken(self, gb, assignment, student, st):
        if student == "ada":
            raise RuntimeError("the gradebook entry is broken")
        return real(self, gb, assignment, student, st)

    monkeypatch.setattr(GradesCsv, "row", broken)
    failed = export_grades(course)
    assert failed == [(A, "ada", "exporting its row failed: RuntimeError: the gradebook entry is broken")], failed
    rows = _rows(course.root / "grades.csv")
    assert rows["ada"]["score"] == "" and rows["dan"]["score"] == "0.0", rows
    export_errors(course, {}, failed)
    with open(course.root / "grading-errors.csv") as f:
        listed = {r["student"]: r for r in csv.DictReader(f)}
    assert "gradebook entry is broken" in listed["ada"]["reason"], listed
