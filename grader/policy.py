"""The live course's policy per assignment, in one file of the instructor's course folder: `policies.toml`.

    [02_vanishing_exploding]
    feedback = "on-submit"        # on-submit | after-due-date | manual (the default: nothing happens by itself)
    show = "tests"                # tests: each test cell's score and named mistake on submit; score: the score alone
    attempts = 3                  # graded attempts in total (absent: unlimited)
    attempts_per_day = 2          # graded attempts per UTC day (absent: unlimited)
    late_per_day = 0.1            # fraction of the score taken per day (or part of one) late...
    late_max = 0.5                # ...at most this fraction
    [02_vanishing_exploding.extensions]
    ada = 48.0                    # hours added to ada's due date

The due date is not in this file: it is nbgrader's own `Assignment.duedate` in the gradebook (UTC), which the
formgrader shows and edits, and `course policy --due` sets; an extension is also written into the gradebook's
`SubmittedAssignment.extension` once the student has a submission, so nbgrader's own views agree. A submission
that could not be graded costs no attempt. `Course.policies` loads this file once per run; the late penalty is
applied by nbgrader's AssignLatePenalties through `grader.plugins.late_penalty.PolicyLatePenalty`.
"""

from __future__ import annotations

import datetime
import math
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

FILE = "policies.toml"
FEEDBACK = ("on-submit", "after-due-date", "manual")
SHOW = ("tests", "score")
DAY = 86400.0


@dataclass(frozen=True)
class Policy:
    """One assignment's policy (see the module docstring); the defaults are nbgrader's behaviour."""

    feedback: str = "manual"
    show: str = "tests"
    attempts: int | None = None
    attempts_per_day: int | None = None
    late_per_day: float | None = None
    late_max: float | None = None
    extensions: dict[str, float] = field(default_factory=dict)  # student -> hours

    def __post_init__(self):
        if self.feedback not in FEEDBACK:
            raise ValueError(f"feedback {self.feedback!r}: expected one of {', '.join(FEEDBACK)}")
        if self.show not in SHOW:
            raise ValueError(f"show {self.show!r}: expected one of {', '.join(SHOW)}")
        for name in ("attempts", "attempts_per_day"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} {value!r}: expected a whole number of at least 1, or none")
        for name in ("late_per_day", "late_max"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ValueError(f"{name} {value!r}: expected a fraction of the score between 0 and 1")

    def late_fraction(self, seconds_late: float) -> float:
        """The fraction of the score taken for `seconds_late`: `late_per_day` per day or part of one, at most
        `late_max` (all of it when no cap is given); 0 when on time or without a penalty."""
        if seconds_late <= 0 or not self.late_per_day:
            return 0.0
        fraction = self.late_per_day * math.ceil(seconds_late / DAY)
        return min(fraction, self.late_max if self.late_max is not None else 1.0)

    def late_description(self) -> str | None:
        """The penalty in words ("10% per day late, at most 50%"), or None without one."""
        if not self.late_per_day:
            return None
        cap = f", at most {self.late_max:.0%}" if self.late_max is not None else ""
        return f"{self.late_per_day:.0%} per day late{cap}"

    def extension(self, student: str) -> datetime.timedelta | None:
        hours = self.extensions.get(student)
        return datetime.timedelta(hours=hours) if hours else None


class Policies:
    """Every assignment's policy, from `<course root>/policies.toml` (an assignment it does not name: `Policy()`)."""

    def __init__(self, path: Path, table: dict[str, Policy] | None = None):
        self.path = Path(path)
        self.table = dict(table or {})

    @classmethod
    def load(cls, root: Path | str) -> Policies:
        """The policies of the course at `root`. Raises ValueError naming the file and assignment when invalid."""
        path = Path(root) / FILE
        if not path.is_file():
            return cls(path)
        with open(path, "rb") as fh:
            try:
                data = tomllib.load(fh)
            except tomllib.TOMLDecodeError as error:
                raise ValueError(f"{path}: {error}") from None
        table = {}
        for assignment, entry in data.items():
            try:
                entry = dict(entry)
                entry["extensions"] = {s: float(h) for s, h in entry.get("extensions", {}).items()}
                table[assignment] = Policy(**entry)
            except (TypeError, ValueError) as error:
                raise ValueError(f"{path} [{assignment}]: {error}") from None
        return cls(path, table)

    def __getitem__(self, assignment: str) -> Policy:
        return self.table.get(assignment, Policy())

    def set(self, assignment: str, **changes) -> Policy:
        """Change some fields of `assignment`'s policy (validated) and keep the new one; returns it."""
        self.table[assignment] = replace(self[assignment], **changes)
        return self.table[assignment]

    def save(self) -> Path:
        """Write the file (through a temporary file and a rename), the assignments in order."""
        lines = ["# The live course's policy per assignment (grader/policy.py; `course policy` edits it).", ""]
        for assignment in sorted(self.table):
            p = self.table[assignment]
            lines.append(f"[{assignment}]")
            lines += [f'feedback = "{p.feedback}"', f'show = "{p.show}"']
            for name in ("attempts", "attempts_per_day", "late_per_day", "late_max"):
                if getattr(p, name) is not None:
                    lines.append(f"{name} = {getattr(p, name)!r}")
            if p.extensions:
                lines.append(f"[{assignment}.extensions]")
                lines += [f'"{s}" = {float(h)!r}' for s, h in sorted(p.extensions.items())]
            lines.append("")
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text("\n".join(lines))
        os.replace(tmp, self.path)
        return self.path


def utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """`moment` as an aware UTC datetime (nbgrader stores naive UTC datetimes); None stays None."""
    if moment is None:
        return None
    return moment.replace(tzinfo=datetime.timezone.utc) if moment.tzinfo is None else \
        moment.astimezone(datetime.timezone.utc)


def parse_due(text: str) -> datetime.datetime | None:
    """An ISO 8601 date and time (a zone, or UTC when none) as naive UTC, nbgrader's way; "none" clears it."""
    if text.lower() in ("", "none", "null"):
        return None
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return utc(moment).replace(tzinfo=None)


def due_date(gb, assignment: str) -> datetime.datetime | None:
    """The assignment's due date in the gradebook (naive UTC), or None (no date, or no such assignment)."""
    from nbgrader.api import MissingEntry

    try:
        return gb.find_assignment(assignment).duedate
    except MissingEntry:
        return None


def student_due(gb, policies: Policies, assignment: str, student: str) -> datetime.datetime | None:
    """The due date for `student`: the gradebook's, plus the student's extension (naive UTC), or None."""
    due = due_date(gb, assignment)
    extension = policies[assignment].extension(student)
    return due + extension if due is not None and extension is not None else due


def set_due(gb, assignment: str, due: datetime.datetime | None) -> None:
    gb.update_or_create_assignment(assignment, duedate=due)


def mirror_extension(gb, policies: Policies, assignment: str, student: str) -> None:
    """Write `student`'s extension into the gradebook's submission (when it has one), as nbgrader keeps it."""
    from nbgrader.api import MissingEntry

    try:
        sub = gb.find_submission(assignment, student)
    except MissingEntry:
        return
    extension = policies[assignment].extension(student)
    if sub.extension != extension:
        sub.extension = extension
        gb.db.commit()


def policy_rows(gb, policies: Policies, assignments: list[str]) -> list[str]:
    """A table of every assignment's policy and due date, for `course policy`."""
    rows = [f"{'assignment':<26} {'feedback':<15} {'show':<6} {'attempts':<9} {'per day':<8} {'due (UTC)':<20} "
            "late penalty; extensions"]
    for a in assignments:
        p, due = policies[a], due_date(gb, a)
        extensions = ", ".join(f"{s} +{h:g} h" for s, h in sorted(p.extensions.items()))
        rows.append(f"{a:<26} {p.feedback:<15} {p.show:<6} {p.attempts or '-'!s:<9} {p.attempts_per_day or '-'!s:<8} "
                    f"{due.isoformat(timespec='minutes') if due else '-':<20} {p.late_description() or '-'}"
                    f"{'; ' + extensions if extensions else ''}")
    return rows
