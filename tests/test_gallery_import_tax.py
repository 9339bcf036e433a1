"""Gallery figures of import_tax_channels (paper Figs 3-8 and extras).

Every figure draws (at low resolution) with labelled axes and a legend; every number written on a
figure, computed by the helper the figure uses, matches the spec's oracle (§10.4, §11, §12).
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from fastmap import gallery  # noqa: E402
from fastmap.gallery import import_tax_channels as itc  # noqa: E402
from tests.figure_checks import assert_publishable  # noqa: E402

ORACLE = json.loads((Path(__file__).parent / "data" / "import_tax_channels.json").read_text())
CURVES = {case["id"]: case for case in ORACLE["curve_cases"]}
PAPER_FIGURES = ("itc_fig3", "itc_fig4", "itc_fig5", "itc_fig6", "itc_fig7", "itc_fig8")
#: Oracle names of the line-plot crossings, per axis of the module.
CURVE_KEYS = {
    "t": ("fig3_crossings", {"lo": "t1", "hi": "t2", "x4": "t4", "x3": "t3"}),
    "delta": ("fig4_crossings", {"lo": "delta_lo", "hi": "delta_hi", "x4": "delta4",
                                 "x3": "delta3"}),
    "dt": ("fig5_crossings", {"lo": "dt_lo", "x4": "dt4", "x3": "dt3"}),
}


@pytest.fixture
def low_resolution(monkeypatch):
    monkeypatch.setattr(itc, "RESOLUTION", 120)
    monkeypatch.setattr(itc, "LINE_POINTS", 120)


def test_registry_lists_the_paper_figures():
    names = gallery.figures()
    for name in PAPER_FIGURES + ("itc_true_regime", "itc_result2", "itc_prices_t"):
        assert names[name] is itc.FIGURES[name]
        assert (itc.FIGURES[name].__doc__ or "").strip().splitlines()[0]


@pytest.mark.parametrize("name", sorted(itc.FIGURES))
def test_figure_draws_with_labels_and_legend(name, low_resolution):
    assert_publishable(itc.FIGURES[name])


# ------------------------------------------------------------------ numbers written on figures

@pytest.mark.parametrize("axis", sorted(CURVE_KEYS))
def test_line_plot_crossings_match_oracle(axis):
    case_id, names = CURVE_KEYS[axis]
    case = CURVES[case_id]
    c = itc.crossings(axis)
    assert c["n_x4"] == 1 and c["n_x3"] == 1      # exactly one EP/DP and one harmful/beneficial switch
    for key, oracle_name in names.items():
        assert c[key] == pytest.approx(case["expected"][oracle_name], abs=case["tol"])
        # the "spec" column printed next to the computed number is the oracle's value
        assert itc.SPEC[axis][key] == pytest.approx(case["expected"][oracle_name], abs=1e-12)
    if axis == "dt":
        assert c["hi"] == 0.25                     # t_g = 0 closes the interval
    assert c["lo"] < c["x4"] < c["x3"] < c["hi"]


@pytest.mark.parametrize("axis", sorted(CURVE_KEYS))
def test_line_plot_shading_and_paper_ordering(axis):
    """The drawn regime spans switch at the annotated crossings; E stays below B (paper)."""
    x, r = itc.profit_line(axis, n=2001)
    c = itc.crossings(axis)
    step = x[1] - x[0]
    assert set(np.unique(r["regime"])) == {2, 3, 4}
    runs = itc._runs(r["regime"])
    assert [code for *_, code in runs] == [4, 3, 2]   # EP -> DP harmful -> DP beneficial
    assert abs(x[runs[1][0]] - c["x4"]) <= step and abs(x[runs[2][0]] - c["x3"]) <= step
    assert np.all(r["piM_E"] < r["piM_B"])
    assert np.all(np.isfinite(r["piM_D"]))


def test_fig4_profit_span_as_in_paper():
    x, r = itc.profit_line("delta")
    values = np.concatenate([r["piM_B"], r["piM_E"], r["piM_D"]])
    assert 0.37 < values.min() < 0.39 and 0.41 < values.max() < 0.43   # paper's axis: 0.38-0.42


def test_welfare_crossings_match_spec():
    w = itc.welfare_crossings()
    for key, value in itc.SPEC["welfare"].items():
        assert w[key] == pytest.approx(value, abs=5e-5), key   # spec gives 4 decimals
    assert w["t4_0.7"] == pytest.approx(CURVES["fig3_crossings"]["expected"]["t4"], abs=1e-12)
    assert np.isnan(w["d_DB_0.75"]) and np.isnan(w["d_DB_0.8"])
    # foreign order going up in t at delta = 0.7: IV -> III -> II -> I
    assert w["t4_0.7"] < w["f_DB_0.7"] < w["f_DE_0.7"]


def test_welfare_map_order_at_delta_07():
    r = itc._solve(delta=0.7, t=np.array([0.22, 0.30, 0.40, 0.48]), **itc.FIG6)
    assert list(r["wreg_f"]) == [4, 3, 2, 1]
    assert list(r["wreg_d"])[1:] == [1, 1, 1]


def test_fig7_region_shares_match_spec():
    shares = {nf: itc.region_shares(400, t_g=0.05, N_d=1.0, N_f=nf) for nf in itc.FIG7_NF}
    for nf, expected in itc.SPEC["shares"].items():
        for code, value in expected.items():
            assert shares[nf][code] == pytest.approx(value, abs=0.15), (nf, code)
    # paper: grey and green grow with N_f, the valid area too (no_gray_market shrinks)
    for code, sign in ((2, 1), (4, 1), (1, -1)):
        series = [shares[nf][code] for nf in itc.FIG7_NF]
        assert np.all(sign * np.diff(series) > 0), code


def test_result2_thresholds_match_oracle():
    case = CURVES["result2_theta_thresholds"]
    th = itc.result2_thresholds()
    for key in ("theta_lo", "theta_hi"):
        assert th[key] == pytest.approx(case["expected"][key], abs=case["tol"])
        assert itc.SPEC[key] == pytest.approx(case["expected"][key], abs=1e-12)
        assert itc.PAPER[key] == case["paper_value"][key]
    dp, ep = itc.band_widths([th["theta_lo"] - 1e-3, th["theta_lo"] + 1e-3,
                              th["theta_hi"] - 1e-3, th["theta_hi"] + 1e-3])
    assert dp[0] <= 0 < dp[1] and ep[2] > 0 >= ep[3]


def test_result2_agrees_with_the_maps():
    """Fig 8 panels: no DP cell at theta_f = 0.70, no EP cell at theta_f = 1.10."""
    low = itc.region_shares(300, t_g=0.05, theta_d=1.0, theta_f=0.70)
    high = itc.region_shares(300, t_g=0.05, theta_d=1.0, theta_f=1.10)
    assert low.get(2, 0) == 0 and low.get(3, 0) == 0 and low[4] > 0
    assert high.get(4, 0) == 0 and high[2] > 0 and high[3] > 0


def test_demand_crossing_matches_prop3():
    q = itc.demand_crossing()
    assert q["root"] == pytest.approx(q["closed_form"], abs=1e-9)
