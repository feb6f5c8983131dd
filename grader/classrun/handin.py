"""What a submission folder holds of the student's own: regular files, read without following links, and notebooks
as other tools save them.

- `display_name(name) -> str`: a file or folder name as text that survives UTF-8 (a Latin-1 `j\\xfcrgen` from a zip
  export reads back as the literal text `j\\xfcrgen`); `round_trips(name)` says whether it is valid UTF-8 as it is.
- `own_files(folder, ignore) -> (paths, warnings)`: the regular files under `folder` (relative paths), never
  following a symbolic link (in `submitted/` a link can point at the instructor's source or a classmate's work);
  links, dangling or not, Python environments (`.venv`, `venv/`: any folder with a `pyvenv.cfg`), files whose name
  is not UTF-8 and anything that is not a regular file (a FIFO would block a read) are left out, each kind named
  once in a warning.
- `notebook_bytes(data) -> bytes`: a notebook file's bytes as nbformat reads them (a byte-order mark removed, UTF-16
  turned into UTF-8; CRLF line ends are JSON white space and stay); raises ValueError saying in words why it is not
  a notebook: "empty file", "not JSON at line 3: ...", "an HTML page, not a notebook", "JSON, but not a notebook".
"""

from __future__ import annotations

import codecs
import json
import os
import stat
from pathlib import Path

#: At most this many names in one warning or message; the rest are counted.
SHOWN = 6


def display_name(name: str) -> str:
    """`name` (as os.listdir gives it, undecodable bytes as surrogates) as text valid in UTF-8: unchanged when it
    is valid UTF-8, else with each undecodable byte written as `\\xNN`."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def round_trips(name: str) -> bool:
    """Whether `name` is valid UTF-8 as it is, so that it can be a student id, a gradebook entry, a CSV cell."""
    return display_name(name) == name


def name_list(items: list[str]) -> str:
    """At most SHOWN names, comma-separated, then how many more."""
    shown = ", ".join(display_name(n) for n in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _ignored(name: str, ignore: list[str]) -> bool:
    from nbgrader.utils import is_ignored

    return is_ignored(name, ignore)


def own_files(folder: Path, ignore: list[str] = ()) -> tuple[list[str], list[str]]:
    """(relative paths of the regular files under `folder`, warnings about what was left out), sorted; names
    matching nbgrader's `CourseDirectory.ignore` globs are left out silently. Never follows a symbolic link."""
    files: list[str] = []
    left: dict[str, list[str]] = {"links": [], "envs": [], "names": [], "odd": [], "unreadable": []}

    def failed(error: OSError) -> None:
        left["unreadable"].append(os.path.relpath(error.filename or "?", folder))

    for top, dirs, found in os.walk(folder, onerror=failed):  # os.walk never descends into a linked folder
        rel_top = os.path.relpath(top, folder)
        for d in list(dirs):
            rel = os.path.normpath(os.path.join(rel_top, d))
            if os.path.islink(os.path.join(top, d)):
                left["links"].append(rel)
            elif os.path.isfile(os.path.join(top, d, "pyvenv.cfg")):
                left["envs"].append(rel)
            elif _ignored(d, ignore):
                pass
            elif not round_trips(d):
                left["names"].append(rel)
            else:
                continue
            dirs.remove(d)
        for name in found:
            rel = os.path.normpath(os.path.join(rel_top, name))
            try:
                mode = os.lstat(os.path.join(top, name)).st_mode
            except OSError:
                left["unreadable"].append(rel)
                continue
            if stat.S_ISLNK(mode):
                left["links"].append(rel)
            elif _ignored(name, ignore):
                continue
            elif not stat.S_ISREG(mode):
                left["odd"].append(rel)
            elif not round_trips(name):
                left["names"].append(rel)
            else:
                files.append(rel)
    said = {"links": "symbolic link(s), not the student's own files: {} (not followed)",
            "envs": "Python environment(s), not graded: {}",
            "names": "file name(s) that are not valid UTF-8: {}",
            "odd": "not regular file(s): {}",
            "unreadable": "unreadable: {}"}
    warnings = [f"left out {said[k].format(name_list(sorted(v)))}" for k, v in left.items() if v]
    return sorted(files), warnings


def notebook_bytes(data: bytes) -> bytes:
    """`data`, a notebook file's bytes, as nbformat reads them: UTF-8 without a byte-order mark. Raises ValueError
    with the reason when it is not a notebook."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16").encode("utf-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        raise ValueError("empty file" + (f" ({len(data)} bytes of blank space)" if data else " (0 bytes)"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not a notebook: not UTF-8 text (byte {error.start} is {data[error.start]:#04x})") from None
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head:
        raise ValueError("an HTML page, not a notebook (a page saved from the browser? download the notebook "
                         "with File > Download)")
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as error:
        # the decoder stops where the text ends, or reports a string that the end of the text left open
        ends = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string")
        raise ValueError(f"not JSON at line {error.lineno}: {error.msg}"
                         + (" (the file ends early: truncated?)" if ends else "")) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", nb.get("worksheets")), list):
        raise ValueError("JSON, but not a notebook (it has no list of cells)")
    return data
