"""Does the class grader (`course grade`, on an embedded Dask cluster) leave exactly what sequential `nbgrader autograde` leaves,
survive interruption, keep manual grades, and write a report worth opening?"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.tools.bench import results as autograde_results
from grader.classrun import state
from grader.course import Course, nbgrader
from support import graded_class

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading_parallel")]

A = "01_normalization"
FIX = f"tests/fixtures/{A}"
CLASS = {"ada": "solution", "ben": f"{FIX}/mistake_variance_instead_of_std.py", "cleo": "release",
         "eli": "broken_kernel_dies"}


def grade(course, *args, check=True, env=None):
    run = subprocess.run([sys.executable, "-m", "grader.cli", "grade", *args], cwd=course, capture_output=True, text=True,
                         env=env)
    assert not check or run.returncode == 0, run.stdout + run.stderr
    return run


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    """An ungraded class, a copy graded by sequential nbgrader and a copy graded with --jobs 2 (with a temporary
    folder of its own, TMPDIR, to see what it leaves there)."""
    base = tmp_path_factory.mktemp("grading")
    template, sequential = graded_class(base, A, CLASS)
    parallel = shutil.copytree(template, base / "parallel")
    # short: the kernels' Unix sockets live under it, and a socket's path may not pass 107 bytes (a folder of
    # pytest's under an xdist worker's is already 60)
    tmp = Path(tempfile.mkdtemp(prefix="cg-"))
    try:
        run = grade(parallel, "--jobs", "2", env=dict(os.environ, TMPDIR=str(tmp)))
        left = sorted(p.name for p in tmp.iterdir() if p.name.startswith("dask"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    record = json.loads((parallel / ".grading" / "last_run.json").read_text())
    return {"template": template, "sequential": sequential, "parallel": parallel, "run": run, "record": record,
            "dask_left": left}


def test_the_cluster_keeps_nothing_in_the_shared_temporary_folder(classes):
    """Catches: Dask's scheduler (or a worker) keeping its workspace in the machine's temporary folder
    (/tmp/dask-scratch-space, or /tmp/dask-scratch-space-<uid> once another user has made that: a path any user
    can make first and hold its lock files) instead of the run's private scratch."""
    assert not classes["dask_left"], f"course grade left {classes['dask_left']} in its temporary folder (TMPDIR)"


def test_parallel_grades_equal_sequential_nbgrader(classes):
    seq, par = autograde_results(classes["sequential"], [A]), autograde_results(classes["parallel"], [A])
    assert set(seq) == {(A, s) for s in CLASS}
    assert par == seq


def test_each_submission_keeps_its_phases_and_the_run_record_sums_them_up(classes):
    from grader.plugins.phases import PHASES

    status = state.status(Course(classes["parallel"]), [A])
    for student in CLASS:
        entry = status[f"{A}/{student}"]
        # no feedback without a grade; the warm kernel's imports are charged to a worker's first submission only
        expected = [p for p in PHASES if (p != "feedback" or entry["ok"]) and p != "warm kernel"]
        assert sorted(set(entry["phases"]) - {"warm kernel"}) == sorted(expected), student
        assert all(wall >= 0 and cpu >= 0 for wall, cpu in entry["phases"].values()), student
        assert entry["phases"]["execute"][0] > 0 and entry["phases"]["kernel start"][1] > 0, student
    table = classes["record"]["phases"]
    assert set(table) == {*PHASES, "total"}
    total = table["total"]
    assert 0 < total["cpu"] <= total["cpu_p95"] and 0 < total["wall"] <= total["wall_p95"]


def test_nbgrader_export_lists_every_submission(classes):
    course = classes["parallel"]
    nbgrader("export", "--to=exported.csv", "--log-level=WARN", root=course)
    for name in ("exported.csv", "grades.csv"):
        with open(course / name) as f:
            rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == A}
        assert set(rows) == set(CLASS), name
        assert float(rows["ada"]["score"]) > float(rows["cleo"]["score"]) == 0.0


def failed_in_sequential(classes) -> set[str]:
    """Students whose autograde raised under sequential nbgrader (it then removes their autograded folder)."""
    return {s for s in CLASS if not (classes["sequential"] / "autograded" / s / A).is_dir()}


def test_autograded_notebooks_and_feedback_for_every_submission_nbgrader_graded(classes):
    course = classes["parallel"]
    for student in CLASS:
        graded = (course / "autograded" / student / A).is_dir()
        assert graded == (student not in failed_in_sequential(classes)), student
        assert (course / "feedback" / student / A / f"{A}.html").is_file() == graded, student


def test_report_embeds_figures_and_names_the_problems(classes):
    course = classes["parallel"]
    (folder,) = sorted((course / "reports").glob("grading-*"))
    for png in (f"{A}-scores.png", f"{A}-checks.png"):
        assert (folder / png).stat().st_size > 1000
    page = (folder / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2 and "<img" in page and 'src="reports' not in page
    stopped = page.split("Timed out or kernel died")[1].split("<h3>")[0]
    errored = page.split("Could not be graded")[1].split("<h3>")[0]
    assert "eli" in (stopped if "eli" not in failed_in_sequential(classes) else errored)
    assert "ada" in page.split("Needs manual grading")[1]
    counts = re.search(rf"{A}: (\d+) graded, .*; (\d+) could not be graded", classes["run"].stdout)
    assert counts and sum(map(int, counts.groups())) == len(CLASS), f"summary: {classes['run'].stdout[-1500:]}"


def test_report_lists_a_submission_whose_autograde_raised(classes, tmp_path):
    from grader.classrun.report import write_report

    course = shutil.copytree(classes["parallel"], tmp_path / "class")
    status = {f"{A}/zed": {"ok": False, "seconds": 1.0, "error": "DeadKernelError: Kernel died"}}
    folder, summary = write_report(Course(course), [A], status)
    errored = (folder / "report.html").read_text().split("Could not be graded")[1].split("<h3>")[0]
    assert "zed" in errored and "DeadKernelError: Kernel died" in errored, f"the report's errors: {errored}"
    assert "1 could not be graded" in summary, f"the summary does not count zed: {summary}"


def test_second_run_without_force_changes_nothing(classes):
    course = classes["parallel"]
    before = autograde_results(course, [A])
    stamps = {p: p.stat().st_mtime_ns for p in (course / "autograded").rglob("*.ipynb")}
    grade(course, "--jobs", "2", "--no-report")
    last = json.loads((course / ".grading" / "last_run.json").read_text())
    assert last["graded"] == len(failed_in_sequential(classes)), "only failed autogrades are tried again"
    assert autograde_results(course, [A]) == before
    assert {p: p.stat().st_mtime_ns for p in (course / "autograded").rglob("*.ipynb")} == stamps


def test_interrupted_run_leaves_a_consistent_gradebook_and_a_rerun_finishes(classes, tmp_path):
    course = shutil.copytree(classes["template"], tmp_path / "class")
    shutil.rmtree(course / "submitted" / "ben")  # three submissions are enough to interrupt after the first
    # its scratch in a cache of its own (short, as sockets may live there), removed below: a run killed outright
    # cannot remove it, and the user's cache is not the test's to fill
    cache = tempfile.mkdtemp(prefix="cg-cache-")
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "grade", "--jobs", "1", "--no-report"], cwd=course,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=dict(os.environ, XDG_CACHE_HOME=cache))
    deadline = time.monotonic() + 120
    while not any((course / "autograded").glob(f"*/{A}")) and time.monotonic() < deadline:
        assert proc.poll() is None, "the grader finished before it could be interrupted"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    shutil.rmtree(cache, ignore_errors=True)
    expected = autograde_results(classes["sequential"], [A])
    partial = autograde_results(course, [A])
    done = {(A, p.parent.name) for p in (course / "autograded").glob(f"*/{A}")}
    assert done and len(done) < len(CLASS) - 1
    assert {k: partial[k] for k in done} == {k: expected[k] for k in done}
    # A submission leaves the queue only once its grades and folders are written; one killed between the two is
    # still queued and graded again (the merge replaces), so the kill's moment decides only which of those it is.
    pending = set(json.loads((course / ".grading" / A / "pending.json").read_text()))
    handed_in, finished = set(CLASS) - {"ben"}, {s for _, s in done}
    assert handed_in - finished <= pending, f"not graded, nor queued for the next run: {handed_in - finished - pending}"
    assert handed_in - pending <= finished, f"out of the queue, but not graded: {handed_in - pending - finished}"
    grade(course, "--jobs", "2", "--no-report")
    assert autograde_results(course, [A]) == {k: v for k, v in expected.items() if k[1] != "ben"}
    assert json.loads((course / ".grading" / A / "pending.json").read_text()) == []


def test_manual_scores_and_comments_survive_a_forced_regrade(classes, tmp_path):
    course = shutil.copytree(classes["parallel"], tmp_path / "class")
    with Course(course).gradebook() as gb:
        nb = gb.find_submission(A, "ada").notebooks[0]
        grade_, comment = nb.grades[0], nb.comments[0]
        grade_.manual_score, comment.manual_comment = 0.5, "see me"
        name, auto_before = grade_.name, grade_.auto_score
        gb.db.commit()
    grade(course, "--force", "--students", "ada", "--no-report")
    with Course(course).gradebook() as gb:
        nb = gb.find_submission(A, "ada").notebooks[0]
        kept = next(g for g in nb.grades if g.name == name)
        assert (kept.manual_score, kept.auto_score, kept.needs_manual_grade) == (0.5, auto_before, True)
        assert any(c.manual_comment == "see me" for c in nb.comments)
    feedback = (course / "feedback" / "ada" / A / f"{A}.html").read_text()
    assert "see me" in feedback, "the feedback written on the worker lost the instructor's comment"
    assert "<math" in feedback and "$\\mu$" not in feedback, "the feedback's formulas are TeX, not MathML"


def test_make_feedback_writes_what_the_instructor_graded_by_hand(classes, tmp_path):
    course = shutil.copytree(classes["parallel"], tmp_path / "class")
    before = (course / "feedback" / "ada" / A / f"{A}.html").read_text()
    with Course(course).gradebook() as gb:
        nb = gb.find_submission(A, "ada").notebooks[0]
        nb.comments[0].manual_comment = "Well argued: full marks for the written answer."
        gb.db.commit()
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "feedback", "--jobs", "1", "--students", "ada"],
                          cwd=course, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = (course / "feedback" / "ada" / A / f"{A}.html").read_text()
    assert "Well argued" not in before and "Well argued" in after, "course feedback did not write the new comment"
    assert "BEGIN HIDDEN TESTS" not in after, "the feedback shows hidden tests"
