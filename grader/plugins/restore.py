"""Restore the graded cells of a submission from the gradebook, whatever the student did to the notebook.

`RestoreCells` replaces nbgrader's `OverwriteCells` (and `DeduplicateIds`) in the sanitize step of autograding.
Every cell of the instructor's notebook that the gradebook holds (locked, graded, solution or task cells) ends
up in the submission exactly once, with the gradebook's type and metadata, in the instructor's order relative
to the other restored cells:

- a locked cell (set-up, demo, test, task) gets the gradebook's source back;
- a solution cell keeps the student's text, in the gradebook's cell type (a written answer turned into code is
  markdown again, a code answer turned into markdown runs as code again);
- a deleted cell comes back after the restored cell that precedes it in the instructor's notebook, a deleted
  solution as its release stub, so the tests after it fail with "not implemented", not with a grader error;
- of several copies of one cell, the last one is kept (for a solution, the last one whose text differs from
  the release stub: the answer the student wrote); the other copies lose their nbgrader metadata and stay
  where they are as ordinary cells, so both halves of a split cell still run;
- cells with nbgrader metadata the gradebook does not know (pasted from elsewhere, half-edited) become
  ordinary cells;
- the notebook becomes nbformat 4.5, and every cell gets a valid id that no other cell has.

Cells without nbgrader metadata stay where they are, unless their content shows they are a graded cell whose
metadata is gone (`grader.plugins.matching`: metadata stripped by another tool, a solution retyped or split). A written
answer put back is flagged for grading by hand (no checksum: nbgrader's `determine_grade` leaves it to the
grader). Nothing a student can put in a notebook makes this raise; each repair is logged as a warning in words,
`Repaired: <what happened to which cell>` (`REPAIRED`), which the grading run shows per submission; a locked
cell is edited only if its text differs from both the gradebook's and the release's (without hidden tests). See
CONTRIBUTING.md ("Restoring cells") for the nbgrader behaviour this replaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nbformat.notebooknode import NotebookNode, from_dict
from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell
from nbformat.v4.nbbase import random_cell_id, validate
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from .matching import match_by_content, release_text

_CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")  # nbformat 4.5's pattern for a cell id
_NEW_CELL = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}
#: The start of every log line that says what the restoration changed in a submission.
REPAIRED = "Repaired: "


def _repair(log, text: str) -> None:
    log.warning("%s%s", REPAIRED, text)


@dataclass(frozen=True)
class TrustedCell:
    """One nbgrader cell of the instructor's notebook, as the gradebook holds it."""

    name: str
    cell_type: str
    source: str
    locked: bool
    checksum: str | None
    grade: bool
    solution: bool
    task: bool
    points: float | None

    def metadata(self, checksum: bool = True) -> dict:
        """Cell metadata as `nbgrader generate_assignment` writes it into the release notebook (without the
        checksum if not `checksum`)."""
        nbgrader = {"schema_version": 3, "grade_id": self.name, "cell_type": self.cell_type, "grade": self.grade,
                    "solution": self.solution, "locked": self.locked, "task": self.task}
        if self.checksum and checksum:
            nbgrader["checksum"] = self.checksum
        if self.grade or self.task:
            nbgrader["points"] = self.points
        meta = {"deletable": False, "nbgrader": nbgrader}
        if self.locked:
            meta["editable"] = False
        return meta


def trusted_cells(db_url: str, notebook: str, assignment: str) -> list[TrustedCell]:
    """The gradebook's cells of one notebook, in the order the gradebook returns them.

    The gradebook stores no position: SQLite returns the cells in the order `generate_assignment` recorded them
    (top to bottom, which nbgrader's own `add_missing_cells` relies on), other databases need not; `in_order`
    puts them in the instructor's order.
    """
    with Gradebook(db_url) as gb:
        nb = gb.find_notebook(notebook, assignment)
        points = {c.name: float(c.max_score) for c in [*nb.grade_cells, *nb.task_cells]}
        grades = {c.name for c in nb.grade_cells}
        solutions = {c.name for c in nb.solution_cells}
        tasks = {c.name for c in nb.task_cells}
        return [TrustedCell(c.name, c.cell_type, c.source or "", bool(c.locked), c.checksum, c.name in grades,
                            c.name in solutions, c.name in tasks, points.get(c.name))
                for c in nb.source_cells]


def in_order(trusted: list[TrustedCell], names: list[str] | None) -> list[TrustedCell]:
    """`trusted` in the order of `names` (the grade ids of the instructor's notebook, top to bottom); cells it does
    not name keep their order after the others. Without `names`, `trusted` as it is."""
    if not names:
        return trusted
    position = {name: k for k, name in enumerate(names)}
    return sorted(trusted, key=lambda c: position.get(c.name, len(position)))


def source_order(coursedir, assignment: str, notebook: str) -> tuple[list[str] | None, set[str]]:
    """(the grade ids of the instructor's notebook `source/<assignment>/<notebook>.ipynb`, top to bottom, or None
    when it cannot be read; the texts of its cells without nbgrader metadata, the narrative)."""
    import nbformat

    folder = coursedir.format_path(coursedir.source_directory, ".", assignment)
    try:
        nb = nbformat.read(f"{folder}/{notebook}.ipynb", as_version=4)
    except (OSError, ValueError):
        return None, set()
    return ([gid for gid in map(_grade_id, nb.cells) if gid is not None],
            {_text(c).strip() for c in nb.cells if _grade_id(c) is None})


def _text(cell) -> str:
    source = cell.get("source", "")
    return "".join(map(str, source)) if isinstance(source, list) else str(source)


def _grade_id(cell) -> str | None:
    """The grade_id a cell claims, or None; tolerates any metadata a student can write."""
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    gid = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return gid if isinstance(gid, str) else None


def _strip(cell, log, why: str) -> None:
    meta = cell.get("metadata")
    if isinstance(meta, dict) and "nbgrader" in meta:
        _repair(log, f"{why}: it runs as an ordinary cell, ungraded")
        del meta["nbgrader"]


def _pick(copies: list[int], cells: list, trusted: TrustedCell) -> int:
    """Which of several cells claiming `trusted` is the real one: the last, and for a solution the last the
    student wrote in (the copies of a stub are leftovers of copy and paste)."""
    if trusted.locked:
        return copies[-1]
    written = [i for i in copies if _text(cells[i]) != trusted.source]
    return (written or copies)[-1]


def _new_cell(kind: str, source: str) -> NotebookNode:
    """nbformat.v4's `new_<kind>_cell(source)` without its check of the cell against the schema, which `repair_ids`
    makes once for the whole notebook."""
    cell = NotebookNode(id=random_cell_id(), cell_type=kind, metadata=NotebookNode(), source=source)
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _restored(trusted: TrustedCell, student, log) -> NotebookNode:
    """The cell `trusted` as it must be graded, with the student's text where the student may write."""
    keeps_text = student is not None and not trusted.locked
    by_hand = student is None and trusted.solution and trusted.grade
    cell = _new_cell(trusted.cell_type, _text(student) if keeps_text else trusted.source)
    cell.metadata = from_dict(trusted.metadata(checksum=not by_hand))
    if student is not None and isinstance(student.get("id"), str):
        cell.id = student["id"]
    if by_hand:
        what = "written answer" if trusted.cell_type == "markdown" else "answer graded by hand"
        _repair(log, f"the {what} {trusted.name!r} was missing: restored empty, 0 of {trusted.points or 0:g} until "
                     "graded by hand")
    elif student is None:
        _repair(log, f"the {'answer' if trusted.solution else 'locked'} cell {trusted.name!r} was missing: put back "
                     + ("as its release stub (its tests say not implemented)" if trusted.solution else
                        "from the gradebook"))
    elif trusted.locked and _text(student).strip() not in (trusted.source.strip(),
                                                           release_text(trusted.source).strip()):
        _repair(log, f"the locked cell {trusted.name!r} was edited: its source restored from the gradebook")
    if student is not None and student.get("cell_type") != trusted.cell_type:
        _repair(log, f"cell {trusted.name!r} was turned from {trusted.cell_type} into {student.get('cell_type')}: "
                     f"restored as {trusted.cell_type}" + (", the student's text kept" if keeps_text else ""))
    if keeps_text and trusted.cell_type == "markdown" and isinstance(student.get("attachments"), dict):
        cell.attachments = student["attachments"]  # images pasted into a written answer
    return cell


def _out_of_order(names: list[str], rank: dict[str, int]) -> list[str]:
    """The fewest of `names` (in the student's order) that were moved: those outside a longest run in the
    instructor's order (one cell moved to the end is one cell, not every cell it passed)."""
    best: list[list[str]] = []
    for k, name in enumerate(names):
        before = [best[j] for j in range(k) if rank[names[j]] < rank[name]]
        best.append(max(before, key=len, default=[]) + [name])
    keep = set(max(best, key=len, default=[]))
    return [name for name in names if name not in keep]


def restore(cells: list, trusted: list[TrustedCell], log, narrative: set[str] = frozenset()) -> list:
    """The cells of a submission with every trusted cell restored exactly once (see the module's docstring);
    `narrative` holds the texts of the source notebook's ordinary cells (for `grader.plugins.matching`)."""
    by_name = {t.name: t for t in trusted}
    rank = {t.name: k for k, t in enumerate(trusted)}
    cells = [c if isinstance(c, dict) else NotebookNode(cell_type="raw", source=str(c), metadata={}) for c in cells]
    copies: dict[str, list[int]] = {}
    for i, cell in enumerate(cells):
        gid = _grade_id(cell)
        if gid in by_name:
            copies.setdefault(gid, []).append(i)
        else:
            _strip(cell, log, f"cell {i} (grade_id {gid!r}, unknown to the gradebook)")
    owner = {}  # grade_id -> index of the submitted cell that is restored as it
    for gid, idxs in copies.items():
        owner[gid] = _pick(idxs, cells, by_name[gid])
        for i in idxs:
            if i != owner[gid]:
                _strip(cells[i], log, f"cell {i} is a copy of {gid!r} (cell {owner[gid]} is graded)")
    match_by_content(cells, trusted, owner, narrative, lambda text: _repair(log, text))

    # The restored cells take the places of the claiming cells, in the instructor's order.
    slots = sorted(owner.values())
    present = sorted(owner, key=rank.get)
    claimed = {i: gid for gid, i in owner.items()}
    moved = _out_of_order([claimed[slot] for slot in slots], rank)
    if moved:
        _repair(log, (f"cells {', '.join(moved)} were" if len(moved) > 1 else f"cell {moved[0]!r} was")
                + " moved: put back in the instructor's order")
    out: list[tuple[str | None, NotebookNode]] = [(None, c) for c in cells]
    for slot, gid in zip(slots, present):
        out[slot] = (gid, _restored(by_name[gid], cells[owner[gid]], log))

    for t in trusted:
        if t.name in owner:
            continue
        # A missing answer goes right before the next restored cell (after the question, before its tests);
        # any other missing cell, or an answer with nothing restored after it, right after the previous one.
        after = [k for k, (gid, _) in enumerate(out) if gid is not None and rank[gid] > rank[t.name]]
        if t.solution and after:
            where = after[0]
        else:
            where = 1 + max((k for k, (gid, _) in enumerate(out) if gid is not None and rank[gid] < rank[t.name]),
                            default=-1)
        out.insert(where, (t.name, _restored(t, None, log)))
    return [cell for _, cell in out]


def repair_ids(nb: NotebookNode, log) -> None:
    """Make `nb` nbformat 4.5 with a valid, unique id on every cell, and every cell valid on its own."""
    if (nb.get("nbformat") or 4, nb.get("nbformat_minor") or 0) < (4, 5):
        log.info("notebook upgraded from nbformat 4.%s to 4.5 (cell ids)", nb.get("nbformat_minor"))
        nb.nbformat, nb.nbformat_minor = 4, 5
    seen: set[str] = set()
    renamed = 0
    for k, cell in enumerate(nb.cells):
        cid = cell.get("id")
        if not isinstance(cid, str) or not _CELL_ID.match(cid) or cid in seen:
            new = random_cell_id()
            while new in seen:
                new = random_cell_id()
            if cid is not None:
                log.info("cell %d had the id %r (invalid or repeated): now %r", k, cid, new)
                renamed += 1
            cell["id"] = cid = new
        seen.add(cid)
    if renamed:
        _repair(log, f"{renamed} cell id(s) were invalid or repeated: new ids given")
    try:
        validate(nb)  # the whole notebook at once, an eighth of the time of its cells one by one
        return
    except Exception:  # noqa: BLE001 - then find the cells at fault (the notebook's own metadata may be)
        pass
    for k, cell in enumerate(nb.cells):
        try:
            validate(cell, f"{cell.get('cell_type')}_cell")
        except Exception:  # noqa: BLE001 - jsonschema's errors and unknown cell types alike
            # a student's own cell, or a written answer's pasted attachments: keep the text (and the metadata of
            # a restored cell, which restore() wrote), drop the rest
            kind = cell.get("cell_type") if cell.get("cell_type") in _NEW_CELL else "raw"
            _repair(log, f"cell {k} was not a valid {kind} cell: rebuilt from its text")
            fresh = _NEW_CELL[kind](_text(cell))
            fresh.id = cell["id"]
            if _grade_id(cell) is not None:
                fresh.metadata = cell.metadata
            nb.cells[k] = fresh


class RestoreCells(NbGraderPreprocessor):
    """Restore every locked, graded, solution and task cell of a submission from the gradebook.

    Reads `resources["nbgrader"]` (`db_url`, `assignment`, `notebook`), like nbgrader's `OverwriteCells`,
    and never raises for the structure of a submission: each repair is logged as a warning starting `REPAIRED`.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        meta = resources["nbgrader"]
        trusted = trusted_cells(meta["db_url"], meta["notebook"], meta["assignment"])
        converter = getattr(self.parent, "parent", None)  # the exporter's parent: nbgrader's Autograde converter
        narrative: set[str] = set()
        if hasattr(converter, "coursedir"):
            order, narrative = source_order(converter.coursedir, meta["assignment"], meta["notebook"])
            trusted = in_order(trusted, order)
        nb.cells = restore(list(nb.get("cells", [])), trusted, self.log, narrative)
        repair_ids(nb, self.log)
        return nb, resources
