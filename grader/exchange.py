"""nbgrader's exchange made private between the students of one machine (the course on a JupyterHub).

nbgrader 0.9.6's own exchange keeps students apart mostly by names nobody can guess: a submission folder in
`inbound/` is left mode 0777 with world-readable files ("hidden from other users by the timestamp"), released
feedback is world-readable under a hash, `release_assignment` resets `inbound/` to 2733 (no sticky bit, so a
student may rename or delete another's submission folder), and `collect` only warns when a submission folder is
not owned by the student it names, then collects it anyway. Knowing a path (from a shared screen, a log, `ps`,
an earlier course) was enough to read, replace or forge another student's work. These subclasses, which
hub/jupyter/common/nbgrader_config.py selects through `ExchangeFactory`, close that; nbgrader does the rest.

- `StickyReleaseAssignment`: `inbound/` keeps its sticky bit (3733): only its owner removes or renames an entry.
- `PrivateSubmit`: the submission folder ends up 0770 and its files 0640, group the student's own, which
  `course roster` makes the instructor a member of: the student and the instructor, nobody else.
- `OwnerCheckedCollect`: a submission folder not owned by the student it names is never collected (the warning
  stays); the student's own latest submission is.
- `PrivateReleaseFeedback`: each released feedback file is 0640 with the student's own group (`course roster`
  puts the instructor in it), never readable by another student, even at its path.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import stat

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.exchange import ExchangeError
from nbgrader.utils import get_osusername, notebook_hash

#: a submission's folders and files: its owner and the owner's own group (the instructor is a member)
SUBMISSION_DIR_MODE, SUBMISSION_FILE_MODE = 0o770, 0o640
FEEDBACK_FILE_MODE = 0o640


class StickyReleaseAssignment(ExchangeReleaseAssignment):
    """nbgrader's release, with the sticky bit put back on `inbound/` (nbgrader chmods it to 2733 each time)."""

    def init_dest(self):
        super().init_dest()
        mode = os.stat(self.inbound_path).st_mode
        if not mode & stat.S_ISVTX:
            os.chmod(self.inbound_path, stat.S_IMODE(mode) | stat.S_ISVTX)


class PrivateSubmit(ExchangeSubmit):
    """nbgrader's submit, leaving the submission to the student's own group: the student and the instructor.

    nbgrader writes the folder first (0777, files 0644) and this narrows it right after; for those milliseconds
    it is protected as nbgrader protects it, by a random name in an `inbound/` nobody else can list."""

    def copy_files(self):
        from .hub import private_group

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


class OwnerCheckedCollect(ExchangeCollect):
    """nbgrader's collect, without the submission folders that another user made in a student's name."""

    def _path_to_record(self, path):
        record = super()._path_to_record(path)
        try:
            record["owner"] = pwd.getpwuid(os.stat(path).st_uid).pw_name
        except (KeyError, OSError):
            record["owner"] = None
        return record

    def _genuine(self, record) -> bool:
        return not self.check_owner or record.get("owner") == record["username"]

    def _sort_by_timestamp(self, records):
        # nbgrader picks the first of this list (latest, or latest before the due date): genuine ones only, when
        # there are any; a student with forged folders only is dropped in copy_files
        genuine = [r for r in records if self._genuine(r)]
        if genuine:
            self._not_collected([r for r in records if not self._genuine(r)])
        return super()._sort_by_timestamp(genuine or records)

    def _not_collected(self, forged) -> None:
        for r in forged:
            self.log.warning("Not collected: %s names %s but is owned by %s", r["filename"], r["username"],
                             r.get("owner"))

    def copy_files(self):
        self._not_collected([r for r in self.src_records if not self._genuine(r)])
        self.src_records = [r for r in self.src_records if self._genuine(r)]
        super().copy_files()


class PrivateReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, each file readable by its student's own group only.

    The instructor must be a member of each student's group (`course roster` does it; the instructor's server, or
    terminal, started before a student was added must be restarted to have the new group; so for collect). A
    feedback file that cannot be given its student's group is withheld (mode 0600) and the command fails naming it.
    (nbgrader's own log line names the file it copies to, `<hash>-tmp.html`, before renaming it `<hash>.html`.)"""

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
        from .hub import private_group

        sources = self._sources()
        for _, _, html in sources:  # the copies nbgrader makes keep this mode: never readable by others
            os.chmod(html, FEEDBACK_FILE_MODE)
        super().copy_files()
        withheld = []
        for student, notebook_id, html in sources:
            with open(os.path.join(os.path.dirname(html), "submission_secret.txt")) as fh:
                released = os.path.join(self.dest_path, f"{notebook_hash(secret=fh.read(), notebook_id=notebook_id)}.html")
            if not os.path.exists(released):
                continue  # excluded (student_id_exclude)
            try:
                gid = private_group(student)
                if gid is None:
                    raise PermissionError(f"{student} has no group of their own")
                os.chown(released, -1, gid)
                os.chmod(released, FEEDBACK_FILE_MODE)
            except (KeyError, PermissionError) as error:
                os.chmod(released, 0o600)
                withheld.append(f"{student} ({notebook_id}): {error}")
        if withheld:
            raise ExchangeError("feedback withheld (unreadable by its student) for " + "; ".join(withheld)
                                + ". Run `course roster` again (it puts the instructor in each student's group), "
                                "restart your server, and release the feedback again.")
