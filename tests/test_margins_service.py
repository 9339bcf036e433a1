"""Signed margins of ``service_gray_market``: every boundary of ``regime``, ``regime_R`` and
``regime_M`` is the zero level set of one margin output, so (1) the regime is recomputed from the
margins with the model's rule (spec section 11: most profitable candidate, ties within 1e-9
relative to the lower code; centralized: the admissible ideal point is the optimum) and (2) the
zero contour of a margin follows the exactly bisected regime boundary to a small fraction of a
cell, and the closed-form threshold ``delta_ideal`` to rounding."""

import numpy as np
import pytest

import fastmap
from fastmap.boundaries import margin_contours

MODEL = "service_gray_market"
DELTA = np.linspace(0.01, 0.985, 160)   # delta_max = 0.987654 for both bases
#: Paper set 1 (the defaults) and the spec's corner case ``closed_market1_centralized`` (codes 4-6).
CORNER = dict(N1=1500.0, N2=15000.0, b1=10.0, b2=8.0, c=50.0, theta1=2.0, lambda1=10.0,
              lambda2=10.0, theta_G=0.0, lambda_G=40.0)
MAPS = {("paper", "theta2"): ({}, np.linspace(0.0, 15.0, 120)),
        ("paper", "c_G"): ({}, np.linspace(0.0, 300.0, 120)),
        ("corner", "theta2"): (dict(CORNER, c_G=0.0), np.linspace(0.0, 12.0, 120)),
        ("corner", "c_G"): (dict(CORNER, theta2=3.0), np.linspace(0.0, 300.0, 120))}
#: Value margins per chain, in code order (the centralized ideal is decided by margin_ideal).
VALUE_MARGINS = {"": {2: "margin_block", 3: "margin_allow", 4: "margin_close_market1"},
                 **{s: {1: f"margin_ideal{s}", 2: f"margin_block{s}", 3: f"margin_allow{s}",
                        5: f"margin_close_market1_block{s}", 6: f"margin_close_market1_allow{s}"}
                    for s in ("_R", "_M")}}


@pytest.fixture(scope="module")
def maps():
    return {key: fastmap.sweep(MODEL, delta=DELTA, **{key[1]: axis}, **base)
            for key, (base, axis) in MAPS.items()}


def regime_from_margins(ds, suffix):
    """The code whose margin is positive (the tie rule is inside the margins: a lower code must be
    beaten by more than 1e-9 of the best value); centralized: ideal wherever it is admissible (it is
    then the global optimum, spec 8.1). 0 where no margin is positive."""
    regime = np.zeros(ds["regime" + suffix].shape, dtype=int)
    if suffix == "":
        regime[ds.margin_ideal.values >= 0] = 1
    for code, name in VALUE_MARGINS[suffix].items():
        positive = ds[name].values > 0
        assert not (positive & (regime > 0)).any(), name   # at most one winner
        regime[(regime == 0) & positive] = code
    return regime


@pytest.mark.parametrize("key", list(MAPS))
@pytest.mark.parametrize("suffix", ["", "_R", "_M"])
def test_regime_follows_from_the_margins(maps, key, suffix):
    ds = maps[key]
    predicted = regime_from_margins(ds, suffix)
    valid = ds["regime" + suffix].values > 0
    np.testing.assert_array_equal(predicted[valid], ds["regime" + suffix].values[valid])
    # footnote-2 failures keep the linear-demand solution, and its margins describe regime_lin
    labelled = ds["regime_lin" + suffix].values > 0
    np.testing.assert_array_equal(predicted[labelled], ds["regime_lin" + suffix].values[labelled])
    assert valid.mean() > 0.7 and len(np.unique(predicted[valid])) >= 3
    for name in ds.data_vars:   # never +-inf
        if name.startswith("margin_") and name.endswith(suffix or "margin_import"):
            assert not np.isinf(ds[name].values).any(), name


def test_margins_are_nan_at_invalid_points():
    delta, theta2 = np.array([0.99, 0.5, 0.5]), np.array([4.0, 4.0, 25.0])
    got = fastmap.solve(MODEL, delta=delta, theta2=theta2, lambda_r=np.array([24.0, 0.5, 24.0]))
    paper = fastmap.solve(MODEL, delta=delta, theta2=theta2)
    margins = [name for name in got if name.startswith("margin_")]
    assert len(margins) == 19 and list(got)[-19:] == margins   # appended after every other output
    assert all(np.isnan(got[name][[0, 2]]).all() for name in margins)   # importer SOC, Assumption 1
    # retailer SOC (reason 5): Model R's margins are NaN, the others as with lambda_r = lambda2
    assert got["invalid_reason_R"][1] == 5
    for name in margins:
        if name.endswith("_R"):
            assert np.isnan(got[name][1]), name
        else:
            np.testing.assert_array_equal(got[name][1], paper[name][1], err_msg=name)


@pytest.mark.parametrize("key, suffix, pair, margin", [
    (("paper", "theta2"), "", ("ideal", "block"), "margin_ideal"),
    (("paper", "theta2"), "", ("block", "allow"), "margin_import"),
    (("paper", "theta2"), "_R", ("ideal", "block"), "margin_ideal_R"),
    (("paper", "theta2"), "_R", ("block", "allow"), "margin_import_R"),
    (("paper", "c_G"), "_M", ("block", "allow"), "margin_import_M"),
    (("paper", "c_G"), "_M", ("ideal", "block"), "margin_block_M"),
    (("corner", "c_G"), "", ("block", "close_market1"), "margin_close_market1"),
    (("corner", "c_G"), "_R", ("close_market1_block", "close_market1_allow"),
     "margin_import_closed_R"),
    (("corner", "theta2"), "_M", ("block", "close_market1_block"), "margin_block_M"),
    (("corner", "theta2"), "_M", ("allow", "close_market1_allow"), "margin_allow_M"),
])
def test_margin_contour_follows_the_bisected_boundary(maps, key, suffix, pair, margin):
    ds = maps[key]
    x, y = "delta", key[1]
    exact = [c for c in fastmap.boundaries(ds, var="regime" + suffix, x=x, y=y)
             if set(c.labels) == set(pair)]
    contour = margin_contours(ds, margin, x=x, y=y)
    assert exact and contour
    points = np.concatenate([np.column_stack([c.x, c.y]) for c in contour])
    hx, hy = DELTA[1] - DELTA[0], ds[y].values[1] - ds[y].values[0]
    for curve in exact:   # distances in cells; crossings of both lie on the grid's edges
        d = np.hypot((points[:, 0, None] - curve.x) / hx,
                     (points[:, 1, None] - curve.y) / hy).min(axis=0)
        # Near delta_max (rho2 -> 0) the importer's quantities vary steeply, and linear
        # interpolation between cells is less accurate there.
        steep = curve.x > 0.95
        assert d[~steep].max(initial=0.0) < 0.1 and d.max() < 0.25, (margin, d.max())


def test_margin_ideal_contour_is_the_closed_form_threshold(maps):
    # margin_ideal = delta (D_H - N2) + b2 (c + c_G + m1n) is affine in (delta, c_G): linear
    # interpolation is exact along both axes of the (delta, c_G) map, and along delta (contour
    # points at a grid value of theta2) in the (delta, theta2) map, so there the contour is
    # delta_ideal to rounding; between two theta2 values the error is second order.
    cell = DELTA[1] - DELTA[0]
    for key in (("paper", "c_G"), ("paper", "theta2")):
        ds = maps[key]
        curves = margin_contours(ds, "margin_ideal", x="delta", y=key[1])
        assert curves
        for curve in curves:
            exact = fastmap.solve(MODEL, **{key[1]: curve.y})["delta_ideal"]
            on_delta_edges = np.isin(curve.y, ds[key[1]].values)
            assert on_delta_edges.sum() > 10
            error = np.abs(curve.x - exact)
            assert error[on_delta_edges].max() < 1e-12 and error.max() < cell / 20, key
