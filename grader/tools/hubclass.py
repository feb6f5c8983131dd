"""A temporary class on this machine's hub set-up: real Unix accounts, the real exchange, every step run as its user.

    klass = TemporaryClass(HubSite.from_env().prefix, ["a", "b"])  # accounts hubt-<random>-a, -b, -g (grader), -i
    klass.create()                        # `course roster` on a roster of them, in a private folder
    klass.release("01_normalization")     # the instructor: nbgrader release_assignment
    klass.fetch(a, ...); klass.hand_in(a, ..., "solution"); klass.submit(a, ...)   # a student, as that student
    klass.collect(...); klass.grade(...); klass.release_feedback(...)            # the instructor
    klass.fetch_feedback(a, ...)          # the student: the path of their feedback
    klass.remove()                        # userdel -r every account, remove the folder (exchange included)

    other = TemporaryClass(prefix, ["d"], course_id="second-" + klass.key, key=klass.key, instructor="j",
                           graders=(), exchange=klass.site.exchange, enrol=[klass.students[1]])
    other.create()                        # a second course on the same exchange: its own d, and klass's b enrolled
    HUB_ROSTER = share_hub([klass, other])  # both classes' sites know both courses, as the hub does

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

from ..hub.site import COURSE_ID, HubSite, read_rosters


class TemporaryClass:
    """One instructor, students and graders with unique account names, an exchange, a roster and passwords in
    `folder`: `<tag>-<key>-<suffix>` for each student suffix, `-<suffix>` for each grader suffix, `-<instructor>`.

    `course_id` is the class's course (the default course unless given; another course's Unix group is then
    `nbgrader-<course id>`); `exchange`, another class's exchange to share; `key`, another class's key (accounts
    named alike, unique all the same by their suffixes); `enrol`, accounts of another class enrolled here as
    students too (never removed by this class)."""

    def __init__(self, prefix: Path, suffixes: list[str], tag: str = "hubt", source: Path | None = None,
                 graders: tuple[str, ...] = ("g",), course_id: str = COURSE_ID, exchange: Path | None = None,
                 key: str | None = None, instructor: str = "i", enrol: list[str] = ()):
        from ..course import course_root

        self.folder = Path(tempfile.mkdtemp(prefix=f"{tag}-"))
        self.folder.chmod(0o755)  # the users reach the exchange inside it; the roster and passwords stay root's
        self.course_id = course_id
        self.site = HubSite(Path(prefix), Path(exchange) if exchange else self.folder / "exchange")
        self.source = course_root(source)
        self.key = key = key or secrets.token_hex(3)
        self.instructor = f"{tag}-{key}-{instructor}"
        self.own_students = [f"{tag}-{key}-{s}" for s in suffixes]
        self.students = [*self.own_students, *enrol]
        self.graders = [f"{tag}-{key}-{g}" for g in graders]
        if set(suffixes) & set(graders) or instructor in [*suffixes, *graders]:
            raise ValueError(f"the suffixes of students {suffixes} and graders {graders} must differ, and not be "
                             f"{instructor}")
        # the course's Unix group: this class's alone
        self.course_group = f"{tag}-{key}-course" if course_id == COURSE_ID else f"nbgrader-{course_id}"
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

    @property
    def roster_spec(self) -> str:
        """This class's roster as `course roster` and HUB_ROSTER take it: `<course id>=<path>`."""
        return f"{self.course_id}={self.roster}"

    def role(self, user: str) -> str:
        """`user`'s role in the roster: instructor, grader or student."""
        return "instructor" if user == self.instructor else "grader" if user in self.graders else "student"

    @property
    def course_folder(self) -> Path:
        return self.site.course_folder(self.instructor, self.course_id)

    @property
    def course_exchange(self) -> Path:
        """This class's course's folder of the exchange."""
        return self.site.exchange_of(self.course_id)

    def roster_command(self) -> subprocess.CompletedProcess:
        """`course roster` on this class, as root, run as a command (python -m grader.cli) from this repository."""
        cmd = [sys.executable, "-m", "grader.cli", "roster", self.roster_spec, "--prefix", str(self.site.prefix),
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
        """Where nbgrader fetches an assignment of this course for a student working in their home
        (path_includes_course: `~/<course id>/<assignment>`)."""
        return self.home(student) / self.course_id / assignment

    # --- the instructor ---------------------------------------------------------------------------------------
    def instructor_nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.site.nbgrader(self.instructor, "instructor", *args, check=check, cwd=self.course_folder)

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
        """nbgrader fetch_assignment as `student`, of this course (`--course`, as a student of several courses
        types it); the fetched notebook."""
        self.student_nbgrader(student, "fetch_assignment", assignment, "--course", self.course_id)
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
        return self.student_nbgrader(student, "submit", assignment, "--course", self.course_id)

    def fetch_feedback(self, student: str, assignment: str) -> list[Path]:
        """nbgrader fetch_feedback as `student`; the feedback files they now have, newest submission last."""
        self.student_nbgrader(student, "fetch_feedback", assignment, "--course", self.course_id)
        return sorted((self.student_folder(student, assignment) / "feedback").glob("*/*.html"))

    def remove(self) -> list[str]:
        """Remove every account of this class (home and group; not those enrolled from another class), the course's
        group and the folder; what could not be removed."""
        from ..hub.roster import remove_accounts

        problems = remove_accounts([self.instructor, *self.own_students, *self.graders])
        done = subprocess.run(["groupdel", self.course_group], capture_output=True, text=True)
        if done.returncode not in (0, 6):  # 6: no such group (create() never ran)
            problems.append(f"groupdel {self.course_group}: {done.stderr.strip()}")
        shutil.rmtree(self.folder, ignore_errors=True)
        return problems


def share_hub(classes: list[TemporaryClass]) -> str:
    """Give every class a site that knows every class's course, as the hub that serves them all does (a student of
    two classes then gets the environment of a student of several courses); the hub's HUB_ROSTER for them."""
    from dataclasses import replace

    spec = " ".join(k.roster_spec for k in classes)
    courses = read_rosters(spec, {k.course_id: k.course_group for k in classes})
    for k in classes:
        k.site = replace(k.site, courses=courses)
    return spec
