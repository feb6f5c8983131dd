"""A class's whole cycle through nbgrader's exchange on the hub, every step as its user: release, fetch, submit
(twice: the later counts), collect, `course grade`, release_feedback, fetch_feedback."""

from __future__ import annotations

import html
import re

import nbformat
import pytest

from hub.support import A, hidden_lines, points

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("servers")]


def _text(path) -> str:
    """The visible text of an HTML file, unescaped."""
    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text()))


def test_each_submission_lands_in_inbound_as_its_student(cycle):
    assert len(cycle.real_submissions) == 2, f"A's submissions in inbound: {cycle.real_submissions}"


def test_the_later_submission_is_the_one_collected(cycle, klass):
    collected = klass.course_folder / "submitted" / cycle.a / A
    latest = cycle.real_submissions[-1]
    stamp = (collected / "timestamp.txt").read_text().strip()
    assert stamp == latest.name.split("+")[2], f"collected {stamp}, latest real submission {latest.name}"
    assert (collected / f"{A}.ipynb").read_bytes() == (latest / f"{A}.ipynb").read_bytes(), \
        "the collected notebook is not the one of the later submission"
    solution = nbformat.read(klass.student_folder(cycle.a, A) / f"{A}.ipynb", as_version=4)
    got = nbformat.read(collected / f"{A}.ipynb", as_version=4)
    assert [c.source for c in got.cells] == [c.source for c in solution.cells], "collected is not A's solution"


def test_course_grade_grades_both_students_as_the_instructor(cycle):
    assert "graded 2 submission(s)" in cycle.grade_output, cycle.grade_output


def test_gradebook_has_full_marks_for_the_solution_and_zero_for_the_untouched_notebook(cycle, klass):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{klass.course_folder / 'gradebook.db'}") as gb:
        nb_a = gb.find_submission(A, cycle.a).notebooks[0]
        auto_a = [(g.name, g.auto_score, g.max_score) for g in nb_a.grades if g.cell_type == "code"]
        total_b = gb.find_submission(A, cycle.b).score
    assert auto_a and all(score == top for _, score, top in auto_a), f"A's autograded cells: {auto_a}"
    assert total_b == 0, f"the untouched notebook scored {total_b}"


def test_feedback_reaches_each_student_with_the_score_and_the_failing_checks(cycle):
    a_files, b_files = cycle.fetched_feedback[cycle.a], cycle.fetched_feedback[cycle.b]
    assert len(a_files) == 1 and len(b_files) == 1, f"fetched feedback: {a_files} {b_files}"
    a_text, b_text = _text(a_files[0]), _text(b_files[0])
    auto, total = points(A)  # the solution: every autograded point, the written answer still to grade
    assert re.search(rf"Score:\s*{auto:.1f}\s*/\s*{total:.1f}", a_text), f"A's feedback does not show {auto} / {total}"
    assert re.search(rf"Score:\s*0\.0\s*/\s*{total:.1f}", b_text), f"B's feedback does not show 0 / {total}"
    assert "not implemented yet" in b_text, "B's feedback does not say which checks failed and why"
    assert cycle.real_submissions[-1].name.split("+")[2] in str(a_files[0]), \
        "A's feedback is not filed under the timestamp of the submission graded"


def test_feedback_shows_no_hidden_test_code(cycle):
    hidden = hidden_lines(A)
    for student, files in cycle.fetched_feedback.items():
        text = files[0].read_text()
        visible = _text(files[0])
        assert "BEGIN HIDDEN TESTS" not in text, f"{student}'s feedback shows the hidden-test marker"
        shown = [line for line in hidden if line in visible]
        assert not shown, f"{student}'s feedback shows hidden test code: {shown[:3]}"
