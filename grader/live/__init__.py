"""The live course: every submission graded on arrival by a JupyterHub-managed service, per the assignment's policy.

`service` (the grading service, run as the instructor), `queue` (what arrived, on disk, restart-safe), `status`
(what each student may read: the status files' schema), `collect` (one submission collected), `commands`
(`course policy`, `course extend`). The policy itself is part of the course's configuration: `grader.policy`.
"""
