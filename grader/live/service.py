"""The grading service: every submission of a live assignment graded on arrival, as the instructor, beside the hub.

    python -m grader.live.service [--jobs N] [--interval 0.5]     # in the course folder, as the instructor

JupyterHub starts it as a managed service (hub/jupyterhub_config.py: `c.JupyterHub.services`, "user" the course's
instructor, never root) and starts it again if it exits. One instance per course folder: a second waits for the
first's lock (`.grading/live/service.lock`). Each cycle:

1. notice: a watcher thread lists the exchange's `inbound/` every `interval` seconds, also while the main thread
   grades. (No inotify library is in requirements.txt,
   and inotify would need a watch on a folder the instructor can list but that students write into through
   nbgrader's own copy, which gives no "complete" event anyway: a scan of one folder every 0.5 s costs
   microseconds and notices within the second.) A new folder of an assignment whose policy is not `manual`, owned
   by the student it names, enters the queue (`grader.live.queue`) with the exchange's time of arrival;
2. grade: the oldest waiting submission of each student (one of a student's at a time: the later of two is graded
   after the earlier, and wins): refused when the student has no attempts left (`Policy.attempts`,
   `attempts_per_day`; only graded submissions count), else collected alone (`grader.live.collect.collect_one`: the
   course's SafeCollect) and handed at once, on its own, to the Dask cluster the service keeps warm, with the
   assignment's bundle already on every worker: the very task of `course grade` (`grader.classrun.run`:
   `autograde_task`, `grader.classrun.tasks.autograde`: sandbox, re-check, restored cells, limits, late penalty,
   feedback). As each comes back, this process (the gradebook's only writer) merges it, one at a time, with
   `course grade`'s own `merge_result` (hand grades kept), and exports grades.csv. A submission's wait is its own
   grading, never another batch's. One that cannot be graded is `ungradable`, with the reason, never a zero;
3. release: with `feedback = "on-submit"` the feedback goes to that student alone at once
   (`grader.live.collect.release_one`: PrivateReleaseFeedback); with "after-due-date" once the student's due date
   has passed; with "manual" never by itself;
4. publish: each student's status file and policy.json in `<exchange>/<course>/live/` (`grader.live.status`).

Before the first submission of a live assignment the service starts its cluster and puts the assignment's bundle
on it; `.grading/live/ready.json` lists the assignments for which that is done. Each submission's timeline (seconds
from its arrival to each step: noticed, picked, collected, planned, shared, sent, computed, merged, released,
exported, scored) is logged and recorded with its last event in `.grading/live/events.jsonl`.
"""

from __future__ import annotations

import argparse
import datetime
import fcntl
import json
import logging
import os
import pwd
import signal
import stat
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..course import Course
from ..hub.site import private_group
from ..policy import Policies, due_date, student_due
from . import queue
from .collect import collect_one, release_one
from .status import (AssignmentPolicy, AssignmentStatus, CoursePolicy, SubmissionStatus, TestResult, iso, now,
                     write_policy, write_status)

log = logging.getLogger("grader.live")
#: a submission folder is complete once PrivateSubmit has narrowed it to 0770, or this many seconds after it appeared
SETTLE_SECONDS = 2.0
#: seconds between two publications of every status (due dates passing, policies and extensions changing)
PUBLISH_EVERY = 5.0


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _naive(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def refusal(policy, ledger: queue.Ledger, entry: queue.Entry) -> str | None:
    """Why `entry` may not be graded under `policy` ("refused: no attempts left"), or None."""
    graded = [e for e in ledger.graded() if e is not entry]
    if policy.attempts is not None and len(graded) >= policy.attempts:
        return f"refused: no attempts left (all {policy.attempts} used)"
    if policy.attempts_per_day is not None:
        day = _naive(entry.status.arrived).date()
        if sum(1 for e in graded if _naive(e.status.arrived).date() == day) >= policy.attempts_per_day:
            return f"refused: no attempts left today ({policy.attempts_per_day} a day, UTC)"
    return None


def attempts_left(policy, ledger: queue.Ledger, today: datetime.date) -> int | None:
    """The smaller of the attempts left in total and today; None when both are unlimited."""
    graded = ledger.graded()
    left = []
    if policy.attempts is not None:
        left.append(max(0, policy.attempts - len(graded)))
    if policy.attempts_per_day is not None:
        left.append(max(0, policy.attempts_per_day - sum(1 for e in graded if _naive(e.status.arrived).date() == today)))
    return min(left) if left else None


@dataclass
class Flying:
    """A submission on the cluster: its ledger and entry, its job (`grader.classrun.intake.Job`), the Dask future
    of its autograde task, and when its preparation began with the CPU seconds it took (its "queue" phase)."""

    ledger: queue.Ledger
    entry: queue.Entry
    job: object
    future: object
    sent: tuple[float, float]


class Service:
    """The grading service of one course (see the module docstring)."""

    def __init__(self, course: Course, jobs: int | None = None, interval: float = 0.5):
        self.course, self.jobs, self.interval = course, jobs, interval
        self.exchange = Path(course.config.Exchange.root) / course.course_id
        self.inbound = self.exchange / "inbound"
        self.known = {e.folder for ledger in queue.ledgers(course) for e in ledger.entries}
        self.ignored: set[str] = set()
        self.cluster = None
        self.published: dict[tuple[str, str], dict] = {}
        self.policy_stamp = None
        self.last_publish = 0.0
        self.warmed: set[str] = set()
        #: the live assignments whose bundle is on the warm cluster, as `.grading/live/ready.json` says
        self.ready: list[str] | None = None
        #: submissions on the cluster, by folder name; the grading run (and lock) of each assignment with any there
        self.flying: dict[str, Flying] = {}
        self.held: dict[str, tuple] = {}
        #: assignment -> ((bundle hash, policies.toml), the bundle's future on the cluster)
        self.bundles: dict[str, tuple] = {}
        self.stopping = False
        #: folder -> {step: time.time()} of a submission this process has seen: its timeline, logged and recorded in
        #: events.jsonl when it is finished (`course hub-bench --on-submit` prints it)
        self.timeline: dict[str, dict[str, float]] = {}
        #: held while a ledger is read, changed and written, and its status published: the watcher thread notices
        #: new submissions while the main thread grades
        self.lock = threading.RLock()
        self.wake = threading.Event()

    # --- policy ---------------------------------------------------------------------------------------------
    @property
    def policies(self) -> Policies:
        """The course's policies, read again when policies.toml changes."""
        path = self.course.root / "policies.toml"
        stamp = path.stat().st_mtime_ns if path.is_file() else None
        if stamp != self.policy_stamp:
            self.course.__dict__.pop("policies", None)
            self.policy_stamp = stamp
        return self.course.policies

    def live(self) -> list[str]:
        """The assignments graded on arrival: every one whose policy is not `manual`."""
        return [a for a in self.course.assignments if self.policies[a].feedback != "manual"]

    # --- notice ---------------------------------------------------------------------------------------------
    def notice(self) -> int:
        """Queue every new submission folder of a live assignment in inbound/; how many were queued."""
        live = set(self.live())
        added = 0
        try:
            names = [e.name for e in os.scandir(self.inbound)]
        except OSError as error:
            log.error("cannot list %s: %s", self.inbound, error)
            return 0
        for name in names:
            if name in self.known or name in self.ignored or name.startswith("."):
                continue
            parts = name.split("+")
            if len(parts) < 3 or parts[1] not in live:
                continue  # not a submission, or not of a live assignment (yet: the policy may change)
            student, assignment = parts[0], parts[1]
            try:
                st = os.lstat(self.inbound / name)
                owner = pwd.getpwuid(st.st_uid).pw_name
            except (OSError, KeyError):
                continue
            if not stat.S_ISDIR(st.st_mode) or owner != student:
                log.warning("not a submission of %s: %s (owned by %s)", student, name, owner)
                self.ignored.add(name)
                continue
            arrived = datetime.datetime.fromtimestamp(st.st_ctime, datetime.timezone.utc)
            with self.lock:
                ledger = queue.load(self.course, assignment, student)
                ledger.entries.append(queue.Entry(name, SubmissionStatus(arrived=arrived.isoformat())))
                ledger.entries.sort(key=lambda e: e.arrived)
                queue.save(self.course, ledger)
                queue.log_event(self.course, "queued", assignment, student, name, arrived=arrived.isoformat())
                self.known.add(name)
                self.timeline[name] = {"arrived": st.st_ctime, "noticed": time.time()}
                self.publish(assignment, student, ledger)
            added += 1
        return added

    def commit(self, ledger: queue.Ledger, entry: queue.Entry, event: str | None = None, **details) -> None:
        """Write `entry` (as the caller changed it) into its ledger on disk, read again first so that a submission
        the watcher noticed meanwhile is kept; log `event`; publish the student's status."""
        with self.lock:
            fresh = queue.load(self.course, ledger.assignment, ledger.student)
            mine = fresh.find(entry.folder)
            if mine is None:
                fresh.entries.append(entry)
            else:
                fresh.entries[fresh.entries.index(mine)] = entry
            fresh.entries.sort(key=lambda e: e.arrived)
            queue.save(self.course, fresh)
            if event:
                queue.log_event(self.course, event, ledger.assignment, ledger.student, entry.folder, **details)
            self.publish(ledger.assignment, ledger.student, fresh)
            ledger.entries = fresh.entries

    def settled(self, name: str) -> bool:
        """Whether nbgrader's submit has finished writing the folder `name`."""
        try:
            st = os.lstat(self.inbound / name)
        except OSError:
            return True  # gone: grading says so
        return stat.S_IMODE(st.st_mode) & 0o777 == 0o770 or time.time() - st.st_ctime > SETTLE_SECONDS

    # --- grade ----------------------------------------------------------------------------------------------
    def client(self):
        """The client of the service's own Dask cluster, started on first use and kept warm."""
        from ..classrun.cluster import Cluster

        if self.cluster is None:
            self.cluster = Cluster(None, self.jobs, dashboard=False)
        return self.cluster.client()

    def grade_waiting(self) -> bool:
        """Hand the oldest waiting submission of each student to the cluster, unless one of theirs is on it
        already (the later of two is graded after the earlier, and wins); whether any was handed or settled."""
        chosen: dict[tuple[str, str], tuple[queue.Ledger, queue.Entry]] = {}
        with self.lock:
            todo = queue.waiting(self.course)
        busy = {(f.ledger.assignment, f.ledger.student) for f in self.flying.values()}
        for ledger, entry in todo:
            if entry.folder not in self.flying:
                chosen.setdefault((ledger.assignment, ledger.student), (ledger, entry))
        worked = False
        for (assignment, student), (ledger, entry) in chosen.items():
            if (assignment, student) in busy or not self.settled(entry.folder):
                continue
            self._mark(entry, "picked")
            why = refusal(self.policies[assignment], ledger, entry)
            if why is None:
                why = self._collect(ledger, entry)
                self._mark(entry, "collected")
            if why is not None:
                entry.status.state = "refused" if why.startswith("refused") else "ungradable"
                entry.status.message = why
                self.commit(ledger, entry, entry.status.state, message=why, timeline=self._timeline(entry))
            else:
                entry.status.state = "grading"
                self.commit(ledger, entry, "grading")
                self.grade(ledger, entry)
            worked = True
        return worked

    def _collect(self, ledger: queue.Ledger, entry: queue.Entry) -> str | None:
        """Collect `entry` alone; None when collected, else why it could not be graded."""
        if not (self.inbound / entry.folder).is_dir():
            return "could not be graded: the submission is no longer in the exchange"
        try:
            if collect_one(self.course, ledger.assignment, ledger.student, entry.folder):
                return None
            return ("could not be graded: the submission folder is not the student's own work as nbgrader submit "
                    "makes it (no submission_secret.txt, too many files or too large, or a symbolic link)")
        except Exception as error:  # noqa: BLE001 - this submission's problem, not the service's
            return f"could not be graded: collecting it failed: {type(error).__name__}: {error}"

    def _hold(self, assignment: str):
        """The grading run of `assignment` (`grader.classrun.run.Run`), holding its lock while any of its
        submissions is on the cluster, as `course grade` holds it; SystemExit when the instructor's own run holds it."""
        from ..classrun import state
        from ..classrun.run import Run

        if assignment not in self.held:
            lock = state.locked(self.course, [assignment])
            lock.__enter__()
            self.held[assignment] = (lock, Run(self.course, [assignment]))
        return self.held[assignment][1]

    def _let_go(self, assignment: str) -> None:
        if assignment in self.held and not any(f.ledger.assignment == assignment for f in self.flying.values()):
            self.held.pop(assignment)[0].__exit__(None, None, None)

    def _shared(self, client, assignment: str):
        """The bundle of `assignment` on the cluster (`grader.classrun.cluster.share`): sent again when policies.toml
        changed, built again (and the gradebook synced) only when source/ or the configuration changed since the
        last submission."""
        from ..classrun.cluster import share
        from ..classrun.run import current_bundle
        from ..release import bundle

        bun = bundle(self.course, [assignment])
        mark = (bun["hash"], bun["policies"])  # policies.toml is not in the hash: the late penalty reads it
        known = self.bundles.get(assignment)
        if known is None or known[0] != mark:
            if known is None or known[0][0] != bun["hash"]:
                bun = current_bundle(self.course, [assignment])
            known = self.bundles[assignment] = (mark, share(client, bun))
        return known[1]

    def grade(self, ledger: queue.Ledger, entry: queue.Entry) -> None:
        """Hand the collected submission `entry` to the cluster on its own, with `course grade`'s pipeline
        (`grader.classrun.run`: the same task, the same merge); `settle` merges it when it comes back."""
        from ..classrun.intake import plan
        from ..classrun.run import autograde_task, refuse_without_sandbox, submit_autograde
        from ..course import interpreter_on_path

        a, s = ledger.assignment, ledger.student
        try:
            run = self._hold(a)
        except SystemExit as stopped:  # the instructor's own `course grade`: try again later
            log.info("%s", stopped)
            entry.status.state = "queued"
            self.commit(ledger, entry)
            return
        began, cpu = time.time(), time.thread_time()
        try:
            interpreter_on_path()
            client = self.client()
            refuse_without_sandbox(self.course, self.cluster)
            jobs, problems = plan(self.course, [a], [s], True, set())
            self._mark(entry, "planned")
            if problems:
                p = problems[0]
                run.record(p.key, False, 0.0, f"could not be graded: {p.reason}", p.file, mark=p.fingerprint)
                self._let_go(a)
                return self._finish(ledger, entry, run.status.get(p.key), None)
            job = jobs[0]
            shared = self._shared(client, a)
            self._mark(entry, "shared")
            run.queue([job])
            with self.course.gradebook() as gb:
                task = autograde_task(self.course, gb, job, write_feedback=True)
            future = submit_autograde(client, shared, task)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - e.g. the cluster could not start: say so, serve on
            log.exception("grading %s/%s failed", a, s)
            self._let_go(a)
            why = str(error) if isinstance(error, SystemExit) else f"{type(error).__name__}: {error}"
            return self._finish(ledger, entry, None, f"could not be graded: {why}")
        self.flying[entry.folder] = Flying(ledger, entry, job, future, (began, time.thread_time() - cpu))
        self._mark(entry, "sent")

        def back(_):
            self._mark(entry, "computed", first=True)
            self.wake.set()

        future.add_done_callback(back)

    def settle(self) -> bool:
        """Merge every submission the cluster has finished, one at a time (this process is the gradebook's only
        writer), release its feedback, export grades.csv once for them all, then say graded; whether any was."""
        from ..classrun.run import export, merge_result

        done = [f for f in self.flying.values() if f.future.done()]
        if not done:
            return False
        with self.course.gradebook() as gb:
            for f in done:
                self._mark(f.entry, "computed", first=True)  # the future's callback may not have run yet
                try:
                    result = f.future.result()
                except Exception as error:  # noqa: BLE001 - a task that failed as a whole (KilledWorker, say)
                    result = error
                f.future.release()
                merge_result(self.course, gb, self.held[f.ledger.assignment][1], f.job, result, f.sent)
                self._mark(f.entry, "merged")
        graded = []
        for f in done:
            del self.flying[f.entry.folder]
            run = self.held[f.ledger.assignment][1]
            graded.append((f, run.status.get(f.job.key)))
            if (run.status.get(f.job.key) or {}).get("ok") and self.policies[f.ledger.assignment].feedback == "on-submit":
                self._release(f.ledger, f.entry, commit=False)  # before its status says graded: score and feedback at once
                self._mark(f.entry, "released")
        try:
            export(self.course)
        except Exception:  # noqa: BLE001 - the grades are in the gradebook; the next export writes them
            log.exception("exporting grades.csv failed")
        for f in done:
            self._mark(f.entry, "exported")
        for f, outcome in graded:
            self._finish(f.ledger, f.entry, outcome, None, release=False)
            self._let_go(f.ledger.assignment)
        return True

    def _finish(self, ledger: queue.Ledger, entry: queue.Entry, graded: dict | None, error: str | None,
                release: bool = True) -> None:
        a, s = ledger.assignment, ledger.student
        if error is None and (graded is None or not graded.get("ok")):
            reason = (graded or {}).get("error") or "grading left no result"
            error = reason if reason.startswith("could not be graded") else f"could not be graded: {reason}"
        if error is not None:
            entry.status.state, entry.status.message = "ungradable", error
        else:
            self._scores(entry.status, a, s, graded.get("cells", []))
            entry.status.state, entry.status.message = "graded", None
            if release and self.policies[a].feedback == "on-submit":  # released first: the student sees score and feedback at once
                self._release(ledger, entry, commit=False)
        self._mark(entry, "scored")
        self.commit(ledger, entry, entry.status.state, score=entry.status.score, message=entry.status.message,
                    feedback=entry.status.feedback, timeline=self._timeline(entry))

    def _mark(self, entry: queue.Entry, step: str, first: bool = False) -> None:
        """Note the time of `step` of `entry`; with `first`, only when it has none yet."""
        marks = self.timeline.setdefault(entry.folder, {})
        if not (first and step in marks):
            marks[step] = time.time()

    def _timeline(self, entry: queue.Entry) -> dict[str, float]:
        """Seconds from the submission's arrival in the exchange to each step this process took for it (a
        submission noticed by an earlier run of the service starts at "picked"); logged."""
        marks = self.timeline.pop(entry.folder, {})
        start = marks.get("arrived") or min(marks.values(), default=0.0)
        seconds = {step: round(moment - start, 3) for step, moment in marks.items() if step != "arrived"}
        log.info("%s: %s", entry.folder, ", ".join(f"{step} {t:.2f} s" for step, t in seconds.items()))
        return seconds

    def _scores(self, status: SubmissionStatus, assignment: str, student: str, cells: list[dict]) -> None:
        """The score, penalty and each test cell's score and named mistake, from the course's gradebook."""
        outcomes = {c["grade_id"]: c for c in cells}
        with self.course.gradebook() as gb:
            sub = gb.find_submission(assignment, student)
            penalty = float(sub.late_submission_penalty or 0.0)
            status.score, status.max_score = round(float(sub.score) - penalty, 6), float(sub.max_score)
            status.late_penalty = round(penalty, 6)
            tests = []
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.cell_type != "code" or grade.auto_score is None:
                        continue
                    seen = outcomes.get(grade.name, {})
                    mistake = seen.get("mistake") or seen.get("stopped") if not seen.get("passed", True) else None
                    tests.append(TestResult(grade.name, float(grade.score), float(grade.max_score), mistake))
            status.tests = tests

    def _release(self, ledger: queue.Ledger, entry: queue.Entry, commit: bool = True) -> None:
        try:
            release_one(self.course, ledger.assignment, ledger.student)
        except Exception as error:  # noqa: BLE001 - graded; only its feedback is missing, and the status says so
            log.error("feedback of %s/%s not released: %s", ledger.assignment, ledger.student, error)
            entry.status.message = f"graded; the feedback could not be released: {error}"
        else:
            entry.status.feedback = True
        if commit:
            self.commit(ledger, entry, "released" if entry.status.feedback else "not released")

    # --- publish --------------------------------------------------------------------------------------------
    def status_of(self, gb, assignment: str, student: str, ledger: queue.Ledger) -> AssignmentStatus:
        policy = self.policies[assignment]
        due = student_due(gb, self.policies, assignment, student)
        hide = policy.show == "score" and (due is None or _utcnow() < due)
        subs = [SubmissionStatus(**{**asdict(e.status), "tests": [] if hide else list(e.status.tests)})
                for e in ledger.entries]
        return AssignmentStatus(assignment, student, iso(due), len(ledger.graded()),
                                attempts_left(policy, ledger, _utcnow().date()), subs, now())

    def publish(self, assignment: str, student: str, ledger: queue.Ledger | None = None, gb=None) -> None:
        """Write `student`'s status file of `assignment` when it changed."""
        ledger = ledger or queue.load(self.course, assignment, student)
        if gb is None:
            with self.course.gradebook() as gb:
                return self.publish(assignment, student, ledger, gb)
        status = self.status_of(gb, assignment, student, ledger)
        content = {**asdict(status), "updated": None}
        if self.published.get((assignment, student)) == content:
            return
        try:
            gid = private_group(student)
        except KeyError:
            gid = None
        if gid is None:
            log.warning("%s has no group of their own: no status file written", student)
            return
        write_status(self.exchange, status, gid)
        self.published[(assignment, student)] = content

    def publish_all(self) -> None:
        """policy.json, every student's status of every live assignment, and feedback whose due date has come."""
        policies = self.policies
        with self.lock, self.course.gradebook() as gb:
            public = {a: AssignmentPolicy(p.feedback, p.show, p.attempts, p.attempts_per_day, iso(due_date(gb, a)),
                                          p.late_description())
                      for a in self.course.assignments for p in [policies[a]]}
            write_policy(self.exchange, CoursePolicy(self.course.course_id, public))
            students = [s.id for s in gb.students]
            for a in self.live():
                for s in students:
                    ledger = queue.load(self.course, a, s)
                    if policies[a].feedback == "after-due-date":
                        self._release_if_due(gb, ledger)
                    self.publish(a, s, ledger, gb)

    def _release_if_due(self, gb, ledger: queue.Ledger) -> None:
        graded = ledger.graded()
        due = student_due(gb, self.policies, ledger.assignment, ledger.student)
        if graded and not graded[-1].status.feedback and due is not None and _utcnow() >= due:
            self._release(ledger, graded[-1])

    # --- the loop -------------------------------------------------------------------------------------------
    def warm(self) -> None:
        """Before the first submission of a live assignment arrives: start the cluster (its workers import nbgrader
        and check the sandbox in the background) and build the assignment's bundle (its gradebook of cells), which
        the first grading would otherwise wait for."""
        from ..classrun.cluster import Cluster
        from ..release import bundle

        live = self.live()
        for a in live:
            if a not in self.warmed:
                if self.cluster is None:
                    self.cluster = Cluster(None, self.jobs, dashboard=False)
                try:
                    bundle(self.course, [a])
                except Exception as error:  # noqa: BLE001 - grading will say what is wrong, per submission
                    log.error("could not prepare %s for grading: %s", a, error)
                self.warmed.add(a)
            if a not in self.bundles and self.cluster is not None and self.cluster._started.done():
                try:  # the gradebook synced and the bundle on every worker before the first submission
                    self._shared(self.cluster.client(), a)
                except Exception as error:  # noqa: BLE001 - the first submission says what is wrong
                    log.error("could not send %s to the workers: %s", a, error)
                    self.bundles[a] = ((None, None), None)
        ready = sorted(a for a in live if (self.bundles.get(a) or (None, None))[1] is not None)
        if ready != self.ready:
            self.ready = ready
            (queue.folder(self.course) / "ready.json").write_text(json.dumps({"assignments": ready, "time": now()}))
            log.info("warm for %s", ", ".join(ready) or "no assignment")

    def watch(self) -> None:
        """The watcher thread: `notice` every `interval` seconds, grading or not (see the module docstring)."""
        while not self.stopping:
            try:
                if self.notice():
                    self.wake.set()
            except Exception:  # noqa: BLE001 - a bad folder or a full disk: said in the log, the watch goes on
                log.exception("noticing new submissions failed")
            time.sleep(self.interval)  # the scan's period

    def run(self) -> None:
        log.info("grading service of %s: watching %s every %.1f s", self.course.root, self.inbound, self.interval)
        watcher = threading.Thread(target=self.watch, name="inbound watcher", daemon=True)
        watcher.start()
        try:
            while not self.stopping:
                self.wake.clear()  # before looking: a submission noticed or a task finished from here on wakes us
                self.warm()
                if time.monotonic() - self.last_publish > PUBLISH_EVERY:
                    self.publish_all()
                    self.last_publish = time.monotonic()
                worked = self.settle()
                worked = self.grade_waiting() or worked
                if not worked:
                    self.wake.wait(self.interval)
        finally:
            self.stopping = True
            for lock, _ in self.held.values():  # what is still on the cluster is `grading` on disk: graded again
                lock.__exit__(None, None, None)
            if self.cluster is not None:
                self.cluster.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.live.service", description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=None, help="grading worker processes (default: one per core)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between two scans of inbound/")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[grading %(asctime)s %(levelname)s] %(message)s")
    course = Course.find()
    folder = queue.folder(course)
    lock = open(folder / "service.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # one service per course: a second one waits here until the first ends
    (folder / "service.pid").write_text(str(os.getpid()))
    service = Service(course, args.jobs, args.interval)

    def stop(signum, frame):
        service.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    service.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
