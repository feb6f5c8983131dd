"""What the markdown of source/03_initialization/03_initialization.ipynb says its runs show.

Variables: `runs` (method -> {"costs", "train", "test", ...}, the 3-layer ReLU network trained from each scheme) and
`deep_stds` (activation -> method -> shape (50,), the std of A_1..A_50 of 50 layers of 100 units). Margins are wide
(factors of 10 to 100 where the text gives an order of magnitude) so that a library update does not flip them.
"""

WELL_SCALED = "('xavier', 'glorot', 'he')"


def _ratio(activation: str, method: str) -> str:
    return f"(deep_stds[{activation!r}][{method!r}][-1] / deep_stds[{activation!r}][{method!r}][0])"


CLAIMS = [
    ("zeros never learn: the network stays at chance (0.5)",
     "abs(runs['zeros']['train'] - 0.5) <= 0.02 and abs(runs['zeros']['costs'][-1] - runs['zeros']['costs'][0]) < 1e-6"),
    ("large weights start from an infinite (huge) cost",
     "runs['large']['costs'][0] > 10"),
    ("large weights barely beat chance, far below the well-scaled schemes",
     f"all(runs['large']['train'] < runs[m]['train'] - 0.2 for m in {WELL_SCALED})"),
    ("Xavier, Glorot and He all reach a train accuracy of about 0.99",
     f"all(runs[m]['train'] >= 0.97 for m in {WELL_SCALED})"),
    ("their test accuracies are within a few points of each other (0.95 to 0.97 in the summary)",
     f"max(runs[m]['test'] for m in {WELL_SCALED}) - min(runs[m]['test'] for m in {WELL_SCALED}) <= 0.05 "
     f"and all(0.93 <= runs[m]['test'] <= 0.99 for m in {WELL_SCALED})"),
    ("W1 after training from zeros: all rows 0", "(runs['zeros']['trained']['W1'] == 0).all()"),
    ("constant 0.5: all rows of W1 still equal after 500 steps",
     "np.abs(trained_constant['W1'] - trained_constant['W1'][0]).max() <= 1e-12"),
    ("linear: Xavier keeps the scale (a flat line)", f"0.5 < {_ratio('linear', 'xavier')} < 2"),
    ("linear: He grows like sqrt(2)**50, about 3e7", f"1e6 < {_ratio('linear', 'he')} < 1e9"),
    ("linear: Glorot overlaps Xavier when all layers have 100 units",
     "(deep_stds['linear']['glorot'] == deep_stds['linear']['xavier']).all()"),
    ("tanh: large weights saturate at 1", "(deep_stds['tanh']['large'] > 0.9).all()"),
    ("tanh: Xavier loses scale only slowly (a power of the depth, not 0.7**l)",
     f"0.03 < {_ratio('tanh', 'xavier')} < 0.5"),
    ("relu: Xavier ends about 1e-8 of where it started", f"1e-10 < {_ratio('relu', 'xavier')} < 1e-6"),
    ("relu: He stays within a factor of a few of its first layer",
     "0.1 < deep_stds['relu']['he'].min() / deep_stds['relu']['he'][0] and "
     "deep_stds['relu']['he'].max() / deep_stds['relu']['he'][0] < 10"),
    ("relu: large weights grow by a factor of about 1e90", f"{_ratio('relu', 'large')} > 1e80"),
    ("zeros never appear on the log axis: every activation is exactly 0",
     "all((deep_stds[a]['zeros'] == 0).all() for a in deep_stds)"),
]

# Beyond the lecture: `diagnostics` (method -> network.layer_diagnostics of the tanh network [2, 50, 50, 50, 50, 1])
# and `sweep` (label -> final costs at SWEEP_SCALES).
_FIXED, _HE = "sweep['s * N(0, 1), a fixed scale']", "sweep['s * He std']"
CLAIMS += [
    ("large weights: almost every hidden tanh unit is saturated",
     "(diagnostics['large']['saturated'][1:] > 0.8).all() and diagnostics['large']['saturated'][0] > 0.5"),
    ("large weights: the update ratios spread over more than two decades",
     "diagnostics['large']['update_to_weight'].max() / diagnostics['large']['update_to_weight'].min() > 100"),
    ("Xavier saturates no unit and puts every update within a factor of a few of 1e-3",
     "(diagnostics['xavier']['saturated'] < 0.01).all() and "
     "(diagnostics['xavier']['update_to_weight'] > 1e-4).all() and (diagnostics['xavier']['update_to_weight'] < 1e-2).all()"),
    ("He gives tanh a little too much scale: a few saturated units, larger updates",
     "diagnostics['he']['saturated'].sum() > diagnostics['xavier']['saturated'].sum() and "
     "diagnostics['he']['saturated'].max() < 0.1 and "
     "diagnostics['he']['update_to_weight'].max() > diagnostics['xavier']['update_to_weight'].max()"),
    ("too small a scale: the cost stays at log 2 (chance), for both families",
     f"abs({_FIXED}[0] - np.log(2)) < 0.01 and abs({_HE}[0] - np.log(2)) < 0.01"),
    ("too large a scale: the cost ends at infinity or back at chance",
     f"all(not c < 0.6 for c in {_FIXED}[-3:]) and all(not c < 0.6 for c in {_HE}[-3:])"),
    ("only a narrow band trains (at most 3 of the 11 scales bring the cost below 0.5), for both families",
     f"1 <= (np.nan_to_num({_FIXED}, nan=np.inf) < 0.5).sum() <= 3 and 1 <= (np.nan_to_num({_HE}, nan=np.inf) < 0.5).sum() <= 3"),
    ("He's band sits around s = 1: the scale nearest 1 trains",
     f"{_HE}[np.argmin(abs(np.log(SWEEP_SCALES)))] < 0.5"),
]
