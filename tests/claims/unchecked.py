"""Sentences of the notebooks' prose, written before tests/test_claims_complete.py, whose numbers or comparisons no
claim checks yet: each awaits a claim (tests/claims/claims_<notebook>.py) or a rewrite that prints the number from
the run. The list may only shrink: the test fails when a sentence here is checked now or gone from the text."""

UNCHECKED: dict[str, list[str]] = {
    '02_vanishing_exploding': [
        'Weights only 50 % away from 1 multiply or crush the signal by *eight to fifteen orders of magnitude*.',
        'Below, your forward pass runs a batch of 10 examples through 30 layers of `1.5 * I` and of `0.5 * I`; the dashed line is the closed form `scale**l * ‖a_0‖`.',
        '**exploding** if any norm is not finite (`inf` or `NaN`) or the last is more than `1e3` times the first;',
        '**vanishing** if the last is less than `1e-3` times the first;',
        'Following d2l.ai (*Numerical Stability and Initialization*), multiply random `4 × 4` matrices with independent Gaussian entries: below, 20 independent products `P_l = M_l ⋯ M_1` of up to 100 factors, with their size measured against the identity, `‖P_l‖_F / ‖I‖_F`, which for `(scale * I)**l` is exactly `scale**l` (in black).',
        'Below, the weights are Gaussian with standard deviation `scale / sqrt(n_{l-1})`, chosen so that a *linear* layer keeps the size of its input on average when `scale = 1`, like `1 · I` does (the `N(0, 1/n)` factors of section 7, times `scale`).',
        'With 100 units instead of 4, one layer fluctuates much less, and `scale` sets the trend again. `helpers.deep_signal.deep_forward` / `deep_backward` build each layer from **your** `deep_linear_forward` and `deep_linear_backward` (run on that one layer) and apply `g` around them; the norms and the diagnoses are yours too. 50 layers of 100 units, for four scales.',
        'The explorer below runs **your** `deep_linear_forward`, `deep_linear_backward`, `layer_norms` and `diagnose` (with `tanh` and `relu` it applies them layer by layer, as in section 8).',
        'A colleague trains two fully connected networks of 60 layers.',
        'Using `y_hat = scale**L * x` and what you saw above, explain what is probably happening in each network, which quantity you would plot to confirm it, and why a typical layer gain of `1.2` (not far from 1) is harmless in a 3-layer network but not in a 60-layer one.',
    ],
    '01_normalization_explorer': [
        '**Raise the ratio** to 10, 30, then 100, and follow the solid curves.',
    ],
    '02_vanishing_exploding_explorer': [
        '**depth L**, from 1 to 200 layers, each of 16 units, on a batch of 8 examples;',
        'Below the plot: the diagnosis of each signal (`exploding` if it ends more than 1000 times larger than it started, or overflows; `vanishing` if it ends 1000 times smaller; `stable` otherwise).',
        '**Linear, random Gaussian.** Even at `scale = 1` the curve is not flat: a random product of matrices is not the identity, and with only 16 units its gain fluctuates from layer to layer.',
        'It also drifts *down* (to about a quarter after 50 layers): the typical gain of a product of random layers is below its average gain, the more so the narrower the layers (section 7 of the assignment multiplies 4 × 4 matrices).',
        '**ReLU, random Gaussian.** Half the units are switched off at every layer, so ReLU halves the signal\'s energy: at `scale = 1` the signal vanishes fast (about `1e-10` after 50 layers). `√2 ≈ 1.41` (He initialization, next assignment) puts the average gain back to 1 and does far better, "stable" at 50 layers, but with 16 units the downward drift of item 2 is still there, stronger with ReLU: about `5e-3` after 50 layers, "vanishing" by 100.',
        'Narrow deep networks are the hardest to keep steady; with the 100 units of the assignment, `√2` holds.',
    ],
}
