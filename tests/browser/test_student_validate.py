"""Does nbgrader's Validate button in JupyterLab tell a student whether the notebook passes its tests?

A solved copy and an untouched copy of release/01_normalization/01_normalization.ipynb go into a student's folder
of the course the server serves (the server's root holds nbgrader_config.py, so validation runs with the course's
config). The student opens each in JupyterLab and clicks Validate in the notebook's toolbar.
"""

from __future__ import annotations

import nbformat
import pytest
from playwright.sync_api import expect

from .jupyterlab import open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ASSIGNMENT = "01_normalization"
#: The text nbgrader's lab extension (0.9) puts in its success dialog.
SUCCESS = "Success! Your notebook passes all the tests."


def student_copy(course, kind: str):
    """Write the example submission `kind` ("solution" or "release") into student/<kind>/; its path from the root."""
    from grader.tools.scenarios import example_notebook

    path = course / "student" / kind / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(example_notebook(course, ASSIGNMENT, kind), path)
    return path.relative_to(course).as_posix()


def click_validate(page, panel) -> None:
    button = panel.locator("jp-button.validate-button")
    expect(button).to_contain_text("Validate")
    button.click()


def test_validate_says_success_for_a_solved_notebook(page, lab, course, artifacts):
    panel = open_notebook(page, lab, student_copy(course, "solution"))
    click_validate(page, panel)
    dialog = page.locator(".nbgrader-SuccessDialog")
    expect(dialog.locator(".validation-success")).to_have_text(SUCCESS)
    page.screenshot(path=artifacts / "validate-1-solved-success.png")
    dialog.locator("button.jp-Dialog-button").click()
    expect(dialog).to_have_count(0)


def test_validate_names_the_failing_cells_of_an_untouched_notebook(page, lab, course, artifacts):
    panel = open_notebook(page, lab, student_copy(course, "release"))
    click_validate(page, panel)
    dialog = page.locator(".nbgrader-ErrorDialog")
    failed = dialog.locator(".validation-failed")
    expect(failed).to_contain_text("The following cell failed:")
    expect(failed).to_contain_text("NotImplementedError")
    expect(dialog.locator(".validation-success")).to_have_count(0)
    page.screenshot(path=artifacts / "validate-2-untouched-fails.png")
    dialog.locator("button.jp-Dialog-button").click()
    expect(dialog).to_have_count(0)
