"""Helpers of the course on setting up the optimization problem of deep networks.

Student-facing: `datasets`, `linear_model`, `plots`, `widgets`, `checks`.
Instructor tooling: `course` (layout), `submissions` (building notebooks), `grading` (the pipeline).
"""

__version__ = "0.1.0"
