"""What a grading kernel sees: the file system and environment of its sandbox, an allow-list (`bwrap_command`).

bubblewrap starts from an empty root. The kernel sees, read-only, only what the interpreter needs: the system's
programs and libraries (/usr and the merged-/usr links), a few files of /etc (`ETC`: the loader's cache, time zone,
fonts), its interpreter's prefixes and sys.path (a venv or conda environment may live anywhere, /root and /tmp
included) and `helpers`; a /tmp of its own (a 64 MiB tmpfs); its notebook's folder as a 64 MiB tmpfs holding
read-only binds of the submission's own regular files, notebooks aside (so a notebook that imports its own module
works, and what it writes is thrown away); and KDIR, the private folder of its Unix sockets. Nothing else exists in
there: no home folder, no /srv, /var or /opt beyond the interpreter, no repository checkout, no course folder
wherever it lives (a course root, the notebook's folder or /tmp is never bound, nor a folder above one), no
exchange, no Dask scratch folder, so neither the grading account's files nor what its groups may read (a
classmate's 0640 submission) can be opened. The kernel's environment is an allow-list too (`ENV_KEPT`: a database
URL with a password never reaches it). New user, PID, network, IPC and UTS namespaces (no network at all: the
kernel talks to nbgrader over Unix sockets in KDIR); all capabilities dropped.

The warm kernel (`zygote_command`, `grader.plugins.zygote`) runs in the same sandbox, with the grading process's
private folder of kernel folders in place of a notebook's folder; each kernel it forks then mounts its own /tmp,
notebook folder (at /submission/<name>) and kernel folder in namespaces of its own.

Imports nothing but the standard library: the launcher (`grader.plugins.sandbox`) runs once per kernel start.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
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


#: the system's programs and libraries; on a merged-/usr system the others are symlinks into /usr, kept as such
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: what of /etc a Python kernel with numpy and matplotlib reads (Debian's /usr/bin links go through alternatives)
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "fonts", "alternatives", "mime.types",
       "matplotlibrc", "nsswitch.conf")
#: the variables of the launcher's environment the kernel keeps (exact names, then prefixes); the rest are dropped
ENV_KEPT = ("PATH", "LANG", "LANGUAGE", "TZ", "PYTHONPATH", "PYTHONHOME", "PYTHONIOENCODING", "PYTHONUNBUFFERED",
            "PYTHONHASHSEED", "VIRTUAL_ENV", "CONDA_PREFIX", "MPLBACKEND", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
            "COURSE_TRANSCRIPT")
ENV_KEPT_PREFIXES = ("LC_", "JPY_", "PYDEVD_")
#: the submission's own files bound into the notebook's folder: at most this many, each at most FILE_MIB
MAX_FILES, FILE_MIB = 200, 64
#: folders never bound whole, nor a folder above them (what is inside them only when the interpreter needs it)
PRIVATE = (TMP, Path("/home"), Path("/root"), Path("/srv"), Path("/var"), Path("/opt"), Path("/run"), Path("/mnt"),
           Path("/media"), Path("/etc"))
#: the account the kernel runs as, in its user namespace
NOBODY = 65534


def _course_roots(cwd: Path) -> list[Path]:
    """Folders holding an nbgrader_config.py at or above the notebook's folder, `helpers` and this package."""
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


def _library_folder(path: Path) -> bool:
    """A folder of Python packages by its name (site-packages, dist-packages, lib-dynload, pythonX.Y, a zip)."""
    return path.name in ("site-packages", "dist-packages", "lib-dynload") or path.suffix == ".zip" or (
        path.name.startswith("python") and path.name[6:].replace(".", "").isdigit())


def _binds(needed: list[str], hidden: list[Path], scratch: list[Path], roots: list[Path] = (),
           allowed: list[Path] = ()) -> list[tuple[Path, Path]]:
    """(source, destination) read-only binds that make `needed` visible in the empty root.

    Each path is bound at its real location and, when reached through a symlink, at the path as written
    (so sys.prefix /tmp/link/env works when /tmp/link is a symlink). Never bound: a destination equal to or above
    a `hidden` folder (/tmp, the homes, /srv: that would show it whole) or a course root, equal to, above or
    inside a `scratch` folder (the notebook's folder, KDIR), and one inside a course root (`roots`) unless it is
    inside an `allowed` folder (`helpers`, the interpreter's prefixes: a venv in the course folder shows that
    venv, nothing beside it) or is itself a folder of Python packages (`_library_folder`)."""
    never_whole = [*hidden, *roots]
    chosen: list[tuple[Path, Path]] = []
    for path in needed:
        if not path or not os.path.isabs(path) or not os.path.exists(path):
            continue
        real = Path(os.path.realpath(path))
        for dest in dict.fromkeys([real, Path(os.path.abspath(path))]):
            if (any(_inside(h, dest) for h in never_whole)
                    or any(_inside(dest, s) or _inside(s, dest) for s in scratch)
                    or any(_inside(dest, Path(s)) for s in SYSTEM)
                    or (any(_inside(dest, r) for r in roots) and not _library_folder(dest)
                        and not any(_inside(dest, a) for a in allowed))):
                continue
            chosen.append((real, dest))
    binds: list[tuple[Path, Path]] = []
    for real, dest in sorted(set(chosen), key=lambda b: (len(b[1].parts), str(b[1]))):
        if not any(_inside(dest, d) for _, d in binds):  # already visible through a folder above it
            binds.append((real, dest))
    return binds


def submission_files(cwd: Path, limit: int = MAX_FILES) -> list[Path]:
    """The regular files under the notebook's folder `cwd` (the submission's own files), relative, sorted; never
    through a symbolic link, nor a file larger than FILE_MIB, nor a notebook (the one being graded is there
    already restored, hidden tests and all); at most `limit` of them."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(cwd):  # os.walk does not follow links to folders
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            try:
                st = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_size <= FILE_MIB * MiB and path.suffix != ".ipynb":
                found.append(path.relative_to(cwd))
                if len(found) >= limit:
                    return found
    return found


def _system_binds() -> list[str]:
    args: list[str] = []
    for path in SYSTEM:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def kernel_environment(environ=None) -> dict[str, str]:
    """The variables of `environ` (default: this process's) the kernel keeps (ENV_KEPT)."""
    environ = os.environ if environ is None else environ
    return {k: v for k, v in environ.items() if k in ENV_KEPT or k.startswith(ENV_KEPT_PREFIXES)}


def sandbox_environment() -> dict[str, str]:
    """The kernel's whole environment: the launcher's variables it keeps (`kernel_environment`) and the sandbox's."""
    return {**kernel_environment(),
            # the parent is outside the PID namespace; 1 turns ipykernel's parent polling off (--die-with-parent does it)
            "JPY_PARENT_PID": "1", "HOME": "/tmp", "USER": "nobody", "LOGNAME": "nobody",
            "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.matplotlib",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def _sandbox(command: list[str], scratch_mib: int, kernel_dir: Path, hidden_also: list[Path],
             scratch: list[Path], roots: list[Path]) -> list[str]:
    """bubblewrap's options shared by a kernel and the warm kernel: namespaces, the system, the interpreter, helpers."""
    (kernel_dir / "passwd").write_text(f"nobody:x:{NOBODY}:{NOBODY}:nobody:/tmp:/usr/sbin/nologin\n")
    (kernel_dir / "group").write_text(f"nogroup:x:{NOBODY}:\n")
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
           *_system_binds(), "--ro-bind", str(kernel_dir / "passwd"), "/etc/passwd",
           "--ro-bind", str(kernel_dir / "group"), "/etc/group",
           "--dev", "/dev", "--proc", "/proc", "--size", str(scratch_mib * MiB), "--tmpfs", str(TMP)]
    needed = python_paths(command[0]) if command else []
    prefixes = [Path(f(p)) for p in needed[1:5] for f in (os.path.realpath, os.path.abspath)]
    helpers = _helpers_folder()
    for real, dest in _binds([*needed, str(helpers)], [*PRIVATE, Path.home().resolve(), *hidden_also], scratch,
                             roots, [helpers, *prefixes]):
        cmd += ["--ro-bind", str(real), str(dest)]
    return cmd


def _finish(cmd: list[str], command: list[str], env: dict[str, str]) -> list[str]:
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    return cmd + ["--", *command]


def bwrap_command(cwd: Path, kernel_dir: Path, command: list[str], scratch_mib: int = 64,
                  files: list[Path] | None = None) -> list[str]:
    """The bubblewrap command line that runs `command` (the kernel) as described in the module docstring.

    `files` are the submission's files to show read-only in the notebook's folder `cwd` (relative paths; default
    `submission_files(cwd)`). The passwd and group files the kernel sees are written into `kernel_dir`."""
    cmd = _sandbox(command, scratch_mib, kernel_dir, [], [cwd, kernel_dir], _course_roots(cwd))
    cmd += ["--size", str(scratch_mib * MiB), "--tmpfs", str(cwd)]
    for rel in submission_files(cwd) if files is None else files:
        cmd += ["--ro-bind", str(cwd / rel), str(cwd / rel)]
    cmd += ["--bind", str(kernel_dir), str(kernel_dir),
            "--uid", str(NOBODY), "--gid", str(NOBODY), "--cap-drop", "ALL", "--chdir", str(cwd)]
    return _finish(cmd, command, sandbox_environment())


#: the warm kernel's program, bound read-only into its sandbox (it runs as a script: the course is not there)
ZYGOTE_SCRIPT = Path("/.course/zygote.py")  # grader.plugins.zygote.SCRIPT


def zygote_command(base: Path, command: list[str], scratch_mib: int = 64) -> list[str]:
    """The bubblewrap command line of the warm kernel (`grader.plugins.zygote`): the sandbox of a kernel, with
    `base`, the grading process's private folder of kernel folders (and the zygote's socket), bound read-write
    in place of a notebook's folder, the zygote's script, and the empty folders its kernels mount on.
    `command` is [python, ZYGOTE_SCRIPT, ...]."""
    from .zygote import MOUNT_POINTS

    script = Path(__file__).with_name("zygote.py").resolve()
    cmd = _sandbox(command, scratch_mib, base, [], [base], _course_roots(base))
    cmd += ["--ro-bind", str(script), str(ZYGOTE_SCRIPT)]
    for point in MOUNT_POINTS:
        cmd += ["--dir", point]
    cmd += ["--bind", str(base), str(base),
            "--uid", str(NOBODY), "--gid", str(NOBODY), "--cap-drop", "ALL", "--chdir", "/"]
    return _finish(cmd, command, {**sandbox_environment(),
                                  "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
