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
    ("2. linear, Gaussian, gain 1: at 32 layers the spread passes 1e6",
     f"{_at(32, 'gaussian', 1.0, 'linear')}.spread > 1e6"),
    ("3. tanh, orthogonal, gain 1: the spread stays near ten, even at 100 layers",
     f"{_at(100, 'orthogonal', 1.0, 'tanh')}.spread < 20"),
    ("3. with tanh's gain 1.67 the activations keep their scale ...",
     f"{_at(100, 'orthogonal', 1.67, 'tanh')}.activation_rms[-1] > 0.5 * explorer.activation_rms[0]"),
    ("3. ... but the spread passes 1e4", "explorer.spread > 1e4"),
    ("4. relu, orthogonal, gain 1.41: about half the singular values are 0 at every depth",
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
