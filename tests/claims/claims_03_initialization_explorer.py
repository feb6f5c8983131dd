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
