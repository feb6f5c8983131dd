"""Does a student's nbgrader command (list, fetch, submit, fetch_feedback, validate) start without the imports that
cost seconds?

Counts the modules a command's start imports (timing nothing; hub/README.md, "Measured", has the times):

- rfc3987-syntax builds a grammar with lark when nbformat imports jsonschema 4.25 or later, about 2 s at every start;
  requirements.txt pins jsonschema 4.24.
- nbgrader's own `nbgrader` imports its server extensions (jupyter_server, the formgrader) and every app (nbconvert,
  the preprocessors, nbclient, jupyter_client) for any command, and the course's nbgrader_config.py, which every
  student's command loads, imported its grading plug-ins (numpy, the sandbox): the hub's `nbgrader`
  (grader/hub/nbgrader_command.py) starts a student's command with its own app only, and the config names the
  plug-ins by import path. nbgrader.exchange.default.collect imports the gradebook (nbgrader.api, SQLAlchemy) at
  module level, and nbgrader's ExchangeFactory, which every exchange command builds, imports that module: the hub's
  `nbgrader` gives a student's command a collect without it (none of them collects).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from support import ROOT

SLOW = ("rfc3987_syntax", "lark")
#: what none of a student's exchange commands needs: the server extensions, nbconvert and the other apps, the
#: kernel's machinery, the grading plug-ins, setuptools' build machinery and archives, requests (nbgrader's JupyterHub
#: authenticator asks nothing here), jsonschema's format checkers
NOT_FOR_EXCHANGE = ("rfc3987_syntax", "lark", "jupyter_server", "tornado.web", "nbconvert", "nbclient",
                    "jupyter_client", "numpy", "nbgrader.server_extensions", "nbgrader.preprocessors.base",
                    "nbgrader.converters.base", "nbgrader.apps.autogradeapp", "nbgrader.validator",
                    "grader.plugins.execute", "grader.plugins.sandbox", "latex2mathml", "setuptools.dist",
                    "pkg_resources", "sqlalchemy", "nbgrader.api", "urllib3", "requests.sessions", "arrow",
                    "webcolors", "distutils.errors")
#: what validate needs (nbconvert's execute preprocessor and its ANSI filters, three of nbgrader's preprocessors, a
#: kernel's client), but not the server, the other apps, the gradebook (which nbgrader's other preprocessors import),
#: nbconvert's exporters and its markdown and HTML filters
NOT_FOR_VALIDATE = ("rfc3987_syntax", "lark", "jupyter_server", "nbgrader.server_extensions",
                    "nbgrader.converters.base", "nbgrader.apps.autogradeapp", "nbgrader.apps.formgradeapp",
                    "latex2mathml", "sqlalchemy", "nbgrader.api", "nbgrader.preprocessors.saveautogrades",
                    "nbconvert.exporters.html", "mistune", "bs4", "requests.sessions")
A = "01_normalization"


def test_an_nbgrader_command_starts_without_the_grammar_that_costs_seconds():
    code = ("import json, sys, nbgrader.apps.nbgraderapp, nbgrader.exchange.default; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))" % (SLOW,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert not loaded, (f"starting an nbgrader command imported {loaded}: about 2 s for every student's list, fetch "
                        "and submit (pin jsonschema below 4.25, requirements.txt)")


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> dict:
    """A student of the hub, laid out as `make hub-env` and `course roster` lay it out: the hub's Jupyter
    configuration and the course's nbgrader_config.py in <prefix>/etc, an exchange with 01_normalization released,
    and a home to work in."""
    base = tmp_path_factory.mktemp("hub")
    shutil.copytree(ROOT / "hub" / "jupyter", base / "etc" / "jupyter")
    (base / "etc" / "course").mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", base / "etc" / "course" / "nbgrader_config.py")
    course = base / "exchange" / "optimization-setup"
    for folder in ("inbound", "feedback"):
        (course / folder).mkdir(parents=True)
    shutil.copytree(ROOT / "release" / A, course / "outbound" / A)
    (base / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NBGRADER", "COURSE_"))}
    # COURSE_ID: the hub gives a student of one course its id (grader.hub.site.HubSite.role_env)
    env.update(HOME=str(base / "home"), COURSE_EXCHANGE=str(base / "exchange"), COURSE_ID="optimization-setup",
               JUPYTER_CONFIG_PATH=os.pathsep.join([str(base / "etc" / "jupyter" / "student"),
                                                    str(base / "etc" / "jupyter" / "common")]))
    return {"env": env, "home": base / "home"}


def started(student: dict, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run the hub's `nbgrader ARGS` as the student in their home; its output and the modules it had imported (not
    those it holds as not installed, None in sys.modules, nor the packages whose __init__ it deferred and never ran)."""
    listing = student["home"] / ".modules.json"
    code = ("import json, sys\nfrom grader.hub.nbgrader_command import main\ntry:\n    main(%r)\nfinally:\n"
            "    json.dump(sorted(m for m, v in sys.modules.items()\n"
            "                     if v is not None and not getattr(v, '__deferred__', False)), open(%r, 'w'))\n" % (list(args), str(listing)))
    proc = subprocess.run([sys.executable, "-c", code], cwd=student["home"], env=student["env"], capture_output=True,
                          text=True, timeout=300)
    return proc, set(json.loads(listing.read_text()))


def _imported(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The `names` of which the module or any of its submodules is among `modules`."""
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in modules))


def test_a_students_exchange_commands_import_neither_the_server_nor_nbconvert_nor_the_grading_plugins(student):
    for args, says in [(("list",), f"optimization-setup {A}"),
                       (("fetch_assignment", A), "Fetched as"),
                       (("submit", A), "Submitted as"),
                       (("fetch_feedback", A), "Could not find feedback")]:
        proc, modules = started(student, *args)
        assert proc.returncode == 0 and says in proc.stderr, (
            f"nbgrader {' '.join(args)} failed or did not say {says!r}:\n{proc.stdout}\n{proc.stderr[-3000:]}")
        wrong = _imported(modules, NOT_FOR_EXCHANGE)
        assert not wrong, (f"a student's `nbgrader {' '.join(args)}` imported {wrong}: seconds of start-up that "
                           "the command never uses (grader/hub/nbgrader_command.py, nbgrader_config.py)")
    assert (student["home"] / "optimization-setup" / A / f"{A}.ipynb").is_file(), "fetch_assignment fetched nothing"


def test_a_students_validate_starts_without_the_server_and_runs_as_grading_does(student):
    proc, modules = started(student, "validate", "no_such_notebook.ipynb")
    assert proc.returncode == 0, f"nbgrader validate failed:\n{proc.stdout}\n{proc.stderr[-3000:]}"
    wrong = _imported(modules, NOT_FOR_VALIDATE)
    assert not wrong, f"a student's `nbgrader validate` imported {wrong} (grader/hub/nbgrader_command.py)"
    assert "grader.plugins.validate" in modules, (
        "validate did not load the course's Validator (grader/plugins/validate.py, through the course's patches)")


def test_other_commands_and_help_run_nbgraders_own_entry_point(student):
    proc, modules = started(student, "--version")
    assert proc.returncode == 0 and "nbgrader version" in proc.stdout, proc.stdout + proc.stderr[-2000:]
    assert "nbgrader.apps.autogradeapp" in modules, "nbgrader --version did not run nbgrader's own NbGraderApp"
