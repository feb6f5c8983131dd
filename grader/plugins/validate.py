"""Validate (the JupyterLab button, `nbgrader validate`) runs a notebook as grading runs it, where a student sees it.

Why: nbgrader's Validator ran the notebook with nbgrader's plain `Execute` and looked at the test cells only. A
solution cell that calls `input()` fails in the grading kernel, which has no stdin (nor has any kernel nbclient
runs: it sends every request with `allow_stdin=False`, so `input()` raises StdinNotImplementedError), and the
student's feedback shows that error in the cell; Validate ran into the same error but did not look at that cell,
and said "Success!". Other differences went both ways: Validate gave a cell 60 s (`Execute.timeout`) where grading
gives 30 s (`SafeExecute.timeout`), ran the `demo_*` cells grading skips, and failed a test cell whose correct
answer let numpy print a RuntimeWarning (stderr), which grading moves to stdout and scores in full.

`CourseValidator` is nbgrader's Validator with `ValidateExecute` in place of `Execute`, which takes from grading's
own `SafeExecute` (as nbgrader_config.py configures it) the per-cell timeout and the cells it skips, and leaves
stderr as grading leaves it for scoring. With `c.Validator.validate_all = True` (nbgrader_config.py) an error in
any code cell is reported, solution cells included: every error grading would show the student.

What grading has and Validate has not, on purpose: the bubblewrap sandbox (a student's laptop need not have it),
the re-check of passing tests outside the kernel, and the hidden tests. Each of them can only take points away,
so a notebook Validate fails also loses those points in grading, and not always the other way round
(tests/test_validate.py checks both over the fixture catalogue).

nbgrader builds its Validator by name, with no setting to choose the class, in `nbgrader validate`
(nbgrader.apps.validateapp) and in the Validate button's server extension; `grader.plugins.patches`, run from
nbgrader_config.py (which both load before they validate), puts `CourseValidator` in its place there.
"""

from __future__ import annotations


from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
from nbgrader.validator import Validator
from traitlets import Integer, List

__all__ = ["CourseValidator", "ValidateExecute"]

#: the modules that build nbgrader's Validator by name: `nbgrader validate`, the Validate button's server extension
VALIDATOR_USERS = ("nbgrader.apps.validateapp", "nbgrader.server_extensions.validate_assignment.handlers")


class ValidateExecute(Execute):
    """nbgrader's Execute with grading's per-cell timeout, without the cells grading skips, and stderr as grading
    scores it. Runs an ordinary local kernel (no sandbox), so it works wherever JupyterLab does; one that dies
    before it replies is replaced (`start_attempts`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .execute import SafeExecute

        # grading's executor as the course's config sets it up: its timeout and skip rule, exactly as grading reads
        # them (c.SafeExecute, else c.Execute, else the class defaults); nothing is started by building it
        grading = SafeExecute(config=self.config)
        if "timeout" not in self.config.get("ValidateExecute", {}):
            self.timeout = grading.timeout
        self.skip_prefix = grading.skip_prefix

    start_attempts = Integer(3, help="kernels started before Validate gives up on one that dies before it replies "
                                     "(on a busy machine another process can take a TCP port jupyter_client picked "
                                     "for it)").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        for attempt in range(1, self.start_attempts + 1):
            try:
                return super().preprocess(nb, resources, km)
            except RuntimeError as error:  # nbclient's "Kernel died before replying to kernel_info": no cell ran
                if "died before replying" not in str(error) or attempt == self.start_attempts:
                    raise
                self.log.warning("The kernel died before it replied (%s); starting another.", error)

    def preprocess_cell(self, cell, resources, index):
        from .execute import _is_demo

        if _is_demo(cell, self.skip_prefix):  # a demonstration: grading does not run it, no test depends on it
            return cell, self.resources
        cell, resources = super().preprocess_cell(cell, resources, index)
        # Grading fails a test by its error only: stderr in a test cell (a RuntimeWarning of a correct answer) is
        # moved to stdout and the cell keeps its points (SafeExecute), and stderr elsewhere scores nothing. Here
        # nbgrader would fail the cell for it (a test cell always, any cell with validate_all), so it moves too.
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr":
                output.name = "stdout"
        return cell, resources


class CourseValidator(Validator):
    """nbgrader's Validator running the notebook with `ValidateExecute` (see the module's docstring)."""

    preprocessors = List([CheckCellMetadata, ClearOutput, ValidateExecute])
