"""Re-run a notebook's trusted cells in a clean process, the student's functions replayed from the transcript.

    python -m grader.plugins.recheck_server < job.json > results.json   # one job
    python -m grader.plugins.recheck_server --serve                 # warm server: one JSON job per line in, one result out

job: {"cells": [{"kind": "setup" | "test", "grade_id": str, "source": str}, ...],
      "names": [the names the solution cells define], "transcripts": {grade_id: [records]}}
results: {grade_id: {"passed": bool, "ename": str, "evalue": str, "output": str, "mistake": str | None}} for every
test cell; "output" is what the trusted test code printed (at most MAX_OUTPUT characters), the only text of a test
cell that feedback shows besides the verdict; "mistake" the catalogued mistake the failed check recognised (the
`mistake` of helpers.checks.CheckFailed), as data.

Only code from the gradebook runs here (locked set-up cells and test cells); the student's code never does.
The server imports what the jobs' set-up cells import (numpy, matplotlib, helpers' modules) once, in itself, then
forks a fresh child for every job, so a job starts warm (about 0.05 s instead of a second of imports) and no job
can see what an earlier one left. `RecheckServer` is the grader's side of it: one server per grading process,
restarted if it dies or hangs.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time

def _python(source: str) -> str:
    """The cell without IPython magics and shell escapes, which mean nothing outside a kernel."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


#: characters of a test cell's printed output kept in its result
MAX_OUTPUT = 20_000


def _mistake(error: BaseException) -> str | None:
    mistake = getattr(error, "mistake", None)
    return mistake if isinstance(mistake, str) else None


def run(job: dict) -> dict:
    from helpers.transcript import Replay

    namespace: dict = {"__name__": "__main__"}
    results = {}
    sink = io.StringIO()
    for cell in job["cells"]:
        source = _python(cell["source"])
        gid = cell["grade_id"]
        if cell["kind"] == "test":
            records = job["transcripts"].get(gid, [])
            for name in job["names"]:
                namespace[name] = Replay(name, records)
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                exec(compile(source, f"<{gid}>", "exec"), namespace)
        except BaseException as error:  # noqa: BLE001 - a test's failure, whatever it is, is a result
            if cell["kind"] == "test":
                results[gid] = {"passed": False, "ename": type(error).__name__, "evalue": str(error)[:4000],
                                "output": sink.getvalue()[:MAX_OUTPUT], "mistake": _mistake(error)}
            continue
        else:
            if cell["kind"] == "test":
                results[gid] = {"passed": True, "ename": "", "evalue": "", "output": sink.getvalue()[:MAX_OUTPUT],
                                "mistake": None}
        finally:
            sink.seek(0)
            sink.truncate()
    return results


def warm(job: dict) -> None:
    """Import, in this process, the modules the job's set-up cells import, so that every later fork has them.

    Only module imports happen here, never the cells themselves: a name that is not a module is skipped.
    """
    for cell in job["cells"]:
        if cell["kind"] != "setup":
            continue
        try:
            tree = ast.parse(_python(cell["source"]))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for name in names:
                with contextlib.suppress(Exception):  # `from helpers.checks import call`: call is no module
                    importlib.import_module(name)


def _read_line(fd: int, timeout: float | None) -> bytes | None:
    """One line from `fd` (without the newline); None at end of file or when `timeout` seconds pass first."""
    chunks, deadline = [], None if timeout is None else time.monotonic() + timeout
    while True:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not select.select([fd], [], [], wait)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return None
        chunks.append(chunk)
        if b"\n" in chunk:
            line = b"".join(chunks)
            return line[: line.index(b"\n")]


def _forked(job: dict, timeout: float) -> dict | None:
    """Run `job` in a forked child with its own copy of the warm interpreter; None if it fails or overruns."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its output must never reach the server's stdout, which carries the protocol
        os.close(read)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        code = 1
        try:
            with os.fdopen(write, "w") as out:
                out.write(json.dumps(run(job)) + "\n")
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    try:
        line = _read_line(read, timeout)
    finally:
        os.close(read)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    try:
        return json.loads(line) if line else None
    except json.JSONDecodeError:
        return None


def serve(idle: float = 600.0) -> None:
    """Answer jobs {"job": ..., "timeout": s} read one per line from stdin, one result line each on stdout;
    exit at end of input or after `idle` seconds without a job."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    while True:
        line = _read_line(0, idle)
        if line is None:
            return
        request = json.loads(line)
        warm(request["job"])
        out.write(json.dumps(_forked(request["job"], request["timeout"])).encode() + b"\n")
        out.flush()


class RecheckServer:
    """The grader's handle on a warm `python -m grader.plugins.recheck_server --serve`, started on first use."""

    def __init__(self, env: dict | None = None):
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "grader.plugins.recheck_server", "--serve"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env)
        if _read_line(proc.stdout.fileno(), 120) != b"ready":
            proc.kill()
            proc.wait()
            raise RuntimeError("the re-check server did not start")
        return proc

    def check(self, job: dict, timeout: float) -> dict | None:
        """The job's results; None if it could not finish within `timeout` seconds."""
        with self.lock:
            try:
                if self.proc is None or self.proc.poll() is not None:
                    self.proc = self._start()
                self.proc.stdin.write(json.dumps({"job": job, "timeout": timeout}).encode() + b"\n")
                self.proc.stdin.flush()
                # the server kills a job at `timeout`; past that (plus slack) the server itself is stuck
                line = _read_line(self.proc.stdout.fileno(), timeout + 30)
            except (OSError, RuntimeError):
                line = None
            if line is None:
                self.close()
                return None
            return json.loads(line)  # null when the job's child failed or overran

    def cpu(self) -> tuple[int | None, float]:
        """The server's pid (None when none runs) and the CPU seconds it and its finished jobs have used so far."""
        from .phases import process_cpu

        if self.proc is None or self.proc.poll() is not None:
            return None, 0.0
        return self.proc.pid, process_cpu(self.proc.pid)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.stdout.write(json.dumps(run(json.load(sys.stdin))))


if __name__ == "__main__":
    main()
