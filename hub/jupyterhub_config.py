"""JupyterHub for the course (`make hub`, as root), from the hub's environment in HUB_PREFIX (`make hub-env`).

Read from the environment (the Makefile's variables, with its defaults):

    HUB_ROSTER     roster.csv (id,role): who may log in (PAM, their Unix password); each instructor is an admin.
                   Several courses: `roster.csv ml-basics=ml.csv ...`, a roster per course (`[course-id=]path`, a
                   bare path the course optimization-setup: grader.hub.site.read_rosters)
    HUB_PREFIX     /opt/optimization-setup: the environment every user's server runs from, the proxy, etc/jupyter/
    HUB_STATE      /var/lib/optimization-setup/hub: the hub's database, cookie secret, pid files (root only)
    HUB_EXCHANGE   /srv/nbgrader/exchange: nbgrader's exchange, shared by every user of the course
    HUB_IP, HUB_PORT             where the hub answers (127.0.0.1:8000)
    HUB_API_PORT, HUB_PROXY_API_PORT   the hub's and the proxy's internal ports on 127.0.0.1 (8081, 8001)
    HUB_FORMGRADER_PORT          the first course's shared formgrader's internal port on 127.0.0.1 (8002); the
                                 n-th course's is that port + n - 1
    NBGRADER_DB_URL              the gradebook's database, passed to the instructor's server when set

Every user's server is `jupyterhub-singleuser` from the prefix, run as that Unix user (LocalProcessSpawner) in
their home, opening JupyterLab. Its environment, by role (`grader.hub.site.HubSite.role_env`, the one definition the
roster command and the tests share), points JUPYTER_CONFIG_PATH at the role's folder in <prefix>/etc/jupyter/:

- student: nbgrader's assignment list and Validate only; the formgrader and course-list server extensions are off
  (student/jupyter_server_config.json) and so are the formgrader, create-assignment and course-list JupyterLab
  plugins (student/labconfig/page_config.json);
- instructor: every nbgrader extension, on the course folder ~/optimization-setup (COURSE_ROOT), and the
  formgrader allowed in JupyterLab's iframe (instructor/jupyter_server_config.py: JupyterHub >= 4.1 sends
  `frame-ancestors 'none'`, which blanks it, jupyter/nbgrader#1870);
- grader: a JupyterLab of their own without nbgrader (grader/jupyter_server_config.json, grader/labconfig/); they
  grade in the course's shared formgrader, below;
- all: the shared exchange with the private exchange classes of grader/hub/exchange.py (common/nbgrader_config.py).

Each course's shared formgrader is a service named after the course, run as its instructor, that the holders of the
hub role `formgrade-<course>` (the instructor and the graders) may open at /services/<course>/formgrader; it refuses
graders everything but grading (grader/hub/formgrader.py). Each course has its grading service too (`grading` for
optimization-setup, `grading-<course>` for another), as nbgrader's `demo_multiple_classes` has a formgrader per course.

The roster is read when the hub starts: restart it after `course roster` adds people.
"""

import os
from dataclasses import replace
from pathlib import Path

from grader.hub.site import HubSite, read_rosters, refuse_shared_database

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)

courses = read_rosters(os.environ.get("HUB_ROSTER") or "roster.csv")
refuse_shared_database(courses)
site = replace(HubSite.from_env(), courses=courses)
state = Path(os.environ.get("HUB_STATE") or "/var/lib/optimization-setup/hub")
state.mkdir(parents=True, exist_ok=True)
state.chmod(0o700)  # the cookie secret and the hub's database: root's alone
# one role per person: read_rosters refuses staff of one course in another, and a student is a student everywhere
roles = {m.id: m.role for course in courses for m in course.members}

ip = os.environ.get("HUB_IP") or "127.0.0.1"
c.JupyterHub.bind_url = f"http://{ip}:{os.environ.get('HUB_PORT') or 8000}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ.get('HUB_API_PORT') or 8081}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('HUB_PROXY_API_PORT') or 8001}"
c.ConfigurableHTTPProxy.command = [str(site.prefix / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops the users' servers

c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(roles)
c.Authenticator.admin_users = {name for name, role in roles.items() if role == "instructor"}

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(site.bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# a loaded 2-core machine starting several servers at once needs more than the default 30 s
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180


def pre_spawn_hook(spawner):
    """The role's environment for the server about to start (see the module docstring)."""
    name = spawner.user.name
    if name not in roles:
        raise ValueError(f"{name} is not in the roster {os.environ.get('HUB_ROSTER')}")
    spawner.environment.update(site.role_env(roles[name], name))


c.Spawner.pre_spawn_hook = pre_spawn_hook

# Per course, as nbgrader's demo_multiple_classes: the grading service of the live course (grader/live/service.py):
# every submission of an assignment whose policy is not `manual` graded on arrival, run by JupyterHub as the course's
# instructor (never root) in their course folder, with the instructor's environment and groups (theirs: every
# student's, to read submissions and release feedback), and started again by JupyterHub if it exits. Not started
# before `course roster` has made the instructor's account and course folder.
c.JupyterHub.services = []
c.JupyterHub.load_roles = []
first_port = int(os.environ.get("HUB_FORMGRADER_PORT") or 8002)
for index, course in enumerate(courses):
    instructor = course.instructor
    try:
        live_folder = site.course_folder(instructor, course.id)
    except KeyError:
        continue
    if not live_folder.is_dir():
        continue
    live_env = site.user_env(instructor, "instructor")
    c.JupyterHub.services.append({
        "name": course.grading_service,
        "user": instructor,
        "cwd": str(live_folder),
        "command": [str(site.python), "-m", "grader.live.service", *(
            ["--jobs", os.environ["HUB_GRADING_JOBS"]] if os.environ.get("HUB_GRADING_JOBS") else [])],
        "environment": {k: v for k, v in live_env.items() if k not in ("USER", "LOGNAME", "SHELL")},
    })
    # The course's shared formgrader (nbgrader's one class, multiple graders: a service of the course's account that
    # a hub role may open), run as the instructor on their course folder; grader/hub/formgrader.py refuses graders
    # what only the instructor does. JUPYTERHUB_* come from the hub (its URL, prefix, OAuth client).
    formgrader_env = site.formgrader_env(instructor)
    c.JupyterHub.services.append({
        "name": course.formgrader_service,
        "display": True,
        "url": f"http://127.0.0.1:{first_port + index}",
        "user": instructor,
        "cwd": str(live_folder),
        "command": [str(site.bin / "jupyterhub-singleuser")],
        "environment": {k: v for k, v in formgrader_env.items() if k not in ("USER", "LOGNAME", "SHELL")},
        "oauth_no_confirm": True,
    })
    # Who may open it: a role for the instructor and the graders, granting access to the service (which also lists
    # it in the Services menu of the hub's pages) and, as in nbgrader's demo, reading it through the hub's API. A
    # role's members as loaded here replace those in the hub's database at every start, so a grader removed from the
    # roster loses it (a group loaded by load_groups only ever gains members).
    c.JupyterHub.load_roles.append({
        "name": course.staff_role,
        "users": [instructor, *course.graders],
        "scopes": [f"access:services!service={course.formgrader_service}", "list:services",
                   f"read:services!service={course.formgrader_service}"],
    })
