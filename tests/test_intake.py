"""Does one odd submission folder stay that submission's problem, reported in words, while the rest is planned?"""

from __future__ import annotations

from datetime import datetime

import pytest

from grader.course import Course
from grader.intake import plan, resolve_notebook
from grader.timestamps import install, parse_timestamp, read_timestamp

A = "01_normalization"


@pytest.mark.parametrize("text, expected", [
    ("2024-03-01 23:59:00.000000 UTC", datetime(2024, 3, 1, 23, 59)),   # what nbgrader's exchange writes
    ("2024-03-01T23:59:00+01:00", datetime(2024, 3, 1, 22, 59)),        # ISO 8601, converted to UTC
    ("2024-03-01-23-59-00-000000", datetime(2024, 3, 1, 23, 59)),       # as a file name spells it
    ("2024_03_01 23.59.07.5", datetime(2024, 3, 1, 23, 59, 7, 500000)),
])
def test_timestamps_nbgrader_cannot_parse_are_read_as_utc(text, expected):
    assert parse_timestamp(text) == expected, f"parse_timestamp({text!r}) should be {expected}"


@pytest.mark.parametrize("text", ["handed in on time, promise", "2024-13-45-99-99-99", "", "   "])
def test_text_that_is_not_a_time_reads_as_no_timestamp(text):
    assert parse_timestamp(text) is None, f"parse_timestamp({text!r}) should be None"


def test_an_unreadable_timestamp_warns_with_the_file_and_its_text(tmp_path):
    (tmp_path / "timestamp.txt").write_text("soon\n")
    said = []
    assert read_timestamp(tmp_path, warn=said.append) is None, "an unreadable timestamp should read as None"
    assert len(said) == 1 and "timestamp.txt" in said[0] and "'soon'" in said[0], f"the warning was {said}"


def test_nbgrader_reads_timestamps_leniently_once_installed(tmp_path):
    from nbgrader.coursedir import CourseDirectory

    (tmp_path / "timestamp.txt").write_text("2024-03-01-23-59-00-000000")
    install()
    found = CourseDirectory().get_existing_timestamp(str(tmp_path))
    assert found == datetime(2024, 3, 1, 23, 59), f"CourseDirectory read {found}"


def _course(tmp_path) -> Course:
    """A course at tmp_path with an nbgrader_config.py that only asks for nbgrader's defaults."""
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    return Course(tmp_path)


def _folder(tmp_path, *names):
    folder = tmp_path / "submitted" / "ada" / A
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_text("{}")
    return folder


@pytest.mark.parametrize("names, graded, warning", [
    ([f"{A}.ipynb"], None, None),
    ([f"{A} (1).ipynb"], f"{A} (1).ipynb", "renamed"),
    ([f"{A}.ipynb", "scratch.ipynb"], None, "also handed in scratch.ipynb"),
    ([f"{A}.ipynb", ".hidden.ipynb"], None, None),
])
def test_the_notebook_to_grade_is_found_under_another_name_when_it_is_the_only_one(tmp_path, names, graded, warning):
    found, said = resolve_notebook(_folder(tmp_path, *names), A)
    assert found == graded, f"with {names}, graded {found}, expected {graded}"
    assert (said is None) if warning is None else (warning in said), f"with {names}, the warning was {said!r}"


@pytest.mark.parametrize("names, words", [
    ([], "no notebook in the submission folder; expected 01_normalization.ipynb"),
    (["a.ipynb", "b.ipynb"], "found a.ipynb, b.ipynb; expected 01_normalization.ipynb"),
])
def test_no_notebook_or_several_of_other_names_is_an_error_that_names_them(tmp_path, names, words):
    with pytest.raises(ValueError, match=words.replace(".", r"\.")):
        resolve_notebook(_folder(tmp_path, *names), A)


def test_a_problem_folder_is_reported_and_the_others_are_planned(tmp_path):
    _folder(tmp_path, "a.ipynb", "b.ipynb")
    good = tmp_path / "submitted" / "ben" / A
    good.mkdir(parents=True)
    (good / f"{A}.ipynb").write_text("{}")
    (good / "timestamp.txt").write_text("whenever")
    jobs, problems = plan(_course(tmp_path), [A], None, False, set())
    assert [(j.student, j.notebook) for j in jobs] == [("ben", None)], f"planned {jobs}"
    assert any("not a date" in w for w in jobs[0].warnings), f"ben's warnings: {jobs[0].warnings}"
    assert [(p.student, p.file) for p in problems] == [("ada", "a.ipynb, b.ipynb")], f"problems: {problems}"
    again, repeated = plan(_course(tmp_path), [A], None, False, set(), {p.key: p.fingerprint for p in problems})
    assert repeated == [], "an unchanged problem folder was reported again by the next run"
    (tmp_path / "submitted" / "ada" / A / "b.ipynb").unlink()
    jobs, problems = plan(_course(tmp_path), [A], None, False, set(), {p.key: p.fingerprint for p in problems})
    assert ("ada", "a.ipynb") in [(j.student, j.notebook) for j in jobs], "the mended folder was not planned"
