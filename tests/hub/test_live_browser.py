"""The live course as a student sees it, in Chromium, in nbgrader's Assignments tab on the course's JupyterHub
(hub/labextension/, grader/live/handlers.py), graded by the real grading service the hub starts (grader/live/).

The instructor sets V's policy with `course policy` (on-submit, each test shown, one graded attempt, due in two
days, 10% per day late). Student A opens Nbgrader > Assignment List and, on V's row, reads the due date with the
time left and her attempts; fetches V with nbgrader's button; hands in a notebook that is not valid JSON and sees
"grading…", then "could not be graded: <the service's reason>" (which costs no attempt); hands in her answers with
one mistake only the hidden tests catch and sees "grading…", then her score and the test cell with the mistake it
names (no hidden test code), "no attempts left" next to a disabled Submit; opens the feedback with one button (no
reload, no terminal: nbgrader's fetch_feedback, then the page in JupyterLab); and, once the instructor moves the due
date into the past, reads "late by ...". No instructor action between the policy and the feedback.

A screenshot of every step lands in test-artifacts/hub-live/ (of every open page when the test fails).
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from playwright.sync_api import Page, expect

from support import ROOT
from hub.support import hidden_lines, launched, log_in, wait_for

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("servers")]

#: an assignment no other hub test releases
V = "05_signal_propagation"
#: A's answers: the solution with one mistake (the label entropy in bits) that only the hidden tests catch
MISTAKE = f"tests/fixtures/{V}/mistake_entropy_in_bits.py"
ARTIFACTS = ROOT / "test-artifacts" / "hub-live"
EXTENSION = ROOT / "hub" / "labextension"


@pytest.fixture
def screens(chromium, playwright_driver):
    yield from launched(chromium, playwright_driver, ARTIFACTS)


def extension_installed(site) -> None:
    """The extension the hub's JupyterLab loads was built from these sources (make hub-env), or a clear failure."""
    stamp = site.prefix / ".labextension-installed"
    built = site.prefix / "venv" / "share" / "jupyter" / "labextensions" / "@optimization-setup" / "live-course"
    if not stamp.exists() or not (built / "package.json").exists():
        pytest.fail(f"the course's JupyterLab extension is not installed in {site.prefix}: run `make hub-env` as root")
    built_in_place = {"node_modules", "lib", "labextension"}  # what a build in the checkout leaves (.gitignore)
    newer = [str(p.relative_to(ROOT)) for p in EXTENSION.rglob("*") if p.is_file() and p.suffix != ".tsbuildinfo"
             and not built_in_place & set(p.relative_to(EXTENSION).parts) and p.stat().st_mtime > stamp.stat().st_mtime]
    if newer:
        pytest.fail(f"the course's JupyterLab extension in {site.prefix} is older than {newer[:3]}: "
                    "run `make hub-env` as root")


def utc(delta: datetime.timedelta = datetime.timedelta()) -> str:
    now = datetime.datetime.now(datetime.timezone.utc) + delta
    return now.replace(microsecond=0).isoformat()


def policy_published(klass, **expected) -> bool:
    """policy.json, as the service publishes it, shows V with `expected`."""
    try:
        entry = json.loads((klass.site.course_exchange / "live" / "policy.json").read_text())["assignments"][V]
    except (OSError, ValueError, KeyError):
        return False
    return all(entry.get(k) == v for k, v in expected.items())


def due_passed(klass) -> bool:
    """policy.json, as the service publishes it, shows V due in the past."""
    try:
        due = json.loads((klass.site.course_exchange / "live" / "policy.json").read_text())["assignments"][V]["due"]
    except (OSError, ValueError, KeyError):
        return False
    return due is not None and datetime.datetime.fromisoformat(due) < datetime.datetime.now(datetime.timezone.utc)


def course_policy(klass, *args: str) -> None:
    """`course policy V ARGS` as the instructor in her course folder, as she would type it in a terminal."""
    klass.site.run_as(klass.instructor, "instructor", [str(klass.site.bin / "course"), "policy", V, *args],
                      cwd=klass.course_folder)




def assignment_list(page: Page) -> None:
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.get_by_role("menuitem", name="Assignment List", exact=True).click()


def row(page: Page, which: str):
    """V's row in nbgrader's list `which` (released, fetched, submitted)."""
    name = page.locator(".item_name", has_text=re.compile(rf"^\s*{re.escape(V)}\s*$"))
    return page.locator(f"#{which}_assignments_list > .list_item").filter(has=name)


def save(page: Page, hub, user: str, model: dict) -> None:
    """Save `model` (a contents-API model) over the fetched notebook, with the page's own session."""
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_xsrf" and user in c["path"])
    path = f"optimization-setup/{V}/{V}.ipynb"
    answer = page.request.put(f"{hub.base}/user/{user}/api/contents/{path}", headers={"X-XSRFToken": xsrf},
                              data=json.dumps(model))
    assert answer.ok, f"PUT /api/contents/{path} as {user}: HTTP {answer.status} {answer.text()[:300]}"


def points_text(value: float) -> str:
    """A score as the extension writes it: 17, 17.5."""
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def test_student_sees_due_date_attempts_grading_score_mistake_and_opens_feedback(screens, hub, klass):
    from grader.tools.scenarios import Scenario, example_notebook, expected_scores

    extension_installed(klass.site)
    a = klass.students[0]
    expected = expected_scores(ROOT, V, MISTAKE)
    named = Scenario.parse(ROOT / MISTAKE, V).folder["names"][0]
    lost = sorted(cell for cell, score in expected.items() if score == 0)
    klass.release(V)
    course_policy(klass, "--feedback", "on-submit", "--show", "tests", "--attempts", "1", "--late-per-day", "0.1",
                  "--due", utc(datetime.timedelta(days=2, hours=3)))
    wait_for(lambda: policy_published(klass, feedback="on-submit", attempts=1), 60,
             f"the grading service to publish {V}'s policy")
    try:
        page = log_in(screens, hub, a, klass.passwords()[a])
        assignment_list(page)

        # released: the due date, the time left, the attempts, the late penalty
        live = row(page, "released").locator(".live-course-status")
        expect(live.locator(".live-course-due")).to_contain_text("Due ")
        expect(live.locator(".live-course-left")).to_have_text(re.compile(r"^2 d [23] h left$"))
        expect(live.locator(".live-course-attempts")).to_have_text("Attempts: 0 used, 1 left")
        expect(live.locator(".live-course-penalty")).to_have_text("Late: 10% per day late")
        screens.shot(page, "released-due-and-attempts")

        row(page, "released").get_by_role("button", name="Fetch").click()
        fetched = row(page, "fetched")
        expect(fetched.locator(".live-course-attempts")).to_have_text("Attempts: 0 used, 1 left")
        screens.shot(page, "fetched")

        # a notebook that is not valid JSON: "grading…", then could not be graded, which costs no attempt
        save(page, hub, a, {"type": "file", "format": "text", "content": '{"cells": [{"cell_type": "code", '})
        fetched.get_by_role("button", name="Submit").click()
        submitted = row(page, "submitted").locator(".live-course-status")
        expect(submitted.locator(".live-course-grading")).to_contain_text("grading…")
        screens.shot(page, "broken-grading")
        expect(submitted.locator(".live-course-ungradable")).to_contain_text("could not be graded: ")
        expect(submitted.locator(".live-course-attempts")).to_have_text("Attempts: 0 used, 1 left")
        screens.shot(page, "broken-could-not-be-graded")

        # her answers with one mistake: "grading…", then the score and the named mistake; her one attempt used
        answers = example_notebook(ROOT, V, MISTAKE)
        save(page, hub, a, {"type": "notebook", "format": "json", "content": answers})
        fetched.get_by_role("button", name="Submit").click()
        expect(submitted.locator(".live-course-grading")).to_contain_text("grading…")
        screens.shot(page, "answers-grading")
        score = submitted.locator(".live-course-score")
        expect(score).to_have_text(re.compile(rf"^Score: {re.escape(points_text(sum(expected.values())))} / "))
        failed = submitted.locator(".live-course-test-failed")
        expect(failed).to_have_count(len(lost))
        expect(failed.locator(".live-course-test-cell")).to_have_text(lost)
        expect(failed.locator(".live-course-mistake").first).to_contain_text(named)
        expect(submitted.locator(".live-course-attempts")).to_have_text("Attempts: 1 used, 0 left")
        expect(fetched.locator(".live-course-submit-note")).to_have_text("no attempts left (1 of 1 used)")
        expect(fetched.get_by_role("button", name="Submit")).to_be_disabled()
        screens.shot(page, "graded-score-mistake-no-attempts-left")
        shown = [line for line in hidden_lines(V) if line in page.locator("#nbgrader-assignment-list").inner_text()]
        assert not shown, f"the Assignments tab shows hidden test code: {shown[:3]}"

        # the feedback, with one button
        submitted.get_by_role("button", name="Open feedback").click()
        tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
        expect(tab).to_contain_text(f"{V}.html")
        # the viewer of that tab: her workspace may bring back feedback of other assignments in tabs behind it
        viewer = page.frame_locator(f'[id="{tab.get_attribute("data-id")}"] iframe')
        expect(viewer.locator("body")).to_contain_text(named)  # the feedback page names the mistake too
        screens.shot(page, "feedback-open")
        text = viewer.locator("body").inner_text()
        # a line of the hidden tests that A's own answers also hold (a reference computation) is hers to see
        own = "\n".join(cell.source for cell in answers.cells)
        shown = [line for line in hidden_lines(V) if line in text and line not in own]
        assert not shown, f"A's feedback shows hidden test code: {shown[:3]}"

        # the instructor moves the due date into the past: "late by ..."
        course_policy(klass, "--due", utc(-datetime.timedelta(hours=3, minutes=10)))
        wait_for(lambda: due_passed(klass), 60, "the grading service to publish the new due date")
        page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments").click()
        page.locator("#refresh_assignments_list").click()
        expect(submitted.locator(".live-course-late")).to_have_text(re.compile(r"^late by 3 h 1\d min$"))
        screens.shot(page, "late")
    except BaseException:
        screens.shoot_all("FAILED")
        raise
