"""Sentences of the notebooks' prose, written before tests/test_claims_complete.py, whose numbers or comparisons no
claim checks yet: each awaits a claim (tests/claims/claims_<notebook>.py) or a rewrite that prints the number from
the run. The list may only shrink: the test fails when a sentence here is checked now or gone from the text."""

UNCHECKED: dict[str, list[str]] = {}
