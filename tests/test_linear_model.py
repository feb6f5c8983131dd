"""Is the linear model's gradient right, and does the exact descent match plain gradient descent step by step?"""

import numpy as np
import pytest

from helpers import datasets, linear_model as lm


@pytest.fixture
def data():
    return datasets.two_scale_regression(50, np.random.default_rng(0), scales=(1.0, 5.0), means=(1.0, -2.0))


def test_gradient_matches_two_sided_differences(data):
    X, Y = data
    w = np.array([[0.3], [-0.7]])
    _, grad = lm.cost_and_gradient(w, X, Y)
    eps = 1e-6
    numerical = np.array([[(lm.cost_and_gradient(w + eps * e, X, Y)[0] - lm.cost_and_gradient(w - eps * e, X, Y)[0])
                           / (2 * eps)] for e in np.eye(2)[:, :, None]])
    assert np.allclose(grad, numerical.reshape(2, 1), rtol=1e-6, atol=1e-8)


def test_exact_descent_equals_plain_gradient_descent(data):
    X, Y = data
    lr, w = 0.02, np.array([[2.0], [1.0]])
    run = lm.gradient_descent(X, Y, lr, w, draw_steps=30)
    path = [w.ravel()]
    for _ in range(30):
        w = w - lr * lm.cost_and_gradient(w, X, Y)[1]
        path.append(w.ravel())
    assert np.allclose(run.path, np.array(path), rtol=1e-9, atol=1e-12)
    assert np.allclose(run.costs, [lm.cost_and_gradient(p, X, Y)[0] for p in path], rtol=1e-9)


def test_step_count_is_where_the_cost_gap_first_reaches_the_tolerance(data):
    X, Y = data
    run = lm.gradient_descent(X, Y, 0.02, np.array([[2.0], [1.0]]), draw_steps=3000, tol=1e-6)
    gap = run.costs - lm.cost_and_gradient(run.w_star, X, Y)[0]
    assert gap[run.steps] <= 1e-6 * gap[0] < gap[run.steps - 1]


def test_descent_diverges_exactly_above_two_over_the_largest_curvature(data):
    X, Y = data
    lam_max = np.linalg.eigvalsh(X @ X.T / X.shape[1])[-1]
    assert not lm.gradient_descent(X, Y, 1.99 / lam_max, np.zeros((2, 1))).diverged
    run = lm.gradient_descent(X, Y, 2.01 / lam_max, np.zeros((2, 1)))
    assert run.diverged and np.isinf(run.steps)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match=r"Y must have shape \(1, m\)"):
        lm.cost_and_gradient(np.zeros((2, 1)), np.ones((2, 5)), np.ones((5, 1)))
    with pytest.raises(ValueError, match="learning_rate must be a positive"):
        lm.gradient_descent(np.ones((2, 5)), np.ones((1, 5)), -1.0, np.zeros((2, 1)))
    with pytest.raises(ValueError, match="w must have n_x = 2"):
        lm.cost_and_gradient(np.zeros(3), np.ones((2, 5)), np.ones((1, 5)))



def test_fastest_learning_rate_is_stable_and_no_slower_than_any_fraction_it_tries(data):
    X, Y = data
    lam_max = np.linalg.eigvalsh(X @ X.T / X.shape[1])[-1]
    w0 = np.array([[2.0], [1.0]])
    lr, run = lm.fastest_learning_rate(X, Y, w0)
    assert lr < 2 / lam_max and not run.diverged
    assert run.steps == lm.gradient_descent(X, Y, lr, w0).steps
    lam_min = np.linalg.eigvalsh(X @ X.T / X.shape[1])[0]
    rates = [2 * f / lam_max for f in lm.STABLE_FRACTIONS] + [2 / (lam_min + lam_max)]
    assert all(run.steps <= lm.gradient_descent(X, Y, rate, w0).steps for rate in rates)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        lm.fastest_learning_rate(X, Y, w0, fractions=(0.5, 1.0))


def test_balanced_learning_rate_shrinks_the_flattest_and_the_steepest_direction_alike(data):
    X, _ = data
    lam = np.linalg.eigvalsh(X @ X.T / X.shape[1])
    rate = lm.balanced_learning_rate(X)
    assert rate == pytest.approx(2 / (lam[0] + lam[-1]), rel=1e-12)
    assert abs(1 - rate * lam[0]) == pytest.approx(abs(1 - rate * lam[-1]), rel=1e-9)
