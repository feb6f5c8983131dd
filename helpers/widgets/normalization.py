"""Explorer: how the ratio of two feature scales and the learning rate shape gradient descent."""

from __future__ import annotations

import functools

import ipywidgets as widgets
from IPython.display import display
import matplotlib.pyplot as plt
import numpy as np

from ..datasets import two_scale_regression
from ..linear_model import fastest_learning_rate, gradient_descent
from ..plots.contours import steps_and_descents
from ._output import Frame

#: the scale ratios of the headline plot: the slider's range, 1 to 100, in 17 steps evenly spaced on a log axis
SWEEP_RATIOS = np.logspace(0.0, 2.0, 17)
FEATURES = ("raw", "normalized")


def _standardize(X: np.ndarray) -> np.ndarray:
    sigma = X.std(axis=1, keepdims=True)
    return (X - X.mean(axis=1, keepdims=True)) / np.where(sigma == 0, 1.0, sigma)


@functools.lru_cache(maxsize=8)
def _fastest_sweep(m: int, seed: int) -> dict:
    """{features: steps at each of SWEEP_RATIOS, at each problem's fastest learning rate}, for the explorer's data
    (m, seed); cached, since it depends on no slider and costs a few hundred descents."""
    explorer = NormalizationExplorer.__new__(NormalizationExplorer)
    explorer._unit_X, explorer._Y = _base(m, seed)
    steps = {name: [] for name in FEATURES}
    for ratio in SWEEP_RATIOS:
        for name, (_, run) in explorer._descents(ratio, None).items():
            steps[name].append(run.steps)
    return {name: np.array(values) for name, values in steps.items()}


def _base(m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two features of scale 1 and the target: X (2, m), Y (1, m)."""
    return two_scale_regression(m, np.random.default_rng(seed), scales=(1.0, 1.0), weights=(2.0, -1.0))


class NormalizationExplorer:
    """Raw against normalized features, side by side, for a scale ratio and a learning rate chosen with sliders.

    Each problem runs at its own fastest stable learning rate (`linear_model.fastest_learning_rate`): that is the
    fair comparison, since normalizing is what lets the normalized problem take a large one. The headline plot
    draws the steps to converge against the scale ratio, at these rates (solid) and at the slider's learning rate
    shared by both problems (dashed).

    After each update, for "raw" and "normalized": `condition` (condition number of X X.T / m),
    `max_learning_rate` (2 / lambda_max), `best_learning_rate`, `best_steps` and `best_runs` (descents at the
    problem's own fastest rate, drawn in the contour panels), and `steps` and `runs` (descents at the slider's
    learning rate; steps inf when it diverges). `sweep` maps "ratio" to SWEEP_RATIOS, "best" and "shared" to
    {features: steps at each ratio}.
    """

    def __init__(self, m: int = 200, seed: int = 0, ratio: float = 10.0, learning_rate: float = 0.5):
        self._unit_X, self._Y = _base(m, seed)
        style, step = {"description_width": "initial"}, 0.05
        on_grid = lambda v: 10 ** (round(np.log10(v) / step) * step)  # noqa: E731 - a browser snaps to the grid
        self.ratio = widgets.FloatLogSlider(value=on_grid(ratio), base=10, min=0, max=2, step=step,
                                            description="scale ratio", continuous_update=True, style=style)
        self.learning_rate = widgets.FloatLogSlider(value=on_grid(learning_rate), base=10, min=-5, max=0.3,
                                                    step=step, description="learning rate", continuous_update=True,
                                                    style=style)
        self.summary = widgets.HTML()
        self.output = widgets.Output()
        self._best_sweep = _fastest_sweep(m, seed)  # depends on no slider
        for control in (self.ratio, self.learning_rate):
            control.observe(lambda _change: self.update(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.ratio, self.learning_rate]), self.summary, self.output])
        self.update()

    def _problems(self, ratio: float) -> dict:
        X_raw = self._unit_X * np.array([[1.0], [ratio]])
        return {"raw": X_raw, "normalized": _standardize(X_raw)}

    @staticmethod
    def _start(X: np.ndarray) -> np.ndarray:
        """The same start on both problems, in each problem's own units."""
        return np.array([[-3.0], [3.0]]) / np.array([[1.0], [X[1].std()]])

    def _descents(self, ratio: float, learning_rate: float | None) -> dict:
        """{features: (learning rate, Descent)} at `learning_rate`, or at each problem's fastest one if None."""
        out = {}
        for name, X in self._problems(ratio).items():
            if learning_rate is None:
                out[name] = fastest_learning_rate(X, self._Y, self._start(X))
            else:
                out[name] = (learning_rate, gradient_descent(X, self._Y, learning_rate, self._start(X)))
        return out

    def compute(self) -> None:
        """Recompute the data, condition numbers, descents and the sweep for the current slider values."""
        self.data = self._problems(self.ratio.value)
        self.condition, self.max_learning_rate = {}, {}
        for name, X in self.data.items():
            lam = np.linalg.eigvalsh(X @ X.T / X.shape[1])  # the curvatures of the cost, H = X X.T / m
            self.condition[name] = float(lam[-1] / lam[0])
            self.max_learning_rate[name] = float(2 / lam[-1])
        best, shared = self._descents(self.ratio.value, None), self._descents(self.ratio.value, self.learning_rate.value)
        self.best_learning_rate = {n: best[n][0] for n in FEATURES}
        self.best_runs = {n: best[n][1] for n in FEATURES}
        self.best_steps = {n: best[n][1].steps for n in FEATURES}
        self.runs = {n: shared[n][1] for n in FEATURES}
        self.steps = {n: shared[n][1].steps for n in FEATURES}
        self.sweep = {"ratio": SWEEP_RATIOS, "best": self._best_sweep,
                      "shared": {n: np.array([gradient_descent(X, self._Y, self.learning_rate.value,
                                                               self._start(X)).steps
                                              for X in (self._problems(r)[n] for r in SWEEP_RATIOS)])
                                 for n in FEATURES}}

    def update(self) -> None:
        self.compute()
        lr = self.learning_rate.value
        rows = "".join(f"<tr><td>{n}</td><td>{self.condition[n]:,.1f}</td><td>{self.max_learning_rate[n]:.3g}</td>"
                       f"<td>{self.best_learning_rate[n]:.3g}</td><td>{self._steps_text(self.best_runs[n])}</td>"
                       f"<td>{self._steps_text(self.runs[n])}</td></tr>" for n in self.data)
        self.summary.value = ("<table><tr><th>features</th><th>condition number</th><th>largest stable learning rate"
                              " (2/&lambda;<sub>max</sub>)</th><th>its fastest learning rate</th>"
                              "<th>steps at its fastest rate</th>"
                              f"<th>steps at the slider's rate, {lr:.3g}</th></tr>{rows}</table>")
        colours = {"raw": "tab:red", "normalized": "tab:blue"}
        curves = [(f"{n}, each at its fastest learning rate", self.sweep["best"][n],
                   {"color": colours[n], "marker": "o", "ms": 4}) for n in FEATURES]
        curves += [(f"{n}, both at the slider's learning rate {lr:.2g}", self.sweep["shared"][n],
                    {"color": colours[n], "ls": "--", "alpha": 0.7}) for n in FEATURES]
        growth = self.sweep["best"]["raw"][-1] / self.sweep["best"]["raw"][0]
        with Frame(self.output) as frame:  # not `with self.output:`, see _output.py (nbclient#312)
            fig = steps_and_descents(
                SWEEP_RATIOS, curves,
                [(self.data[n], self._Y, self.best_runs[n],
                  f"{n}: condition number {self.condition[n]:,.0f}, learning rate {self.best_learning_rate[n]:.3g}")
                 for n in FEATURES],
                current_ratio=self.ratio.value,
                title=(f"At their fastest learning rates, raw features need {growth:,.0f} times more steps at ratio 100 "
                       "than at 1;\nnormalized ones need the same few steps at every ratio"),
                suptitle=f"feature 2 scaled by {self.ratio.value:.3g}: each problem at its own fastest learning rate")
            frame.display(fig)
            plt.close(fig)

    @staticmethod
    def _steps_text(run) -> str:
        if run.diverged:
            return "diverges (learning rate too large for this curvature)"
        return "more than 10 million" if np.isinf(run.steps) else f"{run.steps:,}"

    def _ipython_display_(self):
        display(self.widget)
