"""The grading kernel manager: every grading kernel starts in the sandbox (`grader.plugins.sandbox`), on Unix sockets,
forked from the grading process's warm kernel (`grader.plugins.zygote`) when it can be, else cold.

Interrupts go as `interrupt_request` messages on the control channel (ipykernel then signals itself): a SIGINT
from jupyter_client would reach the launcher (bubblewrap), not the kernel in its own session and PID namespace.
"""

from __future__ import annotations

import atexit
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, DottedObjectName, Integer, List, Type, Unicode

from . import sandbox
from helpers.transcript import ENV as TRANSCRIPT_ENV


class SandboxUnavailable(RuntimeError):
    """A grading kernel cannot run in the sandbox here: grading must stop rather than score anyone."""


#: what the warm kernel imports once: what a kernel and the graded notebooks import (02 and 05 import their
#: explorers, and with them ipywidgets: 0.2 s of CPU in each kernel otherwise)
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython", "numpy", "matplotlib",
           "matplotlib.pyplot", "matplotlib_inline.backend_inline", "helpers", "helpers.checks", "helpers.transcript",
           "helpers.datasets", "helpers.linear_model", "helpers.network", "helpers.gradient_check",
           "helpers.deep_signal", "helpers.plots", "helpers.plots.contours", "helpers.plots.depth",
           "helpers.plots.initialization", "helpers.plots.gradient_check", "helpers.plots.signal_propagation",
           "ipywidgets", "helpers.widgets.depth", "helpers.widgets.signal_propagation")


class Zygote:
    """This grading process's warm kernel (`grader.plugins.zygote`), in the sandbox, started on first use.

    `socket()` is the path of its socket once it is ready, or None when it cannot serve (it is then not asked
    again: kernels start cold). It dies with this process (the launcher's supervision, and its stdin closing)."""

    def __init__(self, python: str, preload: list[str], limits: list[str]):
        self.key = (python, preload, limits)
        self.base = Path(tempfile.mkdtemp(prefix="course-kernels-"))
        os.chmod(self.base, 0o700)
        self.path = self.base / "zygote.sock"
        command = [python, "-m", "grader.plugins.sandbox", f"--parent-pid={os.getpid()}", "--cwd", "/",
                   "--kernel-dir", str(self.base), *limits, "--serve-zygote", "--",
                   python, "/.course/zygote.py", str(self.path), *preload]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd="/",
                                        start_new_session=True)
        self.ready: bool | None = None
        self.never_started = False  # it never became ready here: this process does not try again
        self.cpu_seconds = 0.0  # the zygote's own CPU when it became ready (its imports), for the figures
        atexit.register(self.stop)

    def socket(self, timeout: float = 120) -> str | None:
        if self.ready is None:
            ready = select.select([self.process.stdout], [], [], timeout)[0]
            self.ready = bool(ready) and self.process.stdout.readline().strip() == b"ready"
            self.never_started = not self.ready
            if self.never_started and self.process.poll() is None:  # stuck: its folder stays, kernels use it
                self.process.kill()
                self.process.wait()
            if self.ready:
                from .phases import CLOCK, process_tree_cpu

                self.cpu_seconds = process_tree_cpu(self.process.pid)
                CLOCK.charge("warm kernel", self.cpu_seconds)
        if self.ready and self.process.poll() is not None:
            self.ready = False
        return str(self.path) if self.ready else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)


_ZYGOTES: dict[tuple, Zygote] = {}


def _forget_after_fork() -> None:
    _ZYGOTES.clear()  # a forked process is not the zygote's parent: it starts its own


os.register_at_fork(after_in_child=_forget_after_fork)


def zygote_for(python: str, preload: list[str], limits: list[str]) -> Zygote:
    """This process's warm kernel for `python` (one per interpreter and settings), started if need be."""
    key = (python, tuple(preload), tuple(limits))
    zygote = _ZYGOTES.get(key)
    if zygote is None or (zygote.ready is False and not zygote.never_started):  # it died: a new one
        if zygote is not None:
            zygote.stop()
        zygote = _ZYGOTES[key] = Zygote(python, preload, limits)
    return zygote


def warm_up() -> None:
    """Start this process's warm kernel with the default settings (the course's), before the first kernel needs it."""
    km = CourseKernelManager()
    shutil.rmtree(km._kernel_dir, ignore_errors=True)


class CourseKernelClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel has answered and its IOPub is seen to be connected.

    jupyter_client 8.10's `wait_for_ready` sends `kernel_info_request` until a reply comes with some IOPub message
    within 0.2 s after it, then drains IOPub until it has been silent for 0.2 s: at least 0.2 s of waiting per
    kernel start, 0.4 s when the first IOPub message is late, on every graded notebook. Here the condition is
    exact: the reply, and the kernel's `status: idle` on IOPub for that same request (ipykernel publishes one for
    every request), which proves IOPub connected. A request whose idle never arrives (IOPub was not connected yet)
    is sent again after `IOPUB_WAIT` seconds, as jupyter_client does. Earlier attempts' messages stay queued; nbclient
    reads only the messages of its own requests."""

    #: seconds to wait for a request's idle status on IOPub after its reply before asking again
    IOPUB_WAIT = 0.2

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        """Raises RuntimeError when the kernel dies first or does not answer within `timeout` seconds."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            reply = await self._message_of(self.shell_channel, request, "kernel_info_reply", min(1.0, _left(deadline)))
            if reply is not None and await self._message_of(self.iopub_channel, request, "status",
                                                            min(self.IOPUB_WAIT, _left(deadline)), state="idle"):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if _left(deadline) <= 0:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    wait_for_ready = _async_wait_for_ready

    @staticmethod
    async def _message_of(channel, request: str, msg_type: str, timeout: float, state: str | None = None):
        """The first message of `msg_type` (with `execution_state` `state`) answering `request` on `channel` within
        `timeout` seconds, or None; other messages read meanwhile are dropped (they answer earlier attempts)."""
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await channel.get_msg(timeout=left)
            except Empty:
                return None
            if (msg["msg_type"] == msg_type and msg["parent_header"].get("msg_id") == request
                    and (state is None or msg["content"].get("execution_state") == state)):
                return msg
        return None


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


class CourseKernelManager(AsyncKernelManager):
    """Starts kernels through the sandbox launcher, on Unix sockets in a private folder, recording transcripts."""

    client_class = DottedObjectName("grader.plugins.kernel.CourseKernelClient")
    client_factory = Type(CourseKernelClient, klass=AsyncKernelClient)

    sandbox = Bool(True, help="Run grading kernels under bubblewrap; grading refuses to start without it "
                              "unless this is set to False.").tag(config=True)
    cpu_seconds = Integer(300, help="CPU time of one kernel, in seconds").tag(config=True)
    memory_mib = Integer(3072, help="Address space of one kernel, in MiB").tag(config=True)
    file_mib = Integer(64, help="Largest file a kernel may write, in MiB").tag(config=True)
    processes = Integer(128, help="Processes a kernel may start").tag(config=True)
    warm = Bool(True, help="Fork each sandboxed kernel from a warm kernel of this grading process, which has "
                           "imported `preload` once (grader.plugins.zygote), instead of starting it cold").tag(config=True)
    preload = List(Unicode(), list(PRELOAD), help="Modules the warm kernel imports once").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        problem = sandbox.sandbox_problem() if self.sandbox else None
        if problem:
            raise SandboxUnavailable(
                f"Refusing to grade: the sandbox cannot run ({problem}). Student code would run with "
                "your permissions and could change the gradebook and the course files. Fix the sandbox, or opt "
                "out knowingly with `c.CourseKernelManager.sandbox = False` in nbgrader_config.py.")
        self._zygote = zygote_for(sys.executable, self.preload, self._limits()) if self.sandbox and self.warm else None
        base = None if self._zygote is None else str(self._zygote.base)
        self._kernel_dir = tempfile.mkdtemp(prefix="course-kernel-", dir=base)
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

    def _limits(self) -> list[str]:
        return [f"--cpu-seconds={self.cpu_seconds}", f"--memory-mib={self.memory_mib}",
                f"--file-mib={self.file_mib}", f"--processes={self.processes}"]

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        warm = []
        if self._zygote is not None and command[:3] == [sys.executable, "-m", "ipykernel_launcher"]:
            path = self._zygote.socket()
            warm = [f"--zygote={path}"] if path else []
        return [sys.executable, "-m", "grader.plugins.sandbox", f"--parent-pid={os.getpid()}", "--cwd", self._cwd,
                "--kernel-dir", self._kernel_dir, *self._limits(), *([] if self.sandbox else ["--no-bwrap"]),
                *warm, "--", *command]

    def kernel_cpu(self) -> float:
        """CPU seconds so far of the kernel's processes: the launcher's tree and, for a kernel forked from the warm
        kernel, the fork's (its pid and, once it ended, its CPU are beside the kernel's folder)."""
        from .phases import process_tree_cpu

        launcher = getattr(self.provisioner, "pid", None)
        total = process_tree_cpu(launcher)
        try:
            return total + float(Path(f"{self._kernel_dir}.cpu").read_text())
        except (OSError, ValueError):
            pass
        try:
            return total + process_tree_cpu(int(Path(f"{self._kernel_dir}.pid").read_text()))
        except (OSError, ValueError):
            return total

    #: CPU seconds of the kernels of this manager forked from the warm kernel that have ended (restarts too): they
    #: are not this process's children, so getrusage(RUSAGE_CHILDREN) never counts them
    ended_cpu = 0.0

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        try:
            self.ended_cpu += float(Path(f"{self._kernel_dir}.cpu").read_text())
            Path(f"{self._kernel_dir}.cpu").unlink()
        except (OSError, ValueError):
            pass
        if not restart:
            shutil.rmtree(self._kernel_dir, ignore_errors=True)
            shutil.rmtree(f"{self._kernel_dir}.files", ignore_errors=True)
            for suffix in (".pid", ".cpu"):
                Path(f"{self._kernel_dir}{suffix}").unlink(missing_ok=True)

    cleanup_resources = _async_cleanup_resources  # AsyncKernelManager binds the base method by name
