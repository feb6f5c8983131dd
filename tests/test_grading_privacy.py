"""Can a submission read what grading can read?

The course lives in the grading account's home folder (never only under /tmp, which the sandbox once hid whole while
a Dask worker's scratch copy showed the real course), next to a classmate's submission the grading account may read.
A hostile notebook (tests/fixtures/hostile/attack_reads_the_course_from_anywhere.py) walks the whole file system
for source notebooks, gradebooks, configurations and submissions, prints what it finds and reads, and echoes every
cell's source from an IPython hook into a later solution cell. It is graded next to an honest student by `course
grade` on Dask and by plain `nbgrader autograde` (what the formgrader's button runs): each time it must find
nothing of the course or the classmate, lose exactly its own points, and its feedback must show no hidden test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
import pytest

import helpers
from grader.course import nbgrader
from grader.plugins.hidden_tests import hidden_lines
from grader.tools.scenarios import Scenario, example_notebook, graded_cells
from support import FIXTURES, cell_scores, make_course, submit

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("privacy")]

A = "01_normalization"
ATTACK = FIXTURES / "hostile" / "attack_reads_the_course_from_anywhere.py"
WAYS = {"course grade": [sys.executable, "-m", "grader.cli", "grade", "--jobs", "2", "--no-report"],
        "nbgrader autograde": None}


@pytest.fixture(scope="module")
def classmate():
    """A classmate's submission outside the course, readable by the grading account (and its groups), as the
    exchange keeps it: the kernel must not see it."""
    folder = Path(tempfile.mkdtemp(prefix="course-privacy-", dir="/srv" if Path("/srv").is_dir() else None))
    path = folder / "inbound" / f"tana+{A}+2026-01-01 00:00:00.000000 UTC" / f"{A}.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text('{"secret": "tana-was-here"}')
    path.chmod(0o640)
    yield path
    shutil.rmtree(folder)


@pytest.fixture(scope="module", params=list(WAYS))
def graded(request, classmate):
    home = Path.home() / ".cache" / "course-tests"
    home.mkdir(parents=True, exist_ok=True)
    course = make_course(Path(tempfile.mkdtemp(prefix="privacy-", dir=home)), [A])
    try:
        submit(course, "attacker", A, Scenario.parse(ATTACK, A).notebook(course))
        submit(course, "honest", A, example_notebook(course, A, "solution"))
        if WAYS[request.param]:
            done = subprocess.run(WAYS[request.param], cwd=course, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        else:
            nbgrader("autograde", A, "--log-level=WARN", root=course)
            nbgrader("generate_feedback", A, "--log-level=WARN", root=course)
        yield request.param, course
    finally:
        shutil.rmtree(course, ignore_errors=True)


def _found(course: Path) -> list[str]:
    nb = nbformat.read(course / "autograded" / "attacker" / A / f"{A}.ipynb", as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            match = re.search(r"FOUND: (\[.*?\])\n", output.get("text", ""))
            if match:
                return json.loads(match.group(1))
    raise AssertionError("the attack's search printed nothing: the test would prove nothing")


def test_the_kernel_finds_nothing_of_the_course_or_a_classmate(graded, classmate):
    way, course = graded
    found = _found(course)
    interpreter = tuple(f"{Path(p).resolve()}/" for p in {sys.prefix, sys.base_prefix})  # its own data files
    public = f"{Path(helpers.__file__).resolve().parent}/"  # the students' library and its data (helpers/data/)
    leaked = [p for p in found if not p.startswith((*interpreter, public))]
    assert not [p for p in found if p.startswith((str(course), str(classmate.parents[2])))], "see below"
    assert not leaked, f"under {way}, the grading kernel could see: {leaked}"


def test_the_attacker_loses_exactly_its_points_and_the_honest_student_none(graded):
    way, course = graded
    points = graded_cells(course / "release" / A / f"{A}.ipynb")
    scores = cell_scores(course, A)
    assert scores["honest"] == points, f"under {way}: {scores['honest']}"
    lost = {gid for gid, score in scores["attacker"].items() if score != points[gid]}
    assert lost == set(Scenario.parse(ATTACK, A).loses), f"under {way}, the attacker lost {lost}"


def test_the_feedback_shows_no_hidden_test_and_nothing_the_kernel_printed_in_a_test_cell(graded, classmate):
    way, course = graded
    source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
    hidden = hidden_lines(source)
    assert len(hidden) > 10, "hardly any hidden test line found: the test would prove nothing"
    html = (course / "feedback" / "attacker" / A / f"{A}.html").read_text()
    text = BeautifulSoup(html, features="html.parser").get_text()  # as a reader sees it, entities and all
    shown = [line for line in hidden if line in html or line in text]
    assert not shown, f"under {way}, the feedback shows hidden test lines: {shown[:3]}"
    assert "tana-was-here" not in html, f"under {way}, the feedback shows the classmate's submission"
    assert "withheld from the feedback" in html, "the hook's echo of the hidden tests was not withheld"



def test_the_dask_workers_scratch_is_private_to_the_run(tmp_path, monkeypatch):
    """Dask's default, /tmp/dask-scratch-space, is one fixed path for every user: a student could create it first."""
    import stat

    from grader.classrun.cluster import private_scratch

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first, second = private_scratch(), private_scratch()
    assert first != second and first.parent == tmp_path / "cache" / "optimization-setup"
    assert stat.S_IMODE(first.stat().st_mode) == 0o700 and stat.S_IMODE(first.parent.stat().st_mode) == 0o700
