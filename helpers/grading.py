"""Grade the class on every core: autograde, feedback, grades.csv, a report, and a score table.

    python -m helpers.grading                     # grade what is new under submitted/ (make grade)
    python -m helpers.grading --force             # regrade everything
    python -m helpers.grading --jobs 4 --assignments 01_normalization --students ada ben
    python -m helpers.grading --demo              # first copy the bundled examples into submitted/

Worker processes run nbgrader's own autograde with the course's nbgrader_config.py, each in its own shard
(helpers.shards); this process merges every graded submission into gradebook.db in one transaction as soon as
it is done, so an interrupted run leaves a consistent gradebook and the next run grades the rest.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import multiprocessing
import os
import queue
import shutil
import time
from pathlib import Path

from . import shards
from .course import assignments, course_config, course_root, interpreter_on_path, sync_gradebook
from .intake import plan
from .progress import Progress


def copy_examples(root: Path) -> list[Path]:
    """Copy examples/submitted/<student>/<assignment>/ into submitted/, replacing earlier copies."""
    copied = []
    for folder in sorted((root / "examples" / "submitted").glob("*/*")):
        target = root / "submitted" / folder.parent.name / folder.name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target)
        copied.append(target)
    return copied


def submitted_assignments(root: Path) -> list[str]:
    """Assignments, in course order, that have at least one submission."""
    return [a for a in assignments(root) if any((root / "submitted").glob(f"*/{a}"))]


def open_gradebook(root: Path):
    """nbgrader's Gradebook on the course's gradebook.db, with the course id of nbgrader_config.py."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    course_id = CourseDirectory(config=course_config(root)).course_id
    return Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id)


def forget_examples(root: Path) -> None:
    """Remove the example students' submissions from the gradebook, so that `--demo` always starts afresh
    (nbgrader refuses to update an assignment's cells while it has submissions)."""
    from nbgrader.api import MissingEntry

    from .submissions import example_plan

    if not (root / "gradebook.db").is_file():
        return
    with open_gradebook(root) as gb:
        for student, per in example_plan(root).items():
            for a in per:
                try:
                    gb.remove_submission(a, student)
                except MissingEntry:
                    pass


def _state(root: Path, name: str) -> dict:
    path = root / ".grading" / name
    return json.loads(path.read_text()) if path.is_file() else {}


def _save_state(root: Path, name: str, data) -> None:
    path = root / ".grading" / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)  # atomic: a killed run never leaves half a file


class Workers:
    """Worker processes (spawned, one shard each) fed from one job queue; a worker that dies is replaced."""

    def __init__(self, root: Path, count: int):
        self.root, self.ctx = root, multiprocessing.get_context("spawn")
        self.jobs, self.results = self.ctx.Queue(), self.ctx.Queue()
        self.procs, self.busy, self.restarts = {}, {}, 0
        for k in range(count):
            self._start(k)

    def _start(self, k: int) -> None:
        shards.make_shard(self.root, self.root / ".grading" / f"shard-{k}")
        proc = self.ctx.Process(target=shards.work, daemon=True,
                                args=(k, str(self.root), self.jobs, self.results, os.getpid()))
        proc.start()
        self.procs[k] = proc

    def shard(self, k: int) -> Path:
        return self.root / ".grading" / f"shard-{k}"

    def run(self, jobs: list[tuple], on_done) -> None:
        """Queue `jobs` and call on_done(result) for each as it finishes, in the order they finish."""
        for job in jobs:
            self.jobs.put(job)
        left = len(jobs)
        while left:
            try:
                msg = self.results.get(timeout=1)
            except queue.Empty:
                for k, proc in list(self.procs.items()):
                    if not proc.is_alive():
                        self.restarts += 1
                        if self.restarts > 3 * len(self.procs):
                            log = self.root / ".grading" / "logs" / f"worker-{k}.log"
                            raise RuntimeError(f"grading workers keep dying; see {log}")
                        job = self.busy.pop(k, None)
                        self._start(k)
                        if job is not None:
                            left -= 1
                            on_done({"job": job, "worker": k, "ok": False, "record": None, "seconds": 0.0,
                                     "error": f"grading worker died (exit code {proc.exitcode})"})
                continue
            if msg["event"] == "start":
                self.busy[msg["worker"]] = msg["job"]
            elif self.busy.pop(msg["worker"], None) is not None:
                left -= 1
                on_done(msg)

    def close(self) -> None:
        for _ in self.procs:
            self.jobs.put(None)
        for proc in self.procs.values():
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()


def export_grades(root: Path) -> Path:
    """grades.csv through the export plugin nbgrader_config.py chooses (nbgrader's CSV exporter by default)."""
    from nbgrader.plugins import CsvExportPlugin
    from traitlets.utils.importstring import import_item

    config = course_config(root)
    plugin_class = config.ExportApp.get("plugin_class", CsvExportPlugin)
    if isinstance(plugin_class, str):
        plugin_class = import_item(plugin_class)
    plugin = plugin_class(config=config)
    plugin.to = str(root / "grades.csv")
    with open_gradebook(root) as gb:
        plugin.export(gb)
    return root / "grades.csv"


def grade_class(root: Path, jobs: int | None = None, only: list[str] | None = None,
                students: list[str] | None = None, force: bool = False, report: bool = True) -> dict:
    """Autograde (in parallel), merge, generate feedback, export grades.csv and write the report.

    A problem with one submission (its folder, its timestamp, nbgrader raising, the merge) is recorded for that
    submission and the rest of the class is graded. Returns the run's figures: assignments, submissions graded,
    this run's problems, seconds per phase, the report folder.
    """
    from .sandbox import sandbox_problem

    names = [a for a in submitted_assignments(root) if not only or a in only]
    work = root / ".grading"
    work.mkdir(exist_ok=True)
    lock = open(work / "lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(f"another grading run holds {work / 'lock'}; wait for it to finish")
    if course_config(root).CourseKernelManager.get("sandbox", True) and sandbox_problem():
        raise SystemExit(f"Refusing to grade: the sandbox cannot run ({sandbox_problem()}). Nobody was graded.")
    interpreter_on_path()
    sync_gradebook(root, names)  # the cells (with hidden tests) autograde restores, current with source/
    pending = set(_state(root, "pending.json").get("jobs", []))
    status = _state(root, "status.json")
    known = {key: st["fingerprint"] for key, st in status.items() if st.get("fingerprint")}
    todo, problems = plan(root, names, students, force, pending, known)
    pending |= {job.key for job in todo}
    _save_state(root, "pending.json", {"jobs": sorted(pending)})
    touched: set[str] = set()

    def record(key: str, ok: bool, seconds: float, error: str | None, file: str, warnings=(), mark="") -> None:
        if error:  # the first line names the error; the whole log goes to .grading/logs/
            (work / "logs").mkdir(exist_ok=True)
            (work / "logs" / f"{key.replace('/', '-')}.log").write_text(error)
        status[key] = {"ok": ok, "seconds": round(seconds, 3), "file": file, "warnings": list(warnings),
                       "error": error.splitlines()[0] if error else None, "fingerprint": mark}
        touched.add(key)
        _save_state(root, "status.json", status)

    for p in problems:
        record(p.key, False, 0.0, f"could not be graded: {p.reason}", p.file, mark=p.fingerprint)
    times, run = {}, {"assignments": names, "graded": len(todo), "errors": [], "jobs": 0}
    start = time.perf_counter()
    workers = None
    try:
        submissions = sum(1 for a in names for _ in (root / "submitted").glob(f"*/{a}"))
        count = max(1, min(jobs or os.cpu_count() or 1, max(len(todo), submissions)))
        run["jobs"] = count
        workers = Workers(root, count)
        by_key = {job.key: job for job in todo}
        with open_gradebook(root) as gb:
            bar = Progress(len(todo), "autograde")

            def merged(msg: dict) -> None:
                job = by_key[f"{msg['job'][1]}/{msg['job'][2]}"]
                ok, error = msg["ok"], msg.get("error")
                try:
                    if msg.get("record") is not None:
                        shards.merge_record(gb, job.assignment, job.student, msg["record"])
                    if ok:
                        shards.move_autograded(workers.shard(msg["worker"]), root, job.assignment, job.student)
                except Exception as failed:  # noqa: BLE001 - this submission's problem, not the class's
                    ok, error = False, f"merging the grades failed: {type(failed).__name__}: {failed}\n\n{error or ''}"
                pending.discard(job.key)
                _save_state(root, "pending.json", {"jobs": sorted(pending)})
                record(job.key, ok, msg["seconds"], error, job.notebook or f"{job.assignment}.ipynb", job.warnings)
                bar.step(failed=not ok)

            workers.run([("autograde", j.assignment, j.student, j.notebook) for j in todo], merged)
            bar.close()
        times["autograde"] = time.perf_counter() - start
        publish = [("feedback", a, s) for a in names for s in _graded_students(root, a, students)]
        bar = Progress(len(publish), "feedback")

        def published(msg: dict) -> None:
            if not msg["ok"]:
                run["errors"].append(f"feedback {msg['job'][1]}/{msg['job'][2]}: {(msg['error'] or '')[-500:]}")
            bar.step(failed=not msg["ok"])

        workers.run(publish, published)
        bar.close()
        times["feedback"] = time.perf_counter() - start - times["autograde"]
    finally:
        if workers:
            workers.close()
    export_grades(root)
    export_errors(root, status)
    run["errors"] += [f"autograde {key} ({status[key]['file']}): {status[key]['error']}"
                      for key in sorted(touched) if not status[key]["ok"]]
    run["warnings"] = [f"{key}: {w}" for key in sorted(touched) for w in status[key].get("warnings", [])]
    if report:
        from .report import write_report

        folder, run["summary"] = write_report(root, names, status)
        run["report"] = str(folder)
    times["total"] = time.perf_counter() - start
    run["seconds"] = {k: round(v, 2) for k, v in times.items()}
    _save_state(root, "last_run.json", run)
    lock.close()
    return run


def export_errors(root: Path, status: dict) -> Path:
    """grading-errors.csv beside grades.csv: every submission whose last autograde failed, with the reason.

    Such a submission could not be graded: its score in grades.csv is not a mark. Columns: assignment, student,
    file (the notebook handed in), reason (the first line of the error), log (the whole log, relative to root).
    """
    import csv

    path = root / "grading-errors.csv"
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["assignment", "student", "file", "reason", "log"])
        for key, st in sorted(status.items()):
            if not st["ok"]:
                a, s = key.split("/", 1)
                out.writerow([a, s, st.get("file", f"{a}.ipynb"), st["error"], f".grading/logs/{a}-{s}.log"])
    return path


def _graded_students(root: Path, assignment: str, only: list[str] | None) -> list[str]:
    return [p.parent.name for p in sorted((root / "autograded").glob(f"*/{assignment}"))
            if not only or p.parent.name in only]


def score_table(root: Path, status: dict | None = None) -> str:
    """Students by assignment with their scores from the gradebook; `error` where the last autograde failed."""
    from nbgrader.api import MissingEntry

    status = _state(root, "status.json") if status is None else status
    lines, errors = [], []
    with open_gradebook(root) as gb:
        names = [a.name for a in gb.assignments if a.name in assignments(root)]
        # a submission that could not be graded at all may belong to a student the gradebook has not seen yet
        students = sorted({s.id for s in gb.students} | {key.split("/", 1)[1] for key in status})
        width = max([len(s) for s in students] + [7])
        lines.append("student".ljust(width) + "".join(f"  {a:>24}" for a in names))
        for student in students:
            row = student.ljust(width)
            for a in names:
                st = status.get(f"{a}/{student}")
                try:
                    if st and not st["ok"]:
                        cell = "error"
                        errors.append(f"{student}, {a} ({st.get('file')}): {st['error']}")
                    else:
                        sub = gb.find_submission(a, student)
                        cell = f"{sub.score:g} / {sub.max_score:g}" + (" *" if sub.needs_manual_grade else "")
                except MissingEntry:
                    cell = "-"
                row += f"  {cell:>24}"
            lines.append(row)
    lines.append("* written answers still to grade by hand in the formgrader")
    if errors:
        lines.append("error: could not be graded (not a zero; see grading-errors.csv and .grading/logs/):")
        lines += [f"  {e}" for e in errors]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", action="store_true",
                        help="copy the bundled example submissions first (implies --force)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument("--assignments", nargs="*", help="grade only these assignment ids")
    parser.add_argument("--students", nargs="*", help="grade only these student ids")
    parser.add_argument("--force", action="store_true", help="regrade submissions already graded")
    parser.add_argument("--no-report", dest="report", action="store_false", help="skip the figures and report.html")
    args = parser.parse_args(argv)
    root = course_root()
    if args.demo:
        forget_examples(root)
        copied = copy_examples(root)
        print(f"copied {len(copied)} example submissions into submitted/")
    run = grade_class(root, args.jobs, args.assignments, args.students, args.force or args.demo, args.report)
    secs = run["seconds"]
    print(f"graded {run['graded']} submission(s) of {', '.join(run['assignments']) or 'nothing'} with "
          f"{run['jobs']} worker(s) in {secs['total']:.1f} s (autograde {secs.get('autograde', 0):.1f} s, "
          f"feedback {secs.get('feedback', 0):.1f} s); wrote feedback/ and grades.csv\n")
    if run.get("summary"):
        print(run["summary"] + "\n")
    print(score_table(root))
    if run["warnings"]:
        print(f"\n{len(run['warnings'])} warning(s) in this run:\n  " + "\n  ".join(run["warnings"]))
    if run["errors"]:
        print(f"\n{len(run['errors'])} problem(s) in this run:\n  "
              + "\n  ".join(e.splitlines()[0] for e in run["errors"]))


if __name__ == "__main__":
    main()
