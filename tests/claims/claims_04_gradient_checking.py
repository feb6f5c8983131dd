"""Findings stated in the markdown of source/04_gradient_checking/04_gradient_checking.ipynb, checked on its run.

Margins: the thresholds are those the notebook teaches (1e-7 right, 1e-3 a bug) and each measured value sits at
least a factor of 10 away from the bound it is compared with, so a change of library version does not flip one.
"""

_I7 = "int(np.argmin(abs(np.log10(epsilons) + 7)))"   # the index of epsilon = 1e-7 in the sweep

CLAIMS = [
    ("With epsilon = 0.01 that is an error of about 1e-2 against 1e-4",
     "1e-2 < abs(one_sided - 3) < 1e-1 and 1e-5 < abs(two_sided - 3) < 1e-3"),
    ("In float64 the two-sided error stays below about 1e-8 of the derivative for every epsilon from about 1e-8 "
     "to 1e-4",
     "float(np.max(errors64['two-sided'][(epsilons >= 1e-8) & (epsilons <= 1e-4)])) / np.e < 3e-8"),
    ("and the round-off (about $2 \\times 10^{-11}$ relative at $\\varepsilon = 10^{-7}$ here, printed above) far "
     "below the $10^{-7}$ we will call \"right\".",
     f"1e-11 < errors64['two-sided'][{_I7}] / np.e < 5e-11"),
    ("float32: at epsilon = 1e-7 the estimate is off by tens of percent",
     f"errors32['two-sided'][{_I7}] / np.e > 0.1"),
    ("The best float32 can do is an error of about $2 \\times 10^{-6}$, at $\\varepsilon \\approx 3 \\times 10^{-3}$ "
     "(printed above): a right gradient would already land in the \"look closer\" band, between the $10^{-7}$ of "
     "\"right\" and the $10^{-5}$ of a suspicious difference",
     "1e-6 < float(np.min(errors32['two-sided'])) / np.e < 5e-6 "
     "and 1e-3 <= epsilons[int(np.argmin(errors32['two-sided']))] <= 1e-2"),
    ("Training moves the parameters far from where they started (larger weights, more saturated tanh units, a "
     "smaller gradient), so check at initialization, train a while, and check again.",
     "max(abs(trained[k]).max() for k in trained if k[0] == 'W') > 2 * max(abs(parameters[k]).max() "
     "for k in parameters if k[0] == 'W') and costs[-1] < costs[0]"),
    ("cost_and_gradients: every block below 1e-7",
     "trusted_check[0] < 1e-7 and max(trusted_check[1].values()) < 1e-7"),
    ("The colleague's backward pass: W1, W2 and b3 far above 1e-3 (near 0.8), every other block right",
     "{k for k, v in suspect_check[1].items() if v > 1e-1} == {'W1', 'W2', 'b3'} "
     "and all(v < 1e-7 for k, v in suspect_check[1].items() if k not in ('W1', 'W2', 'b3'))"),
    ("backward_fixed: every block back below 1e-7",
     "fixed_check[0] < 1e-7 and max(fixed_check[1].values()) < 1e-7"),
    ("The backward pass is right where training starts and where it ends up, well below the 1e-3 of a bug, and "
     "the trusted network.cost_and_gradients shows the same drift",
     "all(d < 1e-5 and t < 1e-5 for d, t, _ in after_training.values()) "
     "and all(abs(np.log10(d) - np.log10(t)) < 1 for d, t, _ in after_training.values())"),
    ("After training the numbers move: some blocks creep toward 1e-7 (the largest block grows, still below 1e-7 "
     "or near it, far from the 1e-3 of a bug)",
     "max(after_training['after 1500 steps'][2].values()) > 3e-8 "
     "and max(after_training['after 1500 steps'][2].values()) > max(after_training['at initialization'][2].values()) "
     "and max(after_training['after 1500 steps'][2].values()) < 1e-5"),
    ("one full check ran the cost 2n = 62 times on a 31-parameter network",
     "n_parameters == 31 and check_evaluations == 2 * n_parameters == 62"),
    ("with keep_prob = 1.0 the check passes, with a fresh mask", "results['fresh mask at every call'][0] < 1e-7"),
    ("with keep_prob < 1 and a fresh mask at every call, the check fails completely, even at keep_prob = 0.95",
     "min(results['fresh mask at every call'][1:]) > 1e-1"),
    ("with the mask frozen, the check passes", "max(results['one frozen mask']) < 1e-7"),
    ("the directional check flags the planted bugs and passes cost_and_gradients",
     "fast['planted bugs'].worst > 1e-2 and fast['cost_and_gradients'].worst < 1e-6"),
    ("Directional check per parameter finds the same three faulty blocks",
     "{k for k, v in located.items() if v > 1e-3} == {'W1', 'W2', 'b3'}"),
    ("here 10 cost evaluations instead of 5,090",
     "fast['planted bugs'].evaluations == 10 and full_evaluations == 2 * n_big == 5090"),
    ("Within epsilon of the kink the difference jumps to about 1e-2, in the bug zone, for a right backward pass",
     "bool(np.all((kink_overall[kink_distances < 0.5e-7] > 1e-3) & (kink_overall[kink_distances < 0.5e-7] < 1e-1)))"),
    ("one step beyond epsilon it is back at about 1e-9",
     "bool(np.all(kink_overall[kink_distances > 2e-7] < 1e-7))"),
    ("the smallest |z| of the ReLU units is below epsilon exactly when the point sits within epsilon of the kink",
     "all((z < 1e-7) == (d < 1e-7) for z, d in zip(kink_min_z, kink_distances) if not 0.5e-7 < d < 2e-7)"),
    ("Two examples already put the planted bugs far above 1e-3, as do 5 and 50",
     "all(d > 1e-2 for d in few_bug[1:])"),
    ("cost_and_gradients passes on every number of examples", "max(few_trusted) < 1e-7"),
    ("with m = 1 the 1/m bugs hide: the wrong backward pass passes", "few_bug[0] < 1e-7"),
    ("50 examples cost 25 times the work of 2 for the same verdict",
     "few_work[3] == 25 * few_work[1] and few_work[1] == 2 * (2 * n_parameters)"),
]
