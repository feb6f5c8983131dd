"""Does a cell that hangs or kills the kernel cost only its own output?

Small notebooks run through the course's SafeExecute (in the sandboxed CourseKernelManager) with a 3 s timeout.
A cell past the timeout must be interrupted inside the sandbox and the kernel must live on, with everything
defined before; only a kernel that ignores the interrupt or dies is restarted, and then every earlier cell that
ran to its end is run again, including one that defined something and then raised.
"""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.plugins.execute import SafeExecute

pytestmark = pytest.mark.slow

TIMEOUT = 3
TOKEN = "import os\ntoken = os.urandom(8).hex()\nprint(token)"  # differs in a restarted kernel, even after a re-run
FAILING_DEFINITION = "def normalize(v):\n    return v / 2\nraise ValueError('a bug after the definition')"
# swallows every KeyboardInterrupt; a one-line `while True: pass` as the inner loop was seen to let the interrupt
# escape the try at a cell's top level (CPython 3.11), so the inner loop does some work
IGNORES_INTERRUPTS = ("while True:\n    try:\n        k = 0\n        while True:\n            k += 1\n"
                      "    except KeyboardInterrupt:\n        pass")


def _run(tmp_path, *sources: str) -> list[list[dict]]:
    """Execute the cells as grading does (SafeExecute, in the sandbox) and return each cell's outputs."""
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor = SafeExecute()
    executor.timeout = TIMEOUT
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    nbformat.validate(nb)
    return [c.outputs for c in nb.cells]


def _text(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") for o in outputs if o.output_type == "stream")


def _errors(outputs: list[dict]) -> dict[str, str]:
    return {o.ename: o.evalue for o in outputs if o.output_type == "error"}


def test_a_sleeping_cell_is_interrupted_and_the_kernel_lives_on(tmp_path):
    outs = _run(tmp_path, TOKEN + "\nx = 41", "import time\ntime.sleep(10**9)", "print(x + 1)\nprint(token)")
    errors = _errors(outs[1])
    assert "KeyboardInterrupt" in errors, f"the interrupt did not reach the kernel in the sandbox: {outs[1]}"
    assert f"did not finish within {TIMEOUT} s and was interrupted" in errors.get("CellTimeoutError", ""), (
        f"the slow cell does not say it timed out and was interrupted: {errors}")
    assert "KernelStopped" not in errors, f"an interruptible cell cost a restart: {errors}"
    first, last = _text(outs[0]).split(), _text(outs[2]).split()
    assert last == ["42", first[0]], f"the next cell did not run in the same kernel: {first} then {last}"


def test_slow_cell_after_failing_cell(tmp_path):
    """The reported case: `normalize` was defined by a cell that then raised, a slow cell came next, and a later
    test lost its points with NameError because the restart re-ran only the cells that had succeeded."""
    outs = _run(tmp_path, FAILING_DEFINITION, "while True:\n    pass", "print(normalize(4))")
    assert "ValueError" in _errors(outs[0]), f"the failing cell should keep its own error: {outs[0]}"
    assert "CellTimeoutError" in _errors(outs[1]), f"the slow cell should get the timeout error: {outs[1]}"
    assert _errors(outs[2]) == {} and _text(outs[2]) == "2.0\n", f"normalize was lost after the slow cell: {outs[2]}"


def test_a_loop_that_ignores_interrupts_is_killed_and_earlier_cells_run_again(tmp_path):
    outs = _run(tmp_path, TOKEN + "\na = 1", FAILING_DEFINITION, IGNORES_INTERRUPTS,
                "print(a, normalize(4))\nprint(token)")
    stopped = _errors(outs[2]).get("KernelStopped", "")
    assert "went on running after it was interrupted" in stopped and "kernel was restarted" in stopped, (
        f"the cell that swallowed the interrupt should say so and that the kernel was restarted: {outs[2]}")
    first, last = _text(outs[0]).split(), _text(outs[3]).split()
    assert _errors(outs[3]) == {}, f"names of earlier cells are missing after the restart: {outs[3]}"
    assert last[:2] == ["1", "2.0"] and last[2] != first[0], (
        f"expected a restarted kernel (new token) with a and normalize defined again: {first} then {last}")


def test_a_kernel_that_dies_is_restarted_and_earlier_cells_run_again(tmp_path):
    outs = _run(tmp_path, "b = 2", FAILING_DEFINITION, "import os\nos._exit(1)", "print(b, normalize(4))")
    stopped = _errors(outs[2]).get("KernelStopped", "")
    assert "kernel died" in stopped and "restarted" in stopped, f"the crash should be reported: {outs[2]}"
    assert _errors(outs[3]) == {} and _text(outs[3]) == "2 2.0\n", f"names lost after the crash: {outs[3]}"


def test_a_cell_that_timed_out_is_not_run_again_after_a_restart(tmp_path):
    """Running it again would hang the restarted kernel too (and cost another timeout for nothing)."""
    outs = _run(tmp_path, "hangs = 0", "hangs += 1\nwhile True:\n    pass", "import os\nos._exit(1)", "print(hangs)")
    assert "CellTimeoutError" in _errors(outs[1]), f"the slow cell should get the timeout error: {outs[1]}"
    assert _text(outs[3]) == "0\n", f"the timed-out cell ran again after the restart: {outs[3]}"
