"""The live course's status endpoint (grader/live/handlers.py), on a real Jupyter Server, against status files in a
temporary exchange laid out as the grading service writes it.

The questions: does a student see their own policy and status (due date, attempts, the latest submission's score,
test cells and named mistakes), and never another student's, whatever the request asks or a link points at? Does a
missing, malformed or foreign file give that assignment a state that says so, not an HTTP 500? Does the endpoint
refuse a request without the server's credentials?
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support import free_port

from grader.live.handlers import LiveView, live_view

COURSE = "live-test-course"
ME = pwd.getpwuid(os.geteuid()).pw_name  # the server's user is the student, as on the hub
OTHER = "someone_else"
POLICY = {
    "course": COURSE,
    "assignments": {
        "01_normalization": {"feedback": "on-submit", "show": "tests", "attempts": 3, "attempts_per_day": None,
                             "due": "2026-12-14T23:59:00Z", "late_penalty": "10% per day late, at most 50%"},
        "02_vanishing_exploding": {"feedback": "after-due-date", "show": "score", "attempts": None,
                                   "attempts_per_day": 2, "due": None, "late_penalty": None},
        "03_initialization": {"feedback": "manual", "show": "tests", "attempts": 2, "attempts_per_day": None,
                              "due": "2026-12-01T12:00:00Z", "late_penalty": None},
        "04_gradient_checking": {"feedback": "on-submit", "show": "tests", "attempts": None,
                                 "attempts_per_day": None, "due": None, "late_penalty": None},
        "05_signal_propagation": {"feedback": "on-submit", "show": "tests", "attempts": None,
                                  "attempts_per_day": None, "due": None, "late_penalty": None},
    },
}


def status(student: str, assignment: str, score: float, mistake: str, state: str = "graded") -> dict:
    return {
        "assignment": assignment, "student": student, "due": "2026-12-16T23:59:00Z", "attempts_used": 1,
        "attempts_left": 2, "updated": "2026-12-07T11:00:03Z",
        "submissions": [{"arrived": "2026-12-07T11:00:00Z", "state": state, "score": score, "max_score": 10.0,
                         "late_penalty": 0.0, "message": None, "feedback": True,
                         "tests": [{"cell": "test_normalization_stats", "score": 0.0, "max_score": 2.0,
                                    "mistake": mistake, "source": "assert hidden_secret_check()"}]}],
    }


@pytest.fixture(scope="module")
def exchange(tmp_path_factory) -> Path:
    """An exchange whose course has a policy, my status files, another student's, and broken ones of mine."""
    root = tmp_path_factory.mktemp("exchange")
    live = root / COURSE / "live"
    (live / ME).mkdir(parents=True)
    (live / OTHER).mkdir()
    (live / "policy.json").write_text(json.dumps(POLICY))
    (live / ME / "01_normalization.json").write_text(json.dumps(status(ME, "01_normalization", 7.0,
                                                                       "centres X before X @ X.T / m")))
    # 02: nothing submitted yet (no file)
    (live / OTHER / "01_normalization.json").write_text(json.dumps(status(OTHER, "01_normalization", 3.25,
                                                                          "OTHERS_MISTAKE")))
    (live / OTHER / "03_initialization.json").write_text(json.dumps(status(OTHER, "03_initialization", 4.75,
                                                                           "OTHERS_SECRET")))
    (live / ME / "03_initialization.json").symlink_to(live / OTHER / "03_initialization.json")  # never followed
    (live / ME / "04_gradient_checking.json").write_text('{"assignment": "04_gradient_checking", "stud')
    (live / ME / "05_signal_propagation.json").write_text(json.dumps(status(OTHER, "05_signal_propagation", 1.0,
                                                                            "OTHERS_COPY")))
    return root


def by_id(answer: dict) -> dict[str, dict]:
    """The assignments of the endpoint's answer's one course (the server's configuration names it)."""
    (view,) = answer["courses"]
    return {a["id"]: a for a in view["assignments"]}


@pytest.fixture(scope="module")
def server(exchange, tmp_path_factory):
    """`jupyter server` from the course's environment with the live course's extension, its nbgrader
    configuration (Exchange.root, CourseDirectory.course_id) in its root folder; (base URL, token)."""
    home = tmp_path_factory.mktemp("live-server")
    root = home / "root"
    root.mkdir()
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\nc.CourseDirectory.course_id = {COURSE!r}\n")
    (home / "config").mkdir()
    # enabled as the hub's student configuration enables it (hub/jupyter/student/jupyter_server_config.json)
    (home / "config" / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"grader.live.handlers": True}}}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_CONFIG_PATH=str(home / "config"), PYTHONUNBUFFERED="1")
    port, token = free_port(), secrets.token_hex(16)
    cmd = [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = home / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jupyter server did not start:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)  # a readiness probe's interval
        yield base, token, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(server, query: str = "", token: bool = True) -> tuple[int, str]:
    base, secret, _ = server
    request = urllib.request.Request(f"{base}/live-course/status{query}",
                                     headers={"Authorization": f"token {secret}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


#: the tests that start a server; the others read files with live_view() alone
on_a_server = pytest.mark.slow


@on_a_server
def test_student_sees_own_policy_score_tests_and_named_mistake(server):
    code, body = get(server)
    assert code == 200, body
    answer = json.loads(body)
    assert answer["student"] == ME and [v["course"] for v in answer["courses"]] == [COURSE], answer
    view = answer["courses"][0]
    assert view["live"] and view["course"] == COURSE and view["student"] == ME
    mine = by_id(answer)
    assert sorted(mine) == sorted(POLICY["assignments"])
    first = mine["01_normalization"]
    assert first["state"] == "ok" and first["policy"]["attempts"] == 3
    assert first["policy"]["due"] == "2026-12-14T23:59:00Z" and first["status"]["due"] == "2026-12-16T23:59:00Z"
    assert first["status"]["attempts_left"] == 2
    latest = first["status"]["submissions"][-1]
    assert (latest["state"], latest["score"], latest["max_score"], latest["feedback"]) == ("graded", 7.0, 10.0, True)
    assert latest["tests"] == [{"cell": "test_normalization_stats", "score": 0.0, "max_score": 2.0,
                                "mistake": "centres X before X @ X.T / m"}]


@on_a_server
def test_a_field_the_reader_does_not_know_is_never_served(server):
    """A status file's test carries cell, scores and mistake; anything else (test code) stays out."""
    _, body = get(server)
    assert "hidden_secret_check" not in body and "source" not in json.dumps(by_id(json.loads(body))["01_normalization"])


@on_a_server
def test_not_submitted_yet_is_a_state_not_an_error(server):
    second = by_id(json.loads(get(server)[1]))["02_vanishing_exploding"]
    assert (second["state"], second["status"], second["error"]) == ("not-submitted", None, None)
    assert second["policy"]["attempts_per_day"] == 2 and second["policy"]["show"] == "score"


@on_a_server
def test_another_students_file_is_never_served(server):
    """Not when the request names them, not through a link in my folder, not when my file names them."""
    for query in ("", f"?student={OTHER}", f"?user={OTHER}&course_id={COURSE}", f"/../{OTHER}"):
        code, body = get(server, query)
        for secret in ("OTHERS_MISTAKE", "OTHERS_SECRET", "OTHERS_COPY", "3.25", "4.75", f'"student": "{OTHER}"'):
            assert secret not in body, f"GET live-course/status{query} served {OTHER}'s {secret}: {body[:500]}"
        if code == 200:
            assert json.loads(body)["student"] == ME
    mine = by_id(json.loads(get(server)[1]))
    linked = mine["03_initialization"]
    assert linked["state"] == "error" and "symbolic link" in linked["error"]
    foreign = mine["05_signal_propagation"]
    assert foreign["state"] == "error" and OTHER in foreign["error"] and foreign["status"] is None


@on_a_server
def test_malformed_status_is_reported_not_a_500(server):
    code, body = get(server)
    assert code == 200
    broken = by_id(json.loads(body))["04_gradient_checking"]
    assert broken["state"] == "error" and "not valid JSON" in broken["error"] and broken["status"] is None


@on_a_server
def test_the_endpoint_needs_the_servers_credentials(server):
    code, body = get(server, token=False)
    assert code == 403, (code, body[:300])
    assert "OTHERS" not in body and "centres X" not in body


def test_no_policy_yet_says_why(tmp_path):
    view = live_view(tmp_path, COURSE, ME)
    assert isinstance(view, LiveView) and not view.live and "no live grading policy" in view.reason
    (tmp_path / COURSE / "live").mkdir(parents=True)
    (tmp_path / COURSE / "live" / "policy.json").write_text('{"assignments": {"01": {"feedback": "sometimes"}}}')
    view = live_view(tmp_path, COURSE, ME)
    assert view.live and view.assignments[0].state == "error" and "feedback" in view.assignments[0].error


def test_an_assignment_id_that_is_a_path_is_skipped(tmp_path):
    (tmp_path / COURSE / "live" / ME).mkdir(parents=True)
    entry = POLICY["assignments"]["04_gradient_checking"]
    (tmp_path / COURSE / "live" / "policy.json").write_text(json.dumps(
        {"assignments": {f"../{OTHER}/01_normalization": entry, "..": entry, "ok_one": entry}}))
    assert [a.id for a in live_view(tmp_path, COURSE, ME).assignments] == ["ok_one"]


def test_a_student_of_several_courses_sees_each_course_they_may_enter_and_no_other(tmp_path, monkeypatch):
    """No course id configured (a student in several courses of one hub): every course folder the student may enter,
    each with its own policy and status; a course folder they may not enter (0750 to another group) is skipped.
    Catches: a view of one course only, or a crash on the unreadable folder."""
    from grader.live.handlers import student_view

    for course in ("course-a", "course-b"):
        live = tmp_path / course / "live"
        (live / ME).mkdir(parents=True)
        (live / "policy.json").write_text(json.dumps({**POLICY, "course": course}))
        (live / ME / "01_normalization.json").write_text(json.dumps(status(ME, "01_normalization", 7.0, course)))
    (tmp_path / "no-policy").mkdir()
    view = student_view(tmp_path, "", ME)
    assert [c.course for c in view.courses] == ["course-a", "course-b", "no-policy"], view
    assert [c.live for c in view.courses] == [True, True, False]
    for c in view.courses[:2]:
        first = next(a for a in c.assignments if a.id == "01_normalization")
        assert first.status.submissions[-1].tests[0].mistake == c.course, f"{c.course} shows another course's status"
    assert [c.course for c in student_view(tmp_path, "course-b", ME).courses] == ["course-b"]
    # a course folder the student may not enter (root enters every folder: os.access answers as a student's would)
    entered = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: "course-b" not in str(path) and entered(path, mode))
    assert [c.course for c in student_view(tmp_path, "", ME).courses] == ["course-a", "no-policy"]
