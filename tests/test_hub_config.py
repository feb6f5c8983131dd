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
    assert any(m.role == "grader" for m in members), f"the example roster shows no grader: {members}"


def test_a_roster_takes_any_number_of_graders_and_still_one_instructor(tmp_path):
    from grader.hub.site import graders_of

    path = tmp_path / "roster.csv"
    path.write_text("id,role\nada,student\nta1,grader\nta2,Grader\nprof,instructor\n")
    assert graders_of(read_roster(path)) == ["ta1", "ta2"]
    path.write_text("id,role\nada,student\nta1,grader\n")
    with pytest.raises(ValueError, match="exactly one instructor"):
        read_roster(path)


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
    grader = site.role_env("grader", "root", environ)
    for role, env in (("student", student), ("instructor", instructor), ("grader", grader)):
        paths = env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
        assert paths == [f"/opt/x/etc/jupyter/{role}", "/opt/x/etc/jupyter/common"], f"{role}: {paths}"
        assert env["PATH"].startswith("/opt/x/venv/bin:"), f"{role}'s PATH: {env['PATH']}"
        assert env["COURSE_EXCHANGE"] == "/srv/ex", f"{role}'s exchange: {env['COURSE_EXCHANGE']}"
    for role, env in (("student", student), ("grader", grader)):
        assert "COURSE_ROOT" not in env and "NBGRADER_DB_URL" not in env, f"{role} env: {env}"
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


def test_the_shared_formgrader_runs_as_the_instructor_with_its_own_config_folder_first(monkeypatch):
    site = HubSite(Path("/opt/x"), Path("/srv/ex"))
    env = site.formgrader_env("root", {"NBGRADER_DB_URL": "postgresql://grader@db/course"})
    folders = [f"/opt/x/etc/jupyter/{name}" for name in ("formgrader", "instructor", "common")]
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == folders, f"formgrader env: {env}"
    assert env["COURSE_ROOT"] == "/root/optimization-setup" and env["NBGRADER_DB_URL"], f"formgrader env: {env}"
    config = json.loads((HUB / "jupyter" / "formgrader" / "jupyter_server_config.json").read_text())
    on = sorted(name for name, enabled in config["ServerApp"]["jpserver_extensions"].items() if enabled)
    assert on == ["grader.hub.formgrader"], f"the course's formgrader service runs {on}"


def test_a_grader_may_read_and_grade_and_nothing_else_the_instructor_everything(monkeypatch):
    from grader.hub import formgrader

    monkeypatch.setattr(formgrader, "instructor", lambda: "prof")
    for handler, method in [("GradeHandler", "PUT"), ("CommentHandler", "PUT"), ("FlagSubmissionHandler", "POST"),
                            ("GenerateFeedbackHandler", "POST"), ("ReleaseHandler", "GET"),
                            ("SubmissionHandler", "GET")]:
        assert formgrader.refusal(handler, method, "ta") is None, f"a grader was refused {method} {handler}"
    for handler, method in [("ReleaseHandler", "POST"), ("CollectHandler", "POST"), ("AssignHandler", "POST"),
                            ("UnReleaseHandler", "POST"), ("AssignmentHandler", "PUT"), ("StudentHandler", "PUT"),
                            ("ReleaseAllFeedbackHandler", "POST"), ("AutogradeHandler", "POST"),
                            ("HandlerOfALaterNbgrader", "POST")]:
        why = formgrader.refusal(handler, method, "ta")
        assert why and why.startswith("only the instructor, prof, may "), f"{method} {handler}: {why}"
        assert formgrader.refusal(handler, method, "prof") is None, f"the instructor was refused {method} {handler}"
    assert formgrader.refusal("SubmissionFilesHandler", "GET", "ta", "/formgrader/submissions/x/%2e%2e/gradebook.db")


def test_every_formgrader_handler_of_nbgrader_is_guarded():
    from nbgrader.server_extensions.formgrader import apihandlers, handlers
    from nbgrader.server_extensions.formgrader.base import BaseHandler

    from grader.hub.formgrader import REFUSED_ACTIONS, StaffGuard, guarded

    routes = guarded([*handlers.default_handlers, *apihandlers.default_handlers])
    open_ = [r[0] for r in routes if issubclass(r[1], BaseHandler) and not issubclass(r[1], StaffGuard)]
    assert not open_, f"formgrader routes without the staff guard: {open_}"
    names = {r[1].__name__ for r in routes}
    assert set(REFUSED_ACTIONS) <= names, f"no such formgrader handler in nbgrader: {set(REFUSED_ACTIONS) - names}"


def _rosters(tmp_path, **rosters) -> list[str]:
    specs = []
    for name, text in rosters.items():
        (tmp_path / f"{name}.csv").write_text(text)
        specs.append(str(tmp_path / f"{name}.csv") if name == "default" else f"{name}={tmp_path / f'{name}.csv'}")
    return specs


def test_several_rosters_make_several_courses_and_a_bare_path_is_the_default_course(tmp_path):
    from grader.hub.site import read_rosters

    specs = _rosters(tmp_path, default="id,role\nada,student\nben,student\nprof,instructor\n",
                     ml="id,role\nben,student\ncat,student\nturing,instructor\nta,grader\n")
    courses = read_rosters(" ".join(specs))
    assert [c.id for c in courses] == [COURSE_ID, "ml"]
    default, ml = courses
    assert (default.instructor, ml.instructor, ml.graders) == ("prof", "turing", ["ta"])
    assert (default.group, ml.group) == (f"nbgrader-{COURSE_ID}", "nbgrader-ml")
    assert (default.grading_service, ml.grading_service) == ("grading", "grading-ml")
    assert (ml.formgrader_service, ml.staff_role) == ("ml", "formgrade-ml")
    site = HubSite(Path("/opt/x"), Path("/srv/ex"), courses)
    assert [c.id for c in site.courses_of("ben")] == [COURSE_ID, "ml"]
    # one course: its id; several: none, so that nbgrader lists them all (nbgrader's demo_multiple_classes)
    assert site.role_env("student", "ada")["COURSE_ID"] == COURSE_ID
    assert site.role_env("student", "cat")["COURSE_ID"] == "ml"
    assert "COURSE_ID" not in site.role_env("student", "ben")
    assert site.exchange_of("ml") == Path("/srv/ex/ml")


@pytest.mark.parametrize("course_id", ["Ml", "ml+2", "ml/2", "-ml", "", "a" * 24, "grading-x", "ml 2"])
def test_a_bad_course_id_is_refused_saying_what_is_expected(tmp_path, course_id):
    from grader.hub.site import read_rosters

    (tmp_path / "r.csv").write_text("id,role\nprof,instructor\n")
    with pytest.raises(ValueError, match="is not a course id: expected lower-case letters, digits"):
        read_rosters([f"{course_id}={tmp_path / 'r.csv'}"])


def test_staff_belong_to_one_course_and_a_course_is_given_once(tmp_path):
    from grader.hub.site import read_rosters

    specs = _rosters(tmp_path, default="id,role\nada,student\nprof,instructor\n",
                     ml="id,role\nada,student\nprof,grader\nturing,instructor\n")
    with pytest.raises(ValueError, match="prof is in 2 courses .*an instructor or a grader belongs to one course"):
        read_rosters(specs)
    with pytest.raises(ValueError, match="given twice"):
        read_rosters([specs[0], specs[0]])


def test_one_database_url_for_several_courses_is_refused(tmp_path):
    from grader.hub.site import read_rosters, refuse_shared_database

    specs = _rosters(tmp_path, default="id,role\nprof,instructor\n", ml="id,role\nturing,instructor\n")
    courses = read_rosters(specs)
    refuse_shared_database(courses, {})
    refuse_shared_database(courses[:1], {"NBGRADER_DB_URL": "postgresql://db/course"})
    with pytest.raises(ValueError, match="NBGRADER_DB_URL is set for 2 courses"):
        refuse_shared_database(courses, {"NBGRADER_DB_URL": "postgresql://db/course"})
