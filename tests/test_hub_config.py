"""The hub's configuration without a hub: the roster file, each role's environment, the plugin and extension ids
the student role turns off (they must exist in the pinned nbgrader), the course's exchange under the hub, and
collect's choice between a student's own submission and one forged in their name. The hub itself: tests/hub/."""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
from pathlib import Path

import pytest

from support import ROOT
from grader.hub.site import COURSE_ID, HubSite, Member, read_roster

HUB = ROOT / "hub"


def test_the_example_roster_is_a_valid_roster():
    members = read_roster(HUB / "roster.example.csv")
    assert [m.role for m in members].count("instructor") == 1, f"example roster: {members}"
    assert Member("ada", "student", "Ada", "Lovelace") in members, f"example roster: {members}"


def test_a_roster_without_names_is_a_roster_too(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("id,role\nada,student\nprof,instructor\n")
    assert read_roster(path) == [Member("ada", "student"), Member("prof", "instructor")]


@pytest.mark.parametrize("text, words", [
    ("name,role\nada,student\nprof,instructor\n", "header"),
    ("id,role,name\nada,student,Ada\nprof,instructor,\n", "header"),
    ("id,role\nAda,student\nprof,instructor\n", "Unix account name"),
    ("id,role\nada+x,student\nprof,instructor\n", "Unix account name"),
    ("id,role\nada,teacher\nprof,instructor\n", "role 'teacher'"),
    ("id,role\nada,student\nada,student\nprof,instructor\n", "listed twice"),
    ("id,role\nada,student\n", "exactly one instructor"),
    ("id,role\nada,instructor\nprof,instructor\n", "exactly one instructor"),
])
def test_a_bad_roster_is_refused_with_the_reason(tmp_path, text, words):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=words):
        read_roster(path)


def test_the_hubs_course_id_is_the_courses():
    from grader.course import Course

    assert Course(ROOT).course_id == COURSE_ID, "grader.hub.site.COURSE_ID and nbgrader_config.py disagree"


def test_each_role_gets_its_config_folder_first_and_only_the_instructor_the_course_and_database():
    site = HubSite(Path("/opt/x"), Path("/srv/ex"))
    environ = {"NBGRADER_DB_URL": "postgresql://grader@db/course"}
    student, instructor = site.role_env("student", "root", environ), site.role_env("instructor", "root", environ)
    for role, env in (("student", student), ("instructor", instructor)):
        paths = env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
        assert paths == [f"/opt/x/etc/jupyter/{role}", "/opt/x/etc/jupyter/common"], f"{role}: {paths}"
        assert env["PATH"].startswith("/opt/x/venv/bin:"), f"{role}'s PATH: {env['PATH']}"
        assert env["COURSE_EXCHANGE"] == "/srv/ex", f"{role}'s exchange: {env['COURSE_EXCHANGE']}"
    assert "COURSE_ROOT" not in student and "NBGRADER_DB_URL" not in student, f"student env: {student}"
    assert instructor["COURSE_ROOT"] == "/root/optimization-setup", f"instructor env: {instructor}"
    assert instructor["NBGRADER_DB_URL"] == environ["NBGRADER_DB_URL"], "the database URL is not passed on"
    with pytest.raises(ValueError, match="unknown role"):
        site.role_env("admin", "root")


def test_the_plugins_hidden_from_students_exist_in_nbgraders_labextension():
    import nbgrader

    bundle = "".join(p.read_text(errors="replace")
                     for p in (Path(nbgrader.__file__).parent / "labextension" / "static").glob("*.js"))
    disabled = json.loads((HUB / "jupyter" / "student" / "labconfig" / "page_config.json").read_text())
    ids = sorted(disabled["disabledExtensions"])
    assert ids == ["@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:formgrader"], f"disabled for students: {ids}"
    missing = [i for i in ids if f'"{i}"' not in bundle]
    assert not missing, f"nbgrader's labextension has no plugin {missing}: the ids changed with nbgrader"


def test_the_server_extensions_named_for_students_exist_and_only_the_instructors_are_off():
    config = json.loads((HUB / "jupyter" / "student" / "jupyter_server_config.json").read_text())
    extensions = config["ServerApp"]["jpserver_extensions"]
    missing = [name for name in extensions if importlib.util.find_spec(name) is None]
    assert not missing, f"no such server extension: {missing}"
    off = sorted(name for name, on in extensions.items() if not on)
    assert off == ["nbgrader", "nbgrader.server_extensions.course_list", "nbgrader.server_extensions.formgrader"], \
        f"turned off for students: {off}"


def test_the_course_config_keeps_the_hubs_exchange_and_its_own_otherwise(monkeypatch, tmp_path):
    from grader.course import load_config

    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "shared"))
    assert load_config(ROOT).Exchange.root == str(tmp_path / "shared"), "the course config overrode the hub's"
    monkeypatch.delenv("COURSE_EXCHANGE")
    assert load_config(ROOT).Exchange.root == str(ROOT / ".exchange"), "without a hub the exchange moved"


def _record(owner: str, hours: int) -> dict:
    stamp = datetime.datetime(2026, 1, 1, 12) + datetime.timedelta(hours=hours)
    return {"username": "ada", "owner": owner, "timestamp": stamp, "filename": f"ada+A+{stamp}+x"}


def test_collect_takes_the_students_own_latest_submission_over_a_later_forged_one():
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    from grader.hub.collect import OwnerCheckedCollect

    collect = OwnerCheckedCollect(coursedir=CourseDirectory(), authenticator=Authenticator())
    records = [_record("ada", 0), _record("ada", 1), _record("ben", 5)]
    assert collect._sort_by_timestamp(records)[0] is records[1], "collect chose a folder ben made in ada's name"
    collect.check_owner = False
    assert collect._sort_by_timestamp(records)[0] is records[2], "with check_owner off, nbgrader's choice changed"
