"""The units-driven exact rescaling shared by the kernels (fastmap.scaling)."""

import math

import numpy as np
import pytest

import fastmap
from fastmap.scaling import scale_back, unit_exponents


@pytest.mark.parametrize("units, base, want", [
    ("1", ("unit", "currency"), [0, 0]),
    ("unit", ("unit", "currency"), [1, 0]),
    ("currency/unit", ("unit", "currency"), [-1, 1]),
    ("currency^2/unit", ("unit", "currency"), [-1, 2]),
    ("unit^2/currency", ("unit", "currency"), [2, -1]),
    ("service unit", ("money", "unit", "service unit"), [0, 0, 1]),
    ("money/service unit^2", ("money", "unit", "service unit"), [1, 0, -2]),
    ("unit^4/service unit^4", ("money", "unit", "service unit"), [0, 4, -4]),
])
def test_unit_exponents(units, base, want):
    assert unit_exponents(units, base).tolist() == want


@pytest.mark.parametrize("units, message", [("euro", "not one of the base units"),
                                            ("unit*currency", "cannot read units"),
                                            ("unit/currency/unit", "cannot read units"),
                                            ("", "cannot read units")])
def test_unreadable_units_are_refused(units, message):
    with pytest.raises(ValueError, match=message):
        unit_exponents(units, ("unit", "currency"))


def test_scale_back_is_exact_and_rounds_like_the_true_value():
    exponents = np.array([[1, 0], [0, -2], [0, 0], [1, 1]], dtype=np.int64)
    o = np.array([3.0, 5.0, 7.0, 1.5])
    scale_back(o, exponents, (3, 4))
    assert o.tolist() == [24.0, 5.0 / 256.0, 7.0, 1.5 * 2.0 ** 7]
    o = np.array([1.0, 1.0, math.nan, -1.0])
    scale_back(o, exponents, (1100, 600))
    assert o[0] == math.inf and o[1] == 0.0 and math.isnan(o[2]) and o[3] == -math.inf


@pytest.mark.parametrize("name", fastmap.models())
def test_every_declared_unit_is_readable(name):
    """Every output and parameter unit of every model is a product of powers of base units
    (what the rescaling and the Dataset's ``units`` attributes rely on)."""
    m = fastmap.model(name)
    for item in m.outputs + m.parameters:
        if item.units != "1":
            names = {part.split("^")[0] for part in item.units.split("/")}
            unit_exponents(item.units, tuple(names))
