"""Tools of assignment 04 (gradient checking) that are not the graded functions.

- `toy_problem`: a small network and data to check gradients on.
- `backward_with_planted_bugs`: a backward pass with mistakes in some of its gradients, to find with a check.
- `dropout_cost`: the cost and gradients of a network with inverted dropout, with a fresh or a frozen mask.
- `distinct_mistakes`: the known mistakes of a test input that a check can tell apart (for `mistakes=`).
- from `helpers.finite_differences`, importable from here too: `finite_difference_errors` (error of the one-sided
  and two-sided differences against epsilon, in any dtype), `directional_check` (the fast check of large
  networks: directional derivatives along a few random directions) and `CountingCost` (counts the evaluations
  of a cost function).

Conventions of `helpers.network`: X (n_0, m), Y (1, m), parameters {"W1", "b1", ..., "WL", "bL"} with
W_l (n_l, n_{l-1}) and b_l (n_l, 1), gradients {"dW1", "db1", ...} of the same shapes.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import network
from .arguments import generator, integer
from .finite_differences import CountingCost, DirectionalCheck, directional_check, finite_difference_errors

__all__ = ["toy_problem", "backward_with_planted_bugs", "finite_difference_errors", "dropout_cost",
           "DropoutCost", "directional_check", "DirectionalCheck", "CountingCost", "distinct_mistakes"]


# ----------------------------------------------------------------------------- a problem to check
def toy_problem(layer_dims, m: int, rng: np.random.Generator):
    """A random network and a random binary classification problem for it.

    Inputs:
    - layer_dims: [n_0, n_1, ..., n_L] with n_L = 1 (sigmoid output)
    - m: number of examples
    - rng: numpy.random.Generator

    Returns X (n_0, m) ~ N(0, 1), Y (1, m) in {0, 1} with both labels present when m >= 2, and parameters with
    W_l (n_l, n_{l-1}) ~ N(0, 1/n_{l-1}) and b_l (n_l, 1) ~ N(0, 0.1**2): biases are not zero, so that a
    mistake in db changes the check, and weights are Xavier-scaled, so that tanh units are not saturated.
    """
    rng = generator(rng)
    m = integer(m, "m")
    dims = list(layer_dims) if isinstance(layer_dims, (list, tuple, np.ndarray)) else None
    if not dims or len(dims) < 2 or any(isinstance(n, bool) or int(n) != n or n < 1 for n in dims):
        raise ValueError(f"layer_dims must be a list [n_0, ..., n_L] of at least two positive integers, got {layer_dims!r}")
    if dims[-1] != 1:
        raise ValueError(f"the output layer has a single sigmoid unit: layer_dims must end with 1, got {dims}")
    dims = [int(n) for n in dims]
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) / np.sqrt(dims[l - 1])
        parameters[f"b{l}"] = 0.1 * rng.standard_normal((dims[l], 1))
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    if m >= 2:
        Y[0, :2] = [0.0, 1.0]  # both classes present
    return X, Y, parameters


# ----------------------------------------------------------------------------- a backward pass with bugs
def backward_with_planted_bugs(AL: np.ndarray, Y: np.ndarray, caches) -> dict:
    """A backward pass for `helpers.network.model_forward` written by a colleague, with mistakes in some gradients.

    Inputs: AL (1, m) and caches from `helpers.network.model_forward` (with or without dropout), Y (1, m).
    Returns {"dW1", "db1", ..., "dWL", "dbL"}, each of the shape of its parameter. Needs L >= 2 layers.

    Which gradients are wrong is for a gradient check to find: compare each block with a numerical gradient.
    """
    if not isinstance(AL, np.ndarray) or not isinstance(Y, np.ndarray) or AL.shape != Y.shape or AL.ndim != 2:
        raise ValueError("AL and Y must be numpy arrays of the same shape (1, m)")
    if not isinstance(caches, (list, tuple)) or len(caches) < 2:
        raise ValueError("caches must be the list of caches of model_forward for a network of at least 2 layers")
    m, L = Y.shape[1], len(caches)
    grads = {}
    # output layer: the sigmoid and the cross-entropy differentiated together
    (A_prev, W), _, _ = caches[L - 1]
    dZ = (AL - Y) / m
    grads[f"dW{L}"] = dZ @ A_prev.T
    grads[f"db{L}"] = np.sum(AL - Y, axis=1, keepdims=True)
    dA = W.T @ dZ
    # hidden layers, from L - 1 down to 1, through dropout (if any) and the activation
    for l in range(L - 1, 0, -1):
        (A_prev, W), activation, dropout = caches[l - 1]
        dZ = network.activation_backward(network.dropout_backward(dA, dropout), activation)
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        dA = W.T @ dZ
    return grads


# ----------------------------------------------------------------------------- dropout
class DropoutCost(NamedTuple):
    """Three functions of one network with dropout, all drawing their masks the same way (fresh or frozen).

    - cost(parameters) -> float
    - gradients(parameters) -> {"dW1", ...}, from helpers.network.cost_and_gradients
    - forward(parameters) -> (AL, caches) of helpers.network.model_forward, to try another backward pass
    """

    cost: Callable[[dict], float]
    gradients: Callable[[dict], dict]
    forward: Callable[[dict], tuple]


def dropout_cost(X: np.ndarray, Y: np.ndarray, keep_prob: float, rng: np.random.Generator, frozen: bool,
                 hidden: str = "tanh") -> DropoutCost:
    """The cost and the gradients of a network with inverted dropout on its hidden layers.

    Inputs: X (n_0, m), Y (1, m), keep_prob in (0, 1], rng, hidden the activation of the hidden layers.
    - frozen=False: every evaluation draws new masks from `rng`, as training does. Two evaluations at the same
      parameters then give different costs, and `gradients` belongs to yet another mask.
    - frozen=True: the masks are drawn once; every evaluation of `cost`, `gradients` and `forward` uses the same
      ones (a fresh generator with the same seed, so the same draws land on the same units). The cost is then
      one fixed function of the parameters, and its gradient is what `gradients` returns.
    With keep_prob = 1.0 dropout is off and both are the plain cost.
    """
    rng = generator(rng)
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, (int, float, np.floating)) \
            or not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob!r}")
    if not isinstance(frozen, (bool, np.bool_)):
        raise TypeError(f"frozen must be True or False, got {frozen!r}")
    if not isinstance(X, np.ndarray) or not isinstance(Y, np.ndarray) or X.ndim != 2 or Y.shape != (1, X.shape[1]):
        raise ValueError("X must be a numpy array (n_0, m) and Y a numpy array (1, m) with the same m")
    seed = int(rng.integers(2**63))

    def masks():
        return np.random.default_rng(seed) if frozen else rng

    def forward(parameters: dict):
        return network.model_forward(X, parameters, hidden, keep_prob, masks())

    def cost(parameters: dict) -> float:
        return network.bce_cost(forward(parameters)[0], Y)

    def gradients(parameters: dict) -> dict:
        return network.cost_and_gradients(X, Y, parameters, hidden, keep_prob, masks())[1]

    return DropoutCost(cost, gradients, forward)


# ----------------------------------------------------------------------------- naming mistakes in the tests
def _alike(a, b, rtol: float, atol: float) -> bool:
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True).all())


def distinct_mistakes(expected, mistakes: dict, rtol: float = 1e-7, atol: float = 1e-10) -> dict:
    """The entries of `mistakes` ({sentence: what that mistake computes on the test's input}) whose value differs,
    within rtol/atol, from `expected` and from every other mistake's value.

    A test cell passes the result as `mistakes=` to `helpers.checks.expect_close`: a mistake that gives the right
    value on this input cannot be told from a correct answer, and two mistakes with the same value cannot be told
    from each other, so neither is named there (another input of the same cell may tell them apart).
    Values are arrays of any shape, or scalars.
    """
    values = list(mistakes.items())
    return {sentence: value for i, (sentence, value) in enumerate(values)
            if not _alike(value, expected, rtol, atol)
            and not any(_alike(value, other, rtol, atol) for j, (_, other) in enumerate(values) if j != i)}
