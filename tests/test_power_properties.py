"""Property tests (hypothesis) for ``power_structures``: the paper's claims where the spec
(``shared/models/power_structures.md``, section 13) says they hold, the spec's errata where it
says they fail (with the spec's numbers), and the output contract (invalid points labelled
``invalid``; no valid regime with non-finite decisions).

Points land in the relevant region by construction: ``eta``, ``gamma`` are drawn first and the
ratio ``r = theta2/theta1`` inside an interval computed here from the paper's surviving formulas
(``alpha``, ``Delta``, ``beta``) and the spec's simple threshold formulas (``r_x1``, ``r_x3``),
independently of fastmap.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

import fastmap

MODEL = "power_structures"
SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
STRUCTS = ("s1", "s2", "s3", "gs1", "gs2", "gs3")
DECISIONS = ("p11", "p12", "p21", "q11", "q12", "q21", "q3", "pi1", "pi2", "pi3")
PAPER = dict(theta2=0.5, eta=0.8, gamma=0.6)       # the paper's numerical setting


def solve1(**params) -> dict[str, float]:
    return {k: float(v) for k, v in fastmap.solve(MODEL, **params).items()}


def thresholds(eta, gamma):
    """alpha, Delta (Theorem 3), beta (Theorem 4, paper's form), r_x1, r_x3 (spec section 9)."""
    alpha = 2 / ((2 - eta) * gamma)
    delta = (2 + eta) / (gamma * (2 - eta ** 2))
    bp = (-eta ** 4 * gamma + 2 * eta ** 4 + 4 * eta ** 3 - 8 * eta ** 2 - 8 * eta
          + 16 * gamma - 16)
    c3 = (2 - eta) ** 3 * (2 + eta) ** 2
    beta = (-bp + math.sqrt(bp ** 2 + 32 * (2 - gamma) * c3)) / (gamma * (2 - gamma) * c3)
    k1 = (2 + eta) * (2 - gamma) + 2
    r_x1 = (k1 ** 2 - 4) / (2 * (2 - eta ** 2)) / (gamma * (2 - gamma))
    qa, qb, qc = (4 - eta ** 2) ** 2, 8 * (4 - eta ** 2) - 4 * k1 ** 2, 16 - 4 * k1 ** 2
    w = (-qb + math.sqrt(qb ** 2 - 4 * qa * qc)) / (2 * qa)
    return alpha, delta, beta, r_x1, w / (gamma * (2 - gamma))


etas = st.floats(0.05, 0.95)
gammas = st.floats(0.05, 0.95)
theta2s = st.floats(0.2, 5.0)
fracs = st.floats(0.001, 0.999)


def all_gray_point(eta, gamma, theta2, u):
    """A base-model point with r in (Delta, min(r_x1, r_x3)) (GS1, GS3 gray); returns (p, out)."""
    _, delta, _, r_x1, r_x3 = thresholds(eta, gamma)
    r = delta + u * (min(r_x1, r_x3) - delta)
    p = dict(theta1=theta2 / r, theta2=theta2, eta=eta, gamma=gamma)
    return p, solve1(**p)


# ------------------------------------------------------------------------ paper: S games
@SETTINGS
@given(etas, gammas, theta2s, st.floats(0.2, 60.0), st.floats(0.0, 1.5))
def test_theorem1_conclusion1_2(eta, gamma, theta2, r, srel):
    """Conclusion 1: market 2 unaffected by market 1 without importer (p12 = (theta2+s)/2 for
    s < theta2).  Theorem 1: follower > leader > Nash profits (market-1 parts; market 2 adds the
    same Mbar).  Conclusion 2: leader price > follower price > Nash price, leader - follower
    price = theta1 eta^2 / (4 (2 - eta^2))."""
    th1, s = theta2 / r, srel * theta2
    o = solve1(theta1=th1, theta2=theta2, eta=eta, gamma=gamma, w12=s, tau=1.0)
    want_p12 = (theta2 + s) / 2 if s < theta2 else s
    for x in ("s1", "s2", "s3"):
        assert math.isclose(o[f"p12_{x}"], want_p12, rel_tol=1e-12)
    assert o["pi1_s2"] > o["pi1_s1"] > o["pi1_s3"]
    assert o["pi2_s1"] > o["pi2_s2"] > o["pi2_s3"]
    assert o["p11_s1"] > o["p21_s1"] > o["p11_s3"]
    assert math.isclose(o["p11_s1"] - o["p21_s1"], th1 * eta ** 2 / (4 * (2 - eta ** 2)),
                        rel_tol=1e-9)


# ------------------------------------------------------------------------ paper: GS games
@SETTINGS
@given(etas, gammas, theta2s, fracs)
def test_theorem2_conclusion3_theorem6_where_all_gray(eta, gamma, theta2, u):
    """Wherever all three GS structures are `gray` (base model): Theorem 2 (M1: GS2 > GS1 > GS3;
    M2: GS1 > GS2 > GS3, hence pref_m1 = 2, pref_m2 = 1), Conclusion 3 (p11, p12, p3:
    GS1 > GS2 > GS3; p21: GS2 > GS1 > GS3) and Theorem 6 (importer: GS1 < GS2 < GS3)."""
    p, o = all_gray_point(eta, gamma, theta2, u)
    note(p)
    if o["regime"] != 8:          # GS2 may already be in its induced-exit regime
        assert o["regime_gs2"] == 4 and o["regime"] == 6
        return
    assert o["pi1_gs2"] > o["pi1_gs1"] > o["pi1_gs3"]
    assert o["pi2_gs1"] > o["pi2_gs2"] > o["pi2_gs3"]
    assert (o["pref_m1"], o["pref_m2"]) == (2, 1)
    for f in ("p11", "p12", "p3"):
        assert o[f"{f}_gs1"] > o[f"{f}_gs2"] > o[f"{f}_gs3"], f
    assert o["p21_gs2"] > o["p21_gs1"] > o["p21_gs3"]
    assert o["pi3_gs1"] < o["pi3_gs2"] < o["pi3_gs3"]


@SETTINGS
@given(etas, gammas, theta2s, fracs)
def test_gs2_induced_exit_reverses_m1_preference(eta, gamma, theta2, u):
    """Spec 10.3: where M2 induces M1's exit in GS2 while GS1 and GS3 are gray, M1 prefers GS1
    (Theorem 2's M1 order is reversed)."""
    p, o = all_gray_point(eta, gamma, theta2, u)
    if o["regime"] == 6:
        assert o["pref_m1"] == 1


def test_gs2_induced_exit_m2_preference():
    """Spec 10.3 also says M2 then prefers GS2.  True at the paper's setting (r = 11), but not
    everywhere (spec discrepancy, confirmed by the brute-force reference): at eta = 0.75,
    gamma = 0.5, r = 12.3266 M2 earns 0.0752237 under GS1 and 0.0746624 under GS2."""
    o = solve1(theta1=0.5 / 11, **PAPER)
    assert (o["regime"], o["pref_m1"], o["pref_m2"]) == (6, 1, 2)
    o = solve1(theta1=0.08112544686986727, theta2=1.0, eta=0.75, gamma=0.5)
    assert o["regime"] == 6 and o["pref_m2"] == 1
    assert math.isclose(o["pi2_gs1"], 0.0752237409, rel_tol=1e-8)
    assert math.isclose(o["pi2_gs2"], 0.0746624455, rel_tol=1e-8)


@SETTINGS
@given(etas, gammas, theta2s, st.floats(0.3, 60.0))
def test_theorem3_pattern(eta, gamma, theta2, r):
    """Theorem 3 in the base model: no importer anywhere for r < alpha; GS3 (and GS2 from r_gs2)
    gray on (alpha, Delta); all three gray on (Delta, min(r_x1, r_x3)) unless M2 induces M1's
    exit in GS2 (erratum 4)."""
    alpha, delta, _, r_x1, r_x3 = thresholds(eta, gamma)
    o = solve1(theta1=theta2 / r, theta2=theta2, eta=eta, gamma=gamma)
    gap = 1e-9
    if r < alpha * (1 - gap):
        assert o["regime"] == 1
    elif alpha * (1 + gap) < r < delta * (1 - gap):
        assert o["regime"] in (5, 7)
        assert (o["regime"] == 7) == (r > o["r_gs2"])
    elif delta * (1 + gap) < r < min(r_x1, r_x3) * (1 - gap):
        assert o["regime"] == 8 or (o["regime"] == 6 and o["regime_gs2"] == 4)


@SETTINGS
@given(etas, gammas, theta2s, st.floats(0.3, 60.0))
def test_theorem4_5(eta, gamma, theta2, r):
    """Base model.  Theorem 4(1): M1 never gains from the importer under GS1, GS2; under GS3 it
    gains iff alpha < r < beta (while GS3 is gray).  Theorem 4(2): M2 gains weakly always,
    strictly when the importer is active or M1 exits.  Theorem 5(1), (3): an active importer
    raises p11 and p21 under GS1 and GS3."""
    alpha, _, beta, _, _ = thresholds(eta, gamma)
    o = solve1(theta1=theta2 / r, theta2=theta2, eta=eta, gamma=gamma)
    assert o["ratio_pi1_1"] <= 1 + 1e-12 and o["ratio_pi1_2"] <= 1 + 1e-12
    if o["regime_gs3"] == 3 and abs(r / beta - 1) > 1e-9 and abs(r / alpha - 1) > 1e-9:
        assert (o["pi1_gs3"] > o["pi1_s3"]) == (alpha < r < beta)
    for k in (1, 2, 3):
        code = o[f"regime_gs{k}"]
        if code == 5:
            continue
        assert o[f"ratio_pi2_{k}"] >= 1 - 1e-12
        if code in (3, 4):
            assert o[f"ratio_pi2_{k}"] > 1
    for k in (1, 3):
        if o[f"regime_gs{k}"] == 3:
            assert o[f"p11_gs{k}"] > o[f"p11_s{k}"] and o[f"p21_gs{k}"] > o[f"p21_s{k}"]


@SETTINGS
@given(st.sampled_from((1, 2, 3)), etas, gammas, theta2s, fracs, st.floats(1e-4, 1e-2))
def test_conclusion5_prices_rise_with_eta(k, eta, gamma, theta2, u, d):
    """Conclusion 5: where the importer is active, all four prices rise with eta."""
    p, o = all_gray_point(eta, gamma, theta2, u)
    q = solve1(**dict(p, eta=eta + d))
    if o[f"regime_gs{k}"] == 3 and q[f"regime_gs{k}"] == 3:
        for f in ("p11", "p12", "p21", "p3"):
            assert q[f"{f}_gs{k}"] > o[f"{f}_gs{k}"], f


@SETTINGS
@given(st.sampled_from((1, 2, 3)), etas, gammas, theta2s, fracs, st.floats(1e-4, 1e-2))
def test_erratum1_conclusion6(k, eta, gamma, theta2, u, d):
    """Erratum 1 (spec wins): with the importer active, p11 and p21 RISE with gamma (the paper
    says all prices fall); only p12 falls."""
    p, o = all_gray_point(eta, gamma, theta2, u)
    q = solve1(**dict(p, gamma=gamma + d))
    if o[f"regime_gs{k}"] == 3 and q[f"regime_gs{k}"] == 3:
        assert q[f"p11_gs{k}"] > o[f"p11_gs{k}"] and q[f"p21_gs{k}"] > o[f"p21_gs{k}"]
        assert q[f"p12_gs{k}"] < o[f"p12_gs{k}"]


def test_errata_at_the_papers_setting():
    """Spec section 13 numbers at the paper's setting (theta2 = 0.5, eta = 0.8, gamma = 0.6):
    erratum 2 (GS2 lowers p11 only for r in (2.9961, 3.2208), lowers p21 for r < 4.4118),
    erratum 3 (Corollary 1 chain only for r in (Delta, 6.3683)), erratum 4 and 7 (GS2 exit from
    r = 9.7957), the GS2 exit values at r = 11, and all exits at r = 40."""
    at = {r: solve1(theta1=0.5 / r, **PAPER) for r in (3.1, 3.3, 3.5, 4.3, 4.5, 5.0, 6.5, 9.7,
                                                      9.9, 11.0, 40.0)}
    assert at[3.1]["p11_gs2"] < at[3.1]["p11_s2"]
    assert at[3.3]["p11_gs2"] > at[3.3]["p11_s2"]
    assert math.isclose(at[3.5]["p11_gs2"], 0.1337087521, rel_tol=1e-9)
    assert math.isclose(at[3.5]["p11_s2"], 0.1302521008, rel_tol=1e-9)
    assert at[4.3]["p21_gs2"] < at[4.3]["p21_s2"] and at[4.5]["p21_gs2"] > at[4.5]["p21_s2"]

    def chain(o, f):
        return o[f"{f}_gs1"] > o[f"{f}_s1"] > o[f"{f}_gs3"] > o[f"{f}_s3"]

    assert chain(at[5.0], "p11") and chain(at[5.0], "p21")
    assert not (chain(at[6.5], "p11") and chain(at[6.5], "p21"))
    assert at[9.7]["regime_gs2"] == 3 and at[9.9]["regime_gs2"] == 4
    o = at[11.0]
    assert math.isclose(o["p21_gs2"], 0.0324675, rel_tol=1e-5)
    assert math.isclose(o["q21_gs2"], 1.5428571, rel_tol=1e-6)
    assert math.isclose(o["pi2_gs2"], 0.0500928, rel_tol=1e-5)
    assert all(at[40.0][f"regime_gs{k}"] == 4 for k in (1, 2, 3))
    assert all(math.isclose(at[40.0][f"pi2_gs{k}"], 0.028125, rel_tol=1e-12) for k in (1, 2, 3))


def test_erratum5_theorem4_gs2_with_warranty():
    """Erratum 5: with a warranty M1 can gain from the gray threat under GS2
    (r = 26.4, eta = 0.897, gamma = 0.144, s = 0.35 theta2: ratio_pi1_2 = 1.00037)."""
    o = solve1(theta1=1 / 26.4, theta2=1.0, eta=0.897, gamma=0.144, w12=0.35, tau=1.0)
    assert o["ratio_pi1_2"] > 1
    assert math.isclose(o["ratio_pi1_2"], 1.00037, abs_tol=5e-5)


# ------------------------------------------------------------------------ warranty (Sec. 4)
@SETTINGS
@given(etas, gammas, st.floats(1.5, 12.0), st.floats(0.0, 1.2), st.floats(1e-4, 0.05))
def test_warranty_monotonicity(eta, gamma, r, srel, d):
    """Sec. 4 as the spec verifies it: q3 and p3 fall (weakly) with s in all three structures;
    M1's profit rises (weakly) with s under GS1 and GS3 (not GS2, erratum 10), where the
    structure keeps an equilibrium with M1 selling at both points."""
    th2 = 0.5
    base = dict(theta1=th2 / r, theta2=th2, eta=eta, gamma=gamma, tau=1.0)
    o, q = solve1(w12=srel * th2, **base), solve1(w12=(srel + d) * th2, **base)
    for k in (1, 2, 3):
        if o[f"regime_gs{k}"] in (4, 5) or q[f"regime_gs{k}"] in (4, 5):
            continue
        assert q[f"q3_gs{k}"] <= o[f"q3_gs{k}"] + 1e-12
        if q[f"q3_gs{k}"] > 0:
            assert q[f"p3_gs{k}"] <= o[f"p3_gs{k}"] + 1e-12
        if k != 2:
            assert q[f"pi1_gs{k}"] >= o[f"pi1_gs{k}"] - 1e-12


def test_erratum10_gs2_warranty():
    """Erratum 10: at the paper's setting (r = 3.5) M1's GS2 profit falls for s in
    (0.03103, 0.03411), from 0.25548 to 0.25320, while GS1 and GS3 rise; GS2 is then the kink
    solution (`limit_price`)."""
    base = dict(theta1=0.5 / 3.5, **PAPER, tau=1.0)
    lo, mid, hi = (solve1(w12=s, **base) for s in (0.03104, 0.0325, 0.03410))
    assert lo["pi1_gs2"] > mid["pi1_gs2"] > hi["pi1_gs2"]
    assert math.isclose(lo["pi1_gs2"], 0.25548, abs_tol=2e-5)
    assert math.isclose(hi["pi1_gs2"], 0.25320, abs_tol=2e-5)
    assert mid["regime_gs2"] == 2 and mid["q3_gs2"] == 0
    for k in (1, 3):
        assert lo[f"pi1_gs{k}"] <= mid[f"pi1_gs{k}"] <= hi[f"pi1_gs{k}"]


# ------------------------------------------------------------------------ output contract
finite_or_any = st.one_of(st.sampled_from((math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0)),
                          st.floats(-2.0, 2.0))


@SETTINGS
@given(finite_or_any, finite_or_any, finite_or_any, finite_or_any, finite_or_any, finite_or_any)
def test_invalid_points_are_labelled(theta1, theta2, eta, gamma, w12, tau):
    """Spec section 3: outside the domain every code is 0 (`invalid`) and every equilibrium
    output NaN; inside, codes are valid labels."""
    o = solve1(theta1=theta1, theta2=theta2, eta=eta, gamma=gamma, w12=w12, tau=tau)
    vals = (theta1, theta2, eta, gamma, w12, tau)
    valid = (all(math.isfinite(v) for v in vals) and theta1 > 0 and theta2 > 0 and 0 <= eta < 1
             and 0 < gamma < 1 and w12 >= 0 and tau >= 0)
    codes = [o[c] for c in ("regime", "regime_gs1", "regime_gs2", "regime_gs3", "pref_m1",
                            "pref_m2")]
    if not valid:
        assert codes == [0] * 6
        assert all(math.isnan(o[f"{f}_{x}"]) for x in STRUCTS for f in DECISIONS)
    else:
        assert 1 <= codes[0] <= 8 and all(1 <= c <= 5 for c in codes[1:4])
        assert all(1 <= c <= 4 for c in codes[4:])


@SETTINGS
@given(etas | st.just(0.0), gammas, theta2s, st.floats(0.2, 200.0), st.floats(0.0, 1.5))
def test_valid_regimes_have_finite_decisions(eta, gamma, theta2, r, srel):
    """Every valid regime has finite decisions: S games always (p3 NaN); GS codes 1-3: all
    finite, p3 finite iff q3 > 0; code 4: p11 NaN, q11 = 0, the rest finite; code 5: all NaN.
    Also `regime` = 1 + sum of 2^(k-1) over gray structures, and the preference codes point at
    the most profitable structure."""
    o = solve1(theta1=theta2 / r, theta2=theta2, eta=eta, gamma=gamma, w12=srel * theta2, tau=1.0)
    for x in STRUCTS:
        code = 1 if x.startswith("s") else o[f"regime_gs{x[-1]}"]
        vals = {f: o[f"{f}_{x}"] for f in DECISIONS}
        if code == 5:
            assert all(math.isnan(v) for v in vals.values()) and math.isnan(o[f"p3_{x}"])
            continue
        if code == 4:
            assert math.isnan(vals.pop("p11")) and vals["q11"] == 0
        assert all(math.isfinite(v) for v in vals.values()), (x, vals)
        assert math.isfinite(o[f"p3_{x}"]) == (o[f"q3_{x}"] > 0)
        assert (o[f"q3_{x}"] > 0) == (code == 3)
    gray = [o[f"regime_gs{k}"] == 3 for k in (1, 2, 3)]
    assert o["regime"] == 1 + gray[0] + 2 * gray[1] + 4 * gray[2]
    for i in (1, 2):
        pis = {k: o[f"pi{i}_gs{k}"] for k in (1, 2, 3) if o[f"regime_gs{k}"] != 5}
        best = max(pis.values())
        top = [k for k, v in pis.items() if v >= best * (1 - 1e-12)]
        assert o[f"pref_m{i}"] == (top[0] if len(top) == 1 else 4)


def test_extreme_scales_stay_labelled():
    """Valid points at extreme (but finite) scales keep valid labels and finite decisions: the
    model is scale-free in (theta1, theta2, s), so only overflow could break it (theta2**2
    overflows from theta2 ~ 1.34e154)."""
    for th1, th2 in ((1.0, 1e160), (1e150, 1e160), (1e-300, 1.0), (1e-160, 1e-150)):
        o = solve1(theta1=th1, theta2=th2, eta=0.5, gamma=0.5, w12=0.1 * th2, tau=1.0)
        codes = [o[f"regime_gs{k}"] for k in (1, 2, 3)] + [o["pref_m1"], o["pref_m2"]]
        assert all(1 <= c <= 5 for c in codes[:3]) and all(1 <= c <= 4 for c in codes[3:]), \
            (th1, th2, codes)
        for k in (1, 2, 3):
            if o[f"regime_gs{k}"] != 5:
                assert math.isfinite(o[f"pi1_gs{k}"]) and math.isfinite(o[f"pi2_gs{k}"]), \
                    (th1, th2, k)


def test_broadcasting_matches_scalar_calls():
    """A vector call equals scalar calls (engine contract) on a few mixed points."""
    rng = np.random.default_rng(3)
    n = 20
    p = dict(theta1=rng.uniform(0.01, 0.3, n), theta2=np.full(n, 0.5), eta=rng.uniform(0, 0.95, n),
             gamma=rng.uniform(0.05, 0.95, n), w12=rng.uniform(0, 0.3, n), tau=np.ones(n))
    vec = fastmap.solve(MODEL, **p)
    for i in range(n):
        one = solve1(**{k: float(v[i]) for k, v in p.items()})
        for name, v in one.items():
            assert (math.isnan(v) and math.isnan(vec[name][i])) or v == vec[name][i], name


# eta = 0 or not tiny: dividing by a subnormal eta overflows at some scales (p21_x), which is
# float64's limit, not the model's.
plain_etas = st.one_of(st.just(0.0), st.floats(1e-6, 0.99))
MONEY_FIELDS = ("p11", "p12", "p21", "p3", "pi1", "pi2", "pi3")
MONEY_DERIVED = ("s", "Mbar", "m_A", "m_G", "P_x", "V_O2", "p21_x") + tuple(
    o.name for o in fastmap.model(MODEL).outputs if o.name.startswith("margin_") and o.units != "1")


def _scaled_expectation(name: str, c: float) -> float:
    """Factor by which an output scales when theta1, theta2 and w12 are scaled by c."""
    return c if name in MONEY_DERIVED or name.split("_")[0] in MONEY_FIELDS else 1.0


@SETTINGS
@given(eta=plain_etas, gamma=gammas, r=st.floats(0.3, 60.0), w=st.floats(0.0, 1.3),
       j=st.integers(-990, 990))
def test_power_of_two_money_scaling_is_exact(eta, gamma, r, w, j):
    """Scaling theta1, theta2, w12 by 2**j (exact in floating point) scales every money output
    by 2**j bit for bit and leaves every code, quantity and ratio unchanged, up to 1e+-298."""
    c = 2.0 ** j
    base = dict(theta1=0.5 / r, theta2=0.5, eta=eta, gamma=gamma, w12=0.5 * w, tau=1.0)
    o = solve1(**base)
    big = solve1(**{**base, "theta1": base["theta1"] * c, "theta2": 0.5 * c,
                    "w12": base["w12"] * c})
    for name, v in o.items():
        want = v * _scaled_expectation(name, c)
        assert (math.isnan(want) and math.isnan(big[name])) or big[name] == want, \
            (name, v, big[name])


def _scaled(base: dict[str, float], c: float) -> dict[str, float]:
    """The outputs at theta1, theta2, w12 scaled by c (inputs rounded), divided back by c."""
    big = solve1(**{**base, "theta1": base["theta1"] * c, "theta2": base["theta2"] * c,
                    "w12": base["w12"] * c})
    return {name: v / _scaled_expectation(name, c) for name, v in big.items()}


# Moderate scalings that round every intermediate differently: how far they move an output is
# the rounding noise of its formula at that point (large where it subtracts two big candidate
# values).
PROBES = (3.0, 1 / 3, 7.0, 1 / 7, 1.1)
MONEY_INPUTS = ("theta1", "theta2", "w12")


def _rounding_noise(base: dict[str, float], o: dict[str, float]):
    """Per output, the error a correct kernel may show at any scale, and the outputs whose
    NaN-ness rounding decides (a piece of width below rounding exists at some scales only).

    The error is the largest move under the probe scalings plus the output's sensitivity to
    rounding each money input (2**-53 relative, by finite differences): rounding 10**k * x moves
    x that much, which matters where a formula divides by a small difference (theta2 - w12)."""
    noise = dict.fromkeys(o, 0.0)
    nan_unsettled = set()
    for c in PROBES:
        for name, v in _scaled(base, c).items():
            if math.isnan(v) != math.isnan(o[name]):
                nan_unsettled.add(name)
            elif math.isfinite(v) and math.isfinite(o[name]):
                noise[name] = max(noise[name], abs(v - o[name]))
    step = 1e-9
    for x in MONEY_INPUTS:
        if base[x] == 0.0:
            continue
        moved = solve1(**{**base, x: base[x] * (1 + step)})
        for name, v in o.items():
            if math.isfinite(v) and math.isfinite(moved[name]):
                noise[name] += abs(moved[name] - v) / step * 2.0 ** -53
    return noise, nan_unsettled


@SETTINGS
@given(eta=plain_etas, gamma=gammas, r=st.floats(0.3, 60.0), w=st.floats(0.0, 1.3),
       k=st.floats(-290.0, 290.0))
# w12 = 0.499995 next to theta2 = 0.5: the margins divide by 5e-6 (1.1e-11 relative seen)
@example(eta=0.0, gamma=0.5, r=1.0, w=0.99999, k=290.0)
# margin_gs2_limit = 0.17 is the difference of two candidate values near 400
@example(eta=0.00390625, gamma=0.25, r=5.0, w=6.103515625e-05, k=1.0)
# s / theta2 = 2e-16: whether the limit piece L (width ~1e-17) exists is decided by rounding
@example(eta=0.0, gamma=0.05, r=1.0, w=2.220446049250313e-16, k=1.0)
def test_money_scaling_by_any_factor(eta, gamma, r, w, k):
    """Scaling by c = 10**k (inputs rounded) keeps the codes, and moves every money output
    (divided by c), quantity and threshold by no more than 1e-12 of its size plus a few times
    what moderate scalings (3, 1/7, ...) move it: extreme scales are as accurate as ordinary
    ones, which the exact rescaling is for."""
    c = 10.0 ** k
    base = dict(theta1=0.5 / r, theta2=0.5, eta=eta, gamma=gamma, w12=0.5 * w, tau=1.0)
    o = solve1(**base)
    big = _scaled(base, c)
    noise, nan_unsettled = _rounding_noise(base, o)
    note(str(base))
    for name, v in o.items():
        if name.startswith(("regime", "pref")):
            assert big[name] == v, name
        elif name in nan_unsettled:
            continue
        elif math.isnan(v) or math.isinf(v):
            assert math.isnan(big[name]) or big[name] == v, (name, v, big[name])
        elif not name.startswith(("ratio", "P_x", "p21_x", "alpha", "Delta", "beta", "r_")):
            # P_x, p21_x and the profit ratios can cancel; thresholds do not depend on money
            tol = 1e-12 * max(1.0, abs(v)) + 4 * noise[name]
            assert abs(big[name] - v) <= tol, (name, v, big[name], noise[name])


def test_rounding_noise_sees_ill_conditioning():
    """w12 = 0.499995 next to theta2 = 0.5 makes the margins divide by 5e-6, so rounding moves
    them by ~1e-11 relative; the noise estimate must see that, and stay at rounding size where
    nothing is ill-conditioned (else the scaling test could not fail)."""
    base = dict(theta1=0.5, theta2=0.5, eta=0.0, gamma=0.5, w12=0.499995, tau=1.0)
    o = solve1(**base)
    assert _rounding_noise(base, o)[0]["margin_gs1_limit"] > 1e-12 * abs(o["margin_gs1_limit"])
    calm = dict(base, w12=0.1)
    o = solve1(**calm)
    assert _rounding_noise(calm, o)[0]["margin_gs1_limit"] < 1e-14 * abs(o["margin_gs1_limit"])


def test_brief_overflow_examples_are_labelled():
    """The three points that overflowed before the money scaling (theta2**2 beyond 1.8e308)."""
    for p in (dict(theta1=0.5 / 3.5, theta2=1.3407807929942597e154, eta=0.8, gamma=0.6, w12=0.0),
              dict(theta1=1.0, theta2=1e160, eta=0.5, gamma=0.5, w12=1e159),
              dict(theta1=1.0, theta2=1e200, eta=0.0, gamma=0.5)):
        o = solve1(**p)
        ref = solve1(**{k: (v / p["theta2"] if k in ("theta1", "theta2", "w12") else v)
                        for k, v in p.items()})
        for k in (1, 2, 3):
            assert o[f"regime_gs{k}"] == ref[f"regime_gs{k}"] != 0, (p, k)
        assert o["pref_m1"] == ref["pref_m1"] and o["pref_m2"] == ref["pref_m2"]
        for name in ("pi1_s1", "pi1_gs1", "pi2_gs2", "pi1_gs2", "q21_gs2"):
            assert math.isfinite(o[name])
            assert o[name] == pytest.approx(ref[name] * _scaled_expectation(name, p["theta2"]),
                                            rel=1e-12)


@SETTINGS
@given(e1=st.floats(-300, 300), e2=st.floats(-300, 300),
       ew=st.one_of(st.just(None), st.floats(-300, 300)),
       eta=st.floats(0.0, 0.99), gamma=st.floats(1e-3, 0.999))
def test_independent_extreme_money_scales(e1, e2, ew, eta, gamma):
    """theta1, theta2, w12 anywhere in [1e-300, 1e300] independently (ratios up to 1e600): a
    valid label and finite decisions, unless an equilibrium amount exceeds float64 (invalid)."""
    p = dict(theta1=10.0 ** e1, theta2=10.0 ** e2, eta=eta, gamma=gamma,
             w12=0.0 if ew is None else 10.0 ** ew, tau=1.0)
    o = solve1(**p)
    # Largest amounts: market-1 prices ~ theta1/(1-eta), market-2 revenue <= max(theta2, s).
    huge = max(p["theta1"] / (1.0 - eta), p["theta2"], p["w12"]) > 1e306
    codes = [o[f"regime_gs{k}"] for k in (1, 2, 3)]
    if huge and codes[0] == 0:
        return
    assert all(1 <= c <= 5 for c in codes) and 1 <= o["pref_m1"] <= 4 and 1 <= o["pref_m2"] <= 4, p
    for k, code in zip((1, 2, 3), codes):
        if code != 5:
            for f in ("p12", "p21", "q11", "q12", "q21", "q3", "pi1", "pi2", "pi3"):
                assert math.isfinite(o[f"{f}_gs{k}"]), (p, f, k)
        for f in ("p11", "p12", "p21", "q11", "q21", "pi1", "pi2"):
            assert math.isfinite(o[f"{f}_s{k}"]), (p, f, k)


def test_unrepresentable_points_are_invalid():
    """Valid in the model's domain but beyond float64: s = tau*w12 overflows (M1's market-2
    revenue >= s), a price above 1.8e308, market scales ~1e616 apart -> invalid, not inf."""
    for p in (dict(w12=1e300, tau=1e300), dict(theta1=1.7976931348623157e308, theta2=1.0),
              dict(theta1=5e-324, theta2=1e300)):
        o = solve1(**p)
        assert o["regime"] == 0 and o["regime_gs1"] == 0 and math.isnan(o["pi1_s1"]), p
