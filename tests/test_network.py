"""Is helpers.network's backward pass the gradient of its forward pass, and does it reject what it cannot use?"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import network
from references import solutions
from support import numerical_gradient

ref = solutions("03_initialization")  # the graded functions of 03, from the instructor's notebook
initialize = ref.initialize_parameters


def _problem(hidden_dims=(4, 3), m=7, seed=0):
    rng = np.random.default_rng(seed)
    dims = [3, *hidden_dims, 1]
    params = initialize(dims, "xavier", rng)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}  # non-zero biases too
    X = rng.standard_normal((3, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y, params


def _numerical_gradients(X, Y, params, hidden, eps=1e-6):
    params = {k: v.copy() for k, v in params.items()}  # numerical_gradient changes each entry in place, then restores it

    def cost():
        return network.bce_cost(network.model_forward(X, params, hidden)[0], Y)

    return {"d" + key: numerical_gradient(cost, value, eps) for key, value in params.items()}


@pytest.mark.parametrize("hidden", network.HIDDEN)
def test_cost_and_gradients_match_two_sided_differences(hidden):
    # Two-sided differences with eps=1e-6 in float64 have an error of about eps**2 (truncation) + 1e-16/eps
    # (round-off), i.e. ~1e-10 absolute; the relative difference of the whole gradient should be below 1e-7.
    # ReLU's kink is a measure-zero event for these random inputs.
    X, Y, params = _problem()
    cost, grads = network.cost_and_gradients(X, Y, params, hidden)
    numeric = _numerical_gradients(X, Y, params, hidden)
    assert set(grads) == set(numeric)
    a = np.concatenate([grads[k].ravel() for k in sorted(grads)])
    b = np.concatenate([numeric[k].ravel() for k in sorted(grads)])
    assert np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)) < 1e-7
    for k in grads:
        assert grads[k].shape == params[k[1:]].shape


def test_linear_and_activation_layers_are_forward_backward_pairs():
    rng = np.random.default_rng(1)
    A_prev, W, b = rng.standard_normal((4, 5)), rng.standard_normal((3, 4)), rng.standard_normal((3, 1))
    Z, cache = network.linear_forward(A_prev, W, b)
    np.testing.assert_allclose(Z, W @ A_prev + b)
    dZ = rng.standard_normal((3, 5))
    dA_prev, dW, db = network.linear_backward(dZ, cache)
    np.testing.assert_allclose(dA_prev, W.T @ dZ)
    np.testing.assert_allclose(dW, dZ @ A_prev.T)
    np.testing.assert_allclose(db, dZ.sum(axis=1, keepdims=True))
    for kind, derivative in [("relu", lambda z: (z > 0) * 1.0), ("tanh", lambda z: 1 - np.tanh(z) ** 2),
                             ("sigmoid", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2), ("linear", np.ones_like)]:
        A, act_cache = network.activation_forward(Z, kind)
        np.testing.assert_allclose(network.activation_backward(dZ, act_cache), dZ * derivative(Z), rtol=1e-12, atol=1e-15)


def test_sigmoid_never_overflows_and_cost_handles_sure_predictions():
    with np.errstate(all="raise"):
        A, _ = network.activation_forward(np.array([[-1000.0, 0.0, 1000.0]]), "sigmoid")
    np.testing.assert_allclose(A, [[0.0, 0.5, 1.0]])
    assert network.bce_cost(np.array([[0.0, 1.0]]), np.array([[0, 1]])) == 0.0
    assert network.bce_cost(np.array([[1.0, 0.5]]), np.array([[0, 1]])) == np.inf
    assert network.bce_cost(np.array([[0.5, 0.5]]), np.array([[0, 1]])) == pytest.approx(np.log(2))


def test_dropout_keeps_the_expected_value_and_draws_nothing_when_off():
    A = np.ones((200, 500))
    out, cache = network.dropout_forward(A, 1.0, None)
    assert out is A and cache is None
    dropped, cache = network.dropout_forward(A, 0.8, np.random.default_rng(0))
    assert abs(dropped.mean() - 1.0) < 6 * np.sqrt(0.2 / 0.8 / A.size)  # 6 standard errors of the mean
    np.testing.assert_array_equal(network.dropout_backward(A, cache), dropped)
    with pytest.raises(ValueError):
        network.dropout_forward(A, 0.0, np.random.default_rng(0))
    with pytest.raises(TypeError):
        network.dropout_forward(A, 0.5, None)


@pytest.mark.parametrize("bad,error,match", [
    ({"W1": np.ones((2, 3))}, ValueError, "keys"),
    ({"W1": np.ones((2, 3)), "b1": np.ones((3, 1))}, ValueError, "b1"),
    ({"W1": np.ones((2, 3)), "b1": np.ones((2, 1)), "W2": np.ones((1, 4)), "b2": np.ones((1, 1))}, ValueError, "follow"),
    ({"W1": [[1.0, 2.0, 3.0]], "b1": np.ones((1, 1))}, TypeError, "numpy array"),
    ([np.ones((2, 3))], TypeError, "dict"),
])
def test_bad_parameters_are_rejected_with_a_message(bad, error, match):
    with pytest.raises(error, match=match):
        network.model_forward(np.ones((3, 4)), bad)


def test_bad_inputs_are_rejected_with_a_message():
    _, _, params = _problem()
    with pytest.raises(ValueError, match="features"):
        network.model_forward(np.ones((5, 4)), params)
    with pytest.raises(ValueError, match="dimensions"):
        network.model_forward(np.ones(3), params)
    with pytest.raises(ValueError, match="activation"):
        network.model_forward(np.ones((3, 4)), params, hidden="softmax")


def test_train_lowers_the_cost_and_leaves_the_start_untouched():
    X, Y, params = _problem(m=40)
    start = {k: v.copy() for k, v in params.items()}
    trained, costs = network.train(X, Y, params, learning_rate=0.5, num_iterations=300, record_every=10)
    assert all(np.array_equal(start[k], params[k]) for k in params)
    assert costs.shape == (30,) and costs[-1] < costs[0]
    assert network.predict(X, trained).shape == (1, 40)
    assert set(np.unique(network.predict(X, trained))) <= {0, 1}
    assert 0.0 <= network.accuracy(X, Y, trained) <= 1.0


# ----------------------------------------------------------------------------- diagnostics at initialization

def test_std_profiles_match_the_graded_activation_stds_trial_by_trial():
    # the same draws in the same order: trial t draws X, then W_1..W_L, as one vectorized call does
    width, depth, trials = 6, 4, 3
    stds = network.std_profiles(width, depth, np.sqrt(2 / width), "relu", trials, np.random.default_rng(5), examples=7)
    assert stds.shape == (trials, depth)
    rng = np.random.default_rng(5)
    X = rng.standard_normal((trials, width, 7))
    Ws = [rng.standard_normal((trials, width, width)) * np.sqrt(2 / width) for _ in range(depth)]
    for t in range(trials):
        params = {k: v for l in range(1, depth + 1)
                  for k, v in ((f"W{l}", Ws[l - 1][t]), (f"b{l}", np.zeros((width, 1))))}
        np.testing.assert_allclose(stds[t], ref.activation_stds(X[t], params, "relu"), rtol=1e-12)


def test_std_profiles_of_narrow_he_relu_networks_die_and_stay_dead():
    stds = network.std_profiles(3, 60, np.sqrt(2 / 3), "relu", 200, np.random.default_rng(0))
    dead = stds == 0
    assert dead[:, -1].mean() > 0.5, "width 3 and depth 60: most He/ReLU networks should be dead"
    assert (dead[:, :-1] <= dead[:, 1:]).all(), "a layer of zeros gives zeros after it"


def test_layer_diagnostics_shapes_and_definitions():
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((2, 30)), (rng.random((1, 30)) > 0.5).astype(float)
    params = {"W1": rng.standard_normal((4, 2)), "b1": np.zeros((4, 1)), "W2": 5 * rng.standard_normal((3, 4)),
              "b2": np.zeros((3, 1)), "W3": rng.standard_normal((1, 3)), "b3": np.zeros((1, 1))}
    d = network.layer_diagnostics(X, Y, params, hidden="tanh", learning_rate=0.05)
    assert d["saturated"].shape == (2,) and d["grad_to_weight"].shape == (3,) and d["update_to_weight"].shape == (3,)
    A1 = np.tanh(params["W1"] @ X)
    A2 = np.tanh(params["W2"] @ A1)
    np.testing.assert_allclose(d["saturated"], [np.mean(np.abs(A1) > 0.97), np.mean(np.abs(A2) > 0.97)])
    _, grads = network.cost_and_gradients(X, Y, params, hidden="tanh")
    expected = [np.linalg.norm(grads[f"dW{l}"]) / np.linalg.norm(params[f"W{l}"]) for l in (1, 2, 3)]
    np.testing.assert_allclose(d["grad_to_weight"], expected, rtol=1e-12)
    np.testing.assert_allclose(d["update_to_weight"], 0.05 * np.array(expected), rtol=1e-12)


def test_layer_diagnostics_of_zero_weights_is_inf_not_a_crash():
    params = {"W1": np.zeros((3, 2)), "b1": np.zeros((3, 1)), "W2": np.zeros((1, 3)), "b2": np.zeros((1, 1))}
    d = network.layer_diagnostics(np.ones((2, 4)), np.array([[0, 1, 0, 1.0]]), params)
    assert np.isinf(d["grad_to_weight"]).all() or np.isnan(d["grad_to_weight"]).all()


def test_weight_scale_sweep_equals_train_from_the_scaled_draws():
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((2, 40)), (rng.random((1, 40)) > 0.5).astype(float)
    dims, scales = [2, 5, 4, 1], [0.3, 1.0, 2.0]
    he = lambda n_in, n_out: ref.init_std("he", n_in, n_out)  # noqa: E731 - a student's init_std, as in 03
    finals = network.weight_scale_sweep(X, Y, dims, scales, he, rng_seed=3, learning_rate=0.2, num_iterations=25)
    draws = np.random.default_rng(3)
    unit = {l: draws.standard_normal((dims[l], dims[l - 1])) for l in range(1, len(dims))}
    for s, final in zip(scales, finals):
        start = {}
        for l in range(1, len(dims)):
            start[f"W{l}"] = s * np.sqrt(2 / dims[l - 1]) * unit[l]
            start[f"b{l}"] = np.zeros((dims[l], 1))
        trained, _ = network.train(X, Y, start, 0.2, 25, hidden="relu")
        assert final == pytest.approx(network.bce_cost(network.model_forward(X, trained)[0], Y), rel=1e-9)


def test_weight_scale_sweep_costs_a_saturated_right_prediction_nothing_not_a_blow_up():
    X = 10 * np.random.default_rng(4).standard_normal((3, 50))
    dims, scale = [3, 8, 1], 30.0
    draws = np.random.default_rng(5)
    start = {}
    for l in range(1, len(dims)):
        start[f"W{l}"] = scale * draws.standard_normal((dims[l], dims[l - 1]))
        start[f"b{l}"] = np.zeros((dims[l], 1))
    AL = network.model_forward(X, start)[0]
    Y = (AL >= 0.5).astype(float)  # the labels this network predicts: every sure prediction is right
    assert ((AL == 0.0) | (AL == 1.0)).any(), "no prediction saturates: the test would prove nothing"
    final = network.weight_scale_sweep(X, Y, dims, [scale], None, rng_seed=5, num_iterations=0)[0]
    assert np.isfinite(final) and final == pytest.approx(network.bce_cost(AL, Y), abs=1e-12), (
        f"a network whose sure predictions are all right costs {final}, expected {network.bce_cost(AL, Y)}")


def test_weight_scale_sweep_with_a_fixed_scale_uses_unit_variance_draws():
    X, Y = np.ones((2, 3)), np.array([[1.0, 0.0, 1.0]])
    tiny = network.weight_scale_sweep(X, Y, [2, 3, 1], [1e-8], None, rng_seed=0, num_iterations=0)
    assert tiny[0] == pytest.approx(np.log(2), abs=1e-6), "weights near 0 predict 0.5: the cost is log 2"
