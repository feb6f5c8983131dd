"""Do the gradient-checking tools of helpers do what assignment 04 says they do?

The reference check here is written out in the test (two-sided differences entry by entry), independent of
the notebook's graded functions and of the tools under test.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import gradient_check as gc  # noqa: E402
from helpers import network  # noqa: E402
from helpers.plots.gradient_check import plot_epsilon_errors, plot_relative_differences  # noqa: E402
from references import solutions  # noqa: E402

ref = solutions("04_gradient_checking")  # backward_fixed, the trusted backward pass, from the instructor's notebook


def reference_check(cost, parameters, gradients, epsilon=1e-7):
    """{name: relative difference of the block} from two-sided differences entry by entry."""
    out = {}
    for name, value in parameters.items():
        approx = np.zeros(value.shape)
        for i in range(value.size):
            up = {k: v.copy() for k, v in parameters.items()}
            down = {k: v.copy() for k, v in parameters.items()}
            up[name].flat[i] += epsilon
            down[name].flat[i] -= epsilon
            approx.flat[i] = (cost(up) - cost(down)) / (2 * epsilon)
        g = gradients["d" + name]
        out[name] = np.linalg.norm(g - approx) / (np.linalg.norm(g) + np.linalg.norm(approx))
    return out


def network_and_cost(dims, m, seed, hidden="tanh"):
    X, Y, parameters = gc.toy_problem(dims, m, np.random.default_rng(seed))

    def cost(p):
        return network.bce_cost(network.model_forward(X, p, hidden)[0], Y)

    AL, caches = network.model_forward(X, parameters, hidden)
    return X, Y, parameters, cost, AL, caches


# ----------------------------------------------------------------------------- toy_problem
def test_toy_problem_has_the_course_shapes_and_both_labels():
    X, Y, p = gc.toy_problem([3, 4, 2, 1], 6, np.random.default_rng(0))
    assert X.shape == (3, 6) and Y.shape == (1, 6) and set(np.unique(Y)) == {0.0, 1.0}
    assert [p[k].shape for k in ("W1", "b1", "W2", "b2", "W3", "b3")] == [(4, 3), (4, 1), (2, 4), (2, 1), (1, 2), (1, 1)]
    assert all(np.all(p[f"b{l}"] != 0) for l in (1, 2, 3))


@pytest.mark.parametrize("dims,m,rng,error", [([3, 4, 2], 5, np.random.default_rng(0), ValueError),
                                              ([3], 5, np.random.default_rng(0), ValueError),
                                              ([3, 0, 1], 5, np.random.default_rng(0), ValueError),
                                              ([3, 4, 1], 0, np.random.default_rng(0), ValueError),
                                              ([3, 4, 1], 5, 42, TypeError)])
def test_toy_problem_rejects_bad_inputs(dims, m, rng, error):
    with pytest.raises(error):
        gc.toy_problem(dims, m, rng)


# ----------------------------------------------------------------------------- planted bugs
@pytest.mark.parametrize("hidden", ["tanh", "sigmoid"])
def test_a_full_check_finds_exactly_the_planted_bugs(hidden):
    _, Y, parameters, cost, AL, caches = network_and_cost([2, 4, 3, 1], 8, 4, hidden)
    right = reference_check(cost, parameters, ref.backward_fixed(AL, Y, caches))
    planted = reference_check(cost, parameters, gc.backward_with_planted_bugs(AL, Y, caches))
    assert max(right.values()) < 1e-7
    assert {k for k, v in planted.items() if v > 1e-3} == {"W1", "W2", "b3"}
    assert all(planted[k] < 1e-7 for k in ("b1", "b2", "W3"))


def test_planted_bugs_agree_with_the_trusted_backward_elsewhere_to_round_off():
    _, Y, parameters, _, AL, caches = network_and_cost([3, 5, 4, 2, 1], 7, 2)
    trusted = ref.backward_fixed(AL, Y, caches)
    planted = gc.backward_with_planted_bugs(AL, Y, caches)
    assert sorted(planted) == sorted(trusted)
    for k in trusted:
        assert planted[k].shape == trusted[k].shape
    for k in ("db1", "db2", "db3", "dW4"):
        np.testing.assert_allclose(planted[k], trusted[k], rtol=1e-12, atol=1e-15)


def test_planted_bugs_need_two_layers():
    X, Y, parameters = gc.toy_problem([2, 1], 4, np.random.default_rng(0))
    AL, caches = network.model_forward(X, parameters)
    with pytest.raises(ValueError):
        gc.backward_with_planted_bugs(AL, Y, caches)
    with pytest.raises(ValueError):
        gc.backward_with_planted_bugs(AL, Y[:, :2], caches)


# ----------------------------------------------------------------------------- directional check
@pytest.mark.parametrize("seed", range(8))
def test_the_directional_check_flags_the_planted_bugs_and_passes_the_trusted_backward(seed):
    _, Y, parameters, cost, AL, caches = network_and_cost([2, 16, 16, 1], 32, 100 + seed)
    rng = np.random.default_rng(seed)
    right = gc.directional_check(cost, parameters, ref.backward_fixed(AL, Y, caches), rng, n_directions=3)
    wrong = gc.directional_check(cost, parameters, gc.backward_with_planted_bugs(AL, Y, caches), rng, n_directions=3)
    assert right.worst < 1e-6 and right.difference < 1e-6
    assert wrong.worst > 1e-3 and wrong.difference > 1e-3
    assert right.evaluations == wrong.evaluations == 6
    assert right.numerical.shape == right.analytic.shape == right.differences.shape == (3,)


def test_the_directional_check_restricted_to_one_parameter_locates_the_bugs():
    _, Y, parameters, cost, AL, caches = network_and_cost([2, 4, 3, 1], 8, 4)
    grads = gc.backward_with_planted_bugs(AL, Y, caches)
    located = {k: gc.directional_check(cost, parameters, grads, np.random.default_rng(1), 2, names=[k]).worst
               for k in parameters}
    assert {k for k, v in located.items() if v > 1e-3} == {"W1", "W2", "b3"}
    assert all(located[k] < 1e-7 for k in ("b1", "b2", "W3"))


def test_the_directional_derivative_is_the_gradient_along_u_for_a_quadratic():
    # J = sum(x**2) / 2: gradient x, so the analytic side is x . u and the numerical side matches to round-off
    p = {"W1": np.arange(6.0).reshape(2, 3), "b1": np.array([[1.0], [-2.0]])}
    cost = lambda q: 0.5 * sum(float(np.sum(v**2)) for v in q.values())
    result = gc.directional_check(cost, p, {"dW1": p["W1"], "db1": p["b1"]}, np.random.default_rng(3), 4)
    np.testing.assert_allclose(result.numerical, result.analytic, rtol=1e-8)


def test_the_directional_check_leaves_parameters_alone_and_rejects_bad_inputs():
    _, Y, parameters, cost, AL, caches = network_and_cost([2, 3, 1], 5, 0)
    before = {k: v.copy() for k, v in parameters.items()}
    grads = ref.backward_fixed(AL, Y, caches)
    gc.directional_check(cost, parameters, grads, np.random.default_rng(0))
    assert all(np.array_equal(before[k], parameters[k]) for k in parameters)
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError):
        gc.directional_check(cost, parameters, grads, 0)
    with pytest.raises(TypeError):
        gc.directional_check("cost", parameters, grads, rng)
    with pytest.raises(ValueError):
        gc.directional_check(cost, parameters, grads, rng, n_directions=0)
    with pytest.raises(ValueError):
        gc.directional_check(cost, parameters, grads, rng, epsilon=-1e-5)
    with pytest.raises(ValueError):
        gc.directional_check(cost, parameters, grads, rng, names=["W9"])
    with pytest.raises(ValueError):
        gc.directional_check(cost, parameters, {"dW1": grads["dW1"]}, rng)
    with pytest.raises(TypeError):
        gc.directional_check(cost, [1, 2], grads, rng)


# ----------------------------------------------------------------------------- epsilon sweep
def test_finite_difference_errors_follow_taylor_where_truncation_dominates():
    eps = np.array([1e-1, 1e-2])
    errors = gc.finite_difference_errors(np.exp, np.exp, 1.0, eps)
    # one-sided ~ e eps / 2, two-sided ~ e eps**2 / 6
    np.testing.assert_allclose(errors["one-sided"], np.e * eps / 2, rtol=0.06)
    np.testing.assert_allclose(errors["two-sided"], np.e * eps**2 / 6, rtol=0.01)


def test_float32_round_off_is_far_above_float64_at_small_epsilon():
    eps = np.array([1e-7])
    e64 = gc.finite_difference_errors(np.exp, np.exp, 1.0, eps, dtype=np.float64)["two-sided"][0]
    e32 = gc.finite_difference_errors(np.exp, np.exp, 1.0, eps, dtype=np.float32)["two-sided"][0]
    assert e64 < 1e-8 and e32 > 1e-2


def test_finite_difference_errors_rejects_bad_inputs():
    with pytest.raises(ValueError):
        gc.finite_difference_errors(np.exp, np.exp, 1.0, [1e-3, 0.0])
    with pytest.raises(ValueError):
        gc.finite_difference_errors(np.exp, np.exp, 1.0, [])
    with pytest.raises(TypeError):
        gc.finite_difference_errors(np.exp, np.exp, 1.0, [1e-3], dtype=int)
    with pytest.raises(TypeError):  # a function that silently goes back to float64
        gc.finite_difference_errors(lambda x: np.asarray(x, dtype=np.float64), np.exp, 1.0, [1e-3], dtype=np.float32)


# ----------------------------------------------------------------------------- dropout
def test_a_fresh_mask_changes_the_cost_and_a_frozen_one_does_not():
    X, Y, parameters = gc.toy_problem([2, 6, 5, 1], 10, np.random.default_rng(0))
    fresh = gc.dropout_cost(X, Y, 0.7, np.random.default_rng(1), frozen=False)
    frozen = gc.dropout_cost(X, Y, 0.7, np.random.default_rng(1), frozen=True)
    assert fresh.cost(parameters) != fresh.cost(parameters)
    assert frozen.cost(parameters) == frozen.cost(parameters)
    off = gc.dropout_cost(X, Y, 1.0, np.random.default_rng(1), frozen=False)
    assert off.cost(parameters) == network.bce_cost(network.model_forward(X, parameters, "tanh")[0], Y)


def test_a_frozen_mask_makes_the_gradients_those_of_the_cost():
    X, Y, parameters = gc.toy_problem([2, 4, 3, 1], 8, np.random.default_rng(3))
    frozen = gc.dropout_cost(X, Y, 0.6, np.random.default_rng(2), frozen=True)
    assert max(reference_check(frozen.cost, parameters, frozen.gradients(parameters)).values()) < 1e-7
    fresh = gc.dropout_cost(X, Y, 0.6, np.random.default_rng(2), frozen=False)
    assert max(reference_check(fresh.cost, parameters, fresh.gradients(parameters)).values()) > 1e-3


def test_dropout_cost_rejects_bad_inputs():
    X, Y, _ = gc.toy_problem([2, 3, 1], 4, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    for keep_prob in (0.0, 1.5, True, "0.5"):
        with pytest.raises(ValueError):
            gc.dropout_cost(X, Y, keep_prob, rng, frozen=True)
    with pytest.raises(TypeError):
        gc.dropout_cost(X, Y, 0.5, rng, frozen="yes")
    with pytest.raises(TypeError):
        gc.dropout_cost(X, Y, 0.5, 7, frozen=True)
    with pytest.raises(ValueError):
        gc.dropout_cost(X, Y[:, :2], 0.5, rng, frozen=True)


# ----------------------------------------------------------------------------- counting and plots
def test_counting_cost_counts_every_call_and_passes_results_through():
    counted = gc.CountingCost(lambda p: 2.5)
    assert [counted({}) for _ in range(3)] == [2.5] * 3 and counted.calls == 3
    with pytest.raises(TypeError):
        gc.CountingCost(3)


def test_the_plots_draw_every_curve_and_bar_with_the_thresholds():
    eps = np.logspace(-10, 0, 11)
    ax = plot_epsilon_errors(eps, gc.finite_difference_errors(np.exp, np.exp, 1.0, eps), title="t")
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel()
    ax = plot_relative_differences({"W1": 1e-9, "b1": 0.0, "W2": 0.5, "b2": np.nan}, title="t")
    assert len(ax.patches) == 4 and ax.get_yscale() == "log"
    assert sorted(line.get_ydata()[0] for line in ax.lines) == [1e-7, 1e-5, 1e-3]
    with pytest.raises(ValueError):
        plot_relative_differences({})


# ----------------------------------------------------------------------------- naming mistakes
def test_distinct_mistakes_drops_a_mistake_that_gives_the_right_value():
    kept = gc.distinct_mistakes(1.0, {"right by chance": 1.0 + 1e-12, "doubled": 2.0})
    assert kept == {"doubled": 2.0}


def test_distinct_mistakes_drops_two_mistakes_that_give_the_same_value():
    kept = gc.distinct_mistakes(np.array([0.5]), {"a": np.array([1.0]), "b": np.array([1.0]), "c": np.array([3.0])})
    assert list(kept) == ["c"]


def test_distinct_mistakes_keeps_values_of_another_shape_and_nan():
    flat, nan = np.arange(6.0), np.nan
    kept = gc.distinct_mistakes(np.arange(6.0).reshape(2, 3), {"flat": flat, "nan": nan})
    assert set(kept) == {"flat", "nan"}
    assert gc.distinct_mistakes(np.nan, {"nan": np.nan}) == {}


def test_distinct_mistakes_uses_the_tolerance_of_the_check():
    assert gc.distinct_mistakes(1.0, {"close": 1.0 + 1e-6}, rtol=1e-5) == {}
    assert gc.distinct_mistakes(1.0, {"close": 1.0 + 1e-6}, rtol=1e-9) == {"close": 1.0 + 1e-6}
