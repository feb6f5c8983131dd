"""The gradebook in a real PostgreSQL server (NBGRADER_DB_URL): the same grades as SQLite, for every path, and two
grading runs on different assignments at the same time lose nothing.

One private server for the session (the `postgres` fixture of tests/conftest.py), one database per test."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys

import pytest

from support import ROOT, make_course, submit
from grader.tools.bench import results as autograde_results
from grader.tools.scenarios import example_notebook

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("servers")]

A, B = "01_normalization", "02_vanishing_exploding"
CLASS = {"ada": "solution", "ben": "mistake_variance_instead_of_std.py", "cleo": "release"}


def _kind(a: str, kind: str) -> str:
    if kind.endswith(".py"):  # ben's mistake in 01; in 02 the first mistake of the catalogue
        fixtures = sorted((ROOT / "tests" / "fixtures" / a).glob("mistake_*.py"))
        chosen = ROOT / "tests" / "fixtures" / a / kind
        return str((chosen if chosen.is_file() else fixtures[0]).relative_to(ROOT))
    return kind


def course_command(course, *args, url=None, wait=True):
    env = dict(os.environ)
    env.pop("NBGRADER_DB_URL", None)
    if url:
        env["NBGRADER_DB_URL"] = url
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", *args], cwd=course, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return proc
    out, err = proc.communicate()
    assert proc.returncode == 0, f"course {' '.join(args)} failed:\n{out[-2000:]}\n{err[-3000:]}"
    return out


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    """The ungraded class (two assignments), and a copy graded into SQLite on a two-worker embedded cluster."""
    base = tmp_path_factory.mktemp("postgres")
    template = make_course(base / "template", [A, B])
    for a in (A, B):
        for student, kind in CLASS.items():
            submit(template, student, a, example_notebook(ROOT, a, _kind(a, kind)))
    sqlite = shutil.copytree(template, base / "sqlite")
    course_command(sqlite, "grade", "--jobs", "2", "--no-report")
    return template, sqlite


def _results(course, url, monkeypatch):
    monkeypatch.setenv("NBGRADER_DB_URL", url)
    return autograde_results(course, [A, B])


def test_a_class_graded_into_postgresql_has_every_grade_sqlite_has(classes, postgres, tmp_path, monkeypatch):
    template, sqlite = classes
    url = postgres.url("one_class")
    course = shutil.copytree(template, tmp_path / "class", ignore=shutil.ignore_patterns("gradebook.db"))
    course_command(course, "grade", "--jobs", "2", "--no-report", url=url)
    assert not (course / "gradebook.db").exists(), "grading with NBGRADER_DB_URL wrote an SQLite gradebook"
    expected = autograde_results(sqlite, [A, B])
    assert len(expected) == 2 * len(CLASS)
    found = _results(course, url, monkeypatch)
    differ = sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))
    assert not differ, f"PostgreSQL and SQLite disagree on {differ}: {found.get(differ[0])} != {expected.get(differ[0])}"
    # nbgrader's own commands read the same database
    env_url = dict(os.environ, NBGRADER_DB_URL=url)
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to=exported.csv", "--log-level=WARN"],
                          cwd=course, env=env_url, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(course / "exported.csv") as f:
        rows = {(r["assignment"], r["student_id"]): float(r["score"]) for r in csv.DictReader(f)}
    assert set(rows) == set(expected), f"nbgrader export with NBGRADER_DB_URL lists {sorted(rows)}"
    assert rows[(A, "ada")] > rows[(A, "ben")] > rows[(A, "cleo")] == 0.0


def test_two_runs_on_different_assignments_at_the_same_time_lose_nothing(classes, postgres, tmp_path, monkeypatch):
    template, sqlite = classes
    url = postgres.url("two_graders")
    course = shutil.copytree(template, tmp_path / "class", ignore=shutil.ignore_patterns("gradebook.db"))
    course_command(course, "release", url=url)  # the instructor sets the database up once
    runs = [course_command(course, "grade", "--jobs", "1", "--no-report", "--assignments", a, url=url, wait=False)
            for a in (A, B)]
    for a, proc in zip((A, B), runs):
        out, err = proc.communicate()
        assert proc.returncode == 0, f"the run grading {a} failed:\n{out[-2000:]}\n{err[-3000:]}"
    expected = autograde_results(sqlite, [A, B])
    found = _results(course, url, monkeypatch)
    differ = sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))
    assert not differ, f"after two runs at once, {differ} differ from the SQLite grades"
    for a in (A, B):
        assert {p.parent.name for p in (course / "feedback").glob(f"*/{a}")} == set(CLASS), f"feedback of {a}"
    # the same student added by both runs at once is one student
    monkeypatch.setenv("NBGRADER_DB_URL", url)
    from grader.course import Course

    with Course(course).gradebook() as gb:
        assert sorted(s.id for s in gb.students) == sorted(CLASS)
