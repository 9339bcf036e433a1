"""Gallery figures of stochastic_newsvendor (paper Figs 9, 11, 12).

Every figure draws (at low resolution) with labelled axes and a legend; every number written on a
figure, computed by the helper the figure uses, matches the spec's oracle (§13) within 1e-6.
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import numpy as np  # noqa: E402

import fastmap  # noqa: E402
from fastmap import gallery  # noqa: E402
from fastmap.gallery import stochastic_newsvendor as nv  # noqa: E402
from tests.figure_checks import assert_publishable  # noqa: E402

ORACLE = json.loads((Path(__file__).parent / "data" / "stochastic_newsvendor.json").read_text())
CURVES = {case["id"]: case["expected"] for case in ORACLE["curve_cases"]}
TOL = 1e-6


@pytest.fixture
def low_resolution(monkeypatch):
    monkeypatch.setattr(nv, "RESOLUTION", 60)
    monkeypatch.setattr(nv, "LINE_POINTS", 120)
    monkeypatch.setattr(nv, "MAP_RESOLUTION", 80)


def test_registry_lists_the_figures():
    names = gallery.figures()
    for name in ("nv_fig12", "nv_fig11", "nv_fig9", "nv_fig6", "nv_fig5"):
        assert names[name] is nv.FIGURES[name]
        assert (nv.FIGURES[name].__doc__ or "").strip().splitlines()[0]


@pytest.mark.parametrize("name", sorted(nv.FIGURES))
def test_figure_draws_with_labels_and_legend(name, low_resolution):
    assert_publishable(nv.FIGURES[name])


@pytest.mark.parametrize("dist,b1", sorted(nv.SPEC["allow"]))
def test_fig12_allow_interval_matches_spec(dist, b1):
    lo, hi = nv.allow_interval(b1, dist)
    case = CURVES[f"fig12_{nv.DISTS[dist]}_b{b1:.1f}"]
    assert lo == pytest.approx(case["allow_start"], abs=TOL)
    assert hi == pytest.approx(case["allow_end"], abs=TOL)
    assert (lo, hi) == pytest.approx(nv.SPEC["allow"][(dist, b1)], abs=TOL)


def test_fig12_spec_values_as_printed_in_the_spec():
    printed = {(0.0, 2.0): (0.694534, 0.985341), (0.0, 2.5): (0.592544, 0.806750),
               (1.0, 2.0): (0.695809, 0.985326), (1.0, 2.5): (0.594214, 0.811685)}
    for key, (lo, hi) in printed.items():
        assert nv.allow_interval(key[1], key[0]) == pytest.approx((lo, hi), abs=5e-7)


def test_fig11_numbers_match_spec():
    nums = nv.ratio_numbers()
    case = CURVES["fig11_uniform_pricing"]
    assert nums["max_ratio"][2.0] == pytest.approx(case["max_ratio_b2.0"], abs=TOL)
    assert nums["max_ratio"][1.25] == pytest.approx(case["max_ratio_b1.25"], abs=TOL)
    assert nums["ratio_b3.25_w0.5"] == pytest.approx(case["ratio_b3.25_w0.5"], abs=TOL)
    assert nums["single_onset_b3.25"] == pytest.approx(case["identical_beyond_b3.25"], abs=TOL)
    for b1, value in nv.SPEC["max_ratio"].items():
        assert nums["max_ratio"][b1] == pytest.approx(value, abs=TOL)
    assert nums["single_onset_b3.25"] == pytest.approx(nv.SPEC["single_onset_b3.25"], abs=TOL)
    assert round(nums["max_ratio"][2.0], 3) == 1.236


def test_fig6_price_gap_and_profit_non_increasing():
    for b1, inc in nv.fig6_increase().items():
        assert inc["price_gap"] <= 1e-9 and inc["pi"] <= 1e-9, b1


def test_fig5_stock_ratios():
    for sigma, ext in nv.fig5_extremes().items():
        assert ext["max_q1_ratio"] < 1.0 < ext["min_q2_ratio"], sigma


def test_fig4_annotated_losses_match_the_spec():
    """The Fig. 4 boxes print loss_ignore / loss_ignore_reopt / loss_deterministic; at b1/b2 = 2
    they equal the spec's Sec. 4.1 values (oracle ``sec41.fig4a_b2``)."""
    expected = ORACLE["sec41"]["fig4a_b2"]
    for sigma in nv.FIG4["sigma"]:
        got = fastmap.solve("stochastic_newsvendor", omega=np.array(nv.FIG4["marks"]), b1=nv.FIG4["b1"],
                            sigma=sigma, dist=nv.FIG4["dist"])
        for i, omega in enumerate(nv.FIG4["marks"]):
            values = [got[name][i] for name, _, _ in nv.LOSSES]
            assert values == pytest.approx(expected[f"sigma{sigma:g}_w{omega:g}"], rel=1e-9)
