"""Argument checks shared by the public functions of `helpers`: one place for what a bad argument is told.

Each check returns the value (as the type the caller computes with) or raises `BadArgument`, which is both a
TypeError and a ValueError, so callers and tests that catch either keep working; its message names the argument,
what was expected and what was found.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["BadArgument", "generator", "integer", "positive"]


class BadArgument(TypeError, ValueError):
    """An argument of the wrong type or out of range; the message says which, what is expected and what was found."""


def generator(rng, name: str = "rng") -> np.random.Generator:
    """`rng` if it is a numpy.random.Generator, else BadArgument: randomness comes only from a Generator passed in."""
    if not isinstance(rng, np.random.Generator):
        raise BadArgument(f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), "
                          f"got {type(rng).__name__}")
    return rng


def integer(value, name: str, minimum: int = 1) -> int:
    """`value` as an int if it is an integer (not a bool) of at least `minimum`, else BadArgument."""
    wanted = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise BadArgument(f"{name} must be {wanted}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise BadArgument(f"{name} must be {wanted}, got {value!r}")
    return int(value)


def positive(value, name: str) -> float:
    """`value` as a float if it is a finite real number above 0 (not a bool), else BadArgument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise BadArgument(f"{name} must be a positive number, got {value!r}")
    return float(value)
