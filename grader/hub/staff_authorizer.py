"""Jupyter Server's own APIs of the course's shared formgrader, to the instructor only (grader/hub/formgrader.py).

A module of its own because it imports JupyterHub, which only the hub's environment has (the course's .venv, which
tests the formgrader's rules, does not); hub/jupyter/formgrader/jupyter_server_config.py names it.
"""

from __future__ import annotations

from jupyterhub.singleuser.extension import JupyterHubAuthorizer

from .formgrader import instructor


class StaffAuthorizer(JupyterHubAuthorizer):
    """The hub's own check (the user may open this service), then every action of Jupyter Server's own handlers
    (contents, files, kernels, sessions, terminals, nbconvert, ...) for the instructor alone: the service runs as
    the instructor, so a grader with a file, a kernel or a shell there would have the instructor's powers. nbgrader's
    formgrader handlers do not ask the authorizer; grader.hub.formgrader.StaffGuard decides for them."""

    def is_authorized(self, handler, user, action, resource) -> bool:
        return super().is_authorized(handler, user, action, resource) and user.username == instructor()
