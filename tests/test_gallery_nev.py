"""Gallery of nev_parallel_export: every figure draws (at low resolution) with labelled axes and a
legend, every table has its columns; the numbers shown match the oracle and the spec."""

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from fastmap import gallery  # noqa: E402
from fastmap.gallery import Table  # noqa: E402
from fastmap.gallery import nev_parallel_export as nev  # noqa: E402
from tests.figure_checks import assert_publishable  # noqa: E402

ORACLE = json.loads((Path(__file__).parent / "data" / "nev_parallel_export.json").read_text())
CASES = {case["name"]: case for case in ORACLE["point_cases"]}
TABLES = ("nev_base_point", "nev_theorems")
MAPS = ("nev_regimes_beta_k", "nev_regimes_theta_beta", "nev_regimes_theta_k", "nev_paper_vs_true",
        "nev_theorem_maps", "nev_ct_accommodation")


@pytest.fixture
def low_resolution(monkeypatch):
    monkeypatch.setattr(nev, "MAP_RESOLUTION", 96)
    monkeypatch.setattr(nev, "LINE_POINTS", 200)


def test_registry_lists_every_figure():
    names = gallery.figures()
    assert set(nev.FIGURES) == set(TABLES + MAPS + ("nev_profit_ratios",))
    for name, function in nev.FIGURES.items():
        assert name.startswith("nev_") and names[name] is function
        assert (function.__doc__ or "").strip().splitlines()[0]
    assert nev.MAP_RESOLUTION == 2048


@pytest.mark.parametrize("name", [n for n in sorted(nev.FIGURES) if n not in TABLES])
def test_figure_draws_with_labels_and_legend(name, low_resolution):
    assert_publishable(nev.FIGURES[name])


@pytest.mark.parametrize("name", TABLES)
def test_table_renders(name):
    table = nev.FIGURES[name]()
    assert isinstance(table, Table)
    assert all(len(row) == len(table.columns) for row in table.rows) and table.rows
    markdown = table.to_markdown()
    assert markdown.count("\n|") == len(table.rows) + 2
    assert table.to_csv().count("\n") == len(table.rows) + 1


# ------------------------------------------------------------------ numbers shown

def test_base_point_rows_match_oracle():
    columns = nev.nev_base_point().columns
    fields = columns[3:12]
    case_of = {"base": CASES["base_B_limit"], "paper_valid": CASES["paper_valid_B_close"]}
    tag_of = {name: tag for tag, name in nev.TAG_NAMES.items()}
    rows = nev.base_rows()
    assert len(rows) == 10
    for row in rows:
        expected = case_of[row[0]]["outputs"]
        tag = tag_of[row[1]]
        for field, value in zip(fields, row[3:12]):
            assert value == pytest.approx(expected[f"{field}_{tag}"], rel=1e-9, abs=1e-9), (row[:2], field)
        spec = row[12]
        if not math.isnan(spec):
            assert value is not None and row[9] == pytest.approx(spec, abs=6e-8), row[:2]
    status = {(row[0], row[1]): row[2] for row in rows}
    assert status[("base", "CR true")] == "limit_wholesale"
    assert status[("base", "CR paper (accommodation)")] == "q_g_nonpositive"
    assert status[("paper_valid", "CT true")] == "close_market2"
    assert status[("paper_valid", "CT paper (accommodation)")] == "valid"


def test_theorem_table_verdicts():
    """Spec §13: verified statements hold at every paper-valid point, Thm 6(a) nowhere, both
    branches occur in reading B, the small-theta branches are empty in reading A."""
    rows = {(row[0], row[1]): row for row in nev.theorem_rows()}
    holds_b = {key: row[4] for key, row in rows.items()}
    holds_a = {key: row[6] for key, row in rows.items()}
    for row in rows.values():
        assert row[3] > 1000 and row[5] > 1000, row[:2]         # enough valid points per reading
    always = [key for key in rows if key[0] in ("Thm 2", "Thm 5(1)", "Thm 5(2)", "Thm 6(b)", "Thm 10",
                                                "abstract (2)")]
    always.append(("text", "w_cn < w_ct < w_cr"))
    assert len(always) == 7
    for key in always:
        assert holds_b[key] == 100.0 and holds_a[key] == 100.0, key
    for key in rows:
        if key[0] in ("Thm 6(a)", "§0 (spec)"):
            assert holds_b[key] == 0.0 and holds_a[key] == 0.0, key
        if key[0].endswith("branch") and key[0] != "Thm 7 branch":
            assert 0.0 < holds_b[key] < 100.0 and holds_a[key] == 0.0, key
    thm7 = [key for key in rows if key[0] == "Thm 7 branch"][0]
    assert 0.0 < holds_b[thm7] < 100.0 and 0.0 < holds_a[thm7] < 100.0
    e_more = [key for key in rows if "e_cr > e_cn" in key[1]][0]
    assert 40.0 < holds_b[e_more] < 80.0 and holds_a[e_more] == 100.0   # spec §13.5: ~62% / all
    q_t = [key for key in rows if key[1].startswith("q_t < q_g")][0]
    assert 99.0 < holds_b[q_t] < 100.0 and 99.0 < holds_a[q_t] < 100.0


def test_typical_map_switch_points():
    """Spec §10 at k = 6, beta = 0.9: CR close -> limit near 0.25 and limit -> no_threat near 0.6;
    CT reaches no_threat earlier (computed 0.39; the spec's prose says about 0.45)."""
    sw = nev.switch_points()
    assert list(sw["cr"]) == ["close_market2->limit_wholesale", "limit_wholesale->no_threat"]
    assert list(sw["ct"]) == ["close_market2->limit_wholesale", "limit_wholesale->no_threat"]
    assert sw["cr"]["close_market2->limit_wholesale"] == pytest.approx(0.25, abs=0.03)
    assert sw["cr"]["limit_wholesale->no_threat"] == pytest.approx(0.6, abs=0.03)
    assert sw["ct"]["close_market2->limit_wholesale"] == pytest.approx(0.25, abs=0.05)
    assert sw["ct"]["limit_wholesale->no_threat"] < sw["cr"]["limit_wholesale->no_threat"]
    # CT no_threat closed form: theta (1/2 + rho) = (1 + rho) (b_e e + (1 - q2)/2) at q2 = 0.6, e = 0.1
    theta = sw["ct"]["limit_wholesale->no_threat"]
    rho = math.sqrt(1 - theta / (2 * (1 + theta)))
    assert theta * (0.5 + rho) == pytest.approx((1 + rho) * 0.29, abs=1e-5)


def test_maps_cover_every_true_regime():
    ds = nev.regime_map("theta", "k", ["regime_cr", "regime_ct", "regime_cr_paper"], n=200)
    cr = nev.region_shares(ds, "regime_cr")
    assert set(cr) == {"no_threat", "limit_wholesale", "close_market2", "capture_market1"}
    ct = nev.region_shares(ds, "regime_ct")
    assert {"no_threat", "limit_wholesale", "close_market2", "invalid"} <= set(ct)
    k = ds["k"].values
    assert np.all(ds["regime_ct"].values[:, k < 2.5] == 0) and np.all(ds["regime_ct"].values[:, k >= 2.5] > 0)
    assert 0.0 < nev.region_shares(ds, "regime_cr_paper")["paper_accommodation"] < 50.0


def test_paper_equilibrium_is_never_the_true_one():
    """Where the paper's equilibrium is valid, M2's true profit is strictly higher."""
    ds = nev.regime_map("theta", "k", ["paper_cr", "pi_2_cr", "pi_2_cr_acc", "paper_ct", "pi_2_ct",
                                       "pi_2_ct_acc", "regime_ct"], n=150)
    for tag in ("cr", "ct"):
        valid = (ds[f"paper_{tag}"] == 1).values
        if tag == "ct":
            valid &= (ds["regime_ct"] > 0).values
        assert valid.sum() > 100
        assert np.all(ds[f"pi_2_{tag}"].values[valid] > ds[f"pi_2_{tag}_acc"].values[valid])


def test_profit_ratios_never_exceed_cn():
    theta, r = nev.profit_line(n=400)
    for who in ("pi_2", "pi_1"):
        for tag in ("cr", "ct"):
            assert np.nanmax(r[f"ratio_{who}_{tag}"]) <= 1.0 + 1e-12
    valid = r["paper_cr"] == 1
    assert valid.any() and np.all(r["ratio_pi_2_cr_acc"][valid] < r["ratio_pi_2_cr"][valid])


def test_accommodation_maps_show_the_band():
    """Reading A: both zoomed maps contain the CT accommodate band (a few % of the map, between
    close_market2 and limit_wholesale); CR never accommodates; reading B has no band there."""
    for spec in nev.ACCOMMODATION_MAPS:
        ds, x, y = nev.accommodation_map(spec, n=300)
        ct = nev.region_shares(ds, "regime_ct")
        assert 0.5 < ct["accommodate"] < 5.0, (spec, ct)
        assert {"close_market2", "limit_wholesale"} <= set(ct)
        assert "accommodate" not in nev.region_shares(ds, "regime_cr")
        ds_b, _, _ = nev.accommodation_map(dict(spec, reading=1.0), n=100)
        assert "accommodate" not in nev.region_shares(ds_b, "regime_ct")
