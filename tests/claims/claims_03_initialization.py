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
    ("With He's standard deviation, derived from the layer sizes, the band starts just above 1 (the grid does not "
     "hold 1 itself; the scales that train are printed above), and its best scale is within a factor of 1.5 of "
     "$s = 1$: He's formula lands next to the best scale with no search.",
     "1 not in SWEEP_SCALES and 1 < he_band.min() < 1.5 and 1 < SWEEP_SCALES[np.nanargmin(" + _HE + ")] < 1.5"),
    ("For these narrow layers of 16 units the fixed scale's band happens to lie near 1 as well, because He's own "
     "standard deviation, $\\sqrt{2/16} \\approx 0.35$ for the hidden layers and 1 for the first, is not far from 1.",
     "0.3 < good['s * N(0, 1), a fixed scale'].min() and good['s * N(0, 1), a fixed scale'].max() < 3 "
     "and abs(np.sqrt(2 / 16) - 0.35) < 0.005"),
]

# "Two details of the curves", "Why large weights train badly", the tanh gain (`dead_relus`, `runs`, `deep_stds`).
_HE_FIRST = "network.model_forward(X_train, runs['he']['start'])[0]"
_GLOROT = "np.asarray(runs['glorot']['costs'])"
CLAIMS += [
    ("He starts at a cost of about 1.4, twice $\\log 2 \\approx 0.69$",
     "1.2 < runs['he']['costs'][0] < 1.7 and abs(np.log(2) - 0.69) < 0.005"),
    ("(Xavier and Glorot start above it too, by less)",
     "all(np.log(2) < runs[m]['costs'][0] < runs['he']['costs'][0] for m in ('xavier', 'glorot'))"),
    ("here every first prediction is above 0.5 (the line printed above), and the examples labelled 0 pay for it.",
     f"{_HE_FIRST}.min() > 0.5"),
    ("Glorot's curve jumps once, late in training (the iteration is printed above), and recovers",
     f"(({_GLOROT}[1:] / {_GLOROT}[:-1]) > 2).sum() == 1 and np.argmax({_GLOROT}[1:] / {_GLOROT}[:-1]) * RECORD_EVERY "
     f">= NUM_ITERATIONS / 2 and {_GLOROT}[-1] < {_GLOROT}[np.argmax({_GLOROT}[1:] / {_GLOROT}[:-1])]"),
    ("The cell below counts them before and after training.",
     "dead_relus['large']['start'] == [0, 0] and sum(dead_relus['large']['trained']) >= 3 "
     "and sum(dead_relus['he']['trained']) == 0"),
    ("What is left is a thinner network: the cost drops in the first steps, then stays flat far above He's.",
     "runs['large']['costs'][1] < 1 and abs(runs['large']['costs'][-1] - runs['large']['costs'][1]) < 0.05 "
     "and runs['large']['costs'][-1] > 10 * runs['he']['costs'][-1]"),
    ("Multiplying Xavier's standard deviation by **5/3, the gain of tanh**, makes up for that average loss: the line "
     "`xavier × 5/3` holds its scale through the 50 layers.",
     f"0.5 < {_ratio('tanh', 'xavier × 5/3')} < 2 and {_ratio('tanh', 'xavier')} < 0.3"),
    ("He's $\\sqrt 2 \\approx 1.41$ is a gain too, close to 5/3, which is why He stays up here as well.",
     f"0.5 < {_ratio('tanh', 'he')} < 2"),
    ("He's network of section 3 starts at about 1.4 because its random output layer makes confident predictions "
     "(all above 0.5).",
     f"1.2 < init_costs['He'][0] < 1.7 and {_HE_FIRST}.min() > 0.5"),
    ("A classifier that knows nothing yet should predict the class frequency, here 0.5, at a cost of "
     "$\\log 2 \\approx 0.693$ for balanced labels.",
     "Y_train.mean() == 0.5 and abs(init_costs['He, output layer x 0.01'][0] - np.log(2)) < 0.01"),
    ("*Loss at initialization* at the end of section 4 shows the fix.",
     "reach['He, output layer x 0.01'] < reach['He']"),
    ("The visible test draws one He layer of 400 inputs and 100 units; the hidden tests check every scheme on layers "
     "whose fan-in and fan-out differ a lot (1000 to 50, 50 to 400)",
     "expected_std == np.sqrt(2 / 400) and N == 400 * 100 and big_dims == [1000, 50, 400]"),
    ("The fix is to start the output layer small: below, the same He start with $W^{[3]}$ multiplied by 0.01, trained "
     "side by side with the plain one.",
     "np.array_equal(small_output['W3'], 0.01 * he_start['W3']) and small_output['W1'] is he_start['W1']"),
    ("Whatever the scale of $W^{[l]}$, the next layer sees the same spread.",
     "(np.nan_to_num(with_bn, nan=np.inf) < 0.2).all() and trains['s * N(0, 1), a fixed scale'] <= 3"),
    ("The ratios do not stay where they started: they move by several times as the network begins to fit, and the "
     "layers drift toward one common ratio.",
     "median.max() > 3 * median[0] and update_ratios[-1].max() / update_ratios[-1].min() "
     "< 0.5 * update_ratios[0].max() / update_ratios[0].min()"),
    ("Karpathy plots the ratios as training goes on: below, the Xavier tanh network above, trained for 600 steps on "
     "100 of the training points at the same learning rate, its update-to-weight ratio of every layer measured every "
     "50 steps.",
     "checkpoints == list(range(0, 601, 50)) and DIAG_DIMS == [2, 50, 50, 50, 50, 1] and X_train[:, :100].shape[1] == 100"),
]

# The set-ups and the remaining sentences with numbers or comparisons, quoted (tests/test_claims_complete.py).
from claims.points import points_are  # noqa: E402

_RELU_XAVIER_HALVES = ("0.4 < np.median((deep_stds['relu']['xavier'][1:] / deep_stds['relu']['xavier'][:-1]) ** 2) "
                       "< 0.6")
_WIDTH_WALK = ("(lambda v: v[25] > 3 * v[100])({n: float(np.var(np.log(P[:, -1] / P[:, 0]))) for n, P in "
               "((n, network.std_profiles(n, 50, np.sqrt(2 / n), 'relu', 50, np.random.default_rng(n))) "
               "for n in (25, 100))})")
CLAIMS += [
    ("A ReLU sets half of the z to zero, which halves E[a^2]",
     "(lambda z: abs((z <= 0).mean() - 0.5) < 0.02 and abs((np.maximum(z, 0) ** 2).mean() / (z ** 2).mean() - 0.5) "
     "< 0.03)(deep_params['he']['W1'] @ X_deep)"),
    ("Each check allows 6 standard errors of its estimator, so a correct implementation passes whatever the draws, "
     "and a wrong formula fails by far",
     "6 / np.sqrt(2 * N) < 0.025 < 0.1 * (np.sqrt(2) - 1) and 6 * np.sqrt(24 / N) < 0.2 * (3 - 1.8)"),
    ("The network is [2, 10, 5, 1]: two ReLU hidden layers of 10 and 5 units and a sigmoid output",
     "LAYER_DIMS == [2, 10, 5, 1] and [runs['he']['start'][f'W{l}'].shape for l in (1, 2, 3)] "
     "== [(10, 2), (5, 10), (1, 5)]"),
    ("He's advantage for ReLU shows with depth, where the same factor compounds to $\\sqrt 2^{50} \\approx 3 \\cdot "
     "10^7$: section 4",
     f"2.9e7 < np.sqrt(2) ** 50 < 3.5e7 and {_ratio('relu', 'he')} > 1e6 * {_ratio('relu', 'xavier')}"),
    ("The scale of the signal through 50 layers",
     "len(DEEP_DIMS) - 1 == 50 and all(s.shape == (50,) for a in deep_stds.values() for s in a.values())"),
    ("Now 50 layers of 100 units, a batch of 100 standard normal inputs",
     "DEEP_DIMS == [100] * 51 and X_deep.shape == (100, 100) and abs(X_deep.mean()) < 0.05 "
     "and abs(X_deep.std() - 1) < 0.05"),
    ("ReLU zeroes half of the signal, so Xavier halves the variance at every layer, and after 50 layers the "
     "activations are about $10^{-8}$ of where they started",
     f"{_RELU_XAVIER_HALVES} and 3e-9 < {_ratio('relu', 'xavier')} < 5e-8"),
    ("(It is steady only on average: each layer of 100 units multiplies the variance by a slightly random factor, "
     "and these factors compound into a random walk; the wider the layers, the smaller the walk",
     "0.03 < np.std(np.diff(np.log(deep_stds['relu']['he']))) < 0.3 and " + _WIDTH_WALK),
    ("Karpathy's makemore lecture (part 3): the share of saturated tanh units ($|a| > 0.97$, where the gradient "
     "$1 - a^2$ is below 0.06)",
     "__import__('inspect').signature(network.layer_diagnostics).parameters['saturation'].default == 0.97 "
     "and 1 - 0.97 ** 2 < 0.06"),
    ("Below: a tanh network `[2, 50, 50, 50, 50, 1]` on the circles, at its initialization and a learning rate of 0.1",
     "DIAG_DIMS == [2, 50, 50, 50, 50, 1] and DIAG_LR == 0.1"),
    ("Below, a ReLU network `[2, 16, 16, 16, 16, 1]` on 100 of the training points, 100 steps at a learning rate of "
     "0.2, for scales $s$ from 0.01 to 32",
     "SWEEP_DIMS == [2, 16, 16, 16, 16, 1] and SWEEP_M == 100 and SWEEP_STEPS == 100 and SWEEP_LR == 0.2 "
     "and SWEEP_SCALES[0] == 0.01 and round(SWEEP_SCALES[-1]) == 32"),
    ("Between them, a band about one step of this grid wide (a factor of 2 to 5) trains",
     "all(2 <= g.max() / g.min() <= 5.1 for g in good.values()) and 2 < SWEEP_SCALES[1] / SWEEP_SCALES[0] < 2.5"),
    ("Question (2 points, graded by hand). Answer in 4 to 6 sentences",
     points_are("03_initialization.ipynb", {"written_symmetry_and_scale": 2})),
    ("Explain why gradient descent can never make two units of a layer differ when they start identical, and why "
     "that leaves the network at 50% accuracy here",
     "runs['zeros']['train'] == 0.5 and np.ptp(runs['zeros']['trained']['W1'], axis=0).max() == 0"),
    ("Where does the factor 2 come from, and what happens to the activations of a 50-layer ReLU network initialized "
     "with Xavier instead?",
     f"abs(init_std('he', 100, 100) / init_std('xavier', 100, 100) - np.sqrt(2)) < 1e-12 "
     f"and {_ratio('relu', 'xavier')} < 1e-6"),
    ("With zeros and ReLU every hidden activation (and every weight gradient) is even 0, so only the output bias "
     "learns, to the class frequency: here every prediction stays 0.5, the network predicts the same label "
     "everywhere, 50% on balanced classes",
     "all((runs['zeros']['trained'][k] == 0).all() for k in ('W1', 'b1', 'W2', 'b2', 'W3')) "
     "and np.allclose(network.model_forward(X_train, runs['zeros']['trained'])[0], 0.5) "
     "and Y_train.mean() == 0.5 and runs['zeros']['train'] == 0.5"),
    ("With Xavier the variance halves at every layer: after 50 layers the standard deviation shrinks by about "
     "$2^{-25} \\approx 3\\cdot 10^{-8}$ (the plot shows about $10^{-8}$)",
     f"{_RELU_XAVIER_HALVES} and 2.9e-8 < 2 ** -25 < 3.1e-8 and 3e-9 < {_ratio('relu', 'xavier')} < 5e-8"),
]
