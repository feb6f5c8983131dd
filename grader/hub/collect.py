"""The hub's collect: a submission is the student's own files, in a folder of their own, at the time it arrived.

nbgrader 0.9.6's collect follows symbolic links (a folder of links to a classmate's submission, the instructor's
source notebook or gradebook was collected as the student's own, and a link to the course folder copied itself
until "name too long"), collects a folder that another student made in one's name (`check_owner` only warns),
believes `timestamp.txt`, which the student writes (a future date shadowed the student's later submissions and
could hide lateness), and copies any number of files.

- `OwnerCheckedCollect`: a submission folder not owned by the student it names is never collected (the warning
  stays); the student's own latest submission is.
- `SafeCollect` (the hub's collect, hub/jupyter/common/nbgrader_config.py) adds: only the student's own regular
  files are copied (a symbolic link is never followed, nor a special file copied: each is named in a warning); a
  folder without its `submission_secret.txt`, over `max_files` files or `max_mib` MiB is not collected, with the
  reason logged; and the submission's time is the exchange's own record of it (the folder's change time, which its
  owner cannot set back), the time in the folder's name being believed only when it agrees, and the student's
  `timestamp.txt` never.
"""

from __future__ import annotations

import datetime
import errno
import fnmatch
import os
import pwd
import stat

from nbgrader.exchange.default.collect import ExchangeCollect
from traitlets import Float, Integer

from .exchange import CourseFolderRoot

#: how nbgrader writes a submission's time (timestamp.txt, the folder's name)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


class OwnerCheckedCollect(CourseFolderRoot, ExchangeCollect):
    """nbgrader's collect, without the submission folders that another user made in a student's name."""

    instructor_only = "collect submissions"

    def _path_to_record(self, path):
        record = super()._path_to_record(path)
        try:
            record["owner"] = pwd.getpwuid(os.stat(path).st_uid).pw_name
        except (KeyError, OSError):
            record["owner"] = None
        return record

    def _genuine(self, record) -> bool:
        return not self.check_owner or record.get("owner") == record["username"]

    def _why_not(self, record) -> str:
        return f"names {record['username']} but is owned by {record.get('owner')}"

    def _sort_by_timestamp(self, records):
        # nbgrader picks the first of this list (latest, or latest before the due date): genuine ones only, when
        # there are any; a student with forged folders only is dropped in copy_files
        genuine = [r for r in records if self._genuine(r)]
        if genuine:
            self._not_collected([r for r in records if not self._genuine(r)])
        return super()._sort_by_timestamp(genuine or records)

    def _not_collected(self, forged) -> None:
        for r in forged:
            self.log.warning("Not collected: %s %s", r["filename"], self._why_not(r))

    def copy_files(self):
        self._not_collected([r for r in self.src_records if not self._genuine(r)])
        self.src_records = [r for r in self.src_records if self._genuine(r)]
        super().copy_files()


def _utc(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


class SafeCollect(OwnerCheckedCollect):
    """The owner-checked collect, taking only what the student made: see the module docstring."""

    max_files = Integer(100, help="Files a submission may hold; a larger one is not collected").tag(config=True)
    max_mib = Integer(20, help="MiB a submission may hold; a larger one is not collected").tag(config=True)
    timestamp_tolerance = Float(120.0, help="Seconds timestamp.txt may be earlier than the exchange's record of "
                                             "the submission and still be believed").tag(config=True)

    def _path_to_record(self, path):
        record = super()._path_to_record(path)
        record["named_timestamp"] = record["timestamp"]
        record["problem"] = self._problem(path)
        try:
            arrived = _utc(os.lstat(path).st_ctime)
        except OSError:
            return record
        named = record["timestamp"]
        if named.tzinfo is None:
            named = named.replace(tzinfo=datetime.timezone.utc)
        believed = named <= arrived and (arrived - named).total_seconds() <= self.timestamp_tolerance
        record["timestamp"] = record["timestamp"] if believed else arrived.replace(tzinfo=None)
        record["timestamp_believed"], record["arrived"] = believed, arrived
        return record

    def _problem(self, path: str) -> str | None:
        """Why the folder at `path` cannot be collected, or None."""
        if os.path.islink(path):
            return "is a symbolic link, not a submission folder"
        if not os.path.isdir(path):
            return "is not a folder"
        if not os.path.isfile(os.path.join(path, "submission_secret.txt")) or os.path.islink(
                os.path.join(path, "submission_secret.txt")):
            return "has no submission_secret.txt (it was not made by nbgrader submit)"
        files, size = 0, 0
        for _, _, names, dirfd in os.fwalk(path):
            for name in names:
                try:
                    st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
                except OSError:
                    continue
                files += 1
                size += st.st_size if stat.S_ISREG(st.st_mode) else 0
        if files > self.max_files:
            return f"holds {files} files, more than the course's limit of {self.max_files}"
        if size > self.max_mib << 20:
            return f"holds {size / (1 << 20):.1f} MiB, more than the course's limit of {self.max_mib} MiB"
        return None

    def _genuine(self, record) -> bool:
        return super()._genuine(record) and record.get("problem") is None

    def _why_not(self, record) -> str:
        return record.get("problem") or super()._why_not(record)

    def do_copy(self, src, dest, log=None):
        """Copy the regular files of `src` into `dest`, never through a symbolic link (each open refuses one) and
        never a special file; both are named in a warning, and so are files nbgrader's `ignore` and
        `max_file_size` leave out."""
        skipped = []
        os.makedirs(dest, exist_ok=True)
        for folder, dirs, names, dirfd in os.fwalk(src):
            rel = os.path.relpath(folder, src)
            for name in list(dirs):
                if self._ignored(name) or os.path.islink(os.path.join(folder, name)):
                    dirs.remove(name)
                    if not self._ignored(name):
                        skipped.append(f"{os.path.join(rel, name)} (a symbolic link)")
            for name in names:
                if self._ignored(name):
                    continue
                why = self._copy_one(name, dirfd, os.path.join(dest, rel, name))
                if why:
                    skipped.append(f"{os.path.join(rel, name)} ({why})")
        for item in skipped:
            self.log.warning("Not copied from %s: %s", os.path.basename(src), item)
        self._record_time(src, dest)

    def _ignored(self, name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in self.coursedir.ignore)

    def _copy_one(self, name: str, dirfd: int, target: str) -> str | None:
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dirfd)
        except OSError as error:
            return "a symbolic link" if error.errno == errno.ELOOP else f"unreadable: {error.strerror}"
        with os.fdopen(fd, "rb") as src:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return "a special file, not a regular one"
            if st.st_size > self.coursedir.max_file_size * 1000:
                return f"larger than {self.coursedir.max_file_size} kB"
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(src.read())
        return None

    def _record_time(self, src: str, dest: str) -> None:
        """timestamp.txt of the collected copy: the time in the folder's name when it agrees with the exchange's
        record of the submission (the folder's change time), else that record; whatever the student's own
        timestamp.txt says (it is theirs to write), with a warning when it says something else."""
        record = next((r for r in self.src_records if r["filename"] == os.path.basename(src)), None)
        if record is None:
            return
        arrived = record.get("arrived")
        stamp = (record["filename"].split("+")[2] if record.get("timestamp_believed", True)
                 else arrived.strftime(TIMESTAMP_FORMAT))
        try:
            with open(os.path.join(dest, "timestamp.txt")) as fh:
                theirs = fh.read().strip()
        except OSError:
            theirs = None
        if theirs != stamp or not record.get("timestamp_believed", True):
            self.log.warning("%s: its name and timestamp.txt say %s and %s, but it reached the exchange at %s; "
                             "collected as %s", record["filename"], record["filename"].split("+")[2], theirs,
                             arrived.strftime(TIMESTAMP_FORMAT) if arrived else "an unknown time", stamp)
        with open(os.path.join(dest, "timestamp.txt"), "w") as fh:
            fh.write(stamp)
