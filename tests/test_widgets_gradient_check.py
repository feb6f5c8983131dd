"""Do the gradient-checking explorers compute what the notebook teaches when their controls move, without a browser?"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.widgets.gradient_check import FUNCTIONS, DropoutCheckExplorer, EpsilonExplorer  # noqa: E402


@pytest.fixture
def epsilon_explorer():
    return EpsilonExplorer()


def test_the_epsilon_slider_spans_thirteen_decades_on_a_log_scale(epsilon_explorer):
    slider = epsilon_explorer.epsilon_slider
    assert (slider.base, slider.min, slider.max) == (10, -13, 0)
    assert set(epsilon_explorer.dtype_menu.options) == {"float64", "float32"}
    assert set(epsilon_explorer.function_menu.options) == set(FUNCTIONS)


def test_moving_epsilon_updates_the_errors_at_that_epsilon(epsilon_explorer):
    epsilon_explorer.epsilon_slider.value = 1e-2
    # exp at 1: one-sided error ~ e eps / 2, two-sided ~ e eps**2 / 6
    assert epsilon_explorer.error is None
    assert epsilon_explorer.at_epsilon["one-sided"] == pytest.approx(np.e * 1e-2 / 2, rel=0.01)
    assert epsilon_explorer.at_epsilon["two-sided"] == pytest.approx(np.e * 1e-4 / 6, rel=0.01)
    assert epsilon_explorer.figure is not None


def test_float32_moves_the_best_epsilon_up_and_the_best_error_up(epsilon_explorer):
    best64 = epsilon_explorer.best_epsilon["two-sided"]
    error64 = epsilon_explorer.errors["two-sided"].min()
    epsilon_explorer.dtype_menu.value = "float32"
    assert epsilon_explorer.best_epsilon["two-sided"] > 10 * best64
    assert epsilon_explorer.errors["two-sided"].min() > 1e3 * error64
    epsilon_explorer.epsilon_slider.value = 1e-7
    assert epsilon_explorer.at_epsilon["two-sided"] > 1e-2 * np.e  # useless at the float64 step


def test_the_cube_has_a_two_sided_error_of_exactly_epsilon_squared(epsilon_explorer):
    epsilon_explorer.function_menu.value = "x³ at x = 2"
    epsilon_explorer.epsilon_slider.value = 1e-2
    assert epsilon_explorer.at_epsilon["two-sided"] == pytest.approx(1e-4, rel=1e-8)


@pytest.fixture
def dropout_explorer():
    return DropoutCheckExplorer(keep_prob=1.0, frozen=False)


def test_without_dropout_the_trusted_backward_passes_and_the_planted_one_fails(dropout_explorer):
    assert dropout_explorer.error is None and dropout_explorer.verdict == "passes"
    assert max(dropout_explorer.per_parameter.values()) < 1e-7
    dropout_explorer.backward_menu.value = "with planted bugs"
    bad = {k for k, v in dropout_explorer.per_parameter.items() if v > 1e-3}
    assert bad == {"W1", "W2", "b3"} and dropout_explorer.verdict == "fails"


def test_a_fresh_mask_fails_the_check_and_a_frozen_one_passes(dropout_explorer):
    dropout_explorer.keep_prob_slider.value = 0.8
    assert dropout_explorer.verdict == "fails" and dropout_explorer.difference > 1e-3
    dropout_explorer.mask_menu.value = True
    assert dropout_explorer.verdict == "passes" and max(dropout_explorer.per_parameter.values()) < 1e-7
    assert dropout_explorer.figure is not None


def test_a_students_check_is_used_and_its_errors_become_a_message():
    calls = []

    def my_check(parameters, gradients, cost):
        calls.append(cost(parameters))
        return 0.5, {k: 0.5 for k in parameters}

    explorer = DropoutCheckExplorer(check=my_check, keep_prob=1.0)
    assert calls and explorer.difference == 0.5 and explorer.verdict == "fails"

    def unfinished(parameters, gradients, cost):
        raise NotImplementedError()

    explorer = DropoutCheckExplorer(check=unfinished)
    assert explorer.per_parameter is None and "not implemented yet" in explorer.error
