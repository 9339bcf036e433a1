"""Compiled numerics shared by the models: the normal distribution, newsvendor terms, the largest
root of a newsvendor first-order condition, and a safeguarded Newton step for monotone roots.

Everything is a scalar ``@njit(cache=True)`` function (no allocation) so that kernels can call
it per cell. A generic root finder that takes the function to solve as an argument would stop
numba from caching the kernel that calls it, so the monotone solver is offered as a *step*
(:func:`newton_bisect_step`, :func:`bracket_converged`): the model keeps the loop and evaluates
its own function.

Noise families (``dist``): ``UNIFORM`` = 0, uniform on ``[-sqrt(3) sigma, sqrt(3) sigma]``;
``NORMAL`` = 1, ``N(0, sigma^2)``. ``sigma = 0`` is the deterministic limit of both.
"""

import math

from numba import njit

UNIFORM = 0
NORMAL = 1
SQRT3 = math.sqrt(3.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
NAN = math.nan
INF = math.inf

# --------------------------------------------------------------------------- normal distribution


@njit(cache=True, error_model="numpy")
def ndtri(p):
    """Inverse of the standard normal CDF: Wichura's AS241 (PPND16), relative error ~1e-16."""
    if not (0.0 <= p <= 1.0):
        return NAN
    if p == 0.0:
        return -math.inf
    if p == 1.0:
        return math.inf
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        num = (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r
                    + 67265.770927008700853) * r + 45921.953931549871457) * r
                  + 13731.693765509461125) * r + 1971.5909503065514427) * r
                + 133.14166789178437745) * r + 3.387132872796366608)
        den = (((((((r * 5226.495278852545925 + 28729.085735721942674) * r
                    + 39307.89580009271061) * r + 21213.794301586595867) * r
                  + 5394.1960214247511077) * r + 687.1870074920579083) * r
                + 42.313330701600911252) * r + 1.0)
        return q * num / den
    r = p if q < 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r -= 1.6
        num = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r
                    + 0.24178072517745061177) * r + 1.27045825245236838258) * r
                  + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                + 4.6303378461565452959) * r + 1.42343711074968357734)
        den = (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r
                    + 0.0151986665636164571966) * r + 0.14810397642748007459) * r
                  + 0.68976733498510000455) * r + 1.6763848301838038494) * r
                + 2.05319162663775882187) * r + 1.0)
    else:
        r -= 5.0
        num = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r
                    + 0.0012426609473880784386) * r + 0.026532189526576123093) * r
                  + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                + 5.4637849111641143699) * r + 6.6579046435011037772)
        den = (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r
                    + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r
                  + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
                + 0.59983220655588793769) * r + 1.0)
    value = num / den
    return -value if q < 0.0 else value


@njit(cache=True, error_model="numpy")
def norm_pdf(x):
    return INV_SQRT_2PI * math.exp(-0.5 * x * x)


@njit(cache=True, error_model="numpy")
def norm_sf(x):
    """Upper tail 1 - Phi(x), accurate for large x (erfc)."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


@njit(cache=True, error_model="numpy")
def norm_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


# ------------------------------------------------------------------------- newsvendor of a market
# One market with price p > c, unit cost c and additive noise of sd sigma. At the optimal stock
# q = m + z(p) (critical fractile 1 - c/p) the expected profit is (p - c) m - ell(p); ell is the
# mismatch cost, ell1 = ell', ell2 = ell''.


@njit(cache=True, error_model="numpy")
def _normal_fractile(c, p):
    """xi = Phi^{-1}(1 - c/p) without cancellation, and u = c/p."""
    u = c / p
    xi = ndtri((p - c) / p) if u > 0.5 else -ndtri(u)
    return xi, u


@njit(cache=True, error_model="numpy")
def _normal_terms(sigma, c, p):
    xi, u = _normal_fractile(c, p)
    phi = norm_pdf(xi)
    return sigma * xi, sigma * p * phi, sigma * (phi - xi * u), -sigma * u * u / (p * phi)


@njit(cache=True, error_model="numpy", inline="always")
def newsvendor_terms(dist, sigma, c, p):
    """``(z, ell, ell1, ell2)`` at price ``p``: safety stock, mismatch cost and its derivatives.

    Inlined into every caller (numba IR inlining): the kernels call it ~20 times per cell, and
    the uniform case is a few multiplications; the normal case stays one call."""
    if sigma == 0.0:
        return 0.0, 0.0, 0.0, 0.0
    if dist == UNIFORM:
        a = SQRT3 * sigma
        r = c / p
        return a * (1.0 - 2.0 * r), a * c * (1.0 - r), a * r * r, -2.0 * a * r * r / p
    return _normal_terms(sigma, c, p)


@njit(cache=True, error_model="numpy")
def expected_min(dist, sigma, z):
    """``G(z) = E[min(z, eps)]``, so that ``E[min(q, m + eps)] = m + G(q - m)``."""
    if sigma == 0.0:
        return min(z, 0.0)
    if dist == UNIFORM:
        a = SQRT3 * sigma
        if z <= -a:
            return z
        if z >= a:
            return 0.0
        return z - (z + a) * (z + a) / (4.0 * a)
    x = z / sigma
    return -sigma * (norm_pdf(x) - x * norm_sf(x))


@njit(cache=True, error_model="numpy", inline="always")
def foc(dist, N, b, c, sigma, p):
    """``h(p) = N + b c - 2 b p - ell'(p)``: derivative of the market's expected profit in p."""
    return N + b * c - 2.0 * b * p - newsvendor_terms(dist, sigma, c, p)[2]


@njit(cache=True, error_model="numpy", inline="always")
def foc_slope(dist, N, b, c, sigma, p):
    """``h'(p) = -2 b - ell''(p)``."""
    return -2.0 * b - newsvendor_terms(dist, sigma, c, p)[3]


@njit(cache=True, error_model="numpy", inline="always")
def foc_and_slope(dist, N, b, c, sigma, p):
    """``(h(p), h'(p))`` from one evaluation of the newsvendor terms."""
    _, _, ell1, ell2 = newsvendor_terms(dist, sigma, c, p)
    return N + b * c - 2.0 * b * p - ell1, -2.0 * b - ell2


@njit(cache=True, error_model="numpy")
def _argmax_foc(dist, N, b, c, sigma):
    """Where the concave ``h`` peaks on ``[c, inf)`` (the clamp of :func:`largest_root`)."""
    if sigma == 0.0:
        return c
    if dist == UNIFORM:
        # max(c, (sqrt(3) sigma c^2 / b)^(1/3)) without c^2 (underflows for tiny prices)
        return c * max(1.0, (SQRT3 * sigma / (b * c)) ** (1.0 / 3.0)) if c > 0.0 else 0.0
    lo = c
    hi = (N + b * c) / (2.0 * b) + 10.0 * c
    while foc_slope(dist, N, b, c, sigma, hi) >= 0.0:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if foc_slope(dist, N, b, c, sigma, mid) > 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# Below this k the largest root of x^3 - x^2 + k comes from its series and one Halley step
# (a third of the cost of acos and cos); above it, from the trigonometric formula.
CUBIC_SERIES_K = 0.04


@njit(cache=True, error_model="numpy")
def _cubic_largest_root(k):
    """Largest root of ``x^3 - x^2 + k = 0`` for ``0 <= k <= 4/27``; it lies in ``[2/3, 1]``.

    Small k: ``x = 1 - y`` with ``y (1 - y)^2 = k``, whose Lagrange series is
    ``y = k + 2 k^2 + 7 k^3 + 30 k^4 + 143 k^5 + 728 k^6 + ...`` (coefficients
    ``C(3n - 2, n - 1) / n``); six terms leave an error below ``4e3 k^7`` (6e-7 at k = 0.04),
    which one Halley step (cubic convergence, one division) takes far below rounding: within
    1 ulp of the exact root. Larger k, up to the double root at 4/27 where the iteration slows
    down: ``(1 + 2 cos(acos(1 - 13.5 k) / 3)) / 3``.
    """
    if k <= CUBIC_SERIES_K:
        x = 1.0 - k * (1.0 + k * (2.0 + k * (7.0 + k * (30.0 + k * (143.0 + k * 728.0)))))
        f = x * x * (x - 1.0) + k
        df = x * (3.0 * x - 2.0)
        return x - 2.0 * f * df / (2.0 * df * df - f * (6.0 * x - 2.0))
    arg = min(1.0, max(-1.0, 1.0 - 13.5 * k))
    return (1.0 + 2.0 * math.cos(math.acos(arg) / 3.0)) / 3.0


@njit(cache=True, error_model="numpy")
def largest_root(dist, N, b, c, sigma, y):
    """``(P(y), exists)``: the largest root of ``h(p) = y`` on ``(c, inf)``.

    ``h`` is concave, so the largest root is the only one on its decreasing branch. Uniform noise:
    closed form, the largest root of ``p^3 - A p^2 + K = 0`` (:func:`_cubic_largest_root`: the
    spec's trigonometric formula, or for small ``K / A^3`` the same root from its series to within
    1 ulp, at a third of the cost); normal noise: Newton from the right, monotone; ``sigma = 0``:
    linear. Without a root, returns the clamp ``argmax h`` and
    ``False``, which keeps ``P`` continuous and non-increasing in ``y``.
    """
    A = (N + b * c - y) / (2.0 * b)
    if sigma == 0.0:
        if A > c:
            return A, True
        return c, False
    if dist == UNIFORM:
        # p^3 - A p^2 + K = 0 with K = sqrt(3) sigma c^2 / (2 b), in x = p / A: x^3 - x^2 + k = 0,
        # k = K / A^3 formed from dimensionless ratios (A^3 alone over- or underflows when
        # prices are beyond ~1e+-100).
        u = c / A
        k = 0.5 * SQRT3 * (sigma / (b * A)) * u * u
        if A > 0.0 and 27.0 * k <= 4.0:
            p = A * _cubic_largest_root(k)
            if p > c:
                return p, True
        return _argmax_foc(dist, N, b, c, sigma), False
    if A <= c:
        return _argmax_foc(dist, N, b, c, sigma), False
    p = A
    for _ in range(200):
        slope = foc_slope(dist, N, b, c, sigma, p)
        if slope >= 0.0:
            return _argmax_foc(dist, N, b, c, sigma), False
        step = (foc(dist, N, b, c, sigma, p) - y) / slope
        p_next = p - step
        if p_next <= c:
            return _argmax_foc(dist, N, b, c, sigma), False
        if abs(p_next - p) <= 1e-15 * p:
            return p_next, True
        p = p_next
    return p, True


# ------------------------------------------------------------------ monotone (decreasing) roots


@njit(cache=True, error_model="numpy")
def newton_bisect_step(x, f, df, lo, hi):
    """One safeguarded Newton step for a decreasing ``f`` with ``f(lo) > 0 > f(hi)``.

    Given ``f = f(x)`` and ``df = f'(x)``, shrinks the bracket and returns ``(x_next, lo, hi)``:
    the Newton step if it stays strictly inside the bracket, else the bracket's midpoint. An
    exact zero, or a Newton step too small to change ``x``, returns ``(x, x, x)`` (without that
    check, a step that rounds to ``x`` = the new bracket end would be replaced by a bisection).
    """
    if f > 0.0:
        lo = x
    elif f < 0.0:
        hi = x
    else:
        return x, x, x
    x_next = x - f / df if df < 0.0 else NAN
    if x_next == x:
        return x, x, x
    if not (lo < x_next < hi):
        x_next = 0.5 * (lo + hi)
    return x_next, lo, hi


@njit(cache=True, error_model="numpy")
def bracket_converged(x_next, x, lo, hi, tol):
    """Stop when the step or the bracket is below ``tol``."""
    return abs(x_next - x) <= tol or hi - lo <= tol


@njit(cache=True, error_model="numpy")
def newton_settled(step, previous_step, tol):
    """Stop a Newton sequence whose next step is predicted below ``tol``.

    Near a simple root the error after a step ``s`` is about ``C s**2``, and ``C`` is about
    ``s / s_prev**2``; the test is ``s**3 <= tol * s_prev**2``, which saves the last iteration
    (the one whose step is at the rounding level). ``previous_step`` is ``inf`` before the
    second step (never settled then).
    """
    return previous_step < INF and step * step * step <= tol * previous_step * previous_step
