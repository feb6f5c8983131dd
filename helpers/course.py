"""The course's layout on disk and the nbgrader commands run on it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

#: Assignment ids in course order; each has source/<id>/<id>.ipynb.
ASSIGNMENTS = (
    "01_normalization",
    "02_vanishing_exploding",
    "03_initialization",
    "04_gradient_checking",
)


def course_root(start: Path | str | None = None) -> Path:
    """The nearest folder at or above `start` (default: the working directory) holding nbgrader_config.py."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file():
            return folder
    raise FileNotFoundError(f"no nbgrader_config.py in {here} or any folder above it; run from the course root")


def assignments(root: Path | str | None = None) -> list[str]:
    """The assignment ids that exist under source/, in course order."""
    root = course_root(root)
    return [a for a in ASSIGNMENTS if (root / "source" / a / f"{a}.ipynb").is_file()]


def nbgrader(*args: str, root: Path | str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run `nbgrader ARGS` in the course root with the interpreter running this code."""
    root = course_root(root)
    # nbgrader runs `alembic` and kernels from PATH: put this interpreter's environment first
    bindir = str(Path(sys.executable).parent)
    env = dict(os.environ, PYTHONUNBUFFERED="1", PATH=os.pathsep.join([bindir, os.environ.get("PATH", "")]))
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:])} failed in {root}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def generate_release(root: Path | str | None = None) -> list[str]:
    """Regenerate release/ from source/ for every assignment, then record them in the course's gradebook.

    release/ is generated with a throw-away gradebook, so it never depends on the course's; then
    `sync_gradebook` records every assignment in the course's gradebook, so that plain `nbgrader autograde`
    run from the root works at once. If the course's gradebook refuses (cells changed after students
    submitted), release/ is still regenerated and the refusal is printed as a warning.
    Returns the ids generated.
    """
    from nbgrader.apps import NbGraderAPI

    root = course_root(root)
    interpreter_on_path()
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        config = course_config(root)
        config.CourseDirectory.db_url = f"sqlite:///{tmp}/gradebook.db"
        api = NbGraderAPI(config=config)
        for a in assignments(root):
            _check(api.generate_assignment(a, force=True), "generate_assignment", a, root)
            done.append(a)
    try:
        sync_gradebook(root)
    except RuntimeError as refused:
        print(f"warning: release/ is regenerated, but the course's gradebook was not updated:\n{refused}",
              file=sys.stderr)
    return done


def _check(result: dict, command: str, assignment: str, root: Path) -> None:
    if not result["success"]:
        raise RuntimeError(f"nbgrader {command} {assignment} failed in {root}:\n"
                           f"{(result.get('log') or '')[-3000:]}\n{(result.get('error') or '')[-3000:]}")


def course_config(root: Path, shard: Path | None = None):
    """The course's nbgrader_config.py as a traitlets Config, pointed at `shard` (default: `root`) as course root.

    The gradebook URL is set explicitly so that a shard can never write into the course's gradebook.
    """
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    base = Path(shard or root)
    config.CourseDirectory.root = str(base)
    config.CourseDirectory.db_url = f"sqlite:///{base / 'gradebook.db'}"
    return config


def interpreter_on_path() -> None:
    """Put this interpreter's environment first on PATH: nbgrader runs `alembic` and kernels from PATH."""
    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[:1] != [bindir]:
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])


def sync_gradebook(root: Path | str | None = None, only: list[str] | None = None) -> None:
    """Record every assignment's cells (with solutions and hidden tests) in the course's gradebook.

    Autograding restores test cells from there. Runs nbgrader's generate_assignment in this process (one
    import of nbgrader for all assignments) into a throw-away folder, so release/ is not touched; nbgrader
    refuses (with its own message, raised here) if cells changed after submissions.
    """
    from nbgrader.apps import NbGraderAPI

    root = course_root(root)
    interpreter_on_path()
    with tempfile.TemporaryDirectory() as tmp:
        config = course_config(root)
        config.CourseDirectory.release_directory = tmp
        api = NbGraderAPI(config=config)
        for a in assignments(root):
            if only is None or a in only:
                _check(api.generate_assignment(a, force=True), "generate_assignment", a, root)
