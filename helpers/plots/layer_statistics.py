"""Plots of assignment 03 on a network at initialization, layer by layer: the scale of its activations through
depth (std per layer, histograms, its spread against depth / width) and Karpathy's per-layer health check.

Every function draws on axes it is given (or makes a figure) and returns the axes or the figure; a scheme keeps
its colour of SCHEME_COLORS (`helpers.plots.initialization`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..activations import get as _activation
from ._style import finish_panels, log_axes, scheme_color

__all__ = ["plot_activation_stds", "plot_activation_std_panels", "plot_activation_histograms",
           "plot_depth_over_width", "plot_layer_diagnostics"]


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
        ax.plot(layers[ok], values[ok], color=scheme_color(label, i), marker="." if values.size <= 30 else None,
                markersize=3, label=f"{label}{note}", linestyle="--" if label.startswith("glorot") else "-")
    return log_axes(ax, "layer l", "std of activations $A_l$ (log scale)", title)


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
    """A grid of histograms: one row per label, one column per layer in `layers` (1-based).

    Inputs: activations, label -> [A_1, ..., A_L], or label -> (X, parameters, activation): a network
    {"W1", "b1", ...} run here on X (n_0, m) up to the deepest layer shown, A_l = g(W_l @ A_{l-1} + b_l) with
    g = `activation` at every layer (the parameters of a student's initialize_parameters, say).
    The panels of a row share their x axis, so a distribution that shrinks or spreads with depth shows as such;
    the std of each panel is written in its title. Returns the figure.
    """
    fig, axes = plt.subplots(len(activations), len(layers), figsize=(2.6 * len(layers), 2.1 * len(activations)),
                             squeeze=False, sharex="row")
    for r, (label, As) in enumerate(activations.items()):
        if isinstance(As, tuple) and len(As) == 3 and isinstance(As[1], dict):
            A, parameters, g = As[0], As[1], _activation(As[2]).forward
            shown, As = set(layers), [None] * max(layers)
            with np.errstate(over="ignore", invalid="ignore"):
                for l in range(1, max(layers) + 1):
                    A = g(parameters[f"W{l}"] @ A + parameters[f"b{l}"])
                    As[l - 1] = A if l in shown else None
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
                ax.stairs(counts, edges, fill=True, color=scheme_color(label, r))
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
    return finish_panels(fig, (left, right), suptitle)


def plot_layer_diagnostics(diagnostics: dict, reference: float = 1e-3, suptitle: str = ""):
    """Karpathy's per-layer health check, small multiples side by side (diagnostics: label -> the dict of
    `network.layer_diagnostics`): the share of saturated tanh units per hidden layer, the gradient-to-weight and
    the update-to-weight ratios per layer (log scale), the last with a reference line at `reference`. Returns the
    figure."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for i, (label, d) in enumerate(diagnostics.items()):
        color = scheme_color(label, i)
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
    return finish_panels(fig, axes, suptitle)
