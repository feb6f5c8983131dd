"""Does helpers.initializers give every scheme's formula, draw from the rng it is given, and reject bad input?"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import initializers
from helpers.initializers import SCHEMES, initialize, scheme, weight_std

FORMULAS = {
    "zeros": lambda n_in, n_out: 0.0,
    "large": lambda n_in, n_out: 10.0,
    "xavier": lambda n_in, n_out: math.sqrt(1 / n_in),
    "glorot": lambda n_in, n_out: math.sqrt(2 / (n_in + n_out)),
    "he": lambda n_in, n_out: math.sqrt(2 / n_in),
}


def test_registry_holds_exactly_the_five_schemes_of_the_course():
    assert list(SCHEMES) == ["zeros", "large", "xavier", "glorot", "he"]
    assert all(s.name == name and s.formula and s.suits for name, s in SCHEMES.items())


@pytest.mark.parametrize("method", list(FORMULAS))
@pytest.mark.parametrize("n_in,n_out", [(1, 1), (600, 20), (20, 600), (3, 1000)])
def test_weight_std_matches_the_formula_of_every_scheme(method, n_in, n_out):
    assert weight_std(method, n_in, n_out) == pytest.approx(FORMULAS[method](n_in, n_out), rel=1e-15)
    assert isinstance(weight_std(method, n_in, n_out), float)


@pytest.mark.parametrize("bad", ["Xavier", "kaiming", "", None, 3])
def test_unknown_method_raises_value_error_naming_the_valid_ones(bad):
    with pytest.raises(ValueError) as raised:
        scheme(bad)
    assert all(name in str(raised.value) for name in SCHEMES)
    with pytest.raises(ValueError):
        initialize([2, 3], bad, np.random.default_rng(0))


@pytest.mark.parametrize("n_in,n_out", [(0, 3), (3, -1), (2.5, 3), (True, 3), ("4", 3)])
def test_weight_std_rejects_sizes_that_are_not_positive_integers(n_in, n_out):
    with pytest.raises(ValueError, match="positive integer"):
        weight_std("he", n_in, n_out)


def test_initialize_rejects_bad_layer_dims_and_rng():
    with pytest.raises(ValueError, match="at least"):
        initialize([5], "he", np.random.default_rng(0))
    with pytest.raises(ValueError, match="positive integer"):
        initialize([5, 0, 2], "he", np.random.default_rng(0))
    with pytest.raises(TypeError, match="Generator"):
        initialize([5, 2], "he", 0)


@pytest.mark.parametrize("method", list(FORMULAS))
def test_initialize_gives_course_shapes_float64_and_zero_biases(method):
    dims = [5, 7, 3, 1]
    params = initialize(dims, method, np.random.default_rng(0))
    assert sorted(params) == sorted(f"{p}{l}" for l in (1, 2, 3) for p in "Wb")
    for l in (1, 2, 3):
        assert params[f"W{l}"].shape == (dims[l], dims[l - 1]) and params[f"W{l}"].dtype == np.float64
        assert params[f"b{l}"].shape == (dims[l], 1) and not params[f"b{l}"].any()
    assert (method == "zeros") == all(not params[f"W{l}"].any() for l in (1, 2, 3))


def test_initialize_uses_only_the_rng_given():
    before = np.random.get_state()
    a = initialize([4, 6, 2], "glorot", np.random.default_rng(5))
    b = initialize([4, 6, 2], "glorot", np.random.default_rng(5))
    c = initialize([4, 6, 2], "glorot", np.random.default_rng(6))
    after = np.random.get_state()
    assert np.array_equal(before[1], after[1]) and before[2] == after[2]
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])


def test_initialize_does_not_modify_layer_dims():
    dims = [3, 4, 2]
    initialize(dims, "he", np.random.default_rng(0))
    assert dims == [3, 4, 2]


@pytest.mark.parametrize("method", ["large", "xavier", "glorot", "he"])
def test_initialize_draws_normal_weights_with_the_scheme_std(method):
    # 1000 -> 50 -> 400: 50,000 and 20,000 weights. Tolerances of 6 standard errors: std 1/sqrt(2N) relative,
    # mean std/sqrt(N), kurtosis sqrt(24/N) around the normal's 3.
    dims = [1000, 50, 400]
    params = initialize(dims, method, np.random.default_rng(11))
    for l in (1, 2):
        w = params[f"W{l}"].ravel()
        std = FORMULAS[method](dims[l - 1], dims[l])
        assert w.std() == pytest.approx(std, rel=6 / np.sqrt(2 * w.size))
        assert abs(w.mean()) <= 6 * std / np.sqrt(w.size)
        c = w - w.mean()
        assert abs(np.mean(c**4) / np.mean(c**2) ** 2 - 3) <= 6 * np.sqrt(24 / w.size)


def test_module_documents_every_scheme_formula():
    for s in SCHEMES.values():
        assert s.name in initializers.__doc__ and s.formula in initializers.__doc__
