"""Two courses on one hub, as nbgrader's `demo_multiple_classes` runs them: the session's class (course
optimization-setup: students A and B) and its second course (`second-<key>`: its own student D, and B enrolled too).
Each student lists, fetches and submits to exactly their courses; each course keeps its own exchange folder,
gradebook and grading; B's live status shows each course with that course's status. Every step as its user."""

from __future__ import annotations

import json
import re
import threading

import pytest

from support import ROOT
from hub.support import A, as_user, launched, log_in, points, wait_for

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("servers")]

FIRST = "optimization-setup"
FAR_DUE = "2030-01-01T00:00:00+00:00"
ARTIFACTS = ROOT / "test-artifacts" / "hub-courses"


def _listed(klass, user: str, *args: str) -> str:
    """What `nbgrader list ARGS` says as `user` (nbgrader logs the list on stderr)."""
    done = klass.site.nbgrader(user, klass.role(user) if user in klass.members else "student", "list", *args,
                               check=False)
    assert done.returncode == 0, f"`nbgrader list {' '.join(args)}` as {user} failed: {done.stderr[-1500:]}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def two(klass, second, cycle):
    """A released in the second course too (the same assignment id as the first course's cycle): B hands in the
    solution there (in the first course B handed in the untouched notebook), D the untouched notebook."""
    b, d = klass.students[1], second.own_students[0]
    second.release(A)
    second.fetch(b, A)
    second.hand_in(b, A, "solution")
    second.submit(b, A)
    second.fetch(d, A)
    second.submit(d, A)
    return second


def test_each_student_lists_exactly_the_courses_they_are_in(klass, two):
    """Catches: a course id fixed for every student (B would list the first course only), a course's folder of the
    exchange that others may enter (A would list the second course), a list that fails on a folder it cannot read."""
    a, b, d = klass.students[0], klass.students[1], two.own_students[0]
    shown = _listed(klass, b)  # B's configuration names no course: nbgrader lists every course B may enter
    assert f"{FIRST} {A}" in shown and f"{two.course_id} {A}" in shown, f"B's `nbgrader list`: {shown[-1500:]}"
    for user, mine, other in ((a, FIRST, two.course_id), (d, two.course_id, FIRST)):
        for args in ((), ("--CourseDirectory.course_id=",)):  # their own course, then every course of the exchange
            shown = _listed(klass, user, *args)
            assert f"{mine} {A}" in shown and f"{other} {A}" not in shown, \
                f"`nbgrader list {' '.join(args)}` as {user} (in {mine} only): {shown[-1500:]}"


def test_a_student_of_two_courses_fetches_and_submits_to_each_without_a_collision(klass, two):
    """Catches: fetched assignments not kept apart by course (nbgrader's path_includes_course), so the second
    course's fetch overwrites or is refused for the first's, or a submission landing in the other course."""
    import nbformat

    b = klass.students[1]
    first = nbformat.read(klass.student_folder(b, A) / f"{A}.ipynb", as_version=4)
    second = nbformat.read(two.student_folder(b, A) / f"{A}.ipynb", as_version=4)
    assert klass.student_folder(b, A) != two.student_folder(b, A)
    assert [c.source for c in first.cells] != [c.source for c in second.cells], \
        "B's two copies of the assignment are the same notebook: one course's fetch replaced the other's"
    for course in (klass, two):
        mine = [p for p in course.course_exchange.joinpath("inbound").glob(f"{b}+{A}+*") if p.owner() == b]
        assert mine, f"no submission of B's in {course.course_id}'s inbound"


def test_a_student_cannot_list_fetch_or_submit_to_a_course_they_are_not_in(klass, two):
    """Catches: a course folder of the exchange open to every account (or to another course's group)."""
    a, d = klass.students[0], two.own_students[0]
    for user, course in ((a, two.course_id), (d, FIRST)):
        work = f"{course}/{A}"
        for command in (f"nbgrader list --course {course}", f"nbgrader fetch_assignment {A} --course {course}",
                        f"mkdir -p {work} && cp ~/*/{A}/{A}.ipynb {work}/ && nbgrader submit {A} --course {course}"):
            done = klass.site.run_as(user, "student", ["/bin/sh", "-c", command], check=False)
            assert done.returncode != 0, f"{user} could run `{command}` on {course}: {done.stderr[-500:]}"
            assert f"{user} is not in the course {course}" in done.stderr, f"`{command}` as {user}: {done.stderr[-500:]}"


def test_each_courses_gradebook_holds_only_its_students(klass, two):
    """Catches: `course roster` recording a course's students in another course's gradebook (or one shared one)."""
    from nbgrader.api import Gradebook

    for course in (klass, two):
        with Gradebook(f"sqlite:///{course.course_folder / 'gradebook.db'}", course.course_id) as gb:
            students = {s.id for s in gb.students}
        assert students == set(course.students), f"{course.course_id}'s gradebook: {students}"


def _grade(course, results: dict) -> None:
    args = [str(course.site.bin / "course"), "grade", "--assignments", A, "--force", "--no-report", "--jobs", "1"]
    done = course.site.run_as(course.instructor, "instructor", args, cwd=course.course_folder, check=False)
    results[course.course_id] = done


def test_both_courses_graded_at_once_lose_nothing(klass, two):
    """Each instructor's `course grade` at the same moment: every submission of each course graded in its own
    gradebook, with its own score (B: 0 in the first course, full marks in the second). Catches: grading state,
    locks or a gradebook shared between courses (a run refused, a submission lost, or B's scores swapped)."""
    from nbgrader.api import Gradebook

    two.collect(A)
    results: dict = {}
    runs = [threading.Thread(target=_grade, args=(course, results)) for course in (klass, two)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=900)
    for course in (klass, two):
        done = results[course.course_id]
        assert done.returncode == 0 and "graded 2 submission(s)" in done.stdout, \
            f"{course.course_id}'s course grade: {done.stdout[-1500:]} {done.stderr[-1500:]}"
    auto, _ = points(A)
    a, b, d = klass.students[0], klass.students[1], two.own_students[0]
    expected = {klass: {a: auto, b: 0.0}, two: {b: auto, d: 0.0}}
    for course, scores in expected.items():
        with Gradebook(f"sqlite:///{course.course_folder / 'gradebook.db'}", course.course_id) as gb:
            found = {s: sum(g.auto_score or 0 for nb in gb.find_submission(A, s).notebooks for g in nb.grades
                            if g.cell_type == "code") for s in scores}
            submitted = {sub.student.id for sub in gb.assignment_submissions(A)}
        assert submitted == set(scores), f"{course.course_id}'s gradebook has submissions of {submitted}"
        assert found == pytest.approx(scores), f"{course.course_id}'s autograded scores: {found}, expected {scores}"


def _due_in_second_course(klass, two) -> None:
    """The second course's instructor gives A a due date (`course policy`); the first course's A keeps none. Waits
    for both grading services to publish policy.json, the second one with the date."""
    for course in (klass, two):
        wait_for(lambda: (course.course_exchange / "live" / "policy.json").is_file(), 90,
                 f"{course.course_id}'s grading service to publish policy.json")
    two.site.run_as(two.instructor, "instructor", [str(two.site.bin / "course"), "policy", A, "--due", FAR_DUE],
                    cwd=two.course_folder)

    def published():
        policy = json.loads((two.course_exchange / "live" / "policy.json").read_text())
        return (policy["assignments"][A]["due"] or "").startswith("2030-01-01")

    wait_for(published, 90, f"{two.course_id}'s grading service to publish A's due date")


def test_the_live_status_shows_each_course_of_a_student_with_its_own_status(hub, klass, two, tokens):
    """B's own server answers live-course/status with both courses, each with that course's policy (the second
    course's A has a due date, the first's none). Catches: one course only, or one course's status in the other's."""
    b = klass.students[1]
    _due_in_second_course(klass, two)
    hub.spawn(b, tokens[b])

    def answer():
        status, _, body = hub.get(f"/user/{b}/live-course/status", tokens[b])
        assert status == 200, f"B's live-course/status: HTTP {status}: {body[:300]!r}"
        view = json.loads(body)
        dues = {c["course"]: next((x["policy"] or {}).get("due") for x in c["assignments"] if x["id"] == A)
                for c in view["courses"] if c["live"]}
        return view if dues.get(two.course_id) else None

    view = wait_for(answer, 90, f"{two.course_id}'s grading service to publish A's due date")
    assert [c["course"] for c in view["courses"]] == [FIRST, two.course_id], f"B's courses: {view['courses']}"
    assert all(c["live"] and c["student"] == b for c in view["courses"]), view
    due = {c["course"]: next(x for x in c["assignments"] if x["id"] == A)["policy"]["due"] for c in view["courses"]}
    assert due[two.course_id].startswith("2030-01-01") and due[FIRST] is None, f"A's due date per course: {due}"


@pytest.fixture
def screens(chromium, playwright_driver):
    yield from launched(chromium, playwright_driver, ARTIFACTS)


@pytest.mark.browser
def test_the_assignments_tab_of_a_student_of_two_courses_shows_each_course_with_its_status(screens, hub, klass, two):
    """In Chromium: B opens Nbgrader > Assignment List; nbgrader's course menu offers both courses; each course's A
    row carries that course's live status (the second course's due date in 2030, none in the first). Catches: a
    student's nbgrader fixed to one course (one course in the menu), or the extension decorating rows of one course
    only, or from the other course's view."""
    b = klass.students[1]
    _due_in_second_course(klass, two)
    page = log_in(screens, hub, b, klass.passwords()[b])
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.get_by_role("menuitem", name="Assignment List", exact=True).click()
    default = page.locator("#course_list_default")
    from playwright.sync_api import expect

    expect(default).to_have_text(FIRST)  # nbgrader opens on the first course of its (sorted) list
    page.locator("#course_list_dropdown").click()
    menu = page.locator("#course_list > li")
    expect(menu).to_have_text([FIRST, two.course_id])
    screens.shot(page, "course-menu")
    name = page.locator(".item_name", has_text=re.compile(rf"^\s*{re.escape(A)}\s*$"))
    row = page.locator("#fetched_assignments_list > .list_item").filter(has=name)
    menu.filter(has_text=two.course_id).click()
    expect(default).to_have_text(two.course_id)
    course, due = row.locator(":scope > .col-md-12 > .item_course"), row.locator(":scope > .live-course-status "
                                                                                  ".live-course-due")
    expect(course).to_have_text(two.course_id)
    expect(due).to_contain_text("2030")
    screens.shot(page, "second-course")
    page.locator("#course_list_dropdown").click()
    menu.filter(has_text=FIRST).click()
    expect(default).to_have_text(FIRST)
    expect(course).to_have_text(FIRST)
    expect(due).to_have_count(0)  # the first course's A has no due date: nothing of the second course's view
    screens.shot(page, "first-course")


def test_the_staff_of_one_course_read_nothing_of_the_other(klass, two):
    """Catches: a course's folder of the exchange, gradebook or sources readable by another course's grader or
    instructor (a shared course group, an exchange folder left 0755, a course folder outside its instructor's home).
    The grader of the first course and the instructor of the second, each against the other course, as their users."""
    import shlex

    # (their own class, whose roster gives their role; the other course)
    staff = {klass.graders[0]: (klass, two), two.instructor: (two, klass)}
    for user, (own, course) in staff.items():
        inbound = course.course_exchange / "inbound"
        private = [course.course_folder / "gradebook.db", course.course_folder / "source" / A / f"{A}.ipynb",
                   course.course_folder / "nbgrader_config.py"]
        private += [p / f"{A}.ipynb" for p in sorted(inbound.glob(f"*+{A}+*"))[:2]]
        for path in private:
            done = as_user(own, user, f"cat {shlex.quote(str(path))} > /dev/null")
            assert done.returncode != 0, f"{user} ({own.role(user)} of {own.course_id}) read {path}"
        for folder in (course.course_exchange, inbound, course.course_folder, course.home(course.instructor)):
            done = as_user(own, user, f"ls {shlex.quote(str(folder))}")
            assert done.returncode != 0, f"{user} ({own.role(user)} of {own.course_id}) listed {folder}: " \
                f"{done.stdout[:300]}"


def test_the_exchange_privacy_of_the_first_course_holds_in_the_second(klass, two):
    """test_privacy.py's probes, in the second course: its student D against B's submission there, at its real path
    (learned as root). Catches: a second course's exchange folder set up by another path than the first's (inbound
    listable, a submission readable or replaceable, its sticky bit lost), its gradebook or sources readable."""
    import shlex
    import stat

    b, d = klass.students[1], two.own_students[0]
    inbound = two.course_exchange / "inbound"
    theirs = sorted(p for p in inbound.glob(f"{b}+{A}+*") if p.owner() == b)
    assert theirs, f"no submission of B's in {two.course_id}'s inbound"
    target, mine = theirs[-1], two.student_folder(d, A) / f"{A}.ipynb"
    before = sorted(p.name for p in target.iterdir())
    for command in (("ls", inbound), ("ls", target), ("cat", target / f"{A}.ipynb"),
                    ("cat", target / "submission_secret.txt"), ("mv", target, f"{target}-moved"), ("rm", "-rf", target),
                    ("cp", mine, target / f"{A}.ipynb"), ("touch", target / "extra.txt"),
                    ("cat", two.course_folder / "gradebook.db"), ("ls", two.course_folder / "source"),
                    ("ls", two.home(b)), ("ls", two.home(two.instructor))):
        line = " ".join(shlex.quote(str(word)) for word in command)
        done = as_user(two, d, line)
        assert done.returncode != 0, f"{d}, a student of {two.course_id}, could run `{line}`: {done.stdout[:300]!r}"
    assert target.is_dir() and sorted(p.name for p in target.iterdir()) == before, "B's submission changed under D"
    mode = stat.S_IMODE(inbound.stat().st_mode)
    assert mode == 0o3733, f"{two.course_id}'s inbound is {oct(mode)} after its release (the first course's: 0o3733)"
