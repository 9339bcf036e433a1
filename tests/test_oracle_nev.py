"""Every oracle case of the nev_parallel_export spec (§12, ``oracle.json``), with its tolerance,
plus the spec's closed forms and rounded tables checked against the kernel.

Point cases compare every listed output (1e-9 relative, absolute below 1; NaN where the oracle
has NaN; codes exactly); the invalid cases list only codes, every float must then be NaN.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

import fastmap
from fastmap.models import nev_parallel_export as nev

NAME = "nev_parallel_export"
ORACLE = json.loads((Path(__file__).parent / "data" / "nev_parallel_export.json").read_text())
CASES = {case["name"]: case for case in ORACLE["point_cases"]}
TOL = 1e-9
MODEL = fastmap.model(NAME)
FLOATS = [o.name for o in MODEL.outputs if not o.categorical]


def solve(**params):
    return {k: v[()] for k, v in fastmap.solve(NAME, **params).items()}


def test_oracle_tolerance_is_the_one_used():
    assert ORACLE["model"] == NAME
    assert ORACLE["tolerance"] == "1e-9 relative (abs below 1)"


@pytest.mark.parametrize("name", sorted(CASES))
def test_point_case(name):
    case = CASES[name]
    got = solve(**case["inputs"])
    for output, expected in case["outputs"].items():
        value = got[output]
        if MODEL.output(output).categorical:
            assert value == expected, output
        elif math.isnan(expected):
            assert math.isnan(value), output
        else:
            assert abs(value - expected) <= TOL * max(1.0, abs(expected)), (output, value, expected)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_output_is_listed_or_invalid(name):
    """Valid cases list all 111 outputs of the spec (the kernel adds its signed margins); invalid
    ones list the regime codes, the rest is NaN / 0."""
    case = CASES[name]
    got = solve(**case["inputs"])
    if case["outputs"]["regime_cn"] == 1:
        assert set(case["outputs"]) == {n for n in MODEL.output_names if not n.startswith("margin_")}
    else:
        for output in MODEL.outputs:
            if output.categorical:
                assert got[output.name] == 0, output.name
            else:
                assert math.isnan(got[output.name]), output.name


# The spec's §12 table (7 significant digits) at the base point theta=0.3, k=4, beta=0.5, B.
SPEC_TABLE = {
    "cn": (0.15, 0.6666667, 0.1666667, 0.1666667, 0.25, 0.2041667, 0.01875, 0.0277778),
    "cr": (0.2045455, 0.7575758, 0.1666667, 0.1212121, 0.1590909, 0.1950758, 0.0075930, 0.0146924),
    "ct": (0.1628014, 0.7080692, 0.1666667, 0.1459654, 0.2286644, 0.2030365, 0.0156862, 0.0213059),
}
TABLE_FIELDS = ("w", "q_2", "e", "q_1", "q_r", "pi_2", "pi_R", "pi_1")


def test_spec_base_table():
    got = solve(theta=0.3, k=4.0, beta=0.5, reading=1)
    for tag, row in SPEC_TABLE.items():
        for field, value in zip(TABLE_FIELDS, row):
            assert got[f"{field}_{tag}"] == pytest.approx(value, abs=6e-8), (tag, field)
    acc = (0.1709364, 0.8555654, 0.2031802, 0.1068905, 0.2151060, None, None, None)
    for field, value in zip(TABLE_FIELDS, acc):
        if value is not None:
            assert got[f"{field}_cr_acc"] == pytest.approx(value, abs=6e-8), field
    assert got["pi_2_cr_acc"] == pytest.approx(0.1710468, abs=6e-8)
    assert got["q_par_cr_acc"] == pytest.approx(-0.0159, abs=5e-5)
    assert (got["regime_cn"], got["regime_cr"], got["regime_ct"]) == (1, 2, 2)
    assert (got["paper_cr"], got["paper_ct"]) == (3, 3)


def test_spec_paper_valid_point():
    got = solve(theta=0.08, k=6.0, beta=0.9, reading=1)
    cr = {"w": 0.0578571, "q_2": 0.6377771, "e": 0.0888885, "q_1": 0.1700402, "q_par": 0.1071626,
          "q_r": 0.1383930, "pi_2": 0.1014186, "pi_R": 0.0130160}
    ct = {"w": 0.0492191, "q_2": 0.6462184, "e": 0.0872032, "q_1": 0.1691378, "q_par": 0.0938105,
          "q_r": 0.2438010, "pi_2": 0.1042369}
    for tag, row in (("cr_acc", cr), ("ct_acc", ct)):
        for field, value in row.items():
            assert got[f"{field}_{tag}"] == pytest.approx(value, abs=6e-8), (tag, field)
    assert got["regime_cr"] == got["regime_ct"] == 3
    assert got["pi_2_cr"] == got["pi_2_ct"] == pytest.approx(0.15, abs=1e-15)
    assert got["pi_2_cn"] == pytest.approx(0.16, abs=1e-15)
    assert [got[c] for c in ("t5_market1_cr", "t5_ad_mix_cr", "t7_ad_cr", "t9_market1_ct",
                             "t8_market2_ct")] == [2, 2, 1, 2, 2]


# ------------------------------------------------------------------ closed forms of the spec

GRID = {"theta": np.linspace(0.01, 1.0, 23)[:, None, None],
        "k": np.array([2.01, 2.5, 3.0, 6.0, 40.0])[None, :, None],
        "beta": np.linspace(0.05, 0.95, 7)[None, None, :]}


def test_cn_closed_form_and_theorem2():
    """§6: CN in closed form; Thm 2 identities."""
    theta, k = GRID["theta"], GRID["k"]
    r = fastmap.solve(NAME, **GRID)
    km = k - 1.0
    expected = {"q_2_cn": k / (2 * km), "e_cn": 1 / (2 * km), "q_1_cn": (k - 2) / (4 * km),
                "p_1_cn": (k - 2) / (4 * km), "p_2_cn": k / (4 * km), "pi_2_m1_cn": k / (8 * km),
                "pi_1_cn": (k - 2) ** 2 / (16 * km**2), "pi_2_cn": k / (8 * km) + theta / 8,
                "w_cn": theta / 2, "q_r_cn": 0.25 + 0 * theta, "p_r_cn": 0.75 * theta,
                "pi_2_m2_cn": theta / 8, "pi_R_cn": theta / 16}
    for name, value in expected.items():
        np.testing.assert_allclose(r[name], np.broadcast_to(value, r[name].shape), rtol=1e-12,
                                   atol=1e-15, err_msg=name)
    np.testing.assert_allclose(r["q_2_cn"] - r["q_1_cn"],
                               np.broadcast_to((k + 2) / (4 * km), r["q_2_cn"].shape))
    np.testing.assert_allclose(r["pi_2_m1_cn"] - r["pi_2_m2_cn"], (k / km - theta) / 8 + 0 * r["pi_2_cn"])
    assert np.all(r["regime_cn"] == 1) and np.all(np.isnan(r["p_g_cn"]))


def test_cn_keeps_precision_near_k_2():
    """§14: near k = 2, M1's CN quantity (k - 2)/(4 (k - 1)) must not lose its digits to 1 - q2."""
    k = 2.0 + np.array([1e-4, 1e-8, 1e-12])
    r = fastmap.solve(NAME, k=k, theta=0.5)
    exact = (k - 2.0) / (4.0 * (k - 1.0))
    np.testing.assert_allclose(r["q_1_cn"], exact, rtol=1e-12)
    np.testing.assert_allclose(r["pi_1_cn"], exact**2, rtol=1e-12)
    np.testing.assert_allclose(r["p_1_cn"], exact, rtol=1e-12)


def test_cr_accommodation_reading_a_explicit():
    """§7.2 reading A: explicit w, q2, e and k_H_cr = 2/(2 - beta)."""
    theta, k, beta = GRID["theta"], GRID["k"], GRID["beta"]
    r = fastmap.solve(NAME, **GRID, reading=0.0)
    b2 = 2 - beta
    expected = {"w_cr_acc": 3 * theta * beta * b2 / (2 * (2 * beta * b2 + theta * (4 - beta))),
                "q_2_cr_acc": k * b2 / (2 * (k * b2 - 2)), "e_cr_acc": b2 / (2 * (k * b2 - 2)),
                "k_H_cr": 2 / b2}
    for name, value in expected.items():
        np.testing.assert_allclose(r[name], np.broadcast_to(value, r[name].shape), rtol=1e-11,
                                   err_msg=name)
    assert np.all(r["b_v"] == np.broadcast_to(beta, r["b_v"].shape)) and np.all(r["b_e"] == 0)


def test_cr_accommodation_reading_b_first_order_conditions():
    """§7.2 reading B: the explicit H and c (solution satisfies H x + c = 0)."""
    theta, k, beta = GRID["theta"], GRID["k"], GRID["beta"]
    r = fastmap.solve(NAME, **GRID, reading=1.0)
    w, q2, e = r["w_cr_acc"], r["q_2_cr_acc"], r["e_cr_acc"]
    g1 = (-1 / theta - 1.5) * w + 0.75 * beta * e + 0.75
    g2 = -0.5 * q2 + (1 - beta / 4) * e + 0.25
    g3 = 0.75 * beta * w + (1 - beta / 4) * q2 - k * e
    for g in (g1, g2, g3):
        assert np.max(np.abs(g)) < 1e-12


def test_ct_accommodation_stage2_and_profit_identities():
    """§8.1-8.2: the reported CT accommodation satisfies the stage-2 system and the price rules."""
    theta = GRID["theta"]
    for reading in (0.0, 1.0):
        r = fastmap.solve(NAME, **GRID, reading=reading)
        b_v, b_e = r["b_v"], r["b_e"]
        w, q2, e, q1, q_r, q_t = (r[f"{f}_ct_acc"] for f in ("w", "q_2", "e", "q_1", "q_r", "q_par"))
        g = 2 * (b_v + theta)
        m1 = 2 * (g - b_v**2) * q1 + b_v * theta * q_r - ((g - b_v**2) * (1 - q2) - b_v * (b_e * e - theta))
        ad = (theta * b_v * q1 + 2 * theta * (g - theta) * q_r
              - (g * theta - theta**2 + theta * b_v * (1 - q2) + theta * b_e * e - g * w))
        tp = q_t - (b_v * (1 - q1 - q2) + b_e * e - theta * (1 - q_r)) / g
        for residual in (m1, ad, tp):
            assert np.max(np.abs(residual)) < 1e-12
        np.testing.assert_allclose(r["p_r_ct_acc"], theta * (1 - q_r + q_t), atol=1e-14)
        np.testing.assert_allclose(r["pi_2_ct_acc"], r["p_2_ct_acc"] * q2 - GRID["k"] * e**2 / 2 + w * q_r,
                                   atol=1e-14)
        np.testing.assert_allclose(r["p_2_ct_acc"], 1 + e - q1 - q2 - b_v * q_t, atol=1e-14)
        np.testing.assert_allclose(r["pi_2_m2_ct_acc"], w * q_r, atol=1e-15)


def test_blocking_floors():
    """§9.2: CR floor (0, 1); CT lambda = 1/T2 with T2 = 2(1 - rho)/xi, alpha = theta (1 - lambda)."""
    r = fastmap.solve(NAME, **GRID)
    theta = np.broadcast_to(GRID["theta"], r["b_v"].shape)
    xi = theta / (r["b_v"] + theta)
    rho = np.sqrt(1 - xi / 2)
    lam = xi / (2 * (1 - rho))
    np.testing.assert_allclose(r["floor_lambda_ct"], lam, rtol=1e-12)
    np.testing.assert_allclose(r["floor_alpha_ct"], theta * (1 - lam), rtol=1e-12)
    assert np.all(r["floor_alpha_cr"] == 0) and np.all(r["floor_lambda_cr"] == 1)
    assert np.all(1 / r["floor_lambda_ct"] >= 0.5)


def test_true_outcomes_block_and_respect_the_floor():
    """§9: no parallel trade, w at or above the floor (or Market 1 captured), pi_2 <= CN."""
    r = fastmap.solve(NAME, **GRID)
    theta = np.broadcast_to(GRID["theta"], r["b_v"].shape)
    for tag in ("cr", "ct"):
        ok = np.isin(r[f"regime_{tag}"], (1, 2, 3, 4))      # blocking regimes (reading B: all valid)
        assert np.array_equal(ok, r[f"regime_{tag}"] > 0)
        L = r[f"floor_alpha_{tag}"] + r[f"floor_lambda_{tag}"] * (
            r["b_e"] * r[f"e_{tag}"] + r["b_v"] * (1 - r[f"q_2_{tag}"]) / 2)
        blocked = (r[f"w_{tag}"] >= L - 1e-12) | (r[f"q_2_{tag}"] == 1)
        if tag == "ct":
            blocked |= r["w_ct"] >= theta
        assert np.all(blocked[ok])
        assert np.all(r[f"q_par_{tag}"][ok] == 0) and np.all(np.isnan(r[f"p_g_{tag}"]))
        assert np.all(r[f"pi_2_{tag}"][ok] <= r["pi_2_cn"][ok] + 1e-15)
        assert np.all(r[f"ratio_pi_R_{tag}"][ok] <= 1 + 1e-12)
        np.testing.assert_allclose(r[f"ratio_pi_2_{tag}"][ok], (r[f"pi_2_{tag}"] / r["pi_2_cn"])[ok])


def test_paper_rule_codes():
    """§10: regime_*_paper = 1 where the accommodation is valid, else the true code + 1."""
    r = fastmap.solve(NAME, **GRID)
    for tag in ("cr", "ct"):
        true, paper = r[f"regime_{tag}"], r[f"paper_{tag}"]
        expected = np.where(paper == 1, 1, np.where(true > 0, true + 1, 0))
        assert np.array_equal(r[f"regime_{tag}_paper"], expected)
    assert np.all((r["t7_ad_cr"] > 0) == (r["paper_cr"] == 1))
    assert np.all((r["t8_market2_ct"] > 0) == (r["paper_ct"] == 1))


# ------------------------------------------------------------------ domain and regime strings

@pytest.mark.parametrize("params", [
    {"theta": 0.0}, {"theta": 1.0 + 1e-12}, {"theta": -0.2}, {"k": 2.0}, {"k": 1.0},
    {"beta": 0.0}, {"beta": 1.0}, {"reading": 0.5}, {"reading": 2.0}, {"theta": math.nan},
    {"k": math.inf}, {"beta": math.nan},
])
def test_outside_the_domain_is_invalid(params):
    got = solve(**params)
    for output in MODEL.outputs:
        if output.categorical:
            assert got[output.name] == 0, output.name
        else:
            assert math.isnan(got[output.name]), output.name


def test_domain_edges_are_valid():
    assert solve(theta=1.0)["regime_cr"] > 0
    assert solve(k=2.0 + 1e-9)["regime_cr"] > 0
    assert solve(beta=1e-9)["regime_cr"] > 0 and solve(beta=1 - 1e-9)["regime_cr"] > 0


def test_true_ct_only_from_k_min():
    below = solve(k=nev.K_MIN_CT - 1e-12, theta=0.3)
    at = solve(k=nev.K_MIN_CT, theta=0.3)
    assert below["regime_ct"] == 0 and at["regime_ct"] > 0
    for field, *_ in nev.FIELDS:
        assert math.isnan(below[f"{field}_ct"])
    assert math.isnan(below["ratio_pi_2_ct"]) and below["regime_cr"] > 0
    assert math.isfinite(below["floor_lambda_ct"]) and below["paper_ct"] > 0


def test_typical_map_of_the_spec():
    """§10 'typical map' (reading B, beta = 0.9): close_market2 -> limit_wholesale -> no_threat
    along theta at k = 6 (CT reaches no_threat first); CR captures Market 1 at k = 2.3."""
    order = {"cr": [3, 2, 1], "ct": [3, 2, 1]}
    theta = np.linspace(0.01, 1.0, 400)
    r = fastmap.solve(NAME, theta=theta, k=6.0, beta=0.9)
    for tag, expected in order.items():
        codes = r[f"regime_{tag}"]
        assert [int(c) for c in codes[np.r_[True, np.diff(codes) != 0]]] == expected
    first_no_threat = {tag: theta[np.argmax(r[f"regime_{tag}"] == 1)] for tag in order}
    assert first_no_threat["ct"] < first_no_threat["cr"]
    assert np.all(r["regime_cr_paper"][theta < 0.2] == 1) and np.all(r["regime_ct_paper"][theta < 0.2] == 1)
    low = fastmap.solve(NAME, theta=np.linspace(0.1, 0.6, 50), k=2.3, beta=0.9)
    assert np.all(low["regime_cr"] == 4) and np.all(low["regime_ct"] == 0)


def test_labels_follow_the_spec():
    assert MODEL.output("regime_cr").flag_meanings == (
        "invalid", "no_threat", "limit_wholesale", "close_market2", "capture_market1")
    assert MODEL.output("regime_ct_paper").flag_meanings == (
        "invalid", "paper_accommodation", "no_threat", "limit_wholesale", "close_market2",
        "capture_market1")
    assert MODEL.output("regime_ct").flag_meanings == (
        "invalid", "no_threat", "limit_wholesale", "close_market2", "capture_market1", "accommodate")
    assert MODEL.output("regime_cn").flag_meanings == ("invalid", "cn_interior")
    assert len(MODEL.outputs) == 111 + 7  # the spec's outputs and the signed margins


# ------------------------------------------------------------------ erratum to §9.1

def test_ct_accommodation_is_the_true_outcome():
    """Spec §9.1 claims M2 always blocks parallel trade. At theta = 0.013149991184332452,
    k = 43.59108672593904, beta = 0.05551196851187258 (reading A) the paper's CT equilibrium
    (w = 0.0072671, q2 = 0.5134168, e = 0.0117780; the TP buys q_t = 0.0255449) is valid, the
    stage-2 game has a unique equilibrium there, and M2 earns 0.1279609766 against 0.1279348864 =
    k/(8(k-1)) for the best blocking outcome (close_market2); the limit_wholesale candidate gives
    0.1279019. Numbers from the independent reference (``tests/reference/nev_brute.py``, global
    search over accommodating strategies)."""
    theta, k, beta = 0.013149991184332452, 43.59108672593904, 0.05551196851187258
    got = solve(theta=theta, k=k, beta=beta, reading=0.0)
    assert got["regime_ct"] == nev.ACCOMMODATE and got["paper_ct"] == 1
    assert got["regime_ct_paper"] == 1 and got["regime_cr"] == 3
    assert got["pi_2_ct"] == pytest.approx(0.1279609766, abs=1e-8)
    assert got["pi_2_ct"] - k / (8 * (k - 1)) == pytest.approx(2.609e-5, abs=1e-8)
    expected = {"w": 0.0072671, "q_2": 0.5134168, "e": 0.0117780, "q_par": 0.0255449}
    for field, value in expected.items():
        assert got[f"{field}_ct"] == pytest.approx(value, abs=6e-8), field
    for field, *_ in nev.FIELDS:
        assert got[f"{field}_ct"] == got[f"{field}_ct_acc"], field
    assert got["ratio_pi_2_ct"] == pytest.approx(0.1279609766 / got["pi_2_cn"], rel=1e-8)
    assert got["pi_T_ct"] > 0 and math.isfinite(got["p_g_ct"])
    # the oracle cases are outside the band: none of them accommodates
    assert all(c["outputs"]["regime_ct"] in (0, 1, 2, 3, 4) for c in CASES.values())
