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
