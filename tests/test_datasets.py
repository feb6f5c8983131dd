"""Do the data sets have the course's shapes, come only from the rng passed in, and reject bad arguments?"""

import numpy as np
import pytest

from helpers import datasets

MAKERS = [
    lambda m, rng: datasets.two_scale_regression(m, rng),
    lambda m, rng: datasets.housing(m, rng),
    lambda m, rng: datasets.circles(m, rng),
]


@pytest.mark.parametrize("make", MAKERS)
def test_one_column_per_example_and_labels_in_a_row(make):
    X, Y = make(7, np.random.default_rng(0))
    assert X.shape == (2, 7) and Y.shape == (1, 7)


@pytest.mark.parametrize("make", MAKERS)
def test_the_same_generator_state_gives_the_same_data_and_the_global_state_is_untouched(make):
    before = np.random.get_state()[1].copy()
    a = make(20, np.random.default_rng(5))
    b = make(20, np.random.default_rng(5))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert np.array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("make", MAKERS)
def test_bad_arguments_are_named(make):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        make(5, 0)
    with pytest.raises(ValueError, match="positive integer"):
        make(0, np.random.default_rng(0))


def test_housing_features_differ_in_scale_and_areas_are_positive():
    X, _ = datasets.housing(2000, np.random.default_rng(1))
    assert X[0].std() > 20 * X[1].std() and X[0].min() > 0


def test_circles_are_balanced_and_the_inner_circle_is_label_one():
    X, Y = datasets.circles(400, np.random.default_rng(2), noise=0.0)
    radius = np.linalg.norm(X, axis=0)
    assert Y.sum() == 200 and np.allclose(radius[Y[0] == 1], 0.5) and np.allclose(radius[Y[0] == 0], 1.0)


def test_train_test_split_keeps_every_example_once():
    X = np.arange(20.0).reshape(2, 10)
    Y = np.arange(10)[None, :]
    Xtr, Ytr, Xte, Yte = datasets.train_test_split(X, Y, 0.3, np.random.default_rng(0))
    assert Xte.shape == (2, 3) and Xtr.shape == (2, 7)
    assert sorted(np.concatenate([Ytr[0], Yte[0]])) == list(range(10))
    assert np.array_equal(Xtr[0], Ytr[0].astype(float))
