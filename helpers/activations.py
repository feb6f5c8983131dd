"""The course's one registry of activation functions g and their derivatives g', used by every other module.

`ACTIVATIONS` maps a name to an `Activation`, in this order: "relu", "tanh", "sigmoid", "linear" (the order of
`layers.HIDDEN`, which is its keys). `forward(z)` is g(z) and `derivative(z)` is g'(z), written in terms of z; both
apply elementwise to a numpy array of any shape and return an array of that shape (float64 for float64 z).
`get(name)` returns one, or raises ValueError naming the valid ones.

    name     g(z)                      g'(z)                    source of g'
    relu     max(z, 0)                 1 where z > 0, else 0    one-sided derivative at the kink, 0 at z = 0, as
                                                                software does (Goodfellow et al. 2016, sec. 6.3)
    tanh     tanh(z)                   1 - tanh(z)**2           d/dz tanh = sech**2 = 1 - tanh**2
    sigmoid  1 / (1 + exp(-z))         g(z) * (1 - g(z))        Goodfellow et al. 2016, sec. 3.10
    linear   z                         1                        d/dz z = 1

The sigmoid is computed as 0.5 * (1 + tanh(z / 2)), the same function (tanh(z) = 2 sigmoid(2 z) - 1, Goodfellow
et al. 2016, sec. 6.3.2) without exp, so that it never overflows (z = -1000 gives 0.0, not a warning); it rounds
to exactly 0 or 1 once |z| > ~38. `init` names the scheme of `helpers.initializers` that suits each activation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "get"]


@dataclass(frozen=True)
class Activation:
    """One activation: its name, g and g' (elementwise, in terms of z), its formula as text, its usual init."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    formula: str
    init: str


def _relu_derivative(z):
    z = np.asarray(z)
    return (z > 0).astype(z.dtype)  # 0 at z = 0 (and for NaN), in z's dtype


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # the tanh form never overflows in exp


def _sigmoid_derivative(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


def _identity(z):
    return z  # z itself, not a copy


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("relu", lambda z: np.maximum(z, 0.0), _relu_derivative,
               "max(z, 0); g'(z) = 1 where z > 0, else 0", "he"),
    Activation("tanh", np.tanh, lambda z: 1.0 - np.tanh(z) ** 2,
               "tanh(z); g'(z) = 1 - tanh(z)**2", "xavier"),
    Activation("sigmoid", _sigmoid, _sigmoid_derivative,
               "1 / (1 + exp(-z)) = 0.5 * (1 + tanh(z / 2)); g'(z) = g(z) * (1 - g(z))", "xavier"),
    Activation("linear", _identity, np.ones_like,
               "z; g'(z) = 1", "xavier"),
)}


def get(name: str) -> Activation:
    """The Activation called `name` (exact, lower-case); ValueError naming the valid ones if there is none."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]
