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

# What one submission may use when graded, in one place (README, "Grading safety"). A notebook of this course runs
# in seconds: a cell past the timeout is stuck (an infinite loop, say), interrupted, and grading goes on; Validate
# gives a cell the same time (grader/plugins/validate.py).
c.SafeExecute.timeout = 30
c.SafeExecute.interrupt_on_timeout = True
c.SafeExecute.max_output_bytes = 2_000_000
c.LimitOutput.max_lines = 300
c.LimitOutput.max_traceback = 60
c.CourseKernelManager.cpu_seconds = 300
c.CourseKernelManager.memory_mib = 3072
c.CourseKernelManager.file_mib = 64
c.CourseKernelManager.processes = 128
# c.CourseKernelManager.sandbox = False  # grade without the sandbox where bubblewrap cannot run (not safe)
# What the hub's collect takes of one submission (grader/hub/collect.py).
c.SafeCollect.max_files = 100
c.SafeCollect.max_mib = 20

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

# The course's patches of nbgrader, each naming what it fixes, refused under another nbgrader than the one they were
# written for (grader/plugins/patches.py): timestamps read leniently, new gradebooks stamped in process, and
# Validate (the JupyterLab button, `nbgrader validate`) running a notebook as grading does where a student sees it.
from grader.plugins.patches import install as patch_nbgrader  # noqa: E402

patch_nbgrader()

# Safe grading on every path that autogrades (nbgrader autograde, the formgrader's button, course grade):
# the kernel runs in a sandbox (grader.plugins.kernel, grader.plugins.sandbox), every test that passes is checked again
# outside it (grader.plugins.recheck.Recheck), deleted test cells are put back, and feedback hides the hidden tests.
# The plug-ins are named by their import path, which nbconvert and traitlets import when a command uses them: a
# student's list, fetch or submit, which loads this file too, then imports none of them (numpy, nbconvert, the
# sandbox; tests/test_student_commands.py).
NBGRADER_PP, NBCONVERT_PP = "nbgrader.preprocessors", "nbconvert.preprocessors"
c.Autograde.autograde_preprocessors = [
    "grader.plugins.execute.SafeExecute", "grader.plugins.recheck.Recheck", f"{NBGRADER_PP}.IgnorePattern",
    f"{NBCONVERT_PP}.ClearMetadataPreprocessor", f"{NBGRADER_PP}.LimitOutput", f"{NBGRADER_PP}.SaveAutoGrades",
    f"{NBGRADER_PP}.AssignLatePenalties", f"{NBGRADER_PP}.CheckCellMetadata"]
# RestoreCells (grader.plugins.restore) stands for nbgrader's DeduplicateIds and OverwriteCells: it puts back every
# graded, locked and task cell from the gradebook whatever the structure of the submission (CONTRIBUTING.md).
c.Autograde.sanitize_preprocessors = [f"{NBGRADER_PP}.ClearOutput", f"{NBGRADER_PP}.OverwriteKernelspec",
                                      "grader.plugins.restore.RestoreCells", f"{NBGRADER_PP}.CheckCellMetadata"]
# nbconvert validates the notebook once, after the last preprocessor, not after each (84 times per graded
# submission, about a tenth of a second of its CPU); a preprocessor that broke the notebook is still caught there.
c.Exporter.optimistic_validation = True
# Feedback's formulas as MathML: drawn with no script and no CDN, where MathJax cannot load (grader/plugins/mathml.py).
c.GenerateFeedback.preprocessors = [f"{NBGRADER_PP}.GetGrades", "grader.plugins.hidden_tests.HideHiddenTests",
                                    "grader.plugins.mathml.MarkdownMathML", f"{NBCONVERT_PP}.CSSHTMLHeaderPreprocessor"]
# ...rendered by an exporter that keeps its templates compiled between pages (grader/plugins/feedback_page.py).
c.GenerateFeedback.exporter_class = "grader.plugins.feedback_page.FeedbackExporter"

# A late submission loses what the assignment's policy says (policies.toml, `course policy`; the due date is the
# gradebook's, plus the student's extension): grader/plugins/late_penalty.py.
c.AssignLatePenalties.plugin_class = "grader.plugins.late_penalty.PolicyLatePenalty"

# grades.csv (`nbgrader export` and `course grade` alike): nbgrader's CSV columns, with no score where grading failed
# (the reason is in grading-errors.csv), never a zero (grader/classrun/export.py).
c.ExportApp.plugin_class = "grader.classrun.export.GradesCsv"

# Validate reports an error in any code cell, solution cells included (an input() there fails when grading).
c.Validator.validate_all = True
