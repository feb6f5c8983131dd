"""`course roster ROSTER.csv ...`: the accounts, each instructor's course folder and the exchange of the hub's courses.

    sudo make roster HUB_ROSTER=roster.csv           (from the hub's environment; ROSTER_ARGS=--dry-run)
    sudo make roster HUB_ROSTER="roster.csv ml-basics=ml.csv"      (two courses on one hub)
    sudo course roster roster.csv [ml-basics=ml.csv ...] [--exchange /srv/nbgrader/exchange] [--passwords FILE] [--dry-run]

Needs root. Reads the rosters (one per course, `[course-id=]path`, a bare path the course optimization-setup; each
`id,role` and, optionally, `first_name,last_name`: see grader/hub/site.py), then, course by course, prints every
change it is about to make and makes them; what is already in place is left as it is, so a second run changes
nothing (with --dry-run each course is planned as if the courses before it were not set up yet). For each course it

- creates the missing Unix accounts (`useradd --create-home --user-group`, home 0700), each with a random
  password appended to a root-only file (0600) that it names; existing accounts keep theirs, and a home readable
  by others is made private;
- puts the instructor in each student's own group, so released feedback can be readable by its student alone
  (grader/hub/exchange.py); graders get an account and nothing else (no group, no right on the course folder or the
  exchange): they grade in the course's shared formgrader, which runs as the instructor (grader/hub/formgrader.py);
- sets up the instructor's course folder ~/<course id> (nbgrader_config.py, source/, release/ copied from this
  repository; for a course other than optimization-setup, its nbgrader_config.py then sets its course id), owned
  by the instructor, mode 0700;
- creates the exchange root (root's, 0755: no user may write there, fill it or take a future course's name; the
  course's exchange classes, grader/hub/exchange.py, check the course's folder instead of nbgrader's 0777 root) and
  the course's folders in it, owned by the instructor as nbgrader requires: the course's own folder
  `<exchange>/<course id>` 0750 with the course's group (`nbgrader-<course id>`, or `--course-group` for the first
  roster's course, created if missing, every member of the roster added to it), so an account that is not in the course cannot list, fetch or submit to it; in it `outbound` 0755,
  `inbound` 3733 (write-only for students, set-gid as nbgrader makes it, and sticky so no student can rename or
  delete another's submission), `feedback` 0711;
- records the assignments and the students in the gradebook with nbgrader's Gradebook API, run as the instructor
  from the hub's environment, so the gradebook belongs to them (or NBGRADER_DB_URL's database when set).
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from .site import (COURSE_ID, CourseRoster, HubSite, Member, parse_roster_spec, private_group, read_rosters,
                   refuse_shared_database)

#: exchange folders nbgrader's release makes, with the modes this course keeps (see the module docstring); the
#: course's own folder ("") has the course's group, the others the instructor's
EXCHANGE_FOLDERS = {"": 0o750, "outbound": 0o755, "inbound": 0o3733, "feedback": 0o711}
EXCHANGE_ROOT_MODE = 0o755
#: what the instructor's course folder starts from
COURSE_FILES = ("nbgrader_config.py", "source", "release")


def default_passwords_file() -> Path:
    return Path(pwd.getpwuid(0).pw_dir) / f"{COURSE_ID}-passwords.csv"


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def plan(course: CourseRoster, site: HubSite, source: Path, passwords: Path) -> list[tuple[str, object]]:
    """(what will be done, a function doing it) for everything of `course` not yet in place, in order;
    `course.group` is the Unix group of the course's members, which alone may enter the course's folder of the
    exchange.

    Raises ValueError when an existing account cannot be part of the course as it is (a student or the instructor
    without a group of their own)."""
    members, course_group = list(course.members), course.group
    instructor = course.instructor
    student_rows = [m for m in members if m.role == "student"]
    students = [m.id for m in student_rows]
    steps: list[tuple[str, object]] = []
    new = [m for m in members if not _exists(m.id)]
    for m in members:
        if m not in new and private_group(m.id) is None:
            raise ValueError(f"{m.id}'s primary group is shared with other accounts; the course releases feedback "
                             f"to a student's own group, and submissions to the instructor's: give {m.id} one")
    if new:
        steps.append((f"create {len(new)} account(s): {', '.join(f'{m.id} ({m.role})' for m in new)}; home 0700, "
                      f"a random password each, appended to {passwords} (root only)",
                      lambda: create_accounts([m.id for m in new], passwords)))
    for m in members:
        if m not in new and _mode(Path(pwd.getpwnam(m.id).pw_dir)) & 0o077:
            home = Path(pwd.getpwnam(m.id).pw_dir)
            steps.append((f"make {m.id}'s home {home} private ({oct(_mode(home))} -> 0o700)",
                          lambda home=home: home.chmod(0o700)))
    known = {m.id for m in members if m not in new}
    missing_groups = [s for s in students if s not in known or instructor not in known or not _in_group(instructor, s)]
    if missing_groups:
        steps.append((f"add {instructor} to the own group of {len(missing_groups)} student(s) (private feedback)",
                      lambda: subprocess.run(["usermod", "--append", "--groups", ",".join(missing_groups),
                                              instructor], check=True)))
    if not _group_exists(course_group):
        steps.append((f"create the course's group {course_group}", lambda: subprocess.run(
            ["groupadd", course_group], check=True, capture_output=True, text=True)))
    outside = [m.id for m in members if m.id not in known or not _member_of(m.id, course_group)]
    if outside:
        steps.append((f"add {len(outside)} member(s) to the course's group {course_group} (the course's folder of the "
                      f"exchange is theirs alone)", lambda: add_to_group(outside, course_group)))
    home = pwd.getpwnam(instructor).pw_dir if instructor in known else f"/home/{instructor}"  # useradd's default
    root = Path(home) / course.folder_name
    if not root.exists():
        steps.append((f"create the course folder {root} ({', '.join(COURSE_FILES)} from {source}), owned by "
                      f"{instructor}, mode 0700", lambda: copy_course(source, instructor, course.id)))
    elif root.owner() != instructor or _mode(root) != 0o700:
        steps.append((f"give the course folder {root} to {instructor}, mode 0700 (contents left as they are)",
                      lambda: _own(root, instructor, 0o700)))
    exchange = exchange_changes(site, instructor if instructor in known else None, course)
    if exchange:
        steps.append((f"set up the exchange {site.exchange}: " + "; ".join(exchange),
                      lambda: set_up_exchange(site, instructor, course)))
    steps.append((f"record the assignments and {len(students)} student(s) in the gradebook, as {instructor} "
                  f"({'NBGRADER_DB_URL' if os.environ.get('NBGRADER_DB_URL') else 'gradebook.db in ' + str(root)})",
                  lambda: record_as_instructor(site, instructor, student_rows, course.id)))
    return steps


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _member_of(user: str, group: str) -> bool:
    """Whether `user` is in `group` (a supplementary member or by their primary group); False for a missing group."""
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        return False
    return gid in os.getgrouplist(user, pwd.getpwnam(user).pw_gid)


def add_to_group(names: list[str], group: str) -> None:
    """usermod --append each of `names` to `group` (their other groups kept)."""
    for name in names:
        subprocess.run(["usermod", "--append", "--groups", group, name], check=True)


def _in_group(user: str, owner: str) -> bool:
    gid = pwd.getpwnam(owner).pw_gid
    return gid in os.getgrouplist(user, pwd.getpwnam(user).pw_gid)


def create_accounts(names: list[str], passwords: Path) -> None:
    """useradd each of `names` with a home of its own (0700) and a group of its own, and a random password,
    appended as `id,password` to `passwords` (created 0600, root's)."""
    fd = os.open(passwords, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "a") as out:
        for name in names:
            subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name],
                           check=True, capture_output=True, text=True)
            Path(pwd.getpwnam(name).pw_dir).chmod(0o700)
            password = secrets.token_urlsafe(12)
            subprocess.run(["chpasswd"], input=f"{name}:{password}\n", check=True, capture_output=True, text=True)
            out.write(f"{name},{password}\n")
            out.flush()


def remove_accounts(names: list[str]) -> list[str]:
    """userdel -r each of `names` (home and all) and its group; returns what could not be removed (the tests and
    the bench clean up with it; a course never needs it)."""
    import grp

    problems = []
    for name in names:
        if not _exists(name):
            continue
        done = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
        if done.returncode == 8:  # a process of the user is still running: remove the account anyway
            done = subprocess.run(["userdel", "--remove", "--force", name], capture_output=True, text=True)
        if done.returncode not in (0, 12) or _exists(name):
            problems.append(f"userdel {name}: {done.stderr.strip()}")
    for name in names:
        try:
            grp.getgrnam(name)
        except KeyError:
            continue
        subprocess.run(["groupdel", name], capture_output=True, text=True)
    return problems


def _own(path: Path, user: str, mode: int | None = None, recursive: bool = False) -> None:
    entry = pwd.getpwnam(user)
    for p in [path, *(path.rglob("*") if recursive else [])]:
        os.chown(p, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    if mode is not None:
        path.chmod(mode)


def copy_course(source: Path, instructor: str, course_id: str = COURSE_ID) -> Path:
    """The instructor's course folder `~/<course_id>`, from `source` (this repository): its COURSE_FILES, owned by
    them, 0700. For a course other than the repository's own (`COURSE_ID`), its nbgrader_config.py ends by setting
    that course id: nbgrader, the formgrader, `course grade` and the grading service all read it there."""
    root = Path(pwd.getpwnam(instructor).pw_dir) / course_id
    root.mkdir(mode=0o700)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for name in COURSE_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, root / name, ignore=ignore)
        else:
            shutil.copy2(source / name, root / name)
    if course_id != COURSE_ID:
        with open(root / "nbgrader_config.py", "a") as config:
            config.write(f"\n# This folder's course on the hub (set by `course roster`).\n"
                         f"c.CourseDirectory.course_id = {course_id!r}\n")
    _own(root, instructor, 0o700, recursive=True)
    return root


def exchange_changes(site: HubSite, instructor: str | None, course: CourseRoster) -> list[str]:
    """What `set_up_exchange` would change, in words (empty when all is in place)."""
    changes, course_group = [], course.group
    if not site.exchange.is_dir():
        changes.append(f"create {site.exchange} ({oct(EXCHANGE_ROOT_MODE)})")
    elif _mode(site.exchange) != EXCHANGE_ROOT_MODE or site.exchange.stat().st_uid != 0:
        changes.append(f"{site.exchange} root's, {oct(EXCHANGE_ROOT_MODE)}")
    for name, mode in EXCHANGE_FOLDERS.items():
        path = site.exchange_of(course.id) / name
        if not path.is_dir():
            changes.append(f"create {path} ({oct(mode)})")
        elif instructor is None or path.owner() != instructor or _mode(path) != mode or (
                name == "" and (not _group_exists(course_group) or path.stat().st_gid != grp.getgrnam(
                    course_group).gr_gid)):
            changes.append(f"{path} {instructor}'s, {oct(mode)}" + (f", group {course_group}" if name == "" else ""))
    return changes


def set_up_exchange(site: HubSite, instructor: str, course: CourseRoster) -> None:
    """The exchange root (root's, 0755) and the course's folders in it (the instructor's, EXCHANGE_FOLDERS; the
    course's own folder with the course's group)."""
    course_group = course.group
    site.exchange.parent.mkdir(parents=True, exist_ok=True)
    site.exchange.mkdir(exist_ok=True)
    os.chown(site.exchange, 0, 0)
    site.exchange.chmod(EXCHANGE_ROOT_MODE)
    for name, mode in EXCHANGE_FOLDERS.items():
        path = site.exchange_of(course.id) / name
        path.mkdir(exist_ok=True)
        _own(path, instructor, mode)
        if name == "":
            os.chown(path, -1, grp.getgrnam(course_group).gr_gid)
            path.chmod(mode)


def record_as_instructor(site: HubSite, instructor: str, students: list[Member], course_id: str = COURSE_ID) -> None:
    """`record_in_gradebook(students)` run as the instructor in their course folder, from the hub's environment."""
    code = ("import json, sys; from grader.hub.site import Member; from grader.hub.roster import record_in_gradebook; "
            "record_in_gradebook([Member(**m) for m in json.loads(sys.argv[1])])")
    rows = json.dumps([vars(m) for m in students])
    done = site.run_as(instructor, "instructor", [str(site.python), "-c", code, rows],
                       cwd=site.course_folder(instructor, course_id))
    print("  " + done.stdout.strip().replace("\n", "\n  "))


def record_in_gradebook(students: list[Member]) -> None:
    """In the course of the working directory: the assignments the gradebook lacks (nbgrader's generate_assignment,
    release/ untouched), the students it lacks, and the names the roster gives that it does not have yet
    (nbgrader's Gradebook)."""
    from ..course import Course
    from ..release import cells, sync_gradebook

    course = Course.find()
    with course.gradebook() as gb:
        missing = [a for a in course.assignments if cells(gb, a) is None]
    if missing:
        sync_gradebook(course, missing)
    with course.gradebook() as gb:
        known = {s.id: s for s in gb.students}
        added = [m for m in students if m.id not in known]
        renamed = [m for m in students if m.id in known and (m.first_name or m.last_name)
                   and (known[m.id].first_name, known[m.id].last_name) != (m.first_name, m.last_name)]
        for m in added + renamed:
            gb.update_or_create_student(m.id, first_name=m.first_name or None, last_name=m.last_name or None)
    print(f"gradebook: {len(missing)} assignment(s) and {len(added)} student(s) added"
          + (f" ({', '.join(m.id for m in added)})" if added else "")
          + (f", {len(renamed)} renamed" if renamed else ""))


def add_arguments(parser) -> None:
    """The options of this subcommand (grader/cli.py declares every subcommand so)."""
    parser.add_argument("roster", nargs="+",
                        help="a course's roster, `[course-id=]path`: CSV with header id,role[,first_name,last_name] "
                             f"(see hub/roster.example.csv); a bare path is the course {COURSE_ID}; one per course")
    parser.add_argument("--prefix", type=Path, default=HubSite.from_env().prefix,
                        help="the hub's environment (make hub-env; default $HUB_PREFIX or %(default)s)")
    parser.add_argument("--exchange", type=Path, default=HubSite.from_env().exchange,
                        help="nbgrader's exchange for every user (default $HUB_EXCHANGE or %(default)s)")
    parser.add_argument("--passwords", type=Path, default=None,
                        help=f"where new accounts' passwords are appended (default {default_passwords_file()})")
    parser.add_argument("--source", type=Path, default=None,
                        help="the course repository to copy the course folder from (default: the one around the "
                             "working directory)")
    parser.add_argument("--course-group", default=None,
                        help="the Unix group of the first roster's course's members, which alone may enter its "
                             "folder of the exchange (default nbgrader-<course id>; created if missing)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be done, do nothing")


def run(args) -> int:
    if os.geteuid() != 0:
        print("course roster: run it as root (sudo make roster, or sudo course roster ROSTER.csv): it creates Unix "
              "accounts, the exchange and the instructor's course folder", file=sys.stderr)
        return 2
    from ..course import course_root

    source = course_root(args.source)
    passwords = args.passwords or default_passwords_file()
    first = parse_roster_spec(args.roster[0])[0]
    courses = read_rosters(args.roster, {first: args.course_group} if args.course_group else None)
    refuse_shared_database(courses)
    site = HubSite(args.prefix.resolve(), args.exchange.resolve(), courses)
    if site.missing():
        raise RuntimeError(site.missing())
    created = False
    for course, spec in zip(courses, args.roster):
        steps = plan(course, site, source, passwords)
        print(f"course roster {spec}: course {course.id}, {len(course.members)} member(s); instructor "
              f"{course.instructor}; exchange {site.exchange_of(course.id)}\n"
              + "\n".join(f"- {text}" for text, _ in steps))
        if args.dry_run:
            continue
        for text, do in steps:
            print(f"doing: {text.split(':')[0]}")
            do()
        created = created or any("create " in t and "account" in t for t, _ in steps)
    if not args.dry_run:
        print("done" + (f"; new passwords are in {passwords}" if created else ""))
    return 0
