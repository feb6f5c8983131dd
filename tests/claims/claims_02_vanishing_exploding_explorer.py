"""What the markdown of notebooks/02_vanishing_exploding_explorer.ipynb says the explorer shows.

Variable: `explorer`, the DepthExplorer of the notebook (16 units, 8 examples, seed 0). Each claim moves its
controls with `explorer.set(...)`, as a user drags the sliders, naming all four settings; only the first, which reads
the first view, relies on coming first (claims are checked in order). The random-weight claims keep margins of a factor of 3 or more around what the text quotes.
"""

_NP = "__import__('numpy')"  # the explorer notebook imports no numpy of its own


def _at(depth, scale, activation="linear", weights="identity"):
    return f"explorer.set(depth={depth}, scale={scale}, activation={activation!r}, weights={weights!r})"


def _growth(depth, scale, activation="linear", weights="identity"):
    e = _at(depth, scale, activation, weights)
    return f"({e}.activation_norms[-1] / explorer.activation_norms[0])"


CLAIMS = [
    ("the first view: linear, scale · I, scale 1.1, 50 layers; the dashed closed form is scale**l",
     f"{_NP}.allclose(explorer.activation_norms / explorer.activation_norms[0], 1.1 ** {_NP}.arange(51), rtol=1e-9)"),
    ("1. at scale 1.1 the signal becomes 'exploding' where 1.1**L passes 1e3, at L = 73",
     f"{_at(72, 1.1)}.diagnosis == 'stable' and {_at(73, 1.1)}.diagnosis == 'exploding'"),
    ("1. at 0.9 it becomes 'vanishing' where 0.9**L passes 1e-3, at L = 66",
     f"{_at(65, 0.9)}.diagnosis == 'stable' and {_at(66, 0.9)}.diagnosis == 'vanishing'"),
    ("2. random Gaussian at scale 1: the curve is not flat, the gain fluctuates from layer to layer",
     f"{_NP}.std({_NP}.diff({_NP}.log({_at(50, 1.0, 'linear', 'gaussian')}.activation_norms))) > 0.05"),
    ("2. it drifts down, to about a quarter after 50 layers", f"0.08 < {_growth(50, 1.0, 'linear', 'gaussian')} < 0.8"),
    ("3. ReLU at scale 1 vanishes fast (about 1e-10 after 50 layers)",
     f"{_growth(50, 1.0, 'relu', 'gaussian')} < 1e-8 and explorer.diagnosis == 'vanishing'"),
    ("3. √2 does far better, 'stable' at 50 layers", f"{_at(50, 1.41, 'relu', 'gaussian')}.diagnosis == 'stable'"),
    ("3. ... but still drifts down with 16 units: about 5e-3 after 50 layers",
     f"1e-3 < {_growth(50, 1.41, 'relu', 'gaussian')} < 2e-2"),
    ("3. ... 'vanishing' by 100 layers", f"{_at(100, 1.41, 'relu', 'gaussian')}.diagnosis == 'vanishing'"),
    ("4. tanh with scale · I, large scale: the forward signal looks healthy, the backward one vanishes",
     f"{_at(50, 1.5, 'tanh', 'identity')}.diagnosis == 'stable' and explorer.gradient_diagnosis == 'vanishing'"),
]

# The set-up and the things to try, quoted. `_WIDE` is the same explorer with the 100 units of the assignment.
_WIDE = "DepthExplorer(width=100)"
_PRODUCTS = "__import__('helpers.deep_signal', fromlist=['random_product_norms']).random_product_norms"


def _wide_growth(depth, scale, activation, weights):
    return (f"(lambda e: e.activation_norms[-1] / e.activation_norms[0])"
            f"({_WIDE}.set(depth={depth}, scale={scale}, activation={activation!r}, weights={weights!r}))")


CLAIMS += [
    ("depth L, from 1 to 200 layers, each of 16 units, on a batch of 8 examples",
     "explorer.depth_slider.min == 1 and explorer.depth_slider.max == 200 and explorer.x.shape == (16, 8)"),
    ("Below the plot: the diagnosis of each signal (exploding if it ends more than 1000 times larger than it started, "
     "or overflows; vanishing if it ends 1000 times smaller; stable otherwise)",
     f"{_at(72, 1.1)}.diagnosis == 'stable' and {_at(73, 1.1)}.diagnosis == 'exploding' "
     f"and {_at(65, 0.9)}.diagnosis == 'stable' and {_at(66, 0.9)}.diagnosis == 'vanishing'"),
    ("Linear, random Gaussian. Even at scale = 1 the curve is not flat: a random product of matrices is not the "
     "identity, and with only 16 units its gain fluctuates from layer to layer",
     f"{_NP}.std({_NP}.diff({_NP}.log({_at(50, 1.0, 'linear', 'gaussian')}.activation_norms))) > 0.05"),
    ("It also drifts down (to about a quarter after 50 layers): the typical gain of a product of random layers is "
     "below its average gain, the more so the narrower the layers (section 7 of the assignment multiplies 4 × 4 "
     "matrices)",
     f"0.08 < {_growth(50, 1.0, 'linear', 'gaussian')} < 0.8 and "
     f"{_NP}.median({_PRODUCTS}(4, 50, 0.5, {_NP}.random.default_rng(0), trials=50)[:, -1]) "
     f"< {_growth(50, 1.0, 'linear', 'gaussian')} "
     f"and abs({_NP}.log({_wide_growth(50, 1.0, 'linear', 'gaussian')})) "
     f"< abs({_NP}.log({_growth(50, 1.0, 'linear', 'gaussian')}))"),
    ("ReLU, random Gaussian. Half the units are switched off at every layer, so ReLU halves the signal's energy: at "
     "scale = 1 the signal vanishes fast (about 1e-10 after 50 layers). √2 ≈ 1.41 does far better, stable at 50 "
     "layers, but with 16 units the downward drift is still there: about 5e-3 after 50 layers, vanishing by 100",
     f"{_growth(50, 1.0, 'relu', 'gaussian')} < 1e-8 and {_at(50, 1.41, 'relu', 'gaussian')}.diagnosis == 'stable' "
     f"and 1e-3 < {_growth(50, 1.41, 'relu', 'gaussian')} < 2e-2 "
     f"and {_at(100, 1.41, 'relu', 'gaussian')}.diagnosis == 'vanishing'"),
    ("Narrow deep networks are the hardest to keep steady; with the 100 units of the assignment, √2 holds",
     f"{_WIDE}.set(depth=200, scale=1.41, activation='relu', weights='gaussian').diagnosis == 'stable' "
     f"and {_wide_growth(50, 1.41, 'relu', 'gaussian')} > 10 * {_growth(50, 1.41, 'relu', 'gaussian')}"),
]
