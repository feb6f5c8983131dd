"""Plots of assignment 04: the error of finite differences against epsilon, and relative differences per parameter."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._style import log_axes

__all__ = ["THRESHOLDS", "plot_epsilon_errors", "plot_relative_differences"]

#: How to read a relative difference: (value, what it means, colour). Below the first: right.
THRESHOLDS = ((1e-7, "1e-7: right below", "tab:green"),
              (1e-5, "1e-5: look closer", "tab:orange"),
              (1e-3, "1e-3: a bug above", "tab:red"))

_FLOOR = 1e-17  # zeros cannot be drawn on a log scale: they are drawn at this floor


def plot_epsilon_errors(epsilons, errors: dict, ax=None, title: str | None = None, mark: float | None = 1e-7,
                        guides: bool = True):
    """Absolute error of finite-difference derivatives against the step epsilon, on log-log axes.

    Inputs:
    - epsilons: shape (k,), the steps
    - errors: {label: shape (k,)}, e.g. the output of helpers.gradient_check.finite_difference_errors
    - ax: axes to draw on (a new figure if None)
    - title: the finding the plot shows
    - mark: an epsilon to mark with a vertical line (the usual 1e-7), or None
    - guides: draw dotted slopes O(eps) and O(eps**2) through the right end of the "one-sided" and "two-sided"
      curves, where truncation dominates, to read off the order of each formula

    Zeros (a difference that is exact to the last bit) are drawn at 1e-17. Returns the axes.
    """
    eps = np.asarray(epsilons, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2))
    for i, (label, values) in enumerate(errors.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != eps.shape:
            raise ValueError(f"errors[{label!r}] has shape {values.shape}, epsilons {eps.shape}")
        shown = np.where(np.isfinite(values), np.maximum(values, _FLOOR), np.nan)
        ax.loglog(eps, shown, marker=".", label=label, color=f"C{i}")
    if guides and len(errors):
        right = int(np.argmax(eps))
        lo = eps >= eps[right] * 1e-4
        labels = list(errors)
        for power, text in ((1, "O(ε)"), (2, "O(ε²)")):
            # through the right end of the curve of that order if there is one ("one-sided", "two-sided")
            label = next((l for l in labels if l.startswith(("one", "two")[power - 1])), labels[0])
            top = float(np.asarray(errors[label], dtype=float)[right])
            if not np.isfinite(top) or top <= 0:
                continue
            guide = top * (eps[lo] / eps[right]) ** power
            ax.loglog(eps[lo], guide, ":", color="gray", linewidth=1.2)
            ax.annotate(text, (eps[lo][0], guide[0]), color="gray", fontsize=9, ha="right", va="center")
    if mark is not None:
        ax.axvline(mark, color="k", linewidth=0.8, linestyle="--")
        ax.annotate(f"ε = {mark:g}", (mark, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
                    textcoords="offset points", fontsize=9)
    return log_axes(ax, "step ε (log scale)", "|difference quotient − f′(x)| (log scale)", title, logx=True,
                    fontsize=9, loc="lower left" if eps.size else "best")


def plot_relative_differences(per_parameter: dict, ax=None, title: str | None = None, thresholds=THRESHOLDS):
    """One bar per parameter: the relative difference of its gradient block, on a log scale.

    Inputs:
    - per_parameter: {"W1": float, "b1": float, ...}, e.g. the second output of gradient_check
    - ax: axes to draw on (a new figure if None)
    - title: the finding the plot shows
    - thresholds: (value, label, colour) lines drawn across, by default 1e-7 / 1e-5 / 1e-3

    Each bar takes the colour of the zone it reaches (green below 1e-7 ... red above 1e-3); zeros are drawn at
    1e-17 and NaN or inf as a hatched bar at the top. Returns the axes.
    """
    if not isinstance(per_parameter, dict) or not per_parameter:
        raise ValueError("per_parameter must be a non-empty dict {name: relative difference}")
    names = list(per_parameter)
    values = np.array([float(per_parameter[n]) for n in names])
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    top = 10.0
    shown = np.where(np.isfinite(values), np.clip(values, _FLOOR, top), top)
    colours = []
    for v in values:
        colour = thresholds[0][2]
        for value, _, c in thresholds[1:]:
            if not np.isfinite(v) or v >= value:
                colour = c
        colours.append(colour)
    bars = ax.bar(names, shown, color=colours, bottom=_FLOOR)
    for bar, v in zip(bars, values):
        if not np.isfinite(v):
            bar.set_hatch("//")
        ax.annotate(f"{v:.1e}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom",
                    fontsize=8, xytext=(0, 2), textcoords="offset points")
    for value, label, colour in thresholds:
        ax.axhline(value, color=colour, linestyle="--", linewidth=1)
        ax.annotate(label, (1.0, value), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8, color=colour)
    ax.set_yscale("log")
    ax.set_ylim(1e-13, top * 10)
    ax.set_xlabel("parameter")
    ax.set_ylabel("relative difference (log scale)")
    if title:
        ax.set_title(title, fontsize=10)
    return ax
