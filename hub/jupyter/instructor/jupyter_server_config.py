"""Jupyter Server configuration of the instructor's server on the course's hub.

JupyterHub >= 4.1 sends `Content-Security-Policy: frame-ancestors 'none'` from every single-user server
(jupyterhub/singleuser/extension.py sets it unless the server's own settings already have one), so the browser
refuses to show the formgrader, which JupyterLab's nbgrader extension opens in an iframe of the same server: a
blank panel (jupyter/nbgrader#1870). 'self' lets the server frame its own pages and still no other site; students'
servers keep 'none' (they have no formgrader).
"""

c = get_config()  # noqa: F821 (provided by traitlets when Jupyter Server loads this file)

c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
