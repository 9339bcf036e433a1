"""Checks of the brute-force reference solver ``tests/reference/newsvendor_brute.py`` for the model
``stochastic_newsvendor`` (no fastmap kernel involved).

* every point case of ``tests/data/stochastic_newsvendor.json`` (spec section 13 oracle): regime and
  invalid reason exactly, admissibility flags and the Theorem-1 label exactly, every numeric output
  the reference produces (strategy values and decisions, equilibrium, mu, ...) within the tolerances
  below, NaN where the oracle has none; plus the diagnostic "no price pair on a 61x61 grid beats
  the equilibrium";
* the deterministic game (sigma = 0) against the closed forms of spec section 10, transcribed here
  independently of the reference;
* the building blocks: the quadrature of E[min(q, m + eps)] and of the tail probability against the
  analytic uniform / normal expressions, the numerical optimal stock against the critical fractile,
  the numerical importer against the closed forms of spec section 7 and a brute grid search.

Tolerances (measured errors of the reference vs the oracle over all 21 point cases, see the report
of the session that wrote this file):
  profits                       measured <= 1.6e-10 relative (worst: the importer's small profit pi_G;
                                the manufacturer's profits <= 1e-12)        -> PROFIT_RTOL = 1e-8
  prices, stocks, q_G, s, omega_ign  measured <= 5.6e-10 relative (s_nogray, a difference of prices)
                                                                            -> DECISION_RTOL = 1e-6
  mu (numerical shadow price)   measured <= 1.6e-8 relative                 -> MU_RTOL = 1e-6
  prob_negative_demand          measured <= 1.7e-9 relative (values ~1e-13 .. 0.04) -> 1e-6 rel + 1e-13
The margins (60x to 1000x) absorb platform-dependent rounding in the Nelder-Mead path; an error in
the model (a wrong piece of the importer, a wrong stock) shows up at 1e-3 or more.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from tests.reference.newsvendor_brute import (Noise, importer_response, importer_response_vec,
                                              solve)

ORACLE = json.loads((Path(__file__).parent / "data" / "stochastic_newsvendor.json").read_text())
POINTS = {case["id"]: case for case in ORACLE["point_cases"]}

PROFIT_RTOL = 1e-8
DECISION_RTOL = 1e-6
MU_RTOL = 1e-6
PROB_RTOL, PROB_ATOL = 1e-6, 1e-13

CODES = ("regime", "invalid_reason", "theorem1")
FLAGS = ("block_admissible", "allow_admissible", "cede_admissible")

_CACHE: dict = {}


def _solve_case(case_id):
    if case_id not in _CACHE:
        _CACHE[case_id] = solve(POINTS[case_id]["inputs"], global_check=True)
    return _CACHE[case_id]


def _tolerance(name, scale):
    if name.startswith("pi") or name == "wholesale_value":
        return PROFIT_RTOL, PROFIT_RTOL * scale
    if name == "mu":
        return MU_RTOL, MU_RTOL * scale
    if name == "prob_negative_demand":
        return PROB_RTOL, PROB_ATOL
    return DECISION_RTOL, DECISION_RTOL * scale


# =====================================================================================================
# oracle point cases
# =====================================================================================================
@pytest.mark.parametrize("case_id", sorted(POINTS))
def test_oracle_point_case(case_id):
    case = POINTS[case_id]
    exp = case["expected"]
    got = _solve_case(case_id)
    for name in CODES:
        assert got[name] == exp[name], (name, got[name], exp[name])
    assert got["regime_name"] == exp["regime_name"]
    if exp["regime"] == 0:
        if exp["invalid_reason"] == 5:
            assert got["wholesale_value"] == pytest.approx(exp["wholesale_value"], rel=PROFIT_RTOL)
        return
    for name in FLAGS:
        assert got[name] is exp[name], name
    inp = case["inputs"]
    scale = {"q": 0.5 * (inp["N1"] + inp["N2"]), "p": inp["c"]}
    compared = 0
    for name, want in exp.items():
        if name not in got or name in CODES or name in FLAGS or isinstance(want, (bool, str)):
            continue
        have = got[name]
        if want is None:
            assert have is None or math.isnan(have), (name, have)
            continue
        assert have is not None and math.isfinite(have), (name, have, want)
        sc = abs(want) if name in ("omega_ign", "s_nogray", "mu", "prob_negative_demand") else \
            scale["p" if name.startswith("p") and not name.startswith("pi") else "q"] * 1e-3
        rtol, atol = _tolerance(name, sc)
        assert have == pytest.approx(want, rel=rtol, abs=atol), (name, have, want)
        compared += 1
    assert compared >= 20
    # no price pair (both markets open, importer from the full utility model incl. the corner
    # where authorized demand vanishes, stocks re-optimised) beats the equilibrium
    assert got["pi_grid_max"] <= got["pi"] * (1.0 + 1e-9)


def test_oracle_regimes_all_covered():
    assert {case["expected"]["regime"] for case in ORACLE["point_cases"]} == {0, 1, 2, 3, 4, 5}


# =====================================================================================================
# deterministic game (sigma = 0): spec section 10 closed forms
# =====================================================================================================
def dsg_closed_form(P):
    """Spec section 10 (with errata 1-3 of section 14), transcribed independently."""
    N1, N2, b1, b2, c, cG, w = (P[k] for k in ("N1", "N2", "b1", "b2", "c", "c_G", "omega"))
    a1 = w * w * b1 + b2
    a2 = b2 + w * (2 - w) * b1
    p1t, p2t = (N1 + b1 * c) / (2 * b1), (N2 + b2 * c) / (2 * b2)
    Pi1, Pi2 = (N1 - b1 * c) ** 2 / (4 * b1), (N2 - b2 * c) ** 2 / (4 * b2)
    out = dict(p1_nogray=p1t, p2_nogray=p2t, pi_nogray=Pi1 + Pi2, pi_sgl=Pi2)
    # cede market 2
    Np, bp = N1 + N2 / 2 - b2 * cG / (2 * w), b1 + b2 / (2 * w)
    pc = (Np + bp * c) / (2 * bp)
    qGc = (w * N2 - b2 * (pc + cG)) / (2 * w)
    cede_ok = qGc > 0 and N1 - b1 * pc > 0
    out.update(p1_cede=pc if cede_ok else math.nan, q_G_cede=qGc if cede_ok else math.nan,
               pi_cede=(Np - bp * c) ** 2 / (4 * bp) if cede_ok else math.nan)
    pi_cede = out["pi_cede"] if cede_ok else -math.inf
    if w * p2t - p1t <= cG:
        t1, piT1, eq = 1, Pi1 + Pi2, (p1t, p2t, 0.0)
    else:
        pb1 = (w * w * (N1 + b1 * c) + w * (N2 + b2 * c) - 2 * b2 * cG) / (2 * a1)
        pb2 = (w * (N1 + b1 * c) + N2 + b2 * c + 2 * w * b1 * cG) / (2 * a1)
        mu = -(2 * w * (1 - w) * (w * b1 * N2 - b2 * N1) - b2 * (1 - w) * c * a2
               - b2 * cG * (b2 + w * (4 - 3 * w) * b1)) / (2 * w * (1 - w) * a1)
        out["mu"] = mu
        if mu >= 0:
            ok = N1 - b1 * pb1 > 0 and N2 - b2 * pb2 > 0
            pib = (pb1 - c) * (N1 - b1 * pb1) + (pb2 - c) * (N2 - b2 * pb2)
            out.update(p1_blk=pb1, p2_blk=pb2, pi_blk=pib)
            t1, piT1, eq = 2, pib if ok else -math.inf, (pb1, pb2, 0.0)
        else:
            pa1 = c / 2 + (w * (2 - w) * N1 + w * N2 - b2 * cG) / (2 * a2)
            pa2 = c / 2 + (b2 * (w * N1 + N2) + 2 * w * (1 - w) * b1 * N2 + w * b1 * b2 * cG) / (2 * b2 * a2)
            qG = -a1 * mu / (2 * a2)
            m1, m2 = N1 - b1 * pa1 + qG, N2 - b2 * pa2 - w * qG
            ok = N1 - b1 * pa1 > 0 and m2 > 0 and qG > 0
            pia = (pa1 - c) * m1 + (pa2 - c) * m2
            out.update(p1_alw=pa1, p2_alw=pa2, q_G_alw=qG, pi_alw=pia)
            t1, piT1, eq = 3, pia if ok else -math.inf, (pa1, pa2, qG)
    regime, best = t1, piT1
    if Pi2 > best:
        regime, best, eq = 4, Pi2, (math.nan, p2t, 0.0)
    if pi_cede > best:
        regime, best, eq = 5, pi_cede, (pc, math.nan, qGc)
    out.update(regime=regime, theorem1=t1, pi=best, p1=eq[0], p2=eq[1], q_G=eq[2])
    return out


BASE = dict(N1=1500.0, N2=1500.0, b1=2.0, b2=1.0, c=250.0, c_G=10.0, omega=0.8, sigma1=0.0,
            sigma2=0.0, dist=0)
DSG_POINTS = {
    "ignore_w0.5": dict(BASE, omega=0.5),
    "block_w0.65": dict(BASE, omega=0.65),
    "allow_w0.8": dict(BASE),
    "block_w0.97": dict(BASE, omega=0.97),
    "single_b3.25": dict(BASE, b1=3.25, omega=0.7),
    "asym_cG0_normal": dict(BASE, N1=1200.0, N2=1800.0, b1=2.5, c_G=0.0, omega=0.75, dist=1),
    "general": dict(N1=2100.0, N2=1300.0, b1=3.1, b2=0.9, c=180.0, c_G=25.0, omega=0.9, sigma1=0.0,
                    sigma2=0.0, dist=0),
}


def test_dsg_formula_transcription_matches_oracle():
    """The closed forms above reproduce the oracle's sigma = 0 points (guards the transcription)."""
    for case in ORACLE["point_cases"]:
        inp = case["inputs"]
        if inp["sigma1"] != 0 or inp["sigma2"] != 0:
            continue
        cf, exp = dsg_closed_form(inp), case["expected"]
        assert cf["regime"] == exp["regime"]
        for k in ("pi", "pi_nogray", "pi_sgl", "pi_cede", "p1_cede"):
            assert cf[k] == pytest.approx(exp[k], rel=1e-12)


@pytest.mark.parametrize("name", sorted(DSG_POINTS))
def test_deterministic_game_closed_form(name):
    P = DSG_POINTS[name]
    cf = dsg_closed_form(P)
    got = solve(P)
    assert got["regime"] == cf["regime"]
    assert got["theorem1"] == cf["theorem1"]
    for k, v in cf.items():
        if k in ("regime", "theorem1"):
            continue
        if isinstance(v, float) and math.isnan(v):
            assert math.isnan(got[k]), k
            continue
        if k.endswith("_alw") and not got["allow_admissible"]:
            continue
        if k.endswith("_blk") and not got["block_admissible"]:
            continue
        rtol = PROFIT_RTOL if k.startswith("pi") else (MU_RTOL if k == "mu" else DECISION_RTOL)
        assert got[k] == pytest.approx(v, rel=rtol, abs=rtol * P["c"]), (k, got[k], v)


def test_dsg_points_cover_regimes():
    assert {dsg_closed_form(P)["regime"] for P in DSG_POINTS.values()} >= {1, 2, 3, 4}


# =====================================================================================================
# building blocks
# =====================================================================================================
def test_uniform_quadrature_expected_sales():
    """E[min(q, m + eps)] for eps ~ U[-a, a], a = sqrt(3) sigma: analytic
    q (q - m <= -a), m (q - m >= a), m + k - (k + a)^2 / (4a) (k = q - m inside)."""
    rng = np.random.default_rng(1)
    for sigma in (0.5, 50.0, 700.0):
        a = math.sqrt(3) * sigma
        nz = Noise(sigma, 0)
        m = rng.uniform(-2 * a, 2000.0, 4000)
        k = rng.uniform(-1.5 * a, 1.5 * a, 4000)
        k[:3] = (-a, a, 0.0)
        q = m + k
        exact = np.where(k <= -a, q, np.where(k >= a, m, m + k - (k + a) ** 2 / (4 * a)))
        got = nz.emin(q, m)
        assert np.max(np.abs(got - exact) / np.maximum(np.abs(exact), a)) < 1e-13
        tail = np.clip((a - k) / (2 * a), 0.0, 1.0)
        assert np.max(np.abs(nz.tail(k) - tail)) < 1e-14


def test_normal_quadrature_expected_sales():
    """Normal noise: E[min(q, m + eps)] = m + k - sigma (x Phi(x) + phi(x)), x = k / sigma, and the
    tail probability, against scipy; measured error ~7e-15 (64 nodes per piece, support +-10 sigma)."""
    rng = np.random.default_rng(2)
    for sigma in (0.5, 50.0, 700.0):
        nz = Noise(sigma, 1)
        m = rng.uniform(-1000.0, 3000.0, 4000)
        x = rng.uniform(-9.0, 9.0, 4000)
        k = sigma * x
        exact = m + k - sigma * (x * norm.cdf(x) + norm.pdf(x))
        got = nz.emin(m + k, m)
        assert np.max(np.abs(got - exact) / np.maximum(np.abs(exact), sigma)) < 1e-13
        assert np.max(np.abs(nz.tail(k) - norm.sf(x))) < 1e-13


def test_numerical_stock_matches_critical_fractile():
    """The bracketed-Newton root of the derivative of the expected profit equals the critical
    fractile m + F^{-1}(1 - c/p) (used here only as a check)."""
    rng = np.random.default_rng(3)
    c = 250.0
    p = c * rng.uniform(1.001, 20.0, 500)
    m = rng.uniform(0.0, 2000.0, 500)
    for sigma in (10.0, 300.0):
        a = math.sqrt(3) * sigma
        q_u = Noise(sigma, 0).best_stock(p, m, c)
        assert np.max(np.abs(q_u - np.maximum(m + a * (1 - 2 * c / p), 0))) < 1e-9 * (a + m.max())
        q_n = Noise(sigma, 1).best_stock(p, m, c)
        assert np.max(np.abs(q_n - np.maximum(m + sigma * norm.isf(c / p), 0))) < 1e-9 * (sigma + m.max())
    assert np.all(Noise(50.0, 0).best_stock(np.array([200.0, 250.0]), 100.0, c) == 0.0)
    assert np.allclose(Noise(0.0, 0).best_stock(p, m, c), m)


def test_importer_response_pieces():
    """Numerical importer vs spec section 7 closed forms (interior, corner, kink) and vs a plain grid
    search of the profit; scalar and vectorised versions agree."""
    N2, b2, cG = 1500.0, 1.0, 10.0
    rng = np.random.default_rng(4)
    pieces = set()
    P1 = rng.uniform(250.0, 900.0, 300)
    P2 = rng.uniform(250.0, 1500.0, 300)
    W = rng.uniform(0.2, 0.98, 300)
    for p1, p2, w in zip(P1, P2, W):
        q, pG, prof, m2 = importer_response(p1, p2, N2, b2, w, cG)
        qv, pGv, profv, m2v = importer_response_vec(np.array([p1]), np.array([p2]), N2, b2, w, cG)
        assert q == pytest.approx(qv[0], rel=1e-12, abs=1e-9) and prof == pytest.approx(profv[0], rel=1e-12, abs=1e-9)
        C = p1 + cG
        if C >= w * p2 or C >= w * N2 / b2:
            assert q == 0.0 and prof == 0.0
            continue
        pk = p2 - (1 - w) * N2 / b2
        pI, pC = (w * p2 + C) / 2, (w * N2 / b2 + C) / 2
        if pI >= pk:
            pieces.add("interior")
            ref_p, ref_q = pI, b2 * (w * p2 - p1 - cG) / (2 * w * (1 - w))
            ref_m2 = N2 - b2 * p2 - w * ref_q
        elif pC <= pk:
            pieces.add("corner")
            ref_p, ref_q, ref_m2 = pC, (w * N2 - b2 * C) / (2 * w), 0.0
        else:
            pieces.add("kink")
            ref_p, ref_q, ref_m2 = pk, (N2 - b2 * p2) / w, 0.0
        assert pG == pytest.approx(ref_p, rel=1e-12)
        assert q == pytest.approx(ref_q, rel=1e-10, abs=1e-9)
        assert m2 == pytest.approx(ref_m2, abs=1e-8)
        # plain grid search on the profit from the utilities
        g = np.linspace(C, w * p2, 20001)
        th1 = b2 * (p2 - g) / (N2 * (1 - w))
        th2 = b2 * g / (w * N2)
        grid_best = np.max((g - C) * N2 * np.maximum(0.0, np.minimum(th1, 1.0) - th2))
        assert prof >= grid_best * (1 - 1e-12)
    assert pieces == {"interior", "corner", "kink"}
    # market 2 closed: importer is a monopolist
    q, pG, prof, m2 = importer_response(400.0, math.nan, N2, b2, 0.8, cG, open2=False)
    assert pG == pytest.approx((0.8 * N2 / b2 + 410.0) / 2, rel=1e-13)
    assert q == pytest.approx((0.8 * N2 - b2 * 410.0) / (2 * 0.8), rel=1e-12)


def test_invalid_domain_and_sigma_bound():
    assert solve(dict(BASE, omega=0.0))["invalid_reason"] == 1
    assert solve(dict(BASE, c_G=-1.0))["invalid_reason"] == 1
    assert solve(dict(BASE, dist=2))["invalid_reason"] == 1
    assert solve(dict(BASE, sigma1=float("nan")))["invalid_reason"] == 1
    bound = (1500.0 - 2.0 * 250.0) / math.sqrt(3)
    assert solve(dict(BASE, sigma1=bound * 1.0001, sigma2=50.0))["invalid_reason"] == 2
    common = {k: v for k, v in BASE.items() if k not in ("sigma1", "sigma2")} | {"sigma": 40.0}
    assert solve(common)["pi"] == solve(dict(BASE, sigma1=40.0, sigma2=40.0))["pi"]
