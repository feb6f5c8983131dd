"""Does `make test`'s `pytest -n N --dist loadgroup` keep every xdist_group on one worker?

The suite relies on it: a catalogue, a hostile class or the hub is built once per group and shared by its tests.
When grouping silently stops (pytest 9.2 with pytest-xdist 3.8, pytest-dev/pytest-xdist#1386), nothing fails,
but every shared class is graded once per worker and `make test` takes minutes longer."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap


def test_loadgroup_sends_a_group_to_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.parametrize("i", [pytest.param(i, marks=pytest.mark.xdist_group("shared")) for i in range(6)])
        def test_in_group(i):
            pass

        @pytest.mark.xdist_group("shared")
        def test_marked_directly():
            pass
    """))
    run = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p",
                          "no:cacheprovider", "-o", "addopts=", str(tmp_path / "test_grouped.py")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    workers = {m.group(2): m.group(1) for m in re.finditer(r"\[(gw\d+)\].*PASSED (\S+)", run.stdout)}
    assert len(workers) == 7, f"expected 7 tests to pass, found {sorted(workers)}:\n{run.stdout[-3000:]}"
    assert len(set(workers.values())) == 1, (
        f"the tests of one xdist_group ran on several workers: {workers} (is pytest newer than pytest-xdist "
        f"supports? see requirements.txt)")
