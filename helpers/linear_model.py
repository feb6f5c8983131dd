"""A linear model y_hat = w.T @ x with the mean-squared-error cost, and gradient descent on it.

Shapes: X (n_x, m), Y (1, m), w (n_x, 1). The cost J(w) = 1/(2m) * sum((w.T @ X - Y)**2) is a quadratic
with Hessian H = X @ X.T / m, so gradient descent on it can be followed exactly in H's eigenbasis:
w_k - w* = V diag((1 - lr*lambda)**k) V.T (w_0 - w*). That makes paths and step counts cheap enough for a
widget that redraws on every slider move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _data(X, Y) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(X, np.ndarray) or X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n_x, m), got {getattr(X, 'shape', type(X).__name__)}")
    if not isinstance(Y, np.ndarray) or Y.shape != (1, X.shape[1]):
        raise ValueError(f"Y must have shape (1, m) = (1, {X.shape[1]}), got {getattr(Y, 'shape', type(Y).__name__)}")
    return X.astype(float), Y.astype(float)


def _weights(w, n_x: int) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    if w.size != n_x:
        raise ValueError(f"w must have n_x = {n_x} entries (shape ({n_x}, 1)), got shape {w.shape}")
    return w.reshape(n_x, 1)


# ------------------------------------------------------------------ forward/backward pairs
def predict_forward(w: np.ndarray, X: np.ndarray):
    """Y_hat = w.T @ X. w (n_x, 1), X (n_x, m) -> Y_hat (1, m), cache."""
    return w.T @ X, (w, X)


def predict_backward(dY_hat: np.ndarray, cache) -> np.ndarray:
    """dY_hat (1, m) -> dw (n_x, 1)."""
    _, X = cache
    return X @ dY_hat.T


def mse_forward(Y_hat: np.ndarray, Y: np.ndarray):
    """J = 1/(2m) * sum((Y_hat - Y)**2). Y_hat, Y (1, m) -> J (float), cache."""
    diff = Y_hat - Y
    return float(np.sum(diff**2) / (2 * Y.shape[1])), diff


def mse_backward(cache) -> np.ndarray:
    """dJ/dY_hat (1, m) = (Y_hat - Y) / m."""
    diff = cache
    return diff / diff.shape[1]


def cost_and_gradient(w, X, Y):
    """(J(w), dJ/dw of shape (n_x, 1))."""
    X, Y = _data(X, Y)
    Y_hat, pcache = predict_forward(_weights(w, X.shape[0]), X)
    J, mcache = mse_forward(Y_hat, Y)
    return J, predict_backward(mse_backward(mcache), pcache)


def balanced_learning_rate(X: np.ndarray) -> float:
    """2 / (lambda_min + lambda_max) of H = X @ X.T / m (the Hessian of J), X (n_x, m): the learning rate that
    shrinks the flattest and the steepest direction of the cost by the same factor per step, the fastest fixed rate
    when kappa is large. (The eigenvalues themselves, and their ratio, are 01's graded `condition_number`, which
    nothing installed computes: COURSE_SPEC, conventions.)"""
    X = _data(X, np.zeros((1, np.shape(X)[-1])))[0]
    lam = np.linalg.eigvalsh(X @ X.T / X.shape[1])
    return float(2.0 / (lam[0] + lam[-1]))


def least_squares(X: np.ndarray, Y: np.ndarray, bias: bool = False) -> np.ndarray:
    """The minimiser w* (n_x, 1) of J, or (n_x + 1, 1) with the bias as last entry when `bias`."""
    X, Y = _data(X, Y)
    if bias:
        X = np.vstack([X, np.ones((1, X.shape[1]))])
    return np.linalg.lstsq(X.T, Y.T, rcond=None)[0]


# ------------------------------------------------------------------ gradient descent
@dataclass
class Descent:
    """Gradient descent on J from w0 with a fixed learning rate.

    path: (k + 1, n_x) the iterates w_0..w_k drawn; costs: (k + 1,) J along the path;
    steps: steps until J - J* <= tol * (J(w0) - J*), inf if it never gets there (diverges or > max_steps);
    diverged: True when some direction has |1 - lr * lambda| > 1.
    """

    path: np.ndarray
    costs: np.ndarray
    steps: float
    diverged: bool
    w_star: np.ndarray


def gradient_descent(X, Y, learning_rate: float, w0, draw_steps: int = 200, tol: float = 1e-6,
                     max_steps: int = 10**7) -> Descent:
    """Batch gradient descent w <- w - lr * dJ/dw on the MSE of a linear model; see `Descent`."""
    X, Y = _data(X, Y)
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate}")
    lam, V = np.linalg.eigh(X @ X.T / X.shape[1])  # the Hessian H of J
    w_star = least_squares(X, Y)
    e0 = V.T @ (_weights(w0, X.shape[0]) - w_star)  # the start, in H's eigenbasis
    factor = 1.0 - learning_rate * lam
    with np.errstate(over="ignore", invalid="ignore"):
        k = np.arange(draw_steps + 1)[:, None]
        path = w_star.T + (factor**k * e0.T) @ V.T
        J_star = cost_and_gradient(w_star, X, Y)[0]
        costs = J_star + 0.5 * ((factor**k * e0.T) ** 2 * lam).sum(axis=1)
    active = np.abs(e0.ravel()) > 1e-300
    diverged = bool(np.any(np.abs(factor[active]) > 1.0))
    steps = np.inf if diverged else _steps_to_tol(lam, factor, e0.ravel(), tol, max_steps)
    return Descent(path, costs, steps, diverged, w_star)


def _steps_to_tol(lam, factor, e0, tol, max_steps) -> float:
    """Smallest k with sum(lam * factor**(2k) * e0**2) <= tol * sum(lam * e0**2); the gap only shrinks in k."""
    weight = lam * e0**2
    target = tol * weight.sum()

    def gap(k: int) -> float:
        return float((weight * factor ** (2 * k)).sum())

    if gap(0) <= target:
        return 0
    if gap(max_steps) > target:
        return np.inf
    lo, hi = 0, max_steps  # gap(lo) > target >= gap(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if gap(mid) > target else (lo, mid)
    return hi


#: the fractions of the largest stable learning rate 2 / lambda_max that `fastest_learning_rate` tries (besides
#: 2 / (lambda_min + lambda_max))
STABLE_FRACTIONS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.995)


def fastest_learning_rate(X, Y, w0, fractions=STABLE_FRACTIONS, tol: float = 1e-6) -> tuple[float, Descent]:
    """The stable learning rate that converges from w0 in the fewest steps, among a small grid of candidates.

    X (n_x, m), Y (1, m), w0 (n_x, 1). The candidates are `fractions` (each strictly between 0 and 1) of the
    largest stable rate 2 / lambda_max, and 2 / (lambda_min + lambda_max), the rate that shrinks the slowest
    direction fastest (best when kappa is large; from some starts a smaller one wins, when the steep direction's
    slow oscillation costs more). Returns (learning rate, its Descent); ties go to the smaller rate.
    """
    X, Y = _data(X, Y)
    for fraction in fractions:
        if not 0 < fraction < 1:
            raise ValueError(f"fractions must lie strictly between 0 and 1, got {fraction}")
    lam = np.linalg.eigvalsh(X @ X.T / X.shape[1])  # the Hessian H of J
    candidates = sorted({2.0 * f / lam[-1] for f in fractions} | {2.0 / (lam[0] + lam[-1])})
    best = None
    for rate in candidates:
        run = gradient_descent(X, Y, rate, w0, tol=tol)
        if best is None or run.steps < best[1].steps:
            best = (float(rate), run)
    return best
