"""The gradebook in PostgreSQL on the hub (NBGRADER_DB_URL): `course roster`, run again with the variable, records the
class there, and the instructor's `course grade`, with the variable in the environment the hub gives their server,
grades the collected submissions into it, with the grades the SQLite gradebook of the same class has."""

from __future__ import annotations

import pytest

from hub.support import A

pytestmark = [pytest.mark.hub, pytest.mark.postgres, pytest.mark.slow, pytest.mark.xdist_group("servers")]


def test_the_instructor_grades_into_postgresql_with_the_grades_of_sqlite(klass, cycle, postgres, monkeypatch):
    from nbgrader.api import Gradebook

    url = postgres.url("hub_course")
    monkeypatch.setenv("NBGRADER_DB_URL", url)  # as `sudo NBGRADER_DB_URL=... make roster` / `make hub` would
    assert klass.site.role_env("instructor", klass.instructor)["NBGRADER_DB_URL"] == url
    assert "NBGRADER_DB_URL" not in klass.site.role_env("student", cycle.a), "a student would get the database URL"
    roster = klass.roster_command()
    assert roster.returncode == 0, roster.stdout[-2000:] + roster.stderr[-2000:]
    assert f"{len(klass.students)} student(s) added" in roster.stdout, roster.stdout
    args = [str(klass.site.bin / "course"), "grade", "--assignments", A, "--force", "--no-report", "--jobs", "2"]
    graded = klass.site.run_as(klass.instructor, "instructor", args, cwd=klass.course_folder).stdout
    assert "graded 2 submission(s)" in graded, graded
    with Gradebook(url) as pg, Gradebook(f"sqlite:///{klass.course_folder / 'gradebook.db'}") as sqlite:
        for student in (cycle.a, cycle.b):
            in_pg, in_sqlite = pg.find_submission(A, student), sqlite.find_submission(A, student)
            assert (in_pg.score, in_pg.max_score) == (in_sqlite.score, in_sqlite.max_score), \
                f"{student}: {in_pg.score} / {in_pg.max_score} in PostgreSQL, {in_sqlite.score} / " \
                f"{in_sqlite.max_score} in SQLite"
        assert {s.id for s in pg.students} == set(klass.students), "PostgreSQL's gradebook has other students"
