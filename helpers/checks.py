"""Checks used by the graded test cells: each failure says what was expected, what was found, and on what input.

A test cell calls the student's function through `call`, which turns the usual slips (not implemented yet,
a crash, an input changed in place, a forgotten `return`) into a `CheckFailed` with a message to act on,
then compares results with `expect_close`, `expect_shape`, `expect_equal` or `expect`.

Default tolerances: `rtol=1e-7`, `atol=1e-10`. Two correct float64 implementations differ by round-off,
about 1e-15 relative per operation and well under 1e-10 after the few thousand operations of a test, while
the mistakes the tests look for (ddof=1, a wrong axis, a missing factor) change results by 1e-3 or more.
"""

from __future__ import annotations

import copy
import sys

import numpy as np

from . import transcript

__all__ = ["CheckFailed", "call", "answer", "describe", "as_array", "expect", "expect_shape", "expect_close",
           "expect_equal", "expect_raises"]

_NOT_YET = ("{name} is not implemented yet: replace `raise NotImplementedError()` in its cell with your code, "
            "run that cell, then run this test again.")


class CheckFailed(AssertionError):
    """A graded check failed; the message tells the student what to change."""


def describe(x) -> str:
    """A short description of a test input for messages: shape and dtype of arrays, value of scalars."""
    if isinstance(x, np.ndarray):
        if x.size <= 6:
            return f"{np.array2string(x, precision=4, separator=', ')} (shape {x.shape})"
        return f"a {x.dtype} array of shape {x.shape}"
    if isinstance(x, dict):
        return "a dict with keys " + ", ".join(map(str, x))
    if isinstance(x, (list, tuple)):
        kind = type(x).__name__
        if x and all(isinstance(v, np.ndarray) for v in x):
            shapes = {v.shape for v in x}
            return f"a {kind} of {len(x)} arrays of shape {x[0].shape}" if len(shapes) == 1 else \
                f"a {kind} of {len(x)} arrays of shapes {', '.join(str(v.shape) for v in x[:4])}" + (", ..." if len(x) > 4 else "")
        return f"a {kind} of {len(x)} items" if len(x) > 6 else repr(x)
    if callable(x):
        return getattr(x, "__name__", "a function")
    return repr(x)


def _name(fn) -> str:
    return getattr(fn, "__name__", "your function")


def _snapshot(value):
    try:
        return copy.deepcopy(value)
    except Exception:  # an argument that cannot be copied (a generator, say) is not checked for changes
        return None


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and \
            a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return True  # scalars and objects cannot be changed in place in a way that matters here


def _invoke(fn, args: tuple, kwargs: dict):
    """fn(*args, **kwargs) -> (result, exception or None); while grading, the call goes into the transcript."""
    if not transcript.recording():
        try:
            return fn(*args, **kwargs), None
        except Exception as error:
            return None, error
    key, before = transcript.digest(args, kwargs), transcript.snapshot(args, kwargs)
    call_args, call_kwargs, loggers = transcript.wrap_callbacks(args, kwargs)
    try:
        result, error = fn(*call_args, **call_kwargs), None
    except Exception as raised:
        result, error = None, raised
    transcript.emit(_name(fn), key, before, args, kwargs, loggers, result, error)
    return result, error


def call(fn, *args, **kwargs):
    """Call the student's `fn(*args, **kwargs)` and return its result.

    Raises CheckFailed if `fn` is not implemented yet, raises any exception, or changes an array,
    list or dict argument in place (graded functions must leave their inputs as they found them).
    """
    name = _name(fn)
    if not callable(fn):
        raise CheckFailed(f"{name} should be a function, but it is {describe(fn)}; run the cell that defines it.")
    module = getattr(fn, "__module__", None) or ""
    if module.startswith("helpers.") and not isinstance(fn, transcript.Replay):
        raise CheckFailed(f"{name} is the course's own version from {module}, not yours: write the function "
                          "in its cell (the explorers use the course's version; the graded one must be your own).")
    before = [_snapshot(a) for a in args]
    kw_before = {k: _snapshot(v) for k, v in kwargs.items()}
    result, error = _invoke(fn, args, kwargs)
    if isinstance(error, NotImplementedError):
        raise CheckFailed(_NOT_YET.format(name=name)) from None
    if error is not None:
        inputs = ", ".join([describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()])
        raise CheckFailed(f"{name}({inputs}) raised {type(error).__name__}: {error}\n"
                          "Run this test in your notebook to see the line of your code where it happened.") from error
    for i, (old, new) in enumerate(zip(before, args)):
        if old is not None and not _same(old, new):
            raise CheckFailed(f"{name} changed its argument {i + 1} ({describe(old)}) in place. Graded functions "
                              "must not modify their inputs: work on a copy (e.g. `X = X - mu`, not `X -= mu`).")
    for k, old in kw_before.items():
        if old is not None and not _same(old, kwargs[k]):
            raise CheckFailed(f"{name} changed its argument {k}={describe(old)} in place; work on a copy instead.")
    return result


def answer(name: str):
    """The value the student assigned to the global `name` in a solution cell (e.g. a set of parameter names)."""
    namespace = sys._getframe(1).f_globals
    if isinstance(namespace.get(name), transcript.Replay):  # re-checking outside the kernel
        return namespace[name]()
    if name not in namespace:
        raise CheckFailed(f"{name} is not implemented yet: assign it in its cell (replace "
                          "`raise NotImplementedError()`), run that cell, then run this test again.")
    value = namespace[name]
    if transcript.recording():
        transcript.emit(name, transcript.digest((), {}), {}, (), {}, {}, value)
    return value


def as_array(found, what: str, ndim: int | None = None) -> np.ndarray:
    """`found` as a float ndarray, or CheckFailed if it is None or not numeric."""
    if found is None:
        raise CheckFailed(f"{what} is None: does your function end with a `return` statement?")
    try:
        arr = np.asarray(found, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should be a numeric array, but it is {type(found).__name__}: {found!r:.200}") from None
    if ndim is not None and arr.ndim != ndim:
        raise CheckFailed(f"{what} should have {ndim} dimension(s), but it has shape {arr.shape}.")
    return arr


def expect(condition: bool, message: str) -> None:
    """CheckFailed(message) unless `condition` holds."""
    if not condition:
        raise CheckFailed(message)


def expect_shape(found, shape: tuple, what: str, on: str = "") -> None:
    """`found` must be an array of exactly `shape`."""
    arr = as_array(found, what)
    where = f" on {on}" if on else ""
    expect(arr.shape == tuple(shape), f"{what}{where} should have shape {tuple(shape)}, but it has shape {arr.shape}.")


def _show(arr: np.ndarray) -> str:
    return np.array2string(arr, precision=6, separator=", ", threshold=12, edgeitems=3)


def expect_close(found, expected, what: str, on: str = "", rtol: float = 1e-7, atol: float = 1e-10,
                 hint: str = "") -> None:
    """`found` must match `expected` in shape and within `rtol`/`atol` element-wise (NaN matches NaN, inf matches inf)."""
    expected = np.asarray(expected, dtype=float)
    arr = as_array(found, what)
    where = f" on {on}" if on else ""
    if arr.shape != expected.shape:
        raise CheckFailed(f"{what}{where} should have shape {expected.shape}, but it has shape {arr.shape}."
                          + (f"\nHint: {hint}" if hint else ""))
    ok = np.isclose(arr, expected, rtol=rtol, atol=atol, equal_nan=True)
    if ok.all():
        return
    bad = np.unravel_index(np.argmin(ok), ok.shape) if ok.ndim else ()
    at = f" at index {tuple(int(i) for i in bad)}" if ok.ndim else ""
    raise CheckFailed(f"{what}{where} is wrong{at}: expected {expected[bad].item():.10g}, found {arr[bad].item():.10g}.\n"
                      f"  expected: {_show(expected)}\n  found:    {_show(arr)}"
                      + (f"\nHint: {hint}" if hint else ""))


def expect_equal(found, expected, what: str, on: str = "", hint: str = "") -> None:
    """`found == expected` for exact values (strings, ints, tuples)."""
    where = f" on {on}" if on else ""
    if found is None and expected is not None:
        raise CheckFailed(f"{what}{where} is None: does your function end with a `return` statement?")
    expect(found == expected, f"{what}{where}: expected {expected!r}, found {found!r}."
           + (f"\nHint: {hint}" if hint else ""))


def expect_raises(error: type[Exception], fn, *args, what: str, **kwargs) -> Exception:
    """`fn(*args, **kwargs)` must raise `error` (or a subclass); returns the exception for further checks."""
    name = _name(fn)
    _, raised = _invoke(fn, args, kwargs)
    if isinstance(raised, NotImplementedError) and not issubclass(NotImplementedError, error):
        raise CheckFailed(_NOT_YET.format(name=name)) from None
    if isinstance(raised, error):
        return raised
    if raised is not None:
        raise CheckFailed(f"{what}: expected {error.__name__}, but {name} raised "
                          f"{type(raised).__name__}: {raised}") from raised
    raise CheckFailed(f"{what}: expected {name} to raise {error.__name__}, but it returned normally.")
