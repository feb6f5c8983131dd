"""The course on a JupyterHub: the roster, where the hub's parts live, and what each role's processes see.

One place for what must agree between the hub's configuration (hub/jupyterhub_config.py, which imports this
module from the hub's environment), `course roster` (grader/hub/roster.py), `course hub-bench` and the hub tests:

- the rosters: one CSV per course (`roster.csv`, header `id,role`, one row per Unix account, role `student`,
  `grader` or `instructor`), each with its course id as data (`CourseRoster`, read by `read_rosters` from
  `[course-id=]path` specs: a bare path is the course `optimization-setup`, `COURSE_ID`), as nbgrader's own
  `demo_multiple_classes` runs several courses on one hub;
- the prefix (`HUB_PREFIX`, /opt/optimization-setup): the hub's venv (Debian's python3, so every user can run it),
  the proxy, and the per-role Jupyter configuration in `etc/jupyter/<role>/` (from hub/jupyter/);
- the exchange (`HUB_EXCHANGE`, /srv/nbgrader/exchange): the one nbgrader exchange every user of the hub shares, a
  folder per course (`<exchange>/<course id>`, 0750, the course's group);
- each instructor's course folder: `~/<course id>` in their home;
- each course's shared formgrader: a JupyterHub service named after the course (`CourseRoster.formgrader_service`),
  run as its instructor, which the hub lets the holders of `CourseRoster.staff_role` (the instructor and the
  graders) open (grader/hub/formgrader.py); and its grading service (`CourseRoster.grading_service`).

`HubSite.role_env` is the environment the hub adds to a user's server (its `pre_spawn_hook`), and
`HubSite.run_as` runs a command as a user with that same environment, as a terminal on their server would.
"""

from __future__ import annotations

import csv
import grp
import os
import pwd
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: the default course's nbgrader id: a roster given without a course id is this course's; the course's own
#: nbgrader_config.py sets the same (tests/test_hub_config.py checks it)
COURSE_ID = "optimization-setup"
DEFAULT_PREFIX = "/opt/optimization-setup"
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"
#: the default course's folder in its instructor's home (every course's folder is named after its id)
COURSE_FOLDER = COURSE_ID
ROLES = ("student", "grader", "instructor")
#: the default course's shared formgrader service, hub role and Unix group (`CourseRoster` derives each course's)
FORMGRADER_SERVICE = COURSE_ID
STAFF_ROLE = f"formgrade-{COURSE_ID}"
COURSE_GROUP = f"nbgrader-{COURSE_ID}"
#: Unix account names useradd accepts, without '+' (nbgrader's separator in submission names)
_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
#: a course id: one path component of the exchange and of the instructor's home, a JupyterHub service name (a URL
#: path component), and the Unix group `nbgrader-<id>` (lower-case, at most 32 characters): so lower-case letters,
#: digits, - and _, starting with a letter or a digit, at most 23 characters; never '+' (nbgrader's separator in
#: submission names) nor '/'
_COURSE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,22}$")
#: names of the hub's own services, which no course's formgrader service may take
RESERVED_COURSE_IDS = ("grading",)
#: what a user's processes find first on PATH: the hub's environment, then the system's
_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Member:
    """One row of the roster: a Unix account name, its role in the course, and the name the formgrader shows."""

    id: str
    role: str
    first_name: str = ""
    last_name: str = ""


def read_roster(path: Path | str) -> list[Member]:
    """The members of `path` (CSV with header `id,role`, optionally `id,role,first_name,last_name`), in file order.

    Roles: `student`, `grader` (teaching staff: any number; they grade in the course's shared formgrader and own
    nothing of the course) and `instructor`. Raises ValueError naming the line for a bad header, id or role, a
    repeated id, or a roster without exactly one instructor (one account owns the course's exchange folder and
    gradebook)."""
    members: list[Member] = []
    with open(path, newline="") as fh:
        rows = csv.reader(fh)
        header = [h.strip().lower() for h in next(rows, [])]
        if header not in (["id", "role"], ["id", "role", "first_name", "last_name"]):
            raise ValueError(f"{path}: the first line must be the header `id,role` or `id,role,first_name,last_name`"
                             f", found {','.join(header)!r}")
        for line, row in enumerate(rows, start=2):
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            ident, role, first, last = [v.strip() for v in (row + ["", "", "", ""])[:4]]
            role = role.lower()
            if not _NAME.match(ident):
                raise ValueError(f"{path}:{line}: {ident!r} is not a Unix account name (lower-case letters, digits, "
                                 "- and _, at most 32 characters, starting with a letter or _)")
            if role not in ROLES:
                raise ValueError(f"{path}:{line}: role {role!r} of {ident}; expected student, grader or instructor")
            if any(m.id == ident for m in members):
                raise ValueError(f"{path}:{line}: {ident} is listed twice")
            members.append(Member(ident, role, first, last))
    instructors = [m.id for m in members if m.role == "instructor"]
    if len(instructors) != 1:
        raise ValueError(f"{path}: the roster needs exactly one instructor (who owns the course folder, the "
                         f"exchange's course folder and the gradebook); found {len(instructors)}: {instructors}")
    return members


def instructor_of(members: list[Member]) -> str:
    return next(m.id for m in members if m.role == "instructor")


def graders_of(members: list[Member]) -> list[str]:
    return [m.id for m in members if m.role == "grader"]


def check_course_id(course_id: str, where: str = "") -> str:
    """`course_id` when it is a valid course id (`_COURSE_ID`), else ValueError saying what was expected."""
    if not _COURSE_ID.match(course_id or "") or course_id.startswith(RESERVED_COURSE_IDS):
        raise ValueError(f"{where}{course_id!r} is not a course id: expected lower-case letters, digits, - and _, "
                         "starting with a letter or a digit, at most 23 characters (it names the exchange's folder, "
                         "the instructor's course folder, a hub service and the Unix group nbgrader-<id>; never '+' "
                         "or '/'), and not starting with 'grading' (the hub's grading services)")
    return course_id


@dataclass(frozen=True)
class CourseRoster:
    """One course of the hub: its nbgrader course id and its roster; every name the hub derives from the id.

    The default course (`COURSE_ID`) keeps the names a one-course hub always had (the grading service `grading`, the
    Unix group `nbgrader-optimization-setup` unless `course roster --course-group` names another); every other course
    `<name>-<course id>`."""

    id: str
    members: tuple[Member, ...]
    #: the Unix group of the course's members, which alone may enter the course's folder of the exchange
    group: str = ""

    def __post_init__(self):
        check_course_id(self.id)
        if not self.group:
            object.__setattr__(self, "group", f"nbgrader-{self.id}")

    @property
    def instructor(self) -> str:
        return instructor_of(list(self.members))

    @property
    def graders(self) -> list[str]:
        return graders_of(list(self.members))

    @property
    def students(self) -> list[Member]:
        return [m for m in self.members if m.role == "student"]

    def role_of(self, user: str) -> str | None:
        return next((m.role for m in self.members if m.id == user), None)

    @property
    def folder_name(self) -> str:
        """The course folder's name in the instructor's home."""
        return self.id

    @property
    def formgrader_service(self) -> str:
        """The course's shared formgrader: a JupyterHub service named after the course, as nbgrader names it."""
        return self.id

    @property
    def staff_role(self) -> str:
        """The hub role (nbgrader's group name) of those who may open the formgrader: the instructor, the graders."""
        return f"formgrade-{self.id}"

    @property
    def grading_service(self) -> str:
        """The live course's grading service: `grading` for the default course, `grading-<id>` for the others."""
        return "grading" if self.id == COURSE_ID else f"grading-{self.id}"


def parse_roster_spec(spec: str) -> tuple[str, Path]:
    """(course id, path) of `[course-id=]path`; a bare path is the default course `COURSE_ID`."""
    course_id, sep, path = str(spec).partition("=")
    if not sep:
        return COURSE_ID, Path(spec)
    return check_course_id(course_id.strip(), f"{spec}: "), Path(path)


def read_rosters(specs, groups: dict[str, str] | None = None) -> tuple[CourseRoster, ...]:
    """The courses of the hub, from roster specs `[course-id=]path` (a string of specs separated by whitespace, as
    HUB_ROSTER gives them, or a list), in the order given; `groups` maps a course id to its Unix group when not the
    default `nbgrader-<id>`.

    Each roster is `read_roster`'s. Raises ValueError for a bad course id, a course given twice, or a person who is
    teaching staff (instructor or grader) of one course and also in another: staff belong to their course alone
    (their server is their course's: the instructor's on its folder, a grader's without nbgrader), while a student
    may be in any number of courses (their Assignments tab shows each)."""
    if isinstance(specs, (str, Path)):
        specs = str(specs).split()
    if not specs:
        raise ValueError("no roster given: expected one or more `[course-id=]roster.csv`")
    courses: list[CourseRoster] = []
    for spec in specs:
        course_id, path = parse_roster_spec(spec)
        if any(c.id == course_id for c in courses):
            raise ValueError(f"{spec}: the course {course_id} is given twice; give each course one roster, as "
                             "`course-id=path` (a bare path is the course " + COURSE_ID + ")")
        members = tuple(read_roster(path))
        courses.append(CourseRoster(course_id, members, (groups or {}).get(course_id, "")))
    where: dict[str, list[tuple[str, str]]] = {}
    for course in courses:
        for m in course.members:
            where.setdefault(m.id, []).append((course.id, m.role))
    for person, places in where.items():
        if len(places) > 1 and any(role != "student" for _, role in places):
            raise ValueError(f"{person} is in {len(places)} courses ({', '.join(f'{c} as {r}' for c, r in places)}): "
                             "an instructor or a grader belongs to one course only (a student may be in several); "
                             "use another account for the other course")
    return tuple(courses)


def refuse_shared_database(courses, environ=None) -> None:
    """ValueError when NBGRADER_DB_URL is set for a hub of several courses: every instructor would get the one URL,
    and nbgrader's gradebook does not keep courses apart in one database (jupyter/nbgrader#1697)."""
    environ = os.environ if environ is None else environ
    if environ.get("NBGRADER_DB_URL") and len(courses) > 1:
        raise ValueError(f"NBGRADER_DB_URL is set for {len(courses)} courses ({', '.join(c.id for c in courses)}): "
                         "one database would hold every course, which nbgrader's gradebook does not keep apart; "
                         "unset it (each course keeps its SQLite gradebook) or run one course per hub")


def login_kwargs(name: str) -> dict:
    """subprocess keyword arguments that run a program as `name` with the groups a login gives it."""
    entry = pwd.getpwnam(name)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": os.getgrouplist(name, entry.pw_gid)}


def private_group(name: str) -> int | None:
    """The gid of `name`'s own group (its primary group, named after it, as useradd --user-group makes it), or
    None when its primary group is shared with others: feedback is released to this group only."""
    entry = pwd.getpwnam(name)
    try:
        group = grp.getgrgid(entry.pw_gid)
    except KeyError:
        return None
    return entry.pw_gid if group.gr_name == name else None


@dataclass(frozen=True)
class HubSite:
    """Where the hub's parts live on this machine: the prefix (environment, proxy, configuration), the exchange, and
    the hub's courses (empty: the default course alone, for what needs no roster)."""

    prefix: Path
    exchange: Path
    courses: tuple[CourseRoster, ...] = ()

    @classmethod
    def from_env(cls, environ=None) -> HubSite:
        """From HUB_PREFIX and HUB_EXCHANGE (the Makefile's names), with the defaults above; no courses."""
        environ = os.environ if environ is None else environ
        return cls(Path(environ.get("HUB_PREFIX") or DEFAULT_PREFIX),
                   Path(environ.get("HUB_EXCHANGE") or DEFAULT_EXCHANGE))

    def courses_of(self, user: str) -> list[CourseRoster]:
        """The courses `user` is in, in roster order."""
        return [c for c in self.courses if c.role_of(user)]

    def course(self, course_id: str) -> CourseRoster:
        found = next((c for c in self.courses if c.id == course_id), None)
        if found is None:
            raise KeyError(f"no course {course_id!r} on this hub (its courses: {[c.id for c in self.courses]})")
        return found

    @property
    def bin(self) -> Path:
        return self.prefix / "venv" / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    @property
    def jupyter_config(self) -> Path:
        """The per-role Jupyter configuration folders (copied from hub/jupyter/ by make hub-env)."""
        return self.prefix / "etc" / "jupyter"

    @property
    def course_config(self) -> Path:
        """The course's nbgrader_config.py as every user's nbgrader loads it (copied by make hub-env)."""
        return self.prefix / "etc" / "course" / "nbgrader_config.py"

    @property
    def lab_overrides(self) -> Path:
        """JupyterLab's settings for every user (hub/lab-settings/overrides.json, copied by make hub-env)."""
        return self.prefix / "venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / f"{COURSE_ID}.json"

    @property
    def course_exchange(self) -> Path:
        """The exchange's folder of the hub's first course (the default course's when it has none)."""
        return self.exchange_of(self.courses[0].id if self.courses else COURSE_ID)

    def exchange_of(self, course_id: str) -> Path:
        """The exchange's folder of a course (nbgrader's `path_includes_course` layout)."""
        return self.exchange / course_id

    def missing(self) -> str | None:
        """Why this prefix cannot run the hub (what is missing), or None when it can."""
        for need in (self.bin / "jupyterhub", self.python, self.prefix / "node_modules" / ".bin" /
                     "configurable-http-proxy", self.jupyter_config / "common" / "nbgrader_config.py",
                     self.course_config,
                     self.prefix / "etc" / "jupyterhub_config.py"):
            if not need.exists():
                return f"{need} is missing: run `make hub-env` as root (HUB_PREFIX={self.prefix})"
        return None

    def course_folder(self, instructor: str, course_id: str | None = None) -> Path:
        """The instructor's course folder, `~/<course id>`: the course's nbgrader_config.py, source/, release/, the
        gradebook; of `course_id`, or of the course `instructor` teaches on this hub (the default course's when the
        site knows no course of theirs)."""
        if course_id is None:
            taught = [c.id for c in self.courses_of(instructor)]
            course_id = taught[0] if taught else COURSE_ID
        return Path(pwd.getpwnam(instructor).pw_dir) / course_id

    def role_env(self, role: str, user: str, environ=None) -> dict[str, str]:
        """The variables the hub sets for `user`'s server (and that their commands need), by role.

        Every role: PATH starting with the hub's environment, JUPYTER_CONFIG_PATH with the role's folder before the
        common one (nbgrader's exchange and private exchange classes), COURSE_EXCHANGE (which the course's own
        nbgrader_config.py also honours), and COURSE_ID, nbgrader's course id, when `user` is in exactly one course
        (the default course when the site knows none of theirs); a student in several courses gets none, so that
        their nbgrader lists every course they are in and fetch or submit take `--course` (nbgrader's
        `demo_multiple_classes`; the Assignments tab passes it). The instructor also gets COURSE_ROOT (their course
        folder, where the formgrader and nbgrader look) and NBGRADER_DB_URL when the hub has it; a grader gets
        neither (they grade in the shared formgrader, `formgrader_env`). Raises ValueError for an unknown role."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} of {user}; expected one of {ROLES}")
        environ = os.environ if environ is None else environ
        env = {
            "PATH": f"{self.bin}:{_SYSTEM_PATH}",
            "JUPYTER_CONFIG_PATH": os.pathsep.join([str(self.jupyter_config / role),
                                                    str(self.jupyter_config / "common")]),
            "COURSE_EXCHANGE": str(self.exchange),
        }
        courses = self.courses_of(user) if self.courses else []
        if len(courses) == 1 or not self.courses:
            env["COURSE_ID"] = courses[0].id if courses else COURSE_ID
        if role == "instructor":
            env["COURSE_ROOT"] = str(self.course_folder(user))
            if environ.get("NBGRADER_DB_URL"):
                env["NBGRADER_DB_URL"] = environ["NBGRADER_DB_URL"]
        return env

    def formgrader_env(self, instructor: str, environ=None) -> dict[str, str]:
        """The environment of the course's shared formgrader service, run as `instructor` in their course folder:
        the instructor's `user_env` with the `formgrader` configuration folder first (grader/hub/formgrader.py: the
        formgrader alone, graders refused what only the instructor does), then the instructor's and the common one."""
        env = self.user_env(instructor, "instructor", environ)
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(self.jupyter_config / "formgrader"),
                                                      env["JUPYTER_CONFIG_PATH"]])
        return env

    def user_env(self, user: str, role: str, environ=None) -> dict[str, str]:
        """A login's environment for `user` (HOME, USER, LOGNAME, SHELL, LANG) plus `role_env`."""
        entry = pwd.getpwnam(user)
        env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "SHELL": entry.pw_shell or "/bin/sh",
               "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}
        env.update(self.role_env(role, user, environ))
        return env

    def run_as(self, user: str, role: str, args: list[str], cwd: Path | str | None = None, check: bool = True,
               timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
        """Run `args` as `user` (uid, gid and the groups of a login), in `cwd` (default: their home), with
        `user_env`; output captured as text. Raises RuntimeError with the output when it fails and `check`."""
        env = self.user_env(user, role)
        proc = subprocess.run(args, cwd=cwd or env["HOME"], env=env, capture_output=True, text=True,
                              timeout=timeout, umask=0o022, **login_kwargs(user), **kwargs)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, args))} as {user} exited with {proc.returncode}:\n"
                               f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc

    def nbgrader(self, user: str, role: str, *args: str, cwd: Path | str | None = None,
                 check: bool = True) -> subprocess.CompletedProcess:
        """`nbgrader ARGS` from the hub's environment, as `user` would run it in a terminal of their server (the
        instructor in their course folder, a student or a grader in their home)."""
        if cwd is None and role == "instructor":
            cwd = self.course_folder(user)
        return self.run_as(user, role, [str(self.bin / "nbgrader"), *args], cwd=cwd, check=check)
