"""nbgrader configuration every user of the course's hub gets (JUPYTER_CONFIG_PATH, set by the hub per role).

First the course's own nbgrader_config.py, as `make hub-env` installed it in <prefix>/etc/course/: a student's
Validate button and `nbgrader validate` then run a notebook as grading runs it (grader/plugins/validate.py: grading's
per-cell timeout, stderr scored as grading scores it, every cell's error shown), as they do on the instructor's
machine. Without it a student's correct answer that lets numpy print a RuntimeWarning failed Validate on the hub,
and only there. (The instructor's server loads the course folder's own copy after this one, so edits there win.)

Then one exchange for the hub's courses, shared by all users of the machine, in the folder COURSE_EXCHANGE names (the
hub sets it from HUB_EXCHANGE; `course roster` creates it), laid out by course; and the exchange classes of
grader/hub/exchange.py, which keep one student's submissions and feedback private from the others.

The course id is COURSE_ID, which the hub sets for a user in exactly one course (grader.hub.site.HubSite.role_env),
and none otherwise, as in nbgrader's `demo_multiple_classes`: a student in several courses then lists every course
they are in (`nbgrader list`, the Assignments tab), and fetch or submit take `--course`. The instructor's course
folder's own nbgrader_config.py, which nbgrader loads after this file, sets that course's id.
"""

import os
from pathlib import Path

from grader.hub.site import DEFAULT_EXCHANGE

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

# The course's config puts an exchange next to itself when COURSE_EXCHANGE is unset: never in the prefix.
os.environ.setdefault("COURSE_EXCHANGE", DEFAULT_EXCHANGE)
# this file is <prefix>/etc/jupyter/common/nbgrader_config.py (__file__ and load_subconfig: given by traitlets)
load_subconfig("nbgrader_config.py", path=str(Path(__file__).resolve().parents[2] / "course"))  # noqa: F821

c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "")
c.Exchange.root = os.environ["COURSE_EXCHANGE"]
c.Exchange.path_includes_course = True
c.ExchangeFactory.release_assignment = "grader.hub.exchange.StickyReleaseAssignment"
c.ExchangeFactory.fetch_assignment = "grader.hub.exchange.CourseFetchAssignment"
c.ExchangeFactory.list = "grader.hub.exchange.CourseList"
c.ExchangeFactory.submit = "grader.hub.exchange.PrivateSubmit"
c.ExchangeFactory.collect = "grader.hub.collect.SafeCollect"
c.ExchangeFactory.release_feedback = "grader.hub.exchange.PrivateReleaseFeedback"
c.ExchangeFactory.fetch_feedback = "grader.hub.exchange.CourseFetchFeedback"
