"""How IPython shows a failed check (`helpers.checks.CheckFailed`): a traceback that stops at the student's code.

The error output stays the usual one (ename CheckFailed, the full message as evalue), which nbgrader scores the
cell by; only the frames of files of the `helpers` package are left out of the traceback, for the check's own
exception and for the exceptions it was raised from (the student's crash, for `call`).
"""

from __future__ import annotations

import os
import sys
import types

__all__ = ["show_in_ipython"]

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


def show_in_ipython(error: type[BaseException]) -> None:
    """Let the running IPython (a student's or the grading kernel) show `error` with `_show_check_failed`; outside
    IPython, nothing."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is not None and hasattr(shell, "set_custom_exc"):
        shell.set_custom_exc((error,), _show_check_failed)
