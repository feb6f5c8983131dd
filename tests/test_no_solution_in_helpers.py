"""Does anything a student can import compute what a graded function computes?

`helpers` is installed in every student's environment and in the grading kernel's sandbox, so no graded function's
solution, nor an equivalent under another name, may live there (COURSE_SPEC, conventions). This test walks every
module of the package, calls every public function whose signature takes a graded function's arguments, on inputs
like those of the hidden tests, and fails naming each one whose results all match the instructor's solution
(`tests/references.py`, read from the source notebooks). `tests/fixtures/hostile/delegated_to_helpers_*.py` check
the same from the student's side: a submission that hands each graded function over to the library loses its points.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import signal
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import helpers  # noqa: E402
from references import ASSIGNMENTS, graded_functions, solutions  # noqa: E402


# ----------------------------------------------------------------------------- the library, walked
def public_functions() -> dict[str, object]:
    """"module.name" -> function, for every public function of every module of helpers (re-exports once)."""
    modules = [helpers] + [importlib.import_module(m.name)
                           for m in pkgutil.walk_packages(helpers.__path__, prefix="helpers.")]
    found, seen = {}, set()
    for module in modules:
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value) or id(value) in seen:
                continue
            if not (getattr(value, "__module__", "") or "").startswith("helpers"):
                continue  # numpy's, matplotlib's, ... imported by a module of helpers
            seen.add(id(value))
            found[f"{module.__name__}.{name}"] = value
    return found


# ----------------------------------------------------------------------------- inputs like the hidden tests'
def _network(dims, m, rng, scale=1.5):
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = scale * rng.standard_normal((dims[l], dims[l - 1])) / np.sqrt(dims[l - 1])
        params[f"b{l}"] = 0.5 * rng.standard_normal((dims[l], 1))
    return rng.standard_normal((dims[0], m)) + 0.3, params


def _inputs_01(rng):
    X = rng.standard_normal((4, 9)) * [[2.0], [1.0], [0.25], [40.0]] + [[3.0], [-20.0], [0.5], [100.0]]
    X[1] = 0.1
    X_test = rng.standard_normal((4, 5)) * 3 + 1
    mu, sigma = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    sigma[1] = 0.0
    skewed = rng.standard_normal((3, 50)) * [[1.0], [30.0], [0.2]]
    singular = np.vstack([skewed[:2], skewed[:1] * 2 - skewed[1:2]])
    return {"normalization_stats": [(X,), (X_test,)],
            "normalize": [(X_test, mu, sigma), (X[:, :1], mu, sigma)],
            "normalize_train_test": [(X, X_test)],
            "condition_number": [(skewed,), (skewed[:2],), (singular,)]}


def _inputs_02(rng):
    dims = [[4, 6, 3, 5, 2], [3, 3, 3, 3]]
    nets = []
    for d in dims:
        x = rng.standard_normal((d[0], 7))
        weights = [rng.standard_normal((d[l + 1], d[l])) for l in range(len(d) - 1)]
        activations = [x]
        for W in weights:
            activations.append(W @ activations[-1])
        nets.append((x, weights, activations, rng.standard_normal(activations[-1].shape)))
    arrays = [rng.standard_normal(shape) * s for shape, s in [((4, 7), 1.0), ((6, 7), 3e4), ((3, 7), 1e-5)]]
    return {"scaled_identity_weights": [(5, 7, 0.8), (1, 3, 1.3)],
            "layer_norms": [(arrays,), ([a.astype(np.float32) for a in arrays],)],
            "deep_linear_forward": [(x, w) for x, w, _, _ in nets],
            "deep_linear_backward": [(w, a, d) for _, w, a, d in nets],
            "diagnose": [(1.5 ** np.arange(30),), (0.5 ** np.arange(30),), ([1.0, 2.0, 0.7],),
                         ([1.0, np.nan, 1e-9],), ([0.0, 2.0],)]}


def _inputs_03(rng):
    X, params = _network([6, 9, 4, 7], 50, rng)
    return {"init_std": [(method, n_in, n_out) for method in ("zeros", "large", "xavier", "glorot", "he")
                         for n_in, n_out in ((600, 20), (20, 600), (3, 1000))],
            "initialize_parameters": [([1000, 50, 400], method, np.random.default_rng(31))
                                      for method in ("zeros", "large", "xavier", "glorot", "he")],
            "activation_stds": [(X, params, g) for g in ("linear", "tanh", "relu")]}


def _inputs_04(rng):
    from helpers.network import model_forward

    theta = rng.standard_normal(11)
    X, params = _network([3, 5, 4, 1], 6, rng, scale=1.0)
    Y = (rng.random((1, 6)) < 0.5).astype(float)
    vector, layout = solutions("04_gradient_checking").params_to_vector(params)
    grads = {f"d{k}": rng.standard_normal(v.shape) for k, v in params.items()}

    def cost(p):
        return float(sum(np.sum(np.sin(v) * (i + 1)) for i, v in enumerate(p.values())))

    forwards = [model_forward(X, params, hidden, keep_prob, np.random.default_rng(5))
                for hidden, keep_prob in (("tanh", 1.0), ("relu", 0.8))]
    return {"two_sided_difference": [(np.sin, 0.7), (np.exp, -1.3, 1e-5)],
            "params_to_vector": [(params,)],
            "vector_to_params": [(vector, layout)],
            "numerical_gradient": [(lambda v: float(np.sum(np.sin(v) * v ** 2)), theta)],
            "relative_difference": [(theta, theta + 1e-3 * rng.standard_normal(11)), (np.zeros(3), np.zeros(3))],
            "gradient_check": [(params, grads, cost)],
            "backward_fixed": [(AL, Y, caches) for AL, caches in forwards]}


def _inputs_05(rng):
    X, params = _network([5, 7, 4, 3], 30, rng)
    x = X[:, :1]
    Ys = [(rng.random((1, 40)) < share).astype(float) for share in (0.3, 0.8)]
    return {"orthogonal_weights": [(5, 3, 1.5, np.random.default_rng(51)), (3, 5, 0.7, np.random.default_rng(52)),
                                   (4, 4, 1.0, np.random.default_rng(53))],
            "activation_gain": [("linear",), ("tanh",), ("relu",)],
            "input_output_jacobian": [(params, x, g) for g in ("linear", "tanh", "relu")],
            "lsuv": [(params, X, g) for g in ("tanh", "relu")],
            "prior_output_bias": [(Y,) for Y in Ys],
            "label_entropy": [(Y,) for Y in Ys]}


INPUTS = {"01_normalization": _inputs_01, "02_vanishing_exploding": _inputs_02, "03_initialization": _inputs_03,
          "04_gradient_checking": _inputs_04, "05_signal_propagation": _inputs_05}


# ----------------------------------------------------------------------------- comparing results
def same(found, expected) -> bool:
    """The same value, as a test comparing with the reference would judge it (arrays within 1e-6)."""
    if isinstance(expected, dict):
        return isinstance(found, dict) and set(found) == set(expected) and all(same(found[k], expected[k])
                                                                                   for k in expected)
    if isinstance(expected, (list, tuple)):
        return isinstance(found, (list, tuple)) and len(found) == len(expected) and all(
            same(f, e) for f, e in zip(found, expected))
    if isinstance(expected, str) or isinstance(found, str):
        return isinstance(found, str) and isinstance(expected, str) and found == expected
    try:
        f, e = np.asarray(found, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    return f.shape == e.shape and bool(np.allclose(f, e, rtol=1e-6, atol=1e-12, equal_nan=True))


def same_orthogonal(found, n_out, n_in, gain) -> bool:
    """orthogonal_weights draws at random: the shape, and orthonormal rows or columns times gain (1e-8)."""
    try:
        W = np.asarray(found, dtype=float)
    except (TypeError, ValueError):
        return False
    if W.shape != (n_out, n_in):
        return False
    gram = W @ W.T if n_out <= n_in else W.T @ W
    return bool(np.allclose(gram, gain ** 2 * np.eye(min(n_out, n_in)), atol=1e-8))


def same_parameters(found, layer_dims, method, init_std) -> bool:
    """initialize_parameters draws at random: the same keys, shapes, zero biases and weight stds (10%)."""
    if not isinstance(found, dict) or set(found) != {f"{p}{l}" for l in range(1, len(layer_dims)) for p in "Wb"}:
        return False
    for l in range(1, len(layer_dims)):
        W, b = np.asarray(found[f"W{l}"], dtype=float), np.asarray(found[f"b{l}"], dtype=float)
        std = init_std(method, layer_dims[l - 1], layer_dims[l])
        if W.shape != (layer_dims[l], layer_dims[l - 1]) or b.shape != (layer_dims[l], 1) or np.any(b):
            return False
        if abs(W.std() - std) > 0.1 * std + 1e-12:
            return False
    return True


class _TooSlow(Exception):
    pass


@contextmanager
def _time_limit(seconds: float):
    def stop(*_):
        raise _TooSlow()

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def computes(candidate, graded: str, cases: list, reference) -> bool:
    """Whether `candidate` gives the reference's result (or holds it as one item of a tuple) on every case."""
    for args in cases:
        try:
            inspect.signature(candidate).bind(*args)
        except (TypeError, ValueError):
            return False
        try:
            with _time_limit(5.0), np.errstate(all="ignore"):
                found = candidate(*args)
        except BaseException:  # noqa: BLE001 - it does not compute this on these inputs
            return False
        finally:
            plt.close("all")
        if graded == "initialize_parameters":
            init_std = solutions("03_initialization").init_std
            answers = [found, *found] if isinstance(found, tuple) else [found]
            if not any(same_parameters(a, args[0], args[1], init_std) for a in answers):
                return False
            continue
        if graded == "orthogonal_weights":
            answers = [found, *found] if isinstance(found, tuple) else [found]
            if not any(same_orthogonal(a, *args[:3]) for a in answers):
                return False
            continue
        expected = reference(*args)
        if not (same(found, expected) or (isinstance(found, tuple) and any(same(f, expected) for f in found))):
            return False
    return True


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_public_function_of_helpers_computes_a_graded_function(assignment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # whatever a candidate writes, it writes here
    assert assignment in INPUTS, f"give the graded functions of {assignment} inputs like its hidden tests' in INPUTS"
    ref = solutions(assignment)
    cases = INPUTS[assignment](np.random.default_rng(2020))
    assert set(cases) == set(graded_functions(assignment)), "every graded function needs inputs here"
    candidates = public_functions()
    offenders = [f"{name} computes {graded}" for graded in graded_functions(assignment)
                 for name, candidate in candidates.items()
                 if computes(candidate, graded, cases[graded], getattr(ref, graded))]
    assert not offenders, (f"helpers holds the solution of a graded function of {assignment}: "
                           + "; ".join(offenders))


def test_the_walk_finds_a_solution_when_one_is_there(monkeypatch):
    # the control: put 02's layer_norms back into helpers under another name, and 03's init_std behind a wrapper
    ref02, ref03 = solutions("02_vanishing_exploding"), solutions("03_initialization")

    def frobenius(arrays):
        return ref02.layer_norms(arrays)

    def weight_std(method, n_in, n_out):
        return ref03.init_std(method, n_in, n_out)

    for f in (frobenius, weight_std):
        f.__module__ = "helpers.deep_signal"
        monkeypatch.setattr(f"helpers.deep_signal.{f.__name__}", f, raising=False)
    candidates = public_functions()
    assert "helpers.deep_signal.frobenius" in candidates and "helpers.deep_signal.weight_std" in candidates
    rng = np.random.default_rng(2020)
    cases02, cases03 = _inputs_02(rng), _inputs_03(rng)
    assert computes(candidates["helpers.deep_signal.frobenius"], "layer_norms", cases02["layer_norms"],
                    ref02.layer_norms)
    assert computes(candidates["helpers.deep_signal.weight_std"], "init_std", cases03["init_std"], ref03.init_std)
    assert not computes(candidates["helpers.deep_signal.frobenius"], "diagnose", cases02["diagnose"], ref02.diagnose)


def test_the_walk_finds_a_random_graded_function_by_its_properties():
    # orthogonal_weights draws at random: a wrapper of 05's solution is found by shape and orthonormality, a
    # Gaussian matrix of the same shape is not
    ref05 = solutions("05_signal_propagation")
    cases = _inputs_05(np.random.default_rng(2020))["orthogonal_weights"]

    def weights(n_out, n_in, gain, rng):
        return ref05.orthogonal_weights(n_out, n_in, gain, rng)

    def gaussian(n_out, n_in, gain, rng):
        return gain * rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)

    assert computes(weights, "orthogonal_weights", cases, ref05.orthogonal_weights)
    assert not computes(gaussian, "orthogonal_weights", cases, ref05.orthogonal_weights)
