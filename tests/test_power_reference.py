"""Validation of the independent brute-force reference ``tests/reference/power_brute.py`` against
every case of the spec's oracle file (``tests/data/power_structures.json``, a verbatim copy of
``shared/oracles/power_structures.json``): point cases (all equilibrium outputs, labels, derived
quantities), curve cases (every regime switch point and threshold, checked as a label change
across ``x*(1 -+ 1e-5)``, see STEP) and proposition cases (the truth values of the paper's
statements).

The reference never uses the spec's closed forms, so agreement here validates both the oracle and
the reference that ``test_power_bruteforce.py`` then uses to check fastmap's kernel.

Tolerances (measured over all oracle points): profits and market-2 quantities ~1e-12, prices and
market-1 quantities ~1e-10 (golden section + parabolic polish of nested 1-D searches), up to
2e-8 at ``eta = 0.98`` (quantities amplify price errors by ~1/(1 - eta)); ``TOL = 1e-7``
relative to ``max(1, |value|)``.  Exceptions, each documented
at its use: ``m_G`` (1e-6: at ``m_G`` accommodation and limit pricing differ only to second order,
so the numerical boundary is determined to ~sqrt(1e-14)), and the GS2 kink case (M2 holds M1
exactly at ``m_G``; M2's objective is flat to ~1e-13 over ~5e-7 left of the kink, so the
numerical argmax is ~1e-6 off and ``q3`` ~ 1e-6 instead of 0; the spec's own brute force reports
1.4e-5 there).
"""
from __future__ import annotations

import json
import math
import pathlib

import pytest

from tests.reference import power_brute as pb

DATA = json.loads((pathlib.Path(__file__).resolve().parent / "data" /
                   "power_structures.json").read_text())
POINTS = {c["id"]: c for c in DATA["point_cases"]}
CURVES = {c["id"]: c for c in DATA["curve_cases"]}
PROPS = {c["id"]: c for c in DATA["proposition_cases"]}

TOL = 1e-7
TOL_MG = 1e-6
TOL_KINK = 1e-5
KINK_CASE = "gs2_kink_limit_price"
LABELS = ("regime", "regime_gs1", "regime_gs2", "regime_gs3", "pref_m1", "pref_m2")
THRESHOLDS = ("alpha", "Delta", "beta", "r_s2", "r_gs2", "r_x1", "r_x3", "r_x3e")
# relative offset on each side of a switch point: with s = 0 the importer's entry changes M1's
# value only to second order (a 1e-6 offset gives a ~1e-14 gain, the reference's deterrence
# tie tolerance), so 1e-5 is the finest offset at which the gray/no-gray label is decided.
# Along the warranty axis the leader's price crosses m_G / m_A with an even flatter value
# difference (G/L, L/N switches): offset 1e-3 there.
STEP = 1e-5
STEP_SOFT = 1e-3

# Oracle erratum (reported): the switch lists of two curve cases miss narrow bands that the
# oracle's own thresholds imply (alpha < r_gs2, r_x3 < r_x3e, r_x3 < r_x1); fastmap's kernel and
# this reference both show the bands.  The corrected lists are built from those thresholds.
def _corrected(cid, name, switches):
    th = CURVES[cid]["expected"]["thresholds"]
    if cid == "thresholds_eta0.1_gamma0.45" and name == "regime_gs3":
        return [[th["alpha"], 1, 3], [th["r_x3"], 3, 5], [th["r_x3e"], 5, 4]]
    if cid == "thresholds_eta0.1_gamma0.45" and name == "regime":
        gs2_exit = switches[2][0]
        return [[th["alpha"], 1, 5], [th["r_gs2"], 5, 7], [th["Delta"], 7, 8],
                [gs2_exit, 8, 6], [th["r_x3"], 6, 2], [th["r_x1"], 2, 1]]
    if cid == "thresholds_eta0.3_gamma0.8" and name == "regime":
        return switches[:-1] + [[th["r_x3"], 6, 2], [th["r_x1"], 2, 1]]
    return switches


def _inputs(case):
    return {k: (math.nan if v is None else v) for k, v in case["inputs"].items()}


def _close(got, want, tol):
    return abs(got - want) <= tol * max(1.0, abs(want))


# ------------------------------------------------------------------------------ point cases
@pytest.mark.parametrize("cid", sorted(POINTS))
def test_point_case(cid):
    case = POINTS[cid]
    exp = case["expected"]
    ref = pb.solve(**_inputs(case))
    kink = cid == KINK_CASE
    for name in LABELS:
        if kink and name in ("regime", "regime_gs2"):
            continue                       # checked below
        assert ref[name] == exp[name], name
    if exp["regime"] == 0:                 # invalid point: every equilibrium output NaN
        for st in pb.STRUCTS:
            for f in pb.FIELDS:
                assert math.isnan(ref[f"{f}_{st}"]), f"{f}_{st}"
        return
    for name, want in exp.items():
        if name in LABELS or name in THRESHOLDS or not isinstance(want, (int, float, type(None))):
            continue
        got = ref[name]
        if name == "m_G":
            if want is not None and want > 0:          # a negative m_G has no numerical meaning
                assert _close(got, want, TOL_MG), name
            continue
        if name in ("P_x", "p21_x") and not math.isfinite(ref["p21_x"]):
            continue                       # the reference finds P_x only at a finite p21_x
        if kink and name.endswith("_gs2") or kink and name in ("ratio_pi1_2", "ratio_pi2_2"):
            if name == "p3_gs2":
                continue                   # NaN in the oracle, ~p11 with q3 ~ 1e-6 here
            assert _close(got, want, TOL_KINK), name
            continue
        if want is None:
            assert math.isnan(got), name
        else:
            assert _close(got, want, TOL), (name, got, want)
    if kink:
        # M1 held at m_G: the reference is within ~1e-6 of the boundary and q3 ~ 0
        assert ref["margin_piece_gs2"] < TOL_KINK and ref["q3_gs2"] < TOL_KINK
        assert ref["regime_gs2"] in (2, 3)


def test_every_point_case_label_is_covered():
    """The oracle exercises every GS regime code and preference code the reference can emit."""
    codes = {exp["expected"][f"regime_gs{k}"] for exp in POINTS.values() for k in (1, 2, 3)}
    assert codes == {0, 1, 2, 3, 4, 5}


# ------------------------------------------------------------------------------ curve cases
def _axis_params(case, axis, x):
    p = dict(case["inputs"])
    p.setdefault("w12", 0.0)
    p.setdefault("tau", 1.0)
    if axis == "r":
        p["theta1"] = p["theta2"] / x
    elif axis == "s":
        p["w12"], p["tau"] = x, 1.0
    else:
        p[axis] = x
    return p


def _switch_cases():
    out = []
    for cid, case in CURVES.items():
        for key, switches in case["expected"].items():
            if key == "switches":
                for name, lst in switches.items():
                    lst = _corrected(cid, name, lst)
                    out += [(cid, "r", name, sw + [_gap(lst, i)]) for i, sw in enumerate(lst)]
            elif ":" in key:
                axis = {"fig2_eta": "eta", "fig3_gamma": "gamma",
                        "fig4_6_s": "s"}[key.split(":")[0]]
                out += [(cid, axis, key.split(":")[1], sw + [_gap(switches, i)])
                        for i, sw in enumerate(switches)]
    return out


def _gap(switches, i):
    """Relative distance of switch i to its nearest neighbour in the same list."""
    x = switches[i][0]
    return min([abs(sw[0] - x) / x for j, sw in enumerate(switches) if j != i], default=1.0)


SWITCHES = _switch_cases()


@pytest.mark.parametrize("cid,axis,name,switch", SWITCHES,
                         ids=[f"{c}-{a}-{n}-{s[0]:.6g}" for c, a, n, s in SWITCHES])
def test_switch_point(cid, axis, name, switch):
    """The reference's label changes from `before` to `after` across the oracle's switch point."""
    x, before, after, gap = switch
    case = CURVES[cid]
    step = STEP_SOFT if axis == "s" and {before, after} <= {1, 2, 3} else STEP
    step = min(step, 0.4 * gap)          # r_x3 and r_x1 can be 5e-6 apart
    for sign, want in ((-1, before), (1, after)):
        ref = pb.solve(**_axis_params(case, axis, x * (1 + sign * step)))
        if name == "regime_gs2" and want == 2 and ref[name] == 3:
            # GS2 kink solution (M1 held exactly at m_G): the reference lands within ~1e-6 of
            # m_G on the gray side (module docstring); accept it only that close
            assert ref["margin_piece_gs2"] < TOL_KINK and ref["q3_gs2"] < TOL_KINK
        else:
            assert ref[name] == want, (sign, ref[name], want)


def test_oracle_switch_erratum():
    """The corrected switch lists follow from the oracle's own thresholds: at eta = 0.1,
    gamma = 0.45 the GS3 no-equilibrium band [r_x3, r_x3e) and the GS2-only band
    [alpha, r_gs2) are non-empty, and r_x3 < r_x1 (GS1 still gray when GS3 loses its
    equilibrium), also at eta = 0.3, gamma = 0.8."""
    th = CURVES["thresholds_eta0.1_gamma0.45"]["expected"]["thresholds"]
    assert th["alpha"] < th["r_gs2"] and th["r_x3"] < th["r_x3e"] and th["r_x3"] < th["r_x1"]
    th = CURVES["thresholds_eta0.3_gamma0.8"]["expected"]["thresholds"]
    assert th["r_x3"] < th["r_x1"]


def test_switch_list_is_complete():
    """Every threshold of the curve cases that is a label switch appears in the switch lists
    (so test_switch_point covers alpha, Delta, r_gs2, r_x1, r_x3, r_x3e); beta and r_s2 are
    checked separately."""
    for case in CURVES.values():
        if "thresholds" not in case["expected"]:
            continue
        th = case["expected"]["thresholds"]
        points = [sw[0] for name, lst in case["expected"]["switches"].items()
                  for sw in _corrected(case["id"], name, lst)]
        for name in ("alpha", "Delta", "r_gs2", "r_x1", "r_x3", "r_x3e"):
            assert any(abs(p - th[name]) <= 1e-7 * th[name] for p in points), name


THRESHOLD_CASES = [cid for cid, c in CURVES.items() if "thresholds" in c["expected"]]


@pytest.mark.parametrize("cid", THRESHOLD_CASES)
def test_beta_and_r_s2(cid):
    """beta: M1's GS3 profit exceeds its S3 profit just below beta, not just above (Theorem 4);
    r_s2: the S2 prices invite the importer just above r_s2, not just below."""
    case = CURVES[cid]
    th = case["expected"]["thresholds"]
    lo = pb.solve(**_axis_params(case, "r", th["beta"] * (1 - STEP)))
    hi = pb.solve(**_axis_params(case, "r", th["beta"] * (1 + STEP)))
    assert lo["pi1_gs3"] > lo["pi1_s3"] and hi["pi1_gs3"] < hi["pi1_s3"]
    for sign, enters in ((-1, False), (1, True)):
        p = _axis_params(case, "r", th["r_s2"] * (1 + sign * STEP))
        ref = pb.solve(**p)
        got = pb.importer_reply(ref["p11_s2"], ref["p12_s2"], 0.0, p["gamma"], p["theta2"])[0]
        assert got is enters


# ------------------------------------------------------------------------- proposition cases
def _alpha_beta(eta, gamma):
    """The paper's alpha and beta (Theorem 4; surviving formulas of the seed, not the spec's)."""
    alpha = 2 / ((2 - eta) * gamma)
    b1 = ((2 - gamma) ** 2 * eta ** 6 + (4 * gamma ** 2 - 24 * gamma + 32) * eta ** 5
          + (12 * gamma ** 2 - 64 * gamma + 96) * eta ** 4
          + (32 * gamma ** 2 - 112 * gamma + 96) * eta ** 3
          + (48 * gamma ** 2 - 160 * gamma + 64) * eta ** 2
          + (64 * gamma ** 2 - 320 * gamma + 384) * eta + 64 * (3 - gamma) ** 2)
    num = 8 - (eta + 2) * (gamma * eta ** 2 - 2 * eta ** 2 - 4 * eta + 4 * gamma) + math.sqrt(b1)
    beta = num / (gamma * (2 - eta) ** 2 * (2 + eta) ** 2 * (2 - gamma))
    return alpha, beta


def _chain(r, field, order):
    v = [r[f"{field}_{k}"] for k in order]
    return all(a > b for a, b in zip(v, v[1:]))


STATEMENTS = {
    "Theorem 1: pi1 S2 > S1 > S3": lambda r, ab: _chain(r, "pi1", ("s2", "s1", "s3")),
    "Theorem 1: pi2 S1 > S2 > S3": lambda r, ab: _chain(r, "pi2", ("s1", "s2", "s3")),
    "Theorem 2: pi1 GS2 > GS1 > GS3": lambda r, ab: _chain(r, "pi1", ("gs2", "gs1", "gs3")),
    "Theorem 2: pi2 GS1 > GS2 > GS3": lambda r, ab: _chain(r, "pi2", ("gs1", "gs2", "gs3")),
    "Conclusion 3: p11 GS1 > GS2 > GS3": lambda r, ab: _chain(r, "p11", ("gs1", "gs2", "gs3")),
    "Conclusion 3: p12 GS1 > GS2 > GS3": lambda r, ab: _chain(r, "p12", ("gs1", "gs2", "gs3")),
    "Conclusion 3: p21 GS2 > GS1 > GS3": lambda r, ab: _chain(r, "p21", ("gs2", "gs1", "gs3")),
    "Conclusion 3: p3 GS1 > GS2 > GS3": lambda r, ab: _chain(r, "p3", ("gs1", "gs2", "gs3")),
    "Theorem 4(1): pi1 S1 > GS1 and S2 > GS2":
        lambda r, ab: r["pi1_s1"] > r["pi1_gs1"] and r["pi1_s2"] > r["pi1_gs2"],
    "Theorem 4(1): pi1 GS3 > S3 iff alpha < r < beta":
        lambda r, ab: (r["pi1_gs3"] > r["pi1_s3"]) == (ab[0] < r["ratio"] < ab[1]),
    "Theorem 4(2): pi2 GS > S in all three":
        lambda r, ab: all(r[f"pi2_gs{k}"] > r[f"pi2_s{k}"] for k in (1, 2, 3)),
    "Theorem 5(1): GS1 raises p11 and p21":
        lambda r, ab: r["p11_gs1"] > r["p11_s1"] and r["p21_gs1"] > r["p21_s1"],
    "Theorem 5(3): GS3 raises p11 and p21":
        lambda r, ab: r["p11_gs3"] > r["p11_s3"] and r["p21_gs3"] > r["p21_s3"],
    "Theorem 5(2) as printed (GS2 lowers p11 and p21) -- erratum 2: false here":
        lambda r, ab: r["p11_gs2"] < r["p11_s2"] and r["p21_gs2"] < r["p21_s2"],
    "Theorem 6: pi3 GS1 < GS2 < GS3": lambda r, ab: _chain(r, "pi3", ("gs3", "gs2", "gs1")),
    "Corollary 1 chain p11 GS1 > S1 > GS3 > S3":
        lambda r, ab: _chain(r, "p11", ("gs1", "s1", "gs3", "s3")),
    "Corollary 1 chain p21 GS1 > S1 > GS3 > S3":
        lambda r, ab: _chain(r, "p21", ("gs1", "s1", "gs3", "s3")),
}


@pytest.mark.parametrize("cid", sorted(PROPS))
def test_proposition_case(cid):
    case = PROPS[cid]
    p = case["inputs"]
    ref = pb.solve(**p)
    ab = _alpha_beta(p["eta"], p["gamma"])
    assert set(case["expected"]) == set(STATEMENTS)
    for statement, truth in case["expected"].items():
        assert STATEMENTS[statement](ref, ab) is truth, statement
