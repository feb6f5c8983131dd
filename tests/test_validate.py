"""Does the student's Validate button agree with grading?

Validate (the JupyterLab button runs nbgrader's Validator with the course's nbgrader_config.py, as
`nbgrader validate` does) must not say "Success!" on a notebook grading marks down where the student can see why:
an `input()` in a solution cell fails in the grading kernel, which has no stdin. And it must not fail what grading
scores in full. Over the whole fixture catalogue, the test cells Validate reports failing are a subset of those the
scenario's `# loses:` line names (hidden tests and the re-check outside the kernel make grading stricter, never
the other way), and every correct scenario validates with success. See grader/plugins/validate.py.

`nbgrader validate` runs once per assignment over every notebook of its catalogue (a kernel per notebook, as the
button starts one); nbgrader 0.9.6 has no JSON output, so its report is read back cell by cell by matching the
source it prints with the cells of the notebooks written here. Over the catalogue, the kernels are forked from
grading's warm kernel (`--ValidateExecute.kernel_manager_class`, the sandboxed launcher of grader.plugins.kernel)
instead of started cold: the same ipykernel runs the same cells, about 1.5 s of CPU sooner each, over some 180
notebooks. Which cells fail is Validate's logic, not the launcher's: the plain kernel of the button is what
`test_validate_reports_input_in_a_solution_cell` runs, the untouched solution with it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from support import ASSIGNMENTS, FIXTURES, ROOT, make_course

NBGRADER = str(Path(sys.executable).parent / "nbgrader")
SUCCESS = "Success! Your notebook passes all the tests."


@dataclass
class Report:
    """What `nbgrader validate` said about one notebook."""

    success: bool = False
    failed: list[str] = field(default_factory=list)  #: grade_ids (or "cell <i>") of the cells reported failing
    text: str = ""

    def __str__(self) -> str:
        return "success" if self.success else f"failed {self.failed or '(no cell named)'}"


def _cell_names(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The source of each code cell as nbgrader validate prints it -> the cell's grade_id (or "cell <index>")."""
    from nbgrader.validator import Validator

    indent = Validator()._indent
    return {indent(cell.source.strip()): cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {i}")
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code"}


#: what makes `nbgrader validate` fork its kernels from grading's warm kernel (see the module's docstring)
WARM = "--ValidateExecute.kernel_manager_class=grader.plugins.kernel.CourseKernelManager"


def validate(course: Path, notebooks: dict[str, nbformat.NotebookNode], warm: bool = False) -> dict[str, Report]:
    """name -> Report: writes each notebook to course/validate/<name>.ipynb and runs ONE `nbgrader validate` on all.

    Runs in the course folder, so nbgrader reads the course's nbgrader_config.py, as the Validate button does;
    `warm` forks the kernels from grading's warm kernel.
    """
    folder = course / "validate"
    folder.mkdir(exist_ok=True)
    paths = {}
    for name, nb in notebooks.items():
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(nb, paths[name])
    # unbuffered, stdout and stderr in one stream: the log line naming a notebook comes before its report
    proc = subprocess.run([NBGRADER, "validate", *([WARM] if warm else []), *map(str, paths.values())], cwd=course,
                          text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    sections = re.split(r"^\[ValidateApp \| INFO\] Validating '(.+)'$", proc.stdout, flags=re.M)
    by_path = {Path(p).resolve(): text for p, text in zip(sections[1::2], sections[2::2])}
    reports = {}
    for name, path in paths.items():
        text = by_path.get(path.resolve())
        assert text is not None, (f"nbgrader validate (exit {proc.returncode}) reported nothing on {path.name}:\n"
                                  f"{proc.stdout[-4000:]}")
        names = _cell_names(notebooks[name])
        failed = []
        for block in text.split("The following cell failed:\n\n")[1:]:
            source = block.split("\n\nThe error was:", 1)[0]
            failed.append(names.get(source, f"unknown cell: {source[:200]!r}"))
        reports[name] = Report(success=SUCCESS in text, failed=failed, text=text)
    return reports


_courses: dict[str, Path] = {}


def course_of(assignment: str, tmp_path_factory) -> Path:
    """A throw-away course with `assignment`'s release generated and the course's nbgrader_config.py, once per
    test process."""
    if assignment not in _courses:
        _courses[assignment] = make_course(tmp_path_factory.mktemp(f"validate-{assignment}") / "course", [assignment])
    return _courses[assignment]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return course_of(ASSIGNMENTS[0], tmp_path_factory)


def _by_assignment():
    """Each assignment's catalogue in the xdist group of its grading (tests/test_catalogue.py), so that the two
    workers share the catalogues."""
    return [pytest.param(a, marks=pytest.mark.xdist_group(a)) for a in ASSIGNMENTS]


def test_validation_runs_as_grading_does_under_the_course_config():
    """The course's config gives Validate grading's timeout and skip rule, so that the two cannot drift apart."""
    from traitlets.config.loader import PyFileConfigLoader

    from grader.plugins.execute import SafeExecute
    from grader.plugins.validate import CourseValidator, ValidateExecute

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    import nbgrader.apps.validateapp as app

    assert app.Validator is CourseValidator, "nbgrader_config.py did not install grader.plugins.validate.CourseValidator"
    validator = CourseValidator(config=config)
    assert validator.validate_all, "Validate must report errors in every code cell, as grading shows them"
    executor = ValidateExecute(parent=validator)
    grading = SafeExecute(config=config)
    assert executor.timeout == grading.timeout, (
        f"Validate gives a cell {executor.timeout} s, grading {grading.timeout} s")
    assert executor.skip_prefix == grading.skip_prefix, "Validate and grading must skip the same demo cells"


@pytest.mark.slow
def test_validate_starts_another_kernel_when_one_dies_before_it_replies(tmp_path):
    """On a busy machine another process can take the TCP port jupyter_client picked for a kernel, which then dies
    before it replies; Validate said nothing useful and crashed. Here the first kernel really dies at once."""
    from grader.plugins.validate import ValidateExecute

    class FirstKernelDies(ValidateExecute):
        starts = 0

        def create_kernel_manager(self):
            km = super().create_kernel_manager()
            FirstKernelDies.starts += 1
            if FirstKernelDies.starts == 1:
                km.kernel_spec.argv = [sys.executable, "-c", "raise SystemExit(1)"]
            return km

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    ran, _ = FirstKernelDies(timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert FirstKernelDies.starts == 2, f"{FirstKernelDies.starts} kernel(s) started"
    assert ran.cells[0].outputs[0].text == "42\n", ran.cells[0].outputs


@pytest.mark.slow
@pytest.mark.xdist_group(ASSIGNMENTS[0])
def test_validate_reports_input_in_a_solution_cell(course):
    """input() fails in the grading kernel (no stdin), and the feedback shows it: Validate must not say Success.
    The untouched solution, in the same run of the button's plain kernels, validates with success."""
    from grader.tools.scenarios import example_notebook

    assignment = ASSIGNMENTS[0]
    nb = example_notebook(course, assignment, "solution")
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
    cell.source += "\n\nanswer = input('Which learning rate? ')\n"
    reports = validate(course, {"input_in_solution": nb, "solution": example_notebook(course, assignment, "solution")})
    assert reports["solution"].success, f"the solution, in a plain kernel: {reports['solution']}"
    report = reports["input_in_solution"]
    grade_id = cell.metadata.nbgrader.grade_id
    assert not report.success, (f"Validate said Success on a notebook whose cell {grade_id} calls input():\n"
                                f"{report.text}")
    assert grade_id in report.failed, f"Validate did not name cell {grade_id}, which calls input(): {report}"
    assert "StdinNotImplementedError" in report.text, f"Validate did not show the error grading shows:\n{report.text}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", _by_assignment())
def test_validate_agrees_with_grading_on_the_fixture_catalogue(assignment, tmp_path_factory):
    """Every scenario: the test cells Validate fails are among those it loses; correct ones validate with success."""
    from grader.tools.scenarios import example_notebook, scenarios

    course = course_of(assignment, tmp_path_factory)
    found = scenarios(assignment, FIXTURES / assignment)
    notebooks = {s.name: s.notebook(course) for s in found}
    notebooks["solution"] = example_notebook(course, assignment, "solution")
    reports = validate(course, notebooks, warm=True)
    test_cells = {c.metadata.nbgrader.grade_id for c in notebooks["solution"].cells
                  if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata.nbgrader.get("solution")}
    wrong = []
    for s in found:
        report = reports[s.name]
        stricter = (set(report.failed) & test_cells) - s.loses
        if stricter:
            wrong.append(f"{s.name}: Validate fails {sorted(stricter)}, which grading scores in full "
                         f"(loses: {sorted(s.loses) or 'nothing'})")
        if s.name.startswith("correct_") and not report.success:
            wrong.append(f"{s.name}: a correct submission, and Validate says {report}:\n{report.text[-1500:]}")
    if not reports["solution"].success:
        wrong.append(f"solution: Validate says {reports['solution']}:\n{reports['solution'].text[-1500:]}")
    assert not wrong, f"{assignment}: Validate and grading disagree on {len(wrong)} notebooks:\n" + "\n".join(wrong)
