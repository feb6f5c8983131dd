"""Plots of assignment 05: the spectrum of the input-output Jacobian against depth, LSUV's passes, the cost at
initialization against the label entropy, and the coordinate check of the explorer.

Every function takes what it draws (singular values, stds, costs), computed by the caller with the student's
functions or the explorer's own code: nothing here draws weights or differentiates a network.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._style import finish_panels, log_axes

__all__ = ["plot_spectrum_bands", "plot_spread_against_depth", "plot_singular_value_histograms",
           "draw_singular_value_histogram",
           "plot_std_profiles", "plot_lsuv_passes", "plot_initial_costs", "plot_cost_curves",
           "plot_coordinate_check"]

#: the quantiles of the singular values drawn as a band (10% to 90%) and a line (the median)
BAND = (0.1, 0.5, 0.9)


def _quantiles(singular_values) -> np.ndarray:
    """Shape (3,): the 10%, 50% and 90% quantiles of the non-zero singular values (all of them if none is 0)."""
    s = np.asarray(singular_values, dtype=float)
    nonzero = s[s > 1e-12 * s.max()] if s.size and s.max() > 0 else s
    return np.quantile(nonzero if nonzero.size else s, BAND)


def plot_spectrum_bands(depths, spectra: dict, suptitle: str = "", ncols: int = 4):
    """One panel per network: the singular values of its Jacobian against depth, log scale.

    Inputs:
    - depths: shape (k,), the depths L
    - spectra: label -> list of k arrays, the singular values of the (n_L, n_0) Jacobian at each depth
    The median is a line, the 10%-90% band of the non-zero singular values is shaded, the largest and smallest are
    dotted. Returns the figure.
    """
    k = len(spectra)
    ncols = min(ncols, k)
    nrows = -(-k // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.2 * nrows), sharey=True, squeeze=False)
    axes = axes.ravel()
    for ax, (label, values) in zip(axes, spectra.items()):
        q = np.array([_quantiles(s) for s in values])
        top = np.array([np.max(s) for s in values])
        ax.fill_between(depths, q[:, 0], q[:, 2], alpha=0.3, label="10% to 90%")
        ax.plot(depths, q[:, 1], "o-", label="median")
        ax.plot(depths, top, ":", color="k", label="largest")
        log_axes(ax, "depth L", "singular value of J", title=label)
    for ax in axes[k:]:
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_spread_against_depth(depths, spreads: dict, ax=None, title: str | None = None):
    """The spread of the singular values (90% quantile over 10% quantile) against depth, log y.

    spreads: label -> shape (k,), one value per depth in `depths`. 1 is an isometry. Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for i, (label, values) in enumerate(spreads.items()):
        ax.plot(depths, values, "o-", color=f"C{i}", label=label)
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    return log_axes(ax, "depth L", "spread: 90% / 10% quantile of the singular values", title=title)


def plot_singular_value_histograms(spectra: dict, suptitle: str = "", bins: int = 30):
    """One histogram per network of log10 of its Jacobian's singular values; exact zeros counted in a bar at the left.

    spectra: label -> array of singular values. Returns the figure.
    """
    fig, axes = plt.subplots(1, len(spectra), figsize=(3.6 * len(spectra), 3.2), squeeze=False)
    for ax, (label, s) in zip(axes[0], spectra.items()):
        draw_singular_value_histogram(ax, s, label, bins)
    return finish_panels(fig, axes[0], suptitle)


def draw_singular_value_histogram(ax, singular_values, title: str, bins: int = 30):
    """On `ax`: the histogram of log10 of the non-zero singular values, exact zeros (below 1e-12 of the largest)
    as one red bar left of them. Returns the axes."""
    s = np.asarray(singular_values, dtype=float)
    zero = s <= 1e-12 * s.max() if s.max() > 0 else np.ones(s.shape, bool)
    logs = np.log10(s[~zero])
    # an isometry's values are all equal: give the one bar a width instead of numpy's default range of 1
    span = (logs.min() - 0.5, logs.max() + 0.5) if logs.size and np.ptp(logs) < 1e-6 else None
    ax.hist(logs, bins=bins, range=span, color="C0", label=f"{(~zero).sum()} non-zero")
    if zero.any():
        left = logs.min() - 1 if logs.size else -1
        ax.bar([left], [zero.sum()], width=0.5, color="C3",
               label=f"{zero.sum()} zero, below 1e-12 of the largest (at left)")
    ax.set(xlabel="log10(singular value)", ylabel="count", title=title)
    ax.legend(fontsize=8)
    return ax


def plot_std_profiles(profiles: dict, ax=None, title: str | None = None, ylabel: str = "std of the activations"):
    """Per-layer values (a std, a norm) against the layer index 1..L, one line per label, log y. Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for i, (label, values) in enumerate(profiles.items()):
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(1, values.size + 1), values, color=f"C{i}", label=label)
    return log_axes(ax, "layer l", ylabel, title=title)


def plot_lsuv_passes(passes, deviations: dict, before: dict, after: dict, suptitle: str = ""):
    """Two panels: LSUV's worst deviation against the number of rescalings allowed, and the stds before and after.

    Inputs:
    - passes: shape (k,), the max_iter values
    - deviations: label -> shape (k,), max over the layers of |std(Z_l) - 1| after lsuv(..., max_iter=passes[i])
    - before, after: label -> shape (L,), std(Z_l) of every layer before LSUV and after it (default max_iter)
    Returns the figure.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    for i, (label, values) in enumerate(deviations.items()):
        left.plot(passes, np.maximum(values, 1e-17), "o-", color=f"C{i}", label=label)
    left.axhline(0.1, color="k", ls="--", lw=0.8, label="tol = 0.1")
    log_axes(left, "rescalings allowed per layer (max_iter)", "worst |std(Z_l) - 1| over the layers",
             title="from any starting scale, a few rescalings")
    for i, label in enumerate(before):
        layers = np.arange(1, len(before[label]) + 1)
        right.plot(layers, before[label], "--", color=f"C{i}", label=f"{label}, before")
        right.plot(layers, after[label], "o-", color=f"C{i}", ms=3, label=f"{label}, after")
    log_axes(right, "layer l", "std(Z_l) on the batch", title="before LSUV: decades apart; after: all near 1",
             ncol=2, fontsize=7)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_initial_costs(costs: dict, entropies: dict, ax=None, title: str | None = None):
    """Bars of the cost at initialization of each start, next to the entropy of the labels of each data set.

    costs: data set -> {start -> cost}; entropies: data set -> entropy (nats). Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    datasets = list(costs)
    starts = list(costs[datasets[0]])
    width = 0.8 / len(starts)
    x = np.arange(len(datasets))
    for i, start in enumerate(starts):
        ax.bar(x + (i - (len(starts) - 1) / 2) * width, [costs[d][start] for d in datasets], width,
               color=f"C{i}", label=start)
    for j, d in enumerate(datasets):
        ax.hlines(entropies[d], j - 0.45, j + 0.45, color="k", ls="--", label="label entropy" if j == 0 else None)
    ax.set_xticks(x, datasets)
    ax.set_ylabel("cost at initialization (nats)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_cost_curves(curves: dict, entropy: float, record_every: int = 1, ax=None, title: str | None = None):
    """Training costs (label -> shape (k,), one every `record_every` iterations) and the label entropy, log x."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for i, (label, costs) in enumerate(curves.items()):
        steps = 1 + record_every * np.arange(len(costs))
        ax.plot(steps, costs, color=f"C{i}", label=label)
    ax.axhline(entropy, color="k", ls="--", lw=0.8, label=f"label entropy {entropy:.3f}")
    return log_axes(ax, "iteration (1 = initialization)", "cost (nats)", title=title, logx=True, logy=False)


def plot_coordinate_check(widths, sizes: dict, ax=None, title: str | None = None):
    """The size of each layer's activations after one SGD step against the width, log-log.

    sizes: label (a layer, a parametrization) -> shape (k,), one value per width. Flat lines are what width-aware
    scaling aims at; lines that climb mean a wider network takes a bigger step. Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for i, (label, values) in enumerate(sizes.items()):
        style = "o--" if "muP" in label else "o-"
        ax.plot(widths, values, style, color=f"C{i % 10}", label=label)
    return log_axes(ax, "width n", "RMS change of the layer's activations after one step", title=title,
                    logx=True, fontsize=7, ncol=2)
