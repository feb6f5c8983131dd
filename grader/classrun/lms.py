"""Grades out to the LMS: the class's scores, late penalties applied, as the CSV that Canvas's or Moodle's gradebook
import reads (`course export --format canvas|moodle`).

One row per student of the gradebook (and per student whose folder was refused at intake), one column per
assignment of the gradebook in course order. A score is nbgrader's, after its late penalty: the submission's
`score` minus the `late_submission_penalty` nbgrader's LateSubmissionPlugin stored on its notebooks
(`SubmittedNotebook`), never below 0 (as nbgrader's own CSV export computes it). No score, never a 0, is written
where there is none to give: a student who handed nothing in, a submission whose last grading failed
(`.grading/<assignment>/status.json`), a folder refused at intake, and a submission still awaiting grading by hand
(nbgrader's `needs_manual_grade`: its score so far would count the ungraded answers as 0; grade them in the
formgrader and export again). `course export` lists them all, with the reason.

Canvas. References: Instructure, "How do I import grades in the Gradebook?"
(https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807, now
https://community.instructure.com/en/kb/articles/660862-how-do-i-import-grades-in-the-gradebook), and the importer
that reads the file, canvas-lms `app/models/gradebook_importer.rb`
(https://github.com/instructure/canvas-lms/blob/master/app/models/gradebook_importer.rb), whose checks this layout
follows exactly:

- the header row is `Student, ID, SIS User ID, SIS Login ID, Section`, then one column per assignment (the
  importer wants "Student" and "ID" first, "SIS User ID" then "SIS Login ID" after them, and "Section" last);
- an assignment column is titled `Assignment Name (assignment id)` with Canvas's numeric assignment id when it is
  known (`--assignment-ids`); a title without an id is matched to the Canvas assignment of that title, and one
  Canvas does not have is created by the import;
- the optional second row `Points Possible` gives each assignment's points (nbgrader's max score);
- a student is matched by `ID` (Canvas's own numeric user id), else `SIS User ID`, else `SIS Login ID` (the login
  name the student signs in with), else by name. nbgrader knows none of Canvas's ids, so `ID` and `SIS User ID`
  are left blank (they may be: the importer skips a blank one) and `SIS Login ID` holds nbgrader's student id:
  on a hub whose accounts are the institution's logins (hub/README.md), that is the name Canvas knows the student
  by. Where it is not, `--ids FILE` gives each student's Canvas-side identifier (below). `Section` is blank;
- a blank cell is no grade (the importer treats blank and "-" alike as "no score"), so a student with no score
  gets a blank cell, never 0.

Moodle. References: MoodleDocs "Grade import" (https://docs.moodle.org/en/Grade_import; CSV import, "Grade
mapping": the CSV's columns are mapped on import, "Map from" a column that identifies the user, "Map to" one of
userid, username, useridnumber or useremail, and each other column to a grade item or a new one), and the import
code, moodle `grade/import/csv/classes/load_data.php`
(https://github.com/moodle/moodle/blob/main/grade/import/csv/classes/load_data.php):

- the header row is `First name, Last name, ID number, Username, Email address` (the user fields of Moodle's own
  grade export, in its order, with the username), then one column per assignment, titled with the assignment id
  (map each to its grade item, or to "New grade item", which takes the column's title);
- `Username` holds nbgrader's student id (map from "Username" to "username"), `Email address` the gradebook's
  email, if any (map from "Email address" to "useremail"), `ID number` is blank; `--ids FILE` can fill any of the
  three (map from it accordingly);
- a grade is a plain number with a dot (Moodle's `unformat_float`); no grade is "-", as Moodle's own grade export
  writes it and as its import reads it ("-" is no grade both for an existing grade item and a new one, whereas an
  empty cell would be a grade of "" for a new item). A grade item's maximum grade must be at least the
  assignment's max score (Moodle refuses a grade above it).

`--ids FILE`: a CSV whose first row is `student_id,<column>`, `<column>` one of the format's identifier columns
(Canvas: `ID`, `SIS User ID`, `SIS Login ID`; Moodle: `Username`, `ID number`, `Email address`), and a row per
student: the export fills that column from it. Every student of the export needs a row (a missing one is an
error that names the student). `--assignment-ids FILE` (Canvas): `assignment,id`, Canvas's numeric assignment id
for the column titles.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

from .records import SubmissionKey


class ExportError(ValueError):
    """What stops an export, in words the instructor can act on."""


@dataclass
class Student:
    """A row of the export: nbgrader's student id and what the gradebook knows of the student."""

    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass
class ClassScores:
    """What an LMS export writes: students, assignments with their max scores, and each score after the late
    penalty (None where there is no score to give: nothing handed in, grading failed, refused at intake, awaiting
    grading by hand; `reasons` says which)."""

    students: list[Student]
    assignments: list[str]
    max_scores: dict[str, float]
    scores: dict[tuple[str, str], float | None] = field(default_factory=dict)  # (student, assignment) -> score
    #: (student, assignment) -> why it has no score, for each without one
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)


def class_scores(course) -> ClassScores:
    """Every student and assignment of the course's gradebook, and every score after its late penalty, read with
    nbgrader's Gradebook API; the grading status of `.grading/` empties what could not be graded."""
    from .state import status as grading_status

    status = grading_status(course)
    with course.gradebook() as gb:
        order = {a: i for i, a in enumerate(course.assignments)}
        assignments = sorted((a.name for a in gb.assignments), key=lambda a: (order.get(a, len(order)), a))
        max_scores = {a.name: float(a.max_score or 0.0) for a in gb.assignments}
        students = {s.id: Student(s.id, s.first_name or "", s.last_name or "", s.email or "") for s in gb.students}
        scores: dict[tuple[str, str], float | None] = {}
        reasons: dict[tuple[str, str], str] = {}
        for a in assignments:
            for sub in gb.assignment_submissions(a):
                key = (sub.student_id, a)
                raw, penalty = sub.score, sub.late_submission_penalty or 0.0
                if sub.needs_manual_grade:
                    scores[key], reasons[key] = None, "awaiting grading by hand"
                else:
                    scores[key] = None if raw is None else max(0.0, float(raw) - float(penalty))
    for text, entry in status.items():
        key = SubmissionKey.parse(text)
        if key.assignment not in max_scores:
            continue
        if key.student not in students:  # refused at intake: the gradebook never saw them
            students[key.student] = Student(key.student)
        if not entry.get("ok", True):
            cell = (key.student, key.assignment)
            scores[cell], reasons[cell] = None, f"could not be graded: {entry.get('error') or 'unknown error'}"
    for s in students:
        for a in assignments:
            if scores.get((s, a)) is None:
                scores[s, a] = None
                reasons.setdefault((s, a), "nothing handed in")
    return ClassScores(sorted(students.values(), key=lambda s: s.id), assignments, max_scores, scores, reasons)


def number(value: float) -> str:
    """A score as the importers read it: a plain decimal number with a dot, at most two decimals (`7.5`, `10`)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass(frozen=True)
class Layout:
    """One LMS's CSV: its identifier columns, the one nbgrader's student id goes in, those `--ids` may fill, what a
    missing score is written as, and whether it has a Points Possible row."""

    name: str
    identifiers: tuple[str, ...]
    student_id_column: str
    mappable: tuple[str, ...]
    no_grade: str
    points_possible: bool

    def default_name(self) -> str:
        return f"{self.name}-grades.csv"


CANVAS = Layout("canvas", ("Student", "ID", "SIS User ID", "SIS Login ID", "Section"), "SIS Login ID",
                ("ID", "SIS User ID", "SIS Login ID"), "", True)
MOODLE = Layout("moodle", ("First name", "Last name", "ID number", "Username", "Email address"), "Username",
                ("Username", "ID number", "Email address"), "-", False)
FORMATS = {layout.name: layout for layout in (CANVAS, MOODLE)}


def layout(fmt: str) -> Layout:
    """The layout of `fmt`; ExportError listing the known formats for any other."""
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ExportError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}") from None


def _read_pairs(path: Path, what: str, first: str, allowed: tuple[str, ...] | None) -> tuple[str, dict[str, str]]:
    """(second column's title, first column -> second) of a two-column CSV whose header is `first,<title>`."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if any(cell.strip() for cell in r)]
    except (OSError, UnicodeDecodeError) as error:
        raise ExportError(f"cannot read the {what} file {path}: {error}") from None
    expected = f"{first},<{' | '.join(allowed) if allowed else 'id'}>"
    if not rows or len(rows[0]) != 2 or rows[0][0].strip() != first or (
            allowed and rows[0][1].strip() not in allowed):
        found = ",".join(rows[0]) if rows else "an empty file"
        raise ExportError(f"the {what} file {path} must start with the row {expected}; found {found!r}")
    pairs = {}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise ExportError(f"the {what} file {path}, row {n}: expected two non-empty cells ({expected}), "
                              f"found {','.join(row)!r}")
        pairs[row[0].strip()] = row[1].strip()
    return rows[0][1].strip(), pairs


def read_ids(path: Path, lay: Layout, students: list[str]) -> tuple[str, dict[str, str]]:
    """(the column it fills, student id -> LMS identifier) from an `--ids` file; ExportError naming every student
    of the export it lacks."""
    column, ids = _read_pairs(path, "ids", "student_id", lay.mappable)
    missing = [s for s in students if s not in ids]
    if missing:
        raise ExportError(f"the ids file {path} has no {column!r} for student(s) {', '.join(missing)}: "
                          f"add a row 'student_id,{column}' for each")
    return column, ids


def read_assignment_ids(path: Path, assignments: list[str]) -> dict[str, str]:
    """assignment -> Canvas's numeric assignment id, from an `--assignment-ids` file (`assignment,id`)."""
    _, ids = _read_pairs(path, "assignment ids", "assignment", ("id",))
    bad = [f"{a}={i}" for a, i in ids.items() if not i.isdigit()]
    if bad:
        raise ExportError(f"the assignment ids file {path}: Canvas assignment ids are numbers, found {', '.join(bad)}")
    missing = [a for a in assignments if a not in ids]
    if missing:
        raise ExportError(f"the assignment ids file {path} has no id for assignment(s) {', '.join(missing)}")
    return ids


def rows(scores: ClassScores, lay: Layout, ids: tuple[str, dict[str, str]] | None = None,
         assignment_ids: dict[str, str] | None = None) -> list[list[str]]:
    """The CSV's rows, header first, for `lay`."""
    titles = [f"{a} ({assignment_ids[a]})" if assignment_ids else a for a in scores.assignments]
    out = [[*lay.identifiers, *titles]]
    if lay.points_possible:
        out.append(["Points Possible", *[""] * (len(lay.identifiers) - 1),
                    *(number(scores.max_scores[a]) for a in scores.assignments)])
    for s in scores.students:
        cells = dict.fromkeys(lay.identifiers, "")
        if lay is CANVAS:
            both = ", ".join(n for n in (s.last_name, s.first_name) if n)  # Canvas's sortable name: "Last, First"
            cells["Student"] = both or s.id
        else:
            cells.update({"First name": s.first_name, "Last name": s.last_name, "Email address": s.email})
        cells[lay.student_id_column] = s.id
        if ids:
            column, mapping = ids
            cells[column] = mapping[s.id]
        values = [scores.scores.get((s.id, a)) for a in scores.assignments]
        out.append([*(cells[c] for c in lay.identifiers),
                    *(lay.no_grade if v is None else number(v) for v in values)])
    return out


def write_csv(path: Path, table: list[list[str]]) -> Path:
    """Write `table` to `path` (UTF-8, comma separated, quoted where needed) through a temporary file beside it;
    ExportError when the folder cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder; give a file name with --output")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\r\n").writerows(table)
        os.replace(tmp, path)
    except OSError as error:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from None
    return path


def export(course, fmt: str, output: Path | str | None = None, ids: Path | str | None = None,
           assignment_ids: Path | str | None = None) -> tuple[Path, ClassScores]:
    """Write the class's grades for the LMS `fmt` ("canvas" or "moodle") to `output` (default
    `<course>/<fmt>-grades.csv`); returns the file written and what it holds. ExportError on bad input."""
    lay = layout(fmt)
    if assignment_ids is not None and lay is not CANVAS:
        raise ExportError("--assignment-ids is for Canvas only (Moodle maps each column to a grade item on import)")
    scores = class_scores(course)
    if not scores.assignments:
        raise ExportError("the gradebook has no assignments yet: grade the class first (course grade)")
    mapping = read_ids(Path(ids), lay, [s.id for s in scores.students]) if ids is not None else None
    titles = read_assignment_ids(Path(assignment_ids), scores.assignments) if assignment_ids is not None else None
    path = Path(output) if output is not None else course.root / lay.default_name()
    return write_csv(path, rows(scores, lay, mapping, titles)), scores


def unscored_summary(scores: ClassScores) -> list[str]:
    """A line per submission that could not be graded (with its reason), then one per assignment and other reason
    (awaiting grading by hand, nothing handed in) naming its students."""
    lines, grouped = [], {}
    for (student, assignment), why in sorted(scores.reasons.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if why.startswith("could not be graded"):
            lines.append(f"{assignment}/{student}: {why.splitlines()[0]}")
        else:
            grouped.setdefault((assignment, why), []).append(student)
    hint = {"awaiting grading by hand": " (grade it in the formgrader, then export again)"}
    lines += [f"{a}: {why}{hint.get(why, '')}: {', '.join(students)}" for (a, why), students in
              sorted(grouped.items(), key=lambda kv: (scores.assignments.index(kv[0][0]), kv[0][1]))]
    return lines


def add_arguments(parser) -> None:
    parser.add_argument("--format", required=True, metavar="LMS",
                        help=f"the LMS whose gradebook import reads the file: {', '.join(FORMATS)}")
    parser.add_argument("--output", "-o", default=None,
                        help="the CSV to write (default: <format>-grades.csv in the course folder)")
    parser.add_argument("--ids", default=None, metavar="FILE",
                        help="CSV 'student_id,<column>': each student's LMS identifier for that column (Canvas: "
                             "ID, SIS User ID or SIS Login ID; Moodle: Username, ID number or Email address)")
    parser.add_argument("--assignment-ids", default=None, metavar="FILE",
                        help="(Canvas) CSV 'assignment,id': Canvas's assignment ids, for titles 'name (id)'")


def run(args) -> int:
    from ..course import Course

    course = Course.find()
    path, scores = export(course, args.format, args.output, args.ids, args.assignment_ids)
    mark = "blank" if FORMATS[args.format].no_grade == "" else repr(FORMATS[args.format].no_grade)
    print(f"wrote {path}: {len(scores.students)} student(s) x {len(scores.assignments)} assignment(s) for "
          f"{args.format}, late penalties applied")
    for line in unscored_summary(scores):
        print(f"  no score ({mark}, never 0): {line}")
    return 0
