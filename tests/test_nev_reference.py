"""Validation of the independent brute-force reference ``tests/reference/nev_brute.py`` (model
``nev_parallel_export``) against the spec's oracle cases and against scipy / dense grids.

What is checked:

* every oracle point case (``tests/data/nev_parallel_export.json``, a verbatim copy of the spec's
  oracle): validity, the true regimes of CN / CR / CT, and every decision, price, quantity and
  profit of the true outcomes (``*_cn``, ``*_cr``, ``*_ct``);
* the safety net of the reference (full numerical followers with parallel trade allowed, on a
  ``(w, q2, e)`` grid refined by Nelder-Mead) never beats the blocking optimum at the oracle points,
  and the best accommodation found is strictly worse (spec section 9.1);
* the paper's accommodation equilibria (``*_acc`` where ``paper_* == 1``): the reference's numerical
  followers at the oracle's decisions reproduce its quantities, and no small change of M2's decisions
  that keeps parallel trade active improves M2's profit (a local optimum, spec section 13.2);
* the building blocks: the parabolic and grid+golden maximisers against
  ``scipy.optimize.minimize_scalar`` and dense grids, CT stage-2 profiles are Nash equilibria (dense
  grid deviation check), the blocked set of ``w`` is an upper interval (used by the bisection).

Tolerances (measured maximal errors of the reference vs the oracle over the 10 valid cases:
decisions/prices/quantities 2e-13, profits 1.5e-16): ``DEC_TOL = 1e-9``, ``PROFIT_TOL = 1e-12``
absolute (all values are O(0.01..1)).  A wrong piece or floor shows up at 1e-4 or more.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from tests.reference import nev_brute as nb

ORACLE = json.loads((Path(__file__).parent / "data" / "nev_parallel_export.json").read_text())
CASES = {c["name"]: c for c in ORACLE["point_cases"]}
DEC_TOL = 1e-9
PROFIT_TOL = 1e-12
FIELDS = ("w", "q_2", "e", "q_1", "q_r", "q_par", "p_1", "p_2", "p_g", "p_r",
          "pi_2", "pi_2_m1", "pi_2_m2", "pi_1", "pi_R", "pi_T")

_CACHE: dict = {}


def _ref(name):
    if name not in _CACHE:
        _CACHE[name] = nb.solve(**CASES[name]["inputs"])
    return _CACHE[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_oracle_point_case(name):
    case, exp = CASES[name], CASES[name]["outputs"]
    got = _ref(name)
    assert got["valid"] == (exp["regime_cn"] != 0)
    if not got["valid"]:
        assert exp["regime_cr"] == exp["regime_ct"] == 0
        return
    assert (got["b_v"], got["b_e"]) == (exp["b_v"], exp["b_e"])
    for tag in ("cn", "cr", "ct"):
        out = got[tag]
        if out is None:                       # CT below K_MIN_CT
            assert tag == "ct" and case["inputs"]["k"] < nb.K_MIN_CT
            assert exp["regime_ct"] == 0 and math.isnan(exp["pi_2_ct"])
            continue
        assert out["regime"] == exp[f"regime_{tag}"], tag
        for f in FIELDS:
            want, have = exp[f"{f}_{tag}"], out[f]
            if want is None or math.isnan(want):
                assert math.isnan(have), (tag, f, have)
                continue
            tol = PROFIT_TOL if f.startswith("pi") else DEC_TOL
            assert abs(have - want) <= tol, (tag, f, have, want)
        if tag != "cn":
            assert out["search_value"] <= out["pi_2"] + PROFIT_TOL     # the search agrees
            assert out["margin"] > 1e-4                                 # no near-tie in the oracle


def test_oracle_covers_all_true_regimes():
    seen = {_ref(n)[t]["regime"] for n in CASES if _ref(n)["valid"] for t in ("cr", "ct")
            if _ref(n)[t] is not None}
    assert seen == {1, 2, 3, 4}


@pytest.mark.parametrize("name", ["base_B_limit", "paper_valid_B_close", "readingA_limit",
                                  "large_theta_B_no_threat", "capture_B"])
def test_parallel_trade_never_optimal_at_oracle_points(name):
    """Full numerical followers (parallel trade allowed) on a grid + Nelder-Mead from the best
    parallel-active point: nothing beats the blocking optimum; accommodation is strictly worse."""
    got = _ref(name)
    inp = CASES[name]["inputs"]
    for tag, case in (("cr", 1), ("ct", 2)):
        if got[tag] is None:
            continue
        best_all, best_acc, _ = nb.global_search(case, inp["theta"], inp["k"], got["b_v"], got["b_e"])
        assert best_all <= got[tag]["pi_2"] + PROFIT_TOL, (tag, best_all, got[tag]["pi_2"])
        assert best_acc < got[tag]["pi_2"] - 1e-3, (tag, best_acc, got[tag]["pi_2"])


def _acc_profit(case, x, theta, k, bv, be):
    """M2's profit with the numerical followers, -inf unless parallel trade is active."""
    v, qp = nb.m2_profit(case, x[0], x[1], x[2], theta, k, bv, be)
    return v if qp > 1e-9 else -math.inf


@pytest.mark.parametrize("name", [n for n, c in sorted(CASES.items())
                                  if c["outputs"]["paper_cr"] == 1])
def test_paper_accommodation_reproduced(name):
    """Oracle *_acc decisions: numerical followers give the oracle's quantities, and M2's profit
    with parallel trade active is locally maximal there (26 directions, 2 step sizes)."""
    exp, inp = CASES[name]["outputs"], CASES[name]["inputs"]
    theta, k = inp["theta"], inp["k"]
    bv, be = nb.coefficients(inp["beta"], inp["reading"])
    for tag, case in (("cr_acc", 1), ("ct_acc", 2)):
        x = np.array([exp[f"w_{tag}"], exp[f"q_2_{tag}"], exp[f"e_{tag}"]])
        if case == 1:
            q1, qp, qr = nb.cr_followers(*x, theta, bv, be)
        else:
            n, q1s, qrs = nb.ct_equilibria(*x, theta, bv, be)
            active = [j for j in range(n)
                      if nb.qt_ct(qrs[j], 1.0 - q1s[j] - x[1], x[2], bv, be, theta) > 1e-9]
            assert len(active) == 1, (tag, n)       # the paper's equilibrium, TP active
            q1, qr = q1s[active[0]], qrs[active[0]]
            qp = nb.qt_ct(qr, 1.0 - q1 - x[1], x[2], bv, be, theta)
        assert abs(q1 - exp[f"q_1_{tag}"]) < 1e-7, tag
        assert abs(qp - exp[f"q_par_{tag}"]) < 1e-7, tag
        assert abs(qr - exp[f"q_r_{tag}"]) < 1e-7, tag
        v0 = _acc_profit(case, x, theta, k, bv, be)
        assert abs(v0 - exp[f"pi_2_{tag}"]) < 1e-10, tag
        dirs = [np.array(d, float) for d in np.ndindex(3, 3, 3) if d != (1, 1, 1)]
        for d in dirs:
            for step in (1e-3, 1e-5):
                v = _acc_profit(case, x + step * (d - 1), theta, k, bv, be)
                assert v <= v0 + 1e-12, (tag, d - 1, step, v - v0)


# ------------------------------------------------------------------------------------------------
# building blocks
# ------------------------------------------------------------------------------------------------
def _random_states(rng, n):
    for _ in range(n):
        theta = rng.uniform(0.02, 1.0)
        beta = rng.uniform(0.05, 0.95)
        bv, be = nb.coefficients(beta, int(rng.integers(0, 2)))
        q2 = rng.uniform(0.3, 0.95)
        e = rng.uniform(0.0, 0.4)
        w = rng.uniform(0.0, 0.6) * theta if rng.uniform() < 0.7 else rng.uniform(0, 1)
        yield theta, bv, be, q2, e, w


def test_quadratic_followers_match_scipy():
    """Stage-3 parallel traders (CR AD, CT TP): parabolic step vs scipy's bounded Brent."""
    rng = np.random.default_rng(11)
    for theta, bv, be, q2, e, w in _random_states(rng, 200):
        s = rng.uniform(0.0, 1.0 - q2)
        qg = nb.qg_cr(w, s, e, bv, be)
        r = minimize_scalar(lambda q: -(bv * (s - q) + be * e - w) * q, bounds=(0, s), method="bounded",
                            options=dict(xatol=1e-12))
        assert abs(qg - (r.x if -r.fun > 0 else 0.0)) < 1e-7
        qr = rng.uniform(0, 1)
        qt = nb.qt_ct(qr, s, e, bv, be, theta)
        cap = min(qr, s)
        r = minimize_scalar(lambda q: -(bv * (s - q) + be * e - theta * (1 - qr + q)) * q,
                            bounds=(0, cap), method="bounded", options=dict(xatol=1e-12))
        assert abs(qt - (r.x if -r.fun > 0 else 0.0)) < 1e-7


def test_piecewise_followers_match_dense_grid():
    """M1 anticipating the parallel trader (CR, CT) and the CT AD anticipating the TP: the
    grid+golden maximiser is never beaten by a dense grid refined by scipy's bounded Brent."""
    rng = np.random.default_rng(12)
    hits_tp = 0
    for theta, bv, be, q2, e, w in _random_states(rng, 60):
        R = 1.0 - q2
        qr = rng.uniform(0, 0.6)
        q1 = rng.uniform(0, R)
        problems = [
            (nb._m1_cr, (w, q2, e, bv, be), R),
            (nb._m1_ct, (qr, q2, e, bv, be, theta), R),
            (nb._ad_ct, (w, q1, q2, e, bv, be, theta), 1.0 + R - q1),
        ]
        for f, a, hi in problems:
            x, fx = nb.grid_golden_max(f, a, 0.0, hi, nb.N_GRID, nb.IT_GOLD)
            xs = np.linspace(0.0, hi, 4001)
            fs = np.array([f(t, a) for t in xs])
            i = int(np.argmax(fs))
            r = minimize_scalar(lambda t: -f(t, a), bounds=(xs[max(i - 1, 0)], xs[min(i + 1, 4000)]),
                                method="bounded", options=dict(xatol=1e-13))
            assert fx >= max(fs[i], -r.fun) - 1e-13, (f.__name__, a, fx, fs[i], -r.fun)
        s = 1.0 - q1 - q2
        qr_best = nb.br_ad_ct(w, q1, q2, e, theta, bv, be, nb.IT_GOLD)
        hits_tp += nb.qt_ct(qr_best, s, e, bv, be, theta) > 0
    assert hits_tp >= 5          # the TP-attracting peak of the AD was exercised


def test_ct_stage2_profiles_are_nash_equilibria():
    """Every converged CT stage-2 profile: no player gains more than 1e-12 by a deviation on a
    dense grid of its own quantity (followers of later stages responding)."""
    rng = np.random.default_rng(13)
    n_eq = n_tp = 0
    for theta, bv, be, q2, e, w in _random_states(rng, 40):
        n, q1s, qrs = nb.ct_equilibria(w, q2, e, theta, bv, be)
        for j in range(n):
            q1, qr = q1s[j], qrs[j]
            n_eq += 1
            n_tp += nb.qt_ct(qr, 1 - q1 - q2, e, bv, be, theta) > 0
            a1 = (qr, q2, e, bv, be, theta)
            u1 = nb._m1_ct(q1, a1)
            dev1 = max(nb._m1_ct(t, a1) for t in np.linspace(0, 1 - q2, 3001))
            a2 = (w, q1, q2, e, bv, be, theta)
            u2 = nb._ad_ct(qr, a2)
            dev2 = max(nb._ad_ct(t, a2) for t in np.linspace(0, 2 - q1 - q2, 3001))
            assert dev1 <= u1 + 1e-12 and dev2 <= u2 + 1e-12, (theta, bv, be, q2, e, w)
    assert n_eq >= 30 and n_tp >= 3


@pytest.mark.parametrize("case", [1, 2])
def test_blocked_set_is_upper_interval_in_w(case):
    """The bisection for the blocking floor assumes: blocked at w => blocked at every w' > w
    (until Market 2 closes).  Checked on a 400-point w grid at random (q2, e)."""
    rng = np.random.default_rng(14 + case)
    switches = 0
    for theta, bv, be, q2, e, _ in _random_states(rng, 25):
        q1 = (1.0 - q2) / 2.0
        ws = np.linspace(0.0, theta if case == 2 else 1.0 + e, 400)
        b = np.array([nb._blocked(case, w, q1, q2, e, theta, bv, be) for w in ws])
        first = int(np.argmax(b)) if b.any() else len(b)
        assert b[first:].all() and not b[:first].any()
        switches += 0 < first < len(b)
    assert switches >= 10


def test_invalid_points():
    for p in [(0.0, 4, 0.5, 1), (1.01, 4, 0.5, 1), (0.3, 2.0, 0.5, 1), (0.3, 4, 0.0, 1),
              (0.3, 4, 1.0, 0), (0.3, 4, 0.5, 2), (math.nan, 4, 0.5, 1), (0.3, math.inf, 0.5, 1)]:
        assert not nb.solve(*p)["valid"], p
    assert nb.solve(1.0, 2.0 + 1e-9, 0.5, 1)["valid"]
