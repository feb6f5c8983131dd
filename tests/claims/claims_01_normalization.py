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
    ("The UCI Wine data holds 13 chemical measurements of each of 178 wines from three cultivars of one region of "
     "Italy, on very different scales: nonflavanoid phenols are tenths, proline is hundreds.",
     "X_wine.shape == (13, 178) and sorted(set(cultivar.ravel().tolist())) == [0, 1, 2] "
     "and 0.1 <= X_wine[datasets.WINE_FEATURES.index('nonflavanoid phenols')].mean() < 1 "
     "and 100 <= X_wine[datasets.WINE_FEATURES.index('proline')].mean() < 1000"),
    ("Below, a network with one hidden layer of 8 ReLU units (`helpers.network.train`) learns whether a wine comes "
     "from the second cultivar, from the raw measurements and from the measurements normalized with your "
     "`normalize_train_test`; a quarter of the wines are held out as a test set.",
     "NN_HIDDEN == 8 and nn_start['W1'].shape == (8, 13) and bool(np.all(Y_wine == (cultivar == 1))) "
     "and Y_w_test.shape[1] == round(0.25 * X_wine.shape[1]) and Y_w_train.shape[1] + Y_w_test.shape[1] == 178"),
    ("Both start from the same weights and run 500 steps of gradient descent at every learning rate of a grid, from "
     "$10^{-5}$ to $10$: the left panel follows each at its best rate (the lowest training cost at the end), the "
     "right one shows where every rate ends.",
     "NN_STEPS == 500 and len(wine_runs['raw', 1e-3]['costs']) == NN_STEPS // NN_EVERY + 1 and NN_RATES[0] == 1e-5 "
     "and NN_RATES[-1] == 10 and all(wine_runs[n, wine_best[n]]['final'] == min(wine_runs[n, lr]['final'] "
     "for lr in NN_RATES if np.isfinite(wine_runs[n, lr]['final'])) for n in ('raw', 'normalized'))"),
    ("The network learns far faster on normalized features: the suptitle's costs and test accuracies, from the run.",
     "cost_end['normalized'] < 0.01 * cost_end['raw'] and accuracy_best['normalized'] > accuracy_best['raw'] "
     "> 1 - Y_w_test.mean()"),
    ("its cost is stretched as the cost surfaces above were, far more sharply curved along a weight of proline than "
     "along a weight of hue",
     "kappa_wine['raw'] > 1e4 * kappa_wine['normalized'] and np.mean(proline ** 2) > 1e4 * np.mean(hue ** 2)"),
    ("The raw network even starts at an infinite cost: proline's hundreds make its output sigmoid round to exactly 0 "
     "or 1, and a sure wrong answer costs $-\\log 0$.",
     "all(np.isinf(wine_runs['raw', lr]['costs'][0]) for lr in NN_RATES) "
     "and np.isfinite(wine_runs['normalized', 1e-3]['costs'][0]) "
     "and bool(np.any((network.model_forward(X_w_train, nn_start)[0] == 1 - Y_w_train)))"),
    ("A learning rate small enough for proline's direction leaves the other directions almost still: at the raw "
     "features' best rate, hue's weights hardly move (the run prints how far).",
     "moved['raw', 'hue'] < 0.01 * moved['normalized', 'hue'] and moved['raw', 'proline'] > moved['raw', 'hue']"),
    ("A larger one makes the first steps so large that every hidden unit dies, and the network answers the same for "
     "every training wine: on the right, the raw features' cost stays high at every rate from $10^{-2}$ up.",
     "all(wine_runs['raw', lr]['dead'] == NN_HIDDEN and wine_runs['raw', lr]['final'] > 100 * cost_end['normalized'] "
     "for lr in NN_RATES if lr >= 1e-2) "
     "and all(wine_runs['raw', lr]['dead'] < NN_HIDDEN for lr in NN_RATES if lr < 1e-2) "
     "and all(np.ptp(network.model_forward(X_w_train, wine_runs['raw', lr]['params'])[0]) == 0 "
     "for lr in NN_RATES if lr >= 1e-2)"),
    ("On normalized features every direction has a similar curvature: every rate from $10^{-2}$ to $1$ ends below "
     "the raw features' best.",
     "kappa_wine['normalized'] < 100 and all(wine_runs['normalized', lr]['final'] < cost_end['raw'] "
     "for lr in (1e-2, 1e-1, 1.0))"),
]
