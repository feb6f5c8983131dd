"""Does a grading task say where its time went, phase by phase, with the CPU of the processes it started (the
sandboxed kernel, the re-check server) counted? (grader.plugins.phases, what `make bench` prints)"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import nbformat
import pytest

from grader.plugins.phases import PHASES, PhaseClock, process_tree_cpu, summary
from support import ROOT, make_course

A = "01_normalization"
BURN = 1.0  # CPU seconds the student's extra cell spends in the kernel
#: a student's own cell that spends BURN seconds of the kernel's CPU
BURNER = f"import time\nstart = time.process_time()\nwhile time.process_time() - start < {BURN}:\n    pass\n"

#: grades one submission with the class run's task function in a fresh process, as a worker would, and prints the
#: TaskResult's ok, error and phases as JSON
GRADE_ONE = """
import json, sys
from pathlib import Path
from grader.course import Course
from grader.release import bundle
from grader.classrun.records import AutogradeTask, SubmissionKey
from grader.classrun.tasks import autograde
course, notebook = Course(Path(sys.argv[1])), Path(sys.argv[2])
result = autograde(bundle(course, [sys.argv[3]]), AutogradeTask(SubmissionKey(sys.argv[3], "ada"),
                                                                 {notebook.name: notebook.read_bytes()}))
print(json.dumps({"ok": result.ok, "error": result.error, "phases": result.phases, "seconds": result.seconds}))
"""


def test_laps_add_up_and_take_what_a_child_spent():
    clock = PhaseClock()
    time.sleep(0.01)
    clock.lap("prepare")
    clock.lap("execute", children=0.5)
    clock.lap("execute", children=0.25)
    phases = clock.take()
    assert list(phases) == ["prepare", "execute"]
    assert phases["prepare"][0] >= 0.01 and 0 <= phases["prepare"][1] < 0.01
    assert 0.75 <= phases["execute"][1] < 0.76
    assert clock.take() == {}


def test_process_tree_cpu_counts_a_child_that_burns_cpu():
    child = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.3: pass\nimport sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while process_tree_cpu(child.pid) < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process_tree_cpu(child.pid) >= 0.3
    finally:
        child.communicate(b"")
    assert process_tree_cpu(child.pid) == 0.0  # gone: nothing to read
    assert process_tree_cpu(None) == 0.0


def test_summary_gives_mean_p95_and_the_total_per_submission():
    runs = [{"queue": (0.1, 0.0), "execute": (1.0, 0.5)}, {"queue": (0.3, 0.0), "execute": (2.0, 1.5)}]
    table = summary(runs)
    assert list(table) == ["queue", "execute", "total"]
    assert table["execute"] == {"wall": 1.5, "wall_p95": 2.0, "cpu": 1.0, "cpu_p95": 1.5}
    assert table["total"]["wall"] == pytest.approx(1.7) and table["total"]["cpu"] == 1.0
    assert summary([]) == {}


@pytest.mark.slow
def test_a_graded_submission_reports_every_phase_with_the_kernels_cpu(tmp_path):
    from grader.tools.bench import class_notebook

    course = make_course(tmp_path / "course", [A])
    nb = class_notebook(ROOT, A, "solution")
    nb.cells.append(nbformat.v4.new_code_cell(BURNER))
    notebook = tmp_path / f"{A}.ipynb"
    nbformat.write(nb, notebook)
    run = subprocess.run([sys.executable, "-c", GRADE_ONE, str(course), str(notebook), A], cwd=course,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["ok"], result["error"]
    phases = result["phases"]
    worker_phases = [p for p in PHASES if p not in ("queue", "merge")]  # the client's two are timed by run.py
    assert list(phases) == worker_phases
    for name, (wall, cpu) in phases.items():  # the warm kernel's imports: CPU of another process, no wall time
        assert (wall > 0 or name == "warm kernel") and cpu >= 0, name
    # the kernel's CPU is counted: the student's cell alone spent BURN seconds in it
    assert phases["execute"][1] >= 0.9 * BURN
    assert phases["execute"][0] >= BURN
    # the phases are laps of one clock: they add up to the task's time, less its first and last few lines
    assert sum(wall for wall, _ in phases.values()) == pytest.approx(result["seconds"], rel=0.05)
