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

# The set-ups and the remaining sentences with numbers, quoted (tests/test_claims_complete.py).
from claims.points import points_are  # noqa: E402

_FOUR_EXAMPLES = ("few_bug[0] < 1e-7 and all(d > 1e-2 for d in few_bug[1:]) and max(few_trusted) < 1e-7 "
                  "and set(Y_many[0, :2].tolist()) == {0, 1} and few_work[1] < few_work[-1] / 10")
CLAIMS += [
    ("| graded function or answer | points | two_sided_difference 2 | params_to_vector 3 | vector_to_params 3 | "
     "numerical_gradient 4 | relative_difference 3 | gradient_check 4 | faulty_parameters 2 | backward_fixed 3 | "
     "written answer: gradient checking in practice 3 |",
     points_are("04_gradient_checking.ipynb", {
         "test_two_sided_difference": 2, "test_params_to_vector": 3, "test_vector_to_params": 3,
         "test_numerical_gradient": 4, "test_relative_difference": 3, "test_gradient_check": 4,
         "test_faulty_parameters": 2, "test_backward_fixed": 3, "written_checking_in_practice": 3})),
    ("A float64 holds about 16 significant digits (unit round-off $u \\approx 1.1 \\times 10^{-16}$)",
     "15.9 < -np.log10(np.finfo(np.float64).eps / 2) < 16 and 1.1e-16 < np.finfo(np.float64).eps / 2 < 1.12e-16"),
    ("On the right of each panel truncation dominates: the one-sided curve runs parallel to the O(ε) guide, the "
     "two-sided one to the O(ε^2) guide, twice as steep",
     "all(0.9 < np.polyfit(np.log10(epsilons[m]), np.log10(e['one-sided'][m]), 1)[0] < 1.1 "
     "and 1.9 < np.polyfit(np.log10(epsilons[m]), np.log10(e['two-sided'][m]), 1)[0] < 2.1 "
     "for e, m in ((errors64, (epsilons >= 1e-3) & (epsilons <= 1e-1)), "
     "(errors32, (epsilons >= 3e-2) & (epsilons <= 3e-1))))"),
    ("That is 2n evaluations of the cost: cheap for the few dozen parameters of this section",
     "20 <= n_parameters <= 60 and check_evaluations == 2 * n_parameters"),
    ("An absolute distance means nothing on its own: $10^{-6}$ is excellent for a gradient of norm 100 and a "
     "disaster for one of norm $10^{-6}$",
     "verdict(relative_difference(np.array([100.0]), np.array([100.0 + 1e-6]))) == 'right' "
     "and verdict(relative_difference(np.array([1e-6]), np.array([2e-6]))) == 'a bug'"),
    ("With $\\varepsilon = 10^{-7}$ in float64 the numerical gradient itself is off by far less than $10^{-7}$: "
     "round-off bounds its error by about $u/\\varepsilon \\approx 10^{-9}$ relative, and the sweep of section 2 "
     "measured about $2 \\times 10^{-11}$ for $\\exp$. So a correct backward pass lands near or below $10^{-7}$.",
     f"1e-11 < errors64['two-sided'][{_I7}] / np.e < 5e-11 and 1e-9 < np.finfo(np.float64).eps / 2 / 1e-7 < 2e-9 "
     "and trusted_check[0] < 1e-7"),
    ("Time to point the check at a real network: 8 points of the two-circles data set, a network $[2, 4, 3, 1]$ "
     "with tanh hidden units",
     "X_small.shape == (2, 8) and [parameters[f'W{l}'].shape for l in (1, 2, 3)] == [(4, 2), (3, 4), (1, 3)]"),
    ("Count both, on the same network and the 200 examples of a real training set",
     "X_train.shape == (2, 200) and check_evaluations == 2 * n_parameters"),
    ("Below: 1500 steps of gradient descent on the circles, then the same check, before and after",
     "len(costs) == 1500 // 100 and list(after_training) == ['at initialization', 'after 1500 steps']"),
    ("The cell below checks the trusted cost_and_gradients of a ReLU network on the 8 points, one unit at a chosen "
     "distance above its kink, from $10^{-12}$ to $10^{-3}$",
     "X_small.shape[1] == 8 and np.isclose(kink_distances.min(), 1e-12) and np.isclose(kink_distances.max(), 1e-3)"),
    ("The cell below checks the planted bugs and the trusted cost_and_gradients on the first 1, 2, 5 and 50 "
     "examples of one data set",
     "example_counts == [1, 2, 5, 50] and X_many.shape[1] == 50 and len(few_bug) == 4"),
    ("Check on a few examples, more than one (and of both classes), on a small network: the verdict is the same, "
     "and the check is cheap enough to run often", _FOUR_EXAMPLES),
    ("A few examples (more than one) show a bug as well as many, for a fraction of the cost", _FOUR_EXAMPLES),
    ("Below: a network $[2, 48, 48, 1]$ with about 2,500 parameters, the full check against 5 random directions",
     "[big[f'W{l}'].shape for l in (1, 2, 3)] == [(48, 2), (48, 48), (1, 48)] and 2400 <= n_big <= 2600 "
     "and fast['planted bugs'].evaluations == 2 * 5"),
    ("To be safe, they plan to call gradient_check every 100 training steps, with dropout on, and to stop training "
     "if the difference goes above 1e-7: with dropout on, every check goes above it",
     "min(results['fresh mask at every call'][1:]) > 1e-7"),
]
