"""Each user's server, spawned through the hub's REST API: what a student's server offers and what it does not."""

from __future__ import annotations

import json
import re
import threading

import pytest

from hub.support import A

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.xdist_group("servers")]

INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")


@pytest.fixture(scope="module")
def servers(hub, klass, tokens) -> dict[str, float]:
    """Every user's server started at once through POST /hub/api/users/<name>/server; seconds until ready."""
    seconds, errors = {}, []

    def spawn(user):
        try:
            seconds[user] = hub.spawn(user, tokens[user])
        except RuntimeError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=spawn, args=(u,)) for u in klass.members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, "\n".join(errors)
    return seconds


def _page_config(body: bytes) -> dict:
    match = re.search(rb'<script id="jupyter-config-data" type="application/json">(.*?)</script>', body, re.S)
    assert match, "the JupyterLab page has no jupyter-config-data"
    return json.loads(match.group(1))


def test_every_users_server_starts_through_the_rest_api(servers, klass):
    assert set(servers) == set(klass.members), f"servers ready: {sorted(servers)}"


def test_a_student_server_lists_the_released_assignment(servers, hub, klass, tokens, cycle):
    a = klass.students[0]
    status, _, body = hub.get(f"/user/{a}/assignments?course_id=optimization-setup", tokens[a])
    assert status == 200, f"GET /user/{a}/assignments: HTTP {status}"
    answer = json.loads(body)
    assert answer["success"], f"the assignment list failed: {answer}"
    ids = {item["assignment_id"] for item in answer["value"]}
    assert A in ids, f"the student's assignment list shows {ids}"


def test_a_student_server_has_no_formgrader_and_no_course_list(servers, hub, klass, tokens):
    a = klass.students[0]
    for path in ("formgrader", "formgrader/manage_assignments", "formgrader/api/assignments", "formgrader/courses"):
        status, _, _ = hub.get(f"/user/{a}/{path}", tokens[a])
        assert status in (403, 404), f"a student's server answers /{path} with HTTP {status}"


def test_the_instructor_server_serves_the_formgrader_framable_by_itself_only(servers, hub, klass, tokens):
    i, a = klass.instructor, klass.students[0]
    status, headers, body = hub.get(f"/user/{i}/formgrader", tokens[i])
    assert status == 200 and b"formgrade" in body, f"the instructor's formgrader: HTTP {status}"
    csp = {k.lower(): v for k, v in headers.items()}.get("content-security-policy", "")
    assert "frame-ancestors 'self'" in csp, f"the formgrader's CSP {csp!r} would blank its iframe (nbgrader#1870)"
    _, headers, _ = hub.get(f"/user/{a}/lab", tokens[a])
    csp = {k.lower(): v for k, v in headers.items()}.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, f"a student's server is framable: CSP {csp!r}"


def test_jupyterlab_hides_the_instructor_plugins_from_students_only(servers, hub, klass, tokens):
    i, a = klass.instructor, klass.students[0]
    for user, hidden in ((a, True), (i, False)):
        status, _, body = hub.get(f"/user/{user}/lab", tokens[user])
        assert status == 200, f"/user/{user}/lab: HTTP {status}"
        disabled = _page_config(body).get("disabledExtensions", [])
        for plugin in INSTRUCTOR_PLUGINS:
            assert (plugin in disabled) == hidden, f"{plugin} disabled={plugin in disabled} for {user}"
        assert "@jupyter/nbgrader:assignment-list" not in disabled, f"{user} lost the assignment list"
        assert "@jupyter/nbgrader:validate-assignment" not in disabled, f"{user} lost Validate"


def test_a_graders_jupyterlab_has_no_nbgrader_of_its_own(servers, hub, klass, tokens):
    """A grader grades in the course's shared formgrader (test_graders.py); their own server has no course."""
    g = klass.graders[0]
    status, _, body = hub.get(f"/user/{g}/lab", tokens[g])
    assert status == 200, f"/user/{g}/lab: HTTP {status}"
    disabled = _page_config(body).get("disabledExtensions", [])
    assert "@jupyter/nbgrader" in disabled, f"a grader's JupyterLab shows nbgrader's panels: disabled {disabled}"
    for path in ("formgrader", "formgrader/api/assignments", "assignments?course_id=optimization-setup"):
        status, _, _ = hub.get(f"/user/{g}/{path}", tokens[g])
        assert status in (403, 404), f"a grader's own server answers /{path} with HTTP {status}"


def test_a_students_token_does_not_open_another_users_server(servers, hub, klass, tokens):
    a, b = klass.students
    for target in (b, klass.instructor):
        status, _, _ = hub.get(f"/user/{target}/api/contents", tokens[a])
        assert status in (302, 403, 404), f"{a}'s token opened {target}'s server: HTTP {status}"


def test_the_hub_checks_passwords_through_pam(hub, klass, tokens):
    a = klass.students[0]
    wrong = {"auth": {"username": a, "password": "not-" + klass.passwords()[a]}}
    status, _, _ = hub.request("POST", f"/hub/api/users/{a}/tokens", body=wrong)
    assert status == 403, f"a wrong password got HTTP {status} from the token API"
    assert tokens[a], f"{a}'s own password got no token"


async def _terminal(hub, user: str, token: str, command: str, pattern: re.Pattern, timeout: float = 60):
    """Open a terminal on `user`'s server (REST API), type `command`, read until `pattern` matches; the match."""
    import asyncio

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    status, _, body = hub.request("POST", f"/user/{user}/api/terminals", token)
    assert status == 200, f"POST /user/{user}/api/terminals: HTTP {status} {body[:300]!r}"
    name = json.loads(body)["name"]
    url = hub.base.replace("http://", "ws://") + f"/user/{user}/terminals/websocket/{name}"
    socket = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
    output = ""
    try:
        socket.write_message(json.dumps(["stdin", command + "\r"]))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not pattern.search(output):
            message = await asyncio.wait_for(socket.read_message(), deadline - loop.time())
            if message is None:
                break
            kind, *data = json.loads(message)
            output += data[0] if kind == "stdout" else ""
    except asyncio.TimeoutError:
        pass
    finally:
        socket.close()
        hub.request("DELETE", f"/user/{user}/api/terminals/{name}", token)
    match = pattern.search(output)
    assert match, f"{user}'s terminal did not answer `{command}` as expected:\n{output[-1500:]}"
    return match


def test_a_terminal_of_each_role_runs_the_courses_commands_and_python(servers, hub, klass, tokens):
    """A login shell would reset PATH (Debian's /etc/profile) and lose the hub's environment: nbgrader, course and
    the python that has `helpers` must be the prefix's in every user's terminal."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    command = ("printf 'R%s:%s:%s:%sE\\n' 1 \"$(command -v nbgrader)\" \"$(command -v course)\" "
               "\"$(python -c 'import helpers, sys; print(sys.prefix)' 2>&1)\"")
    answer = re.compile(r"R1:([^:\r\n]*):([^:\r\n]*):([^\r\n]*)E")
    for user in (klass.instructor, klass.students[0]):
        # a thread of its own: Playwright's sync API (the browser test) keeps an event loop running in this one
        with ThreadPoolExecutor(1) as thread:
            match = thread.submit(asyncio.run, _terminal(hub, user, tokens[user], command, answer)).result()
        nbgrader, course, prefix = match.groups()
        assert nbgrader == str(klass.site.bin / "nbgrader"), f"{user}'s terminal runs nbgrader from {nbgrader!r}"
        assert course == str(klass.site.bin / "course"), f"{user}'s terminal runs course from {course!r}"
        assert prefix == str(klass.site.prefix / "venv"), f"{user}'s terminal python: {prefix!r}"
