"""Benchmark: sequential `nbgrader autograde` against `course grade` (make grade) on a synthetic class.

    course bench --students 40 [--jobs N] [--assignments A ...] [--keep DIR]

Builds a throw-away course (students x assignments: the solution, fixture scenarios of tests/fixtures/ that
are correct or mistaken, the untouched release notebook, and broken notebooks: a syntax error, a kernel that
dies), grades one copy with plain sequential `nbgrader autograde <assignment>` (then `nbgrader generate_feedback`
and `nbgrader export`, the rest of what make grade does), one with `course grade --no-feedback` and one with
`course grade`, both on an embedded Dask cluster of --jobs workers, checks that the gradebooks hold the same
results for every submission, and prints wall time, submissions per minute, peak memory of the process tree, the
speed-ups, and the per-submission overhead next to the kernel start-up floor measured in the same run (alone, and
with as many kernels starting at once as there are workers), then where a submission's time goes in `course grade`,
PrairieLearn-style: wall and CPU seconds per phase (queue, prepare, kernel start, execute, re-check, save, feedback,
merge; `grader.plugins.phases`), mean and 95th percentile over the class, and the CPU per submission in all, the
kernel's and the re-check server's included.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import nbformat

from ..course import Course, assignments, course_root, nbgrader
from ..classrun import state
from ..plugins.phases import PHASES
from .scenarios import example_notebook

BROKEN = {"broken_syntax_error": "def broken(:\n", "broken_kernel_dies": "import os\nos._exit(1)\n"}


def class_notebook(root: Path, assignment: str, kind: str) -> nbformat.NotebookNode:
    """A submission of the synthetic class: an example of `grader.tools.scenarios.example_notebook`, or, for a kind of
    BROKEN, the solution with that code put before its first solution cell."""
    if kind not in BROKEN:
        return example_notebook(root, assignment, kind)
    nb = example_notebook(root, assignment, "solution")
    first = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    first.source = BROKEN[kind] + first.source
    return nb


def class_plan(root: Path, names: list[str], n_students: int) -> dict[tuple[str, str], str]:
    """(student, assignment) -> kind: per ten students 2 solutions, 6 scenarios, 1 untouched, 1 broken."""
    pattern = "SxRxBxSxxx"  # Solution, scenario (x), Release, Broken: small classes get every kind early
    plan = {}
    for a in names:
        fixtures = sorted(str(p.relative_to(root)) for p in (root / "tests" / "fixtures" / a).glob("*.py"))
        scenario = 0
        for i in range(n_students):
            slot = pattern[i % len(pattern)]
            if slot == "R":
                kind = "release"
            elif slot == "B":
                kind = sorted(BROKEN)[(i // len(pattern)) % len(BROKEN)]
            elif slot == "S" or not fixtures:
                kind = "solution"
            else:
                kind, scenario = fixtures[scenario % len(fixtures)], scenario + 1
            plan[(f"student{i:03d}", a)] = kind
    return plan


def build_class(root: Path, dest: Path, names: list[str], n_students: int) -> dict[tuple[str, str], str]:
    """A course folder at `dest` with release/ and gradebook.db generated and the class under submitted/."""
    dest.mkdir(parents=True)
    shutil.copy(root / "nbgrader_config.py", dest / "nbgrader_config.py")
    for a in names:
        shutil.copytree(root / "source" / a, dest / "source" / a)
        nbgrader("generate_assignment", a, "--force", "--log-level=WARN", root=dest)
    plan = class_plan(root, names, n_students)
    for (student, a), kind in plan.items():
        nb = class_notebook(root, a, kind)
        path = dest / "submitted" / student / a / f"{a}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
    return plan


def run_measured(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run `cmd`; returns (wall seconds, peak RSS in MB summed over its process tree, return code)."""
    import psutil

    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        top = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [top, *top.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return seconds, peak / 2**20, code


def _kernel_start_and_imports() -> tuple[float, float]:
    from jupyter_client import KernelManager

    t0 = time.perf_counter()
    km = KernelManager(kernel_name="python3")
    km.start_kernel(stderr=subprocess.DEVNULL)  # no kernel chatter in the figures
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    t1 = time.perf_counter()
    kc.execute_interactive("import numpy, matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot", timeout=60)
    t2 = time.perf_counter()
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return t1 - t0, t2 - t1


def kernel_floor(repeats: int = 3, at_once: int = 1) -> tuple[float, float]:
    """Median seconds to start a python3 kernel, and to import numpy and matplotlib.pyplot in it, with
    `at_once` kernels doing the same at the same time (as many as grading workers compete for the cores)."""
    from concurrent.futures import ThreadPoolExecutor

    samples = []
    with ThreadPoolExecutor(at_once) as pool:
        for _ in range(repeats):
            samples += pool.map(lambda _: _kernel_start_and_imports(), range(at_once))
    return statistics.median(s for s, _ in samples), statistics.median(i for _, i in samples)


def sequential(course: Path, names: list[str], options: list[str] = ()) -> tuple[float, float, float]:
    """Plain sequential nbgrader on `course` with `options`: autograde every assignment, then generate_feedback and
    export (the rest of what make grade does). Returns autograde's seconds, the peak RSS (MB), and all seconds."""
    auto_s, peak = 0.0, 0.0
    for a in names:
        s, mb, _ = run_measured([sys.executable, "-m", "nbgrader", "autograde", a, "--log-level=ERROR", *options],
                                course)
        auto_s, peak = auto_s + s, max(peak, mb)
    total = auto_s
    for cmd in [*(["generate_feedback", a] for a in names), ["export"]]:
        s, mb, _ = run_measured([sys.executable, "-m", "nbgrader", *cmd, "--log-level=ERROR"], course)
        total, peak = total + s, max(peak, mb)
    return auto_s, peak, total


def code_seconds(path: Path) -> float | None:
    """Seconds the notebook's code cells after the first (the imports) ran, from nbclient's timing metadata."""
    spans = []
    for cell in [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"][1:]:
        t = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in t and "shell.execute_reply" in t:
            spans.append((datetime.fromisoformat(t["shell.execute_reply"].replace("Z", "+00:00"))
                          - datetime.fromisoformat(t["iopub.execute_input"].replace("Z", "+00:00"))).total_seconds())
    return sum(spans) if spans else None


def results(course: Path, names: list[str]) -> dict:
    """(assignment, student) -> what autograde wrote in the gradebook (grader.classrun.gradebook.submission_record)."""
    from ..classrun.gradebook import submission_record

    out = {}
    with Course(course).gradebook() as gb:
        for a in names:
            for sub in gb.assignment_submissions(a):
                out[(a, sub.student_id)] = submission_record(gb, a, sub.student_id)
    return out


def notebook_seconds(path: Path) -> float:
    """Wall time of running a notebook top to bottom in a fresh python3 kernel, as a student's Run All does."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    # nbclient's defaults, Output-widget emulation included, as nbconvert runs it (the explorers draw without
    # `with output:`, which could stall a cell: helpers/widgets/_output.py)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute(stderr=subprocess.DEVNULL)  # no kernel chatter in the figures
    return time.perf_counter() - start


def print_phases(phases: dict[str, dict[str, float]], n: int, jobs: int, own: float, floor: float) -> None:
    """The phase table of `course grade`'s run record (`grader.plugins.phases.summary`), then the CPU per submission."""
    if not phases:
        print("phases: none recorded")
        return
    print(f"phases of a submission in course grade ({jobs} workers, {n} submissions; seconds, mean and 95th "
          "percentile; CPU with the kernel's and the re-check server's):")
    print(f"  {'phase':14}{'wall':>8}{'wall p95':>10}{'CPU':>8}{'CPU p95':>10}")
    order = [*PHASES, *sorted(set(phases) - {*PHASES, "total"}), "total"]  # the run record's keys are sorted
    for name, f in ((name, phases[name]) for name in order if name in phases):
        print(f"  {name:14}{f['wall']:8.2f}{f['wall_p95']:10.2f}{f['cpu']:8.2f}{f['cpu_p95']:10.2f}")
    total = phases["total"]
    print(f"CPU per submission: {total['cpu']:.2f} s (95th percentile {total['cpu_p95']:.2f} s), wall "
          f"{total['wall']:.2f} s; the notebook's own code {own:.2f} s, kernel start-up floor {floor:.2f} s (wall, {jobs} at once)")


def add_arguments(parser) -> None:
    """The options of this subcommand (grader/cli.py declares every subcommand so)."""
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--assignments", nargs="*", help="default: every assignment under source/")
    parser.add_argument("--keep", type=Path, help="build the class in this (new) folder and keep it")


def run(args) -> int:
    root = course_root()
    names = [a for a in assignments(root) if not args.assignments or a in args.assignments]
    for path in [*(root / "source" / a / f"{a}.ipynb" for a in names), *sorted((root / "notebooks").glob("*.ipynb"))]:
        print(f"notebook {path.relative_to(root)}: {notebook_seconds(path):.1f} s top to bottom")
    work = args.keep or Path(tempfile.mkdtemp(prefix="grading-bench-"))
    try:
        plan = build_class(root, work / "sequential", names, args.students)
        for copy in ("parallel", "autograde-only", "sequential-cold"):
            shutil.copytree(work / "sequential", work / copy, symlinks=True)
        n = len(plan)
        mix = Counter(Path(kind).stem.split("_")[0] for kind in plan.values())
        print(f"class: {args.students} students x {len(names)} assignments = {n} submissions "
              f"({', '.join(f'{v} {k}' for k, v in sorted(mix.items()))}); machine: {os.cpu_count()} cores")
        start, imports = kernel_floor()
        print(f"kernel start-up floor, alone: start {start:.2f} s + import numpy, matplotlib {imports:.2f} s "
              f"= {start + imports:.2f} s")
        start, imports = kernel_floor(at_once=args.jobs)
        floor = start + imports
        print(f"kernel start-up floor, {args.jobs} at once (as the workers run): start {start:.2f} s + imports "
              f"{imports:.2f} s = {floor:.2f} s")
        seq_s, seq_mb, seq_all = sequential(work / "sequential", names)
        # the same with every kernel started cold, as before the warm kernel (grader.plugins.zygote)
        cold_s, _, cold_all = sequential(work / "sequential-cold", names, ["--CourseKernelManager.warm=False"])
        grade = [sys.executable, "-m", "grader.cli", "grade", "--jobs", str(args.jobs)]
        auto_s, auto_mb, code = run_measured([*grade, "--no-feedback", "--no-report"], work / "autograde-only")
        par_s, par_mb, code2 = run_measured(grade, work / "parallel")
        if code or code2:
            print(f"course grade exited with {code or code2}", file=sys.stderr)
            return 1
        run = json.loads((work / "parallel" / ".grading" / "last_run.json").read_text())
        status = state.status(Course(work / "parallel"))
        secs = run["seconds"]
        rows = [("sequential nbgrader autograde, cold kernels", cold_s, seq_mb),
                ("sequential autograde + feedback + export, cold", cold_all, seq_mb),
                ("sequential nbgrader autograde", seq_s, seq_mb),
                (f"course grade --no-feedback, {run['jobs']} workers", auto_s, auto_mb),
                ("sequential autograde + feedback + export", seq_all, seq_mb),
                (f"course grade, {run['jobs']} workers (+ report)", par_s, par_mb)]
        print(f"{'':48}{'wall (s)':>10}{'subs/min':>10}{'peak RSS (MB)':>15}")
        for label, s, mb in rows:
            print(f"{label:48}{s:10.1f}{n / s * 60:10.1f}{mb:15.0f}")
        print(f"  course grade: imports and start-up {par_s - secs['total'] + secs['start-up']:.1f} s, embedded "
              f"cluster {secs.get('cluster', 0):.1f} s, autograde with feedback {secs.get('autograde', 0):.1f} s, "
              f"export and report {secs['total'] - sum(v for k, v in secs.items() if k != 'total'):.1f} s")
        print(f"speed-up on the same work: {seq_s / auto_s:.2f}x for autograding, {seq_all / par_s:.2f}x for "
              "autograde, feedback and grades.csv (course grade also writes the report)")
        print(f"against sequential nbgrader with cold kernels (the course's configuration before the warm kernel): "
              f"{cold_s / auto_s:.2f}x for autograding, {cold_all / par_s:.2f}x with feedback and grades.csv")
        worker = statistics.mean(st["seconds"] for st in status.values())
        codes = [c for c in (code_seconds(p) for p in (work / "parallel" / "autograded").glob("*/*/*.ipynb")) if c]
        own = statistics.mean(codes) if codes else 0.0
        print(f"per submission: sequential {seq_all / n:.2f} s with feedback; course grade "
              f"{secs.get('autograde', 0) * run['jobs'] / n:.2f} s per core; a task {worker:.2f} s, of which the "
              f"notebook's own code {own:.2f} s, so overhead {worker - own:.2f} s (kernel start, imports, nbgrader's "
              f"bookkeeping, the tests' second run outside the kernel, feedback) against the floor of {floor:.2f} s")
        print_phases(run.get("phases", {}), n, run["jobs"], own, floor)
        seq = results(work / "sequential", names)
        for copy in ("parallel", "autograde-only", "sequential-cold"):
            par = results(work / copy, names)
            differ = sorted(k for k in seq.keys() | par.keys() if seq.get(k) != par.get(k))
            if differ:
                print(f"MISMATCH in {copy}: {len(differ)} submissions differ, e.g. {differ[:3]}")
                return 1
        print(f"results: identical for all {len(seq)} submissions, in every run (every grade, comment and timestamp)")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

