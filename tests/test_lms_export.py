"""Does `course export --format canvas|moodle` write what Canvas's and Moodle's gradebook import read: every student
and assignment, late penalties applied, no score (never a 0) where there is none, the identifier columns exactly
as the importers' documentation gives them, and a clear error for every bad input?

The class is built once, with nbgrader's Gradebook API, in a real gradebook (grader/classrun/lms.py's docstring
gives the references)."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from grader.classrun.lms import ExportError, export
from grader.course import Course, interpreter_on_path
from support import ROOT, course as course_command

A1, A2 = "01_normalization", "02_vanishing_exploding"
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A1, A2]
MOODLE_HEADER = ["First name", "Last name", "ID number", "Username", "Email address", A1, A2]
STUDENTS = ["ada", "ben", "carl", "chloe", "dan"]


def _grade(gb, assignment: str, student: str, scores: tuple[float, float], penalty: float = 0.0,
           by_hand: bool = False) -> None:
    """`student`'s submission of `assignment`, its two test cells autograded `scores` (the second still awaiting
    grading by hand if `by_hand`), nbgrader's late penalty set."""
    sub = gb.add_submission(assignment, student)
    nb = sub.notebooks[0]
    for grade, score in zip(sorted(nb.grades, key=lambda g: g.name), scores):
        grade.auto_score = score
        grade.needs_manual_grade = by_hand and grade.name == "test_b"
    nb.late_submission_penalty = penalty
    gb.db.commit()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Two assignments of 10 points (6 + 4) and four students:

    - ada: 01 scored 9 on time; 02 scored 10, handed in late, penalty 3 -> 7;
    - ben: 01 scored 8, but its last grading failed (.grading status) -> no score; 02 nothing handed in;
    - chloe (a comma and an accent in her name): 01 a real 0; 02 scored 5.5 with a penalty of 10 -> 0, not -4.5;
    - carl: not in the gradebook, his 01 folder refused at intake (no notebook) -> a row without scores;
    - dan: 01 scored 10; 02 autograded 6 so far, an answer awaiting grading by hand -> no score yet."""
    from nbgrader.api import Gradebook

    root = tmp_path_factory.mktemp("lms")
    interpreter_on_path()  # nbgrader stamps a new gradebook with `alembic` from PATH
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for a in (A2, A1):  # added out of course order: the export puts them in course order
            gb.add_assignment(a)
            gb.add_notebook(a, a)
            gb.add_grade_cell("test_a", a, a, max_score=6, cell_type="code")
            gb.add_grade_cell("test_b", a, a, max_score=4, cell_type="code")
        gb.add_student("ada", first_name="Ada", last_name="Lovelace", email="ada@uni.example")
        gb.add_student("ben", first_name="Ben", last_name="Bennett")
        gb.add_student("chloe", first_name="Chloé", last_name="O'Neil, Jr.", email="chloe@uni.example")
        gb.add_student("dan")
        _grade(gb, A1, "ada", (6, 3))
        _grade(gb, A2, "ada", (6, 4), penalty=3.0)
        _grade(gb, A1, "ben", (6, 2))
        _grade(gb, A1, "chloe", (0, 0))
        _grade(gb, A2, "chloe", (4, 1.5), penalty=10.0)
        _grade(gb, A1, "dan", (6, 4))
        _grade(gb, A2, "dan", (6, 0), by_hand=True)
    (root / ".grading" / A1).mkdir(parents=True)
    (root / ".grading" / A1 / "status.json").write_text(json.dumps({
        "ada": {"ok": True, "file": f"{A1}.ipynb", "error": None},
        "ben": {"ok": False, "file": f"{A1}.ipynb", "error": "the kernel died"},
        "carl": {"ok": False, "file": "(no notebook; found nothing)", "error": "no notebook"}}))
    return Course(root)


def _read(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_canvas_csv_is_the_gradebook_importers_layout_with_penalties_applied_and_blanks(course, tmp_path):
    path, _ = export(course, "canvas", tmp_path / "canvas.csv")
    table = _read(path)
    assert table[0] == CANVAS_HEADER, f"Canvas's importer needs this header row; found {table[0]}"
    assert table[1] == ["Points Possible", "", "", "", "", "10", "10"], table[1]
    rows = {r[3]: r for r in table[2:]}  # by SIS Login ID
    assert sorted(rows) == ["ada", "ben", "carl", "chloe", "dan"], f"every student once, found {sorted(rows)}"
    assert rows["ada"] == ["Lovelace, Ada", "", "", "ada", "", "9", "7"], "ada: 9 on time, 10 less a penalty of 3"
    assert rows["ben"] == ["Bennett, Ben", "", "", "ben", "", "", ""], (
        f"ben's 01 could not be graded and he handed in no 02: both blank (no grade), never 0; found {rows['ben']}")
    assert rows["carl"] == ["carl", "", "", "carl", "", "", ""], f"carl was refused at intake: {rows['carl']}"
    assert rows["chloe"] == ["O'Neil, Jr., Chloé", "", "", "chloe", "", "0", "0"], (
        f"chloe scored a real 0, and a penalty larger than her score leaves 0: {rows['chloe']}")
    assert rows["dan"] == ["dan", "", "", "dan", "", "10", ""], (
        f"dan's 02 awaits grading by hand: no score yet, not the 6 autograded so far: {rows['dan']}")
    assert all(len(r) == len(CANVAS_HEADER) for r in table), "a row has more or fewer cells than the header"


def test_moodle_csv_has_a_user_column_to_map_from_one_column_per_grade_item_and_plain_numbers(course, tmp_path):
    path, _ = export(course, "moodle", tmp_path / "moodle.csv")
    table = _read(path)
    assert table[0] == MOODLE_HEADER, f"found {table[0]}"
    rows = {r[3]: r for r in table[1:]}  # by Username
    assert sorted(rows) == ["ada", "ben", "carl", "chloe", "dan"], sorted(rows)
    assert rows["ada"] == ["Ada", "Lovelace", "", "ada", "ada@uni.example", "9", "7"], rows["ada"]
    assert rows["ben"] == ["Ben", "Bennett", "", "ben", "", "-", "-"], (
        f"no grade is '-' for Moodle (its export's mark, read as no grade on import), never 0: {rows['ben']}")
    assert rows["carl"] == ["", "", "", "carl", "", "-", "-"], rows["carl"]
    assert rows["chloe"] == ["Chloé", "O'Neil, Jr.", "", "chloe", "chloe@uni.example", "0", "0"], rows["chloe"]
    assert rows["dan"] == ["", "", "", "dan", "", "10", "-"], rows["dan"]


def test_an_ids_file_fills_the_column_it_names(course, tmp_path):
    ids = tmp_path / "ids.csv"
    ids.write_text("student_id,SIS User ID\nada,1001\nben,1002\ncarl,1003\nchloe,1004\ndan,1005\n")
    table = _read(export(course, "canvas", tmp_path / "c.csv", ids=ids)[0])
    assert table[0] == CANVAS_HEADER
    assert [(r[2], r[3]) for r in table[2:]] == [("1001", "ada"), ("1002", "ben"), ("1003", "carl"),
                                                ("1004", "chloe"), ("1005", "dan")], table
    ids.write_text("student_id,Email address\n" + "".join(f"{s},{s}@x.example\n" for s in STUDENTS))
    table = _read(export(course, "moodle", tmp_path / "m.csv", ids=ids)[0])
    assert [r[4] for r in table[1:]] == [f"{s}@x.example" for s in STUDENTS], table
    ids.write_text("student_id,ID number\n" + "".join(f"{s},N-{s}\n" for s in STUDENTS))
    table = _read(export(course, "moodle", tmp_path / "m.csv", ids=ids)[0])
    assert table[0] == MOODLE_HEADER and [(r[2], r[3]) for r in table[1:]] == [(f"N-{s}", s) for s in STUDENTS], table


def test_canvas_assignment_ids_title_the_columns_name_and_id(course, tmp_path):
    titles = tmp_path / "assignments.csv"
    titles.write_text(f"assignment,id\n{A1},5501\n{A2},5502\n")
    table = _read(export(course, "canvas", tmp_path / "c.csv", assignment_ids=titles)[0])
    assert table[0] == [*CANVAS_HEADER[:5], f"{A1} (5501)", f"{A2} (5502)"], table[0]


def test_the_command_writes_the_default_file_in_the_course_folder(course):
    run = course_command("export", "--format", "canvas", cwd=course.root)
    written = course.root / "canvas-grades.csv"
    assert _read(written)[0] == CANVAS_HEADER, run.stdout
    assert "5 student(s) x 2 assignment(s)" in run.stdout and "late penalties applied" in run.stdout, run.stdout
    for line in (f"{A1}/ben: could not be graded: the kernel died", f"{A1}/carl: could not be graded: no notebook",
                 f"{A2}: awaiting grading by hand (grade it in the formgrader, then export again): dan",
                 f"{A2}: nothing handed in: ben, carl"):
        assert line in run.stdout, f"the command should list {line!r}:\n{run.stdout}"


def test_an_unknown_format_is_refused_naming_the_known_ones(course, tmp_path):
    with pytest.raises(ExportError, match=r"unknown format 'blackboard'; known formats: canvas, moodle"):
        export(course, "blackboard", tmp_path / "x.csv")
    run = course_command("export", "--format", "blackboard", cwd=course.root, check=False)
    assert run.returncode == 1 and "known formats: canvas, moodle" in run.stderr, run.stderr


def test_an_unwritable_output_is_refused_with_the_reason(course, tmp_path):
    with pytest.raises(ExportError, match=r"cannot write .*no/such/folder/x\.csv: No such file or directory"):
        export(course, "canvas", tmp_path / "no" / "such" / "folder" / "x.csv")
    with pytest.raises(ExportError, match=r"cannot write .*: it is a folder"):
        export(course, "moodle", tmp_path)


def test_an_ids_file_missing_a_student_names_the_student(course, tmp_path):
    ids = tmp_path / "ids.csv"
    ids.write_text("student_id,SIS Login ID\nada,ada@uni\ncarl,carl@uni\nchloe,chloe@uni\n")
    with pytest.raises(ExportError, match=r"has no 'SIS Login ID' for student\(s\) ben, dan: add a row"):
        export(course, "canvas", tmp_path / "x.csv", ids=ids)
    assert not (tmp_path / "x.csv").exists(), "a refused export must write nothing"


def test_an_ids_file_with_a_column_the_lms_does_not_have_is_refused(course, tmp_path):
    ids = tmp_path / "ids.csv"
    ids.write_text("student_id,Username\nada,a\n")
    with pytest.raises(ExportError, match=r"must start with the row student_id,<ID \| SIS User ID \| SIS Login ID>"):
        export(course, "canvas", tmp_path / "x.csv", ids=ids)
    with pytest.raises(ExportError, match=r"cannot read the ids file .*nothing\.csv"):
        export(course, "canvas", tmp_path / "x.csv", ids=tmp_path / "nothing.csv")
    ids.write_text("student_id,Username\nada,a\nben\n")
    with pytest.raises(ExportError, match=r"ids\.csv, row 3: expected two non-empty cells .*found 'ben'"):
        export(course, "moodle", tmp_path / "x.csv", ids=ids)


def test_assignment_ids_must_be_canvas_numbers_for_every_assignment(course, tmp_path):
    titles = tmp_path / "assignments.csv"
    titles.write_text(f"assignment,id\n{A1},5501\n")
    with pytest.raises(ExportError, match=rf"has no id for assignment\(s\) {A2}"):
        export(course, "canvas", tmp_path / "x.csv", assignment_ids=titles)
    titles.write_text(f"assignment,id\n{A1},5501\n{A2},two\n")
    with pytest.raises(ExportError, match=rf"Canvas assignment ids are numbers, found {A2}=two"):
        export(course, "canvas", tmp_path / "x.csv", assignment_ids=titles)
    with pytest.raises(ExportError, match="for Canvas only"):
        export(course, "moodle", tmp_path / "x.csv", assignment_ids=titles)


def test_an_empty_gradebook_is_refused(tmp_path):
    from nbgrader.api import Gradebook

    interpreter_on_path()
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}"):
        pass
    with pytest.raises(ExportError, match=r"no assignments yet: grade the class first"):
        export(Course(tmp_path), "canvas", tmp_path / "x.csv")


@pytest.mark.slow
def test_a_class_graded_by_nbgrader_is_exported_once_its_written_answers_are_graded_by_hand(tmp_path):
    """Real autograding: a written answer leaves ada's submission awaiting grading by hand, so no score goes out for
    her; ben's untouched notebook is a real 0 (nbgrader scores an unchanged answer 0 with nothing to grade by hand).
    Once ada's answer is graded by hand (as the formgrader does) her score goes out, less a late penalty."""
    from support import graded_class

    _, graded = graded_class(tmp_path, A1, {"ada": "solution", "ben": "release"})
    course = Course(graded)
    header = [*CANVAS_HEADER[:5], A1]
    table = _read(export(course, "canvas", tmp_path / "before.csv")[0])
    assert table[0] == header and [r[3:] for r in table[2:]] == [["ada", "", ""], ["ben", "", "0"]], (
        f"before ada's written answer is graded by hand, no score may go out for her: {table}")
    with course.gradebook() as gb:
        for student, penalty in (("ada", 1.5), ("ben", 0.0)):
            nb = gb.find_submission(A1, student).notebooks[0]
            for grade in nb.grades:
                if grade.needs_manual_grade:
                    grade.manual_score, grade.needs_manual_grade = (grade.max_score if student == "ada" else 0), False
            nb.late_submission_penalty = penalty
        gb.db.commit()
        expected = {s: max(0.0, gb.find_submission(A1, s).score - p) for s, p in (("ada", 1.5), ("ben", 0.0))}
        max_score = gb.find_assignment(A1).max_score
    assert expected["ada"] > 0, expected
    table = _read(export(course, "canvas", tmp_path / "after.csv")[0])
    from grader.classrun.lms import number

    assert table[1][5] == number(max_score), table[1]
    assert [r[3:] for r in table[2:]] == [["ada", "", number(expected["ada"])], ["ben", "", number(expected["ben"])]], (
        f"expected nbgrader's scores less the late penalty {expected}; found {table}")
