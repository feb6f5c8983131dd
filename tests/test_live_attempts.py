"""Which submissions the grading service grades (grader/live/service.py): attempts in total and per UTC day count
graded submissions only, so one that could not be graded costs none."""

from __future__ import annotations

import datetime

from grader.live.queue import Entry, Ledger
from grader.live.service import attempts_left, refusal
from grader.live.status import SubmissionStatus
from grader.policy import Policy


def _ledger(*states_and_days: tuple[str, int]) -> Ledger:
    start = datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.timezone.utc)
    entries = [Entry(f"ada+01_normalization+{i}", SubmissionStatus((start + datetime.timedelta(days=d, minutes=i))
                                                                   .isoformat(), state))
               for i, (state, d) in enumerate(states_and_days)]
    return Ledger("01_normalization", "ada", entries)


def test_a_submission_past_the_total_is_refused_and_an_ungradable_one_costs_nothing():
    policy = Policy(feedback="on-submit", attempts=2)
    ledger = _ledger(("graded", 0), ("ungradable", 0), ("queued", 0))
    assert refusal(policy, ledger, ledger.entries[-1]) is None
    assert attempts_left(policy, ledger, datetime.date(2026, 12, 1)) == 1
    ledger = _ledger(("graded", 0), ("graded", 0), ("queued", 1))
    assert refusal(policy, ledger, ledger.entries[-1]).startswith("refused: no attempts left")
    assert attempts_left(policy, ledger, datetime.date(2026, 12, 2)) == 0


def test_attempts_per_day_count_the_day_the_submission_arrived_in_utc():
    policy = Policy(feedback="on-submit", attempts_per_day=1)
    ledger = _ledger(("graded", 0), ("queued", 0), ("queued", 1))
    assert refusal(policy, ledger, ledger.entries[1]).startswith("refused: no attempts left today")
    assert refusal(policy, ledger, ledger.entries[2]) is None
    assert attempts_left(policy, ledger, datetime.date(2026, 12, 1)) == 0
    assert attempts_left(policy, ledger, datetime.date(2026, 12, 2)) == 1


def test_without_limits_nothing_is_refused_and_nothing_is_counted_down():
    ledger = _ledger(*[("graded", 0)] * 5, ("queued", 0))
    assert refusal(Policy(feedback="on-submit"), ledger, ledger.entries[-1]) is None
    assert attempts_left(Policy(feedback="on-submit"), ledger, datetime.date(2026, 12, 1)) is None
