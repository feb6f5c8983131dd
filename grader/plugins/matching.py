"""Find a submission's graded cells by their content when nbgrader's metadata no longer says which they are.

Other tools strip every `metadata.nbgrader` (VS Code, "clear metadata" tools); students delete a solution cell and
type a new one, or split one in two. `match_by_content(cells, trusted, owner, narrative, repair)` completes
`owner` (grade_id -> index in `cells` of the student's cell to restore as that graded cell, found so far by
metadata) in place, using only cells that claim nothing:

- an answer (a code solution cell) is the last cell that defines its function (the `def` of its release stub);
  when the cell claiming it by metadata defines no such function but another cell does (a split cell whose first,
  trial half kept the metadata), or is still the release stub while another cell defines the function, that cell
  becomes the answer and the claiming one an ordinary cell that still runs;
- a locked cell (set-up, demo, test) is the first cell with its text, with or without its hidden tests;
- a written answer is the first markdown cell between the cells of its neighbours that is not the instructor's
  narrative (`narrative`: the texts of the source notebook's cells without nbgrader metadata; without them, a
  written answer is never guessed).

`trusted` is in the instructor's order. Each match is said in words through `repair(text)`.
"""

from __future__ import annotations

import re


def _text(cell) -> str:
    source = cell.get("source", "")
    return "".join(map(str, source)) if isinstance(source, list) else str(source)


def release_text(source: str) -> str:
    """A locked cell's source as the release notebook shows it: nbgrader's own ClearHiddenTests applied."""
    from nbformat.v4 import new_code_cell
    from nbgrader.preprocessors import ClearHiddenTests

    cell = new_code_cell(source)
    try:
        ClearHiddenTests()._remove_hidden_test_region(cell)
    except RuntimeError:  # nested hidden tests: the gradebook's text is all there is
        return source
    return cell.source


def defined(source: str) -> list[str]:
    """The names of the functions a cell's source defines at its top level."""
    return re.findall(r"^def\s+(\w+)\s*\(", source, re.M)


def match_by_content(cells: list, trusted: list, owner: dict[str, int], narrative: set[str], repair) -> None:
    """Complete `owner` with the cells found by their content (see the module's docstring)."""
    rank = {t.name: k for k, t in enumerate(trusted)}

    def free(i: int) -> bool:
        meta = cells[i].get("metadata")
        return i not in owner.values() and not (isinstance(meta, dict) and "nbgrader" in meta)

    found_by_text = []
    for t in trusted:
        if t.solution and t.cell_type == "code":
            names = defined(t.source)
            claimed = owner.get(t.name)
            stub = claimed is not None and _text(cells[claimed]).strip() == t.source.strip()
            if not names or (claimed is not None and not stub and set(names) & set(defined(_text(cells[claimed])))):
                continue
            defining = [i for i, c in enumerate(cells) if free(i) and c.get("cell_type") == "code"
                        and set(names) & set(defined(_text(c)))]
            defining = [i for i in defining if _text(cells[i]).strip() != t.source.strip()] or \
                ([] if stub else defining)
            if not defining:
                continue
            owner[t.name] = defining[-1]
            if claimed is None:
                repair(f"the answer {t.name!r} had no nbgrader metadata (retyped, or cleared by another tool): "
                       f"graded from cell {defining[-1]}, which defines {names[0]}")
            else:
                del cells[claimed]["metadata"]["nbgrader"]
                repair(f"the answer {t.name!r} was " + ("left as its stub and written in another cell" if stub else
                                                        "split") + f": graded from cell {defining[-1]}, which defines "
                       f"{names[0]}; cell {claimed} runs as the student's own")
        elif t.locked and t.name not in owner:
            texts = {t.source.strip(), release_text(t.source).strip()}
            same = [i for i, c in enumerate(cells) if free(i) and _text(c).strip() in texts]
            if same:
                owner[t.name] = same[0]
                found_by_text.append(t.name)
    if found_by_text:
        repair(f"{len(found_by_text)} locked cell(s) had no nbgrader metadata: found by their text "
               f"({', '.join(found_by_text)})")
    for t in trusted:
        if not narrative or not t.solution or t.cell_type != "markdown" or t.name in owner:
            continue
        before = [owner[u.name] for u in trusted if u.name in owner and rank[u.name] < rank[t.name]]
        after = [owner[u.name] for u in trusted if u.name in owner and rank[u.name] > rank[t.name]]
        lo, hi = max(before, default=-1), min(after, default=len(cells))
        answers = [i for i in range(lo + 1, hi) if free(i) and cells[i].get("cell_type") == "markdown"
                   and _text(cells[i]).strip() not in narrative]
        if answers:
            owner[t.name] = answers[0]
            repair(f"the written answer {t.name!r} had no nbgrader metadata: graded from cell {answers[0]} "
                   "(the student's text between its neighbours); check it when grading by hand")
