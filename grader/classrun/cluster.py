"""Where grading runs: Dask, embedded on this machine by default, or an existing cluster by its scheduler's address.

    with connect(None, workers=4) as client: ...               # a LocalCluster: 4 single-threaded worker processes
    with connect("tcp://10.0.0.5:8786") as client: ...         # workers started by `dask worker`, dask-jobqueue, ...

Workers need the course's environment (the packages of requirements.txt and this project installed), never the
course folder: a task carries what it needs (`grader.classrun.tasks`). A worker that dies takes its task to another
worker; a task whose worker died twice is given up (KilledWorker) and reported, the rest of the class goes on.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

#: Times a task may be running on a worker that dies before it is given up: retried once, then reported.
ALLOWED_FAILURES = 1


class KernelLog(WorkerPlugin):
    """Worker plugin of the embedded cluster: the worker's stderr (where grading kernels print their start-up
    chatter) goes to a file in the worker's local folder, off the instructor's progress bar."""

    name = "course-kernel-log"
    idempotent = True

    def setup(self, worker) -> None:
        log = open(os.path.join(worker.local_directory, "worker.log"), "a")
        os.dup2(log.fileno(), 2)



#: Dask settings of the embedded cluster (the workers inherit them). A grading task holds the GIL for seconds at a
#: time, so the worker's event loop need not tick every 20 ms, nor its nanny sample memory every 100 ms: on a small
#: machine that bookkeeping slowed grading by several per cent. Set the same for workers you start yourself.
EMBEDDED = {
    "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
    # one task at a time on a worker, the others wait at the scheduler: when a worker dies, only the submission it
    # was grading counts a failure, never one that merely waited in line behind it
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.admin.tick.interval": "2s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "2s",
    "distributed.worker.profile.enabled": False,
}


def private_scratch() -> Path:
    """A new folder for the embedded cluster's workers, private to this run: mode 0700, under the grading account's
    own cache folder ($XDG_CACHE_HOME or ~/.cache, then optimization-setup/), never Dask's default
    /tmp/dask-scratch-space, a fixed shared path that any user of the machine could create first."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "optimization-setup"
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(prefix="dask-", dir=cache))  # 0700, a name nobody can take first


def warm_worker(dask_worker=None) -> str | None:
    """Run on each worker before grading: move into the worker's own folder, import nbgrader's pipeline, check
    the sandbox (`sandbox_problem`, cached for the worker's life) and start its warm kernel
    (`grader.plugins.kernel.warm_up`). Returns the sandbox's problem there, or None."""
    if dask_worker is not None:
        os.chdir(dask_worker.local_directory)
    import nbgrader.apps  # noqa: F401 - imported once per worker, before the first task needs it
    import nbgrader.preprocessors  # noqa: F401

    from ..plugins.sandbox import sandbox_problem

    problem = sandbox_problem()
    if problem is None:
        from ..plugins.kernel import warm_up

        warm_up()
    return problem


def local_workers(jobs: int | None, tasks: int) -> int:
    """Worker processes for a local cluster that will run `tasks` tasks: `jobs` (default one per core), but no more
    than there are tasks (at least one). A scheduler's cluster is the size it is: its workers are not started here."""
    return max(1, min(jobs or os.cpu_count() or 1, tasks))


class Cluster:
    """A dask.distributed Client, started in a background thread so that the workers start and warm up (import
    nbgrader, check the sandbox) while this process prepares the run.

    On `scheduler` (an address such as tcp://host:8786) if given, else on a new LocalCluster with `workers`
    single-threaded worker processes (default: one per core) on loopback. `client()` waits for it: it raises
    OSError when the scheduler cannot be reached, TimeoutError when no worker joins.

    Worker processes inherit the working directory of this process when they are spawned, and nbgrader changes it
    while it generates an assignment: this process must only ever move into folders that stay (the course root,
    `.grading/templates/`) while the cluster starts; each worker then moves into its own folder (`warm_worker`)."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None, dashboard: bool = True):
        from concurrent.futures import ThreadPoolExecutor

        self.scheduler, self.workers, self.dashboard = scheduler, workers, dashboard
        self.local = self.handle = None
        self.scratch: Path | None = None
        self.sandbox: dict[str, str] = {}
        self._pool = ThreadPoolExecutor(1)
        self._started = self._pool.submit(self._start)

    def _start(self):
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self.handle = Client(self.scheduler, timeout="30s")
            except (OSError, TimeoutError) as e:
                raise OSError(f"cannot reach the Dask scheduler at {self.scheduler} ({e}); is `dask scheduler` "
                              "running there, and reachable from this machine?") from None
        else:
            self.scratch = private_scratch()
            # the scheduler, which LocalCluster runs in this process without a local_directory, keeps its workspace
            # (lock files) in Dask's temporary-directory: /tmp/dask-scratch-space, or -<uid> after it when another
            # user made that first, unless it is set
            with dask.config.set({**EMBEDDED, "temporary-directory": str(self.scratch)}):
                self.local = LocalCluster(n_workers=self.workers or os.cpu_count() or 1, threads_per_worker=1,
                                          local_directory=str(self.scratch / "dask-scratch-space"),
                                          processes=True, host="127.0.0.1", silence_logs=logging.ERROR,
                                          dashboard_address="127.0.0.1:0" if self.dashboard else None)
            self.handle = Client(self.local)
            self.handle.register_plugin(KernelLog())
        wait_for_workers(self.handle)
        self.sandbox = {addr: why for addr, why in self.handle.run(warm_worker).items() if why}
        return self.handle

    def client(self):
        return self._started.result()

    def close(self) -> None:
        try:
            self._started.result()
        except Exception:  # noqa: BLE001 - closing what could start; the error was raised to client()
            pass
        if self.handle is not None:
            self.handle.close()
        if self.local is not None:
            self.local.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
        self._pool.shutdown()


@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None):
    """A started `Cluster`'s client for the block, closed on exit (see `Cluster`)."""
    cluster = Cluster(scheduler, workers)
    try:
        yield cluster.client()
    finally:
        cluster.close()


#: the start of the key of a `share`d value on the cluster
SHARED = "course-shared"


def _same(value):
    return value


def share(client, value):
    """A future of `value` for every task that needs it (a course's bundle), which outlives any one worker.

    Not `client.scatter(..., broadcast=True)`: Dask's active memory manager soon drops the copies of a scattered
    value down to one (ReduceReplicas), and a scattered value cannot be computed again, so the death of the one
    worker holding it failed every task of the run after it. A task's result, with `value` in the task itself, is
    computed again on another worker when the one holding it dies. Workers fetch it from each other once each."""
    return client.submit(_same, value, pure=False, key=f"{SHARED}-{uuid.uuid4().hex}")


def worker_count(client) -> int:
    return len(client.scheduler_info().get("workers", {})) if client else 0


def wait_for_workers(client, timeout: float = 60.0) -> int:
    """Wait until the cluster has at least one worker; returns their number. Raises TimeoutError naming the
    scheduler when none comes."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise TimeoutError(f"no Dask worker joined the scheduler at {client.scheduler.address} within "
                           f"{timeout:.0f} s; start some with `dask worker {client.scheduler.address}`") from None
    return worker_count(client)
