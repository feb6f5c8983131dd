"""Do the plots of 02 show every curve they draw?"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from helpers.plots.depth import plot_largest_entries  # noqa: E402


def test_float32_curve_is_not_hidden_under_the_float64_one():
    # the same values in both types up to float32's overflow: the curves coincide there
    up = 1.5 ** np.arange(400.0)
    float32 = np.where(up < np.finfo(np.float32).max, up, np.inf)
    ax = plot_largest_entries({"float32": float32, "float64": up})
    lines = {line.get_label(): line for line in ax.get_lines()}
    short, long = lines["float32: largest |entry| of a_l"], lines["float64: largest |entry| of a_l"]
    assert short.get_zorder() > long.get_zorder(), "the shorter curve must be drawn above the longer one"
    assert short.get_linestyle() != long.get_linestyle() and long.get_linewidth() > short.get_linewidth(), \
        "where they coincide, both must show: the longer wide underneath, the shorter dashed on top"
