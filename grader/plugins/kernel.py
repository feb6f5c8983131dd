"""The grading kernel manager: every grading kernel starts in the sandbox (`grader.plugins.sandbox`), on Unix sockets.

Interrupts go as `interrupt_request` messages on the control channel (ipykernel then signals itself): a SIGINT
from jupyter_client would reach the launcher (bubblewrap), not the kernel in its own session and PID namespace.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer

from . import sandbox
from helpers.transcript import ENV as TRANSCRIPT_ENV


class SandboxUnavailable(RuntimeError):
    """A grading kernel cannot run in the sandbox here: grading must stop rather than score anyone."""


class CourseKernelManager(AsyncKernelManager):
    """Starts kernels through the sandbox launcher, on Unix sockets in a private folder, recording transcripts."""

    sandbox = Bool(True, help="Run grading kernels under bubblewrap; grading refuses to start without it "
                              "unless this is set to False.").tag(config=True)
    cpu_seconds = Integer(300, help="CPU time of one kernel, in seconds").tag(config=True)
    memory_mib = Integer(3072, help="Address space of one kernel, in MiB").tag(config=True)
    file_mib = Integer(64, help="Largest file a kernel may write, in MiB").tag(config=True)
    processes = Integer(128, help="Processes a kernel may start").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        problem = sandbox.sandbox_problem() if self.sandbox else None
        if problem:
            raise SandboxUnavailable(
                f"Refusing to grade: the sandbox cannot run ({problem}). Student code would run with "
                "your permissions and could change the gradebook and the course files. Fix the sandbox, or opt "
                "out knowingly with `c.CourseKernelManager.sandbox = False` in nbgrader_config.py.")
        self._kernel_dir = tempfile.mkdtemp(prefix="course-kernel-")
        os.chmod(self._kernel_dir, 0o700)
        self.transport = "ipc"
        self.connection_file = os.path.join(self._kernel_dir, "kernel.json")
        self._cwd = os.getcwd()

    @property
    def kernel_spec(self):
        """The kernel spec, interrupted by message: signals cannot cross into the sandbox's namespaces."""
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    async def _async_pre_start_kernel(self, **kw):
        self._cwd = kw.get("cwd") or self._cwd
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        kw["env"][TRANSCRIPT_ENV] = "1"  # the checks record every call a test makes (helpers.transcript)
        return cmd, kw

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        limits = [f"--cpu-seconds={self.cpu_seconds}", f"--memory-mib={self.memory_mib}",
                  f"--file-mib={self.file_mib}", f"--processes={self.processes}"]
        return [sys.executable, "-m", "grader.plugins.sandbox", f"--parent-pid={os.getpid()}", "--cwd", self._cwd,
                "--kernel-dir", self._kernel_dir, *limits, *([] if self.sandbox else ["--no-bwrap"]), "--", *command]

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._kernel_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # AsyncKernelManager binds the base method by name
