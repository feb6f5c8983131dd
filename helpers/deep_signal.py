"""Signals through a deep network without biases: per-layer activations, the backward signal, and their norms.

The network of assignment 02 is `a_l = g(W_l @ a_{l-1})` for `l = 1..L`, with `a_0 = x` of shape `(n_0, m)`
(one column per example) and `W_l` of shape `(n_l, n_{l-1})`. With `g(z) = z` and every `W_l = scale * I`,
`a_L = scale**L * x`: the signal grows or shrinks exponentially with depth.

Forward/backward pairs, CS231n style:

    activations, cache = deep_forward(x, weights, "tanh")
    dWs, dAs = deep_backward(dA_L, cache)

`deep_forward` / `deep_backward` build every layer out of a *linear* forward and backward, by default this
module's `deep_linear_forward` / `deep_linear_backward`; pass a student's own to run the same experiment on them.
"""

from __future__ import annotations

import numbers

import numpy as np

from .activations import ACTIVATIONS as _REGISTRY

__all__ = ["ACTIVATIONS", "scaled_identity_weights", "gaussian_weights", "deep_linear_forward",
           "deep_linear_backward", "deep_forward", "deep_backward", "layer_norms", "diagnose", "signal_norms",
           "random_product_norms"]

#: The activations g(z) a layer can apply, with their derivative g'(z) written in terms of z (helpers.activations).
ACTIVATIONS = {name: (_REGISTRY[name].forward, _REGISTRY[name].derivative) for name in ("linear", "tanh", "relu")}


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} should be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} should be at least {minimum}, got {value}")
    return int(value)


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


def scaled_identity_weights(n: int, L: int, scale: float) -> list:
    """`L` weight matrices, each `scale * I_n`: the deep linear network of the lecture.

    Inputs:
    - n: the width of every layer, n >= 1
    - L: the number of layers, L >= 0
    - scale: the factor on the diagonal

    Returns a list of L float64 arrays of shape (n, n).
    """
    n, L, scale = _check_int(n, "n", 1), _check_int(L, "L", 0), _check_scale(scale)
    return [scale * np.eye(n) for _ in range(L)]


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
    dims, scale = [_check_int(d, f"layer_dims[{i}]", 1) for i, d in enumerate(layer_dims)], _check_scale(scale)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng should be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return [scale * rng.standard_normal((n_l, n_prev)) / np.sqrt(n_prev) for n_prev, n_l in zip(dims[:-1], dims[1:])]


def deep_linear_forward(x: np.ndarray, weights: list) -> list:
    """Forward pass of a deep linear network, g(z) = z and no biases.

    Inputs:
    - x: input of shape (n_0, m)
    - weights: [W_1, ..., W_L], W_l of shape (n_l, n_{l-1})

    Returns [a_0, a_1, ..., a_L], a_0 = x and a_l = W_l @ a_{l-1} of shape (n_l, m).
    """
    x = _check_matrix(x, "x")
    activations = [x]
    for W in _check_weights(weights, x.shape[0]):
        activations.append(W @ activations[-1])
    return activations


def deep_linear_backward(weights: list, activations: list, dA_L: np.ndarray) -> tuple[list, list]:
    """Backward pass of a deep linear network, from the gradient of the cost with respect to its output.

    Inputs:
    - weights: [W_1, ..., W_L], W_l of shape (n_l, n_{l-1})
    - activations: [a_0, ..., a_L] from deep_linear_forward, a_l of shape (n_l, m)
    - dA_L: gradient with respect to a_L, shape (n_L, m)

    Returns (dWs, dAs):
    - dWs: [dW_1, ..., dW_L], dW_l = dA_l @ a_{l-1}.T of shape (n_l, n_{l-1})
    - dAs: [dA_0, ..., dA_L], dA_{l-1} = W_l.T @ dA_l of shape (n_{l-1}, m)
    """
    if len(activations) != len(weights) + 1:
        raise ValueError(f"activations should be [a_0, ..., a_L], {len(weights) + 1} arrays for {len(weights)} "
                         f"layers, got {len(activations)}")
    weights = _check_weights(weights, _check_matrix(activations[0], "activations[0]").shape[0])
    dA_L = _check_matrix(dA_L, "dA_L")
    if dA_L.shape != activations[-1].shape:
        raise ValueError(f"dA_L should have the shape of a_L, {activations[-1].shape}, got {dA_L.shape}")
    L = len(weights)
    dWs, dAs = [None] * L, [None] * (L + 1)
    dAs[L] = dA_L
    for l in range(L, 0, -1):
        dWs[l - 1] = dAs[l] @ activations[l - 1].T
        dAs[l - 1] = weights[l - 1].T @ dAs[l]
    return dWs, dAs


def deep_forward(x: np.ndarray, weights: list, activation: str = "linear", linear_forward=deep_linear_forward):
    """Forward pass of `a_l = g(W_l @ a_{l-1})`, every linear step computed by `linear_forward`.

    Inputs:
    - x: input of shape (n_0, m)
    - weights: [W_1, ..., W_L], W_l of shape (n_l, n_{l-1})
    - activation: "linear", "tanh" or "relu"
    - linear_forward: a function like deep_linear_forward; with "linear" it runs once on the whole network,
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


def deep_backward(dA_L: np.ndarray, cache, linear_backward=deep_linear_backward) -> tuple[list, list]:
    """Backward pass of deep_forward: dZ_l = dA_l * g'(z_l), then the linear step by `linear_backward`.

    Inputs:
    - dA_L: gradient with respect to a_L, shape (n_L, m)
    - cache: from deep_forward
    - linear_backward: a function like deep_linear_backward; with "linear" it runs once on the whole network,
      otherwise once per layer, on ([W_l], [a_{l-1}, z_l], dZ_l)

    Returns (dWs, dAs) as deep_linear_backward: dW_l of shape (n_l, n_{l-1}), dA_l of shape (n_l, m).
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


def layer_norms(arrays) -> np.ndarray:
    """The Frobenius norm sqrt(sum of squares) of each array.

    Inputs:
    - arrays: a list of arrays of any shapes, e.g. [a_0, ..., a_L]

    Returns an array of shape (len(arrays),).
    """
    return np.array([np.linalg.norm(np.asarray(a, dtype=np.float64)) for a in arrays], dtype=np.float64)


def diagnose(norms) -> str:
    """"exploding", "vanishing" or "stable": how the last norm compares with the first.

    Inputs:
    - norms: shape (k,), the norms of a signal in the order it travels (k >= 1)

    Returns "exploding" if any norm is not finite or norms[-1] > 1e3 * norms[0]; "vanishing" if
    norms[-1] < 1e-3 * norms[0]; otherwise "stable".
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1 or norms.size == 0:
        raise ValueError(f"norms should be a non-empty 1-D sequence of numbers, got shape {norms.shape}")
    if not np.isfinite(norms).all() or norms[-1] > 1e3 * norms[0]:
        return "exploding"
    if norms[-1] < 1e-3 * norms[0]:
        return "vanishing"
    return "stable"


def signal_norms(x, weights, activation="linear", dA_L=None, forward=deep_linear_forward,
                 backward=deep_linear_backward, norms=layer_norms):
    """The norm of every layer's activation and of the backward signal through it.

    Inputs:
    - x: input of shape (n_0, m); weights: [W_1, ..., W_L], W_l of shape (n_l, n_{l-1})
    - activation: "linear", "tanh" or "relu"
    - dA_L: gradient with respect to a_L, shape (n_L, m); default all ones (the cost sum(a_L))
    - forward, backward, norms: the linear forward, linear backward and norm functions to use

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
    n, L, trials = _check_int(n, "n", 1), _check_int(L, "L", 0), _check_int(trials, "trials", 1)
    std = _check_scale(std)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng should be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    factors = std * rng.standard_normal((trials, L, n, n))
    norms = np.ones((trials, L + 1))
    product = np.broadcast_to(np.eye(n), (trials, n, n))
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(1, L + 1):
            product = factors[:, l - 1] @ product
            norms[:, l] = np.sqrt(np.sum(product ** 2, axis=(1, 2)) / n)
    return norms
