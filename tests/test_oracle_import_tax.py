"""Every oracle case of the import_tax_channels spec (§12), with its tolerance.

Point cases compare every listed output; outputs a case does not list are NaN (not applicable)
there. Curve cases locate the figures' crossings and Result 2's thresholds by root finding on the
kernel's own outputs. Proposition cases evaluate the spec's statements at the listed points.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq, minimize

import fastmap
from tests.oracle_cases import assert_point_case

ORACLE = json.loads((Path(__file__).parent / "data" / "import_tax_channels.json").read_text())
MODEL = fastmap.model("import_tax_channels")
POINTS = {case["id"]: case for case in ORACLE["point_cases"]}
CURVES = {case["id"]: case for case in ORACLE["curve_cases"]}


def solve(**params):
    return {k: v[()] for k, v in fastmap.solve("import_tax_channels", **params).items()}


@pytest.mark.parametrize("case_id", sorted(POINTS))
def test_point_case(case_id):
    case = POINTS[case_id]
    assert_point_case(MODEL, case, solve(**case["inputs"]), case["tol"])


@pytest.mark.parametrize("case_id", sorted(POINTS))
def test_unlisted_case_values_are_nan(case_id):
    """A case value the oracle omits is not applicable (importer absent, branch missing)."""
    case = POINTS[case_id]
    got = solve(**case["inputs"])
    suffixed = [o.name for o in MODEL.outputs
                if not o.categorical and o.name.endswith(("_B", "_E", "_D", "_A"))]
    for name in suffixed + ["t0", "t1", "t2", "t3", "t4", "R"]:
        if name not in case["expected"]:
            assert math.isnan(got[name]), name


def test_invalid_cases_are_all_nan():
    for case_id in ("invalid_delta", "invalid_t"):
        got = solve(**POINTS[case_id]["inputs"])
        for output in MODEL.outputs:
            if not output.categorical:
                assert math.isnan(got[output.name]), (case_id, output.name)


def test_fig3_crossings():
    case = CURVES["fig3_crossings"]
    got = solve(**case["inputs"])
    _assert_close({name: got[name] for name in case["expected"]}, case)


def _crossing(threshold, along, lo, hi, target, **fixed):
    """Where ``threshold(along) == target`` (e.g. t1(delta) = t) by Brent's method."""
    return brentq(lambda x: solve(**{along: x}, **fixed)[threshold] - target, lo, hi, xtol=1e-14)


def _assert_close(found, case):
    for name, value in found.items():
        assert value == pytest.approx(case["expected"][name], abs=case["tol"]), name


def test_fig4_crossings():
    case = CURVES["fig4_crossings"]
    t, t_g = case["inputs"]["t"], case["inputs"]["t_g"]
    found = {
        "delta_lo": _crossing("t1", "delta", 0.5, 0.7, t, t=t, t_g=t_g),
        "delta_hi": _crossing("t2", "delta", 0.8, 0.95, t, t=t, t_g=t_g),
        "delta4": _crossing("t4", "delta", 0.65, 0.72, t, t=t, t_g=t_g),
        "delta3": _crossing("t3", "delta", 0.7, 0.8, t, t=t, t_g=t_g),
    }
    _assert_close(found, case)
    # The regime switches exactly there along the axis.
    regimes = [solve(delta=d, t=t, t_g=t_g)["regime"] for d in
               (found["delta4"] - 1e-7, found["delta4"] + 1e-7, found["delta3"] - 1e-7, found["delta3"] + 1e-7)]
    assert regimes == [4, 3, 3, 2]


def test_fig5_crossings():
    case = CURVES["fig5_crossings"]
    t, delta = case["inputs"]["t"], case["inputs"]["delta"]
    found = {
        "dt_lo": _crossing("t1", "dt", 0.1, 0.2, t, t=t, delta=delta),
        "dt4": _crossing("t4", "dt", 0.17, 0.21, t, t=t, delta=delta),
        "dt3": _crossing("t3", "dt", 0.21, 0.24, t, t=t, delta=delta),
    }
    _assert_close(found, case)


def _dp_margin(theta_f, sign, t_g=0.05, theta_d=1.0):
    """Extreme of ``sign * (piM_D - piM_E)`` over the paper's valid area (interior D, t1 < t < t2).

    ``sign = +1``: the max of the margin (DP chosen somewhere iff > 0); ``sign = -1``: minus its
    min (DP chosen everywhere iff < 0). The area is parametrised as ``t = t1 + s (t2 - t1)`` with
    ``s`` in ``[EDGE, 1 - EDGE]`` (the extremes sit on its edges); a dense map in ``(delta, s)``
    locates the extreme and a bounded quasi-Newton search polishes it.
    """
    edge = 1e-12
    deltas = np.linspace(0.01, 0.9999, 800)
    shares = np.linspace(edge, 1 - edge, 400)
    bounds = fastmap.solve("import_tax_channels", delta=deltas, t=0.0, t_g=t_g, theta_d=theta_d,
                           theta_f=theta_f)

    def margin(delta, share, t1, t2):
        value = fastmap.solve("import_tax_channels", delta=delta, t=t1 + share * (t2 - t1), t_g=t_g,
                              theta_d=theta_d, theta_f=theta_f)
        gap = np.where(value["case_d"] == 2, value["piM_D"] - value["piM_E"], np.nan)
        return sign * np.where(t2 > t1, gap, np.nan)

    grid = margin(deltas[:, None], shares[None, :], bounds["t1"][:, None], bounds["t2"][:, None])
    i, j = np.unravel_index(np.nanargmax(grid), grid.shape)

    def objective(x):
        ends = solve(delta=x[0], t=0.0, t_g=t_g, theta_d=theta_d, theta_f=theta_f)
        value = margin(x[0], x[1], ends["t1"], ends["t2"])[()]
        return np.inf if np.isnan(value) else -value

    best = minimize(objective, [deltas[i], shares[j]], method="L-BFGS-B",
                    bounds=[(deltas[max(i - 1, 0)], deltas[min(i + 1, len(deltas) - 1)]), (edge, 1 - edge)],
                    options={"ftol": 1e-15, "gtol": 1e-12})
    return sign * max(-best.fun, grid[i, j])


def test_result2_theta_thresholds():
    """Result 2: EP is the only choice iff theta_f <= theta_lo; DP the only one iff theta_f >= theta_hi."""
    case = CURVES["result2_theta_thresholds"]
    expected = case["expected"]
    theta_lo = brentq(_dp_margin, 0.65, 0.8, args=(1,), xtol=1e-7)
    theta_hi = brentq(_dp_margin, 1.0, 1.2, args=(-1,), xtol=1e-7)
    assert theta_lo == pytest.approx(expected["theta_lo"], abs=case["tol"])
    assert theta_hi == pytest.approx(expected["theta_hi"], abs=case["tol"])


STATEMENTS = {
    "p_d_D < p_d_B < p_E < p_f_B < p_f_D":
        lambda v: v["p_d_D"] < v["p_d_B"] < v["p_d_E"] < v["p_f_B"] < v["p_f_D"],
    "pi_B > pi_E": lambda v: v["piM_B"] > v["piM_E"],
    "CS_d_D > CS_d_B > CS_d_E": lambda v: v["CS_d_D"] > v["CS_d_B"] > v["CS_d_E"],
    "CS_f_E > CS_f_B > CS_f_D": lambda v: v["CS_f_E"] > v["CS_f_B"] > v["CS_f_D"],
    "t1 < t3 and t4 < t3": lambda v: v["t1"] < v["t3"] and v["t4"] < v["t3"],
    "pi_D > pi_B iff t > t3": lambda v: (v["piM_D"] > v["piM_B"]) == (v["t"] > v["t3"]),
    "pi_D > pi_E iff t > t4": lambda v: (v["piM_D"] > v["piM_E"]) == (v["t"] > v["t4"]),
    "Q_f_D + Q_g_D > Q_f_B iff t > (2d(1-d)+t_g(1+4d-d^2))/(d(1+2d-d^2))":
        lambda v: (v["Q_f_D"] + v["Q_g_D"] > v["Q_f_B"]) == (
            v["t"] > (2 * v["delta"] * (1 - v["delta"]) + v["t_g"] * (1 + 4 * v["delta"] - v["delta"] ** 2))
            / (v["delta"] * (1 + 2 * v["delta"] - v["delta"] ** 2))),
    "t3 < t0 (benchmark prices deter whenever the channel would be harmful)": lambda v: v["t3"] < v["t0"],
}


@pytest.mark.parametrize("case", ORACLE["proposition_cases"], ids=lambda c: c["id"])
def test_proposition_case(case):
    values = dict(solve(**case["inputs"]), **case["inputs"])
    assert set(case["expected"]) <= set(STATEMENTS), "a statement of the oracle is not checked"
    for statement, expected in case["expected"].items():
        assert bool(STATEMENTS[statement](values)) is expected, statement
