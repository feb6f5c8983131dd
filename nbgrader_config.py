"""nbgrader configuration of the course; `nbgrader ...` and `course ...` run from this folder use it.

The course root is the folder nbgrader runs in, and the layout is source/, release/, submitted/, autograded/,
feedback/. The gradebook is ./gradebook.db (nbgrader's SQLite default), or the database NBGRADER_DB_URL names
(an SQLAlchemy URL, e.g. postgresql://grader@dbhost/course, for several graders at once): the nbgrader commands,
the formgrader and `course grade` then all use that database.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "optimization-setup"
if os.environ.get("NBGRADER_DB_URL"):
    c.CourseDirectory.db_url = os.environ["NBGRADER_DB_URL"]

# Solutions become this stub in release/; test cells turn NotImplementedError into a message.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A submission's notebook runs in seconds; a cell past this is stuck (an infinite loop, say).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# Keep autograded notebooks and feedback small whatever a submission prints.
c.LimitOutput.max_lines = 300
c.LimitOutput.max_traceback = 60

# The exchange (release/fetch/submit, and the assignment list in JupyterLab) lives inside the course,
# so a single-machine course needs no /srv/nbgrader and no root. On the course's JupyterHub, COURSE_EXCHANGE names
# the one exchange all its users share (the hub sets it, with its exchange classes: hub/README.md), and this file,
# loaded last from the instructor's course folder, keeps it.
if os.environ.get("COURSE_EXCHANGE"):
    c.Exchange.root = os.environ["COURSE_EXCHANGE"]
else:
    c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".exchange")
    os.makedirs(c.Exchange.root, exist_ok=True)
c.Exchange.path_includes_course = True

# A timestamp.txt that nbgrader cannot parse stops its whole run (nbgrader 0.9.6 calls a missing `fail`):
# read timestamps leniently instead, and ignore an unreadable one with a warning (grader/timestamps.py).
from grader.timestamps import install as read_timestamps_leniently  # noqa: E402

read_timestamps_leniently()

# nbgrader stamps every new gradebook with the revision `alembic heads` prints, run in a subprocess (seconds);
# alembic's own API gives the same revision in this process (grader/gradebook.py).
from grader.gradebook import install as stamp_new_gradebooks_in_process  # noqa: E402

stamp_new_gradebooks_in_process()

# Safe grading on every path that autogrades (nbgrader autograde, the formgrader's button, course grade):
# the kernel runs in a sandbox (grader.kernel, grader.sandbox), every test that passes is checked again
# outside it (grader.recheck.Reverify), deleted test cells are put back, and feedback hides the hidden tests.
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearOutput, GetGrades, IgnorePattern, LimitOutput, OverwriteKernelspec,
    SaveAutoGrades)

from grader.execute import SafeExecute  # noqa: E402
from grader.feedback import HideHiddenTests  # noqa: E402
from grader.mathml import MarkdownMathML  # noqa: E402
from grader.recheck import Reverify  # noqa: E402
from grader.restore import RestoreCells  # noqa: E402

c.Autograde.autograde_preprocessors = [SafeExecute, Reverify, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
# RestoreCells (grader.restore) stands for nbgrader's DeduplicateIds and OverwriteCells: it puts back every
# graded, locked and task cell from the gradebook whatever the structure of the submission (CONTRIBUTING.md).
c.Autograde.sanitize_preprocessors = [ClearOutput, OverwriteKernelspec, RestoreCells, CheckCellMetadata]
# Feedback's formulas as MathML: drawn with no script and no CDN, where MathJax cannot load (grader/mathml.py).
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, MarkdownMathML, CSSHTMLHeaderPreprocessor]
c.SafeExecute.timeout = 30
# c.CourseKernelManager.sandbox = False  # grade without the sandbox where bubblewrap cannot run (not safe)

# grades.csv (`nbgrader export` and `course grade` alike): nbgrader's CSV columns, with no score where grading failed
# (the reason is in grading-errors.csv), never a zero (grader/export.py).
from grader.export import GradesCsv  # noqa: E402

c.ExportApp.plugin_class = GradesCsv

# Validate (the JupyterLab button, `nbgrader validate`) runs a notebook as grading does where a student sees it:
# no stdin, grading's per-cell timeout, no demo_* cells, stderr scored as grading scores it, and an error in any
# code cell reported, solution cells included (an input() there fails when grading), see grader/validate.py.
from grader.validate import install as validate_as_grading  # noqa: E402

validate_as_grading()
c.Validator.validate_all = True
