"""The code shows its two audiences: `helpers` (what a student's notebook imports) never imports the grading
platform `grader`; no module imports itself back through others; every module stays small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGES = ("helpers", "grader")
#: the most lines a module may have
MAX_LINES = 300


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


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines; split it (at most {MAX_LINES})"


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
