"""Transcripts of graded calls: recorded in the grading kernel, replayed where the student's code never ran.

While grading (`COURSE_TRANSCRIPT=1` in the kernel's environment), every call of a student's function made
through `helpers.checks.call` is written to the cell's output as data: a digest of its arguments, its result or
exception, the calls it made to functions the test passed in, and the arguments it changed. `helpers.verify`
then runs the trusted test code again in a clean process, with each student function replaced by a `Replay`
proxy that serves those recorded results. Patching numpy, the checks or anything else inside the kernel
changes nothing there: the checks run on pristine code, and a transcript that does not match the test's own
inputs fails. Everything is JSON (arrays as base64 bytes); nothing from the kernel is ever unpickled.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import json
import os

import numpy as np

MIME = "application/vnd.course.transcript+json"
ENV = "COURSE_TRANSCRIPT"
MAX_ARRAY_BYTES = 64 << 20
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class TranscriptMissing(Exception):
    """The verifier has no recorded result for a call the test makes."""


def recording() -> bool:
    return os.environ.get(ENV) == "1"


# ------------------------------------------------------------------------------------------- encoding
def encode(x, depth: int = 0):
    """A JSON-able description of `x` from which `decode` rebuilds an equal value (arrays bit for bit)."""
    if depth > 20:
        return {"t": "repr", "v": "<too deep>"}
    if isinstance(x, (np.ndarray, np.generic)):
        arr = np.asarray(x)
        if arr.dtype.kind not in "biufc" or arr.nbytes > MAX_ARRAY_BYTES:
            return {"t": "repr", "v": f"<array of dtype {arr.dtype}, shape {arr.shape}>"}
        arr = np.array(arr, order="C", copy=True)  # (ascontiguousarray would make a 0-d array 1-d)
        return {"t": "nd" if isinstance(x, np.ndarray) else "np", "dtype": arr.dtype.str, "shape": list(arr.shape),
                "b64": base64.b64encode(arr.tobytes()).decode()}
    if x is None or isinstance(x, (bool, str)):
        return {"t": "py", "v": x}
    if isinstance(x, int):
        return {"t": "int", "v": str(x)}
    if isinstance(x, float):
        return {"t": "float", "v": repr(float(x))}
    if isinstance(x, (list, tuple)):
        return {"t": type(x).__name__ if type(x) in (list, tuple) else "list",
                "v": [encode(v, depth + 1) for v in x]}
    if isinstance(x, (set, frozenset)):
        items = [encode(v, depth + 1) for v in x]
        return {"t": "set", "v": sorted(items, key=lambda e: json.dumps(e, sort_keys=True))}
    if isinstance(x, dict):
        return {"t": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in x.items()]}
    if isinstance(x, np.random.Generator):
        return {"t": "rng", "v": _jsonable(x.bit_generator.state)}
    if callable(x):
        return {"t": "callable", "v": getattr(x, "__qualname__", type(x).__name__)}
    return {"t": "repr", "v": repr(x)[:200]}


def _jsonable(state):
    if isinstance(state, dict):
        return {k: _jsonable(v) for k, v in state.items()}
    if isinstance(state, (int, np.integer)):
        return {"int": str(int(state))}
    if isinstance(state, np.ndarray):
        return {"array": encode(state)}
    return state


def _unjsonable(state):
    if isinstance(state, dict):
        if set(state) == {"int"}:
            return int(state["int"])
        if set(state) == {"array"}:
            return decode(state["array"])
        return {k: _unjsonable(v) for k, v in state.items()}
    return state


class Opaque:
    """Stands for a value the transcript could only describe (it never equals a real result)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self):
        return self.text


def decode(e):
    """The value described by `encode`; raises ValueError on anything malformed."""
    if not isinstance(e, dict) or "t" not in e:
        raise ValueError("malformed transcript value")
    t, v = e["t"], e.get("v")
    if t == "py":
        if v is not None and not isinstance(v, (bool, str)):
            raise ValueError("malformed scalar")
        return v
    if t == "int":
        return int(v)
    if t == "float":
        return float(v)
    if t in ("nd", "np"):
        raw = base64.b64decode(e["b64"], validate=True)
        dtype = np.dtype(e["dtype"])
        if dtype.kind not in "biufc" or len(raw) > MAX_ARRAY_BYTES:
            raise ValueError("refused array")
        arr = np.frombuffer(raw, dtype=dtype).reshape(tuple(int(n) for n in e["shape"])).copy()
        return arr if t == "nd" else arr[()]
    if t in ("list", "tuple", "set"):
        items = [decode(x) for x in v]
        return {"list": list, "tuple": tuple, "set": set}[t](items)
    if t == "dict":
        return {decode(k): decode(x) for k, x in v}
    if t == "rng":
        state = _unjsonable(v)
        if state.get("bit_generator") not in BIT_GENERATORS:  # the name comes from the student's kernel
            raise ValueError("refused bit generator")
        bit_generator = getattr(np.random, state["bit_generator"])()
        bit_generator.state = state
        return np.random.Generator(bit_generator)
    return Opaque(str(v))


def digest(args: tuple, kwargs: dict) -> str:
    """A fingerprint of a call's arguments, the same in the kernel and in the verifier for equal inputs."""
    text = json.dumps([encode(list(args)), encode(dict(sorted(kwargs.items())))], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------------------------------- recording
class _Callback:
    """Wraps a function the test passes to the student, logging every call made to it."""

    def __init__(self, fn):
        self.fn, self.calls = fn, []
        self.__name__ = getattr(fn, "__name__", "callback")
        self.__qualname__ = getattr(fn, "__qualname__", self.__name__)

    def __call__(self, *args, **kwargs):
        self.calls.append([encode(list(args)), encode(kwargs)])
        return self.fn(*args, **kwargs)


def wrap_callbacks(args: tuple, kwargs: dict):
    """Arguments with every callable wrapped in a logger, and the loggers by argument position or name."""
    loggers = {}
    new_args = list(args)
    for i, a in enumerate(args):
        if callable(a) and not isinstance(a, type):
            new_args[i] = loggers[str(i)] = _Callback(a)
    new_kwargs = dict(kwargs)
    for k, a in kwargs.items():
        if callable(a) and not isinstance(a, type):
            new_kwargs[k] = loggers[k] = _Callback(a)
    return tuple(new_args), new_kwargs, loggers


def global_random_state() -> tuple:
    """A fingerprint of numpy's global (legacy) random state: (position, digest of the key); it changes whenever a
    draw such as np.random.randn is taken from it."""
    _, key, pos, *_ = np.random.get_state()
    return pos, hashlib.sha256(np.ascontiguousarray(key).tobytes()).hexdigest()


def emit(name: str, key: str, before: dict, args: tuple, kwargs: dict, loggers: dict,
         result=None, error: BaseException | None = None, global_draws: bool = False) -> None:
    """Write one call's record to the cell's output (only while grading); `global_draws`: the call drew from
    numpy's global random state, which the replay then does too, so that a test comparing that state before and
    after the call sees the same in the re-check."""
    after = {}
    for where, value in list(enumerate(args)) + list(kwargs.items()):
        now = encode(value)
        if now != before.get(str(where)) and now.get("t") != "callable":
            after[str(where)] = now
    record = {"fn": name, "key": key, "after": after,
              "callbacks": {k: cb.calls for k, cb in loggers.items()},
              "result": None if error else encode(result),
              "error": None if error is None else {"type": type(error).__name__, "message": str(error)[:2000]},
              "global_draws": bool(global_draws)}
    _PENDING.append(record)
    if len(_PENDING) >= BATCH or not _flush_after_the_cell():
        flush()


#: records not yet written: a test cell's calls go out together (see `flush`)
_PENDING: list[dict] = []
BATCH = 200
_hooked = False


def flush(*_) -> None:
    """Write the pending records to the cell's output as one display message, {"batch": [record, ...]}.

    One message per call was one IOPub message each: a test making 1,200 calls sent 1,200 of them, past ZeroMQ's
    high-water mark of 1,000 queued messages, and on a loaded grading machine, where the grader reads them late,
    the kernel dropped the rest. The re-check then found no result for a call and failed a correct student."""
    if not _PENDING:
        return
    from IPython.display import display

    batch, _PENDING[:] = list(_PENDING), []
    # JSON text, not an object: the grader keeps it as one string, where nbformat would turn every dict of an
    # object into a NotebookNode and validate it (0.36 s of the grading process per notebook of 05)
    display({MIME: json.dumps({"batch": batch}, separators=(",", ":")), "text/plain": f"<{len(batch)} graded calls>"},
            raw=True)


def _flush_after_the_cell() -> bool:
    """Have IPython flush the pending records when the running cell ends (its post_run_cell event, which runs
    before the cell's reply, also after an error or an interrupt); False outside IPython."""
    global _hooked
    if not _hooked:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
        if shell is None:
            return False
        shell.events.register("post_run_cell", flush)
        _hooked = True
    return True


def records_of(data) -> list[dict]:
    """The call records of one transcript output's data: `flush`'s batch, as JSON text (or the lines nbformat may
    split it into); nothing from anything else."""
    if isinstance(data, list) and all(isinstance(line, str) for line in data):
        data = "".join(data)
    try:
        batch = json.loads(data).get("batch") if isinstance(data, str) else None
    except (ValueError, AttributeError):
        return []
    return [r for r in batch if isinstance(r, dict)] if isinstance(batch, list) else []


def snapshot(args: tuple, kwargs: dict) -> dict:
    return {str(k): encode(v) for k, v in list(enumerate(args)) + list(kwargs.items())}


# ------------------------------------------------------------------------------------------- replaying
class Replay:
    """Stands in for the student's function `name` in the verifier, serving the recorded calls in order."""

    def __init__(self, name: str, records: list[dict]):
        self.__name__ = self.__qualname__ = name
        self._records = [r for r in records if r.get("fn") == name]

    def __call__(self, *args, **kwargs):
        key = digest(args, kwargs)
        for i, record in enumerate(self._records):
            if record.get("key") == key:
                del self._records[i]
                break
        else:
            raise TranscriptMissing(
                f"{self.__name__} gave no result for this input while your notebook was graded. This happens when "
                "the test cell or the libraries were changed while it ran; run the notebook from a fresh kernel.")
        for where, calls in record.get("callbacks", {}).items():
            fn = args[int(where)] if where.isdigit() else kwargs[where]
            for call_args, call_kwargs in calls:
                fn(*decode(call_args), **decode(call_kwargs))
        for where, state in record.get("after", {}).items():
            _restore(args[int(where)] if where.isdigit() else kwargs[where], decode(state))
        if record.get("global_draws"):
            np.random.random()  # the student's call drew from numpy's global state: so does its replay
        if record.get("error"):
            kind = getattr(builtins, record["error"]["type"], None)
            if not (isinstance(kind, type) and issubclass(kind, Exception)):
                kind = type(record["error"]["type"], (Exception,), {})
            raise kind(record["error"]["message"])
        return decode(record["result"])


def _restore(target, value) -> None:
    """Make `target` (an argument) equal `value`, as the student's call left it."""
    if isinstance(target, np.ndarray) and isinstance(value, np.ndarray) and target.shape == value.shape:
        np.copyto(target, value, casting="unsafe")
    elif isinstance(target, dict) and isinstance(value, dict):
        target.clear()
        target.update(value)
    elif isinstance(target, list) and isinstance(value, list):
        target[:] = value
    elif isinstance(target, np.random.Generator) and isinstance(value, np.random.Generator):
        target.bit_generator.state = value.bit_generator.state
    elif isinstance(target, np.ndarray):
        target[...] = np.nan  # changed to something of another shape or type: certainly not unchanged
