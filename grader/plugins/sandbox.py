"""The grading kernel's sandbox launcher: resource limits, then bubblewrap on an allow-list (`grader.plugins.mounts`).

`grader.plugins.kernel.CourseKernelManager` starts every grading kernel through this module's launcher:

    python -m grader.plugins.sandbox --cwd DIR --kernel-dir KDIR -- <ipykernel command>

The launcher sets resource limits (inherited by everything the kernel starts) and execs bubblewrap with the command
line of `grader.plugins.mounts.bwrap_command`: an empty root holding only what the interpreter needs, `helpers` and the
submission's own files, no network, no capabilities (see that module for what the kernel sees).

The kernel dies with the process that started it (`--parent-pid`, a grading worker), whatever moment that dies at:
the launcher exits at once if that parent is already gone, else stays beside bubblewrap as its supervisor (a child
subreaper) and kills everything it started when the parent dies (`supervise`). bubblewrap's own --die-with-parent
takes effect only once bubblewrap runs, and a parent-death signal is cleared when bubblewrap changes credentials:
a grading worker killed at such a moment left a kernel running that nobody would stop.

With `--zygote SOCKET` the launcher first asks the grading process's warm kernel (`grader.plugins.zygote`, itself
started through this launcher with `--serve-zygote`) to fork the kernel, and supervises that fork the same way
(`from_zygote`); when the warm kernel cannot take it, it starts the kernel cold as above.

The launcher runs once per kernel start, so it imports nothing but the standard library (it starts in 0.03 s).
`sandbox_problem()` runs it once per process on a tiny script that imports ipykernel and `helpers`, so grading
refuses to start, with the reason, where a kernel could not start in the sandbox (instead of scoring everyone 0).
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import json
import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from .mounts import MiB, bwrap_command, sandbox_environment, submission_files, zygote_command


def _own_process_count() -> int:
    uid = os.getuid()
    return sum(1 for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid)


def _owner(p: Path) -> int:
    try:
        return p.stat().st_uid
    except OSError:
        return -1


def set_limits(cpu_seconds: int, memory_mib: int, file_mib: int, processes: int) -> None:
    """Resource limits of the kernel and everything it starts."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mib * MiB, memory_mib * MiB))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mib * MiB, file_mib * MiB))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # RLIMIT_NPROC counts every process of the real user, so allow what runs already plus a margin
    n = _own_process_count() + processes
    resource.setrlimit(resource.RLIMIT_NPROC, (n, n))


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Send `signum` to this process when its parent dies (the setting survives exec), and exit now if `parent`,
    the pid of the process that started it, is no longer its parent (it died while this process was starting).
    OSError if the kernel refuses the setting."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)


PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def children(pid: int | None = None) -> list[int]:
    """The pids of the living children of process `pid` (default: this one; for a subreaper, the orphans of its
    descendants included)."""
    pid = os.getpid() if pid is None else pid
    try:
        return [int(kid) for kid in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        if Path(f"/proc/{pid}").exists():  # a kernel built without CONFIG_PROC_CHILDREN: every process's parent
            return [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat") if _parent(stat) == pid]
        return []
    except (OSError, ValueError):
        return []


def _parent(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None  # it ended meanwhile


def _end_everything(status: int = 137, *_) -> None:
    """Kill every descendant (bubblewrap, and whatever it left orphaned, which comes back to this subreaper),
    reap them all, and exit with `status`."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP})
    while kids := children():
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in kids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    os._exit(status)


def supervise(parent: int, command: list[str]) -> None:
    """Run `command` (bubblewrap) as a child and stay beside it: when `parent` (the grading worker) dies, however and
    whenever, every process this one started is killed; when the child ends, exit with its status.

    jupyter_client starts the launcher as a process group of its own and kills that group to stop a kernel, which
    takes this process and bubblewrap together; bubblewrap's --die-with-parent then ends the sandbox's PID
    namespace, kernel and all. A parent-death signal alone was not enough: bubblewrap run as root changes its
    credentials while it starts, which clears the signal, so a worker killed at that moment left a kernel running
    that nobody would stop. Here the parent's death is watched through a pidfd (poll(2) on the process itself, no
    signal to lose), with SIGTERM at its death as a second way. Killing the process group was not enough either:
    the sandbox's first process runs in a session of its own (--new-session) and sets its own parent-death signal
    only once it runs, so bubblewrap killed just before left it orphaned. This process is therefore a child
    subreaper (prctl(2), PR_SET_CHILD_SUBREAPER): such orphans come back to it, and it kills them too."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    signal.signal(signal.SIGTERM, functools.partial(_end_everything, 137))
    signal.signal(signal.SIGHUP, functools.partial(_end_everything, 137))
    die_with_parent(parent, signal.SIGTERM)
    try:
        watched = os.pidfd_open(parent)
    except ProcessLookupError:  # it died, and was reaped, before the pidfd was open
        _end_everything()
    if os.getppid() != parent:  # it died before the pidfd was open
        _end_everything()
    me = os.getpid()
    child = os.fork()
    if child == 0:
        die_with_parent(me)
        os.execvp(command[0], command)
    ended = os.pidfd_open(child)
    while True:
        ready, _, _ = select.select([watched, ended], [], [])
        if watched in ready:
            _end_everything()
        if ended in ready:
            _, status = os.waitpid(child, 0)
            _end_everything(os.waitstatus_to_exitcode(status) % 256)


# ------------------------------------------------------------------------------------------ the warm kernel
def _link_or_copy(source: Path, target: Path) -> None:
    if target.exists():  # a restarted kernel: its files are there from its first start
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _zygote_files(cwd: Path, kernel_dir: Path) -> Path | None:
    """The submission's own files (`submission_files`) beside the kernel's folder, for the zygote to bind read-only
    into the kernel's notebook folder (it cannot see `cwd`); None when there are none."""
    files = submission_files(cwd)
    if not files:
        return None
    folder = kernel_dir.with_name(kernel_dir.name + ".files")
    for rel in files:
        _link_or_copy(cwd / rel, folder / rel)
    return folder


def _message(conn: socket.socket) -> tuple[dict, list[int]]:
    import array

    fds, data = array.array("i"), b""
    while not data.endswith(b"\n"):
        chunk, ancillary, _, _ = conn.recvmsg(1 << 16, socket.CMSG_SPACE(4 * fds.itemsize))
        if not chunk:
            raise EOFError("the warm kernel closed the connection")
        data += chunk
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    return json.loads(data), list(fds)


def _host_pid(pidfd: int) -> int | None:
    """The pid, in this PID namespace, of the process `pidfd` refers to (/proc/self/fdinfo)."""
    for line in Path(f"/proc/self/fdinfo/{pidfd}").read_text().splitlines():
        if line.startswith("Pid:"):
            return int(line.split()[1])
    return None


def from_zygote(parent: int | None, zygote: str, cwd: Path, kernel_dir: Path, limits: dict, command: list[str]) -> bool:
    """Ask the warm kernel listening on `zygote` (`grader.plugins.zygote`) to fork the kernel `command`
    ([python, -m, ipykernel_launcher, ...]) for the notebook folder `cwd`, and stay beside it like `supervise`:
    exit with its status; kill it when `parent` dies or this process is told to stop. Returns False, having started
    nothing, when the warm kernel cannot take it (busy, gone): then the caller starts the kernel cold.

    For the phase clock, the kernel's process (in this PID namespace) is written to <kernel_dir>.pid and, when it
    has ended, its CPU seconds (with everything it waited for) to <kernel_dir>.cpu."""
    files = _zygote_files(cwd, kernel_dir)
    request = {"argv": command[3:], "env": sandbox_environment(), "kernel_dir": str(kernel_dir),
               "files_dir": None if files is None else str(files), "folder": cwd.name, "limits": limits}
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(zygote)
        conn.sendmsg([json.dumps(request).encode() + b"\n"],
                     [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array_of([0, 1, 2]))])
        reply, fds = _message(conn)
    except (OSError, ValueError, EOFError) as e:
        print(f"the warm kernel could not start this kernel ({e}): starting it cold", file=sys.stderr)
        conn.close()
        return False
    if "pid" not in reply or not fds:
        print(f"the warm kernel could not start this kernel ({reply.get('busy') or reply}): starting it cold",
              file=sys.stderr)
        conn.close()
        return False
    pidfd = fds[0]
    pid = _host_pid(pidfd)
    Path(f"{kernel_dir}.pid").write_text(str(pid))

    def kill(*_) -> None:
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        except OSError:
            pass
        os._exit(137)

    signal.signal(signal.SIGTERM, kill)
    signal.signal(signal.SIGHUP, kill)
    watched = [conn, pidfd]
    if parent is not None:
        try:
            watched.append(os.pidfd_open(parent))
        except ProcessLookupError:
            kill()
        if os.getppid() != parent:
            kill()
    while True:
        ready, _, _ = select.select(watched, [], [])
        if conn in ready:
            try:
                reply, _ = _message(conn)
            except (OSError, ValueError, EOFError):
                reply = {"exit": 137}
            if "cpu" in reply:
                Path(f"{kernel_dir}.cpu").write_text(str(reply["cpu"]))
            os._exit(int(reply.get("exit", 1)) % 256)
        if len(watched) > 2 and watched[2] in ready:  # the grading worker died
            kill()
        if pidfd in ready:  # ended: the zygote's word with its status follows at once
            if not select.select([conn], [], [], 5)[0]:
                os._exit(137)
            watched = [conn]


def array_of(fds: list[int]):
    import array

    return array.array("i", fds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="start a grading kernel in the course's sandbox")
    parser.add_argument("--parent-pid", type=int, default=None,
                        help="the pid of the process starting the kernel: the kernel dies with it")
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--kernel-dir", required=True)
    parser.add_argument("--cpu-seconds", type=int, default=300)
    parser.add_argument("--memory-mib", type=int, default=3072)
    parser.add_argument("--file-mib", type=int, default=64)
    parser.add_argument("--processes", type=int, default=128)
    parser.add_argument("--no-bwrap", action="store_true", help="limits only (the instructor opted out)")
    parser.add_argument("--zygote", default=None,
                        help="the socket of the warm kernel (grader.plugins.zygote) to fork the kernel from")
    parser.add_argument("--serve-zygote", action="store_true",
                        help="run the warm kernel itself, KERNEL_DIR being the folder of its kernels' folders")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.parent_pid is not None:
        die_with_parent(args.parent_pid)
    if args.zygote and not args.no_bwrap:
        limits = {"cpu_seconds": args.cpu_seconds, "memory_mib": args.memory_mib, "file_mib": args.file_mib,
                  "processes": args.processes}
        from_zygote(args.parent_pid, args.zygote, Path(args.cwd).resolve(), Path(args.kernel_dir).resolve(), limits,
                    command)
    if args.serve_zygote:
        # the zygote lives as long as its grading process; each kernel it forks sets its own CPU limit
        set_limits(24 * 3600, args.memory_mib, args.file_mib, args.processes)
        cmd = zygote_command(Path(args.kernel_dir).resolve(), command)
    else:
        set_limits(args.cpu_seconds, args.memory_mib, args.file_mib, args.processes)
        if args.no_bwrap:
            os.execvp(command[0], command)
        cmd = bwrap_command(Path(args.cwd).resolve(), Path(args.kernel_dir).resolve(), command)
    if args.parent_pid is None:
        os.execvp(cmd[0], cmd)
    supervise(args.parent_pid, cmd)


# ------------------------------------------------------------------------------------------ availability
_PROBE_CODE = "import ipykernel.kernelapp, helpers; print('kernel can start')"


def probe(python: str | None = None, timeout: float = 120) -> str | None:
    """Start `python` (the kernel's interpreter, sys.executable by default) through the launcher, in the real
    sandbox, on a script that imports ipykernel and `helpers`: None if it works, else why not, with its stderr.

    Seeing bubblewrap run is not enough: an environment the sandbox hides (under /tmp, say) lets every kernel die
    before it replies, and the class would be scored 0 instead of grading stopping with the reason."""
    python = python or sys.executable
    with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as tmp:
        cwd, kernel_dir = Path(tmp, "notebook"), Path(tmp, "kernel")
        cwd.mkdir()
        kernel_dir.mkdir()
        cmd = [python, "-m", "grader.plugins.sandbox", "--cwd", str(cwd), "--kernel-dir", str(kernel_dir), "--",
               python, "-c", _PROBE_CODE]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"a kernel's interpreter could not be started in the sandbox ({e})"
    if run.returncode != 0 or "kernel can start" not in run.stdout:
        err = run.stderr.strip()[-2000:] or f"exit status {run.returncode}"
        return f"a kernel cannot start in the sandbox with {python}: {err}"
    return None


@functools.lru_cache(maxsize=None)
def sandbox_problem() -> str | None:
    """None when a grading kernel can start in the sandbox here, else what is wrong (checked once per process)."""
    if sys.platform != "linux":
        return f"the sandbox needs Linux (bubblewrap and namespaces); this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    check = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--uid", "65534", "--gid", "65534",
                            "--cap-drop", "ALL", "--die-with-parent", "true"], capture_output=True, text=True)
    if check.returncode != 0:
        return f"bubblewrap cannot create namespaces here ({check.stderr.strip() or check.returncode})"
    return probe()


if __name__ == "__main__":
    main()
