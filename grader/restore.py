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

Cells without nbgrader metadata stay where they are. Nothing a student can put in a notebook makes this
raise; each repair is logged as a warning naming the cell. See CONTRIBUTING.md ("Restoring cells") for the
nbgrader behaviour this replaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nbformat.notebooknode import NotebookNode, from_dict
from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell
from nbformat.v4.nbbase import random_cell_id, validate
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

_CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")  # nbformat 4.5's pattern for a cell id
_NEW_CELL = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}


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

    def metadata(self) -> dict:
        """Cell metadata as `nbgrader generate_assignment` writes it into the release notebook."""
        nbgrader = {"schema_version": 3, "grade_id": self.name, "cell_type": self.cell_type, "grade": self.grade,
                    "solution": self.solution, "locked": self.locked, "task": self.task}
        if self.checksum:
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


def source_order(coursedir, assignment: str, notebook: str) -> list[str] | None:
    """The grade ids of the instructor's notebook `source/<assignment>/<notebook>.ipynb`, top to bottom; None when
    it cannot be read."""
    import nbformat

    folder = coursedir.format_path(coursedir.source_directory, ".", assignment)
    try:
        nb = nbformat.read(f"{folder}/{notebook}.ipynb", as_version=4)
    except (OSError, ValueError):
        return None
    return [gid for gid in map(_grade_id, nb.cells) if gid is not None]


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
        log.warning("%s: its nbgrader metadata was removed, it is graded as an ordinary cell", why)
        del meta["nbgrader"]


def _pick(copies: list[int], cells: list, trusted: TrustedCell) -> int:
    """Which of several cells claiming `trusted` is the real one: the last, and for a solution the last the
    student wrote in (the copies of a stub are leftovers of copy and paste)."""
    if trusted.locked:
        return copies[-1]
    written = [i for i in copies if _text(cells[i]) != trusted.source]
    return (written or copies)[-1]


def _restored(trusted: TrustedCell, student, log) -> NotebookNode:
    """The cell `trusted` as it must be graded, with the student's text where the student may write."""
    keeps_text = student is not None and not trusted.locked
    cell = _NEW_CELL[trusted.cell_type](_text(student) if keeps_text else trusted.source)
    cell.metadata = from_dict(trusted.metadata())
    if student is not None and isinstance(student.get("id"), str):
        cell.id = student["id"]
    if student is None:
        log.warning("cell %r was missing: put back from the gradebook%s", trusted.name,
                    " (its release stub)" if trusted.solution else "")
    elif trusted.locked and _text(student) != trusted.source:
        log.warning("locked cell %r was edited: its source restored from the gradebook", trusted.name)
    if student is not None and student.get("cell_type") != trusted.cell_type:
        log.warning("cell %r was turned from %s into %s: restored as %s%s", trusted.name, trusted.cell_type,
                    student.get("cell_type"), trusted.cell_type, ", the student's text kept" if keeps_text else "")
    if keeps_text and trusted.cell_type == "markdown" and isinstance(student.get("attachments"), dict):
        cell.attachments = student["attachments"]  # images pasted into a written answer
    return cell


def restore(cells: list, trusted: list[TrustedCell], log) -> list:
    """The cells of a submission with every trusted cell restored exactly once (see the module's docstring)."""
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
                _strip(cells[i], log, f"cell {i} is a copy of {gid!r} (cell {owner[gid]} is kept)")

    # The restored cells take the places of the claiming cells, in the instructor's order.
    slots = sorted(owner.values())
    present = sorted(owner, key=rank.get)
    moved = [gid for slot, gid in zip(slots, present) if _grade_id(cells[slot]) != gid]
    if moved:
        log.warning("cells %s were moved: put back in the instructor's order", moved)
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
        log.warning("notebook upgraded from nbformat 4.%s to 4.5 (cell ids)", nb.get("nbformat_minor"))
        nb.nbformat, nb.nbformat_minor = 4, 5
    seen: set[str] = set()
    for k, cell in enumerate(nb.cells):
        cid = cell.get("id")
        if not isinstance(cid, str) or not _CELL_ID.match(cid) or cid in seen:
            new = random_cell_id()
            while new in seen:
                new = random_cell_id()
            if cid is not None:
                log.warning("cell %d had the id %r (invalid or repeated): now %r", k, cid, new)
            cell["id"] = cid = new
        seen.add(cid)
        try:
            validate(cell, f"{cell.get('cell_type')}_cell")
        except Exception:  # noqa: BLE001 - jsonschema's errors and unknown cell types alike
            # a student's own cell, or a written answer's pasted attachments: keep the text (and the metadata of
            # a restored cell, which restore() wrote), drop the rest
            kind = cell.get("cell_type") if cell.get("cell_type") in _NEW_CELL else "raw"
            log.warning("cell %d was not a valid %s cell: rebuilt from its text", k, kind)
            fresh = _NEW_CELL[kind](_text(cell))
            fresh.id = cid
            if _grade_id(cell) is not None:
                fresh.metadata = cell.metadata
            nb.cells[k] = fresh


class RestoreCells(NbGraderPreprocessor):
    """Restore every locked, graded, solution and task cell of a submission from the gradebook.

    Reads `resources["nbgrader"]` (`db_url`, `assignment`, `notebook`), like nbgrader's `OverwriteCells`,
    and never raises for the structure of a submission: each repair is logged as a warning.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        meta = resources["nbgrader"]
        trusted = trusted_cells(meta["db_url"], meta["notebook"], meta["assignment"])
        converter = getattr(self.parent, "parent", None)  # the exporter's parent: nbgrader's Autograde converter
        if hasattr(converter, "coursedir"):
            trusted = in_order(trusted, source_order(converter.coursedir, meta["assignment"], meta["notebook"]))
        nb.cells = restore(list(nb.get("cells", [])), trusted, self.log)
        repair_ids(nb, self.log)
        return nb, resources
