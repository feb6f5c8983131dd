"""The course on a JupyterHub: the roster, where the hub's parts live, and what each role's processes see.

One place for what must agree between the hub's configuration (hub/jupyterhub_config.py, which imports this
module from the hub's environment), `course roster` (grader/hub/roster.py), `course hub-bench` and the hub tests:

- the roster: `roster.csv`, header `id,role`, one row per Unix account, role `student`, `grader` or `instructor`;
- the prefix (`HUB_PREFIX`, /opt/optimization-setup): the hub's venv (Debian's python3, so every user can run it),
  the proxy, and the per-role Jupyter configuration in `etc/jupyter/<role>/` (from hub/jupyter/);
- the exchange (`HUB_EXCHANGE`, /srv/nbgrader/exchange): the one nbgrader exchange every user of the course shares;
- the instructor's course folder: `~/optimization-setup` in the instructor's home;
- the course's shared formgrader: a JupyterHub service named after the course (`FORMGRADER_SERVICE`), run as the
  instructor, which the hub lets the holders of `STAFF_ROLE` (the instructor and the graders) open
  (grader/hub/formgrader.py).

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

#: nbgrader's course id; the course's own nbgrader_config.py sets the same (tests/hub/test_roster.py checks it)
COURSE_ID = "optimization-setup"
DEFAULT_PREFIX = "/opt/optimization-setup"
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"
#: the instructor's course folder, in their home
COURSE_FOLDER = "optimization-setup"
ROLES = ("student", "grader", "instructor")
#: the shared formgrader's JupyterHub service, named after the course as nbgrader's JupyterHub integration names it,
#: and the hub role (nbgrader's group name) that may open it: the instructor and the graders
FORMGRADER_SERVICE = COURSE_ID
STAFF_ROLE = f"formgrade-{COURSE_ID}"
#: the Unix group of the course's members (nbgrader's name for a course's students on JupyterHub): the course's folder
#: of the exchange is theirs alone (`course roster --course-group` names another)
COURSE_GROUP = f"nbgrader-{COURSE_ID}"
#: Unix account names useradd accepts, without '+' (nbgrader's separator in submission names)
_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
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
    """Where the hub's parts live on this machine: the prefix (environment, proxy, configuration) and the exchange."""

    prefix: Path
    exchange: Path

    @classmethod
    def from_env(cls, environ=None) -> HubSite:
        """From HUB_PREFIX and HUB_EXCHANGE (the Makefile's names), with the defaults above."""
        environ = os.environ if environ is None else environ
        return cls(Path(environ.get("HUB_PREFIX") or DEFAULT_PREFIX),
                   Path(environ.get("HUB_EXCHANGE") or DEFAULT_EXCHANGE))

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
        """The exchange's folder for this course (nbgrader's `path_includes_course` layout)."""
        return self.exchange / COURSE_ID

    def missing(self) -> str | None:
        """Why this prefix cannot run the hub (what is missing), or None when it can."""
        for need in (self.bin / "jupyterhub", self.python, self.prefix / "node_modules" / ".bin" /
                     "configurable-http-proxy", self.jupyter_config / "common" / "nbgrader_config.py",
                     self.course_config,
                     self.prefix / "etc" / "jupyterhub_config.py"):
            if not need.exists():
                return f"{need} is missing: run `make hub-env` as root (HUB_PREFIX={self.prefix})"
        return None

    @staticmethod
    def course_folder(instructor: str) -> Path:
        """The instructor's course folder: the course's nbgrader_config.py, source/, release/, the gradebook."""
        return Path(pwd.getpwnam(instructor).pw_dir) / COURSE_FOLDER

    def role_env(self, role: str, user: str, environ=None) -> dict[str, str]:
        """The variables the hub sets for `user`'s server (and that their commands need), by role.

        Every role: PATH starting with the hub's environment, JUPYTER_CONFIG_PATH with the role's folder before the
        common one (nbgrader's exchange, course id and private exchange classes), COURSE_EXCHANGE (which the
        course's own nbgrader_config.py also honours). The instructor also gets COURSE_ROOT (their course folder,
        where the formgrader and nbgrader look) and NBGRADER_DB_URL when the hub has it; a grader gets neither (they
        grade in the shared formgrader, `formgrader_env`). Raises ValueError for an unknown role."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} of {user}; expected one of {ROLES}")
        environ = os.environ if environ is None else environ
        env = {
            "PATH": f"{self.bin}:{_SYSTEM_PATH}",
            "JUPYTER_CONFIG_PATH": os.pathsep.join([str(self.jupyter_config / role),
                                                    str(self.jupyter_config / "common")]),
            "COURSE_EXCHANGE": str(self.exchange),
        }
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
