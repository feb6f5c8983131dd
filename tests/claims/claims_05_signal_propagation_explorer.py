"""What the markdown of notebooks/05_signal_propagation_explorer.ipynb says the explorers show.

Variables: `explorer` (SignalPropagationExplorer: 64 units, seed 0) and `check` (CoordinateCheck). Each claim moves
the controls with `explorer.set(...)`, naming all four settings, as a user drags them; only the first, which reads the
first view, relies on coming first (claims are checked in order).
"""

_NP = "__import__('numpy')"  # the explorer notebook imports no numpy of its own


def _at(depth, weights, gain, activation):
    return f"explorer.set(depth={depth}, weights={weights!r}, gain={gain}, activation={activation!r})"


_STD_OUT, _MUP = "check.sizes['standard: z_4 (output)']", "check.sizes"

CLAIMS = [
    ("3. the first view: tanh, orthogonal, gain 1, 16 layers; the spread stays near ten",
     "explorer.depth_slider.value == 16 and explorer.activation_menu.value == 'tanh' and 5 < explorer.spread < 20"),
    ("1. linear, orthogonal, gain 1: one bar at 0 at every depth, flat lines: an exact isometry",
     f"all({_NP}.allclose({_at('L', 'orthogonal', 1.0, 'linear')}.singular_values, 1, atol=1e-9) "
     f"and {_NP}.allclose(explorer.jacobian_rms, 1, atol=1e-9) for L in (1, 32, 100))"),
    ("1. move the gain: every singular value is gain**L, still one bar",
     f"{_NP}.allclose({_at(10, 'orthogonal', 1.1, 'linear')}.singular_values, 1.1 ** 10, rtol=1e-9)"),
    ("linear, Gaussian, gain 1: the same average scale, but at 32 layers the spread passes: the bar has become a histogram many decades wide",
     f"{_at(32, 'gaussian', 1.0, 'linear')}.spread > 1e6"),
    ("tanh, orthogonal, gain 1 (the first view, 16 layers): the spread stays near ten, even at 100 layers",
     f"{_at(100, 'orthogonal', 1.0, 'tanh')}.spread < 20"),
    ("Now give it tanh's gain, 1.67: the activations keep their scale (right panel)",
     f"{_at(100, 'orthogonal', 1.67, 'tanh')}.activation_rms[-1] > 0.5 * explorer.activation_rms[0]"),
    ("Now give it tanh's gain, 1.67: but the spread passes", "explorer.spread > 1e4"),
    ("relu, orthogonal, gain 1.41: about half of the singular values are 0 at every depth",
     f"all(0.45 <= {_at('L', 'orthogonal', 1.41, 'relu')}.zero_share <= 0.75 for L in (1, 8, 32))"),
    ("coordinate check: the standard logit's change grows more than tenfold from 32 to 1024 units",
     f"{_STD_OUT}[-1] > 10 * {_STD_OUT}[0]"),
    ("coordinate check: with muP every layer's change stays within a factor of two across the widths",
     f"all(v.max() < 2 * v.min() for k, v in {_MUP}.items() if k.startswith('muP'))"),
    ("coordinate check: the standard lines keep climbing for another learning rate and activation",
     "(setattr(check.activation_menu, 'value', 'tanh'), setattr(check.rate_slider, 'value', 0.01)) and "
     f"{_STD_OUT}[-1] > 10 * {_STD_OUT}[0] and "
     f"all(v.max() < 2 * v.min() for k, v in {_MUP}.items() if k.startswith('muP'))"),
]

CLAIMS += [
    ("depth L, from 1 to 100 square layers of 64 units, zero biases, at one example",
     "explorer.depth_slider.min == 1 and explorer.depth_slider.max == 100 and explorer.width == 64"),
    ("The title gives the spread, the 90% quantile of the non-zero singular values over their 10% quantile: 1 for an "
     "isometry", f"abs({_at(20, 'orthogonal', 1.0, 'linear')}.spread - 1) < 1e-6"),
    ("Below, networks [8, n, n, n, 1] of widths from 32 to 1024 take one step of gradient descent on the same 32 "
     "examples, the RMS change of a_1, a_2, a_3 and of the output's logit z_4",
     "check.WIDTHS[0] == 32 and check.WIDTHS[-1] == 1024 and check.depth == 3 and len(check.sizes) == 8 and "
     "'muP: z_4 (output)' in check.sizes"),
]
