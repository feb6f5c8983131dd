"""Does the submission builder replace exactly the cells a scenario names, and reject what it cannot place?"""

import nbformat
import pytest

from grader.tools.scenarios import Scenario, build, graded_cells, solution_cells
from support import ROOT

A = "01_normalization"
SOURCE = ROOT / "source" / A / f"{A}.ipynb"
RELEASE = ROOT / "release" / A / f"{A}.ipynb"


def test_solution_cells_drop_only_the_markers():
    code = solution_cells(SOURCE)["normalize"]
    assert "BEGIN SOLUTION" not in code and "def normalize(X, mu, sigma):" in code and "return X_norm" in code


def test_a_scenario_replaces_its_cells_and_keeps_the_solution_elsewhere(tmp_path):
    path = tmp_path / "mistake_example.py"
    path.write_text('"""Example."""\n# loses: test_normalize\n# %% cell: normalize\ndef normalize(X, mu, sigma):\n    return X\n')
    s = Scenario.parse(path, A)
    assert s.doc == "Example." and s.loses == {"test_normalize"} and list(s.cells) == ["normalize"]
    nb = s.notebook(ROOT)
    sources = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
    assert sources["normalize"].strip() == "def normalize(X, mu, sigma):\n    return X"
    assert "raise NotImplementedError" not in sources["normalization_stats"]
    assert "### BEGIN HIDDEN TESTS" not in nbformat.writes(nb)


def test_building_with_an_unknown_cell_names_the_known_ones():
    with pytest.raises(ValueError, match="no solution cell named"):
        build(RELEASE, {"normalise": "pass"})


def test_graded_cells_are_the_autograded_test_cells_with_their_points():
    assert graded_cells(RELEASE) == {"test_normalization_stats": 3.0, "test_normalize": 3.0,
                                     "test_normalize_train_test": 3.0, "test_condition_number": 3.0}
