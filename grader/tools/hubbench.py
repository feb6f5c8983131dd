"""`course hub-bench`: how long a class's cycle takes on the course's hub set-up, with temporary students.

    sudo .venv/bin/course hub-bench --students 30 [--spawn] [--jobs N]

Needs root and the hub's environment (make hub-env). Creates an instructor and N students with unique names
(hubb-<random>-s01, ...) through `course roster`, with a private exchange, then times each phase of the cycle as
the users run it, through nbgrader's exchange commands from the hub's environment:

    release        the instructor: nbgrader release_assignment
    fetch+submit   all N students at once (one thread each, each as its user): fetch_assignment, their notebook
                   (two in three the solution, one in three untouched), submit
    collect        the instructor: nbgrader collect
    course grade   the instructor: the course's parallel grading (sandbox, re-check, feedback) on --jobs workers
    release_feedback, fetch_feedback (all N at once)

With --spawn it also starts the hub (on loopback and free ports, as the tests do), logs every student in with
their password (PAM) and starts all N servers at once through the REST API, waiting until each is ready. At the
end the hub is stopped and every account is removed with its home (userdel -r).

With --on-submit it times the live course instead (grader/live/): the hub starts with its grading service, the
assignment's policy is set to on-submit, and once the service is warm for it (its cluster up and the assignment's
bundle on it, as on a hub whose course is under way) every student fetches and submits at once, and nobody collects
or grades:
for each student, the seconds from the start of their submit until their status file (grader/live/status.py) says
queued, graded, and feedback released (fetchable), with the 50th and 95th percentiles and the maximum.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from ..hub.site import HubSite
from .hubclass import TemporaryClass


def _parallel(function, items: list, workers: int) -> list:
    """function(item) for every item on `workers` threads; re-raises the first error after all have finished."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(function, item) for item in items]
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            raise RuntimeError(f"{len(errors)} of {len(items)} failed; the first: {errors[0]}") from errors[0]
        return [f.result() for f in futures]


class Phases:
    """Wall-clock seconds of each named phase, printed as each ends."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def run(self, name: str, function, *args):
        start = time.perf_counter()
        result = function(*args)
        self.seconds[name] = time.perf_counter() - start
        print(f"{name:<28} {self.seconds[name]:7.1f} s", flush=True)
        return result


def cycle(klass: TemporaryClass, phases: Phases, assignment: str, jobs: int | None) -> dict:
    """Release, fetch+submit by every student at once, collect, course grade, release and fetch feedback."""
    students = klass.students

    def hand_in(i_student):
        i, student = i_student
        klass.fetch(student, assignment)
        if i % 3 != 2:  # one in three hands in the notebook untouched
            klass.hand_in(student, assignment, "solution")
        klass.submit(student, assignment)

    phases.run("release", klass.release, assignment)
    phases.run(f"fetch+submit x{len(students)}", _parallel, hand_in, list(enumerate(students)), len(students))
    phases.run("collect", klass.collect, assignment)
    phases.run("course grade", klass.grade, assignment, jobs)
    phases.run("release_feedback", klass.release_feedback, assignment)
    fetched = phases.run(f"fetch_feedback x{len(students)}", _parallel,
                         lambda s: klass.fetch_feedback(s, assignment), students, len(students))
    collected = list((klass.course_folder / "submitted").glob(f"*/{assignment}"))
    return {"collected": len(collected), "feedback": sum(1 for files in fetched if files)}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


def on_submit(klass: TemporaryClass, phases: Phases, assignment: str, timeout: float = 900.0) -> dict:
    """The live course's submit-to-feedback time per student (module docstring); counts for the exit status."""
    import json

    from ..hub.server import HubServer

    hub = HubServer(klass.site, klass.roster, klass.folder / "state")
    phases.run("hub start (and its grading service)", hub.start)
    try:
        phases.run("release", klass.release, assignment)
        klass.site.run_as(klass.instructor, "instructor", [str(klass.site.bin / "course"), "policy", assignment,
                                                           "--feedback", "on-submit"], cwd=klass.course_folder)
        phases.run("grading service warm", _wait_ready, klass, assignment, timeout)
        phases.run(f"fetch x{len(klass.students)}", _parallel, lambda s: klass.fetch(s, assignment),
                   klass.students, len(klass.students))
        for i, student in enumerate(klass.students):
            if i % 3 != 2:  # one in three hands in the notebook untouched
                klass.hand_in(student, assignment, "solution")
        began: dict[str, float] = {}

        def submit(student: str) -> None:
            began[student] = time.monotonic()
            klass.submit(student, assignment)

        seen: dict[str, dict[str, float]] = {s: {} for s in klass.students}
        live = klass.site.course_exchange / "live"
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(klass.students)) as pool:
            futures = [pool.submit(submit, s) for s in klass.students]
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not all("released" in seen[s] or "failed" in seen[s]
                                                          for s in klass.students):
                for student in klass.students:
                    try:
                        status = json.loads((live / student / f"{assignment}.json").read_text())
                    except (OSError, ValueError):
                        continue
                    if not status["submissions"] or student not in began:
                        continue
                    last, when = status["submissions"][-1], time.monotonic() - began[student]
                    seen[student].setdefault("queued", when)
                    if last["state"] == "graded":
                        seen[student].setdefault("graded", when)
                    if last["feedback"]:
                        seen[student].setdefault("released", when)
                    if last["state"] in ("ungradable", "refused"):
                        seen[student].setdefault("failed", when)
                time.sleep(0.1)  # the benchmark's own poll of the status files
            for f in futures:
                f.result()
        phases.seconds["submit to the last feedback"] = time.monotonic() - start
    finally:
        hub.stop()
    print(f"\n{'student':<20} {'queued':>8} {'graded':>8} {'released':>9}   (seconds from the start of submit)")
    for student in klass.students:
        t = seen[student]
        print(f"{student:<20} " + " ".join(f"{t[k]:8.1f}" if k in t else f"{'-':>8}"
                                            for k in ("queued", "graded", "released")))
    for phase in ("queued", "graded", "released"):
        values = [seen[s][phase] for s in klass.students if phase in seen[s]]
        print(f"{phase:<9} p50 {_percentile(values, 0.5):6.1f} s   p95 {_percentile(values, 0.95):6.1f} s   "
              f"max {max(values, default=float('nan')):6.1f} s   ({len(values)} of {len(klass.students)})")
    _print_timelines(klass, assignment)
    released = sum(1 for s in klass.students if "released" in seen[s])
    return {"collected": released, "feedback": released}


def _wait_ready(klass: TemporaryClass, assignment: str, timeout: float) -> None:
    """Wait until the grading service says it is warm for `assignment` (its cluster up, the assignment's bundle on
    it: `.grading/live/ready.json`), as it is on a hub whose course is under way; TimeoutError after `timeout` s."""
    import json

    path = klass.course_folder / ".grading" / "live" / "ready.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if assignment in json.loads(path.read_text())["assignments"]:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.1)  # the service writes the file once it is warm: poll it
    raise TimeoutError(f"the grading service was not warm for {assignment} within {timeout:.0f} s ({path})")


def _print_timelines(klass: TemporaryClass, assignment: str) -> None:
    """The grading service's own timeline of each student's last submission (events.jsonl, `timeline`): seconds
    from its arrival in the exchange to each step, and the median of each step over the class."""
    import json
    import statistics

    path = klass.course_folder / ".grading" / "live" / "events.jsonl"
    lines = path.read_text().splitlines() if path.is_file() else []
    last = {}
    for line in lines:
        event = json.loads(line)
        if event.get("assignment") == assignment and "timeline" in event:
            last[event["student"]] = event["timeline"]
    if not last:
        print(f"no timeline in {path}")
        return
    steps = list(max(last.values(), key=len))  # a refused or ungradable submission stops early
    print(f"\nthe grading service's steps, seconds from the submission's arrival in the exchange ({len(last)} "
          "submissions):")
    for step in steps:
        values = [t[step] for t in last.values() if step in t]
        print(f"  {step:<10} median {statistics.median(values):6.2f} s   max {max(values):6.2f} s")


def spawn_all(klass: TemporaryClass, phases: Phases):
    """Start the hub, log every student in (PAM) and start all their servers at once; the hub, to stop later."""
    from ..hub.server import HubServer

    hub = HubServer(klass.site, klass.roster, klass.folder / "state")
    phases.run("hub start", hub.start)
    passwords = klass.passwords()
    tokens = phases.run(f"log in x{len(klass.students)} (PAM)", _parallel,
                        lambda s: hub.login_token(s, passwords[s]), klass.students, len(klass.students))
    phases.run(f"spawn x{len(klass.students)} servers", _parallel,
               lambda st: hub.spawn(*st), list(zip(klass.students, tokens)), len(klass.students))
    return hub


def add_arguments(parser) -> None:
    """The options of this subcommand (grader/cli.py declares every subcommand so)."""
    parser.add_argument("--students", type=int, default=30, help="temporary students (default %(default)s)")
    parser.add_argument("--spawn", action="store_true", help="also start the hub and every student's server")
    parser.add_argument("--jobs", type=int, default=None, help="course grade's workers (default: one per core)")
    parser.add_argument("--assignment", default="01_normalization", help="the assignment (default %(default)s)")
    parser.add_argument("--on-submit", action="store_true",
                        help="time the live course: submit to feedback fetchable, graded by the hub's grading service")


def run(args) -> int:
    if os.geteuid() != 0:
        print("course hub-bench: run it as root: it creates and removes Unix accounts", file=sys.stderr)
        return 2
    site = HubSite.from_env()
    if site.missing():
        raise RuntimeError(site.missing())
    klass = TemporaryClass(site.prefix, [f"s{i + 1:02d}" for i in range(args.students)], tag="hubb")
    phases, hub = Phases(), None
    print(f"hub-bench: {args.students} students and an instructor ({klass.instructor}), exchange in "
          f"{klass.site.exchange}, {os.cpu_count()} cores", flush=True)
    try:
        phases.run("accounts (course roster)", klass.create)
        if args.on_submit:
            if args.jobs:
                os.environ["HUB_GRADING_JOBS"] = str(args.jobs)  # the grading service's workers
            counts = on_submit(klass, phases, args.assignment)
        else:
            if args.spawn:
                hub = spawn_all(klass, phases)
            counts = cycle(klass, phases, args.assignment, args.jobs)
    finally:
        if hub is not None:
            hub.stop()
        problems = klass.remove()
    cycle_total = sum(v for k, v in phases.seconds.items()
                      if not k.startswith(("accounts", "hub start", "log in", "spawn")))
    print(f"{'cycle, release to feedback':<28} {cycle_total:7.1f} s   ({counts['collected']} collected, "
          f"{counts['feedback']} feedback files fetched)")
    for p in problems:
        print(f"cleanup: {p}", file=sys.stderr)
    return 0 if counts["collected"] == counts["feedback"] == args.students and not problems else 1

