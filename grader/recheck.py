"""The re-check: every test cell that passed in the student's kernel is checked again outside it.

`Reverify` (an nbgrader preprocessor, after `SafeExecute` in nbgrader_config.py) re-runs the trusted cells in a clean
process (a fresh fork of `grader.verify`'s warm server) with the student's functions replayed from the kernel's
transcript (`helpers.transcript`); a test cell that passed in the kernel but fails there gets the error, so
nbgrader's own scoring gives it zero. Then the transcripts are removed.
"""

from __future__ import annotations

import ast
import atexit
import os

from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from helpers.transcript import MIME

from .execute import _error, _is_demo, _is_test
from .verify import Verifier


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


#: One warm re-check server per grading process (grader.verify), shared by every notebook it grades.
_VERIFIER: Verifier | None = None
