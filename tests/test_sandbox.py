"""Does the sandbox work wherever Python lives, and does grading stop when a kernel cannot start in it?

The environments are built under /tmp (pytest's tmp_path), which the sandbox hides behind a tmpfs: a venv whose
bin/python is a symlink to the base interpreter and whose site-packages has a .pth file pointing to the course's
.venv and the repository (no pip install), reached once directly and once through a symlinked folder.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.plugins import mounts, sandbox
from grader.plugins.execute import SafeExecute
from grader.plugins.kernel import CourseKernelManager, SandboxUnavailable
from support import ROOT

SITE = sorted((ROOT / ".venv").glob("lib/python*/site-packages"))


def _venv(where: Path, *pth_lines: str) -> Path:
    """A venv at `where` (bin/python a symlink to the base interpreter) whose sys.path gets `pth_lines`."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--symlinks", str(where)], check=True)
    site = subprocess.run([where / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "course.pth").write_text("".join(f"{line}\n" for line in pth_lines))
    return where / "bin" / "python"


@pytest.fixture(scope="module")
def tmp_env(tmp_path_factory) -> Path:
    """A working Python environment under /tmp: the course's packages through a .pth file."""
    base = tmp_path_factory.mktemp("pyenv")
    python = _venv(base / "env", *map(str, SITE), str(ROOT))
    # a module only this environment under /tmp holds, which the kernel imports after it started (a warm kernel's
    # fork mounts a /tmp of its own, and must keep the environment in sight)
    site = next((base / "env" / "lib").glob("python*/site-packages"))
    (site / "only_under_tmp.py").write_text("ANSWER = 6 * 7\n")
    os.symlink(base / "env", base / "link")
    assert python.is_symlink() and str(base).startswith("/tmp/"), f"{python} is not the environment meant here"
    return python


@pytest.fixture
def broken_env(tmp_path) -> Path:
    """An environment where `helpers` imports but ipykernel does not: no grading kernel can start from it."""
    return _venv(tmp_path / "broken", str(ROOT))


@pytest.fixture
def fresh_probe():
    sandbox.sandbox_problem.cache_clear()
    yield
    sandbox.sandbox_problem.cache_clear()


GRADE_ONE_NOTEBOOK = textwrap.dedent("""
    import json, sys, tempfile
    from nbformat.v4 import new_code_cell, new_notebook
    from grader.plugins.execute import SafeExecute
    from grader.plugins.sandbox import sandbox_problem

    cell = '''
    import os, sys
    try:
        open(os.path.join(ROOT, "nbgrader_config.py")).close()
        config = "readable"
    except OSError as e:
        config = type(e).__name__
    import only_under_tmp
    print(json.dumps({"prefix": sys.prefix, "root": sorted(os.listdir(ROOT)), "config": config,
                      "sum": only_under_tmp.ANSWER}))
    '''
    nb = new_notebook(cells=[new_code_cell(f"import json\\nROOT = {sys.argv[1]!r}\\n" + cell)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb, _ = SafeExecute().preprocess(nb, {"metadata": {"path": tempfile.mkdtemp()}})
    print(json.dumps({"problem": sandbox_problem(), "outputs": nb.cells[0].outputs}))
""")


@pytest.mark.slow
@pytest.mark.parametrize("through", ["env", "link"])
def test_a_grading_kernel_starts_from_an_environment_under_tmp(tmp_env, through, tmp_path):
    """Before, the tmpfs on /tmp hid the environment: 'Kernel died before replying to kernel_info'."""
    python = tmp_env.parents[2] / through / "bin" / "python"
    run = subprocess.run([python, "-c", GRADE_ONE_NOTEBOOK, str(ROOT)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert run.returncode == 0, f"grading from {python} failed:\n{run.stderr[-3000:]}"
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["problem"] is None, f"the sandbox probe failed from {python}: {result['problem']}"
    texts = [o.get("text", "") for o in result["outputs"] if o["output_type"] == "stream"]
    assert texts and not [o for o in result["outputs"] if o["output_type"] == "error"], (
        f"the kernel did not execute the cell: {result['outputs']}")
    seen = json.loads(texts[-1])
    assert seen["sum"] == 42 and seen["prefix"] == str(python.parent.parent), (
        f"the kernel did not run in the environment under /tmp: {seen}")
    assert seen["config"] == "FileNotFoundError" and "nbgrader_config.py" not in seen["root"], (
        f"the kernel could see the course folder: {seen}")
    assert set(seen["root"]) <= {".venv", "helpers"}, f"more of the course folder than .venv and helpers: {seen}"


def test_the_environment_is_bound_after_the_tmpfs_and_the_course_and_scratch_stay_hidden(tmp_env, tmp_path):
    cwd, kernel_dir = tmp_path / "notebook", tmp_path / "kernel"
    kernel_dir.mkdir()
    cmd = mounts.bwrap_command(cwd, kernel_dir, [str(tmp_env), "-m", "ipykernel_launcher"])
    binds = [cmd[i + 2] for i, arg in enumerate(cmd) if arg in ("--ro-bind", "--ro-bind-try", "--bind")]
    env = str(tmp_env.parents[1])
    assert env in binds and cmd.index(env) > cmd.index("/tmp"), f"the environment is not bound over /tmp: {cmd}"
    assert cmd.index(env) < cmd.index(str(cwd)), f"the notebook's folder must be mounted after the binds: {cmd}"
    for forbidden in (str(ROOT), "/tmp", str(cwd), str(tmp_path), "/", "/etc", "/home", "/root", "/srv", "/var",
                      "/opt", str(Path.home())):
        assert forbidden not in binds, f"{forbidden} would be shown whole in the sandbox: {binds}"
    sources = [cmd[i + 1] for i, arg in enumerate(cmd) if arg in ("--ro-bind", "--bind")]
    assert "/" not in sources, f"the root must start empty, not as a bind of /: {cmd}"
    inside_root = [b for b in binds if b.startswith(f"{ROOT}/")]
    assert all(b.startswith((f"{ROOT}/.venv", f"{ROOT}/helpers")) for b in inside_root), (
        f"only .venv and helpers of the course folder may be shown: {inside_root}")


def test_the_submissions_own_files_are_bound_read_only_but_never_a_link_or_a_notebook(tmp_path):
    cwd, kernel_dir = tmp_path / "notebook", tmp_path / "kernel"
    (cwd / "data").mkdir(parents=True)
    kernel_dir.mkdir()
    (cwd / "mysolution.py").write_text("x = 1\n")
    (cwd / "data" / "points.csv").write_text("1,2\n")
    (cwd / "01_normalization.ipynb").write_text("{}")  # restored for grading: it holds the hidden tests
    (cwd / "gradebook.db").symlink_to(ROOT / "nbgrader_config.py")
    assert sorted(mounts.submission_files(cwd)) == [Path("data/points.csv"), Path("mysolution.py")]
    cmd = mounts.bwrap_command(cwd, kernel_dir, [sys.executable, "-c", "pass"])
    ro = [cmd[i + 2] for i, arg in enumerate(cmd) if arg == "--ro-bind"]
    assert str(cwd / "mysolution.py") in ro and str(cwd / "data" / "points.csv") in ro
    assert cmd.index(str(cwd / "mysolution.py")) > cmd.index(str(cwd)), "bound before the notebook's tmpfs hides it"


def test_the_kernel_keeps_only_the_environment_it_needs(monkeypatch):
    monkeypatch.setenv("NBGRADER_DB_URL", "postgresql://grader:secret@db/course")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    env = mounts.kernel_environment()
    assert "NBGRADER_DB_URL" not in env and env.get("LC_ALL") == "C.UTF-8" and "PATH" in env


def test_symlinked_paths_are_bound_where_they_lead_and_as_named_but_never_above_the_scratch(tmp_path):
    """A base interpreter or prefix under /tmp reached through a symlink must work under both names."""
    real, alias, cwd = tmp_path / "real-base", tmp_path / "alias", tmp_path / "notebook"
    (real / "lib").mkdir(parents=True)
    (cwd / "x").mkdir(parents=True)
    alias.symlink_to(real)
    binds = mounts._binds([str(alias / "lib"), str(alias), str(tmp_path), str(cwd / "x")],
                           [mounts.TMP], [cwd, tmp_path / "kernel"])
    assert binds == [(real, alias), (real, real)], (
        f"expected the real folder at its own path and at the symlink's, nothing above the notebook: {binds}")


def test_the_probe_passes_in_the_course_environment():
    """It starts the interpreter in the real sandbox and imports ipykernel and helpers (about 0.3 s)."""
    assert sandbox.probe() is None, f"the probe fails in the course's own environment: {sandbox.probe()}"


@pytest.mark.slow
def test_a_broken_environment_is_reported_and_grading_refuses(broken_env, monkeypatch, fresh_probe):
    monkeypatch.setattr(sys, "executable", str(broken_env))
    problem = sandbox.sandbox_problem()
    assert problem and "ipykernel" in problem and str(broken_env) in problem, (
        f"the probe should name the interpreter and the import that failed: {problem}")
    with pytest.raises(SandboxUnavailable, match="(?s)Refusing to grade.*No module named .ipykernel"):
        CourseKernelManager()


@pytest.mark.slow
def test_a_kernel_that_cannot_start_stops_grading_instead_of_dying_silently(broken_env, monkeypatch, tmp_path):
    """Even when the probe said yes (here: forced), a kernel that dies before replying raises SandboxUnavailable."""
    monkeypatch.setattr(sandbox, "sandbox_problem", lambda: None)
    monkeypatch.setattr(sys, "executable", str(broken_env))
    nb = new_notebook(cells=[new_code_cell("print(1)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook_dir = tmp_path / "notebook"  # not the folder that holds the environment: that one is scratch
    notebook_dir.mkdir()
    with pytest.raises(SandboxUnavailable, match="(?s)died before it started.*No module named .ipykernel"):
        SafeExecute().preprocess(nb, {"metadata": {"path": str(notebook_dir)}})


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile
            pass
    return found


def test_a_kernel_whose_starter_dies_while_it_starts_does_not_outlive_it(tmp_path):
    """A grading worker killed while the launcher is starting (before bubblewrap's --die-with-parent holds) must
    not leave a kernel behind: the launcher dies with the pid of --parent-pid, or exits when it is already gone."""
    marker = f"orphan-check-{os.getpid()}-{tmp_path.name}"
    cwd, kernel_dir = tmp_path / "notebook", tmp_path / "kernel"
    cwd.mkdir()
    kernel_dir.mkdir()
    started = kernel_dir / "started"  # the kernel's folder is the one place the sandbox lets it write

    def launch(parent: str) -> list[str]:
        return [sys.executable, "-m", "grader.plugins.sandbox", f"--parent-pid={parent}", "--cwd", str(cwd),
                "--kernel-dir", str(kernel_dir), "--", sys.executable, "-c",
                f"import time; open({str(started)!r}, 'w').close(); time.sleep(120)  # {marker}"]

    def wait(condition, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.1)  # polling the file system or the process table, with a deadline
        return condition()

    # the control: with its starter alive, this command does start in the sandbox
    # as jupyter_client starts a kernel (a session and process group of its own) and stops it (the whole group)
    control = subprocess.Popen(launch(str(os.getpid())), cwd=ROOT, start_new_session=True)
    try:
        assert wait(started.exists, 30), "the sandboxed command never started: the test would prove nothing"
    finally:
        os.killpg(control.pid, 9)
        control.wait()
    assert wait(lambda: not _processes_with(marker), 20), "killing the launcher (bwrap) left its command running"
    started.unlink()

    launcher = _start_and_die(launch("PARENT"))
    running = _still_running([launcher], 30)
    left = _processes_with(marker)  # what the launcher left behind when it ended
    for pid in running + left:
        os.kill(pid, 9)
    assert not running, "the launcher outlived the process that started it"
    assert not left, f"the kernel outlived the process that started it: pids {left}"


def _still_running(pids: list[int], seconds: float) -> list[int]:
    """Those of `pids` still running after at most `seconds`, each watched through a pidfd (no polling)."""
    watched = {}
    for pid in pids:
        try:
            watched[pid] = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone
            pass
    deadline = time.monotonic() + seconds
    while watched and (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select(list(watched.values()), [], [], left)
        for pid, fd in list(watched.items()):
            if fd in ready:
                os.close(watched.pop(pid))
    for fd in watched.values():
        os.close(fd)
    return list(watched)


def _start_and_die(launch: list[str], delay: float | None = None) -> int:
    """Run a starter that starts `launch` (PARENT replaced by its own pid), maybe waits `delay` s, and dies at once
    as a killed worker does; the pid of the launcher it started.

    The launcher is then waited for by its pid: looking for it by its command line would miss it in the moment
    after its exec, when /proc/PID/cmdline still reads empty (the starter's Popen has returned by then)."""
    starter = textwrap.dedent(f"""
        import os, subprocess, sys, time
        p = subprocess.Popen([a.replace("PARENT", str(os.getpid())) for a in {launch!r}], start_new_session=True,
                             stdout=subprocess.DEVNULL)  # only the pid on this pipe: run() returns when the starter ends
        print(p.pid, flush=True)
        {f"time.sleep({delay})" if delay else ""}
        os._exit(0)  # as a worker killed right after starting a kernel
    """)
    return int(subprocess.run([sys.executable, "-c", starter], check=True, cwd=ROOT, stdout=subprocess.PIPE,
                              text=True).stdout)


def test_no_kernel_outlives_a_starter_killed_at_any_moment_of_its_start(tmp_path):
    """A grading worker may die at any moment: before the launcher runs, while bubblewrap sets up (as root it changes
    credentials, which clears a parent-death signal), or once the kernel runs. Killed at random moments many times,
    it leaves nothing behind (the launcher supervises bubblewrap and kills everything it started)."""
    import random

    marker = f"orphan-random-{os.getpid()}-{tmp_path.name}"
    cwd, kernel_dir = tmp_path / "notebook", tmp_path / "kernel"
    cwd.mkdir()
    kernel_dir.mkdir()
    launch = [sys.executable, "-m", "grader.plugins.sandbox", "--parent-pid=PARENT", "--cwd", str(cwd),
              "--kernel-dir", str(kernel_dir), "--", sys.executable, "-c", f"import time; time.sleep(120)  # {marker}"]
    rng = random.Random()  # a new order of moments each run: any of them must leave nothing
    launchers = [_start_and_die(launch, rng.uniform(0.0, 0.05) if i % 2 == 0 else rng.uniform(0.05, 0.6))
                 for i in range(12)]  # half while the launcher itself starts, half while bubblewrap or the kernel does
    running = _still_running(launchers, 30)
    left = _processes_with(marker)  # what the launchers left behind when they ended
    for pid in running + left:
        os.kill(pid, 9)
    assert not running, f"launchers outlived the processes that started them: pids {running}"
    assert not left, f"kernels outlived the process that started them: pids {left}"


def test_what_bubblewrap_leaves_orphaned_in_a_session_of_its_own_dies_with_the_worker(tmp_path):
    """bubblewrap's first process in the sandbox runs in a session of its own (--new-session) and sets its parent-death
    signal only once it runs: bubblewrap killed just before left it orphaned, outside the launcher's process group.
    Here a stand-in for bubblewrap starts such a process and waits; when the worker dies, the launcher (a child
    subreaper) kills it too, before it exits itself."""
    marker = f"orphan-session-{os.getpid()}-{tmp_path.name}"
    stand_in = textwrap.dedent(f"""
        import os, time
        if os.fork() == 0:
            os.setsid()  # as bubblewrap's child does
            time.sleep(120)  # {marker}
            os._exit(0)
        time.sleep(120)
    """)
    supervised = [sys.executable, "-c", f"import sys; from grader.plugins.sandbox import supervise; "
                                         f"supervise(int(sys.argv[1]), {[sys.executable, '-c', stand_in]!r})", "PARENT"]
    launcher = _start_and_die(supervised, delay=1.0)  # the worker dies once the stand-in has started its child
    running = _still_running([launcher], 30)
    left = _processes_with(marker)
    for pid in running + left:
        os.kill(pid, 9)
    assert not running, "the launcher outlived the process that started it"
    assert not left, f"a process in a session of its own outlived the worker: pids {left}"
