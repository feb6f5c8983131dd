"""nbgrader's exchange made private between the students of one machine (the course on a JupyterHub).

nbgrader 0.9.6's own exchange keeps students apart mostly by names nobody can guess: a submission folder in
`inbound/` is left mode 0777 with world-readable files ("hidden from other users by the timestamp"), released
feedback is world-readable under a hash, `release_assignment` resets `inbound/` to 2733 (no sticky bit, so a
student may rename or delete another's submission folder), and `collect` only warns when a submission folder is
not owned by the student it names, then collects it anyway. Knowing a path (from a shared screen, a log, `ps`,
an earlier course) was enough to read, replace or forge another student's work. These subclasses, which
hub/jupyter/common/nbgrader_config.py selects through `ExchangeFactory`, close that; nbgrader does the rest.

Every class here also checks the course's own folder of the exchange instead of nbgrader's world-writable root
(`CourseFolderRoot`): the root is root's, 0755, and `course roster` creates each course's folder, owned by the
course's instructor, so no user can fill the root or take a future course's name; that folder is 0750 with the
course's group, so a user who is not in the course is told so instead of listing, fetching or submitting.

- `StickyReleaseAssignment`: `inbound/` keeps its sticky bit (3733): only its owner removes or renames an entry.
- `PrivateSubmit`: the submission folder ends up 0770 and its files 0640, group the student's own, which
  `course roster` makes the instructor a member of: the student and the instructor, nobody else; refused up front,
  saying why, when the live course's status shows no attempts left (grader/live/status.py).
- collect: `grader.hub.collect.SafeCollect` (only the student's own files, in their own folder, at the exchange's time).
- `PrivateReleaseFeedback`: each released feedback file is 0640 with the student's own group (`course roster`
  puts the instructor in it), never readable by another student, even at its path; student by student, so one
  broken folder is reported and skipped, and no file is ever left with the wrong group.
- `CourseFetchFeedback`: fetch_feedback that skips, with a message, a feedback file it cannot read.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import stat

from nbgrader.exchange import ExchangeError
from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment
from nbgrader.exchange.default.fetch_feedback import ExchangeFetchFeedback
from nbgrader.exchange.default.list import ExchangeList
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import get_osusername, notebook_hash

#: a submission's folders and files: its owner and the owner's own group (the instructor is a member)
SUBMISSION_DIR_MODE, SUBMISSION_FILE_MODE = 0o770, 0o640
FEEDBACK_FILE_MODE = 0o640


class CourseFolderRoot:
    """The exchange's root as `course roster` makes it: root's, 0755, with a folder per course owned by the course.

    nbgrader checks that every user can write the root (and release_assignment makes it 0777); here each command
    needs the course's folder instead, and says who makes it when it is missing."""

    #: what only the course's instructor may do with this command, in words (None: every user of the course may)
    instructor_only: str | None = None

    def ensure_root(self):
        course = os.path.join(self.root, self.coursedir.course_id)
        if not os.path.isdir(course):
            self.fail(f"The course's folder of the exchange, {course}, does not exist: the instructor creates it "
                      "with `sudo make roster` (hub/README.md)")
        if not os.access(course, os.R_OK | os.X_OK):
            self.fail(f"{get_osusername()} is not in the course {self.coursedir.course_id}: its folder of the "
                      f"exchange, {course}, is for the course's members only (its instructor adds you to the roster)")
        if self.instructor_only:
            self.ensure_instructor(course)

    def ensure_instructor(self, course: str) -> None:
        """Fail, saying who may, unless this user owns the course's folder of the exchange (the instructor does).

        Unix permissions refuse a grader or a student anyway (outbound/, inbound/ and feedback/ are the
        instructor's); this says so in words before nbgrader's own "Permission denied" or an empty collect."""
        owner_uid = os.stat(course).st_uid
        if owner_uid != os.getuid():
            owner = pwd.getpwuid(owner_uid).pw_name
            self.fail(f"Only the course's instructor, {owner}, may {self.instructor_only}; {get_osusername()} is not "
                      f"the instructor (teaching staff grade in the course's formgrader: hub/README.md)")


class CourseList(CourseFolderRoot, ExchangeList):
    """nbgrader's list, on the course's folder of the exchange."""


class CourseFetchAssignment(CourseFolderRoot, ExchangeFetchAssignment):
    """nbgrader's fetch_assignment, on the course's folder of the exchange."""


class StickyReleaseAssignment(CourseFolderRoot, ExchangeReleaseAssignment):
    """nbgrader's release, with the sticky bit put back on `inbound/` (nbgrader chmods it to 2733 each time), and
    without making the exchange's root world-writable; the instructor's alone."""

    instructor_only = "release an assignment"

    def init_dest(self):
        super().init_dest()
        mode = os.stat(self.inbound_path).st_mode
        if not mode & stat.S_ISVTX:
            os.chmod(self.inbound_path, stat.S_IMODE(mode) | stat.S_ISVTX)


class PrivateSubmit(CourseFolderRoot, ExchangeSubmit):
    """nbgrader's submit, leaving the submission to the student's own group: the student and the instructor.

    nbgrader writes the folder first (0777, files 0644) and this narrows it right after; for those milliseconds
    it is protected as nbgrader protects it, by a random name in an `inbound/` nobody else can list."""

    def copy_files(self):
        from .site import private_group

        why = self.no_attempts_left()
        if why:
            self.fail(why)
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        gid = private_group(get_osusername())
        if gid is None:
            self.log.warning("Your account has no group of its own, so this submission stays readable by every "
                             "user who knows its name; ask the instructor to run `course roster`")
            return
        for folder, _, files in os.walk(dest):
            for name in files:
                os.chown(os.path.join(folder, name), -1, gid)
                os.chmod(os.path.join(folder, name), SUBMISSION_FILE_MODE)
            os.chown(folder, -1, gid)
            os.chmod(folder, SUBMISSION_DIR_MODE)
        self.log.info("Submission readable by you and the instructor only: %s", dest)


    def no_attempts_left(self) -> str | None:
        """Why this submission would not be graded, from the live course's status files (`grader.live.status`:
        policy.json and the student's own status, which only they and the instructor read), or None. Graded
        submissions count, and so do those still waiting to be graded; one that could not be graded does not."""
        import datetime
        import json

        live = os.path.join(self.root, self.coursedir.course_id, "live")
        try:
            with open(os.path.join(live, "policy.json")) as fh:
                policy = json.load(fh)["assignments"][self.coursedir.assignment_id]
            with open(os.path.join(live, get_osusername(), f"{self.coursedir.assignment_id}.json")) as fh:
                status = json.load(fh)
        except (OSError, ValueError, KeyError):
            return None  # no live policy or nothing submitted yet: nothing to refuse
        if policy.get("feedback") == "manual":
            return None
        counted = [s for s in status.get("submissions", []) if s.get("state") in ("graded", "queued", "grading")]
        total, per_day = policy.get("attempts"), policy.get("attempts_per_day")
        if total is not None and len(counted) >= total:
            return (f"Not submitted: no attempts left for {self.coursedir.assignment_id} ({len(counted)} of {total} "
                    "used or being graded). Your last graded submission counts.")
        today = datetime.datetime.now(datetime.timezone.utc).date()
        if per_day is not None and sum(1 for s in counted if datetime.datetime.fromisoformat(s["arrived"]).astimezone(
                datetime.timezone.utc).date() == today) >= per_day:
            return (f"Not submitted: no attempts left today for {self.coursedir.assignment_id} ({per_day} a day, "
                    "days in UTC). Try again tomorrow.")
        return None


class PrivateReleaseFeedback(CourseFolderRoot, ExchangeReleaseFeedback):
    """nbgrader's release_feedback, each file readable by its student's own group only.

    The instructor must be a member of each student's group (`course roster` does it; the instructor's server, or
    terminal, started before a student was added must be restarted to have the new group; so for collect). A
    feedback file that cannot be given its student's group is withheld (mode 0600) and the command fails naming it.
    (nbgrader's own log line names the file it copies to, `<hash>-tmp.html`, before renaming it `<hash>.html`.)"""

    instructor_only = "release feedback"

    def _sources(self) -> list[tuple[str, str]]:
        """(student id, feedback html) of the files nbgrader's copy_files will release."""
        student_id = self.coursedir.student_id if self.coursedir.student_id else "*"
        pattern = os.path.join(self.coursedir.format_path(self.coursedir.feedback_directory, student_id,
                                                          self.coursedir.assignment_id), "*.html")
        regexp = re.escape(os.path.sep).join([
            self.coursedir.format_path(self.coursedir.feedback_directory, "(?P<student_id>.*)",
                                       self.coursedir.assignment_id, escape=True),
            "(?P<notebook_id>.*).html"])
        found = []
        for html in glob.glob(pattern):
            match = re.match(regexp, html)
            if match:
                found.append((match.group("student_id"), match.group("notebook_id"), html))
        return found

    def copy_files(self):
        """Release each student's feedback in turn: a copy made 0600 in the exchange, given the student's group
        and mode 0640, then renamed into place. A student whose folder lacks its secret or timestamp, or whose
        file cannot be given their group, is logged and skipped; the command fails at the end naming them."""
        excluded = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        withheld = []
        sources = [source for source in self._sources() if source[0] not in excluded]
        self._warn_ungraded(sorted({student for student, _, _ in sources}))
        for student, notebook_id, html in sources:
            try:
                self._release_one(student, notebook_id, html)
            except (OSError, KeyError, ValueError) as error:
                withheld.append(f"{student} ({notebook_id}): {error}")
                self.log.error("Feedback not released to %s (%s): %s", student, notebook_id, error)
        if withheld:
            raise ExchangeError("feedback not released for " + "; ".join(withheld) + ". Every other student's was. "
                                "If a student has no group of their own, run `course roster` again (it puts the "
                                "instructor in each student's group), restart your server, and release again.")

    def _warn_ungraded(self, students: list[str]) -> None:
        """Warn when feedback goes out before the written answers of some of `students` were graded by hand."""
        from nbgrader.api import Gradebook, MissingEntry

        waiting = []
        try:
            with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                for student in students:
                    try:
                        if gb.find_submission(self.coursedir.assignment_id, student).needs_manual_grade:
                            waiting.append(student)
                    except MissingEntry:
                        continue
        except Exception as error:  # noqa: BLE001 - a warning's check never stops a release
            self.log.debug("could not check the written answers: %s", error)
        if waiting:
            self.log.warning("Feedback released before the written answers of %d student(s) were graded by hand (%s): "
                             "their feedback shows those answers ungraded. Grade them in the formgrader, run `course "
                             "feedback`, then release the feedback again.", len(waiting), ", ".join(waiting))

    def _release_one(self, student: str, notebook_id: str, html: str) -> None:
        from .site import private_group

        folder = os.path.dirname(html)
        with open(os.path.join(folder, "submission_secret.txt")) as fh:
            secret = fh.read()
        gid = private_group(student)
        if gid is None:
            raise PermissionError(f"{student} has no group of their own")
        final = os.path.join(self.dest_path, f"{notebook_hash(secret=secret, notebook_id=notebook_id)}.html")
        temporary = f"{final}.{os.getpid()}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as out, open(html, "rb") as src:
                out.write(src.read())
            os.chown(temporary, -1, gid)
            os.chmod(temporary, FEEDBACK_FILE_MODE)
            os.replace(temporary, final)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.log.info("Feedback released to: %s (%s's %s, readable by them only)", final, student, notebook_id)


class CourseFetchFeedback(CourseFolderRoot, ExchangeFetchFeedback):
    """nbgrader's fetch_feedback, going on past a feedback file it cannot read (it says which)."""

    def do_copy(self, src, dest):
        readable = []
        for notebook_id, timestamp, path in self.feedback_files:
            if os.access(path, os.R_OK):
                readable.append((notebook_id, timestamp, path))
            else:
                self.log.warning("Cannot read the feedback of %s submitted at %s (%s): skipped; ask your "
                                 "instructor to release it again", notebook_id, timestamp, path)
        self.feedback_files = readable
        super().do_copy(src, dest)
