"""The grading kernel's sandbox: bubblewrap, resource limits, no network, nothing of the course writable.

`grader.kernel.CourseKernelManager` starts every grading kernel through this module's launcher:

    python -m grader.sandbox --cwd DIR --kernel-dir KDIR -- <ipykernel command>

The launcher sets resource limits (inherited by everything the kernel starts) and execs bubblewrap with:
the whole file system read-only; /tmp a 64 MiB tmpfs; every course root (the folder with nbgrader_config.py
above the notebook, and the one `helpers` is installed from) hidden behind an empty tmpfs; then, read-only,
everything the kernel's interpreter needs that those hide (its prefixes, its sys.path, the real paths behind
symlinks: a venv or conda environment may live anywhere, /tmp included) and `helpers`, but never a course root,
the notebook's folder, /tmp itself or a folder above them; the notebook's folder replaced by an empty 64 MiB
tmpfs (a scratch copy: what the student's code writes is thrown away); new user, PID, network, IPC and UTS
namespaces (no network at all: the kernel talks to nbgrader over Unix sockets in KDIR); all capabilities dropped.

The launcher dies with the process that started it (`--parent-pid`): it asks the kernel for SIGKILL when its parent
dies (PR_SET_PDEATHSIG, kept across the exec), then exits at once if that parent is already gone. bubblewrap's own
--die-with-parent takes effect only once bubblewrap runs: a grading worker killed while the launcher was starting
left a kernel running that nobody would stop.

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
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

MiB = 1 << 20
TMP = Path("/tmp")


def _helpers_folder() -> Path:
    """The folder of the `helpers` package the notebooks import (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("helpers")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the course's `helpers` package is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


# ------------------------------------------------------------------------------------------ the launcher
def _course_roots(cwd: Path) -> list[Path]:
    roots = []
    for start in (cwd, _helpers_folder(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "nbgrader_config.py").is_file():
                roots.append(folder)
                break
    return sorted(set(roots), key=lambda p: len(p.parts))


_PATHS_CODE = ("import json, sys; print(json.dumps([sys.executable, sys.prefix, sys.base_prefix, sys.exec_prefix, "
               "sys.base_exec_prefix, *sys.path]))")


def python_paths(python: str) -> list[str]:
    """What the interpreter `python` reads when it starts and imports: the interpreter, its prefixes, sys.path.

    The kernel is normally this very interpreter (jupyter_client runs a "python" kernel with sys.executable,
    and launches this launcher with it too, in the same environment), so its values are read here for free;
    another interpreter is asked (once per kernel start, about 20 ms)."""
    found = shutil.which(python) or python
    if os.path.abspath(found) == sys.executable:
        return [sys.executable, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path]
    try:
        out = subprocess.run([found, "-c", _PATHS_CODE], capture_output=True, text=True, check=True)
        return [found, *json.loads(out.stdout)]
    except (OSError, ValueError, subprocess.CalledProcessError):  # not a Python: only the command itself
        return [found]


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _binds(needed: list[str], hidden: list[Path], scratch: list[Path]) -> list[tuple[Path, Path]]:
    """(source, destination) read-only binds that make `needed` visible again under the `hidden` folders.

    Each path is bound at its real location and, when reached through a symlink, at the path as written
    (so sys.prefix /tmp/link/env works when /tmp/link is a symlink). A destination equal to or above a hidden
    or scratch folder is refused (that would show a course root, /tmp or the notebook's folder whole), and so is
    one inside a scratch folder (the notebook's folder stays empty, KDIR is bound writable on its own)."""
    chosen: list[tuple[Path, Path]] = []
    for path in needed:
        if not path or not os.path.exists(path):
            continue
        real = Path(os.path.realpath(path))
        for dest in dict.fromkeys([real, Path(os.path.abspath(path))]):
            if (not any(_inside(dest, h) for h in hidden)
                    or any(_inside(dest, s) or _inside(s, dest) for s in scratch)
                    or any(_inside(h, dest) for h in hidden)):
                continue
            chosen.append((real, dest))
    binds: list[tuple[Path, Path]] = []
    for real, dest in sorted(set(chosen), key=lambda b: (len(b[1].parts), str(b[1]))):
        if not any(_inside(dest, d) for _, d in binds):  # already visible through a folder above it
            binds.append((real, dest))
    return binds


def bwrap_command(cwd: Path, kernel_dir: Path, command: list[str], scratch_mib: int = 64) -> list[str]:
    """The bubblewrap command line that runs `command` (the kernel) as described in the module docstring.

    Mount order matters (a later mount covers what an earlier one shows): /tmp and the course roots are hidden
    first, what the interpreter needs is bound back, then the notebook's folder becomes scratch and KDIR is bound."""
    cmd = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
           "--size", str(scratch_mib * MiB), "--tmpfs", str(TMP)]
    roots = _course_roots(cwd)
    for root in roots:
        cmd += ["--tmpfs", str(root)]
    needed = [*python_paths(command[0]), str(_helpers_folder())] if command else []
    for real, dest in _binds(needed, [TMP, *roots], [cwd, kernel_dir]):
        cmd += ["--ro-bind", str(real), str(dest)]
    cmd += ["--size", str(scratch_mib * MiB), "--tmpfs", str(cwd),
            "--bind", str(kernel_dir), str(kernel_dir),
            "--unshare-all", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
            "--die-with-parent", "--new-session", "--chdir", str(cwd),
            # the parent is outside the PID namespace; 1 turns ipykernel's parent polling off (--die-with-parent does it)
            "--setenv", "JPY_PARENT_PID", "1",
            "--setenv", "HOME", "/tmp", "--setenv", "IPYTHONDIR", "/tmp/.ipython",
            "--setenv", "MPLCONFIGDIR", "/tmp/.matplotlib",
            "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1", "--"]
    return cmd + command
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


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when its parent dies (the setting survives exec), and exit now if `parent`, the pid
    of the process that started it, is no longer its parent (it died while this process was starting).
    OSError if the kernel refuses the setting."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)


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
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.parent_pid is not None:
        die_with_parent(args.parent_pid)
    set_limits(args.cpu_seconds, args.memory_mib, args.file_mib, args.processes)
    if args.no_bwrap:
        os.execvp(command[0], command)
    cmd = bwrap_command(Path(args.cwd).resolve(), Path(args.kernel_dir).resolve(), command)
    os.execvp(cmd[0], cmd)


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
        cmd = [python, "-m", "grader.sandbox", "--cwd", str(cwd), "--kernel-dir", str(kernel_dir), "--",
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
