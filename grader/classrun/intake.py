"""What a grading run takes in: which submissions to grade, under which notebook file, and what is odd about them.

Real submission folders are messy: a browser saves a second download as `01_normalization (1).ipynb`, an LMS
export writes a timestamp nbgrader cannot parse, a folder holds two notebooks or none. Each is a problem of one
submission, never of the run: `plan` looks at every folder on its own, catches whatever goes wrong there, and
returns the jobs to grade, the warnings to show next to a graded submission, and the submissions it could not
grade with the reason in words (`Problem`).

A submission is the student's own files (`grader.classrun.handin`): a notebook that is a symbolic link is reported ("a
symbolic link, not a file"), never read through; other links, Python environments and names that are not UTF-8
are left out with a warning; a student folder whose name is not UTF-8 is reported under a name that is. The
notebook is read as other tools save it (a byte-order mark, CRLF), and an empty, truncated or HTML file is
reported with the reason at intake, before any worker sees it.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .handin import display_name, name_list, notebook_bytes, own_files, round_trips
from ..plugins.timestamps import read_timestamp
from .records import SubmissionKey


@dataclass
class Job:
    """One submission to autograde; `notebook` is the file to grade when it is not named `<assignment>.ipynb`."""

    assignment: str
    student: str
    notebook: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(SubmissionKey(self.assignment, self.student))


@dataclass
class Problem:
    """A submission that cannot be graded as it is: who, which file, why in words, and the folder's fingerprint."""

    assignment: str
    student: str
    file: str
    reason: str
    fingerprint: str = ""

    @property
    def key(self) -> str:
        return str(SubmissionKey(self.assignment, self.student))


def notebook_files(folder: Path) -> list[str]:
    """The notebooks a student handed in: regular `*.ipynb` files in the submission folder (never through a
    symbolic link), checkpoints and hidden files aside."""
    return sorted(p.name for p in _entries(folder) if p.suffix == ".ipynb" and _regular(p))


def _entries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.startswith(".")]


def _regular(path: Path) -> bool:
    return stat.S_ISREG(path.lstat().st_mode)


#: What a file that is not the notebook probably is, by the end of its name, said when no notebook is found.
_HINTS = {".ipynb.txt": "a notebook saved as text: rename it to {}", ".zip": "an archive: unpack it",
          ".py": "a script, not the notebook", ".html": "an export, not the notebook",
          ".pdf": "an export, not the notebook"}


def found_files(folder: Path) -> list[str]:
    """The files of a submission folder, links named as such (for a message); never raises."""
    try:
        files, _ = own_files(folder)
        return files + sorted(f"{p.name} (a symbolic link)" for p in folder.iterdir() if p.is_symlink())
    except OSError as error:
        return [f"(the folder cannot be read: {error.strerror})"]


def resolve_notebook(folder: Path, assignment: str) -> tuple[str | None, str | None]:
    """(file to grade under another name or None, warning or None); raises ValueError when no file fits.

    The expected `<assignment>.ipynb` is graded as it is. Otherwise a single notebook of another name is graded
    in its place, with a warning, and then a single notebook one folder down. A notebook that is a symbolic link
    is never graded (it reads someone else's file). No notebook, or several of other names, is a problem the error
    names, with the files found.
    """
    expected = f"{assignment}.ipynb"
    found = notebook_files(folder)
    linked = sorted(p.name for p in _entries(folder) if p.suffix == ".ipynb" and p.is_symlink())
    if expected in linked:
        raise ValueError(f"{expected} is a symbolic link, not a file: hand in the notebook itself")
    said = [f"{display_name(n)} is a symbolic link, not a file: not graded" for n in linked]
    if expected in found:
        others = [f for f in found if f != expected]
        said += [f"also handed in {', '.join(map(display_name, others))}, which were not graded"] if others else []
        return None, "; ".join(said) or None
    if len(found) == 1:
        return found[0], "; ".join([f"graded {display_name(found[0])} as {expected} (the notebook was renamed)",
                                    *said])
    if found:
        raise ValueError(f"found {', '.join(map(display_name, found))}; expected {expected} (which one to grade is "
                         f"ambiguous: keep one, or rename it to {expected})")
    down = sorted(str(p.relative_to(folder)) for d in _entries(folder) if d.is_dir() and not d.is_symlink()
                  for p in _entries(d) if p.suffix == ".ipynb" and _regular(p))
    if len(down) == 1 and not linked:
        return down[0], f"graded {display_name(down[0])} as {expected} (the notebook was one folder down)"
    files = found_files(folder)
    hints = [h.format(expected) for end, h in _HINTS.items() if any(f.endswith(end) for f in files)]
    raise ValueError(f"no notebook in the submission folder; expected {expected}; found {name_list(files) or 'nothing'}"
                     + (f" ({hints[0]})" if hints else ""))


def fingerprint(folder: Path) -> str:
    """What changes when a student hands in again: the names, sizes and modification times of the files (links
    as links)."""
    entries = sorted((display_name(p.name), st.st_size, st.st_mtime_ns) for p in folder.iterdir()
                     for st in [p.lstat()] if not stat.S_ISDIR(st.st_mode))
    return json.dumps(entries)


def plan(course, names: list[str], students: list[str] | None, force: bool, pending: set[str],
         known: dict[str, str] | None = None) -> tuple[list[Job], list[Problem]]:
    """Jobs for the submissions to autograde (new, resubmitted, unfinished, or all with `force`) and problems.

    `pending` holds `assignment/student` keys left unfinished by an earlier run; `known` maps the keys of
    problems found by earlier runs to their folder's fingerprint: such a problem is reported again only if the
    folder changed (or with `force`), so that a run reports its own problems. A student folder whose name is not
    valid UTF-8 is a problem under its `display_name`.
    """
    jobs, problems = [], []
    for a in names:
        for s, folder in course.submissions(a):
            if students and s not in students:
                continue
            try:
                if not round_trips(s):
                    raise ValueError(f"the student folder's name {display_name(s)} is not valid UTF-8 (a zip or LMS "
                                     f"export in another encoding?): rename it, to {os.fsencode(s).decode('latin-1')}"
                                     " or the student's id, to grade it")
                if folder.parent.is_symlink() or folder.is_symlink():
                    raise ValueError("the submission folder is a symbolic link, not the student's own folder")
                job = _job(folder, course.folder("autograded", s, a), a, s, force, pending)
            except Exception as error:  # noqa: BLE001 - one odd folder must not stop the class
                mark = _safe(fingerprint, folder)
                if force or (known or {}).get(f"{a}/{display_name(s)}") != mark:
                    problems.append(Problem(a, display_name(s), _safe(lambda f: name_list(notebook_files(f)), folder)
                                            or f"(no notebook; found {name_list(found_files(folder)) or 'nothing'})",
                                            str(error) or type(error).__name__, mark))
                continue
            if job is not None:
                jobs.append(job)
    return jobs, problems


def _safe(read, folder: Path) -> str:
    try:
        return read(folder)
    except Exception:  # noqa: BLE001 - only for a message about a folder that is already a problem
        return ""


def _job(folder: Path, dest: Path, a: str, s: str, force: bool, pending: set[str]) -> Job | None:
    warnings: list[str] = []
    new = read_timestamp(folder, warn=warnings.append)
    old = read_timestamp(dest) if dest.is_dir() else None
    notebook, warning = resolve_notebook(folder, a)
    if warning:
        warnings.append(warning)
    name = notebook or f"{a}.ipynb"
    try:
        notebook_bytes((folder / name).read_bytes())
    except ValueError as error:
        raise ValueError(f"{display_name(name)}: {error}") from None
    if force or not dest.is_dir() or f"{a}/{s}" in pending or (new and old and new > old):
        return Job(a, s, notebook, warnings)
    return None


def submission_files(folder: Path, job: Job, ignore: list[str], max_kib: int) -> dict[str, bytes]:
    """What a worker gets of a submission folder, {relative path: bytes}: the notebook to grade, named
    `<assignment>.ipynb` (as nbformat reads it: `grader.classrun.handin.notebook_bytes`), and the student's other files
    (`grader.classrun.handin.own_files`: no symbolic link followed), without other notebooks beside it, files matching
    nbgrader's `CourseDirectory.ignore`, or files over its `max_file_size` (KiB). Whatever is left out is said in
    `job.warnings`. Raises ValueError when the notebook is no longer a notebook, OSError when it cannot be read."""
    expected = f"{job.assignment}.ipynb"
    graded = job.notebook or expected
    paths, said = own_files(folder, ignore)
    job.warnings.extend(w for w in said if w not in job.warnings)
    if not (folder / graded).is_file() or (folder / graded).is_symlink():
        raise ValueError(f"{display_name(graded)} is no longer a file of the submission folder")
    files = {expected: notebook_bytes((folder / graded).read_bytes())}
    for rel in paths:
        if rel == graded or (Path(rel).parent == Path(graded).parent and rel.endswith(".ipynb")):
            continue
        size = (folder / rel).stat().st_size
        if size > max_kib * 1024:
            job.warnings.append(f"{rel} ({size / 2**20:.1f} MiB) is over the course's max_file_size of "
                                f"{max_kib / 1024:.0f} MiB and was left out")
            continue
        try:
            files[rel] = (folder / rel).read_bytes()
        except OSError as error:
            job.warnings.append(f"{rel} could not be read ({error.strerror}) and was left out")
    return files
