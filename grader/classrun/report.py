"""The grading report: per assignment, the score distribution, the pass rate of every autograded test cell,
the misconceptions the class made most (the mistakes the checks recognised, by number of students), the
submissions that errored or timed out and who still needs manual grading; as PNG figures, one self-contained
report.html (figures embedded as data URIs, the page rendered from templates/report.html by Jinja2 with autoescape)
and a short text summary.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from pathlib import Path


from .records import SubmissionKey


@dataclass
class AssignmentResults:
    """What the gradebook and the run's state say about one assignment."""

    name: str
    max_score: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)          # student -> total score
    passes: dict[str, list[int]] = field(default_factory=dict)      # test cell -> [passed, graded]
    manual: dict[str, list[str]] = field(default_factory=dict)      # student -> cells to grade by hand
    errored: dict[str, str] = field(default_factory=dict)           # student -> last line of the error
    timed_out: dict[str, list[str]] = field(default_factory=dict)   # student -> "cell: ErrorName"
    warnings: dict[str, list[str]] = field(default_factory=dict)    # student -> what was odd but graded
    mistakes: dict[str, set[str]] = field(default_factory=dict)     # named mistake -> students who made it
    mistake_cells: dict[str, set[str]] = field(default_factory=dict)  # named mistake -> test cells naming it

    def pass_rates(self) -> list[tuple[str, float, int, int]]:
        """(cell, rate, passed, graded) of every test cell, worst first."""
        rows = [(c, p / g if g else 0.0, p, g) for c, (p, g) in self.passes.items()]
        return sorted(rows, key=lambda r: (r[1], r[0]))

    def common_mistakes(self) -> list[tuple[str, int]]:
        """(sentence, number of students) of every named mistake, the most frequent first."""
        return sorted(((m, len(s)) for m, s in self.mistakes.items()), key=lambda r: (-r[1], r[0]))


def collect(course, assignment: str, status: dict) -> AssignmentResults:
    """Gather one assignment's results from the course gradebook and the run's `status` (each submission's
    outcome, its test cells' included): no notebook is read again."""
    from nbgrader.api import GradeCell

    res = AssignmentResults(assignment)
    for key, st in status.items():
        a, s = SubmissionKey.parse(key)
        if a != assignment:
            continue
        if not st["ok"]:
            res.errored[s] = f"{st.get('file') or assignment + '.ipynb'}: {st.get('error') or 'unknown error'}"
        if st.get("warnings"):
            res.warnings[s] = st["warnings"]
    outcomes = {SubmissionKey.parse(key).student: st.get("cells", []) for key, st in status.items()
                if SubmissionKey.parse(key).assignment == assignment}
    with course.gradebook() as gb:
        res.max_score = gb.find_assignment(assignment).max_score
        for sub in gb.assignment_submissions(assignment):
            if sub.student_id in res.errored:
                continue  # not graded: its grades in the gradebook are no marks, so no zero in the figures
            try:
                score, manual, passed = _grades(sub, GradeCell)
            except Exception as error:  # noqa: BLE001 - one unreadable entry leaves out its student, not the report
                gb.db.rollback()
                res.errored[sub.student_id] = f"its grades could not be read: {type(error).__name__}: {error}"
                continue
            res.scores[sub.student_id] = score
            if manual:
                res.manual[sub.student_id] = manual
            for name, ok in passed:
                tally = res.passes.setdefault(name, [0, 0])
                tally[0] += ok
                tally[1] += 1
    for student, cells in outcomes.items():
        add_outcomes(res, student, cells)
    return res


def _grades(sub, grade_cell) -> tuple[float, list[str], list[tuple[str, bool]]]:
    """(total score, cells to grade by hand, (test cell, passed) of every autograded test cell) of a submission."""
    manual, passed = [], []
    for nb in sub.notebooks:
        answers = {c.name for c in nb.notebook.solution_cells}
        for g in nb.grades:
            if g.needs_manual_grade:
                manual.append(g.name)
            cell = g.cell
            if isinstance(cell, grade_cell) and cell.cell_type == "code" and cell.name not in answers \
                    and g.auto_score is not None:
                passed.append((cell.name, g.auto_score >= cell.max_score - 1e-9))
    return float(sub.score), manual, passed


def add_outcomes(res: AssignmentResults, student: str, cells: list[dict]) -> None:
    """Add to `res` what grading found in `student`'s test cells (`grader.plugins.recheck.CellOutcome`, as the
    run's state keeps them): the cells that timed out or killed the kernel, and the catalogued mistakes the checks
    recognised, counted once per student; a submission that could not be graded is left out, as in the figures."""
    if student in res.errored:
        return
    for cell in cells:
        if cell.get("stopped"):
            res.timed_out.setdefault(student, []).append(f"{cell['grade_id']}: {cell['stopped']}")
        if cell.get("mistake"):
            res.mistakes.setdefault(cell["mistake"], set()).add(student)
            res.mistake_cells.setdefault(cell["mistake"], set()).add(cell["grade_id"])


def summary_line(res: AssignmentResults) -> str:
    graded = {s: v for s, v in res.scores.items() if s not in res.errored}
    n = len(graded)
    mean = sum(graded.values()) / n if n else 0.0
    text = (f"{res.name}: {n} graded, mean {mean:.1f} / {res.max_score:g}; {len(res.errored)} could not be graded, "
            f"{len(res.timed_out)} timed out, {len(res.manual)} need manual grading, {len(res.warnings)} with warnings")
    rows = res.pass_rates()
    if rows and rows[0][1] < 1:  # at 100% pass no check failed most
        text += f"; most failed check: {rows[0][0]} ({100 * rows[0][1]:.0f}% pass)"
    mistakes = res.common_mistakes()
    if mistakes:
        sentence, n = mistakes[0]
        text += f"; most common mistake: {sentence} ({n} student{'s' if n != 1 else ''})"
    return text


def mistake_rows(res: AssignmentResults) -> list[tuple[str, int, str]]:
    """(sentence, students, test cells naming it) of every named mistake, the most frequent first."""
    return [(m, n, ", ".join(sorted(res.mistake_cells.get(m, ())))) for m, n in res.common_mistakes()]


def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("grader.classrun", "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def mistakes_table(res: AssignmentResults) -> str:
    """The named mistakes as an HTML fragment (the report's macro), the most frequent first."""
    template = _environment().get_template("report.html")
    return str(template.module.mistakes(mistake_rows(res), max(len(res.scores), len(set().union(*res.mistakes.values())))))


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def write_report(course, names: list[str], status: dict) -> tuple[Path, str]:
    """reports/grading-<time>/ with the figures and report.html (templates/report.html, rendered by Jinja2 with
    autoescape); returns the folder and the text summary."""
    from .figures import plot_pass_rates, plot_scores

    folder = course.root / "reports" / time.strftime("grading-%Y%m%d-%H%M%S")
    k = 1
    while folder.exists():
        folder, k = folder.with_name(time.strftime("grading-%Y%m%d-%H%M%S") + f"-{k}"), k + 1
    folder.mkdir(parents=True)
    sections, lines = [], []
    for name in names:
        res = collect(course, name, status)
        scores = plot_scores(res, folder / f"{name}-scores.png")
        checks = plot_pass_rates(res, folder / f"{name}-checks.png")
        lines.append(summary_line(res))
        sections.append({
            "name": name, "summary": summary_line(res),
            "scores": _data_uri(scores), "checks": _data_uri(checks),
            "mistakes": mistake_rows(res), "graded": max(len(res.scores), len(set().union(*res.mistakes.values()))),
            "tables": [("Could not be graded (not zeros: see grading-errors.csv)", res.errored),
                       ("Graded, with warnings", res.warnings),
                       ("Timed out or kernel died", res.timed_out),
                       ("Needs manual grading", res.manual)],
        })
    page = _environment().get_template("report.html").render(when=time.strftime("%Y-%m-%d %H:%M"),
                                                             sections=sections)
    (folder / "report.html").write_text(page)
    lines.append(f"report: {folder / 'report.html'}")
    return folder, "\n".join(lines)
