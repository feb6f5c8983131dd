"""Explorers of assignment 04: the step epsilon of a finite difference, and gradient checking with dropout.

    EpsilonExplorer()            # error of the one- and two-sided differences against epsilon, float64 or float32
    DropoutCheckExplorer()       # keep_prob and a fresh or frozen mask against the verdict of a gradient check

Each keeps what it plotted in attributes (see the classes), plus `figure` and `error` (a message, or None),
so that tests can move the controls from Python and check the numbers without a browser.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from .. import datasets
from ..gradient_check import (backward_with_planted_bugs, directional_check, dropout_cost, finite_difference_errors,
                              toy_problem)
from ..plots.gradient_check import plot_epsilon_errors, plot_relative_differences
from ._output import Frame

__all__ = ["EpsilonExplorer", "DropoutCheckExplorer", "FUNCTIONS"]

#: name -> (f, f', point): numpy functions that keep the dtype of their input
FUNCTIONS = {
    "exp(x) at x = 1": (np.exp, np.exp, 1.0),
    "sin(x) at x = 1": (np.sin, np.cos, 1.0),
    "x³ at x = 2": (lambda x: x**3, lambda x: 3 * x**2, 2.0),
    "log(x) at x = 0.1": (np.log, lambda x: 1 / x, 0.1),
}
DTYPES = {"float64": np.float64, "float32": np.float32}


class EpsilonExplorer:
    """A log slider for epsilon, menus for the function and the precision; the error curves with epsilon marked.

    After every change: `epsilons` (k,), `errors` {"one-sided": (k,), "two-sided": (k,)} over the whole sweep,
    `at_epsilon` {"one-sided": float, "two-sided": float} at the slider's epsilon, and `best_epsilon`
    {"one-sided": float, "two-sided": float}, where each curve is lowest.
    """

    def __init__(self, function: str = "exp(x) at x = 1", dtype: str = "float64", epsilon: float = 1e-7,
                 epsilons=None):
        if function not in FUNCTIONS:
            raise ValueError(f"function must be one of {list(FUNCTIONS)}, got {function!r}")
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}")
        self.epsilons = np.logspace(-13, 0, 53) if epsilons is None else np.asarray(epsilons, dtype=float)
        self.epsilon_slider = widgets.FloatLogSlider(value=epsilon, base=10, min=-13, max=0, step=0.25,
                                                     description="ε", readout_format=".1e")
        self.function_menu = widgets.Dropdown(options=list(FUNCTIONS), value=function, description="f")
        self.dtype_menu = widgets.ToggleButtons(options=list(DTYPES), value=dtype, description="precision")
        self.output = widgets.Output()
        for control in (self.epsilon_slider, self.function_menu, self.dtype_menu):
            control.observe(self._changed, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.function_menu, self.dtype_menu]), self.epsilon_slider,
                                    self.output])
        self.errors = self.at_epsilon = self.best_epsilon = self.figure = self.error = None
        self.update()

    def update(self) -> None:
        """Recompute the sweep and the errors at the slider's epsilon, keep them, redraw."""
        f, fprime, x = FUNCTIONS[self.function_menu.value]
        dtype = DTYPES[self.dtype_menu.value]
        eps = float(self.epsilon_slider.value)
        try:
            self.errors = finite_difference_errors(f, fprime, x, self.epsilons, dtype=dtype)
            here = finite_difference_errors(f, fprime, x, [eps], dtype=dtype)
            self.at_epsilon = {k: float(v[0]) for k, v in here.items()}
            self.best_epsilon = {k: float(self.epsilons[np.nanargmin(v)]) for k, v in self.errors.items()}
            self.error = None
        except Exception as error:  # an explorer never breaks the notebook
            self.errors = self.at_epsilon = self.best_epsilon = None
            self.error = f"{type(error).__name__}: {error}"
        self._draw(eps)

    def _draw(self, eps: float) -> None:
        with Frame(self.output) as frame:  # not `with self.output:`, see _output.py (nbclient#312)
            if self.error:
                frame.print(self.error)
                return
            fig, ax = plt.subplots(figsize=(7.5, 4.3))
            name = self.function_menu.value
            two = self.at_epsilon["two-sided"]
            plot_epsilon_errors(self.epsilons, self.errors, ax=ax, mark=eps,
                                title=f"{name}, {self.dtype_menu.value}: at ε = {eps:.1e} the two-sided error is "
                                      f"{two:.1e}; the lowest is at ε ≈ {self.best_epsilon['two-sided']:.0e}")
            for i, kind in enumerate(("one-sided", "two-sided")):
                ax.plot([eps], [max(self.at_epsilon[kind], 1e-17)], "o", color=f"C{i}", markersize=9,
                        markeredgecolor="k")
            frame.display(fig)
            plt.close(fig)
            self.figure = fig
            frame.print(f"at ε = {eps:.2e}: one-sided error {self.at_epsilon['one-sided']:.2e}, "
                        f"two-sided error {self.at_epsilon['two-sided']:.2e}")

    def _changed(self, change) -> None:
        self.update()

    def _ipython_display_(self):
        display(self.widget)


class DropoutCheckExplorer:
    """A keep_prob slider, a fresh/frozen mask switch and a choice of backward pass; the check per parameter.

    The network is [2, 4, 3, 1] with tanh hidden units on 8 points of the circles. The check is, by default,
    `helpers.gradient_check.directional_check` restricted to one parameter at a time (2 random directions each);
    pass `check=gradient_check` (your function of the assignment) to use the full check instead.

    After every change: `difference` (float, over all parameters), `per_parameter` {"W1": float, ...}, `verdict`
    ("passes" when every block is below 1e-5, "fails" otherwise).
    """

    BACKWARDS = ("helpers.network.cost_and_gradients", "with planted bugs")

    def __init__(self, check=None, keep_prob: float = 0.8, frozen: bool = False, seed: int = 0,
                 backward: str = "helpers.network.cost_and_gradients"):
        if backward not in self.BACKWARDS:
            raise ValueError(f"backward must be one of {list(self.BACKWARDS)}, got {backward!r}")
        self.check, self.seed = check, seed
        rng = np.random.default_rng(seed)
        self.X, self.Y = datasets.circles(8, rng)
        _, _, self.parameters = toy_problem([2, 4, 3, 1], 8, rng)
        self.keep_prob_slider = widgets.FloatSlider(value=keep_prob, min=0.3, max=1.0, step=0.05,
                                                    description="keep_prob", readout_format=".2f")
        self.mask_menu = widgets.ToggleButtons(options=[("fresh mask at every call", False),
                                                        ("one frozen mask", True)], value=frozen, description="mask")
        self.backward_menu = widgets.Dropdown(options=list(self.BACKWARDS), value=backward, description="backward")
        self.output = widgets.Output()
        for control in (self.keep_prob_slider, self.mask_menu, self.backward_menu):
            control.observe(self._changed, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.keep_prob_slider, self.backward_menu]), self.mask_menu,
                                    self.output])
        self.difference = self.per_parameter = self.verdict = self.figure = self.error = None
        self.update()

    def compute(self):
        """(difference, per_parameter) for the current keep_prob, mask and backward pass."""
        keep_prob, frozen = float(self.keep_prob_slider.value), bool(self.mask_menu.value)
        # the same seed at every update: moving a control changes only what it names
        costs = dropout_cost(self.X, self.Y, keep_prob, np.random.default_rng(self.seed + 1), frozen=frozen)
        if self.backward_menu.value == "with planted bugs":
            AL, caches = costs.forward(self.parameters)   # a mask of its own, or the frozen one
            gradients = backward_with_planted_bugs(AL, self.Y, caches)
        else:
            gradients = costs.gradients(self.parameters)  # the same: its own mask, or the frozen one
        if self.check is not None:
            difference, per_parameter = self.check(self.parameters, gradients, costs.cost)
            return float(difference), {k: float(v) for k, v in per_parameter.items()}
        rng = np.random.default_rng(self.seed + 3)
        per_parameter = {name: directional_check(costs.cost, self.parameters, gradients, rng, n_directions=2,
                                                 names=[name]).worst for name in self.parameters}
        overall = directional_check(costs.cost, self.parameters, gradients, rng, n_directions=4).worst
        return overall, per_parameter

    def update(self) -> None:
        """Recompute, keep the results in attributes, redraw."""
        try:
            self.difference, self.per_parameter = self.compute()
            self.verdict = "passes" if max(self.per_parameter.values()) < 1e-5 else "fails"
            self.error = None
        except NotImplementedError:
            self.difference = self.per_parameter = self.verdict = None
            self.error = "Your gradient_check is not implemented yet: implement it above, then run this cell again."
        except Exception as error:
            self.difference = self.per_parameter = self.verdict = None
            self.error = f"The check raised {type(error).__name__}: {error}. Run the tests above to find out why."
        self._draw()

    def _draw(self) -> None:
        with Frame(self.output) as frame:  # not `with self.output:`, see _output.py (nbclient#312)
            if self.error:
                frame.print(self.error)
                return
            fig, ax = plt.subplots(figsize=(7.5, 4))
            mask = "one frozen mask" if self.mask_menu.value else "a fresh mask at every call"
            plot_relative_differences(self.per_parameter, ax=ax,
                                      title=f"keep_prob = {self.keep_prob_slider.value:.2f} with {mask}: "
                                            f"the check {self.verdict}")
            frame.display(fig)
            plt.close(fig)
            self.figure = fig
            frame.print(f"overall difference {self.difference:.1e}: the check {self.verdict}")

    def _changed(self, change) -> None:
        self.update()

    def _ipython_display_(self):
        display(self.widget)

