"""Checks used by the graded test cells: each failure says what was expected, what was found, and on what input.

A test cell calls the student's function through `call`, which turns the usual slips (not implemented yet,
a crash, an input changed in place, a forgotten `return`) into a `CheckFailed` with a message to act on,
then compares results with `expect_close`, `expect_shape`, `expect_equal` or `expect`.

Every message's first line holds the key words and fits in `FIRST_LINE` (80) characters; the details follow on
later lines (`helpers.failure_messages` writes them).

`mistakes={sentence: value}` names a known mistake: when the result is wrong but equals what that mistake
computes on the same input, the first line is `Mistake: <sentence>`, and the check's generic hint is left out (it
may be meant for another mistake). Inside IPython, a failing check's traceback stops at the student's code: no
frame of `helpers` is shown (`helpers.tracebacks`).

Default tolerances: `rtol=1e-7`, `atol=1e-10`. Two correct float64 implementations differ by round-off,
about 1e-15 relative per operation and well under 1e-10 after the few thousand operations of a test, while
the mistakes the tests look for (ddof=1, a wrong axis, a missing factor) change results by 1e-3 or more.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import sys

import numpy as np

from . import tracebacks, transcript
from .failure_messages import (_NOT_YET, FIRST_LINE, MISTAKE, _check_sentences, _first_fitting, _inputs,
                               _message, _name, _on, _shape_message, _uniform_factor, _value_message, describe)

__all__ = ["CheckFailed", "call", "stand_ins", "ANY", "answer", "describe", "as_array", "expect", "expect_shape",
           "expect_close", "expect_equal", "expect_raises", "FIRST_LINE", "MISTAKE"]


class CheckFailed(AssertionError):
    """A graded check failed; the message tells the student what to change, and `mistake` is the sentence of the
    catalogued mistake it recognised (None if none): the grading platform counts mistakes from it, not the text."""

    def __init__(self, message: str, mistake: str | None = None):
        super().__init__(message)
        self.mistake = mistake


def _fail(first: str, *details: str, hint: str = "", mistake: str | None = None) -> CheckFailed:
    return CheckFailed(_message(first, *details, hint=hint), mistake)


# ------------------------------------------------------------------------------------------- calling
def _snapshot(value):
    """A copy of `value` to tell whether a call changed it in place, or None when `_same` would not look at it (a
    random generator, say: deep-copying one is most of what a call with an rng costs a test)."""
    if not isinstance(value, (np.ndarray, dict, list, tuple)):
        return None
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
    global_before = transcript.global_random_state()
    try:
        result, error = fn(*call_args, **call_kwargs), None
    except Exception as raised:
        result, error = None, raised
    transcript.emit(_name(fn), key, before, args, kwargs, loggers, result, error,
                    global_draws=transcript.global_random_state() != global_before)
    return result, error


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
                    f"It comes from {module}, the course's library: write the function in its cell (the graded "
                    "one must be your own).")
    before = [_snapshot(a) for a in args]
    kw_before = {k: _snapshot(v) for k, v in kwargs.items()}
    result, error = _invoke(fn, args, kwargs)
    if _asks_for_input(error):  # IPython's StdinNotImplementedError is a NotImplementedError too
        raise _fail(f"{name} waits for keyboard input (input(), breakpoint() or pdb)",
                    f"on: {name}({_inputs(args, kwargs)})",
                    "Tests run without a keyboard: remove input(), breakpoint() and pdb calls from your function."
                    ) from None
    if isinstance(error, NotImplementedError):
        raise _fail(_NOT_YET[0].format(name=name), _NOT_YET[1]) from None
    if error is not None:
        raise _fail(f"{name} raised {type(error).__name__}: {error}", f"on: {name}({_inputs(args, kwargs)})",
                    "Run this test in your notebook to see the line of your code where it happened.") from error
    for i, (old, new) in enumerate(zip(before, args)):
        if old is not None and not _same(old, new):
            names = _parameter_names(fn, len(args))
            raise _fail(f"{name} changed its argument {names[i]} in place", *_what_changed(names[i], old, new),
                        "Graded functions must not modify their inputs: work on a copy "
                        "(e.g. `X = X - mu`, not `X -= mu`).")
    for k, old in kw_before.items():
        if old is not None and not _same(old, kwargs[k]):
            raise _fail(f"{name} changed its argument {k} in place", *_what_changed(k, old, kwargs[k]),
                        "Graded functions must not modify their inputs: work on a copy instead.")
    return result


def _parameter_names(fn, count: int) -> list[str]:
    """The names of `fn`'s first `count` positional parameters (X, theta, ...), "argument <i>" where unknown."""
    import inspect

    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"argument {i + 1}" for i in range(count)]


def _what_changed(name: str, old, new) -> list[str]:
    """Detail lines: the first entry of `name` that changed, its value before and after the call, and whether the
    two are only round-off apart (a few ulps: restored by arithmetic, `+= eps` then `-= eps`, not from a copy)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key in new and not _same(old[key], new[key]):
                return _what_changed(f"{name}[{key!r}]", old[key], new[key])
        return [f"{name}: its keys changed, from {sorted(map(str, old))} to {sorted(map(str, new))}"]
    if isinstance(old, np.ndarray) and isinstance(new, np.ndarray):
        if old.shape != new.shape or old.dtype != new.dtype:
            return [f"{name}: {describe(old)} before the call, {describe(new)} after"]
        differs = ~((old == new) | (np.isnan(old) & np.isnan(new)) if old.dtype.kind in "fc" else (old == new))
        index = tuple(int(i) for i in np.argwhere(differs)[0])
        at = f"{name}[{', '.join(map(str, index))}]"
        a, b = old[index].item(), new[index].item()
        line = f"{at}: {a!r} before the call, {b!r} after"
        if old.dtype.kind == "f" and np.isfinite(a) and abs(a - b) <= 4 * np.spacing(max(abs(a), abs(b))):
            line += " (round-off: put back by arithmetic, not from a saved copy)"
        count = int(differs.sum())
        return [line + (f"; {count} entries changed" if count > 1 else "")]
    return [f"{name}: {describe(old)} before the call, {describe(new)} after"]


class _Any:
    """Matches any argument in a table of `stand_ins` (a function the student's code builds, say)."""

    def __repr__(self):
        return "ANY"


#: in a table of `stand_ins`, an input that matches any argument
ANY = _Any()


def _matches(a, b) -> bool:
    """Whether an argument `a` the student's code passed is the test's input `b`: ANY matches anything; dicts with
    the same keys in the same order and matching values; arrays of one shape equal to round-off (a mu computed
    another way differs from the test's by an ulp); lists and tuples item by item; equal scalars and strings."""
    if b is ANY:
        return True
    if isinstance(b, dict):
        return isinstance(a, dict) and list(a) == list(b) and all(_matches(a[k], b[k]) for k in b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        except (TypeError, ValueError):
            return False
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-15, equal_nan=True))
    if isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(_matches(x, y) for x, y in zip(a, b))
    if isinstance(b, float) and isinstance(a, (int, float, np.number)) and not isinstance(a, bool):
        return bool(np.isclose(a, b, rtol=1e-12, atol=0))
    return _equal(a, b)


class _StandIn:
    """A graded function as the test knows it: on an input of its table, the right result (or the exception to
    raise); on any other input, the student's own function."""

    def __init__(self, own, table):
        self.own, self.table = own, list(table)
        self.__name__ = self.__qualname__ = _name(own)
        try:
            self._signature = inspect.signature(own)
        except (TypeError, ValueError):
            self._signature = None

    def _arguments(self, args, kwargs) -> tuple:
        """Every argument in the order of the student's signature, defaults included (`epsilon` left out is 1e-7)."""
        if self._signature is None:
            return tuple(args) + tuple(kwargs.values())
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError:
            return tuple(args) + tuple(kwargs.values())
        bound.apply_defaults()
        return tuple(bound.arguments.values())

    def __call__(self, *args, **kwargs):
        given = self._arguments(args, kwargs)
        for inputs, result in self.table:
            inputs = inputs if isinstance(inputs, tuple) else (inputs,)
            if len(inputs) == len(given) and all(_matches(a, b) for a, b in zip(given, inputs)):
                if isinstance(result, Exception):
                    raise result
                if callable(result):  # an answer that depends on more than the inputs (it calls a given J, say)
                    return result(*args, **kwargs)
                return copy.deepcopy(result)
        return self.own(*args, **kwargs)


@contextlib.contextmanager
def stand_ins(fn, **tables):
    """While the block runs, the graded functions that `fn` may call give the right results on the test's inputs.

    One mistake costs its points once: the test of `normalize_train_test` must not fail because the student's
    `normalization_stats` has a mistake of its own (that costs the points of `normalization_stats` alone). Each
    keyword names a function `fn` may call and gives its table, a list of `(inputs, result)` pairs: `inputs` a
    tuple of every argument, defaults included (a single argument alone; `ANY` matches any argument), `result` what
    the right function returns there, an exception to raise, or a function of the same arguments that answers. Inside the block, a call with one of those inputs (arrays equal to round-off) gets that result; any
    other call goes to the student's own function, so a call on the wrong input still gives what it gives.
    A function written without calling the others is unaffected. `fn` is the student's function under test (its
    module's names are the ones replaced); outside the student's kernel (a replayed `fn`) nothing is replaced.

        with stand_ins(normalize_train_test, normalization_stats=[(X_tr, (mu, sigma))]):
            result = call(normalize_train_test, X_tr, X_te)
    """
    namespace = getattr(fn, "__globals__", None)
    saved = {}
    if isinstance(namespace, dict):
        for name, table in tables.items():
            own = namespace.get(name)
            if callable(own) and not isinstance(own, transcript.Replay):
                saved[name] = own
                namespace[name] = _StandIn(own, table)
    try:
        yield
    finally:
        for name, own in saved.items():
            namespace[name] = own


def _asks_for_input(error) -> bool:
    """Whether `error` comes from reading the keyboard where there is none (the grading kernel has no stdin: input()
    and pdb raise IPython's StdinNotImplementedError) or from leaving the debugger (bdb.BdbQuit)."""
    return error is not None and any(k.__name__ in ("StdinNotImplementedError", "BdbQuit") for k in type(error).__mro__)


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


def expect_shape(found, shape: tuple, what: str, on: str = "") -> None:
    """`found` must be an array of exactly `shape` (e.g. `(n_x, 1)`)."""
    arr = as_array(found, what, on=on)
    if arr.shape != tuple(shape):
        raise _fail(_shape_message(what, shape, arr.shape), _on(on))


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
                 hint: str = "", mistakes: dict | None = None, m: int | None = None) -> None:
    """`found` must match `expected` in shape and within `rtol`/`atol` element-wise (NaN matches NaN, inf matches inf).

    `found` and `expected` are arrays of any one shape (e.g. `(n_x, 1)` for sigma) or scalars; `what` names the
    value ("sigma"), `on` the input ("X of shape (2, 5) with a constant feature"). `mistakes` maps a sentence (at
    most 71 characters) to what that mistake computes on the same input, of the shape it would give (an array, a
    scalar); a wrong `found` within the same tolerance of one of them (NaN matching NaN) is reported as
    `Mistake: <sentence>`. Raises ValueError, pass or fail, if a sentence is too long. A wrong `found` that is
    exactly k times (or 1/k of) `expected` everywhere says so; `m`, the number of examples of the input, names that
    factor "a factor of m" when k == m (a 1/m missing or repeated).
    """
    mistakes = _check_sentences(mistakes)
    expected = np.asarray(expected, dtype=float)
    arr = as_array(found, what, on=on)
    if arr.shape == expected.shape:
        ok = np.isclose(arr, expected, rtol=rtol, atol=atol, equal_nan=True)
        if ok.all():
            return
    named = _named_mistake(mistakes, lambda value: _close(arr, value, rtol, atol))
    if named is None and m is not None and arr.shape == expected.shape:
        factor = _uniform_factor(expected, arr)
        sentence = f"{what} is off by exactly a factor of m = {m}: a 1/m missing or taken twice"
        if (f" {m} times" in f" {factor}" or f"1/{m} of" in factor) and len(MISTAKE + sentence) <= FIRST_LINE:
            named = sentence
    if arr.shape != expected.shape:
        first, details = _shape_message(what, expected.shape, arr.shape), [_on(on)]
    else:
        first, details = _value_message(what, expected, arr, ok, on, m=m)
    if named is not None:
        raise _fail(MISTAKE + named, first, *details, mistake=named)
    raise _fail(first, *details, hint=hint)


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
        raise _fail(MISTAKE + named, first, moved, _on(on), mistake=named)
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
def _install_in_ipython() -> None:
    """Let the running IPython (a student's or the grading kernel) show CheckFailed without helpers' frames."""
    tracebacks.show_in_ipython(CheckFailed)


_install_in_ipython()
