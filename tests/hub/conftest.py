"""The course on a real JupyterHub: real Unix accounts, PAM, nbgrader's exchange, every step run as its user.

Session fixtures (all hub tests share the xdist group "servers", so one process builds them once):

- `site`: the hub's environment in HUB_PREFIX (make hub-env). The tests skip, saying why, when not run as root
  (they create Unix accounts and run commands as them) or when the environment is missing; they fail when it is
  older than this checkout (a hub running yesterday's grader would test the wrong code): `make hub-env`.
- `klass`: two students, a grader and an instructor with unique names (hubt-<random>-a, -b, -g, -i) and a course
  group of their own, made by the real `course roster` on a temporary roster, with a private exchange; removed at
  the end (userdel -r, groupdel) with the folder.
  With it, `second` (`klass.other`): a second course on the same exchange (course id `second-<key>`), as a hub
  of several courses has: its own instructor (-j) and student (-d), and the class's student B enrolled too (a
  student of two courses); made by `course roster` too, removed at the end; both classes' sites know both courses.
- `hub`: JupyterHub from the prefix on 127.0.0.1 and free ports, with a private state folder, serving both courses
  (HUB_ROSTER names both rosters); stopped at the end.
- `tokens`: an API token per account, asked of the hub with the account's Unix password (PAM).
- `cycle`: release, fetch, submit (A twice, B once), a submission forged by B in A's name, collect, `course
  grade`, release_feedback and fetch_feedback, all as their users, on assignment A; what each step left, for the
  tests to check. The browser test (test_browser_cycle.py) takes the same students through BROWSER_ASSIGNMENT, so
  neither depends on whether the other ran first.
"""

from __future__ import annotations

import os

import pytest

from support import ROOT  # tests/support.py
from hub.support import A, Cycle, forge, stale_files

@pytest.fixture(scope="session")
def site():
    from grader.hub.site import HubSite

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
    from grader.tools.hubclass import TemporaryClass, share_hub

    klass = TemporaryClass(site.prefix, ["a", "b"], source=ROOT)
    klass.other = None
    try:
        klass.create()
        klass.other = TemporaryClass(site.prefix, ["d"], source=ROOT, graders=(), course_id=f"second-{klass.key}",
                                     exchange=klass.site.exchange, key=klass.key, instructor="j",
                                     enrol=[klass.students[1]])
        klass.other.create()
        share_hub([klass, klass.other])
        yield klass
    finally:
        problems = klass.other.remove() if klass.other else []
        problems += klass.remove()
        assert not problems, f"could not remove the test accounts: {problems}"


@pytest.fixture(scope="session")
def second(klass):
    """The second course of the session's hub (`klass.other`)."""
    return klass.other


@pytest.fixture(scope="session")
def hub(klass):
    from grader.hub.server import HubServer

    # the grading service (test_live.py) grades one submission at a time here: one worker starts faster than two
    hub = HubServer(klass.site, f"{klass.roster_spec} {klass.other.roster_spec}", klass.folder / "state",
                    environ={**os.environ, "HUB_GRADING_JOBS": "1"})
    try:
        hub.start()
        yield hub
    finally:
        hub.stop()


@pytest.fixture(scope="session")
def tokens(hub, klass) -> dict[str, str]:
    return {user: hub.login_token(user, password) for user, password in klass.passwords().items()}


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
    forged = forge(klass, b, a)
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
