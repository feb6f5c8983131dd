"""What a student may read of the live course: the status files the grading service writes in the exchange.

    <exchange>/<course_id>/live/                          0711, the instructor's: nobody lists it
    <exchange>/<course_id>/live/policy.json               0644: every assignment's public policy (`CoursePolicy`)
    <exchange>/<course_id>/live/<student>/                0750, group the student's own (the instructor is in it)
    <exchange>/<course_id>/live/<student>/<assignment>.json   0640, same group: `AssignmentStatus`

Every file is written whole through a temporary file and a rename (a reader never sees half of one), and has its
group and mode before it gets its name, as `grader.hub.exchange.PrivateReleaseFeedback` releases feedback.

The schema, which the JupyterLab extension and the course's `nbgrader submit` read (times ISO 8601 in UTC, with
"+00:00"):

policy.json:
    {"course": str,
     "assignments": {"<id>": {"feedback": "on-submit" | "after-due-date" | "manual",
                              "show": "tests" | "score",
                              "attempts": int | null, "attempts_per_day": int | null,
                              "due": ISO str | null,
                              "late_penalty": str | null}}}       e.g. "10% per day late, at most 50%"

<student>/<assignment>.json:
    {"assignment": str, "student": str,
     "due": ISO str | null,                   this student's, extension included
     "attempts_used": int,                    graded submissions (one that could not be graded costs none)
     "attempts_left": int | null,             null: unlimited; the smaller of what is left in total and today
     "submissions": [                         in order of arrival; the last is the latest
        {"arrived": ISO str,                  when the exchange received it (never the student's timestamp.txt)
         "state": "queued" | "grading" | "graded" | "ungradable" | "refused",
         "score": float | null,               after the late penalty; null unless graded
         "max_score": float | null,
         "late_penalty": float,               points taken (0 if none)
         "message": str | null,               "could not be graded: <reason>", "refused: no attempts left", ...
         "tests": [{"cell": str, "score": float, "max_score": float, "mistake": str | null}],
                                              [] with show = "score" until the due date, and until graded
         "feedback": bool}],                  its feedback is released and `nbgrader fetch_feedback` gets it
     "updated": ISO str}
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATES = ("queued", "grading", "graded", "ungradable", "refused")
LIVE_DIR_MODE, STUDENT_DIR_MODE, STATUS_FILE_MODE, POLICY_FILE_MODE = 0o711, 0o750, 0o640, 0o644


def iso(moment: datetime.datetime | None) -> str | None:
    """`moment` (naive means UTC, nbgrader's way) as ISO 8601 text in UTC; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).isoformat()


def now() -> str:
    return iso(datetime.datetime.now(datetime.timezone.utc))


@dataclass
class AssignmentPolicy:
    """One assignment's public policy (policy.json)."""

    feedback: str
    show: str
    attempts: int | None
    attempts_per_day: int | None
    due: str | None
    late_penalty: str | None


@dataclass
class CoursePolicy:
    """policy.json: the course id and every assignment's public policy."""

    course: str
    assignments: dict[str, AssignmentPolicy]


@dataclass
class TestResult:
    """One autograded test cell as the student sees it: never its code, only its score and the named mistake."""

    cell: str
    score: float
    max_score: float
    mistake: str | None = None


@dataclass
class SubmissionStatus:
    """One submission of one student (see the module docstring)."""

    arrived: str
    state: str = "queued"
    score: float | None = None
    max_score: float | None = None
    late_penalty: float = 0.0
    message: str | None = None
    tests: list[TestResult] = field(default_factory=list)
    feedback: bool = False


@dataclass
class AssignmentStatus:
    """<student>/<assignment>.json (see the module docstring)."""

    assignment: str
    student: str
    due: str | None
    attempts_used: int
    attempts_left: int | None
    submissions: list[SubmissionStatus]
    updated: str


def live_folder(course_exchange: Path) -> Path:
    """`<exchange>/<course_id>/live`."""
    return Path(course_exchange) / "live"


def status_path(course_exchange: Path, student: str, assignment: str) -> Path:
    return live_folder(course_exchange) / student / f"{assignment}.json"


def _write(path: Path, data: dict, mode: int, gid: int = -1) -> None:
    """`data` as JSON at `path`: a temporary file given its group and mode first, then renamed into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, indent=1)
        os.chown(tmp, -1, gid)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _folder(path: Path, mode: int, gid: int = -1) -> None:
    path.mkdir(exist_ok=True)
    os.chown(path, -1, gid)
    if (path.stat().st_mode & 0o7777) != mode:
        path.chmod(mode)


def write_policy(course_exchange: Path, policy: CoursePolicy) -> Path:
    """policy.json, world-readable, in `live/` (made 0711)."""
    folder = live_folder(course_exchange)
    _folder(folder, LIVE_DIR_MODE)
    path = folder / "policy.json"
    _write(path, asdict(policy), POLICY_FILE_MODE)
    return path


def write_status(course_exchange: Path, status: AssignmentStatus, gid: int) -> Path:
    """`<student>/<assignment>.json`, readable by the student's own group `gid` only (`private_group`)."""
    folder = live_folder(course_exchange)
    _folder(folder, LIVE_DIR_MODE)
    _folder(folder / status.student, STUDENT_DIR_MODE, gid)
    path = status_path(course_exchange, status.student, status.assignment)
    _write(path, asdict(status), STATUS_FILE_MODE, gid)
    return path


def read_status(path: Path) -> AssignmentStatus | None:
    """The status at `path` as records, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    subs = [SubmissionStatus(**{**s, "tests": [TestResult(**t) for t in s.get("tests", [])]})
            for s in data.get("submissions", [])]
    return AssignmentStatus(**{**data, "submissions": subs})
