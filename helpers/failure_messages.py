"""The text of a failed check (`helpers.checks`): what was expected, what was found, and on what input.

Every message's first line holds the key words and fits in `FIRST_LINE` (80) characters: Validate (JupyterLab,
`nbgrader validate`) cuts lines at about 90, and the feedback and the class report read the first line. The
details follow on later lines: `on: <the input>`, the expected and found values, a hint. A failure that recognises
a known mistake begins with `MISTAKE` and the mistake's sentence, which must fit the first line with it.
"""

from __future__ import annotations

import textwrap

import numpy as np

__all__ = ["FIRST_LINE", "MISTAKE", "describe"]

#: the longest first line of a failure: Validate shows lines of 90 characters, 4 of them indentation
FIRST_LINE = 80
#: how the first line of a failure that recognises a known mistake begins
MISTAKE = "Mistake: "

_NOT_YET = ("{name} is not implemented yet",
            "Replace `raise NotImplementedError()` in its cell with your code, run that cell, then run this test "
            "again.")


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


def _inputs(args: tuple, kwargs: dict) -> str:
    return ", ".join([describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()])


def _shape_message(what: str, shape: tuple, found_shape: tuple) -> str:
    return f"{what} should have shape {tuple(shape)}, but it has shape {found_shape}"


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


def _uniform_factor(expected: np.ndarray, found: np.ndarray) -> str:
    """A detail line when `found` is exactly k times `expected` (or 1/k of it) in every entry, k an integer >= 2;
    else ""."""
    nonzero = expected != 0
    if not nonzero.any() or not np.all(np.isfinite(found)) or np.any(found[~nonzero] != 0):
        return ""
    ratio = found[nonzero] / expected[nonzero]
    r = float(ratio.flat[0])
    if r == 0 or not np.allclose(ratio, r, rtol=1e-6, atol=0):
        return ""
    for k, how in ((r, "{k} times"), (1 / r, "1/{k} of")):
        if 1.5 <= abs(k) <= 1e6 and abs(k - round(k)) <= 1e-6 * abs(k):
            return f"every entry is exactly {how.format(k=int(round(k)))} the expected one"
    return ""


def _value_message(what: str, expected: np.ndarray, found: np.ndarray, ok: np.ndarray, on: str,
                   m: int | None = None):
    """(first line, detail lines) for values of the right shape that differ where `ok` is False; `m` the number
    of examples, to name a factor of exactly m."""
    bad = np.unravel_index(np.argmin(ok), ok.shape) if ok.ndim else ()
    e, f = _pair(expected[bad].item(), found[bad].item())
    at = f" at {tuple(int(i) for i in bad)}" if ok.ndim else ""
    first, moved = _first_fitting((f"{what} is wrong{at}: expected {e}, found {f}", ""),
                                  (f"{what} is wrong: expected {e}, found {f}", f"first wrong entry{at}"),
                                  (f"{what} is wrong", f"expected {e}, found {f}{at}"))
    details = [moved, _on(on)] if ok.ndim == 0 else \
        [moved, _on(on), _show("  expected: ", expected), _show("  found:    ", found)]
    factor = _uniform_factor(expected, found)
    if factor and m is not None and m >= 2 and (f" {m} times" in f" {factor}" or f"1/{m} of" in factor):
        factor += f": a factor of m = {m}, the number of examples (a 1/m missing, or taken twice)"
    if factor:
        details.insert(2, factor)  # after the input, which opens the details

    return first, details
