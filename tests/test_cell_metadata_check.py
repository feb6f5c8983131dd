"""nbgrader checks each cell's nbgrader metadata against its JSON schema; the course's patch
(`grader.plugins.patches.cell_metadata_checked_by_one_validator`) builds the validator once instead of on every
cell. It must accept and refuse exactly what jsonschema.validate does, with the same error."""

from __future__ import annotations

import copy

import jsonschema
import nbformat
import pytest

from support import ROOT

BAD = [("points", "ten"), ("grade", "yes"), ("grade_id", 7), ("locked", None)]


def _validator():
    from grader.plugins.patches import install

    install()
    from nbgrader.nbgraderformat import common
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    return common, MetadataValidatorV3()


def test_the_course_validator_is_in_place_and_accepts_every_release_notebook():
    from grader.plugins.patches import _OneValidatorPerSchema

    common, validator = _validator()
    assert isinstance(common.jsonschema, _OneValidatorPerSchema), "nbgrader still calls jsonschema.validate per cell"
    for path in sorted((ROOT / "release").glob("*/*.ipynb")):
        validator.validate_nb(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("key,value", BAD, ids=[k for k, _ in BAD])
def test_bad_metadata_raises_what_jsonschema_validate_raises(key, value):
    _, validator = _validator()
    nb = nbformat.read(ROOT / "release" / "01_normalization" / "01_normalization.ipynb", as_version=4)
    cell = copy.deepcopy(next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")))
    cell.metadata.nbgrader[key] = value
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(cell.metadata.nbgrader, validator.schema)
    with pytest.raises(jsonschema.ValidationError) as found:
        validator.validate_cell(cell)
    assert found.value.message == expected.value.message, (found.value.message, expected.value.message)
    assert list(found.value.path) == list(expected.value.path)
