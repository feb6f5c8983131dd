"""The course's `Gradebook.__init__` (grader.plugins.patches, `gradebook_engines_kept`): one SQLAlchemy engine per
database URL for the process, so statements are compiled once, with nbgrader's behaviour otherwise: new gradebooks
get their tables and alembic stamp, closing leaves no connection open, and a database file replaced on disk is read
anew; a scratch course's gradebook is written without waiting for the disk."""

from __future__ import annotations

import os
import sqlite3

import pytest

from grader.plugins.patches import _ENGINES, alembic_head, gradebook_engine, install
from support import ROOT

install()
from nbgrader.api import Gradebook  # noqa: E402 - after the patch is installed


def url(path) -> str:
    return f"sqlite:///{path}"


def test_two_gradebooks_of_one_url_share_its_engine_and_its_compiled_statements(tmp_path):
    with Gradebook(url(tmp_path / "g.db"), "course") as gb:
        gb.add_student("ada")
        gb.find_student("ada")
        engine = gb.engine
        compiled = len(engine._compiled_cache)
    assert compiled > 0, "SQLAlchemy compiled nothing into the engine's cache"
    with Gradebook(url(tmp_path / "g.db"), "course") as gb:
        assert gb.engine is engine, "a second gradebook of the same URL made a new engine"
        gb.find_student("ada")
        assert len(engine._compiled_cache) == compiled, "the same query was compiled again"
    assert _ENGINES[(os.getpid(), url(tmp_path / "g.db"), False)] is engine


def test_a_new_gradebook_gets_its_tables_and_alembic_stamp(tmp_path):
    with Gradebook(url(tmp_path / "new.db"), "course") as gb:
        gb.add_student("ada")
    db = sqlite3.connect(tmp_path / "new.db")
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"student", "assignment", "grade", "alembic_version"} <= tables
    assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(alembic_head(),)]


def test_a_missing_table_is_created_again(tmp_path):
    with Gradebook(url(tmp_path / "g.db"), "course"):
        pass
    db = sqlite3.connect(tmp_path / "g.db")
    db.execute("DROP TABLE comment")
    db.commit()
    with Gradebook(url(tmp_path / "g.db"), "course"):
        pass
    assert ("comment",) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert len(db.execute("SELECT * FROM alembic_version").fetchall()) == 1, "stamped twice"


def test_closing_leaves_no_connection_and_a_replaced_file_is_read_anew(tmp_path):
    path = tmp_path / "g.db"
    with Gradebook(url(path), "course") as gb:
        gb.add_student("ada")
    assert gradebook_engine(url(path)).pool.checkedin() == 0, "a connection outlived the gradebook"
    path.unlink()
    with Gradebook(url(path), "course") as gb:  # a new file at the same path: the old one's rows are gone
        assert [s.id for s in gb.students] == []
        gb.add_student("grace")
    with Gradebook(url(path), "course") as gb:
        assert [s.id for s in gb.students] == ["grace"]


@pytest.mark.parametrize("memory", ["sqlite://", "sqlite:///:memory:"])
def test_each_in_memory_gradebook_is_a_database_of_its_own(memory):
    with Gradebook(memory, "course") as gb:
        gb.add_student("ada")
    with Gradebook(memory, "course") as gb:
        assert [s.id for s in gb.students] == []


def test_a_scratch_courses_gradebook_does_not_wait_for_the_disk(tmp_path):
    """Course.scratch_config marks its gradebook (grader.course.SCRATCH_GRADEBOOKS); a course's own gradebook keeps
    SQLite's defaults."""
    from grader.course import Course

    own = url(tmp_path / "own.db")
    scratch = Course(ROOT).scratch_config(tmp_path / "scratch").CourseDirectory.db_url
    (tmp_path / "scratch").mkdir()
    found = {}
    for name, db_url in (("own", own), ("scratch", scratch)):
        with Gradebook(db_url, "course") as gb:
            connection = gb.db.connection()
            found[name] = (connection.exec_driver_sql("PRAGMA synchronous").scalar(),
                           connection.exec_driver_sql("PRAGMA journal_mode").scalar())
    assert found == {"own": (2, "delete"), "scratch": (0, "memory")}, found
