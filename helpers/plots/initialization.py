"""Plots of assignment 03: training with each initialization side by side, and the activation scale through depth.

Every function draws on axes it is given (or makes a figure) and returns the axes or the figure. Schemes keep the
same colour in every plot (SCHEME_COLORS), so a reader can follow one scheme from figure to figure. The plots of
the network at initialization, layer by layer, are in `helpers.plots.layer_statistics` (importable from here too).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ._style import SCHEME_COLORS, log_axes, scheme_color
from .layer_statistics import (plot_activation_histograms, plot_activation_std_panels, plot_activation_stds,
                               plot_depth_over_width, plot_layer_diagnostics)

__all__ = ["SCHEME_COLORS", "plot_cost_curves", "plot_accuracies", "plot_decision_boundary",
           "plot_decision_boundaries", "plot_weight_rows", "plot_activation_stds", "plot_activation_std_panels",
           "plot_activation_histograms"]


def plot_cost_curves(costs: dict, record_every: int = 1, axes=None, suptitle: str = ""):
    """Small multiples side by side: the cost history of every run, on a shared log scale.

    Inputs:
    - costs: label -> shape (k,), the cost recorded every `record_every` iterations (inf allowed)
    - axes: as many axes as labels (a new row of figures if None)

    A cost of inf (a sure prediction that is wrong, e.g. with large weights) cannot be drawn: the panel says from
    which iteration on the cost was finite. Returns the figure.
    """
    if axes is None:
        fig, axes = plt.subplots(1, len(costs), figsize=(3.2 * len(costs), 3), sharey=True, squeeze=False)
        axes = axes[0]
    fig = axes[0].figure
    for i, (ax, (label, values)) in enumerate(zip(axes, costs.items())):
        values = np.asarray(values, dtype=float)
        iterations = record_every * np.arange(values.size)
        finite = np.isfinite(values) & (values > 0)
        ax.plot(iterations[finite], values[finite], color=scheme_color(label, i))
        infinite = iterations[~np.isfinite(values)]
        if infinite.size:
            # inf cannot be drawn on a log axis: triangles on the top edge mark where the cost was inf
            ax.plot(infinite, np.full(infinite.size, 0.97), "^", color="C3", markersize=6, clip_on=False,
                    transform=ax.get_xaxis_transform())
            where = f"at iteration {infinite[0]}" if infinite.size == 1 else f"at {infinite.size} recorded iterations"
            ax.text(0.97, 0.88, f"▲ cost = inf {where}", transform=ax.transAxes, ha="right", va="top", fontsize=8,
                    color="C3")
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_title(f"{label}: final cost {values[-1]:.3g}", fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("cross-entropy cost (log scale)")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_accuracies(train: dict, test: dict, ax=None, title: str = ""):
    """Grouped bars: train and test accuracy of every label (dicts label -> accuracy in [0, 1]). Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    labels = list(train)
    x = np.arange(len(labels))
    for offset, (name, values, alpha) in zip((-0.2, 0.2), (("train", train, 1.0), ("test", test, 0.5))):
        heights = [values[k] for k in labels]
        bars = ax.bar(x + offset, heights, width=0.38, label=name, alpha=alpha,
                      color=[scheme_color(k, i) for i, k in enumerate(labels)], edgecolor="k")
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.axhline(0.5, color="k", linestyle=":", linewidth=1, label="chance (0.5)")
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_decision_boundary(predict, X: np.ndarray, Y: np.ndarray, ax=None, title: str = "",
                           resolution: int = 100, margin: float = 0.3):
    """The regions a classifier labels 0 and 1 in the plane, with the examples on top.

    Inputs:
    - predict: a function of an array (2, k) of points returning labels of shape (1, k)
    - X: shape (2, m), the examples; Y: shape (1, m), their labels 0/1
    Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    lo, hi = X.min(axis=1) - margin, X.max(axis=1) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    labels = np.asarray(predict(np.vstack([g0.ravel(), g1.ravel()]))).reshape(g0.shape)
    # imshow of the label grid: the same picture as contourf at a fraction of the drawing time
    ax.imshow(labels, extent=(lo[0], hi[0], lo[1], hi[1]), origin="lower", interpolation="nearest",
              cmap=ListedColormap(["#f4c7c3", "#c6dbef"]), vmin=0, vmax=1, aspect="auto")
    for value, color in ((0, "C3"), (1, "C0")):
        mask = Y.ravel() == value
        ax.scatter(X[0, mask], X[1, mask], s=8, color=color, edgecolor="k", linewidth=0.2, label=f"y = {value}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_decision_boundaries(predicts: dict, X: np.ndarray, Y: np.ndarray, titles: dict | None = None,
                             suptitle: str = ""):
    """Small multiples side by side: plot_decision_boundary for every label -> predict function. Returns the figure."""
    fig, axes = plt.subplots(1, len(predicts), figsize=(3.2 * len(predicts), 3.4), squeeze=False)
    for ax, (label, predict) in zip(axes[0], predicts.items()):
        plot_decision_boundary(predict, X, Y, ax=ax, title=(titles or {}).get(label, label))
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_weight_rows(W: np.ndarray, ax=None, title: str = ""):
    """W (n_l, n_{l-1}) as a heat map, one row per unit, values written in: identical rows are identical units."""
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 4))
    W = np.asarray(W, dtype=float)
    bound = max(float(np.abs(W).max()), 1e-12)
    ax.imshow(W, cmap="RdBu_r", vmin=-bound, vmax=bound, aspect="auto")
    for (i, j), value in np.ndenumerate(W):
        ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(W.shape[1]), [f"input {j + 1}" for j in range(W.shape[1])])
    ax.set_yticks(range(W.shape[0]), [f"unit {i + 1}" for i in range(W.shape[0])])
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_weight_scale_sweep(scales: np.ndarray, finals: dict, ax=None, title: str = ""):
    """Final training cost against the weight scale s on a log axis, one line per family (finals: label ->
    shape (len(scales),), `network.weight_scale_sweep`); points that blew up (inf/NaN) are marked at the top.
    Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    scales = np.asarray(scales, dtype=float)
    top = 0.0
    for i, (label, values) in enumerate(finals.items()):
        values = np.asarray(values, dtype=float)
        ok = np.isfinite(values)
        top = max(top, values[ok].max() if ok.any() else 0.0)
        ax.plot(scales[ok], values[ok], marker="o", color=f"C{i}", label=label)
        if (~ok).any():
            ax.plot(scales[~ok], np.full((~ok).sum(), 1.05 * max(top, 0.7)), "x", color=f"C{i}",
                    label=f"{label}: blew up (inf/NaN)")
    ax.axvline(1.0, color="k", linestyle=":", linewidth=1)
    # the legend below the axes: the curves fill them
    return log_axes(ax, "weight scale s (log scale)", "training cost after training", title, logx=True, logy=False,
                    loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
