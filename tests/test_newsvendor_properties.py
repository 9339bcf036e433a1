"""Property tests (hypothesis) for ``stochastic_newsvendor``.

Every property comes from the model spec ``shared/models/stochastic_newsvendor.md`` (section numbers
below refer to it): the engine contract for valid / invalid points (§3, §12), optimality of the
regime logic (§9.2), Theorem 1 (§8.1-8.3), the closed-form deterministic game (§10) and the
``*_det`` twin (§9.5), the regime sequence along omega and the growth of the single-market region
with sigma (§9.2 (ii), (iii)), errata 1, 3 and 12 of §14, Fig. 5's stock ratios and uniform
pricing (§8.6, §11.3).

Strategies land in the relevant region by construction: N_i, b_i, c are drawn first, then sigma_i
below its bound ``N_i - b_i c - sqrt(3) sigma_i > 0`` (§3 item 2), so almost every example is valid.
The closed forms of §10 are recomputed here independently of fastmap.
"""

from __future__ import annotations

import math
import os
import re

import numpy as np
from hypothesis import HealthCheck, assume, event, example, given, note, settings
from hypothesis import strategies as st

import fastmap

MODEL = "stochastic_newsvendor"
SQ3 = math.sqrt(3.0)

# NV_EXAMPLES_SCALE=20 for a long hunting run (default keeps the file well under 60 s)
SCALE = float(os.environ.get("NV_EXAMPLES_SCALE", "1"))


def n_ex(n):
    return max(1, int(n * SCALE))


SETTINGS = settings(max_examples=n_ex(150), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
FAST = settings(max_examples=n_ex(60), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

IGNORE, BLOCK, ALLOW, SINGLE, CEDE = 1, 2, 3, 4, 5


# --------------------------------------------------------------------------------------- helpers

def solve(**params) -> dict[str, np.ndarray]:
    return fastmap.solve(MODEL, **params)


def solve1(**params) -> dict[str, float]:
    """fastmap at one scalar point, as Python numbers."""
    return {k: v.item() for k, v in solve(**params).items()}


def close(a, b, rel=1e-9, scale=1.0):
    return abs(a - b) <= rel * max(abs(a), abs(b), scale)


def unit(lo=0.0, hi=1.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def points(draw, sigma_frac=(0.0, 0.97), omega=(0.05, 0.999), common_sigma=None, dist=None,
           cg_frac=(0.0, 0.25)):
    """A point inside the domain of §3 items 1-2 (items 3-5 may still fail)."""
    N1 = draw(unit(200.0, 4000.0))
    b2 = draw(unit(0.3, 5.0))
    if draw(st.integers(0, 3)) == 0:  # anywhere
        N2 = draw(unit(200.0, 4000.0))
        b1 = draw(unit(0.3, 5.0))
    else:  # market 1 more price sensitive: the gray market is active for large omega
        N2 = N1 * draw(unit(0.6, 1.5))
        b1 = b2 * draw(unit(1.0, 4.5))
    c = draw(unit(0.03, 0.9)) * min(N1 / b1, N2 / b2)
    c_G = draw(unit(*cg_frac)) * c
    # three draws in four aim omega above the deterministic ignore threshold (gray market active)
    w_ign = ((N1 + b1 * c) / (2 * b1) + c_G) / ((N2 + b2 * c) / (2 * b2))
    lo = max(omega[0], min(0.97 * w_ign, omega[1] - 0.05))
    if lo < omega[1] and draw(st.integers(0, 3)) > 0:
        w = draw(unit(lo, omega[1]))
    else:
        w = draw(unit(*omega))
    d = draw(st.sampled_from([0, 1])) if dist is None else dist
    f1 = draw(unit(*sigma_frac))
    if common_sigma is None:
        common_sigma = draw(st.booleans())
    if common_sigma:
        s = f1 * min(N1 - b1 * c, N2 - b2 * c) / SQ3
        sig = dict(sigma=s)
    else:
        f2 = draw(unit(*sigma_frac))
        sig = dict(sigma1=f1 * (N1 - b1 * c) / SQ3, sigma2=f2 * (N2 - b2 * c) / SQ3)
    return dict(N1=N1, N2=N2, b1=b1, b2=b2, c=c, c_G=c_G, omega=w, dist=d, **sig)


@st.composite
def paper_points(draw, omega=(0.3, 0.999)):
    """Paper's experiment grid (§3): N = 1500, c = 250, c_G = 10, b2 = 1."""
    return dict(N1=1500.0, N2=1500.0, b1=draw(unit(1.25, 4.0)), b2=1.0, c=250.0, c_G=10.0,
                omega=draw(unit(*omega)), sigma=draw(unit(10.0, 120.0)),
                dist=draw(st.sampled_from([0, 1])))


def det_params(p):
    q = {k: v for k, v in p.items() if k not in ("sigma", "sigma1", "sigma2")}
    q["sigma"] = 0.0
    return q


def dsg(N1, N2, b1, b2, c, c_G, omega):
    """The deterministic game of §10 in closed form (independent of fastmap)."""
    w = omega
    a1 = w * w * b1 + b2
    a2 = b2 + w * (2 - w) * b1
    k = b2 / (2 * w * (1 - w))
    out = {}
    pt1, pt2 = (N1 + b1 * c) / (2 * b1), (N2 + b2 * c) / (2 * b2)
    Pi1, Pi2 = (N1 - b1 * c) ** 2 / (4 * b1), (N2 - b2 * c) ** 2 / (4 * b2)
    out.update(p1_nogray=pt1, p2_nogray=pt2, pi_nogray=Pi1 + Pi2, s_nogray=w * pt2 - pt1,
               omega_ign=(pt1 + c_G) / pt2, reverse=w * pt1 - pt2 - c_G > 0)
    # block
    pb1 = (w * w * (N1 + b1 * c) + w * (N2 + b2 * c) - 2 * b2 * c_G) / (2 * a1)
    pb2 = (w * (N1 + b1 * c) + N2 + b2 * c + 2 * w * b1 * c_G) / (2 * a1)
    out.update(p1_blk=pb1, p2_blk=pb2,
               pi_blk=(pb1 - c) * (N1 - b1 * pb1) + (pb2 - c) * (N2 - b2 * pb2),
               blk_adm=(N1 - b1 * pb1 > 0) and (N2 - b2 * pb2 > 0))
    mu = -(2 * w * (1 - w) * (w * b1 * N2 - b2 * N1) - b2 * (1 - w) * c * a2
           - b2 * c_G * (b2 + w * (4 - 3 * w) * b1)) / (2 * w * (1 - w) * a1)
    out["mu"] = mu
    # allow (extended quadratic's maximiser; feasible iff mu < 0)
    pa1 = c / 2 + (w * (2 - w) * N1 + w * N2 - b2 * c_G) / (2 * a2)
    pa2 = c / 2 + (b2 * (w * N1 + N2) + 2 * w * (1 - w) * b1 * N2 + w * b1 * b2 * c_G) / (2 * b2 * a2)
    qG = -a1 * mu / (2 * a2)
    m1, m2 = N1 - b1 * pa1 + qG, N2 - b2 * pa2 - w * qG
    out.update(p1_alw=pa1, p2_alw=pa2, q_G_alw=qG, q1_alw=m1, q2_alw=m2,
               pi_alw=(pa1 - c) * m1 + (pa2 - c) * m2,
               alw_adm=(N1 - b1 * pa1 > 0) and (m2 > 0), k=k)
    s = w * pa2 - pa1
    out["pi_ext"] = ((pa1 - c) * (N1 - b1 * pa1) + (pa2 - c) * (N2 - b2 * pa2)
                     - k * (s - c_G) * (s + c * (1 - w)))
    out["pi_sgl"] = Pi2
    # cede market 2
    Np = N1 + N2 / 2 - b2 * c_G / (2 * w)
    bp = b1 + b2 / (2 * w)
    pc = (Np + bp * c) / (2 * bp)
    qGc = (w * N2 - b2 * (pc + c_G)) / (2 * w)
    out.update(p1_cede=pc, q_G_cede=qGc, pi_cede=(Np - bp * c) ** 2 / (4 * bp),
               cede_exists=Np - bp * c > 0,
               cede_adm=(Np - bp * c > 0) and qGc > 0 and (N1 - b1 * pc > 0))
    # regime (§9.2)
    if out["s_nogray"] <= c_G:
        t1, piT = IGNORE, Pi1 + Pi2
    elif mu >= 0:
        t1, piT = BLOCK, (out["pi_blk"] if out["blk_adm"] else -math.inf)
    else:
        t1, piT = ALLOW, (out["pi_alw"] if out["alw_adm"] else -math.inf)
    pic = out["pi_cede"] if out["cede_adm"] else -math.inf
    reg = t1
    if Pi2 > piT:
        reg = SINGLE
    if pic > max(piT, Pi2):
        reg = CEDE
    wholesale = (out["cede_exists"] and qGc > 0 and not out["cede_adm"]
                 and out["pi_cede"] > max(piT, Pi2, pic))
    out.update(theorem1=t1, regime=reg, pi_T1=piT, wholesale=wholesale,
               margins=[abs(out["s_nogray"] - c_G) / max(1.0, abs(c_G), pt2),
                        abs(mu) / max(1.0, abs(mu), c),
                        abs(Pi2 - piT) / max(1.0, abs(Pi2)) if piT > -math.inf else 1.0,
                        abs(pic - max(piT, Pi2)) / max(1.0, Pi2) if pic > -math.inf else 1.0])
    return out


CODE_NAMES = ("regime", "invalid_reason", "theorem1", "block_side", "regime_uniform", "regime_det",
              "allow_interior", "block_admissible", "allow_admissible", "cede_admissible",
              "reverse_gray_risk")

CHOSEN_DECISIONS = {  # §12: p1 NaN in regime 4, p2 NaN in regime 5
    IGNORE: ("p1", "p2"), BLOCK: ("p1", "p2"), ALLOW: ("p1", "p2"),
    SINGLE: ("p2",), CEDE: ("p1",),
}


# --------------------------------------------------------------------------------------- invariants

@SETTINGS
@given(points())
def test_valid_points_are_finite(p):
    r = solve1(**p)
    reg = r["regime"]
    event(f"regime {reg}")
    if reg == 0:
        return
    assert r["invalid_reason"] == 0
    for name in ("pi", "pi_nogray", "q1", "q2", "q_G", "pi1", "pi2", "pi_sgl", "ratio_uniform",
                 "gray_cost") + CHOSEN_DECISIONS[reg]:
        assert math.isfinite(r[name]), (name, r[name])
    if reg == SINGLE:
        assert math.isnan(r["p1"]) and r["q1"] == 0
    if reg == CEDE:
        assert math.isnan(r["p2"]) and r["q2"] == 0 and r["q_G"] > 0
    assert r["q1"] >= 0 and r["q2"] >= 0 and r["q_G"] >= 0
    assert math.isnan(r["wholesale_value"])


special = st.sampled_from([0.0, -0.0, 5e-324, 2.2e-308, 1e-300, 1e300, -1e300, -1.0, 1.0,
                           math.nan, math.inf, -math.inf, 1500.0, 250.0, 0.5, 0.999999])
any_float = st.one_of(special, st.floats(allow_nan=True, allow_infinity=True))


def _check_invalid_contract(r):
    """§3 / §12: invalid points have every float NaN (but wholesale_value for reason 5), codes 0."""
    bad = r["regime"] == 0
    reason = r["invalid_reason"]
    assert np.all((reason[bad] >= 1) & (reason[bad] <= 6))  # 6: not_representable
    assert np.all(reason[~bad] == 0)
    for name, v in r.items():
        if name == "invalid_reason":
            continue
        if v.dtype.kind in "iub":
            assert np.all(v[bad] == 0), name
        elif name == "wholesale_value":
            w5 = bad & (reason == 5)
            assert np.all(np.isfinite(v[w5]))
            assert np.all(np.isnan(v[~w5]))
        else:
            assert np.all(np.isnan(v[bad])), name


@settings(max_examples=n_ex(150), deadline=None)
@given(N1=any_float, N2=any_float, b1=any_float, b2=any_float, c=any_float, c_G=any_float,
       omega=any_float, s1=any_float, s2=any_float, common=st.booleans(),
       dist=st.one_of(st.sampled_from([0, 1]), any_float))
# market 1's scales ~1e-323 against market 2's 1e3: no unit holds both, not_representable (6)
@example(N1=5e-324, N2=1500.0, b1=5e-324, b2=2.2e-308, c=5e-324, c_G=0.0, omega=0.5, s1=0.0,
         s2=0.0, common=False, dist=0)
def test_solve_never_raises_and_invalid_contract(N1, N2, b1, b2, c, c_G, omega, s1, s2, common, dist):
    sig = dict(sigma=s1) if common else dict(sigma1=s1, sigma2=s2)
    r = solve(N1=N1, N2=N2, b1=b1, b2=b2, c=c, c_G=c_G, omega=omega, dist=dist, **sig)
    _check_invalid_contract(r)
    if int(r["regime"]) > 0:
        assert dist in (0, 1)
        assert all(math.isfinite(x) for x in (N1, N2, b1, b2, c, c_G, omega, s1))
        assert N1 > 0 and N2 > 0 and b1 > 0 and b2 > 0 and c > 0 and c_G >= 0 and 0 < omega < 1


@SETTINGS
@given(points(sigma_frac=(0.0, 1.3)), st.sampled_from(["none", "omega", "sigma", "N1", "c_G"]))
def test_invalid_contract_near_the_domain(p, breaker):
    """Points near / beyond the sigma bound and the domain edges (reasons 1-5)."""
    p = dict(p)
    if breaker == "omega":
        p["omega"] = 1.0 + p["omega"] * 0.1
    elif breaker == "N1":
        p["N1"] = -p["N1"]
    elif breaker == "c_G":
        p["c_G"] = -1e-3 - p["c_G"]
    r = solve(**p)
    _check_invalid_contract(r)
    reason = int(r["invalid_reason"])
    event(f"reason {reason}")
    if breaker in ("omega", "N1", "c_G"):
        assert reason == 1
    s1 = p.get("sigma1", p.get("sigma"))
    s2 = p.get("sigma2", p.get("sigma"))
    over = (p["N1"] - p["b1"] * p["c"] - SQ3 * s1 <= 0) or (p["N2"] - p["b2"] * p["c"] - SQ3 * s2 <= 0)
    if breaker == "none":
        assert (reason == 2) == over


def test_broadcasting_shapes_and_mixed_validity():
    w = np.array([[-0.1], [0.5], [0.8], [1.0]])
    s = np.array([0.0, 50.0, 1e6])
    r = solve(N1=1500.0, N2=1500.0, b1=2.0, b2=1.0, c=250.0, c_G=10.0, omega=w, sigma=s, dist=0)
    assert r["regime"].shape == (4, 3)
    _check_invalid_contract(r)
    assert np.all(r["invalid_reason"][[0, 3], :] == 1)
    assert np.all(r["invalid_reason"][1:3, 2] == 2)
    assert np.all(r["regime"][1:3, :2] > 0)


# --------------------------------------------------------------------------------------- optimality

@SETTINGS
@given(points())
def test_optimum_beats_every_admissible_candidate(p):
    r = solve1(**p)
    assume(r["regime"] > 0)
    reg = r["regime"]
    event(f"regime {reg}")
    pi = r["pi"]
    tol = 1e-9 * max(1.0, abs(r["pi_nogray"]))
    cands = {"pi_sgl": r["pi_sgl"], "pi_blk": r["pi_blk"], "pi_alw": r["pi_alw"],
             "pi_cede": r["pi_cede"]}
    if r["s_nogray"] <= p["c_G"]:
        cands["pi_nogray"] = r["pi_nogray"]  # ignore is feasible only here
    for name, v in cands.items():
        if not math.isnan(v):
            assert pi >= v - tol, (name, v, pi)
    # the reported optimum is one of the candidates
    assert any(close(pi, v, 1e-9, tol) for v in cands.values() if not math.isnan(v))
    # admissibility flags agree with NaN-ness of the candidate values
    assert (not math.isnan(r["pi_blk"])) == bool(r["block_admissible"])
    assert (not math.isnan(r["pi_alw"])) == bool(r["allow_admissible"])
    assert (not math.isnan(r["pi_cede"])) == bool(r["cede_admissible"])
    # chosen regime's own value
    own = {IGNORE: r["pi_nogray"], BLOCK: r["pi_blk"], ALLOW: r["pi_alw"], SINGLE: r["pi_sgl"],
           CEDE: r["pi_cede"]}[reg]
    assert close(pi, own, 1e-9, tol)
    assert close(pi, r["pi1"] + r["pi2"], 1e-9, tol)


def _nv(p, sigma, c, dist):
    """§0 / §6: safety stock z(p) and mismatch cost l(p) (independent of fastmap)."""
    from scipy.stats import norm
    u = 1 - c / p
    if sigma == 0:
        return np.zeros_like(p), np.zeros_like(p)
    if dist == 0:
        return SQ3 * sigma * (2 * u - 1), SQ3 * sigma * c * u
    xi = norm.ppf(u)
    return sigma * xi, sigma * p * norm.pdf(xi)


def both_market_value(pt, p1, p2):
    """Expected profit of keeping both markets open at prices (p1, p2) with optimal stocks and the
    importer's best response (§8.3: psi = k (s - c_G)^+), NaN where the reduction does not apply
    (price <= c, non-positive consumer demand / stock, m2 <= 0)."""
    s1 = pt.get("sigma1", pt.get("sigma"))
    s2 = pt.get("sigma2", pt.get("sigma"))
    w, c, cG = pt["omega"], pt["c"], pt["c_G"]
    k = pt["b2"] / (2 * w * (1 - w))
    psi = k * np.maximum(w * p2 - p1 - cG, 0.0)
    z1, l1 = _nv(p1, s1, c, pt["dist"])
    z2, l2 = _nv(p2, s2, c, pt["dist"])
    d1 = pt["N1"] - pt["b1"] * p1
    m1 = d1 + psi
    m2 = pt["N2"] - pt["b2"] * p2 - w * psi
    v = (p1 - c) * m1 - l1 + (p2 - c) * m2 - l2
    ok = (p1 > c) & (p2 > c) & (d1 > 0) & (d1 + z1 > 0) & (m2 > 0) & (m2 + z2 > 0)
    return np.where(ok, v, np.nan)


@SETTINGS
@given(points(), st.integers(0, 2**32 - 1))
def test_optimum_beats_random_both_market_prices(p, seed):
    """Independent check of optimality (§9.2): no price pair, valued by the spec's reduction (§6)
    and the importer's response (§8.3), beats fastmap's pi.  Prices are drawn near the optimum,
    near the no-importer prices, on the blocking line and uniformly in a box."""
    r = solve1(**p)
    assume(r["regime"] > 0)
    rng = np.random.default_rng(seed)
    n = 400
    c, w, cG = p["c"], p["omega"], p["c_G"]
    c1 = r["p1"] if math.isfinite(r["p1"]) else r["p1_nogray"]
    c2 = r["p2"] if math.isfinite(r["p2"]) else r["p2_nogray"]
    hi1, hi2 = p["N1"] / p["b1"], p["N2"] / p["b2"]
    p1 = np.concatenate([c1 * (1 + 0.02 * rng.standard_normal(n)),
                         r["p1_nogray"] * (1 + 0.05 * rng.standard_normal(n)),
                         rng.uniform(c, max(hi1, c * 1.001), n),
                         rng.uniform(c, max(hi1, c * 1.001), n)])
    p2 = np.concatenate([c2 * (1 + 0.02 * rng.standard_normal(n)),
                         r["p2_nogray"] * (1 + 0.05 * rng.standard_normal(n)),
                         rng.uniform(c, max(hi2, c * 1.001), n),
                         np.zeros(n)])
    p2[3 * n:] = (p1[3 * n:] + cG) / w  # on the blocking line
    if r["regime"] in (IGNORE, BLOCK, ALLOW):  # the valuation reproduces fastmap at its optimum
        v0 = both_market_value(p, np.array([r["p1"]]), np.array([r["p2"]]))[0]
        assert close(v0, r["pi"], 1e-9, abs(r["pi_nogray"])), (v0, r["pi"])
    v = both_market_value(p, p1, p2)
    assume(np.isfinite(v).any())
    best = np.nanmax(v)
    event(f"regime {r['regime']}")
    i = int(np.nanargmax(v))
    assert r["pi"] >= best - 1e-9 * max(1.0, abs(r["pi_nogray"])), (p1[i], p2[i], best, r["pi"])


@SETTINGS
@given(points())
def test_gray_market_never_helps_unless_cede(p):
    """pi <= pi_nogray (gray_cost >= 0) for regimes 1-4: ignore equals pi_nogray, block is a
    constrained version of the no-importer problem, allow subtracts k (s - c_G)(s + c(1-w)) >= 0,
    single drops Pi~1 > 0.  Cede (§8.5, §9.2 (i)) can beat pi_nogray: not asserted there."""
    r = solve1(**p)
    assume(r["regime"] > 0)
    event(f"regime {r['regime']}")
    tol = 1e-9 * max(1.0, abs(r["pi_nogray"]))
    if r["regime"] in (IGNORE, BLOCK, ALLOW, SINGLE):
        assert r["pi"] <= r["pi_nogray"] + tol
        assert r["gray_cost"] >= -1e-9
    if r["regime"] == IGNORE:
        assert close(r["pi"], r["pi_nogray"], 1e-12, tol)
    if r["regime"] == CEDE and r["pi"] > r["pi_nogray"]:
        event("cede beats pi_nogray")


def test_cede_can_beat_no_importer_profit():
    """§9.2 (i): 'cede can beat even pi~ when market 2 is very noisy' — exhibit such points
    (found by random search; ~1% of random points of the domain are cede with pi > pi_nogray)."""
    base = dict(N1=1800.0, N2=1480.0, b1=4.44, b2=2.38, c=263.0, c_G=41.5, omega=0.924,
                sigma1=135.0, sigma2=445.0)
    for d in (0, 1):
        r = solve1(dist=d, **base)
        assert r["regime"] == CEDE
        assert r["pi"] > r["pi_nogray"]
        assert r["gray_cost"] < 0
        assert r["q_G"] > 0 and r["q2"] == 0 and math.isnan(r["p2"])


# --------------------------------------------------------------------------------------- Theorem 1

@SETTINGS
@given(points(omega=(0.3, 0.999), cg_frac=(0.0, 0.1)))
def test_theorem1(p):
    r = solve1(**p)
    assume(r["regime"] > 0)
    t1 = r["theorem1"]
    event(f"theorem1 {t1}")
    s, cG, w = r["s_nogray"], p["c_G"], p["omega"]
    assert close(s, w * r["p2_nogray"] - r["p1_nogray"], 1e-12, r["p2_nogray"])
    assert close(r["omega_ign"], (r["p1_nogray"] + cG) / r["p2_nogray"], 1e-12)
    if abs(s - cG) > 1e-9 * r["p2_nogray"]:
        assert (t1 == IGNORE) == (s <= cG) == (w <= r["omega_ign"])
    if s > cG:
        assert t1 in (BLOCK, ALLOW)
        assert (t1 == BLOCK) == (r["mu"] >= 0)
        assert r["allow_interior"] == (r["mu"] < 0)
        k = p["b2"] / (2 * w * (1 - w))
        assert close(r["t0"], k * (cG + p["c"] * (1 - w)), 1e-12)
        assert close(r["mu"], r["t0"] - r["tau_B"], 1e-9, r["t0"])
        if r["regime"] == BLOCK:
            assert r["block_side"] == (1 if r["dmu_domega"] < 0 else 2)
    else:
        assert math.isnan(r["mu"]) and math.isnan(r["tau_B"])
        assert r["allow_interior"] == 0
    if r["regime"] != BLOCK:
        assert r["block_side"] == 0
    if r["regime"] in (IGNORE, BLOCK, ALLOW):
        assert r["regime"] == t1
    if not math.isnan(r["p1_blk"]):
        p1b, p2b = r["p1_blk"], r["p2_blk"]
        assert close(w * p2b - p1b, cG, 1e-9, p2b)
        assert r["p1_nogray"] < p1b < w * r["p2_nogray"] - cG
        assert r["q_G"] == 0 or r["regime"] != BLOCK
    if not math.isnan(r["p1_alw"]):
        assert t1 == ALLOW
        assert r["q_G_alw"] > 0
        assert w * r["p2_alw"] - r["p1_alw"] > cG
        k = p["b2"] / (2 * w * (1 - w))
        assert close(r["q_G_alw"], k * (w * r["p2_alw"] - r["p1_alw"] - cG), 1e-9, 1e-9)
        assert r["pi_alw"] >= r["pi_blk"] - 1e-9 * abs(r["pi_alw"]) if not math.isnan(r["pi_blk"]) else True


@FAST
@given(points(omega=(0.3, 0.999)), st.floats(1e-4, 1e-2))
def test_dmu_domega_matches_finite_difference(p, hrel):
    """§9.3: dmu/domega 'verified vs finite differences'.  Restricted to points where the block
    point exists (block_admissible): where P2(omega tau_B) is clamped (§6.4) fastmap's dmu_domega
    is wrong, see test_dmu_domega_when_p2_clamped."""
    r = solve1(**p)
    assume(r["regime"] > 0 and r["s_nogray"] > p["c_G"] and r["block_admissible"] == 1)
    w = p["omega"]
    h = hrel * min(w, 1 - w) * 0.5
    rp = solve1(**{**p, "omega": w + h})
    rm = solve1(**{**p, "omega": w - h})
    assume(all(math.isfinite(x["mu"]) and x["block_admissible"] == 1 for x in (rp, rm)))
    fd = (rp["mu"] - rm["mu"]) / (2 * h)
    scale = max(abs(fd), abs(r["dmu_domega"]), abs(r["mu"]) / min(w, 1 - w), 1.0)
    assert abs(fd - r["dmu_domega"]) <= 1e-3 * scale, (fd, r["dmu_domega"])


def test_dmu_domega_when_p2_clamped():
    """Regression (fixed): counterexample found by hypothesis.  Here omega*tau_B = 77.97 exceeds max h2 = 70.86, so
    P2(omega tau_B) is the clamp p_m = 55.547 (§6.4, block inadmissible) and, with P2' = 0 (§6.4),
    d tau_B/d omega = -p_m h1' = 444.4 and dmu/domega = dt0/domega - 444.4 = -464.4 (= finite
    differences of fastmap's own mu).  fastmap reported +63.10 = dt0/domega + tau_B/omega, the
    h2' -> 0 limit of §9.3's formula without the clamp rule."""
    p = dict(N1=200.0, N2=200.0, b1=4.0, b2=1.0, c=37.5, c_G=0.0, sigma1=0.0,
             sigma2=70.36456405748564, dist=0)
    w, h = 0.96875, 1e-6
    r = solve1(omega=w, **p)
    fd = (solve1(omega=w + h, **p)["mu"] - solve1(omega=w - h, **p)["mu"]) / (2 * h)
    assert abs(fd - (-464.35)) < 0.1
    assert abs(r["dmu_domega"] - fd) <= 1e-4 * abs(fd), (r["dmu_domega"], fd)


# --------------------------------------------------------------------------------------- sigma = 0

@SETTINGS
@given(points(sigma_frac=(0.0, 0.0), common_sigma=True, omega=(0.05, 0.999)))
def test_sigma0_matches_closed_forms(p):
    r = solve1(**p)
    d = dsg(p["N1"], p["N2"], p["b1"], p["b2"], p["c"], p["c_G"], p["omega"])
    note(str(d))
    assume(min(d["margins"]) > 1e-9)
    if d["reverse"]:
        assert r["regime"] == 0 and r["invalid_reason"] == 4
        return
    if d["wholesale"]:
        assert r["regime"] == 0 and r["invalid_reason"] == 5
        assert close(r["wholesale_value"], d["pi_cede"], 1e-9)
        return
    event(f"regime {d['regime']}")
    assert r["regime"] == d["regime"]
    assert r["theorem1"] == d["theorem1"]
    for name in ("p1_nogray", "p2_nogray", "pi_nogray", "s_nogray", "omega_ign", "pi_sgl"):
        assert close(r[name], d[name], 1e-9, p["c"]), name
    if d["theorem1"] != IGNORE:
        assert close(r["mu"], d["mu"], 1e-9, p["c"])
        if d["blk_adm"]:
            for name in ("p1_blk", "p2_blk", "pi_blk"):
                assert close(r[name], d[name], 1e-9, p["c"]), name
        else:
            assert math.isnan(r["pi_blk"])
    if d["theorem1"] == ALLOW:
        if d["alw_adm"]:
            for name in ("p1_alw", "p2_alw", "q_G_alw", "q1_alw", "q2_alw", "pi_alw"):
                assert close(r[name], d[name], 1e-9, p["c"]), name
        else:
            assert math.isnan(r["pi_alw"])
    if d["cede_adm"]:
        for name in ("p1_cede", "q_G_cede", "pi_cede"):
            assert close(r[name], d[name], 1e-9, p["c"]), name
    assert bool(r["cede_admissible"]) == d["cede_adm"]
    # at sigma = 0 the deterministic twin is the point itself
    assert r["regime_det"] == r["regime"]
    for x in ("p1", "p2", "q1", "q2", "pi", "q_G", "pi_G", "mu"):
        a, b = r[x + "_det"], r[x]
        assert (math.isnan(a) and math.isnan(b)) or close(a, b, 1e-12, p["c"]), x


def test_prop7_paper_numbers():
    """§10 paper check (oracle dsg_sigma0_w0.80_allow)."""
    r = solve1(N1=1500.0, N2=1500.0, b1=2.0, b2=1.0, c=250.0, c_G=10.0, omega=0.8, sigma=0.0,
               dist=0)
    assert r["regime"] == ALLOW
    for name, v in (("p1", 575.342466), ("p2", 754.452055), ("q_G", 56.934932), ("q1", 406.25),
                    ("q2", 700.0), ("pi", 485286.815068)):
        assert abs(r[name] - v) <= 1e-6 * abs(v), name


@SETTINGS
@given(points())
def test_det_outputs_equal_sigma0_solution(p):
    r = solve1(**p)
    r0 = solve1(**det_params(p))
    event(f"regime_det {r['regime_det']}")
    if r["regime"] == 0:
        # §3 / §12: every code of an invalid point is 0, regime_det included
        assert r["regime_det"] == 0 and math.isnan(r["p1_det"])
        return
    assert r["regime_det"] == r0["regime"]
    if r0["regime"] == 0 or r["regime"] == 0:
        return
    for x in ("p1", "p2", "q1", "q2", "pi", "q_G", "pi_G", "mu"):
        a, b = r[x + "_det"], r0[x]
        assert (math.isnan(a) and math.isnan(b)) or close(a, b, 1e-12, p["c"]), (x, a, b)
    a, b = r["pi_uni_det"], r0["pi_uni"]
    assert close(a, b, 1e-12, p["c"])


# ----------------------------------------------------------------------------- regimes along omega

OMEGA_GRID = np.linspace(0.3, 0.999, 1400)
# ignore -> block -> [allow ->] (block | single), where a block after allow may itself end in single
# (12324 observed, e.g. b1 = 2.171875, sigma = 10: block on omega in (0.9875, 0.9902), then single)
SEQ_OK = re.compile(r"^1(2(3(2?4|2)?|4)?)?$")


def rle(a):
    a = list(a)
    return [x for i, x in enumerate(a) if i == 0 or a[i - 1] != x]


@settings(max_examples=n_ex(100), deadline=None)
@given(b1=unit(1.25, 4.0), sigma=unit(10.0, 120.0), dist=st.sampled_from([0, 1]))
def test_regime_sequence_along_omega(b1, sigma, dist):
    r = solve(N1=1500.0, N2=1500.0, b1=b1, b2=1.0, c=250.0, c_G=10.0, omega=OMEGA_GRID,
              sigma=sigma, dist=dist)
    reg = r["regime"]
    seq = "".join(str(x) for x in rle(reg))
    event(seq)
    assert SEQ_OK.match(seq), seq
    # §9.3: block before the allow region is 'strength' (1), block after it 'weakness' (2)
    if "3" in seq:
        first_allow = np.argmax(reg == ALLOW)
        blk = reg == BLOCK
        idx = np.arange(len(reg))
        assert np.all(r["block_side"][blk & (idx < first_allow)] == 1)
        assert np.all(r["block_side"][blk & (idx > first_allow)] == 2)
    assert np.all((r["block_side"] > 0) == (reg == BLOCK))


@settings(max_examples=n_ex(60), deadline=None)
@given(s_a=unit(0.0, 119.0), ds=unit(0.01, 120.0), dist=st.sampled_from([0, 1]))
def test_single_market_region_grows_with_sigma(s_a, ds, dist):
    lo, hi = s_a, min(120.0, s_a + ds)
    kw = dict(N1=1500.0, N2=1500.0, b1=2.5, b2=1.0, c=250.0, c_G=10.0, omega=OMEGA_GRID, dist=dist)
    ra = solve(sigma=lo, **kw)["regime"] == SINGLE
    rb = solve(sigma=hi, **kw)["regime"] == SINGLE
    assert np.all(rb[ra]), OMEGA_GRID[ra & ~rb]


def test_single_market_onsets_paper_grid():
    """§9.2 (iii): onsets 0.8458, 0.8295, 0.8126, 0.7949, 0.7766 for sigma = 0 .. 120 (uniform)."""
    w = np.linspace(0.7, 0.9, 20001)
    for s, onset in zip((0, 30, 60, 90, 120), (0.8458, 0.8295, 0.8126, 0.7949, 0.7766)):
        r = solve(N1=1500.0, N2=1500.0, b1=2.5, b2=1.0, c=250.0, c_G=10.0, omega=w, sigma=s,
                  dist=0)
        first = w[np.argmax(r["regime"] == SINGLE)]
        assert abs(first - onset) < 1.5e-4, (s, first)


# --------------------------------------------------------------------------------------- errata

@SETTINGS
@given(N=unit(300.0, 4000.0), b1=unit(0.3, 5.0), b2=unit(0.3, 5.0), cf=unit(0.05, 0.9),
       cgf=unit(0.0, 0.2), omega=unit(0.05, 0.99))
def test_erratum1_prop8_block_prices(N, b1, b2, cf, cgf, omega):
    c = cf * N / max(b1, b2)
    c_G = cgf * c
    w = omega
    a1 = w * w * b1 + b2
    printed_p1 = (N * (w + w * w) + c * a1 - 2 * b2 * c_G) / (2 * a1)
    printed_p2 = (N * (1 + w) + c * a1 + 2 * w * b1 * c_G) / (2 * a1)
    d = dsg(N, N, b1, b2, c, c_G, w)
    # printed prices are off by the amounts of §14.1 and violate the blocking line
    assert close(printed_p1 - d["p1_blk"], c * b2 * (1 - w) / (2 * a1), 1e-9, c)
    assert close(d["p2_blk"] - printed_p2, c * w * b1 * (1 - w) / (2 * a1), 1e-9, c)
    assert abs(w * printed_p2 - printed_p1 - c_G) > 1e-6 * c
    assert close(w * d["p2_blk"] - d["p1_blk"], c_G, 1e-9, c)
    r = solve1(N1=N, N2=N, b1=b1, b2=b2, c=c, c_G=c_G, omega=w, sigma=0.0, dist=0)
    if r["block_admissible"]:
        event("fastmap block computed")
        assert close(r["p1_blk"], d["p1_blk"], 1e-9, c)
        assert close(r["p2_blk"], d["p2_blk"], 1e-9, c)
        assert close(w * r["p2_blk"] - r["p1_blk"], c_G, 1e-9, c)
        assert not close(r["p1_blk"], printed_p1, 1e-9, c)


@SETTINGS
@given(points(sigma_frac=(0.0, 0.0), common_sigma=True, omega=(0.3, 0.999), cg_frac=(0.0, 0.1)))
def test_erratum3_extended_allow_dominates_block(p):
    d = dsg(p["N1"], p["N2"], p["b1"], p["b2"], p["c"], p["c_G"], p["omega"])
    assume(d["s_nogray"] > p["c_G"] and not d["reverse"])
    # the allow formula is the stationary point of the extended quadratic (gradient = 0)
    pa1, pa2, w, c, cG, k = d["p1_alw"], d["p2_alw"], p["omega"], p["c"], p["c_G"], d["k"]
    s = w * pa2 - pa1
    T = k * (2 * s - cG + c * (1 - w))
    g1 = p["N1"] + p["b1"] * c - 2 * p["b1"] * pa1 + T
    g2 = p["N2"] + p["b2"] * c - 2 * p["b2"] * pa2 - w * T
    assert abs(g1) + abs(g2) <= 1e-9 * (p["N1"] + p["N2"] + T)
    # pi_a >= pi_b always (the block point lies on the extended quadratic with zero gray term)
    assert d["pi_ext"] >= d["pi_blk"] - 1e-9 * abs(d["pi_blk"])
    event("mu^d >= 0" if d["mu"] >= 0 else "mu^d < 0")
    r = solve1(**p)
    assume(r["regime"] > 0)
    if d["mu"] >= 0 and abs(d["mu"]) > 1e-9 * c:
        # paper's rule would pick pi_a; fastmap picks block (or single/cede)
        assert r["theorem1"] == BLOCK
        assert r["q_G"] == 0
        assert r["regime"] in (BLOCK, SINGLE, CEDE)
        assert d["q_G_alw"] <= 0  # the extended maximiser is infeasible (q_G <= 0)
        if r["block_admissible"]:
            assert d["pi_ext"] >= r["pi_blk"] - 1e-9 * abs(r["pi_blk"])


@SETTINGS
@given(points(sigma_frac=(0.01, 0.97), omega=(0.05, 0.999)))
def test_erratum12_prop6_ssg_prices_below_dsg(p):
    r = solve1(**p)
    assume(r["regime"] in (IGNORE, BLOCK, ALLOW) and r["regime_det"] in (IGNORE, BLOCK, ALLOW))
    event(f"{r['regime']}/{r['regime_det']}")
    tol = 1e-9 * p["c"]
    assert r["p1"] <= r["p1_det"] + tol, (r["p1"], r["p1_det"])
    assert r["p2"] <= r["p2_det"] + tol, (r["p2"], r["p2_det"])


# ------------------------------------------------------------------------------ Fig. 5 and uniform

@SETTINGS
@given(paper_points(omega=(0.5, 0.999)))
def test_fig5_stock_ratios(p):
    r = solve1(**p)
    assume(r["regime"] in (BLOCK, ALLOW))
    event(f"regime {r['regime']}")
    assert close(r["q1_ratio"], r["q1"] / r["q1_nogray"], 1e-12)
    assert close(r["q2_ratio"], r["q2"] / r["q2_nogray"], 1e-12)
    assert r["q1_ratio"] < 1 < r["q2_ratio"]


@SETTINGS
@given(points())
def test_uniform_pricing_never_beats_optimum(p):
    r = solve1(**p)
    assume(r["regime"] > 0)
    event(f"regime_uniform {r['regime_uniform']}")
    assert r["ratio_uniform"] >= 1 - 1e-12
    assert r["pi_uni"] <= r["pi"] * (1 + 1e-12) + 1e-12
    assert close(r["ratio_uniform"], r["pi"] / r["pi_uni"], 1e-12)
