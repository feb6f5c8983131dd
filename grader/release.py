"""release/ from source/, the assignments' cells in the gradebook, and the bundle a grading worker starts from.

- `generate_release` regenerates release/ (nbgrader's generate_assignment, in this process, with a throw-away
  gradebook) and then records the assignments in the course's gradebook (`sync_gradebook`).
- `sync_gradebook` records every assignment's cells (with solutions and hidden tests) in the course's gradebook,
  which autograding restores them from; it does nothing when the gradebook already holds exactly those cells.
- `bundle` is what a worker needs to grade, as data: nbgrader_config.py, the source folders and a gradebook
  holding only the assignments' cells (no student), under the hash of all of it. The gradebook is generated once
  per hash and kept in `.grading/templates/<hash>/`.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

from .course import Course


def _check(result: dict, command: str, assignment: str, where: Path) -> None:
    if not result["success"]:
        raise RuntimeError(f"nbgrader {command} {assignment} failed in {where}:\n"
                           f"{(result.get('log') or '')[-3000:]}\n{(result.get('error') or '')[-3000:]}")


def generate_release(course: Course) -> list[str]:
    """Regenerate release/ from source/ for every assignment, then record them in the course's gradebook.

    release/ is generated with a throw-away gradebook, so it never depends on the course's. If the course's
    gradebook refuses (cells changed after students submitted), release/ is still regenerated and the refusal is
    printed as a warning. Returns the ids generated; raises RuntimeError when nbgrader fails on one."""
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        config = copy.deepcopy(course.config)
        config.CourseDirectory.db_url = f"sqlite:///{tmp}/gradebook.db"
        api = course.api(config)
        for a in course.assignments:
            _check(api.generate_assignment(a, force=True), "generate_assignment", a, course.root)
            done.append(a)
    try:
        sync_gradebook(course)
    except RuntimeError as refused:
        print(f"warning: release/ is regenerated, but the course's gradebook was not updated:\n{refused}",
              file=sys.stderr)
    return done


def cells(gb, assignment: str) -> list[tuple] | None:
    """What the gradebook holds of an assignment's cells, comparable between gradebooks; None if it has none."""
    from nbgrader.api import MissingEntry

    try:
        found = gb.find_assignment(assignment)
    except MissingEntry:
        return None
    out = []
    for nb in found.notebooks:
        out += [("source", nb.name, c.name, c.cell_type, bool(c.locked), c.checksum, c.source or "")
                for c in nb.source_cells]
        out += [("grade", nb.name, c.name, c.cell_type, float(c.max_score)) for c in nb.grade_cells]
        out += [("solution", nb.name, c.name) for c in nb.solution_cells]
        out += [("task", nb.name, c.name, float(c.max_score)) for c in nb.task_cells]
    return sorted(out)


def sync_gradebook(course: Course, only: list[str] | None = None, template: Path | None = None) -> list[str]:
    """Record the assignments' cells (with solutions and hidden tests) in the course's gradebook.

    Runs nbgrader's generate_assignment in this process into a throw-away folder, so release/ is not touched;
    nbgrader refuses (RuntimeError, with its own message) if cells changed after submissions. With `template` (a
    gradebook `bundle` generated from the same source), assignments whose cells the course's gradebook already
    holds are skipped. Returns the ids generated."""
    names = [a for a in course.assignments if only is None or a in only]
    if template is not None:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{template}") as tg, course.gradebook() as gb:
            names = [a for a in names if cells(gb, a) != cells(tg, a)]
    with tempfile.TemporaryDirectory() as tmp:
        config = copy.deepcopy(course.config)
        config.CourseDirectory.release_directory = tmp
        api = course.api(config)
        for a in names:
            _check(api.generate_assignment(a, force=True), "generate_assignment", a, course.root)
    return names


def source_files(course: Course, assignment: str) -> dict[str, bytes]:
    """The files of an assignment's source folder, relative path -> content, without what nbgrader ignores."""
    from nbgrader.utils import find_all_files

    folder = course.folder("source", ".", assignment)
    return {str(Path(p).relative_to(folder)): Path(p).read_bytes()
            for p in sorted(find_all_files(str(folder), course.coursedir.ignore))}


def bundle(course: Course, names: list[str]) -> dict:
    """What a worker needs to grade `names`, as data.

    {"hash": sha256 of everything below, "config": nbgrader_config.py's bytes,
     "sources": {assignment: {relative path: bytes}}, "gradebook": an SQLite gradebook with the cells, as bytes,
     "policies": the course's policies.toml as bytes, or None}
    The gradebook is generated once per hash, at `template_path(course, hash)`, beside a file `complete` once it is.
    """
    config = (course.root / "nbgrader_config.py").read_bytes()
    sources = {a: source_files(course, a) for a in names}
    digest = hashlib.sha256(config)
    for a in names:
        for rel, data in sorted(sources[a].items()):
            digest.update(f"\0{a}\0{rel}\0{len(data)}\0".encode())
            digest.update(data)
    key = digest.hexdigest()
    # generated in a folder that stays (not a temporary one): nbgrader changes the working directory while it
    # generates, and worker processes spawned meanwhile inherit it (grader.classrun.cluster.Cluster)
    cached = template_path(course, key)
    folder, complete = cached.parent, cached.parent / "complete"
    if not complete.is_file():
        # a run killed while making it leaves no `complete` beside it, and the next makes it again (its gradebook
        # is written without waiting for the disk: Course.scratch_config)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        write_sources(folder, course, sources)
        api = course.api(course.scratch_config(folder))
        for a in names:
            _check(api.generate_assignment(a, force=True), "generate_assignment", a, folder)
        complete.touch()
    policies = course.root / "policies.toml"  # read by the late penalty's plug-in; not part of the hash (cells)
    return {"hash": key, "config": config, "sources": sources, "gradebook": cached.read_bytes(),
            "policies": policies.read_bytes() if policies.is_file() else None}


def template_path(course: Course, key: str) -> Path:
    """Where the gradebook of the bundle with hash `key` is kept."""
    return course.state / "templates" / key[:20] / "gradebook.db"


def write_sources(folder: Path, course: Course, sources: dict[str, dict[str, bytes]]) -> None:
    """Write the bundle's source folders under `folder`, laid out as `course` lays out source/."""
    for a, files in sources.items():
        target = folder / course.folder("source", ".", a).relative_to(course.root)
        for rel, data in files.items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(data)

