"""Every oracle case of the power_structures spec (§12), with its tolerance.

Point cases list every output (NaN where not defined) and are compared in full; the derived axis
``r`` reproduces them. Curve cases: the closed-form thresholds, and the regime switch points
along the WTP ratio and along the axes of the paper's figures, located by bisection on the
kernel's own codes. Proposition cases evaluate the paper's statements at the listed points.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

import fastmap
from tests.oracle_cases import assert_point_case

NAME = "power_structures"
ORACLE = json.loads((Path(__file__).parent / "data" / "power_structures.json").read_text())
MODEL = fastmap.model(NAME)
POINTS = {case["id"]: case for case in ORACLE["point_cases"]}
CURVES = {case["id"]: case for case in ORACLE["curve_cases"]}
THRESHOLD_CASES = sorted(k for k in CURVES if k.startswith("thresholds_"))
GS = ("regime_gs1", "regime_gs2", "regime_gs3")


def inputs(case):
    """A case's inputs with ``null`` as NaN."""
    return {k: math.nan if v is None else v for k, v in case["inputs"].items()}


def solve(**params):
    return {k: v[()] for k, v in fastmap.solve(NAME, **params).items()}


def point_expected(case):
    """The case's expected outputs with the per-structure labels spelled as ``*_name`` entries."""
    expected = dict(case["expected"])
    for suffix, label in expected.pop("regime_gs_names").items():
        expected[f"regime_{suffix}_name"] = label
    return dict(case, expected=expected)


@pytest.mark.parametrize("case_id", sorted(POINTS))
def test_point_case(case_id):
    case = point_expected(POINTS[case_id])
    assert_point_case(MODEL, case, solve(**inputs(case)), case["tol"])


def test_point_cases_cover_every_output():
    """The oracle lists every output of the spec at every point (so nothing goes unchecked); the
    kernel's signed margins are not in the spec (tests/test_margins_power.py checks them)."""
    spec_outputs = {n for n in MODEL.output_names if not n.startswith("margin_")}
    for case in POINTS.values():
        listed = {k[: -len("_name")] if k.endswith("_name") else k for k in point_expected(case)["expected"]}
        assert listed == spec_outputs, case["id"]


@pytest.mark.parametrize("case_id", [k for k in sorted(POINTS) if "theta1" in POINTS[k]["inputs"]
                                     and not k.startswith("invalid")])
def test_ratio_axis_reproduces_point_case(case_id):
    """The derived axis r = theta2/theta1 gives the same outputs as theta1 itself."""
    case = point_expected(POINTS[case_id])
    params = inputs(case)
    r = params["theta2"] / params.pop("theta1")
    assert_point_case(MODEL, case, solve(r=r, **params), case["tol"])


def test_invalid_cases_are_all_nan_and_code_zero():
    for case_id in [k for k in POINTS if k.startswith("invalid")]:
        got = solve(**inputs(POINTS[case_id]))
        for output in MODEL.outputs:
            if output.categorical:
                assert got[output.name] == 0, (case_id, output.name)
            else:
                assert math.isnan(got[output.name]), (case_id, output.name)


def test_invalid_ratio_and_infinite_inputs():
    for params in ({"r": 0.0}, {"r": -2.0}, {"tau": -0.1}, {"eta": -0.01}, {"gamma": 1.5},
                   {"theta2": 0.0}, {"w12": math.inf}):
        got = solve(**params)
        assert got["regime"] == 0 and got["regime_gs3"] == 0, params
        assert math.isnan(got["pi1_s1"]) and math.isnan(got["alpha"]), params


# ------------------------------------------------------------------------- switch points

def codes(var, **params):
    return np.asarray(fastmap.solve(NAME, **params)[var])


def refine(var, axis, lo, hi, fixed, tol=1e-14):
    """The code change of ``var`` between ``lo`` and ``hi`` along ``axis`` (first change from
    the code at ``lo``), bracketed by resampling the bracket on 1001 points per step."""
    c_lo = codes(var, **fixed, **{axis: lo})
    while hi - lo > tol * max(1.0, abs(lo)):
        xs = np.linspace(lo, hi, 1001)
        k = np.argmax(codes(var, **fixed, **{axis: xs}) != c_lo)
        if k == 0:  # no change inside: the bracket collapsed onto the switch
            break
        lo, hi = xs[k - 1], xs[k]
    return 0.5 * (lo + hi)


def switches(var, axis, lo, hi, fixed, n=20001, geometric=False):
    """Every code change of ``var`` on a fine grid of ``[lo, hi]``: ``[(x, before, after)]``."""
    xs = np.geomspace(lo, hi, n) if geometric else np.linspace(lo, hi, n)
    values = codes(var, **fixed, **{axis: xs})
    found = []
    for i in np.nonzero(np.diff(values))[0]:
        found.append((refine(var, axis, xs[i], xs[i + 1], fixed), int(values[i]), int(values[i + 1])))
    return found


@pytest.mark.parametrize("case_id", THRESHOLD_CASES)
def test_threshold_closed_forms(case_id):
    case = CURVES[case_id]
    got = solve(**inputs(case))
    for name, value in case["expected"]["thresholds"].items():
        assert got[name] == pytest.approx(value, rel=case["tol"], abs=case["tol"]), name


@pytest.mark.parametrize("case_id", THRESHOLD_CASES)
def test_oracle_switches_along_ratio(case_id):
    """Each listed switch is a switch of the kernel, with the listed codes between them.

    The oracle's lists come from a coarse scan and skip some narrow bands (e.g. GS3's
    no-equilibrium band 8.5067-8.5291 at eta = 0.1); the codes are therefore checked halfway
    between consecutive listed switches, and each listed point by bisecting a 1e-5 bracket.
    """
    case = CURVES[case_id]
    fixed = inputs(case)
    for var, listed in case["expected"]["switches"].items():
        points = [r for r, _, _ in listed]
        for k, (r, before, after) in enumerate(listed):
            left = 0.5 * (points[k - 1] + r) if k else 0.5 * r
            right = 0.5 * (r + points[k + 1]) if k + 1 < len(listed) else 1.5 * r
            assert codes(var, r=left, **fixed) == before, (var, r)
            assert codes(var, r=right, **fixed) == after, (var, r)
            found = refine(var, "r", r - 1e-5, r + 1e-5, fixed)
            assert found == pytest.approx(r, rel=case["tol"], abs=case["tol"]), (var, r)


@pytest.mark.parametrize("case_id", THRESHOLD_CASES)
def test_switches_are_the_closed_form_thresholds(case_id):
    """Along r (fine geometric scan over [1, 1.5 r_x3e]), GS1 switches exactly at Delta and r_x1,
    GS2 enters gray at r_gs2, GS3 at alpha and loses its interior equilibrium at r_x3, with the
    exit equilibrium from r_x3e; base-model regime pattern 1 -> 5 -> 7 -> 8 at the start."""
    case = CURVES[case_id]
    fixed = inputs(case)
    th = case["expected"]["thresholds"]
    top = 1.5 * th["r_x3e"]
    gs1 = switches("regime_gs1", "r", 1.0, top, fixed, geometric=True)
    gs2 = switches("regime_gs2", "r", 1.0, top, fixed, geometric=True)
    gs3 = switches("regime_gs3", "r", 1.0, top, fixed, geometric=True)
    tol = case["tol"]
    assert [(b, a) for _, b, a in gs1] == [(1, 3), (3, 4)]
    assert [x for x, _, _ in gs1] == pytest.approx([th["Delta"], th["r_x1"]], rel=tol)
    assert [(b, a) for _, b, a in gs2] == [(1, 3), (3, 4)]
    assert gs2[0][0] == pytest.approx(th["r_gs2"], rel=tol)
    assert [(b, a) for _, b, a in gs3] == [(1, 3), (3, 5), (5, 4)]
    assert [x for x, _, _ in gs3] == pytest.approx([th["alpha"], th["r_x3"], th["r_x3e"]], rel=tol)
    pattern = [c for _, _, c in switches("regime", "r", 1.0, th["Delta"] * 1.01, fixed, geometric=True)]
    assert pattern == [5, 7, 8]
    assert th["alpha"] <= th["r_gs2"] <= th["r_s2"] < th["Delta"]


def test_paper_axis_regime_sequence():
    """§12.3: regime 1 -> 5 -> 7 -> 8 -> 6 -> 2 -> 1 along r at eta = 0.8, gamma = 0.6, and
    pi1 GS3 > S3 exactly on (alpha, beta)."""
    case = CURVES["thresholds_eta0.8_gamma0.6"]
    fixed = inputs(case)
    found = switches("regime", "r", 1.0, 50.0, fixed, geometric=True)
    expected = case["expected"]["switches"]["regime"]
    assert [(b, a) for _, b, a in found] == [(b, a) for _, b, a in expected]
    assert [x for x, _, _ in found] == pytest.approx([x for x, _, _ in expected], rel=1e-9)
    r = np.geomspace(1.0, 12.0, 4001)
    got = fastmap.solve(NAME, r=r, **fixed)
    gain = got["pi1_gs3"] > got["pi1_s3"]
    th = case["expected"]["thresholds"]
    inside = (r > th["alpha"]) & (r < th["beta"])
    assert np.array_equal(gain, inside)


def test_figure_axes_switches():
    """§12.4: switch points of each GS structure along eta (Fig. 2), gamma (Fig. 3) and
    s = tau*w12 (Figs 4-6, tau = 1) at r = 3.5."""
    case = CURVES["figure_axes_r3.5"]
    fixed = inputs(case)
    axes = {"fig2_eta": ("eta", 0.0, 0.9999), "fig3_gamma": ("gamma", 1e-4, 0.9999),
            "fig4_6_s": ("w12", 0.0, 1.0)}
    for key, listed in case["expected"].items():
        figure, var = key.split(":")
        axis, lo, hi = axes[figure]
        params = {k: v for k, v in dict(fixed, tau=1.0).items() if k != axis}
        found = switches(var, axis, lo, hi, params)
        assert [(b, a) for _, b, a in found] == [(b, a) for _, b, a in listed], key
        assert [x for x, _, _ in found] == pytest.approx([x for x, _, _ in listed],
                                                         abs=case["tol"]), key


# ------------------------------------------------------------------------- propositions

STATEMENTS = {
    "Theorem 1: pi1 S2 > S1 > S3": lambda v: v["pi1_s2"] > v["pi1_s1"] > v["pi1_s3"],
    "Theorem 1: pi2 S1 > S2 > S3": lambda v: v["pi2_s1"] > v["pi2_s2"] > v["pi2_s3"],
    "Theorem 2: pi1 GS2 > GS1 > GS3": lambda v: v["pi1_gs2"] > v["pi1_gs1"] > v["pi1_gs3"],
    "Theorem 2: pi2 GS1 > GS2 > GS3": lambda v: v["pi2_gs1"] > v["pi2_gs2"] > v["pi2_gs3"],
    "Conclusion 3: p11 GS1 > GS2 > GS3": lambda v: v["p11_gs1"] > v["p11_gs2"] > v["p11_gs3"],
    "Conclusion 3: p12 GS1 > GS2 > GS3": lambda v: v["p12_gs1"] > v["p12_gs2"] > v["p12_gs3"],
    "Conclusion 3: p21 GS2 > GS1 > GS3": lambda v: v["p21_gs2"] > v["p21_gs1"] > v["p21_gs3"],
    "Conclusion 3: p3 GS1 > GS2 > GS3": lambda v: v["p3_gs1"] > v["p3_gs2"] > v["p3_gs3"],
    "Theorem 4(1): pi1 S1 > GS1 and S2 > GS2":
        lambda v: v["pi1_s1"] > v["pi1_gs1"] and v["pi1_s2"] > v["pi1_gs2"],
    "Theorem 4(1): pi1 GS3 > S3 iff alpha < r < beta":
        lambda v: (v["pi1_gs3"] > v["pi1_s3"]) == (v["alpha"] < v["ratio"] < v["beta"]),
    "Theorem 4(2): pi2 GS > S in all three":
        lambda v: all(v[f"pi2_gs{k}"] > v[f"pi2_s{k}"] for k in (1, 2, 3)),
    "Theorem 5(1): GS1 raises p11 and p21":
        lambda v: v["p11_gs1"] > v["p11_s1"] and v["p21_gs1"] > v["p21_s1"],
    "Theorem 5(3): GS3 raises p11 and p21":
        lambda v: v["p11_gs3"] > v["p11_s3"] and v["p21_gs3"] > v["p21_s3"],
    "Theorem 5(2) as printed (GS2 lowers p11 and p21) -- erratum 2: false here":
        lambda v: v["p11_gs2"] < v["p11_s2"] and v["p21_gs2"] < v["p21_s2"],
    "Theorem 6: pi3 GS1 < GS2 < GS3": lambda v: v["pi3_gs1"] < v["pi3_gs2"] < v["pi3_gs3"],
    "Corollary 1 chain p11 GS1 > S1 > GS3 > S3":
        lambda v: v["p11_gs1"] > v["p11_s1"] > v["p11_gs3"] > v["p11_s3"],
    "Corollary 1 chain p21 GS1 > S1 > GS3 > S3":
        lambda v: v["p21_gs1"] > v["p21_s1"] > v["p21_gs3"] > v["p21_s3"],
}


@pytest.mark.parametrize("case", ORACLE["proposition_cases"], ids=lambda c: c["id"])
def test_proposition_case(case):
    values = solve(**inputs(case))
    assert set(case["expected"]) <= set(STATEMENTS), "a statement of the oracle is not checked"
    for statement, expected in case["expected"].items():
        assert bool(STATEMENTS[statement](values)) is expected, statement


def test_paper_axis_samples_of_section_12_3():
    """r = 11: GS2 induced exit at p21_x; r = 40: all exit, M2's monopoly profit 0.028125."""
    fixed = {"theta2": 0.5, "eta": 0.8, "gamma": 0.6}
    got = solve(r=11.0, **fixed)
    assert got["p21_gs2"] == pytest.approx(0.0324675, abs=1e-7)
    assert got["p21_gs2"] == pytest.approx(got["p21_x"], rel=1e-12)
    assert got["q21_gs2"] == pytest.approx(1.5428571, abs=1e-7)
    assert got["pi2_gs2"] == pytest.approx(0.0500928, abs=1e-7)
    got = solve(r=40.0, **fixed)
    for k in (1, 2, 3):
        assert got[f"pi2_gs{k}"] == pytest.approx(0.028125, rel=1e-12)
        assert math.isnan(got[f"p11_gs{k}"]) and got[f"q11_gs{k}"] == 0.0
