"""The lecture's own constants: numbers the notebooks' prose may state without a claim, each declared once here
with what it is. A number of the prose that is not one of these is a result, and a claim must check it against
the run (tests/test_claims_complete.py).

Numbers inside LaTeX math and code spans are formulas and code, not results, and are not looked at; nor are the
numbers of headings and numbered lists.
"""

CONSTANTS: dict[str, str] = {
    "0": "a normalized feature's mean; sigma of a constant feature; the exact zero of round-off talk",
    "1": "a normalized feature's standard deviation; the identity's scale; the gain of a linear layer",
    "2": "two-sided differences; He's numerator sqrt(2 / n_in); the factor of a doubled gradient",
    "3": "the kurtosis of a normal distribution",
    "1.8": "the kurtosis of a uniform distribution",
    "0.5": "the smallest weight scale of 02's widget; the prediction of a network at chance",
    "1.5": "the largest weight scale of 02's widget",
    "5/3": "the gain of tanh (PyTorch's calculate_gain)",
    "10": "the std of the \"large\" initialization (COURSE_SPEC); 01's unit change of the second feature",
    "1e3": "diagnose's exploding threshold",
    "1e-3": "diagnose's vanishing threshold",
    "1e-7": "the default epsilon of the two-sided difference; the size of a passing relative difference",
    "float64": "", "float32": "",
}
