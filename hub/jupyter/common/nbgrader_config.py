"""nbgrader configuration every user of the course's hub gets (JUPYTER_CONFIG_PATH, set by the hub per role).

One exchange for the course, shared by all users of the machine, in the folder COURSE_EXCHANGE names (the hub
sets it from HUB_EXCHANGE; `course roster` creates it), laid out by course; and the exchange classes of
grader/exchange.py, which keep one student's submissions and feedback private from the others.
"""

import os

from grader.hub import COURSE_ID, DEFAULT_EXCHANGE

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = COURSE_ID
c.Exchange.root = os.environ.get("COURSE_EXCHANGE") or DEFAULT_EXCHANGE
c.Exchange.path_includes_course = True
c.ExchangeFactory.release_assignment = "grader.exchange.StickyReleaseAssignment"
c.ExchangeFactory.submit = "grader.exchange.PrivateSubmit"
c.ExchangeFactory.collect = "grader.exchange.OwnerCheckedCollect"
c.ExchangeFactory.release_feedback = "grader.exchange.PrivateReleaseFeedback"
