"""Are the bundled example submissions current, and does `make demo`'s pipeline grade them as expected?"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest

from grader.tools.scenarios import example_plan, expected_scores, write_examples
from support import ROOT, ASSIGNMENTS, cell_scores, make_course


def test_examples_are_what_the_builder_produces(tmp_path):
    fresh = write_examples(ROOT, tmp_path / "submitted")
    committed = sorted(p for p in (ROOT / "examples" / "submitted").rglob("*.ipynb"))
    assert sorted(p.relative_to(tmp_path / "submitted") for p in fresh) == \
        sorted(p.relative_to(ROOT / "examples" / "submitted") for p in committed), "run `make examples` and commit"
    for p in fresh:
        rel = p.relative_to(tmp_path / "submitted")
        assert p.read_bytes() == (ROOT / "examples" / "submitted" / rel).read_bytes(), \
            f"examples/submitted/{rel} is out of date with source/ and release/; run `make examples` and commit"


@pytest.mark.slow
@pytest.mark.xdist_group("demo")
def test_demo_grades_every_example_cell_as_expected(tmp_path):
    course = make_course(tmp_path, ASSIGNMENTS)
    shutil.copytree(ROOT / "examples", course / "examples")
    run = subprocess.run([sys.executable, "-m", "grader.cli", "demo"], cwd=course, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    plan = example_plan(course)
    for student in plan:
        assert student in run.stdout, f"the score table does not list {student}:\n{run.stdout}"
    for assignment in ASSIGNMENTS:
        scores = cell_scores(course, assignment)
        for student, per in plan.items():
            if assignment in per:
                assert scores[student] == expected_scores(ROOT, assignment, per[assignment]), \
                    f"{student}/{assignment} ({per[assignment]}): got {scores[student]}"
                feedback = course / "feedback" / student / assignment / f"{assignment}.html"
                assert feedback.is_file(), f"no feedback for {student}/{assignment}"
    with open(course / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    graded = {(r["student_id"], r["assignment"]) for r in rows if r["score"] not in ("", None)}
    expected = {(s, a) for s, per in plan.items() for a in per}
    assert expected <= graded, f"grades.csv misses {expected - graded}"
