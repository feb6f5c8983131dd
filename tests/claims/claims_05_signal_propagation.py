"""What the markdown of source/05_signal_propagation/05_signal_propagation.ipynb says its runs show.

Variables: `xavier_fade` and `he_cost` (section 0, 3's runs redone), `gain_profiles` (label -> shape (50,), the std of
the tanh activations of 50 layers of 100 units), `spreads` and `zero_share` (network -> per depth of ISO_DEPTHS: the
90% / 10% quantile ratio of the non-zero singular values of J, the share of exact zeros), `deviations`, `before` and
`after` (LSUV: start -> worst |std(Z_l) - 1| per max_iter of LSUV_PASSES, std(Z_l) per layer before and after), and
`initial_costs`, `entropies`, `curves` (section 6: data set -> start -> cost at initialization, the label entropy,
training costs). Margins are wide where the text gives an order of magnitude.
"""

_LIN_G, _LIN_O = "spreads['linear, Gaussian (Xavier)']", "spreads['linear, orthogonal, gain 1']"
_TANH_G, _TANH_O = "spreads['tanh, Gaussian (Xavier)']", "spreads['tanh, orthogonal, gain 1']"
_TANH_53 = "spreads['tanh, orthogonal, gain 5/3']"
_RELU_G, _RELU_O = "spreads['relu, Gaussian (He)']", "spreads['relu, orthogonal, gain sqrt 2']"
_BAL, _UNB = "'circles (balanced)'", "'circles, 1 in 10 inner kept'"
_PRIOR = "'He, W_L = 0, b_L = prior'"

CLAIMS = [
    ("In its 50-layer tanh panel, Xavier's activations fade layer after layer", "xavier_fade < 0.3"),
    ("Its He network on the circles starts at a cost of about 1.4, while a classifier that knows nothing should start at 0.69 on balanced labels", "1.3 < he_cost < 1.5"),
    ("1. without the sign fix, np.linalg.qr's first diagonal entry of Q is never positive",
     "all(np.linalg.qr(np.random.default_rng(i).standard_normal((4, 4)))[0][0, 0] < 0 for i in range(200))"),
    ("2. with gain 1 the tanh activations keep shrinking, Gaussian and orthogonal",
     "all(p[-1] < 0.3 * p[0] for k, p in gain_profiles.items() if k.startswith('Xavier (gain 1)'))"),
    ("2. with 5/3 they settle at a steady scale, Gaussian and orthogonal alike",
     "all(p[-1] > 0.7 * p[0] and abs(p[-1] - p[10]) < 0.1 * p[10] for k, p in gain_profiles.items() "
     "if not k.startswith('Xavier (gain 1)'))"),
    ("With 5/3 they settle at a steady scale within a few layers (a standard deviation of about 0.65 here), for Gaussian and orthogonal weights alike",
     "all(0.55 < p[-1] < 0.75 for k, p in gain_profiles.items() if not k.startswith('Xavier (gain 1)'))"),
    ("1. a Gaussian matrix of variance 1/n has singular values from about 0 to 2 (one layer, 64 units)",
     "spectra['linear, Gaussian (Xavier)'][0].min() < 0.1 and 1.7 < spectra['linear, Gaussian (Xavier)'][0].max() < 2.3"),
    ("6. He's output z_L has a standard deviation of order 1 or more",
     "np.std(network.model_forward(X_train, he_start, 'relu')[1][-1][1][1]) > 1"),
    ("4. linear, orthogonal: every singular value of J is exactly 1 at every depth, spread 1",
     f"np.allclose({_LIN_O}, 1, atol=1e-9) and all(np.allclose(s, 1, atol=1e-9) "
     "for s in spectra['linear, orthogonal, gain 1'])"),
    ("4. linear, Gaussian: the spread grows exponentially with depth (it grows at every step of the depths)",
     f"(np.diff(np.log({_LIN_G})) > 0).all() and {_LIN_G}[ISO_DEPTHS.tolist().index(8)] > 1e3 * {_LIN_G}[0]"),
    ("Xavier keeps the mean square singular value at 1, but each random layer stretches some directions and squeezes others, and these multiply: the spread grows exponentially with depth and passes well before 32 layers",
     f"{_LIN_G}[ISO_DEPTHS.tolist().index(16)] > 1e6"),
    ("tanh: with orthogonal weights at gain 1, the spread stays within a factor of a few tens up to 32 layers (it grows slowly, not exponentially)",
     f"({_TANH_O} < 50).all()"),
    ("4. tanh, Gaussian: the spread grows exponentially, as in the linear network",
     f"{_TANH_G}[ISO_DEPTHS.tolist().index(16)] > 1e5"),
    ("4. tanh at gain 5/3 spreads the spectrum too", f"{_TANH_53}[-1] > 1e4 * {_TANH_O}[-1]"),
    ("4. title: Gaussian weights spread the singular values apart, orthogonal ones (linear, tanh at gain 1) do not",
     f"{_LIN_G}[-1] > 1e6 * {_LIN_O}[-1] and {_TANH_G}[-1] > 1e5 * {_TANH_O}[-1]"),
    ("4. ReLU: about half the singular values of J are exactly 0, at every depth, whatever the weights",
     "all(0.45 <= z <= 0.75 for k in ('relu, Gaussian (He)', 'relu, orthogonal, gain sqrt 2') "
     "for z in zero_share[k])"),
    ("4. ReLU: even with orthogonal weights the spread of the non-zero singular values grows with depth",
     f"{_RELU_O}[-1] > 1e3 * {_RELU_O}[0]"),
    ("4. no zero singular value for linear and tanh networks",
     "all(z == 0 for k in ('linear, orthogonal, gain 1', 'tanh, orthogonal, gain 1') for z in zero_share[k])"),
    ("5. LSUV: every start is within tol of 1 after at most a few (3) rescalings per layer",
     "all((d[3:] <= 0.1).all() for d in deviations.values())"),
    ("5. one rescaling per layer from a start too large or about right",
     "all((deviations[f'{g}, gain x {f}'][1:] <= 0.1).all() for g in ('tanh', 'relu') for f in ('1', '100'))"),
    ("After it, every layer sits within tol of 1, and it took at most a few rescalings per layer: one from a start too large or about right; three from a start 100 times too small, where the biases dominate",
     "all(deviations[f'{g}, gain x 0.01'][2] > 0.1 and deviations[f'{g}, gain x 0.01'][3] <= 0.1 "
     "for g in ('tanh', 'relu'))"),
    ("5. after LSUV (default tol) every layer sits within tol of 1", "all((abs(a - 1) <= 0.1).all() for a in after.values())"),
    ("Before LSUV, a gain 100 times too large compounds through the ReLU layers to scales of many decades",
     "before['relu, gain x 100'].max() / before['relu, gain x 100'].min() > 1e6"),
    ("tanh caps the damage, and a gain 100 times too small leaves every layer an order of magnitude too small",
     "before['tanh, gain x 100'].max() < 1e3 and all((before[k] < 0.2).all() and (before[k] > 0.05).all() "
     "for k in ('tanh, gain x 0.01', 'relu, gain x 0.01'))"),
    ("6. He starts well above the entropy on both data sets",
     f"all(initial_costs[d]['He'] > 1.5 * entropies[d] for d in ({_BAL}, {_UNB}))"),
    ("6. setting only b_L changes nothing on balanced labels",
     f"abs(initial_costs[{_BAL}]['He, b_L = prior'] - initial_costs[{_BAL}]['He']) < 1e-3"),
    ("6. ... and leaves the unbalanced cost far above the entropy",
     f"initial_costs[{_UNB}]['He, b_L = prior'] > 2 * entropies[{_UNB}]"),
    ("6. with W_L = 0 and the prior bias the cost at initialization is the label entropy, exactly",
     f"all(abs(initial_costs[d][{_PRIOR}] - entropies[d]) < 1e-9 for d in ({_BAL}, {_UNB}))"),
    ("6. He's start spends its first iterations only coming down to where the other began",
     "all(np.flatnonzero(c['He'] <= entropies[d])[0] >= 5 for d, c in curves.items())"),
    ("On this small network and easy data that costs little: after 300 iterations both runs are far below the entropy, and He's is even a little lower",
     f"all((c['He'][-1] < 0.5 * entropies[d]) and (c[{_PRIOR}][-1] < 0.6 * entropies[d]) "
     f"and c['He'][-1] < c[{_PRIOR}][-1] for d, c in curves.items())"),
]

# The set-ups the prose describes, and the remaining sentences with numbers, quoted.
CLAIMS += [
    ("The tanh signal loses most of its scale in 50 layers, and the He network starts at about twice the cost of "
     "knowing nothing", "xavier_fade < 0.5 and DEPTH == 50 and 1.7 < he_cost / np.log(2) < 2.3"),
    ("Two runs of assignment 3: 50 tanh layers of 100 units, and 3's network [2, 10, 5, 1] with He's weights on the "
     "circles", "WIDTH == 100 and DEPTH == 50 and CIRCLES_DIMS == [2, 10, 5, 1] and xavier_tanh.shape[1] == 50"),
    ("Back to 3's fading tanh panel: the same 50 layers of 100 units, for gain 1 (Xavier) and for your tanh gain, "
     "Gaussian and orthogonal", "len(gain_profiles) == 4 and all(p.shape == (50,) for p in gain_profiles.values())"),
    ("Networks of width 64, depths from 1 to 32, one example, zero biases",
     "ISO_WIDTH == 64 and ISO_DEPTHS[0] == 1 and ISO_DEPTHS[-1] == 32 and x_iso.shape == (64, 1)"),
    ("The band of each panel is the 10% to 90% range of the non-zero singular values, the line their median",
     "plots.BAND == (0.1, 0.5, 0.9)"),
    ("The spread (the 90% quantile over the 10% quantile) is 1 for an isometry",
     "abs(spread(np.ones(64)) - 1) < 1e-12 and np.allclose(spreads['linear, orthogonal, gain 1'], 1, atol=1e-9)"),
    ("The histograms below are at the deepest network, 32 layers",
     "ISO_DEPTHS[-1] == 32 and all(deepest[k] is spectra[k][-1] for k in deepest)"),
    ("LSUV on a batch of 100 points of the circles (2 features, standardized), a tanh and a ReLU network of 10 layers "
     "of 64 units", "X_lsuv.shape == (2, 100) and LSUV_DIMS == [2] + [64] * 10 and LSUV_FACTORS == (1e-2, 1.0, 1e2) "
     "and np.allclose(X_lsuv.mean(axis=1), 0, atol=0.3)"),
    ("Then 300 iterations of training from the first and the last start",
     "all(len(c) == 300 for runs in curves.values() for c in runs.values())"),
    ("A colleague's classifier starts at a cost of 2.3 on labels with 10% positives (far above the entropy)",
     "2.3 > 5 * -(0.1 * np.log(0.1) + 0.9 * np.log(0.9))"),
    ("Gains: 1 for linear, for ReLU (He), 5/3 for tanh, which is what keeps 3's 50 tanh layers from fading",
     "activation_gain('linear') == 1 and abs(activation_gain('relu') - np.sqrt(2)) < 1e-12 and "
     "abs(activation_gain('tanh') - 5 / 3) < 1e-12 and "
     "all(p[-1] > 0.7 * p[0] for k, p in gain_profiles.items() if not k.startswith('Xavier (gain 1)'))"),
]
