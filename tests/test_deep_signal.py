"""Does helpers.deep_signal compute what assignment 02 says, and does it refuse bad input with a clear error?

The graded functions of 02 are not in helpers (COURSE_SPEC, conventions): `deep_forward`, `deep_backward` and
`signal_norms` run on the instructor's solutions here, as they run on a student's in the notebook.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import deep_signal as ds
from references import solutions
from support import numerical_gradient

ref = solutions("02_vanishing_exploding")
LINEAR = {"linear_forward": ref.deep_linear_forward}

RNG_SEED = 12


def random_network(dims, m, seed=RNG_SEED):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((dims[0], m))
    weights = [rng.standard_normal((dims[l + 1], dims[l])) for l in range(len(dims) - 1)]
    return x, weights


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_nonlinear_backward_matches_a_numerical_gradient(activation):
    x, weights = random_network([3, 4, 4, 2], 3, seed=3)
    activations, cache = ds.deep_forward(x, weights, activation, **LINEAR)
    dA_L = np.random.default_rng(4).standard_normal(activations[-1].shape)
    dWs, dAs = ds.deep_backward(dA_L, cache, linear_backward=ref.deep_linear_backward)

    def cost(ws):
        return float(np.sum(dA_L * ds.deep_forward(x, ws, activation, **LINEAR)[0][-1]))

    for l, W in enumerate(weights):
        probe = W.copy()
        numeric = numerical_gradient(lambda: cost(weights[:l] + [probe] + weights[l + 1:]), probe)
        np.testing.assert_allclose(dWs[l], numeric, rtol=1e-5, atol=1e-7)
    assert [d.shape for d in dAs] == [a.shape for a in activations]


def test_layer_by_layer_composition_equals_the_whole_linear_network():
    x, weights = random_network([4, 3, 5, 2], 6)
    calls = []

    def counting_forward(a, ws):
        calls.append(len(ws))
        return ref.deep_linear_forward(a, ws)

    whole = ref.deep_linear_forward(x, weights)
    activations, cache = ds.deep_forward(x, weights, "linear", linear_forward=counting_forward)
    assert calls == [3]
    for a, b in zip(activations, whole):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    calls.clear()
    relu_acts, _ = ds.deep_forward(x, weights, "relu", linear_forward=counting_forward)
    assert calls == [1, 1, 1]
    np.testing.assert_allclose(relu_acts[1], np.maximum(weights[0] @ x, 0))


def test_gaussian_weights_keep_the_energy_of_a_linear_layer_at_scale_one():
    # E||W a||^2 = scale^2 ||a||^2; averaged over 400 layers of width 200 the ratio is within a few percent.
    rng = np.random.default_rng(7)
    weights = ds.gaussian_weights([200] * 401, 1.0, rng)
    a = rng.standard_normal((200, 1))
    ratios = [float(np.sum((W @ a) ** 2) / np.sum(a ** 2)) for W in weights]
    assert abs(np.mean(ratios) - 1.0) < 0.03
    assert [W.shape for W in ds.gaussian_weights([3, 5, 2], 1.0, rng)] == [(5, 3), (2, 5)]


def test_gaussian_weights_depend_only_on_the_generator_state():
    a = ds.gaussian_weights([4, 3], 1.2, np.random.default_rng(9))
    b = ds.gaussian_weights([4, 3], 1.2, np.random.default_rng(9))
    np.testing.assert_array_equal(a[0], b[0])


def test_signal_norms_of_identity_weights_grow_by_scale_each_layer():
    x = np.random.default_rng(2).standard_normal((5, 3))
    acts, grads = ds.signal_norms(x, ref.scaled_identity_weights(5, 20, 1.25), "linear", forward=ref.deep_linear_forward,
                                  backward=ref.deep_linear_backward, norms=ref.layer_norms)
    np.testing.assert_allclose(acts[1:] / acts[:-1], 1.25, rtol=1e-12)
    np.testing.assert_allclose(grads[:-1] / grads[1:], 1.25, rtol=1e-12)  # toward the input



def test_random_product_norms_start_at_one_with_one_row_per_draw():
    norms = ds.random_product_norms(3, 7, 0.5, np.random.default_rng(0), trials=5)
    assert norms.shape == (5, 8) and norms.dtype == np.float64
    np.testing.assert_array_equal(norms[:, 0], 1.0)


def test_random_product_norms_are_those_of_the_product_computed_by_hand():
    # One 1 x 1 factor per layer: the product is a product of numbers, its size the product of their |values|.
    factors = np.random.default_rng(4).standard_normal(6)
    norms = ds.random_product_norms(1, 6, 1.0, np.random.default_rng(4))
    np.testing.assert_allclose(norms[0], np.concatenate([[1.0], np.cumprod(np.abs(factors))]), rtol=1e-12)


def test_random_product_norms_scale_like_std_to_the_power_l():
    # Homogeneity: the same draws with every entry twice as large give a product 2**l times as large.
    small = ds.random_product_norms(4, 10, 1.0, np.random.default_rng(9), trials=3)
    large = ds.random_product_norms(4, 10, 2.0, np.random.default_rng(9), trials=3)
    np.testing.assert_allclose(large, small * 2.0 ** np.arange(11), rtol=1e-12)


def test_one_random_factor_of_std_one_over_sqrt_n_keeps_the_energy_on_average():
    # ||M||_F**2 / n = sum of n**2 entries z**2 / n**2, of mean 1 and variance 2 / n**2 = 0.125 for n = 4; over
    # 4000 draws the mean is within 5 standard deviations, 5 * sqrt(0.125 / 4000) = 0.028, of 1.
    norms = ds.random_product_norms(4, 1, 0.5, np.random.default_rng(1), trials=4000)
    assert abs(np.mean(norms[:, 1] ** 2) - 1.0) < 0.028


def test_random_product_norms_need_a_generator():
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        ds.random_product_norms(4, 3, 1.0, 42)

@pytest.mark.parametrize("call,error,words", [
    (lambda: ds.gaussian_weights([3, 2], 1.0, 42), TypeError, "numpy.random.Generator"),
    (lambda: ds.deep_forward(np.ones((2, 1)), [np.eye(2)], "sigmoid", **LINEAR), ValueError, "linear, tanh, relu"),
    (lambda: ds.deep_forward([[1.0], [2.0]], [np.eye(2)], "linear", **LINEAR), TypeError, "x should be a numpy array"),
    (lambda: ds.deep_forward(np.ones(3), [np.eye(3)], "linear", **LINEAR), ValueError, "x should be 2-D"),
    (lambda: ds.deep_forward(np.ones((3, 2)), [np.ones((4, 3)), np.ones((2, 3))], "linear", **LINEAR), ValueError,
     "W_2 should have shape (n_2, 4)"),
    (lambda: ds.deep_forward(np.ones((3, 2)), np.ones((2, 3, 3)), "linear", **LINEAR), TypeError, "list of 2-D arrays"),
])
def test_bad_input_raises_an_error_that_names_what_was_expected(call, error, words):
    with pytest.raises(error, match=None) as raised:
        call()
    assert words in str(raised.value), str(raised.value)
