"""Can a hostile or broken submission cost anything beyond its own points?

Every scenario of tests/fixtures/hostile/ is graded by plain `nbgrader autograde` (the course's config applies
the sandbox and the re-check) in one class with honest students, then: each scenario scores exactly what it
names, the honest students keep their marks, the gradebook, the course files and the installed `helpers` are
unchanged, the autograded notebooks and the feedback stay small, the feedback shows no hidden test, and no process
a submission started outlives it. The honest student graded last meets whatever the attacks left behind in the
same grading process (a daemon, planted modules, a patched numpy, a full /tmp), and must keep every point.

The scenarios are of 01_normalization, except `delegated_to_helpers_<assignment>`, one per assignment (its
`# assignment:` line), which hands every graded function over to the course's library and must lose every point
of them: helpers holds no graded function's solution (COURSE_SPEC, conventions). They are graded in the same
course, one `nbgrader autograde` per assignment.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3

import nbformat
import pytest

from grader.course import nbgrader
from grader.plugins.kernel import CourseKernelManager, SandboxUnavailable
from grader.plugins.sandbox import sandbox_problem
from grader.tools.scenarios import Scenario, example_notebook, graded_cells
from support import FIXTURES, ROOT, cell_scores, make_course, submit

A = "01_normalization"
HOSTILE = sorted((FIXTURES / "hostile").glob("*.py"))
ASSIGNMENTS = sorted({Scenario.parse(p, A).assignment for p in HOSTILE})
HONEST = {"honest_solution": "solution", "honest_other_style": FIXTURES / A / "correct_loops_and_svd.py",
          # nbgrader grades a class in name order: this one comes after every attack, in the same grading process,
          # its kernel forked from the same warm kernel (grader.plugins.zygote) as theirs
          "zz_honest_graded_last": "solution"}
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("safety")]


def _digest(paths) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def _course_files(course):
    return [course / "nbgrader_config.py", *(course / "source").rglob("*"), *(course / "release").rglob("*"),
            *(ROOT / "helpers").rglob("*.py"), ROOT / "nbgrader_config.py"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if sandbox_problem():
        pytest.fail(f"the grading sandbox cannot run here: {sandbox_problem()}")
    course = make_course(tmp_path_factory.mktemp("safety"), ASSIGNMENTS)
    scenarios = [Scenario.parse(p, A) for p in HOSTILE]
    for s in scenarios:
        submit(course, s.name, s.assignment, s.notebook(course))
    for student, kind in HONEST.items():
        nb = example_notebook(course, A, kind) if kind == "solution" else Scenario.parse(kind, A).notebook(course)
        submit(course, student, A, nb)
    before = _digest(_course_files(course))
    # The honest students are graded first, so the attacks run with their grades already in the gradebook.
    nbgrader("autograde", A, "--student=honest_solution", "--log-level=WARN", root=course)
    for assignment in ASSIGNMENTS:
        nbgrader("autograde", assignment, "--log-level=WARN", root=course)
    nbgrader("generate_feedback", A, "--log-level=WARN", root=course)
    return course, scenarios, before


def test_the_grading_kernel_refuses_to_start_without_its_sandbox(monkeypatch):
    monkeypatch.setattr("grader.plugins.sandbox.sandbox_problem", lambda: "bubblewrap is not installed")
    with pytest.raises(SandboxUnavailable, match="Refusing to grade.*bubblewrap is not installed.*sandbox = False"):
        CourseKernelManager()
    opted_out = CourseKernelManager(sandbox=False)  # the instructor's explicit opt-out
    shutil.rmtree(opted_out._kernel_dir)  # its private folder, made for a kernel this test never starts


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_a_hostile_submission_loses_exactly_its_own_points(graded, path):
    course, scenarios, _ = graded
    s = next(x for x in scenarios if x.name == path.stem)
    points = graded_cells(course / "release" / s.assignment / f"{s.assignment}.ipynb")
    expected = {gid: (0.0 if gid in s.loses else p) for gid, p in points.items()}
    assert cell_scores(course, s.assignment)[s.name] == expected, f"{s.name}: {s.doc}"


def test_every_assignment_has_a_submission_that_delegates_to_helpers():
    delegated = {Scenario.parse(p, A).assignment for p in HOSTILE if p.stem.startswith("delegated_to_helpers_")}
    assert delegated == {p.name for p in (ROOT / "source").iterdir() if p.is_dir()}, delegated
    for p in HOSTILE:
        if p.stem.startswith("delegated_to_helpers_"):
            s = Scenario.parse(p, A)
            assert p.stem == f"delegated_to_helpers_{s.assignment}"
            assert s.loses == set(graded_cells(ROOT / "release" / s.assignment / f"{s.assignment}.ipynb")) - {
                "test_faulty_parameters"}, f"{p.stem} should lose every function's points"


def test_honest_students_graded_with_the_attackers_keep_full_marks(graded):
    course, _, _ = graded
    points = graded_cells(course / "release" / A / f"{A}.ipynb")
    scores = cell_scores(course, A)
    for student in HONEST:
        assert scores[student] == points, f"{student} lost points next to the hostile submissions: {scores[student]}"


def test_no_process_a_submission_started_outlives_its_grading(graded):
    """attack_leaves_a_daemon leaves a daemon in a session of its own, its parent gone: it must have died with its
    kernel, before the students graded after it."""
    from pathlib import Path

    left = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"course-daemon-marker" in cmdline.read_bytes():
                left.append(cmdline.parent.name)
        except OSError:
            pass
    assert not left, f"a daemon started by a submission outlived its grading: pids {left}"


def test_the_gradebook_course_files_and_helpers_are_unchanged(graded):
    course, scenarios, before = graded
    assert _digest(_course_files(course)) == before, "grading changed a course file or the installed helpers"
    with sqlite3.connect(course / "gradebook.db") as con:
        students = {row[0] for row in con.execute("SELECT student_id FROM submitted_assignment")}
        grades = con.execute("SELECT COUNT(*) FROM grade").fetchone()[0]
    assert students == {s.name for s in scenarios} | set(HONEST)
    handed_in = [s.assignment for s in scenarios] + [A] * len(HONEST)
    assert grades == sum(_grade_cells(course, a) for a in handed_in)


def _grade_cells(course, assignment: str) -> int:
    """The grades nbgrader keeps per submission of `assignment`: one per graded cell, code or written answer."""
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    return sum(bool(c.metadata.get("nbgrader", {}).get("grade")) for c in release.cells)


def test_autograded_notebooks_feedback_and_scratch_stay_small(graded):
    course, _, _ = graded
    for path in course.rglob("*"):
        if path.is_file():
            limit = 5e6 if path.suffix in (".ipynb", ".html") else 64e6
            assert path.stat().st_size < limit, f"{path.relative_to(course)} is {path.stat().st_size:,} bytes"
    assert not list(course.rglob("big.bin")), "a file written by student code reached the course folder"


def test_feedback_shows_which_checks_failed_but_not_the_hidden_tests(graded):
    course, _, _ = graded
    hidden = "_rng = np.random.default_rng(101)"
    for html in (course / "feedback").rglob("*.html"):
        text = html.read_text()
        assert hidden not in text, f"{html.relative_to(course)} shows hidden test code"
    wrong = (course / "feedback" / "attack_patches_numpy_allclose" / A / f"{A}.html").read_text()
    assert "checked again outside your notebook" in wrong and "is wrong" in wrong
