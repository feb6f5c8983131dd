"""Is release/ exactly what nbgrader generates from source/, with no solution and no hidden test left in it?"""

from __future__ import annotations

import json

import pytest

from support import ASSIGNMENTS, ROOT, make_course


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_is_what_generate_assignment_produces(assignment, tmp_path):
    course = make_course(tmp_path, [assignment])
    fresh = sorted(p.relative_to(course / "release") for p in (course / "release" / assignment).rglob("*") if p.is_file())
    committed = sorted(p.relative_to(ROOT / "release") for p in (ROOT / "release" / assignment).rglob("*")
                       if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    assert committed == fresh, "release/ holds other files than generation produces; run `make release`"
    for rel in fresh:
        assert (ROOT / "release" / rel).read_bytes() == (course / "release" / rel).read_bytes(), \
            f"release/{rel} differs from what `nbgrader generate_assignment` produces; run `make release` and commit"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(assignment):
    text = (ROOT / "release" / assignment / f"{assignment}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"release/{assignment} still contains '{marker}'"
    released = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
    source = json.loads((ROOT / "source" / assignment / f"{assignment}.ipynb").read_text())["cells"]
    hidden = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
    # what the instructor shows on purpose: the visible part of every cell (a hidden test may repeat its lines)
    shown = "\n".join(_outside(_outside("".join(c["source"]), hidden)) for c in source)
    for c in source:
        src = "".join(c["source"])
        for begin, end in (("### BEGIN SOLUTION", "### END SOLUTION"), hidden):
            for block in src.split(begin)[1:]:
                for line in (ln.strip() for ln in block.split(end)[0].splitlines()):
                    # short lines ("return x", "else:") also occur in the stubs and narrative; long ones are the answer
                    if len(line) > 20 and not (begin == hidden[0] and line in shown):
                        assert line not in released, f"release/{assignment}: {line!r} from between {begin!r} markers leaked"


def _outside(source: str, markers=("### BEGIN SOLUTION", "### END SOLUTION")) -> str:
    """`source` without the regions between `markers`."""
    begin, end = markers
    parts = source.split(begin)
    return parts[0] + "".join(p.split(end, 1)[1] if end in p else "" for p in parts[1:])


def test_a_template_left_half_made_by_a_killed_run_is_made_again_whole(tmp_path):
    """The bundle's template gradebook is written without waiting for the disk, and is done only once a file
    `complete` is beside it: what a killed run left is made again, never taken as a template."""
    import sqlite3

    from grader.course import Course
    from grader.release import bundle, template_path

    a = "01_normalization"
    course = Course(make_course(tmp_path / "course", [a]))
    cached = template_path(course, bundle(course, [a])["hash"])
    (cached.parent / "complete").unlink()  # as if the run had been killed while making it
    cached.write_bytes(b"half a gradebook")
    again = bundle(course, [a])
    assert again["gradebook"][:16] == b"SQLite format 3\x00", "the half-made template was taken as done"
    count = "SELECT COUNT(*) FROM grade_cells"
    cells = sqlite3.connect(cached).execute(count).fetchone()[0]
    assert cells == sqlite3.connect(course.root / "gradebook.db").execute(count).fetchone()[0] > 0, \
        "the template lacks cells the course's gradebook has"
    assert (cached.parent / "complete").is_file()
