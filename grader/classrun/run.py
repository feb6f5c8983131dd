"""Grade the class on Dask: every new submission autograded (with its feedback) on the cluster, merged here.

The client (this process) is the only one that reads the course folder and writes the gradebook. For each
submission to grade (`grader.classrun.intake.plan`) it sends the files to a worker (`grader.classrun.tasks.autograde`), and as each
result comes back it merges the grades in one transaction (`grader.classrun.gradebook.merge_record`) and writes the
autograded and feedback folders. An interrupted run leaves a consistent gradebook; the next run grades the rest.
Each submission's phases (`grader.plugins.phases`: the worker's, with the client's "queue", from handing it to Dask
until a worker starts it, and "merge", from the worker's end until its result is in the gradebook and the folders)
are kept in its state and summarised in the run's figures.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict

from ..course import Course, interpreter_on_path
from ..policy import mirror_extension, student_due
from ..plugins.phases import summary
from ..release import bundle, sync_gradebook, template_path
from . import state
from .cluster import Cluster, connect, local_workers, share, worker_count
from .gradebook import export_errors, export_grades, merge_record, submission_record
from .handin import display_name
from .intake import Job, plan, submission_files
from .progress import Progress
from .records import AutogradeTask, CellOutcome, FeedbackTask, SubmissionKey, TaskResult
from .tasks import autograde, feedback, read_folder, write_folder


def _manual(gb, a: str, s: str) -> dict | None:
    """The manual part of a submission's record when an instructor entered anything by hand, else None."""
    record = submission_record(gb, a, s, manual=True)
    if record is None:
        return None
    by_hand = record["manual"]
    entered = any(v is not None for nb in by_hand.values() for pair in nb["grades"].values() for v in pair) or \
        any(c for nb in by_hand.values() for c in nb["comments"].values())
    return by_hand if entered else None


class Run:
    """One grading run over some assignments of a course: its state, its log and its figures."""

    def __init__(self, course: Course, names: list[str]):
        self.course, self.names = course, names
        self.status = state.status(course, names)
        self.pending = state.pending(course, names)
        self.touched: set[str] = set()
        self.figures = {"assignments": names, "graded": 0, "errors": [], "warnings": [], "jobs": 0, "seconds": {}}

    def record(self, key: str, ok: bool, seconds: float, error: str | None, file: str, warnings=(), mark="",
               cells: list[CellOutcome] = (), phases: dict[str, tuple[float, float]] | None = None) -> None:
        """Note the outcome of one submission, with its test cells' outcomes and its phases (name -> wall and CPU
        seconds; the whole error goes to .grading/logs/), and save the state."""
        if error:
            state.log_path(self.course, key).write_text(error)
        self.status[key] = {"ok": ok, "seconds": round(seconds, 3), "file": file, "warnings": list(warnings),
                            "error": error.splitlines()[0] if error else None, "fingerprint": mark,
                            "cells": [asdict(c) for c in cells]}
        if phases:
            self.status[key]["phases"] = {name: [round(wall, 3), round(cpu, 3)] for name, (wall, cpu) in phases.items()}
        self.touched.add(key)
        self.pending.discard(key)
        a = SubmissionKey.parse(key).assignment
        state.save_status(self.course, a, self.status)
        state.save_pending(self.course, a, self.pending)

    def queue(self, jobs: list[Job]) -> None:
        self.pending |= {job.key for job in jobs}
        for a in self.names:
            state.save_pending(self.course, a, self.pending)


def _run_tasks(client, items: list, submit, done, label: str) -> None:
    """Submit `submit(item)` for each item, one per worker at a time, and call done(item, result or exception)
    as each finishes, in the order they finish; with a progress bar.

    A task that cannot be prepared (`submit` raises) is done at once with a `NotSent` error.
    One at a time per worker, the next submitted as soon as one finishes (before its result is merged): a task
    never waits in line on a worker, so when a worker dies only the task it was running is charged a failure."""
    from distributed import as_completed

    bar = Progress(len(items), label)
    todo = list(reversed(items))
    running = {}
    stream = as_completed()

    def feed() -> None:
        while todo and len(running) < max(1, worker_count(client)):
            item = todo.pop()
            try:
                future = submit(item)
            except Exception as error:  # noqa: BLE001 - preparing one task (its files, the gradebook) failed
                bar.step(failed=bool(done(item, NotSent(f"{type(error).__name__}: {error}"))))
                continue
            running[future.key] = item
            stream.add(future)

    feed()
    for future in stream:
        item = running.pop(future.key)
        feed()
        try:
            result = future.result()
        except Exception as error:  # noqa: BLE001 - a task that failed as a whole (KilledWorker, say)
            result = error
        future.release()
        bar.step(failed=bool(done(item, result)))
    bar.close()


class NotSent(Exception):
    """A task that could not be prepared for the cluster (reading the submission's files, querying the gradebook
    about its student): that submission's problem."""


def _task_error(result: BaseException) -> str:
    from distributed import KilledWorker

    if isinstance(result, NotSent):
        return f"preparing the submission for grading failed: {result}"
    if isinstance(result, KilledWorker):
        return ("KilledWorker: the grading worker died twice while grading this submission (it was retried once "
                f"on another worker); see the workers' logs\n\n{result}")
    return f"{type(result).__name__}: {result}"


def grade_class(course: Course, jobs: int | None = None, only: list[str] | None = None,
                students: list[str] | None = None, force: bool = False, report: bool = True,
                scheduler: str | None = None, write_feedback: bool = True, out=None) -> dict:
    """Autograde (on the cluster), merge, write feedback, export grades.csv and write the report.

    A problem with one submission (its folder, its timestamp, nbgrader raising, its worker dying twice, the
    merge) is recorded for that submission and the rest of the class is graded. Returns the run's figures:
    assignments, submissions graded, this run's problems and warnings, seconds per phase, the report folder.
    Raises SystemExit when another run grades one of the assignments or the sandbox cannot run on a worker."""
    out = out or sys.stderr
    start = time.perf_counter()
    names = [a for a in course.submitted_assignments() if not only or a in only]
    with state.locked(course, names):
        interpreter_on_path()
        run = Run(course, names)
        known = {k: st["fingerprint"] for k, st in run.status.items() if st.get("fingerprint")}
        todo, problems = plan(course, names, students, force, run.pending, known)
        stale = [] if not write_feedback else _stale_feedback(course, names, students, {j.key for j in todo})
        run.figures["graded"] = len(todo)
        # the workers start and warm up while this process brings the gradebook up to date
        # a local cluster starts no more workers than there are submissions: each one's start and warm-up costs
        # about 5 s of CPU that no task would use
        cluster = Cluster(scheduler, local_workers(jobs, len(todo) + len(stale))) if todo or stale else None
        times = {}
        try:
            bun = current_bundle(course, names) if names else None
            times["start-up"] = time.perf_counter() - start
            client = cluster.client() if cluster else None
            if client is not None:
                times["cluster"] = time.perf_counter() - start - times["start-up"]
                run.figures["jobs"] = worker_count(client)
                if client.dashboard_link:
                    print(f"Dask dashboard: {client.dashboard_link}", file=out)
                refuse_without_sandbox(course, cluster)  # before anything is written
            run.queue(todo)
            for p in problems:
                run.record(p.key, False, 0.0, f"could not be graded: {p.reason}", p.file, mark=p.fingerprint)
            if client is not None:
                shared = share(client, bun)
                _autograde_all(course, client, shared, run, todo, write_feedback)
                times["autograde"] = time.perf_counter() - start - sum(times.values())
                _feedback_all(course, client, shared, run, stale)
                times["feedback"] = time.perf_counter() - start - sum(times.values())
        finally:
            if cluster is not None:
                cluster.close()
        every, unexported = export(course)
        run.figures["errors"] += [f"export {a}/{s}: {reason}" for a, s, reason in unexported]
        run.figures["errors"] += [f"autograde {key} ({run.status[key]['file']}): {run.status[key]['error']}"
                                  for key in sorted(run.touched) if not run.status[key]["ok"]]
        run.figures["warnings"] = [f"{key}: {w}" for key in sorted(run.touched)
                                   for w in run.status[key].get("warnings", [])]
        if report and names:
            from .report import write_report

            folder, run.figures["summary"] = write_report(course, names, every)
            run.figures["report"] = str(folder)
        times["total"] = time.perf_counter() - start
        run.figures["seconds"] = {k: round(v, 2) for k, v in times.items()}
        # per submission graded in this run, each phase's wall and CPU seconds: mean and 95th percentile
        run.figures["phases"] = summary([run.status[k]["phases"] for k in sorted(run.touched)
                                         if "phases" in run.status[k]])
        state.save_run(course, run.figures)
        return run.figures


def current_bundle(course: Course, names: list[str]) -> dict:
    """The bundle of `names` a worker grades with (`grader.release.bundle`), and the course's gradebook brought up
    to date with its cells (those autograde restores, current with source/)."""
    bun = bundle(course, names)
    sync_gradebook(course, names, template=template_path(course, bun["hash"]))
    return bun


def export(course: Course) -> tuple[dict[str, dict], list[tuple[str, str, str]]]:
    """grades.csv and grading-errors.csv from the gradebook and every assignment's status; returns that status
    and the rows grades.csv could not compute (`grader.classrun.gradebook.export_grades`)."""
    every = state.status(course)
    unexported = export_grades(course)
    export_errors(course, every, unexported)
    return every, unexported


def refuse_without_sandbox(course: Course, cluster: Cluster) -> None:
    if not course.config.CourseKernelManager.get("sandbox", True):
        return
    problems = cluster.sandbox
    if problems:
        where, why = next(iter(problems.items()))
        raise SystemExit(f"Refusing to grade: the sandbox cannot run on {len(problems)} worker(s), e.g. {where} "
                         f"({why}). Nobody was graded.")


def autograde_task(course: Course, gb, job: Job, write_feedback: bool) -> AutogradeTask:
    """What a worker needs to autograde `job`: the submission's files from submitted/, what an instructor entered
    by hand, and the student's due date (extensions included). Raises ValueError or OSError for a submission that
    can no longer be read (`grader.classrun.intake.submission_files`)."""
    folder = course.folder("submitted", job.student, job.assignment)
    files = submission_files(folder, job, course.coursedir.ignore, course.coursedir.max_file_size)
    due = student_due(gb, course.policies, job.assignment, job.student)
    return AutogradeTask(SubmissionKey(job.assignment, job.student), files, write_feedback,
                         _manual(gb, job.assignment, job.student), due.isoformat() if due else None)


def submit_autograde(client, shared, task: AutogradeTask):
    """`grader.classrun.tasks.autograde` of `task` on the cluster, with the scattered bundle `shared`; its future."""
    return client.submit(autograde, shared, task, pure=False, key=f"autograde-{task.key}-{time.time_ns()}")


def merge_result(course: Course, gb, run: Run, job: Job, result: TaskResult | BaseException,
                 sent: tuple[float, float] = (0.0, 0.0)) -> bool:
    """Merge one autograde result (or the exception its task raised) into the gradebook, write its autograded
    and feedback folders and record it in `run`; `sent` is when its preparation began and the CPU it took.
    Whether it failed."""
    merge_cpu = time.thread_time()
    if isinstance(result, BaseException):
        result = TaskResult(error=_task_error(result))
    ok, error = result.ok, result.error
    file = display_name(job.notebook or f"{job.assignment}.ipynb")
    step = "merging the grades"
    try:
        if result.record is not None:
            merge_record(gb, job.assignment, job.student, result.record)
            mirror_extension(gb, course.policies, job.assignment, job.student)
        if ok:
            step = "writing the autograded notebook"
            write_folder(course.folder("autograded", job.student, job.assignment), result.autograded)
    except Exception as failed:  # noqa: BLE001 - this submission's problem, not the class's
        ok, error = False, f"{step} failed: {type(failed).__name__}: {failed}\n\n{error or ''}"
    feedback_error = result.feedback_error
    if ok and result.feedback is not None:
        try:
            write_folder(course.folder("feedback", job.student, job.assignment), result.feedback)
        except Exception as failed:  # noqa: BLE001 - graded and merged: only its feedback is missing
            feedback_error = f"writing the feedback failed: {type(failed).__name__}: {failed}"
    if feedback_error:
        run.figures["errors"].append(f"feedback {job.key} ({file}): {feedback_error.splitlines()[0]}")
    began, queue_cpu = sent
    phases = None
    if result.phases:  # wall seconds across the two clocks: the same machine's, or near enough
        phases = {"queue": (max(0.0, result.started - began), queue_cpu), **result.phases,
                  "merge": (max(0.0, time.time() - result.finished), time.thread_time() - merge_cpu)}
    run.record(job.key, ok, result.seconds, error, file, [*job.warnings, *result.repairs],
               cells=result.cells if ok else (), phases=phases)
    return not ok


def _autograde_all(course: Course, client, shared, run: Run, todo: list[Job], write_feedback: bool) -> None:
    sent: dict[str, tuple[float, float]] = {}  # job key -> when its preparation began, and this thread's CPU in it

    with course.gradebook() as gb:
        def submit(job: Job):
            began, cpu = time.time(), time.thread_time()
            future = submit_autograde(client, shared, autograde_task(course, gb, job, write_feedback))
            sent[job.key] = (began, time.thread_time() - cpu)
            return future

        def done(job: Job, result: TaskResult | BaseException) -> bool:
            return merge_result(course, gb, run, job, result, sent.pop(job.key, (0.0, 0.0)))

        _run_tasks(client, todo, submit, done, "autograde")


def _stale_feedback(course: Course, names: list[str], students: list[str] | None,
                    grading: set[str]) -> list[SubmissionKey]:
    """(assignment, student) of graded submissions whose feedback is missing or older than their autograded
    folder (graded by plain `nbgrader autograde`, say), other than those this run grades."""
    stale = []
    for a in names:
        for s, _ in course.submissions(a):
            graded, fed = course.folder("autograded", s, a), course.folder("feedback", s, a)
            if str(SubmissionKey(a, s)) in grading or (students and s not in students) or not graded.is_dir():
                continue
            try:
                newest = max((p.stat().st_mtime for p in graded.rglob("*")), default=0)
                if not fed.is_dir() or max((p.stat().st_mtime for p in fed.rglob("*")), default=0) < newest:
                    stale.append(SubmissionKey(a, s))
            except OSError:  # a folder that cannot be read: its feedback stays as it is, the others are written
                continue
    return stale


def _feedback_all(course: Course, client, shared, run: Run, items: list[SubmissionKey]) -> None:
    """Write the feedback of `items` (graded earlier) on the cluster, from the gradebook."""
    if not items:
        return
    with course.gradebook() as gb:
        def submit(key: SubmissionKey):
            a, s = key.assignment, key.student
            task = FeedbackTask(key, read_folder(course.folder("autograded", s, a)),
                                submission_record(gb, a, s, manual=True))
            return client.submit(feedback, shared, task, pure=False, key=f"feedback-{key}-{time.time_ns()}")

        def done(key: SubmissionKey, result: TaskResult | BaseException) -> bool:
            if isinstance(result, BaseException):
                result = TaskResult(error=_task_error(result))
            if result.ok:
                try:
                    write_folder(course.folder("feedback", key.student, key.assignment), result.feedback)
                except Exception as failed:  # noqa: BLE001 - this submission's problem, not the class's
                    result = TaskResult(error=f"writing the feedback failed: {type(failed).__name__}: {failed}")
            if not result.ok:
                run.figures["errors"].append(f"feedback {key}: {(result.error or '').splitlines()[0]}")
            return not result.ok

        _run_tasks(client, items, submit, done, "feedback")


def regenerate_feedback(course: Course, only: list[str] | None = None, students: list[str] | None = None,
                        scheduler: str | None = None, jobs: int | None = None) -> dict:
    """Write the feedback of every graded submission again from the gradebook (after grading by hand in the
    formgrader, say), on the cluster. Returns the run's figures."""
    names = [a for a in course.submitted_assignments() if not only or a in only]
    items = [SubmissionKey(a, s) for a in names for s, _ in course.submissions(a)
             if course.folder("autograded", s, a).is_dir() and (not students or s in students)]
    with state.locked(course, names):
        run = Run(course, names)
        if items:
            bun = bundle(course, names)
            with connect(scheduler, local_workers(jobs, len(items))) as client:
                run.figures["jobs"] = worker_count(client)
                _feedback_all(course, client, share(client, bun), run, items)
        run.figures["graded"] = len(items)
        return run.figures
