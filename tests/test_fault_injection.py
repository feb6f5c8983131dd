"""Can anything about one submission stop the class? Each step that touches one submission is made to raise for
one student, and the class must complete with every other grade right and each fault reported with the student,
the file and the reason.

The steps run for real (intake, preparing the task, the manual-grade query, the merge into the gradebook, writing
the feedback, exporting the row of grades.csv) on an in-process Dask cluster; only the worker's autograde is a
stand-in that gives full marks from the gradebook's cells, so no notebook runs and the test stays cheap.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest

import grader.classrun.cluster
import grader.classrun.intake
import grader.classrun.report
import grader.classrun.run
from grader.course import Course
from grader.classrun.export import GradesCsv
from grader.classrun.records import AutogradeTask, TaskResult
from grader.classrun.run import grade_class
from support import ROOT, cell_scores, submit

A = "01_normalization"
HONEST = ["ada", "hal"]
#: student -> (the step that raises for them, what the report must say)
FAULTS = {
    "ben": ("intake", "the folder vanished"),
    "cat": ("submission_files", "preparing the submission for grading failed"),
    "dan": ("manual-grade query", "preparing the submission for grading failed"),
    "eve": ("merge", "merging the grades failed"),
    "ivy": ("worker", "the task raised"),
}
FEEDBACK, EXPORT, REPORT = "fay", "gus", "kim"


def _record(course: Course) -> dict:
    """What a perfect autograde of A writes: full marks in every code test cell, written answers to grade."""
    with course.gradebook() as gb:
        nb = gb.find_notebook(A, A)
        grades = {c.name: ([float(c.max_score), False] if c.cell_type == "code" else [None, True])
                  for c in nb.grade_cells}
        comments = {c.name: None for c in nb.solution_cells}
    return {"timestamp": None, "notebooks": {A: {"late_submission_penalty": None, "grades": grades,
                                                  "comments": comments}}}


RECORD: dict = {}


def fake_autograde(bundle, task: AutogradeTask) -> TaskResult:
    """The worker's task, given full marks from RECORD, raising for ivy."""
    if task.key.student == "ivy":
        raise RuntimeError("the task raised")
    return TaskResult(ok=True, record=RECORD, seconds=0.01, worker="test",
                      autograded={f"{A}.ipynb": task.files[f"{A}.ipynb"]},
                      feedback={f"{A}.html": b"<html>feedback</html>"} if task.feedback else None)


def _raising_for(student: str, real, why: str, match=lambda args: args):
    def wrapper(*args, **kwargs):
        if student in map(str, match(args)):
            raise OSError(why) if student == "ben" else RuntimeError(why)
        return real(*args, **kwargs)
    return wrapper


@pytest.fixture(scope="module")
def faulted(tmp_path_factory):
    from distributed import LocalCluster

    course_root = tmp_path_factory.mktemp("faults")
    shutil.copy(ROOT / "nbgrader_config.py", course_root / "nbgrader_config.py")
    with open(course_root / "nbgrader_config.py", "a") as f:
        f.write("\nc.CourseKernelManager.sandbox = False\n")  # no kernel runs here
    for step in ("source", "release"):
        shutil.copytree(ROOT / step / A, course_root / step / A)
    release = nbformat.read(course_root / "release" / A / f"{A}.ipynb", as_version=4)
    for s in [*HONEST, *FAULTS, FEEDBACK, EXPORT, REPORT]:
        submit(course_root, s, A, release)
    course = Course(course_root)

    mp = pytest.MonkeyPatch()
    mp.setattr(grader.classrun.cluster, "warm_worker", lambda dask_worker=None: None)  # it would chdir this process
    mp.setattr(grader.classrun.run, "autograde", fake_autograde)
    mp.setattr(grader.classrun.intake, "resolve_notebook", _raising_for("ben", grader.classrun.intake.resolve_notebook,
                                                               "the folder vanished", lambda a: a[0].parts))
    mp.setattr(grader.classrun.run, "submission_files", _raising_for("cat", grader.classrun.run.submission_files, "disk error",
                                                            lambda a: [a[1].student]))
    mp.setattr(grader.classrun.run, "_manual", _raising_for("dan", grader.classrun.run._manual, "database is locked",
                                                   lambda a: [a[2]]))
    mp.setattr(grader.classrun.run, "merge_record", _raising_for("eve", grader.classrun.run.merge_record, "constraint failed",
                                                        lambda a: [a[2]]))
    mp.setattr(grader.classrun.run, "write_folder", _raising_for(FEEDBACK, grader.classrun.run.write_folder, "disk full",
                                                        lambda a: a[0].parts if "feedback" in a[0].parts else []))
    mp.setattr(GradesCsv, "row", _raising_for(EXPORT, GradesCsv.row, "broken entry", lambda a: [a[3]]))
    mp.setattr(grader.classrun.report, "_grades", _raising_for(REPORT, grader.classrun.report._grades, "bad score",
                                                      lambda a: [a[0].student_id]))
    try:
        from grader.release import sync_gradebook

        sync_gradebook(course)
        RECORD.update(_record(course))
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
            figures = grade_class(course, scheduler=cluster.scheduler_address)
    finally:
        mp.undo()
    return course, figures


def _csv(path: Path, key: str) -> dict[str, dict]:
    with open(path) as f:
        return {r[key]: r for r in csv.DictReader(f)}


def test_the_class_completes_with_every_other_grade_right(faulted):
    course, _ = faulted
    full = {g: s for g, s in RECORD["notebooks"][A]["grades"].items() if s[0] is not None}
    scores = cell_scores(course.root, A)
    for s in [*HONEST, FEEDBACK, EXPORT, REPORT]:
        assert scores[s] == {g: v[0] for g, v in full.items()}, f"{s} did not keep full marks: {scores.get(s)}"
    grades = _csv(course.root / "grades.csv", "student_id")
    for s in HONEST + [FEEDBACK]:
        assert float(grades[s]["score"]) == sum(v[0] for v in full.values()), f"grades.csv: {grades[s]}"
    assert (course.root / "feedback" / "ada" / A / f"{A}.html").is_file(), "ada's feedback was not written"


@pytest.mark.parametrize("student", list(FAULTS))
def test_each_fault_is_that_submissions_problem_reported_with_student_file_and_reason(faulted, student):
    course, figures = faulted
    step, words = FAULTS[student]
    errors = _csv(course.root / "grading-errors.csv", "student")
    assert student in errors, f"the fault in {step} of {student} is not in grading-errors.csv: {sorted(errors)}"
    assert words in errors[student]["reason"] and errors[student]["file"], errors[student]
    assert any(student in e and words in e for e in figures["errors"]), f"not in the run's problems: {figures}"
    assert _csv(course.root / "grades.csv", "student_id")[student]["score"] == "", "an error shows as a score"


def test_a_feedback_that_cannot_be_written_is_reported_and_the_grade_kept(faulted):
    course, figures = faulted
    said = [e for e in figures["errors"] if FEEDBACK in e]
    assert said and "writing the feedback failed" in said[0] and f"{A}.ipynb" in said[0], figures["errors"]
    assert FEEDBACK not in _csv(course.root / "grading-errors.csv", "student"), "a graded submission listed as error"


def test_a_row_of_grades_csv_that_cannot_be_exported_is_empty_and_reported(faulted):
    course, figures = faulted
    assert _csv(course.root / "grades.csv", "student_id")[EXPORT]["score"] == ""
    errors = _csv(course.root / "grading-errors.csv", "student")
    assert "exporting its row failed" in errors[EXPORT]["reason"], errors.get(EXPORT)
    assert any(EXPORT in e and "broken entry" in e for e in figures["errors"]), figures["errors"]


def test_a_submission_whose_grades_the_report_cannot_read_is_listed_and_the_report_written(faulted):
    course, figures = faulted
    page = Path(figures["report"], "report.html").read_text()
    assert REPORT in page.split("Could not be graded")[1] and "bad score" in page, "kim is not listed in the report"
    assert "ada" in page and "01_normalization: " in figures["summary"], figures["summary"]


def test_the_score_table_shows_an_unreadable_entry_and_every_other_score(faulted, monkeypatch):
    from nbgrader.api import Gradebook

    from grader.classrun.scores import score_table

    course, _ = faulted
    monkeypatch.setattr(Gradebook, "find_submission", _raising_for(REPORT, Gradebook.find_submission, "bad row",
                                                                   lambda a: [a[2]]))
    table = score_table(course)
    rows = {line.split()[0]: line for line in table.splitlines() if line.strip()}
    assert "unreadable" in rows[REPORT] and "bad row" in table, table
    assert "/" in rows["ada"] and "/" in rows["hal"], table
