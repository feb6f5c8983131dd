"""Initialization schemes of a fully connected layer, as a validated registry: the package's own reference.

A layer maps n_in = n_{l-1} units to n_out = n_l units; its weights W_l have shape (n_l, n_{l-1}) and its
biases b_l shape (n_l, 1). Every scheme draws W_l from N(0, std**2) with the standard deviation below and sets
b_l to zero:

    scheme   std                      keeps the scale of        reference
    zeros    0                        nothing (every unit of a layer stays identical)
    large    10                       nothing (activations blow up or saturate)
    xavier   sqrt(1 / n_in)           linear and tanh layers    LeCun et al. 1998, "Efficient BackProp"
    glorot   sqrt(2 / (n_in + n_out)) forward and backward, tanh Glorot & Bengio 2010
    he       sqrt(2 / n_in)           ReLU layers               He et al. 2015, "Delving deep into rectifiers"

Why: with independent zero-mean weights, Var(z_i) = n_in * Var(w) * E[a**2] for z = W @ a. Var(w) = 1 / n_in keeps
the scale of a linear layer; ReLU zeroes half of z, so E[relu(z)**2] = Var(z) / 2 and He doubles Var(w) to 2 / n_in.
Glorot averages the fan-in and the fan-out so that the backward signal (through W.T, fan-out n_out) keeps its
scale too.

    std = weight_std("he", n_in=100, n_out=10)          # 0.1414...
    parameters = initialize([2, 10, 5, 1], "he", rng)   # {"W1": (10, 2), "b1": (10, 1), ...}
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Scheme", "SCHEMES", "scheme", "weight_std", "initialize"]


@dataclass(frozen=True)
class Scheme:
    """One initialization scheme: its name, its formula as text, the activation it suits, and std(n_in, n_out)."""

    name: str
    formula: str
    suits: str
    std: Callable[[int, int], float]


SCHEMES: dict[str, Scheme] = {s.name: s for s in (
    Scheme("zeros", "0", "none: symmetry is never broken", lambda n_in, n_out: 0.0),
    Scheme("large", "10", "none: activations blow up or saturate", lambda n_in, n_out: 10.0),
    Scheme("xavier", "sqrt(1 / n_in)", "linear, tanh", lambda n_in, n_out: math.sqrt(1.0 / n_in)),
    Scheme("glorot", "sqrt(2 / (n_in + n_out))", "linear, tanh", lambda n_in, n_out: math.sqrt(2.0 / (n_in + n_out))),
    Scheme("he", "sqrt(2 / n_in)", "relu", lambda n_in, n_out: math.sqrt(2.0 / n_in)),
)}


def scheme(method: str) -> Scheme:
    """The Scheme named `method`; ValueError naming the valid ones if there is none."""
    if not isinstance(method, str) or method not in SCHEMES:
        raise ValueError(f"unknown initialization method {method!r}; expected one of {', '.join(map(repr, SCHEMES))}")
    return SCHEMES[method]


def _units(n, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} must be a positive integer (a number of units), got {n!r}")
    return int(n)


def weight_std(method: str, n_in: int, n_out: int) -> float:
    """The standard deviation of the weights of a layer with n_in inputs and n_out units under `method`.

    Inputs: method, a key of SCHEMES; n_in = n_{l-1} and n_out = n_l, positive integers. Returns a float.
    """
    return float(scheme(method).std(_units(n_in, "n_in"), _units(n_out, "n_out")))


def initialize(layer_dims, method: str, rng: np.random.Generator) -> dict:
    """Parameters {"W1", "b1", ..., "WL", "bL"} of a network with layer_dims = [n_0, n_1, ..., n_L].

    W_l (n_l, n_{l-1}) is drawn from N(0, weight_std(method, n_{l-1}, n_l)**2) with `rng` (all zeros for "zeros",
    drawing nothing); b_l (n_l, 1) is zero. Everything is float64; numpy's global random state is not used.
    """
    std_of = scheme(method).std  # validates method before anything is drawn
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    dims = [_units(n, f"layer_dims[{i}]") for i, n in enumerate(layer_dims)]
    if len(dims) < 2:
        raise ValueError(f"layer_dims needs at least an input size and one layer, got {list(layer_dims)}")
    parameters = {}
    for l in range(1, len(dims)):
        n_in, n_out = dims[l - 1], dims[l]
        std = std_of(n_in, n_out)
        parameters[f"W{l}"] = std * rng.standard_normal((n_out, n_in)) if std > 0 else np.zeros((n_out, n_in))
        parameters[f"b{l}"] = np.zeros((n_out, 1))
    return parameters
