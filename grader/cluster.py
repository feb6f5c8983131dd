"""Where grading runs: Dask, embedded on this machine by default, or an existing cluster by its scheduler's address.

    with connect(None, workers=4) as client: ...               # a LocalCluster: 4 single-threaded worker processes
    with connect("tcp://10.0.0.5:8786") as client: ...         # workers started by `dask worker`, dask-jobqueue, ...

Workers need the course's environment (the packages of requirements.txt and this project installed), never the
course folder: a task carries what it needs (`grader.tasks`). A worker that dies takes its task to another
worker; a task whose worker died twice is given up (KilledWorker) and reported, the rest of the class goes on.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager

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



@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None):
    """A dask.distributed Client: on `scheduler` (an address such as tcp://host:8786) if given, else on a new
    LocalCluster with `workers` single-threaded worker processes (default: one per core), on loopback, closed on
    exit. Raises OSError when the scheduler cannot be reached."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as e:
            raise OSError(f"cannot reach the Dask scheduler at {scheduler} ({e}); is `dask scheduler` running "
                          "there, and reachable from this machine?") from None
        try:
            yield client
        finally:
            client.close()
        return
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    try:
        client = Client(cluster)
        client.register_plugin(KernelLog())
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


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


def sandbox_problems(client) -> dict[str, str]:
    """Worker address -> why a grading kernel cannot start in the sandbox there, for every worker where it can't."""
    from .sandbox import sandbox_problem

    return {addr: problem for addr, problem in client.run(sandbox_problem).items() if problem}
