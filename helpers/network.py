"""A small fully connected network in numpy, CS231n style: the model, its training, its diagnostics at initialization.

The network is built from the forward/backward pairs with caches of `helpers.layers` (importable from here too).
Conventions: `A` has shape (n_l, m), one column per example; `W_l` (n_l, n_{l-1}); `b_l` (n_l, 1);
parameters {"W1", "b1", ..., "WL", "bL"}; gradients {"dW1", "db1", ...}. Hidden layers use `hidden`
("relu", "tanh", "sigmoid" or "linear", from the registry `helpers.activations`); the output layer is a sigmoid with
binary cross-entropy.
"""

from __future__ import annotations

import numpy as np

from .activations import get as _activation
from .layers import (HIDDEN, activation_backward, activation_forward, batchnorm_backward, batchnorm_forward, bce_cost,
                     dropout_backward, dropout_forward,
                     linear_backward, linear_forward)


# ----------------------------------------------------------------------------- validation
def _array(x, name: str, ndim: int = 2) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of {ndim} dimensions, got {type(x).__name__}")
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {x.shape}")
    return x


def num_layers(parameters: dict) -> int:
    """L, the number of layers of `parameters` {"W1", "b1", ..., "WL", "bL"}, after checking the shapes chain."""
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict {{'W1', 'b1', ...}}, got {type(parameters).__name__}")
    L = len(parameters) // 2
    if L == 0 or set(parameters) != {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}:
        raise ValueError(f"parameters must have keys W1, b1, ..., WL, bL; got {sorted(parameters)}")
    for l in range(1, L + 1):
        W, b = _array(parameters[f"W{l}"], f"W{l}"), _array(parameters[f"b{l}"], f"b{l}")
        if b.shape != (W.shape[0], 1):
            raise ValueError(f"b{l} must have shape ({W.shape[0]}, 1) to match W{l} {W.shape}, got {b.shape}")
        if l > 1 and W.shape[1] != parameters[f"W{l - 1}"].shape[0]:
            raise ValueError(f"W{l} {W.shape} does not follow W{l - 1} {parameters[f'W{l - 1}'].shape}")
    return L


def _check_hidden(hidden: str) -> str:
    return _activation(hidden).name  # ValueError: unknown activation ...; expected one of relu, tanh, sigmoid, linear



# ----------------------------------------------------------------------------- the model
def model_forward(X: np.ndarray, parameters: dict, hidden: str = "relu", keep_prob: float = 1.0,
                  rng: np.random.Generator | None = None):
    """X (n_0, m) through L-1 hidden layers (with dropout on them if keep_prob < 1) and a sigmoid output.

    Returns AL (1, m) and the caches: per layer ((A_prev, W), (activation, Z, A), dropout cache or None).
    """
    return _forward(X, parameters, _checked(X, parameters, hidden), hidden, keep_prob, rng)


def _checked(X, parameters: dict, hidden: str) -> int:
    """L, after checking the parameters, X and `hidden` (TypeError or ValueError naming what was expected)."""
    L = num_layers(parameters)
    _array(X, "X")
    _check_hidden(hidden)
    if X.shape[0] != parameters["W1"].shape[1]:
        raise ValueError(f"X has {X.shape[0]} features but W1 expects {parameters['W1'].shape[1]}")
    return L


def _forward(X, parameters, L, hidden, keep_prob, rng):
    A, caches = X, []
    for l in range(1, L + 1):
        Z, lin = linear_forward(A, parameters[f"W{l}"], parameters[f"b{l}"])
        A, act = activation_forward(Z, hidden if l < L else "sigmoid")
        drop = None
        if l < L:
            A, drop = dropout_forward(A, keep_prob, rng)
        caches.append((lin, act, drop))
    return A, caches


def cost_and_gradients(X, Y, parameters, hidden="relu", keep_prob=1.0, rng=None):
    """(cost, gradients) of the network on (X, Y): the mean binary cross-entropy, and {"dW1", "db1", ...}.

    X (n_0, m), Y (1, m); dropout on the hidden layers if keep_prob < 1 (masks drawn from `rng`). One forward pass
    and its backward pass: the sigmoid and the cross-entropy differentiated together, dZ_L = (AL - Y) / m (exact even
    where AL is 0 or 1), then every hidden layer back through its dropout mask and its activation. The backward
    pass is not a function of its own: taking `model_forward`'s caches, it would be 04's graded `backward_fixed`,
    which a student writes and nothing installed holds (COURSE_SPEC, conventions).
    """
    AL, grads = _gradients(X, Y, parameters, _checked(X, parameters, hidden), hidden, keep_prob, rng)
    return bce_cost(AL, Y), grads


def _gradients(X, Y, parameters, L, hidden, keep_prob=1.0, rng=None):
    """(AL, gradients) of checked inputs: the work of `cost_and_gradients` but the cost."""
    AL, caches = _forward(X, parameters, L, hidden, keep_prob, rng)
    m = Y.shape[1]
    grads, L = {}, len(caches)
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        lin, act, drop = caches[l - 1]
        if l < L:
            dZ = activation_backward(dropout_backward(dA, drop), act)
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(dZ, lin)
    return AL, grads


def train(X, Y, parameters, learning_rate=0.1, num_iterations=2000, hidden="relu", record_every=10):
    """Batch gradient descent from `parameters` (not modified). Returns (trained parameters, costs every `record_every`).

    The inputs are checked once; the cost is computed only on the iterations it is recorded (the same steps and
    costs as `cost_and_gradients` on every iteration, about a third faster)."""
    params = {k: v.astype(float, copy=True) for k, v in parameters.items()}
    L = _checked(X, params, hidden)
    costs = []
    for i in range(num_iterations):
        AL, grads = _gradients(X, Y, params, L, hidden)
        if i % record_every == 0:
            costs.append(bce_cost(AL, Y))
        for k in params:
            params[k] -= learning_rate * grads["d" + k]
    return params, np.array(costs)


def predict(X: np.ndarray, parameters: dict, hidden: str = "relu") -> np.ndarray:
    """Labels 0/1 of shape (1, m): 1 where the network's output is above 0.5."""
    AL, _ = model_forward(X, parameters, hidden)
    return (AL > 0.5).astype(int)


def accuracy(X: np.ndarray, Y: np.ndarray, parameters: dict, hidden: str = "relu") -> float:
    """Fraction of the m examples whose predicted label equals Y (1, m)."""
    return float(np.mean(predict(X, parameters, hidden) == Y))


# ----------------------------------------------------------------------------- diagnostics at initialization

def std_profiles(width: int, depth: int, std: float, activation: str, trials: int, rng: np.random.Generator,
                 examples: int = 16) -> np.ndarray:
    """Shape (trials, depth): the std of the activations of every layer of `trials` independent depth x width networks.

    Each trial draws its own X (width, examples) from N(0, 1) and its own weights W_l (width, width) from
    N(0, std**2) (biases 0; He's std for these square layers is sqrt(2 / width)), all from `rng`, vectorized over
    the trials; A_l = g(W_l @ A_{l-1}) with g = `activation` at every layer. Row t, column l - 1 is np.std(A_l) of
    trial t over its width * examples entries (0 once a layer is dead).
    Used to show that He keeps E[|a_l|^2] steady while log |a_l| wanders like a random walk whose variance grows
    like depth / width (Hanin & Rolnick 2018, "How to start training: the effect of initialization and
    architecture"): at small width a deep ReLU network's signal can die to exactly 0.
    """
    g = _activation(activation).forward
    A = rng.standard_normal((trials, width, examples))
    stds = np.empty((trials, depth))
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(depth):
            A = g(std * rng.standard_normal((trials, width, width)) @ A)
            stds[:, l] = A.reshape(trials, -1).std(axis=1)
    return stds


def layer_diagnostics(X: np.ndarray, Y: np.ndarray, parameters: dict, hidden: str = "tanh",
                      learning_rate: float = 0.1, saturation: float = 0.97) -> dict:
    """Per-layer health of a network at `parameters`, as in Karpathy's "A Recipe for Training Neural Networks"
    (2019) and makemore part 3 ("Activations, Gradients, BatchNorm").

    X (n_0, m), Y (1, m); `parameters` of L layers (L - 1 hidden layers with `hidden`, a sigmoid output). Returns
    a dict of arrays:
    - "saturated", shape (L - 1,): the share of the hidden activations with |a| > `saturation` (tanh units on
      their flat tails, where the gradient 1 - a**2 is below 0.06)
    - "grad_to_weight", shape (L,): ||dW_l|| / ||W_l|| (Frobenius norms; inf where W_l = 0)
    - "update_to_weight", shape (L,): learning_rate * ||dW_l|| / ||W_l||, the relative change of W_l in one step
      of gradient descent; Karpathy's rule of thumb: about 1e-3 (far below, the layer learns too slowly; far
      above, it thrashes)
    """
    L = num_layers(parameters)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, caches = model_forward(X, parameters, hidden=hidden)
        _, grads = cost_and_gradients(X, Y, parameters, hidden=hidden)
        acts = [act[2] for _, act, _ in caches[:-1]]  # A_l of the hidden layers, from their activation caches
        saturated = np.array([np.mean(np.abs(A) > saturation) for A in acts])
        norms = np.array([np.linalg.norm(parameters[f"W{l}"]) for l in range(1, L + 1)])
        grad_norms = np.array([np.linalg.norm(grads[f"dW{l}"]) for l in range(1, L + 1)])
        ratio = np.where(norms > 0, grad_norms / np.where(norms > 0, norms, 1.0), np.inf)
    return {"saturated": saturated, "grad_to_weight": ratio, "update_to_weight": learning_rate * ratio}


def weight_scale_sweep(X: np.ndarray, Y: np.ndarray, layer_dims, scales, relative_to, rng_seed: int,
                       learning_rate: float = 0.1, num_iterations: int = 200, batchnorm: bool = False) -> np.ndarray:
    """Final training cost against the weight scale, as in CS231n's assignment 2 ("weight_scale" of a deep net).

    For every s in `scales`, W_l = s * std_l * N(0, 1) with std_l = 1 (`relative_to=None`: a fixed scale times
    unit-variance draws) or std_l = relative_to(n_{l-1}, n_l), a function such as
    `lambda n_in, n_out: init_std("he", n_in, n_out)` with the student's init_std (then s = 1 is that scheme); biases 0;
    every scale starts from the same draws (np.random.default_rng(rng_seed)). Each network (ReLU hidden layers,
    a sigmoid output, the mean binary cross-entropy; the same model as `train`) takes `num_iterations` steps of
    batch gradient descent; all scales are trained at once, stacked along a first axis of length S = len(scales).
    With `batchnorm`, every hidden layer normalizes its Z over the batch before the ReLU (`layers.batchnorm_forward`,
    gamma 1 and beta 0 at the start, both trained), as CS231n's sweep with and without batch normalization.
    X (n_0, m), Y (1, m). Returns shape (S,): the cost after training (inf or nan where training blew up).
    """
    dims, scales = list(layer_dims), np.asarray(scales, dtype=float)
    L, S, m = len(dims) - 1, len(scales), X.shape[1]
    rng = np.random.default_rng(rng_seed)
    Ws, bs = [], []
    for l in range(1, L + 1):
        std = 1.0 if relative_to is None else float(relative_to(dims[l - 1], dims[l]))
        draw = rng.standard_normal((dims[l], dims[l - 1]))
        Ws.append(scales[:, None, None] * std * draw[None])  # (S, n_l, n_{l-1})
        bs.append(np.zeros((S, dims[l], 1)))
    gammas = [np.ones((S, n, 1)) for n in dims[1:-1]]
    betas = [np.zeros((S, n, 1)) for n in dims[1:-1]]
    with np.errstate(all="ignore"):
        for step in range(num_iterations + 1):
            A, caches = np.broadcast_to(X, (S,) + X.shape), []
            for l in range(L):  # forward through the layers of `layers`, the S networks at once
                Z, lin = linear_forward(A, Ws[l], bs[l])
                norm = None
                if l < L - 1 and batchnorm:  # hidden layers batch-normalized before the ReLU, if asked
                    Z, norm = batchnorm_forward(Z, gammas[l], betas[l])
                A, act = activation_forward(Z, "relu" if l < L - 1 else "sigmoid")
                caches.append((lin, norm, act))
            if step == num_iterations:
                break
            dZ = (A - Y) / m  # sigmoid + cross-entropy, already divided by m
            for l in reversed(range(L)):  # backward, then one step on every layer
                lin, norm, act = caches[l]
                if l < L - 1:
                    dZ = activation_backward(dA, act)
                    if norm is not None:
                        dZ, dgamma, dbeta = batchnorm_backward(dZ, norm)
                        gammas[l], betas[l] = gammas[l] - learning_rate * dgamma, betas[l] - learning_rate * dbeta
                dA, dW, db = linear_backward(dZ, lin)
                Ws[l], bs[l] = Ws[l] - learning_rate * dW, bs[l] - learning_rate * db
    # `train`'s cost, 0 log 0 = 0 included: a sure and right prediction costs 0, not NaN (once read as a blow-up)
    costs = np.array([bce_cost(AL[None], Y) for AL in A[:, 0, :]])
    return np.where(np.isnan(costs), np.inf, costs)
