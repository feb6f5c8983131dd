"""The reference implementation of every graded function, read from the instructor's notebooks.

`helpers` ships to students, so it holds no graded function's solution (COURSE_SPEC, conventions); the tests that
need one (to drive `helpers.deep_signal.deep_forward`, to compare a widget with the assignment, to walk `helpers`
for equivalents) take it from where it lives, the solution cells of `source/<assignment>/<assignment>.ipynb`:

    ref = references.solutions("02_vanishing_exploding")
    ref.deep_linear_forward(x, weights)

Each solution cell runs once per process, in a namespace of its own holding numpy as `np` and the layers of
`helpers.layers` that 04's set-up cell imports, cells in notebook order, so a solution may call the graded
functions above it.
"""

from __future__ import annotations

import functools
import json
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: every assignment of the course, in course order: the folders of source/
ASSIGNMENTS = tuple(sorted(p.name for p in (ROOT / "source").iterdir() if (p / f"{p.name}.ipynb").is_file()))


def graded_functions(assignment: str) -> list[str]:
    """The names of the graded functions of `assignment`, in notebook order: its solution cells that define one."""
    return [gid for gid, _ in _solution_cells(assignment) if gid.isidentifier()]


def _solution_cells(assignment: str) -> list[tuple[str, str]]:
    nb = json.loads((ROOT / "source" / assignment / f"{assignment}.ipynb").read_text())
    cells = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and meta.get("solution") and f"def {meta['grade_id']}(" in source:
            cells.append((meta["grade_id"], source))
    return cells


@functools.lru_cache(maxsize=None)
def solutions(assignment: str) -> types.SimpleNamespace:
    """The instructor's graded functions of `assignment`, as attributes (`ref.layer_norms`, ...)."""
    from helpers.layers import activation_backward, dropout_backward

    namespace = {"np": np, "numpy": np, "__name__": f"references_{assignment}",
                 "activation_backward": activation_backward, "dropout_backward": dropout_backward}
    for _, source in _solution_cells(assignment):
        exec(compile(source, f"source/{assignment}/{assignment}.ipynb", "exec"), namespace)  # noqa: S102
    return types.SimpleNamespace(**{name: namespace[name] for name in graded_functions(assignment)})
