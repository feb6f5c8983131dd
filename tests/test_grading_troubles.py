"""Does a class with the submissions real students hand in get graded, every student scored as they deserve?

Every scenario of tests/fixtures/troubles/ (odd timestamps, renamed notebooks, changed cell types, deleted,
duplicated, split and moved cells, missing or repeated ids, a slow cell after a failing one, ...) is handed in
next to honest students, in a course set up only with `generate_release` (what `make release` runs). Plain
`nbgrader autograde` runs first from the course root, then the class command (`course grade`).
Each scenario must score exactly what its `# loses:` line says, or be reported as not gradable, never as a zero
(no score in grades.csv, the reason in grading-errors.csv).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.classrun import state
from grader.course import Course, nbgrader
from grader.release import generate_release
from grader.tools.scenarios import Scenario, example_notebook, graded_cells
from support import FIXTURES, ROOT, cell_scores, submit

A = "01_normalization"
TROUBLES = sorted((FIXTURES / "troubles").glob("*.py"))
SCENARIOS = {p.stem: Scenario.parse(p, A) for p in TROUBLES}
ASSIGNMENTS = sorted({s.assignment for s in SCENARIOS.values()})
#: A sleeping cell must be interrupted long before the course's 30 s; 5 s is ample for any cell of 01.
CELL_TIMEOUT = 5
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("troubles")]


def grade(course, *args):
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "grade", *args], cwd=course, capture_output=True,
                          text=True)
    assert proc.returncode == 0, f"the class command failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("troubles")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    with open(course / "nbgrader_config.py", "a") as f:
        f.write(f"\nc.SafeExecute.timeout = {CELL_TIMEOUT}\n")
    for a in ASSIGNMENTS:
        shutil.copytree(ROOT / "source" / a, course / "source" / a)
    generate_release(Course(course))  # `make release`: release/ and the course's gradebook, nothing else
    for s in SCENARIOS.values():
        s.write(course, s.name)
    for a in ASSIGNMENTS:
        submit(course, "honest", a, example_notebook(course, a, "solution"))
    plain = {a: nbgrader("autograde", a, "--student=honest", "--log-level=WARN", root=course, check=False)
             for a in ASSIGNMENTS}
    odd = nbgrader("autograde", A, "--student=timestamp_in_odd_format", "--log-level=WARN", root=course, check=False)
    first = grade(course, "--jobs", "2")
    second = grade(course, "--jobs", "2")
    return course, plain, odd, first, second


def _status(course) -> dict:
    return state.status(Course(course))


def test_plain_nbgrader_from_the_root_grades_every_assignment_after_make_release(graded):
    course, plain, _, _, _ = graded
    for a, proc in plain.items():
        assert proc.returncode == 0, f"nbgrader autograde {a} --student=honest failed:\n{proc.stderr[-2000:]}"
        assert cell_scores(course, a)["honest"] == graded_cells(course / "release" / a / f"{a}.ipynb"), \
            f"{a}: the instructor's solution lost points"


def test_plain_nbgrader_reads_an_odd_timestamp_instead_of_stopping(graded):
    _, _, odd, _, _ = graded
    assert odd.returncode == 0, f"nbgrader autograde stopped on an odd timestamp.txt:\n{odd.stderr[-2000:]}"


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if "outcome" not in s.folder])
def test_each_trouble_scores_exactly_what_it_names(graded, name):
    course, *_ = graded
    s = SCENARIOS[name]
    points = graded_cells(course / "release" / s.assignment / f"{s.assignment}.ipynb")
    expected = {gid: (0.0 if gid in s.loses else p) for gid, p in points.items()}
    st = _status(course).get(f"{s.assignment}/{s.student_id(name)}", {"ok": True})  # absent: plain nbgrader only
    assert st["ok"], f"{name} ({s.doc}) could not be graded: {st['error']}"
    found = cell_scores(course, s.assignment).get(s.student_id(name))
    assert found == expected, f"{name} ({s.doc}):\nexpected {expected}\nfound    {found}"


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if "warns" in s.folder])
def test_an_odd_but_gradable_folder_is_graded_with_a_warning_in_the_report(graded, name):
    course, _, _, first, _ = graded
    words = SCENARIOS[name].folder["warns"][0]
    st = _status(course)[f"{SCENARIOS[name].assignment}/{SCENARIOS[name].student_id(name)}"]
    assert any(words in w for w in st["warnings"]), f"{name}: no warning with {words!r}: {st['warnings']}"
    assert words in first, f"{name}: the run's summary does not show the warning {words!r}:\n{first[-2000:]}"
    reports = sorted((course / "reports").glob("grading-*/report.html"))
    assert name in reports[0].read_text().split("Graded, with warnings")[1], f"{name}: not in the report's warnings"


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if "outcome" in s.folder])
def test_a_submission_that_cannot_be_graded_is_reported_as_error_never_as_a_zero(graded, name):
    course, _, _, first, _ = graded
    s = SCENARIOS[name]
    words = s.folder["outcome"][0].removeprefix("error").strip()
    student = s.student_id(name)
    st = _status(course)[f"{s.assignment}/{student}"]
    assert not st["ok"] and words in st["error"], f"{name}: expected an error with {words!r}, found {st}"
    row = next(line for line in first.splitlines() if line.startswith(name))
    assert "error" in row and "/ 15" not in row, f"the score table shows a score for {name}: {row!r}"
    with open(course / "grading-errors.csv") as f:
        listed = {(r["assignment"], r["student"]): r for r in csv.DictReader(f)}
    assert words in listed[(s.assignment, student)]["reason"], \
        f"grading-errors.csv: {listed.get((s.assignment, student))}"
    assert listed[(s.assignment, student)]["file"], "grading-errors.csv does not name the files handed in"
    with open(course / "grades.csv") as f:
        row = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(f)}.get((s.assignment, student))
    assert row is not None and row["score"] == row["raw_score"] == "", f"grades.csv: {row} (an error is no score)"
    reports = sorted((course / "reports").glob("grading-*/report.html"))
    assert name in reports[0].read_text().split("Could not be graded")[1], "the report does not list it"


def test_a_written_answer_put_back_is_flagged_for_grading_by_hand(graded):
    from nbgrader.api import Gradebook

    course, *_ = graded
    deleted = [n for n in SCENARIOS if n.startswith("written_answer_deleted")]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for name in deleted:
            sub = gb.find_submission(SCENARIOS[name].assignment, name)
            assert sub.needs_manual_grade, f"{name}: the restored written answer is not flagged for hand grading"


def test_the_half_of_a_split_solution_that_defines_it_is_recorded_as_the_answer(graded):
    course, *_ = graded
    nb = nbformat.read(course / "autograded" / "solution_cell_split" / A / f"{A}.ipynb", as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "normalize")
    assert "def normalize(" in answer.source, f"the recorded answer is the trial half: {answer.source!r}"


def test_an_untouched_notebook_gets_no_warning(graded):
    course, *_ = graded
    st = _status(course)[f"{A}/notebook_with_bom_crlf"]
    assert st["ok"] and st["warnings"] == [], f"false warnings for an untouched notebook: {st['warnings']}"


def test_honest_students_graded_with_the_troubles_keep_full_marks(graded):
    course, *_ = graded
    for a in ASSIGNMENTS:
        points = graded_cells(course / "release" / a / f"{a}.ipynb")
        assert cell_scores(course, a)["honest"] == points, f"{a}: the honest student lost points"


def test_a_run_reports_its_own_problems_only(graded):
    _, _, _, first, second = graded
    assert "problem(s) in this run" in first, f"the first run does not report its problems:\n{first[-2000:]}"
    assert "problem(s) in this run" not in second, f"a run with nothing to grade repeats old problems:\n{second}"
    assert "error" in second, "the score table of the second run forgot the submission that could not be graded"


def test_the_class_command_refuses_to_grade_anyone_when_the_sandbox_cannot_run(graded):
    course, *_ = graded
    before = _status(course)
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(course)}  # no bubblewrap on this PATH
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "grade", "--force"], cwd=course, capture_output=True,
                          text=True, env=env)
    assert proc.returncode != 0 and "Refusing to grade" in proc.stderr and "bubblewrap" in proc.stderr, \
        f"expected a refusal that names bubblewrap, found exit {proc.returncode}:\n{proc.stderr[-2000:]}"
    assert _status(course) == before, "a refused run changed the grading status"
