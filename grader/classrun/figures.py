"""The report's figures, as PNG files: the score histogram and the pass rate of every test cell."""

from __future__ import annotations

from pathlib import Path


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
