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
