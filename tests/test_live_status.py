"""What the grading service publishes (grader/live/service.py, grader/live/status.py), on a course folder without a
hub: with show = "score" the test cells stay hidden until the student's due date (extension included); the status
and policy files have the schema's fields and modes."""

from __future__ import annotations

import datetime
import json
import os
import shutil

import pytest

from support import ROOT


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with 01_normalization and its exchange, one gradebook for the module's tests."""
    from grader.course import Course

    tmp_path = tmp_path_factory.mktemp("live")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange"))
        (tmp_path / "exchange" / "optimization-setup").mkdir(parents=True)
        folder = tmp_path / "course"
        folder.mkdir()
        shutil.copy(ROOT / "nbgrader_config.py", folder)
        shutil.copytree(ROOT / "source" / "01_normalization", folder / "source" / "01_normalization")
        course = Course(folder)
        with course.gradebook():
            pass
        yield course


def _graded_ledger(course):
    from grader.live import queue
    from grader.live.status import SubmissionStatus, TestResult

    arrived = datetime.datetime.now(datetime.timezone.utc).isoformat()
    entry = queue.Entry("ada+01_normalization+x", SubmissionStatus(
        arrived, "graded", 3.0, 4.0, 0.0, None, [TestResult("test_normalize", 0.0, 1.0, "you divided by the variance")]))
    ledger = queue.Ledger("01_normalization", "ada", [entry])
    queue.save(course, ledger)
    return ledger


@pytest.mark.parametrize("hours_to_due, extension, shown", [(5, 0, False), (-5, 0, True), (-5, 10, False)])
def test_with_show_score_the_tests_stay_hidden_until_the_students_due_date(course, hours_to_due, extension, shown):
    from grader.live.service import Service

    due = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(hours=hours_to_due)
    with course.gradebook() as gb:
        gb.update_or_create_assignment("01_normalization", duedate=due)
    course.policies.set("01_normalization", feedback="on-submit", show="score",
                        extensions={"ada": float(extension)} if extension else {})
    course.policies.save()
    ledger = _graded_ledger(course)
    with course.gradebook() as gb:
        status = Service(course).status_of(gb, "01_normalization", "ada", ledger)
    assert status.submissions[-1].score == 3.0
    assert bool(status.submissions[-1].tests) == shown, status.submissions[-1]
    assert datetime.datetime.fromisoformat(status.due) == (due + datetime.timedelta(hours=extension)).replace(
        tzinfo=datetime.timezone.utc)


def test_status_and_policy_files_have_the_schemas_fields_and_modes(course):
    from grader.live.service import Service

    course.policies.set("01_normalization", feedback="on-submit", show="tests", attempts=2, late_per_day=0.1,
                        late_max=0.5, extensions={})
    course.policies.save()
    with course.gradebook() as gb:
        gb.update_or_create_assignment("01_normalization", duedate=None)
    ledger = _graded_ledger(course)
    service = Service(course)
    service.publish_all()  # policy.json
    with course.gradebook() as gb:
        status = service.status_of(gb, "01_normalization", "ada", ledger)
    from grader.live.status import write_status

    path = write_status(service.exchange, status, os.getgid())
    data = json.loads(path.read_text())
    assert set(data) == {"assignment", "student", "due", "attempts_used", "attempts_left", "submissions", "updated"}
    assert set(data["submissions"][0]) == {"arrived", "state", "score", "max_score", "late_penalty", "message",
                                           "tests", "feedback"}
    assert data["attempts_used"] == 1 and data["attempts_left"] == 1
    assert oct(path.stat().st_mode & 0o7777) == oct(0o640) and oct(path.parent.stat().st_mode & 0o7777) == oct(0o750)
    policy = json.loads((service.exchange / "live" / "policy.json").read_text())
    assert policy["course"] == "optimization-setup"
    assert policy["assignments"]["01_normalization"] == {
        "feedback": "on-submit", "show": "tests", "attempts": 2, "attempts_per_day": None, "due": None,
        "late_penalty": "10% per day late, at most 50%"}
    assert oct((service.exchange / "live").stat().st_mode & 0o7777) == oct(0o711)
