"""grades.csv where an error is never a zero: nbgrader's CSV export, with no score for what could not be graded.

`GradesCsv` is nbgrader's `CsvExportPlugin` (same columns, same order, same values for every graded submission),
configured as `c.ExportApp.plugin_class` in nbgrader_config.py so that `nbgrader export` and `course grade` write
the same file. It reads the course's grading status (`.grading/<assignment>/status.json`, `grader.classrun.state`):

- a submission whose last grading failed has empty `raw_score`, `late_submission_penalty` and `score` (nbgrader
  writes whatever the failed autograde left, often 0.0), its reason being in grading-errors.csv;
- a folder refused at intake (no notebook, not a notebook, a symbolic link, a name that is not UTF-8), of which the
  gradebook knows nothing, gets a row too, with an empty score;
- a row that cannot be computed (a broken gradebook entry) is written with an empty score and listed in `failed`
  as (assignment, student, reason): one submission never stops the export.

A student who handed nothing in keeps nbgrader's 0.0: that is a mark, not an error.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from types import SimpleNamespace

from nbgrader.plugins import CsvExportPlugin
from .records import SubmissionKey

KEYS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
        "late_submission_penalty", "score", "max_score"]
SCORES = ("raw_score", "late_submission_penalty", "score")


def _text(value) -> str:
    return "" if value is None else str(value)


def _root(plugin) -> Path:
    """The course root: the export app's course directory, else the configuration's, else the working directory."""
    coursedir = getattr(plugin.parent, "coursedir", None)
    root = getattr(coursedir, "root", None) or plugin.config.CourseDirectory.get("root")
    return Path(root or os.getcwd())


class GradesCsv(CsvExportPlugin):
    """nbgrader's CSV export with an empty score for every submission that could not be graded (module docstring)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        #: (assignment, student, reason) of the rows that could not be computed in the last export
        self.failed: list[tuple[str, str, str]] = []

    def status(self) -> dict[str, dict]:
        from .state import status

        return status(SimpleNamespace(state=_root(self) / ".grading"))

    def row(self, gradebook, assignment, student_id: str, st: dict | None) -> dict:
        """One row of grades.csv, as nbgrader's CsvExportPlugin computes it, scores emptied when `st` says the
        grading failed."""
        from nbgrader.api import MissingEntry

        try:
            student = gradebook.find_student(student_id)
        except MissingEntry:
            student = SimpleNamespace(id=student_id, last_name=None, first_name=None, email=None)
        row = {"assignment": assignment.name, "duedate": assignment.duedate, "student_id": student.id,
               "last_name": student.last_name, "first_name": student.first_name, "email": student.email,
               "max_score": assignment.max_score}
        try:
            sub = gradebook.find_submission(assignment.name, student_id)
        except MissingEntry:
            row.update(timestamp="", raw_score=None if st else 0.0, late_submission_penalty=None if st else 0.0,
                       score=None if st else 0.0)
        else:
            penalty = sub.late_submission_penalty
            row.update(timestamp=sub.timestamp, raw_score=sub.score, late_submission_penalty=penalty,
                       score=max(0.0, sub.score - penalty))
        if st is not None and not st.get("ok", True):
            row.update({k: None for k in SCORES})
        return {k: _text(row.get(k)) for k in KEYS}

    def export(self, gradebook) -> None:
        dest = self.to or "grades.csv"
        only_students = [str(s) for s in self.student]
        only_assignments = [str(a) for a in self.assignment]
        status = self.status()
        self.failed = []
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="") as f:
            out = csv.DictWriter(f, KEYS, lineterminator="\n")
            out.writeheader()
            for assignment in gradebook.assignments:
                if only_assignments and assignment.name not in only_assignments:
                    continue
                known = [s.id for s in gradebook.students]
                refused = sorted({key.student for key in map(SubmissionKey.parse, status)
                                  if key.assignment == assignment.name} - set(known))
                for student_id in known + refused:
                    if only_students and student_id not in only_students:
                        continue
                    st = status.get(str(SubmissionKey(assignment.name, student_id)))
                    try:
                        out.writerow(self.row(gradebook, assignment, student_id, st))
                    except Exception as error:  # noqa: BLE001 - one submission's row never stops the export
                        gradebook.db.rollback()
                        self.failed.append((assignment.name, student_id,
                                            f"exporting its row failed: {type(error).__name__}: {error}"))
                        out.writerow({"assignment": assignment.name, "student_id": student_id})
