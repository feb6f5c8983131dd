"""The live course on the real hub: the grading service (started by the hub as the instructor) grades every
submission of an on-submit assignment on arrival, with no instructor action after setting the policy.

On its own assignment (L), so the scripted, browser and security cycles are untouched. One story, in order:
A hands in a catalogued mistake (graded with that mistake named, feedback fetchable), then the solution (replaces
it); the instructor sets a due date 30 hours ago with 10% per day late and gives B 48 hours more; A's third
submission is late (20% off, in the status and in grades.csv) and her fourth is refused by `nbgrader submit`
(3 attempts); B submits, the service is killed while it grades and started again: graded exactly once, on time.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import signal
import subprocess

import pytest

from support import ROOT  # tests/support.py
from hub.support import wait_for

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("servers")]

L = "04_gradient_checking"
MISTAKE = "tests/fixtures/04_gradient_checking/mistake_numgrad_fixed_epsilon.py"


def status(klass, student: str) -> dict | None:
    path = klass.site.course_exchange / "live" / student / f"{L}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def course_command(klass, *args: str) -> subprocess.CompletedProcess:
    return klass.site.run_as(klass.instructor, "instructor", [str(klass.site.bin / "course"), *args],
                             cwd=klass.course_folder)


def submit_and_wait(klass, student: str, count: int, seen: list[str] | None = None) -> dict:
    """`student` submits L; wait until their `count`-th submission is settled; the status then. The states seen on
    the way go into `seen`."""
    klass.submit(student, L)

    def settled():
        st = status(klass, student)
        if st and len(st["submissions"]) >= count:
            state = st["submissions"][count - 1]["state"]
            if seen is not None and (not seen or seen[-1] != state):
                seen.append(state)
            return st if state in ("graded", "ungradable", "refused") else None
        return None

    return wait_for(settled, 120, f"{student}'s submission {count} of {L} to be graded")


@pytest.fixture(scope="module")
def live(hub, klass):
    """L released with an on-submit policy (3 attempts, each test's score shown), A with her first submission."""
    wait_for(lambda: (klass.site.course_exchange / "live" / "policy.json").is_file(), 60,
             "the grading service to publish policy.json")
    klass.release(L)
    course_command(klass, "policy", L, "--feedback", "on-submit", "--show", "tests", "--attempts", "3")
    a, b = klass.students
    klass.fetch(a, L)
    klass.fetch(b, L)
    return a, b


def test_a_mistake_is_graded_on_arrival_with_the_mistake_named_and_its_feedback_fetchable(live, klass):
    from grader.tools.scenarios import Scenario, expected_scores

    a, _ = live
    klass.hand_in(a, L, MISTAKE)
    seen: list[str] = []
    st = submit_and_wait(klass, a, 1, seen)
    first = st["submissions"][0]
    assert first["state"] == "graded", first["message"]
    assert "queued" in seen or "grading" in seen, f"states seen: {seen}"
    expected = expected_scores(ROOT, L, MISTAKE)
    assert first["score"] == pytest.approx(sum(expected.values())), first
    by_cell = {t["cell"]: t for t in first["tests"]}
    assert {c: t["score"] for c, t in by_cell.items()} == pytest.approx(expected), first["tests"]
    named = Scenario.parse(ROOT / MISTAKE, L).folder["names"][0]
    lost = [c for c, p in expected.items() if p == 0]
    assert all(by_cell[c]["mistake"] and named in by_cell[c]["mistake"] for c in lost), (named, first["tests"])
    assert st["attempts_used"] == 1 and st["attempts_left"] == 2, st
    assert first["feedback"], first
    fetched = klass.fetch_feedback(a, L)
    assert len(fetched) == 1, fetched
    assert "BEGIN HIDDEN TESTS" not in fetched[0].read_text()
    # the service's timeline of it (what `course hub-bench --on-submit` prints): every step, in order
    events = [json.loads(line) for line in (klass.course_folder / ".grading" / "live" / "events.jsonl").read_text()
              .splitlines()]
    timeline = next(e["timeline"] for e in events if e["student"] == a and e["event"] == "graded")
    steps = ["noticed", "picked", "collected", "planned", "shared", "sent", "computed", "merged", "released",
             "exported", "scored"]
    assert list(timeline) == steps and all(0 <= timeline[x] <= timeline[y] for x, y in zip(steps, steps[1:])), \
        f"the service's timeline of A's submission: {timeline}"


def test_status_files_are_the_students_alone(live, klass):
    a, b = live
    path = klass.site.course_exchange / "live" / a / f"{L}.json"
    st, folder = path.stat(), path.parent.stat()
    assert oct(st.st_mode & 0o7777) == oct(0o640) and st.st_gid == os.stat(klass.home(a)).st_gid
    assert oct(folder.st_mode & 0o7777) == oct(0o750) and folder.st_gid == os.stat(klass.home(a)).st_gid
    assert oct(path.parent.parent.stat().st_mode & 0o7777) == oct(0o711)
    theirs = klass.site.run_as(b, "student", ["cat", str(path)], check=False)
    assert theirs.returncode != 0, "another student read A's status"
    policy = json.loads((path.parent.parent / "policy.json").read_text())
    assert policy["assignments"][L]["feedback"] == "on-submit" and policy["assignments"][L]["attempts"] == 3


def test_a_second_submission_replaces_the_first(live, klass):
    from nbgrader.api import Gradebook

    from grader.tools.scenarios import expected_scores

    a, _ = live
    klass.hand_in(a, L, "solution")
    st = submit_and_wait(klass, a, 2)
    full = sum(expected_scores(ROOT, L, "solution").values())
    assert [s["state"] for s in st["submissions"]] == ["graded", "graded"], st
    assert st["submissions"][-1]["score"] == pytest.approx(full)
    assert all(t["mistake"] is None for t in st["submissions"][-1]["tests"])
    with Gradebook(f"sqlite:///{klass.course_folder / 'gradebook.db'}") as gb:
        assert gb.find_submission(L, a).score == pytest.approx(full)


def test_a_late_submission_loses_the_penalty_and_an_extension_lifts_it_for_that_student_only(live, klass):
    from grader.tools.scenarios import expected_scores

    a, b = live
    due = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=30)
    course_command(klass, "policy", L, "--due", due.isoformat(), "--late-per-day", "0.1", "--late-max", "0.5")
    course_command(klass, "extend", L, b, "--hours", "48")
    st = submit_and_wait(klass, a, 3)  # A's solution again, 30 hours late: two days begun, 20%
    full = sum(expected_scores(ROOT, L, "solution").values())
    late = st["submissions"][-1]
    assert late["state"] == "graded" and late["late_penalty"] == pytest.approx(0.2 * full), late
    assert late["score"] == pytest.approx(0.8 * full), late
    rows = {r["student_id"]: r for r in csv.DictReader(open(klass.course_folder / "grades.csv"))
            if r["assignment"] == L}
    assert float(rows[a]["late_submission_penalty"]) == pytest.approx(0.2 * full), rows[a]
    assert st["attempts_left"] == 0
    wait_for(lambda: (s := status(klass, b)) and s["due"] and
             datetime.datetime.fromisoformat(s["due"]) > datetime.datetime.now(datetime.timezone.utc), 30,
             "B's status to show her due date moved by the extension, still ahead")


def test_past_the_attempts_limit_submit_refuses_and_nothing_is_graded(live, klass):
    a, _ = live
    before = status(klass, a)
    assert before and before["attempts_left"] == 0, before
    inbound = klass.site.course_exchange / "inbound"
    handed_in = sorted(inbound.glob(f"{a}+{L}+*"))
    refused = klass.student_nbgrader(a, "submit", L, check=False)
    assert refused.returncode != 0 and "no attempts left" in (refused.stdout + refused.stderr), refused
    assert sorted(inbound.glob(f"{a}+{L}+*")) == handed_in, "a refused submission reached the exchange"
    assert len(status(klass, a)["submissions"]) == len(before["submissions"])


def test_killing_the_service_while_it_grades_grades_the_submission_exactly_once(live, klass):
    from grader.hub.site import login_kwargs

    _, b = live
    state = klass.course_folder / ".grading" / "live"
    klass.hand_in(b, L, "solution")
    klass.submit(b, L)
    wait_for(lambda: (status(klass, b) or {}).get("submissions", [{}])[-1:] and
             status(klass, b)["submissions"][-1]["state"] == "grading", 60, "B's submission to be grading")
    os.kill(int((state / "service.pid").read_text()), signal.SIGKILL)
    env = klass.site.user_env(klass.instructor, "instructor")
    with open(klass.folder / "second-service.log", "w") as out:
        again = subprocess.Popen([str(klass.site.python), "-m", "grader.live.service", "--jobs", "1"], cwd=klass.course_folder,
                                 env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                 **login_kwargs(klass.instructor))
    try:
        st = wait_for(lambda: (s := status(klass, b)) and s["submissions"][-1]["state"] == "graded" and s, 120,
                      "B's submission to be graded after the restart")
    finally:
        again.terminate()
        again.wait(timeout=60)
    events = [json.loads(line) for line in (state / "events.jsonl").read_text().splitlines()]
    mine = [e["event"] for e in events if e["student"] == b and e["assignment"] == L]
    assert mine.count("graded") == 1 and mine.count("queued") == 1, mine
    assert len(st["submissions"]) == 1 and st["attempts_used"] == 1, st
    assert st["submissions"][0]["late_penalty"] == 0, "B's extension did not lift the late penalty"
    rows = {r["student_id"]: r for r in csv.DictReader(open(klass.course_folder / "grades.csv"))
            if r["assignment"] == L}
    assert float(rows[b]["late_submission_penalty"] or 0) == 0, rows[b]


def test_a_submission_that_cannot_be_graded_says_why_and_costs_no_attempt(live, klass):
    _, b = live
    notebook = klass.student_folder(b, L) / f"{L}.ipynb"
    notebook.rename(notebook.with_suffix(".txt"))  # no notebook left to grade, as when a student renames it away
    try:
        before = status(klass, b)
        st = submit_and_wait(klass, b, len(before["submissions"]) + 1)
    finally:
        notebook.with_suffix(".txt").rename(notebook)
    last = st["submissions"][-1]
    assert last["state"] == "ungradable" and last["message"].startswith("could not be graded: "), last
    assert last["score"] is None and not last["feedback"], last
    assert st["attempts_used"] == before["attempts_used"] and st["attempts_left"] == before["attempts_left"], st
