"""Does one odd submission folder stay that submission's problem, reported in words, while the rest is planned?"""

from __future__ import annotations

import codecs
import json
import os
import re
from datetime import datetime

import pytest

from grader.course import Course
from grader.classrun.handin import notebook_bytes
from grader.classrun.intake import Job, plan, resolve_notebook, submission_files
from grader.plugins.patches import lenient_timestamps
from grader.plugins.timestamps import parse_timestamp, read_timestamp

A = "01_normalization"
NB = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


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
    lenient_timestamps()
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
        (folder / name).write_text(NB)
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
    (good / f"{A}.ipynb").write_text(NB)
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


def test_a_notebook_that_is_a_symbolic_link_is_reported_never_read_through(tmp_path):
    elsewhere = tmp_path / "source" / A
    elsewhere.mkdir(parents=True)
    (elsewhere / f"{A}.ipynb").write_text(NB)
    folder = _folder(tmp_path)
    (folder / f"{A}.ipynb").symlink_to(elsewhere / f"{A}.ipynb")
    with pytest.raises(ValueError, match="is a symbolic link, not a file"):
        resolve_notebook(folder, A)
    (folder / f"{A}.ipynb").unlink()
    (folder / "mine.ipynb").write_text(NB)
    (folder / "theirs.ipynb").symlink_to(elsewhere / f"{A}.ipynb")
    found, said = resolve_notebook(folder, A)
    assert found == "mine.ipynb" and "theirs.ipynb is a symbolic link, not a file" in said, (found, said)


def test_links_and_environments_are_left_out_of_what_the_worker_gets_with_a_warning(tmp_path):
    folder = _folder(tmp_path, f"{A}.ipynb")
    (folder / "data.csv").write_text("1,2\n")
    (folder / "gone.csv").symlink_to(tmp_path / "nowhere.csv")             # dangling
    (folder / "answers.py").symlink_to(tmp_path / "nbgrader_config.py")     # a file outside the folder
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    venv = folder / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "bin" / "python").symlink_to("/usr/bin/python3")
    (folder / "linked_dir").symlink_to(tmp_path, target_is_directory=True)
    job = Job(A, "ada")
    files = submission_files(folder, job, [".ipynb_checkpoints"], 100_000)
    assert sorted(files) == [f"{A}.ipynb", "data.csv"], f"the worker would get {sorted(files)}"
    said = " ".join(job.warnings)
    for name in ("gone.csv", "answers.py", "linked_dir", ".venv"):
        assert name in said, f"no warning names {name}: {job.warnings}"
    assert "symbolic link" in said and "environment" in said, job.warnings


def test_a_student_folder_not_in_utf8_is_reported_under_a_name_that_round_trips(tmp_path):
    bad = tmp_path / "submitted" / os.fsdecode(b"j\xfcrgen") / A
    bad.mkdir(parents=True)
    (bad / f"{A}.ipynb").write_text(NB)
    _folder(tmp_path, f"{A}.ipynb")
    jobs, problems = plan(_course(tmp_path), [A], None, False, set())
    assert [j.student for j in jobs] == ["ada"], f"planned {jobs}"
    assert [p.student for p in problems] == ["j\\xfcrgen"], f"problems: {problems}"
    assert "not valid UTF-8" in problems[0].reason and "jürgen" in problems[0].reason, problems[0].reason
    problems[0].student.encode("utf-8")  # it goes into CSV, JSON and HTML


@pytest.mark.parametrize("data, words", [
    (b"", "empty file"),
    (b"\n  \r\n", "empty file"),
    (b'{\n "cells": [],\n "nbformat": 4 4,\n "metadata": {}\n}', "not JSON at line 3"),
    (b'{\n "cells": [\n  {"cell_type": "code",\n', "the file ends early: truncated"),
    (b'{\n "cells": [\n  {"cell_type": "code",\n   "source": "import num', "the file ends early: truncated"),
    (b"<!DOCTYPE html>\n<html><head><title>01_normalization - Jupyter</title>", "an HTML page"),
    (b'{"hello": "world"}', "not a notebook"),
    (b"\x89PNG\r\n\x1a\n\x00", "not a notebook: not UTF-8"),
])
def test_a_file_that_is_not_a_notebook_is_reported_with_the_reason(data, words):
    with pytest.raises(ValueError, match=words):
        notebook_bytes(data)


def test_a_notebook_with_a_byte_order_mark_and_crlf_reads_as_a_notebook():
    data = codecs.BOM_UTF8 + NB.replace(", ", ",\r\n").encode()
    assert json.loads(notebook_bytes(data))["nbformat"] == 4
    assert json.loads(notebook_bytes(NB.encode("utf-16")))["nbformat"] == 4


def test_a_notebook_one_folder_down_is_graded_with_a_warning(tmp_path):
    folder = _folder(tmp_path, "readme.txt")
    (folder / "work").mkdir()
    (folder / "work" / f"{A}.ipynb").write_text(NB)
    found, said = resolve_notebook(folder, A)
    assert found == f"work/{A}.ipynb" and "one folder down" in said, (found, said)
    files = submission_files(folder, Job(A, "ada", found), [], 100_000)
    assert sorted(files) == [f"{A}.ipynb", "readme.txt"], sorted(files)


@pytest.mark.parametrize("names, words", [
    ([f"{A}.ipynb.txt"], f"found {A}.ipynb.txt (a notebook saved as text: rename it to {A}.ipynb)"),
    (["work.zip", "notes.md"], "found notes.md, work.zip (an archive: unpack it)"),
    ([], "found nothing"),
])
def test_no_notebook_names_the_files_found(tmp_path, names, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        resolve_notebook(_folder(tmp_path, *names), A)


def test_a_folder_without_a_notebook_is_a_problem_that_names_what_was_found(tmp_path):
    _folder(tmp_path, "notes.txt")
    jobs, problems = plan(_course(tmp_path), [A], None, False, set())
    assert jobs == [] and [p.file for p in problems] == ["(no notebook; found notes.txt)"], problems
    assert "found notes.txt" in problems[0].reason, problems[0].reason


def test_a_notebook_named_in_latin1_is_graded_under_the_expected_name_with_a_warning_that_round_trips(tmp_path):
    folder = _folder(tmp_path)
    name = os.fsdecode("übung.ipynb".encode("latin-1"))
    (folder / name).write_text(NB)
    (folder / os.fsdecode(b"notes-\xe9t\xe9.txt")).write_text("notes")
    found, said = resolve_notebook(folder, A)
    assert found == name and "\\xfcbung.ipynb" in said, (found, said)
    said.encode("utf-8")
    job = Job(A, "ada", found)
    files = submission_files(folder, job, [], 100_000)
    assert sorted(files) == [f"{A}.ipynb"], sorted(files)
    assert any("not valid UTF-8" in w and "notes-\\xe9t\\xe9.txt" in w for w in job.warnings), job.warnings
    for w in job.warnings:
        w.encode("utf-8")


def test_plain_nbgrader_reads_a_notebook_saved_with_a_byte_order_mark(tmp_path):
    """The formgrader's autograde reads submissions with nbformat, which refused a UTF-8 byte-order mark (a fresh
    process: unpatched first, then with the course's patch)."""
    import subprocess
    import sys

    import nbformat

    path = tmp_path / "saved_on_windows.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + nbformat.writes(nbformat.v4.new_notebook()).replace("\n", "\r\n").encode())
    code = ("import sys, nbformat\n"
            "try:\n    nbformat.read(sys.argv[1], as_version=4)\nexcept Exception as e:\n    print('refused', type(e).__name__)\n"
            "from grader.plugins.patches import notebooks_with_a_byte_order_mark\n"
            "notebooks_with_a_byte_order_mark()\nprint('read', nbformat.read(sys.argv[1], as_version=4).nbformat)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["refused", "NotJSONError", "read", "4"], out
