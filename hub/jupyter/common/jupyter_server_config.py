"""Jupyter Server configuration of every user's server on the course's hub (both roles).

JupyterLab's terminal ran `$SHELL -l` (jupyter_server_terminals adds -l when the server has no tty, as under a
spawner): a login shell, whose /etc/profile (Debian's) sets PATH anew, without the hub's environment. In a terminal
of the hub `nbgrader` and `course` were then not found, and `python` was the system's, without `helpers`. An
interactive bash that is not a login shell keeps the PATH the hub gives each server and still reads ~/.bashrc.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when Jupyter Server loads this file)

c.ServerApp.terminado_settings = {"shell_command": [os.environ.get("SHELL") or "/bin/bash"]}
