"""What one student (B) cannot do to another's (A's) work through the shared exchange, each tried as B with the real
paths (learned as root): nbgrader's names alone are no protection once a path is known."""

from __future__ import annotations

import shlex

import pytest

from hub.support import A, as_user

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("servers")]


def _refused(klass, user: str, command: str) -> str:
    done = as_user(klass, user, command)
    assert done.returncode != 0, f"{user} could run `{command}`: {done.stdout[:300]!r}"
    return done.stderr


def q(path) -> str:
    return shlex.quote(str(path))


def test_a_student_cannot_list_inbound(klass, cycle):
    err = _refused(klass, cycle.b, f"ls {q(klass.site.course_exchange / 'inbound')}")
    assert "Permission denied" in err, err


def test_a_student_cannot_read_anothers_submission_even_at_its_path(klass, cycle):
    for folder in cycle.real_submissions:
        _refused(klass, cycle.b, f"cat {q(folder / (A + '.ipynb'))}")
        _refused(klass, cycle.b, f"ls {q(folder)}")
        _refused(klass, cycle.b, f"cat {q(folder / 'submission_secret.txt')}")


def test_a_student_cannot_rename_delete_or_overwrite_anothers_submission(klass, cycle):
    target = cycle.real_submissions[-1]
    before = sorted(p.name for p in target.iterdir())
    mine = klass.student_folder(cycle.b, A) / f"{A}.ipynb"
    _refused(klass, cycle.b, f"mv {q(target)} {q(target)}-moved")
    _refused(klass, cycle.b, f"rm -rf {q(target)}")
    _refused(klass, cycle.b, f"cp {q(mine)} {q(target / (A + '.ipynb'))}")
    _refused(klass, cycle.b, f"touch {q(target / 'extra.txt')}")
    assert target.is_dir() and sorted(p.name for p in target.iterdir()) == before, \
        f"A's submission changed under B: {sorted(p.name for p in target.iterdir())}"


def test_a_submission_forged_in_anothers_name_is_not_collected(klass, cycle):
    assert cycle.forged.is_dir() and cycle.forged.owner() == cycle.b, "the forged folder was not made by B"
    assert cycle.forged.name in cycle.collect_log and "Not collected" in cycle.collect_log, \
        f"collect did not say it left the forged folder out:\n{cycle.collect_log}"
    collected = klass.course_folder / "submitted" / cycle.a / A / "timestamp.txt"
    stamp = collected.read_text().strip()
    assert stamp == cycle.real_submissions[-1].name.split("+")[2], \
        f"A's collected submission is dated {stamp}, not A's own latest (forged: {cycle.forged.name})"


def test_a_student_cannot_read_anothers_feedback(klass, cycle):
    assert set(cycle.released_feedback) == {cycle.a, cycle.b}, f"released feedback: {cycle.released_feedback}"
    _refused(klass, cycle.b, f"cat {q(cycle.released_feedback[cycle.a])}")
    _refused(klass, cycle.b, f"ls {q(klass.site.course_exchange / 'feedback')}")
    _refused(klass, cycle.b, f"cat {q(cycle.fetched_feedback[cycle.a][0])}")
    done = as_user(klass, cycle.a, f"cat {q(cycle.released_feedback[cycle.a])} > /dev/null")
    assert done.returncode == 0, f"A cannot read A's own released feedback: {done.stderr}"


def test_a_student_cannot_open_the_gradebook_or_list_the_sources(klass, cycle):
    root = klass.course_folder
    python = klass.site.python
    _refused(klass, cycle.b, f"{q(python)} -c 'import sqlite3, sys; "
                             f"sqlite3.connect(sys.argv[1]).execute(\"select * from student\").fetchall()' "
                             f"{q(root / 'gradebook.db')}")
    _refused(klass, cycle.b, f"ls {q(root / 'source')}")
    _refused(klass, cycle.b, f"cat {q(root / 'source' / A / (A + '.ipynb'))}")


def test_no_student_can_read_another_users_home(klass, cycle):
    for user, other in ((cycle.b, cycle.a), (cycle.a, cycle.b), (cycle.b, klass.instructor)):
        _refused(klass, user, f"ls {q(klass.home(other))}")


def test_inbound_keeps_its_sticky_bit_after_the_instructor_releases(klass, cycle):
    import stat

    mode = stat.S_IMODE((klass.site.course_exchange / "inbound").stat().st_mode)
    assert mode == 0o3733, f"inbound is {oct(mode)} after release_assignment (nbgrader's own release makes it 0o2733)"


@pytest.fixture(scope="module")
def outsider(klass):
    """An account of the machine that is not on the course's roster (a student of another course, say)."""
    from grader.hub.roster import create_accounts, remove_accounts

    name = klass.instructor[:-1] + "x"  # hubt-<key>-x, unique like the class's own
    create_accounts([name], klass.folder / "outsider-password.csv")
    try:
        yield name
    finally:
        assert not remove_accounts([name]), f"could not remove {name}"


def test_an_account_outside_the_course_cannot_list_fetch_or_submit_to_it(klass, cycle, outsider):
    course = klass.site.course_exchange
    for command in (f"ls {q(course)}", f"ls {q(course / 'outbound' / A)}",
                    f"mkdir {q(course / 'inbound' / f'{outsider}+{A}+2026-01-01 00:00:00.000000 UTC')}"):
        assert "Permission denied" in _refused(klass, outsider, command), f"{outsider} could run `{command}`"
    work = f"optimization-setup/{A}"
    course = "--course optimization-setup"  # an account in no course of the hub has no course id of its own
    for command in (f"nbgrader list {course}", f"nbgrader fetch_assignment {A} {course}",
                    f"mkdir -p {work} && echo '{{}}' > {work}/{A}.ipynb && nbgrader submit {A} {course}"):
        err = _refused(klass, outsider, command)
        assert f"{outsider} is not in the course optimization-setup" in err, f"`{command}` as an outsider: {err[-500:]}"
    listed = as_user(klass, outsider, "nbgrader list")  # every course of the exchange: none it may enter
    assert listed.returncode == 0 and f"optimization-setup {A}" not in listed.stdout + listed.stderr, \
        f"an outsider's `nbgrader list` showed the course: {listed.stdout} {listed.stderr}"
