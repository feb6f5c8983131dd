"""Findings of notebooks/04_gradient_checking_explorer.ipynb, checked on its first view (the default controls).

The epsilon sweep has 4 points per decade; each bound leaves at least one grid point of margin around the value
the run shows, so that a change of library version cannot flip a claim.
"""

CLAIMS = [
    ("the two-sided error stops falling near the prediction u^(1/3), about 5e-6",
     "1e-6 <= epsilon_explorer.best_epsilon['two-sided'] <= 3e-5"),
    ("the one-sided error stops falling near u^(1/2), about 1e-8",
     "1e-9 <= epsilon_explorer.best_epsilon['one-sided'] <= 1e-7"),
    ("in float32 no step gets the error below about 1e-6: a check cannot tell 1e-7 from 1e-5",
     "min(float(v.min()) for v in EpsilonExplorer(dtype='float32').errors.values()) > 1e-6"),
    ("the first view, keep_prob = 0.8 with a fresh mask at every call, fails the check in every bar",
     "dropout_explorer.verdict == 'fails' and min(dropout_explorer.per_parameter.values()) > 0.1"),
    ("with the mask frozen the check passes",
     "DropoutCheckExplorer(keep_prob=0.8, frozen=True).verdict == 'passes'"),
    ("the planted bugs at keep_prob = 1.0 turn exactly W1, W2 and b3 red",
     "{k for k, v in DropoutCheckExplorer(keep_prob=1.0, backward='with planted bugs').per_parameter.items() "
     "if v > 1e-3} == {'W1', 'W2', 'b3'}"),
    ("with a fresh mask and keep_prob = 0.8 the planted bugs cannot be told from the rest: every bar is red",
     "min(DropoutCheckExplorer(keep_prob=0.8, backward='with planted bugs').per_parameter.values()) > 1e-3"),
]

# The things to try, quoted: the controls reach what they ask for, and the run shows what they lead to.
CLAIMS += [
    ("In float64, move ε from 1e-1 down to 1e-13 on the slider",
     "epsilon_explorer.epsilon_slider.min <= -13 and epsilon_explorer.epsilon_slider.max >= -1 "
     "and epsilon_explorer.epsilons.min() <= 1e-13"),
    ("With a fresh mask at every call, lower keep_prob from 1.0 to 0.95: every bar fails",
     "dropout_explorer.keep_prob_slider.max == 1.0 and DropoutCheckExplorer(keep_prob=1.0).verdict == 'passes' "
     "and min(DropoutCheckExplorer(keep_prob=0.95).per_parameter.values()) > 1e-3"),
    ("Select the backward pass with planted bugs, at keep_prob = 1.0: which bars turn red? Those of the planted bugs",
     "{k for k, v in DropoutCheckExplorer(keep_prob=1.0, backward='with planted bugs').per_parameter.items() "
     "if v > 1e-3} == {'W1', 'W2', 'b3'}"),
    ("With a fresh mask and keep_prob = 0.8, could you still tell the planted bugs from the rest? (no: every bar is "
     "red)", "min(DropoutCheckExplorer(keep_prob=0.8, backward='with planted bugs').per_parameter.values()) > 1e-3"),
]
