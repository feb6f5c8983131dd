"""The grading report: per assignment, the score distribution, the pass rate of every autograded test cell,
the misconceptions the class made most (the checks' `Mistake: <sentence>` failures, by number of students), the
submissions that errored or timed out and who still needs manual grading; as PNG figures, one self-contained
report.html (figures embedded as data URIs) and a short text summary.
"""

from __future__ import annotations

import base64
import html
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .checks import MISTAKE
from .shards import TIMEOUT_ERRORS


@dataclass
class AssignmentResults:
    """What the gradebook and the autograded notebooks say about one assignment."""

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


def collect(root: Path, assignment: str, status: dict) -> AssignmentResults:
    """Gather one assignment's results from the course gradebook, the autograded notebooks and `status`."""
    from nbgrader.api import GradeCell

    from .grading import open_gradebook

    res = AssignmentResults(assignment)
    for key, st in status.items():
        a, s = key.split("/", 1)
        if a != assignment:
            continue
        if not st["ok"]:
            res.errored[s] = f"{st.get('file') or assignment + '.ipynb'}: {st.get('error') or 'unknown error'}"
        if st.get("warnings"):
            res.warnings[s] = st["warnings"]
    with open_gradebook(root) as gb:
        res.max_score = gb.find_assignment(assignment).max_score
        for sub in gb.assignment_submissions(assignment):
            if sub.student_id in res.errored:
                continue  # not graded: its grades in the gradebook are no marks, so no zero in the figures
            res.scores[sub.student_id] = float(sub.score)
            for nb in sub.notebooks:
                answers = {c.name for c in nb.notebook.solution_cells}
                for g in nb.grades:
                    if g.needs_manual_grade:
                        res.manual.setdefault(sub.student_id, []).append(g.name)
                    cell = g.cell
                    if isinstance(cell, GradeCell) and cell.cell_type == "code" and cell.name not in answers \
                            and g.auto_score is not None:
                        tally = res.passes.setdefault(cell.name, [0, 0])
                        tally[0] += g.auto_score >= cell.max_score - 1e-9
                        tally[1] += 1
    read_autograded(root, res)
    return res


def read_autograded(root: Path, res: AssignmentResults) -> None:
    """Add to `res` what the autograded notebooks of its assignment say: the cells that timed out or killed the
    kernel, and the mistakes the checks named (error outputs whose message starts with `Mistake: `), counted once
    per student; the submissions that could not be graded are left out, as in the figures."""
    for path in sorted((root / "autograded").glob(f"*/{res.name}/*.ipynb")):
        student = path.parent.parent.name
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            gid = meta.get("grade_id", "a cell")
            # only a test cell's check names a mistake; a student's own cell could raise any text
            is_test = bool(meta.get("grade")) and not meta.get("solution")
            for out in cell.get("outputs", []):
                if out.get("output_type") != "error":
                    continue
                if out.get("ename") in TIMEOUT_ERRORS:
                    res.timed_out.setdefault(student, []).append(f"{gid}: {out['ename']}")
                sentence = named_mistake(out.get("evalue", ""))
                if sentence and is_test and student not in res.errored:
                    res.mistakes.setdefault(sentence, set()).add(student)
                    res.mistake_cells.setdefault(sentence, set()).add(gid)


def named_mistake(evalue: str) -> str | None:
    """The sentence of a `Mistake: <sentence>` first line of an error's message, else None."""
    first = evalue.split("\n", 1)[0].strip()
    if not first.startswith(MISTAKE):
        return None
    return first[len(MISTAKE):].strip() or None


def plot_scores(res: AssignmentResults, path: Path) -> Path:
    """Histogram of total scores, titled with the median and the number of full marks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    import numpy as np

    scores = np.array(list(res.scores.values()), dtype=float)
    top = max(res.max_score, 1.0)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(scores, bins=np.linspace(0, top, int(min(top, 20)) + 1), color="#4C72B0", edgecolor="white")
    full = int(np.sum(scores >= top - 1e-9))
    median = float(np.median(scores)) if scores.size else 0.0
    ax.set_title(f"{res.name}\nmedian {median:g} of {top:g} points, {full} of {scores.size} with full marks", fontsize=10)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("total score (points)")
    ax.set_ylabel("submissions")
    ax.set_xlim(0, top)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_pass_rates(res: AssignmentResults, path: Path) -> Path:
    """Horizontal bars of every test cell's pass rate, the worst at the top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = res.pass_rates()
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.35 * max(len(rows), 1)))
    if rows:
        names = [r[0] for r in rows][::-1]
        rates = [100 * r[1] for r in rows][::-1]
        bars = ax.barh(names, rates, color=["#C44E52" if r < 50 else "#4C72B0" for r in rates])
        for bar, (_, _, p, g) in zip(bars, rows[::-1]):
            ax.text(min(bar.get_width() + 1, 88), bar.get_y() + bar.get_height() / 2, f"{p}/{g}", va="center")
        worst = rows[0]
        ax.set_title(f"{res.name}\nthe class fails {worst[0]} most ({100 * worst[1]:.0f}% pass)", fontsize=10)
    else:
        ax.set_title(f"{res.name}\nno autograded test cell was graded", fontsize=10)
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions passing the test cell (%)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def summary_line(res: AssignmentResults) -> str:
    graded = {s: v for s, v in res.scores.items() if s not in res.errored}
    n = len(graded)
    mean = sum(graded.values()) / n if n else 0.0
    text = (f"{res.name}: {n} graded, mean {mean:.1f} / {res.max_score:g}; {len(res.errored)} could not be graded, "
            f"{len(res.timed_out)} timed out, {len(res.manual)} need manual grading, {len(res.warnings)} with warnings")
    rows = res.pass_rates()
    if rows:
        text += f"; most failed check: {rows[0][0]} ({100 * rows[0][1]:.0f}% pass)"
    mistakes = res.common_mistakes()
    if mistakes:
        sentence, n = mistakes[0]
        text += f"; most common mistake: {sentence} ({n} student{'s' if n != 1 else ''})"
    return text


def mistakes_table(res: AssignmentResults) -> str:
    """The named mistakes as an HTML table, the most frequent first: sentence, students, test cells."""
    rows = res.common_mistakes()
    if not rows:
        return "<div class='mistakes'><h3>Named mistakes: none</h3></div>"
    graded = max(len(res.scores), len(set().union(*res.mistakes.values())))
    body = "".join(f"<tr><td>{html.escape(m)}</td><td>{n} of {graded}</td>"
                   f"<td>{html.escape(', '.join(sorted(res.mistake_cells.get(m, ()))))}</td></tr>" for m, n in rows)
    return (f"<div class='mistakes'><h3>Named mistakes, most frequent first ({len(rows)})</h3><table>"
            f"<tr><th>mistake</th><th>students</th><th>test cells</th></tr>{body}</table></div>")


def _table(title: str, rows: dict[str, object]) -> str:
    if not rows:
        return f"<h3>{html.escape(title)}: none</h3>"
    body = "".join(f"<tr><td>{html.escape(s)}</td><td>{html.escape(v if isinstance(v, str) else ', '.join(v))}"
                   f"</td></tr>" for s, v in sorted(rows.items()))
    return f"<h3>{html.escape(title)} ({len(rows)})</h3><table><tr><th>student</th><th>detail</th></tr>{body}</table>"


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def write_report(root: Path, names: list[str], status: dict) -> tuple[Path, str]:
    """reports/grading-<time>/ with the figures and report.html; returns the folder and the text summary."""
    folder = root / "reports" / time.strftime("grading-%Y%m%d-%H%M%S")
    k = 1
    while folder.exists():
        folder, k = folder.with_name(time.strftime("grading-%Y%m%d-%H%M%S") + f"-{k}"), k + 1
    folder.mkdir(parents=True)
    sections, lines = [], []
    for name in names:
        res = collect(root, name, status)
        scores = plot_scores(res, folder / f"{name}-scores.png")
        checks = plot_pass_rates(res, folder / f"{name}-checks.png")
        lines.append(summary_line(res))
        sections.append(
            f"<h2>{html.escape(name)}</h2><p>{html.escape(summary_line(res))}</p>"
            f"<div class='figs'>{_img(scores, name + ' scores')}{_img(checks, name + ' pass rates')}"
            f"{mistakes_table(res)}</div>"
            + _table("Could not be graded (not zeros: see grading-errors.csv)", res.errored)
            + _table("Graded, with warnings", res.warnings)
            + _table("Timed out or kernel died", res.timed_out)
            + _table("Needs manual grading", res.manual))
    style = ("body{font-family:sans-serif;max-width:1100px;margin:auto}img{max-width:100%;margin:4px}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
             ".figs{display:flex;flex-wrap:wrap;align-items:flex-start}.mistakes{margin:4px;max-width:540px}")
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Grading report</title>"
            f"<style>{style}</style></head><body><h1>Grading report, {time.strftime('%Y-%m-%d %H:%M')}</h1>"
            + "".join(sections) + "</body></html>")
    (folder / "report.html").write_text(page)
    lines.append(f"report: {folder / 'report.html'}")
    return folder, "\n".join(lines)
