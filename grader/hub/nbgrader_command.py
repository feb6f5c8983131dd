"""The `nbgrader` command of the hub's users: a student's list, fetch, submit, fetch_feedback and validate, and the
instructor's release_assignment, collect and release_feedback, start without importing the rest of nbgrader.

nbgrader 0.9.6's own `nbgrader` imports `nbgrader/__init__.py` before it reads its command line, and that file
imports its four Jupyter server extensions: jupyter_server and tornado's web stack, the formgrader, and through
`nbgrader/apps/__init__.py` every app of nbgrader (nbconvert's exporters and templates, every preprocessor, nbclient
and jupyter_client). A student's `nbgrader list` needs one app; the rest cost about 40% of its CPU (hub/README.md,
"Measured"; jupyter/nbgrader#463, "Make nbgrader apps less slow", was closed in 2016 without touching the imports).

`main` runs the subcommands of `APPS` with nbgrader's own app class for each, as `nbgrader <subcommand>` runs it
(same options, configuration files, log and exit status), with the packages of `DEFERRED` created without running
their `__init__.py`: each runs it the first time one of its own names is used (PEP 562), so a command that needs
the preprocessors (validate) still gets them, and a submodule import (`nbgrader.exchange.default.list`,
`setuptools.archive_util`) loads that submodule only; and nbgrader's collect, which none of these commands runs,
without the gradebook it imports (`collect_without_gradebook`: SQLAlchemy, a quarter of a student's list). Any other subcommand, `--help` and `--version` run nbgrader's
own entry point. Under another nbgrader than the one this was written for (`grader.plugins.patches.NBGRADER`), whose
packages may import otherwise, a student's command fails with PatchOutdated, as the course's patches do.

`make hub-env` installs this as the hub environment's `nbgrader` command (hub/deploy.mk), the one every user's
terminal and `HubSite.nbgrader` run; tests/test_student_commands.py names what a student's command imports.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from importlib.machinery import PathFinder

#: the subcommands started here, and nbgrader's app for each (as nbgrader/apps/nbgraderapp.py maps them)
APPS = {
    "list": ("nbgrader.apps.listapp", "ListApp"),
    "fetch_assignment": ("nbgrader.apps.fetchassignmentapp", "FetchAssignmentApp"),
    "submit": ("nbgrader.apps.submitapp", "SubmitApp"),
    "fetch_feedback": ("nbgrader.apps.fetchfeedbackapp", "FetchFeedbackApp"),
    "validate": ("nbgrader.apps.validateapp", "ValidateApp"),
    # the instructor's exchange commands, each as costly to start as a student's
    "release_assignment": ("nbgrader.apps.releaseassignmentapp", "ReleaseAssignmentApp"),
    "collect": ("nbgrader.apps.collectapp", "CollectApp"),
    "release_feedback": ("nbgrader.apps.releasefeedbackapp", "ReleaseFeedbackApp"),
}
#: packages whose `__init__.py` imports far more than these apps use: the server extensions (`nbgrader`), every
#: app (`nbgrader.apps`), what nbgrader's base app lists for `--help-all` only (preprocessors, plug-ins,
#: converters), setuptools, of which nbgrader.utils imports `archive_util` alone (for zip_collect's archives),
#: not its build machinery and pkg_resources' parsers (0.1 s), and requests (with urllib3, about 0.1 s), which
#: nbgrader's JupyterHub authenticator imports at module level and uses only when it asks the hub something.
#: (importlib.util.LazyLoader would not do for requests: `import requests` reads the module's __spec__, which loads
#: a lazy module at once.)
DEFERRED = ("nbgrader", "nbgrader.apps", "nbgrader.preprocessors", "nbgrader.plugins", "nbgrader.converters",
            "setuptools", "requests", "nbconvert", "nbconvert.filters", "nbconvert.preprocessors",
            "nbconvert.exporters")
#: nbgrader's collect, which imports the gradebook (SQLAlchemy and nbgrader's models, about 0.25 s of CPU) at module
#: level, and which nbgrader's ExchangeFactory, built by every exchange command, names: none of APPS collects
COLLECT = "nbgrader.exchange.default.collect"
#: modules whose functions a student's command names at import but never calls: nbgrader.utils imports three
#: unpackers of setuptools (for zip_collect's archives), and the module that holds them imports setuptools'
#: distutils (about 0.1 s); each name is a stand-in that imports the module on its first call
DEFERRED_FUNCTIONS = {"setuptools.archive_util": ("unpack_archive", "unpack_tarfile", "unpack_zipfile")}
#: optional libraries of jsonschema's format checkers (its `format-nongpl` extra, which jupyter_server's event
#: schemas want): jsonschema imports each when it is imported (isoduration brings arrow; about 0.1 s in all), but
#: nbformat's validation, the only one in a student's command, checks no format. Left out of these commands (as if
#: not installed, which jsonschema allows); idna is not among them: requests needs it
FORMAT_LIBRARIES = ("isoduration", "webcolors", "uri_template", "fqdn", "rfc3339_validator", "rfc3986_validator",
                    "rfc3987", "jsonpointer")
#: arguments that print nbgrader's own help or version, which lists every app
_OWN_OUTPUT = ("-h", "--help", "--help-all", "--version")


def defer_package(name: str) -> None:
    """Put package `name` in sys.modules without running its `__init__.py` until one of its names is asked for
    (unless it is imported already)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    module = importlib.util.module_from_spec(spec)
    vendored = os.path.join(spec.submodule_search_locations[0], "_vendor")
    if name == "setuptools" and os.path.isdir(vendored) and vendored not in sys.path:
        sys.path.append(vendored)  # what setuptools' __init__ does first (>= 71): its submodules import from there

    exported = None  # _reexports of the __init__, read when a name is first asked for (most never are)

    def __getattr__(attr):
        nonlocal exported
        if PathFinder.find_spec(f"{name}.{attr}", spec.submodule_search_locations) is not None:
            return importlib.import_module(f"{name}.{attr}")  # a submodule: it alone, as `from name import attr`
        if exported is None:
            exported = _reexports(spec.origin)
        if attr in exported:  # a name the package's __init__ takes from another module: that module alone
            source, original = exported[attr]
            value = getattr(importlib.import_module(source, name), original)
            setattr(module, attr, value)
            return value
        # once: the real __init__ runs into this same module object, so whoever holds it sees its names
        del module.__getattr__, module.__deferred__
        spec.loader.exec_module(module)
        return getattr(module, attr)

    module.__getattr__ = __getattr__
    module.__deferred__ = True  # until its __init__ has run
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


def _reexports(init: str | None) -> dict[str, tuple[str, str]]:
    """name -> (module, its name there) for each `from .module import name [as other]` and `from package.module
    import name` at the top level of the package's `__init__.py`, the module as `importlib.import_module` takes it
    relative to the package (nbgrader.preprocessors is nothing else: `from nbgrader.preprocessors import Execute`
    then loads the one preprocessor, not the twenty with the gradebook's SQLAlchemy)."""
    import ast

    try:
        with open(init, "rb") as source:
            tree = ast.parse(source.read())
    except (OSError, TypeError, SyntaxError, ValueError):
        return {}
    return {alias.asname or alias.name: ("." * node.level + node.module, alias.name) for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.level <= 1 and node.module
            for alias in node.names if alias.name != "*"}


def defer_functions(name: str, functions: tuple[str, ...]) -> None:
    """Put a module `name` in sys.modules whose `functions` import the real module on their first call and run its
    function of that name (unless the module is imported already)."""
    if name in sys.modules:
        return
    stand_in = types.ModuleType(name, f"{name}, imported on the first call of one of {', '.join(functions)}")

    def real():
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        return importlib.import_module(name)

    for function in functions:
        def call(*args, _function=function, **kwargs):
            return getattr(real(), _function)(*args, **kwargs)

        call.__name__ = call.__qualname__ = function
        setattr(stand_in, function, call)
    sys.modules[name] = stand_in


def collect_without_gradebook() -> None:
    """Put a module in place of nbgrader's collect (COLLECT) whose `ExchangeCollect` is nbgrader's exchange without
    the gradebook: a class ExchangeFactory can name and the course's SafeCollect can extend, which refuses to run.
    Only for the commands of APPS but collect, none of which collects (unless collect is imported already)."""
    if COLLECT in sys.modules:
        return
    module = types.ModuleType(COLLECT, "nbgrader's collect, for a command that never collects (see COLLECT)")

    def __getattr__(attr):
        if attr != "ExchangeCollect":
            raise AttributeError(f"module {COLLECT!r} has no attribute {attr!r} in a student's command")
        from nbgrader.exchange.abc import ExchangeCollect as AbstractCollect
        from nbgrader.exchange.default.exchange import Exchange

        class ExchangeCollect(Exchange, AbstractCollect):
            """Collecting is the instructor's `nbgrader collect`, which runs nbgrader's own collect."""

            def start(self):
                self.fail("collect does not run from a student's command (grader/hub/nbgrader_command.py): run "
                          "`nbgrader collect`")

        module.ExchangeCollect = ExchangeCollect
        return ExchangeCollect

    module.__getattr__ = __getattr__
    sys.modules[COLLECT] = module


def _started_here(argv: list[str]) -> bool:
    """Whether `argv` (the command line without the program) is a subcommand of APPS that `main` starts itself."""
    return bool(argv) and argv[0] in APPS and not any(a in _OWN_OUTPUT or a.startswith("--help") for a in argv) \
        and "nbgrader" not in sys.modules  # imported already (an embedding process): nothing left to defer


def main(argv: list[str] | None = None) -> None:
    """`nbgrader ARGV` (default: the command line). Raises PatchOutdated under another nbgrader than NBGRADER."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not _started_here(argv):
        from nbgrader.apps.nbgraderapp import main as nbgrader_main

        sys.argv[1:] = argv
        return nbgrader_main()
    from grader.plugins.patches import NBGRADER, PatchOutdated

    for name in DEFERRED:
        defer_package(name)
    for name, functions in DEFERRED_FUNCTIONS.items():
        defer_functions(name, functions)
    for name in FORMAT_LIBRARIES:
        sys.modules.setdefault(name, None)  # ImportError on import: jsonschema goes without that format's checker
    if argv[0] != "collect":
        collect_without_gradebook()
    from nbgrader._version import __version__  # nbgrader/_version.py alone, its package deferred

    if __version__ != NBGRADER:
        raise PatchOutdated(f"nbgrader {__version__} is installed, but grader/hub/nbgrader_command.py was written for "
                            f"nbgrader {NBGRADER}'s package layout (DEFERRED, APPS): check them against the new one")
    sys.modules["nbgrader"].__version__ = __version__
    module, app = APPS[argv[0]]
    getattr(importlib.import_module(module), app).launch_instance(argv[1:])


if __name__ == "__main__":
    main()
