"""The course's shared formgrader: one for the whole teaching staff, graders refused what only the instructor does.

nbgrader's way for one class with several graders (its `demo_one_class_multiple_graders`) is a formgrader run as a
JupyterHub *service* by the account that owns the course, which the hub lets the members of a group open. Here that
account is the instructor (the course folder, the gradebook and the exchange's course folder are theirs), the
service is named after the course (`grader.hub.site.CourseRoster.formgrader_service`) and the hub role that may open
it `CourseRoster.staff_role`, `formgrade-<course>` (the instructor and the roster's graders; hub/jupyterhub_config.py
starts one such service per course of the hub, each as its own instructor). In nbgrader's demo
every member of the group may do anything the course account may: release, collect, and in its JupyterLab open a
terminal as that account. This server extension, enabled in the service only (hub/jupyter/formgrader/), keeps the
instructor's powers to the instructor, on the server, whatever a browser sends:

- The instructor is the account the service runs as (the hub's user names are the Unix names); every other user the
  hub lets in is a grader.
- A grader may read every formgrader page and API (every submission, grade, comment and student; a submission's
  files, never a path with `..` or `//` out of them, which nbgrader serves from anywhere in the course folder), and
  may change
  only what grading changes: `GRADER_MAY` (a grade's manual score and extra credit, a comment, a submission's flag,
  and generating feedback from the gradebook, which the instructor then releases). Anything else the formgrader
  offers (generate or edit an assignment, release or unrelease it, collect, autograde, release feedback, change a
  student) is refused before nbgrader's handler runs, with the reason: one of nbgrader's actions (`ACTIONS`: its
  pages press a button and read `{"success": ..., "error": ...}` from an HTTP 200, showing only a generic "There
  was an error" on any other status) answers as nbgrader answers an action that failed, `{"success": false,
  "error": <why>, "log": ""}`, so the grader reads why in the formgrader's error dialog; any other request
  answers HTTP 403 with `{"success": false, "error": <why>, "message": <why>}`. A request that changes something on
  a route a later nbgrader adds is refused to graders until listed here (an allow-list).
- Jupyter Server's own APIs (contents, files, kernels, sessions, terminals, nbconvert, ...) are refused to graders
  altogether by `grader.hub.staff_authorizer.StaffAuthorizer` (a process of the instructor's: raw files of the
  course folder, a kernel or a shell would be the instructor's powers); the service also runs without terminals or
  JupyterLab (hub/jupyter/formgrader/jupyter_server_config.py).

Outside the service a grader is an ordinary account: no group of the course, no right on the course folder or the
exchange's outbound and inbound, so nbgrader's own commands in a grader's terminal are refused by Unix permissions
(and say why: grader.hub.exchange.CourseFolderRoot.ensure_instructor).
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import threading
import urllib.parse

#: (nbgrader's formgrader handler class, HTTP method) a grader may use besides GET and HEAD
GRADER_MAY = {
    ("GradeHandler", "PUT"),                 # a written answer's manual score, extra credit
    ("CommentHandler", "PUT"),               # a comment on a cell
    ("FlagSubmissionHandler", "POST"),       # flag a submitted notebook for another look
    ("GenerateAllFeedbackHandler", "POST"),  # feedback pages from the gradebook, in the course folder: the
    ("GenerateFeedbackHandler", "POST"),     # instructor's release_feedback sends them to the students
}
#: nbgrader's formgrader handlers that run an action and answer its outcome as `{"success", "error", "log"}`
ACTIONS = {"AssignHandler", "UnReleaseHandler", "ReleaseHandler", "CollectHandler", "AutogradeHandler",
           "ReleaseAllFeedbackHandler", "ReleaseFeedbackHandler"}
#: what a refused request would have done, in words, by handler class
REFUSED_ACTIONS = {
    "AssignHandler": "generate an assignment (release/)",
    "UnReleaseHandler": "unrelease an assignment",
    "ReleaseHandler": "release an assignment to the students",
    "CollectHandler": "collect submissions",
    "AutogradeHandler": "autograde a submission",
    "ReleaseAllFeedbackHandler": "release feedback to the students",
    "ReleaseFeedbackHandler": "release feedback to a student",
    "AssignmentHandler": "change an assignment",
    "StudentHandler": "change a student",
}


def instructor() -> str:
    """The course's instructor: the Unix account this formgrader runs as."""
    return pwd.getpwuid(os.getuid()).pw_name


def refusal(handler: str, method: str, user: str, path: str = "") -> str | None:
    """Why `user` may not send `method` for `path` (the URL's path) to nbgrader's formgrader handler class `handler`,
    or None when they may: `refusal("ReleaseHandler", "POST", "ta")`, run as prof, is "only the instructor, prof, may
    release an assignment to the students.\nta is a grader: ..."."""
    if user == instructor():
        return None
    segments = urllib.parse.unquote(path).split("/")
    if ".." in segments or "" in segments[1:-1]:
        # nbgrader's SubmissionFilesHandler serves <submission>/<path> from anywhere in the course folder, an
        # absolute <path> (after //) or one with .. included
        return f"{user} is a grader: a submission's files are the formgrader's to show, not a path out of them"
    if method in ("GET", "HEAD", "OPTIONS") or (handler, method) in GRADER_MAY:
        return None
    action = REFUSED_ACTIONS.get(handler, f"use {handler} with {method}")
    # two lines: nbgrader's error dialog shows the reason in a <pre>
    return (f"only the instructor, {instructor()}, may {action}.\n{user} is a grader: graders read every submission, "
            "grade and comment, flag, and generate feedback, which the instructor releases.")


class StaffGuard:
    """Mixed in before each of nbgrader's formgrader handlers: a grader's request that `refusal` names ends, before
    the handler runs, with the reason: as a failed action of nbgrader's (`ACTIONS`), else HTTP 403."""

    async def prepare(self):
        await super().prepare()  # Jupyter Server resolves the hub's user here (and sends strangers to log in)
        if self._finished or self.current_user is None:
            return  # the handler's own @web.authenticated refuses a request without a user
        why = refusal(type(self).__name__, self.request.method, self.current_user.username, self.request.path)
        if why:
            self.log.warning("formgrader: refused %s %s to %s", self.request.method, self.request.path,
                             self.current_user.username)
            if type(self).__name__ in ACTIONS and self.request.method == "POST":
                # as nbgrader's own handlers write an action's outcome (text its pages JSON.parse)
                self.finish(json.dumps({"success": False, "error": why, "log": ""}))
            else:
                self.set_status(403)
                self.set_header("Content-Type", "application/json")
                self.finish(json.dumps({"success": False, "error": why, "message": why}))


def guarded(handlers: list[tuple]) -> list[tuple]:
    """nbgrader's formgrader routes with each handler class that is one of nbgrader's (a `BaseHandler`) replaced by a
    subclass with `StaffGuard` first; static files as they are."""
    from nbgrader.server_extensions.formgrader.base import BaseHandler

    out = []
    for route in handlers:
        cls = route[1]
        if isinstance(cls, type) and issubclass(cls, BaseHandler):
            cls = type(cls.__name__, (StaffGuard, cls), {"__module__": __name__})
        out.append((route[0], cls, *route[2:]))
    return out


def _jupyter_server_extension_points():
    return [{"module": "grader.hub.formgrader"}]


def _load_jupyter_server_extension(serverapp):
    """nbgrader's formgrader (`nbgrader.server_extensions.formgrader.formgrader.load_jupyter_server_extension`, whose
    steps these are) with `guarded` handlers; enabled instead of it in the course's formgrader service."""
    from jupyter_server.utils import url_path_join
    from nbgrader.server_extensions.formgrader import formgrader
    from tornado import web

    class StaffFormgrader(formgrader.FormgradeExtension):
        def init_handlers(self, webapp):
            """nbgrader's own routes (FormgradeExtension.init_handlers), through `guarded`."""
            routes = guarded([*formgrader.handlers.default_handlers, *formgrader.apihandlers.default_handlers,
                              (r"/formgrader/static/(.*)", web.StaticFileHandler,
                               {"path": formgrader.handlers.static_path}),
                              (r"/formgrader/.*", formgrader.handlers.Template404)])
            base = webapp.settings["base_url"]
            webapp.add_handlers(".*$", [(url_path_join(base, route[0].lstrip("/")), *route[1:]) for route in routes])

    app = StaffFormgrader(parent=serverapp)
    app.root_dir = serverapp.root_dir
    app.log = serverapp.log
    app.initialize([])
    app.init_tornado_settings(serverapp.web_app)
    app.init_handlers(serverapp.web_app)
    serverapp.log.info("the course's formgrader: graders refused what only the instructor, %s, does", instructor())
    signal.signal(signal.SIGINT, lambda signum, frame: stop(serverapp, signum, frame))
    signal.signal(signal.SIGTERM, lambda signum, frame: stop(serverapp, signum, frame))


#: seconds the formgrader service has to stop cleanly once JupyterHub asks, before it exits regardless
STOP_GRACE = 2.0


def stop(serverapp, signum, frame) -> None:
    """SIGINT or SIGTERM: Jupyter Server's own clean stop, and an exit `STOP_GRACE` seconds later if that hangs.

    JupyterHub stops a service with SIGINT, then SIGTERM 10 s later, then SIGKILL. Jupyter Server takes SIGINT on a
    terminal only (a service has none), and its clean stop here hung after "Shutting down 12 extensions" until the
    SIGKILL: a hub took 30 s to stop. The service holds nothing of its own (every grade it saves is committed by
    its request), so ending it at once loses no more than the SIGKILL did."""
    timer = threading.Timer(STOP_GRACE, os._exit, (0,))
    timer.daemon = True
    timer.start()
    serverapp._signal_stop(signum, frame)
