"""stochastic_newsvendor at magnitudes near float64's limits.

The game is scale-free in quantities (N1, N2, sigma1, sigma2, b1, b2 times l: stocks and
profits times l) and in money (c, c_G times m, b1, b2 over m: prices and profits times m). The
kernel uses that to solve extreme points in a moderate unit, so scaling a point by powers of two
scales its outputs exactly, until an amount the regime rests on exceeds float64: then the point
is ``invalid`` with reason ``not_representable``, never a valid regime with infinite profits.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import fastmap
from tests.extreme_values import (assert_valid_regimes_have_finite_decisions, ldexp as _ldexp,
                                  random_extreme_points)

MODEL = fastmap.model("stochastic_newsvendor")
NOT_REPRESENTABLE = 6
DEFAULTS = {"N1": 1500.0, "N2": 1500.0, "b1": 2.0, "b2": 1.0, "c": 250.0, "c_G": 10.0, "omega": 0.8,
            "sigma1": 50.0, "sigma2": 50.0}
DECISIONS = MODEL.decisions["regime"]
# The amounts the regime is chosen from: the equilibrium and each strategy's profit.
REGIME_AMOUNTS = ("p1", "p2") + DECISIONS + ("pi_nogray", "pi_blk", "pi_alw", "pi_sgl", "pi_cede",
                                             "pi_uni")
TINY = 2.0 ** -960  # below this, subnormal rounding makes relative comparisons meaningless


def _exponents(units):
    """(quantity, money) exponents of an output or parameter measured in ``units``."""
    return {"unit": (1, 0), "currency": (1, 1), "currency/unit": (0, 1),
            "unit^2/currency": (1, -1)}.get(units, (0, 0))


def _scaled_params(params, kq, km):
    out = {}
    for name, value in params.items():
        eq, em = _exponents(MODEL.parameter(name).units)
        out[name] = _ldexp(value, eq * kq + em * km)
    return out


def _exact(params, scaled):
    """True iff every scaled parameter is 0 where the parameter is, a normal float64 elsewhere:
    the same point, exactly."""
    return all(v == 0.0 if params[k] == 0.0 else 2.0 ** -1022 <= abs(v) < math.inf
               for k, v in scaled.items())


def test_parameter_and_output_units_are_the_scaling_classes():
    """Every amount is declared in one of the units the kernel scales (a wrong unit would be
    scaled wrongly at extreme points)."""
    assert {MODEL.parameter(n).units for n in DEFAULTS} == {"unit", "unit^2/currency",
                                                            "currency/unit", "1"}
    for o in MODEL.outputs:
        assert o.categorical or o.units in ("unit", "currency", "currency/unit", "1", ""), o.name


@pytest.mark.parametrize("dist", [0.0, 1.0])
def test_huge_market_whose_profit_fits_is_solved(dist):
    """N = 1e155 with b = 1e3: N**2 overflows but the profit (~5e306) fits."""
    r = fastmap.solve(MODEL, **dict(DEFAULTS, N1=1e155, N2=1e155, b1=1e3, b2=1e3, dist=dist))
    assert r["regime"] != 0
    assert r["pi"] == pytest.approx(5e306, rel=1e-12)
    assert np.isfinite([r[d] for d in DECISIONS]).all()


@pytest.mark.parametrize("dist", [0.0, 1.0])
@pytest.mark.parametrize("N2", [1e155, 1e200, 1.7e308])
def test_profit_beyond_float64_is_not_representable(N2, dist):
    """pi2 ~ N2**2 / (4 b2) > 1.8e308: no float64 holds the equilibrium."""
    r = fastmap.solve(MODEL, **dict(DEFAULTS, N2=N2, dist=dist))
    assert r["regime"] == 0 and r["invalid_reason"] == NOT_REPRESENTABLE
    assert np.isnan(r["pi"])


def test_scales_too_far_apart_for_any_unit():
    """Market sizes 2**2086 apart: any quantity unit overflows one or underflows the other."""
    r = fastmap.solve(MODEL, **dict(DEFAULTS, N1=1.7e308, N2=1e-320, b2=5e-324, c=1e-10,
                                    sigma2=0.0))
    assert r["regime"] == 0 and r["invalid_reason"] == NOT_REPRESENTABLE


def test_tiny_cost_at_extreme_prices_is_the_limit_c_to_0():
    """Prices ~1e-181 with c = 8e-235: the cubic of the uniform newsvendor used to underflow
    (p1 came out as 2/3 of the true price); the answer is the c -> 0 limit p1 = N1 / (2 b1)."""
    r = fastmap.solve(MODEL, **dict(DEFAULTS, b1=6.92e183, c=8.23e-235, c_G=3.84e153))
    assert r["regime"] == 1
    assert r["p1"] == pytest.approx(1500.0 / (2 * 6.92e183), rel=1e-12)


POINT = st.fixed_dictionaries({
    "N1": st.floats(800.0, 3000.0), "N2": st.floats(800.0, 3000.0), "b1": st.floats(0.5, 4.0),
    "b2": st.floats(0.5, 4.0), "c": st.floats(50.0, 250.0), "c_G": st.floats(0.0, 60.0),
    "omega": st.floats(0.05, 0.95), "sigma1": st.floats(0.0, 80.0), "sigma2": st.floats(0.0, 80.0),
    "dist": st.sampled_from([0.0, 1.0])})


@settings(max_examples=300, deadline=None)
@given(point=POINT, kq=st.integers(-900, 900), km=st.integers(-900, 900))
def test_power_of_two_scaling_scales_every_output_exactly(point, kq, km):
    base = fastmap.solve(MODEL, **point)
    assume(base["regime"] != 0)
    expected = {}
    for o in MODEL.outputs:
        eq, em = _exponents(o.units)
        expected[o.name] = base[o.name] if o.categorical else _ldexp(float(base[o.name]),
                                                                     eq * kq + em * km)
    # Points whose amounts would reach the subnormal range lose digits: not this property's concern.
    amounts = [abs(expected[n]) for n in REGIME_AMOUNTS if np.isfinite(expected[n]) and expected[n]]
    assume(min(amounts) > TINY)
    scaled = _scaled_params(point, kq, km)
    assume(_exact(point, scaled))
    got = fastmap.solve(MODEL, **scaled)
    if any(math.isinf(expected[n]) for n in REGIME_AMOUNTS):
        assert got["regime"] == 0 and got["invalid_reason"] == NOT_REPRESENTABLE
        return
    for o in MODEL.outputs:
        a, b = expected[o.name], float(got[o.name])
        if o.categorical:
            assert a == b, o.name
        elif math.isnan(a) or abs(a) < TINY:
            assert math.isnan(b) or abs(b) < TINY * 4, o.name
        else:
            assert b == pytest.approx(a, rel=1e-12), o.name


def test_random_extreme_points_never_give_a_valid_regime_with_non_finite_decisions():
    rng = np.random.default_rng(20261206)
    n = 40000
    params = random_extreme_points(MODEL, n, rng)
    params["dist"] = rng.integers(0, 2, n).astype(float)
    got = fastmap.solve(MODEL, **params)
    assert_valid_regimes_have_finite_decisions(MODEL, got, n // 10)
    assert set(np.unique(got["invalid_reason"][got["regime"] == 0])) <= set(range(1, 7))
