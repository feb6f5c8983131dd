"""The records that cross between the class run's client and its Dask workers, and name a submission.

A worker gets a task (`AutogradeTask`, `FeedbackTask`) with everything it needs as data, and returns a
`TaskResult`; a submission is named by a `SubmissionKey`, which is also how the run's state files spell it
(`assignment/student`). All of them pickle as plain dataclasses: nothing of the instructor's course travels but
these fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..plugins.recheck import CellOutcome


@dataclass(frozen=True, order=True)
class SubmissionKey:
    """One student's submission of one assignment."""

    assignment: str
    student: str

    def __str__(self) -> str:
        """The key as the run's state files write it: `assignment/student` (a student id holds no '/')."""
        return f"{self.assignment}/{self.student}"

    def __iter__(self):
        """`assignment, student = key`."""
        return iter((self.assignment, self.student))

    @classmethod
    def parse(cls, text: str) -> SubmissionKey:
        """The key `str(key)` wrote. ValueError when `text` has no '/'."""
        assignment, sep, student = text.partition("/")
        if not sep:
            raise ValueError(f"{text!r} is not a submission key (assignment/student)")
        return cls(assignment, student)


@dataclass
class AutogradeTask:
    """A submission to autograde: its files (relative path -> bytes, the notebook already named
    `<assignment>.ipynb`), whether to write its feedback, the instructor's hand grades to keep (the "manual"
    part of `grader.classrun.gradebook.submission_record`, or None), and the student's due date (ISO, naive UTC,
    the student's extension included; None for none), against which nbgrader's AssignLatePenalties measures
    lateness in the worker's scratch gradebook."""

    key: SubmissionKey
    files: dict[str, bytes]
    feedback: bool = True
    manual: dict | None = None
    due: str | None = None


@dataclass
class FeedbackTask:
    """A submission graded earlier whose feedback is to be written: its autograded folder (relative path ->
    bytes) and the course's record of it (`submission_record(..., manual=True)`)."""

    key: SubmissionKey
    autograded: dict[str, bytes]
    record: dict


@dataclass
class TaskResult:
    """What a worker returns for a task: `ok` or the `error` (its first line, a blank line, the log), the grade
    record to merge, the autograded and feedback folders (relative path -> bytes), why the feedback could not be
    written, the repairs the restoration made (in words), each test cell's outcome (`CellOutcome`: passed, the
    error shown, the named mistake, a timeout), the seconds it took and the worker's name, and where they went:
    `phases`, phase name -> (wall seconds, CPU seconds with the kernel's and the re-check server's) for the phases
    the worker ran (`grader.plugins.phases`), and `started` and `finished`, the worker's clock (`time.time()`) at
    either end, from which the client tells the queue and the merge."""

    ok: bool = False
    error: str | None = None
    record: dict | None = None
    autograded: dict[str, bytes] | None = None
    feedback: dict[str, bytes] | None = None
    feedback_error: str | None = None
    repairs: list[str] = field(default_factory=list)
    cells: list[CellOutcome] = field(default_factory=list)
    seconds: float = 0.0
    worker: str = ""
    phases: dict[str, tuple[float, float]] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
