"""Gallery figures and tables of service_gray_market (paper Figs 2-4, tables, new maps).

Every figure draws (at low resolution) with labelled axes and a legend; every table has a row per
item; every number written on a figure or table, computed by the helper it uses, matches the
spec's oracle (sections 11, 13, 14), and the "spec" values printed next to them are the oracle's.
"""

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from fastmap import gallery  # noqa: E402
from fastmap.gallery import Table  # noqa: E402
from fastmap.gallery import service_gray_market as sgm  # noqa: E402
from tests.figure_checks import assert_publishable  # noqa: E402

ORACLE = json.loads((Path(__file__).parent / "data" / "service_gray_market.json").read_text())
CURVES = {case["name"]: case["value"] for case in ORACLE["curve_cases"]}
POINTS = {case["name"]: case["outputs"] for case in ORACLE["point_cases"]}
CHAIN_KEY = {"regime": "centralized", "regime_R": "regime_R", "regime_M": "regime_M"}
TABLES = sorted(name for name in sgm.FIGURES if name.startswith("sgm_table_"))
FIGURES = sorted(name for name in sgm.FIGURES if name not in TABLES)


@pytest.fixture
def low_resolution(monkeypatch):
    monkeypatch.setattr(sgm, "MAP_RESOLUTION", 96)
    monkeypatch.setattr(sgm, "LINE_POINTS", 120)


def test_registry_lists_the_gallery():
    names = gallery.figures()
    for name in ("sgm_fig2", "sgm_fig3", "sgm_fig4", "sgm_map_delta_cG", "sgm_map_theta2_lambda2",
                 "sgm_map_disagree", "sgm_table_value_of_service", "sgm_table_regime_boundaries"):
        assert names[name] is sgm.FIGURES[name]
    for fn in sgm.FIGURES.values():
        assert (fn.__doc__ or "").strip().splitlines()[0]
    assert sgm.MAP_RESOLUTION == 2048


@pytest.mark.parametrize("name", FIGURES)
def test_figure_draws_with_labels_and_legend(name, low_resolution):
    assert_publishable(sgm.FIGURES[name])


@pytest.mark.parametrize("name", TABLES)
def test_table_renders(name):
    table = sgm.FIGURES[name]()
    assert isinstance(table, Table)
    assert table.rows and all(len(row) == len(table.columns) for row in table.rows)
    markdown, csv = table.to_markdown(), table.to_csv()
    assert table.title in markdown and csv.count("\n") == len(table.rows) + 1


def test_spec_values_are_the_oracles():
    for (s, var), values in sgm.SPEC["boundaries"].items():
        names = [n for n in CURVES if n.startswith(f"set{s}_{CHAIN_KEY[var]}_")]
        assert sorted(values) == sorted(CURVES[n] for n in names), (s, var)
    for s, value in sgm.SPEC["service_pct"].items():
        assert value == CURVES[f"set{s}_value_of_service_low_delta_pct"]
    for (s, d), value in sgm.SPEC["fig2_pct"].items():
        assert value == CURVES[f"set{s}_fig2_pct_delta{d:.2f}"]
    for (s, d), value in sgm.SPEC["fig4_pct"].items():
        assert value == CURVES[f"set{s}_fig4_pct_delta{d:.2f}"]
    rng = sgm.SPEC["fig4_range"]
    assert (rng["min"], rng["max"], rng["both_min"], rng["both_max"]) == (
        CURVES["fig4_min_pct"], CURVES["fig4_max_pct"], CURVES["fig4_both_markets_min_pct"],
        CURVES["fig4_both_markets_max_pct"])
    for d, values in sgm.SPEC["fig3"].items():
        assert values == tuple(CURVES[f"fig3_set1_delta{d:.2f}_theta2_{change}"] for change in
                               ("allow_to_block", "block_to_ideal", "ideal_to_invalid"))
    assert sgm.SPEC["prop7"] == {"manufacturer": CURVES["prop7_mean_gain_manufacturer_pct_allow"],
                                 "retailer": CURVES["prop7_mean_gain_retailer_pct_allow"],
                                 "lambda_bar": CURVES["lambda_bar_set1_delta0.7"]}
    case = POINTS["set1_delta0.70"]
    for suffix, values in sgm.SPEC["set1"].items():
        for field, value in zip(sgm.SET1_FIELDS, values):
            if value is not None:
                assert value == pytest.approx(case[field + suffix], abs=5e-5), field + suffix


# ------------------------------------------------------------------ numbers shown on figures

def test_boundaries_match_spec():
    found = sgm.boundaries()
    for key, spec in sgm.SPEC["boundaries"].items():
        assert [x for x, _, _ in found[key]] == pytest.approx(list(spec), abs=1e-7), key
        codes = [found[key][0][1]] + [b for _, _, b in found[key]]
        assert codes == ([1, 2, 3, 2] if len(spec) == 3 else [1, 2]), key


def test_figure_values_match_spec():
    v = sgm.figure_values()
    for group in ("service_pct", "fig2_pct", "fig4_pct"):
        for key, spec in sgm.SPEC[group].items():
            assert v[group][key] == pytest.approx(spec, rel=1e-9, abs=1e-9), (group, key)
    for s, paper in sgm.PAPER["service_pct"].items():
        assert round(v["service_pct"][s]) == paper        # the paper's 3, 5, 10, 15 %


def test_fig4_range_matches_spec_and_paper():
    rng = sgm.fig4_range()
    spec = sgm.SPEC["fig4_range"]
    assert rng["min"] == pytest.approx(spec["min"], abs=1e-3)
    assert rng["max"] == pytest.approx(spec["max"], abs=1e-6)
    assert rng["both_min"] == pytest.approx(spec["both_min"], abs=1e-3)
    assert rng["both_max"] == pytest.approx(spec["both_max"], abs=1e-6)
    assert (round(rng["min"]), round(rng["max"])) == sgm.PAPER["fig4_range"]
    assert round(rng["both_max"]) != sgm.PAPER["fig4_range"][1]     # the other reading fails
    assert rng["regimes_u"] == (3,)                                  # market 2 only, all sets
    assert rng["limit"] < rng["min"] and round(rng["limit"]) == 6


def test_fig3_crossings_match_spec():
    for d, found in sgm.fig3_crossings().items():
        assert [(a, b) for _, a, b in found] == [(3, 2), (2, 1), (1, 0)]
        assert [x for x, _, _ in found] == pytest.approx(list(sgm.SPEC["fig3"][d]), abs=1e-7)


def test_fig3_map_agrees_with_crossings(low_resolution):
    """The drawn map switches allow -> block -> ideal -> cap along theta2 where the crossings are."""
    ds = sgm.regime_maps("delta", "theta2", n=400)
    column = ds["regime"].sel(delta=0.8, method="nearest").values
    theta2 = ds["theta2"].values
    step = theta2[1] - theta2[0]
    d = float(ds["delta"].sel(delta=0.8, method="nearest"))
    found = sgm.transitions("regime", "theta2", 0.0, theta2[-1], delta=d)
    switches = theta2[1:][np.diff(column) != 0]
    assert len(switches) == len(found) == 3
    assert np.all(np.abs(switches - np.array([x for x, _, _ in found])) <= step)


def test_prop7_matches_spec():
    p = sgm.prop7()
    assert p["manufacturer"] == pytest.approx(sgm.SPEC["prop7"]["manufacturer"], abs=1e-6)
    assert p["retailer"] == pytest.approx(sgm.SPEC["prop7"]["retailer"], abs=1e-6)
    assert p["lambda_bar"] == pytest.approx(sgm.SPEC["prop7"]["lambda_bar"], rel=1e-9)
    assert p["ratio_s2_RC"] == pytest.approx(0.5, rel=1e-12)
    assert p["ratio_s2_MC"] == pytest.approx(POINTS["set1_delta0.70"]["ratio_s2_MC"], rel=1e-9)
    assert round(p["manufacturer"]) != sgm.PAPER["prop7"]["manufacturer"]


def test_errata_rows():
    s2 = sgm.printed_s2_block(0.5)
    assert s2["regime"] == 2
    assert s2["printed"] < 0 < s2["corrected"]
    assert s2["corrected"] == pytest.approx(s2["kernel"], rel=1e-9)
    assert s2["kernel"] == pytest.approx(77.7625, abs=5e-5)              # spec section 13
    p3 = sgm.prop3_counterexample()
    assert (p3["regime"], p3["regime_po"]) == (2, 2)
    assert p3["p1"] == pytest.approx(261.7124, abs=5e-5) and p3["p1_po"] == pytest.approx(265.625)


def test_disagreement_shares(low_resolution):
    ds = sgm.regime_maps("delta", "c_G", n=200)
    shares = sgm.disagreement(ds)
    r, m = ds["regime_R"].values, ds["regime_M"].values
    assert sum(shares.values()) == pytest.approx(100.0 * np.mean(r != m))
    assert all(a != b for a, b in shares)
    assert (2, 3) in shares          # R blocks where M allows (near the allow boundaries)


def test_tables_show_the_helpers_numbers():
    rows = sgm.sgm_table_regime_boundaries().rows
    assert len(rows) == sum(len(v) for v in sgm.SPEC["boundaries"].values())
    assert max(row[-1] for row in rows) < 1e-7
    service = sgm.sgm_table_value_of_service().rows
    assert [row[-1] for row in service] == ["reproduced"] * 4
    set1 = {row[0]: row for row in sgm.sgm_table_set1().rows}
    for field in sgm.SET1_FIELDS:
        for got, spec in zip(set1[field][1::2], set1[field][2::2]):
            assert (math.isnan(got) and math.isnan(spec)) or got == pytest.approx(spec, abs=5e-5)
    assert set1["regime"][1:] == ["allow"] * 6
