"""`course`: the instructor's command line (the Makefile's targets call it).

    course grade [--force] [--jobs N | --scheduler tcp://host:8786] [--assignments A ...] [--students S ...]
    course demo                   # grade the bundled example submissions (make demo)
    course feedback               # write every graded submission's feedback again (after grading by hand)
    course scores                 # the score table, from the gradebook
    course release                # regenerate release/ from source/ (make release)
    course examples               # regenerate examples/submitted/ (make examples)
    course bench [--students N]   # sequential nbgrader against course grade (make bench)
    course roster ROSTER.csv      # (root) accounts, course folder and exchange of the course's hub (hub/README.md)
    course hub-bench [--students N]  # (root) the hub's release-to-feedback cycle with N temporary students

Run it in the course folder (or below it). The gradebook is the one nbgrader_config.py names: SQLite by
default, the database of NBGRADER_DB_URL when set.
"""

from __future__ import annotations

import argparse
import os
import sys

from .course import Course


def _cluster_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, default=None,
                        help="worker processes of the embedded cluster (default: one per core)")
    parser.add_argument("--scheduler", default=os.environ.get("SCHEDULER") or None,
                        help="grade on an existing Dask cluster, e.g. tcp://host:8786 (default: $SCHEDULER, else "
                             "an embedded cluster on this machine)")
    parser.add_argument("--assignments", nargs="*", help="only these assignment ids")
    parser.add_argument("--students", nargs="*", help="only these student ids")


def _print_run(course: Course, run: dict) -> None:
    from .classrun.scores import score_table

    secs = run["seconds"]
    print(f"graded {run['graded']} submission(s) of {', '.join(run['assignments']) or 'nothing'} with "
          f"{run['jobs']} worker(s) in {secs['total']:.1f} s (autograde and feedback {secs.get('autograde', 0):.1f} s)"
          "; wrote autograded/, feedback/ and grades.csv\n")
    if run.get("summary"):
        print(run["summary"] + "\n")
    print(score_table(course))
    if run["warnings"]:
        print(f"\n{len(run['warnings'])} warning(s) in this run:\n  " + "\n  ".join(run["warnings"]))
    if run["errors"]:
        print(f"\n{len(run['errors'])} problem(s) in this run:\n  "
              + "\n  ".join(e.splitlines()[0] for e in run["errors"]))


def grade(args) -> int:
    from .classrun.run import grade_class

    course = Course.find()
    if args.command == "demo":
        from .tools.demo import copy_examples, forget_examples

        forget_examples(course)
        print(f"copied {len(copy_examples(course))} example submissions into submitted/")
    run = grade_class(course, args.jobs, args.assignments, args.students, args.force or args.command == "demo",
                      args.report, args.scheduler, write_feedback=args.feedback)
    _print_run(course, run)
    return 0


def feedback(args) -> int:
    from .classrun.run import regenerate_feedback

    run = regenerate_feedback(Course.find(), args.assignments, args.students, args.scheduler, args.jobs)
    print(f"wrote the feedback of {run['graded']} submission(s) with {run['jobs']} worker(s)")
    for e in run["errors"]:
        print(f"  {e}")
    return 1 if run["errors"] else 0


def scores(args) -> int:
    from .classrun.scores import score_table

    print(score_table(Course.find()))
    return 0


def release(args) -> int:
    from .release import generate_release

    print("generated", *generate_release(Course.find()))
    return 0


def examples(args) -> int:
    from .tools.scenarios import write_examples

    for path in write_examples():
        print(path)
    return 0


def bench(argv: list[str]) -> int:
    from .tools.bench import main as bench_main

    return bench_main(argv)


def _own_options(command: str, argv: list[str]) -> int:
    """`course roster` and `course hub-bench`, which parse their own options (`course roster --help`)."""
    import importlib
    import subprocess

    module = importlib.import_module({"roster": ".roster", "hub-bench": ".hubbench"}[command],
                                     __package__)
    try:
        return module.main(argv)
    except (OSError, ValueError, RuntimeError, subprocess.CalledProcessError) as error:
        print(f"course {command}: {error}", file=sys.stderr)
        return 1


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="course", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True, metavar="command")
    for name, text in (("grade", "grade every new submission under submitted/"),
                       ("demo", "copy the bundled example submissions into submitted/ and grade them")):
        p = sub.add_parser(name, help=text, description=text)
        _cluster_options(p)
        p.add_argument("--force", action="store_true", help="regrade submissions already graded")
        p.add_argument("--no-report", dest="report", action="store_false", help="skip the figures and report.html")
        p.add_argument("--no-feedback", dest="feedback", action="store_false", help="skip writing feedback")
        p.set_defaults(run=grade)
    p = sub.add_parser("feedback", help="write every graded submission's feedback again, from the gradebook")
    _cluster_options(p)
    p.set_defaults(run=feedback)
    for name, fn, text in (("scores", scores, "print the score table"),
                           ("release", release, "regenerate release/ from source/"),
                           ("examples", examples, "regenerate examples/submitted/ from examples/students.json")):
        sub.add_parser(name, help=text, description=text).set_defaults(run=fn)
    # its own options (course bench --help) are parsed by grader.tools.bench
    sub.add_parser("bench", help="sequential nbgrader against course grade on a synthetic class", add_help=False)
    sub.add_parser("roster", help="(root) the accounts, course folder and exchange of the course's JupyterHub",
                   add_help=False)
    sub.add_parser("hub-bench", help="(root) time the hub's release-to-feedback cycle with temporary students",
                   add_help=False)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        return bench(argv[1:])
    if argv[:1] in (["roster"], ["hub-bench"]):
        return _own_options(argv[0], argv[1:])
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (OSError, TimeoutError, ValueError, RuntimeError) as error:
        print(f"course {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
