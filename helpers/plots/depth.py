"""Plots of assignment 02: how the norm of the signal changes layer by layer, on a log scale."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._style import log_axes

__all__ = ["plot_layer_norms", "plot_norm_panels", "plot_scale_sweep", "plot_largest_entries",
           "plot_random_products"]


def _first_bad(values: np.ndarray):
    """Index of the first value that is not finite, or None."""
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if bad.size else None


def plot_layer_norms(activation_norms, gradient_norms=None, ax=None, title: str | None = None,
                     reference=None, reference_label: str = "closed form"):
    """Norms of a_0..a_L and of dA_0..dA_L against the layer index, on a log scale.

    Inputs:
    - activation_norms: shape (L + 1,), ||a_l|| for l = 0..L
    - gradient_norms: shape (L + 1,), ||dA_l|| for l = 0..L, or None
    - ax: axes to draw on (a new figure if None)
    - title: the finding the plot shows
    - reference: shape (L + 1,), an expected curve drawn dashed (e.g. scale**l * ||a_0||), or None

    Values that are inf or NaN cannot be drawn on a log scale: the curve stops there and a vertical line marks
    the first such layer. Zeros (underflow) are left out too. Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    series = [("activations ‖a_l‖", activation_norms, "C0")]
    if gradient_norms is not None:
        series.append(("backward signal ‖dA_l‖", gradient_norms, "C3"))
    for label, values, color in series:
        values = np.asarray(values, dtype=float)
        layers = np.arange(values.size)
        drawable = np.isfinite(values) & (values > 0)
        ax.plot(layers[drawable], values[drawable], marker="." if values.size <= 60 else None, color=color,
                label=label)
        bad = _first_bad(values)
        if bad is not None:
            ax.axvline(bad, color=color, linestyle=":", label=f"{label.split()[0]}: inf/NaN from layer {bad}")
    if reference is not None:
        reference = np.asarray(reference, dtype=float)
        ax.plot(np.arange(reference.size), reference, "k--", linewidth=1, label=reference_label)
    return log_axes(ax, "layer l", "Frobenius norm (log scale)", title)


def plot_norm_panels(panels: dict, suptitle: str = "", sharey: bool = True):
    """Small multiples side by side: one plot_layer_norms per panel.

    Inputs:
    - panels: title -> (activation_norms, gradient_norms), each of shape (L + 1,)
    - suptitle: the finding the whole figure shows

    Returns the figure.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), sharey=sharey, squeeze=False)
    for ax, (title, (acts, grads)) in zip(axes[0], panels.items()):
        plot_layer_norms(acts, grads, ax=ax, title=title)
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_scale_sweep(sweep: dict, suptitle: str = "", which: str = "activations"):
    """Small multiples, one panel per activation function, one curve per weight scale.

    Inputs:
    - sweep: activation name -> {scale: norms of shape (L + 1,)}
    - which: what the norms are, for the axis label ("activations" or "backward signal")

    Returns the figure.
    """
    fig, axes = plt.subplots(1, len(sweep), figsize=(4.2 * len(sweep), 3.6), sharey=True, squeeze=False)
    for ax, (activation, by_scale) in zip(axes[0], sweep.items()):
        for i, (scale, norms) in enumerate(by_scale.items()):
            norms = np.asarray(norms, dtype=float)
            ok = np.isfinite(norms) & (norms > 0)
            ax.plot(np.arange(norms.size)[ok], norms[ok], color=f"C{i}", label=f"scale {scale:.2f}")
        ax.set_yscale("log")
        ax.set_xlabel("layer l")
        ax.set_title(f"g = {activation}", fontsize=10)
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel(f"norm of the {which} (log scale)")
    axes[0][-1].legend(fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_largest_entries(largest: dict, ax=None, title: str | None = None):
    """log10 of the largest |entry| of a_l against l, one curve per float type, with the largest number each holds.

    Inputs:
    - largest: dtype name ("float32", "float64") -> shape (L + 1,), max |a_l| for l = 0..L (inf/NaN allowed)

    The curve of each type stops where its values stop being finite, marked with an x; a dotted line shows
    log10(np.finfo(dtype).max). The axis shows log10 itself: a log-scale axis cannot reach 1.8e308. Where two types
    hold the same values their curves coincide: the one that stays finite longer is drawn wide and pale underneath,
    the shorter one dashed on top, so that both show. Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    finite = {name: int(np.sum(np.isfinite(np.asarray(v, dtype=float)))) for name, v in largest.items()}
    on_top = sorted(largest, key=lambda name: -finite[name])  # longest first, underneath
    for i, (name, values) in enumerate(largest.items()):
        values = np.asarray(values, dtype=float)
        ok = np.isfinite(values) & (values > 0)
        layers = np.arange(values.size)
        limit = float(np.log10(np.finfo(name).max))
        rank = on_top.index(name)
        ax.plot(layers[ok], np.log10(values[ok]), color=f"C{i}", label=f"{name}: largest |entry| of a_l",
                linewidth=max(1.5, 5.0 - 3.0 * rank), alpha=0.5 if rank == 0 and len(largest) > 1 else 1.0,
                linestyle="-" if rank == 0 else "--", zorder=2 + rank)
        ax.axhline(limit, color=f"C{i}", linestyle=":", label=f"largest {name}, 10**{limit:.1f}")
        bad = _first_bad(values)
        if bad is not None:
            ax.plot([bad], [limit], "x", color=f"C{i}", markersize=10, label=f"{name}: inf from layer {bad}")
    ax.set_xlabel("layer l")
    ax.set_ylabel("log10 of the largest |entry|")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_random_products(products: dict, identity_scales=(1.0,), ax=None, title: str | None = None):
    """The size of a product of l random matrices against l, one thin line per draw, next to (scale * I)**l.

    Inputs:
    - products: label -> shape (trials, L + 1), ||P_l||_F / sqrt(n) for l = 0..L of each draw
      (helpers.deep_signal.random_product_norms); one colour per label, the median over the draws drawn thick
    - identity_scales: the scales s whose (s * I)**l, exactly s**l, is drawn in black (dashed, dotted, ...)
    - title: the finding the plot shows

    Values that are inf, NaN or 0 cannot be drawn on a log scale and are left out. Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2))
    L = 0
    for i, (label, norms) in enumerate(products.items()):
        norms = np.atleast_2d(np.asarray(norms, dtype=float))
        layers = np.arange(norms.shape[1])
        L = max(L, norms.shape[1] - 1)
        for row in norms:
            ok = np.isfinite(row) & (row > 0)
            ax.plot(layers[ok], row[ok], color=f"C{i}", linewidth=0.6, alpha=0.35)
        median = np.median(norms, axis=0)
        ok = np.isfinite(median) & (median > 0)
        ax.plot(layers[ok], median[ok], color=f"C{i}", linewidth=2.2,
                label=f"{label}: {norms.shape[0]} draws, median thick")
    for scale, style in zip(identity_scales, ["--", ":", "-."] * len(identity_scales)):
        ax.plot(np.arange(L + 1), float(scale) ** np.arange(L + 1), color="k", linestyle=style, linewidth=1.2,
                label=f"({scale:g}·I)**l = {scale:g}**l, for comparison")
    return log_axes(ax, "number of matrices multiplied, l", "‖P_l‖_F / ‖I‖_F (log scale)", title)
