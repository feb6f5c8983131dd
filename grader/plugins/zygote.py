"""The warm kernel: one sandboxed process per grading process that has imported the kernel's modules once and forks a
fresh, isolated kernel for each submission (`python zygote.py SOCKET [MODULE ...]`, inside the sandbox).

A kernel started cold spends about a second of CPU importing ipykernel, numpy, matplotlib and `helpers` before it
runs a line of the notebook; here that is done once per grading process. The zygote runs in the same bubblewrap
sandbox as a cold kernel (`grader.plugins.mounts.zygote_command`: the same allow-list of files and variables, no
network, no capabilities, as nobody), imports the modules, makes itself undumpable and serves, one kernel at a time,
the requests of the sandbox launcher (`grader.plugins.sandbox`, `--zygote`) on a Unix socket that only the grading
process's private folder holds. For each request it forks:

    zygote ── C: new user, mount and PID namespaces; waits for I and reports its status
              └── I: PID 1 of that namespace: a fresh /tmp and a fresh notebook folder, then reaps orphans
                  └── K: the kernel: the request's files, descriptors, environment, limits; no capabilities

so the kernel's code sees nothing an earlier submission did: its memory is a copy of the zygote's (a module it
patches, a global it sets, die with it), its /tmp and notebook folder are new tmpfs mounts (the submission's own
files bound read-only into the folder), the zygote's socket and every other kernel's folder are hidden, and every
process it starts lives in its PID namespace, which dies whole with I: with the kernel, or when the launcher's
connection closes (the worker stopped the kernel, or died), or with the zygote. The namespace cannot address the
zygote (its PIDs are outside), and the zygote is undumpable, so no kernel can read or trace it.

The notebook folder is `/submission/<name of the graded folder>`; the kernel's connection files stay at their path.
This file runs inside the sandbox as a script, so it imports nothing of the course at module level.

The protocol, one connection per kernel: the launcher sends one JSON line (`argv`: the ipykernel_launcher arguments,
`env`, `kernel_dir`, `files_dir`, `folder`, `limits`) with its stdin, stdout and stderr as SCM_RIGHTS; the zygote
answers one JSON line, {"pid": C} with C's pidfd, or {"busy": reason}; when C ends, {"exit": status, "cpu": seconds
of C and everything it waited for}, and closes.
"""

from __future__ import annotations

import array
import ctypes
import json
import os
import resource
import select
import signal
import socket
import sys

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 4096, 16384, 1 << 18
MS_REMOUNT = 32
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 4, 24, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
MiB = 1 << 20
#: the notebook folder's parent in every kernel (the graded folder's own name goes below it)
SUBMISSION = "/submission"
#: where I briefly holds the kernel's own folder and the submission's files while it hides the others
HOLD, HOLD_FILES, HOLD_TMP = "/.course-hold", "/.course-files", "/.course-tmp"
#: where the zygote's sandbox holds this file (the kernels do not see it)
SCRIPT = "/.course/zygote.py"
#: every folder the zygote's sandbox must hold for the kernels (made empty by bubblewrap)
MOUNT_POINTS = (SUBMISSION, HOLD, HOLD_FILES, HOLD_TMP)

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def prctl(option: int, arg: int = 0) -> None:
    _check(_libc.prctl(option, arg, 0, 0, 0), f"prctl({option})")


def mount(source: str, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    _check(_libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                       data.encode() if data else None), f"mount {target}")


def _umount(target: str) -> None:
    _check(_libc.umount2(target.encode(), MNT_DETACH), f"umount {target}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """Drop every capability (bounding, ambient, effective, permitted, inheritable) and forbid gaining any."""
    with open("/proc/sys/kernel/cap_last_cap") as fh:
        last = int(fh.read())
    for cap in range(last + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()  # _LINUX_CAPABILITY_VERSION_3: two words
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def _write(path: str, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def _set_limits(limits: dict) -> None:
    cpu, mem, fsize, nproc = (int(limits[k]) for k in ("cpu_seconds", "memory_mib", "file_mib", "processes"))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_AS, (mem * MiB, mem * MiB))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize * MiB, fsize * MiB))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # counted per user namespace (Linux >= 5.14): this namespace holds I, the kernel and what the kernel starts
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc + 2, nproc + 2))


# ------------------------------------------------------------------------------------------------ the kernel
def _folders(request: dict) -> str:
    """In I (PID 1 of the new namespaces): a fresh /tmp, the kernel's own folder alone of its siblings, the notebook
    folder with the submission's files bound read-only; returns the notebook folder."""
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    kernel_dir, files_dir = request["kernel_dir"], request["files_dir"]
    base = os.path.dirname(kernel_dir)
    scratch = int(request["limits"].get("scratch_mib", 64))
    mount(kernel_dir, HOLD, None, MS_BIND)
    files = [] if files_dir is None else sorted(
        os.path.relpath(os.path.join(d, f), files_dir) for d, _, fs in os.walk(files_dir) for f in fs)
    if files:
        mount(files_dir, HOLD_FILES, None, MS_BIND)
    kept = _mounted_under("/tmp", base)
    if kept:  # an interpreter under /tmp, bound into the sandbox: kept in sight, as in a cold kernel's sandbox
        mount("/tmp", HOLD_TMP, None, MS_BIND | MS_REC)
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={scratch}m,mode=1777")
    for point in kept:
        source = HOLD_TMP + point[len("/tmp"):]
        if os.path.isdir(source):
            os.makedirs(point, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(point), exist_ok=True)
            open(point, "w").close()
        mount(source, point, None, MS_BIND | MS_REC)
        mount(source, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    if kept:
        _umount(HOLD_TMP)
    if os.path.isdir(base):  # outside /tmp: hide the zygote's socket and every other kernel's folder
        mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    os.makedirs(kernel_dir, exist_ok=True)
    mount(HOLD, kernel_dir, None, MS_BIND)
    _umount(HOLD)
    mount("tmpfs", SUBMISSION, "tmpfs", MS_NOSUID | MS_NODEV, f"size={scratch}m,mode=0755")
    folder = os.path.join(SUBMISSION, request["folder"])
    os.mkdir(folder)
    for rel in files:
        source, target = os.path.join(HOLD_FILES, rel), os.path.join(folder, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "w").close()
        mount(source, target, None, MS_BIND)
        mount(source, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    if files:
        _umount(HOLD_FILES)
    mount("tmpfs", os.path.dirname(SCRIPT), "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k")  # the zygote's own file
    return folder


def _mounted_under(folder: str, skip: str) -> list[str]:
    """The mount points strictly inside `folder`, outermost first, without those inside another one or inside
    `skip` (/proc/self/mountinfo's fifth field, octal escapes decoded)."""
    points = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            point = line.split()[4].encode().decode("unicode_escape")
            inside = lambda p, f: p.startswith(f.rstrip("/") + "/")  # noqa: E731
            if inside(point, folder) and point != skip and not inside(point, skip):
                points.append(point)
    points.sort(key=lambda p: p.count("/"))
    return [p for i, p in enumerate(points) if not any(p.startswith(q + "/") or p == q for q in points[:i])]


def _kernel(request: dict, fds: list[int], folder: str) -> None:
    """In K: become the kernel of `request` and run it (never returns)."""
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
    os.closerange(3, 1 << 16)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    prctl(PR_SET_DUMPABLE, 1)
    _set_limits(request["limits"])
    drop_capabilities()
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(folder)
    import random

    random.seed()
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed()  # numpy's global generator, as a fresh process would draw it
    sys.argv = [os.path.join(folder, "ipykernel_launcher.py"), *request["argv"]]
    sys.path[0] = folder  # python -m puts the working folder first: a notebook imports its own module beside it
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
    sys.exit(0)


def _init(request: dict, fds: list[int]) -> None:
    """I: PID 1 of the kernel's namespaces (never returns)."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    folder = _folders(request)
    kernel = os.fork()
    if kernel == 0:
        try:
            _kernel(request, fds, folder)
        except SystemExit as e:  # the kernel's own end (a shutdown request)
            os._exit(e.code if isinstance(e.code, int) else 0)
        except BaseException as e:  # noqa: BLE001 - said on the launcher's stderr, then this kernel is gone
            os.write(2, f"the warm kernel could not start a kernel: {e!r}\n".encode())
        os._exit(1)
    for fd in fds:
        os.close(fd)
    while True:  # reap everything; end with the kernel, which ends the namespace
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(1)
        if pid == kernel:
            os._exit(os.waitstatus_to_exitcode(status) % 256)


def _child(request: dict, fds: list[int]) -> None:
    """C: new user, mount and PID namespaces, then I in them; wait for I (never returns)."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID), "unshare")
    # the maps can only be written while this process is dumpable (its /proc files are then its own); it is not
    # again before anything of the kernel runs, so neither the kernel nor its children can trace C or I
    prctl(PR_SET_DUMPABLE, 1)
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    finally:
        prctl(PR_SET_DUMPABLE, 0)
    init = os.fork()
    if init == 0:
        try:
            _init(request, fds)
        except BaseException as e:  # noqa: BLE001
            os.write(fds[2] if len(fds) > 2 else 2, f"the warm kernel could not start: {e!r}\n".encode())
        finally:
            os._exit(1)
    for fd in fds:
        os.close(fd)
    _, status = os.waitpid(init, 0)
    os._exit(os.waitstatus_to_exitcode(status) % 256)


# ------------------------------------------------------------------------------------------------ the zygote
def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    fds = array.array("i")
    data, ancillary, _, _ = conn.recvmsg(1 << 20, socket.CMSG_SPACE(3 * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    while not data.endswith(b"\n"):
        more = conn.recv(1 << 20)
        if not more:
            raise EOFError("the launcher closed the connection mid-request")
        data += more
    return json.loads(data), list(fds)


def _send(conn: socket.socket, message: dict, fds: list[int] = ()) -> None:
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    conn.sendmsg([json.dumps(message).encode() + b"\n"], ancillary)


def serve(path: str, preload: list[str]) -> None:
    """Import `preload`, then serve kernels on the Unix socket `path` until stdin closes (the launcher's end)."""
    prctl(PR_SET_DUMPABLE, 0)
    for name in preload:
        __import__(name)
    import threading

    if threading.active_count() > 1:  # forking a process with threads can deadlock its children: serve none
        print(f"the warm kernel will not fork: importing {preload} started a thread", file=sys.stderr)
        return
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(8)
    print("ready", flush=True)
    current = None  # (connection, C's pid, C's pidfd)
    while True:
        watched = [listener, sys.stdin] + ([current[0], current[2]] if current else [])
        ready, _, _ = select.select(watched, [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):
            return
        if current and current[2] in ready:  # C ended
            conn, pid, pidfd = current
            _, status, usage = os.wait4(pid, 0)
            try:
                _send(conn, {"exit": os.waitstatus_to_exitcode(status), "cpu": usage.ru_utime + usage.ru_stime})
            except OSError:
                pass
            conn.close()
            os.close(pidfd)
            current = None
        elif current and current[0] in ready:  # the launcher went away: the kernel goes too
            conn, pid, pidfd = current
            try:
                gone = not conn.recv(1, socket.MSG_PEEK)
            except OSError:
                gone = True
            if gone:
                os.kill(pid, signal.SIGKILL)
                os.wait4(pid, 0)
                conn.close()
                os.close(pidfd)
                current = None
        if listener in ready:
            conn, _ = listener.accept()
            try:
                request, fds = _receive(conn)
            except (OSError, ValueError, EOFError):
                conn.close()
                continue
            if current is not None:
                _send(conn, {"busy": "a kernel of this grading process is running already"})
                conn.close()
                for fd in fds:
                    os.close(fd)
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                try:
                    _child(request, fds)
                finally:
                    os._exit(1)
            for fd in fds:
                os.close(fd)
            pidfd = os.pidfd_open(pid)
            _send(conn, {"pid": pid}, [pidfd])
            current = (conn, pid, pidfd)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
