"""Checks of the brute-force reference solver ``tests/reference/service_brute.py`` for the model
``service_gray_market`` (no fastmap kernel involved).

* every point case of ``tests/data/service_gray_market.json`` (spec section 13 oracle): regime
  codes, ``regime_lin``, invalid reasons and ``demand_ok`` of the three chains and the
  benchmarks exactly; the manufacturer's profits; the decisions of every chain; the derived
  ratios of Figs. 2, 4 and Prop. 7;
* curve cases: the Fig. 2 / Fig. 4 percentages at the paper sets, the regime crossings along
  ``delta`` (sets 1 and 3, three chains) and along ``theta2`` (Fig. 3, ``delta = 0.7``): the
  reference's labels just below and just above each crossing;
* building blocks against scipy: the importer's numerical best response against Nelder-Mead on
  his primitive 2-D problem ``(p_G, s_G)``; the centralized solution against Nelder-Mead on the
  manufacturer's four original decisions ``(p1, s1, p2, s2)``; Model R's retailer against
  Nelder-Mead on his ``(p2, s2)``; Model M's retailer against a dense scan of ``p2``.

Tolerances (measured errors of the reference vs the oracle over the 44 point cases):
  manufacturer's profits (pi_m, pi_m_R, pi_m_M, pi_po, pi_u, pi_n)  measured <= 5.8e-8 relative
      (R/M block ridges; elsewhere <= 1e-12)                            -> RTOL_PI = 5e-7
  centralized / price-only / uniform decisions   measured <= 4.8e-7    -> RTOL_C = 1e-5
  Models R and M: decisions, pi_r, pi_G          measured <= 2.5e-4 (the block ridge of R/M is
      flat, so its location is only known to ~sqrt(profit precision))  -> RTOL_RM = 5e-3
  with absolute floors of 1e-3 of the chain's scale (N2 for quantities and services, N2/b2 for
  prices, |pi_m| for profits), so that 0 (pi_r at the participation price, s1 below cost)
  compares.  A wrong piece of the model (a missed regime, a wrong threshold price) shows up at
  >= 1e-3 in the profit (e.g. a too narrow wholesale range in Model M, a bug of an early version
  of the reference: 1.7e-2).
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize

from tests.reference.service_brute import (PARAMS, Params, importer_response, market2_sales,
                                            solve_batch)

ORACLE = json.loads((Path(__file__).parent / "data" / "service_gray_market.json").read_text())
POINTS = {case["name"]: case for case in ORACLE["point_cases"]}
CURVES = {case["name"]: case for case in ORACLE["curve_cases"]}

RTOL_PI = 5e-7
RTOL_C = 1e-5
RTOL_RM = 5e-3
CODES = ("regime", "regime_lin", "invalid_reason", "demand_ok")
PROFITS = ("pi_m", "pi_m_R", "pi_m_M", "pi_po", "pi_u", "pi_n")
DECISIONS = ("p1", "s1", "d1", "p2", "s2", "d2", "q_G", "p_G", "s_G", "pi_G", "omega", "pi_r")


def _params(p, **over):
    d = {k: float(p[k]) for k in PARAMS if k in p}
    d.setdefault("lambda_r", d["lambda2"])
    d.update(over)
    return d


def _batch(points):
    """Reference at a list of parameter dicts (one vectorised call)."""
    res = solve_batch({k: np.array([p[k] for p in points]) for k in PARAMS})
    return [{k: v[i] for k, v in res.items()} for i in range(len(points))]


@pytest.fixture(scope="module")
def oracle_solutions():
    names = list(POINTS)
    sols = _batch([_params(POINTS[n]["params"]) for n in names])
    return dict(zip(names, sols))


def _scale(name, p, pi_m):
    if name.startswith("pi"):
        return 1e-3 * max(abs(pi_m), 1.0)
    if name[0] in "dqs":
        return 1e-3 * p["N2"]
    return 1e-3 * p["N2"] / p["b2"]


@pytest.mark.parametrize("name", list(POINTS))
def test_oracle_point_case(oracle_solutions, name):
    case = POINTS[name]
    exp, got, p = case["outputs"], oracle_solutions[name], _params(case["params"])
    for sfx in ("", "_R", "_M"):
        for key in CODES:
            assert bool(got[key + sfx]) == exp[key + sfx] if key == "demand_ok" \
                else got[key + sfx] == exp[key + sfx], key + sfx
    for key in ("regime_po", "regime_u"):
        assert got[key] == exp[key], key
    if exp["invalid_reason"] in (1, 2, 3, 4):
        assert all(math.isnan(got[k]) for k in PROFITS)
        return
    for key in PROFITS:
        if exp.get(key) is None:
            assert math.isnan(got[key]), key
        else:
            assert got[key] == pytest.approx(exp[key], rel=RTOL_PI), key
    for sfx in ("", "_R", "_M"):
        if exp["invalid_reason" + sfx] == 5:
            assert math.isnan(got["pi_m" + sfx])
            continue
        rtol = RTOL_C if sfx == "" else RTOL_RM
        for name_ in DECISIONS:
            key = name_ + sfx
            if key not in exp:
                continue
            if exp[key] is None:
                if name_ == "p1":      # closed market 1 at any prohibitive price: nothing sold
                    assert got["d1" + sfx] == 0 and got["q_G" + sfx] == 0
                else:
                    assert math.isnan(got[key]), key
                continue
            tol = _scale(name_, p, exp["pi_m" + sfx])
            assert abs(got[key] - exp[key]) <= rtol * max(abs(exp[key]), tol), key
    for key in ("p1_po", "p2_po", "q_G_po", "p_u", "s1_u", "s2_u", "d1_u", "d2_u"):
        if exp[key] is None:
            assert exp["regime_po"] == 4 and key == "p1_po"
            continue
        tol = _scale(key, p, exp["pi_po"])
        assert abs(got[key] - exp[key]) <= RTOL_C * max(abs(exp[key]), tol), key
    assert not got["importer_enters_u"]
    derived = {"ratio_service": got["pi_m"] / got["pi_po"],
               "ratio_uniform": got["pi_m"] / got["pi_u"]}
    if exp["invalid_reason_R"] != 5:
        derived["ratio_pi_m_RM"] = got["pi_m_R"] / got["pi_m_M"]
    for key, value in derived.items():
        assert value == pytest.approx(exp[key], rel=3 * RTOL_PI), key


# ------------------------------------------------------------------------------------ curves
_FIG = re.compile(r"set(\d)_fig([24])_pct_delta(0\.\d+)$")


@pytest.mark.parametrize("name", [n for n in CURVES if _FIG.match(n)])
def test_figure_percentages(oracle_solutions, name):
    """Fig. 2 ``100(pi_m/pi_po - 1)`` and Fig. 4 ``100(pi_m/pi_u - 1)`` at the paper sets."""
    s, fig, delta = _FIG.match(name).groups()
    got = oracle_solutions[f"set{s}_delta{float(delta):.2f}"]
    value = 100 * (got["pi_m"] / (got["pi_po"] if fig == "2" else got["pi_u"]) - 1)
    assert value == pytest.approx(CURVES[name]["value"], abs=1e-4)


@pytest.mark.parametrize("s", [1, 2, 3, 4])
def test_value_of_service_low_delta(oracle_solutions, s):
    """Fig. 2's constant part (3, 5, 10, 15 %): the no-importer value of service."""
    got = oracle_solutions[f"set{s}_delta0.30"]
    assert got["regime"] == 1 and got["regime_po"] == 1
    value = 100 * (got["pi_m"] / got["pi_po"] - 1)
    assert value == pytest.approx(CURVES[f"set{s}_value_of_service_low_delta_pct"]["value"], abs=1e-6)


_CROSS = re.compile(r"set(\d)_(centralized|regime_R|regime_M)_(\w+?)_to_(\w+)$")
_FIG3 = re.compile(r"fig3_set1_delta(0\.\d+)_theta2_(\w+?)_to_(\w+)$")
LABEL = {"ideal": 1, "block": 2, "allow": 3, "invalid": 0}
CROSSINGS = [n for n in CURVES if (_CROSS.match(n) and _CROSS.match(n).group(1) in "13")
             or (_FIG3.match(n) and _FIG3.match(n).group(1) == "0.70")]
STEP = 1e-3


@pytest.fixture(scope="module")
def crossing_solutions():
    base = POINTS["set1_delta0.70"]["params"]
    pts = []
    for n in CROSSINGS:
        v = CURVES[n]["value"]
        if n.startswith("fig3"):
            pts += [_params(base, theta2=v - STEP), _params(base, theta2=v + STEP)]
        else:
            p = POINTS[f"set{_CROSS.match(n).group(1)}_delta0.70"]["params"]
            pts += [_params(p, delta=v - STEP), _params(p, delta=v + STEP)]
    sols = _batch(pts)
    return {n: (sols[2 * i], sols[2 * i + 1]) for i, n in enumerate(CROSSINGS)}


@pytest.mark.parametrize("name", CROSSINGS)
def test_regime_crossing(crossing_solutions, name):
    """The reference's label changes as stated within +-1e-3 of each oracle crossing."""
    m = _CROSS.match(name) or _FIG3.match(name)
    chain = {"centralized": "", "regime_R": "_R", "regime_M": "_M"}.get(m.group(2), "")
    before, after = crossing_solutions[name]
    assert before["regime" + chain] == LABEL[m.group(m.lastindex - 1)]
    assert after["regime" + chain] == LABEL[m.group(m.lastindex)]


# -------------------------------------------------------------------- building blocks vs scipy
SET1 = _params(POINTS["set1_delta0.70"]["params"])


def _one(p):
    P = Params({k: np.array([v]) for k, v in p.items()})
    return P, P.view(1)


def _importer_primitive(x, a, z, Q):
    """Importer's profit at (p_G, s_G) from the utility demand (no reduction)."""
    pG, sG = x
    u = Q.b2 * pG - Q.delta * Q.theta_G * sG
    _, q = market2_sales(np.array([z]), u, True, Q)
    return ((pG - a) * q - 0.5 * Q.lambda_G * sG**2)[0]


@pytest.mark.parametrize("seed", range(4))
def test_importer_against_nelder_mead(seed):
    """Importer's numerical best response vs scipy Nelder-Mead on (p_G, s_G) (several starts)
    at random (a, z) and random parameters: profit within 1e-7 relative (the reference may only
    be better), same entry decision."""
    rng = np.random.default_rng(seed)
    p = dict(SET1, delta=rng.uniform(0.1, 0.95), theta_G=rng.uniform(0, 6),
             lambda_G=rng.uniform(10, 60), b2=rng.uniform(4, 20))
    p["delta"] = min(p["delta"], 0.97 * 2 * p["lambda_G"] * p["b2"] / (2 * p["lambda_G"] * p["b2"] + p["theta_G"]**2))
    _, Q = _one(p)
    for _ in range(6):
        a, z = rng.uniform(50, 500), rng.uniform(0.2, 1.0) * p["N2"]
        r = importer_response(np.array([a]), np.array([z]), Q)
        best = 0.0
        for start in ((a + 1, 0.0), (a + 50, 5.0), (a + 200, 20.0), (z / p["b2"], 1.0)):
            res = minimize(lambda x: -_importer_primitive(x, a, z, Q), start, method="Nelder-Mead",
                           options=dict(xatol=1e-10, fatol=1e-12, maxiter=4000))
            best = max(best, -res.fun)
        assert r["pi_G"][0] >= best - 1e-7 * max(best, 1.0)
        assert r["pi_G"][0] <= best + 1e-6 * max(best, 1.0)
        assert bool(r["enter"][0]) == (best > 1e-6)


def _centralized_profit(x, p, P, Q):
    """Manufacturer's centralized profit at her four original decisions, importer numerical."""
    p1, s1, p2, s2 = x
    if s1 < 0 or s2 < 0 or p1 < 0:
        return -np.inf
    d1 = max(0.0, p["N1"] - p["b1"] * p1 + p["theta1"] * s1)
    z = p["b2"] * p2 - p["theta2"] * s2
    r = importer_response(np.array([p1 + p["c_G"]]), np.array([z]), Q)
    return ((p1 - p["c"]) * (d1 + r["q"][0]) + (p2 - p["c"]) * r["D"][0]
            - 0.5 * p["lambda1"] * s1**2 - 0.5 * p["lambda2"] * s2**2)


@pytest.mark.parametrize("case", ["set1_delta0.50", "set1_delta0.70", "set4_delta0.60"])
def test_centralized_against_nelder_mead(oracle_solutions, case):
    """No (p1, s1, p2, s2) found by Nelder-Mead from perturbed starts beats the reference's
    centralized profit (checks the s1/s2 reductions and the search in (p1, z))."""
    p = _params(POINTS[case]["params"])
    P, Q = _one(p)
    got = oracle_solutions[case]
    x0 = np.array([got["p1"], got["s1"], got["p2"], got["s2"]])
    assert _centralized_profit(x0, p, P, Q) == pytest.approx(got["pi_m"], rel=1e-12)
    rng = np.random.default_rng(1)
    for _ in range(3):
        start = x0 * rng.uniform(0.97, 1.03, 4)
        res = minimize(lambda x: -_centralized_profit(x, p, P, Q), start, method="Nelder-Mead",
                       options=dict(xatol=1e-9, fatol=1e-9, maxiter=3000))
        assert -res.fun <= got["pi_m"] * (1 + 1e-9)


@pytest.mark.parametrize("case", ["set1_delta0.30", "set1_delta0.70", "set1_delta0.98",
                                  "R_block_below_cost"])
def test_retailer_R_against_nelder_mead(oracle_solutions, case):
    """At the reference's (p1, omega) of Model R, Nelder-Mead on the retailer's primitive
    profit in (p2, s2) finds nothing better than the reference's retailer profit."""
    p = _params(POINTS[case]["params"])
    P, Q = _one(p)
    got = oracle_solutions[case]
    a, w = got["p1_R"] + p["c_G"], got["omega_R"]

    def retailer(x):
        p2, s2 = x
        if s2 < 0:
            return -np.inf
        r = importer_response(np.array([a]), np.array([p["b2"] * p2 - p["theta2"] * s2]), Q)
        return (p2 - w) * r["D"][0] - 0.5 * p["lambda_r"] * s2**2

    mine = retailer((got["p2_R"], got["s2_R"]))
    assert mine == pytest.approx(got["pi_r_R"], rel=1e-9, abs=1e-6)
    for start in ((got["p2_R"] * 1.02, got["s2_R"] * 0.9), (got["p2_R"] * 0.98, got["s2_R"] * 1.1),
                  (w * 1.02, 0.0)):
        res = minimize(lambda x: -retailer(x), start, method="Nelder-Mead",
                       options=dict(xatol=1e-9, fatol=1e-9, maxiter=800))
        assert -res.fun <= mine + 1e-7 * abs(got["pi_m_R"])


@pytest.mark.parametrize("case", ["set1_delta0.30", "set1_delta0.70", "set1_delta0.98",
                                  "R_participation_block"])
def test_retailer_M_against_scan(oracle_solutions, case):
    """At the reference's (p1, omega, s2) of Model M, a dense scan of p2 finds nothing better
    than the reference's retailer profit."""
    p = _params(POINTS[case]["params"])
    P, Q = _one(p)
    got = oracle_solutions[case]
    a, w, s2 = got["p1_M"] + p["c_G"], got["omega_M"], got["s2_M"]
    p2 = np.concatenate([np.linspace(w, w + 2 * p["N2"] / p["b2"], 40001),
                         got["p2_M"] + np.linspace(-1.0, 1.0, 2001)])
    r = importer_response(np.array([a]), p["b2"] * p2 - p["theta2"] * s2, Q)
    scan = np.max((p2 - w) * r["D"])
    assert scan <= got["pi_r_M"] + 1e-7 * abs(got["pi_m_M"])
