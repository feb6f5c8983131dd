"""The course on a real JupyterHub: real Unix accounts, PAM, nbgrader's exchange, every step run as its user.

Session fixtures (all hub tests share the xdist group "servers", so one process builds them once):

- `site`: the hub's environment in HUB_PREFIX (make hub-env). The tests skip, saying why, when not run as root
  (they create Unix accounts and run commands as them) or when the environment is missing; they fail when it is
  older than this checkout (a hub running yesterday's grader would test the wrong code): `make hub-env`.
- `klass`: two students and an instructor with unique names (hubt-<random>-a, -b, -i), made by the real
  `course roster` on a temporary roster, with a private exchange; removed at the end (userdel -r) with the folder.
- `hub`: JupyterHub from the prefix on 127.0.0.1 and free ports, with a private state folder; stopped at the end.
- `tokens`: an API token per account, asked of the hub with the account's Unix password (PAM).
- `cycle`: release, fetch, submit (A twice, B once), a submission forged by B in A's name, collect, `course
  grade`, release_feedback and fetch_feedback, all as their users, on assignment A; what each step left, for the
  tests to check. The browser test (test_browser_cycle.py) takes the same students through BROWSER_ASSIGNMENT, so
  neither depends on whether the other ran first.
"""

from __future__ import annotations

import datetime
import filecmp
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ROOT  # tests/conftest.py

#: the assignment of the scripted cycle (`cycle`); the browser's is another, so that each releases its own
A = "02_vanishing_exploding"
BROWSER_ASSIGNMENT = "01_normalization"


def points(assignment: str) -> tuple[float, float]:
    """(autograded points, total points) of an assignment: what the solution scores before grading by hand."""
    import nbformat

    from grader.submissions import graded_cells

    nb = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    total = sum(float(c.metadata.get("nbgrader", {}).get("points", 0)) for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade"))
    return sum(graded_cells(nb).values()), total


def hidden_lines(assignment: str) -> list[str]:
    """Distinctive lines of the source notebook's hidden tests that the student's release notebook does not show."""
    import nbformat

    nb = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    shown = "\n".join(cell.source for cell in release.cells)
    lines = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            core = line.strip().rstrip(",:")  # a mistake's sentence may also stand in a visible test, as "...": x
            if "### BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "### END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(core) > 25 and core not in shown:
                lines.append(line.strip())
    assert len(lines) >= 5, f"hardly any hidden test code found in {assignment}'s source: {lines}"
    return lines


def stale_files(site) -> list[str]:
    """Files of this checkout that differ from what the hub's environment has installed (make hub-env copies them)."""
    site_packages = next(site.prefix.glob("venv/lib/python3*/site-packages"))
    pairs = [(p, site_packages / p.relative_to(ROOT)) for package in ("helpers", "grader")
             for p in (ROOT / package).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    pairs += [(p, site.prefix / "etc" / p.relative_to(ROOT / "hub")) for p in (ROOT / "hub").rglob("*")
              if p.is_file() and (p.name == "jupyterhub_config.py" or "jupyter" in p.relative_to(ROOT / "hub").parts)]
    pairs += [(ROOT / "nbgrader_config.py", site.course_config),
              (ROOT / "hub" / "lab-settings" / "overrides.json", site.lab_overrides)]
    return [str(src.relative_to(ROOT)) for src, dst in pairs if not dst.is_file() or not filecmp.cmp(src, dst, False)]


@pytest.fixture(scope="session")
def site():
    from grader.hub import HubSite

    if os.geteuid() != 0:
        pytest.skip("the hub tests need root: they create Unix accounts, log in with PAM and run every step as its "
                    "user (run `make test` as root, which also builds the hub's environment)")
    site = HubSite.from_env()
    if site.missing():
        pytest.skip(site.missing())
    stale = stale_files(site)
    if stale:
        pytest.fail(f"the hub's environment in {site.prefix} is older than this checkout ({', '.join(stale[:5])}"
                    f"{' ...' if len(stale) > 5 else ''}): run `make hub-env` as root")
    return site


@pytest.fixture(scope="session")
def klass(site):
    from grader.hubclass import TemporaryClass

    klass = TemporaryClass(site.prefix, ["a", "b"], source=ROOT)
    try:
        klass.create()
        yield klass
    finally:
        problems = klass.remove()
        assert not problems, f"could not remove the test accounts: {problems}"


@pytest.fixture(scope="session")
def hub(klass):
    from grader.hubserver import HubServer

    hub = HubServer(klass.site, klass.roster, klass.folder / "state")
    try:
        hub.start()
        yield hub
    finally:
        hub.stop()


@pytest.fixture(scope="session")
def tokens(hub, klass) -> dict[str, str]:
    return {user: hub.login_token(user, password) for user, password in klass.passwords().items()}


def as_user(klass, user: str, command: str):
    """A shell command as `user` (a student: their login's uid, groups and environment); the CompletedProcess."""
    role = "instructor" if user == klass.instructor else "student"
    return klass.site.run_as(user, role, ["/bin/sh", "-c", command], check=False)


@dataclass
class Cycle:
    """What the class's release-to-feedback cycle left: paths learned as root, logs of the steps."""

    a: str
    b: str
    real_submissions: list[Path]          # A's folders in inbound, oldest first
    forged: Path                          # B's folder in A's name, with a later timestamp
    collect_log: str
    grade_output: str
    released_feedback: dict[str, Path]    # student -> their file in the exchange's feedback/
    fetched_feedback: dict[str, list[Path]] = field(default_factory=dict)


def _forge(klass, forger: str, victim: str) -> Path:
    """`forger` makes a submission folder named as `victim`'s, dated an hour later, with forger's notebook."""
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    stamp = later.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    forged = klass.site.course_exchange / "inbound" / f"{victim}+{A}+{stamp}+forgedbyb"
    mine = klass.student_folder(forger, A) / f"{A}.ipynb"
    done = as_user(klass, forger, f"mkdir {shlex.quote(str(forged))} && cp {shlex.quote(str(mine))} "
                                  f"{shlex.quote(str(forged))}/ && printf %s {shlex.quote(stamp)} > "
                                  f"{shlex.quote(str(forged / 'timestamp.txt'))}")
    assert done.returncode == 0, f"a student could not create a folder in inbound at all: {done.stderr}"
    return forged


@pytest.fixture(scope="session")
def cycle(klass) -> Cycle:
    a, b = klass.students
    klass.release(A)
    klass.fetch(a, A)
    klass.submit(a, A)                    # the untouched notebook first...
    klass.hand_in(a, A, "solution")
    klass.submit(a, A)                    # ...then the solution: the later one counts
    klass.fetch(b, A)
    klass.submit(b, A)
    inbound = klass.site.course_exchange / "inbound"
    real = sorted((p for p in inbound.glob(f"{a}+{A}+*") if p.stat().st_uid == os.stat(klass.home(a)).st_uid),
                  key=lambda p: p.name.split("+")[2])
    forged = _forge(klass, b, a)
    collect_log = klass.collect(A).stderr
    grade_output = klass.grade(A, jobs=2).stdout
    klass.release_feedback(A)
    feedback = klass.site.course_exchange / "feedback"
    released = {}
    for path in feedback.glob("*.html"):
        for s in (a, b):
            if path.stat().st_gid == os.stat(klass.home(s)).st_gid:
                released[s] = path
    cycle = Cycle(a, b, real, forged, collect_log, grade_output, released)
    for s in (a, b):
        cycle.fetched_feedback[s] = klass.fetch_feedback(s, A)
    return cycle
