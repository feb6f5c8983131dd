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
    '03_initialization': [
        'A ReLU sets half of the $z$ to zero, which halves $\\mathbb{E}[a^2]$;',
        'Each check allows 6 standard errors of its estimator, so a correct implementation passes whatever the draws, and a wrong formula fails by far.',
        'The network is `[2, 10, 5, 1]`: two ReLU hidden layers of 10 and 5 units and a sigmoid output, trained by batch gradient descent on the binary cross-entropy with `helpers.network.train` (a small numpy network with forward/backward pairs; read it if you like).',
        "**He's advantage for ReLU shows with depth**, where the same factor compounds to $\\sqrt 2^{50} \\approx 3 \\cdot 10^7$: section 4.",
        'The scale of the signal through 50 layers',
        'Now 50 layers of 100 units, a batch of 100 standard normal inputs, every scheme, every activation, with your `initialize_parameters` and your `activation_stds`.',
        'ReLU zeroes half of the signal, so Xavier *halves* the variance at every layer, and after 50 layers the activations are about $10^{-8}$ of where they started.',
        '(It is steady only on average: each layer of 100 units multiplies the variance by a slightly random factor, and these factors compound into a random walk; the wider the layers, the smaller the walk.',
        "**Per-layer diagnostics.** Karpathy's *A Recipe for Training Neural Networks* (2019) and his makemore lecture (part 3) look at every layer before training for long: the share of **saturated** tanh units ($|a| > 0.97$, where the gradient $1 - a^2$ is below 0.06), the **gradient-to-weight** ratio $\\|dW_l\\| / \\|W_l\\|$ and the **update-to-weight** ratio $\\text{lr}\\cdot\\|dW_l\\| / \\|W_l\\|$ (Frobenius norms): how much one step of gradient descent changes the layer, relative to its size.",
        'Below: a tanh network `[2, 50, 50, 50, 50, 1]` on the circles, at its initialization (your `initialize_parameters`) and a learning rate of 0.1, computed by `network.layer_diagnostics`.',
        "Below, a ReLU network `[2, 16, 16, 16, 16, 1]` on 100 of the training points, 100 steps at a learning rate of 0.2, every weight $W_l = s \\cdot \\text{std}_l \\cdot \\mathcal{N}(0, 1)$, for scales $s$ from 0.01 to 30 (`network.weight_scale_sweep`): once with $\\text{std}_l = 1$ (a fixed scale times unit-variance draws, the CS231n way) and once with He's $\\text{std}_l = \\sqrt{2 / n_{l-1}}$ (so that $s = 1$ is He).",
        'Between them, a band about one step of this grid wide (a factor of 2 to 5) trains.',
        '**Question (2 points, graded by hand).** Answer in 4 to 6 sentences, using what you saw above.',
        'Explain why gradient descent can never make two units of a layer differ when they start identical, and why that leaves the network at 50% accuracy here.',
        'Where does the factor 2 come from, and what happens to the activations of a 50-layer ReLU network initialized with Xavier instead?',
        'With zeros and ReLU every hidden activation (and every weight gradient) is even 0, so only the output bias learns: the network predicts the majority label everywhere, 50% on balanced classes. $\\operatorname{Var}(z) = n_{l-1}\\sigma^2\\mathbb{E}[a^2]$, and a ReLU zeroes the negative half of a symmetric $z$, so $\\mathbb{E}[\\operatorname{relu}(z)^2] = \\operatorname{Var}(z)/2$.',
        'With Xavier the variance halves at every layer: after 50 layers the standard deviation shrinks by about $2^{-25} \\approx 3\\cdot 10^{-8}$ (the plot shows about $10^{-8}$), the signal (and the gradients) vanish. ### END SOLUTION',
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
    '03_initialization_explorer': [
        '**He with ReLU** at depth 50, then 200: the line wanders but stays within a small factor.',
        'Make the layers narrow (width 5): the line wanders over decades, and often drops to exactly 0 (it leaves the log axis).',
        '**Large with ReLU** at depth 200: the activations overflow to inf.',
        'At width 40 and depth 50 that is about 1.5: a factor of 3 either way.',
        'At width 5 the formula says 12, and the run below shows even more (at so small a width the factors are far from Gaussian): the signal wanders over decades, and mostly down, since the mean of the log of a mean-1 factor is negative.',
        'Width 5 also makes a layer easy to **kill**.',
        'With 5 units that happens often; with 100 it practically never does.',
        "Below, 100 networks of depth 50 per width, He and ReLU, each from its own draws (`network.std_profiles`, the package's functions).",
        'Set the explorer above to He, ReLU, depth 50, width 5, and move the depth slider: the line you see is one of these random walks.',
    ],
}
