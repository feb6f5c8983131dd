"""Initialization schemes of a fully connected layer, as a validated registry of names, formulas and uses.

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

The registry holds what the text of the course says of each scheme (its formula as text, what it suits), not the
numbers: computing the standard deviation and drawing the parameters are the graded functions `init_std` and
`initialize_parameters` of assignment 03, which a student writes and nothing installed holds (COURSE_SPEC,
conventions). Code that needs weights drawn by a scheme takes them from the student's functions, or a std.

    scheme("he").formula          # "sqrt(2 / n_in)"
    scheme("He")                  # ValueError: unknown initialization method 'He'; expected one of ...
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Scheme", "SCHEMES", "scheme"]


@dataclass(frozen=True)
class Scheme:
    """One initialization scheme: its name, its formula as text, and the activations it suits."""

    name: str
    formula: str
    suits: str


SCHEMES: dict[str, Scheme] = {s.name: s for s in (
    Scheme("zeros", "0", "none: symmetry is never broken"),
    Scheme("large", "10", "none: activations blow up or saturate"),
    Scheme("xavier", "sqrt(1 / n_in)", "linear, tanh"),
    Scheme("glorot", "sqrt(2 / (n_in + n_out))", "linear, tanh"),
    Scheme("he", "sqrt(2 / n_in)", "relu"),
)}


def scheme(method: str) -> Scheme:
    """The Scheme named `method`; ValueError naming the valid ones if there is none."""
    if not isinstance(method, str) or method not in SCHEMES:
        raise ValueError(f"unknown initialization method {method!r}; expected one of {', '.join(map(repr, SCHEMES))}")
    return SCHEMES[method]
