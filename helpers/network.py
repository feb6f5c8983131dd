"""A small fully connected network in numpy: forward/backward pairs with caches, CS231n style.

Conventions: `A` has shape (n_l, m), one column per example; `W_l` (n_l, n_{l-1}); `b_l` (n_l, 1);
parameters {"W1", "b1", ..., "WL", "bL"}; gradients {"dW1", "db1", ...}. Hidden layers use `hidden`
("relu", "tanh", "sigmoid" or "linear"); the output layer is a sigmoid with binary cross-entropy.
"""

from __future__ import annotations

import numpy as np

HIDDEN = ("relu", "tanh", "sigmoid", "linear")


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
    if hidden not in HIDDEN:
        raise ValueError(f"unknown activation {hidden!r}; expected one of {', '.join(HIDDEN)}")
    return hidden


# ----------------------------------------------------------------------------- layers
def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray):
    """Z = W @ A_prev + b. A_prev (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1) -> Z (n_l, m), cache."""
    return W @ A_prev + b, (A_prev, W)


def linear_backward(dZ: np.ndarray, cache):
    """dZ (n_l, m) -> dA_prev (n_{l-1}, m), dW (n_l, n_{l-1}), db (n_l, 1). dZ already carries the 1/m of the cost."""
    A_prev, W = cache
    return W.T @ dZ, dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)


def activation_forward(Z: np.ndarray, kind: str):
    """A = g(Z) for kind in HIDDEN; Z (n_l, m) -> A (n_l, m), cache."""
    if kind == "relu":
        A = np.maximum(Z, 0.0)
    elif kind == "tanh":
        A = np.tanh(Z)
    elif kind == "sigmoid":
        A = 0.5 * (1.0 + np.tanh(0.5 * Z))  # the tanh form never overflows in exp
    else:
        A = Z
    return A, (kind, Z, A)


def activation_backward(dA: np.ndarray, cache) -> np.ndarray:
    """dA (n_l, m) -> dZ (n_l, m) = dA * g'(Z)."""
    kind, Z, A = cache
    if kind == "relu":
        return dA * (Z > 0)
    if kind == "tanh":
        return dA * (1.0 - A**2)
    if kind == "sigmoid":
        return dA * A * (1.0 - A)
    return dA


def dropout_forward(A: np.ndarray, keep_prob: float, rng: np.random.Generator | None):
    """Inverted dropout: keep each unit with probability keep_prob and divide by keep_prob.

    A (n_l, m) -> A_drop (n_l, m), cache. keep_prob = 1.0 is the identity and draws nothing.
    """
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    if keep_prob == 1.0:
        return A, None
    if not isinstance(rng, np.random.Generator):
        raise TypeError("dropout with keep_prob < 1 needs rng, a numpy.random.Generator")
    mask = rng.random(A.shape) < keep_prob
    return A * mask / keep_prob, (mask, keep_prob)


def dropout_backward(dA: np.ndarray, cache) -> np.ndarray:
    """dA_drop (n_l, m) -> dA (n_l, m), through the same mask as the forward pass."""
    if cache is None:
        return dA
    mask, keep_prob = cache
    return dA * mask / keep_prob


def bce_cost(AL: np.ndarray, Y: np.ndarray) -> float:
    """Binary cross-entropy -(1/m) sum(Y log AL + (1-Y) log(1-AL)); AL, Y (1, m). inf when a sure prediction is wrong."""
    with np.errstate(divide="ignore", invalid="ignore"):
        losses = -(Y * np.log(AL) + (1 - Y) * np.log1p(-AL))
    losses = np.where((Y == AL), 0.0, losses)  # 0 * log(0) is 0 for a sure and right prediction
    return float(np.mean(losses))


# ----------------------------------------------------------------------------- the model
def model_forward(X: np.ndarray, parameters: dict, hidden: str = "relu", keep_prob: float = 1.0,
                  rng: np.random.Generator | None = None):
    """X (n_0, m) through L-1 hidden layers (with dropout on them if keep_prob < 1) and a sigmoid output.

    Returns AL (1, m) and the caches for `model_backward`.
    """
    L = num_layers(parameters)
    _array(X, "X")
    _check_hidden(hidden)
    if X.shape[0] != parameters["W1"].shape[1]:
        raise ValueError(f"X has {X.shape[0]} features but W1 expects {parameters['W1'].shape[1]}")
    A, caches = X, []
    for l in range(1, L + 1):
        Z, lin = linear_forward(A, parameters[f"W{l}"], parameters[f"b{l}"])
        A, act = activation_forward(Z, hidden if l < L else "sigmoid")
        drop = None
        if l < L:
            A, drop = dropout_forward(A, keep_prob, rng)
        caches.append((lin, act, drop))
    return A, caches


def model_backward(AL: np.ndarray, Y: np.ndarray, caches) -> dict:
    """Gradients {"dW1", "db1", ...} of the mean binary cross-entropy, from `model_forward`'s caches.

    The sigmoid and the cross-entropy are differentiated together: dZ_L = (AL - Y) / m, exact even where AL is 0 or 1.
    """
    m = Y.shape[1]
    grads, L = {}, len(caches)
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        lin, act, drop = caches[l - 1]
        if l < L:
            dZ = activation_backward(dropout_backward(dA, drop), act)
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(dZ, lin)
    return grads


def cost_and_gradients(X, Y, parameters, hidden="relu", keep_prob=1.0, rng=None):
    """(cost, gradients) of the network on (X, Y); X (n_0, m), Y (1, m)."""
    AL, caches = model_forward(X, parameters, hidden, keep_prob, rng)
    return bce_cost(AL, Y), model_backward(AL, Y, caches)


def train(X, Y, parameters, learning_rate=0.1, num_iterations=2000, hidden="relu", record_every=10):
    """Batch gradient descent from `parameters` (not modified). Returns (trained parameters, costs every `record_every`)."""
    params = {k: v.astype(float, copy=True) for k, v in parameters.items()}
    num_layers(params)
    costs = []
    for i in range(num_iterations):
        cost, grads = cost_and_gradients(X, Y, params, hidden)
        if i % record_every == 0:
            costs.append(cost)
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


# ----------------------------------------------------------------------------- signal through depth
def forward_activations(X: np.ndarray, parameters: dict, activation: str = "relu") -> list:
    """[A_1, ..., A_L] with A_l = g(W_l @ A_{l-1} + b_l), A_0 = X, and the same g = `activation` at every layer.

    Unlike `model_forward` there is no sigmoid output layer: this follows the scale of the signal through depth.
    X (n_0, m) -> a list of L arrays, A_l of shape (n_l, m). `activation` is one of HIDDEN.
    """
    L = num_layers(parameters)
    _array(X, "X")
    _check_hidden(activation)
    if X.shape[0] != parameters["W1"].shape[1]:
        raise ValueError(f"X has {X.shape[0]} features but W1 expects {parameters['W1'].shape[1]}")
    A, activations = X, []
    for l in range(1, L + 1):
        Z, _ = linear_forward(A, parameters[f"W{l}"], parameters[f"b{l}"])
        A, _ = activation_forward(Z, activation)
        activations.append(A)
    return activations


def activation_std_profile(X: np.ndarray, parameters: dict, activation: str = "relu") -> np.ndarray:
    """Shape (L,): np.std over all n_l * m entries of every A_l of `forward_activations` (population std, ddof=0).

    Overflow in a blown-up network gives inf or NaN entries rather than a warning.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array([np.std(A) for A in forward_activations(X, parameters, activation)])
