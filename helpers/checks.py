"""Checks used by the graded test cells: each failure says what was expected, what was found, and on what input.

A test cell calls the student's function through `call`, which turns the usual slips (not implemented yet,
a crash, an input changed in place, a forgotten `return`) into a `CheckFailed` with a message to act on,
then compares results with `expect_close`, `expect_shape`, `expect_equal` or `expect`.

Every message's first line holds the key words and fits in `FIRST_LINE` (80) characters: Validate (JupyterLab,
`nbgrader validate`) cuts lines at about 90, and the feedback and the class report read the first line. The
details follow on later lines: `on: <the input>`, the expected and found values, a hint.

`mistakes={sentence: value}` names a known mistake: when the result is wrong but equals what that mistake
computes on the same input, the first line is `Mistake: <sentence>`, and the check's generic hint is left out (it
may be meant for another mistake). Inside IPython, a failing check's traceback stops at the student's code: no
frame of `helpers` is shown (see `_install_in_ipython`).

Default tolerances: `rtol=1e-7`, `atol=1e-10`. Two correct float64 implementations differ by round-off,
about 1e-15 relative per operation and well under 1e-10 after the few thousand operations of a test, while
the mistakes the tests look for (ddof=1, a wrong axis, a missing factor) change results by 1e-3 or more.
"""

from __future__ import annotations

import copy
import os
import sys
import textwrap
import types

import numpy as np

from . import transcript

__all__ = ["CheckFailed", "call", "answer", "describe", "as_array", "expect", "expect_shape", "expect_close",
           "expect_equal", "expect_raises", "FIRST_LINE", "MISTAKE"]

#: the longest first line of a failure: Validate shows lines of 90 characters, 4 of them indentation
FIRST_LINE = 80
#: how the first line of a failure that recognises a known mistake begins
MISTAKE = "Mistake: "

_NOT_YET = ("{name} is not implemented yet",
            "Replace `raise NotImplementedError()` in its cell with your code, run that cell, then run this test "
            "again.")


class CheckFailed(AssertionError):
    """A graded check failed; the message tells the student what to change."""


# ------------------------------------------------------------------------------------------- messages
def _wrap(line: str) -> list[str]:
    """`line` cut at spaces into lines of at most FIRST_LINE characters, continuations indented like it."""
    if len(line) <= FIRST_LINE:
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    return textwrap.wrap(line, FIRST_LINE, initial_indent="", subsequent_indent=indent + "  ",
                         break_long_words=False, break_on_hyphens=False, drop_whitespace=True) or [line]


def _message(first: str, *details: str, hint: str = "") -> str:
    """The text of a failure: `first` (wrapped if too long, so the rest of it opens the details), then every
    non-empty detail line, then the hint; no line past FIRST_LINE unless a single word is longer."""
    lines = []
    for text in (first, *details, f"Hint: {hint}" if hint else ""):
        for line in str(text).splitlines():
            lines.extend(_wrap(line.rstrip()))
    return "\n".join(lines)


def _fail(first: str, *details: str, hint: str = "") -> CheckFailed:
    return CheckFailed(_message(first, *details, hint=hint))


def _first_fitting(*options: tuple[str, str]) -> tuple[str, str]:
    """The first (first line, what moves to the details) whose first line fits; else the last one."""
    for first, moved in options:
        if len(first) <= FIRST_LINE:
            return first, moved
    return options[-1]


def _on(on: str) -> str:
    return f"on: {on}" if on else ""


def describe(x) -> str:
    """A short description of a test input for messages: shape and dtype of arrays, value of scalars."""
    if isinstance(x, np.ndarray):
        if x.size <= 6:
            return f"{np.array2string(x, precision=4, separator=', ', max_line_width=10**6)} (shape {x.shape})"
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


# ------------------------------------------------------------------------------------------- calling
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


def _inputs(args: tuple, kwargs: dict) -> str:
    return ", ".join([describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()])


def call(fn, *args, **kwargs):
    """Call the student's `fn(*args, **kwargs)` and return its result.

    Raises CheckFailed if `fn` is not implemented yet, raises any exception, or changes an array,
    list or dict argument in place (graded functions must leave their inputs as they found them).
    """
    name = _name(fn)
    if not callable(fn):
        raise _fail(f"{name} should be a function, but it is a {type(fn).__name__}",
                    f"its value: {describe(fn)}", "Run the cell that defines it, then this test again.")
    module = getattr(fn, "__module__", None) or ""
    if module.startswith("helpers.") and not isinstance(fn, transcript.Replay):
        raise _fail(f"{name} is the course's own version, not yours",
                    f"It comes from {module}: write the function in its cell (the explorers use the course's "
                    "version; the graded one must be your own).")
    before = [_snapshot(a) for a in args]
    kw_before = {k: _snapshot(v) for k, v in kwargs.items()}
    result, error = _invoke(fn, args, kwargs)
    if isinstance(error, NotImplementedError):
        raise _fail(_NOT_YET[0].format(name=name), _NOT_YET[1]) from None
    if error is not None:
        raise _fail(f"{name} raised {type(error).__name__}: {error}", f"on: {name}({_inputs(args, kwargs)})",
                    "Run this test in your notebook to see the line of your code where it happened.") from error
    for i, (old, new) in enumerate(zip(before, args)):
        if old is not None and not _same(old, new):
            raise _fail(f"{name} changed its argument {i + 1} in place", f"argument {i + 1}: {describe(old)}",
                        "Graded functions must not modify their inputs: work on a copy "
                        "(e.g. `X = X - mu`, not `X -= mu`).")
    for k, old in kw_before.items():
        if old is not None and not _same(old, kwargs[k]):
            raise _fail(f"{name} changed its argument {k} in place", f"{k} = {describe(old)}",
                        "Graded functions must not modify their inputs: work on a copy instead.")
    return result


def answer(name: str):
    """The value the student assigned to the global `name` in a solution cell (e.g. a set of parameter names)."""
    namespace = sys._getframe(1).f_globals
    if isinstance(namespace.get(name), transcript.Replay):  # re-checking outside the kernel
        return namespace[name]()
    if name not in namespace:
        raise _fail(f"{name} is not implemented yet",
                    "Assign it in its cell (replace `raise NotImplementedError()`), run that cell, then run this "
                    "test again.")
    value = namespace[name]
    if transcript.recording():
        transcript.emit(name, transcript.digest((), {}), {}, (), {}, {}, value)
    return value


# ------------------------------------------------------------------------------------------- comparing
def _none(what: str, on: str) -> CheckFailed:
    question = "does your function end with a `return` statement?"
    first, moved = _first_fitting((f"{what} is None: {question}", ""), (f"{what} is None", question.capitalize()))
    return _fail(first, moved, _on(on))


def as_array(found, what: str, ndim: int | None = None, on: str = "") -> np.ndarray:
    """`found` as a float ndarray, or CheckFailed if it is None or not numeric (or not `ndim`-dimensional)."""
    if found is None:
        raise _none(what, on)
    try:
        arr = np.asarray(found, dtype=float)
    except (TypeError, ValueError):
        raise _fail(f"{what} should be a numeric array, but it is a {type(found).__name__}",
                    f"found: {found!r:.200}", _on(on)) from None
    if ndim is not None and arr.ndim != ndim:
        raise _fail(f"{what} should have {ndim} dimension(s), but it has shape {arr.shape}", _on(on))
    return arr


def expect(condition: bool, message: str) -> None:
    """CheckFailed(message) unless `condition` holds; a first line past FIRST_LINE goes on in the next line."""
    if not condition:
        raise _fail(message)


def _shape_message(what: str, shape: tuple, found_shape: tuple) -> str:
    return f"{what} should have shape {tuple(shape)}, but it has shape {found_shape}"


def expect_shape(found, shape: tuple, what: str, on: str = "") -> None:
    """`found` must be an array of exactly `shape` (e.g. `(n_x, 1)`)."""
    arr = as_array(found, what, on=on)
    if arr.shape != tuple(shape):
        raise _fail(_shape_message(what, shape, arr.shape), _on(on))


def _show(label: str, arr: np.ndarray) -> str:
    """`label` then `arr`, its later rows aligned under its first, with as many entries at each end of a row
    (3, 2 or 1) as keep each row on one line of FIRST_LINE characters."""
    for edge in (3, 2, 1):
        text = label + np.array2string(arr, precision=6, separator=", ", threshold=12, edgeitems=edge,
                                       max_line_width=FIRST_LINE, prefix=label)
        if arr.ndim < 2 or max(map(len, text.splitlines())) <= FIRST_LINE and text.count("\n") < arr.shape[0]:
            return text
    return text


def _pair(expected: float, found: float) -> tuple[str, str]:
    """Both numbers with the fewest digits (6, 10 or 17) that tell them apart."""
    for digits in (6, 10, 17):
        e, f = f"{expected:.{digits}g}", f"{found:.{digits}g}"
        if e != f:
            break
    return e, f


def _check_sentences(mistakes: dict | None) -> dict:
    """The `mistakes` dict, after making sure every sentence fits the first line with its prefix."""
    for sentence in mistakes or {}:
        if not isinstance(sentence, str) or "\n" in sentence or len(MISTAKE + sentence) > FIRST_LINE:
            raise ValueError(f"a mistake's sentence must be one line of at most {FIRST_LINE - len(MISTAKE)} "
                             f"characters (it follows {MISTAKE!r} on the first line of a failure): {sentence!r}")
    return mistakes or {}


def _named_mistake(mistakes: dict, matches) -> str | None:
    """The sentence of the first mistake whose value `matches(value)`; a value that cannot be compared is no
    match."""
    for sentence, value in mistakes.items():
        try:
            if matches(value):
                return sentence
        except Exception:  # noqa: BLE001 - a value of another kind or shape simply is not this mistake
            continue
    return None


def _close(found: np.ndarray, value, rtol: float, atol: float) -> bool:
    value = np.asarray(value, dtype=float)
    return value.shape == found.shape and bool(np.isclose(found, value, rtol=rtol, atol=atol, equal_nan=True).all())


def expect_close(found, expected, what: str, on: str = "", rtol: float = 1e-7, atol: float = 1e-10,
                 hint: str = "", mistakes: dict | None = None) -> None:
    """`found` must match `expected` in shape and within `rtol`/`atol` element-wise (NaN matches NaN, inf matches inf).

    `found` and `expected` are arrays of any one shape (e.g. `(n_x, 1)` for sigma) or scalars; `what` names the
    value ("sigma"), `on` the input ("X of shape (2, 5) with a constant feature"). `mistakes` maps a sentence (at
    most 71 characters) to what that mistake computes on the same input, of the shape it would give (an array, a
    scalar); a wrong `found` within the same tolerance of one of them (NaN matching NaN) is reported as
    `Mistake: <sentence>`. Raises ValueError, pass or fail, if a sentence is too long.
    """
    mistakes = _check_sentences(mistakes)
    expected = np.asarray(expected, dtype=float)
    arr = as_array(found, what, on=on)
    if arr.shape == expected.shape:
        ok = np.isclose(arr, expected, rtol=rtol, atol=atol, equal_nan=True)
        if ok.all():
            return
    named = _named_mistake(mistakes, lambda value: _close(arr, value, rtol, atol))
    if arr.shape != expected.shape:
        first, details = _shape_message(what, expected.shape, arr.shape), [_on(on)]
    else:
        first, details = _value_message(what, expected, arr, ok, on)
    if named is not None:
        raise _fail(MISTAKE + named, first, *details)
    raise _fail(first, *details, hint=hint)


def _value_message(what: str, expected: np.ndarray, found: np.ndarray, ok: np.ndarray, on: str):
    """(first line, detail lines) for values of the right shape that differ where `ok` is False."""
    bad = np.unravel_index(np.argmin(ok), ok.shape) if ok.ndim else ()
    e, f = _pair(expected[bad].item(), found[bad].item())
    at = f" at {tuple(int(i) for i in bad)}" if ok.ndim else ""
    first, moved = _first_fitting((f"{what} is wrong{at}: expected {e}, found {f}", ""),
                                  (f"{what} is wrong: expected {e}, found {f}", f"first wrong entry{at}"),
                                  (f"{what} is wrong", f"expected {e}, found {f}{at}"))
    details = [moved, _on(on)] if ok.ndim == 0 else \
        [moved, _on(on), _show("  expected: ", expected), _show("  found:    ", found)]
    return first, details


def _equal(a, b) -> bool:
    """`a == b` as one bool: arrays equal in shape and entries; values that cannot be compared are not equal."""
    try:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))
        return bool(a == b)
    except Exception:  # noqa: BLE001 - e.g. an array inside a tuple: its == has no single truth value
        return False


def expect_equal(found, expected, what: str, on: str = "", hint: str = "", mistakes: dict | None = None) -> None:
    """`found == expected` for exact values (strings, ints, tuples; arrays must agree in shape and entries).

    `mistakes` maps a sentence (at most 71 characters) to what that mistake gives on the same input; a `found`
    equal to one of them is reported as `Mistake: <sentence>`. Raises ValueError if a sentence is too long.
    """
    mistakes = _check_sentences(mistakes)
    if _equal(found, expected):
        return
    named = _named_mistake(mistakes, lambda value: _equal(found, value))
    if found is None and expected is not None and named is None:
        raise _none(what, on)
    e, f = repr(expected), repr(found)
    first, moved = _first_fitting((f"{what} is wrong: expected {e}, found {f}", ""),
                                  (f"{what} is wrong", f"expected {e}, found {f}"))
    if named is not None:
        raise _fail(MISTAKE + named, first, moved, _on(on))
    raise _fail(first, moved, _on(on), hint=hint)


def expect_raises(error: type[Exception], fn, *args, what: str, **kwargs) -> Exception:
    """`fn(*args, **kwargs)` must raise `error` (or a subclass); returns the exception for further checks.

    `what` names the situation ("an unknown method"); it goes on the second line of a failure.
    """
    name = _name(fn)
    _, raised = _invoke(fn, args, kwargs)
    if isinstance(raised, NotImplementedError) and not issubclass(NotImplementedError, error):
        raise _fail(_NOT_YET[0].format(name=name), _NOT_YET[1]) from None
    if isinstance(raised, error):
        return raised
    if raised is not None:
        raise _fail(f"expected {error.__name__}, but {name} raised {type(raised).__name__}",
                    f"on: {what}", f"its message: {raised}") from raised
    raise _fail(f"expected {name} to raise {error.__name__}, but it returned normally", f"on: {what}")


# ------------------------------------------------------------------------------------------- tracebacks
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _outside_helpers(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The traceback `tb` without the frames of files of the helpers package (the same frames otherwise)."""
    kept = []
    while tb is not None:
        if not os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(_PACKAGE):
            kept.append(tb)
        tb = tb.tb_next
    trimmed = None
    for t in reversed(kept):
        trimmed = types.TracebackType(trimmed, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return trimmed


def _trim_chain(error: BaseException) -> None:
    """Drop the helpers frames of the exceptions `error` was raised from (the student's crash, for `call`)."""
    seen = {id(error)}
    todo = [error.__cause__, error.__context__]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        e.__traceback__ = _outside_helpers(e.__traceback__)
        todo += [e.__cause__, e.__context__]


def _show_check_failed(shell, etype, value, tb, tb_offset=None):
    """IPython's handler of a CheckFailed: the usual error output (ename CheckFailed, the full evalue), with a
    traceback of the test cell's line and, for a crash, the student's frames, never a frame of helpers."""
    try:
        _trim_chain(value)
        stb = shell.InteractiveTB.structured_traceback(etype, value, _outside_helpers(tb), tb_offset=tb_offset)
        head, colon, _ = stb[-1].partition(": ")  # "CheckFailed: <message>", the name in colour
        if colon:  # the message on lines of its own, so that Validate's 90 columns show its first line whole
            stb = stb[:-1] + [f"{head}:\n{value}"]
    except Exception:  # noqa: BLE001 - never lose the error output by which nbgrader scores the cell
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # for %debug
    shell._showtraceback(etype, value, stb)
    return stb


def _install_in_ipython() -> None:
    """Let the running IPython (a student's or the grading kernel) show CheckFailed with `_show_check_failed`."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is not None and hasattr(shell, "set_custom_exc"):
        shell.set_custom_exc((CheckFailed,), _show_check_failed)


_install_in_ipython()
