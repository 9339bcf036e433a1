"""Signed margins: every regime boundary is the zero level set of a smooth margin output, so the
regime can be recomputed from the margins, and contouring a margin at zero follows the exact
threshold far more closely than the label grid (whose boundaries are up to a cell off)."""

import numpy as np
import pytest

import fastmap
from fastmap.boundaries import margin_contours

DELTA = np.linspace(0.01, 0.99, 300)
T = np.linspace(0.0, 1.0, 300)
CELL = T[1] - T[0]


@pytest.fixture(scope="module")
def itc():
    return fastmap.sweep("import_tax_channels", delta=DELTA, t=T)


def test_import_tax_regimes_follow_from_their_margins(itc):
    gray = itc.margin_gray.values > 0
    predicted = np.where(~gray, 1, np.where(itc.margin_ep.values >= 0, 4,
                                            np.where(itc.margin_corner.values >= 0, 5,
                                                     np.where(itc.margin_dp.values >= 0, 2, 3))))
    valid = itc.regime.values > 0
    np.testing.assert_array_equal(predicted[valid], itc.regime.values[valid])
    accommodates = gray & (itc.margin_true.values > 0)
    np.testing.assert_array_equal(accommodates[valid], itc.regime_true.values[valid] >= 3)


@pytest.mark.parametrize("margin, thresholds, tol", [
    ("margin_gray", ("t1",), 5e-5), ("margin_corner", ("t2",), 1e-5),
    ("margin_ep", ("t4", "t4_lo", "t4_C"), 5e-4), ("margin_dp", ("t3", "t3_lo", "t3_C"), 5e-4)])
def test_margin_contours_follow_the_closed_form_thresholds(itc, margin, thresholds, tol):
    curves = margin_contours(itc, margin, x="delta", y="t")
    assert curves
    for curve in curves:
        exact = fastmap.solve("import_tax_channels", delta=curve.x, t=curve.y)
        distance = np.min([np.abs(curve.y - exact[name]) for name in thresholds], axis=0)
        assert np.nanmax(distance) < tol < CELL / 5, margin


@pytest.mark.parametrize("dist", [0, 1])
def test_newsvendor_regimes_follow_from_their_margins(dist):
    ds = fastmap.sweep("stochastic_newsvendor", omega=np.linspace(0.3, 0.999, 160),
                       b1=np.linspace(1.05, 4.0, 120), dist=dist, sigma=50.0)
    theorem1 = np.where(ds.margin_threat.values <= 0, 1, np.where(ds.mu.values >= 0, 2, 3))
    cede = ds.margin_cede.values > 0
    single = ~(ds.margin_single.values >= 0)  # NaN: the Theorem-1 strategy is inadmissible
    predicted = np.where(cede, 5, np.where(single, 4, theorem1))
    valid = ds.regime.values > 0
    np.testing.assert_array_equal(predicted[valid], ds.regime.values[valid])
    np.testing.assert_array_equal(theorem1[valid], ds.theorem1.values[valid])
    assert set(np.unique(ds.regime.values[valid])) >= {1, 2, 3, 4}


def test_newsvendor_margin_contour_follows_the_bisected_boundary():
    omega, b1 = np.linspace(0.5, 0.999, 120), np.linspace(1.5, 3.0, 100)
    ds = fastmap.sweep("stochastic_newsvendor", omega=omega, b1=b1, sigma=50.0)
    exact = [c for c in fastmap.boundaries(ds, x="omega", y="b1")
             if set(c.labels) == {"block", "allow"}]
    contour = margin_contours(ds, "mu", x="omega", y="b1")
    assert exact and contour
    points = np.concatenate([np.column_stack([c.x, c.y]) for c in contour])
    cell = min(omega[1] - omega[0], b1[1] - b1[0])
    for curve in exact:
        for x, y in zip(curve.x, curve.y):
            assert np.min(np.hypot(points[:, 0] - x, points[:, 1] - y)) < cell / 10
