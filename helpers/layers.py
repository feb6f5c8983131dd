"""Layers of the small network of `helpers.network`, CS231n style: forward/backward pairs with caches, and the cost.

Each `*_forward` returns its output and a cache; the matching `*_backward` takes the gradient of the cost with
respect to that output and the cache, and returns the gradient with respect to its input (and to its parameters).
Conventions: `A` has shape (n_l, m), one column per example; `W` (n_l, n_{l-1}); `b` (n_l, 1). Activations are
the kinds in HIDDEN, the names of `helpers.activations` (which holds g and g'); the cost is the binary cross-entropy
of a sigmoid output.
"""

from __future__ import annotations

import numpy as np

from . import activations as _activations
from .arguments import generator

HIDDEN = tuple(_activations.ACTIVATIONS)  # ("relu", "tanh", "sigmoid", "linear")


def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray):
    """Z = W @ A_prev + b. A_prev (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1) -> Z (n_l, m), cache.

    Networks stacked along leading axes (W (S, n_l, n_{l-1}), A_prev (S, n_{l-1}, m), ...) go through at once."""
    return W @ A_prev + b, (A_prev, W)


def linear_backward(dZ: np.ndarray, cache):
    """dZ (n_l, m) -> dA_prev (n_{l-1}, m), dW (n_l, n_{l-1}), db (n_l, 1). dZ already carries the 1/m of the cost.
    Stacked networks (leading axes, as in `linear_forward`) go through at once."""
    A_prev, W = cache
    return W.swapaxes(-1, -2) @ dZ, dZ @ A_prev.swapaxes(-1, -2), dZ.sum(axis=-1, keepdims=True)


def activation_forward(Z: np.ndarray, kind: str):
    """A = g(Z) for kind in HIDDEN; Z (n_l, m) -> A (n_l, m), cache. ValueError for any other kind."""
    A = _activations.get(kind).forward(Z)
    return A, (kind, Z, A)


def activation_backward(dA: np.ndarray, cache) -> np.ndarray:
    """dA (n_l, m) -> dZ (n_l, m) = dA * g'(Z)."""
    kind, Z, _ = cache
    return dA * _activations.get(kind).derivative(Z)


def dropout_forward(A: np.ndarray, keep_prob: float, rng: np.random.Generator | None):
    """Inverted dropout: keep each unit with probability keep_prob and divide by keep_prob.

    A (n_l, m) -> A_drop (n_l, m), cache. keep_prob = 1.0 is the identity and draws nothing.
    """
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    if keep_prob == 1.0:
        return A, None
    rng = generator(rng, "rng (dropout with keep_prob < 1 draws a mask)")
    mask = rng.random(A.shape) < keep_prob
    return A * mask / keep_prob, (mask, keep_prob)


def dropout_backward(dA: np.ndarray, cache) -> np.ndarray:
    """dA_drop (n_l, m) -> dA (n_l, m), through the same mask as the forward pass."""
    if cache is None:
        return dA
    mask, keep_prob = cache
    return dA * mask / keep_prob


def bce_cost(AL: np.ndarray, Y: np.ndarray) -> float:
    """Binary cross-entropy -(1/m) sum(Y log AL + (1-Y) log(1-AL)); AL, Y (1, m). inf when a sure prediction is wrong."""
    with np.errstate(divide="ignore", invalid="ignore"):
        losses = -(Y * np.log(AL) + (1 - Y) * np.log1p(-AL))
    losses = np.where((Y == AL), 0.0, losses)  # 0 * log(0) is 0 for a sure and right prediction
    return float(np.mean(losses))


def batchnorm_forward(Z: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5):
    """Batch normalization (Ioffe & Szegedy 2015): every unit standardized over the examples of the batch, then
    scaled by gamma and shifted by beta, both learned.

    Z (n_l, m), or stacked (..., n_l, m): the statistics run over the last axis, the examples. gamma, beta (n_l, 1)
    (or broadcastable). Returns out = gamma * Z_hat + beta, of Z's shape, with Z_hat = (Z - mean) / sqrt(var + eps)
    (mean and population variance of each unit over the batch), and the cache for `batchnorm_backward`.
    Training-mode only: no running averages (the course's networks are evaluated on the batch they train on).
    """
    mean = Z.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(Z.var(axis=-1, keepdims=True) + eps)
    Z_hat = (Z - mean) * inv_std
    return gamma * Z_hat + beta, (Z_hat, gamma, inv_std)


def batchnorm_backward(dout: np.ndarray, cache):
    """dout (n_l, m) (or stacked, like the forward's Z) -> dZ of Z's shape, dgamma and dbeta (n_l, 1) (summed
    over the examples only, so stacked networks keep one gamma each).

    Through the batch statistics: dZ = inv_std / m * (m dZ_hat - sum(dZ_hat) - Z_hat * sum(dZ_hat * Z_hat)), the
    sums over the examples, dZ_hat = dout * gamma (CS231n's batchnorm_backward_alt, in this course's layout).
    """
    Z_hat, gamma, inv_std = cache
    m = dout.shape[-1]
    dbeta = dout.sum(axis=-1, keepdims=True)
    dgamma = (dout * Z_hat).sum(axis=-1, keepdims=True)
    dZ_hat = dout * gamma
    dZ = inv_std / m * (m * dZ_hat - dZ_hat.sum(axis=-1, keepdims=True)
                        - Z_hat * (dZ_hat * Z_hat).sum(axis=-1, keepdims=True))
    return dZ, dgamma, dbeta
