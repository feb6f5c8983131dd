"""The course's late penalty: nbgrader's LateSubmissionPlugin, per assignment from the course's policies.toml.

nbgrader's AssignLatePenalties calls `late_submission_penalty(student, score, seconds_late)` for each late notebook
(late against the gradebook's due date plus the student's extension) and stores what it returns as the notebook's
`late_submission_penalty`, which the formgrader, `nbgrader export` and grades.csv subtract. nbgrader's own plugin
knows no assignment and offers only "none" or "zero"; this one reads the policy of the assignment being graded
(`late_per_day`, `late_max`: `grader.policy.Policy.late_fraction`) from `<CourseDirectory.root>/policies.toml`,
so plain `nbgrader autograde`, the formgrader's button, `course grade` and the live service agree.
Configured in nbgrader_config.py as `c.AssignLatePenalties.plugin_class`.
"""

from __future__ import annotations

import os

from nbgrader.plugins import LateSubmissionPlugin


class PolicyLatePenalty(LateSubmissionPlugin):
    """The fraction of the score the assignment's policy takes for this lateness (none without a policy)."""

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        from grader.policy import Policies

        assignment = getattr(self.parent, "assignment_id", None)  # set by AssignLatePenalties before it asks
        root = self.config.CourseDirectory.get("root") or os.getcwd()
        fraction = Policies.load(root)[assignment].late_fraction(total_seconds_late) if assignment else 0.0
        self.log.info("late penalty of %s on %s: %.0f%% of %s", student_id, assignment, 100 * fraction, score)
        return round(fraction * (score or 0.0), 6) if fraction else None
