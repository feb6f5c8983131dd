"""Jupyter Server configuration of the course's shared formgrader (the JupyterHub service `make hub` runs as the
instructor for the teaching staff; grader/hub/formgrader.py).

The service is a formgrader and nothing else: the course's guarded formgrader instead of nbgrader's
(jupyter_server_config.json next to this file), no JupyterLab, no terminals, and Jupyter Server's own APIs
(contents, kernels, ...) refused to everyone but the instructor (grader/hub/staff_authorizer.py): it runs as the
instructor, so a file, kernel or shell there would be the instructor's. It opens on the formgrader.
"""

c = get_config()  # noqa: F821 (provided by traitlets when Jupyter Server loads this file)

c.ServerApp.authorizer_class = "grader.hub.staff_authorizer.StaffAuthorizer"
c.ServerApp.terminals_enabled = False
c.ServerApp.default_url = "/formgrader"
