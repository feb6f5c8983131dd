"""Does helpers.initializers name every scheme with its formula and use, reject unknown names, and hold no numbers?

Computing a scheme's standard deviation and drawing the parameters are 03's graded `init_std` and
`initialize_parameters`: the registry holds the text of the course, nothing that computes them (COURSE_SPEC,
conventions).
"""

from __future__ import annotations

import pytest

from helpers import initializers
from helpers.initializers import SCHEMES, scheme


def test_registry_holds_exactly_the_five_schemes_of_the_course():
    assert list(SCHEMES) == ["zeros", "large", "xavier", "glorot", "he"]
    assert all(s.name == name and s.formula and s.suits for name, s in SCHEMES.items())


@pytest.mark.parametrize("bad", ["Xavier", "kaiming", "", None, 3])
def test_unknown_method_raises_value_error_naming_the_valid_ones(bad):
    with pytest.raises(ValueError) as raised:
        scheme(bad)
    assert all(name in str(raised.value) for name in SCHEMES)


def test_module_documents_every_scheme_formula():
    for s in SCHEMES.values():
        assert s.name in initializers.__doc__ and s.formula in initializers.__doc__


def test_no_scheme_carries_a_function_of_the_layer_sizes():
    for s in SCHEMES.values():
        assert not any(callable(getattr(s, field)) for field in s.__dataclass_fields__), s
