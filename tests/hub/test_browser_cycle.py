"""The class's cycle in a real browser on the course's JupyterHub: what the instructor and two students click.

Debian's Chromium (Playwright) on the hub of tests/hub/conftest.py, each user in a browser context of their own
(their own cookies), logging in on the hub's login page with their Unix password (PAM):

1. the instructor opens Nbgrader > Formgrader in JupyterLab (the formgrader in JupyterLab's iframe, which the CSP
   of jupyter/nbgrader#1870 would blank) and releases BROWSER_ASSIGNMENT;
2. student A fetches it from Nbgrader > Assignment List, writes her answers through her server's contents API (the
   solution with one mistake that only the hidden tests catch), clicks Validate (success: the visible tests pass)
   and Submit;
3. student B fetches it and submits the untouched notebook;
4. the instructor collects from the formgrader, grades with `course grade` (the command typed in a terminal of her
   server: the course's parallel grading), sees both scores on the formgrader's submissions page, and releases the
   feedback from the formgrader;
5. A clicks Fetch Feedback and "view feedback", opens the HTML from the file browser and reads her score, the
   check that failed with the mistake it names, formulas drawn as MathML, and no hidden test code.

A screenshot of every step lands in test-artifacts/hub/, and of every open page when the test fails.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from support import ROOT
from hub.support import BROWSER_ASSIGNMENT, Screens, hidden_lines, launched, log_in, points

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("servers")]

A = BROWSER_ASSIGNMENT
ARTIFACTS = ROOT / "test-artifacts" / "hub"
#: A's answers: the solution with one mistake (X centred before X @ X.T / m) that the visible tests let through
MISTAKE = f"tests/fixtures/{A}/mistake_centres_X_covariance.py"
#: The text nbgrader's lab extension (0.9) puts in its dialogs.
VALIDATED = "Success! Your notebook passes all the tests."


def exactly(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


@pytest.fixture
def screens(chromium, playwright_driver):
    yield from launched(chromium, playwright_driver, ARTIFACTS)




def nbgrader_menu(page: Page, item: str) -> None:
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def formgrader(page: Page) -> FrameLocator:
    """Nbgrader > Formgrader: the formgrader in JupyterLab's iframe, on its Manage Assignments page."""
    nbgrader_menu(page, "Formgrader")
    frame = page.frame_locator("iframe")
    expect(frame.locator("tbody tr td.name").first).to_be_visible()
    return frame


def assignment_row(frame: FrameLocator):
    return frame.locator("tbody tr").filter(has=frame.locator("td.name", has_text=exactly(A)))


def confirm(frame: FrameLocator, says: str) -> str:
    """Wait for the formgrader's success dialog to say `says`, close it; its text (with nbgrader's log)."""
    modal = frame.locator("#success-modal")
    expect(modal).to_contain_text(says)
    text = modal.inner_text()
    modal.get_by_role("button", name="OK").click()
    expect(modal).to_have_count(0)
    return text


def write_answers(page: Page, hub, user: str, notebook) -> None:
    """Save `notebook` over the fetched one through the server's contents API, with the page's own session."""
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_xsrf" and user in c["path"])
    path = f"optimization-setup/{A}/{A}.ipynb"
    answer = page.request.put(f"{hub.base}/user/{user}/api/contents/{path}", headers={"X-XSRFToken": xsrf},
                              data=json.dumps({"type": "notebook", "format": "json", "content": notebook}))
    assert answer.ok, f"PUT /api/contents/{path} as {user}: HTTP {answer.status} {answer.text()[:300]}"


def student_fetches_and_submits(screens: Screens, hub, klass, student: str, label: str, answers=None) -> Page:
    """Assignment List: Fetch; with `answers`, write them and Validate (must succeed); Submit."""
    page = log_in(screens, hub, student, klass.passwords()[student])
    nbgrader_menu(page, "Assignment List")
    page.locator("#released_assignments_list .list_item", has_text=A).get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list .list_item", has_text=A).first
    expect(fetched.get_by_role("button", name="Submit")).to_be_visible()
    screens.shot(page, f"{label}-fetched")
    if answers is not None:
        write_answers(page, hub, student, answers)
        fetched.locator("a.assignment-notebooks-link").click()
        fetched.get_by_role("button", name="Validate").click()
        dialog = page.locator(".jp-Dialog")
        expect(dialog.locator(".validation-success, .validation-failed")).to_be_visible()
        screens.shot(page, f"{label}-validated")
        assert dialog.locator(".validation-success").count() == 1, \
            f"Validate failed for {student}'s answers, whose visible tests pass:\n{dialog.inner_text()[:1500]}"
        expect(dialog.locator(".validation-success")).to_have_text(VALIDATED)
        dialog.locator("button.jp-Dialog-button").click()
    fetched.get_by_role("button", name="Submit").click()
    expect(page.locator("#submitted_assignments_list .list_item", has_text=A)).to_have_count(1)
    expect(page.locator("#submitted_assignments_list .nested_list_item")).to_have_count(1)
    screens.shot(page, f"{label}-submitted")
    return page


def test_release_fetch_validate_submit_grade_and_feedback_in_chromium(screens, hub, klass):
    from grader.tools.scenarios import Scenario, example_notebook, expected_scores, graded_cells

    a, b, instructor = klass.students[0], klass.students[1], klass.instructor
    auto_a = sum(expected_scores(ROOT, A, MISTAKE).values())
    _, total = points(A)
    try:
        # 1. the instructor releases from the formgrader
        teacher = log_in(screens, hub, instructor, klass.passwords()[instructor])
        frame = formgrader(teacher)
        expect(assignment_row(frame).locator("td.status")).to_have_text(exactly("draft"))
        screens.shot(teacher, "instructor-formgrader")
        assignment_row(frame).locator("td.release a").click()
        confirm(frame, f"Successfully released '{A}'")
        expect(assignment_row(frame).locator("td.status")).to_have_text(exactly("released"))
        screens.shot(teacher, "instructor-released")

        # 2, 3. the students
        student_a = student_fetches_and_submits(screens, hub, klass, a, "a",
                                                answers=example_notebook(ROOT, A, MISTAKE))
        student_fetches_and_submits(screens, hub, klass, b, "b")

        # 4. collect, grade, look, release feedback
        teacher.bring_to_front()
        assignment_row(frame).locator("td.collect a").click()
        log = confirm(frame, "Successfully collected submissions")
        assert f"Collecting submission: {a} {A}" in log and f"Collecting submission: {b} {A}" in log, log
        expect(assignment_row(frame).locator("td.num-submissions")).to_have_text(exactly("2"))
        screens.shot(teacher, "instructor-collected")
        graded = klass.grade(A, jobs=2).stdout
        assert "graded 2 submission(s)" in graded, graded
        assignment_row(frame).locator("td.num-submissions a").click()
        rows = frame.locator("tbody tr").filter(has=frame.locator("td.student-id"))
        expect(rows).to_have_count(2)
        for student, score in ((a, auto_a), (b, 0)):
            row = rows.filter(has=frame.locator("td.student-id", has_text=exactly(student)))
            first, last = klass.name(student)  # from the roster, through the gradebook
            expect(row.locator("td.student-name")).to_have_text(exactly(f"{last}, {first}"))
            expect(row.locator("td.score")).to_have_text(exactly(f"{score:g} / {total:g}"))
        screens.shot(teacher, "instructor-graded")
        frame.get_by_role("link", name="Manage Assignments").click()
        assignment_row(frame).locator("td.release-feedback a").click()
        log = confirm(frame, "Successfully released feedback")
        assert log.count("Feedback released to:") == 2, log
        screens.shot(teacher, "instructor-released-feedback")

        # 5. A reads her feedback
        student_a.bring_to_front()
        nbgrader_menu(student_a, "Assignment List")
        submitted = student_a.locator("#submitted_assignments_list")
        submitted.get_by_role("button", name="Fetch Feedback").click()
        submitted.get_by_text("(view feedback)").click()
        html = student_a.locator(".jp-FileBrowser .jp-DirListing-item", has_text=f"{A}.html")
        expect(html).to_be_visible()
        screens.shot(student_a, "a-feedback-fetched")
        html.dblclick()
        viewer = student_a.frame_locator(".jp-HTMLViewer iframe")
        feedback = viewer.locator("body")
        expect(feedback).to_contain_text(f"{A} (Score: {auto_a:.1f} / {total:.1f})")
        expect(viewer.locator("math").first).to_be_visible()  # formulas drawn with no script (grader/plugins/mathml.py)
        screens.shot(student_a, "a-feedback")
        text = feedback.inner_text()
    except BaseException:
        screens.shoot_all("FAILED")
        raise
    mistake = Scenario.parse(ROOT / MISTAKE, A)
    named, lost = mistake.folder["names"][0], graded_cells(ROOT / "release" / A / f"{A}.ipynb")
    for cell in sorted(mistake.loses):
        assert f"Test cell (Score: 0.0 / {lost[cell]:.1f})" in text, \
            f"A's feedback shows no failed test cell ({cell}):\n{text[:1500]}"
    assert f"Mistake: {named}" in text, f"A's feedback does not name her mistake ({named!r}):\n{text[:3000]}"
    assert "$\\mu$" not in text, "A's feedback shows its formulas as TeX"
    shown = [line for line in hidden_lines(A) if line in text]
    assert not shown, f"A's feedback in JupyterLab shows hidden test code: {shown[:3]}"
