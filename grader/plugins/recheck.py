"""The re-check: every test cell is checked again outside the student's kernel, and shows only what that vouches for.

`Recheck` (an nbgrader preprocessor, after `SafeExecute` in nbgrader_config.py) re-runs the trusted cells in a clean
process (a fresh fork of `grader.plugins.recheck_server`'s warm server) with the student's functions replayed from the kernel's
transcript (`helpers.transcript`). Then each test cell's outputs are replaced by the re-check's: what the trusted
test code printed there, and its error when it failed (the expected value, the value found, the named mistake). A
test cell that passed in the kernel but fails there gets that error, so nbgrader's own scoring gives it zero; one
that failed in the kernel stays failed, with the re-check's message, or the grader's own when the cell ran out of
time or killed the kernel. Nothing the kernel printed in a test cell reaches the autograded notebook or the feedback:
student code runs in that kernel, and could print there what it saw (the hidden tests' source, from an IPython
hook, say). Solution cells keep their outputs. Then the transcripts are removed. It closes the "re-check" phase of
the grading clock (`grader.plugins.phases`), the warm server's CPU included.
"""

from __future__ import annotations

import ast
import atexit
import os
import re
from dataclasses import dataclass

from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from helpers.transcript import MIME, records_of

from .execute import STOPPED, TIMEOUT_ERRORS, _error, _is_demo, _is_test
from .phases import CLOCK
from .recheck_server import RecheckServer


def _defined_names(source: str) -> set[str]:
    """Names a solution cell defines at top level (functions, classes, assignments)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


#: what a test cell says when the re-check could not give a verdict
UNCHECKED = {"passed": False, "ename": "CheckFailed", "evalue": "this test could not be checked again outside your "
             "notebook's kernel", "output": ""}
#: said of a test that failed in the kernel but passed in the re-check (the kernel's own message is not shown)
FAILED_IN_KERNEL = ("this test failed in your notebook's kernel ({ename}), though it passed when checked again outside "
                    "it; run the notebook from a fresh kernel (Kernel > Restart Kernel and Run All Cells)")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,80}")


@dataclass(frozen=True)
class CellOutcome:
    """What grading found in one test cell (or another cell that ran out of time or killed the kernel), as data:
    whether it `passed`, the error it shows (`ename`, "" if none), the catalogued `mistake` the re-check's check
    recognised (None if none), and `stopped`, the grader's own error when the cell ran out of time or killed the
    kernel (None otherwise)."""

    grade_id: str
    passed: bool
    ename: str = ""
    mistake: str | None = None
    stopped: str | None = None


#: the outcomes of every notebook re-checked in this process, by (assignment, student, notebook), for the class
#: run's worker to take after nbgrader's autograde returns (`take_outcomes`); plain nbgrader leaves them here
_OUTCOMES: dict[tuple[str, str, str], list[CellOutcome]] = {}


def take_outcomes(assignment: str, student: str) -> list[CellOutcome]:
    """The test cells' outcomes of `student`'s `assignment` re-checked in this process (every notebook of it),
    removed from the registry; empty when none was."""
    found = []
    for key in [k for k in _OUTCOMES if k[:2] == (assignment, student)]:
        found += _OUTCOMES.pop(key)
    return found


def outcome(cell, verdict: dict | None, outputs: list[NotebookNode]) -> CellOutcome:
    """The outcome of a test cell from its re-check `verdict` and the outputs `vouched_outputs` gave it."""
    verdict = verdict or UNCHECKED
    shown = next((o for o in outputs if o.get("output_type") == "error"), None)
    stopped = cell.metadata.get(STOPPED)
    mistake = verdict.get("mistake") if shown is not None and not stopped and not verdict["passed"] else None
    return CellOutcome(cell.metadata["nbgrader"]["grade_id"], shown is None, shown.ename if shown else "", mistake,
                       stopped["ename"] if stopped else None)


def vouched_outputs(cell, verdict: dict | None) -> list[NotebookNode]:
    """A test cell's outputs as the re-check vouches for them: the trusted code's printed output, then an error when
    it failed in the kernel or in the re-check (`verdict`, None when the re-check gave none)."""
    verdict = verdict or UNCHECKED
    kernel_error = next((o for o in cell.outputs if o.get("output_type") == "error"), None)
    stopped = cell.metadata.get(STOPPED)
    outputs = []
    if verdict.get("output"):
        outputs.append(NotebookNode(output_type="stream", name="stdout", text=verdict["output"]))
    if stopped:  # the grader's own words: the cell ran out of time or killed the kernel
        outputs.append(_error(stopped["ename"], stopped["evalue"]))
    elif not verdict["passed"]:
        suffix = "" if kernel_error else ("\n(checked again outside your notebook's kernel, where changes to "
                                          "libraries or tests have no effect)")
        outputs.append(_error(verdict["ename"] or "CheckFailed", f"{verdict['evalue']}{suffix}"))
    elif kernel_error is not None:
        ename = kernel_error.get("ename", "")
        ename = ename if _IDENTIFIER.fullmatch(ename) else "Error"
        if ename in TIMEOUT_ERRORS:
            outputs.append(_error(ename, "this cell was stopped before it finished"))
        else:
            outputs.append(_error(ename, FAILED_IN_KERNEL.format(ename=ename)))
    return outputs


class Recheck(NbGraderPreprocessor):
    """Check again, outside the kernel, every test cell, and keep only the outputs that check vouches for."""

    timeout = Integer(300, help="Seconds the clean re-check of one notebook may take").tag(config=True)
    _server_cpu = 0.0  # CPU seconds the warm server spent on this notebook (`_run`)

    def preprocess(self, nb, resources):
        self._server_cpu = 0.0
        try:
            return self._recheck(nb, resources)
        finally:
            CLOCK.lap("re-check", CLOCK.children_since() + self._server_cpu)

    def _recheck(self, nb, resources):
        meta = resources["nbgrader"]
        with Gradebook(meta["db_url"]) as gb:
            source = {c.name: NotebookNode(cell_type=c.cell_type, locked=c.locked, source=c.source)
                      for c in gb.find_notebook(meta["notebook"], meta["assignment"]).source_cells}
        # the graded names are what the unlocked (solution) cells of the instructor's notebook define
        names = set().union(*(_defined_names(c.source) for c in source.values()
                              if c.cell_type == "code" and not c.locked))
        job = {"cells": [], "names": sorted(names), "transcripts": {}}
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            trusted = source.get(gid)
            if trusted is None or trusted.cell_type != "code" or not trusted.locked or _is_demo(cell):
                continue
            kind = "test" if _is_test(cell) else "setup"
            job["cells"].append({"kind": kind, "grade_id": gid, "source": trusted.source})
            if kind == "test":
                job["transcripts"][gid] = [record for o in cell.get("outputs", [])
                                           if o.get("output_type") == "display_data" and MIME in o.get("data", {})
                                           for record in records_of(o["data"][MIME])]
        results = self._run(job)
        outcomes = []
        for index, cell in enumerate(nb.cells):
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if _is_test(cell):
                cell.outputs = vouched_outputs(cell, results.get(gid))
                outcomes.append(outcome(cell, results.get(gid), cell.outputs))
            elif cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if MIME not in o.get("data", {})]
                if cell.metadata.get(STOPPED):  # a student's own cell that ran out of time or killed the kernel
                    ename = cell.metadata[STOPPED]["ename"]
                    outcomes.append(CellOutcome(gid or f"cell {index + 1}", False, ename, None, ename))
            cell.metadata.pop(STOPPED, None)
        _OUTCOMES[(meta["assignment"], meta["student"], meta["notebook"])] = outcomes
        return nb, resources

    def _run(self, job: dict) -> dict:
        global _SERVER
        if _SERVER is None:
            env = dict(os.environ, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1")
            env.pop("COURSE_TRANSCRIPT", None)
            _SERVER = RecheckServer(env)
            atexit.register(_SERVER.close)
        pid, before = _SERVER.cpu()
        try:
            results = _SERVER.check(job, self.timeout)
        finally:
            # the server lives on: its CPU is read from /proc (one that died or was replaced meanwhile was reaped,
            # and getrusage counts it in the phase)
            now, after = _SERVER.cpu()
            self._server_cpu += after - (before if now == pid else 0.0)
        if results is None:
            self.log.error("the clean re-check of %s did not finish", job.get("names"))
        return results or {}


#: One warm re-check server per grading process (grader.plugins.recheck_server), shared by every notebook it grades.
_SERVER: RecheckServer | None = None
