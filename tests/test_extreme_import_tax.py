"""``import_tax_channels`` at extreme magnitudes: exact unit scaling, or ``invalid``.

The model is homogeneous in a quantity unit (``N_d, N_f``: quantities x m) and a price unit (``t,
t_g, theta_d, theta_f``: prices x c); profits, surpluses and welfare scale by ``c m``, ``R`` by
``c^2 m``. The kernel solves extreme points in power-of-two units and scales back, so at a point
obtained from a moderate one by power-of-two factors every output is the base output times its
factor (bitwise: powers of two scale exactly), unless a decision or compared profit leaves float64,
when the point is ``invalid``.
"""

import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fastmap
from tests.extreme_values import (assert_valid_regimes_have_finite_decisions, ldexp as _ldexp,
                                  random_extreme_points)

MODEL = fastmap.model("import_tax_channels")
MONEY_PARAMS = ("t", "t_g", "theta_d", "theta_f")
MASS_PARAMS = ("N_d", "N_f")
# Profits the regime choices compare, and the decisions of the selected outcomes.
CHECKED = ("piM_B", "piM_E", "piM_A", "piM_D", "Q_d", "Q_f", "Q_g", "piM", "piI",
           "Q_d_true", "Q_f_true", "Q_g_true", "piM_true", "piI_true")


def _exponent(name: str, km: int, kq: int) -> int:
    """Power of two by which output ``name`` scales when prices scale by 2**km, quantities by
    2**kq."""
    return {"currency/unit": km, "unit": kq, "currency": km + kq,
            "currency^2/unit": 2 * km + kq}.get(MODEL.output(name).units, 0)


def _scaled(params: dict, km: int, kq: int) -> dict:
    out = dict(params)
    for k in MONEY_PARAMS:
        out[k] = _ldexp(params[k], km)
    for k in MASS_PARAMS:
        out[k] = _ldexp(params[k], kq)
    return out


def _solve(**params) -> dict[str, float]:
    return {k: float(v) for k, v in fastmap.solve(MODEL, **params).items()}


def _assert_contract(got: dict[str, float]) -> None:
    for regime, decisions in MODEL.decisions.items():
        if got[regime] != 0:
            assert all(math.isfinite(got[d]) for d in decisions), (regime, got)


def _assert_scaled(base: dict[str, float], got: dict[str, float], km: int, kq: int) -> None:
    """``got`` is ``base`` with every output scaled by its power of two, or ``invalid`` exactly
    when a checked decision or profit of the scaled base is beyond float64."""
    expected = {k: v if MODEL.output(k).categorical else _ldexp(v, _exponent(k, km, kq))
                for k, v in base.items()}
    overflow = any(math.isinf(expected[k]) for k in CHECKED if not math.isnan(base[k]))
    if overflow:
        assert got["regime"] == got["regime_true"] == 0, expected
        assert all(math.isnan(got[o.name]) for o in MODEL.outputs if not o.categorical)
        return
    for k, want in expected.items():
        have = got[k]
        assert (math.isnan(want) and math.isnan(have)) or want == have, (k, want, have, km, kq)


def test_scan_cases_now_solved():
    # N_f = 1.7e308 used to overflow Q_f and piM (N_f * (p_f - t) in the unscaled formulas);
    # the true values fit: Q_f = N_f (1 - p_f/theta_f) with p_f < theta_f.
    got = _solve(N_f=1.7e308)
    assert got["regime"] == 2 and got["regime_true"] == 3
    _assert_contract(got)
    assert got["Q_f"] < 1.7e308 and got["piM"] > 0.0
    # N_d / N_f = 6e-309 is the limit N_d / N_f -> 0: prices and foreign shares equal those at
    # N_d / N_f = 1e-30 (solved in unit 1) to rounding.
    near = _solve(N_d=1e-30)
    assert near["regime"] == 2 and near["regime_true"] == 3
    for k in ("p_d", "p_f", "p_g", "t1", "t2"):
        assert math.isclose(got[k], near[k], rel_tol=1e-12), k
    for k in ("Q_f", "Q_g", "piM", "piI"):
        assert math.isclose(got[k] / 1.7e308, near[k], rel_tol=1e-12), k


def test_exact_scaling_at_the_defaults():
    base = _solve()
    for km, kq in ((700, 300), (-1000, 1000), (1000, -1000), (-1010, -50), (300, 700)):
        _assert_scaled(base, _solve(**_scaled(base_params(), km, kq)), km, kq)


def base_params() -> dict:
    return {p.name: p.default for p in MODEL.parameters if p.default is not None}


def test_unrepresentable_profits_are_invalid():
    # Domestic profit N_d theta_d / 4 ~ 3.6e608, foreign one N_f theta_f ~ 1e436: beyond float64.
    for params in (dict(N_d=5.15e306, N_f=4e198, theta_d=2.78e302, t_g=7e-6, beta=4.4e-105),
                   dict(N_d=1.9e-34, N_f=6.0e167, theta_d=2.56e283, theta_f=1.39e269,
                        alpha=1.65e-125),
                   dict(N_d=2.0 ** 600, theta_d=2.0 ** 500)):
        got = _solve(**params)
        assert got["regime"] == got["regime_true"] == got["case_d"] == 0, params
        assert got["gray_beneficial"] == -1 and math.isnan(got["piM_B"])


def test_largest_representable_profit_is_valid():
    # No gray market (t_g = theta_f), t = 0: piM_B = N_d theta_d / 4 + N_f theta_f / 4.
    big = dict(theta_d=2.0 ** 511, theta_f=2.0 ** 511, t=0.0, t_g=2.0 ** 511)
    got = _solve(N_d=2.0 ** 513, N_f=2.0 ** 513, **big)
    assert got["regime"] == 1 and got["piM"] == 2.0 ** 1023  # the largest power of two
    got = _solve(N_d=2.0 ** 514, N_f=2.0 ** 514, **big)
    assert got["regime"] == 0  # 2**1024 overflows


# Welfare weights 0 or not tiny: alpha = 2.2e-308 makes alpha CS subnormal at the base point, whose
# lost bits differ from those of the scaled point (SW_f_E = 1.2e-309 and 3.1e-279 seen in
# fresh-clone runs): float64's subnormal range, not the model's scaling.
WEIGHTS = st.one_of(st.just(0.0), st.floats(1e-100, 1.0))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delta=st.floats(0.02, 0.98), t_frac=st.one_of(st.just(0.0), st.floats(1e-3, 1.0)),
       t_g=st.one_of(st.just(0.0), st.floats(1e-3, 2.0)),
       N_d=st.floats(0.05, 20.0), N_f=st.floats(0.05, 20.0), theta_d=st.floats(0.2, 5.0),
       theta_f=st.floats(0.2, 5.0), alpha=WEIGHTS, beta=WEIGHTS,
       km=st.integers(-900, 900), kq=st.integers(-900, 900))
def test_homogeneity(delta, t_frac, t_g, N_d, N_f, theta_d, theta_f, alpha, beta, km, kq):
    params = dict(delta=delta, t=t_frac * theta_f, t_g=t_g, N_d=N_d, N_f=N_f, theta_d=theta_d,
                  theta_f=theta_f, alpha=alpha, beta=beta)
    base = _solve(**params)
    assume(base["regime"] != 0)
    scaled = _scaled(params, km, kq)
    # every nonzero parameter stays a normal float (else the point itself is not representable)
    assume(all(scaled[n] == 0.0 if v == 0.0 else 2.0 ** -1022 <= abs(scaled[n]) < math.inf
               for n, v in params.items()))
    got = _solve(**scaled)
    _assert_contract(got)
    _assert_scaled(base, got, km, kq)


def test_random_extreme_scan():
    """Each parameter at its default or, with probability 0.3, at 10**U(-320, 308.2): no valid
    regime with a non-finite decision; most points stay valid."""
    n = 20000
    got = fastmap.solve(MODEL, **random_extreme_points(MODEL, n, np.random.default_rng(20240601)))
    assert_valid_regimes_have_finite_decisions(MODEL, got, n // 4)
