"""What grading can read, no student reads: the probes of a hostile student (B) on the real hub, with the course in
the instructor's home and a classmate (A) whose submission the instructor's groups may read. Every probe runs in
each course of the session's hub (`course`): the first course (A and B), and the second, where B is enrolled too and
its own student D plays A, so that a course set up by the several-courses path holds as the first does.

On its own assignment (S), so that the scripted and browser cycles are untouched:
- B hands in a notebook that walks the whole file system for source notebooks, gradebooks, configurations and
  submissions, prints what it finds and reads, and echoes every later cell (hidden tests included) from an IPython
  hook; it is graded by `course grade` on Dask and by `nbgrader autograde` (the formgrader's button);
- B makes a folder in inbound of symbolic links to A's collected submission, the source notebook, the gradebook and
  the course folder; a folder without its submission_secret.txt; a submission of 3,000 files;
- A dates a submission in the future, then submits for real;
- B writes into the exchange's root; the instructor releases feedback while one student's folder is broken.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from hub.support import as_user, hidden_lines

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("servers")]

S = "03_initialization"
SEARCH = '''import json, os, sys
FOUND = []
for _folder, _dirs, _files in os.walk("/", onerror=lambda error: None):
    if _folder in ("/proc", "/sys", "/dev", "/usr", sys.prefix, sys.base_prefix):
        _dirs[:] = []
        continue
    FOUND += [os.path.join(_folder, _n) for _n in _files]
print("FOUND:", json.dumps(FOUND), flush=True)
for _path in FOUND:
    if not _path.startswith("/etc/"):
        try:
            print("READ", _path, open(_path, "rb").read(2000))
        except OSError as _error:
            print("UNREADABLE", _path, _error)
SEEN = []
get_ipython().events.register("pre_run_cell", lambda info: SEEN.append(info.raw_cell))
'''
ECHO = 'print("HOOK SAW:", "\\n".join(SEEN))'


def q(path) -> str:
    return shlex.quote(str(path))


def _write(klass, student: str, nb) -> None:
    import pwd

    path = klass.student_folder(student, S) / f"{S}.ipynb"
    nbformat.write(nb, path)
    entry = pwd.getpwnam(student)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _hostile(klass):
    from grader.tools.scenarios import example_notebook

    nb = example_notebook(klass.source, S, "solution")
    nb.cells.insert(1, new_code_cell(SEARCH))
    nb.cells.append(new_code_cell(ECHO))
    return nb


def _inbound(klass, student: str) -> list[Path]:
    uid = os.stat(klass.home(student)).st_uid
    return sorted(p for p in (klass.course_exchange / "inbound").glob(f"{student}+{S}+*")
                  if p.lstat().st_uid == uid)


def _found(notebook: Path) -> list[str]:
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            match = re.search(r"FOUND: (\[.*?\])\n", output.get("text", ""))
            if match:
                return json.loads(match.group(1))
    searches = [(cell.cell_type, cell.get("outputs", [])[:2]) for cell in nb.cells if "FOUND" in cell.source]
    raise AssertionError(f"the search printed nothing in {notebook}: the probe would prove nothing; {searches}")


@pytest.fixture(scope="module", params=["first", "second"])
def course(request, klass, second):
    """The course the probes run in: the session's class, then its second course (B is the hostile student of both,
    their other student plays A)."""
    course = klass if request.param == "first" else second
    assert course.students[1] == klass.students[1], f"B is not the second student of {course.course_id}"
    return course


@pytest.fixture(scope="module")
def probes(course):
    klass = course
    a, b = klass.students
    out = {}
    klass.release(S)
    for student in (a, b):
        klass.fetch(student, S)
    klass.hand_in(a, S, "solution")
    klass.submit(a, S)
    klass.collect(S)  # A's submission is in the instructor's course now: a target for B's links
    root = klass.course_folder
    inbound = klass.course_exchange / "inbound"

    # B: a folder of links (with a secret, so that only the links can keep it out)
    links = inbound / f"{b}+{S}+2026-01-01 00:00:00.000000 UTC+links"
    done = as_user(klass, b, " && ".join([
        f"mkdir {q(links)}", f"echo secret > {q(links / 'submission_secret.txt')}",
        f"ln -s {q(root / 'submitted' / a / S / (S + '.ipynb'))} {q(links / (S + '.ipynb'))}",
        f"ln -s {q(root / 'source' / S / (S + '.ipynb'))} {q(links / 'source.ipynb')}",
        f"ln -s {q(root / 'gradebook.db')} {q(links / 'gradebook.db')}",
        f"ln -s {q(root)} {q(links / 'course')}"]))
    assert done.returncode == 0, done.stderr
    out["links_collect"] = klass.collect(S).stderr
    out["links_collected"] = sorted(str(p.relative_to(root / "submitted" / b))
                                    for p in (root / "submitted" / b).rglob("*")) if (root / "submitted" / b).exists() else []

    # B: a folder without its secret, and one of 3,000 files
    nosecret = inbound / f"{b}+{S}+2026-01-02 00:00:00.000000 UTC+nosecret"
    many = inbound / f"{b}+{S}+2026-01-03 00:00:00.000000 UTC+many"
    mine = klass.student_folder(b, S) / f"{S}.ipynb"
    done = as_user(klass, b, f"mkdir {q(nosecret)} {q(many)} && cp {q(mine)} {q(nosecret)}/ && "
                             f"cp {q(mine)} {q(many)}/ && echo s > {q(many / 'submission_secret.txt')} && "
                             f"cd {q(many)} && seq 1 3000 | xargs touch")
    assert done.returncode == 0, done.stderr
    out["bad_collect"] = klass.collect(S).stderr
    for folder in (links, nosecret, many):  # as root: B's own folders, out of the way of the real submissions
        shutil.rmtree(folder)

    # A: a submission dated in the future, which must not shadow A's next, real one
    klass.submit(a, S)
    future = _inbound(klass, a)[-1]
    done = as_user(klass, a, f"printf %s '2030-01-01 00:00:00.000000 UTC' > {q(future / 'timestamp.txt')}")
    assert done.returncode == 0, done.stderr
    out["future_collect"] = klass.collect(S).stderr
    out["future_stamp"] = (root / "submitted" / a / S / "timestamp.txt").read_text().strip()
    klass.submit(a, S)
    out["real_collect"] = klass.collect(S).stderr
    out["real_stamp"] = (root / "submitted" / a / S / "timestamp.txt").read_text().strip()
    out["latest_a"] = _inbound(klass, a)[-1]

    # B: the hostile notebook, graded by course grade (Dask), then by nbgrader autograde (the formgrader's path)
    _write(klass, b, _hostile(klass))
    klass.submit(b, S)
    klass.collect(S)
    klass.grade(S, jobs=2)
    out["found_dask"] = _found(root / "autograded" / b / S / f"{S}.ipynb")
    klass.release_feedback(S)
    out["feedback"] = klass.fetch_feedback(b, S)
    klass.instructor_nbgrader("autograde", S, "--student", b, "--force")
    out["found_autograde"] = _found(root / "autograded" / b / S / f"{S}.ipynb")

    # the instructor releases feedback while B's folder has lost its secret: A's is released all the same
    secret = root / "feedback" / b / S / "submission_secret.txt"
    kept = secret.read_bytes()
    secret.unlink()
    released_a = klass.course_exchange / "feedback"
    before = {p: p.stat().st_mtime_ns for p in released_a.glob("*.html")}
    out["broken_release"] = klass.instructor_nbgrader("release_feedback", S, check=False)
    out["released_after"] = {p: (p.stat().st_gid, p.stat().st_mode & 0o777) for p in released_a.glob("*.html")
                             if before.get(p) != p.stat().st_mtime_ns}
    secret.write_bytes(kept)
    return out


def test_the_grading_kernel_sees_nothing_of_the_course_the_exchange_or_a_classmate(course, probes):
    interpreter = str(course.site.prefix / "venv")
    # the notebook's folder: B's own files, read-only (at its path for a kernel started cold, at /submission/<name>
    # for one forked from the warm kernel, grader.plugins.zygote)
    owns = (f"/autograded/{course.students[1]}/{S}/", f"/submission/{S}/")

    def own(p: str) -> bool:
        return any(o in p and "/" not in p[p.index(o) + len(o):] for o in owns)

    for way in ("found_dask", "found_autograde"):
        outside = [p for p in probes[way] if not p.startswith((interpreter, "/etc/", "/tmp/"))
                   and "/lib/python3" not in p and not own(p)]
        assert probes[way], f"{way}: the search found nothing at all"
        assert not outside, f"{way}: the grading kernel could see {outside[:10]}"


def test_the_hostile_students_feedback_holds_no_hidden_test_and_nothing_of_others(course, klass, second, probes):
    a, b = course.students
    assert len(probes["feedback"]) == 1, f"B's fetched feedback: {probes['feedback']}"
    text = probes["feedback"][0].read_text()
    shown = [line for line in hidden_lines(S) if line in text]
    assert not shown, f"B's feedback shows hidden test code: {shown[:3]}"
    for secret in ("BEGIN HIDDEN TESTS", str(klass.course_folder), str(second.course_folder), a):
        assert secret not in text, f"B's feedback shows {secret!r}"


def test_collect_never_follows_a_symbolic_link(course, probes):
    a, b = course.students
    assert "symbolic link" in probes["links_collect"], probes["links_collect"]
    collected = probes["links_collected"]
    assert not [p for p in collected if p.endswith((".db", "source.ipynb")) or "course" in p.split("/")], collected
    notebook = course.course_folder / "submitted" / b / S / f"{S}.ipynb"
    theirs = course.course_folder / "submitted" / a / S / f"{S}.ipynb"
    assert not notebook.exists() or notebook.read_bytes() != theirs.read_bytes(), "B handed in A's notebook"


def test_collect_refuses_a_folder_without_its_secret_and_one_over_the_limits(probes):
    log = probes["bad_collect"]
    assert "submission_secret.txt" in log and "nosecret" in log, log
    assert re.search(r"holds \d{4} files, more than the course's limit", log), log


def test_a_future_timestamp_neither_dates_the_submission_nor_shadows_the_next(probes):
    assert not probes["future_stamp"].startswith("2030"), f"collected as {probes['future_stamp']}"
    assert "reached the exchange at" in probes["future_collect"], probes["future_collect"]
    assert probes["real_stamp"] > probes["future_stamp"], \
        f"the later real submission was not collected: {probes['real_stamp']} after {probes['future_stamp']}"
    assert probes["real_stamp"] == probes["latest_a"].name.split("+")[2], probes["real_collect"]


def test_release_feedback_goes_student_by_student_past_a_broken_folder(course, probes):
    a, b = course.students
    done = probes["broken_release"]
    assert done.returncode != 0 and b in done.stderr and "submission_secret.txt" in done.stderr, done.stderr
    a_gid = os.stat(course.home(a)).st_gid
    assert list(probes["released_after"].values()) == [(a_gid, 0o640)], probes["released_after"]


def test_no_user_may_write_into_the_exchanges_root(klass):
    _, b = klass.students
    for command in (f"touch {q(klass.site.exchange / 'fill')}", f"mkdir {q(klass.site.exchange / 'next-course')}"):
        done = as_user(klass, b, command)
        assert done.returncode != 0 and "Permission denied" in done.stderr, f"{command}: {done.stderr}"
