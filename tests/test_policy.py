"""The live course's policy file (grader/policy.py) and its late penalty (grader/plugins/late_penalty.py), without a
hub: what `course policy` writes is what the service and nbgrader's AssignLatePenalties read back."""

from __future__ import annotations

import datetime
import pytest

from grader.policy import DAY, Policies, Policy, parse_due


def test_an_assignment_without_a_policy_is_manual_as_nbgrader_is(tmp_path):
    policy = Policies.load(tmp_path)["01_normalization"]
    assert policy.feedback == "manual" and policy.attempts is None and policy.late_fraction(10 * DAY) == 0


def test_what_is_saved_is_what_is_loaded(tmp_path):
    policies = Policies.load(tmp_path)
    policies.set("02_vanishing_exploding", feedback="on-submit", show="score", attempts=3, attempts_per_day=1,
                 late_per_day=0.1, late_max=0.5, extensions={"ada": 48.0})
    policies.save()
    again = Policies.load(tmp_path)["02_vanishing_exploding"]
    assert again == policies["02_vanishing_exploding"]
    assert again.extension("ada") == datetime.timedelta(hours=48) and again.extension("ben") is None


def test_late_penalty_is_a_fraction_per_day_begun_up_to_its_cap():
    policy = Policy(late_per_day=0.1, late_max=0.25)
    assert [policy.late_fraction(s) for s in (0, 1, DAY, DAY + 1, 10 * DAY)] == pytest.approx([0, 0.1, 0.1, 0.2, 0.25])
    assert policy.late_description() == "10% per day late, at most 25%"


@pytest.mark.parametrize("bad", [{"feedback": "sometimes"}, {"show": "code"}, {"attempts": 0},
                                 {"late_per_day": 1.5}])
def test_an_invalid_policy_is_refused_with_its_field_named(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        Policy(**bad)


def test_an_invalid_file_names_the_file_and_the_assignment(tmp_path):
    (tmp_path / "policies.toml").write_text('[01_normalization]\nfeedback = "often"\n')
    with pytest.raises(ValueError, match=r"policies.toml \[01_normalization\]"):
        Policies.load(tmp_path)


def test_due_dates_are_stored_as_nbgrader_stores_them_naive_utc():
    assert parse_due("2026-12-14T23:59:00+01:00") == datetime.datetime(2026, 12, 14, 22, 59)
    assert parse_due("2026-12-14T23:59Z") == datetime.datetime(2026, 12, 14, 23, 59)
    assert parse_due("none") is None


def test_the_late_plugin_takes_the_graded_assignments_fraction_of_the_score(tmp_path):
    from nbgrader.preprocessors import AssignLatePenalties
    from traitlets.config import Config

    from grader.plugins.late_penalty import PolicyLatePenalty

    policies = Policies.load(tmp_path)
    policies.set("03_initialization", late_per_day=0.2, late_max=0.5)
    policies.save()
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    for assignment, expected in (("03_initialization", 4.0), ("04_gradient_checking", None)):
        parent = AssignLatePenalties(config=config)
        parent.assignment_id = assignment  # as AssignLatePenalties.preprocess sets it before it asks its plugin
        plugin = PolicyLatePenalty(parent=parent)
        assert plugin.late_submission_penalty("ada", 10.0, 1.5 * DAY) == expected
