"""What arrived in the exchange and what became of it: the grading service's queue, on disk, restart-safe.

    <course>/.grading/live/<assignment>/<student>.json   that student's submissions of that assignment (`Ledger`)
    <course>/.grading/live/events.jsonl                  one line per grading started and finished (`log_event`)

A submission is named by its folder in the exchange's `inbound/` (`student+assignment+timestamp+random`, which
nbgrader makes unique) and enters the ledger once, `queued`, with the time the exchange received it (the folder's
change time, which its owner cannot set back; never the student's timestamp.txt). It is `grading` while the
service grades it and `graded`, `ungradable` or `refused` after. Each change is written to disk (a temporary file
and a rename) before the service goes on: a service killed while grading finds that submission `grading` when it
starts again and grades it again (the gradebook's merge replaces what a half-finished grading may have left), so
every submission ends graded exactly once. The course folder is the instructor's, 0700: students never read this;
they read the status files made from it (`grader.live.status`).
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .status import SubmissionStatus, TestResult


@dataclass
class Entry:
    """One submission: its folder's name in inbound/ and what the student sees of it (`SubmissionStatus`)."""

    folder: str
    status: SubmissionStatus

    @property
    def arrived(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.status.arrived)


@dataclass
class Ledger:
    """Every submission of one student for one assignment, in order of arrival."""

    assignment: str
    student: str
    entries: list[Entry] = field(default_factory=list)

    def find(self, folder: str) -> Entry | None:
        return next((e for e in self.entries if e.folder == folder), None)

    def graded(self) -> list[Entry]:
        """The submissions that count as attempts: graded ones (one that could not be graded costs none)."""
        return [e for e in self.entries if e.status.state == "graded"]


def folder(course) -> Path:
    path = course.state / "live"
    path.mkdir(exist_ok=True)
    return path


def _path(course, assignment: str, student: str) -> Path:
    return folder(course) / assignment / f"{student}.json"


def load(course, assignment: str, student: str) -> Ledger:
    path = _path(course, assignment, student)
    if not path.is_file():
        return Ledger(assignment, student)
    data = json.loads(path.read_text())
    entries = [Entry(e["folder"], SubmissionStatus(**{**e["status"], "tests": [TestResult(**t) for t in
                                                                                e["status"]["tests"]]}))
               for e in data["entries"]]
    return Ledger(assignment, student, entries)


def save(course, ledger: Ledger) -> None:
    path = _path(course, ledger.assignment, ledger.student)
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"entries": [asdict(e) for e in ledger.entries]}, indent=1))
    os.replace(tmp, path)


def ledgers(course) -> list[Ledger]:
    """Every ledger on disk."""
    found = []
    for path in sorted(folder(course).glob("*/*.json")):
        found.append(load(course, path.parent.name, path.stem))
    return found


def waiting(course) -> list[tuple[Ledger, Entry]]:
    """(ledger, entry) of every submission still to grade (`queued`, or `grading` when a service died), oldest
    arrival first."""
    todo = [(ledger, e) for ledger in ledgers(course) for e in ledger.entries if e.status.state in ("queued", "grading")]
    return sorted(todo, key=lambda pair: pair[1].arrived)


def log_event(course, event: str, assignment: str, student: str, folder_name: str, **extra) -> None:
    """Append one line to events.jsonl: what the service did to which submission, and when."""
    line = {"time": datetime.datetime.now(datetime.timezone.utc).isoformat(), "event": event,
            "assignment": assignment, "student": student, "folder": folder_name, **extra}
    with open(folder(course) / "events.jsonl", "a") as out:
        out.write(json.dumps(line) + "\n")


def events(course) -> list[dict]:
    path = folder(course) / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line] if path.is_file() else []
