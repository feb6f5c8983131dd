"""Explorer: how the ratio of two feature scales and the learning rate shape gradient descent."""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display
import matplotlib.pyplot as plt
import numpy as np

from ..datasets import two_scale_regression
from ..linear_model import gradient_descent, hessian
from ..plots.contours import descent_side_by_side
from ._output import Frame


def _standardize(X: np.ndarray) -> np.ndarray:
    sigma = X.std(axis=1, keepdims=True)
    return (X - X.mean(axis=1, keepdims=True)) / np.where(sigma == 0, 1.0, sigma)


class NormalizationExplorer:
    """Raw against normalized features, side by side, for a scale ratio and a learning rate chosen with sliders.

    After each update: `condition` and `steps` map "raw"/"normalized" to the condition number of X X.T / m
    and to the number of gradient-descent steps to converge (inf if it diverges); `runs` holds the descents.
    """

    def __init__(self, m: int = 200, seed: int = 0, ratio: float = 10.0, learning_rate: float = 0.5):
        base = two_scale_regression(m, np.random.default_rng(seed), scales=(1.0, 1.0), weights=(2.0, -1.0))
        self._unit_X, self._Y = base
        style, step = {"description_width": "initial"}, 0.05
        on_grid = lambda v: 10 ** (round(np.log10(v) / step) * step)  # noqa: E731 - a browser snaps to the grid
        self.ratio = widgets.FloatLogSlider(value=on_grid(ratio), base=10, min=0, max=2, step=step,
                                            description="scale ratio", continuous_update=True, style=style)
        self.learning_rate = widgets.FloatLogSlider(value=on_grid(learning_rate), base=10, min=-5, max=0.3,
                                                    step=step, description="learning rate", continuous_update=True,
                                                    style=style)
        self.summary = widgets.HTML()
        self.output = widgets.Output()
        for control in (self.ratio, self.learning_rate):
            control.observe(lambda _change: self.update(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.ratio, self.learning_rate]), self.summary, self.output])
        self.update()

    def compute(self) -> None:
        """Recompute the data, condition numbers and descents for the current slider values."""
        X_raw = self._unit_X * np.array([[1.0], [self.ratio.value]])
        X_norm = _standardize(X_raw)
        self.data = {"raw": X_raw, "normalized": X_norm}
        self.condition, self.steps, self.runs, self.max_learning_rate = {}, {}, {}, {}
        for name, X in self.data.items():
            lam = np.linalg.eigvalsh(hessian(X))
            self.condition[name] = float(lam[-1] / lam[0])
            self.max_learning_rate[name] = float(2 / lam[-1])
            start = np.array([[-3.0], [3.0]]) / np.array([[1.0], [X[1].std()]])
            run = gradient_descent(X, self._Y, self.learning_rate.value, start)
            self.runs[name], self.steps[name] = run, run.steps

    def update(self) -> None:
        self.compute()
        rows = "".join(f"<tr><td>{n}</td><td>{self.condition[n]:,.1f}</td><td>{self.max_learning_rate[n]:.3g}</td>"
                       f"<td>{self._steps_text(n)}</td></tr>" for n in self.data)
        self.summary.value = ("<table><tr><th>features</th><th>condition number</th><th>largest stable learning rate"
                              f" (2/&lambda;<sub>max</sub>)</th><th>steps to converge</th></tr>{rows}</table>")
        with Frame(self.output) as frame:  # not `with self.output:`, see _output.py (nbclient#312)
            fig = descent_side_by_side(
                [(self.data[n], self._Y, self.runs[n], f"{n}: condition number {self.condition[n]:,.0f}")
                 for n in self.data],
                suptitle=f"learning rate {self.learning_rate.value:.2g}, feature 2 scaled by {self.ratio.value:.3g}")
            frame.display(fig)
            plt.close(fig)

    def _steps_text(self, name: str) -> str:
        run = self.runs[name]
        if run.diverged:
            return "diverges (learning rate too large for this curvature)"
        return "more than 10 million" if np.isinf(run.steps) else f"{run.steps:,}"

    def _ipython_display_(self):
        display(self.widget)
