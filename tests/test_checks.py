"""Do the graded checks fail with messages a student can act on, and only when something is wrong?"""

import numpy as np
import pytest

from helpers.checks import CheckFailed, as_array, call, describe, expect_close, expect_equal, expect_raises, expect_shape


def not_implemented(X):
    raise NotImplementedError()


def test_unimplemented_function_fails_with_a_message_not_an_error():
    with pytest.raises(CheckFailed, match="not_implemented is not implemented yet"):
        call(not_implemented, np.ones((2, 2)))


def test_a_crash_in_student_code_names_the_function_its_input_and_the_error():
    def broken(X):
        return X @ np.ones((5, 1))

    with pytest.raises(CheckFailed, match=r"broken\(a float64 array of shape \(2, 4\)\) raised ValueError"):
        call(broken, np.ones((2, 4)))


def test_changing_an_input_in_place_fails():
    def in_place(X, params):
        params["W1"] += 1
        return X

    with pytest.raises(CheckFailed, match="changed its argument 2"):
        call(in_place, np.ones(2), {"W1": np.zeros((2, 2))})


def test_call_returns_the_result_when_nothing_is_wrong():
    assert call(lambda X, k=1: X.sum() * k, np.ones((2, 3)), k=2) == 12


def test_expect_close_reports_expected_found_index_input_and_hint():
    with pytest.raises(CheckFailed) as info:
        expect_close(np.array([[1.0, 2.5]]), [[1.0, 2.0]], "mu", on="X = ...", hint="divide by m")
    text = str(info.value)
    assert "mu on X = ... is wrong at index (0, 1): expected 2, found 2.5" in text and "Hint: divide by m" in text


def test_expect_close_names_a_wrong_shape():
    with pytest.raises(CheckFailed, match=r"should have shape \(2, 1\), but it has shape \(2,\)"):
        expect_close(np.zeros(2), np.zeros((2, 1)), "mu")


def test_expect_close_accepts_round_off_and_matching_nan_and_inf():
    expect_close(np.array([1.0 + 1e-13, np.nan, np.inf]), [1.0, np.nan, np.inf], "x")
    with pytest.raises(CheckFailed):
        expect_close(np.array([1.0, 0.0]), [1.0, np.nan], "x")


def test_a_missing_return_is_named():
    with pytest.raises(CheckFailed, match="return"):
        as_array(None, "X_norm")
    with pytest.raises(CheckFailed, match="return"):
        expect_equal(None, "stable", "diagnosis")


def test_expect_shape_and_equal_pass_and_fail():
    expect_shape(np.zeros((3, 1)), (3, 1), "b1")
    with pytest.raises(CheckFailed, match=r"\(3, 1\)"):
        expect_shape(np.zeros((1, 3)), (3, 1), "b1")
    expect_equal("stable", "stable", "diagnosis")
    with pytest.raises(CheckFailed, match="expected 'vanishing', found 'stable'"):
        expect_equal("stable", "vanishing", "diagnosis")


def test_expect_raises_wants_the_named_error():
    def strict(method):
        raise ValueError(f"unknown {method}")

    assert "unknown" in str(expect_raises(ValueError, strict, "x", what="an unknown method"))
    with pytest.raises(CheckFailed, match="expected ValueError, but strict raised KeyError"):
        expect_raises(ValueError, _named("strict", KeyError), "x", what="an unknown method")
    with pytest.raises(CheckFailed, match="returned normally"):
        expect_raises(ValueError, lambda m: 0, "x", what="an unknown method")


def _named(name, error):
    def f(*args):
        raise error("boom")

    f.__name__ = name
    return f


def test_describe_is_short_for_big_arrays_and_exact_for_small_ones():
    assert describe(np.zeros((100, 3))) == "a float64 array of shape (100, 3)"
    assert "shape (2,)" in describe(np.array([1.0, 2.0]))


def test_the_courses_own_reference_does_not_count_as_the_students_work():
    from helpers.deep_signal import layer_norms

    with pytest.raises(CheckFailed, match="course's own version from helpers.deep_signal"):
        call(layer_norms, [np.ones(2)])
