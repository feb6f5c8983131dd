"""What source/01_normalization/01_normalization.ipynb says its runs show, as expressions over the notebook's
variables after a run with the instructor's solution. Margins of a factor 2 or more where the text gives a size."""

CLAIMS = [
    ("The two features differ in scale by a factor of about 30.",
     "15 <= X_train[0].std() / X_train[1].std() <= 60"),
    ("mu of a row of three 0.1s is 0.10000000000000002",
     "row_mu[0, 0] != 0.1 and abs(row_mu[0, 0] - 0.1) < 1e-16"),
    ("the computed sigma is about 1.4e-17",
     "1e-17 < row_sigma[0, 0] < 2e-17"),
    ("a test value of 0.2 becomes about 7e15 instead of 0.2 - 0.1 = 0.1",
     "5e15 < (0.2 - row_mu[0, 0]) / row_sigma[0, 0] < 1e16"),
    ("the larger houses of the new district look average to the model and get average prices",
     "errors['new district'][1] > 3 * errors['new district'][0]"),
    ("a single house (whose own sigma is 0) becomes all zeros",
     "bool(np.all(normalize(test_sets['one house'][0], *normalization_stats(test_sets['one house'][0])) == 0))"),
    ("the second measured in units 10 times smaller, so its values are 10 times larger",
     "5 <= X_raw[1].std() / X_raw[0].std() <= 20"),
    ("a narrow valley needs about condition-number-many steps",
     "kappa_raw / 2 <= runs['raw'][1].steps <= 10 * kappa_raw and runs['normalized'][1].steps <= 5"),
    ("the same model: raw features need far more steps than normalized ones (285 against 2)",
     "runs['raw'][1].steps >= 30 * runs['normalized'][1].steps"),
    ("with the normalized problem's learning rate, descent on the raw features diverges",
     "raw_with_big_lr.diverged"),
    ("the houses' normalized condition number is not 1: area and bedrooms are correlated",
     "condition_number(normalize(X_train, *normalization_stats(X_train))) > 2"),
]
