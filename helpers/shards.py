"""Shard course roots in which worker processes run nbgrader's own autograde, and the merge of their grades.

A worker owns `<root>/.grading/shard-<k>/`: a copy of the gradebook, links to `source/` and `release/`, and a
copy of each submission it grades. It loads nbgrader and the course's `nbgrader_config.py` once and runs
`NbGraderAPI.autograde` (the converter, preprocessors, sandbox and limits the course configures) on one
submission after another. After each submission it reads back from its gradebook what autograde wrote
(the fields `Autograde.init_assignment`, `SaveAutoGrades` and `AssignLatePenalties` set) as a plain record;
the main process, the only writer of `<root>/gradebook.db`, merges that record in one transaction
(`merge_record`) and then moves the autograded folder into `<root>/autograded/` (`move_autograded`).
This is the design suggested in jupyter/nbgrader#174: separate processes, separate gradebooks, merged.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import sqlite3
import time
import traceback
from pathlib import Path

from .course import course_config

#: Error names an executed cell gets when it ran out of time or its kernel died (nbgrader's and nbclient's,
#: and "KernelStopped" from helpers.autograde.SafeExecute, which restarts the kernel and goes on).
TIMEOUT_ERRORS = ("CellTimeoutError", "DeadKernelError", "KeyboardInterrupt", "TimeoutError", "KernelStopped")


def copy_gradebook(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite gradebook `source` at `target` (SQLite's online backup)."""
    target.unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def make_shard(root: Path, shard: Path) -> Path:
    """A fresh shard course root: the gradebook copied, source/ and release/ linked."""
    shutil.rmtree(shard, ignore_errors=True)
    shard.mkdir(parents=True)
    copy_gradebook(root / "gradebook.db", shard / "gradebook.db")
    for name in ("source", "release"):
        if (root / name).exists():
            (shard / name).symlink_to(root / name)
    return shard


def submission_record(gradebook, assignment: str, student: str) -> dict | None:
    """What autograde wrote for one submission, as JSON-friendly data (None if it wrote nothing)."""
    from nbgrader.api import MissingEntry

    try:
        sub = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    return {
        "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
        "notebooks": {nb.name: {
            "late_submission_penalty": nb.late_submission_penalty,
            "grades": {g.name: [g.auto_score, bool(g.needs_manual_grade)] for g in nb.grades},
            "comments": {c.name: c.auto_comment for c in nb.comments},
        } for nb in sub.notebooks},
    }


def merge_record(gradebook, assignment: str, student: str, record: dict) -> None:
    """Write one submission's autograde `record` into `gradebook` in one transaction.

    Mirrors `SaveAutoGrades`: the automatic score and comment are replaced; a manual score or comment an
    instructor entered is kept, and a cell with a manual score is flagged for review again.
    """
    from datetime import datetime

    from nbgrader.api import MissingEntry

    try:
        gradebook.find_student(student)
    except MissingEntry:
        gradebook.add_student(student)
    # creates the submission with its empty grades and comments if new, exactly as autograde does
    sub = gradebook.update_or_create_submission(assignment, student)
    try:
        if record["timestamp"]:
            sub.timestamp = datetime.fromisoformat(record["timestamp"])
        for nb in sub.notebooks:
            done = record["notebooks"].get(nb.name)
            if done is None:
                continue
            nb.late_submission_penalty = done["late_submission_penalty"]
            for grade in nb.grades:
                auto_score, needs_manual = done["grades"][grade.name]
                grade.auto_score = auto_score
                grade.needs_manual_grade = needs_manual or grade.manual_score is not None
            for comment in nb.comments:
                comment.auto_comment = done["comments"][comment.name]
        gradebook.db.commit()
    except BaseException:
        gradebook.db.rollback()
        raise


def move_autograded(shard: Path, root: Path, assignment: str, student: str) -> bool:
    """Move the shard's autograded/<student>/<assignment>/ into the course, replacing an older one."""
    source = shard / "autograded" / student / assignment
    if not source.is_dir():
        return False
    target = root / "autograded" / student / assignment
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))
    return True


def _autograde(api, root: Path, shard: Path, assignment: str, student: str, notebook: str | None = None) -> dict:
    """nbgrader's autograde of one submission in the shard; `notebook` is graded as <assignment>.ipynb."""
    from nbgrader.api import Gradebook

    submitted = shard / "submitted" / student / assignment
    shutil.rmtree(submitted, ignore_errors=True)
    shutil.copytree(root / "submitted" / student / assignment, submitted, symlinks=False)
    if notebook:  # a renamed notebook (e.g. "01_normalization (1).ipynb"), the only one handed in
        (submitted / notebook).rename(submitted / f"{assignment}.ipynb")
    for extra in submitted.glob("*.ipynb"):  # each assignment has one notebook; others are reported, not graded
        if extra.name != f"{assignment}.ipynb":
            extra.unlink()
    try:
        result = api.autograde(assignment, student, force=True, create=True)
    finally:
        shutil.rmtree(submitted, ignore_errors=True)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        record = submission_record(gb, assignment, student)
    if result["success"]:
        return {"ok": True, "error": None, "record": record}
    text = (result.get("log") or "") + (result.get("error") or "")
    return {"ok": False, "error": first_error(text) + "\n\n" + text, "record": record}


def first_error(text: str) -> str:
    """The first 'SomeError: message' line of a log, skipping nbgrader's generic NbGraderException."""
    for line in text.splitlines():
        m = re.match(r"\s*([\w.]*(Error|Exception|Interrupt)\b.*)", line)
        if m and "NbGraderException" not in line:
            return m.group(1).strip()
    return "autograde failed (see the log)"


def work(index: int, root: str, jobs, results, parent: int) -> None:
    """Worker loop: take ("autograde" | "feedback", assignment, student) jobs until None, report each result."""
    root_path = Path(root)
    shard = root_path / ".grading" / f"shard-{index}"
    from nbgrader.apps import NbGraderAPI

    # kernels inherit stderr: keep their chatter in the shard's log, off the progress bar
    (root_path / ".grading" / "logs").mkdir(parents=True, exist_ok=True)
    log = open(root_path / ".grading" / "logs" / f"worker-{index}.log", "a")
    os.dup2(log.fileno(), 2)
    grader = NbGraderAPI(config=course_config(root_path, shard))
    publisher = NbGraderAPI(config=course_config(root_path))  # feedback only reads the course's gradebook
    while True:
        try:
            job = jobs.get(timeout=2)
        except queue.Empty:
            if os.getppid() != parent:  # the main process died: do not linger
                return
            continue
        if job is None:
            return
        kind, assignment, student, *notebook = job
        results.put({"event": "start", "worker": index, "job": job})
        start = time.perf_counter()
        try:
            if kind == "autograde":
                out = _autograde(grader, root_path, shard, assignment, student, *notebook)
            else:
                res = publisher.generate_feedback(assignment, student, force=True)
                out = {"ok": bool(res["success"]), "error": res.get("error")}
        except Exception:
            out = {"ok": False, "error": traceback.format_exc(), "record": None}
        out.update(event="done", worker=index, job=job, seconds=time.perf_counter() - start)
        results.put(out)
