"""Helpers of the course on setting up the optimization problem of deep networks.

Student-facing: `datasets`, `linear_model`, `plots`, `widgets`, `checks`.
Instructor tooling: `course` (layout), `submissions` (building notebooks), `grading` (the pipeline), `intake`
(what a run grades), `timestamps`, `restore` (cells put back from the gradebook), `validate` (the Validate button),
`autograde`, `kernel` and `sandbox` (safe grading), `verify` (the re-check), `report`, `bench`.
"""

__version__ = "0.1.0"
