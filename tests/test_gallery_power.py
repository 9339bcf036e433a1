"""Gallery figures and tables of power_structures (paper Tables 2-3, Figs 4-6, new maps).

Every figure draws (at low resolution) with labelled axes and a legend; every number written on a
figure or a table, computed by the helper the figure uses, matches the spec's oracle (§12).
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
from fastmap.gallery import power_structures as ps  # noqa: E402
from tests.figure_checks import assert_publishable  # noqa: E402

ORACLE = json.loads((Path(__file__).parent / "data" / "power_structures.json").read_text())
POINTS = {case["id"]: case for case in ORACLE["point_cases"]}
CURVES = {case["id"]: case for case in ORACLE["curve_cases"]}
TABLES = ("ps_table2", "ps_table3")
FIGURES = sorted(set(ps.FIGURES) - set(TABLES))
J_CASES = ("paper_base_r3.5", "paper_J5", "paper_J10", "paper_J20", "paper_J30", "paper_J40")


@pytest.fixture
def low_resolution(monkeypatch):
    monkeypatch.setattr(ps, "MAP_RESOLUTION", 96)
    monkeypatch.setattr(ps, "WARRANTY_RESOLUTION", 61)
    monkeypatch.setattr(ps, "LINE_POINTS", 600)


def test_registry_lists_every_figure():
    names = gallery.figures()
    assert set(ps.FIGURES) == {"ps_regime_ratio", "ps_table2", "ps_table3", "ps_fig4", "ps_fig5",
                               "ps_fig6", "ps_regime_eta_gamma", "ps_regime_ratio_gamma"}
    for name, draw in ps.FIGURES.items():
        assert names[name] is draw
        assert (draw.__doc__ or "").strip().splitlines()[0]
    assert ps.MAP_RESOLUTION == 2048


@pytest.mark.parametrize("name", FIGURES)
def test_figure_draws_with_labels_and_legend(name, low_resolution):
    assert_publishable(ps.FIGURES[name])


# ------------------------------------------------------------------------------------ tables

@pytest.mark.parametrize("name", TABLES)
def test_tables_render(name):
    table = ps.FIGURES[name]()
    assert isinstance(table, Table)
    assert len(table.rows) == 18 and all(len(row) == len(table.columns) for row in table.rows)
    assert "0.143" in table.note and "reductions of θ1" in table.note
    markdown, csv = table.to_markdown(), table.to_csv()
    assert markdown.count("\n|") == 20 and csv.count("\n") == 19


def test_table_rows_match_oracle_points():
    """Each row's profits and change rates are the oracle's J cases (tolerance 1e-9)."""
    rows = ps.paper_rows()
    for j, case_id in enumerate(J_CASES):
        expected = POINTS[case_id]["expected"]
        for k in (1, 2, 3):
            row = rows[3 * j + k - 1]
            assert row["k"] == k and row["regime"] == 3
            assert row["r"] == pytest.approx(expected["ratio"], rel=1e-12)
            for name, key in (("pi1_s", f"pi1_s{k}"), ("pi1_gs", f"pi1_gs{k}"), ("pi2_s", f"pi2_s{k}"),
                              ("pi2_gs", f"pi2_gs{k}"), ("pi3_gs", f"pi3_gs{k}")):
                assert row[name] == pytest.approx(expected[key], rel=1e-9, abs=1e-12), (case_id, name)
            assert row["D1"] == pytest.approx(expected[f"ratio_pi1_{k}"] - 1, abs=1e-9)
            assert row["D2"] == pytest.approx(expected[f"ratio_pi2_{k}"] - 1, abs=1e-9)
            pi3_0 = POINTS[J_CASES[0]]["expected"][f"pi3_gs{k}"]
            if j:
                assert row["D3"] == pytest.approx(expected[f"pi3_gs{k}"] / pi3_0 - 1, rel=1e-8)
            else:
                assert math.isnan(row["D3"])


# The spec's printed Table (§12.2): (J, k) -> (D1 %, D2 %, D3 %) to its printed digits.
SPEC_RATES = {
    (0, 1): (-0.006, 0.603, None), (0, 2): (-1.894, 4.150, None), (0, 3): (0.377, 6.085, None),
    (5, 1): (-0.077, 2.155, 1167), (5, 2): (-1.748, 5.484, 66.2), (5, 3): (0.235, 7.384, 46.3),
    (10, 1): (-0.235, 3.773, 3753), (10, 2): (-1.681, 6.867, 151.9), (10, 3): (0.005, 8.730, 103.3),
    (20, 1): (-0.858, 7.225, 13791), (20, 2): (-1.837, 9.797, 389.6), (20, 3): (-0.768, 11.572, 252.5),
    (30, 1): (-1.982, 10.995, 31507), (30, 2): (-2.474, 12.963, 729.5), (30, 3): (-2.043, 14.634, 455.9),
    (40, 1): (-3.741, 15.128, 58618), (40, 2): (-3.742, 16.395, 1192), (40, 3): (-3.951, 17.941, 723.3),
}


def test_table3_printed_rates_match_spec_rounding():
    table = ps.ps_table3()
    for row, cells in zip(ps.paper_rows(), table.rows):
        d1, d2, d3 = SPEC_RATES[(round(100 * row["J"]), row["k"])]
        assert float(cells[3].rstrip(" %")) == pytest.approx(d1, abs=0.0005 + 1e-12)
        assert float(cells[4].rstrip(" %")) == pytest.approx(d2, abs=0.0005 + 1e-12)
        if d3 is None:
            assert cells[5] == "–"
        else:
            digits = 0 if d3 >= 1000 and d3 == int(d3) else 1
            assert float(cells[5].rstrip(" %")) == pytest.approx(d3, abs=0.5 * 10 ** -digits + 1e-9)


def test_table_statements_of_section_2():
    """M2 always gains; importer profit GS3 > GS2 > GS1; M1's GS3 rate positive up to beta only;
    D2 ordered GS1 < GS2 < GS3 and D3 GS1 > GS2 > GS3 at every J > 0."""
    rows = ps.paper_rows()
    beta = ps.base_thresholds()["beta"]
    for j in range(len(ps.J_VALUES)):
        r1, r2, r3 = rows[3 * j: 3 * j + 3]
        assert all(row["D2"] > 0 for row in (r1, r2, r3))
        assert r3["pi3_gs"] > r2["pi3_gs"] > r1["pi3_gs"]
        assert (r3["D1"] > 0) == (r3["r"] < beta)
        assert r1["D2"] < r2["D2"] < r3["D2"]
        if j:
            assert r1["D3"] > r2["D3"] > r3["D3"]


# ------------------------------------------------------------------ numbers written on figures

def test_ratio_switches_match_oracle():
    case = CURVES["thresholds_eta0.8_gamma0.6"]
    found = ps.ratio_switches()
    for var, listed in case["expected"]["switches"].items():
        assert [(b, a) for _, b, a in found[var]] == [(b, a) for _, b, a in listed], var
        assert [x for x, _, _ in found[var]] == pytest.approx([x for x, _, _ in listed],
                                                              abs=case["tol"]), var
    # the "spec" column printed next to the computed switches is the spec's 7-decimal value
    for (x, b, a), (xs, bs, as_) in zip(found["regime"], ps.SPEC["regime"]):
        assert (b, a) == (bs, as_) and x == pytest.approx(xs, abs=5e-8)
    for name, value in ps.base_thresholds().items():
        assert value == pytest.approx(case["expected"]["thresholds"][name], rel=1e-12)
        assert ps.SPEC["thresholds"][name] == pytest.approx(value, abs=5e-8)


def test_warranty_switches_match_oracle():
    case = CURVES["figure_axes_r3.5"]
    found = ps.warranty_switches()
    for var in ps.GS_VARS:
        listed = case["expected"][f"fig4_6_s:{var}"]
        assert [(b, a) for _, b, a in found[var]] == [(b, a) for _, b, a in listed] == [(3, 2), (2, 1)]
        assert [x for x, _, _ in found[var]] == pytest.approx([x for x, _, _ in listed], abs=case["tol"])
        assert ps.SPEC["warranty"][var] == pytest.approx([x for x, _, _ in listed], abs=5e-7)


def test_warranty_map_boundaries_are_the_drawn_curves():
    """On the Figs 4-6 map each structure is gray exactly below tau*w12 = s1, limit pricing up to
    s2 (the dashed and dotted curves), and q3 > 0 exactly where it is gray."""
    ds = ps.warranty_map(81)
    s = ds["w12"].values[:, None] * ds["tau"].values[None, :]
    for k, var in zip((1, 2, 3), ps.GS_VARS):
        (s1, _, _), (s2, _, _) = ps.warranty_switches()[var]
        codes = ds[var].transpose("w12", "tau").values
        expected = np.where(s < s1, 3, np.where(s < s2, 2, 1))
        away = (np.abs(s - s1) > 1e-12) & (np.abs(s - s2) > 1e-12)
        assert np.array_equal(codes[away], expected[away])
        q3 = ds[f"q3_gs{k}"].transpose("w12", "tau").values
        assert np.array_equal(q3 > 0, codes == 3)


def test_warranty_monotonicity_and_gs2_erratum():
    """Along s (tau = 1): q3 and p3 never rise; M1's profit never falls in GS1, GS3 but dips in GS2
    on (0.03103, 0.03411) from 0.25548 to 0.25320 (spec erratum 10)."""
    s = np.linspace(0.0, 0.2, 4001)
    r = ps._solve(**ps.BASE, r=ps.BASE_RATIO, tau=1.0, w12=s)
    for k in (1, 2, 3):
        q3 = r[f"q3_gs{k}"]
        assert np.all(np.diff(q3) <= 1e-15)
        p3 = r[f"p3_gs{k}"][q3 > 0]
        assert np.all(np.diff(p3) <= 1e-15)
    for k in (1, 3):
        assert np.all(np.diff(r[f"pi1_gs{k}"]) >= -1e-15)
    falls = s[1:][np.diff(r["pi1_gs2"]) < -1e-15]
    assert falls.min() == pytest.approx(0.03103, abs=1e-4) and falls.max() == pytest.approx(0.03411, abs=1e-4)
    inside = (s > 0.031) & (s < 0.0342)
    assert r["pi1_gs2"][inside].max() == pytest.approx(0.25548, abs=2e-5)
    assert r["pi1_gs2"][inside].min() == pytest.approx(0.25320, abs=2e-5)


def test_eta_gamma_map_regions_follow_the_threshold_curves():
    """Base model away from exits: GS3 gray iff r > alpha, GS1 gray iff r > Delta, GS2 gray iff
    r > r_gs2, cell by cell on the drawn map."""
    ds = ps.eta_gamma_map(160)
    regime = ds["regime"].values
    r = ps.BASE_RATIO
    gs1 = np.isin(regime, (2, 4, 6, 8))
    gs2 = np.isin(regime, (3, 4, 7, 8))
    gs3 = np.isin(regime, (5, 6, 7, 8))
    full = _exit_free(ds)
    assert np.array_equal(gs3[full], (r > ds["alpha"].values)[full])
    assert np.array_equal(gs1[full], (r > ds["Delta"].values)[full])
    assert np.array_equal(gs2[full], (r > ds["r_gs2"].values)[full])
    assert full.mean() > 0.9


def _exit_free(ds):
    """Cells of an (eta, gamma) map at r = 3.5 where no structure has M1 exit or no equilibrium."""
    eta, gamma = np.meshgrid(ds["eta"].values, ds["gamma"].values, indexing="ij")
    r = ps._solve(**dict(ps.BASE, eta=eta, gamma=gamma), r=ps.BASE_RATIO)
    return np.all([r[var] <= 3 for var in ps.GS_VARS], axis=0)


def test_ratio_gamma_map_row_switches_at_the_closed_forms():
    """Along the (r, gamma) map's row nearest gamma = 0.6 the code changes 1 -> 5 -> 7 -> 8
    between the grid points around alpha, r_gs2 and Delta of that gamma."""
    ds = ps.ratio_gamma_map(400)
    row = int(np.argmin(np.abs(ds["gamma"].values - 0.6)))
    gamma = float(ds["gamma"].values[row])
    codes = ds["regime"].isel(gamma=row).values
    r = ds["r"].values
    th = ps._solve(**dict(ps.BASE, gamma=gamma), r=3.5)
    changes = np.nonzero(np.diff(codes))[0]
    assert [int(codes[i + 1]) for i in changes[:3]] == [5, 7, 8]
    for i, name in zip(changes[:3], ("alpha", "r_gs2", "Delta")):
        assert r[i] <= th[name] < r[i + 1], name
