"""The demo class: the bundled example submissions (examples/submitted/) copied into submitted/ for grading."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_examples(course) -> list[Path]:
    """Copy examples/submitted/<student>/<assignment>/ into the course's submitted folders, replacing earlier
    copies; returns the folders written."""
    copied = []
    for folder in sorted((course.root / "examples" / "submitted").glob("*/*")):
        target = course.folder("submitted", folder.parent.name, folder.name)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target)
        copied.append(target)
    return copied


def forget_examples(course) -> None:
    """Remove the example students' submissions from the gradebook, so that the demo always starts afresh
    (nbgrader refuses to update an assignment's cells while it has submissions)."""
    from nbgrader.api import MissingEntry

    from .scenarios import example_plan

    with course.gradebook() as gb:
        for student, per in example_plan(course.root).items():
            for a in per:
                try:
                    gb.remove_submission(a, student)
                except MissingEntry:
                    pass
