"""The grading kernel's sandbox: bubblewrap, resource limits, no network, nothing of the course writable.

`helpers.kernel.CourseKernelManager` starts every grading kernel through this module's launcher:

    python -m helpers.sandbox --cwd DIR --kernel-dir KDIR -- <ipykernel command>

The launcher sets resource limits (inherited by everything the kernel starts) and execs bubblewrap with:
the whole file system read-only; every course root (the folder with nbgrader_config.py above the notebook,
and the one `helpers` is installed from) hidden behind an empty tmpfs, with only the Python environment and
`helpers` mounted back read-only; the notebook's folder replaced by an empty 64 MiB tmpfs (a scratch copy:
what the student's code writes is thrown away); /tmp a 64 MiB tmpfs; new user, PID, network, IPC and UTS
namespaces (no network at all: the kernel talks to nbgrader over Unix sockets in KDIR); all capabilities dropped.

The launcher runs once per kernel start, so it imports nothing but the standard library (it starts in 0.03 s).
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

MiB = 1 << 20


# ------------------------------------------------------------------------------------------ the launcher
def _course_roots(cwd: Path) -> list[Path]:
    roots = []
    for start in (cwd, Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "nbgrader_config.py").is_file():
                roots.append(folder)
                break
    return sorted(set(roots), key=lambda p: len(p.parts))


def bwrap_command(cwd: Path, kernel_dir: Path, command: list[str], scratch_mib: int = 64) -> list[str]:
    """The bubblewrap command line that runs `command` (the kernel) as described in the module docstring."""
    cmd = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
           "--size", str(scratch_mib * MiB), "--tmpfs", "/tmp"]
    keep = {Path(sys.prefix).resolve(), Path(__file__).resolve().parent}
    for root in _course_roots(cwd):
        cmd += ["--tmpfs", str(root)]
        for path in sorted(keep, key=lambda p: len(p.parts)):
            if root in path.parents:
                cmd += ["--ro-bind", str(path), str(path)]
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="start a grading kernel in the course's sandbox")
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
    set_limits(args.cpu_seconds, args.memory_mib, args.file_mib, args.processes)
    if args.no_bwrap:
        os.execvp(command[0], command)
    cmd = bwrap_command(Path(args.cwd).resolve(), Path(args.kernel_dir).resolve(), command)
    os.execvp(cmd[0], cmd)


# ------------------------------------------------------------------------------------------ availability
@functools.lru_cache(maxsize=None)
def sandbox_problem() -> str | None:
    """None when bubblewrap can start a sandbox here, else what is wrong."""
    if sys.platform != "linux":
        return f"the sandbox needs Linux (bubblewrap and namespaces); this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--uid", "65534", "--gid", "65534",
                            "--cap-drop", "ALL", "--die-with-parent", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot create namespaces here ({probe.stderr.strip() or probe.returncode})"
    return None

if __name__ == "__main__":
    main()
