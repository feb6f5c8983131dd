"""What the markdown of source/02_vanishing_exploding/02_vanishing_exploding.ipynb says its runs show.

Variables: `shown`, the dict the demo cells fill with what they found (see each demo cell), and `np`. The runs
of scale * I are exact (powers of a float); the random ones (sections 7 and 8) use fixed seeds, and their claims
keep margins of a factor of 10 or more where the text gives an order of magnitude.
"""

_N01 = "shown['random products with entries N(0, 1)']"
_N1N = "shown['random products with entries N(0, 1/4)']"

CLAIMS = [
    # 1 · the closed form
    ("with scale = 1.5 and L = 50, 1.5**50 is about 6e8", "5.5e8 < 1.5 ** 50 < 6.5e8"),
    ("with scale = 0.5 it is about 9e-16", "8.5e-16 < 0.5 ** 50 < 9.5e-16"),
    # 3 · the forward pass: on a log scale an exponential is a straight line, ‖a_30‖ / ‖a_0‖ = scale**30
    ("30 layers of 1.5 * I multiply the norm by 1.5**30",
     "np.isclose(shown['forward growth at scale 1.5'], 1.5 ** 30, rtol=1e-9)"),
    ("30 layers of 0.5 * I multiply the norm by 0.5**30",
     "np.isclose(shown['forward growth at scale 0.5'], 0.5 ** 30, rtol=1e-9)"),
    # 4 · the backward pass
    ("the relative error of the gradient check is around 1e-9 or smaller",
     "max(shown[f'gradient check error of dW_{l}'] for l in (1, 2, 3)) < 1e-8"),
    ("the backward signal grows toward the input like scale**(L - l) (scale 1.5)",
     "np.isclose(shown['backward growth at scale 1.5'], 1.5 ** 30, rtol=1e-9)"),
    ("the backward signal shrinks toward the input like scale**(L - l) (scale 0.5)",
     "np.isclose(shown['backward growth at scale 0.5'], 0.5 ** 30, rtol=1e-9)"),
    ("every dW_l is the same at every layer",
     "np.ptp(shown['dW norms at scale 0.5']) <= 1e-12 * shown['dW norms at scale 0.5'].max()"),
    ("gradients 0.5**29 ≈ 2e-9 times too small", "1.5e-9 < 0.5 ** 29 < 2.5e-9"),
    # 6 · inf, then NaN
    ("float32 overflows at the first l with 1.5**l > max, l > log(max) / log(1.5)",
     "shown['first inf in float32'] == int(np.floor(np.log(np.finfo(np.float32).max) / np.log(1.5))) + 1"),
    ("float64 overflows at the first l with 1.5**l > max, l > log(max) / log(1.5)",
     "shown['first inf in float64'] == int(np.floor(np.log(np.finfo(np.float64).max) / np.log(1.5))) + 1"),
    ("inf does not stay inf for long: the very next matrix product gives NaN",
     "shown['first NaN in float32'] == shown['first inf in float32'] + 1 "
     "and shown['first NaN in float64'] == shown['first inf in float64'] + 1"),
    ("a vanishing signal becomes exactly 0, with no warning",
     "shown['first exact 0 in float32'] is not None and shown['first exact 0 in float64'] is not None"),
    # 7 · products of random matrices (d2l)
    ("entries N(0, 1): the product explodes, to around 1e24 after 100 factors", f"1e22 < np.median({_N01}) < 1e26"),
    ("it typically grows by less than 2 per factor, about 1.75", f"1.6 < np.median({_N01}) ** (1 / 100) < 1.9"),
    ("no draw escapes the explosion", f"{_N01}.min() > 1e15"),
    ("entries N(0, 1/n): the product drifts down, to around a millionth after 100 factors",
     f"1e-7 < np.median({_N1N}) < 1e-5"),
    ("its 20 draws scatter over several orders of magnitude", f"{_N1N}.max() / {_N1N}.min() > 1e3"),
    # 8 · tanh and ReLU (the titles of the two sweeps and the bullets below them)
    ("linear: scale = 1 is the stable one, 0.5 vanishes and 1.5 explodes",
     "shown['linear at scale 1.00'] == ('stable', 'stable') and shown['linear at scale 0.50'] == ('vanishing', "
     "'vanishing') and shown['linear at scale 1.50'] == ('exploding', 'exploding')"),
    ("ReLU at scale = 1 vanishes", "shown['relu at scale 1.00'] == ('vanishing', 'vanishing')"),
    ("ReLU needs √2 to keep the signal steady", "shown['relu at scale 1.41'] == ('stable', 'stable')"),
    ("tanh: small scales vanish just as in the linear network", "shown['tanh at scale 0.50'][0] == 'vanishing'"),
    ("tanh saturates instead of exploding: large scales stay bounded",
     "shown['tanh at scale 1.50'][0] == 'stable' and shown['linear at scale 1.50'][0] == 'exploding'"),
    ("It does not grow all the way: it peaks a few layers before the input and shrinks over the last steps.",
     "1 <= shown['tanh backward peak at scale 1.50'] <= 6"),
    ("so `z_1` is larger than the deeper `z_l` (the line printed above the plots), more of its units saturate, "
     "their `tanh'` is smaller, and the backward step through them loses more than the scale gives.",
     "shown['tanh z std, layers 1 and 11'][0] > 1.2 * shown['tanh z std, layers 1 and 11'][1] "
     "and shown[\"tanh mean tanh', layers 1 and 11\"][0] < shown[\"tanh mean tanh', layers 1 and 11\"][1]"),
    ("tanh at scale 1.5: the backward signal grows by a factor of about 25, 'stable' by our threshold",
     "10 < shown['tanh backward growth at scale 1.50'] < 100 and shown['tanh at scale 1.50'][1] == 'stable'"),
    # 10 · the model answer
    ("1.2**3 is 1.7", "1.65 < 1.2 ** 3 < 1.75"),
    ("1.2**60 is about 6e4", "5e4 < 1.2 ** 60 < 7e4"),
    ("0.8**3 ≈ 0.5 but 0.8**60 ≈ 2e-6", "0.45 < 0.8 ** 3 < 0.55 and 1e-6 < 0.8 ** 60 < 3e-6"),
]

# The set-ups and the remaining sentences with numbers or comparisons, quoted (tests/test_claims_complete.py).
_ONE_LAYER = ("np.std(np.log(random_product_norms({n}, 1, 1 / np.sqrt({n}), np.random.default_rng(0), "
              "trials=400)[:, 1]))")
CLAIMS += [
    ("Weights only 50 % away from 1 multiply or crush the signal by eight to fifteen orders of magnitude",
     "8 < np.log10(1.5 ** 50) < 9 and 15 < -np.log10(0.5 ** 50) < 16"),
    ("Below, your forward pass runs a batch of 10 examples through 30 layers of `1.5 * I` and of `0.5 * I`; the "
     "dashed line is the closed form `scale**l * ‖a_0‖`",
     "shown['forward batch and layers'] == (10, 30) "
     "and np.isclose(shown['forward growth at scale 1.5'], 1.5 ** 30, rtol=1e-9)"),
    ("exploding if any norm is not finite (inf or NaN) or the last is more than 1e3 times the first",
     "all(diagnose(n) == 'exploding' for n in ([1.0, np.inf], [1.0, np.nan], [1.0, 1001.0])) "
     "and diagnose([1.0, 999.0]) == 'stable'"),
    ("vanishing if the last is less than 1e-3 times the first",
     "diagnose([1.0, 0.00099]) == 'vanishing' and diagnose([1.0, 0.0011]) == 'stable'"),
    ("multiply random `4 × 4` matrices with independent Gaussian entries: below, 20 independent products of up to "
     "100 factors",
     "all(shown[f'random products shape with {k}'] == (4, (20, 101)) for k in ('entries N(0, 1)', 'entries N(0, 1/4)'))"),
    ("With 100 units instead of 4, one layer fluctuates much less, and `scale` sets the trend again. 50 layers of "
     "100 units, for four scales.",
     "shown['deep sweep: x shape, layers, scales'] == ((100, 20), 50, 4) "
     f"and {_ONE_LAYER.format(n=4)} > 5 * {_ONE_LAYER.format(n=100)} "
     "and shown['linear at scale 0.50'][0] == 'vanishing' and shown['linear at scale 1.50'][0] == 'exploding'"),
    ("A colleague trains two fully connected networks of 60 layers: gains explode or vanish",
     "diagnose(1.2 ** np.arange(61)) == 'exploding' and diagnose(0.8 ** np.arange(61)) == 'vanishing'"),
    ("why a typical layer gain of `1.2` (not far from 1) is harmless in a 3-layer network but not in a 60-layer one",
     "diagnose(1.2 ** np.arange(4)) == 'stable' and diagnose(1.2 ** np.arange(61)) == 'exploding'"),
]
