"""Does the initialization explorer recompute what the maths says when a menu or a slider moves, without a browser?"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from helpers import initializers
from helpers.widgets.initialization import InitializationExplorer
from references import solutions

ref = solutions("03_initialization")  # the graded functions, from the instructor's notebook


@pytest.fixture
def explorer():
    return InitializationExplorer(scheme="he", activation="relu", depth=50, width=100, compare=False)


def test_he_with_relu_keeps_the_scale_over_50_layers(explorer):
    # Variance-preserving in expectation; with 100 units the log-variance wanders by about sqrt(5 L / n) ~ 1.6,
    # so a factor 4 either way (log 4^2 = 2.8) holds for this fixed seed with room to spare.
    assert explorer.error is None and explorer.stds.shape == (50,)
    ratio = explorer.stds / explorer.stds[0]
    assert np.all((ratio > 0.25) & (ratio < 4)), ratio
    assert explorer.figure is not None


def test_xavier_with_relu_halves_the_variance_at_every_layer(explorer):
    explorer.scheme_menu.value = "xavier"
    ratio = explorer.stds[-1] / explorer.stds[0]
    expected = 2.0 ** (-49 / 2)  # variance halves per layer: std by sqrt(2) per layer, 49 steps from A_1 to A_50
    assert expected / 10 < ratio < expected * 10
    assert "vanishing" in explorer.summary()


def test_zeros_gives_zero_everywhere_and_large_blows_up(explorer):
    explorer.scheme_menu.value = "zeros"
    assert np.all(explorer.stds == 0)
    assert "exactly 0" in explorer.summary()
    explorer.scheme_menu.value = "large"
    # std 10 with ReLU multiplies the scale by about 10 * sqrt(n / 2) ~ 70 per layer
    growth = np.log10(explorer.stds[-1] / explorer.stds[0]) / 49
    assert 1.5 < growth < 2.2
    explorer.depth_slider.value = 200
    assert not np.isfinite(explorer.stds[-1])
    assert "overflow" in explorer.summary()


def test_activation_and_depth_change_what_is_computed(explorer):
    explorer.activation_menu.value = "tanh"
    explorer.scheme_menu.value = "large"
    assert np.all(np.abs(explorer.stds - 1) < 0.05)  # saturated at +-1
    explorer.activation_menu.value = "linear"
    explorer.scheme_menu.value = "xavier"
    explorer.depth_slider.value = 7
    assert explorer.stds.shape == (7,)
    assert np.all(np.abs(np.log(explorer.stds / explorer.stds[0])) < np.log(2))


def test_width_changes_the_network_and_the_result_matches_the_graded_functions(explorer):
    explorer.width_slider.value = 30
    explorer.depth_slider.value = 5
    rng = np.random.default_rng(explorer.seed)
    X = rng.standard_normal((30, explorer.examples))
    params = ref.initialize_parameters([30] * 6, "he", rng)
    np.testing.assert_allclose(explorer.stds, ref.activation_stds(X, params, "relu"), rtol=1e-12)


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu"])
def test_its_own_stds_are_those_of_the_students_functions_on_the_same_draws(activation):
    settings = dict(activation=activation, depth=20, width=24, compare=True)
    own = InitializationExplorer(**settings)
    student = InitializationExplorer(initialize=ref.initialize_parameters, stds=ref.activation_stds, **settings)
    assert set(own.all_stds) == set(student.all_stds) == set(initializers.SCHEMES)
    for method in own.all_stds:
        np.testing.assert_allclose(own.all_stds[method], student.all_stds[method], rtol=1e-12, err_msg=method)


def test_compare_computes_every_scheme_on_the_same_draws():
    explorer = InitializationExplorer(depth=10, width=40, compare=True)
    assert set(explorer.all_stds) == set(initializers.SCHEMES)
    # same Gaussian draws scaled differently: with linear layers the ratio of two schemes is the ratio of stds^L
    explorer.activation_menu.value = "linear"
    ratio = explorer.all_stds["he"] / explorer.all_stds["xavier"]
    np.testing.assert_allclose(ratio, np.sqrt(2) ** np.arange(1, 11), rtol=1e-10)


def test_a_crashing_or_unfinished_student_function_shows_a_message_instead_of_breaking():
    def unfinished(X, parameters, activation):
        raise NotImplementedError()

    def broken(X, parameters, activation):
        raise KeyError("W0")

    explorer = InitializationExplorer(initialize=ref.initialize_parameters, stds=unfinished, depth=3, width=5)
    assert explorer.stds is None and "not implemented" in explorer.error
    explorer = InitializationExplorer(initialize=ref.initialize_parameters, stds=broken, depth=3, width=5)
    assert explorer.stds is None and "KeyError" in explorer.error
    explorer = InitializationExplorer(stds=ref.activation_stds, depth=3, width=5)
    assert explorer.stds is None and "together" in explorer.error


def test_plots_draw_inf_costs_and_all_zero_stds_without_failing():
    import matplotlib.pyplot as plt

    from helpers.plots import initialization as plots

    fig = plots.plot_cost_curves({"large": [np.inf, np.inf, 2.0, 1.0], "he": [0.7, 0.3, 0.1, 0.05]}, record_every=10)
    assert "inf" in " ".join(t.get_text() for t in fig.axes[0].texts)
    ax = plots.plot_activation_stds({"zeros": np.zeros(5), "large": [1.0, 1e200, np.inf, np.nan, np.inf],
                                     "he": np.ones(5)})
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("all 0" in t for t in legend) and any("inf/NaN from layer 3" in t for t in legend)
    X = np.array([[0.0, 1.0, -1.0], [0.0, 1.0, 1.0]])
    ax = plots.plot_decision_boundary(lambda P: (P[0:1] > 0).astype(int), X, np.array([[0, 1, 0]]))
    assert ax.get_xlabel() == "$x_1$"
    fig = plots.plot_activation_histograms({"xavier, relu": [np.zeros((3, 4)), np.ones((3, 4))]}, layers=(1, 2))
    assert len(fig.axes) == 2
    plt.close("all")
