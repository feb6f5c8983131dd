"""Grade the class: autograde every submission, generate feedback, export grades.csv, print a score table.

    python -m helpers.grading            # grade everything under submitted/
    python -m helpers.grading --demo     # first copy the bundled examples into submitted/
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from .course import assignments, course_root, nbgrader


def copy_examples(root: Path) -> list[Path]:
    """Copy examples/submitted/<student>/<assignment>/ into submitted/, replacing earlier copies."""
    copied = []
    for folder in sorted((root / "examples" / "submitted").glob("*/*")):
        target = root / "submitted" / folder.parent.name / folder.name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target)
        copied.append(target)
    return copied


def submitted_assignments(root: Path) -> list[str]:
    """Assignments, in course order, that have at least one submission."""
    return [a for a in assignments(root) if any((root / "submitted").glob(f"*/{a}"))]


def grade_all(root: Path, only: list[str] | None = None) -> list[str]:
    """Autograde and generate feedback for every submission of every assignment; then export grades.csv."""
    done = []
    for a in submitted_assignments(root):
        if only and a not in only:
            continue
        nbgrader("autograde", a, "--force", "--log-level=WARN", root=root)
        nbgrader("generate_feedback", a, "--force", "--log-level=WARN", root=root)
        done.append(a)
    nbgrader("export", "--to=grades.csv", "--log-level=WARN", root=root)
    return done


def score_table(root: Path) -> str:
    """Students by assignment with their scores, from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    lines = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        names = [a.name for a in gb.assignments if a.name in assignments(root)]
        width = max([len(s.id) for s in gb.students] + [7])
        lines.append("student".ljust(width) + "".join(f"  {a:>24}" for a in names))
        for student in sorted(gb.students, key=lambda s: s.id):
            row = student.id.ljust(width)
            for a in names:
                try:
                    sub = gb.find_submission(a, student.id)
                    cell = f"{sub.score:g} / {sub.max_score:g}"
                    if sub.needs_manual_grade:
                        cell += " *"
                except MissingEntry:
                    cell = "-"
                row += f"  {cell:>24}"
            lines.append(row)
    lines.append("* written answers still to grade by hand in the formgrader")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", action="store_true", help="copy the bundled example submissions first")
    parser.add_argument("--assignments", nargs="*", help="grade only these assignment ids")
    args = parser.parse_args(argv)
    root = course_root()
    if args.demo:
        copied = copy_examples(root)
        print(f"copied {len(copied)} example submissions into submitted/")
    graded = grade_all(root, args.assignments)
    print(f"graded {', '.join(graded) or 'nothing'}; wrote feedback/ and grades.csv\n")
    print(score_table(root))


if __name__ == "__main__":
    main()
