"""Does the instructor's formgrader list every assignment of the course with its graded submissions?

Every assignment under source/ gets two submissions in the served course (the `class_grades` fixture): one
student hands in the solution, the other the untouched release notebook; `nbgrader autograde` grades them. The
formgrader at /formgrader must then list each assignment with 2 submissions, and each assignment's submissions page
both students, autograded, with the scores of the gradebook: the untouched notebook at zero, the solved one above.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def exactly(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def shown(score: float) -> str:
    """A score as the formgrader prints it (rounded to 2 decimals, no trailing zeros)."""
    return f"{round(score, 2):g}"


def test_formgrader_lists_every_assignment_with_its_submissions(page, lab, class_grades, artifacts):
    graded = {a: {s: f"{shown(score)} / {shown(top)}" for s, (score, top) in per.items()}
              for a, per in class_grades.items()}
    assert graded, "no assignment under source/"
    students = len(next(iter(graded.values())))
    page.goto(lab.url("formgrader"))
    expect(page).to_have_url(re.compile(r"/formgrader/manage_assignments"))
    rows = page.locator("tbody tr").filter(has=page.locator("td.name"))
    expect(rows).to_have_count(len(graded))
    for a in graded:
        row = rows.filter(has=page.locator("td.name", has_text=exactly(a)))
        expect(row).to_have_count(1)
        expect(row.locator("td.num-submissions")).to_have_text(exactly(str(students)))
    page.screenshot(path=artifacts / "formgrader-1-manage-assignments.png", full_page=True)

    for i, (a, scores) in enumerate(graded.items()):
        assert scores["untouched_student"].startswith("0 / "), f"{a}: the untouched notebook scored {scores}"
        assert scores["solved_student"] != scores["untouched_student"], f"{a}: the solution scored nothing: {scores}"
        page.goto(lab.url(f"formgrader/manage_submissions/{a}"))
        rows = page.locator("tbody tr").filter(has=page.locator("td.student-id"))
        expect(rows).to_have_count(students)
        for student, score in scores.items():
            row = rows.filter(has=page.locator("td.student-id", has_text=exactly(student)))
            expect(row).to_have_count(1)
            # "graded", or "needs manual grading" where the assignment has written answers: autograded either way
            expect(row.locator("td.status")).to_have_text(re.compile(r"^\s*(graded|needs manual grading)\s*$"))
            expect(row.locator("td.score")).to_have_text(exactly(score))
        if i == 0:
            page.screenshot(path=artifacts / f"formgrader-2-submissions-{a}.png", full_page=True)


def test_formgrader_finds_the_course_exchange_to_release_and_collect_with(page, lab):
    page.goto(lab.url("formgrader"))
    expect(page.locator("tbody tr td.name").first).to_be_visible()
    expect(page.locator("#warning-exchange")).to_have_count(0, timeout=5_000)
