"""What a student sees of the live course (issue 23): one authenticated endpoint of the student's own Jupyter server.

    GET <base_url>/live-course/status

answers, for the user the server runs as and for every course of theirs (`StudentView`: one `LiveView` per course),
the course's grading policy and this student's status for every assignment of the policy, as each course's grading
service writes them in the exchange:

    <exchange root>/<course_id>/live/policy.json                    the policy of every assignment (0644)
    <exchange root>/<course_id>/live/<student>/<assignment>.json    one student's status (0640, their own group)

The course's JupyterLab extension (hub/labextension/) polls it and shows, in nbgrader's Assignments tab, the due
date and time left, attempts used and left, "grading…", the score, the test cells with their named mistakes, and a
button that fetches and opens the feedback.

Whose files: the student is the Unix user this server runs as (the hub starts each user's server as that user),
never a name from the request, and the only folder read below `live/` is that student's own. The Unix permissions
are the real wall (another student's status is 0640 in that student's group); this handler simply never builds
another student's path, does not follow a symbolic link where a status file should be, and serves no field it does
not know (a status file names test cells, scores and mistakes, never test code).

Each file is checked field by field into the service's own records (`grader.live.status`: one schema, written by
the service and read here). A missing status file means "not submitted yet"; an unreadable or malformed one gives
that assignment the state "error" with the reason, never an HTTP 500; no policy yet gives `live: false` with the
reason.

Where the exchange is: the user's nbgrader configuration (the hub's common config, hub/jupyter/common/
nbgrader_config.py: `Exchange.root` and `CourseDirectory.course_id`), loaded as nbgrader's own assignment-list
handler loads it (every Jupyter config folder, then the server's root folder), once per server. Which courses: the
configuration's course id when it names one (a student in one course); when it names none (a student in several
courses of one hub, as nbgrader's `demo_multiple_classes` configures them), every course folder of the exchange the
student may enter (`student_courses`: the exchange's course folders are 0750 to each course's group), as nbgrader's
own list finds every course it can read.
"""

from __future__ import annotations

import datetime
import errno
import json
import math
import os
import pwd
import re
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from ..policy import FEEDBACK as FEEDBACK_MODES
from ..policy import SHOW as SHOW_MODES
from .status import STATES, AssignmentPolicy, AssignmentStatus, SubmissionStatus, TestResult

#: the endpoint, under the server's base URL
ROUTE = "live-course/status"
#: jupyter_server's authorization resource of this handler (JupyterHub's authorizer asks for access to the server)
AUTH_RESOURCE = "live-course"
#: a status file is a few kilobytes; anything far larger is not one
MAX_BYTES = 1 << 20
#: assignment and student names that are one path component (nbgrader's ids, Unix account names)
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


class Malformed(ValueError):
    """A policy or status file that is not what the grading service writes; the message says what is wrong."""


def _iso(value, what: str, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise Malformed(f"{what} must be an ISO-8601 date, found {value!r}")
    try:
        when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Malformed(f"{what} is not an ISO-8601 date: {value!r}") from None
    if when.tzinfo is None:  # the service writes UTC; a naive time is read as UTC too
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _number(value, what: str, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Malformed(f"{what} must be a number, found {value!r}")
    return float(value)


def _count(value, what: str, optional: bool = True) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Malformed(f"{what} must be a whole number >= 0, found {value!r}")
    return value


def _text(value, what: str, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise Malformed(f"{what} must be text, found {value!r}")
    return value


def _choice(value, what: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise Malformed(f"{what} must be one of {', '.join(choices)}, found {value!r}")
    return value


def _object(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise Malformed(f"{what} must be a JSON object, found {type(value).__name__}")
    return value


def parse_policy(data, assignment: str) -> AssignmentPolicy:
    """One assignment's entry of policy.json, checked field by field."""
    data = _object(data, f"the policy of {assignment}")
    where = f"the policy of {assignment}:"
    return AssignmentPolicy(_choice(data.get("feedback"), f"{where} feedback", FEEDBACK_MODES),
                            _choice(data.get("show", "score"), f"{where} show", SHOW_MODES),
                            _count(data.get("attempts"), f"{where} attempts"),
                            _count(data.get("attempts_per_day"), f"{where} attempts_per_day"),
                            _iso(data.get("due"), f"{where} due"),
                            _text(data.get("late_penalty"), f"{where} late_penalty"))


def parse_test(data, what: str) -> TestResult:
    """One test cell of a graded submission: its score and the mistake it names; any other field (code) dropped."""
    data = _object(data, what)
    return TestResult(_text(data.get("cell"), f"{what}: cell", optional=False),
                      _number(data.get("score"), f"{what}: score"),
                      _number(data.get("max_score"), f"{what}: max_score"),
                      _text(data.get("mistake"), f"{what}: mistake"))


def parse_submission(data, what: str) -> SubmissionStatus:
    data = _object(data, what)
    tests = data.get("tests") or []
    if not isinstance(tests, list):
        raise Malformed(f"{what}: tests must be a list")
    feedback = data.get("feedback", False)
    if not isinstance(feedback, bool):
        raise Malformed(f"{what}: feedback must be true or false, found {feedback!r}")
    return SubmissionStatus(_iso(data.get("arrived"), f"{what}: arrived", optional=False),
                            _choice(data.get("state"), f"{what}: state", STATES),
                            _number(data.get("score"), f"{what}: score", optional=True),
                            _number(data.get("max_score"), f"{what}: max_score", optional=True),
                            _number(data.get("late_penalty", 0), f"{what}: late_penalty"),
                            _text(data.get("message"), f"{what}: message"),
                            [parse_test(t, f"{what}, test {i + 1}") for i, t in enumerate(tests)],
                            feedback)


def parse_status(data, assignment: str, student: str) -> AssignmentStatus:
    """<student>/<assignment>.json, checked field by field; it must name this student and this assignment."""
    data = _object(data, "the status")
    if data.get("assignment") != assignment or data.get("student") != student:
        raise Malformed(f"the status names {data.get('student')!r}'s {data.get('assignment')!r}, "
                        f"not {student}'s {assignment}")
    submissions = data.get("submissions") or []
    if not isinstance(submissions, list):
        raise Malformed("submissions must be a list")
    return AssignmentStatus(assignment, student, _iso(data.get("due"), "due"),
                            _count(data.get("attempts_used", 0), "attempts_used", optional=False),
                            _count(data.get("attempts_left"), "attempts_left"),
                            [parse_submission(s, f"submission {i + 1}") for i, s in enumerate(submissions)],
                            _iso(data.get("updated"), "updated", optional=False))


@dataclass(frozen=True)
class AssignmentView:
    """What the student's Assignments tab shows of one assignment: its policy and this student's status."""

    id: str
    policy: AssignmentPolicy | None   # None when this assignment's policy is malformed (`error` says how)
    state: str                      # "not-submitted" (no status file yet) | "ok" | "error"
    status: AssignmentStatus | None = None
    error: str | None = None


@dataclass(frozen=True)
class LiveView:
    """The endpoint's answer: the course, the student, the server's clock, and every assignment of the policy."""

    live: bool                      # false: no policy yet (`reason` says why); nothing else to show
    course: str
    student: str
    now: str                        # the server's clock, so that the browser's time left does not depend on its own
    assignments: list[AssignmentView] = field(default_factory=list)
    reason: str | None = None


def read_json(path: Path):
    """The JSON of `path`, a regular file not reached through a symbolic link at its last component.

    Raises FileNotFoundError when it does not exist, Malformed when it is no regular file, too large or not JSON,
    PermissionError when the student may not read it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise Malformed(f"{path.name} is a symbolic link, not a status file") from None
        raise
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Malformed(f"{path.name} is not a regular file")
        if info.st_size > MAX_BYTES:
            raise Malformed(f"{path.name} is {info.st_size} bytes, more than a status file ever is")
        data = fh.read(MAX_BYTES + 1)
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Malformed(f"{path.name} is not valid JSON ({e})") from None


def _why(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "the grading service's file is not readable by you (ask your instructor)"
    return f"{error.strerror or error}"


def assignment_view(live: Path, student: str, assignment: str, policy: AssignmentPolicy) -> AssignmentView:
    """The view of one assignment: its policy and `student`'s status from <live>/<student>/<assignment>.json."""
    try:
        status = parse_status(read_json(live / student / f"{assignment}.json"), assignment, student)
    except FileNotFoundError:
        return AssignmentView(assignment, policy, "not-submitted")
    except Malformed as e:
        return AssignmentView(assignment, policy, "error", error=f"the grading status is malformed: {e}")
    except OSError as e:
        return AssignmentView(assignment, policy, "error", error=_why(e))
    return AssignmentView(assignment, policy, "ok", status)


def live_view(exchange_root: Path | str, course: str, student: str,
              now: datetime.datetime | None = None) -> LiveView:
    """Everything `student` sees of `course`'s live grading, read from the exchange under `exchange_root`."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    stamp = now.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    if not _NAME.match(student):
        return LiveView(False, course, student, stamp, reason=f"{student!r} is not a student name of the course")
    live = Path(exchange_root) / course / "live"
    policy_path = live / "policy.json"
    try:
        policy = _object(read_json(policy_path), "policy.json")
        entries = _object(policy.get("assignments"), "policy.json's assignments")
    except FileNotFoundError:
        return LiveView(False, course, student, stamp,
                        reason=f"the course has no live grading policy yet ({policy_path} does not exist)")
    except Malformed as e:
        return LiveView(False, course, student, stamp, reason=f"the course's grading policy is malformed: {e}")
    except OSError as e:
        return LiveView(False, course, student, stamp, reason=f"the course's grading policy: {_why(e)}")
    views = []
    for assignment in sorted(entries):
        if not _NAME.match(assignment) or assignment.startswith("."):
            continue  # never a path: an id with a slash or a leading dot is no nbgrader assignment
        try:
            views.append(assignment_view(live, student, assignment,
                                         parse_policy(entries[assignment], assignment)))
        except Malformed as e:
            views.append(AssignmentView(assignment, None, "error", error=f"the grading policy is malformed: {e}"))
    return LiveView(True, course, student, stamp, views)


@dataclass(frozen=True)
class StudentView:
    """The endpoint's answer: the student, the server's clock, and the live view of each of the student's courses."""

    student: str
    now: str                        # the server's clock, so that the browser's time left does not depend on its own
    courses: list[LiveView] = field(default_factory=list)
    reason: str | None = None       # why there is no course at all, when there is none


def student_courses(exchange_root: Path | str) -> list[str]:
    """The course ids of the exchange whose folder this process may enter (its user is in the course), sorted; the
    others are skipped, never an error."""
    try:
        entries = sorted(os.scandir(exchange_root), key=lambda e: e.name)
    except OSError:
        return []
    return [e.name for e in entries if _NAME.match(e.name) and not e.name.startswith(".")
            and e.is_dir(follow_symlinks=False) and os.access(e.path, os.R_OK | os.X_OK)]


def student_view(exchange_root: Path | str, course_id: str, student: str,
                 now: datetime.datetime | None = None) -> StudentView:
    """The `LiveView` of `course_id`, or, when it is empty, of every course of the exchange `student` is in."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    stamp = _iso(now.isoformat(), "now")
    courses = [course_id] if course_id else student_courses(exchange_root)
    if not courses:
        return StudentView(student, stamp, reason=f"you are in no course of the exchange {exchange_root}")
    return StudentView(student, stamp, [live_view(exchange_root, c, student, now) for c in courses])


def nbgrader_exchange(root_dir: str) -> tuple[Path, str]:
    """(Exchange.root, CourseDirectory.course_id) of the user's nbgrader configuration, read as nbgrader's own
    assignment-list handler reads it: every Jupyter config folder, then `root_dir` (the server's root)."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.exchange import Exchange

    app = NbGrader()
    app.config_file_paths.extend([*jupyter_config_path(), root_dir])
    app.load_config_file()
    return Path(Exchange(config=app.config).root), CourseDirectory(config=app.config).course_id


def this_student() -> str:
    """The Unix user this server runs as: the hub starts each user's server as that user."""
    return pwd.getpwuid(os.geteuid()).pw_name


class LiveStatusHandler(APIHandler):
    """GET: the StudentView of the user this server runs as, as JSON. No argument of the request is read."""

    auth_resource = AUTH_RESOURCE

    @web.authenticated
    @authorized("read")
    def get(self):
        where = self.settings.get("live_course_exchange")
        if where is None:  # read once per server; a configuration that failed is read again next time
            try:
                where = nbgrader_exchange(self.settings.get("server_root_dir") or os.getcwd())
                self.settings["live_course_exchange"] = where
            except Exception as e:  # a broken configuration is the student's to read, not a 500
                self.log.exception("live course: could not read nbgrader's configuration")
                where = e
        student = this_student()
        if isinstance(where, Exception):
            view = StudentView(student, _iso(datetime.datetime.now(datetime.timezone.utc).isoformat(), "now"),
                               reason=f"nbgrader's configuration could not be read: {where}")
        else:
            view = student_view(where[0], where[1], student)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(asdict(view)))


def _jupyter_server_extension_points():
    return [{"module": "grader.live.handlers"}]


def _load_jupyter_server_extension(serverapp):
    """Jupyter Server loads this when `grader.live.handlers` is enabled (hub/jupyter/student/)."""
    web_app = serverapp.web_app
    web_app.add_handlers(".*$", [(url_path_join(web_app.settings["base_url"], ROUTE), LiveStatusHandler)])
    serverapp.log.info("live course: %s", url_path_join(web_app.settings["base_url"], ROUTE))
