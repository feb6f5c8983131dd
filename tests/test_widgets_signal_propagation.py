"""Do the explorers of 05 show what the maths says, on their own computation and on the student's functions?"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.widgets.signal_propagation import CoordinateCheck, SignalPropagationExplorer  # noqa: E402
from references import solutions  # noqa: E402

ref = solutions("05_signal_propagation")  # the graded functions, from the instructor's notebook
STUDENT = {"orthogonal": ref.orthogonal_weights, "jacobian": ref.input_output_jacobian, "gain": ref.activation_gain}


@pytest.mark.parametrize("student", [False, True], ids=["own computation", "student's functions"])
def test_orthogonal_linear_network_is_an_exact_isometry_at_any_depth_and_gain(student):
    explorer = SignalPropagationExplorer(**(STUDENT if student else {}), depth=1, activation="linear")
    for depth, gain in ((1, 1.0), (40, 1.0), (10, 1.1), (25, 0.9)):
        explorer.set(depth=depth, weights="orthogonal", gain=gain, activation="linear")
        assert explorer.error is None
        assert np.allclose(explorer.singular_values, gain ** depth, rtol=1e-9)
        assert np.allclose(explorer.jacobian_rms, gain ** np.arange(1, depth + 1), rtol=1e-9)
        assert explorer.spread == pytest.approx(1.0, abs=1e-6) and explorer.zero_share == 0


def test_the_student_functions_and_the_explorer_own_computation_agree_on_gaussian_weights():
    # Gaussian weights are drawn by the explorer itself in both cases, so the spectra must be the same
    own, student = SignalPropagationExplorer(), SignalPropagationExplorer(**STUDENT)
    for activation in ("linear", "tanh", "relu"):
        own.set(depth=12, weights="gaussian", gain=1.3, activation=activation)
        student.set(depth=12, weights="gaussian", gain=1.3, activation=activation)
        assert np.allclose(own.singular_values, student.singular_values, rtol=1e-8, atol=1e-12)
        assert np.allclose(own.jacobian_rms, student.jacobian_rms, rtol=1e-8)


def test_relu_has_about_half_its_singular_values_at_zero_and_gaussian_spreads_exponentially():
    explorer = SignalPropagationExplorer()
    explorer.set(depth=8, weights="orthogonal", gain=np.sqrt(2), activation="relu")
    assert 0.4 <= explorer.zero_share <= 0.75
    spreads = [explorer.set(depth=L, weights="gaussian", gain=1.0, activation="linear").spread for L in (2, 4, 8)]
    assert spreads[0] < spreads[1] < spreads[2] and spreads[2] > 100 * spreads[0]


def test_the_activation_gain_box_uses_the_student_function():
    explorer = SignalPropagationExplorer(**STUDENT, activation="tanh")
    explorer.use_gain_box.value = True
    assert explorer.gain_slider.value == pytest.approx(5 / 3, abs=0.01)
    assert explorer.use_gain_box.layout.display != "none"
    assert SignalPropagationExplorer().use_gain_box.layout.display == "none"  # no student function, no box


def test_a_student_function_that_fails_is_said_in_words_not_raised():
    def not_yet(*args):
        raise NotImplementedError()

    explorer = SignalPropagationExplorer(orthogonal=not_yet, jacobian=not_yet)
    assert "not implemented yet" in explorer.error
    with pytest.raises(TypeError):
        SignalPropagationExplorer(orthogonal=ref.orthogonal_weights)


def test_coordinate_check_standard_updates_grow_with_width_mup_ones_do_not():
    check = CoordinateCheck()
    standard, mup = check.sizes["standard: z_4 (output)"], check.sizes["muP: z_4 (output)"]
    assert standard[-1] > 10 * standard[0]
    for label, sizes in check.sizes.items():
        assert sizes.shape == (len(CoordinateCheck.WIDTHS),) and np.isfinite(sizes).all()
        if label.startswith("muP"):
            assert sizes.max() < 2 * sizes.min(), label
    assert mup.max() < standard.max()
