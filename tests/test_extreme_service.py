"""``service_gray_market`` at extreme magnitudes: exact unit scaling, or ``invalid``.

The model is homogeneous in a quantity unit q, a price unit m and a service unit u: ``N -> N q``,
``b -> b q/m``, ``c, c_G -> m``, ``theta -> theta q/u``, ``lambda -> lambda m q/u^2``; then prices,
sales, services scale by m, q, u, profits by m q, ``rho`` by (q/u)^2, ``kappa`` by (q/u)^4. The
kernel solves extreme points in power-of-two units and scales back, so at a point obtained from a
moderate one by power-of-two factors every output is the base output times its factor (bitwise),
unless a decision or compared profit leaves float64: then the point is invalid (reason 7). One
exception is the spec's tie rule (section 11: ties within ``1e-9 max(1, |best|)``), whose floor of
one unit of money is not homogeneous: the property holds where every compared profit is >= 1 at
both points, so the money factor ``m q`` is drawn >= 1 and the base profits >= 1.
"""

import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fastmap
from tests.extreme_values import (assert_valid_regimes_have_finite_decisions, ldexp as _ldexp,
                                  random_extreme_points)

MODEL = fastmap.model("service_gray_market")
# (price, quantity, service) exponents of each parameter's unit
PARAM_UNITS = {"N1": (0, 1, 0), "N2": (0, 1, 0), "b1": (-1, 1, 0), "b2": (-1, 1, 0),
               "c": (1, 0, 0), "c_G": (1, 0, 0), "theta1": (0, 1, -1), "theta2": (0, 1, -1),
               "theta_G": (0, 1, -1), "lambda1": (1, 1, -2), "lambda2": (1, 1, -2),
               "lambda_G": (1, 1, -2), "lambda_r": (1, 1, -2), "delta": (0, 0, 0)}
OUTPUT_UNITS = {"money/unit": (1, 0, 0), "unit": (0, 1, 0), "service unit": (0, 0, 1),
                "money": (1, 1, 0), "money/service unit^2": (1, 1, -2),
                "unit/service unit": (0, 1, -1), "unit^2/service unit^2": (0, 2, -2),  # rho
                "unit^4/service unit^4": (0, 4, -4), "1": (0, 0, 0)}  # kappa
CHAINS = ("", "_R", "_M")
PROFITS = ("pi_ideal", "pi_block", "pi_allow", "pi_close1", "pi_m", "pi_m_R", "pi_m_M")


def _exponent(name: str, k: tuple[int, int, int]) -> int:
    unit = OUTPUT_UNITS[MODEL.output(name).units]  # the declared units say how it scales
    return sum(a * b for a, b in zip(unit, k))


def _scaled(params: dict, k: tuple[int, int, int]) -> dict:
    return {name: _ldexp(v, sum(a * b for a, b in zip(PARAM_UNITS[name], k)))
            for name, v in params.items()}


def _solve(**params) -> dict[str, float]:
    return {k: float(v) for k, v in fastmap.solve(MODEL, **params).items()}


def _zero_or(hi: float):
    """0 or a moderate value (the base point must be free of underflow: no subnormal inputs)."""
    return st.one_of(st.just(0.0), st.floats(1e-3, hi))


def _assert_contract(got: dict[str, float]) -> None:
    for regime, decisions in MODEL.decisions.items():
        if got[regime] != 0:
            assert all(math.isfinite(got[d]) for d in decisions), (regime, got)


def _assert_scaled(base: dict[str, float], got: dict[str, float], k) -> None:
    """``got`` is ``base`` with every output scaled, or invalid (reason 7) exactly when a decision
    of a valid chain or a compared profit of the scaled base overflows."""
    expected = {n: v if MODEL.output(n).categorical else _ldexp(v, _exponent(n, k))
                for n, v in base.items()}
    checked = [d for regime, ds in MODEL.decisions.items() if base[regime] != 0 for d in ds]
    if any(math.isinf(expected[n]) for n in checked + list(PROFITS)):
        assert all(got[r] == 0 for r in MODEL.decisions), expected
        assert got["invalid_reason"] == 7
        return
    for n, want in expected.items():
        have = got[n]
        assert (math.isnan(want) and math.isnan(have)) or want == have, (n, want, have, k)


def test_scan_cases():
    # Profits ~ N2^2 / (4 b2 (1 - ...)): 2.6e306 at N2 = 1e154 fits, 2.6e308 at 1e155 does not.
    for n2 in (1e150, 1e154):
        got = _solve(N2=n2)
        assert got["regime"] == 4 and got["regime_R"] == 6 and got["regime_M"] == 6
        _assert_contract(got)
        # market 1 is negligible: close_market1's profit is the no-importer profit, eq. (2)
        lam, b2, c, theta2 = 24.0, 10.0, 100.0, 4.0
        pi_n = 0.5 * lam * (n2 - b2 * c) / (2.0 * lam * b2 - theta2 ** 2) * (n2 - b2 * c)
        assert math.isclose(got["pi_m"], pi_n, rel_tol=1e-12)
    for n2 in (1e155, 1e160, 1e200, 1e250, 1e300):
        got = _solve(N2=n2)
        assert got["regime"] == got["regime_R"] == got["regime_M"] == 0
        assert got["invalid_reason"] == 7 and math.isnan(got["pi_m"])


def test_exact_scaling_at_the_defaults():
    params = {p.name: p.default for p in MODEL.parameters if p.default is not None}
    base = _solve(**params)
    # (price, quantity, service) exponents; every scaled parameter stays a normal float
    for k in ((0, 500, 0), (300, 400, 200), (-400, 500, 300), (500, -450, 100), (0, 0, 450),
              (0, 520, 0)):
        _assert_scaled(base, _solve(**_scaled(params, k)), k)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(N1=st.floats(5e3, 2e4), N2=st.floats(5e3, 2e4), b1=st.floats(10.0, 40.0),
       b2=st.floats(5.0, 20.0), c=_zero_or(150.0), c_G=_zero_or(20.0),
       theta1=_zero_or(8.0), theta2=_zero_or(8.0), lambda1=st.floats(5.0, 30.0),
       lambda2=st.floats(5.0, 40.0), theta_G=_zero_or(6.0), lambda_G=st.floats(10.0, 60.0),
       delta=st.floats(0.05, 0.95), lambda_r=st.floats(5.0, 40.0),
       kp=st.integers(-900, 900), kq=st.integers(-900, 900), ks=st.integers(-900, 900))
def test_homogeneity(kp, kq, ks, **params):
    assume(kp + kq >= 0)  # the tie rule's floor of one money unit (module docstring)
    base = _solve(**params)
    assume(base["regime"] != 0 and base["regime_M"] != 0)
    assume(all(abs(base[n]) >= 1.0 for n in PROFITS if not math.isnan(base[n])))
    k = (kp, kq, ks)
    scaled = _scaled(params, k)
    assume(all(scaled[n] == 0.0 if v == 0.0 else 2.0 ** -1022 <= abs(scaled[n]) < math.inf
               for n, v in params.items()))
    got = _solve(**scaled)
    _assert_contract(got)
    _assert_scaled(base, got, k)


def test_random_extreme_scan():
    """Each parameter at its default or, with probability 0.3, at 10**U(-320, 308.2): no valid
    regime with a non-finite decision."""
    n = 20000
    got = fastmap.solve(MODEL, **random_extreme_points(MODEL, n, np.random.default_rng(20240602)))
    assert_valid_regimes_have_finite_decisions(MODEL, got, n // 20)
