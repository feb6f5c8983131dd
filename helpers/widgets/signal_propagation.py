"""Explorers of assignment 05: the spectrum of a deep network's input-output Jacobian, and a coordinate check.

    explorer = SignalPropagationExplorer()       # menus and sliders: depth, weights, gain, activation
    explorer.set(depth=32, weights="gaussian", gain=1.0, activation="linear")   # or from Python
    SignalPropagationExplorer(orthogonal=orthogonal_weights, jacobian=input_output_jacobian, gain=activation_gain)
    check = CoordinateCheck()                    # the size of each layer's update against the width

Without the student's functions, the spectrum explorer computes what it shows its own way, inside `update`, as one
computation: square layers, orthogonal weights as the polar factor of a Gaussian matrix (not QR), and the Jacobian
accumulated with its partial products for the per-layer norms; no step of it is a function of its own, and no
table of gains is kept (COURSE_SPEC, conventions: helpers holds no graded function's solution). With them, it runs
the student's `orthogonal_weights`, `input_output_jacobian` (on the first l layers, for the per-layer norms) and
`activation_gain` (the "activation's gain" box).

After every change `SignalPropagationExplorer` keeps what it plotted: `singular_values` (shape (n,), of J at the
chosen depth), `activation_rms` and `jacobian_rms` (shape (L,), per layer: RMS of a_l and ||J_l||_F / sqrt(n) of
the Jacobian of the first l layers), `spread` (90% over 10% quantile of the non-zero singular values),
`zero_share`, `compute_seconds`, `figure`, `error`. `CoordinateCheck` keeps `sizes` (label -> shape (widths,)).
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from .. import network
from ..activations import get as _activation
from ..plots.signal_propagation import draw_singular_value_histogram, plot_coordinate_check, plot_std_profiles
from ._output import Frame

__all__ = ["SignalPropagationExplorer", "CoordinateCheck"]

ACTIVATIONS = ("linear", "tanh", "relu")
WEIGHTS = ("orthogonal", "gaussian")
MAX_DEPTH = 100


class SignalPropagationExplorer:
    """Depth, weights (orthogonal or Gaussian of std gain / sqrt(n)), gain and activation against J's spectrum.

    Inputs:
    - orthogonal(n_out, n_in, gain, rng) -> (n_out, n_in) and jacobian(parameters, x, activation) -> (n_L, n_0): the
      student's orthogonal_weights and input_output_jacobian, both or neither
    - gain(activation) -> float: the student's activation_gain, for the "activation's gain" box (hidden without it)
    - width: n, the units of every layer and of the input; seed: x and every weight start from default_rng(seed)
    - depth, weights, gain_value, activation: the starting values
    """

    def __init__(self, orthogonal=None, jacobian=None, gain=None, width: int = 64, seed: int = 0, depth: int = 16,
                 weights: str = "orthogonal", gain_value: float = 1.0, activation: str = "tanh"):
        if (orthogonal is None) != (jacobian is None):
            raise TypeError("pass orthogonal and jacobian together (your orthogonal_weights and "
                            "input_output_jacobian), or neither")
        self.orthogonal, self.jacobian, self.gain_function = orthogonal, jacobian, gain
        self.width, self.seed = width, seed
        self.depth_slider = widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="depth L",
                                              continuous_update=False)
        self.weights_menu = widgets.Dropdown(options=list(WEIGHTS), value=weights, description="weights")
        self.gain_slider = widgets.FloatSlider(value=gain_value, min=0.25, max=2.5, step=0.01, description="gain",
                                               readout_format=".2f", continuous_update=False)
        self.activation_menu = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="g(z)")
        self.use_gain_box = widgets.Checkbox(value=False, description="activation's gain (yours)",
                                             layout=widgets.Layout(display="" if gain else "none"))
        self.output = widgets.Output()
        self._quiet = False
        for control in (self.depth_slider, self.weights_menu, self.gain_slider, self.activation_menu,
                        self.use_gain_box):
            control.observe(self._changed, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.depth_slider, self.weights_menu]),
                                    widgets.HBox([self.gain_slider, self.activation_menu, self.use_gain_box]),
                                    self.output])
        self.singular_values = self.activation_rms = self.jacobian_rms = None
        self.spread = self.zero_share = None
        self.figure, self.error, self.compute_seconds = None, None, 0.0
        self.update()

    def _ipython_display_(self):
        display(self.widget)

    def _changed(self, _change) -> None:
        if not self._quiet:
            self.update()

    def set(self, depth=None, weights=None, gain=None, activation=None) -> "SignalPropagationExplorer":
        """Move the controls as a user would (one redraw), and return the explorer."""
        self._quiet = True
        try:
            for control, value in ((self.depth_slider, depth), (self.weights_menu, weights),
                                   (self.gain_slider, gain), (self.activation_menu, activation)):
                if value is not None:
                    control.value = value
        finally:
            self._quiet = False
        self.update()
        return self

    def _gain(self) -> float:
        if self.use_gain_box.value and self.gain_function is not None:
            value = float(self.gain_function(self.activation_menu.value))
            self._quiet = True
            try:
                self.gain_slider.value = value
            finally:
                self._quiet = False
            return value
        return float(self.gain_slider.value)

    def update(self) -> None:
        """Recompute, keep the results in attributes, redraw."""
        start = time.perf_counter()
        n, L, act = self.width, self.depth_slider.value, self.activation_menu.value
        try:
            gain = self._gain()
            rng = np.random.default_rng(self.seed)
            x = rng.standard_normal((n, 1))
            Ws = []
            for _ in range(L):
                if self.weights_menu.value == "gaussian":
                    Ws.append(gain / np.sqrt(n) * rng.standard_normal((n, n)))
                elif self.orthogonal is not None:
                    Ws.append(np.asarray(self.orthogonal(n, n, gain, rng), dtype=float))
                else:  # the polar factor U V^T of a Gaussian matrix is Haar distributed too
                    U, _, Vt = np.linalg.svd(rng.standard_normal((n, n)))
                    Ws.append(gain * U @ Vt)
            g = _activation(act)
            a, partial, rms_a, rms_j = x, np.eye(n), [], []
            with np.errstate(over="ignore", invalid="ignore"):
                for l, W in enumerate(Ws, start=1):
                    z = W @ a
                    if self.jacobian is not None:
                        params = {k: v for i, Wi in enumerate(Ws[:l], start=1)
                                  for k, v in ((f"W{i}", Wi), (f"b{i}", np.zeros((n, 1))))}
                        partial = np.asarray(self.jacobian(params, x, act), dtype=float)
                    else:
                        partial = g.derivative(z) * (W @ partial)
                    a = g.forward(z)
                    rms_a.append(np.sqrt(np.mean(a ** 2)))
                    rms_j.append(np.linalg.norm(partial) / np.sqrt(n))
            s = np.linalg.svd(partial, compute_uv=False)
            nonzero = s[s > 1e-12 * s.max()] if s.max() > 0 else s[:0]
            self.singular_values, self.activation_rms, self.jacobian_rms = s, np.array(rms_a), np.array(rms_j)
            self.zero_share = float(1 - nonzero.size / s.size)
            self.spread = float(np.quantile(nonzero, 0.9) / np.quantile(nonzero, 0.1)) if nonzero.size else np.inf
            self.error = None
        except NotImplementedError:
            self.error = "Your functions are not implemented yet: implement them above, then run this cell again."
        except Exception as error:  # a student's function that crashes must not break the explorer
            self.error = f"Your functions raised {type(error).__name__}: {error}. Run the tests above to find out why."
        self.compute_seconds = time.perf_counter() - start
        self._draw()

    def summary(self) -> str:
        """One line on the spectrum at the chosen depth."""
        if self.zero_share > 0:
            return (f"{100 * self.zero_share:.0f}% of the singular values are 0 to float64 precision; "
                    f"spread of the rest {self.spread:.3g}")
        return f"spread (90% / 10% quantile) {self.spread:.3g}" + (": an isometry" if self.spread < 1 + 1e-6 else "")

    def _draw(self) -> None:
        with Frame(self.output) as frame:  # not `with self.output:`, see _output.py (nbclient#312)
            if self.error:
                frame.print(self.error)
                return
            L, act, w = self.depth_slider.value, self.activation_menu.value, self.weights_menu.value
            label = f"{act}, {w}, gain {self._gain():.2f}, L = {L}"
            fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
            draw_singular_value_histogram(left, self.singular_values, f"singular values of J: {label}")
            plot_std_profiles({"RMS of a_l": self.activation_rms,
                               "||J_l||_F / sqrt(n), first l layers": self.jacobian_rms}, ax=right,
                              title="per-layer norms: flat lines keep the signal and the gradient",
                              ylabel="size (RMS)")
            fig.suptitle(self.summary())
            fig.tight_layout()
            frame.display(fig)
            plt.close(fig)
            frame.print(f"{label}: {self.summary()}")
            self.figure = fig


class CoordinateCheck:
    """The RMS change of each layer's activations after one SGD step, against the width (Yang et al. 2022).

    Networks [d, n, n, n, 1] (d = 8 inputs, m = 32 examples, random labels, sigmoid output, the cross-entropy of
    helpers.network), for widths n from 32 to 1024, one step of gradient descent, in two parametrizations:
    standard (every W_l of std 1 / sqrt(n_{l-1}), one learning rate) and muP for SGD (the same, except the output
    layer's std 1 / n and learning rate lr / n, and the input layer's learning rate lr * n). The output layer's
    change is that of its pre-activation, the logit z_L. Inputs: activation, learning rate, the starting values.
    """

    WIDTHS = (32, 64, 128, 256, 512, 1024)

    def __init__(self, activation: str = "relu", learning_rate: float = 0.1, seed: int = 0, depth: int = 3):
        self.seed, self.depth = seed, depth
        self.activation_menu = widgets.Dropdown(options=["relu", "tanh"], value=activation, description="g(z)")
        self.rate_slider = widgets.FloatLogSlider(value=learning_rate, base=10, min=-3, max=0, step=0.25,
                                                  description="lr", continuous_update=False)
        self.output = widgets.Output()
        for control in (self.activation_menu, self.rate_slider):
            control.observe(lambda _change: self.update(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.activation_menu, self.rate_slider]), self.output])
        self.sizes, self.figure, self.compute_seconds = {}, None, 0.0
        self.update()

    def _ipython_display_(self):
        display(self.widget)

    def _one_step(self, n: int, parametrization: str) -> np.ndarray:
        """Shape (depth + 1,): the RMS change of a_1 .. a_{L-1} and of z_L after one step, at width n."""
        lr, act = self.rate_slider.value, self.activation_menu.value
        rng = np.random.default_rng(self.seed)
        d, m = 8, 32
        X, Y = rng.standard_normal((d, m)), (rng.random((1, m)) < 0.5).astype(float)
        dims = [d] + [n] * self.depth + [1]
        L = len(dims) - 1
        params, rates = {}, {}
        for l in range(1, L + 1):
            std, rate = 1 / np.sqrt(dims[l - 1]), lr
            if parametrization == "muP" and l == 1:
                rate = lr * n
            elif parametrization == "muP" and l == L:
                std, rate = 1 / n, lr / n
            params[f"W{l}"] = std * rng.standard_normal((dims[l], dims[l - 1]))
            params[f"b{l}"] = np.zeros((dims[l], 1))
            rates[f"W{l}"] = rates[f"b{l}"] = rate
        _, before = network.model_forward(X, params, act)
        _, grads = network.cost_and_gradients(X, Y, params, act)
        stepped = {k: v - rates[k] * grads["d" + k] for k, v in params.items()}
        _, after = network.model_forward(X, stepped, act)
        # caches: ((A_prev, W), (kind, Z, A), dropout); the hidden layers' A, the output's logit Z
        pick = [2] * (L - 1) + [1]
        return np.array([np.sqrt(np.mean((after[l][1][i] - before[l][1][i]) ** 2)) for l, i in enumerate(pick)])

    def update(self) -> None:
        start = time.perf_counter()
        self.sizes = {}
        for parametrization in ("standard", "muP"):
            table = np.array([self._one_step(n, parametrization) for n in self.WIDTHS])
            for l in range(table.shape[1]):
                name = f"z_{l + 1} (output)" if l == table.shape[1] - 1 else f"a_{l + 1}"
                self.sizes[f"{parametrization}: {name}"] = table[:, l]
        self.compute_seconds = time.perf_counter() - start
        with Frame(self.output) as frame:
            ax = plot_coordinate_check(self.WIDTHS, self.sizes,
                                       title="After one SGD step: standard parametrization's updates grow with "
                                             "width, muP's (dashed) do not")
            ax.figure.set_size_inches(8, 4.5)
            frame.display(ax.figure)
            plt.close(ax.figure)
            self.figure = ax.figure
