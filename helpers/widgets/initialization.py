"""Explorer of assignment 03: how the initialization scheme sets the scale of the activations through depth.

    explorer = InitializationExplorer()     # in a notebook, as the last line of a cell: menus, sliders, plot
    explorer.scheme_menu.value = "xavier"   # or from Python: every change recomputes and redraws
    InitializationExplorer(initialize=initialize_parameters, stds=activation_stds)   # the student's functions

Its layers are square (width n in and out), so that without the student's functions it needs only each scheme's
std for a square layer (`_SQUARE_STD`), not the graded `init_std` (COURSE_SPEC, conventions: helpers holds no
graded function's solution); it draws those weights and follows the activations one layer at a time itself.

After every change it keeps what it plotted: `stds` (shape (depth,), the std of A_1..A_depth for the chosen scheme),
`all_stds` (scheme -> shape (depth,), every scheme with the same activation, when `compare` is ticked),
`compute_seconds`, `figure`, and `error` (a message, or None).
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from .. import initializers
from ..activations import get as _activation
from ..plots.initialization import plot_activation_stds
from ._output import Frame

__all__ = ["InitializationExplorer"]

ACTIVATIONS = ("relu", "tanh", "linear")
MAX_DEPTH, MAX_WIDTH = 200, 256
#: the std of the weights of a square layer of width n under each scheme (n_in = n_out = n: Glorot equals Xavier)
_SQUARE_STD = {"zeros": lambda n: 0.0, "large": lambda n: 10.0, "xavier": lambda n: np.sqrt(1.0 / n),
               "glorot": lambda n: np.sqrt(1.0 / n), "he": lambda n: np.sqrt(2.0 / n)}


class InitializationExplorer:
    """Menus for scheme and activation, sliders for depth and width; the per-layer std of the activations, log scale.

    Inputs:
    - initialize(layer_dims, method, rng) -> parameters and stds(X, parameters, activation) -> shape (L,): the
      student's initialize_parameters and activation_stds, both or neither; without them the explorer draws the
      same weights (W_l = std * rng.standard_normal((n, n)) in layer order, nothing drawn for "zeros") and
      computes the same stds itself
    - examples: m, the columns of the input X (drawn from N(0, 1), shape (width, m))
    - seed: every computation starts from np.random.default_rng(seed), so a setting always gives the same picture
      and every scheme scales the same Gaussian draws
    - scheme, activation, depth, width, compare: the starting values
    """

    def __init__(self, initialize=None, stds=None, examples: int = 64,
                 seed: int = 0, scheme: str = "he", activation: str = "relu", depth: int = 50, width: int = 100,
                 compare: bool = True):
        self.initialize, self.stds_function, self.examples, self.seed = initialize, stds, examples, seed
        self.scheme_menu = widgets.Dropdown(options=list(initializers.SCHEMES), value=scheme, description="scheme")
        self.activation_menu = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="g(z)")
        self.depth_slider = widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="depth L",
                                          continuous_update=False)  # recompute on release, not at every step
        self.width_slider = widgets.IntSlider(value=width, min=2, max=MAX_WIDTH, description="width n",
                                          continuous_update=False)
        self.compare_box = widgets.Checkbox(value=compare, description="compare all schemes")
        self.output = widgets.Output()
        controls = [self.scheme_menu, self.activation_menu, self.depth_slider, self.width_slider, self.compare_box]
        for control in controls:
            control.observe(self._changed, names="value")
        self.widget = widgets.VBox([widgets.HBox(controls[:2] + controls[4:]), widgets.HBox(controls[2:4]),
                                    self.output])
        self.stds, self.all_stds, self.figure, self.error, self.compute_seconds = None, {}, None, None, 0.0
        self.update()

    def _ipython_display_(self):
        display(self.widget)

    def _changed(self, _change) -> None:
        self.update()

    def profile(self, method: str) -> np.ndarray:
        """Shape (depth,): the std of A_1..A_depth of a depth x width network initialized with `method`."""
        n, L = self.width_slider.value, self.depth_slider.value
        rng = np.random.default_rng(self.seed)
        X = rng.standard_normal((n, self.examples))
        if self.initialize is None and self.stds_function is None:
            return self._own_profile(X, method, L, rng)
        if self.initialize is None or self.stds_function is None:
            raise TypeError("pass initialize and stds together (your initialize_parameters and activation_stds), "
                            "or neither")
        parameters = self.initialize([n] * (L + 1), method, rng)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self.stds_function(X, parameters, self.activation_menu.value), dtype=float)

    def _own_profile(self, X: np.ndarray, method: str, L: int, rng: np.random.Generator) -> np.ndarray:
        """The explorer's own computation for square layers: shape (L,), np.std(A_l) for l = 1..L, biases 0."""
        n, g = X.shape[0], _activation(self.activation_menu.value).forward
        std = _SQUARE_STD[initializers.scheme(method).name](n)
        stds, A = np.empty(L), X
        with np.errstate(over="ignore", invalid="ignore"):
            for l in range(L):
                W = std * rng.standard_normal((n, n)) if std > 0 else np.zeros((n, n))
                A = g(W @ A)
                stds[l] = np.std(A)
        return stds

    def update(self) -> None:
        """Recompute, keep the results in attributes, redraw."""
        start = time.perf_counter()
        chosen = self.scheme_menu.value
        methods = list(initializers.SCHEMES) if self.compare_box.value else [chosen]
        try:
            self.all_stds = {method: self.profile(method) for method in methods}
            self.stds, self.error = self.all_stds[chosen], None
        except NotImplementedError:
            self.stds, self.all_stds = None, {}
            self.error = "Your functions are not implemented yet: implement them above, then run this cell again."
        except Exception as error:  # a student's function that crashes must not break the explorer
            self.stds, self.all_stds = None, {}
            self.error = f"Your functions raised {type(error).__name__}: {error}. Run the tests above to find out why."
        self.compute_seconds = time.perf_counter() - start
        self._draw()

    def summary(self) -> str:
        """One line on what the chosen scheme does to the scale from layer 1 to layer L."""
        first, last = self.stds[0], self.stds[-1]
        if not np.isfinite(last):
            return "the activations overflow to inf/NaN: exploding"
        if first == 0:
            return "every activation is exactly 0: the signal never starts (and every unit stays identical)"
        ratio = last / first
        verdict = "steady" if 0.1 <= ratio <= 10 else ("exploding" if ratio > 10 else "vanishing")
        return f"std(A_L) / std(A_1) = {ratio:.3g}: {verdict}"

    def _draw(self) -> None:
        with Frame(self.output) as frame:  # not `with self.output:`, see _output.py (nbclient#312)
            if self.error:
                frame.print(self.error)
                return
            chosen, act = self.scheme_menu.value, self.activation_menu.value
            L, n = self.depth_slider.value, self.width_slider.value
            fig, ax = plt.subplots(figsize=(8, 4))
            # the chosen scheme last, so that it is drawn on top
            order = [m for m in self.all_stds if m != chosen] + [chosen]
            plot_activation_stds({m: self.all_stds[m] for m in order}, ax=ax,
                                 title=f"{chosen} with {act}, L = {L}, n = {n}: {self.summary()}")
            for line in ax.get_lines():
                chosen_line = line.get_label().split()[0] == chosen
                line.set_linewidth(2.5 if chosen_line else 1.0)
                line.set_alpha(1.0 if chosen_line else 0.35)
            ax.legend(fontsize=8)  # again, so that the legend shows the emphasis too
            frame.display(fig)
            plt.close(fig)
            self.figure = fig
