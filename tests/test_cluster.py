"""Grading on a real multi-process Dask cluster: `dask scheduler` and two `dask worker` processes, each worker in a
folder of its own. When the tests run as root, the workers run as `nobody`, who cannot even list the course folder
(pytest's temporary folders are private to root): every grade that comes back proves the tasks carried their data.

The class is graded through `SCHEDULER=...` and checked against sequential `nbgrader autograde`, submission by
submission; then again with one worker killed (with its nanny) in the middle of the run."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, make_course, submit
from grader.bench import BROKEN
from grader.bench import results as autograde_results
from grader.course import nbgrader
from grader.submissions import example_notebook
from servers import VENV_BIN, DaskCluster

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.xdist_group("cluster")]

A = "01_normalization"
FIX = f"tests/fixtures/{A}"
CLASS = {"ada": "solution", "ben": f"{FIX}/mistake_variance_instead_of_std.py", "cleo": "release",
         "dev": f"{FIX}/mistake_test_scaled_with_its_own_stats.py", "eli": "broken_kernel_dies", "fay": "solution"}


def _worker_user() -> str | None:
    """`nobody` when this runs as root and nobody can run the course's interpreter, else None (this user)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return None
    probe = subprocess.run([str(VENV_BIN / "python"), "-c", "import grader, helpers, distributed"],
                           user="nobody", capture_output=True, cwd="/")
    return "nobody" if probe.returncode == 0 else None


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    base = tmp_path_factory.mktemp("cluster")
    template = make_course(base / "template", [A])
    for student, kind in CLASS.items():
        if kind in BROKEN:
            nb = example_notebook(ROOT, A, "solution")
            first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
            first.source = BROKEN[kind] + first.source
        else:
            nb = example_notebook(ROOT, A, kind)
        submit(template, student, A, nb)
    sequential = shutil.copytree(template, base / "sequential")
    nbgrader("autograde", A, "--log-level=ERROR", root=sequential, check=False)  # eli's kernel dies: exit 1
    return template, sequential, autograde_results(sequential, [A])


@pytest.fixture(scope="module")
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="course-dask-"))  # outside pytest's private folders: workers may be nobody
    os.chmod(folder, 0o755)
    user = _worker_user()
    dask = DaskCluster(folder, user=user)
    try:
        for name in ("w1", "w2"):
            dask.add_worker(name)
        dask.wait_for_workers(2)
        yield dask
    finally:
        dask.stop()
        shutil.rmtree(folder, ignore_errors=True)


def grade(course, address, wait=True):
    env = dict(os.environ, SCHEDULER=address)  # what `make grade SCHEDULER=...` passes on
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "grade", "--force", "--no-report"], cwd=course,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return proc
    out, err = proc.communicate()
    assert proc.returncode == 0, f"course grade on the cluster failed:\n{out[-2000:]}\n{err[-3000:]}"
    return out


def _differences(expected: dict, found: dict) -> list:
    return sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))


def test_grades_on_a_cluster_of_separate_processes_equal_sequential_nbgrader(classes, cluster, tmp_path):
    template, sequential, expected = classes
    course = shutil.copytree(template, tmp_path / "class")
    grade(course, cluster.address)
    found = autograde_results(course, [A])
    assert set(expected) == {(A, s) for s in CLASS}
    differ = _differences(expected, found)
    assert not differ, f"{differ[0]}: the cluster gave {found.get(differ[0])}, nbgrader {expected.get(differ[0])}"
    graded = {s for s in CLASS if (sequential / "autograded" / s / A).is_dir()}
    for student in CLASS:
        assert (course / "feedback" / student / A / f"{A}.html").is_file() == (student in graded), student
    # each worker graded in a scratch course of its own, in its own folder
    scratch = [p for w in ("w1", "w2") for p in (cluster.folder / w / "dask").rglob("course-*") if p.is_dir()]
    assert scratch, "no worker built a scratch course in its own folder"
    if cluster.user:
        assert all(p.owner() == cluster.user for p in scratch)
        private = next(p for p in tmp_path.parents if p.name.startswith("pytest-of-"))
        assert private.stat().st_mode & 0o077 == 0, f"{private} is readable by other users: the proof is void"


def test_a_worker_killed_in_the_middle_of_a_run_costs_no_grade(classes, cluster, tmp_path):
    template, _, expected = classes
    course = shutil.copytree(template, tmp_path / "class")
    proc = grade(course, cluster.address, wait=False)
    status = course / ".grading" / A / "status.json"
    while not (status.is_file() and json.loads(status.read_text())):  # wait until the first submission is graded
        try:
            proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the run ended before a worker could be killed:\n{proc.stderr.read()[-3000:]}")
    done = len(json.loads(status.read_text()))
    assert done < len(CLASS), "every submission was graded before the kill"
    cluster.kill("w1")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, f"the run did not survive a dead worker:\n{out[-2000:]}\n{err[-3000:]}"
    differ = _differences(expected, autograde_results(course, [A]))
    assert not differ, f"after a worker died, {differ} differ from sequential nbgrader"
    last = json.loads((course / ".grading" / "last_run.json").read_text())
    assert last["graded"] == len(CLASS) and not any("KilledWorker" in e for e in last["errors"]), last["errors"]
