"""Signed margins of power_structures: every boundary of ``regime_gs1..3`` (hence of ``regime``)
is the zero level set of one margin output, so the regimes can be recomputed from the margins
with the kernel's rules (§8, §10), and contouring a margin at zero follows the bisected boundary
within a tenth of a cell; the piece margins are exactly linear in r, so their contours are the
closed-form thresholds (Delta, alpha, r_x1) to rounding."""

import numpy as np
import pytest

import fastmap
from fastmap.boundaries import margin_contours

MODEL = "power_structures"
R = np.linspace(1.0, 40.0, 196)
GAMMA = np.linspace(0.05, 0.95, 121)


def regimes_from_margins(ds):
    """``regime_gs1..3`` and ``regime`` from the margins alone (NaN compares false)."""
    m = {name: ds[name].values for name in ds.data_vars if name.startswith("margin_")}

    def piece(k):  # gray (3) if the candidate is below m_G, limit (2) if below m_A, else no_gray
        return np.where(m[f"margin_gs{k}_gray"] > 0, 3, np.where(m[f"margin_gs{k}_limit"] > 0, 2, 1))

    p1, p3 = piece(1), piece(3)
    gs1 = np.where((p1 != 1) & (m["margin_gs1_exit"] > 0), 4, p1)
    # M2's choice: exit only if strictly better, ties go to the first of G, L, N.
    gs2 = np.where(m["margin_gs2_exit"] > 0, 4, np.where(m["margin_gs2_gray"] >= 0, 3,
                                                         np.where(m["margin_gs2_limit"] >= 0, 2, 1)))
    gs3 = np.where(p3 == 1, 1, np.where(m["margin_gs3_stay"] >= 0, p3,
                                        np.where(m["margin_gs3_exit"] > 0, 4, 5)))
    regime = 1 + (gs1 == 3) + 2 * (gs2 == 3) + 4 * (gs3 == 3)
    return {"regime_gs1": gs1, "regime_gs2": gs2, "regime_gs3": gs3, "regime": regime}


def assert_regimes_follow(ds, expected_codes):
    valid = ds.regime.values > 0
    assert valid.mean() > 0.99
    for name, predicted in regimes_from_margins(ds).items():
        np.testing.assert_array_equal(predicted[valid], ds[name].values[valid], err_msg=name)
    for name, codes in expected_codes.items():
        assert set(np.unique(ds[name].values[valid])) >= codes, name


@pytest.fixture(scope="module")
def r_gamma():
    return fastmap.sweep(MODEL, r=R, gamma=GAMMA)


@pytest.fixture(scope="module")
def warranty():
    """The paper's Figs 4-6 square at r = 3.5 (s = tau*w12 < 0.1 holds every gray/limit band)."""
    axis = np.linspace(0.0, 0.35, 141)
    return fastmap.sweep(MODEL, w12=axis, tau=axis)


def test_regimes_follow_from_margins_over_r_gamma(r_gamma):
    assert_regimes_follow(r_gamma, {"regime": {1, 2, 5, 6, 7, 8}, "regime_gs1": {1, 3, 4},
                                    "regime_gs2": {1, 3, 4}, "regime_gs3": {1, 3, 4, 5}})


@pytest.mark.parametrize("r, w12", [(3.5, 0.0), (12.0, 0.0), (12.0, 0.2), (30.0, 0.5)])
def test_regimes_follow_from_margins_over_eta_gamma(r, w12):
    ds = fastmap.sweep(MODEL, eta=np.linspace(0.01, 0.99, 99), gamma=GAMMA, r=r, theta2=1.0,
                       w12=w12)
    assert_regimes_follow(ds, {"regime_gs1": {1, 3} if r < 10 else {3, 4}})


def test_regimes_follow_from_margins_over_the_warranty_square(warranty):
    assert_regimes_follow(warranty, {"regime_gs1": {1, 2, 3}, "regime_gs2": {1, 2, 3},
                                     "regime_gs3": {1, 2, 3}})


def test_warranty_margins_with_exit_and_s_beyond_theta2():
    """High ratio: limit pricing next to M1's exit; s >= theta2 leaves only the N piece."""
    axis = np.linspace(0.0, 1.2, 121)
    ds = fastmap.sweep(MODEL, w12=axis, tau=axis, r=20.0)
    assert_regimes_follow(ds, {"regime_gs1": {1, 2, 3, 4}, "regime_gs2": {1, 2, 4},
                               "regime_gs3": {1, 2, 3, 5}})
    beyond = ds.s.values >= 0.5
    for name in ("margin_gs1_gray", "margin_gs1_limit", "margin_gs3_gray", "margin_gs3_stay"):
        assert np.isnan(ds[name].values[beyond]).all(), name


def test_margins_are_nan_or_finite_and_nan_when_invalid():
    out = fastmap.solve(MODEL, r=[3.5, 3.5, 1e300, 20.0], gamma=[0.6, 1.0, 0.6, 0.6],
                        theta2=[0.5, 0.5, 1e-300, 1e300], w12=[0.01, 0.0, 0.0, 1e-3], tau=1e299)
    for name in (n for n in out if n.startswith("margin_")):
        assert not np.isinf(out[name]).any(), name
        assert np.isnan(out[name][1]), name  # gamma = 1 is invalid


@pytest.mark.parametrize("scale", [2.0 ** -700, 1e-200, 3.0, 1e250])
def test_money_margins_scale_with_money_and_ratio_margins_do_not(scale):
    """The kernel solves extreme scales in a power-of-two money unit; margins are scaled back."""
    r = np.array([3.0, 11.0, 20.0, 31.0, 40.0, 3.5])
    base = dict(r=r, theta2=0.5, w12=np.array([0, 0, 0, 0, 0, 0.02]), tau=1.0)
    ref = fastmap.solve(MODEL, **base)
    got = fastmap.solve(MODEL, **{**base, "theta2": 0.5 * scale, "tau": scale})
    np.testing.assert_array_equal(got["regime_gs3"], ref["regime_gs3"])
    for name in (n for n in ref if n.startswith("margin_")):
        money = fastmap.model(MODEL).output(name).units != "1"
        expected = ref[name] * scale if money else ref[name]
        np.testing.assert_allclose(got[name], expected, rtol=1e-12, atol=0, err_msg=name)


@pytest.mark.parametrize("margin, threshold", [("margin_gs1_gray", "Delta"),
                                               ("margin_gs3_gray", "alpha"),
                                               ("margin_gs1_exit", "r_x1")])
def test_threshold_margin_contours_are_the_closed_form_thresholds(r_gamma, margin, threshold):
    """Linear in r: where a contour crosses a line of constant gamma it is exact."""
    curves = margin_contours(r_gamma, margin, x="r", y="gamma")
    x = np.concatenate([c.x for c in curves])
    y = np.concatenate([c.y for c in curves])
    on_rows = np.isin(y, GAMMA)
    assert on_rows.sum() >= 20
    exact = fastmap.solve(MODEL, r=x[on_rows], gamma=y[on_rows])[threshold]
    np.testing.assert_allclose(x[on_rows], exact, rtol=1e-9, atol=0)


def assert_contour_on_boundary(ds, margin, var, labels, x, y):
    """Every bisected boundary point of ``labels`` is within 0.1 cell of the margin's zero
    contour, except beside a cell where the margin is NaN (its candidate is inadmissible there
    and the contour stops, as documented); those exceptions must be rare."""
    xs, ys = ds[x].values, ds[y].values
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    exact = [c for c in fastmap.boundaries(ds, var=var, x=x, y=y) if set(c.labels) == set(labels)]
    contour = margin_contours(ds, margin, x=x, y=y)
    assert exact and contour
    points = np.concatenate([np.column_stack([c.x / dx, c.y / dy]) for c in contour])
    nan = np.isnan(ds[margin].transpose(y, x).values)
    checked = skipped = 0
    for curve in exact:
        for px, py in zip(curve.x, curve.y):
            i, j = np.searchsorted(ys, py), np.searchsorted(xs, px)
            if nan[max(i - 1, 0):i + 1, max(j - 1, 0):j + 1].any():
                skipped += 1
                continue
            distance = np.min(np.hypot(points[:, 0] - px / dx, points[:, 1] - py / dy))
            assert distance < 0.1, (margin, px, py)
            checked += 1
    assert checked >= 10 and skipped <= 0.05 * checked, (checked, skipped)


def test_gs2_gray_margin_contour_follows_the_bisected_boundary():
    """M2's gray candidate becomes admissible only ~1-2 % below the GS2 switch (r_gs2 in the
    base model), so the grid must resolve that sliver (cells 0.01 in r, 0.001 in gamma: the
    boundary runs at dr/dgamma ~ -20): below it the margin is NaN."""
    ds = fastmap.sweep(MODEL, r=np.linspace(1.8, 7.0, 521), gamma=np.linspace(0.3, 0.95, 651))
    assert_contour_on_boundary(ds, "margin_gs2_gray", "regime_gs2", ("no_gray", "gray"), "r",
                               "gamma")


@pytest.mark.parametrize("margin, var, labels", [
    ("margin_gs2_exit", "regime_gs2", ("gray", "m1_exit")),
    ("margin_gs3_stay", "regime_gs3", ("gray", "no_pure_equilibrium")),
    ("margin_gs3_exit", "regime_gs3", ("no_pure_equilibrium", "m1_exit"))])
def test_margin_contours_follow_the_bisected_boundaries(r_gamma, margin, var, labels):
    assert_contour_on_boundary(r_gamma, margin, var, labels, "r", "gamma")


@pytest.mark.parametrize("margin, var, labels", [
    ("margin_gs1_gray", "regime_gs1", ("gray", "limit_price")),
    ("margin_gs3_limit", "regime_gs3", ("limit_price", "no_gray")),
    ("margin_gs2_limit", "regime_gs2", ("limit_price", "no_gray"))])
def test_warranty_margin_contours_follow_the_bisected_boundaries(warranty, margin, var, labels):
    assert_contour_on_boundary(warranty, margin, var, labels, "w12", "tau")
