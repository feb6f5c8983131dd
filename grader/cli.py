"""`course`: the instructor's command line (the Makefile's targets call it).

    course grade [--force] [--jobs N | --scheduler tcp://host:8786] [--assignments A ...] [--students S ...]
    course demo                   # grade the bundled example submissions (make demo)
    course feedback               # write every graded submission's feedback again (after grading by hand)
    course scores                 # the score table, from the gradebook
    course export --format canvas|moodle [--output FILE] [--ids FILE]  # grades for the LMS's gradebook import
    course release                # regenerate release/ from source/ (make release)
    course examples               # regenerate examples/submitted/ (make examples)
    course bench [--students N]   # sequential nbgrader against course grade (make bench)
    course roster ROSTER.csv      # (root) accounts, course folder and exchange of the course's hub (hub/README.md)
    course hub-bench [--students N]  # (root) the hub's release-to-feedback cycle with N temporary students
    course policy [A --feedback on-submit --attempts 3 --due 2026-12-14T23:59Z ...]  # the live course's policies
    course extend A STUDENT --hours H  # a student's extension on an assignment

Run it in the course folder (or below it). The gradebook is the one nbgrader_config.py names: SQLite by
default, the database of NBGRADER_DB_URL when set.
"""

from __future__ import annotations

import argparse
import os
import subprocess
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


def _grading_options(parser: argparse.ArgumentParser) -> None:
    _cluster_options(parser)
    parser.add_argument("--force", action="store_true", help="regrade submissions already graded")
    parser.add_argument("--no-report", dest="report", action="store_false", help="skip the figures and report.html")
    parser.add_argument("--no-feedback", dest="feedback", action="store_false", help="skip writing feedback")


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


def _module_command(path: str):
    """The `run` of a subcommand that lives with its part (`grader.tools.bench`, ...), imported when it runs."""
    def run(args) -> int:
        import importlib

        return importlib.import_module(path, __package__).run(args)
    return run


def _module_options(path: str, name: str = "add_arguments"):
    def add_arguments(parser) -> None:
        import importlib

        getattr(importlib.import_module(path, __package__), name)(parser)
    return add_arguments


def _extend(args) -> int:
    from .live.commands import extend

    return extend(args)


#: every subcommand: name -> (help, adds its options to a parser, runs it with the parsed arguments)
COMMANDS = {
    "grade": ("grade every new submission under submitted/", _grading_options, grade),
    "demo": ("copy the bundled example submissions into submitted/ and grade them", _grading_options, grade),
    "feedback": ("write every graded submission's feedback again, from the gradebook", _cluster_options, feedback),
    "scores": ("print the score table", None, scores),
    "export": ("write the grades, late penalties applied, as the CSV Canvas's or Moodle's gradebook import reads",
               _module_options(".classrun.lms"), _module_command(".classrun.lms")),
    "release": ("regenerate release/ from source/", None, release),
    "examples": ("regenerate examples/submitted/ from examples/students.json", None, examples),
    "bench": ("sequential nbgrader against course grade on a synthetic class", _module_options(".tools.bench"),
              _module_command(".tools.bench")),
    "roster": ("(root) the accounts, course folder and exchange of the course's JupyterHub",
               _module_options(".hub.roster"), _module_command(".hub.roster")),
    "policy": ("show or set an assignment's policy: feedback on submit, attempts, due date, late penalty",
               _module_options(".live.commands"), _module_command(".live.commands")),
    "extend": ("give a student more time on an assignment", _module_options(".live.commands", "extend_arguments"),
               _extend),
    "hub-bench": ("(root) time the hub's release-to-feedback cycle with temporary students",
                  _module_options(".tools.hubbench"), _module_command(".tools.hubbench")),
}


def parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The `course` command's parser; only the `chosen` subcommand gets its options (adding them may import its
    module, which the others need not pay for)."""
    top = argparse.ArgumentParser(prog="course", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True, metavar="command")
    for name, (text, add_arguments, run) in COMMANDS.items():
        p = sub.add_parser(name, help=text, description=text)
        if add_arguments is not None and name == chosen:
            add_arguments(p)
        p.set_defaults(run=run)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser(argv[0] if argv else None).parse_args(argv)
    try:
        return args.run(args)
    except (OSError, TimeoutError, ValueError, RuntimeError, subprocess.CalledProcessError) as error:
        print(f"course {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
