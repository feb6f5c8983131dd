"""What the plots share: one colour per initialization scheme, the ending of a plot on log axes, and the ending
of a figure of small multiples."""

from __future__ import annotations

__all__ = ["SCHEME_COLORS", "scheme_color", "log_axes", "finish_panels"]

SCHEME_COLORS = {"zeros": "C7", "large": "C3", "xavier": "C0", "glorot": "C2", "he": "C1"}


def scheme_color(label: str, i: int) -> str:
    """The scheme's colour when the label starts with a scheme's name ("he", "he, relu"), else a colour of its own."""
    name = str(label).replace(",", " ").split()
    return SCHEME_COLORS.get(name[0] if name else "", f"C{(i + 4) % 10}")


def log_axes(ax, xlabel: str, ylabel: str, title: str | None = None, logx: bool = False, logy: bool = True,
             **legend):
    """End a plot whose y axis (and x axis if `logx`) has a log scale: the scales, the labels, grid lines at the
    major ticks, the legend (`legend` as keywords of ax.legend, fontsize 8 unless given) and the title if any.
    Returns the axes."""
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(**{"fontsize": 8, **legend})
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def finish_panels(fig, axes, suptitle: str = ""):
    """End a figure of panels side by side: grid lines at the major ticks and a small legend on each, the
    figure's title if any, a tight layout. Returns the figure."""
    for ax in axes:
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
