"""Is helpers.activations the one registry of g and g', right and used by every module that applies an activation?"""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import numpy as np
import pytest

from helpers import activations, deep_signal, gradient_check, initializers, layers, network

NAMES = list(activations.ACTIVATIONS)
#: the modules that apply activations, and the calls in them that take an activation's name
USERS = (layers, network, deep_signal)
NAMED_BY = {"get", "_activation", "activation_forward", "_check_hidden"}


def _away_from_kinks(name: str, shape=(4, 5, 6), seed=0) -> np.ndarray:
    z = 3.0 * np.random.default_rng(seed).standard_normal(shape)
    if name == "relu":
        z = np.where(np.abs(z) < 1e-3, 0.5, z)  # relu's kink is at 0
    return z


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_a_central_difference_away_from_kinks(name):
    # (g(z + h) - g(z - h)) / 2h has error ~ h**2 |g'''| / 6 (truncation) + 1e-16 / h (round-off): ~1e-10 for h = 1e-6
    act, z, h = activations.get(name), _away_from_kinks(name), 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-7, atol=1e-8,
                               err_msg=f"{name}: derivative(z) is not the slope of forward(z)")


@pytest.mark.parametrize("name", NAMES)
def test_forward_and_derivative_are_elementwise_and_keep_shape_and_dtype(name):
    act = activations.get(name)
    for shape in ((), (7,), (3, 4), (2, 3, 4)):
        z = _away_from_kinks(name, shape, seed=1)
        for what, out in (("forward", act.forward(z)), ("derivative", act.derivative(z))):
            out = np.asarray(out)
            assert out.shape == z.shape and out.dtype == np.float64, \
                f"{name}.{what} on shape {shape} gave shape {out.shape}, dtype {out.dtype}"
            flat = getattr(act, what)(z.ravel())
            np.testing.assert_array_equal(out.ravel(), flat, err_msg=f"{name}.{what} is not elementwise")


def test_relu_and_its_derivative_at_zero_are_what_the_code_defines():
    relu = activations.get("relu")
    z = np.array([-1.0, -0.0, 0.0, 1e-300, 2.0])
    np.testing.assert_array_equal(relu.forward(z), [0.0, 0.0, 0.0, 1e-300, 2.0], err_msg="relu(z) = max(z, 0)")
    np.testing.assert_array_equal(relu.derivative(z), [0.0, 0.0, 0.0, 1.0, 1.0],
                                  err_msg="relu'(0) is 0, the one-sided derivative from the left: (z > 0)")
    _, cache = layers.activation_forward(z, "relu")
    np.testing.assert_array_equal(layers.activation_backward(np.ones_like(z), cache), [0.0, 0.0, 0.0, 1.0, 1.0],
                                  err_msg="layers.activation_backward passes no gradient through relu at z = 0")
    np.testing.assert_array_equal(deep_signal.ACTIVATIONS["relu"][1](z), [0.0, 0.0, 0.0, 1.0, 1.0],
                                  err_msg="deep_signal's relu' at 0 is 0 too")


def test_sigmoid_does_not_overflow_and_saturates_to_exactly_0_and_1():
    sigmoid = activations.get("sigmoid")
    z = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    with np.errstate(all="raise"):
        s, ds = sigmoid.forward(z), sigmoid.derivative(z)
    np.testing.assert_array_equal(s[[0, 2, 4]], [0.0, 0.5, 1.0], err_msg="sigmoid(-1000, 0, 1000)")
    np.testing.assert_array_equal(ds[[0, 2, 4]], [0.0, 0.25, 0.0], err_msg="sigmoid'(-1000, 0, 1000)")
    assert np.all((s >= 0) & (s <= 1)) and np.all(ds >= 0), f"sigmoid out of [0, 1] or decreasing: {s}, {ds}"
    moderate = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(sigmoid.forward(moderate), 1 / (1 + np.exp(-moderate)), rtol=1e-12, atol=1e-16,
                               err_msg="the tanh form is the logistic sigmoid 1 / (1 + exp(-z))")


@pytest.mark.parametrize("bad", ["Relu", "softmax", "", " tanh", None, 3])
def test_an_unknown_name_raises_a_value_error_that_names_the_valid_ones(bad):
    with pytest.raises(ValueError, match="unknown activation") as info:
        activations.get(bad)
    assert all(name in str(info.value) for name in NAMES), f"the message should name {NAMES}: {info.value}"
    assert str(info.value).endswith("expected one of relu, tanh, sigmoid, linear"), \
        f"the wording of network's message, in HIDDEN's order: {info.value}"


def test_the_registry_is_frozen_and_every_activation_has_a_formula_and_an_init_scheme():
    assert NAMES == ["relu", "tanh", "sigmoid", "linear"], f"the registry's order is HIDDEN's: {NAMES}"
    for name, act in activations.ACTIVATIONS.items():
        assert act.name == name, f"ACTIVATIONS[{name!r}] is named {act.name!r}"
        assert act.formula and "g'(z)" in act.formula, f"{name}: formula should give g and g': {act.formula!r}"
        assert act.init in initializers.SCHEMES, f"{name}: init {act.init!r} is not a scheme of helpers.initializers"
        with pytest.raises(dataclasses.FrozenInstanceError):
            act.name = "other"
    assert activations.get("relu").init == "he", "He et al. 2015 is the scheme for ReLU layers"


def test_layers_network_and_deep_signal_use_the_registry():
    assert layers.HIDDEN == ("relu", "tanh", "sigmoid", "linear"), f"HIDDEN changed: {layers.HIDDEN}"
    assert network.HIDDEN is layers.HIDDEN, "network re-exports layers.HIDDEN"
    assert list(deep_signal.ACTIVATIONS) == ["linear", "tanh", "relu"], \
        f"deep_signal's menu (and the depth widget's) keeps its order: {list(deep_signal.ACTIVATIONS)}"
    for name, (g, g_prime) in deep_signal.ACTIVATIONS.items():
        act = activations.get(name)
        assert g is act.forward and g_prime is act.derivative, f"deep_signal's {name} is not the registry's"
    rng = np.random.default_rng(2)
    Z, dA = rng.standard_normal((3, 8)), rng.standard_normal((3, 8))
    for name in layers.HIDDEN:
        A, cache = layers.activation_forward(Z, name)
        np.testing.assert_array_equal(A, activations.get(name).forward(Z), err_msg=f"activation_forward {name}")
        np.testing.assert_array_equal(layers.activation_backward(dA, cache), dA * activations.get(name).derivative(Z),
                                      err_msg=f"activation_backward {name}")
    with pytest.raises(ValueError, match="expected one of relu, tanh, sigmoid, linear"):
        network.model_forward(np.ones((3, 4)), {"W1": np.ones((2, 3)), "b1": np.ones((2, 1))}, "Relu")


def _names_in_calls(module) -> set[str]:
    """The string constants passed to the calls of NAMED_BY anywhere in `module`'s source."""
    found = set()
    for node in ast.walk(ast.parse(Path(module.__file__).read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in NAMED_BY:
            found |= {c.value for arg in node.args for c in ast.walk(arg)
                      if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return found


def test_every_activation_name_the_modules_use_is_registered():
    used = {name: {module.__name__} for module in USERS for name in _names_in_calls(module)}
    assert {"sigmoid", "relu"} <= set(used), f"network names its sigmoid output and relu sweep: {sorted(used)}"
    for module in (*USERS, gradient_check):
        for fname, f in inspect.getmembers(module, inspect.isfunction):
            for p in inspect.signature(f).parameters.values():
                if p.name in ("hidden", "activation", "kind") and isinstance(p.default, str):
                    used.setdefault(p.default, set()).add(f"{module.__name__}.{fname}")
    used.update({name: {"deep_signal.ACTIVATIONS"} for name in deep_signal.ACTIVATIONS if name not in used})
    unknown = {name: where for name, where in used.items() if name not in activations.ACTIVATIONS}
    assert not unknown, f"activation names used but not registered: {unknown}"
