"""`course roster` on a real machine: accounts, the instructor's course folder, the exchange, the gradebook; twice."""

from __future__ import annotations

import grp
import os
import pwd
import stat
from pathlib import Path

import pytest

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("servers")]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _snapshot(klass) -> dict:
    """What `course roster` manages: accounts and their groups, homes, the course folder, the exchange's folders."""
    paths = [klass.home(u) for u in klass.members] + [klass.course_folder, klass.site.exchange, klass.passwords_file]
    paths += [klass.course_folder / n for n in ("nbgrader_config.py", "source", "release")]
    paths += [klass.site.course_exchange / n for n in ("", "inbound", "outbound", "feedback")]
    out = {str(p): (p.stat().st_mode, p.stat().st_uid, p.stat().st_gid) for p in paths}
    out["passwords"] = klass.passwords_file.read_text()
    out["groups"] = sorted(os.getgrouplist(klass.instructor, pwd.getpwnam(klass.instructor).pw_gid))
    out["accounts"] = [pwd.getpwnam(u)[:] for u in klass.members]
    return out


def test_roster_creates_each_account_with_a_private_home_and_a_password_only_root_reads(klass):
    for user in klass.members:
        home = klass.home(user)
        assert home.stat().st_uid == pwd.getpwnam(user).pw_uid, f"{home} is not {user}'s"
        assert _mode(home) == 0o700, f"{user}'s home is {oct(_mode(home))}, not 0o700"
        assert grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name == user, f"{user} has no group of their own"
    assert set(klass.passwords()) == set(klass.members), "the password file does not list every new account"
    info = klass.passwords_file.stat()
    assert (info.st_uid, _mode(klass.passwords_file)) == (0, 0o600), "the password file is not root's alone"
    assert str(klass.passwords_file) in klass.roster_output, "course roster did not name the password file"


def test_roster_prints_its_plan_before_doing_it(klass):
    out = klass.roster_output
    plan, _, doing = out.partition("doing:")
    for words in (f"create {len(klass.members)} account(s)", "course folder", "exchange", "gradebook"):
        assert words in plan, f"the plan printed before any change does not mention {words!r}:\n{out}"
    assert doing, f"course roster printed no step it did:\n{out}"


def test_the_instructors_course_folder_is_theirs_alone(klass):
    root = klass.course_folder
    assert root == Path(pwd.getpwnam(klass.instructor).pw_dir) / "optimization-setup", f"course folder at {root}"
    assert (root.owner(), _mode(root)) == (klass.instructor, 0o700), f"{root}: {root.owner()} {oct(_mode(root))}"
    for name in ("nbgrader_config.py", "source/01_normalization/01_normalization.ipynb",
                 "release/01_normalization/01_normalization.ipynb", "gradebook.db"):
        assert (root / name).is_file(), f"the course folder lacks {name}"
        assert (root / name).owner() == klass.instructor, f"{name} in the course folder is not the instructor's"


def test_exchange_folders_have_the_modes_that_keep_students_apart(klass):
    ex = klass.site.exchange
    assert (ex.stat().st_uid, _mode(ex)) == (0, 0o755), f"exchange root {oct(_mode(ex))}, want root's 0o755 (no user writes there)"
    want = {"": 0o750, "outbound": 0o755, "inbound": 0o3733, "feedback": 0o711}
    for name, mode in want.items():
        path = klass.site.course_exchange / name
        assert path.owner() == klass.instructor, f"{path} belongs to {path.owner()}, not the instructor"
        assert _mode(path) == mode, f"{path} is {oct(_mode(path))}, want {oct(mode)}"
    course = klass.site.course_exchange
    assert course.group() == klass.course_group, f"{course}'s group is {course.group()}, not the course's"


def test_every_member_and_only_they_are_in_the_courses_group(klass):
    gid = grp.getgrnam(klass.course_group).gr_gid
    for user in klass.members:
        assert gid in os.getgrouplist(user, pwd.getpwnam(user).pw_gid), f"{user} is not in the course's group"
    assert set(grp.getgrgid(gid).gr_mem) == set(klass.members), f"the course's group: {grp.getgrgid(gid).gr_mem}"


def test_instructor_is_in_each_students_group_for_private_feedback(klass):
    groups = os.getgrouplist(klass.instructor, pwd.getpwnam(klass.instructor).pw_gid)
    for s in klass.students:
        assert pwd.getpwnam(s).pw_gid in groups, f"the instructor is not in {s}'s group"


def test_gradebook_belongs_to_the_instructor_and_lists_the_students_and_assignments(klass):
    from nbgrader.api import Gradebook

    db = klass.course_folder / "gradebook.db"
    assert db.owner() == klass.instructor, f"gradebook.db belongs to {db.owner()}"
    with Gradebook(f"sqlite:///{db}") as gb:
        students = {s.id: (s.first_name, s.last_name) for s in gb.students}
        assignments = {a.name for a in gb.assignments}
    assert set(students) == set(klass.students), f"gradebook students {students}"
    for s in klass.students:  # the roster's first_name and last_name, which the formgrader shows
        assert students[s] == klass.name(s), f"{s}'s name in the gradebook: {students[s]}, roster {klass.name(s)}"
    assert {"01_normalization", "04_gradient_checking"} <= assignments, f"gradebook assignments {assignments}"


def test_running_the_roster_again_changes_nothing(klass):
    before = _snapshot(klass)
    done = klass.roster_command()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "create" not in done.stdout.split("doing:")[0], f"a second run plans to create things:\n{done.stdout}"
    assert "0 assignment(s) and 0 student(s) added" in done.stdout, done.stdout
    assert _snapshot(klass) == before, "a second run of course roster changed accounts, folders or modes"


def test_roster_refuses_to_run_without_root(klass):
    done = klass.site.run_as(klass.students[0], "student", [str(klass.site.bin / "course"), "roster",
                                                          str(klass.roster)], check=False)
    assert done.returncode != 0 and "run it as root" in done.stderr, \
        f"course roster as a student: exit {done.returncode}, {done.stderr!r}"
