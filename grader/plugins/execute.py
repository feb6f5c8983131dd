"""The notebook's execution when grading; nbgrader_config.py puts it in every grading path.

- `SafeExecute` runs the notebook in the sandboxed kernel (`grader.plugins.kernel`, `grader.plugins.sandbox`), caps each
  cell's output, and survives a cell that hangs or kills the kernel: a cell past the timeout is interrupted and
  gets an error, and the kernel goes on; a kernel that died or ignored the interrupt is restarted and the cells
  above are run again silently. Either way grading goes on with the next cell.

The re-check (`grader.plugins.recheck.Recheck`) and the feedback's `grader.plugins.hidden_tests.HideHiddenTests` are the course's
other preprocessors.
"""

from __future__ import annotations

import json

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from helpers.transcript import MIME

from . import sandbox
from .kernel import CourseKernelManager, SandboxUnavailable
from .phases import CLOCK, process_tree_cpu

#: Error names an executed cell gets when it ran out of time or its kernel died (nbgrader's and nbclient's,
#: and "KernelStopped" from SafeExecute, which restarts the kernel and goes on).
TIMEOUT_ERRORS = ("CellTimeoutError", "DeadKernelError", "KeyboardInterrupt", "TimeoutError", "KernelStopped")


#: cell metadata key under which SafeExecute records the error it gave a cell itself (a timeout, a dead kernel):
#: the kernel cannot write there, so the re-check can tell the grader's words from an error the student's code raised
STOPPED = "course_stopped"


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _stopped(cell, ename: str, evalue: str) -> NotebookNode:
    """The error the grader gives `cell`, recorded as the grader's own in the cell's metadata."""
    if cell is not None:
        cell.metadata[STOPPED] = {"ename": ename, "evalue": evalue}
    return _error(ename, evalue)


def _is_test(cell) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


DEMO_PREFIX = "demo_"


def _is_demo(cell, prefix: str = DEMO_PREFIX) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(prefix) and meta.get("locked", False) and meta.get("grade_id", "").startswith(prefix)


class SafeExecute(Execute):
    """nbgrader's Execute in the sandboxed kernel, with output caps and recovery from hung or dead kernels.

    A cell that runs past `timeout` is interrupted through the kernel's control channel (a signal cannot reach
    the kernel in its sandbox, see `grader.plugins.kernel`) and gets a CellTimeoutError; the kernel lives on, so the cells
    below see everything defined before. Only a kernel that died, or that is still busy `iopub_timeout` seconds
    after the interrupt (a loop that catches KeyboardInterrupt), is killed and restarted. Then every earlier
    non-test cell that ran to its end runs again silently, failed ones included: a cell that defined a function
    and then raised still defined it, and a later test may need it. Cells that timed out or killed the kernel are
    not run again: they would do it again.
    """

    skip_prefix = Unicode(DEMO_PREFIX, help="Locked cells whose grade_id starts with this are not run when grading: "
                          "demonstrations that no test depends on").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="Output one cell may keep (transcripts aside), in bytes").tag(config=True)
    max_transcript_bytes = Integer(256_000_000, help="Transcript one cell may send, in bytes").tag(config=True)
    _kernel_cpu: float | None = None  # the kernel's CPU seconds when it first answered (see preprocess)
    _kernel_cpu_at_stop: float | None = None  # and just before it was stopped
    _stopped_km = None  # the kernel manager stopped last (nbclient forgets it)

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = CourseKernelManager
        super().__init__(*args, **kwargs)
        # No Output-widget emulation: its messages to the kernel can stall a cell until the timeout
        # (jupyter/nbclient#312), and grading needs the outputs, not the widgets' state.
        self.widget_registry = {}

    def preprocess(self, nb, resources=None, km=None):
        self._rerun: list[str] = []  # sources of the cells to run again after a restart
        self._sizes: dict[tuple[int, bool], int] = {}
        self._timed_out = False
        # the kernel's CPU: the launcher's process tree read from /proc when the kernel answers (its start) and
        # before it is stopped; once stopped and reaped, getrusage(RUSAGE_CHILDREN) has all of it (restarts too)
        self._kernel_cpu = self._kernel_cpu_at_stop = self._stopped_km = None
        CLOCK.lap("prepare")
        try:
            return super().preprocess(nb, resources, km)
        finally:
            start = self._kernel_cpu or 0.0
            # kernels forked from the warm kernel are not reaped here: their launcher reports their CPU
            reaped = CLOCK.children_since() + getattr(self._stopped_km, "ended_cpu", 0.0)
            CLOCK.lap("execute", max(reaped, self._kernel_cpu_at_stop or 0.0) - start)

    def _tree_cpu(self) -> float:
        """The kernel's CPU seconds so far (`CourseKernelManager.kernel_cpu`; the launcher's tree for another)."""
        if hasattr(self.km, "kernel_cpu"):
            return self.km.kernel_cpu()
        return process_tree_cpu(getattr(getattr(self.km, "provisioner", None), "pid", None))

    def preprocess_cell(self, cell, resources, index):
        if _is_demo(cell, self.skip_prefix):
            return cell, self.resources
        self._timed_out = False
        try:
            cell = self.execute_cell(cell, index, store_history=True)
        except (DeadKernelError, CellTimeoutError) as stop:
            cell.outputs.append(_stopped(cell, "KernelStopped", f"{self._why_stopped(stop)}; the kernel was "
                                         "restarted, the cells above were run again, and grading went on."))
            self._restart()
        else:
            if cell.cell_type == "code" and cell.source.strip() and not self._timed_out and not _is_test(cell):
                self._rerun.append(cell.source)
        if _is_test(cell):
            # nbgrader scores a test cell with any stderr output as 0, and a numpy RuntimeWarning from a correct
            # answer lands there: here a test fails by raising, so the text stays but moves to stdout
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    output.name = "stdout"
        return cell, self.resources

    def _why_stopped(self, stop: Exception) -> str:
        if isinstance(stop, DeadKernelError) or not run_sync(self.km.is_alive)():
            return "the kernel died while running this cell (too much memory or CPU time, or the process exited)"
        if self._timed_out:
            return (f"this cell did not finish within {self.timeout} s and went on running after it was "
                    "interrupted (does it catch KeyboardInterrupt?)")
        return f"this cell did not finish within {self.timeout} s"

    async def _async_handle_timeout(self, timeout, cell=None):
        """Interrupt the cell and end it with an error the student can read; nbclient then waits up to
        `iopub_timeout` for the kernel to go idle, and raises CellTimeoutError if it does not (see preprocess_cell)."""
        if not self.interrupt_on_timeout:
            return await super()._async_handle_timeout(timeout, cell)
        self._timed_out = True
        self.log.warning("a cell ran past %s s: interrupting it", timeout)
        await ensure_async(self.km.interrupt_kernel())
        evalue = f"this cell did not finish within {timeout} s and was interrupted; grading went on with the next cell"
        _stopped(cell, "CellTimeoutError", evalue)
        return {"content": {"status": "error", "ename": "CellTimeoutError", "evalue": evalue,
                            "traceback": [f"CellTimeoutError: {evalue}"]}}

    async def async_start_new_kernel_client(self):
        """Start the client; a sandboxed kernel that dies before it replies is a broken sandbox, not a student's
        fault, so grading stops with the reason (SandboxUnavailable) instead of scoring anyone."""
        sandboxed = getattr(self.km, "sandbox", False)  # nbclient drops self.km when the start fails
        try:
            client = await super().async_start_new_kernel_client()
            if self._kernel_cpu is None:  # the first start, not a restart
                self._kernel_cpu = self._tree_cpu()
                CLOCK.lap("kernel start", CLOCK.children_since() + self._kernel_cpu)
            return client
        except RuntimeError as e:
            if "died" not in str(e) or not sandboxed:
                raise
            reason = sandbox.probe() or "its error output is in the log above"
            raise SandboxUnavailable(f"Refusing to grade: a grading kernel died before it started in the sandbox "
                                     f"({reason}).") from e

    start_new_kernel_client = run_sync(async_start_new_kernel_client)  # nbclient binds its own method by name

    async def _async_cleanup_kernel(self) -> None:
        if self.km is not None:  # the kernel's CPU before it stops, in case it is not reaped here (killed)
            self._kernel_cpu_at_stop = self._tree_cpu()
            self._stopped_km = self.km
        await super()._async_cleanup_kernel()

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def _restart(self) -> None:
        run_sync(self._async_restart)()

    async def _async_restart(self) -> None:
        if self.kc is not None:
            await ensure_async(self.kc.stop_channels())
        await ensure_async(self.km.restart_kernel(now=True))
        await self.async_start_new_kernel_client()
        for source in self._rerun:
            try:
                await self.kc.execute_interactive(source, store_history=False, stop_on_error=False,
                                                  timeout=self.timeout, output_hook=lambda msg: None)
            except TimeoutError:  # it ran to its end before; interrupt it rather than let it block the next cells
                self.log.warning("a cell run again after the kernel restarted ran past %s s", self.timeout)
                if not await ensure_async(self.km.is_alive()):
                    break  # the next cell finds the kernel dead and restarts it again
                await ensure_async(self.km.interrupt_kernel())

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        transcript = MIME in content.get("data", {})
        size = len(json.dumps(content, default=str)) if msg["msg_type"] != "status" else 0
        key = (cell_index, transcript)
        self._sizes[key] = self._sizes.get(key, 0) + size
        limit = self.max_transcript_bytes if transcript else self.max_output_bytes
        if self._sizes[key] > limit:
            if self._sizes[key] - size <= limit:
                outs.append(NotebookNode(output_type="stream", name="stdout",
                                         text=f"\n... output past {limit:,} bytes was dropped by the grader ...\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)
