"""Does autograding restore the graded cells whatever a student did to the notebook's structure?

Unit tests run `grader.plugins.restore.RestoreCells` on a tiny notebook whose gradebook nbgrader's own `SaveCells`
wrote, one scenario per test; every result must validate with nbformat and with nbgrader's metadata checks.
The end-to-end tests grade manipulated solutions of 01_normalization with `nbgrader autograde`.
"""

from __future__ import annotations

import copy
import os
import random
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import ComputeChecksums, SaveCells
from nbgrader.utils import compute_checksum, determine_grade

from grader.course import nbgrader
from grader.plugins.matching import release_text
from grader.plugins.restore import REPAIRED, RestoreCells, restore, trusted_cells
from grader.plugins.sandbox import sandbox_problem
from grader.tools.scenarios import example_notebook, graded_cells
from support import ROOT, cell_scores, make_course, submit

STUB = "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"
TEST = "assert f() == 1\n### BEGIN HIDDEN TESTS\nassert f() + 1 == 2\n### END HIDDEN TESTS"
#: The instructor's notebook, as generate_assignment records it: (grade_id, cell_type, kind, source, points)
INSTRUCTOR = [
    ("intro", "markdown", "locked", "# Intro", None),
    ("setup", "code", "locked", "x = 1", None),
    (None, "markdown", None, "Write f.", None),
    ("f", "code", "solution", STUB, None),
    ("test_f", "code", "test", TEST, 2),
    ("demo_f", "code", "locked", "print(f())", None),
    (None, "markdown", None, "Why?", None),
    ("written_why", "markdown", "written", "YOUR ANSWER HERE", 3),
]
TRUSTED = [gid for gid, *_ in INSTRUCTOR if gid]


def _cell(gid, cell_type, kind, source, points):
    cell = (new_code_cell if cell_type == "code" else new_markdown_cell)(source)
    if gid:
        cell.metadata.nbgrader = {"schema_version": 3, "grade_id": gid, "grade": kind in ("test", "written"),
                                  "solution": kind in ("solution", "written"), "locked": kind in ("locked", "test"),
                                  "task": False}
        if points:
            cell.metadata.nbgrader["points"] = points
    return cell


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    """The instructor's notebook recorded in a gradebook (once: RestoreCells only reads it)."""
    db = f"sqlite:///{tmp_path_factory.mktemp('restore_unit') / 'gradebook.db'}"
    with pytest.MonkeyPatch.context() as mp:
        # a new gradebook runs `alembic` from PATH: this interpreter's environment first, as grader.course does
        mp.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
        with Gradebook(db) as gb:
            gb.add_assignment("a")
    res = {"nbgrader": {"db_url": db, "assignment": "a", "notebook": "n"}}
    nb = new_notebook(cells=[_cell(*spec) for spec in INSTRUCTOR])
    ComputeChecksums().preprocess(nb, res)
    SaveCells().preprocess(nb, res)
    return res


@pytest.fixture
def release():
    """A fresh copy of the notebook the student was given, with checksums as in release/."""
    nb = new_notebook(cells=[_cell(*spec) for spec in INSTRUCTOR])
    ComputeChecksums().preprocess(nb, {})
    return nb


def _gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _at(nb, gid) -> int:
    return next(i for i, c in enumerate(nb.cells) if _gid(c) == gid)


def _restore(nb, resources):
    """RestoreCells, then the checks that come after it when grading: nbformat's and CheckCellMetadata's."""
    nb, _ = RestoreCells().preprocess(nb, resources)
    nbformat.validate(nb)
    MetadataValidator().validate_nb(nb)
    graded = [_gid(c) for c in nb.cells if _gid(c)]
    assert graded == TRUSTED, f"graded cells not restored exactly once in the instructor's order: {graded}"
    return nb


def test_an_untouched_release_comes_back_unchanged(resources, release):
    nb = _restore(copy.deepcopy(release), resources)
    assert [(c.cell_type, c.source) for c in nb.cells] == [(c.cell_type, c.source) for c in release.cells], \
        "an untouched notebook changed"
    assert [c.id for c in nb.cells] == [c.id for c in release.cells], "cell ids changed"


def test_a_test_cell_turned_markdown_is_restored_as_code(resources, release):
    i = _at(release, "test_f")
    release.cells[i] = new_markdown_cell("assert True", metadata=release.cells[i].metadata)
    nb = _restore(release, resources)
    cell = nb.cells[_at(nb, "test_f")]
    assert (cell.cell_type, cell.source) == ("code", TEST), f"test cell not restored: {cell}"


def test_a_written_answer_turned_code_is_markdown_again_with_its_text(resources, release):
    i = _at(release, "written_why")
    release.cells[i] = new_code_cell("Because the test set must not leak.", metadata=release.cells[i].metadata)
    nb = _restore(release, resources)
    cell = nb.cells[_at(nb, "written_why")]
    assert (cell.cell_type, cell.source) == ("markdown", "Because the test set must not leak."), \
        f"written answer lost or left as code: {cell}"
    assert "outputs" not in cell, "a markdown cell kept code-cell fields"


def test_a_code_solution_turned_markdown_runs_as_code_again(resources, release):
    i = _at(release, "f")
    release.cells[i] = new_markdown_cell("def f():\n    return 1", metadata=release.cells[i].metadata)
    nb = _restore(release, resources)
    cell = nb.cells[_at(nb, "f")]
    assert (cell.cell_type, cell.source) == ("code", "def f():\n    return 1"), f"solution not code again: {cell}"


def test_a_deleted_written_answer_after_a_demo_cell_comes_back_as_its_stub(resources, release):
    del release.cells[_at(release, "written_why")]
    nb = _restore(release, resources)
    i = _at(nb, "written_why")
    assert _gid(nb.cells[i - 1]) == "demo_f", "the written answer is not back after the cell before it"
    cell = nb.cells[i]
    assert (cell.cell_type, cell.source) == ("markdown", "YOUR ANSWER HERE"), f"not the release stub: {cell}"
    # the student wrote an answer somewhere, perhaps: no checksum, so nbgrader leaves it to the hand grader
    assert determine_grade(cell) == (None, 3.0), "a written answer put back is not flagged for hand grading"


def test_an_unanswered_written_answer_left_in_place_keeps_its_checksum(resources, release):
    nb = _restore(release, resources)
    cell = nb.cells[_at(nb, "written_why")]
    # an unchanged stub's checksum is how nbgrader scores an unanswered question 0 without manual grading
    assert compute_checksum(cell) == cell.metadata.nbgrader["checksum"], "the stub's checksum does not match"


def test_a_deleted_solution_comes_back_as_its_stub_before_its_tests(resources, release):
    del release.cells[_at(release, "f")]
    nb = _restore(release, resources)
    assert nb.cells[_at(nb, "f")].source == STUB, "the deleted solution is not its release stub"
    assert _at(nb, "f") + 1 == _at(nb, "test_f"), "the solution is not right before its test"
    assert nb.cells[_at(nb, "f") - 1].source == "Write f.", "the solution is not right after its question"


def test_deleted_locked_and_test_cells_come_back_in_place(resources, release):
    for gid in ("intro", "setup", "test_f", "demo_f"):
        del release.cells[_at(release, gid)]
    nb = _restore(release, resources)
    assert [c.source for c in nb.cells] == [s for *_, s, _ in INSTRUCTOR], "cells not back where they were"


def test_edited_locked_cells_points_and_flags_get_the_gradebooks_back(resources, release):
    test = release.cells[_at(release, "test_f")]
    test.source = "pass"
    test.metadata.nbgrader.update(points=100, locked=False)
    release.cells[_at(release, "setup")].metadata.nbgrader["locked"] = False
    nb = _restore(release, resources)
    test = nb.cells[_at(nb, "test_f")]
    assert (test.source, test.metadata.nbgrader["points"], test.metadata.nbgrader["locked"]) == (TEST, 2.0, True), \
        f"edited test cell not restored: {test}"
    assert nb.cells[_at(nb, "setup")].source == "x = 1", "an unlocked set-up cell kept the student's edit"


def test_a_duplicated_solution_keeps_the_copy_the_student_wrote_in(resources, release):
    i = _at(release, "f")
    release.cells[i].source = "def f():\n    return 1"
    release.cells.insert(i + 1, copy.deepcopy(release.cells[i]))
    release.cells[i + 1].source = STUB  # a stale copy of the stub, pasted below the answer
    release.cells[i + 1].id = "pasted-copy"
    nb = _restore(release, resources)
    assert nb.cells[_at(nb, "f")].source == "def f():\n    return 1", "the written copy was not kept"
    stale = next(c for c in nb.cells if c.id == "pasted-copy")
    assert "nbgrader" not in stale.metadata and stale.source == STUB, "the other copy is not an ordinary cell"


def test_a_duplicated_solution_keeps_the_later_copy(resources, release):
    i = _at(release, "f")
    release.cells[i].source = "def f():\n    return 0"
    release.cells.insert(i + 1, copy.deepcopy(release.cells[i]))
    release.cells[i + 1].source = "def f():\n    return 1"
    nb = _restore(release, resources)
    assert nb.cells[_at(nb, "f")].source == "def f():\n    return 1", "the later copy was not kept"
    assert nb.cells[_at(nb, "f") - 1].source == "def f():\n    return 0", "the earlier copy left its place"


def test_a_duplicated_test_cell_is_restored_once(resources, release):
    i = _at(release, "test_f")
    release.cells[i:i] = [copy.deepcopy(release.cells[i]), copy.deepcopy(release.cells[i])]
    nb = _restore(release, resources)
    assert len(nb.cells) == len(release.cells), "copies were dropped instead of kept as ordinary cells"


@pytest.mark.parametrize("copied_metadata", [False, True], ids=["new_cell", "metadata_copied"])
def test_a_split_solution_keeps_both_halves_in_order(resources, release, copied_metadata):
    i = _at(release, "f")
    second = new_code_cell("def f():\n    return helper()")
    if copied_metadata:
        second.metadata = copy.deepcopy(release.cells[i].metadata)
    release.cells[i].source = "def helper():\n    return 1"
    release.cells.insert(i + 1, second)
    nb = _restore(release, resources)
    j = next(k for k, c in enumerate(nb.cells) if "def helper" in c.source)
    assert nb.cells[j + 1].source == "def f():\n    return helper()", "the halves are no longer in order"
    assert nb.cells[j + 2].source == TEST, "the test does not come after both halves"


def test_moved_graded_cells_go_back_to_the_instructors_order(resources, release):
    cells = release.cells
    cells[_at(release, "f")], cells[_at(release, "test_f")] = cells[_at(release, "test_f")], cells[_at(release, "f")]
    cells.insert(0, cells.pop(_at(release, "written_why")))
    cells[_at(release, "f")].source = "def f():\n    return 1"
    nb = _restore(release, resources)  # checks the instructor's order of the graded cells
    assert nb.cells[_at(nb, "f")].source == "def f():\n    return 1", "the moved solution lost its text"
    assert nb.cells[3].source == "Write f." and nb.cells[7].source == "Why?", "the student's cells moved"


def test_a_nbformat_4_4_notebook_without_ids_is_upgraded_with_fresh_ids(resources, release):
    nb44 = nbformat.from_dict(copy.deepcopy(release))
    nb44.nbformat_minor = 4
    for cell in nb44.cells:
        del cell["id"]
    i = _at(nb44, "test_f")
    nb44.cells[i] = nbformat.from_dict({"cell_type": "markdown", "metadata": nb44.cells[i].metadata, "source": "x"})
    nbformat.validate(nb44)  # a valid 4.4 notebook to begin with
    nb = _restore(nb44, resources)
    assert nb.nbformat_minor == 5 and all(c.get("id") for c in nb.cells), "not upgraded to 4.5 with ids"


def test_repeated_and_invalid_ids_are_replaced(resources, release):
    for cell in release.cells[:3]:
        cell.id = "same"
    release.cells[3].id = "not valid!"
    del release.cells[4]["id"]
    nb, _ = RestoreCells().preprocess(release, resources)  # straight in: nbformat.read would repair these itself
    nbformat.validate(nb)
    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids) and ids[0] == "same", f"ids not made unique: {ids}"


@pytest.mark.parametrize("meta", [{"grade_id": "pasted_from_elsewhere", "grade": True, "solution": False,
                                   "locked": True, "points": 1, "schema_version": 3},
                                  {"solution": True, "grade": False, "locked": False},
                                  "not a dict"], ids=["unknown_grade_id", "no_grade_id", "not_a_dict"])
def test_nbgrader_metadata_the_gradebook_does_not_know_is_removed(resources, release, meta):
    release.cells.insert(2, new_code_cell("y = 2", metadata={"nbgrader": meta}))
    nb = _restore(release, resources)
    assert "nbgrader" not in nb.cells[2].metadata and nb.cells[2].source == "y = 2", \
        "the unknown cell is not an ordinary cell in its place"


def test_cells_nbformat_would_reject_are_rebuilt_from_their_text(resources, release):
    release.cells.insert(2, new_code_cell("y = 2"))
    release.cells[2].metadata.tags = "not a list"
    written = release.cells[_at(release, "written_why")]
    written.source, written.attachments = "See the figure.", {"plot.png": "not a mime bundle"}
    nb = _restore(release, resources)  # validates
    assert nb.cells[2].source == "y = 2", "the student's invalid cell lost its text"
    assert nb.cells[_at(nb, "written_why")].source == "See the figure.", "the written answer lost its text"


def test_a_notebook_emptied_of_graded_cells_gets_all_of_them_back(resources, release):
    release.cells = [c for c in release.cells if not _gid(c)]
    nb = _restore(release, resources)
    assert len(nb.cells) == len(INSTRUCTOR), "cells missing or added twice"


class Said:
    """A logger that keeps the repairs it is told (`Repaired: ...` warnings)."""

    def __init__(self):
        self.repairs: list[str] = []

    def warning(self, fmt, *args):
        text = fmt % args
        if text.startswith(REPAIRED):
            self.repairs.append(text[len(REPAIRED):])

    def info(self, *args):
        pass


def _repaired(nb, resources, narrative=frozenset()) -> tuple[list, list[str]]:
    """The cells `restore` makes of `nb` (with the source notebook's `narrative`) and the repairs it says."""
    meta = resources["nbgrader"]
    said = Said()
    cells = restore(list(nb.cells), trusted_cells(meta["db_url"], meta["notebook"], meta["assignment"]), said,
                    set(narrative))
    graded = [_gid(c) for c in cells if _gid(c)]
    assert graded == TRUSTED, f"graded cells not restored exactly once in the instructor's order: {graded}"
    return cells, said.repairs


def test_a_test_cell_as_the_release_shows_it_is_not_reported_as_edited(resources, release):
    release.cells[_at(release, "test_f")].source = release_text(TEST)  # the release has no hidden tests
    cells, repairs = _repaired(release, resources)
    assert repairs == [], f"false repairs reported for an untouched notebook: {repairs}"
    assert cells[_at(release, "test_f")].source == TEST, "the hidden tests were not put back"
    release.cells[_at(release, "test_f")].source = "pass"
    assert any("'test_f' was edited" in r for r in _repaired(release, resources)[1]), "a real edit is not said"


def test_a_deleted_written_answer_is_said_in_words_with_its_points(resources, release):
    del release.cells[_at(release, "written_why")]
    _, repairs = _repaired(release, resources)
    assert repairs == ["the written answer 'written_why' was missing: restored empty, 0 of 3 until graded by hand"]


def test_with_nbgrader_metadata_stripped_graded_cells_are_found_by_their_content_in_place(resources, release):
    release.cells[_at(release, "f")].source = "def f():\n    return 1"
    release.cells[_at(release, "written_why")].source = "Because."
    for cell in release.cells:
        cell.metadata.pop("nbgrader", None)
    cells, repairs = _repaired(release, resources, narrative={"Write f.", "Why?"})
    assert [c.source for c in cells] == [s for *_, s, _ in INSTRUCTOR[:3]] + ["def f():\n    return 1", TEST,
                                         "print(f())", "Why?", "Because."], "cells not matched in place"
    assert any("'f' had no nbgrader metadata" in r for r in repairs), repairs
    assert any("'written_why' had no nbgrader metadata" in r for r in repairs), repairs


def test_a_solution_deleted_and_retyped_is_graded_from_the_retyped_cell_not_shadowed_by_a_stub(resources, release):
    i = _at(release, "f")
    release.cells[i] = new_code_cell("def f():\n    return 1")
    cells, repairs = _repaired(release, resources)
    assert len(cells) == len(INSTRUCTOR), "a release stub was added beside the retyped answer"
    assert cells[i].source == "def f():\n    return 1" and _gid(cells[i]) == "f", f"the answer is {cells[i]}"
    assert any("retyped" in r for r in repairs), repairs


def test_a_split_solution_records_the_half_that_defines_the_function_as_the_answer(resources, release):
    i = _at(release, "f")
    release.cells[i].source = "import math"  # the trial half keeps the metadata, as JupyterLab's split does
    release.cells.insert(i + 1, new_code_cell("def f():\n    return math.floor(1.5)"))
    cells, repairs = _repaired(release, resources)
    assert (cells[i].source, _gid(cells[i])) == ("import math", None), "the trial half is still the answer"
    assert _gid(cells[i + 1]) == "f" and "def f" in cells[i + 1].source, "the half with f is not the answer"
    assert any("was split" in r for r in repairs), repairs


def test_an_answer_written_below_its_test_while_the_stub_stays_is_graded_before_the_test(resources, release):
    release.cells.append(new_code_cell("def f():\n    return 1"))  # the stub left in place, the answer at the end
    cells, repairs = _repaired(release, resources)
    f, test = _at(nbformat.from_dict({"cells": cells}), "f"), _at(nbformat.from_dict({"cells": cells}), "test_f")
    assert cells[f].source == "def f():\n    return 1" and f < test, [c.source for c in cells]
    assert any("left as its stub" in r for r in repairs), repairs


def test_no_restructuring_a_student_can_do_breaks_restoration(resources, release):
    """Random deletions, copies, moves, splits, type changes and id damage: the result is always valid,
    every graded cell is there once, in order (checked by `_restore`), and locked cells hold their source."""
    rng = random.Random(20261129)
    locked = {gid: src for gid, _, kind, src, _ in INSTRUCTOR if kind in ("locked", "test")}
    for trial in range(100):
        nb = copy.deepcopy(release)
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(nb.cells)) if nb.cells else 0
            action = rng.choice(["delete", "copy", "move", "split", "type", "id", "meta"])
            if not nb.cells:
                nb.cells.append(new_code_cell("z = 0"))
            elif action == "delete":
                del nb.cells[i]
            elif action == "copy":
                nb.cells.insert(rng.randrange(len(nb.cells) + 1), copy.deepcopy(nb.cells[i]))
            elif action == "move":
                nb.cells.insert(rng.randrange(len(nb.cells)), nb.cells.pop(i))
            elif action == "split":
                nb.cells.insert(i + 1, new_code_cell("half", metadata=copy.deepcopy(nb.cells[i].metadata)))
            elif action == "type":
                old = nb.cells[i]
                make = new_markdown_cell if old.cell_type == "code" else new_code_cell
                nb.cells[i] = make(old.source, metadata=old.metadata)
            elif action == "id":
                nb.cells[i].id = rng.choice(["dup", "bad id", nb.cells[0].id])
            else:
                nb.cells[i].metadata["nbgrader"] = rng.choice([{}, {"grade_id": "f"}, {"locked": True}, []])
        try:
            out, _ = RestoreCells().preprocess(nb, resources)
            nbformat.validate(out)
            MetadataValidator().validate_nb(out)
        except Exception as err:
            raise AssertionError(f"trial {trial}: restoration failed on {[_gid(c) for c in nb.cells]}") from err
        graded = [_gid(c) for c in out.cells if _gid(c)]
        assert graded == TRUSTED, f"trial {trial}: graded cells {graded}"
        for gid, src in locked.items():
            assert out.cells[_at(out, gid)].source == src, f"trial {trial}: {gid} not restored"


# ---- end to end: nbgrader autograde with the course's configuration on 01_normalization ----

A = "01_normalization"


def _index(nb, gid) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def _retype(nb, gid, cell_type):
    i = _index(nb, gid)
    make = new_code_cell if cell_type == "code" else new_markdown_cell
    nb.cells[i] = make(nb.cells[i].source, metadata=nb.cells[i].metadata)
    nb.cells[i].id = f"retyped-{i}"


def _types_changed(nb):
    _retype(nb, "test_normalize", "markdown")
    _retype(nb, "normalize", "markdown")
    nb.cells[_index(nb, "written_test_statistics")].source = "Fit on the training set only."
    _retype(nb, "written_test_statistics", "code")


def _deleted_written_answer(nb):
    del nb.cells[_index(nb, "written_test_statistics")]


def _deleted_setup_and_tests(nb):
    for gid in ("setup_imports", "test_normalize", "demo_wrong_way"):
        del nb.cells[_index(nb, gid)]


def _duplicated_split_and_moved(nb):
    i = _index(nb, "normalize")
    nb.cells.insert(i, copy.deepcopy(nb.cells[i]))  # an identical copy above
    nb.cells[i].id = "copy-of-normalize"
    j = _index(nb, "condition_number")  # split: a helper in a cell of its own, the metadata copied to both
    top = copy.deepcopy(nb.cells[j])
    top.source, top.id = "def _gram(X):\n    return X @ X.T / X.shape[1]\n", "split-top"
    nb.cells[j].source = nb.cells[j].source.replace("eigvalsh(X @ X.T / m)", "eigvalsh(_gram(X))")
    assert "_gram(X)" in nb.cells[j].source, "the solution of condition_number changed: update this scenario"
    nb.cells.insert(j, top)
    k = _index(nb, "test_normalization_stats")  # the test moved above its solution
    nb.cells.insert(_index(nb, "normalization_stats"), nb.cells.pop(k))


def _nbformat_4_4(nb):
    _retype(nb, "test_condition_number", "markdown")
    nb.nbformat_minor = 4
    for cell in nb.cells:
        cell.pop("id", None)


SCENARIOS = {"types_changed": _types_changed, "deleted_written_answer": _deleted_written_answer,
             "deleted_setup_and_tests": _deleted_setup_and_tests,
             "duplicated_split_and_moved": _duplicated_split_and_moved, "nbformat_4_4": _nbformat_4_4}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if sandbox_problem():
        pytest.fail(f"the grading sandbox cannot run here: {sandbox_problem()}")
    course = make_course(tmp_path_factory.mktemp("restore"), [A])
    for student, manipulate in SCENARIOS.items():
        nb = example_notebook(course, A, "solution")
        manipulate(nb)
        path = submit(course, student, A, nb)
        if student == "nbformat_4_4":  # nbformat.write would add ids back: write the 4.4 JSON as it is
            path.write_text(nbformat.writes(nb, version=nbformat.NO_CONVERT))
    nb = example_notebook(course, A, "solution")
    del nb.cells[_index(nb, "normalize")]
    submit(course, "deleted_solution", A, nb)
    # one failed submission must show as its own failed test, not stop the others: no check
    nbgrader("autograde", A, "--log-level=WARN", root=course, check=False)
    return course


@pytest.mark.slow
@pytest.mark.xdist_group("restore")
@pytest.mark.parametrize("student", SCENARIOS)
def test_a_restructured_correct_solution_keeps_full_marks(graded, student):
    full = graded_cells(graded / "release" / A / f"{A}.ipynb")
    scores = cell_scores(graded, A)
    assert student in scores, f"{student} was not graded (autograde failed on it)"
    assert scores[student] == full, f"{student}: {scores[student]} instead of {full}"


@pytest.mark.slow
@pytest.mark.xdist_group("restore")
def test_a_deleted_solution_fails_its_tests_with_not_implemented(graded):
    scores = cell_scores(graded, A)["deleted_solution"]
    assert scores["test_normalize"] == 0 and scores["test_normalization_stats"] == 3, f"scores: {scores}"
    nb = nbformat.read(graded / "autograded" / "deleted_solution" / A / f"{A}.ipynb", as_version=4)
    errors = [o for o in nb.cells[_index(nb, "test_normalize")].outputs if o.output_type == "error"]
    text = " ".join(f"{o.ename} {o.evalue}" for o in errors).lower()
    assert "not implemented" in text, f"test_normalize did not fail with 'not implemented': {text}"


@pytest.mark.slow
@pytest.mark.xdist_group("restore")
def test_written_answers_reach_the_manual_grader_as_markdown(graded):
    for student, text in [("types_changed", "Fit on the training set only."),
                          ("deleted_written_answer", "YOUR ANSWER HERE")]:
        nb = nbformat.read(graded / "autograded" / student / A / f"{A}.ipynb", as_version=4)
        cell = nb.cells[_index(nb, "written_test_statistics")]
        assert (cell.cell_type, cell.source) == ("markdown", text), f"{student}: written answer {cell}"


def test_trusted_cells_follow_the_instructors_notebook_whatever_order_the_database_returns():
    from grader.plugins.restore import TrustedCell, in_order

    cells = [TrustedCell(n, "code", "", True, None, False, False, False, None) for n in ("c", "a", "x", "b")]
    ordered = [c.name for c in in_order(cells, ["a", "b", "c"])]
    assert ordered == ["a", "b", "c", "x"], f"expected the source's order, then the unknown cell; found {ordered}"
    assert in_order(cells, None) == cells, "without the source's order the gradebook's order must stay"


def test_restore_cells_reads_the_order_from_the_source_notebook_when_nbgrader_autogrades():
    """The path nbgrader takes (Autograde -> its exporter -> RestoreCells) reaches the course directory, so the
    order comes from source/, not from the database's row order (PostgreSQL returns rows in any order)."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    from grader.course import load_config
    from grader.plugins.restore import source_order

    config = load_config(ROOT)
    converter = Autograde(coursedir=CourseDirectory(config=config), config=config)
    converter.exporter = converter.exporter_class(parent=converter, config=config)  # as nbgrader's start() does
    converter._sanitizing = True
    converter._init_preprocessors()
    restore = next(p for p in converter.exporter._preprocessors if isinstance(p, RestoreCells))
    found = getattr(restore.parent, "parent", None)
    assert hasattr(found, "coursedir"), f"RestoreCells cannot reach the course directory (its parent is {found!r})"
    names, narrative = source_order(found.coursedir, A, A)
    assert names and names[0] == graded_ids_in_source()[0] and len(names) == len(set(names)), names
    assert any(text.startswith("## ") for text in narrative), "the source notebook's narrative was not read"


def graded_ids_in_source() -> list[str]:
    nb = nbformat.read(ROOT / "source" / A / f"{A}.ipynb", as_version=4)
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]


def test_a_cell_moved_to_the_end_is_the_one_cell_said_to_have_moved(resources, release):
    release.cells.append(release.cells.pop(_at(release, "setup")))
    _, repairs = _repaired(release, resources)
    assert repairs == ["cell 'setup' was moved: put back in the instructor's order"], repairs
