"""Cost contours of a linear model with the gradient-descent path drawn on them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..linear_model import Descent, cost_and_gradient


def cost_grid(X, Y, w1, w2) -> np.ndarray:
    """J on the grid w1 x w2 (1-D arrays of n1 and n2 values) -> (n2, n1), for a model with two features."""
    W1, W2 = np.meshgrid(w1, w2)
    W = np.stack([W1.ravel(), W2.ravel()])  # (2, n1 * n2): every grid point is one weight vector
    with np.errstate(over="ignore", invalid="ignore"):
        residual = W.T @ X - Y  # (n1 * n2, m)
        return (np.mean(residual**2, axis=1) / 2).reshape(W1.shape)


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
