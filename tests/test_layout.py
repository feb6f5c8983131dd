"""The code shows its two audiences and the platform's parts: `helpers` (what a student's notebook imports) never
imports the grading platform `grader`; inside `grader`, a part's folder imports only the parts below it (`LAYERS`:
the course, nbgrader's plug-ins, the class run, the hub, the tools, the command line); no module imports itself
back through others; every module says in its docstring the one concept it holds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from support import ROOT

PACKAGES = ("helpers", "grader")
#: grader's parts from the bottom up: each may import those before it, never one beside or after it
LAYERS = (("grader", "grader.course", "grader.policy", "grader.release"), ("grader.plugins",), ("grader.classrun",),
          ("grader.hub",), ("grader.live",), ("grader.tools",), ("grader.cli",))


def _layer(name: str) -> int:
    for i, layer in enumerate(LAYERS):
        if any(name == part or (part != "grader" and name.startswith(part + ".")) for part in layer):
            return i
    raise AssertionError(f"{name} belongs to no part of grader (LAYERS in tests/test_layout.py): put it in one")


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Modules of helpers and grader that `name` imports anywhere in its code (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_helpers_never_imports_the_grading_platform():
    wrong = {name: sorted(d for d in deps if d.startswith("grader"))
             for name, deps in GRAPH.items() if name.startswith("helpers")}
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"student-side modules import the grading platform: {wrong}"


def test_no_import_cycles():
    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, trail = stack.pop()
            for nxt in GRAPH[node]:
                if nxt == start:
                    return [*trail, start]
                # a package's __init__ importing its own submodules is how a package is built, not a cycle
                if nxt not in seen and not start.startswith(nxt + "."):
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
        return None

    cycles = [c for c in map(cycle_from, sorted(GRAPH)) if c]
    assert not cycles, "import cycle: " + " -> ".join(cycles[0])


def test_each_part_of_grader_imports_only_the_parts_below_it():
    wrong = [f"{name} imports {dep}" for name, deps in sorted(GRAPH.items()) if name.startswith("grader")
             for dep in sorted(deps) if dep.startswith("grader") and _layer(dep) > _layer(name)]
    assert not wrong, "a part of grader imports one above it: " + "; ".join(wrong)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_says_the_concept_it_holds(name):
    doc = ast.get_docstring(ast.parse(MODULES[name].read_text()))
    assert doc and len(doc.split()) >= 4, (
        f"{MODULES[name].relative_to(ROOT)} has no docstring saying what it holds (one concept per module)")


def test_the_checks_the_notebooks_import_need_nothing_of_grader():
    """A student's laptop needs only helpers: importing it must not pull in nbgrader, Dask or grader."""
    import subprocess
    import sys

    code = ("import sys, helpers, helpers.checks, helpers.network, helpers.datasets, helpers.widgets; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('grader', 'nbgrader', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", f"importing helpers imported {out.stdout.strip()}"


def test_assignments_are_discovered_from_source_in_course_order(tmp_path):
    from grader.course import discover

    for name in ("02_b", "01_a", "notes", "03_empty", "10_late"):
        (tmp_path / name).mkdir()
        if name != "03_empty":
            (tmp_path / name / f"{name}.ipynb").write_text("{}")
    assert discover(tmp_path) == ["01_a", "02_b", "10_late"]


def test_the_patches_of_nbgrader_refuse_another_nbgrader_naming_what_to_check():
    from grader.plugins.patches import PATCHES, PatchOutdated, install

    with pytest.raises(PatchOutdated, match="0.9.6.*lenient_timestamps"):
        install(version="0.10.0")
    import grader.plugins.patches as patches

    for patch in PATCHES:
        assert f"`{patch.__name__}`" in patches.__doc__, f"the module docstring does not say what {patch.__name__} fixes"


def _checklist(root: Path, assignment: str) -> list[str]:
    """What of CONTRIBUTING.md's "Add an assignment" checklist `assignment` lacks, in words."""
    import json
    import re

    missing = []
    fixtures = root / "tests" / "fixtures" / assignment
    if not (root / "release" / assignment / f"{assignment}.ipynb").is_file():
        missing.append(f"release/{assignment}/ (make release)")
    if len(list(fixtures.glob("mistake_*.py"))) < 3 or len(list(fixtures.glob("correct_*.py"))) < 2:
        missing.append(f"tests/fixtures/{assignment}/ with mistakes (3 per graded function) and 2 correct variants")
    if not (root / "tests" / "fixtures" / "hostile" / f"delegated_to_helpers_{assignment}.py").is_file():
        missing.append(f"tests/fixtures/hostile/delegated_to_helpers_{assignment}.py")
    if not (root / "tests" / "claims" / f"claims_{assignment}.py").is_file():
        missing.append(f"tests/claims/claims_{assignment}.py")
    students = json.loads((root / "examples" / "students.json").read_text())
    if assignment not in json.dumps(students):
        missing.append(f"example students of {assignment} in examples/students.json")
    if not (root / "notebooks" / f"{assignment}_explorer.ipynb").is_file():
        missing.append(f"notebooks/{assignment}_explorer.ipynb")
    if not re.search(rf"`{assignment}`", (root / "README.md").read_text()):
        missing.append(f"a row of {assignment} in the README's assignment table")
    return missing


@pytest.mark.parametrize("assignment", sorted(p.parent.name for p in (ROOT / "source").glob("*/*.ipynb")))
def test_every_assignment_has_every_piece(assignment):
    missing = _checklist(ROOT, assignment)
    assert not missing, (f"{assignment} lacks what CONTRIBUTING.md's 'Add an assignment' checklist names: "
                         + "; ".join(missing))


def test_the_checklist_names_what_a_new_assignment_lacks(tmp_path):
    import shutil

    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "students.json", tmp_path / "examples")
    (tmp_path / "README.md").write_text("no table\n")
    missing = _checklist(tmp_path, "06_new_topic")
    assert len(missing) == 7 and any("explorer" in m for m in missing), missing
