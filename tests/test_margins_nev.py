"""Signed margins of nev_parallel_export: the true regimes regime_cr / regime_ct follow from the
margins by the kernel's candidate rule (§9.3 and the CT accommodate code 5), and the zero
contour of each smooth margin follows the exact (bisected) regime boundary to within a tenth of
a cell.

margin_accommodate_ct = pi_2_ct_acc - max(blocking candidates) has a kink where the best blocking
candidate switches (limit_wholesale / close_market2), and the accommodate band straddles that kink
and is about one cell wide on practical grids: its zero set is the exact boundary, but a linear
contour of it is not sub-cell accurate, so it is checked by the regime test only."""

import numpy as np
import pytest

import fastmap
from fastmap.boundaries import margin_contours

MODEL = "nev_parallel_export"
MARGINS = [f"margin_{what}_{tag}" for tag in ("cr", "ct")
           for what in ("no_threat", "limit", "capture")] + ["margin_accommodate_ct"]

# (axes and fixed parameters, regimes that must occur in regime_cr, in regime_ct)
GRIDS = [
    (dict(theta=np.linspace(0.005, 1.0, 120), k=np.linspace(2.0, 12.0, 100), reading=1.0),
     {0, 1, 2, 3, 4}, {0, 1, 2, 3, 4}),
    (dict(theta=np.linspace(0.005, 1.0, 120), k=np.linspace(2.0, 12.0, 100), reading=0.0),
     {0, 1, 2, 3}, {0, 1, 2, 3}),
    (dict(theta=np.linspace(0.005, 1.0, 120), beta=np.linspace(0.01, 0.99, 100), k=2.3,
          reading=1.0), {1, 2, 3, 4}, {0}),
    (dict(theta=np.linspace(0.005, 1.0, 120), beta=np.linspace(0.01, 0.99, 100), k=6.0,
          reading=0.0), {1, 2, 3}, {1, 2, 3}),
    # reading A, small theta and beta, large k: the thin CT accommodation band (code 5)
    (dict(theta=np.linspace(0.002, 0.06, 120), beta=np.linspace(0.005, 0.15, 100), k=40.0,
          reading=0.0), {1, 2, 3}, {1, 2, 3, 5}),
    (dict(theta=np.linspace(0.002, 0.06, 120), k=np.linspace(2.5, 80.0, 100), beta=0.02,
          reading=0.0), {1, 2, 3}, {1, 2, 3, 5}),
]


def blocking_rule(no_threat, limit, capture):
    """§9.3 from the margins: no_threat if CN blocks (ties: no_threat), else the most profitable of
    limit_wholesale, close_market2, capture_market1 with earlier codes winning ties (a NaN limit
    margin, no admissible limit_wholesale candidate, fails the comparison: close_market2)."""
    return np.where(no_threat >= 0, 1, np.where(capture > 0, 4, np.where(limit >= 0, 2, 3)))


@pytest.mark.parametrize("grid, cr_codes, ct_codes", GRIDS)
def test_regimes_follow_from_their_margins(grid, cr_codes, ct_codes):
    ds = fastmap.sweep(MODEL, **grid)
    m = {name: ds[name].values for name in MARGINS}
    regime_cr, regime_ct = ds.regime_cr.values, ds.regime_ct.values
    assert set(np.unique(regime_cr)) == cr_codes and set(np.unique(regime_ct)) == ct_codes

    valid = regime_cr > 0
    predicted = blocking_rule(m["margin_no_threat_cr"], m["margin_limit_cr"],
                              m["margin_capture_cr"])
    np.testing.assert_array_equal(predicted[valid], regime_cr[valid])
    valid = regime_ct > 0
    predicted = np.where(m["margin_accommodate_ct"] > 0, 5,
                         blocking_rule(m["margin_no_threat_ct"], m["margin_limit_ct"],
                                       m["margin_capture_ct"]))
    np.testing.assert_array_equal(predicted[valid], regime_ct[valid])

    # NaN where a compared candidate is inadmissible, where no_threat decides (limit and capture
    # are not compared there) or the point is invalid; never inf.
    for tag, codes in (("cr", regime_cr), ("ct", regime_ct)):
        no_threat, limit, capture = (m[f"margin_{what}_{tag}"]
                                     for what in ("no_threat", "limit", "capture"))
        for values in (no_threat, limit, capture):
            assert not np.isinf(values).any() and np.isnan(values[codes == 0]).all()
        compared = (codes > 0) & (no_threat < 0)
        assert np.isfinite(no_threat[codes > 0]).all()
        assert np.isfinite(capture[compared]).all() and np.isnan(capture[~compared]).all()
        assert np.isnan(limit[~compared]).all() and np.isfinite(limit[codes == 2]).all()
    accommodation = m["margin_accommodate_ct"]
    assert not np.isinf(accommodation).any()
    np.testing.assert_array_equal(np.isfinite(accommodation),
                                  (regime_ct > 0) & (ds.paper_ct.values == 1))


@pytest.mark.parametrize("var, pair, margin, grid", [
    ("regime_cr", ("no_threat", "limit_wholesale"), "margin_no_threat_cr",
     dict(theta=np.linspace(0.005, 1.0, 100), k=np.linspace(2.05, 12.0, 80))),
    ("regime_cr", ("limit_wholesale", "close_market2"), "margin_limit_cr",
     dict(theta=np.linspace(0.005, 1.0, 100), k=np.linspace(2.05, 12.0, 80))),
    ("regime_cr", ("limit_wholesale", "capture_market1"), "margin_capture_cr",
     dict(theta=np.linspace(0.005, 1.0, 100), k=np.linspace(2.05, 3.0, 80))),
    ("regime_ct", ("limit_wholesale", "close_market2"), "margin_limit_ct",
     dict(theta=np.linspace(0.005, 1.0, 100), beta=np.linspace(0.01, 0.99, 80), k=6.0)),
    ("regime_ct", ("no_threat", "limit_wholesale"), "margin_no_threat_ct",
     dict(theta=np.linspace(0.005, 1.0, 100), beta=np.linspace(0.01, 0.99, 80), k=6.0,
          reading=0.0)),
])
def test_margin_contour_follows_the_bisected_boundary(var, pair, margin, grid):
    ds = fastmap.sweep(MODEL, outputs=[var, margin], **grid)
    x, y = (name for name in grid if np.ndim(grid[name]) == 1)
    exact = [c for c in fastmap.boundaries(ds, var, x=x, y=y) if set(c.labels) == set(pair)]
    contour = margin_contours(ds, margin, x=x, y=y)
    assert exact and contour
    cell_x, cell_y = grid[x][1] - grid[x][0], grid[y][1] - grid[y][0]
    points = np.concatenate([np.column_stack([c.x / cell_x, c.y / cell_y]) for c in contour])
    n = 0
    for curve in exact:
        for px, py in zip(curve.x / cell_x, curve.y / cell_y):
            assert np.min(np.hypot(points[:, 0] - px, points[:, 1] - py)) < 0.1, (px, py)
            n += 1
    assert n >= 10
