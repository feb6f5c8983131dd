"""Does a student who runs an explorer in JupyterLab and moves its sliders see the plot and the numbers follow?

Each test opens a notebook of notebooks/ in a real JupyterLab, runs all its cells from the Run menu, moves the
sliders with the keyboard or by typing in their readout (as a person would), and checks the text the widget shows
against what the explorer's own class computes for the same settings in this process, and that the plot is redrawn.
Screenshots of every state land in test-artifacts/browser/.
"""

from __future__ import annotations

import math
import re

import matplotlib

matplotlib.use("Agg")  # the oracle explorers below are built outside a kernel

import pytest  # noqa: E402
from playwright.sync_api import Locator, expect  # noqa: E402

from .jupyterlab import (  # noqa: E402
    dropdown, image_source, open_notebook, press_on_slider, run_all_cells, slider, type_in_readout,
    wait_for_new_image, wait_until_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def widget_area(panel: Locator) -> Locator:
    """The output area of the cell that shows the explorer (its sliders, its plot, its text)."""
    area = panel.locator(".jp-Cell-outputArea").filter(has=panel.page.locator(".widget-slider"))
    expect(area).to_have_count(1)
    return area


# --- 02: depth and weight scale -------------------------------------------------------------------------------

def expected_forward(depth: int, scale: float) -> re.Pattern:
    """The forward line the depth explorer prints for identity weights, linear g, `depth` layers and `scale`."""
    from helpers.widgets.depth import DepthExplorer

    oracle = DepthExplorer(depth=depth, scale=scale)
    ratio = oracle.activation_norms[-1] / oracle.activation_norms[0]
    return re.compile(rf"a_0 -> a_L:\s+{oracle.diagnosis}\s.*=\s*{re.escape(f'{ratio:.3g}')}")


def test_depth_and_scale_sliders_make_the_signal_explode_and_vanish(page, lab, artifacts):
    panel = open_notebook(page, lab, "notebooks/02_vanishing_exploding_explorer.ipynb")
    run_all_cells(page)
    wait_until_idle(panel)
    area = widget_area(panel)
    depth, scale = slider(area, "depth L"), slider(area, "scale")
    output = area.locator(".widget-output")
    expect(depth.locator(".widget-readout")).to_have_text("50")
    expect(scale.locator(".widget-readout")).to_have_text("1.10")
    expect(output).to_contain_text(expected_forward(50, 1.1))
    wait_until_idle(panel)
    area.screenshot(path=artifacts / "02_explorer-1-start-L50-scale1.10-stable.png")
    plot = image_source(output)

    # a hundred layers: typed into the depth readout, then the scale handle pushed to its end with the End key
    type_in_readout(depth, "100")
    expect(output).to_contain_text(expected_forward(100, 1.1))
    plot = wait_for_new_image(output, plot)
    press_on_slider(scale, "End")
    expect(scale.locator(".widget-readout")).to_have_text("1.50")
    expect(output).to_contain_text(expected_forward(100, 1.5))
    expect(output).to_contain_text(re.compile(r"a_0 -> a_L:\s+exploding"))
    plot = wait_for_new_image(output, plot)
    area.screenshot(path=artifacts / "02_explorer-2-L100-scale1.50-exploding.png")

    # Home: the smallest scale, 0.5, and the same hundred layers
    press_on_slider(scale, "Home")
    expect(scale.locator(".widget-readout")).to_have_text("0.50")
    expect(output).to_contain_text(expected_forward(100, 0.5))
    expect(output).to_contain_text(re.compile(r"a_0 -> a_L:\s+vanishing"))
    plot = wait_for_new_image(output, plot)
    area.screenshot(path=artifacts / "02_explorer-3-L100-scale0.50-vanishing.png")

    # small moves with the arrow keys: one layer fewer, one step of 0.01 more
    press_on_slider(depth, "ArrowLeft")
    expect(depth.locator(".widget-readout")).to_have_text("99")
    press_on_slider(scale, "ArrowRight")
    expect(scale.locator(".widget-readout")).to_have_text("0.51")
    expect(output).to_contain_text(expected_forward(99, 0.51))
    plot = wait_for_new_image(output, plot)

    # scale 1: the signal keeps its norm through any depth
    type_in_readout(scale, "1.00")
    expect(output).to_contain_text(expected_forward(99, 1.0))
    expect(output).to_contain_text(re.compile(r"a_0 -> a_L:\s+stable"))
    wait_for_new_image(output, plot)
    wait_until_idle(panel)
    area.screenshot(path=artifacts / "02_explorer-4-L99-scale1.00-stable.png")


# --- 01: feature-scale ratio and learning rate ----------------------------------------------------------------

def summary_row(area: Locator, features: str) -> Locator:
    """The row of the explorer's summary table for "raw" or "normalized" features."""
    cell = area.page.locator("td", has_text=re.compile(rf"^{features}$"))
    row = area.locator(".widget-html tr").filter(has=cell)
    expect(row).to_have_count(1)
    return row


def on_grid(log_slider, value: float) -> float:
    """The value a FloatLogSlider holds once the browser snaps `value` to its grid base**(min + k * step)."""
    k = round((math.log(value, log_slider.base) - log_slider.min) / log_slider.step)
    return log_slider.base ** (log_slider.min + k * log_slider.step)


def expect_summary(area: Locator, ratio: float, learning_rate: float) -> None:
    """The summary table shows the condition numbers and steps the explorer computes for these settings."""
    from helpers.widgets.normalization import NormalizationExplorer

    grid = NormalizationExplorer(ratio=ratio, learning_rate=learning_rate)
    oracle = NormalizationExplorer(ratio=on_grid(grid.ratio, ratio),
                                   learning_rate=on_grid(grid.learning_rate, learning_rate))
    for features in ("raw", "normalized"):
        row = summary_row(area, features)
        expect(row).to_contain_text(f"{oracle.condition[features]:,.1f}")
        if oracle.runs[features].diverged:
            expect(row).to_contain_text("diverges")
        else:
            expect(row).not_to_contain_text("diverges")
            if oracle.steps[features] != float("inf"):
                expect(row).to_contain_text(f"{int(oracle.steps[features]):,}")


def test_scale_ratio_and_learning_rate_sliders_update_condition_numbers_and_steps(page, lab, artifacts):
    panel = open_notebook(page, lab, "notebooks/01_normalization_explorer.ipynb")
    run_all_cells(page)
    wait_until_idle(panel)
    area = widget_area(panel)
    ratio, rate = slider(area, "scale ratio"), slider(area, "learning rate")
    output = area.locator(".widget-output")
    expect(ratio.locator(".widget-readout")).to_have_text("10.0")
    # The notebook asks for 0.015; the explorer starts on the nearest slider position, 10**-1.8 = 0.0158.
    expect(rate.locator(".widget-readout")).to_have_text("0.0158")
    expect_summary(area, 10.0, 0.015)
    wait_until_idle(panel)
    area.screenshot(path=artifacts / "01_explorer-1-start-ratio10-lr0.0158.png")
    plot = image_source(output)

    # End: feature 2 a hundred times larger than feature 1; the raw cost surface is too steep for this rate
    press_on_slider(ratio, "End")
    expect(ratio.locator(".widget-readout")).to_have_text("100")
    expect_summary(area, 100.0, 0.015)
    expect(summary_row(area, "raw")).to_contain_text("diverges")
    expect(summary_row(area, "normalized")).not_to_contain_text("diverges")
    plot = wait_for_new_image(output, plot)
    area.screenshot(path=artifacts / "01_explorer-2-ratio100-lr0.0158-raw-diverges.png")

    # Home: the smallest learning rate converges on raw features too, after hundreds of thousands of steps
    press_on_slider(rate, "Home")
    expect(rate.locator(".widget-readout")).to_have_text("0.0000100")
    expect_summary(area, 100.0, 1e-5)
    plot = wait_for_new_image(output, plot)
    raw_steps = summary_row(area, "raw").locator("td").last.inner_text()

    # one arrow step up (10**0.05 times larger): fewer steps
    press_on_slider(rate, "ArrowRight")
    expect(rate.locator(".widget-readout")).to_have_text("0.0000112")
    expect(summary_row(area, "raw").locator("td").last).not_to_have_text(raw_steps)
    wait_for_new_image(output, plot)
    wait_until_idle(panel)
    area.screenshot(path=artifacts / "01_explorer-3-ratio100-lr1.12e-5-raw-converges-slowly.png")


# --- 05: the Jacobian's spectrum against depth, weights, gain and activation ----------------------------------

def expected_spectrum(depth: int, weights: str, gain: float, activation: str) -> str:
    """The line the spectrum explorer prints for these settings, as its own class computes it here."""
    from helpers.widgets.signal_propagation import SignalPropagationExplorer

    oracle = SignalPropagationExplorer(depth=depth, weights=weights, gain_value=gain, activation=activation)
    return f"{activation}, {weights}, gain {gain:.2f}, L = {depth}: {oracle.summary()}"


def test_depth_weights_gain_and_activation_move_the_jacobian_spectrum(page, lab, artifacts):
    panel = open_notebook(page, lab, "notebooks/05_signal_propagation_explorer.ipynb")
    run_all_cells(page)
    wait_until_idle(panel)
    # two explorers in this notebook: the spectrum's is the output area with the depth slider
    depth_label = page.locator("label.widget-label", has_text=re.compile(r"^\s*depth L\s*$"))
    area = panel.locator(".jp-Cell-outputArea").filter(has=depth_label)
    expect(area).to_have_count(1)
    depth, gain = slider(area, "depth L"), slider(area, "gain")
    weights, activation = dropdown(area, "weights"), dropdown(area, "g(z)")
    output = area.locator(".widget-output")
    expect(depth.locator(".widget-readout")).to_have_text("16")
    expect(gain.locator(".widget-readout")).to_have_text("1.00")
    expect(output).to_contain_text(expected_spectrum(16, "orthogonal", 1.0, "tanh"))
    area.screenshot(path=artifacts / "05_explorer-1-start-tanh-orthogonal-L16.png")
    plot = image_source(output)

    # linear and orthogonal: an exact isometry, at 16 layers and at 100
    activation.select_option("linear")
    expect(output).to_contain_text(expected_spectrum(16, "orthogonal", 1.0, "linear"))
    expect(output).to_contain_text("an isometry")
    plot = wait_for_new_image(output, plot)
    type_in_readout(depth, "100")
    expect(output).to_contain_text(expected_spectrum(100, "orthogonal", 1.0, "linear"))
    expect(output).to_contain_text("an isometry")
    plot = wait_for_new_image(output, plot)
    area.screenshot(path=artifacts / "05_explorer-2-linear-orthogonal-L100-isometry.png")

    # Gaussian weights of the same scale: the spectrum spreads over decades
    weights.select_option("gaussian")
    expect(output).to_contain_text(expected_spectrum(100, "gaussian", 1.0, "linear"))
    expect(output).not_to_contain_text("an isometry")
    plot = wait_for_new_image(output, plot)
    area.screenshot(path=artifacts / "05_explorer-3-linear-gaussian-L100-spread.png")

    # ReLU at its gain, orthogonal, 32 layers: about half the singular values are 0
    weights.select_option("orthogonal")
    activation.select_option("relu")
    type_in_readout(depth, "32")
    type_in_readout(gain, "1.41")
    expect(output).to_contain_text(expected_spectrum(32, "orthogonal", 1.41, "relu"))
    expect(output).to_contain_text("of the singular values are 0")
    plot = wait_for_new_image(output, plot)
    press_on_slider(depth, "ArrowLeft")
    expect(depth.locator(".widget-readout")).to_have_text("31")
    expect(output).to_contain_text(expected_spectrum(31, "orthogonal", 1.41, "relu"))
    wait_for_new_image(output, plot)
    wait_until_idle(panel)
    area.screenshot(path=artifacts / "05_explorer-4-relu-orthogonal-L31-zeros.png")
