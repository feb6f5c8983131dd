"""Do the instructor notebooks and the explorers run top to bottom, fast, and are they committed clean?"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ASSIGNMENTS, ROOT

SOURCE = [ROOT / "source" / a / f"{a}.ipynb" for a in ASSIGNMENTS]
EXPLORERS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCE + EXPLORERS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_with_every_test_passing(path):
    # Their run time is measured by `make bench` (helpers/bench.py) and written in the README, not asserted here.
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.widget_registry = {}  # no Output-widget emulation, which can stall a cell to the timeout (nbclient#312)
    client.execute()


@pytest.mark.parametrize("path", SOURCE + EXPLORERS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    cells = json.loads(path.read_text())["cells"]
    dirty = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts; clear them before committing"


def test_every_assignment_of_the_course_has_an_explorer():
    for a in ASSIGNMENTS:
        assert (ROOT / "notebooks" / f"{a}_explorer.ipynb").is_file(), f"notebooks/{a}_explorer.ipynb is missing"
