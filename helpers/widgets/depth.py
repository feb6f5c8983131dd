"""Explorer of assignment 02: depth, weight scale, activation and weights against the norm of the signal.

    explorer = DepthExplorer()                      # the explorer's own computation of the norms
    explorer = DepthExplorer(forward=deep_linear_forward, backward=deep_linear_backward,
                             norms=layer_norms, diagnose=diagnose)       # the student's graded functions of 02
    explorer                                        # in a notebook: the sliders and the plot

The explorer's own computation (when no function is passed) follows only the norm of the signal, layer after layer,
without keeping the activations, and names the trend inside `update`: nothing here is a graded function of 02
under another name (COURSE_SPEC, conventions), and a student's version of each can be passed in instead.

After every change it keeps what it plotted: `activation_norms` and `gradient_norms` (shape (L + 1,)),
`diagnosis` (of the forward signal a_0 -> a_L), `gradient_diagnosis` (of the backward signal dA_L -> dA_0),
`compute_seconds` (the computation alone, without drawing), `figure`, and `error` (a message, or None).
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from .. import deep_signal
from ..plots.depth import plot_layer_norms
from ._output import Frame

__all__ = ["DepthExplorer"]

MAX_DEPTH = 200


class DepthExplorer:
    """Sliders for depth L and weight scale, menus for activation and weights; a log-scale plot of the norms.

    Inputs:
    - forward(x, weights) -> [a_0, ..., a_L] and backward(weights, activations, dA_L) -> (dWs, dAs): the student's
      linear steps (with tanh or relu they run once per layer, see helpers.deep_signal.deep_forward)
    - norms(arrays) -> shape (k,) and diagnose(norms) -> str: the student's layer_norms and diagnose
    - None for any of them: the explorer's own norms (forward, backward and norms go together: all given or none)
    - width: n, the units of every layer; examples: m, the columns of x (drawn once, N(0, 1))
    - seed: for x and the random Gaussian weights, drawn once so that moving a slider changes only what it names
    - depth, scale, activation, weights: the starting values
    """

    def __init__(self, forward=None, backward=None, norms=None, diagnose=None, width: int = 16, examples: int = 8,
                 seed: int = 0, depth: int = 50, scale: float = 1.1, activation: str = "linear",
                 weights: str = "identity"):
        self.forward, self.backward, self.norms, self.diagnose = forward, backward, norms, diagnose
        rng = np.random.default_rng(seed)
        self.x = rng.standard_normal((width, examples))
        # W_l = scale * G_l / sqrt(n): the same G_l whatever the scale, see deep_signal.gaussian_weights
        self._gaussian = rng.standard_normal((MAX_DEPTH, width, width)) / np.sqrt(width)
        self._identity = np.broadcast_to(np.eye(width), (MAX_DEPTH, width, width))
        self.depth_slider = widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="depth L")
        self.scale_slider = widgets.FloatSlider(value=scale, min=0.5, max=1.5, step=0.01, description="scale",
                                                readout_format=".2f")
        self.activation_menu = widgets.Dropdown(options=list(deep_signal.ACTIVATIONS), value=activation,
                                                description="g(z)")
        self.weights_menu = widgets.Dropdown(options=[("scale · I", "identity"), ("random Gaussian", "gaussian")],
                                             value=weights, description="weights")
        self.output = widgets.Output()
        controls = [self.depth_slider, self.scale_slider, self.activation_menu, self.weights_menu]
        for control in controls:
            control.observe(self._changed, names="value")
        self.widget = widgets.VBox([widgets.HBox(controls[:2]), widgets.HBox(controls[2:]), self.output])
        self.activation_norms = self.gradient_norms = self.diagnosis = self.gradient_diagnosis = None
        self.figure, self.error, self.compute_seconds = None, None, 0.0
        self.update()

    def set(self, depth: int | None = None, scale: float | None = None, activation: str | None = None,
            weights: str | None = None) -> "DepthExplorer":
        """Move the named controls as a user would (each redraws), then return the explorer, e.g. to read
        `explorer.set(depth=73, scale=1.1).diagnosis`.

        Raises ValueError for a value the control cannot take (a slider would silently clamp `scale=3.0` to its
        largest value, 1.5, and show another experiment than the one asked for); nothing moves then."""
        sliders = ((self.depth_slider, depth, "depth"), (self.scale_slider, scale, "scale"))
        for control, value, name in sliders:
            if value is not None and not control.min <= value <= control.max:
                raise ValueError(f"{name}={value} is outside the slider's range, {control.min} to {control.max}: "
                                 "the explorer would show the nearest end instead")
        for control, value, name in ((self.activation_menu, activation, "activation"), (self.weights_menu, weights, "weights")):
            options = [o[1] if isinstance(o, tuple) else o for o in control.options]
            if value is not None and value not in options:
                raise ValueError(f"{name}={value!r} is not one of {options}")
        for control, value in ((self.depth_slider, depth), (self.scale_slider, scale),
                               (self.activation_menu, activation), (self.weights_menu, weights)):
            if value is not None:
                control.value = value
        return self

    def weight_list(self) -> list:
        """[W_1, ..., W_L] for the current depth, scale and kind of weights; each (n, n)."""
        stack = self._identity if self.weights_menu.value == "identity" else self._gaussian
        scale = self.scale_slider.value
        return [scale * W for W in stack[:self.depth_slider.value]]

    def compute(self):
        """(activation_norms, gradient_norms) for the current settings, with the functions given (or the
        explorer's own norms if none is)."""
        given = [f for f in (self.forward, self.backward, self.norms) if f is not None]
        with np.errstate(over="ignore", invalid="ignore"):
            if not given:
                return self._own_norms()
            if len(given) < 3:
                raise TypeError("pass forward, backward and norms together (your deep_linear_forward, "
                                "deep_linear_backward and layer_norms), or none of them")
            return deep_signal.signal_norms(self.x, self.weight_list(), self.activation_menu.value,
                                            forward=self.forward, backward=self.backward, norms=self.norms)

    def _own_norms(self):
        """||a_l|| and ||dA_l|| for l = 0..L, each shape (L + 1,), following one layer at a time: forward
        a_l = g(W_l a_{l-1}), backward dA_{l-1} = W_l.T (dA_l * g'(z_l)) from dA_L = 1 (the cost sum(a_L))."""
        g, g_prime = deep_signal.ACTIVATIONS[self.activation_menu.value]
        weights, a, zs = self.weight_list(), self.x, []
        forward = [np.sqrt(np.sum(a * a))]
        for W in weights:
            zs.append(W @ a)
            a = g(zs[-1])
            forward.append(np.sqrt(np.sum(a * a)))
        dA = np.ones_like(a)
        backward = [np.sqrt(np.sum(dA * dA))]
        for W, z in zip(weights[::-1], zs[::-1]):
            dA = W.T @ (dA * g_prime(z))
            backward.append(np.sqrt(np.sum(dA * dA)))
        return np.array(forward), np.array(backward[::-1])

    def update(self) -> None:
        """Recompute, keep the results in attributes, redraw."""
        start = time.perf_counter()
        try:
            acts, grads = self.compute()
            if self.diagnose is not None:
                diagnosis, gradient_diagnosis = self.diagnose(acts), self.diagnose(grads[::-1])
            else:  # the trend from the first to the last norm, as 02 defines it, for the explorer's own view
                diagnosis, gradient_diagnosis = (
                    "exploding" if not np.isfinite(n).all() or n[-1] > 1e3 * n[0] else
                    "vanishing" if n[-1] < 1e-3 * n[0] else "stable" for n in (acts, grads[::-1]))
            self.error = None
        except NotImplementedError:
            acts = grads = diagnosis = gradient_diagnosis = None
            self.error = "Your functions are not implemented yet: implement them above, then run this cell again."
        except Exception as error:  # a student's function that crashes must not break the explorer
            acts = grads = diagnosis = gradient_diagnosis = None
            self.error = f"Your functions raised {type(error).__name__}: {error}. Run the tests above to find out why."
        self.compute_seconds = time.perf_counter() - start
        self.activation_norms, self.gradient_norms = acts, grads
        self.diagnosis, self.gradient_diagnosis = diagnosis, gradient_diagnosis
        self._draw()

    def _draw(self) -> None:
        with Frame(self.output) as frame:  # not `with self.output:`, see _output.py (nbclient#312)
            if self.error:
                frame.print(self.error)
                return
            L, scale = self.depth_slider.value, self.scale_slider.value
            kind = "scale · I" if self.weights_menu.value == "identity" else "random Gaussian"
            fig, ax = plt.subplots(figsize=(8, 4))
            reference = None
            if self.weights_menu.value == "identity" and self.activation_menu.value == "linear":
                reference = scale ** np.arange(L + 1) * self.activation_norms[0]
            plot_layer_norms(self.activation_norms, self.gradient_norms, ax=ax, reference=reference,
                             reference_label="scale**l · ‖a_0‖",
                             title=f"{self.activation_menu.value}, {kind} weights, scale {scale:.2f}, L = {L}: "
                                   f"forward {self.diagnosis}, backward {self.gradient_diagnosis}")
            frame.display(fig)
            plt.close(fig)
            self.figure = fig
            ratio = self.activation_norms[-1] / self.activation_norms[0]
            back = self.gradient_norms[0] / self.gradient_norms[-1]
            frame.print(f"forward signal  a_0 -> a_L:  {self.diagnosis:9s}  ‖a_L‖ / ‖a_0‖ = {ratio:.3g}")
            frame.print(f"backward signal dA_L -> dA_0: {self.gradient_diagnosis:9s}  "
                        f"‖dA_0‖ / ‖dA_L‖ = {back:.3g}")

    def _changed(self, change) -> None:
        self.update()

    def _ipython_display_(self):
        display(self.widget)
