"""Reading a submission's `timestamp.txt` leniently, so that one odd file never stops a class from being graded.

nbgrader reads `timestamp.txt` with `CourseDirectory.get_existing_timestamp`, which hands the text to dateutil
and, when that fails, calls `self.fail(...)`: CourseDirectory has no `fail`, so the run dies with
`AttributeError: 'CourseDirectory' object has no attribute 'fail'` before anyone is graded (nbgrader 0.9.6).
Students' LMS exports and hand-made folders hold such files (`2024-03-01-23-59-00-000000`, as a file name
would spell it). `read_timestamp` accepts what nbgrader accepts and, besides, six or seven groups of digits
with any separators (year, month, day, hour, minute, second, microseconds; UTC); anything else is ignored with
a warning, as nbgrader already ignores an empty file: the submission is then graded as on time.
`grader.plugins.patches` makes every nbgrader command of the course read timestamps so.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

_DIGIT_GROUPS = re.compile(r"^\D*(\d{4})\D+(\d{1,2})\D+(\d{1,2})\D+(\d{1,2})\D+(\d{1,2})\D+(\d{1,2})(?:\D+(\d{1,6}))?\D*$")

log = logging.getLogger(__name__)


def parse_timestamp(text: str) -> datetime | None:
    """A naive UTC datetime from `text`, or None when it cannot be read as a time.

    Accepts what `nbgrader.utils.parse_utc` accepts (ISO 8601, "2024-03-01 23:59:00.000000 UTC", ...) and
    digit groups `YYYY?MM?DD?hh?mm?ss[?ffffff]` with any separators, read as UTC.
    """
    from nbgrader.utils import parse_utc

    text = text.strip()
    if not text:
        return None
    try:
        return parse_utc(text)
    except (ValueError, OverflowError, TypeError):
        pass
    m = _DIGIT_GROUPS.match(text)
    if m:
        parts = [int(g) for g in m.groups()[:6]]
        micro = int((m.group(7) or "0").ljust(6, "0"))
        try:
            return datetime(*parts, micro)
        except ValueError:
            return None
    return None


def read_timestamp(folder: Path | str, warn=None) -> datetime | None:
    """The time in `folder`/timestamp.txt (None if absent, empty or unreadable; then `warn(message)` is called)."""
    path = Path(folder) / "timestamp.txt"
    if not path.is_file():
        return None
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        (warn or log.warning)(f"cannot read {path}: {error}; graded as if it had no timestamp")
        return None
    stamp = parse_timestamp(text)
    if stamp is None and text.strip():
        (warn or log.warning)(f"{path} holds {text.strip()[:60]!r}, which is not a date and time; "
                              "graded as if it had no timestamp (so not late)")
    return stamp
