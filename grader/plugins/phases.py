"""Where a grading process spends its time: wall and CPU seconds per phase, PrairieLearn-style.

One clock per process (`CLOCK`). The class run's worker starts it when a task begins (`start`), the plug-ins close
the phases they run as they end (`lap`: `grader.plugins.execute.SafeExecute` closes "prepare", "kernel start" and
"execute", `grader.plugins.recheck.Recheck` closes "re-check"), the worker closes "save" and "feedback" and takes
the figures with the result (`take`). A lap covers everything since the previous one, so the phases of a task add
up to its time. Outside a class run (plain `nbgrader autograde`) nobody takes them: they only add up, in a dict
of a few keys.

A phase's CPU is this process's (`time.process_time`, every thread) plus its children's: by default those reaped
during the phase (`resource.getrusage(RUSAGE_CHILDREN)`), or what the plug-in measured itself for a child that
lives across phases (the kernel, the re-check server: `process_tree_cpu`, from /proc). Reading the clock costs a
few microseconds; `process_tree_cpu` a few /proc reads per process.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from .sandbox import children

#: the phases of a grading task, in order: the client's queue and merge around the worker's
PHASES = ("queue", "prepare", "warm kernel", "kernel start", "execute", "re-check", "save", "feedback", "merge")

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's children that ended and were waited for, and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds of process `pid` so far, with those of its children it has waited for (/proc/<pid>/stat:
    utime, stime, cutime, cstime); 0.0 when it cannot be read (gone, or no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return sum(int(f) for f in fields[11:15]) / _TICK


def process_tree_cpu(pid: int | None) -> float:
    """CPU seconds so far of process `pid` and every living descendant (each with the children it waited for):
    the grading kernel's launcher, bubblewrap and the kernel, say. 0.0 for None or a process that is gone."""
    if pid is None:
        return 0.0
    total, todo, seen = 0.0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += process_cpu(p)
        todo += children(p)
    return total


class PhaseClock:
    """Wall and CPU seconds per phase, each phase closed by `lap` (see the module's docstring)."""

    def __init__(self):
        self.phases: dict[str, list[float]] = {}
        self.start()

    def start(self) -> None:
        """Forget every phase and start the next one now."""
        self.phases = {}
        self._mark = (time.perf_counter(), time.process_time(), children_cpu())

    def children_since(self) -> float:
        """CPU seconds of the children reaped since the last lap."""
        return children_cpu() - self._mark[2]

    def lap(self, name: str, children: float | None = None) -> None:
        """Close the current phase as `name` (added to what `name` holds already): its wall seconds and its CPU,
        this process's plus `children`, the CPU seconds its child processes spent in it (default
        `children_since()`: those reaped during it)."""
        now = (time.perf_counter(), time.process_time(), children_cpu())
        own = now[1] - self._mark[1]
        kids = now[2] - self._mark[2] if children is None else children
        wall_cpu = self.phases.setdefault(name, [0.0, 0.0])
        wall_cpu[0] += now[0] - self._mark[0]
        wall_cpu[1] += own + max(0.0, kids)
        self._mark = now

    def charge(self, name: str, cpu: float) -> None:
        """Add `cpu` seconds spent elsewhere to phase `name`, without wall time: the warm kernel's imports, which
        the first submission of a grading process pays for the rest (`grader.plugins.kernel.Zygote`)."""
        self.phases.setdefault(name, [0.0, 0.0])[1] += cpu

    def take(self) -> dict[str, tuple[float, float]]:
        """The phases so far, name -> (wall seconds, CPU seconds), and start again."""
        out = {name: (wall, cpu) for name, (wall, cpu) in self.phases.items()}
        self.start()
        return out


#: this process's clock: a grading worker runs one task at a time
CLOCK = PhaseClock()


def _p95(values: list[float]) -> float:
    """The 95th percentile by nearest rank (the largest of fewer than 20 values)."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def summary(runs: list[dict[str, tuple[float, float]]]) -> dict[str, dict[str, float]]:
    """Phase name (in `PHASES` order, then any other, then "total") -> {"wall", "wall_p95", "cpu", "cpu_p95"}: the
    mean and the 95th percentile over `runs` (one dict of phases per submission, name -> (wall, CPU) seconds; a
    phase a submission did not run counts 0 for it), "total" the sum of a submission's phases. Empty without runs."""
    if not runs:
        return {}
    names = [*PHASES, *sorted({n for r in runs for n in r} - set(PHASES))]
    names = [n for n in names if any(n in r for r in runs)]
    columns = {n: [tuple(r.get(n, (0.0, 0.0))) for r in runs] for n in names}
    columns["total"] = [(sum(w for w, _ in r.values()), sum(c for _, c in r.values())) for r in runs]
    return {n: {"wall": round(sum(w for w, _ in col) / len(col), 3), "wall_p95": round(_p95([w for w, _ in col]), 3),
                "cpu": round(sum(c for _, c in col) / len(col), 3), "cpu_p95": round(_p95([c for _, c in col]), 3)}
            for n, col in columns.items()}
