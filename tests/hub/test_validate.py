"""Validate on the hub is the course's Validate: a student's `nbgrader validate` (the button's server extension
reads the same configuration) loads the course's nbgrader_config.py, installed in the hub's prefix, and validates
as grading runs (grader/plugins/validate.py). Without it, a correct answer that lets numpy print a RuntimeWarning passed
Validate on the instructor's machine and failed it on the hub."""

from __future__ import annotations

import os
import pwd

import nbformat
import pytest

from support import ROOT

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("servers")]

ASSIGNMENT = "01_normalization"
SUCCESS = "Success! Your notebook passes all the tests."


def _hand_in(klass, student: str, kind: str):
    """The example submission `kind` in a folder of the student's home, owned by them; its path."""
    from grader.tools.scenarios import example_notebook

    folder = klass.home(student) / "validate-check"
    folder.mkdir(exist_ok=True)
    path = folder / f"{ASSIGNMENT}-{kind.rsplit('/', 1)[-1]}.ipynb"
    nbformat.write(example_notebook(ROOT, ASSIGNMENT, kind), path)
    entry = pwd.getpwnam(student)
    for p in (folder, path):
        os.chown(p, entry.pw_uid, entry.pw_gid)
    return path


def test_a_correct_answer_that_makes_numpy_warn_validates_on_the_hub(klass):
    student = klass.students[1]
    path = _hand_in(klass, student, f"tests/fixtures/{ASSIGNMENT}/correct_where_with_divide_warning.py")
    done = klass.student_nbgrader(student, "validate", str(path), check=False)
    assert SUCCESS in done.stdout, f"`nbgrader validate` as a student on the hub:\n{done.stdout[-2500:]}"


def test_validate_on_the_hub_still_fails_an_untouched_notebook(klass):
    student = klass.students[1]
    path = _hand_in(klass, student, "release")
    done = klass.student_nbgrader(student, "validate", str(path), check=False)
    assert SUCCESS not in done.stdout and "NotImplementedError" in done.stdout, \
        f"`nbgrader validate` of the untouched notebook as a student on the hub:\n{done.stdout[-2500:]}"
