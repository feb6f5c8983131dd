"""Does the normalization explorer compute what the maths says when its sliders move (no browser needed)?"""

import numpy as np
import pytest

from helpers.widgets.normalization import NormalizationExplorer


@pytest.fixture(scope="module")
def explorer():
    return NormalizationExplorer(m=200, seed=0, ratio=1.0, learning_rate=0.005)


def test_the_raw_condition_number_grows_like_the_square_of_the_scale_ratio(explorer):
    explorer.learning_rate.value = 1e-5
    kappas = {}
    for ratio in (10.0, 100.0):
        explorer.ratio.value = ratio
        kappas[ratio] = explorer.condition["raw"]
        assert explorer.condition["normalized"] < 1.5
    assert 80 < kappas[100.0] / kappas[10.0] < 120


def test_normalized_features_take_a_learning_rate_kappa_times_larger_and_far_fewer_steps(explorer):
    explorer.ratio.value = 10.0
    explorer.learning_rate.value = 0.9
    fast = explorer.steps["normalized"]
    assert fast < 20 and explorer.runs["raw"].diverged
    assert explorer.max_learning_rate["normalized"] > 50 * explorer.max_learning_rate["raw"]
    explorer.learning_rate.value = 0.95 * explorer.max_learning_rate["raw"]  # about the best the raw problem allows
    assert explorer.steps["raw"] > 10 * fast


def test_a_learning_rate_past_two_over_the_largest_curvature_diverges_on_raw_features_only(explorer):
    explorer.ratio.value = 10.0
    explorer.learning_rate.value = 0.5
    assert explorer.runs["raw"].diverged and np.isinf(explorer.steps["raw"])
    assert not explorer.runs["normalized"].diverged
    assert "diverges" in explorer.summary.value


def test_at_their_fastest_rates_raw_steps_grow_like_the_ratio_squared_and_normalized_steps_stay_flat(explorer):
    best, ratios = explorer.sweep["best"], explorer.sweep["ratio"]
    assert ratios[0] == 1.0 and ratios[-1] == pytest.approx(100.0)
    assert np.all(np.diff(best["raw"]) > 0)
    assert 3e3 < best["raw"][-1] / best["raw"][0] < 3e4  # kappa grows like ratio**2 = 1e4
    assert best["normalized"].max() <= 6 and np.ptp(best["normalized"]) <= 1


def test_each_panel_runs_at_its_own_stable_learning_rate_whatever_the_slider(explorer):
    explorer.ratio.value = 10.0
    for lr in (1e-4, 0.5):
        explorer.learning_rate.value = lr
        for name in ("raw", "normalized"):
            assert explorer.best_learning_rate[name] < explorer.max_learning_rate[name]
            assert not explorer.best_runs[name].diverged
        assert explorer.best_steps["raw"] > 50 * explorer.best_steps["normalized"]
    assert "steps at its fastest rate" in explorer.summary.value


def test_the_shared_learning_rate_sweep_follows_the_slider(explorer):
    explorer.ratio.value = 10.0
    explorer.learning_rate.value = 10 ** -1.8
    shared = explorer.sweep["shared"]
    assert np.isinf(shared["raw"][-1]) and np.isfinite(shared["raw"][0])  # diverges once 2/lambda_max < lr
    assert np.all(np.isfinite(shared["normalized"]))
    explorer.learning_rate.value = 1e-4  # below 2/lambda_max of the raw problem even at ratio 100
    assert np.all(np.isfinite(explorer.sweep["shared"]["raw"]))
    assert explorer.sweep["shared"]["normalized"][0] > 10 * shared["normalized"][0]  # a smaller rate, more steps


def test_cost_grid_is_the_mean_squared_error_at_every_grid_point():
    from helpers import datasets
    from helpers.plots.contours import cost_grid

    X, Y = datasets.two_scale_regression(40, np.random.default_rng(3), scales=(1.0, 7.0), means=(2.0, -1.0))
    w1, w2 = np.linspace(-3, 3, 7), np.linspace(-1, 1, 5)
    W1, W2 = np.meshgrid(w1, w2)
    direct = np.array([[np.mean((np.array([a, b]) @ X - Y) ** 2) / 2 for a, b in zip(r1, r2)] for r1, r2 in zip(W1, W2)])
    assert np.allclose(cost_grid(X, Y, w1, w2), direct, rtol=1e-12, atol=1e-12)
