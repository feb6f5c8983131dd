"""Does a failed check point at the thing: the argument by its name, the entry that changed with its old and new
values, round-off called round-off, and a result off by exactly m called a factor of m?"""

import numpy as np
import pytest

from helpers.checks import CheckFailed, call, expect_close


def _failure(check, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        check(*args, **kwargs)
    return str(info.value)


def numerical_gradient(J, theta, epsilon=1e-7):
    for i in range(theta.size):  # +eps, -2 eps, +eps: back only up to an ulp for some entries
        theta[i] += epsilon
        theta[i] -= 2 * epsilon
        theta[i] += epsilon
    return np.zeros_like(theta)


def test_an_input_changed_in_place_is_named_with_its_entry_and_both_values():
    def normalize(X, mu, sigma):
        X -= mu
        return X

    text = _failure(call, normalize, np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 1)), np.ones((2, 1)))
    first, second = text.splitlines()[:2]
    assert first == "normalize changed its argument X in place", text
    assert second.startswith("X[0, 0]: 1.0 before the call, 0.0 after; 4 entries changed"), text


def test_a_theta_put_back_by_arithmetic_is_told_round_off():
    text = _failure(call, numerical_gradient, None, np.array([1.0, -2.0, 0.5]), 0.01)
    assert text.startswith("numerical_gradient changed its argument theta in place"), text
    assert "theta[1]: -2.0 before the call, -1.9999999999999998 after (round-off" in text, text


def test_a_keyword_argument_is_named_too():
    def f(a, theta=None):
        theta[0] = 5.0

    text = _failure(call, f, 1, theta=np.zeros(3))
    assert "changed its argument theta in place" in text and "theta[0]: 0.0 before the call, 5.0 after" in text, text


@pytest.mark.parametrize("found,how", [(np.array([[8.0], [16.0]]), "8 times"), (np.array([[0.125], [0.25]]), "1/8 of")])
def test_a_result_off_by_exactly_m_is_named_a_factor_of_m(found, how):
    text = _failure(expect_close, found, [[1.0], [2.0]], "db1", "a network on 8 examples", m=8)
    assert text.splitlines()[0] == "Mistake: db1 is off by exactly a factor of m = 8: a 1/m missing or taken twice"
    assert f"every entry is exactly {how} the expected one" in text, text


def test_a_uniform_factor_other_than_m_is_said_but_not_named_m():
    text = _failure(expect_close, np.array([3.0, 6.0]), [1.0, 2.0], "dW", "x", m=8)
    assert not text.startswith("Mistake") and "every entry is exactly 3 times the expected one" in text, text
