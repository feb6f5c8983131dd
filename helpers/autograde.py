"""nbgrader preprocessors that make autograding safe; nbgrader_config.py puts them in every grading path.

- `SafeExecute` runs the notebook in the sandboxed kernel (`helpers.kernel`, `helpers.sandbox`), caps each
  cell's output, and survives a cell that hangs or kills the kernel: the cell gets an error, the kernel is
  restarted, the cells that had run fine are run again silently, and grading goes on with the next cell.
- `Reverify` re-runs the trusted cells in a clean process (a fresh fork of `helpers.verify`'s warm server) with
  the student's functions replayed from the kernel's transcript (`helpers.transcript`); a test cell that passed
  in the kernel but fails there gets the error, so nbgrader's own scoring gives it zero. Then the transcripts
  are removed.
- `HideHiddenTests` (feedback) removes hidden test code from the cells and their tracebacks.
"""

from __future__ import annotations

import ast
import atexit
import json
import os

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor, OverwriteCells
from traitlets import Integer, Unicode

from .kernel import CourseKernelManager
from .transcript import MIME
from .verify import Verifier


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _is_test(cell) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


DEMO_PREFIX = "demo_"


def _is_demo(cell, prefix: str = DEMO_PREFIX) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(prefix) and meta.get("locked", False) and meta.get("grade_id", "").startswith(prefix)


class SafeExecute(Execute):
    """nbgrader's Execute in the sandboxed kernel, with output caps and recovery from hung or dead kernels."""

    skip_prefix = Unicode(DEMO_PREFIX, help="Locked cells whose grade_id starts with this are not run when grading: "
                          "demonstrations that no test depends on").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="Output one cell may keep (transcripts aside), in bytes").tag(config=True)
    max_transcript_bytes = Integer(256_000_000, help="Transcript one cell may send, in bytes").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = CourseKernelManager
        super().__init__(*args, **kwargs)
        # No Output-widget emulation: its messages to the kernel can stall a cell until the timeout
        # (jupyter/nbclient#312), and grading needs the outputs, not the widgets' state.
        self.widget_registry = {}

    def preprocess(self, nb, resources=None, km=None):
        self._rerun: list[str] = []  # sources of the cells to run again after a restart
        self._sizes: dict[tuple[int, bool], int] = {}
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if _is_demo(cell, self.skip_prefix):
            return cell, self.resources
        try:
            cell = self.execute_cell(cell, index, store_history=True)
        except (DeadKernelError, CellTimeoutError) as stop:
            what = ("the kernel died while running this cell (too much memory or CPU time, or the process exited)"
                    if isinstance(stop, DeadKernelError) else
                    f"this cell did not finish within {self.timeout} s and could not be interrupted")
            cell.outputs.append(_error("KernelStopped", f"{what}; it was restarted and grading went on."))
            self._restart()
        else:
            failed = any(o.output_type == "error" for o in cell.get("outputs", []))
            if cell.cell_type == "code" and not failed and not _is_test(cell):
                self._rerun.append(cell.source)
        if _is_test(cell):
            # nbgrader scores a test cell with any stderr output as 0, and a numpy RuntimeWarning from a correct
            # answer lands there: here a test fails by raising, so the text stays but moves to stdout
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    output.name = "stdout"
        return cell, self.resources

    def _restart(self) -> None:
        run_sync(self._async_restart)()

    async def _async_restart(self) -> None:
        if self.kc is not None:
            await ensure_async(self.kc.stop_channels())
        await ensure_async(self.km.restart_kernel(now=True))
        await self.async_start_new_kernel_client()
        for source in self._rerun:
            try:
                await self.kc.execute_interactive(source, store_history=False, timeout=self.timeout,
                                                  output_hook=lambda msg: None)
            except Exception:  # noqa: BLE001 - a cell that cannot run again leaves its names undefined
                self.log.warning("a cell could not be run again after the kernel restarted")

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        transcript = MIME in content.get("data", {})
        size = len(json.dumps(content, default=str)) if msg["msg_type"] != "status" else 0
        key = (cell_index, transcript)
        self._sizes[key] = self._sizes.get(key, 0) + size
        limit = self.max_transcript_bytes if transcript else self.max_output_bytes
        if self._sizes[key] > limit:
            if self._sizes[key] - size <= limit:
                outs.append(NotebookNode(output_type="stream", name="stdout",
                                         text=f"\n... output past {limit:,} bytes was dropped by the grader ...\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


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


class Reverify(NbGraderPreprocessor):
    """Check again, outside the kernel, every test cell that passed in it."""

    timeout = Integer(300, help="Seconds the clean re-check of one notebook may take").tag(config=True)

    def preprocess(self, nb, resources):
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
                job["transcripts"][gid] = [o["data"][MIME] for o in cell.get("outputs", [])
                                           if o.get("output_type") == "display_data" and MIME in o.get("data", {})]
        results = self._run(job)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if _is_test(cell) and not any(o.output_type == "error" for o in cell.outputs):
                verdict = results.get(gid, {"passed": False, "ename": "CheckFailed",
                                            "evalue": "this test could not be checked again outside your kernel"})
                if not verdict["passed"]:
                    cell.outputs.append(_error(verdict["ename"] or "CheckFailed",
                                               f"{verdict['evalue']}\n(checked again outside your notebook's "
                                               "kernel, where changes to libraries or tests have no effect)"))
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if MIME not in o.get("data", {})]
        return nb, resources

    def _run(self, job: dict) -> dict:
        global _VERIFIER
        if _VERIFIER is None:
            env = dict(os.environ, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1")
            env.pop("COURSE_TRANSCRIPT", None)
            _VERIFIER = Verifier(env)
            atexit.register(_VERIFIER.close)
        results = _VERIFIER.check(job, self.timeout)
        if results is None:
            self.log.error("the clean re-check of %s did not finish", job.get("names"))
        return results or {}


#: One warm re-check server per grading process (helpers.verify), shared by every notebook it grades.
_VERIFIER: Verifier | None = None


class RestoreCells(OverwriteCells):
    """nbgrader's OverwriteCells, robust to cells whose nbgrader metadata it had to strip of an unknown grade_id
    (a cell pasted from elsewhere would otherwise stop the whole submission from being graded)."""

    def add_missing_task_cells(self, nb, resources):
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is not None and "grade_id" not in meta:
                del cell.metadata["nbgrader"]
        return super().add_missing_task_cells(nb, resources)


class HideHiddenTests(ClearHiddenTests):
    """For feedback: hidden test code leaves the cells, and tracebacks keep only the message."""

    def preprocess_cell(self, cell, resources, cell_index):
        if _is_test(cell):
            self._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
