"""Is helpers.network's backward pass the gradient of its forward pass, and does it reject what it cannot use?"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import network
from helpers.initializers import initialize


def _problem(hidden_dims=(4, 3), m=7, seed=0):
    rng = np.random.default_rng(seed)
    dims = [3, *hidden_dims, 1]
    params = initialize(dims, "xavier", rng)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}  # non-zero biases too
    X = rng.standard_normal((3, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y, params


def _numerical_gradients(X, Y, params, hidden, eps=1e-6):
    grads = {}
    for key, value in params.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][idx] += eps
            minus[key][idx] -= eps
            cost_plus = network.bce_cost(network.model_forward(X, plus, hidden)[0], Y)
            cost_minus = network.bce_cost(network.model_forward(X, minus, hidden)[0], Y)
            g[idx] = (cost_plus - cost_minus) / (2 * eps)
        grads["d" + key] = g
    return grads


@pytest.mark.parametrize("hidden", network.HIDDEN)
def test_model_backward_matches_two_sided_differences(hidden):
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
    with pytest.raises(ValueError, match="activation"):
        network.forward_activations(np.ones((3, 4)), params, "softmax")


def test_train_lowers_the_cost_and_leaves_the_start_untouched():
    X, Y, params = _problem(m=40)
    start = {k: v.copy() for k, v in params.items()}
    trained, costs = network.train(X, Y, params, learning_rate=0.5, num_iterations=300, record_every=10)
    assert all(np.array_equal(start[k], params[k]) for k in params)
    assert costs.shape == (30,) and costs[-1] < costs[0]
    assert network.predict(X, trained).shape == (1, 40)
    assert set(np.unique(network.predict(X, trained))) <= {0, 1}
    assert 0.0 <= network.accuracy(X, Y, trained) <= 1.0


def test_forward_activations_applies_the_same_activation_at_every_layer():
    X, _, params = _problem()
    for kind in ("linear", "tanh", "relu"):
        acts = network.forward_activations(X, params, kind)
        A = X
        for l, A_l in enumerate(acts, start=1):
            A, _ = network.activation_forward(params[f"W{l}"] @ A + params[f"b{l}"], kind)
            np.testing.assert_array_equal(A_l, A)
        np.testing.assert_array_equal(network.activation_std_profile(X, params, kind), [a.std() for a in acts])


def test_activation_std_profile_reports_overflow_as_inf_without_warnings():
    rng = np.random.default_rng(0)
    params = initialize([100] * 201, "large", rng)
    with np.errstate(all="raise"):
        stds = network.activation_std_profile(rng.standard_normal((100, 10)), params, "linear")
    assert stds.shape == (200,) and not np.isfinite(stds[-1]) and np.isfinite(stds[0])
