"""Oracle cases of the stochastic_newsvendor spec (§13): every point case with all its outputs, the
figure crossings by root finding on the kernel's own outputs, and the Sec. 4.1 ranges."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq, minimize_scalar

import fastmap
from tests.oracle_cases import assert_point_case
from fastmap.models import stochastic_newsvendor as nv

NAME = "stochastic_newsvendor"
ORACLE = json.loads((Path(__file__).parent / "data" / "stochastic_newsvendor.json").read_text())
MODEL = fastmap.model(NAME)
POINTS = {case["id"]: case for case in ORACLE["point_cases"]}
CURVES = {case["id"]: case for case in ORACLE["curve_cases"]}


def solve(**params):
    return {k: v[()] for k, v in fastmap.solve(NAME, **params).items()}


@pytest.mark.parametrize("case_id", sorted(POINTS))
def test_point_case(case_id):
    case = POINTS[case_id]
    got = solve(**case["inputs"])
    assert_point_case(MODEL, case, got, case.get("tol", 1e-9))
    if got["regime"] == 0:
        for output in MODEL.outputs:
            if not output.categorical and output.name != "wholesale_value":
                assert math.isnan(got[output.name]), output.name


def test_kernel_writes_every_output_slot():
    """No slot keeps a stale value from the previous cell of the block buffer."""
    sentinel = -123456.789
    for case in ORACLE["point_cases"]:
        params = dict(case["inputs"])
        p = np.array([params.get(q.name, q.default if q.default is not None else np.nan)
                      for q in MODEL.parameters], dtype=float)
        o = np.full(nv.N_OUTPUTS, sentinel)
        nv.kernel(p, o)
        assert not np.any(o == sentinel), [MODEL.outputs[i].name for i in np.flatnonzero(o == sentinel)]


def _along_omega(output, omegas, **params):
    return fastmap.solve(NAME, omega=np.asarray(omegas), **params)[output]


def _switches(params, lo=0.3, hi=0.9999, n=4000):
    """Where the regime changes along omega, located by bisection on the regime code."""
    omegas = np.linspace(lo, hi, n)
    regimes = _along_omega("regime", omegas, **params)
    found = []
    for i in np.flatnonzero(regimes[1:] != regimes[:-1]):
        a, b = omegas[i], omegas[i + 1]
        left = regimes[i]
        for _ in range(80):
            mid = 0.5 * (a + b)
            if solve(omega=mid, **params)["regime"] == left:
                a = mid
            else:
                b = mid
        found.append((0.5 * (a + b), int(regimes[i]), int(regimes[i + 1])))
    return found


@pytest.mark.parametrize("case_id", [c for c in CURVES if c.startswith("fig12")])
def test_fig12_importer_active_interval(case_id):
    """Fig. 12 (sigma = 70): the importer is active (allow) on [allow_start, allow_end]."""
    case = CURVES[case_id]
    family, b1 = case["path"][0].split("_b")
    params = {"b1": float(b1), "sigma": 70.0, "dist": 0.0 if family == "uniform" else 1.0}
    switches = _switches(params)
    starts = [w for w, before, after in switches if after == 3]
    ends = [w for w, before, after in switches if before == 3]
    assert len(starts) == 1 and len(ends) == 1, switches
    assert starts[0] == pytest.approx(case["expected"]["allow_start"], abs=case["tol"])
    assert ends[0] == pytest.approx(case["expected"]["allow_end"], abs=case["tol"])
    assert solve(**params)["omega_ign"] == pytest.approx(case["expected"]["omega_ign"], abs=case["tol"])
    # the paper's regime sequence along omega (§9.2 (ii))
    sequence = [switches[0][1]] + [after for _, _, after in switches]
    assert sequence[:3] == [1, 2, 3] and sequence[3] in (2, 4)


def test_fig9_single_market_onset_grows_with_sigma():
    case = CURVES["fig9_single_onset_b2.5"]
    for key, expected in case["expected"].items():
        sigma = float(key[len("sigma"):])
        onsets = [w for w, _, after in _switches({"b1": 2.5, "sigma": sigma}) if after == 4]
        assert onsets and onsets[0] == pytest.approx(expected, abs=case["tol"]), key


def _max_ratio(b1, lo=0.01, hi=0.9999):
    omegas = np.linspace(lo, hi, 2000)
    ratios = _along_omega("ratio_uniform", omegas, b1=b1, sigma=50.0)
    i = int(np.nanargmax(ratios))
    best = minimize_scalar(lambda w: -solve(omega=w, b1=b1, sigma=50.0)["ratio_uniform"],
                           bounds=(omegas[max(i - 1, 0)], omegas[min(i + 1, len(omegas) - 1)]),
                           method="bounded", options={"xatol": 1e-12})
    return max(-best.fun, ratios[i])


def test_fig11_uniform_pricing():
    case = CURVES["fig11_uniform_pricing"]
    expected, tol = case["expected"], case["tol"]
    for b1 in ("1.25", "2.0", "3.25"):
        assert solve(b1=float(b1), sigma=50.0, omega=0.5)["ratio_uniform"] == pytest.approx(
            expected[f"ratio_b{b1}_w0.5"], abs=tol)
        assert _max_ratio(float(b1)) == pytest.approx(expected[f"max_ratio_b{b1}"], abs=tol)
    onset = [w for w, _, after in _switches({"b1": 3.25, "sigma": 50.0}, lo=0.3) if after == 4]
    assert onset[0] == pytest.approx(expected["identical_beyond_b3.25"], abs=tol)
    # The spec's "sup over b1/b2 in [2, 2.0936)" is the value at b1 = 2.0935, the last point of its
    # grid before the switch; the ratio keeps rising to 1.2758966 as b1 -> uniform_switch_b1.
    assert _max_ratio(2.0935) == pytest.approx(expected["max_ratio_over_b1"], abs=tol)
    assert _max_ratio(2.0935583) > expected["max_ratio_over_b1"]
    gap = lambda b1: solve(b1=b1, sigma=50.0)["pi_uni_both"] - solve(b1=b1, sigma=50.0)["pi_sgl"]  # noqa: E731
    assert brentq(gap, 1.5, 3.0, xtol=1e-13) == pytest.approx(expected["uniform_switch_b1"], abs=tol)


SEC41 = ORACLE["sec41"]


@pytest.mark.parametrize("key", sorted(SEC41["fig4a_b2"]))
def test_sec41_fig4a_losses(key):
    """Fig. 4(a)/(b) points at b1/b2 = 2: loss_ignore, loss_ignore_reopt, loss_deterministic."""
    sigma, omega = key.split("_w")
    got = solve(b1=2.0, sigma=float(sigma[len("sigma"):]), omega=float(omega))
    values = [got["loss_ignore"], got["loss_ignore_reopt"], got["loss_deterministic"]]
    assert values == pytest.approx(SEC41["fig4a_b2"][key], rel=1e-9)


def test_sec41_loss_ranges_on_the_paper_grid():
    """The spec's Sec. 4.1 ranges come from a coarse grid over the paper's box (b1/b2 in [1.25, 4],
    sigma in [10, 120], omega in [0.5, 0.99]); a dense grid must contain them. The maximum of
    loss_ignore_reopt sits at the corner (4, 120, 0.99) and is reproduced exactly."""
    ds = fastmap.sweep(NAME, b1=np.linspace(1.25, 4, 56), sigma=np.linspace(10, 120, 45),
                       omega=np.linspace(0.5, 0.99, 50),
                       outputs=["loss_ignore", "loss_ignore_reopt", "loss_deterministic"])
    assert float(ds.loss_ignore.min()) <= SEC41["loss_ignore_min"]
    assert float(ds.loss_ignore.max()) >= SEC41["loss_ignore_max"]
    assert float(ds.loss_deterministic.min()) <= SEC41["loss_det_min"]
    assert float(ds.loss_deterministic.max()) >= SEC41["loss_det_max"]
    corner = solve(b1=4.0, sigma=120.0, omega=0.99)["loss_ignore_reopt"]
    assert corner == pytest.approx(SEC41["loss_reopt_max"], rel=1e-9)
    assert float(ds.loss_ignore_reopt.max()) == pytest.approx(corner, rel=1e-12)
