"""nbgrader configuration of the instructor's server on the course's hub.

The course is the instructor's course folder (COURSE_ROOT, set by the hub: ~/optimization-setup), wherever
nbgrader or the formgrader runs; nbgrader then also loads the course's own nbgrader_config.py from that folder
(grading safeguards, limits), which keeps the exchange of COURSE_EXCHANGE.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.root = os.environ.get("COURSE_ROOT") or os.path.expanduser("~/optimization-setup")
