"""`course policy` and `course extend`: the instructor shows and sets the live course's policy per assignment.

    course policy                                    # every assignment's policy and due date
    course policy 02_vanishing_exploding --feedback on-submit --show tests --attempts 3 --attempts-per-day none \
        --due 2026-12-14T23:59:00+01:00 --late-per-day 0.1 --late-max 0.5
    course extend 02_vanishing_exploding ada --hours 48    # ada's due date 48 hours later (--hours 0 removes it)

The policy goes to policies.toml in the course folder (`grader.policy`); the due date to the gradebook (nbgrader's
`Assignment.duedate`, which the formgrader shows); an extension to policies.toml and, once the student has a
submission, to the gradebook's `SubmittedAssignment.extension`. The grading service reads both as they change.
"""

from __future__ import annotations

from ..course import Course
from ..policy import mirror_extension, parse_due, policy_rows


def _count(text: str) -> int | None:
    return None if text.lower() in ("none", "null", "unlimited") else int(text)


def _fraction(text: str) -> float | None:
    return None if text.lower() in ("none", "null") else float(text)


def add_arguments(parser) -> None:
    parser.add_argument("assignment", nargs="?", help="the assignment to set (none: show every assignment's policy)")
    parser.add_argument("--feedback", choices=("on-submit", "after-due-date", "manual"),
                        help="when feedback goes out by itself (manual: only when the instructor releases it)")
    parser.add_argument("--show", choices=("tests", "score"),
                        help="what a student sees on submit before the due date: each test's score and named "
                             "mistake, or the score alone")
    parser.add_argument("--attempts", type=_count, default=False, help="graded attempts in total (none: unlimited)")
    parser.add_argument("--attempts-per-day", type=_count, default=False,
                        help="graded attempts per UTC day (none: unlimited)")
    parser.add_argument("--due", help="due date, ISO 8601 (UTC when no zone is given; none: no due date)")
    parser.add_argument("--late-per-day", type=_fraction, default=False,
                        help="fraction of the score taken per day (or part of one) late, e.g. 0.1 (none: no penalty)")
    parser.add_argument("--late-max", type=_fraction, default=False, help="at most this fraction, e.g. 0.5")


def run(args) -> int:
    course = Course.find()
    policies = course.policies
    if args.assignment:
        if args.assignment not in course.assignments:
            raise ValueError(f"no assignment {args.assignment!r} in this course ({', '.join(course.assignments)})")
        changes = {name: getattr(args, name) for name in ("feedback", "show") if getattr(args, name)}
        changes.update({name: getattr(args, name) for name in ("attempts", "attempts_per_day", "late_per_day",
                                                               "late_max") if getattr(args, name) is not False})
        if changes:
            policies.set(args.assignment, **changes)
            print(f"wrote {policies.save()}")
        if args.due is not None:
            due = parse_due(args.due)
            with course.gradebook() as gb:
                gb.update_or_create_assignment(args.assignment, duedate=due)
            print(f"due date of {args.assignment} in the gradebook: {due.isoformat() + 'Z' if due else 'none'}")
    with course.gradebook() as gb:
        rows = policy_rows(gb, policies, course.assignments)
    print("\n".join(rows))
    return 0


def extend_arguments(parser) -> None:
    parser.add_argument("assignment")
    parser.add_argument("student")
    parser.add_argument("--hours", type=float, required=True, help="hours added to the due date (0 removes it)")


def extend(args) -> int:
    course = Course.find()
    policies = course.policies
    if args.assignment not in course.assignments:
        raise ValueError(f"no assignment {args.assignment!r} in this course ({', '.join(course.assignments)})")
    extensions = dict(policies[args.assignment].extensions)
    if args.hours:
        extensions[args.student] = args.hours
    else:
        extensions.pop(args.student, None)
    policies.set(args.assignment, extensions=extensions)
    policies.save()
    with course.gradebook() as gb:
        mirror_extension(gb, policies, args.assignment, args.student)
    print(f"{args.student}'s extension on {args.assignment}: "
          f"{f'{args.hours:g} hours' if args.hours else 'none'} (policies.toml and the gradebook)")
    return 0
