"""What grading keeps between runs, per assignment, so that runs on different assignments can go on at once.

`.grading/<assignment>/` holds `lock` (held by the run grading the assignment), `status.json` (per student: ok,
seconds, file, warnings, error, fingerprint) and `pending.json` (submissions queued by a run that has not finished
them: the next run grades them first). Files are replaced atomically: a killed run never leaves half a file.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from .records import SubmissionKey


def _folder(course, assignment: str) -> Path:
    folder = course.state / assignment
    folder.mkdir(exist_ok=True)
    return folder


def _read(path: Path, default):
    return json.loads(path.read_text()) if path.is_file() else default


def _write(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


@contextmanager
def locked(course, names: list[str]):
    """Hold the lock of every assignment in `names` for the block; SystemExit naming the first one another run
    holds (runs on different assignments go on at the same time)."""
    held = []
    try:
        for a in names:
            f = open(_folder(course, a) / "lock", "w")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.close()
                raise SystemExit(f"another grading run is grading {a} (it holds {_folder(course, a) / 'lock'}); "
                                 "wait for it to finish, or grade other assignments with --assignments") from None
            held.append(f)
        yield
    finally:
        for f in held:
            f.close()


def status(course, names: list[str] | None = None) -> dict[str, dict]:
    """`assignment/student` -> the last grading's entry, for `names` (default: every assignment graded so far)."""
    names = names if names is not None else [p.parent.name for p in sorted(course.state.glob("*/status.json"))]
    out = {}
    for a in names:
        entries = _read(course.state / a / "status.json", {})
        out.update({str(SubmissionKey(a, s)): entry for s, entry in entries.items()})
    return out


def save_status(course, assignment: str, entries: dict[str, dict]) -> None:
    """Write the status of `assignment` from `entries` (`assignment/student` keys, other assignments ignored)."""
    prefix = f"{assignment}/"
    _write(_folder(course, assignment) / "status.json",
           {k[len(prefix):]: v for k, v in entries.items() if k.startswith(prefix)})


def pending(course, names: list[str]) -> set[str]:
    """`assignment/student` keys queued by runs that did not finish them."""
    return {str(SubmissionKey(a, s)) for a in names for s in _read(course.state / a / "pending.json", [])}


def save_pending(course, assignment: str, keys: set[str]) -> None:
    prefix = f"{assignment}/"
    _write(_folder(course, assignment) / "pending.json", sorted(k[len(prefix):] for k in keys if k.startswith(prefix)))


def save_run(course, run: dict) -> None:
    """The figures of the last run, in `.grading/last_run.json`."""
    _write(course.state / "last_run.json", run)


def log_path(course, key: str) -> Path:
    """Where the whole log of a submission's failed grading goes."""
    folder = course.state / "logs"
    folder.mkdir(exist_ok=True)
    return folder / f"{key.replace('/', '-')}.log"
