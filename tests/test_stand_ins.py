"""Does a test of one graded function stay blind to the mistakes of the graded functions it calls?

`helpers.checks.stand_ins` gives the callees the right results on the test's inputs while the function under test
runs (one mistake costs its points once, COURSE_SPEC); tests/test_catalogue.py checks the same over every fixture.
"""

import numpy as np
import pytest

from helpers import transcript
from helpers.checks import ANY, CheckFailed, call, stand_ins

X = np.array([[1.0, 2.0, 3.0], [0.1, 0.1, 0.1]])
RIGHT = (np.array([[2.0], [0.1]]), np.array([[np.sqrt(2 / 3)], [0.0]]))


def stats(X_train):  # a student's normalization_stats with np.std: sigma ~1e-17 on the row of 0.1s
    return X_train.mean(axis=1, keepdims=True), X_train.std(axis=1, keepdims=True)


def scale(X, mu, sigma, epsilon=1e-8):
    return (X - mu) / (sigma + epsilon)


def pipeline(X_train):
    mu, sigma = stats(X_train)
    return mu, sigma


def test_a_callee_gives_the_right_result_on_the_tests_input_and_comes_back_after():
    with stand_ins(pipeline, stats=[(X, RIGHT)]):
        mu, sigma = call(pipeline, X)
    assert sigma[1, 0] == 0.0 and np.allclose(mu, RIGHT[0])
    assert pipeline(X)[1][1, 0] != 0.0, "the student's own function is back after the block"
    assert stats.__name__ == "stats" and globals()["stats"] is stats


def test_any_other_input_goes_to_the_students_own_function():
    other = X[:, :2].copy()
    with stand_ins(pipeline, stats=[(X, RIGHT)]):
        mu, _ = pipeline(other)
    assert np.allclose(mu, other.mean(axis=1, keepdims=True))


def test_inputs_equal_to_round_off_match_and_defaults_count():

    def uses_scale(X):
        return scale(X + 1e-16, np.zeros((2, 1)), np.ones((2, 1)))

    with stand_ins(uses_scale, scale=[((X, np.zeros((2, 1)), np.ones((2, 1)), 1e-8), "right")]):
        assert uses_scale(X) == "right"
    with stand_ins(uses_scale, scale=[((X, np.zeros((2, 1)), np.ones((2, 1)), 1e-2), "right")]):
        assert isinstance(uses_scale(X), np.ndarray), "another epsilon is another input: the own function answers"


def test_a_table_entry_can_raise_match_anything_or_answer():
    with stand_ins(pipeline, stats=[(X, ValueError("unknown"))]):
        with pytest.raises(CheckFailed, match="pipeline raised ValueError: unknown"):
            call(pipeline, X)
    with stand_ins(pipeline, stats=[(ANY, RIGHT)]):
        assert call(pipeline, np.ones((2, 2)))[1][1, 0] == 0.0
    with stand_ins(pipeline, stats=[(ANY, lambda X_train: ("answered", X_train.shape))]):
        assert pipeline(X) == ("answered", (2, 3))


def test_a_replayed_function_outside_the_kernel_replaces_nothing():
    replayed = transcript.Replay("pipeline", [])
    with stand_ins(replayed, stats=[(X, RIGHT)]):
        assert globals()["stats"] is stats
