"""Real servers for the tests, started on loopback, on free ports, in private folders, and stopped at the end.

- `PostgresServer`: Debian's PostgreSQL (`initdb`, `pg_ctl`) on a throw-away data folder, run as the `postgres` user
  when the tests run as root (PostgreSQL refuses to run as root); databases are created on demand.
- `DaskCluster`: `dask scheduler` and `dask worker` processes from the course's environment, each worker in a folder
  of its own, optionally in a mount namespace where some folders are hidden (bubblewrap's --tmpfs over them);
  workers can be killed one by one.

Both wait on conditions (`pg_ctl -w`, the scheduler file, the scheduler's worker count), never on sleeps.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support import free_port

VENV_BIN = Path(sys.executable).parent


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs: Debian keeps them in /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def _as_user(name: str | None) -> dict:
    """subprocess keyword arguments that run a program as `name` (None: as this process's user)."""
    if name is None:
        return {}
    entry = pwd.getpwnam(name)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


class PostgresServer:
    """A private PostgreSQL server; `url(database)` creates the database and returns its SQLAlchemy URL."""

    def __init__(self):
        bindir = postgres_bin()
        if bindir is None:
            raise FileNotFoundError("PostgreSQL's server is not installed (make system-packages installs postgresql)")
        self.bin = bindir
        self.user = "postgres" if os.geteuid() == 0 else None
        # under /tmp itself: pytest's own temporary folders are private to root, and the server runs as postgres
        self.folder = Path(tempfile.mkdtemp(prefix="course-postgres-"))
        self.data = self.folder / "data"
        if self.user:
            shutil.chown(self.folder, self.user, self.user)
        self.port = free_port()
        run = dict(check=True, capture_output=True, text=True, **_as_user(self.user))
        subprocess.run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                        "--no-sync", "-E", "UTF8"], **run)
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
                   "-c fsync=off -c max_connections=100")
        subprocess.run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                        str(self.folder / "server.log"), "-w", "-t", "60", "start"], **run)

    def url(self, database: str) -> str:
        """Create `database` (empty) and return postgresql://postgres@127.0.0.1:<port>/<database>."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            conn.execute(f'CREATE DATABASE "{database}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       capture_output=True, **_as_user(self.user))
        shutil.rmtree(self.folder, ignore_errors=True)


class DaskCluster:
    """`dask scheduler` and `dask worker` processes, each in its own process group and folder."""

    def __init__(self, folder: Path, env: dict | None = None, hide: list[Path] = ()):
        self.folder, self.hide = folder, list(hide)
        self.env = dict(env or os.environ, PATH=os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
                        # a task whose worker died twice is given up and reported (as `course grade` embedded does)
                        DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1",
                        DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")
        self.workers: dict[str, subprocess.Popen] = {}
        scheduler_file = folder / "scheduler.json"
        self.scheduler = self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0",
                                                    "--dashboard-address", "127.0.0.1:0",
                                                    "--scheduler-file", str(scheduler_file)], hidden=False)
        try:
            self.address = self._wait_for_address(scheduler_file)
        except BaseException:
            self.stop()
            raise

    def _wait_for_address(self, scheduler_file: Path, timeout: float = 180) -> str:
        """The scheduler's address from the file it writes when ready (read again until it parses: the file is
        not written atomically)."""
        import json

        deadline = time.monotonic() + timeout  # generous: the suite may keep both cores busy
        while True:
            try:
                return json.loads(scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                if self.scheduler.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "scheduler.log").read_text()[-2000:]
                    raise RuntimeError(f"dask scheduler did not start: {log}") from None
                time.sleep(0.1)  # polling the file the scheduler writes when it is ready

    def _start(self, name: str, args: list[str], hidden: bool = True) -> subprocess.Popen:
        home = self.folder / name
        home.mkdir(parents=True, exist_ok=True)
        prefix = []
        if hidden and self.hide:  # the process sees an empty folder in place of each of them
            prefix = ["bwrap", "--dev-bind", "/", "/", *(a for p in self.hide for a in ("--tmpfs", str(p))),
                      "--die-with-parent", "--"]
        log = open(self.folder / f"{name}.log", "w")
        return subprocess.Popen([*prefix, str(VENV_BIN / "dask"), *args], cwd=home, stdout=log,
                                stderr=subprocess.STDOUT, env=dict(self.env, HOME=str(home)), start_new_session=True)

    def add_worker(self, name: str) -> None:
        home = self.folder / name
        self.workers[name] = self._start(name, ["worker", self.address, "--nthreads", "1", "--nworkers", "1",
                                                "--name", name, "--local-directory", str(home / "dask"),
                                                "--host", "127.0.0.1", "--no-dashboard"])

    def wait_for_workers(self, n: int, timeout: float = 240) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(n, timeout=timeout)

    def kill(self, name: str) -> None:
        """SIGKILL the worker `name` with its nanny: as if its machine went away."""
        proc = self.workers.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for proc in [*self.workers.values(), self.scheduler]:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for proc in [*self.workers.values(), self.scheduler]:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
