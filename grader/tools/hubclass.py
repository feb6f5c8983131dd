"""A temporary class on this machine's hub set-up: real Unix accounts, the real exchange, every step run as its user.

    klass = TemporaryClass(HubSite.from_env().prefix, ["a", "b"])  # accounts hubt-<random>-a, -b, -g (grader), -i
    klass.create()                        # `course roster` on a roster of them, in a private folder
    klass.release("01_normalization")     # the instructor: nbgrader release_assignment
    klass.fetch(a, ...); klass.hand_in(a, ..., "solution"); klass.submit(a, ...)   # a student, as that student
    klass.collect(...); klass.grade(...); klass.release_feedback(...)            # the instructor
    klass.fetch_feedback(a, ...)          # the student: the path of their feedback
    klass.remove()                        # userdel -r every account, remove the folder (exchange included)

Each step is the command a user types in a terminal of their server (`nbgrader ...`, `course grade`), run from the
hub's environment with the role's environment (grader.hub.site.HubSite.run_as). Used by the hub tests and by
`course hub-bench`. Needs root.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..hub.site import HubSite


class TemporaryClass:
    """One instructor, students and graders with unique account names, an exchange, a roster and passwords in
    `folder`: `<tag>-<random>-<suffix>` for each student suffix, `-<suffix>` for each grader suffix, `-i`."""

    def __init__(self, prefix: Path, suffixes: list[str], tag: str = "hubt", source: Path | None = None,
                 graders: tuple[str, ...] = ("g",)):
        from ..course import course_root

        self.folder = Path(tempfile.mkdtemp(prefix=f"{tag}-"))
        self.folder.chmod(0o755)  # the users reach the exchange inside it; the roster and passwords stay root's
        self.site = HubSite(Path(prefix), self.folder / "exchange")
        self.source = course_root(source)
        key = secrets.token_hex(3)
        self.instructor = f"{tag}-{key}-i"
        self.students = [f"{tag}-{key}-{s}" for s in suffixes]
        self.graders = [f"{tag}-{key}-{g}" for g in graders]
        if set(suffixes) & set(graders) or "i" in [*suffixes, *graders]:
            raise ValueError(f"the suffixes of students {suffixes} and graders {graders} must differ, and not be i")
        self.course_group = f"{tag}-{key}-course"  # the course's Unix group: this class's alone
        self.roster = self.folder / "roster.csv"
        self.passwords_file = self.folder / "passwords.csv"
        self.roster.write_text("id,role,first_name,last_name\n"
                               + "".join(f"{s},student,{','.join(self.name(s))}\n" for s in self.students)
                               + "".join(f"{g},grader,Grader,{g.rsplit('-', 1)[-1].upper()}\n" for g in self.graders)
                               + f"{self.instructor},instructor,,\n")
        self.roster.chmod(0o600)
        self.roster_output = ""  # what `course roster` printed, once create() has run

    @staticmethod
    def name(student: str) -> tuple[str, str]:
        """(first name, last name) the roster gives a student: Student, and the letter of its suffix."""
        return "Student", student.rsplit("-", 1)[-1].upper()

    @property
    def members(self) -> list[str]:
        return [self.instructor, *self.students, *self.graders]

    def role(self, user: str) -> str:
        """`user`'s role in the roster: instructor, grader or student."""
        return "instructor" if user == self.instructor else "grader" if user in self.graders else "student"

    @property
    def course_folder(self) -> Path:
        return self.site.course_folder(self.instructor)

    def roster_command(self) -> subprocess.CompletedProcess:
        """`course roster` on this class, as root, run as a command (python -m grader.cli) from this repository."""
        cmd = [sys.executable, "-m", "grader.cli", "roster", str(self.roster), "--prefix", str(self.site.prefix),
               "--exchange", str(self.site.exchange), "--passwords", str(self.passwords_file),
               "--course-group", self.course_group,
               "--source", str(self.source)]
        env = dict(os.environ, PYTHONPATH=str(self.source))
        return subprocess.run(cmd, cwd=self.source, env=env, capture_output=True, text=True, timeout=600)

    def create(self) -> str:
        """Run `course roster` for this class; its output. RuntimeError with the output when it fails."""
        done = self.roster_command()
        if done.returncode != 0:
            raise RuntimeError(f"course roster failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        self.roster_output = done.stdout
        return done.stdout

    def passwords(self) -> dict[str, str]:
        """account -> the password `course roster` gave it."""
        return dict(line.split(",", 1) for line in self.passwords_file.read_text().splitlines() if line)

    def home(self, user: str) -> Path:
        return Path(self.site.user_env(user, "student")["HOME"])

    def student_folder(self, student: str, assignment: str) -> Path:
        """Where nbgrader fetches an assignment for a student working in their home (path_includes_course)."""
        from ..hub.site import COURSE_ID

        return self.home(student) / COURSE_ID / assignment

    # --- the instructor ---------------------------------------------------------------------------------------
    def instructor_nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.site.nbgrader(self.instructor, "instructor", *args, check=check)

    def release(self, assignment: str) -> subprocess.CompletedProcess:
        return self.instructor_nbgrader("release_assignment", assignment, "--force")

    def collect(self, assignment: str) -> subprocess.CompletedProcess:
        return self.instructor_nbgrader("collect", assignment, "--update")

    def grade(self, assignment: str, jobs: int | None = None) -> subprocess.CompletedProcess:
        """`course grade` (the course's parallel grading, feedback included) as the instructor in the course."""
        args = [str(self.site.bin / "course"), "grade", "--assignments", assignment, "--no-report"]
        if jobs:
            args += ["--jobs", str(jobs)]
        return self.site.run_as(self.instructor, "instructor", args, cwd=self.course_folder)

    def release_feedback(self, assignment: str) -> subprocess.CompletedProcess:
        return self.instructor_nbgrader("release_feedback", assignment)

    # --- a student --------------------------------------------------------------------------------------------
    def student_nbgrader(self, student: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.site.nbgrader(student, "student", *args, check=check)

    def fetch(self, student: str, assignment: str) -> Path:
        """nbgrader fetch_assignment as `student`; the fetched notebook."""
        self.student_nbgrader(student, "fetch_assignment", assignment)
        return self.student_folder(student, assignment) / f"{assignment}.ipynb"

    def hand_in(self, student: str, assignment: str, kind: str) -> Path:
        """Put grader.tools.scenarios' `kind` notebook ("solution", "release", ...) where the student fetched the
        assignment, owned by the student, as if they had written it."""
        import nbformat

        from .scenarios import example_notebook

        path = self.student_folder(student, assignment) / f"{assignment}.ipynb"
        nbformat.write(example_notebook(self.source, assignment, kind), path)
        entry = pwd.getpwnam(student)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        return path

    def submit(self, student: str, assignment: str) -> subprocess.CompletedProcess:
        return self.student_nbgrader(student, "submit", assignment)

    def fetch_feedback(self, student: str, assignment: str) -> list[Path]:
        """nbgrader fetch_feedback as `student`; the feedback files they now have, newest submission last."""
        self.student_nbgrader(student, "fetch_feedback", assignment)
        return sorted((self.student_folder(student, assignment) / "feedback").glob("*/*.html"))

    def remove(self) -> list[str]:
        """Remove every account (home and group), the course's group and the folder; what could not be removed."""
        from ..hub.roster import remove_accounts

        problems = remove_accounts(self.members)
        done = subprocess.run(["groupdel", self.course_group], capture_output=True, text=True)
        if done.returncode not in (0, 6):  # 6: no such group (create() never ran)
            problems.append(f"groupdel {self.course_group}: {done.stderr.strip()}")
        shutil.rmtree(self.folder, ignore_errors=True)
        return problems
