"""Is helpers.layers' batch normalization right: standardized units, and a backward pass that agrees with a
numerical gradient (its own gradient check)?"""

import numpy as np
import pytest

from helpers.layers import batchnorm_backward, batchnorm_forward
from support import numerical_gradient


@pytest.fixture
def batch():
    rng = np.random.default_rng(5)
    Z = rng.normal(3.0, [[0.5], [4.0], [20.0]], size=(3, 7))
    return Z, rng.normal(1.0, 0.3, (3, 1)), rng.normal(0.0, 0.5, (3, 1)), rng.standard_normal((3, 7))


def test_forward_standardizes_every_unit_over_the_batch_then_scales_and_shifts(batch):
    Z, gamma, beta, _ = batch
    out, _ = batchnorm_forward(Z, np.ones((3, 1)), np.zeros((3, 1)), eps=0.0)
    assert np.allclose(out.mean(axis=1), 0, atol=1e-12) and np.allclose(out.std(axis=1), 1, rtol=1e-12)
    out, _ = batchnorm_forward(Z, gamma, beta, eps=0.0)
    assert np.allclose(out.mean(axis=1, keepdims=True), beta) and np.allclose(out.std(axis=1, keepdims=True), abs(gamma))


def test_backward_agrees_with_the_numerical_gradient_of_a_cost(batch):
    # the cost sum(G * out) for a fixed random G: its gradient with respect to the output is G
    Z, gamma, beta, G = batch

    def cost(Z_, gamma_, beta_):
        return float(np.sum(G * batchnorm_forward(Z_, gamma_, beta_)[0]))

    _, cache = batchnorm_forward(Z, gamma, beta)
    dZ, dgamma, dbeta = batchnorm_backward(G, cache)
    Z_, gamma_, beta_ = Z.copy(), gamma.copy(), beta.copy()  # moved one entry at a time by numerical_gradient
    for analytic, numeric in ((dZ, numerical_gradient(lambda: cost(Z_, gamma_, beta_), Z_)),
                              (dgamma, numerical_gradient(lambda: cost(Z_, gamma_, beta_), gamma_)),
                              (dbeta, numerical_gradient(lambda: cost(Z_, gamma_, beta_), beta_))):
        a, n = analytic.ravel(), numeric.ravel()
        assert np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)) < 1e-7


def test_stacked_networks_keep_their_own_statistics_and_parameters(batch):
    Z, gamma, beta, G = batch
    stacked = np.stack([Z, 10 * Z])
    out, cache = batchnorm_forward(stacked, gamma, beta, eps=0.0)
    assert np.allclose(out[0], out[1]), "a unit's scale does not survive batch normalization"
    dZ, dgamma, dbeta = batchnorm_backward(np.stack([G, G]), cache)
    assert dgamma.shape == (2, 3, 1) and np.allclose(dZ[0], 10 * dZ[1])
