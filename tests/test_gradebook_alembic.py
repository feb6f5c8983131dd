"""New gradebooks are stamped in-process with the same alembic revision nbgrader's `alembic heads` subprocess gives,
and a gradebook so stamped is one nbgrader's own commands accept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import make_course
from grader.course import nbgrader

pytestmark = pytest.mark.slow


def test_the_in_process_revision_is_the_one_alembic_heads_prints():
    from nbgrader.dbutil import _temp_alembic_ini

    from grader.plugins.patches import alembic_head

    alembic = Path(sys.executable).parent / "alembic"
    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:  # what nbgrader 0.9.6 runs
        printed = subprocess.check_output([str(alembic), "-c", ini, "heads"], text=True)
    expected = printed.split("\n")[0].split(" ")[0]
    assert alembic_head() == expected, f"in-process head {alembic_head()!r}, `alembic heads` says {expected!r}"


def test_a_course_with_a_fresh_gradebook_passes_nbgraders_revision_check(tmp_path):
    """`nbgrader db upgrade` runs alembic's migrations from the stamped revision: an unknown one fails."""
    course = make_course(tmp_path / "course", ["01_normalization"])  # a new gradebook, stamped through grader.plugins.patches
    proc = nbgrader("db", "upgrade", root=course, check=False)
    assert proc.returncode == 0, f"nbgrader db upgrade refused the stamped gradebook:\n{proc.stderr[-2000:]}"
