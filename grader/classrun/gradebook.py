"""The gradebook side of grading: one submission's grades as plain data, merged in one transaction; exports.

A worker autogrades into a scratch gradebook of its own and returns what autograde wrote there as a plain record
(`submission_record`: the fields `Autograde.init_assignment`, `SaveAutoGrades` and `AssignLatePenalties` set). The
client, the only writer of the course's gradebook, merges it (`merge_record`) in one transaction. This is the
design suggested in jupyter/nbgrader#174: separate processes, separate gradebooks, merged.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path
from .records import SubmissionKey


def submission_record(gb, assignment: str, student: str, manual: bool = False) -> dict | None:
    """What the gradebook holds for one submission as JSON-friendly data; None if it holds nothing.

    {"timestamp": ISO text or None, "notebooks": {name: {"late_submission_penalty": float or None,
     "grades": {cell: [auto_score, needs_manual_grade]}, "comments": {cell: auto_comment}}}}
    With `manual`, also "manual": {notebook: {"grades": {cell: [manual_score, extra_credit]},
    "comments": {cell: manual_comment}}}, what an instructor entered by hand."""
    from nbgrader.api import MissingEntry

    try:
        sub = gb.find_submission(assignment, student)
    except MissingEntry:
        return None
    record = {
        "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
        "notebooks": {nb.name: {
            "late_submission_penalty": nb.late_submission_penalty,
            "grades": {g.name: [g.auto_score, bool(g.needs_manual_grade)] for g in nb.grades},
            "comments": {c.name: c.auto_comment for c in nb.comments},
        } for nb in sub.notebooks},
    }
    if manual:
        record["manual"] = {nb.name: {
            "grades": {g.name: [g.manual_score, g.extra_credit] for g in nb.grades},
            "comments": {c.name: c.manual_comment for c in nb.comments},
        } for nb in sub.notebooks}
    return record


def _add_student(gb, student: str) -> None:
    """Add `student` unless present; another grading run adding the same student at the same time is no error."""
    from nbgrader.api import InvalidEntry, MissingEntry

    try:
        gb.find_student(student)
    except MissingEntry:
        try:
            gb.add_student(student)
        except InvalidEntry:  # the unique id was taken in between (a concurrent run): it exists now
            gb.db.rollback()
            gb.find_student(student)


def merge_record(gb, assignment: str, student: str, record: dict) -> None:
    """Write one submission's autograde `record` into `gb` in one transaction.

    Mirrors `SaveAutoGrades`: the automatic score and comment are replaced; a manual score or comment an
    instructor entered is kept, and a cell with a manual score is flagged for review again. With a "manual" part
    (a record read with `manual=True`), the manual scores, extra credit and comments are written too."""
    import warnings

    from sqlalchemy.exc import SAWarning

    _add_student(gb, student)
    # creates the submission with its empty grades and comments if new, exactly as autograde does; nbgrader 0.9.6
    # builds them the SQLAlchemy 1.x way, which SQLAlchemy 2 warns about (on every new submission) and handles
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        sub = gb.update_or_create_submission(assignment, student)
    try:
        if record["timestamp"]:
            sub.timestamp = datetime.fromisoformat(record["timestamp"])
        for nb in sub.notebooks:
            done = record["notebooks"].get(nb.name)
            if done is None:
                continue
            by_hand = record.get("manual", {}).get(nb.name)
            nb.late_submission_penalty = done["late_submission_penalty"]
            for grade in nb.grades:
                if by_hand:
                    grade.manual_score, grade.extra_credit = by_hand["grades"][grade.name]
                auto_score, needs_manual = done["grades"][grade.name]
                grade.auto_score = auto_score
                grade.needs_manual_grade = needs_manual or grade.manual_score is not None
            for comment in nb.comments:
                comment.auto_comment = done["comments"][comment.name]
                if by_hand:
                    comment.manual_comment = by_hand["comments"][comment.name]
        gb.db.commit()
    except BaseException:
        gb.db.rollback()
        raise


def _replace(path: Path, write) -> Path:
    """Write `path` through a temporary file and rename it: a reader never sees half a file, and of two runs
    exporting at once the later complete file wins."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)
    return path


def export_grades(course) -> list[tuple[str, str, str]]:
    """grades.csv through the export plugin nbgrader_config.py chooses (`grader.classrun.export.GradesCsv`: nbgrader's CSV
    export with no score where grading failed). Returns (assignment, student, reason) of the rows the plugin could
    not compute (its `failed`; none for a plugin without it)."""
    from nbgrader.plugins import CsvExportPlugin
    from traitlets.utils.importstring import import_item

    plugin_class = course.config.ExportApp.get("plugin_class", CsvExportPlugin)
    if isinstance(plugin_class, str):
        plugin_class = import_item(plugin_class)
    failed = []

    def write(tmp: Path) -> None:
        plugin = plugin_class(config=course.config)
        plugin.to = str(tmp)
        with course.gradebook() as gb:
            plugin.export(gb)
        failed.extend(getattr(plugin, "failed", []))

    _replace(course.root / "grades.csv", write)
    return failed


def export_errors(course, status: dict, failed: list[tuple[str, str, str]] = ()) -> Path:
    """grading-errors.csv beside grades.csv: every submission whose last grading failed (refused at intake
    included), and every row of grades.csv that could not be computed (`failed`), with the reason.

    Such a submission could not be graded: grades.csv shows no score for it. Columns: assignment, student, file
    (the notebook handed in, or the files found), reason (the first line of the error), log (the whole log,
    relative to root)."""
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["assignment", "student", "file", "reason", "log"])
            for key, st in sorted(status.items()):
                if not st["ok"]:
                    a, s = SubmissionKey.parse(key)
                    out.writerow([a, s, st.get("file", f"{a}.ipynb"), st["error"], f".grading/logs/{a}-{s}.log"])
            for a, s, reason in failed:
                out.writerow([a, s, status.get(str(SubmissionKey(a, s)), {}).get("file", ""), reason, ""])

    return _replace(course.root / "grading-errors.csv", write)
