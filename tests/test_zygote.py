"""Is a kernel forked from the warm kernel (grader.plugins.zygote) as isolated as a kernel started cold?

Kernels of one grading process, one after the other, each forked from the same warm kernel: the first attacks
(a daemon in a session of its own, modules planted wherever it can write, numpy patched in memory, /tmp filled,
a look for the zygote's socket and memory), the second must see nothing of it. Then the warm kernel's own
failure modes: a kernel killed mid-way (its whole namespace goes), a warm kernel that is gone (kernels start cold).
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
import time
from pathlib import Path

import pytest

from grader.plugins import kernel as kernel_module
from grader.plugins.kernel import CourseKernelManager

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("zygote")]

MARKER = "course-zygote-test-daemon"

ATTACK = f"""
import ctypes, glob, json, os, subprocess, sys
import numpy
numpy.allclose = lambda *a, **k: True
daemon = subprocess.Popen([sys.executable, "-c", "import os, time\\nif os.fork(): os._exit(0)\\nos.setsid()\\n"
                           "time.sleep(3600)", "{MARKER}"], start_new_session=True)
planted = []
for folder in {{os.getcwd(), "/tmp", os.path.expanduser("~"), *[p for p in sys.path if p]}}:
    for name in ("numpy.py", "sitecustomize.py"):
        try:
            with open(os.path.join(folder, name), "w") as f:
                f.write("raise SystemExit('planted')")
            planted.append(os.path.join(folder, name))
        except OSError:
            pass
try:
    with open("/tmp/fill", "wb") as f:
        while True:
            f.write(b"x" * (1 << 20))
except OSError:
    pass
def outside(pid):  # a process outside this kernel's PID namespace (its NSpid line has one pid only)
    try:
        return [len(l.split()) for l in open(f"/proc/{{pid}}/status") if l.startswith("NSpid:")] == [2]
    except OSError:
        return False
others = {{}}
for pid in [p for p in os.listdir("/proc") if p.isdigit() and outside(p)]:
    for what in ("environ", "mem"):
        try:
            open(f"/proc/{{pid}}/{{what}}", "rb").read(1)
            others[f"{{pid}}/{{what}}"] = "readable"
        except OSError:
            pass
print(json.dumps({{"cwd": os.getcwd(), "planted": planted, "others": others, "outside": sum(map(outside, os.listdir("/proc"))),
                   "sockets": glob.glob("/tmp/**/*.sock", recursive=True),
                   "umount": ctypes.CDLL(None, use_errno=True).umount2(b"/tmp", 2)}}))
"""

LOOK = """
import glob, json, os, subprocess, sys
import numpy
print(json.dumps({"cwd": os.getcwd(), "files": sorted(os.listdir(".")), "tmp": sorted(os.listdir("/tmp")),
                  "allclose": bool(numpy.allclose(1, 2)), "numpy": numpy.__file__,
                  "own module": __import__("own_module").VALUE, "platform": os.listdir("/.course") if os.path.isdir("/.course") else [],
                  "processes": sorted(open(f"/proc/{p}/cmdline").read().replace("\\0", " ")[:60]
                                      for p in os.listdir("/proc") if p.isdigit())}))
"""


async def _run(folder: Path, code: str) -> tuple[dict, CourseKernelManager, list[str]]:
    km = CourseKernelManager(kernel_name="python3")
    await km.start_kernel(cwd=str(folder))
    command = km.format_kernel_cmd()
    kc = km.client()
    kc.start_channels()
    out: list[str] = []
    try:
        await kc.wait_for_ready(timeout=120)
        reply = await kc.execute_interactive(
            code, timeout=120,
            output_hook=lambda m: out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=False)
    return json.loads("".join(out).strip().splitlines()[-1]), km, command


def _sync(coroutine):
    """Run `coroutine` to its end on a thread of its own: an xdist worker may hold a running event loop of an
    earlier test, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _daemons() -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if MARKER.encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            pass
    return found


@pytest.fixture(autouse=True)
def warm():
    """This process's warm kernel, started on the main thread: a launcher's parent-death signal follows the thread
    that started it, so one started on _sync's thread would stop with that thread."""
    kernel_module.warm_up()


@pytest.fixture
def folder(tmp_path) -> Path:
    folder = tmp_path / "ada" / "01_normalization"
    folder.mkdir(parents=True)
    (folder / "own_module.py").write_text("VALUE = 42\n")
    return folder


def test_a_kernel_after_an_attack_sees_nothing_of_it(folder):
    async def both():
        attack, _, command = await _run(folder, ATTACK)
        daemons_after_first = _daemons()
        look, _, _ = await _run(folder, LOOK)
        return attack, command, daemons_after_first, look

    attack, command, daemons, look = _sync(both())
    assert any(arg.startswith("--zygote=") for arg in command), f"the kernel was not forked warm: {command}"
    assert attack["cwd"] == look["cwd"] == "/submission/01_normalization"
    assert attack["planted"], "the attack could write nowhere: the test would prove nothing"
    assert attack["outside"] >= 2, "the kernel sees no process outside its namespace: the test would prove nothing"
    assert not attack["others"], f"a kernel could read another process's memory or environment: {attack['others']}"
    assert not attack["sockets"], f"a kernel could see the warm kernel's socket: {attack['sockets']}"
    assert attack["umount"] != 0, "a kernel could unmount its /tmp"
    assert not daemons, f"a daemon of the first kernel outlived it (pids {daemons})"
    assert look["files"] == ["own_module.py"] and look["own module"] == 42, look
    assert "fill" not in look["tmp"] and "numpy.py" not in look["tmp"] and "sitecustomize.py" not in look["tmp"], (
        f"the first kernel's /tmp reached the second: {look['tmp']}")
    assert look["platform"] == [], f"a kernel could see the warm kernel's program: {look['platform']}"
    assert look["allclose"] is False, "numpy patched by the first kernel reached the second"
    assert look["numpy"].endswith("numpy/__init__.py"), look["numpy"]
    assert not any(MARKER in p for p in look["processes"]), look["processes"]


def test_a_kernel_killed_midway_takes_every_process_it_started_with_it(folder):
    async def run():
        km = CourseKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(folder))
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        await kc.execute_interactive(
            f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(3600)', "
            f"'{MARKER}'], start_new_session=True)", timeout=60)
        deadline = time.monotonic() + 10
        while not _daemons() and time.monotonic() < deadline:  # a loaded machine may not have run it yet
            await asyncio.sleep(0.05)
        assert _daemons(), "the daemon did not start: the test would prove nothing"
        kc.stop_channels()
        await km.shutdown_kernel(now=True)  # SIGKILL to the launcher's process group
        return km

    _sync(run())
    deadline = time.monotonic() + 10
    while _daemons() and time.monotonic() < deadline:  # SIGKILL is asynchronous: poll until the namespace is gone
        time.sleep(0.05)
    assert not _daemons(), "a process of a killed kernel outlived it"


def test_kernels_start_cold_when_the_warm_kernel_is_gone(folder, monkeypatch):
    km = CourseKernelManager(kernel_name="python3")
    zygote = km._zygote
    assert zygote is not None and zygote.socket() is not None
    zygote.process.kill()
    zygote.process.wait()
    look, km2, command = _sync(_run(folder, LOOK))
    assert not any(arg.startswith("--zygote=") for arg in command), command
    assert look["cwd"] == str(folder) and look["own module"] == 42
    # and the next grading kernel gets a new warm kernel
    assert kernel_module.zygote_for(*zygote.key).socket() is not None
