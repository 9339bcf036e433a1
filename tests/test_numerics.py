"""Shared compiled numerics against scipy (special functions, quadrature, root finders)."""

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from fastmap import numerics as nm

PROBABILITIES = np.concatenate([
    np.linspace(1e-6, 1 - 1e-6, 2001),
    np.logspace(-300, -1, 300),
    1.0 - np.logspace(-16, -1, 150),
    [0.5, 0.075, 0.925, 0.0748, 0.9252, 0.425 + 0.5, 0.5 - 0.425, math.exp(-25.0), 1e-320],
])


def test_ndtri_matches_scipy_to_1e_15_relative():
    got = np.array([nm.ndtri(p) for p in PROBABILITIES])
    want = special.ndtri(PROBABILITIES)
    relative = np.abs(got - want) / np.maximum(np.abs(want), 1e-300)
    assert relative.max() <= 1e-15, PROBABILITIES[np.argmax(relative)]


def test_ndtri_edges():
    assert nm.ndtri(0.0) == -math.inf and nm.ndtri(1.0) == math.inf and nm.ndtri(0.5) == 0.0
    assert math.isnan(nm.ndtri(-0.1)) and math.isnan(nm.ndtri(1.5)) and math.isnan(nm.ndtri(math.nan))


@pytest.mark.parametrize("x", [-40.0, -8.0, -1.5, 0.0, 0.3, 2.0, 9.0, 38.0])
def test_normal_pdf_cdf_sf(x):
    # Far tails: libm's erfc and scipy's ndtr each carry ~1e-14 relative error (Phi(-8) is
    # 6.220960574271784e-16; erfc gives ...819e-16, scipy ...740e-16).
    assert nm.norm_pdf(x) == pytest.approx(stats.norm.pdf(x), rel=1e-14, abs=1e-300)
    assert nm.norm_cdf(x) == pytest.approx(special.ndtr(x), rel=5e-14, abs=1e-300)
    assert nm.norm_sf(x) == pytest.approx(special.ndtr(-x), rel=5e-14, abs=1e-300)


def _noise(dist, sigma):
    if dist == nm.UNIFORM:
        a = math.sqrt(3) * sigma
        return stats.uniform(loc=-a, scale=2 * a)
    return stats.norm(scale=sigma)


def _expect(noise, fn, dist, sigma, kink):
    """E[fn(eps)] by adaptive quadrature, split at the kink of fn (normal: over +-40 sd)."""
    half = math.sqrt(3) * sigma if dist == nm.UNIFORM else 40.0 * sigma
    points = [kink] if -half < kink < half else None
    return integrate.quad(lambda e: fn(e) * noise.pdf(e), -half, half, points=points,
                          epsabs=1e-12, epsrel=1e-12, limit=500)[0]


@pytest.mark.parametrize("dist", [nm.UNIFORM, nm.NORMAL])
@pytest.mark.parametrize("sigma, c, p", [(50.0, 250.0, 494.5), (120.0, 250.0, 260.0),
                                          (10.0, 250.0, 900.0), (70.0, 100.0, 199.0),
                                          (30.0, 5.0, 4000.0)])
def test_newsvendor_terms_against_quadrature(dist, sigma, c, p):
    noise = _noise(dist, sigma)
    z, ell, ell1, ell2 = nm.newsvendor_terms(dist, sigma, c, p)
    assert z == pytest.approx(noise.ppf(1 - c / p), rel=1e-12, abs=1e-9)
    want_ell = _expect(noise, lambda e: c * max(z - e, 0.0) + (p - c) * max(e - z, 0.0), dist, sigma, z)
    assert ell == pytest.approx(want_ell, rel=1e-9, abs=1e-9)
    assert ell1 == pytest.approx(_expect(noise, lambda e: max(e - z, 0.0), dist, sigma, z), rel=1e-9,
                                 abs=1e-12)
    # ell' and ell'' by central differences (Richardson-free, so a loose 1e-5)
    step = 1e-5 * (p - c)
    for order in (1, 2):
        numeric = (nm.newsvendor_terms(dist, sigma, c, p + step)[order]
                   - nm.newsvendor_terms(dist, sigma, c, p - step)[order]) / (2 * step)
        assert nm.newsvendor_terms(dist, sigma, c, p)[order + 1] == pytest.approx(numeric, rel=1e-5)
    # expected profit identity: E[p min(q, m + eps)] - c q at q = m + z equals (p - c) m - ell
    m = 400.0
    direct = _expect(noise, lambda e: p * min(m + z, m + e), dist, sigma, z) - c * (m + z)
    assert direct == pytest.approx((p - c) * m - ell, rel=1e-10)


@pytest.mark.parametrize("dist", [nm.UNIFORM, nm.NORMAL])
@pytest.mark.parametrize("z", [-300.0, -86.0, -20.0, 0.0, 13.0, 86.0, 250.0])
def test_expected_min_against_quadrature(dist, z):
    sigma = 50.0
    want = _expect(_noise(dist, sigma), lambda e: min(z, e), dist, sigma, z)
    assert nm.expected_min(dist, sigma, z) == pytest.approx(want, rel=1e-10, abs=1e-10)


def test_deterministic_limit():
    for dist in (nm.UNIFORM, nm.NORMAL):
        assert nm.newsvendor_terms(dist, 0.0, 250.0, 400.0) == (0.0, 0.0, 0.0, 0.0)
        assert nm.expected_min(dist, 0.0, -3.0) == -3.0 and nm.expected_min(dist, 0.0, 3.0) == 0.0
        assert nm.largest_root(dist, 1500.0, 2.0, 250.0, 0.0, 0.0) == ((1500 + 500) / 4, True)


def _largest_root_brentq(dist, N, b, c, sigma, y):
    h = lambda p: nm.foc(dist, N, b, c, sigma, p) - y  # noqa: E731
    grid = np.linspace(c * (1 + 1e-9), (N + b * c) / b + 10 * c, 20001)
    values = np.array([h(p) for p in grid])
    sign_change = np.flatnonzero(np.sign(values[:-1]) != np.sign(values[1:]))
    if len(sign_change) == 0:
        return None
    i = sign_change[-1]
    return optimize.brentq(h, grid[i], grid[i + 1], xtol=1e-14, rtol=1e-15)


@pytest.mark.parametrize("dist", [nm.UNIFORM, nm.NORMAL])
@pytest.mark.parametrize("N, b, sigma, y", [(1500.0, 2.0, 50.0, 0.0), (1500.0, 1.0, 120.0, 0.0),
                                             (1500.0, 2.0, 50.0, -300.0), (1500.0, 1.0, 50.0, 400.0),
                                             (1500.0, 4.0, 120.0, 150.0), (600.0, 2.0, 40.0, -50.0)])
def test_largest_root_against_brentq(dist, N, b, sigma, y):
    c = 250.0
    want = _largest_root_brentq(dist, N, b, c, sigma, y)
    p, exists = nm.largest_root(dist, N, b, c, sigma, y)
    if want is None:
        assert not exists
    else:
        assert exists and p == pytest.approx(want, rel=1e-12)
        assert nm.foc_slope(dist, N, b, c, sigma, p) < 0


def _cubic_root_exact(k: float) -> float:
    """Largest root of x^3 - x^2 + k in exact rational arithmetic (bisection on [2/3, 1])."""
    kk, lo, hi = Fraction(k), Fraction(2, 3), Fraction(1)
    for _ in range(64):
        mid = (lo + hi) / 2
        if mid * mid * (mid - 1) + kk > 0:
            hi = mid
        else:
            lo = mid
    return float((lo + hi) / 2)


@pytest.mark.parametrize("k", [0.0, 1e-300, 1e-12, 1e-6, 1e-3, 0.01, 0.03, nm.CUBIC_SERIES_K,
                               np.nextafter(nm.CUBIC_SERIES_K, 1.0), 0.05, 0.1, 0.14, 4.0 / 27.0])
def test_cubic_largest_root_to_two_ulps(k):
    """Series + Halley below CUBIC_SERIES_K and the trigonometric formula above it agree with
    the exact root to 2 ulps (the double root at 4/27 excepted: there 1e-8)."""
    want = _cubic_root_exact(k)
    got = nm._cubic_largest_root(k)
    assert abs(got - want) <= (1e-8 if k == 4.0 / 27.0 else 2 * np.spacing(want)), (got, want)


def test_cubic_series_is_continuous_at_the_switch():
    below = nm._cubic_largest_root(nm.CUBIC_SERIES_K)
    above = nm._cubic_largest_root(np.nextafter(nm.CUBIC_SERIES_K, 1.0))
    assert 0.0 <= below - above <= 4 * np.spacing(below)


@pytest.mark.parametrize("dist", [nm.UNIFORM, nm.NORMAL])
def test_largest_root_without_root_returns_clamp_at_max_of_h(dist):
    N, b, c, sigma = 1500.0, 2.0, 250.0, 50.0
    grid = np.linspace(c * (1 + 1e-12), 3000.0, 200001)
    h = np.array([nm.foc(dist, N, b, c, sigma, p) for p in grid])
    y = h.max() + 1.0
    p, exists = nm.largest_root(dist, N, b, c, sigma, y)
    assert not exists
    assert p == pytest.approx(grid[np.argmax(h)], abs=2 * (grid[1] - grid[0]))
    # P stays non-increasing through the clamp
    below, _ = nm.largest_root(dist, N, b, c, sigma, h.max() - 1e-6)
    assert below >= p - 1e-6


def _solve_decreasing(f, df, lo, hi, tol=1e-13):
    x = 0.5 * (lo + hi)
    for _ in range(300):
        x_next, lo, hi = nm.newton_bisect_step(x, f(x), df(x), lo, hi)
        if nm.bracket_converged(x_next, x, lo, hi, tol):
            return x_next
        x = x_next
    raise AssertionError("no convergence")


def test_newton_bisect_step_solves_decreasing_functions():
    f = lambda x: 2.0 - x ** 3 - x  # noqa: E731
    df = lambda x: -3.0 * x ** 2 - 1.0  # noqa: E731
    assert _solve_decreasing(f, df, -5.0, 5.0) == pytest.approx(optimize.brentq(f, -5, 5, xtol=1e-15), abs=1e-12)
    # a useless derivative falls back to bisection and still converges
    g = lambda x: math.tanh(1.0 - x)  # noqa: E731
    assert _solve_decreasing(g, lambda x: 1.0, -30.0, 40.0) == pytest.approx(1.0, abs=1e-12)
    assert nm.newton_bisect_step(1.0, 0.0, -1.0, 0.0, 2.0) == (1.0, 1.0, 1.0)


def test_newton_step_below_one_ulp_ends_the_search():
    # f(x) = -1e-13 at x = 557: the Newton step rounds to x, the new upper end of the bracket;
    # that is convergence, not a reason to bisect the whole bracket again.
    x = 557.2764071869165
    assert nm.newton_bisect_step(x, -2.27e-13, -5.84, 467.0, 600.0) == (x, x, x)
    assert nm.bracket_converged(x, x, x, x, 0.0)


def test_foc_and_slope_is_foc_and_foc_slope():
    for dist in (nm.UNIFORM, nm.NORMAL):
        for p in (251.0, 300.0, 494.5, 900.0):
            h, dh = nm.foc_and_slope(dist, 1500.0, 2.0, 250.0, 50.0, p)
            assert h == nm.foc(dist, 1500.0, 2.0, 250.0, 50.0, p)
            assert dh == nm.foc_slope(dist, 1500.0, 2.0, 250.0, 50.0, p)


def test_newton_settled_saves_the_last_step_and_keeps_the_root():
    """Stopping once the next step is predicted below 1e-16 relative gives the root that running
    to a rounding-level step gives (to a few ulps), one evaluation earlier; never before the
    second step."""
    f = lambda x: 2.0 - x ** 3 - x  # noqa: E731
    df = lambda x: -3.0 * x ** 2 - 1.0  # noqa: E731
    root = optimize.brentq(f, -5, 5, xtol=1e-16, rtol=4 * np.finfo(float).eps)

    def run(settle):
        x, lo, hi, step, evaluations = 3.0, -5.0, 5.0, math.inf, 0
        while True:
            evaluations += 1
            x_next, lo, hi = nm.newton_bisect_step(x, f(x), df(x), lo, hi)
            previous, step = step, abs(x_next - x)
            if nm.bracket_converged(x_next, x, lo, hi, 1e-15 * abs(x_next)) or (
                    settle and nm.newton_settled(step, previous, 1e-16 * abs(x_next))):
                return x_next, evaluations
            x = x_next

    full, n_full = run(False)
    settled, n_settled = run(True)
    assert settled == pytest.approx(root, rel=4e-16) and full == pytest.approx(root, rel=4e-16)
    assert n_settled < n_full
    assert not nm.newton_settled(0.0, math.inf, 1.0)  # first step: nothing to predict from
    assert not nm.newton_settled(1e-3, 1e-3, 1e-16)  # not converging quadratically
