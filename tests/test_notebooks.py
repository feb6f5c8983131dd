"""Do the instructor notebooks and the explorers run top to bottom, as a user runs them, and are they committed clean?

"As a user runs them" means nbclient with its defaults, Output-widget emulation included (what
`jupyter nbconvert --execute`, papermill and nbgrader do), not a client with the emulation switched off: with it
on, a widget that draws with `with output:` could stall a cell until its timeout (jupyter/nbclient#312, see
helpers/widgets/_output.py), and a stall only delays the run, it never fails it. So the run fails on the cause (a
cell that made nbclient capture Output-widget messages), and an explorer's run must leave its plots in the saved
widget state, as `jupyter nbconvert --execute` saves it. (Each explorer also ran under that command until
2026-12-07: the same nbclient, run a second time, for 45 s of the suite.)
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from claims import CLAIMS
from support import ASSIGNMENTS, ROOT

SOURCE = [ROOT / "source" / a / f"{a}.ipynb" for a in ASSIGNMENTS]
EXPLORERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: seconds per cell; a notebook runs in seconds (README, "Measured"), and a stalled cell waits this long
CELL_TIMEOUT = 60


class CaptureRecordingClient(NotebookClient):
    """nbclient as nbconvert runs it, which also notes the cells whose output an Output widget captured.

    nbclient emulates a front end's Output widget only for `with output:` (it registers an output hook); while a
    hook is registered it sends the widget's state to the kernel on the shell channel, and that send is what can
    leave the cell's execute_reply unnoticed until the timeout. A cell listed here is a stall waiting to happen.
    """

    def __init__(self, nb, **kwargs):
        super().__init__(nb, on_cell_execute=self._note_cell, **kwargs)
        self.current_cell, self.captured_cells = None, []

    def _note_cell(self, cell, cell_index):
        self.current_cell = cell_index

    def register_output_hook(self, msg_id, hook):
        if self.current_cell not in self.captured_cells:
            self.captured_cells.append(self.current_cell)
        super().register_output_hook(msg_id, hook)


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCE + EXPLORERS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_with_every_test_passing(path):
    # Their run time is measured by `make bench` (grader/tools/bench.py) and written in the README, not asserted here.
    nb = nbformat.read(path, as_version=4)
    claims = CLAIMS.get(path.stem, [])
    if claims:  # checked in the same kernel after the run: text and results stay together
        nb.cells.append(nbformat.v4.new_code_cell(_claims_cell(claims)))
    client = CaptureRecordingClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent)}})
    executed = client.execute()  # the default widget registry: nbclient emulates Output widgets, as for a user
    assert not client.captured_cells, (
        f"{path.name}: cells {client.captured_cells} display into an ipywidgets Output with `with output:`, which "
        "makes nbclient send on the kernel's shell channel mid-cell and can stall the cell until its timeout "
        "(jupyter/nbclient#312); draw with helpers.widgets._output.Frame instead")
    if path in EXPLORERS:
        drawn = [o for state in _output_widget_states(executed) for o in state.get("outputs", [])
                 if "image/png" in o.get("data", {})]
        assert drawn, f"{path.name}: no explorer plot in the executed notebook's widget state"


def _claims_cell(claims: list[tuple[str, str]]) -> str:
    lines = ["_broken = []"]
    for says, expression in claims:
        lines.append(f"if not ({expression}):\n    _broken.append({says!r} + ' (' + {expression!r} + ' is false)')")
    lines.append("assert not _broken, 'the text says what the run no longer shows: ' + '; '.join(_broken)")
    return "\n".join(lines)


def test_every_claim_names_a_notebook_of_the_course():
    stems = {p.stem for p in SOURCE + EXPLORERS}
    assert set(CLAIMS) <= stems, f"claims of notebooks that do not exist: {sorted(set(CLAIMS) - stems)}"


def _output_widget_states(nb: dict) -> list[dict]:
    """The saved states of the notebook's Output widgets (nbclient stores every widget's state in the metadata)."""
    states = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return [m["state"] for m in states.get("state", {}).values() if m.get("model_name") == "OutputModel"]


@pytest.mark.parametrize("path", SOURCE + EXPLORERS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    cells = json.loads(path.read_text())["cells"]
    dirty = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts; clear them before committing"


def test_every_assignment_of_the_course_has_an_explorer():
    for a in ASSIGNMENTS:
        assert (ROOT / "notebooks" / f"{a}_explorer.ipynb").is_file(), f"notebooks/{a}_explorer.ipynb is missing"
