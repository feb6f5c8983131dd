"""What the test suite shares, besides pytest's fixtures (conftest.py): the course's folders, throw-away courses in
which nbgrader runs for real, the `course` command as a subprocess, a free loopback port, two-sided differences."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np

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
    `grader.tools.bench.class_notebook`), and a copy at base/sequential graded by plain sequential `nbgrader autograde`
    (which exits 1 when a kernel dies: that is part of the class)."""
    from grader.tools.bench import class_notebook

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


def course(*args: str, cwd: Path, check: bool = True, env: dict | None = None, timeout: float = 900
           ) -> subprocess.CompletedProcess:
    """`course ARGS` (python -m grader.cli) in the course folder `cwd`, output captured. AssertionError with the
    output when it exits non-zero and `check`."""
    run = subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert not check or run.returncode == 0, (f"course {' '.join(args)} exited with {run.returncode}:\n"
                                              f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return run


def course_process(*args: str, cwd: Path, env: dict | None = None) -> subprocess.Popen:
    """`course ARGS` started in the background (to interrupt it, or to run beside another), output piped."""
    return subprocess.Popen([sys.executable, "-m", "grader.cli", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (servers in tests listen on loopback only)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def numerical_gradient(f, v: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The two-sided difference (f(v + h e_i) - f(v - h e_i)) / 2h of the scalar `f()` along every entry of `v`,
    which is changed in place and restored: error about h**2 (truncation) + 1e-16 / h (round-off) in float64."""
    grad = np.zeros_like(v, dtype=float)
    for i in np.ndindex(v.shape):
        old = v[i]
        v[i] = old + h
        up = f()
        v[i] = old - h
        down = f()
        v[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad
