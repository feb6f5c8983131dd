"""Data sets: synthetic ones, generated in numpy from a `numpy.random.Generator` passed in, and one real one
shipped with the course (`wine`, read from `helpers/data/`: nothing is downloaded).

Every function returns X of shape (n_x, m), one column per example, and Y of shape (1, m).
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from .arguments import generator, integer


def two_scale_regression(m: int, rng: np.random.Generator, scales=(1.0, 100.0), means=(0.0, 0.0),
                         weights=(2.0, -0.03), noise: float = 0.5):
    """Two features of very different scales and a linear target y = w . x + noise.

    Feature i is drawn from N(means[i], scales[i]**2). Returns X (2, m), Y (1, m).
    """
    m, rng = integer(m, "m"), generator(rng)
    scales, means, weights = (np.asarray(v, dtype=float).reshape(2, 1) for v in (scales, means, weights))
    if np.any(scales <= 0):
        raise ValueError(f"scales must be positive, got {scales.ravel()}")
    X = means + scales * rng.standard_normal((2, m))
    Y = weights.T @ X + noise * rng.standard_normal((1, m))
    return X, Y


def housing(m: int, rng: np.random.Generator, size_shift: float = 0.0):
    """House prices (thousands) from floor area (m^2) and number of bedrooms: features on very different scales.

    `size_shift` moves the mean floor area (m^2), e.g. to draw a test set of a newer district with larger houses.
    Returns X (2, m) with rows [area, bedrooms] and Y (1, m) the price.
    """
    m, rng = integer(m, "m"), generator(rng)
    area = np.maximum(110.0 + size_shift + 35.0 * rng.standard_normal(m), 25.0)
    bedrooms = np.clip(np.round(area / 40.0 + 0.8 * rng.standard_normal(m)), 1, 7)
    price = 1.8 * area + 15.0 * bedrooms + 20.0 + 12.0 * rng.standard_normal(m)
    return np.vstack([area, bedrooms]), price[None, :]


def circles(m: int, rng: np.random.Generator, noise: float = 0.08, factor: float = 0.5):
    """Two noisy concentric circles in the plane, label 1 on the inner one: not linearly separable.

    Returns X (2, m) and Y (1, m) with m // 2 points on the outer circle (label 0), the rest inside (label 1).
    """
    m, rng = integer(m, "m"), generator(rng)
    if not 0 < factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must be in (0, 1), got {factor}")
    outer = m // 2
    angle = rng.uniform(0.0, 2 * np.pi, m)
    radius = np.where(np.arange(m) < outer, 1.0, factor)
    X = np.vstack([radius * np.cos(angle), radius * np.sin(angle)]) + noise * rng.standard_normal((2, m))
    Y = (np.arange(m) >= outer).astype(int)[None, :]
    order = rng.permutation(m)
    return X[:, order], Y[:, order]


#: the names of the 13 rows of `wine()`'s X, in order (UCI's names; the data gives no units)
WINE_FEATURES = ("alcohol", "malic acid", "ash", "alcalinity of ash", "magnesium", "total phenols", "flavanoids",
                 "nonflavanoid phenols", "proanthocyanins", "colour intensity", "hue", "OD280/OD315 of diluted wines",
                 "proline")


def wine():
    """The UCI Wine data: 13 chemical measurements of 178 wines of one region of Italy, from three cultivars.

    Real measurements on very different scales (nonflavanoid phenols about 0.36 +- 0.12, proline about 746 +- 315).
    Read from `helpers/data/wine_data.csv`, shipped with the course; its source (Aeberhard & Forina, UCI Machine
    Learning Repository, doi:10.24432/C5PC7J) and licence (CC BY 4.0) are in `helpers/data/README.md`.
    Returns X (13, 178) float64, rows named by `WINE_FEATURES`, and Y (1, 178) int, the cultivar: 0, 1 or 2
    (59, 71 and 48 wines; UCI numbers them 1, 2, 3). Every call returns new arrays.
    """
    with resources.files(__package__).joinpath("data", "wine_data.csv").open() as f:
        data = np.loadtxt(f, delimiter=",", skiprows=1)  # the first line is scikit-learn's header: 178,13,names
    return data[:, :-1].T.copy(), data[:, -1:].T.astype(int)


def train_test_split(X: np.ndarray, Y: np.ndarray, test_fraction: float, rng: np.random.Generator):
    """Shuffle the m columns and split them: returns X_train, Y_train, X_test, Y_test."""
    rng = generator(rng)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X (n_x, m) and Y (1, m) must have the same m, got {X.shape} and {Y.shape}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    m = X.shape[1]
    order = rng.permutation(m)
    n_test = max(1, int(round(test_fraction * m)))
    test, train = order[:n_test], order[n_test:]
    return X[:, train], Y[:, train], X[:, test], Y[:, test]
