"""Does every plausible mistake lose points, and does every correct variant keep full marks?

For each assignment, every scenario of tests/fixtures/<assignment>/ is graded for real by `nbgrader autograde`,
next to the instructor's solution and the untouched release notebook, in one throw-away course.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from grader.course import nbgrader
from helpers.checks import MISTAKE
from grader.tools.scenarios import Scenario, example_notebook, graded_cells, scenarios, solution_cells
from support import ASSIGNMENTS, FIXTURES, ROOT, cell_scores, make_course, submit

_graded: dict = {}


def graded(assignment: str, tmp_path_factory):
    """(course, scenarios, scores, max points per cell) of the assignment's catalogue, graded once per worker."""
    if assignment not in _graded:
        course = make_course(tmp_path_factory.mktemp(f"catalogue-{assignment}"), [assignment])
        found = scenarios(assignment, FIXTURES / assignment)
        for s in found:
            submit(course, s.name, assignment, s.notebook(course))
        submit(course, "solution", assignment, example_notebook(course, assignment, "solution"))
        submit(course, "release_untouched", assignment, example_notebook(course, assignment, "release"))
        nbgrader("autograde", assignment, "--log-level=WARN", root=course)
        points = graded_cells(course / "release" / assignment / f"{assignment}.ipynb")
        _graded[assignment] = (course, found, cell_scores(course, assignment), points)
    return _graded[assignment]


def _scenario_params(prefix: str):
    return [pytest.param(a, p.stem, id=f"{a}-{p.stem}", marks=[pytest.mark.xdist_group(a), pytest.mark.slow])
            for a in ASSIGNMENTS for p in sorted((FIXTURES / a).glob(f"{prefix}*.py"))]


#: the share of an assignment's mistake scenarios whose failure must name the mistake (`# names:` line)
NAMED_SHARE = 0.8


def _named_params():
    """(assignment, scenario, text) of every mistake scenario with a `# names: <text>` line."""
    params = []
    for a in ASSIGNMENTS:
        for p in sorted((FIXTURES / a).glob("mistake_*.py")):
            for text in Scenario.parse(p, a).folder.get("names", []):
                params.append(pytest.param(a, p.stem, text, id=f"{a}-{p.stem}",
                                           marks=[pytest.mark.xdist_group(a), pytest.mark.slow]))
    return params


def _failures(course, student: str, assignment: str) -> dict[str, tuple[str, str]]:
    """grade_id -> (exception name, message) of every graded cell that raised in the autograded notebook."""
    nb = nbformat.read(course / "autograded" / student / assignment / f"{assignment}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or meta.get("solution"):
            continue  # only autograded test cells score; a stub raising in a solution cell is not a test failing
        gid = meta.get("grade_id")
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                out[gid] = (o["ename"], o["evalue"])
    return out


def _defined_functions(code: str) -> list[str]:
    return re.findall(r"^def (\w+)\(", code, flags=re.M)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_catalogue_has_three_mistakes_and_two_correct_variants_per_graded_function(assignment):
    found = scenarios(assignment, FIXTURES / assignment)
    solutions = solution_cells(ROOT / "source" / assignment / f"{assignment}.ipynb")
    for gid, code in solutions.items():
        if not _defined_functions(code):
            continue
        mistakes = [s.name for s in found if s.name.startswith("mistake_") and gid in s.cells]
        correct = [s.name for s in found if s.name.startswith("correct_") and gid in s.cells]
        assert len(mistakes) >= 3, f"{assignment}: cell {gid} has only {len(mistakes)} mistake scenarios: {mistakes}"
        assert len(correct) >= 2, f"{assignment}: cell {gid} has only {len(correct)} correct scenarios: {correct}"
    for s in found:
        assert s.name.startswith(("mistake_", "correct_")), f"{s.name}: a scenario is mistake_* or correct_*"
        assert s.doc, f"{s.name}: say in a docstring what the scenario does"
        assert s.name.startswith("correct_") != bool(s.loses), f"{s.name}: mistakes lose cells, correct ones none"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [pytest.param(a, marks=pytest.mark.xdist_group(a)) for a in ASSIGNMENTS])
def test_solution_keeps_full_marks(assignment, tmp_path_factory):
    course, _, scores, points = graded(assignment, tmp_path_factory)
    assert scores["solution"] == points, f"the instructor's solution lost points: {scores['solution']}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [pytest.param(a, marks=pytest.mark.xdist_group(a)) for a in ASSIGNMENTS])
def test_release_fails_every_graded_cell_with_a_student_message(assignment, tmp_path_factory):
    course, _, scores, points = graded(assignment, tmp_path_factory)
    assert all(v == 0 for v in scores["release_untouched"].values()), scores["release_untouched"]
    failures = _failures(course, "release_untouched", assignment)
    assert set(failures) == set(points), f"cells that did not fail: {set(points) - set(failures)}"
    for gid, (ename, evalue) in failures.items():
        assert ename == "CheckFailed" and "not implemented yet" in evalue, \
            f"{gid} failed with {ename}: {evalue!r}, not with the student-facing 'not implemented yet' message"


@pytest.mark.parametrize("assignment,scenario", _scenario_params("mistake_"))
def test_mistake_loses_points_in_the_cells_it_names(assignment, scenario, tmp_path_factory):
    course, found, scores, points = graded(assignment, tmp_path_factory)
    s = next(x for x in found if x.name == scenario)
    expected = {gid: (0.0 if gid in s.loses else p) for gid, p in points.items()}
    assert scores[scenario] == expected, f"{scenario} ({s.doc}): expected {expected}, got {scores[scenario]}"
    failures = _failures(course, scenario, assignment)
    for gid in s.loses:
        ename, evalue = failures[gid]
        assert ename == "CheckFailed", f"{scenario}: {gid} failed with {ename}: {evalue!r}, not a CheckFailed message"


@pytest.mark.parametrize("assignment,scenario", _scenario_params("correct_"))
def test_correct_variant_keeps_full_marks(assignment, scenario, tmp_path_factory):
    course, found, scores, points = graded(assignment, tmp_path_factory)
    assert scores[scenario] == points, f"{scenario}: a correct implementation lost points: " \
        f"{ {g: s for g, s in scores[scenario].items() if s < points[g]} } {_failures(course, scenario, assignment)}"


@pytest.mark.parametrize("assignment,scenario,text", _named_params())
def test_mistake_is_named_on_the_first_line_of_a_failure(assignment, scenario, text, tmp_path_factory):
    course, found, _, _ = graded(assignment, tmp_path_factory)
    firsts = {gid: evalue.splitlines()[0] if evalue else "" for gid, (_, evalue) in
              _failures(course, scenario, assignment).items()}
    named = [gid for gid, first in firsts.items() if first.startswith(MISTAKE) and text in first]
    assert named, f"{scenario}: no failing test cell says '{MISTAKE}...{text}...' on its first line; they say {firsts}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_most_mistakes_of_the_catalogue_are_named(assignment):
    mistakes = [s for s in scenarios(assignment, FIXTURES / assignment) if s.name.startswith("mistake_")]
    unnamed = [s.name for s in mistakes if not s.folder.get("names")]
    share = 1 - len(unnamed) / len(mistakes) if mistakes else 1.0
    assert share >= NAMED_SHARE, (f"{assignment}: {100 * share:.0f}% of the mistake scenarios have a '# names:' "
                                  f"line, at least {100 * NAMED_SHARE:.0f}% must; without one: {', '.join(unnamed)}")


def _own_test_cells(assignment: str) -> dict[str, set[str]]:
    """solution grade_id -> the autograded test cells that belong to it: those between it and the next solution
    cell of the source notebook (its visible and hidden tests, and any story test of that function)."""
    nb = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    owner, own = None, {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            owner = meta["grade_id"]
            own[owner] = set()
        elif meta.get("grade") and owner is not None:
            own[owner].add(meta["grade_id"])
    return own


@pytest.mark.parametrize("assignment,scenario", _scenario_params("mistake_"))
def test_mistake_loses_only_the_points_of_its_own_function(assignment, scenario):
    """One mistake costs its points once (COURSE_SPEC): a mistake in one graded function loses that function's test
    cells and no other's, not those of a function that calls it (normalize_train_test calling normalization_stats,
    initialize_parameters calling init_std, gradient_check calling numerical_gradient...), nor a test that re-checks
    another function's edge case. test_mistake_loses_points_in_the_cells_it_names grades every scenario and checks
    that it loses exactly its `# loses:` cells, so this check on those cells covers what grading does."""
    s = Scenario.parse(FIXTURES / assignment / f"{scenario}.py", assignment)
    own = _own_test_cells(assignment)
    edited = [gid for gid in s.cells if gid in own]
    assert edited, f"{scenario}: it edits no graded function's cell ({sorted(s.cells)})"
    allowed = set().union(*(own[gid] for gid in edited))
    assert s.loses <= allowed, (f"{scenario} ({s.doc}) changes {', '.join(edited)} but loses "
                                f"{', '.join(sorted(s.loses - allowed))} too: a mistake must cost only the test cells "
                                f"of its own function ({', '.join(sorted(allowed))})")


@pytest.mark.parametrize("assignment,scenario", _scenario_params("mistake_"))
def test_graded_mistake_keeps_the_points_of_every_other_function(assignment, scenario, tmp_path_factory):
    """The same question asked of the grades nbgrader gives: every test cell that scores below its points belongs
    to the function the scenario changes."""
    course, found, scores, points = graded(assignment, tmp_path_factory)
    s = next(x for x in found if x.name == scenario)
    own = _own_test_cells(assignment)
    allowed = set().union(*(own.get(gid, set()) for gid in s.cells))
    charged = {gid for gid, p in points.items() if scores[scenario][gid] < p}
    assert charged <= allowed, (f"{scenario} ({s.doc}) is charged in {', '.join(sorted(charged - allowed))}, test "
                                f"cells of another function: {_failures(course, scenario, assignment)}")
