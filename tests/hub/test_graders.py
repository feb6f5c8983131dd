"""The teaching staff: a grader (role `grader` in the roster) logs in, grades in the course's shared formgrader (a hub
service run as the instructor, grader/hub/formgrader.py), and is refused, on the server, whatever only the instructor
does; as a Unix account a grader reads nothing of the course or of the students. On the session's graded `cycle`,
whose state the grading test puts back as it found it."""

from __future__ import annotations

import re
import shlex
import urllib.parse

import pytest

from hub.support import A, Session, as_user, points

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("servers")]

FORMGRADER = "/services/optimization-setup/formgrader"
WRITTEN = "written_depth_and_scale"  # A's written answer, graded by hand
COMMENT = "Right: each layer multiplies by the scale, so depth compounds it."


def q(path) -> str:
    return shlex.quote(str(path))


@pytest.fixture(scope="module")
def staff(hub, klass, cycle) -> Session:
    """The grader, logged in on the hub's login page with their Unix password and sent on to the formgrader."""
    from grader.hub.site import FORMGRADER_SERVICE

    assert FORMGRADER.split("/")[2] == FORMGRADER_SERVICE
    grader = klass.graders[0]
    session = Session(hub)
    status, url, page = session.log_in(grader, klass.passwords()[grader], FORMGRADER + "/")
    assert status == 200 and urllib.parse.urlparse(url).path.startswith(FORMGRADER), \
        f"the grader's login ended at {url} with HTTP {status}"
    assert "nbgrader formgrade" in page, f"the grader's login did not open the formgrader: {page[:300]!r}"
    return session


def _written_grade(staff: Session, student: str) -> tuple[str, dict, dict]:
    """(the student's submitted notebook's id, its written answer's grade, its comment), through the formgrader."""
    notebooks = staff.json("GET", f"{FORMGRADER}/api/submitted_notebooks/{A}/{A}")
    submission = next(n["id"] for n in notebooks if n["student"] == student)
    grade = next(g for g in staff.json("GET", f"{FORMGRADER}/api/grades?submission_id={submission}")
                 if g["name"] == WRITTEN)
    comment = next(c for c in staff.json("GET", f"{FORMGRADER}/api/comments?submission_id={submission}")
                   if c["name"] == WRITTEN)
    return submission, grade, comment


def _feedback_reaches(klass, staff: Session, student: str) -> str:
    """The grader generates the student's feedback in the formgrader, the instructor releases it to that student
    (nbgrader release_feedback) and the student fetches it; the text of the student's newest feedback page."""
    answer = staff.json("POST", f"{FORMGRADER}/api/assignment/{A}/{student}/generate_feedback")
    assert answer["success"], f"the grader could not generate feedback: {answer.get('error')} {answer.get('log')}"
    klass.instructor_nbgrader("release_feedback", A, "--student", student)
    return klass.fetch_feedback(student, A)[-1].read_text()


def test_a_grader_logs_in_and_opens_the_formgrader_and_a_student_cannot(staff, hub, klass, tokens):
    status, _, page = staff.request("GET", f"{FORMGRADER}/manage_submissions/{A}")
    assert status == 200 and "manage_submissions" in page, f"the grader's submissions page: HTTP {status}"
    status, _, home = staff.request("GET", "/hub/home")  # File → Hub Control Panel, in JupyterLab
    assert status == 200 and 'href="/services/optimization-setup/"' in home, \
        "the hub's pages do not list the course's formgrader under Services for a grader"
    a = klass.students[0]
    for path in ("/", "/api/submissions/" + A, "/api/grades"):
        status, _, _ = hub.get(FORMGRADER + path, tokens[a])
        assert status == 403, f"a student's token opened the course's formgrader{path}: HTTP {status}"


def test_a_grader_grades_a_written_answer_by_hand_and_the_score_reaches_the_students_feedback(staff, klass, cycle):
    submission, grade, comment = _written_grade(staff, cycle.a)
    assert grade["needs_manual_grade"] and grade["manual_score"] is None, f"{WRITTEN} before grading: {grade}"
    status, _, page = staff.request("GET", f"{FORMGRADER}/submissions/{submission}")
    assert status == 200 and WRITTEN in page, f"the grader's grading page of {cycle.a}: HTTP {status}"
    auto, total = points(A)
    try:
        graded = staff.json("PUT", f"{FORMGRADER}/api/grade/{grade['id']}", {"manual_score": 1.5})
        assert graded["manual_score"] == 1.5 and not graded["needs_manual_grade"], f"the grade after PUT: {graded}"
        staff.json("PUT", f"{FORMGRADER}/api/comment/{comment['id']}", {"manual_comment": COMMENT})
        text = _feedback_reaches(klass, staff, cycle.a)
        assert re.search(rf"Score:\s*{auto + 1.5:.1f}\s*/\s*{total:.1f}", text), \
            f"{cycle.a}'s feedback does not show {auto + 1.5} / {total} after the grader's 1.5 by hand"
        assert COMMENT in text, f"{cycle.a}'s feedback does not show the grader's comment"
    finally:  # the cycle as the other hub tests expect it: the answer ungraded, the feedback without the comment
        staff.json("PUT", f"{FORMGRADER}/api/grade/{grade['id']}", {"manual_score": None})
        staff.json("PUT", f"{FORMGRADER}/api/comment/{comment['id']}", {"manual_comment": None})
        text = _feedback_reaches(klass, staff, cycle.a)
    assert re.search(rf"Score:\s*{auto:.1f}\s*/\s*{total:.1f}", text) and COMMENT not in text, \
        f"{cycle.a}'s feedback was not put back as the cycle left it"


@pytest.mark.parametrize("method, path, words", [
    ("POST", f"/api/assignment/{A}/release", "release an assignment"),
    ("POST", f"/api/assignment/{A}/unrelease", "unrelease an assignment"),
    ("POST", f"/api/assignment/{A}/collect", "collect submissions"),
    ("POST", f"/api/assignment/{A}/assign", "generate an assignment"),
    ("PUT", f"/api/assignment/{A}", "change an assignment"),
    ("POST", f"/api/assignment/{A}/release_feedback", "release feedback"),
])
def test_the_formgrader_refuses_a_grader_what_only_the_instructor_does_saying_so(staff, klass, cycle, method, path,
                                                                                 words):
    """An action (a button of nbgrader's pages) fails as nbgrader's own failures do, `success` false with the
    reason, which the page shows; any other request is HTTP 403 with the reason."""
    import json

    from nbgrader.api import Gradebook

    outbound = klass.site.course_exchange / "outbound" / A
    gradebook = f"sqlite:///{klass.course_folder / 'gradebook.db'}"

    def state():
        """The released assignment, the collected submissions and the due date."""
        with Gradebook(gradebook) as gb:
            duedate = gb.find_assignment(A).duedate
        collected = sorted((p.parent.name, p.stat().st_mtime_ns) for p in (klass.course_folder / "submitted").glob(
            f"*/{A}"))
        return outbound.stat().st_mtime_ns, sorted(p.name for p in outbound.iterdir()), collected, duedate

    before = state()
    body = b'{"duedate_notimezone": "2031-01-01T00:00:00", "duedate_timezone": "+0000"}' if method == "PUT" else b""
    status, _, text = staff.request(method, FORMGRADER + path, body)
    assert status == (200 if method == "POST" else 403), f"{method} {path} as a grader: HTTP {status} {text[:300]}"
    answer = json.loads(text)
    assert answer["success"] is False, f"{method} {path} as a grader succeeded: {text[:300]}"
    assert f"only the instructor, {klass.instructor}, may {words}" in answer["error"], f"no reason given: {text}"
    assert state() == before, f"{A}'s release, submissions or due date changed after a refused {method} {path}"


def test_the_formgrader_service_gives_a_grader_no_file_kernel_or_terminal_of_the_instructors(staff, hub, klass,
                                                                                           tokens):
    for method, path in (("GET", "/api/contents/source"), ("PUT", f"/api/contents/source/{A}/planted.py"),
                         ("GET", "/files/gradebook.db"), ("POST", "/api/kernels"), ("POST", "/api/terminals"),
                         ("GET", "/lab")):
        status, _, _ = staff.request(method, FORMGRADER.rsplit("/", 1)[0] + path, b"{}" if method != "GET" else None)
        assert status in (403, 404), f"{method} {path} on the course's formgrader as a grader: HTTP {status}"
    # nbgrader serves a submission's files from anywhere in the course folder (the instructor's may): a grader gets
    # the submission's own only
    notebooks = staff.json("GET", f"{FORMGRADER}/api/submitted_notebooks/{A}/{A}")
    gradebook = f"{FORMGRADER}/submissions/{notebooks[0]['id']}/{klass.course_folder / 'gradebook.db'}"
    status, _, _ = hub.get(gradebook, tokens[klass.instructor])
    assert status == 200, f"the instructor's formgrader no longer serves a path out of a submission ({status})"
    status, _, _ = staff.request("GET", gradebook)
    assert status == 403, f"a grader read the gradebook's file through a submission's path: HTTP {status}"


def test_a_graders_own_nbgrader_is_refused_with_the_reason_and_unix_permissions_agree(klass, cycle):
    grader, exchange = klass.graders[0], klass.site.course_exchange
    for command, words in (("release_assignment", "release an assignment"), ("collect", "collect submissions"),
                           ("release_feedback", "release feedback")):
        done = as_user(klass, grader, f"nbgrader {command} {A}")
        assert done.returncode != 0, f"a grader's nbgrader {command} succeeded: {done.stdout[-300:]}"
        assert f"Only the course's instructor, {klass.instructor}, may {words}" in done.stderr, done.stderr[-800:]
    for command in (f"touch {q(exchange / 'outbound' / A / 'planted.txt')}", f"ls {q(exchange / 'inbound')}",
                    f"mkdir {q(exchange / 'outbound' / 'planted')}", f"touch {q(klass.course_folder / 'planted')}"):
        done = as_user(klass, grader, command)
        assert done.returncode != 0 and "Permission denied" in done.stderr, f"a grader could run `{command}`"


def test_a_grader_reads_nothing_of_the_students_or_the_course_outside_the_formgrader(klass, cycle):
    grader = klass.graders[0]
    private = [klass.course_folder / "gradebook.db", klass.course_folder / "source" / A / f"{A}.ipynb",
               cycle.real_submissions[-1] / f"{A}.ipynb", cycle.released_feedback[cycle.a],
               cycle.fetched_feedback[cycle.a][0], klass.passwords_file, klass.folder / "state" / "jupyterhub.sqlite"]
    for path in private:
        done = as_user(klass, grader, f"cat {q(path)} > /dev/null")
        assert done.returncode != 0, f"a grader read {path}"
    for home in (klass.home(cycle.a), klass.home(klass.instructor)):
        done = as_user(klass, grader, f"ls {q(home)}")
        assert done.returncode != 0, f"a grader listed {home}"
