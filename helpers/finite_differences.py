"""Finite differences as a gradient check uses them, and what they cost.

- `finite_difference_errors`: error of the one-sided and two-sided differences against epsilon, in any dtype.
- `directional_check`: the fast check of large networks: directional derivatives along a few random directions.
- `CountingCost`: wraps a cost function and counts its evaluations.

Parameters and gradients follow `helpers.network`: {"W1", "b1", ..., "WL", "bL"} and {"dW1", "db1", ...}, the
gradient of each parameter of its shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .arguments import generator, integer, positive

__all__ = ["finite_difference_errors", "directional_check", "DirectionalCheck", "CountingCost"]


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
    k = integer(n_directions, "n_directions")
    rng = generator(rng)
    epsilon = positive(epsilon, "epsilon")
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
