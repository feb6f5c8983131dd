"""Do the graded checks fail with messages a student can act on, and only when something is wrong?"""

import json
import os

import numpy as np
import pytest

from helpers.checks import (FIRST_LINE, CheckFailed, answer, as_array, call, describe, expect, expect_close,
                            expect_equal, expect_raises, expect_shape)

SIGMA_IS_VARIANCE = "your sigma is the variance of each feature: take its square root"


def not_implemented(X):
    raise NotImplementedError()


def _failure(check, *args, **kwargs) -> str:
    """The message of the CheckFailed that `check(*args, **kwargs)` raises."""
    with pytest.raises(CheckFailed) as info:
        check(*args, **kwargs)
    return str(info.value)


def test_unimplemented_function_fails_with_a_message_not_an_error():
    with pytest.raises(CheckFailed, match="not_implemented is not implemented yet"):
        call(not_implemented, np.ones((2, 2)))


def test_a_crash_in_student_code_names_the_function_the_error_and_its_input():
    def broken(X):
        return X @ np.ones((5, 1))

    text = _failure(call, broken, np.ones((2, 4)))
    assert text.startswith("broken raised ValueError: matmul"), f"the first line should name the crash: {text!r}"
    assert "on: broken(a float64 array of shape (2, 4))" in text, f"the input should follow: {text!r}"


def test_changing_an_input_in_place_fails():
    def in_place(X, params):
        params["W1"] += 1
        return X

    text = _failure(call, in_place, np.ones(2), {"W1": np.zeros((2, 2))})
    assert text.startswith("in_place changed its argument params in place"), f"unexpected first line: {text!r}"
    assert "params['W1'][0, 0]: 0.0 before the call, 1.0 after; 4 entries changed" in text and "work on a copy" in text, \
        f"the argument by its name, the entry that changed, and the fix: {text!r}"


def test_call_returns_the_result_when_nothing_is_wrong():
    assert call(lambda X, k=1: X.sum() * k, np.ones((2, 3)), k=2) == 12, "call should return the function's result"


def test_expect_close_reports_expected_found_index_input_and_hint():
    text = _failure(expect_close, np.array([[1.0, 2.5]]), [[1.0, 2.0]], "mu", on="X = ...", hint="divide by m")
    lines = text.splitlines()
    assert lines[0] == "mu is wrong at (0, 1): expected 2, found 2.5", f"unexpected first line: {lines[0]!r}"
    assert lines[1] == "on: X = ...", f"the input should be on the second line: {text!r}"
    assert "expected: [[1., 2.]]" in text and "found:    [[1. , 2.5]]" in text, f"both arrays: {text!r}"
    assert lines[-1] == "Hint: divide by m", f"the hint should come last: {text!r}"


def test_expect_close_shows_as_many_digits_as_tell_the_values_apart():
    text = _failure(expect_close, 1.0 + 2e-7, 1.0, "kappa")
    assert text.splitlines()[0] == "kappa is wrong: expected 1, found 1.0000002", f"unexpected: {text!r}"


def test_expect_close_names_a_wrong_shape():
    with pytest.raises(CheckFailed, match=r"^mu should have shape \(2, 1\), but it has shape \(2,\)"):
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
    with pytest.raises(CheckFailed, match="^diagnosis is wrong: expected 'vanishing', found 'stable'"):
        expect_equal("stable", "vanishing", "diagnosis")


def test_expect_raises_wants_the_named_error():
    def strict(method):
        raise ValueError(f"unknown {method}")

    assert "unknown" in str(expect_raises(ValueError, strict, "x", what="an unknown method")), \
        "expect_raises should return the exception"
    with pytest.raises(CheckFailed, match="^expected ValueError, but strict raised KeyError"):
        expect_raises(ValueError, _named("strict", KeyError), "x", what="an unknown method")
    with pytest.raises(CheckFailed, match="returned normally"):
        expect_raises(ValueError, lambda m: 0, "x", what="an unknown method")


def _named(name, error):
    def f(*args):
        raise error("boom")

    f.__name__ = name
    return f


def test_describe_is_short_for_big_arrays_and_exact_for_small_ones():
    assert describe(np.zeros((100, 3))) == "a float64 array of shape (100, 3)", describe(np.zeros((100, 3)))
    assert "shape (2,)" in describe(np.array([1.0, 2.0])), describe(np.array([1.0, 2.0]))


def test_a_function_of_the_courses_library_does_not_count_as_the_students_work():
    from helpers.deep_signal import gaussian_weights as layer_norms  # helpers holds no graded function: any of its own

    with pytest.raises(CheckFailed, match=r"^gaussian_weights is the course's own version(.|\n)*helpers.deep_signal"):
        call(layer_norms, [np.ones(2)])


# ------------------------------------------------------------------------------------------- first lines
_LONG_NAME = "the standard deviation of each feature of the normalized training set X_train_norm"
_LONG_ON = ("a hidden X of shape (4, 9) with mu = [3, -20, 0.5, 100], sigma = [2, 0, 0.25, 40] (feature 2 has "
            "sigma = 0), drawn from another distribution than the training set")


def _in_place(X):
    X -= 1
    return X


def _every_kind_of_failure():
    """(kind, thunk) for every kind of message the checks write, with long names and inputs where they go."""
    big = np.ones((4, 9))
    return [
        ("not implemented", lambda: call(not_implemented, big)),
        ("raised", lambda: call(_named("normalize_train_test", ValueError), big, big, mu=big)),
        ("raised a long message", lambda: call(lambda X: np.reshape(X, (7, 7)), big)),
        ("changed in place", lambda: call(_in_place, np.ones((4, 9)))),
        ("not callable", lambda: call(np.zeros((3, 3)), big)),
        ("course's own", lambda: call(__import__("helpers.deep_signal").deep_signal.gaussian_weights, [big])),
        ("answer missing", lambda: answer("a_value_nobody_assigned")),
        ("None", lambda: expect_close(None, big, _LONG_NAME, _LONG_ON)),
        ("not numeric", lambda: as_array({"W1": big}, _LONG_NAME)),
        ("wrong ndim", lambda: as_array(big, _LONG_NAME, ndim=1)),
        ("shape", lambda: expect_shape(big, (9, 4), _LONG_NAME, _LONG_ON)),
        ("close shape", lambda: expect_close(big, big.T, _LONG_NAME, _LONG_ON, hint="x" * 200)),
        ("close value", lambda: expect_close(big * 1e15, big, _LONG_NAME, _LONG_ON, hint="x " * 100)),
        ("close value, short name", lambda: expect_close(-big / 3, big, "X_norm", _LONG_ON)),
        ("close scalar", lambda: expect_close(np.pi * 1e20, -np.e / 1e20, _LONG_NAME, _LONG_ON)),
        ("equal", lambda: expect_equal("exploding" * 5, "vanishing" * 5, _LONG_NAME, _LONG_ON)),
        ("equal None", lambda: expect_equal(None, "stable", _LONG_NAME, _LONG_ON)),
        ("expect", lambda: expect(False, "sigma of the constant feature [0.1, 0.1, 0.1] should be exactly 0, "
                                         "found 1.3877787807814457e-17 on X = [[1, 2, 3], [0.1, 0.1, 0.1]].")),
        ("raises another error", lambda: expect_raises(ValueError, _named("initialize_parameters", KeyError),
                                                       what=_LONG_ON)),
        ("raises nothing", lambda: expect_raises(ValueError, lambda: 0, what=_LONG_ON)),
        ("raises not implemented", lambda: expect_raises(ValueError, not_implemented, big, what=_LONG_ON)),
        ("mistake", lambda: expect_close(big * 2, big, _LONG_NAME, _LONG_ON, mistakes={SIGMA_IS_VARIANCE: big * 2})),
    ]


@pytest.mark.parametrize("kind,failing", _every_kind_of_failure(), ids=[k for k, _ in _every_kind_of_failure()])
def test_every_failure_has_a_first_line_of_at_most_80_characters(kind, failing):
    with pytest.raises(CheckFailed) as info:
        failing()
    lines = str(info.value).splitlines()
    assert lines and 0 < len(lines[0]) <= FIRST_LINE, f"{kind}: first line of {len(lines[0])} characters: {lines[0]!r}"
    too_long = [line for line in lines if len(line) > FIRST_LINE and " " in line.strip()]
    assert not too_long, f"{kind}: lines past {FIRST_LINE} characters that could be cut at a space: {too_long}"


def test_a_long_input_description_moves_to_the_second_line_and_nothing_is_lost():
    big = np.ones((4, 9))
    text = _failure(expect_close, big * 1e15, big, "X_norm", _LONG_ON)
    first, second = text.splitlines()[:2]
    assert first == "X_norm is wrong at (0, 0): expected 1, found 1e+15", f"unexpected first line: {first!r}"
    assert second.startswith("on: a hidden X of shape (4, 9)"), f"the input should open the second line: {text!r}"
    assert " ".join(text.split()).count("drawn from another distribution than the training set") == 1, \
        f"the whole input description should be kept: {text!r}"


# ------------------------------------------------------------------------------------------- mistakes
def test_a_result_that_equals_a_known_mistake_is_named_on_the_first_line():
    X = np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 10.0]])
    sigma = X.var(axis=1, keepdims=True)
    text = _failure(expect_close, sigma, X.std(axis=1, keepdims=True), "sigma", "X = [[1, 2, 3], [10, 10, 10]]",
                    hint="sigma == 0 for a constant feature", mistakes={
                        "your sigma has one entry per example: average over axis=1": X.std(axis=0),
                        SIGMA_IS_VARIANCE: sigma})
    lines = text.splitlines()
    assert lines[0] == f"Mistake: {SIGMA_IS_VARIANCE}", f"the mistake should be named first: {text!r}"
    assert lines[1] == "sigma is wrong at (0, 0): expected 0.816497, found 0.666667", f"then the details: {text!r}"
    assert lines[2] == "on: X = [[1, 2, 3], [10, 10, 10]]", f"then the input: {text!r}"
    assert "Hint" not in text and "constant feature" not in text, \
        f"the generic hint may be meant for another mistake, and must not show: {text!r}"


def test_a_mistake_is_recognised_within_the_checks_tolerance_and_by_its_shape():
    expected = np.array([[1.0], [2.0]])
    with pytest.raises(CheckFailed, match="^Mistake: no keepdims"):
        expect_close(np.array([3.0, 4.0 + 1e-12]), expected, "mu", mistakes={"no keepdims": [3.0, 4.0]})
    text = _failure(expect_close, np.array([3.0, 4.0]), expected, "mu", hint="keepdims=True",
                    mistakes={"a column, not a row": [[3.0], [4.0]], "far off": [3.0, 4.1]})
    assert text.startswith("mu should have shape (2, 1)") and "Hint: keepdims=True" in text, \
        f"a mistake of another shape or value is no match, and the generic message and hint stay: {text!r}"


def test_a_mistake_value_that_cannot_be_compared_is_simply_not_a_match():
    expected = np.array([1.0, 2.0])
    text = _failure(expect_close, np.array([5.0, 6.0]), expected, "y", mistakes={
        "an object": object(), "a dict": {"W1": 1}, "a ragged list": [[1.0], [2.0, 3.0]],
        "NaN where the student has none": [np.nan, 6.0], "named": np.array([5.0, 6.0])})
    assert text.startswith("Mistake: named\n"), f"the comparable mistake should be named: {text!r}"


def test_expect_equal_names_a_mistake_and_hides_the_hint():
    mistakes = {"you compare the first norm with the last: use norms[-1] / norms[0]": "stable",
                "an array": np.array([1, 2])}
    text = _failure(expect_equal, "stable", "vanishing", "diagnose(norms)", on="norms = [1, 1e-5]",
                    hint="vanishing below 1e-3", mistakes=mistakes)
    assert text.splitlines() == ["Mistake: you compare the first norm with the last: use norms[-1] / norms[0]",
                                 "diagnose(norms) is wrong: expected 'vanishing', found 'stable'",
                                 "on: norms = [1, 1e-5]"], f"unexpected message: {text!r}"
    with pytest.raises(CheckFailed, match="^Mistake: returns None"):
        expect_equal(None, "stable", "diagnose(norms)", mistakes={"returns None": None})
    with pytest.raises(CheckFailed, match="^Mistake: an array"):
        expect_equal(np.array([1, 2]), (1, 3), "shape", mistakes=mistakes)


_TOO_LONG = "you forgot to divide by the standard deviation of each feature of X_train"


@pytest.mark.parametrize("check,args", [(expect_close, (1.0, 1.0, "x")), (expect_close, (2.0, 1.0, "x")),
                                        (expect_equal, ("a", "a", "x")), (expect_equal, ("b", "a", "x"))])
def test_a_sentence_too_long_for_the_first_line_is_refused_whether_the_check_passes_or_fails(check, args):
    assert len("Mistake: " + _TOO_LONG) > FIRST_LINE, "the sentence of this test should be too long"
    with pytest.raises(ValueError, match="at most 71 characters"):
        check(*args, mistakes={_TOO_LONG: 2.0})


def test_a_sentence_that_just_fits_is_accepted():
    sentence = _TOO_LONG[:FIRST_LINE - len("Mistake: ")]
    expect_close(1.0, 1.0, "x", mistakes={sentence: 2.0})
    with pytest.raises(CheckFailed, match=f"^Mistake: {sentence}\n"):
        expect_close(2.0, 1.0, "x", mistakes={sentence: 2.0})


def test_the_re_check_outside_the_kernel_gives_the_same_message(monkeypatch):
    from helpers import transcript
    from grader.plugins.recheck_server import run

    setup = "import numpy as np\nfrom helpers.checks import call, expect_close\n"
    test = ("X = np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 10.0]])\n"
            f"expect_close(call(stats, X), X.std(axis=1, keepdims=True), 'sigma', 'X', "
            f"mistakes={{{SIGMA_IS_VARIANCE!r}: X.var(axis=1, keepdims=True)}})\n")
    records = []
    monkeypatch.setenv(transcript.ENV, "1")
    monkeypatch.setattr(transcript, "emit", lambda *a, **k: records.append(_record(*a, **k)))
    namespace = {}
    exec(setup + "def stats(X):\n    return X.var(axis=1, keepdims=True)\n", namespace)
    with pytest.raises(CheckFailed) as info:
        exec(test, namespace)
    monkeypatch.delenv(transcript.ENV)
    job = {"cells": [{"kind": "setup", "grade_id": "setup", "source": setup},
                     {"kind": "test", "grade_id": "test_stats", "source": test}],
           "names": ["stats"], "transcripts": {"test_stats": json.loads(json.dumps(records))}}
    result = run(job)["test_stats"]
    assert result["ename"] == "CheckFailed" and result["evalue"] == str(info.value), \
        f"the re-check said {result}, the kernel {str(info.value)!r}"
    assert result["evalue"].startswith(f"Mistake: {SIGMA_IS_VARIANCE}\n"), result


def _record(name, key, before, args, kwargs, loggers, result=None, error=None, global_draws=False):
    """What `transcript.emit` displays, without IPython."""
    from helpers import transcript

    return {"fn": name, "key": key, "after": {}, "callbacks": {}, "result": transcript.encode(result),
            "error": None if error is None else {"type": type(error).__name__, "message": str(error)},
            "global_draws": global_draws}


# ------------------------------------------------------------------------------------------- tracebacks
_KERNEL_CELLS = [
    "import numpy as np\nfrom helpers.checks import call, expect_close",
    "def student_function(X):\n    return X @ np.ones((5, 1))  # the student's line",
    "call(student_function, np.ones((2, 4)))",
    "expect_close(call(lambda X: X + 1, np.ones(2)), np.zeros(2), 'y', on='X = [1, 1]',\n"
    "             mistakes={'you add one where nothing was asked': np.full(2, 2.0)})",
    "import os\nos.environ['COURSE_TRANSCRIPT'] = '1'\n"
    "call(student_function, np.ones((2, 4)))",
]


@pytest.mark.slow
def test_a_failing_check_in_a_kernel_shows_the_students_code_and_no_frame_of_helpers():
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in _KERNEL_CELLS])
    nbclient.NotebookClient(nb, allow_errors=True, kernel_name="python3", timeout=60).execute()
    errors = {i: [o for o in cell.outputs if o.output_type == "error"] for i, cell in enumerate(nb.cells)}
    assert not errors[0] and not errors[1], f"the set-up cells failed: {errors[0] + errors[1]}"
    for i in (2, 3, 4):
        assert len(errors[i]) == 1, f"cell {i} should have one error output, found {nb.cells[i].outputs}"
        error = errors[i][0]
        shown = _plain("\n".join(error.traceback))
        assert error.ename == "CheckFailed", f"cell {i}: nbgrader scores by the error, found ename {error.ename}"
        assert "helpers" + os.sep not in shown and "checks.py" not in shown and "transcript.py" not in shown, \
            f"cell {i}: the traceback shows frames of helpers:\n{shown}"
        assert error.evalue in shown and error.evalue.splitlines()[0] in shown.splitlines(), \
            f"cell {i}: the whole message should be shown, its first line on a line of its own:\n{shown}"
    for i in (2, 4):
        assert "# the student's line" in _plain("\n".join(errors[i][0].traceback)), \
            f"cell {i}: the student's line that crashed should be shown"
    assert errors[3][0].evalue.startswith("Mistake: you add one where nothing was asked\ny is wrong"), \
        f"the evalue should name the mistake first: {errors[3][0].evalue!r}"


def _plain(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.parametrize("raised", ["stdin", "bdb"])
def test_a_function_that_waits_for_the_keyboard_is_said_so_not_called_unimplemented(raised):
    import bdb

    from IPython.core.error import StdinNotImplementedError

    def relative_difference(grad, grad_approx):
        if raised == "stdin":  # what input(), breakpoint() and pdb raise in a kernel without stdin
            raise StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")
        raise bdb.BdbQuit

    with pytest.raises(CheckFailed) as failed:
        call(relative_difference, 1.0, 2.0)
    first = str(failed.value).splitlines()[0]
    assert "waits for keyboard input" in first and "not implemented" not in str(failed.value), str(failed.value)
    assert len(first) <= FIRST_LINE, first
