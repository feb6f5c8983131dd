"""Does the depth explorer draw what the maths says when its sliders move, without a browser?"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.widgets.depth import DepthExplorer  # noqa: E402
from references import solutions  # noqa: E402

ref = solutions("02_vanishing_exploding")  # the graded functions, from the instructor's notebook
STUDENT = {"forward": ref.deep_linear_forward, "backward": ref.deep_linear_backward, "norms": ref.layer_norms,
           "diagnose": ref.diagnose}


@pytest.fixture
def explorer():
    return DepthExplorer(depth=10, scale=1.0)


def set_values(explorer, depth=None, scale=None, activation=None, weights=None):
    if depth is not None:
        explorer.depth_slider.value = depth
    if scale is not None:
        explorer.scale_slider.value = scale
    if activation is not None:
        explorer.activation_menu.value = activation
    if weights is not None:
        explorer.weights_menu.value = weights


def test_controls_cover_the_ranges_of_the_issue(explorer):
    assert (explorer.depth_slider.min, explorer.depth_slider.max) == (1, 200)
    assert (explorer.scale_slider.min, explorer.scale_slider.max) == (0.5, 1.5) and explorer.scale_slider.step <= 0.01
    assert set(explorer.activation_menu.options) == {"linear", "tanh", "relu"}
    assert {v for _, v in explorer.weights_menu.options} == {"identity", "gaussian"}


@pytest.mark.parametrize("scale,diagnosis", [(1.5, "exploding"), (0.5, "vanishing"), (1.0, "stable")])
def test_a_hundred_identity_layers_are_diagnosed_by_their_scale(explorer, scale, diagnosis):
    set_values(explorer, depth=100, scale=scale)
    assert explorer.error is None
    assert explorer.diagnosis == diagnosis and explorer.gradient_diagnosis == diagnosis


def test_moving_the_depth_slider_redraws_one_norm_per_layer(explorer):
    set_values(explorer, depth=37)
    assert explorer.activation_norms.shape == explorer.gradient_norms.shape == (38,)
    line = explorer.figure.axes[0].lines[0]
    assert len(line.get_xdata()) == 38


def test_consecutive_activation_norms_grow_by_exactly_the_scale_with_identity_weights(explorer):
    set_values(explorer, depth=60, scale=1.37)
    acts, grads = explorer.activation_norms, explorer.gradient_norms
    np.testing.assert_allclose(acts[1:] / acts[:-1], 1.37, rtol=1e-12)
    np.testing.assert_allclose(grads[:-1] / grads[1:], 1.37, rtol=1e-12)  # the backward signal grows toward the input
    np.testing.assert_allclose(explorer.figure.axes[0].lines[0].get_ydata(), acts)


def test_moving_the_scale_slider_changes_the_plotted_data(explorer):
    set_values(explorer, depth=50, scale=0.8)
    before = explorer.figure.axes[0].lines[0].get_ydata().copy()
    set_values(explorer, scale=1.2)
    after = explorer.figure.axes[0].lines[0].get_ydata()
    np.testing.assert_allclose(after / before, (1.2 / 0.8) ** np.arange(51), rtol=1e-10)


def test_gaussian_weights_are_the_same_draw_whatever_the_scale(explorer):
    set_values(explorer, depth=30, weights="gaussian", scale=1.0)
    at_one = explorer.activation_norms.copy()
    set_values(explorer, scale=0.7)
    np.testing.assert_allclose(explorer.activation_norms, at_one * 0.7 ** np.arange(31), rtol=1e-10)


def test_relu_halves_the_energy_so_scale_one_vanishes_over_200_random_layers():
    explorer = DepthExplorer(width=64, depth=200, scale=1.0, activation="relu", weights="gaussian")
    assert explorer.diagnosis == "vanishing"
    assert explorer.activation_norms.shape == (201,)


def test_tanh_saturates_so_large_identity_weights_do_not_explode_forward(explorer):
    set_values(explorer, depth=200, scale=1.5, activation="tanh")
    assert explorer.diagnosis == "stable" and np.all(explorer.activation_norms < 10 * explorer.activation_norms[0])
    assert explorer.gradient_diagnosis == "vanishing"


def test_it_runs_on_functions_passed_in():
    calls = []

    def forward(x, weights):
        calls.append("forward")
        return ref.deep_linear_forward(x, weights)

    def backward(weights, activations, dA_L):
        calls.append("backward")
        return ref.deep_linear_backward(weights, activations, dA_L)

    explorer = DepthExplorer(forward=forward, backward=backward, norms=ref.layer_norms, depth=5)
    assert calls == ["forward", "backward"]
    set_values(explorer, activation="tanh")
    assert calls[2:] == ["forward"] * 5 + ["backward"] * 5  # one linear step per layer around g


def test_unimplemented_functions_give_a_message_not_an_exception():
    def forward(x, weights):
        raise NotImplementedError()

    explorer = DepthExplorer(**{**STUDENT, "forward": forward})
    assert "not implemented yet" in explorer.error and explorer.activation_norms is None
    set_values(explorer, depth=120)  # moving a slider does not raise either
    assert explorer.diagnosis is None


def test_a_crashing_function_is_reported_with_its_error():
    explorer = DepthExplorer(**{**STUDENT, "backward": lambda weights, activations, dA_L: 1 / 0})
    assert "ZeroDivisionError" in explorer.error


def test_set_moves_the_controls_and_redraws_as_the_sliders_do(explorer):
    assert explorer.set(depth=73, scale=1.1) is explorer
    assert (explorer.depth_slider.value, explorer.scale_slider.value) == (73, 1.1)
    assert explorer.activation_norms.shape == (74,) and explorer.diagnosis == "exploding"  # 1.1**73 = 1051
    assert explorer.set(depth=72).diagnosis == "stable"  # 1.1**72 = 956


@pytest.mark.parametrize("settings", [dict(scale=3.0), dict(scale=0.1), dict(depth=500), dict(activation="sigmoid")])
def test_set_refuses_what_a_control_cannot_show_instead_of_clamping_it(explorer, settings):
    before = (explorer.depth_slider.value, explorer.scale_slider.value, explorer.activation_menu.value)
    with pytest.raises(ValueError, match="range|not one of"):
        explorer.set(**settings)
    assert (explorer.depth_slider.value, explorer.scale_slider.value, explorer.activation_menu.value) == before


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu"])
@pytest.mark.parametrize("weights", ["identity", "gaussian"])
def test_its_own_norms_are_those_of_the_graded_functions_of_02(activation, weights):
    settings = dict(depth=40, scale=1.2, activation=activation, weights=weights)
    own, student = DepthExplorer(**settings), DepthExplorer(**STUDENT, **settings)
    np.testing.assert_allclose(own.activation_norms, student.activation_norms, rtol=1e-12)
    np.testing.assert_allclose(own.gradient_norms, student.gradient_norms, rtol=1e-12)
    assert (own.diagnosis, own.gradient_diagnosis) == (student.diagnosis, student.gradient_diagnosis)


def test_only_some_of_the_functions_is_an_error_that_says_to_pass_all_three():
    explorer = DepthExplorer(forward=ref.deep_linear_forward)
    assert "TypeError" in explorer.error and "together" in explorer.error
