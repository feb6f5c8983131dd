"""Shared fixtures: the course root, and throw-away copies of the course in which nbgrader runs for real."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from grader.course import assignments, nbgrader

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ASSIGNMENTS = assignments(ROOT)


def make_course(tmp: Path, assignment_ids: list[str]) -> Path:
    """A fresh course folder under `tmp` with the config, the sources, and release/ generated there."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", tmp / "nbgrader_config.py")
    for a in assignment_ids:
        shutil.copytree(ROOT / "source" / a, tmp / "source" / a)
        nbgrader("generate_assignment", a, "--force", "--log-level=WARN", root=tmp)
    return tmp


def submit(course: Path, student: str, assignment: str, nb: nbformat.NotebookNode) -> Path:
    """Place `nb` as `student`'s submission of `assignment`."""
    path = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def graded_class(base: Path, assignment: str, plan: dict[str, str]) -> tuple[Path, Path]:
    """A course at base/template with one submission per student of `plan` (student -> kind of
    `grader.bench.class_notebook`), and a copy at base/sequential graded by plain sequential `nbgrader autograde`
    (which exits 1 when a kernel dies: that is part of the class)."""
    from grader.bench import class_notebook

    template = make_course(base / "template", [assignment])
    for student, kind in plan.items():
        submit(template, student, assignment, class_notebook(ROOT, assignment, kind))
    sequential = shutil.copytree(template, base / "sequential")
    nbgrader("autograde", assignment, "--log-level=ERROR", root=sequential, check=False)
    return template, sequential


def cell_scores(course: Path, assignment: str) -> dict[str, dict[str, float]]:
    """student -> {test cell grade_id -> autograded score} from the course's gradebook."""
    from nbgrader.api import Gradebook

    out: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(assignment):
            nb = sub.notebooks[0]
            out[sub.student_id] = {g.name: g.score for g in nb.grades if g.cell_type == "code"}
    return out


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium (tests/chromium.py), for the browser tests of tests/browser/ and tests/hub/."""
    from chromium import find_chromium

    return find_chromium()


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright (sync API) for the session: every browser test launches its Chromium from it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def postgres():
    """One private PostgreSQL server for the session (tests/servers.py); `postgres.url(name)` makes a database.

    Its tests (test_postgres.py, tests/hub/test_postgres_gradebook.py) share the xdist group "servers" with the hub
    tests, so one process starts it once."""
    from servers import PostgresServer, postgres_bin

    if postgres_bin() is None:
        pytest.fail("PostgreSQL's server is not installed: `make system-packages` installs Debian's postgresql")
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()
