"""What the course's notebooks import: the student's side of the course on setting up the optimization problem.

`datasets` (toy data, and the UCI Wine data shipped in `data/`), `linear_model` (the cost surface of 01), `network`
(the small network) with `layers` (its forward/backward pairs and cost), `activations` (the one registry of g and
g'), `deep_signal` (signals through deep networks), `initializers`, `gradient_check` with `finite_differences`,
`plots`, `widgets`, and `checks` with `failure_messages`, `tracebacks` and `transcript`, which the test cells use.
Nothing here imports the grading platform (the `grader` package beside this one).
"""

__version__ = "0.1.0"
