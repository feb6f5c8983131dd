"""Grading on a real multi-process Dask cluster: `dask scheduler` and two `dask worker` processes, each worker in a
folder of its own. When the tests run as root, the workers run in a mount namespace where this test process's
temporary folders (every course copy) are an empty tmpfs: every grade that comes back proves that the tasks carried
their data and that the workers never read or wrote the course folder.

The class is graded through `SCHEDULER=...` and checked against sequential `nbgrader autograde`, submission by
submission; then again with one worker killed (with its nanny) in the middle of the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from support import graded_class
from grader.tools.bench import results as autograde_results
from servers import DaskCluster

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.xdist_group("cluster")]

A = "01_normalization"
FIX = f"tests/fixtures/{A}"
CLASS = {"ada": "solution", "ben": f"{FIX}/mistake_variance_instead_of_std.py", "cleo": "release",
         "dev": f"{FIX}/mistake_test_scaled_with_its_own_stats.py", "eli": "broken_kernel_dies", "fay": "solution"}


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    template, sequential = graded_class(tmp_path_factory.mktemp("cluster"), A, CLASS)
    return template, sequential, autograde_results(sequential, [A])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = Path(tempfile.mkdtemp(prefix="course-dask-"))  # outside the folders hidden from the workers
    hidden = [tmp_path_factory.getbasetemp()] if os.geteuid() == 0 and shutil.which("bwrap") else []
    dask = DaskCluster(folder, hide=hidden)
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
    if cluster.hide:
        assert any(course.is_relative_to(h) for h in cluster.hide), "the course folder was visible to the workers"


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
    found = autograde_results(course, [A])
    differ = _differences(expected, found)
    assert not differ, (f"after a worker died, {differ} differ from sequential nbgrader; {differ[0]}: the cluster "
                        f"gave {found.get(differ[0])}, nbgrader {expected.get(differ[0])}; run errors: "
                        f"{(course / '.grading' / 'last_run.json').read_text()[-3000:]}")
    last = json.loads((course / ".grading" / "last_run.json").read_text())
    assert last["graded"] == len(CLASS) and not any("KilledWorker" in e for e in last["errors"]), last["errors"]


def test_a_task_that_kills_its_worker_is_retried_once_then_reported_and_the_others_go_on(tmp_path):
    """On the embedded cluster: a task that kills its worker process runs twice (retried once on a fresh worker),
    then comes back as KilledWorker, which the run reports as "could not be graded"; the other tasks finish, none
    of them charged for waiting behind it (with Dask's default worker-saturation of 1.1 one of them often was)."""
    from grader.classrun.cluster import connect
    from grader.classrun.run import _run_tasks, _task_error

    attempts = tmp_path / "attempts"
    kill = lambda path: (open(path, "a").write("x\n"), os._exit(1))  # noqa: E731 - pickled by value for the workers
    outcomes = {}
    with connect(None, workers=2) as client:
        def submit(item):
            if item == "killer":
                return client.submit(kill, str(attempts), pure=False)
            return client.submit(pow, item, 2, pure=False)

        def done(item, result):
            outcomes[item] = result
            return isinstance(result, BaseException)

        _run_tasks(client, ["killer", 2, 3, 4], submit, done, "test")
    assert {k: v for k, v in outcomes.items() if k != "killer"} == {2: 4, 3: 9, 4: 16}, outcomes
    assert attempts.read_text().count("x") == 2, f"the killing task ran {attempts.read_text().count('x')} time(s)"
    message = _task_error(outcomes["killer"])
    assert message.startswith("KilledWorker: the grading worker died twice"), message


def test_what_every_task_needs_outlives_the_one_worker_that_held_it():
    """The course bundle every grading task needs (`share`) is held by one worker at times (Dask's active memory
    manager drops the other copies); when that worker dies, the next task still gets it. A value given to Dask with
    `client.scatter` was lost with it, and every task after failed (the class ended with submissions not graded)."""
    from distributed import wait

    from grader.classrun.cluster import connect, share

    with connect(None, workers=2) as client:
        shared = share(client, b"the course")
        wait(shared)
        (holder,) = client.who_has([shared])[shared.key]
        others = set(client.scheduler_info()["workers"]) - {holder}
        client.restart_workers([holder])  # its process is replaced: what it held is gone
        found = client.submit(len, shared, pure=False, workers=list(others)).result(timeout=60)
    assert found == len(b"the course"), found
