"""Build student submissions from the release notebook: the solution, scenario fixtures, the bundled examples.

A scenario file (tests/fixtures/<assignment>/<scenario>.py) replaces some solution cells of a correct
submission with its own code, and says which autograded test cells must then score zero:

    \"\"\"Divides by the variance instead of the standard deviation.\"\"\"
    # loses: test_normalization_stats test_normalize_train_test
    # %% cell: normalization_stats
    def normalization_stats(X_train):
        ...

Every other solution cell keeps the instructor's solution and every other test cell must keep full marks.
Attack and trouble scenarios may also change what a student is not meant to change:

- `# %% edit: <grade_id>` replaces any cell's source (a test or read-only cell), `# %% delete: <grade_id>`
  removes a cell, `# %% after: <grade_id>` inserts a new code cell after it;
- `# %% retype: <grade_id>` turns a code cell into markdown or back, `# %% duplicate: <grade_id>` copies a cell
  (metadata and id included) right after itself, `# %% split: <grade_id>` splits a cell in two at its middle
  line (the second half a new cell without metadata, as JupyterLab's split does), `# %% move: <grade_id>` moves
  a cell to the end of the notebook;

and, for the submission folder (one line each, before the first section):

- `# file: <name>` writes the notebook under this name instead of `<assignment>.ipynb` (repeat for several);
- `# timestamp: <text>` writes `timestamp.txt` with this text;
- `# nbformat: 4.4` writes the notebook as nbformat 4.4, without cell ids; `# ids: repeated` gives every cell
  the same id;
- `# metadata: stripped` removes every cell's nbgrader metadata (as VS Code and "clear metadata" tools do);
- `# content: <kind>` writes the notebook as another tool saves it: `bom crlf` (a UTF-8 byte-order mark and CRLF
  line ends), `empty` (0 bytes), `truncated` (cut in the middle of its cells), `html` (the page a browser saves);
- `# link: <name> -> <target>` makes <name> in the folder a symbolic link to <target>, which is `source` (the
  instructor's notebook of the assignment), `classmate` (the honest student's notebook) or any path, dangling
  or not; a link named like a notebook takes its place;
- `# extra: <name>` writes a small file <name> in the folder (e.g. `.venv/pyvenv.cfg`); a section
  `# %% module: <name>` writes its code as the file <name> beside the notebook (a module the notebook imports);
- `# student: latin-1` hands the submission in under a folder name that is not valid UTF-8 (`<scenario>_jürgen`
  encoded in Latin-1, as a zip export writes it); `student_id` gives the name it is graded or reported under;
- `# outcome: error <words>` says the submission cannot be graded, and the reason must contain <words>;
  `# warns: <words>` says it is graded with a warning that contains <words>.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..course import assignments, course_root

_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_cells(source_nb: Path) -> dict[str, str]:
    """grade_id -> the instructor's solution of every solution cell, with the solution markers removed."""
    nb = nbformat.read(source_nb, as_version=4)
    out = {}
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if meta.get("solution"):
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in _MARKERS]
            out[meta["grade_id"]] = "\n".join(lines)
    return out


def graded_cells(nb) -> dict[str, float]:
    """grade_id -> points of every autograded test cell of a notebook (node or path)."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(nb, as_version=4)
    return {_nbgrader(c)["grade_id"]: float(_nbgrader(c).get("points", 0)) for c in nb.cells
            if _nbgrader(c).get("grade") and not _nbgrader(c).get("solution") and c.cell_type == "code"}


def build(release_nb: Path, cells: dict[str, str], edits: list[tuple[str, str, str]] = ()) -> nbformat.NotebookNode:
    """The release notebook with the solution cells named in `cells` replaced by their code, then `edits`
    applied: (action, grade_id, code) with action "edit", "delete" or "after"."""
    nb = nbformat.read(release_nb, as_version=4)
    ids = {_nbgrader(c).get("grade_id") for c in nb.cells if _nbgrader(c).get("solution")}
    unknown = set(cells) - ids
    if unknown:
        raise ValueError(f"no solution cell named {sorted(unknown)} in {release_nb}; solution cells: {sorted(ids)}")
    for cell in nb.cells:
        gid = _nbgrader(cell).get("grade_id")
        if _nbgrader(cell).get("solution") and gid in cells:
            cell.source = cells[gid]
    for action, gid, code in edits:
        where = [i for i, c in enumerate(nb.cells) if _nbgrader(c).get("grade_id") == gid]
        if not where:
            raise ValueError(f"no cell named {gid!r} in {release_nb} to {action}")
        _EDITS[action](nb.cells, where[0], code)
    return nb


def _retype(cells, i, code):
    old = cells[i]
    new = (nbformat.v4.new_markdown_cell if old.cell_type == "code" else nbformat.v4.new_code_cell)(old.source)
    new.metadata = old.metadata
    new.id = old.get("id", new.id)
    cells[i] = new


def _duplicate(cells, i, code):
    cells.insert(i + 1, nbformat.from_dict(json.loads(json.dumps(cells[i]))))


def _split(cells, i, code):
    lines = cells[i].source.splitlines(keepends=True)
    half = len(lines) // 2
    cells[i].source = "".join(lines[:half]).rstrip("\n")
    make = nbformat.v4.new_code_cell if cells[i].cell_type == "code" else nbformat.v4.new_markdown_cell
    cells.insert(i + 1, make("".join(lines[half:])))


_EDITS = {
    "edit": lambda cells, i, code: cells[i].__setitem__("source", code),
    "delete": lambda cells, i, code: cells.pop(i),
    "after": lambda cells, i, code: cells.insert(i + 1, nbformat.v4.new_code_cell(code)),
    "retype": _retype,
    "duplicate": _duplicate,
    "split": _split,
    "move": lambda cells, i, code: cells.append(cells.pop(i)),
}


@dataclass
class Scenario:
    """A fixture submission: which solution cells it replaces and which test cells must then score zero."""

    name: str
    assignment: str
    doc: str
    cells: dict[str, str]
    loses: set[str] = field(default_factory=set)
    edits: list[tuple[str, str, str]] = field(default_factory=list)
    #: the submission folder: file names, timestamp.txt, nbformat, ids, and the expected outcome
    folder: dict[str, list[str]] = field(default_factory=dict)
    #: files handed in beside the notebook: name -> text (`# %% module: <name>` sections)
    modules: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, path: Path, assignment: str | None = None) -> "Scenario":
        """Read a scenario file; its `# assignment:` line, if any, overrides `assignment` (default: the folder's
        name)."""
        text = path.read_text()
        doc = re.match(r'\s*"""(.*?)"""', text, re.S)
        head = text.split("\n# %% ", 1)[0]
        folder: dict[str, list[str]] = {}
        for key, value in re.findall(r"^# (assignment|loses|names|file|timestamp|nbformat|ids|outcome|warns|content|"
                                     r"link|extra|student|metadata): ?(.*)$", head, re.M):
            folder.setdefault(key, []).append(value.strip())
        loses = folder.pop("loses", [""])[0]
        assignment = folder.pop("assignment", [assignment or path.parent.name])[0]
        parts = re.split(r"^# %% (\w+): *(\S+) *$", text, flags=re.M)
        if len(parts) < 4 and not folder.keys() & {"file", "timestamp", "nbformat", "ids", "content", "link", "extra",
                                                    "student", "metadata"}:
            raise ValueError(f"{path}: no '# %% cell: <grade_id>' section and nothing odd about its folder")
        cells, edits, modules = {}, [], {}
        for i in range(1, len(parts), 3):
            action, gid, code = parts[i], parts[i + 1], parts[i + 2].strip("\n") + "\n"
            if action == "cell":
                cells[gid] = code
            elif action == "module":
                modules[gid] = code
            elif action in _EDITS:
                edits.append((action, gid, code if action != "edit" or code.strip() else ""))
            else:
                raise ValueError(f"{path}: unknown section '# %% {action}:'; known: cell, module, {', '.join(_EDITS)}")
        return cls(path.stem, assignment, doc.group(1).strip() if doc else "", cells, set(loses.split()), edits,
                   folder, modules)

    def notebook(self, root: Path) -> nbformat.NotebookNode:
        """The full submission: the instructor's solutions with this scenario's cells in place."""
        source = root / "source" / self.assignment / f"{self.assignment}.ipynb"
        release = root / "release" / self.assignment / f"{self.assignment}.ipynb"
        return build(release, {**solution_cells(source), **self.cells}, self.edits)

    def folder_name(self, student: str) -> str:
        """The student folder's name as the file system gives it (undecodable bytes as surrogates)."""
        if self.folder.get("student") == ["latin-1"]:
            return os.fsdecode(f"{student}_jürgen".encode("latin-1"))
        return student

    def student_id(self, student: str) -> str:
        """The name the submission of `student` is graded or reported under (valid UTF-8)."""
        return os.fsencode(self.folder_name(student)).decode("utf-8", "backslashreplace")

    def write(self, root: Path, student: str) -> Path:
        """Hand the submission in as `student`: submitted/<student>/<assignment>/ with the scenario's files."""
        target = root / "submitted" / self.folder_name(student) / self.assignment
        target.mkdir(parents=True, exist_ok=True)
        nb = json.loads(nbformat.writes(self.notebook(root)))
        if self.folder.get("nbformat") == ["4.4"]:
            nb["nbformat_minor"] = 4
            for cell in nb["cells"]:
                cell.pop("id", None)
        if self.folder.get("ids") == ["repeated"]:
            for cell in nb["cells"]:
                cell["id"] = "same-id"
        if self.folder.get("metadata") == ["stripped"]:
            for cell in nb["cells"]:
                cell["metadata"].pop("nbgrader", None)
        text = json.dumps(nb, indent=1)  # as is: nbformat.write would repair the ids
        data = _CONTENT[self.folder.get("content", ["json"])[0]](text)
        for name in self.folder.get("file", [f"{self.assignment}.ipynb"]):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(data)
        for name in self.folder.get("extra", []):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text("written by the scenario\n")
        for name, code in self.modules.items():
            (target / name).write_text(code)
        for spec in self.folder.get("link", []):
            name, to = (part.strip() for part in spec.split("->"))
            to = {"source": root / "source" / self.assignment / f"{self.assignment}.ipynb",
                  "classmate": root / "submitted" / "honest" / self.assignment / f"{self.assignment}.ipynb"}.get(to, to)
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).unlink(missing_ok=True)
            (target / name).symlink_to(to)
        if "timestamp" in self.folder:
            (target / "timestamp.txt").write_text(self.folder["timestamp"][0] + "\n")
        return target


#: How `# content:` writes a notebook's JSON text.
_CONTENT = {
    "json": lambda text: text.encode(),
    "bom crlf": lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode(),
    "empty": lambda text: b"",
    "truncated": lambda text: text[:len(text) // 2].encode(),
    "html": lambda text: b"<!DOCTYPE html>\n<html>\n<head><title>01_normalization - JupyterLab</title></head>\n"
                         b"<body><div id='main'></div></body>\n</html>\n",
}


def scenarios(assignment: str, folder: Path) -> list[Scenario]:
    """Every scenario file of `folder` (sorted by name)."""
    return [Scenario.parse(p, assignment) for p in sorted(folder.glob("*.py"))]


def example_notebook(root: Path, assignment: str, kind: str) -> nbformat.NotebookNode:
    """An example submission: kind is "solution", "release" or the path of a scenario file."""
    release = root / "release" / assignment / f"{assignment}.ipynb"
    if kind == "release":
        return nbformat.read(release, as_version=4)
    if kind == "solution":
        return build(release, solution_cells(root / "source" / assignment / f"{assignment}.ipynb"))
    return Scenario.parse(root / kind, assignment).notebook(root)


def example_plan(root: Path) -> dict[str, dict[str, str]]:
    """student -> {assignment -> kind} from examples/students.json, for the assignments that exist."""
    plan = json.loads((root / "examples" / "students.json").read_text())["students"]
    return {s: {a: k for a, k in per.items() if a in assignments(root)} for s, per in plan.items()}


def expected_scores(root: Path, assignment: str, kind: str) -> dict[str, float]:
    """grade_id -> the score an example submission of `kind` must get in every autograded test cell."""
    points = graded_cells(root / "release" / assignment / f"{assignment}.ipynb")
    if kind == "release":
        return {g: 0.0 for g in points}
    loses = set() if kind == "solution" else Scenario.parse(root / kind, assignment).loses
    return {g: (0.0 if g in loses else p) for g, p in points.items()}


def write_examples(root: Path | None = None, target: Path | None = None) -> list[Path]:
    """Regenerate examples/submitted/ (or `target`) from examples/students.json; returns the notebooks written."""
    root = course_root(root)
    target = target or root / "examples" / "submitted"
    shutil.rmtree(target, ignore_errors=True)
    written = []
    for student, per_assignment in example_plan(root).items():
        for assignment, kind in per_assignment.items():
            path = target / student / assignment / f"{assignment}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(example_notebook(root, assignment, kind), path)
            written.append(path)
    return written


if __name__ == "__main__":
    for p in write_examples():
        print(p)
