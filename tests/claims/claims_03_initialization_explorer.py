"""What the markdown of notebooks/03_initialization_explorer.ipynb says its runs show.

Variables: `profiles` (width -> shape (100, 50), network.std_profiles of He + ReLU networks of depth 50),
`dead_share` (width -> the share of them with A_50 = 0 exactly) and `log_spread` (width -> the variance of
log(std A_50 / std A_1) among the networks alive at layer 50). 100 networks per width: the margins below are several
standard errors wide.
"""

CLAIMS = [
    ("at width 5 most of the networks are dead by layer 50", "dead_share[5] > 0.5"),
    ("at width 40 none dies", "dead_share[40] == 0"),
    ("the survivors' log-norms at width 5 spread over a variance above 10", "log_spread[5] > 10"),
    ("at width 40 the variance is about 1.5, close to 5/4 L/n", "0.7 < log_spread[40] < 3"),
    ("the spread grows as the width shrinks (depth / width)",
     "log_spread[5] > log_spread[10] > log_spread[20] > log_spread[40]"),
    ("halving the width about doubles the spread (it grows like depth / width)",
     "1.3 < log_spread[20] / log_spread[40] < 3.5 and 1.3 < log_spread[10] / log_spread[20] < 5"),
    ("a dead layer stays dead: once A_l = 0 every later layer is 0",
     "all(((P[:, :-1] == 0) <= (P[:, 1:] == 0)).all() for P in profiles.values())"),
]

# The things to try and the remaining sentences with numbers, quoted. `_profile(scheme, depth, width)` is the
# explorer's own line for that setting (activation ReLU), as a student gets it by moving the controls.
_PROFILE = ("InitializationExplorer(scheme={!r}, activation='relu', depth={}, width={}, compare=False).stds")
_ALIVE5 = "profiles[5][profiles[5][:, -1] > 0]"
CLAIMS += [
    ("He with ReLU at depth 50, then 200: the line wanders, more over 200 layers, but stays within a factor of a few "
     "tens, where Xavier's falls by decades",
     f"(lambda p50, p200: 1.5 < p50.max() / p50.min() < p200.max() / p200.min() < 100)("
     f"{_PROFILE.format('he', 50, 100)}, {_PROFILE.format('he', 200, 100)}) "
     f"and {_PROFILE.format('xavier', 200, 100)}[-1] < 1e-10"),
    ("Make the layers narrow (width 5): the line wanders over decades, and often drops to exactly 0 (it leaves the "
     "log axis)",
     "explorer.width_slider.min <= 5 and dead_share[5] > 0.3 and log_spread[5] > 10"),
    ("Large with ReLU at depth 200: the activations overflow to inf",
     f"not np.isfinite({_PROFILE.format('large', 200, 100)}).all()"),
    ("At width 40 and depth 50 that is about 1.5: a factor of 3 either way",
     "abs(5 / 4 * 50 / 40 - 1.5) < 0.1 and 3 < np.exp(np.sqrt(5 / 4 * 50 / 40)) < 3.6 and 0.7 < log_spread[40] < 3"),
    ("At width 5 the formula says 12.5, and the run below shows even more: the signal wanders over decades, and "
     "mostly down",
     f"5 / 4 * 50 / 5 == 12.5 and log_spread[5] > 12.5 and np.mean(np.log({_ALIVE5}[:, -1] / {_ALIVE5}[:, 0])) < -1"),
    ("Width 5 also makes a layer easy to kill", "dead_share[5] > 0.5"),
    # 100 networks of width 40 already never die; a wider layer dies less often still
    ("With 5 units that happens often; with 100 it practically never does", "dead_share[5] > 0.5 and dead_share[40] == 0"),
    ("Below, 100 networks of depth 50 per width, He and ReLU, each from its own draws",
     "NARROW_TRIALS == 100 and NARROW_DEPTH == 50 and all(P.shape == (100, 50) for P in profiles.values())"),
    ("Set the explorer above to He, ReLU, depth 50, width 5, and move the depth slider: the line you see is one of "
     "these random walks",
     f"explorer.width_slider.min <= 5 and {_PROFILE.format('he', 50, 5)}.shape == (50,)"),
]
