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


# ----------------------------------------------------------------------------- the real data shipped with the course
#: the summary of the UCI Wine data as its documentation publishes it (scikit-learn's wine_data.rst, after UCI's
#: wine.names): feature -> ((min, max, mean, sd), the decimals they are printed with); the sd has ddof=1. The table
#: does not always round to nearest (proline's mean 746.9 is printed 746): a figure may be off by one last digit.
WINE_PUBLISHED = {"alcohol": ((11.0, 14.8, 13.0, 0.8), 1), "magnesium": ((70.0, 162.0, 99.7, 14.3), 1),
                  "nonflavanoid phenols": ((0.13, 0.66, 0.36, 0.12), 2), "hue": ((0.48, 1.71, 0.96, 0.23), 2),
                  "proline": ((278, 1680, 746, 315), 0)}


def test_wine_is_the_published_uci_data_in_the_course_shapes():
    X, Y = datasets.wine()
    assert X.shape == (13, 178) and X.dtype == np.float64 and Y.shape == (1, 178)
    assert len(datasets.WINE_FEATURES) == 13 and np.isfinite(X).all()
    assert np.bincount(Y[0]).tolist() == [59, 71, 48], "the three cultivars have 59, 71 and 48 wines"
    for name, (published, decimals) in WINE_PUBLISHED.items():
        row = X[datasets.WINE_FEATURES.index(name)]
        found = np.array([row.min(), row.max(), row.mean(), row.std(ddof=1)])
        assert np.all(np.abs(found - published) <= 10.0 ** -decimals + 1e-9), (
            f"{name}: (min, max, mean, sd) {found.round(decimals + 1).tolist()}, published {published}")


def test_wine_file_is_the_one_its_readme_names_with_source_and_licence():
    """helpers/data/README.md states where the file comes from, its licence and its checksum: a changed file fails."""
    import hashlib
    import re
    from importlib import resources

    folder = resources.files("helpers").joinpath("data")
    readme = folder.joinpath("README.md").read_text()
    stated = re.search(r"sha256 `([0-9a-f]{64})`", readme)
    assert stated, "helpers/data/README.md must state the sha256 of wine_data.csv"
    assert hashlib.sha256(folder.joinpath("wine_data.csv").read_bytes()).hexdigest() == stated.group(1)
    assert "CC BY 4.0" in readme and "10.24432/C5PC7J" in readme


def test_wine_returns_new_arrays_every_call():
    X, Y = datasets.wine()
    X[:] = 0.0
    Y[:] = 9
    X2, Y2 = datasets.wine()
    assert X2.std() > 0 and set(np.unique(Y2)) == {0, 1, 2}
