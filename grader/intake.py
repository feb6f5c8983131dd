"""What a grading run takes in: which submissions to grade, under which notebook file, and what is odd about them.

Real submission folders are messy: a browser saves a second download as `01_normalization (1).ipynb`, an LMS
export writes a timestamp nbgrader cannot parse, a folder holds two notebooks or none. Each is a problem of one
submission, never of the run: `plan` looks at every folder on its own, catches whatever goes wrong there, and
returns the jobs to grade, the warnings to show next to a graded submission, and the submissions it could not
grade with the reason in words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .timestamps import read_timestamp


@dataclass
class Job:
    """One submission to autograde; `notebook` is the file to grade when it is not named `<assignment>.ipynb`."""

    assignment: str
    student: str
    notebook: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.assignment}/{self.student}"


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
        return f"{self.assignment}/{self.student}"


def notebook_files(folder: Path) -> list[str]:
    """The notebooks a student handed in: `*.ipynb` in the submission folder, checkpoints and hidden files aside."""
    return sorted(p.name for p in folder.glob("*.ipynb") if p.is_file() and not p.name.startswith("."))


def resolve_notebook(folder: Path, assignment: str) -> tuple[str | None, str | None]:
    """(file to grade under another name or None, warning or None); raises ValueError when no file fits.

    The expected `<assignment>.ipynb` is graded as it is. Otherwise a single notebook of another name is graded
    in its place, with a warning; no notebook, or several of other names, is a problem the error names.
    """
    expected = f"{assignment}.ipynb"
    found = notebook_files(folder)
    if expected in found:
        others = [f for f in found if f != expected]
        return None, (f"also handed in {', '.join(others)}, which were not graded" if others else None)
    if len(found) == 1:
        return found[0], f"graded {found[0]} as {expected} (the notebook was renamed)"
    if not found:
        raise ValueError(f"no notebook in the submission folder; expected {expected}")
    raise ValueError(f"found {', '.join(found)}; expected {expected} (which one to grade is ambiguous: "
                     f"keep one, or rename it to {expected})")


def fingerprint(folder: Path) -> str:
    """What changes when a student hands in again: the names, sizes and modification times of the files."""
    entries = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file())
    return json.dumps(entries)


def plan(course, names: list[str], students: list[str] | None, force: bool, pending: set[str],
         known: dict[str, str] | None = None) -> tuple[list[Job], list[Problem]]:
    """Jobs for the submissions to autograde (new, resubmitted, unfinished, or all with `force`) and problems.

    `pending` holds `assignment/student` keys left unfinished by an earlier run; `known` maps the keys of
    problems found by earlier runs to their folder's fingerprint: such a problem is reported again only if the
    folder changed (or with `force`), so that a run reports its own problems.
    """
    jobs, problems = [], []
    for a in names:
        for s, folder in course.submissions(a):
            if students and s not in students:
                continue
            try:
                job = _job(folder, course.folder("autograded", s, a), a, s, force, pending)
            except Exception as error:  # noqa: BLE001 - one odd folder must not stop the class
                files = ", ".join(notebook_files(folder)) or "(no notebook)"
                mark = fingerprint(folder)
                if force or (known or {}).get(f"{a}/{s}") != mark:
                    problems.append(Problem(a, s, files, str(error) or type(error).__name__, mark))
                continue
            if job is not None:
                jobs.append(job)
    return jobs, problems


def _job(folder: Path, dest: Path, a: str, s: str, force: bool, pending: set[str]) -> Job | None:
    warnings: list[str] = []
    new = read_timestamp(folder, warn=warnings.append)
    old = read_timestamp(dest) if dest.is_dir() else None
    notebook, warning = resolve_notebook(folder, a)
    if warning:
        warnings.append(warning)
    if force or not dest.is_dir() or f"{a}/{s}" in pending or (new and old and new > old):
        return Job(a, s, notebook, warnings)
    return None


def submission_files(folder: Path, job: Job, ignore: list[str], max_kib: int) -> dict[str, bytes]:
    """What a worker gets of a submission folder, {relative path: bytes}: the notebook to grade, named
    `<assignment>.ipynb`, and the other files, without other notebooks beside it, files matching nbgrader's
    `CourseDirectory.ignore`, or files over its `max_file_size` (KiB; each left out is added to `job.warnings`)."""
    from nbgrader.utils import find_all_files

    expected = f"{job.assignment}.ipynb"
    files = {}
    for path in find_all_files(str(folder), ignore):
        rel = Path(path).relative_to(folder)
        if len(rel.parts) == 1 and rel.suffix == ".ipynb":
            if rel.name == (job.notebook or expected):
                files[expected] = Path(path).read_bytes()
            continue
        size = Path(path).stat().st_size
        if size > max_kib * 1024:
            job.warnings.append(f"{rel} ({size / 2**20:.1f} MiB) is over the course's max_file_size of "
                                f"{max_kib / 1024:.0f} MiB and was left out")
            continue
        files[str(rel)] = Path(path).read_bytes()
    return files
