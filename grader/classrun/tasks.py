"""What a grading worker does, as functions from data to data: they never read or write the instructor's course.

- `autograde(bundle, task)` grades one submission (`AutogradeTask`) with nbgrader's own autograde (the course's
  preprocessors, sandbox and limits) and, if asked, writes its feedback;
- `feedback(bundle, task)` writes the feedback of a submission graded earlier (`FeedbackTask`), from its grades.

Both run in a scratch course of the worker's own (`Scratch`), built from the `bundle` (`grader.release.bundle`:
nbgrader_config.py, the source folders, a gradebook holding the assignments' cells) in the worker's local folder
and kept, with nbgrader imported and configured, for every later task with the same bundle hash. The result is a
`TaskResult` (grader.classrun.records): the autograded and feedback folders as {relative path: bytes}, the grade
record (`grader.classrun.gradebook.submission_record`), the repairs, the error and timings: wall and CPU seconds
per phase (`grader.plugins.phases`: "prepare", "kernel start", "execute", "re-check", "save", "feedback"). The
client merges it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

from ..course import Course
from ..plugins.phases import CLOCK
from ..plugins.recheck import take_outcomes
from ..release import write_sources
from .gradebook import merge_record, submission_record
from .records import AutogradeTask, FeedbackTask, TaskResult

#: Scratch courses of this process, by bundle hash (a worker keeps nbgrader and its course warm between tasks).
_SCRATCH: dict[str, Scratch] = {}


def _local_folder() -> Path:
    """The Dask worker's own local folder, or a private temporary folder outside a worker."""
    try:
        from distributed import get_worker

        return Path(get_worker().local_directory)
    except (ImportError, ValueError):
        return Path(tempfile.mkdtemp(prefix="course-scratch-"))


def worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


class Scratch:
    """A course folder of this worker's own, built from a bundle, with nbgrader's API configured on it."""

    def __init__(self, bundle: dict, folder: Path):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "nbgrader_config.py").write_bytes(bundle["config"])
        (folder / "gradebook.db").write_bytes(bundle["gradebook"])
        self.course = Course(folder)  # loads the bundle's nbgrader_config.py, as `nbgrader` would there
        write_sources(folder, self.course, bundle["sources"])
        self.config = self.course.scratch_config(folder)
        self.api = self.course.api(self.config)
        self.db_url = self.config.CourseDirectory.db_url

    @classmethod
    def get(cls, bundle: dict) -> Scratch:
        scratch = _SCRATCH.get(bundle["hash"])
        if scratch is None:
            scratch = _SCRATCH[bundle["hash"]] = cls(bundle, _local_folder() / f"course-{bundle['hash'][:12]}")
        scratch.policies(bundle.get("policies"))
        return scratch

    def policies(self, text: bytes | None) -> None:
        """The course's policies.toml as the bundle carries it (the late penalty's plug-in reads it here); it may
        change between tasks of the same bundle hash."""
        path = self.course.root / "policies.toml"
        if text is None:
            path.unlink(missing_ok=True)
        elif not path.is_file() or path.read_bytes() != text:
            path.write_bytes(text)

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, self.course.course_id)

    def clear(self, student: str, assignment: str) -> None:
        for step in ("submitted", "autograded", "feedback"):
            shutil.rmtree(self.course.folder(step, student, assignment), ignore_errors=True)


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, relative path -> content."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Replace `folder` with exactly `files` (relative path -> content). Raises ValueError, before anything is
    removed, for a path that would land outside `folder`."""
    outside = [rel for rel in files if ".." in Path(rel).parts or Path(rel).is_absolute()]
    if outside:
        raise ValueError(f"refusing to write {outside[0]!r} outside {folder}")
    shutil.rmtree(folder, ignore_errors=True)
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)


def first_error(text: str) -> str:
    """The first 'SomeError: message' line of a log, skipping nbgrader's generic NbGraderException."""
    for line in text.splitlines():
        m = re.match(r"\s*([\w.]*(Error|Exception|Interrupt)\b.*)", line)
        if m and "NbGraderException" not in line:
            return m.group(1).strip()
    return "autograde failed (see the log)"


def repairs(log: str) -> list[str]:
    """What `grader.plugins.restore.RestoreCells` changed in a notebook, in words, from an autograde's log (each once)."""
    from ..plugins.restore import REPAIRED

    found = [line.split(REPAIRED, 1)[1].strip() for line in log.splitlines() if REPAIRED in line]
    return list(dict.fromkeys(f"restored: {text}" for text in found))


def _failure(result: dict) -> str:
    """The first error line of nbgrader's API result (a dict: "log", "error"), a blank line, then all of it."""
    text = (result.get("log") or "") + (result.get("error") or "")
    return first_error(text) + "\n\n" + text


def _feedback(scratch: Scratch, assignment: str, student: str) -> tuple[dict | None, str | None]:
    result = scratch.api.generate_feedback(assignment, student, force=True)
    if not result["success"]:
        return None, _failure(result)
    return read_folder(scratch.course.folder("feedback", student, assignment)), None


def _run_in_scratch(bundle: dict, key, work) -> TaskResult:
    """`work(scratch, out)` for the submission `key` in this worker's scratch course, which is cleared before and
    after; any exception is this submission's problem, reported in the result with its traceback, never raised."""
    start = time.perf_counter()
    out = TaskResult(started=time.time())
    CLOCK.start()
    try:
        scratch = Scratch.get(bundle)
        scratch.clear(key.student, key.assignment)
        try:
            work(scratch, out)
        finally:
            scratch.clear(key.student, key.assignment)
    except Exception:  # noqa: BLE001 - this submission's problem, reported with it
        out.ok = False
        out.error = f"the grading worker failed: {first_error(traceback.format_exc())}\n\n{traceback.format_exc()}"
    CLOCK.lap("save")  # clearing the scratch course, and what a failure left unclosed
    out.phases = CLOCK.take()
    out.seconds, out.worker, out.finished = time.perf_counter() - start, worker_name(), time.time()
    return out


def autograde(bundle: dict, task: AutogradeTask) -> TaskResult:
    """Autograde one submission in this worker's scratch course (`AutogradeTask` says what it carries); the
    `TaskResult` holds the record, the autograded folder, the feedback, the repairs (`repairs`) and the test cells'
    outcomes, or the error."""
    a, s = task.key.assignment, task.key.student

    def work(scratch: Scratch, out: TaskResult) -> None:
        write_folder(scratch.course.folder("submitted", s, a), task.files)
        with scratch.gradebook() as gb:  # this student's due date: what nbgrader's late penalty is measured from
            gb.update_or_create_assignment(a, duedate=datetime.fromisoformat(task.due) if task.due else None)
        result = scratch.api.autograde(a, s, force=True, create=True)
        out.repairs = repairs(result.get("log") or "")
        out.cells = take_outcomes(a, s)
        with scratch.gradebook() as gb:
            out.record = record = submission_record(gb, a, s)
            if result["success"] and task.manual and record is not None:
                # the course's gradebook keeps what an instructor entered by hand: so does the scratch one
                merge_record(gb, a, s, {**record, "manual": task.manual})
        out.ok, out.error = bool(result["success"]), None if result["success"] else _failure(result)
        if out.ok:
            out.autograded = read_folder(scratch.course.folder("autograded", s, a))
        CLOCK.lap("save")  # nbgrader's plug-ins after the re-check, its gradebook, the record and the folder
        if out.ok and task.feedback:
            out.feedback, out.feedback_error = _feedback(scratch, a, s)
            CLOCK.lap("feedback")

    return _run_in_scratch(bundle, task.key, work)


def feedback(bundle: dict, task: FeedbackTask) -> TaskResult:
    """The feedback of a submission graded earlier (`FeedbackTask`), written in this worker's scratch course."""
    a, s = task.key.assignment, task.key.student

    def work(scratch: Scratch, out: TaskResult) -> None:
        write_folder(scratch.course.folder("autograded", s, a), task.autograded)
        with scratch.gradebook() as gb:
            merge_record(gb, a, s, task.record)
        CLOCK.lap("prepare")
        out.feedback, out.error = _feedback(scratch, a, s)
        CLOCK.lap("feedback")
        out.ok = out.error is None

    return _run_in_scratch(bundle, task.key, work)
