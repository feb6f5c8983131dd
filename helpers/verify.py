"""Re-run a notebook's trusted cells in a clean process, the student's functions replayed from the transcript.

    python -m helpers.verify < job.json > results.json

job: {"cells": [{"kind": "setup" | "test", "grade_id": str, "source": str}, ...],
      "names": [the names the solution cells define], "transcripts": {grade_id: [records]}}
results: {grade_id: {"passed": bool, "ename": str, "evalue": str}} for every test cell.

Only code from the gradebook runs here (locked set-up cells and test cells); the student's code never does.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")


def _python(source: str) -> str:
    """The cell without IPython magics and shell escapes, which mean nothing outside a kernel."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def run(job: dict) -> dict:
    from helpers.transcript import Replay

    namespace: dict = {"__name__": "__main__"}
    results = {}
    sink = io.StringIO()
    for cell in job["cells"]:
        source = _python(cell["source"])
        gid = cell["grade_id"]
        if cell["kind"] == "test":
            records = job["transcripts"].get(gid, [])
            for name in job["names"]:
                namespace[name] = Replay(name, records)
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                exec(compile(source, f"<{gid}>", "exec"), namespace)
        except BaseException as error:  # noqa: BLE001 - a test's failure, whatever it is, is a result
            if cell["kind"] == "test":
                results[gid] = {"passed": False, "ename": type(error).__name__, "evalue": str(error)[:4000]}
            continue
        finally:
            sink.seek(0)
            sink.truncate()
        if cell["kind"] == "test":
            results[gid] = {"passed": True, "ename": "", "evalue": ""}
    return results


def main() -> None:
    job = json.load(sys.stdin)
    results = run(job)
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
