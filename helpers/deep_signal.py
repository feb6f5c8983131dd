"""Signals through a deep network without biases: per-layer activations, the backward signal, and their norms.

The network of assignment 02 is `a_l = g(W_l @ a_{l-1})` for `l = 1..L`, with `a_0 = x` of shape `(n_0, m)`
(one column per example) and `W_l` of shape `(n_l, n_{l-1})`. With `g(z) = z` and every `W_l = scale * I`,
`a_L = scale**L * x`: the signal grows or shrinks exponentially with depth.

Forward/backward pairs, CS231n style, built out of the student's own linear steps (the graded functions of 02,
`deep_linear_forward` and `deep_linear_backward`, which this package does not hold: COURSE_SPEC, conventions):

    activations, cache = deep_forward(x, weights, "tanh", linear_forward=deep_linear_forward)
    dWs, dAs = deep_backward(dA_L, cache, linear_backward=deep_linear_backward)
"""

from __future__ import annotations

import numbers

import numpy as np

from .activations import ACTIVATIONS as _REGISTRY
from .arguments import generator, integer

__all__ = ["ACTIVATIONS", "gaussian_weights", "deep_forward", "deep_backward", "signal_norms", "random_product_norms"]

#: The activations g(z) a layer can apply, with their derivative g'(z) written in terms of z (helpers.activations).
ACTIVATIONS = {name: (_REGISTRY[name].forward, _REGISTRY[name].derivative) for name in ("linear", "tanh", "relu")}


def _check_scale(scale) -> float:
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
        raise TypeError(f"scale should be a real number, got {type(scale).__name__} {scale!r}")
    return float(scale)


def _check_matrix(a, name: str) -> np.ndarray:
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} should be a numpy array, got {type(a).__name__}")
    if a.ndim != 2:
        raise ValueError(f"{name} should be 2-D, one column per example, but it has shape {a.shape}")
    return a


def _check_weights(weights, n_0: int) -> list:
    """The weights as a list, after checking that W_l has shape (n_l, n_{l-1}) and fits the layer before it."""
    if isinstance(weights, np.ndarray) or not hasattr(weights, "__len__"):
        raise TypeError(f"weights should be a list of 2-D arrays [W_1, ..., W_L], got {type(weights).__name__}")
    rows = n_0
    for l, W in enumerate(weights, start=1):
        _check_matrix(W, f"weights[{l - 1}] (W_{l})")
        if W.shape[1] != rows:
            raise ValueError(f"weights[{l - 1}] (W_{l}) has shape {W.shape}, but the layer before it has {rows} "
                             f"units; W_{l} should have shape (n_{l}, {rows})")
        rows = W.shape[0]
    return list(weights)


def gaussian_weights(layer_dims, scale: float, rng: np.random.Generator) -> list:
    """Random weights `W_l = scale * N(0, 1) / sqrt(n_{l-1})`, so that `E ||W_l a||^2 = scale**2 ||a||^2`.

    With `scale = 1` a linear layer keeps the signal's energy on average, like `scale * I` does; the scale
    then plays the same role for random weights as for the scaled identity.

    Inputs:
    - layer_dims: [n_0, n_1, ..., n_L], the widths of the input and of every layer
    - scale: the factor on the standard deviation
    - rng: a numpy.random.Generator, the only source of randomness

    Returns a list of L float64 arrays, W_l of shape (n_l, n_{l-1}).
    """
    dims, scale = [integer(d, f"layer_dims[{i}]") for i, d in enumerate(layer_dims)], _check_scale(scale)
    rng = generator(rng)
    return [scale * rng.standard_normal((n_l, n_prev)) / np.sqrt(n_prev) for n_prev, n_l in zip(dims[:-1], dims[1:])]


def deep_forward(x: np.ndarray, weights: list, activation: str, linear_forward):
    """Forward pass of `a_l = g(W_l @ a_{l-1})`, every linear step computed by `linear_forward`.

    Inputs:
    - x: input of shape (n_0, m)
    - weights: [W_1, ..., W_L], W_l of shape (n_l, n_{l-1})
    - activation: "linear", "tanh" or "relu"
    - linear_forward: the student's deep_linear_forward(x, weights) -> [a_0, ..., a_L]; with "linear" it runs once
      on the whole network,
      otherwise once per layer, on [W_l] alone, to get z_l = W_l @ a_{l-1}

    Returns (activations, cache): activations [a_0, ..., a_L] with a_l of shape (n_l, m), and the cache
    that deep_backward needs.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation should be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    x = _check_matrix(x, "x")
    weights = _check_weights(weights, x.shape[0])
    if activation == "linear":
        activations = list(linear_forward(x, weights))
        return activations, (weights, activations, activations, activation)
    g = ACTIVATIONS[activation][0]
    activations, zs = [x], [None]
    for W in weights:
        zs.append(linear_forward(activations[-1], [W])[1])
        activations.append(g(zs[-1]))
    return activations, (weights, activations, zs, activation)


def deep_backward(dA_L: np.ndarray, cache, linear_backward) -> tuple[list, list]:
    """Backward pass of deep_forward: dZ_l = dA_l * g'(z_l), then the linear step by `linear_backward`.

    Inputs:
    - dA_L: gradient with respect to a_L, shape (n_L, m)
    - cache: from deep_forward
    - linear_backward: the student's deep_linear_backward(weights, activations, dA_L) -> (dWs, dAs); with
      "linear" it runs once on the whole network,
      otherwise once per layer, on ([W_l], [a_{l-1}, z_l], dZ_l)

    Returns (dWs, dAs) as deep_linear_backward: [dW_1, ..., dW_L], dW_l of shape (n_l, n_{l-1}), and
    [dA_0, ..., dA_L], dA_l of shape (n_l, m).
    """
    weights, activations, zs, activation = cache
    if activation == "linear":
        dWs, dAs = linear_backward(weights, activations, dA_L)
        return list(dWs), list(dAs)
    g_prime, L = ACTIVATIONS[activation][1], len(weights)
    dWs, dAs = [None] * L, [None] * (L + 1)
    dAs[L] = dA_L
    for l in range(L, 0, -1):
        dZ = dAs[l] * g_prime(zs[l])
        layer_dWs, layer_dAs = linear_backward([weights[l - 1]], [activations[l - 1], zs[l]], dZ)
        dWs[l - 1], dAs[l - 1] = layer_dWs[0], layer_dAs[0]
    return dWs, dAs


def signal_norms(x, weights, activation, *, forward, backward, norms, dA_L=None):
    """The norm of every layer's activation and of the backward signal through it.

    Inputs:
    - x: input of shape (n_0, m); weights: [W_1, ..., W_L], W_l of shape (n_l, n_{l-1})
    - activation: "linear", "tanh" or "relu"
    - dA_L: gradient with respect to a_L, shape (n_L, m); default all ones (the cost sum(a_L))
    - forward, backward, norms: the student's deep_linear_forward, deep_linear_backward and layer_norms

    Returns (activation_norms, gradient_norms), both shape (L + 1,): ||a_l|| and ||dA_l|| for l = 0..L.
    """
    activations, cache = deep_forward(x, weights, activation, forward)
    if dA_L is None:
        dA_L = np.ones_like(activations[-1])
    _, dAs = deep_backward(dA_L, cache, backward)
    return np.asarray(norms(activations), dtype=float), np.asarray(norms(dAs), dtype=float)


def random_product_norms(n: int, L: int, std: float, rng: np.random.Generator, trials: int = 1) -> np.ndarray:
    """How big the product of l random matrices is, for l = 0..L: a deep linear network with no systematic scale.

    Every factor M_l is n x n with independent entries N(0, std**2), drawn from `rng`; the product after l layers is
    P_l = M_l @ ... @ M_1 (P_0 = I_n), and its size is given relative to the identity, ||P_l||_F / ||I_n||_F, so that
    (scale * I_n)**l would give exactly scale**l. With std = 1/sqrt(n) each factor keeps the energy of a vector on
    average (E ||M a||^2 = ||a||^2), yet the product of many drifts and scatters over decades.

    Source: d2l.ai, "Numerical Stability and Initialization" (the product of 100 Gaussian 4 x 4 matrices).

    Inputs:
    - n: the size of every matrix (the width of every layer), n >= 1
    - L: the number of factors, L >= 0
    - std: the standard deviation of every entry
    - rng: a numpy.random.Generator, the only source of randomness
    - trials: independent products to draw, trials >= 1

    Returns an array of shape (trials, L + 1): row t holds ||P_l||_F / sqrt(n) for l = 0..L of product t (column 0
    is 1). Values past the largest float64 are inf.
    """
    n, L, trials = integer(n, "n"), integer(L, "L", 0), integer(trials, "trials")
    std, rng = _check_scale(std), generator(rng)
    factors = std * rng.standard_normal((trials, L, n, n))
    norms = np.ones((trials, L + 1))
    product = np.broadcast_to(np.eye(n), (trials, n, n))
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(1, L + 1):
            product = factors[:, l - 1] @ product
            norms[:, l] = np.sqrt(np.sum(product ** 2, axis=(1, 2)) / n)
    return norms
