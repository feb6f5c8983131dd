"""Every patch of nbgrader the course makes, in one place, each guarded by the nbgrader version it was written for.

    from grader.plugins.patches import install; install()      # nbgrader_config.py, for every nbgrader command

nbgrader offers no extension point for these behaviours, so the course replaces a function of nbgrader's (or
nbformat's) own modules. Each patch says what it fixes, the upstream report (or, where none exists, the code it
replaces), and `install` refuses to run under another nbgrader than `NBGRADER` or nbformat than `NBFORMAT`: an
upgrade fails loudly, naming the patches to check, instead of silently patching code that moved.

- `lenient_timestamps`: nbgrader 0.9.6's `CourseDirectory.get_existing_timestamp` (coursedir.py) calls
  `self.fail` on a `timestamp.txt` it cannot parse, a method CourseDirectory does not have: one student's odd
  file (a locale's date, a spreadsheet's) stopped the whole autograde with an AttributeError. Upstream: the parsing
  was tested only for nbgrader's own format (jupyter/nbgrader#591); no report of the crash was found. Read
  leniently instead (`grader.plugins.timestamps.read_timestamp`), an unreadable one ignored with a warning.
- `gradebooks_stamped_in_process`: nbgrader 0.9.6 stamps every new gradebook with the revision the `alembic
  heads` command prints, run in a subprocess (`nbgrader.api.get_alembic_version`): seconds per new gradebook, paid
  by every grading worker's scratch course. alembic's own API gives the same revision in this process
  (`alembic_head`; tests/test_gradebook_alembic.py checks they agree). No upstream report found.
- `validate_as_grading`: `nbgrader validate` and the Validate button use `nbgrader.validator.Validator`, which runs a
  notebook unlike grading (no stdin check, its own timeout, demo cells run, stderr scored differently), so a
  correct answer could fail Validate and an `input()` pass it. Validator is not configurable by class, so the
  modules that use it get `grader.plugins.validate.CourseValidator` (course behaviour, not an nbgrader bug).
- `notebooks_with_a_byte_order_mark`: nbformat 5.11's `reader.parse_json` hands the text to `json.loads`, which
  refuses a leading UTF-8 byte-order mark ("Unexpected UTF-8 BOM"), as editors on Windows save it: plain `nbgrader
  autograde` and the formgrader's button then failed the submission, where `course grade` reads it (its intake). No
  upstream report found. The mark is dropped before parsing.
- `cell_metadata_checked_by_one_validator`: nbgrader 0.9.6 checks every cell's nbgrader metadata with
  `jsonschema.validate(metadata, schema)` (nbgrader/nbgraderformat/common.py), which first checks the schema itself
  against its meta-schema and builds a new validator, on every call: twice per graded notebook (autograde's
  `CheckCellMetadata` before and after), 0.14 s of the grading process's CPU per notebook under cProfile, more than
  its SQL. The course's check builds the validator once per schema and raises the error jsonschema.validate raises
  (`best_match` of the same errors). No upstream report found.
- `gradebook_engines_kept`: nbgrader 0.9.6's `Gradebook.__init__` creates a new SQLAlchemy engine for every
  gradebook it opens (13 times per graded submission), so SQLAlchemy's cache of compiled statements, which lives on
  the engine, is always empty: every query is compiled again, about a tenth of a second of the grading process's
  CPU per submission. It also asks for every table one query at a time (`create_all`) on every opening. The
  course's `Gradebook.__init__` takes the engine of its URL kept for the process (`gradebook_engine`; `close` still
  disposes of its connections, as nbgrader's does, so no connection outlives the gradebook) and creates the tables
  only when one is missing. No upstream report found. A scratch course's gradebook (a grading worker's, the
  bundle's template: `grader.course.SCRATCH_GRADEBOOKS`) is also written without waiting for the disk.
"""

from __future__ import annotations

import os
import sys

#: the nbgrader and nbformat versions every patch below was written for and tested with (requirements.txt pins them)
NBGRADER = "0.9.6"
NBFORMAT = "5.11.1"


class PatchOutdated(RuntimeError):
    """nbgrader is not the version the course's patches were written for."""


def alembic_head() -> str:
    """The revision a new gradebook is stamped with: the head of nbgrader's own alembic migrations."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader import dbutil

    config = Config()
    config.set_main_option("script_location", dbutil.ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


def lenient_timestamps() -> None:
    from nbgrader.coursedir import CourseDirectory

    from .timestamps import read_timestamp

    def get_existing_timestamp(self, dest_path):
        return read_timestamp(dest_path, warn=self.log.warning)

    get_existing_timestamp.__doc__ = read_timestamp.__doc__
    CourseDirectory.get_existing_timestamp = get_existing_timestamp


def when_imported(name: str, action) -> None:
    """Call `action(module)` on module `name` now if it is imported, else right after its first import: a patch
    that does not import what it patches (a student's list, fetch and submit never import the gradebook)."""
    module = sys.modules.get(name)
    if module is not None:
        action(module)
        return
    sys.meta_path.insert(0, _AfterImport(name, action))


class _AfterImport:
    """A meta path finder that finds nothing itself: it asks the others for module `name` once, and wraps the
    loader so that `action` runs on the module as soon as it is executed."""

    def __init__(self, name: str, action):
        self.name, self.action = name, action

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader, action = spec.loader, self.action

        class Patched(type(loader)):
            def exec_module(self, module):
                loader.exec_module(module)
                action(module)

        patched = Patched.__new__(Patched)
        patched.__dict__.update(getattr(loader, "__dict__", {}))
        spec.loader = patched
        return spec


def gradebooks_stamped_in_process() -> None:
    when_imported("nbgrader.api", lambda api: setattr(api, "get_alembic_version", alembic_head))


def validate_as_grading() -> None:
    """Only modules already imported are changed (the server extension's module is imported by the server before
    it loads the config; nbgrader's `nbgrader` imports every app, the hub's `validate` its own first:
    grader/hub/nbgrader_command.py), so other commands import nothing more: neither nbconvert nor the
    preprocessors when no Validator was imported (a student's list, fetch or submit)."""
    if "nbgrader.validator" not in sys.modules:
        return
    from nbgrader.validator import Validator

    from .validate import VALIDATOR_USERS, CourseValidator

    for name in VALIDATOR_USERS:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "Validator", None) is Validator:
            module.Validator = CourseValidator


def notebooks_with_a_byte_order_mark() -> None:
    import nbformat.reader

    parse_json = nbformat.reader.parse_json

    def parse_json_without_bom(s, **kwargs):
        if isinstance(s, str) and s.startswith("\ufeff"):
            s = s[1:]
        return parse_json(s, **kwargs)

    if getattr(parse_json, "__name__", "") != "parse_json_without_bom":  # once, however often the config loads
        nbformat.reader.parse_json = parse_json_without_bom


class _OneValidatorPerSchema:
    """What nbgrader.nbgraderformat.common uses of the `jsonschema` module, `validate(instance, schema)`, with the
    schema checked and its validator built once (nbgrader loads each schema once per validator object)."""

    def __init__(self):
        self._validators: dict[int, tuple] = {}

    def validate(self, instance, schema) -> None:
        """Raises jsonschema.ValidationError, as jsonschema.validate does: the best match of the errors found."""
        import jsonschema

        known = self._validators.get(id(schema))
        if known is None or known[0] is not schema:  # the schema is kept, so its id is not reused
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            known = self._validators[id(schema)] = (schema, cls(schema))
        error = jsonschema.exceptions.best_match(known[1].iter_errors(instance))
        if error is not None:
            raise error


def cell_metadata_checked_by_one_validator() -> None:
    def patch(common) -> None:
        if not isinstance(common.jsonschema, _OneValidatorPerSchema):
            common.jsonschema = _OneValidatorPerSchema()

    when_imported("nbgrader.nbgraderformat.common", patch)


#: (process id, database URL, whether a scratch one) -> the SQLAlchemy engine every gradebook of that URL opened in
#: this process uses
_ENGINES: dict[tuple[int, str, bool], object] = {}


def _without_waiting_for_the_disk(connection, _record) -> None:
    """A scratch gradebook's connection (`grader.course.SCRATCH_GRADEBOOKS`) neither waits for the disk on commit
    (`synchronous = OFF`) nor keeps a rollback journal on it: each of nbgrader's many commits otherwise waits for
    fsync, about 10 ms here. A crash can leave such a file corrupt, which is why only gradebooks that are rebuilt,
    or made again when found incomplete, are scratch ones."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.execute("PRAGMA journal_mode = MEMORY")
    cursor.close()


def gradebook_engine(db_url: str):
    """The engine of `db_url` for this process (a forked child gets engines of its own); an in-memory SQLite
    database gets a new one each time, as it is a new database each time."""
    from sqlalchemy import create_engine, event

    from ..course import SCRATCH_GRADEBOOKS

    if db_url.startswith("sqlite") and (":memory:" in db_url or db_url.rstrip("/") in ("sqlite:", "sqlite:/")):
        return create_engine(db_url, echo=False, future=True)
    scratch = db_url in SCRATCH_GRADEBOOKS
    key = (os.getpid(), db_url, scratch)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = create_engine(db_url, echo=False, future=True)
        if scratch:
            event.listen(engine, "connect", _without_waiting_for_the_disk)
    return engine


def gradebook_engines_kept() -> None:
    def patch(api) -> None:
        def __init__(self, db_url, course_id="default_course", authenticator=None):
            # nbgrader 0.9.6's Gradebook.__init__, with the engine kept and the tables created only if one is missing
            self.engine = gradebook_engine(db_url)
            self.db = api.scoped_session(api.sessionmaker(autoflush=True, bind=self.engine, future=True))
            tables = set(api.inspect(self.engine).get_table_names())
            if not set(api.Base.metadata.tables) <= tables:
                api.Base.metadata.create_all(bind=self.engine)
            if not tables:
                self.db.execute(api.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"))
                self.db.execute(api.text("INSERT INTO alembic_version (version_num) VALUES ('{}');".format(
                    api.get_alembic_version())))
                self.db.commit()
            self.check_course(course_id=course_id)
            self.course_id = course_id
            self.authenticator = authenticator

        if api.Gradebook.__init__.__module__ != __name__:
            __init__.__doc__ = api.Gradebook.__init__.__doc__
            api.Gradebook.__init__ = __init__

    when_imported("nbgrader.api", patch)


PATCHES = (lenient_timestamps, gradebooks_stamped_in_process, validate_as_grading, notebooks_with_a_byte_order_mark,
           cell_metadata_checked_by_one_validator, gradebook_engines_kept)


def install(version: str | None = None, nbformat_version: str | None = None) -> None:
    """Apply every patch of `PATCHES`. Raises PatchOutdated when nbgrader's version (`version`, default the
    installed one) is not `NBGRADER`, or nbformat's (`nbformat_version`) not `NBFORMAT`."""
    import nbformat
    import nbgrader

    found = {"nbgrader": (version or nbgrader.__version__, NBGRADER),
             "nbformat": (nbformat_version or nbformat.__version__, NBFORMAT)}
    for name, (installed, written_for) in found.items():
        if installed != written_for:
            raise PatchOutdated(f"{name} {installed} is installed, but the course's patches were written for "
                                f"{written_for}: check each of {', '.join(p.__name__ for p in PATCHES)} in "
                                f"grader/plugins/patches.py against the new {name}, then update its version there")
    for patch in PATCHES:
        patch()
