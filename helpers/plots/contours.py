"""Cost contours of a linear model with the gradient-descent path drawn on them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..linear_model import Descent, cost_and_gradient, least_squares


def cost_grid(X, Y, w1, w2) -> np.ndarray:
    """J on the grid w1 x w2 (1-D arrays of n1 and n2 values) -> (n2, n1), for a model with two features.

    J is quadratic: J(w) = J(w*) + (w - w*).T H (w - w*) / 2 with H = X X.T / m and w* its minimiser, which costs
    O(n1 * n2) instead of the O(n1 * n2 * m) of one residual per grid point and example, and has no cancellation
    near the minimum.
    """
    w_star = least_squares(X, Y)
    H = X @ X.T / X.shape[1]
    J_star = cost_and_gradient(w_star, X, Y)[0]
    W1, W2 = np.meshgrid(np.asarray(w1, dtype=float) - w_star[0, 0], np.asarray(w2, dtype=float) - w_star[1, 0])
    with np.errstate(over="ignore", invalid="ignore"):
        return J_star + 0.5 * (H[0, 0] * W1**2 + 2 * H[0, 1] * W1 * W2 + H[1, 1] * W2**2)


def draw_descent(ax, X, Y, run: Descent, title: str, levels: int = 18) -> None:
    """Contours of J around w* on equal axes, with the path of `run` and its step count."""
    w_star = run.w_star.ravel()
    with np.errstate(over="ignore", invalid="ignore"):
        distance = np.sqrt(np.sum((run.path - w_star) ** 2, axis=1))
    # a diverging path is drawn until it leaves three times its starting distance
    path = run.path[: max(2, int(np.argmax(~(distance <= 3 * distance[0])) or len(distance)))]
    span = np.max(np.abs(path - w_star)) * 1.15
    w1 = np.linspace(w_star[0] - span, w_star[0] + span, 160)
    w2 = np.linspace(w_star[1] - span, w_star[1] + span, 160)
    J = cost_grid(X, Y, w1, w2)
    J_star = cost_and_gradient(run.w_star, X, Y)[0]
    ax.contour(w1, w2, np.log10(J - J_star + 1e-12), levels=levels, cmap="viridis", linewidths=0.8)
    shown = path[: min(len(path), 200)]
    ax.plot(shown[:, 0], shown[:, 1], ".-", color="tab:red", ms=3, lw=1, label="gradient descent")
    ax.plot(*shown[0], "o", color="black", label="start")
    ax.plot(*w_star, "*", color="gold", ms=14, mec="black", label="minimum")
    ax.set_xlim(w1[0], w1[-1])
    ax.set_ylim(w2[0], w2[-1])
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    steps = "diverges" if run.diverged else ("> 10 million steps" if np.isinf(run.steps) else f"{run.steps:,} steps")
    ax.set_title(f"{title}\n{steps}", fontsize=10)


def descent_side_by_side(panels, suptitle: str = ""):
    """One contour plot per panel, side by side. panels: list of (X, Y, Descent, title). Returns the figure."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.6), squeeze=False)
    for ax, (X, Y, run, title) in zip(axes[0], panels):
        draw_descent(ax, X, Y, run, title)
    axes[0][0].legend(loc="lower left", fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def feature_clouds(panels, suptitle: str = ""):
    """Scatter plots of two features on equal axes, side by side. panels: list of (X (2, m), title)."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 4.0), squeeze=False)
    for ax, (X, title) in zip(axes[0], panels):
        ax.scatter(X[0], X[1], s=8, alpha=0.6)
        ax.set_aspect("equal", adjustable="datalim")
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_xlabel("feature 1")
        ax.set_ylabel("feature 2")
        ax.set_title(title, fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def draw_steps_against_ratio(ax, ratios, curves, current_ratio: float | None = None, title: str = "") -> None:
    """Steps to converge against the feature-scale ratio, both axes logarithmic.

    ratios: (k,) scale ratios; curves: list of (label, steps (k,), matplotlib style dict); a step count of inf
    (diverged, or never converged) leaves a gap in its curve, and its first such ratio is marked with an x.
    """
    ratios = np.asarray(ratios, dtype=float)
    for label, steps, style in curves:
        steps = np.asarray(steps, dtype=float)
        finite = np.isfinite(steps)
        first = int(np.argmin(finite))
        if not finite.all():
            label += f" (x: diverges from ratio {ratios[first]:.3g})"
        line, = ax.plot(ratios, np.where(finite, np.maximum(steps, 1), np.nan), label=label, **style)
        if not finite.all():
            ax.plot(ratios[first], np.nanmax(np.where(finite, steps, np.nan)) if finite.any() else 1, "x",
                    color=line.get_color(), ms=9, mew=2)
    if current_ratio is not None:
        ax.axvline(current_ratio, color="grey", lw=0.8, ls=":", label="the slider's scale ratio")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("feature-scale ratio (feature 2 / feature 1)")
    ax.set_ylabel("gradient-descent steps to converge")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title, fontsize=11)


def steps_and_descents(ratios, curves, panels, current_ratio: float | None = None, title: str = "",
                       suptitle: str = ""):
    """The steps-against-ratio plot on top (see `draw_steps_against_ratio`), one contour plot per panel below
    (see `descent_side_by_side`; panels: list of (X, Y, Descent, title)). Returns the figure."""
    fig = plt.figure(figsize=(5.2 * len(panels), 8.6))
    grid = fig.add_gridspec(2, len(panels), height_ratios=(1.0, 1.25))
    draw_steps_against_ratio(fig.add_subplot(grid[0, :]), ratios, curves, current_ratio, title)
    for i, (X, Y, run, panel_title) in enumerate(panels):
        ax = fig.add_subplot(grid[1, i])
        draw_descent(ax, X, Y, run, panel_title)
        if i == 0:
            ax.legend(loc="lower left", fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
