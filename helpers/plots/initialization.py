"""Plots of assignment 03: training with each initialization side by side, and the activation scale through depth.

Every function draws on axes it is given (or makes a figure) and returns the axes or the figure. Schemes keep the
same colour in every plot (SCHEME_COLORS), so a reader can follow one scheme from figure to figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

__all__ = ["SCHEME_COLORS", "plot_cost_curves", "plot_accuracies", "plot_decision_boundary",
           "plot_decision_boundaries", "plot_weight_rows", "plot_activation_stds", "plot_activation_std_panels",
           "plot_activation_histograms"]

SCHEME_COLORS = {"zeros": "C7", "large": "C3", "xavier": "C0", "glorot": "C2", "he": "C1"}


def _color(label: str, i: int) -> str:
    """The scheme's colour when the label starts with a scheme's name ("he", "he, relu"), else a colour of its own."""
    name = str(label).replace(",", " ").split()
    return SCHEME_COLORS.get(name[0] if name else "", f"C{(i + 4) % 10}")


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
        ax.plot(iterations[finite], values[finite], color=_color(label, i))
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
                      color=[_color(k, i) for i, k in enumerate(labels)], edgecolor="k")
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


def plot_activation_stds(stds: dict, ax=None, title: str = ""):
    """Standard deviation of the activations of every layer, one line per label, on a log scale.

    Inputs: stds, label -> shape (L,), the std of A_1..A_L. A scheme whose activations are all exactly zero, or whose
    values overflow to inf/NaN, cannot be drawn on a log axis: the legend says so. Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    for i, (label, values) in enumerate(stds.items()):
        values = np.asarray(values, dtype=float)
        layers = np.arange(1, values.size + 1)
        ok = np.isfinite(values) & (values > 0)
        note = ""
        if not ok.any():
            note = " (all 0: not on a log axis)" if np.all(values == 0) else " (inf/NaN)"
        elif not np.isfinite(values).all():
            note = f" (inf/NaN from layer {int(layers[~np.isfinite(values)][0])})"
        ax.plot(layers[ok], values[ok], color=_color(label, i), marker="." if values.size <= 30 else None,
                markersize=3, label=f"{label}{note}", linestyle="--" if label.startswith("glorot") else "-")
    ax.set_yscale("log")
    ax.set_xlabel("layer l")
    ax.set_ylabel("std of activations $A_l$ (log scale)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_activation_std_panels(panels: dict, suptitle: str = ""):
    """Small multiples side by side: plot_activation_stds for every panel title -> {label -> stds}. Returns the figure."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4), squeeze=False)
    for ax, (title, stds) in zip(axes[0], panels.items()):
        plot_activation_stds(stds, ax=ax, title=title)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_activation_histograms(activations: dict, layers=(1, 10, 25, 50), bins: int = 50, suptitle: str = ""):
    """A grid of histograms: one row per label -> [A_1, ..., A_L], one column per layer in `layers` (1-based).

    The panels of a row share their x axis, so a distribution that shrinks or spreads with depth shows as such;
    the std of each panel is written in its title. Returns the figure.
    """
    fig, axes = plt.subplots(len(activations), len(layers), figsize=(2.6 * len(layers), 2.1 * len(activations)),
                             squeeze=False, sharex="row")
    for r, (label, As) in enumerate(activations.items()):
        rows = [np.asarray(As[layer - 1], dtype=float).ravel() for layer in layers]
        rows = [values[np.isfinite(values)] for values in rows]
        finite = [values for values in rows if values.size]
        # one set of bins per row: a distribution that shrinks to a spike shows as a spike, not as a rescaled copy
        edges = np.linspace(min(v.min() for v in finite), max(v.max() for v in finite), bins + 1) if finite else None
        if edges is not None and edges[0] == edges[-1]:
            edges = np.linspace(edges[0] - 0.5, edges[0] + 0.5, bins + 1)
        for c, (layer, values) in enumerate(zip(layers, rows)):
            ax = axes[r, c]
            if values.size:  # np.histogram + stairs: much faster than ax.hist on tens of thousands of values
                counts, _ = np.histogram(values, bins=edges)
                ax.stairs(counts, edges, fill=True, color=_color(label, r))
            ax.set_yticks([])
            ax.set_title(f"{label}, layer {layer}: std {values.std():.2g}" if values.size else f"{label}, layer {layer}",
                         fontsize=8)
            ax.tick_params(labelsize=7)
        axes[r, 0].set_ylabel("count", fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("activation value", fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_depth_over_width(profiles: dict, suptitle: str = ""):
    """Two panels on the wandering of the signal through a deep network (profiles: width n -> shape (trials, L),
    `network.std_profiles` of that width). Returns the figure.

    Left: the variance over the trials of log(std(A_l) / std(A_1)) against l / n, the networks still alive at
    layer l only (log-log axes): one line per width, which fall on one another if the spread grows like depth / width.
    Right: the share of the trials whose activations are exactly 0 at layer l (dead networks), against l.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for i, (width, P) in enumerate(profiles.items()):
        P = np.asarray(P, dtype=float)
        layers = np.arange(1, P.shape[1] + 1)
        spread = []
        for l in range(P.shape[1]):
            alive = P[:, l] > 0
            spread.append(np.var(np.log(P[alive, l] / P[alive, 0])) if alive.sum() > 1 else np.nan)
        spread = np.array(spread)
        ok = np.isfinite(spread) & (spread > 0)
        left.plot(layers[ok] / width, spread[ok], color=f"C{i}", label=f"width n = {width}")
        right.plot(layers, np.mean(P == 0, axis=0), color=f"C{i}", label=f"width n = {width}")
    left.set(xscale="log", yscale="log", xlabel="depth / width, l / n (log scale)",
             ylabel="variance of log(std $A_l$ / std $A_1$) (log)", title="the spread grows like depth / width")
    right.set(xlabel="layer l", ylabel="share of networks with $A_l$ = 0 exactly", ylim=(-0.02, 1.02),
              title="narrow networks die: a layer of zeros stays zero")
    for ax in (left, right):
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_layer_diagnostics(diagnostics: dict, reference: float = 1e-3, suptitle: str = ""):
    """Karpathy's per-layer health check, small multiples side by side (diagnostics: label -> the dict of
    `network.layer_diagnostics`): the share of saturated tanh units per hidden layer, the gradient-to-weight and
    the update-to-weight ratios per layer (log scale), the last with a reference line at `reference`. Returns the
    figure."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for i, (label, d) in enumerate(diagnostics.items()):
        color = _color(label, i)
        sat = np.asarray(d["saturated"], dtype=float)
        axes[0].plot(np.arange(1, sat.size + 1), sat, marker="o", color=color, label=label)
        for ax, key in ((axes[1], "grad_to_weight"), (axes[2], "update_to_weight")):
            values = np.asarray(d[key], dtype=float)
            ok = np.isfinite(values) & (values > 0)
            ax.plot(np.arange(1, values.size + 1)[ok], values[ok], marker="o", color=color, label=label)
    axes[0].set(xlabel="hidden layer l", ylabel="share of units with |a| > 0.97", ylim=(-0.02, 1.02),
                title="saturated tanh units")
    axes[1].set(xlabel="layer l", ylabel="||dW_l|| / ||W_l|| (log scale)", yscale="log",
                title="gradient-to-weight ratio")
    axes[2].set(xlabel="layer l", ylabel="lr * ||dW_l|| / ||W_l|| (log scale)", yscale="log",
                title="update-to-weight ratio, one step")
    axes[2].axhline(reference, color="k", linestyle=":", label=f"{reference:g}, the rule of thumb")
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # layers are whole numbers
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


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
    ax.set(xscale="log", xlabel="weight scale s (log scale)", ylabel="training cost after training")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)  # below: the curves fill the axes
    if title:
        ax.set_title(title, fontsize=10)
    return ax
