"""Tools of assignment 04 (gradient checking) that are not the graded functions.

- `toy_problem`: a small network and data to check gradients on.
- `backward_with_planted_bugs`: a backward pass with mistakes in some of its gradients, to find with a check.
- `finite_difference_errors`: error of the one-sided and two-sided differences against epsilon, in any dtype.
- `dropout_cost`: the cost and gradients of a network with inverted dropout, with a fresh or a frozen mask.
- `directional_check`: the fast check of large networks: directional derivatives along a few random directions.
- `CountingCost`: wraps a cost function and counts its evaluations.
- `distinct_mistakes`: the known mistakes of a test input that a check can tell apart (for `mistakes=`).

Conventions of `helpers.network`: X (n_0, m), Y (1, m), parameters {"W1", "b1", ..., "WL", "bL"} with
W_l (n_l, n_{l-1}) and b_l (n_l, 1), gradients {"dW1", "db1", ...} of the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from . import network

__all__ = ["toy_problem", "backward_with_planted_bugs", "finite_difference_errors", "dropout_cost",
           "DropoutCost", "directional_check", "DirectionalCheck", "CountingCost", "distinct_mistakes"]


def _rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return rng


def _positive(value, name: str, kind=float):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value <= 0 or (kind is int and int(value) != value):
        raise ValueError(f"{name} must be a positive {'integer' if kind is int else 'number'}, got {value!r}")
    return kind(value)


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
    rng = _rng(rng)
    m = _positive(m, "m", int)
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


# ----------------------------------------------------------------------------- epsilon sweep
def finite_difference_errors(f: Callable, fprime: Callable, x: float, epsilons, dtype=np.float64) -> dict:
    """Absolute errors of the one-sided and the two-sided differences of `f` at `x`, for every epsilon.

    Inputs:
    - f: a numpy function of an array (np.exp, np.sin, ...) that keeps the dtype of its input
    - fprime: the exact derivative of f, evaluated in float64
    - x: the point; it is rounded to `dtype` first, and the exact derivative is taken at the rounded point
    - epsilons: shape (k,), positive step sizes
    - dtype: np.float64 or np.float32, the precision in which the differences are computed

    Returns {"one-sided": (k,), "two-sided": (k,)} in float64, with
    one-sided (f(x + eps) - f(x)) / eps and two-sided (f(x + eps) - f(x - eps)) / (2 eps), both in `dtype`.
    """
    if dtype not in (np.float64, np.float32, np.float16):
        raise TypeError(f"dtype must be np.float64, np.float32 or np.float16, got {dtype!r}")
    eps = np.asarray(epsilons, dtype=np.float64)
    if eps.ndim != 1 or eps.size == 0 or not np.all(eps > 0):
        raise ValueError("epsilons must be a non-empty 1-D sequence of positive numbers")
    x_ = np.asarray(x, dtype=dtype)
    e = eps.astype(dtype)
    two = dtype(2)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        fx = f(np.full_like(e, x_))
        forward, backward = f(x_ + e), f(x_ - e)
        if np.asarray(forward).dtype != dtype:
            raise TypeError(f"f changed the dtype from {np.dtype(dtype).name} to {np.asarray(forward).dtype.name}; "
                            "use numpy functions such as np.exp that keep it")
        one_sided = (forward - fx) / e
        two_sided = (forward - backward) / (two * e)
    exact = float(fprime(float(x_)))
    return {"one-sided": np.abs(one_sided.astype(np.float64) - exact),
            "two-sided": np.abs(two_sided.astype(np.float64) - exact)}


# ----------------------------------------------------------------------------- dropout
class DropoutCost(NamedTuple):
    """Three functions of one network with dropout, all drawing their masks the same way (fresh or frozen).

    - cost(parameters) -> float
    - gradients(parameters) -> {"dW1", ...}, from helpers.network.model_backward
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
    rng = _rng(rng)
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, (int, float, np.floating)) \
            or not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob!r}")
    if not isinstance(frozen, (bool, np.bool_)):
        raise TypeError(f"frozen must be True or False, got {frozen!r}")
    if not isinstance(X, np.ndarray) or not isinstance(Y, np.ndarray) or X.ndim != 2 or Y.shape != (1, X.shape[1]):
        raise ValueError("X must be a numpy array (n_0, m) and Y a numpy array (1, m) with the same m")
    seed = int(rng.integers(2**63))

    def forward(parameters: dict):
        mask_rng = np.random.default_rng(seed) if frozen else rng
        return network.model_forward(X, parameters, hidden, keep_prob, mask_rng)

    def cost(parameters: dict) -> float:
        return network.bce_cost(forward(parameters)[0], Y)

    def gradients(parameters: dict) -> dict:
        AL, caches = forward(parameters)
        return network.model_backward(AL, Y, caches)

    return DropoutCost(cost, gradients, forward)


# ----------------------------------------------------------------------------- the fast check
@dataclass(frozen=True)
class DirectionalCheck:
    """Result of `directional_check`, one entry per random direction u.

    - numerical: (k,) (J(theta + eps u) - J(theta - eps u)) / (2 eps)
    - analytic: (k,) the gradient dotted with u
    - differences: (k,) |numerical - analytic| / (|numerical| + |analytic|), 0 where both are 0
    - difference: the same over all directions at once, ||numerical - analytic|| / (||numerical|| + ||analytic||)
    - evaluations: cost evaluations used, 2 per direction
    """

    numerical: np.ndarray
    analytic: np.ndarray
    differences: np.ndarray
    difference: float
    evaluations: int

    @property
    def worst(self) -> float:
        """The largest relative difference over the directions."""
        return float(np.max(self.differences))


def _param_dict(parameters, name: str) -> dict:
    if not isinstance(parameters, dict) or not parameters:
        raise TypeError(f"{name} must be a non-empty dict of numpy arrays, got {type(parameters).__name__}")
    for key, value in parameters.items():
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{name}[{key!r}] must be a numpy array, got {type(value).__name__}")
    return parameters


def directional_check(cost: Callable[[dict], float], parameters: dict, gradients: dict, rng: np.random.Generator,
                      n_directions: int = 3, epsilon: float = 1e-5, names=None) -> DirectionalCheck:
    """Compare directional derivatives of `cost` with the analytic gradient, along a few random unit directions.

    Inputs:
    - cost: maps a parameter dict {"W1": (n_1, n_0), "b1": (n_1, 1), ...} to a float
    - parameters: where to check; not modified
    - gradients: {"dW1", "db1", ...}, the analytic gradient to check, same shapes as the parameters
    - rng: numpy.random.Generator drawing the directions (u uniform on the unit sphere of the checked entries)
    - n_directions: k, the number of random directions u; each costs two evaluations of `cost`
    - epsilon: the step along u. The directional derivative g . u along a random unit u is only about
      |g| / sqrt(n) for n entries, so the round-off of the difference (about 1e-16 |J| / epsilon) weighs
      sqrt(n) times more than in a single component. The default 1e-5 keeps it near 1e-9 for thousands of
      entries, while the truncation error, about epsilon**2 = 1e-10 relative, stays negligible too.
    - names: restrict the directions to these parameters (e.g. ["W2"]) to locate a bug; default all of them

    Returns a DirectionalCheck. A correct gradient gives differences about 1e-7 or below; a wrong block that
    carries a fair share of the gradient gives 1e-3 or more in almost every direction. Where the full check costs
    2 n evaluations, this one costs 2 k whatever the size of the network.
    """
    if not callable(cost):
        raise TypeError(f"cost must be a function of a parameter dict, got {type(cost).__name__}")
    _param_dict(parameters, "parameters")
    _param_dict(gradients, "gradients")
    k = _positive(n_directions, "n_directions", int)
    rng = _rng(rng)
    epsilon = _positive(epsilon, "epsilon")
    checked = list(parameters) if names is None else list(names)
    unknown = [n for n in checked if n not in parameters]
    if not checked or unknown:
        raise ValueError(f"names must be parameters among {list(parameters)}, got {names!r}")
    for n in checked:
        g = gradients.get("d" + n)
        if not isinstance(g, np.ndarray) or g.shape != parameters[n].shape:
            raise ValueError(f"gradients must hold 'd{n}' of shape {parameters[n].shape}, got "
                             f"{None if g is None else getattr(g, 'shape', type(g).__name__)}")
    numerical, analytic = np.empty(k), np.empty(k)
    for i in range(k):
        u = {n: rng.standard_normal(parameters[n].shape) for n in checked}
        norm = np.sqrt(sum(np.sum(v**2) for v in u.values()))
        u = {n: v / norm for n, v in u.items()}
        plus = {n: (p + epsilon * u[n] if n in u else p) for n, p in parameters.items()}
        minus = {n: (p - epsilon * u[n] if n in u else p) for n, p in parameters.items()}
        numerical[i] = (float(cost(plus)) - float(cost(minus))) / (2 * epsilon)
        analytic[i] = sum(float(np.sum(gradients["d" + n] * u[n])) for n in checked)
    scale = np.abs(numerical) + np.abs(analytic)
    differences = np.divide(np.abs(numerical - analytic), scale, out=np.zeros(k), where=scale > 0)
    total = np.linalg.norm(numerical) + np.linalg.norm(analytic)
    difference = float(np.linalg.norm(numerical - analytic) / total) if total > 0 else 0.0
    return DirectionalCheck(numerical, analytic, differences, difference, 2 * k)


# ----------------------------------------------------------------------------- counting evaluations
class CountingCost:
    """Wraps a cost function and counts how often it runs: `calls` after the fact.

        counted = CountingCost(cost); gradient_check(parameters, gradients, counted); counted.calls
    """

    def __init__(self, cost: Callable):
        if not callable(cost):
            raise TypeError(f"cost must be callable, got {type(cost).__name__}")
        self.cost, self.calls = cost, 0
        self.__name__ = getattr(cost, "__name__", "cost")

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.cost(*args, **kwargs)


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
