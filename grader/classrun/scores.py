"""The score table a grading run prints: students by assignment, from the gradebook, `error` where grading failed."""

from __future__ import annotations

from . import state
from .records import SubmissionKey


def score_table(course, status: dict | None = None) -> str:
    """Students by assignment with their scores from the gradebook; `error` where the last autograde failed,
    with the reasons below the table (such a submission could not be graded: its score is not a mark)."""
    from nbgrader.api import MissingEntry

    status = state.status(course) if status is None else status
    lines, errors = [], []
    with course.gradebook() as gb:
        names = [a.name for a in gb.assignments if a.name in course.assignments]
        # a submission that could not be graded at all may belong to a student the gradebook has not seen yet
        students = sorted({s.id for s in gb.students} | {SubmissionKey.parse(key).student for key in status})
        width = max([len(s) for s in students] + [7])
        lines.append("student".ljust(width) + "".join(f"  {a:>24}" for a in names))
        for student in students:
            row = student.ljust(width)
            for a in names:
                st = status.get(f"{a}/{student}")
                try:
                    if st and not st["ok"]:
                        cell = "error"
                        errors.append(f"{student}, {a} ({st.get('file')}): {st['error']}")
                    else:
                        sub = gb.find_submission(a, student)
                        cell = f"{sub.score:g} / {sub.max_score:g}" + (" *" if sub.needs_manual_grade else "")
                except MissingEntry:
                    cell = "-"
                except Exception as error:  # noqa: BLE001 - one unreadable entry, not the whole table
                    gb.db.rollback()
                    cell = "unreadable"
                    errors.append(f"{student}, {a}: its grades could not be read: {type(error).__name__}: {error}")
                row += f"  {cell:>24}"
            lines.append(row)
    lines.append("* written answers still to grade by hand in the formgrader")
    if errors:
        lines.append("error: could not be graded (not a zero; see grading-errors.csv and .grading/logs/):")
        lines += [f"  {e}" for e in errors]
    return "\n".join(lines)
