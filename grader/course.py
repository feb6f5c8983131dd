"""The course: its folder, its nbgrader configuration (loaded once), every path in it, and its gradebook.

    course = Course.find()                      # the folder with nbgrader_config.py at or above the working directory
    course.folder("submitted", "ada", "01_normalization")
    with course.gradebook() as gb: ...          # SQLite by default, NBGRADER_DB_URL when set (nbgrader_config.py)

Paths come from nbgrader's own `CourseDirectory.format_path`, so a course that changes `directory_structure` or a
folder name in nbgrader_config.py is followed everywhere. The gradebook is the one `CourseDirectory.db_url` names,
the same for the `nbgrader` commands, the formgrader and `course grade`.
"""

from __future__ import annotations

import copy
import functools
import glob
import os
import re
import sys
from pathlib import Path

#: An assignment id: a two-digit place in the course order, then its name (01_normalization).
ASSIGNMENT_ID = re.compile(r"^\d\d_[a-z][a-z0-9_]*$")


def discover(source: Path) -> list[str]:
    """The assignment ids of a `source` folder, in course order: every folder named like an id
    (`ASSIGNMENT_ID`) holding a notebook of its own name. Adding an assignment is adding its folder."""
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir()
                  if ASSIGNMENT_ID.match(p.name) and (p / f"{p.name}.ipynb").is_file())

#: nbgrader's steps, by the name used here, and the CourseDirectory trait that names their folder.
STEPS = {"source": "source_directory", "release": "release_directory", "submitted": "submitted_directory",
         "autograded": "autograded_directory", "feedback": "feedback_directory"}


def course_root(start: Path | str | None = None) -> Path:
    """The nearest folder at or above `start` (default: the working directory) holding nbgrader_config.py.

    Raises FileNotFoundError, naming the folder searched, when there is none."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file():
            return folder
    raise FileNotFoundError(f"no nbgrader_config.py in {here} or any folder above it; run from the course root")


def assignments(root: Path | str | None = None) -> list[str]:
    """The assignment ids with a notebook under `<root>/source/`, in course order: the repository's own layout,
    read without loading nbgrader (for the example and fixture tooling; a course run uses `Course.assignments`)."""
    return discover(course_root(root) / "source")


def load_config(root: Path):
    """The course's nbgrader_config.py as a traitlets Config, with `CourseDirectory.root` set to `root`."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


def interpreter_on_path() -> None:
    """Put this interpreter's environment first on PATH: nbgrader runs `alembic` and kernels from PATH."""
    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[:1] != [bindir]:
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])


#: URLs of the SQLite gradebooks of the scratch courses this process made (`Course.scratch_config`: a grading
#: worker's, the bundle's template), which are rebuilt whenever they are lost: they are written without waiting for
#: the disk (`grader.plugins.patches.gradebook_engine`)
SCRATCH_GRADEBOOKS: set[str] = set()


class Course:
    """One course folder and its nbgrader configuration, loaded once and shared by every command of a run."""

    def __init__(self, root: Path | str, config=None):
        self.root = Path(root).resolve()
        self.config = config if config is not None else load_config(self.root)

    @classmethod
    def find(cls, start: Path | str | None = None) -> Course:
        """The course whose nbgrader_config.py is at or above `start` (default: the working directory)."""
        return cls(course_root(start))

    @functools.cached_property
    def coursedir(self):
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config)

    @property
    def course_id(self) -> str:
        return self.coursedir.course_id

    @property
    def db_url(self) -> str:
        """The gradebook's SQLAlchemy URL: `NBGRADER_DB_URL` when set, else sqlite:///<root>/gradebook.db."""
        return self.coursedir.db_url

    @property
    def state(self) -> Path:
        """`.grading/`: what grading runs keep between runs (status, logs, locks); created on first use."""
        folder = self.root / ".grading"
        folder.mkdir(exist_ok=True)
        return folder

    def folder(self, step: str, student: str = ".", assignment: str = ".") -> Path:
        """The folder of `step` ("source", "release", "submitted", "autograded", "feedback") for one student and
        assignment ("." for none), as nbgrader's `CourseDirectory.format_path` spells it.

        Raises ValueError for an unknown step."""
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}; expected one of {', '.join(STEPS)}")
        cd = self.coursedir
        return Path(os.path.normpath(cd.format_path(getattr(cd, STEPS[step]), student, assignment)))

    def notebook(self, step: str, assignment: str, student: str = ".") -> Path:
        """`<assignment>.ipynb` in the folder of `step` (the course's single notebook per assignment)."""
        return self.folder(step, student, assignment) / f"{assignment}.ipynb"

    @property
    def assignments(self) -> list[str]:
        """The assignment ids that have a source notebook, in course order (`discover`)."""
        return [a for a in discover(self.root / "source") if self.notebook("source", a).is_file()]

    def submissions(self, assignment: str) -> list[tuple[str, Path]]:
        """(student id, folder) of every submission of `assignment` under submitted/, sorted by student."""
        cd = self.coursedir
        step = cd.submitted_directory
        pattern = re.compile(cd.format_path(step, "(?P<student>[^/]+)", re.escape(assignment), escape=True) + "$")
        found = []
        for path in glob.glob(cd.format_path(step, "*", assignment)):
            match = pattern.match(path)
            if match and os.path.isdir(path):
                found.append((match.group("student"), Path(path)))
        return sorted(found)

    def submitted_assignments(self) -> list[str]:
        """Assignments, in course order, that have at least one submission."""
        return [a for a in self.assignments if self.submissions(a)]

    @functools.cached_property
    def policies(self):
        """The live course's policy per assignment (`grader.policy.Policies`, from policies.toml), read once."""
        from .policy import Policies

        return Policies.load(self.root)

    def gradebook(self):
        """nbgrader's Gradebook on the course's database (a context manager)."""
        from nbgrader.api import Gradebook

        interpreter_on_path()
        return Gradebook(self.db_url, self.course_id)

    def scratch_config(self, folder: Path | str):
        """This course's configuration for a scratch course at `folder`, with its own SQLite gradebook there:
        a worker grading from it can never write into the course's gradebook, whatever NBGRADER_DB_URL says.
        That gradebook is a scratch copy, rebuilt when lost: its URL joins `SCRATCH_GRADEBOOKS`."""
        config = copy.deepcopy(self.config)
        config.CourseDirectory.root = str(folder)
        config.CourseDirectory.db_url = f"sqlite:///{Path(folder) / 'gradebook.db'}"
        SCRATCH_GRADEBOOKS.add(config.CourseDirectory.db_url)
        return config

    def api(self, config=None):
        """nbgrader's NbGraderAPI on this course (or on `config`, a scratch course's)."""
        from nbgrader.apps import NbGraderAPI

        interpreter_on_path()
        return NbGraderAPI(config=config if config is not None else self.config)

    def __repr__(self) -> str:
        return f"Course({str(self.root)!r})"


def nbgrader(*args: str, root: Path | str | None = None, check: bool = True):
    """Run the `nbgrader ARGS` command in the course root with this interpreter; returns the CompletedProcess.

    Raises RuntimeError with the end of its output when it fails and `check` is true."""
    import subprocess

    root = course_root(root)
    # nbgrader runs `alembic` and kernels from PATH: put this interpreter's environment first
    bindir = str(Path(sys.executable).parent)
    env = dict(os.environ, PYTHONUNBUFFERED="1", PATH=os.pathsep.join([bindir, os.environ.get("PATH", "")]))
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:])} failed in {root}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc
