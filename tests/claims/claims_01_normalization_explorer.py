"""What notebooks/01_normalization_explorer.ipynb says the explorer shows on its first view (ratio 10, learning
rate 0.0158), as expressions over `explorer` after the run (plain Python: the notebook does not import numpy).
Margins are factors of 2 or more where the text gives a size, so that another version of numpy or a slightly
different grid of learning rates does not flip them."""

_BEST, _SHARED, _RATIO = 'explorer.sweep["best"]', 'explorer.sweep["shared"]', 'explorer.sweep["ratio"]'
_INF = 'float("inf")'


def _at(sweep: str, features: str, ratio: float) -> str:
    """The step count of `sweep` for `features` at the sweep's ratio closest to `ratio`."""
    return f'{sweep}["{features}"][min(range(len({_RATIO})), key=lambda i: abs({_RATIO}[i] / {ratio} - 1))]'


CLAIMS = [
    ("Ratio 1. Both problems are the same: round contours, a few steps.",
     f'{_at(_BEST, "raw", 1)} <= 6 and {_at(_BEST, "normalized", 1)} <= 6'),
    ("At its fastest rate the raw problem needs a few hundred steps at ratio 10",
     f'200 <= {_at(_BEST, "raw", 10)} <= 900 and 200 <= explorer.best_steps["raw"] <= 900'),
    ("and tens of thousands at ratio 100",
     f'10_000 <= {_at(_BEST, "raw", 100)} < 100_000'),
    ("the steps grow like kappa, that is like the ratio squared",
     f'all(b > a for a, b in zip({_BEST}["raw"], {_BEST}["raw"][1:])) '
     f'and 40 <= {_at(_BEST, "raw", 100)} / {_at(_BEST, "raw", 10)} <= 250'),
    ("The normalized problem needs the same few steps at every ratio.",
     f'max({_BEST}["normalized"]) <= 6 and max({_BEST}["normalized"]) - min({_BEST}["normalized"]) <= 1'),
    ("At the starting rate, 0.0158, both problems take about 400 steps at ratio 10",
     'abs(explorer.learning_rate.value - 0.0158) < 1e-4 and abs(explorer.ratio.value - 10) < 1e-9 '
     'and all(200 <= explorer.steps[n] <= 800 for n in ("raw", "normalized"))'),
    ("between 10 and 13 the raw problem starts to diverge",
     f'explorer.steps["raw"] < {_INF} and explorer.runs["raw"].diverged is False '
     f'and all(s == {_INF} for r, s in zip({_RATIO}, {_SHARED}["raw"]) if r >= 13)'),
    ("while the normalized one does not notice",
     f'max({_SHARED}["normalized"]) < {_INF} and max({_SHARED}["normalized"]) <= 1.2 * min({_SHARED}["normalized"])'),
    ("The normalized problem tolerates a learning rate about kappa times larger",
     '0.5 <= explorer.max_learning_rate["normalized"] / explorer.max_learning_rate["raw"] / explorer.condition["raw"] <= 2'),
    ("the fastest rate sits just below the edge of divergence",
     '0.9 <= explorer.best_learning_rate["raw"] / explorer.max_learning_rate["raw"] < 1'),
    ("the raw problem needs about a hundred times the steps of the normalized one at ratio 10",
     '40 <= explorer.best_steps["raw"] / explorer.best_steps["normalized"] <= 300'),
]

# The things to try, quoted: the slider reaches the ratios it names, and the solid curve rises through them.
CLAIMS += [
    ("Raise the ratio to 10, 30, then 100, and follow the solid curves",
     f'10 ** explorer.ratio.min <= 10 and 10 ** explorer.ratio.max >= 100 '
     f'and all(min(abs(r / x - 1) for r in {_RATIO}) < 0.1 for x in (10, 30, 100)) '
     f'and {_at(_BEST, "raw", 10)} < {_at(_BEST, "raw", 30)} < {_at(_BEST, "raw", 100)}'),
]
