"""What the hub's collect (`grader.hub.collect.SafeCollect`) takes from a submission folder, on folders made here: only
regular files (never through a link), nothing without its secret or over the limits, and a time the student cannot
set. tests/hub/test_security.py does the same as a hostile student on the real hub."""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import Path

import pytest

from grader.hub.collect import TIMESTAMP_FORMAT, SafeCollect


@pytest.fixture
def collect(tmp_path):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    done = SafeCollect(coursedir=CourseDirectory(root=str(tmp_path)), authenticator=Authenticator(), max_files=5)
    done.log = logging.getLogger("test-collect")
    return done


def _folder(base: Path, name: str, stamp: datetime.datetime, secret: bool = True) -> Path:
    folder = base / f"ada+A+{stamp.strftime(TIMESTAMP_FORMAT)}"
    folder.mkdir()
    (folder / "A.ipynb").write_text("{}")
    if secret:
        (folder / "submission_secret.txt").write_text("s")
    return folder


def test_only_regular_files_are_copied_never_through_a_link(collect, tmp_path, caplog):
    now = datetime.datetime.now(datetime.timezone.utc)
    src = _folder(tmp_path, "ada", now)
    (tmp_path / "secret.db").write_text("gradebook")
    (src / "gradebook.db").symlink_to(tmp_path / "secret.db")
    (src / "course").symlink_to(tmp_path)
    (src / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(src / "pipe")
    collect.src_records = [collect._path_to_record(str(src))]
    with caplog.at_level(logging.WARNING, logger="test-collect"):
        collect.do_copy(str(src), str(tmp_path / "out"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["A.ipynb", "submission_secret.txt",
                                                                   "timestamp.txt"]
    for name in ("gradebook.db (a symbolic link)", "course (a symbolic link)", "dangling (a symbolic link)",
                 "pipe (a special file"):
        assert name in caplog.text, caplog.text


def test_a_folder_without_its_secret_or_over_the_limits_is_not_collected(collect, tmp_path):
    now = datetime.datetime.now(datetime.timezone.utc)
    bare = _folder(tmp_path, "ada", now, secret=False)
    assert "submission_secret.txt" in collect._problem(str(bare))
    many = _folder(tmp_path, "ada", now + datetime.timedelta(seconds=1))
    for i in range(5):
        (many / f"f{i}").write_text("x")
    assert "holds 7 files, more than the course's limit of 5" == collect._problem(str(many))
    link = tmp_path / f"ada+A+{(now + datetime.timedelta(seconds=2)).strftime(TIMESTAMP_FORMAT)}"
    link.symlink_to(many)
    assert "symbolic link" in collect._problem(str(link))


def test_the_submission_time_is_the_exchanges_and_a_future_name_is_not_believed(collect, tmp_path):
    now = datetime.datetime.now(datetime.timezone.utc)
    honest = collect._path_to_record(str(_folder(tmp_path, "ada", now - datetime.timedelta(seconds=1))))
    assert honest["timestamp_believed"] and honest["timestamp"] == honest["named_timestamp"]
    future = collect._path_to_record(str(_folder(tmp_path, "ada", now + datetime.timedelta(days=365))))
    old = collect._path_to_record(str(_folder(tmp_path, "ada", now - datetime.timedelta(days=1))))
    for record in (future, old):
        assert not record["timestamp_believed"]
        assert abs((record["timestamp"] - now.replace(tzinfo=None)).total_seconds()) < 60
