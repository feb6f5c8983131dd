"""What source/01_normalization/01_normalization.ipynb says its runs show, as expressions over the notebook's
variables after a run with the instructor's solution. Margins of a factor 2 or more where the text gives a size."""

CLAIMS = [
    ("Each house is described by its floor area (in m², around 110) and its number of bedrooms (around 3).",
     "90 <= X_train[0].mean() <= 130 and 2.5 <= X_train[1].mean() <= 3.5"),
    ("The two features differ in scale by a factor of about 30.",
     "15 <= X_train[0].std() / X_train[1].std() <= 60"),
    ("mu of a row of three 0.1s is 0.10000000000000002",
     "row_mu[0, 0] != 0.1 and abs(row_mu[0, 0] - 0.1) < 1e-16"),
    ("the computed sigma is about 1.4e-17",
     "1e-17 < row_sigma[0, 0] < 2e-17"),
    ("a test value of 0.2 becomes about $7\\cdot 10^{15}$ instead of $0.2 - 0.1 = 0.1$.",
     "5e15 < (0.2 - row_mu[0, 0]) / row_sigma[0, 0] < 1e16"),
    ("the larger houses of the new district look average to the model and get average prices",
     "errors['new district'][1] > 3 * errors['new district'][0]"),
    ("a single house (whose own sigma is 0) becomes all zeros",
     "bool(np.all(normalize(test_sets['one house'][0], *normalization_stats(test_sets['one house'][0])) == 0))"),
    ("the second measured in units 10 times smaller, so its values are 10 times larger",
     "5 <= X_raw[1].std() / X_raw[0].std() <= 20"),
    ("the float64 machine epsilon ($2.2\\cdot10^{-16}$), and `_handle_zeros_in_scale` then sets the scale of such a "
     "feature to 1, so that it is only centred, as here.",
     "abs(np.finfo(np.float64).eps / 2.2e-16 - 1) < 0.01"),
    ("houses from a **new district** where houses are larger on average (60 m² more)",
     "45 <= test_sets['new district'][0][0].mean() - X_train[0].mean() <= 75"),
    ("Gradient descent is stable only with a learning rate below $2/\\lambda_{\\max}$, and then the flattest "
     "direction shrinks by a factor $1 - \\alpha\\lambda_{\\min}$ per step.",
     "raw_with_big_lr.diverged and big_lr > 2 / np.linalg.eigvalsh(X_raw @ X_raw.T / X_raw.shape[1]).max() "
     "and not runs['raw'][1].diverged"),
    ("Raw features need more steps the larger the condition number (the suptitle's steps, from the run).",
     "runs['raw'][1].steps > kappa_raw and runs['normalized'][1].steps <= 5"),
    ("the same model: raw features need far more steps than normalized ones (285 against 2)",
     "runs['raw'][1].steps >= 30 * runs['normalized'][1].steps"),
    ("with the normalized problem's learning rate, descent on the raw features diverges",
     "raw_with_big_lr.diverged"),
    ("the houses' normalized condition number is not 1: area and bedrooms are correlated",
     "condition_number(normalize(X_train, *normalization_stats(X_train))) > 2"),
    ("Below, a network with one hidden layer of 8 ReLU units (`helpers.network.train`) learns whether a house costs "
     "more than the median price, from the raw features and from the features normalized with your functions.",
     "nn_start['W1'].shape == (8, 2) and Y_class.mean() == 0.5 "
     "and nn_best['normalized'][1][-1] < 0.5 * nn_best['raw'][1][-1]"),
    ("Each runs 500 steps of gradient descent at its own best learning rate from a grid, starting from the same "
     "weights.",
     "len(nn_best['raw'][1]) == len(nn_best['normalized'][1]) and nn_best['raw'][0] < nn_best['normalized'][0]"),
]
