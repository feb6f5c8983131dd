"""One submission collected, and one student's feedback released, by the grading service, with the hub's classes.

`collect_one` runs the course's `SafeCollect` (only the student's own regular files, the exchange's time, never a
forged folder) restricted to one folder of `inbound/` (`OneSubmissionCollect`), so the service grades exactly the
submission it noticed, even when the student has handed in again since. `release_one` runs
`PrivateReleaseFeedback` for one student of one assignment: readable by that student's own group only.
Both run in the service's process, as the instructor, on the course's configuration (its exchange, its gradebook).
"""

from __future__ import annotations

import copy
import os

from traitlets import Unicode

from ..hub.collect import SafeCollect
from ..hub.exchange import PrivateReleaseFeedback


class OneSubmissionCollect(SafeCollect):
    """`SafeCollect` of the one folder of inbound/ named `folder` (nothing when it is not genuine: the reason is
    logged, as SafeCollect logs it). The submitted/ copy is replaced when this one is newer (`update`)."""

    folder = Unicode("", help="The name of the submission's folder in inbound/").tag(config=True)

    def init_src(self):
        super().init_src()
        path = os.path.join(self.inbound_path, self.folder)
        record = self._path_to_record(path) if os.path.isdir(path) else None
        if record is None or not self._genuine(record):
            if record is not None:
                self._not_collected([record])
            self.src_records = []
        else:
            self.src_records = [record]


def _exchange_config(course, assignment: str, student: str):
    config = copy.deepcopy(course.config)
    config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.student_id = student
    return config


def _run(cls, course, assignment: str, student: str, **traits):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    config = _exchange_config(course, assignment, student)
    exchange = cls(coursedir=CourseDirectory(config=config), authenticator=Authenticator(config=config),
                   config=config, **traits)
    exchange.start()
    return exchange


def collect_one(course, assignment: str, student: str, folder: str) -> bool:
    """Collect `folder` of inbound/ into submitted/<student>/<assignment>/; whether it was genuine (collected, or
    already there). Raises nbgrader's ExchangeError when the exchange cannot be read."""
    exchange = _run(OneSubmissionCollect, course, assignment, student, folder=folder, update=True)
    return bool(exchange.src_records)


def release_one(course, assignment: str, student: str) -> None:
    """Release the feedback of `student`'s `assignment` to that student alone. Raises ExchangeError (naming the
    reason) when it could not be released."""
    _run(PrivateReleaseFeedback, course, assignment, student)
