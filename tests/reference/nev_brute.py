"""Independent brute-force reference solver for the model ``nev_parallel_export``.

Spec: ``shared/models/nev_parallel_export.md`` (cases CN / CR / CT, readings A / B).  This module
shares no code with :mod:`fastmap` and uses **none** of the spec's equilibrium closed forms (no
CN formulas, no blocking floor ``L = alpha + lam (...)``, no ``rho``/``T2``, no candidate list, no
Hessians).  It only uses the primitives of spec sections 2.1, 4 and 5:

* Market 1 inverse demand from the utilities (``s = 1 - q1 - q2``, ``p1 = s - b_v q_par``,
  ``p2 = p1 + e``, ``p_g = b_v (s - q_par) + b_e e``), Market 2 ``p_r = theta (1 - x)``, the payoffs
  and the timing/caps of each case (``q1 <= 1 - q2``, ``q_par <= s``, ``q_t <= q_r``).
* **Followers by numerical optimisation** of their primitive payoffs:

  - payoffs that are quadratic in the own decision on the whole feasible interval (the parallel
    trader of CR/CT stage 3, the AD in Market 2 when nothing is exported, M1 when nothing is
    exported) by one parabolic-interpolation step through both ends and the midpoint, compared
    with the ends (exact for a quadratic; :func:`quad_max`);
  - piecewise payoffs (M1 anticipating the parallel trader, the CT AD anticipating the TP, whose
    payoff has a convex kink and two peaks) by a grid + golden-section search in the brackets of the
    best local grid maxima, followed by a parabolic polish (:func:`grid_golden_max`).
  - CT stage 2 (M1 and AD simultaneous): iterated numerical best responses from two starts
    (no TP / TP active), kept only when converged (a numerical Nash equilibrium); M2 picks the
    equilibrium it prefers, no equilibrium means the decisions are not available.

  Both maximisers are checked against ``scipy.optimize.minimize_scalar`` in the tests.
* **Leader** (M2, decisions ``w >= 0``, ``q2 in [0, 1]``, ``e >= 0``):

  - CN: the markets separate (nothing links them), ``w`` by a 1-D search, ``(q2, e)`` by a 2-D
    search (grid + scipy Nelder-Mead from the best local grid maxima, face ``q2 = 1`` by
    ``minimize_scalar``).
  - CR / CT, *blocking strategies* (no parallel trade): for fixed ``(q2, e)`` M1 answers as without
    parallel trade, and the set of ``w`` at which the numerical followers export nothing is found
    (its lower end ``w_b``; CR: bisection on the AD's parallel quantity; CT: root of the gap between
    the AD's best payoff with and without attracting the TP; that this set is an upper interval
    is checked by a test); the best
    blocked ``w`` maximises the AD's numerical Market-2 purchase value ``w q_r(w)`` on
    ``[w_b, inf)`` (``w >= theta`` closes Market 2); ``(q2, e)`` by the 2-D search above, the face
    ``q2 = 1`` (capture of Market 1) included.  Precise values come from this search.
  - CR / CT, *all strategies* (safety net, :func:`global_search`): M2's profit with the full
    numerical followers (parallel trade allowed, M1 deterring, no equilibrium, ...) on a 3-D grid
    over ``(w, q2, e)``, refined by Nelder-Mead from the best grid point with parallel trade
    (``global_best``, ``acc_best``, ``acc_x``), then polished by Newton steps on central
    differences (:func:`_newton_polish3`; the followers' quantities are affine in M2's decisions
    on a piece, so M2's profit is quadratic there and Nelder-Mead alone stops ~1e-7 away).

* **Regime** of the optimum: 4 ``capture_market1`` if ``q2 = 1``; 3 ``close_market2`` if the AD
  buys nothing; 1 ``no_threat`` if CN's decisions are blocked (then CN is optimal; the search must
  agree); else 2 ``limit_wholesale``; 5 ``accommodate`` if the best strategy with parallel trade
  (``acc_best``, only with ``safety_net``) beats the best blocking outcome: then the reported
  outcome is that strategy with its numerical followers.  The spec (section 9.1) claims this never
  happens; it does for CT in reading A at small theta, large k, small beta (see
  ``tests/test_nev_bruteforce.py``).
* ``margin`` (value gap to the best optimum of another class) and ``floor_gap`` (``w_cn - w_b`` at
  the CN decisions; ``no_threat`` iff ``>= 0``) let tests skip near-ties.

Everything scalar is compiled with numba (own code; not cached: functions taking functions cannot
be, compilation takes ~15 s per process); the per-point driver is Python.
Main entry point: :func:`solve` (one point, dict of outputs per case).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.optimize import minimize, minimize_scalar

__all__ = ["solve", "coefficients", "is_valid", "REGIME", "K_MIN_CT", "quad_max", "grid_golden_max",
           "cr_followers", "ct_equilibria", "blocked_value", "global_search", "trade_outcome"]

REGIME = {0: "invalid", 1: "no_threat", 2: "limit_wholesale", 3: "close_market2", 4: "capture_market1",
          5: "accommodate"}
K_MIN_CT = 2.5          # spec section 3: the true CT outcome is reported only for k >= 2.5

_GR = (math.sqrt(5.0) - 1.0) / 2.0
N_GRID = 33             # grid of the piecewise follower problems
IT_GOLD = 32            # golden iterations (bracket 2/32^2 * 0.618^32 ~ 4e-10, then parabolic polish)
IT_BISECT = 52          # bisection on w: 2^-52 relative
Q_ZERO = 1e-12          # a follower quantity below this is "zero"
FLOOR_TOL = 1e-10       # w_cn >= w_b - FLOOR_TOL counts as "CN blocks" (numerical floor precision)
NOISE = 1e-12           # M2's profit with the iterated CT stage-2 followers is exact to ~1e-13
# Parallel trade counts for the safety net's accommodation search only above Q_PAR: with a sliver
# of parallel trade (q2 -> 1) the followers' maxima are so flat that their numerical answers err by
# ~1e-9 in quantity, worth ~1e-10 to M2 (spurious gains over capture_market1 at k = 2.5).
Q_PAR = 1e-7


# ------------------------------------------------------------------------------------------------
# generic numerical maximisers (scalar, numba)
# ------------------------------------------------------------------------------------------------
@njit
def quad_max(f, a, lo, hi):
    """Maximise ``f(x, a)`` on ``[lo, hi]``: parabola through ``lo``, the midpoint and ``hi``, its
    vertex (if concave) clipped to the interval, compared with the three nodes.  Exact when ``f``
    is a quadratic on the interval.  Returns ``(x, f(x))``."""
    if not hi > lo:
        return lo, f(lo, a)
    m = 0.5 * (lo + hi)
    h = 0.5 * (hi - lo)
    f0, fm, f1 = f(lo, a), f(m, a), f(hi, a)
    bx, bf = lo, f0
    if fm > bf:
        bx, bf = m, fm
    if f1 > bf:
        bx, bf = hi, f1
    den = f0 - 2.0 * fm + f1
    if den < 0.0:
        x = min(max(m - h * (f1 - f0) / (2.0 * den), lo), hi)
        fx = f(x, a)
        if fx >= bf:
            bx, bf = x, fx
    return bx, bf


@njit
def _golden(f, a, lo, hi, iters):
    """Golden-section maximisation on ``[lo, hi]`` (ties keep the left part); ends included."""
    bx, bf = lo, f(lo, a)
    fh = f(hi, a)
    if fh > bf:
        bx, bf = hi, fh
    x1 = hi - _GR * (hi - lo)
    x2 = lo + _GR * (hi - lo)
    f1, f2 = f(x1, a), f(x2, a)
    for _ in range(iters):
        if f1 >= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - _GR * (hi - lo)
            f1 = f(x1, a)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + _GR * (hi - lo)
            f2 = f(x2, a)
    if f1 > bf:
        bx, bf = x1, f1
    if f2 > bf:
        bx, bf = x2, f2
    return bx, bf


@njit
def _top_local_maxima(fs, m):
    """Indices of the (at most) ``m`` largest local maxima of the sequence ``fs``."""
    n = fs.size
    idx = np.full(m, -1)
    used = np.zeros(n, dtype=np.bool_)
    for r in range(m):
        j = -1
        for i in range(n):
            if used[i]:
                continue
            left = fs[i - 1] if i > 0 else -np.inf
            right = fs[i + 1] if i < n - 1 else -np.inf
            if fs[i] >= left and fs[i] >= right and (j < 0 or fs[i] > fs[j]):
                j = i
        if j < 0:
            break
        used[j] = True
        idx[r] = j
    return idx


@njit
def _polish(f, a, x, fx, lo, hi):
    """One parabolic step through x - h, x, x + h (exact on a quadratic piece); kept unless worse
    by more than rounding (golden section alone locates a smooth maximum only to ~1e-9)."""
    h = 1e-4 * (hi - lo)
    xl, xr = x - h, x + h
    if xl < lo or xr > hi or not h > 0.0:
        return x, fx
    fl, fr = f(xl, a), f(xr, a)
    den = fl - 2.0 * fx + fr
    if den < 0.0:
        xv = min(max(x - h * (fr - fl) / (2.0 * den), lo), hi)
        fv = f(xv, a)
        if fv >= fx - 1e-13 * abs(fx):      # flat maximum: the vertex is the more precise point
            return xv, fv
    return x, fx


@njit
def _grid(f, a, lo, hi, n):
    xs = np.empty(n)
    fs = np.empty(n)
    for i in range(n):
        xs[i] = lo + (hi - lo) * i / (n - 1)
        fs[i] = f(xs[i], a)
    return xs, fs


@njit
def grid_golden_max(f, a, lo, hi, n_grid, iters):
    """Global maximisation of a piecewise-smooth ``f(x, a)`` on ``[lo, hi]``: grid of ``n_grid``
    points; around each of its 3 best local maxima a second grid of ``n_grid`` points over the two
    neighbouring cells (separates two peaks closer than a cell, e.g. both sides of a convex kink);
    golden section in the cells of the 2 best local maxima of each second grid, then a parabolic
    polish (exact on a quadratic piece).  Returns ``(x, f(x))``."""
    if not hi > lo:
        return lo, f(lo, a)
    xs, fs = _grid(f, a, lo, hi, n_grid)
    j0 = np.argmax(fs)
    bx, bf = xs[j0], fs[j0]
    for j in _top_local_maxima(fs, 3):
        if j < 0:
            break
        l2, h2 = xs[max(j - 1, 0)], xs[min(j + 1, n_grid - 1)]
        x2, f2 = _grid(f, a, l2, h2, n_grid)
        for i in _top_local_maxima(f2, 2):
            if i < 0:
                break
            x, fx = _golden(f, a, x2[max(i - 1, 0)], x2[min(i + 1, n_grid - 1)], iters)
            x, fx = _polish(f, a, x, fx, lo, hi)
            if fx > bf:
                bx, bf = x, fx
    return bx, bf


# ------------------------------------------------------------------------------------------------
# primitive payoffs (spec section 5) and follower responses
# ------------------------------------------------------------------------------------------------
@njit
def _m1_alone(q1, a):
    """M1's profit when nothing is exported: p1 = 1 - q1 - q2.  a = (q2,)."""
    return (1.0 - q1 - a[0]) * q1


@njit
def _ad_market2(q, a):
    """AD's Market-2 profit (theta (1 - q) - w) q.  a = (w, theta)."""
    return (a[1] * (1.0 - q) - a[0]) * q


@njit
def _ad_parallel(q, a):
    """CR stage 3: AD's parallel profit (p_g - w) q_g, p_g = b_v (s - q_g) + b_e e.
    a = (w, s, e, bv, be)."""
    w, s, e, bv, be = a
    return (bv * (s - q) + be * e - w) * q


@njit
def qg_cr(w, s, e, bv, be):
    """CR stage 3: the AD's numerically optimal parallel quantity on [0, s]."""
    if s <= 0.0:
        return 0.0
    q, v = quad_max(_ad_parallel, (w, s, e, bv, be), 0.0, s)
    return q if v > 0.0 else 0.0


@njit
def _m1_cr(q1, a):
    """CR stage 2: M1's profit anticipating the AD's parallel quantity.  a = (w, q2, e, bv, be)."""
    w, q2, e, bv, be = a
    s = 1.0 - q1 - q2
    qg = qg_cr(w, s, e, bv, be)
    return (s - bv * qg) * q1


@njit
def cr_followers(w, q2, e, theta, bv, be):
    """Numerical CR followers at M2's decisions: returns (q1, q_g, q_r)."""
    q1 = grid_golden_max(_m1_cr, (w, q2, e, bv, be), 0.0, 1.0 - q2, N_GRID, IT_GOLD)[0]
    qg = qg_cr(w, 1.0 - q1 - q2, e, bv, be)
    qr = quad_max(_ad_market2, (w, theta), 0.0, 1.0)[0]
    return q1, qg, qr


@njit
def _tp(q, a):
    """CT stage 3: TP's profit (p_g - p_r) q_t.  a = (q_r, s, e, bv, be, theta)."""
    qr, s, e, bv, be, theta = a
    return (bv * (s - q) + be * e - theta * (1.0 - qr + q)) * q


@njit
def qt_ct(qr, s, e, bv, be, theta):
    """CT stage 3: the TP's numerically optimal purchase on [0, min(q_r, s)]."""
    cap = min(qr, s)
    if cap <= 0.0:
        return 0.0
    q, v = quad_max(_tp, (qr, s, e, bv, be, theta), 0.0, cap)
    return q if v > 0.0 else 0.0


@njit
def _m1_ct(q1, a):
    """CT stage 2: M1's profit anticipating the TP.  a = (q_r, q2, e, bv, be, theta)."""
    qr, q2, e, bv, be, theta = a
    s = 1.0 - q1 - q2
    return (s - bv * qt_ct(qr, s, e, bv, be, theta)) * q1


@njit
def _ad_ct(qr, a):
    """CT stage 2: AD's profit (p_r - w) q_r, p_r = theta (1 - q_r + q_t), anticipating the TP.
    a = (w, q1, q2, e, bv, be, theta)."""
    w, q1, q2, e, bv, be, theta = a
    s = 1.0 - q1 - q2
    qt = qt_ct(qr, s, e, bv, be, theta)
    return (theta * (1.0 - qr + qt) - w) * qr


@njit
def br_m1_ct(qr, q2, e, theta, bv, be):
    return grid_golden_max(_m1_ct, (qr, q2, e, bv, be, theta), 0.0, 1.0 - q2, N_GRID, IT_GOLD)[0]


@njit
def br_ad_ct(w, q1, q2, e, theta, bv, be, iters):
    """The AD's numerical best supply (q_r in [0, 1 + s]: beyond, p_r < 0)."""
    s = 1.0 - q1 - q2
    return grid_golden_max(_ad_ct, (w, q1, q2, e, bv, be, theta), 0.0, 1.0 + s, N_GRID, iters)[0]


@njit
def ct_equilibria(w, q2, e, theta, bv, be):
    """CT stage 2 by iterated numerical best responses from two starts (q_r = 0: no TP; q_r = 1 + R:
    TP attracted).  Returns (n, q1s, qrs): converged profiles (numerical Nash equilibria)."""
    q1s = np.empty(2)
    qrs = np.empty(2)
    n = 0
    for start in range(2):
        qr = 0.0 if start == 0 else 2.0 - q2
        q1 = br_m1_ct(qr, q2, e, theta, bv, be)
        ok = False
        for _ in range(60):
            qr_new = br_ad_ct(w, q1, q2, e, theta, bv, be, IT_GOLD)
            q1_new = br_m1_ct(qr_new, q2, e, theta, bv, be)
            done = abs(qr_new - qr) <= 1e-11 and abs(q1_new - q1) <= 1e-11
            qr, q1 = qr_new, q1_new
            if done:
                ok = True
                break
        if ok:
            dup = False
            for j in range(n):
                if abs(q1s[j] - q1) < 1e-9 and abs(qrs[j] - qr) < 1e-9:
                    dup = True
            if not dup:
                q1s[n] = q1
                qrs[n] = qr
                n += 1
    return n, q1s, qrs


@njit
def m2_profit(case, w, q2, e, theta, k, bv, be):
    """M2's profit with the full numerical followers (case 1 = CR, 2 = CT) and the parallel
    quantity of that outcome; CT: the M2-preferred stage-2 equilibrium, -inf if there is none."""
    if case == 1:
        q1, qg, qr = cr_followers(w, q2, e, theta, bv, be)
        s = 1.0 - q1 - q2
        p2 = s - bv * qg + e
        return p2 * q2 - 0.5 * k * e * e + w * (qr + qg), qg
    n, q1s, qrs = ct_equilibria(w, q2, e, theta, bv, be)
    best, bq = -np.inf, 0.0
    for j in range(n):
        s = 1.0 - q1s[j] - q2
        qt = qt_ct(qrs[j], s, e, bv, be, theta)
        v = (s - bv * qt + e) * q2 - 0.5 * k * e * e + w * qrs[j]
        if v > best:
            best, bq = v, qt
    return best, bq


# ------------------------------------------------------------------------------------------------
# blocking strategies
# ------------------------------------------------------------------------------------------------
@njit
def ct_entry(q1, q2, e, theta, bv, be):
    """The TP's entry point: largest AD supply q_r at which the (numerical) TP buys nothing
    (bisection on q_r over [0, 1 + s]; the TP's margin grows with q_r, as p_r falls)."""
    s = 1.0 - q1 - q2
    lo, hi = 0.0, 1.0 + s
    if qt_ct(hi, s, e, bv, be, theta) <= 0.0:
        return hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if qt_ct(mid, s, e, bv, be, theta) > 0.0:
            hi = mid
        else:
            lo = mid
    return lo


@njit
def ct_gap(w, q1, q2, e, theta, bv, be, qe):
    """CT: the AD's best payoff attracting the TP (q_r > qe) minus its best payoff without
    (q_r <= qe; its payoff is quadratic there: ``quad_max``).  The TP side is unimodal (TP interior,
    then capped: concave pieces with concave kinks): golden section + polish; checked against a
    dense grid in the tests.  Parallel trade is blocked at w iff the gap is <= 0."""
    s = 1.0 - q1 - q2
    a = (w, q1, q2, e, bv, be, theta)
    v0 = quad_max(_ad_ct, a, 0.0, qe)[1]
    hi = 1.0 + s
    if qe >= hi:
        return -np.inf
    x, v1 = _golden(_ad_ct, a, qe, hi, 60)
    x, v1 = _polish(_ad_ct, a, x, v1, qe, hi)
    return v1 - v0


@njit
def _blocked(case, w, q1, q2, e, theta, bv, be):
    """Do the numerical followers export nothing at w, M1 playing its no-export response q1?
    CR: the AD's optimal parallel quantity is 0.  CT: the AD's global best supply attracts no TP
    purchase (``ct_gap <= 0``; ties go to blocking, the M2-preferred equilibrium)."""
    s = 1.0 - q1 - q2
    if case == 1:
        return qg_cr(w, s, e, bv, be) <= 0.0
    return ct_gap(w, q1, q2, e, theta, bv, be, ct_entry(q1, q2, e, theta, bv, be)) <= 0.0


@njit
def _ct_floor(q1, q2, e, theta, bv, be):
    """Lower end of the CT blocked set of w in [0, theta]: root of the (decreasing, continuous)
    ``ct_gap`` by the Illinois variant of regula falsi, with a bisection step whenever the bracket
    did not halve (``ct_gap(theta) <= 0``: at w = theta the AD cannot gain)."""
    qe = ct_entry(q1, q2, e, theta, bv, be)
    a, fa = 0.0, ct_gap(0.0, q1, q2, e, theta, bv, be, qe)
    if fa <= 0.0:
        return 0.0
    b, fb = theta, ct_gap(theta, q1, q2, e, theta, bv, be, qe)
    side = 0
    for it in range(200):
        width = b - a
        if width <= 1e-15 * theta:
            break
        c = b - fb * (b - a) / (fb - fa) if fb != fa else 0.5 * (a + b)
        if it % 3 == 2 or not (a < c < b):
            c = 0.5 * (a + b)
        fc = ct_gap(c, q1, q2, e, theta, bv, be, qe)
        if fc > 0.0:
            a, fa = c, fc
            if side == 1:
                fb *= 0.5
            side = 1
        else:
            b, fb = c, fc
            if fc == 0.0:
                break
            if side == -1:
                fa *= 0.5
            side = -1
    return b


@njit
def blocked_value(case, q2, e, theta, k, bv, be):
    """Best blocking outcome at (q2, e): returns (value, w, w_b, q1, q_r).

    M1 answers as without export (numerical, ``quad_max``); ``w_b`` = lower end of the blocked set
    of ``w`` (CR: bisection on ``[0, b_v s + b_e e]``, the highest parallel price; CT: root of
    ``ct_gap`` on ``[0, theta]``, where the AD buys nothing); ``w`` maximises ``w q_r(w)`` on
    ``[w_b, inf)`` (``q_r`` the AD's numerical Market-2 response, 0 for ``w >= theta``); the
    smallest maximiser is reported."""
    q1 = quad_max(_m1_alone, (q2,), 0.0, 1.0 - q2)[0]
    s = 1.0 - q1 - q2
    f1 = (s + e) * q2 - 0.5 * k * e * e
    if case == 2:
        wb = _ct_floor(q1, q2, e, theta, bv, be)
    elif _blocked(case, 0.0, q1, q2, e, theta, bv, be):
        wb = 0.0
    else:
        lo, hi = 0.0, max(bv * s + be * e, 0.0)
        for _ in range(IT_BISECT):
            mid = 0.5 * (lo + hi)
            if mid <= lo or mid >= hi:
                break
            if _blocked(case, mid, q1, q2, e, theta, bv, be):
                hi = mid
            else:
                lo = mid
        wb = hi
    if wb >= theta:
        return f1, wb, wb, q1, 0.0
    w, v2 = grid_golden_max(_w_value, (theta,), wb, theta, N_GRID, IT_GOLD)
    if v2 <= 0.0:
        w, v2 = theta, 0.0
    qr = quad_max(_ad_market2, (w, theta), 0.0, 1.0)[0]
    return f1 + v2, w, wb, q1, qr


@njit
def _w_value(w, a):
    """M2's Market-2 revenue w q_r(w) with the AD's numerical response.  a = (theta,)."""
    return w * quad_max(_ad_market2, (w, a[0]), 0.0, 1.0)[0]


@njit
def cn_market1(q2, e, k):
    """CN Market-1 profit of M2 with M1's numerical response."""
    q1 = quad_max(_m1_alone, (q2,), 0.0, 1.0 - q2)[0]
    return (1.0 - q1 - q2 + e) * q2 - 0.5 * k * e * e


# ------------------------------------------------------------------------------------------------
# Python drivers
# ------------------------------------------------------------------------------------------------
def coefficients(beta, reading):
    """Gray-good valuation b_v v + b_e e (spec section 2.1): B (reading 1) = (1, beta), A = (beta, 0)."""
    return (1.0, beta) if reading == 1 else (beta, 0.0)


def is_valid(theta, k, beta, reading):
    """Admissible domain (spec section 3)."""
    vals = (theta, k, beta, reading)
    return (all(math.isfinite(x) for x in vals) and 0 < theta <= 1 and k > 2 and 0 < beta < 1
            and reading in (0, 1))


def e_bound(k):
    """An upper bound on M2's optimal e from the primitives: revenue <= (1+e)^2/4 (Market 1:
    p2 <= 1 - q2 + e) + (1 + e) (purchases at w <= max(p_g, p_r) <= 1 + e, at most one unit) + 1,
    so k e^2/2 > that bound (>= profit at e = 0, which is >= 0) excludes e."""
    a, b, c = 0.5 * k - 0.25, -1.5, -2.25
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


def _newton_polish(fun, q, e, emax, h=1e-4):
    """Newton steps on central-difference gradient/Hessian of fun at (q, e) (exact on a quadratic
    piece, where Nelder-Mead stops at ~1e-9), each kept only if the value does not decrease."""
    for _ in range(2):
        if not (h <= q <= 1.0 - h and h <= e <= emax - h):
            break
        f0 = fun(q, e)
        fqp, fqm, fep, fem = fun(q + h, e), fun(q - h, e), fun(q, e + h), fun(q, e - h)
        fpp, fpm, fmp, fmm = fun(q + h, e + h), fun(q + h, e - h), fun(q - h, e + h), fun(q - h, e - h)
        g = np.array([fqp - fqm, fep - fem]) / (2 * h)
        H = np.array([[fqp - 2 * f0 + fqm, (fpp - fpm - fmp + fmm) / 4],
                      [(fpp - fpm - fmp + fmm) / 4, fep - 2 * f0 + fem]]) / h ** 2
        if not (H[0, 0] < 0 and np.linalg.det(H) > 0):
            break
        dq, de = -np.linalg.solve(H, g)
        if abs(dq) > h or abs(de) > h:
            break
        qn, en = min(max(q + dq, 0.0), 1.0), min(max(e + de, 0.0), emax)
        if fun(qn, en) < f0 - 1e-15:    # flat maximum: accept rounding-level decreases
            break
        q, e = qn, en
    return q, e


def maximise_2d(fun, emax, starts=(), n_q=17, n_e=17):
    """Maximise fun(q2, e) over [0, 1] x [0, emax]: grid (q2 refined towards 1, where optima of
    problems close to capturing Market 1 sit; e spaced quadratically so that small e is resolved;
    both refined around each of the ``starts``, between it and q2 = 1), scipy Nelder-Mead (on the
    clipped point) from the 5 best local grid maxima and from the ``starts``, a Newton polish, plus
    the face q2 = 1 (``minimize_scalar`` after a grid).  Returns the local optima found, best first,
    as a list of (value, q2, e)."""
    qs = [np.linspace(0.0, 1.0, n_q)[:-1], [0.97, 0.985, 0.993, 0.997, 0.999]]
    es = [emax * np.linspace(0.0, 1.0, n_e) ** 2]
    for q0, e0 in starts:
        qs.append(q0 + (1.0 - q0) * np.linspace(0.0, 1.0, 13)[:-1])
        es.append(np.linspace(0.0, min(2.0 * e0, emax), 21))
    qs = np.unique(np.concatenate(qs))
    es = np.unique(np.concatenate(es))
    n_e = es.size
    V = np.array([[fun(q, e) for e in es] for q in qs])
    pad = np.pad(V, 1, constant_values=-np.inf)
    locmax = np.ones_like(V, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                locmax &= V >= pad[1 + di:1 + di + V.shape[0], 1 + dj:1 + dj + V.shape[1]]
    cand = sorted(zip(V[locmax], *np.nonzero(locmax)), reverse=True)[:5]
    x0s = [(qs[i], es[j], (qs[min(i + 1, len(qs) - 1)] - qs[i]) / 2 or 1e-3,
            max(es[min(j + 1, n_e - 1)] - es[j], 1e-3 * emax)) for _, i, j in cand]
    x0s += [(q, e, 1e-2 * (1 - q) + 1e-4, 1e-2 * emax) for q, e in starts]

    def clip(x):
        return min(max(x[0], 0.0), 1.0), min(max(x[1], 0.0), emax)

    found = []
    for q0, e0, dq, de in x0s:
        x0 = np.array([q0, e0])
        simplex = np.array([x0, x0 + [dq, 0.0], x0 + [0.0, de]])
        res = minimize(lambda x: -fun(*clip(x)), x0, method="Nelder-Mead",
                       options=dict(initial_simplex=simplex, xatol=1e-11, fatol=1e-15,
                                    maxiter=4000, maxfev=4000))
        res = minimize(lambda x: -fun(*clip(x)), res.x, method="Nelder-Mead",
                       options=dict(xatol=1e-12, fatol=1e-16, maxiter=2000, maxfev=2000))
        q, e = _newton_polish(fun, *clip(res.x), emax)
        found.append((fun(q, e), q, e))
    # face q2 = 1
    ve = np.array([fun(1.0, e) for e in es])
    j = int(np.argmax(ve))
    r = minimize_scalar(lambda e: -fun(1.0, e), bounds=(es[max(j - 1, 0)], es[min(j + 1, n_e - 1)]),
                        method="bounded", options=dict(xatol=1e-12))
    found.append(max((ve[j], 1.0, es[j]), (-r.fun, 1.0, float(r.x))))
    found.sort(reverse=True)
    return found


def _outcome(theta, k, w, q2, e, q1, qr):
    """All reported values of a no-export outcome (parallel quantity 0)."""
    s = 1.0 - q1 - q2
    p1 = s
    p2 = p1 + e
    p_r = theta * (1.0 - qr)
    pi_m1 = p2 * q2 - 0.5 * k * e * e
    pi_m2 = w * qr
    return dict(w=w, q_2=q2, e=e, q_1=q1, q_r=qr, q_par=0.0, p_1=p1, p_2=p2, p_g=math.nan, p_r=p_r,
                pi_2_m1=pi_m1, pi_2_m2=pi_m2, pi_2=pi_m1 + pi_m2, pi_1=p1 * q1,
                pi_R=(p_r - w) * qr, pi_T=0.0)


def solve_cn(theta, k, bv, be):
    """CN: Market 2 and Market 1 separately (numerical followers, numerical leader)."""
    w = grid_golden_max(_w_value, (theta,), 0.0, theta, N_GRID, IT_GOLD)[0]
    v, q2, e = maximise_2d(lambda q, e: cn_market1(q, e, k), e_bound(k))[0]
    q1 = quad_max(_m1_alone, (q2,), 0.0, 1.0 - q2)[0]
    qr = quad_max(_ad_market2, (w, theta), 0.0, 1.0)[0]
    out = _outcome(theta, k, w, q2, e, q1, qr)
    out["regime"] = 1
    return out


def _classify(case, theta, k, bv, be, q2, e):
    """Regime class of the blocking optimum at (q2, e) (module doc) and its blocking outcome."""
    v, w, wb, q1, qr = blocked_value(case, q2, e, theta, k, bv, be)
    if q2 >= 1.0:
        reg = 4
    elif qr <= 1e-9:
        reg = 3
    elif w > wb + 1e-9:
        reg = 1
    else:
        reg = 2
    return reg, v, w, wb, q1, qr


def solve_blocking(case, theta, k, bv, be, cn):
    """True CR (case 1) / CT (case 2) outcome among blocking strategies (see module doc)."""
    fun = lambda q, e: blocked_value(case, q, e, theta, k, bv, be)[0]  # noqa: E731
    found = maximise_2d(fun, e_bound(k), starts=[(cn["q_2"], cn["e"])])
    classes = []
    for v, q2, e in found:
        reg = _classify(case, theta, k, bv, be, q2, e)
        classes.append((v, reg[0], q2, e, reg))
    v, regime, q2, e, (_, _, w, wb, q1, qr) = classes[0]
    # no_threat iff CN's decisions are blocked (w_cn >= w_b(q2_cn, e_cn)): then CN is the optimum
    # (the blocking problem is CN's problem with a constraint); the search must agree
    wb_cn = blocked_value(case, cn["q_2"], cn["e"], theta, k, bv, be)[2]
    floor_gap = cn["w"] - wb_cn
    if floor_gap >= -FLOOR_TOL:
        regime, q2, e, w, wb, q1, qr = 1, cn["q_2"], cn["e"], cn["w"], wb_cn, cn["q_1"], cn["q_r"]
    out = _outcome(theta, k, w, q2, e, q1, qr)
    out.update(regime=regime, w_floor=wb, floor_gap=floor_gap, search_value=v)
    # value gap to the best local optimum of another class; the close-market candidate (CN Market-1
    # optimum, Market 2 closed) is always available
    others = [c[0] for c in classes if c[1] != regime and {c[1], regime} != {1, 2}]
    if regime != 3:
        others.append(cn["pi_2_m1"])
    out["margin"] = out["pi_2"] - max(others) if others else math.inf
    return out


def _newton_polish3(fun, x, h=1e-3):
    """Newton steps on the central-difference gradient and Hessian of ``fun`` at the 3-vector ``x``
    (exact on a quadratic piece), each kept only if the Hessian is negative definite and the value
    does not decrease by more than the numerical followers' noise (``NOISE``); stops if a stencil
    point leaves the piece (``fun = -inf``)."""
    x = np.asarray(x, float)
    I = np.eye(3) * h
    for _ in range(3):
        f0 = fun(x)
        fp = np.array([fun(x + I[i]) for i in range(3)])
        fm = np.array([fun(x - I[i]) for i in range(3)])
        fpp = {(i, j): fun(x + I[i] + I[j]) for i in range(3) for j in range(i + 1, 3)}
        vals = np.concatenate([fp, fm, list(fpp.values())])
        if not np.all(np.isfinite(vals)):
            break
        g = (fp - fm) / (2 * h)
        H = np.diag((fp - 2 * f0 + fm) / h ** 2)
        for (i, j), v in fpp.items():        # f(x + h_i + h_j) - f(x + h_i) - f(x + h_j) + f(x)
            H[i, j] = H[j, i] = (v - fp[i] - fp[j] + f0) / h ** 2
        if not np.all(np.linalg.eigvalsh(H) < 0):
            break
        step = -np.linalg.solve(H, g)
        if np.max(np.abs(step)) > 10 * h:
            break
        if fun(x + step) < f0 - NOISE:
            break
        x = x + step
    return x


def trade_outcome(case, theta, k, w, q2, e, bv, be):
    """All reported values at M2's decisions (w, q2, e) with the full numerical followers (parallel
    trade allowed; CT: the M2-preferred stage-2 equilibrium, None if there is none)."""
    if case == 1:
        q1, qp, qr = cr_followers(w, q2, e, theta, bv, be)
    else:
        n, q1s, qrs = ct_equilibria(w, q2, e, theta, bv, be)
        best, q1, qr = -np.inf, math.nan, math.nan
        for j in range(n):
            s = 1.0 - q1s[j] - q2
            qt = qt_ct(qrs[j], s, e, bv, be, theta)
            v = (s - bv * qt + e) * q2 - 0.5 * k * e * e + w * qrs[j]
            if v > best:
                best, q1, qr = v, q1s[j], qrs[j]
        if best == -np.inf:
            return None
        qp = qt_ct(qr, 1.0 - q1 - q2, e, bv, be, theta)
    s = 1.0 - q1 - q2
    p1 = s - bv * qp
    p2 = p1 + e
    p_g = bv * (s - qp) + be * e if qp > 0.0 else math.nan
    if case == 1:
        p_r = theta * (1.0 - qr)
        pi_m2 = w * (qr + qp)
        pi_R = (p_r - w) * qr + ((p_g - w) * qp if qp > 0.0 else 0.0)
        pi_T = 0.0
    else:
        p_r = theta * (1.0 - qr + qp)
        pi_m2 = w * qr
        pi_R = (p_r - w) * qr
        pi_T = (p_g - p_r) * qp if qp > 0.0 else 0.0
    pi_m1 = p2 * q2 - 0.5 * k * e * e
    return dict(w=w, q_2=q2, e=e, q_1=q1, q_r=qr, q_par=qp, p_1=p1, p_2=p2, p_g=p_g, p_r=p_r,
                pi_2_m1=pi_m1, pi_2_m2=pi_m2, pi_2=pi_m1 + pi_m2, pi_1=p1 * q1, pi_R=pi_R, pi_T=pi_T)


def global_search(case, theta, k, bv, be, n=(10, 10, 8), refine=True, fine=False):
    """Safety net: M2's profit with the full numerical followers on a (w, q2, e) grid.  Returns
    (best value on the grid, best value with parallel trade, its decisions), the latter refined by
    Nelder-Mead restricted to outcomes with parallel trade (quantity above ``Q_ZERO``) and a Newton
    polish.  ``fine``: also ``n[0]`` values of ``w`` on [0, 1.5 theta] (where the Market-2 trade of
    a small ``theta`` happens), ``e`` spaced quadratically (small ``e`` resolved), Nelder-Mead from
    the 3 best grid points with parallel trade (else the best one only) and parallel trade counted
    only above ``Q_PAR``."""
    q_min = Q_PAR if fine else Q_ZERO
    emax = min(e_bound(k), 6.0 / k)
    ws = np.linspace(0.0, 1.0 + emax, n[0])
    es = np.linspace(0.0, emax, n[2])
    if fine:
        ws = np.unique(np.concatenate([ws, np.linspace(0.0, 1.5 * theta, n[0])]))
        es = emax * np.linspace(0.0, 1.0, n[2]) ** 2
    qs = np.linspace(0.0, 1.0, n[1])
    best_all, par = -np.inf, []
    for w in ws:
        for q in qs:
            for e in es:
                v, qp = m2_profit(case, w, q, e, theta, k, bv, be)
                best_all = max(best_all, v)
                if qp > q_min:
                    par.append((v, (w, q, e)))
    if not par:
        return best_all, -np.inf, None
    par.sort(key=lambda t: t[0], reverse=True)
    best_par, x_par = par[0]
    if not refine:
        return best_all, best_par, x_par

    def clip(x):
        return max(x[0], 0.0), min(max(x[1], 0.0), 1.0), max(x[2], 0.0)

    def obj(x):
        v, qp = m2_profit(case, *clip(x), theta, k, bv, be)
        return -v if qp > q_min else 1e3

    def value(x):
        """M2's parallel-trade profit, -inf off the domain or without parallel trade."""
        if np.any(np.asarray(clip(x)) != x):
            return -np.inf
        f = obj(x)
        return -np.inf if f >= 1e3 else -f

    for _, x0 in par[:3 if fine else 1]:
        res = minimize(obj, np.array(x0), method="Nelder-Mead",
                       options=dict(xatol=1e-9, fatol=1e-13, maxiter=1500, maxfev=1500))
        x = np.array(clip(res.x))
        # Newton polish with a stencil inside the domain (w, e >= 0, 0 <= q2 <= 1)
        h = min(1e-3, 0.25 * min(x[0], x[1], 1.0 - x[1], x[2]))
        if h > 0.0:
            xp = _newton_polish3(value, x, h)
            if value(xp) >= -res.fun - NOISE:
                x = xp
        v = value(x) if h > 0.0 else -res.fun
        if v > best_par:
            best_par, x_par = v, tuple(clip(x))
    return best_all, best_par, x_par


def solve(theta, k, beta, reading, safety_net=False):
    """Reference outcome at one point: {'valid', 'b_v', 'b_e', 'cn', 'cr', 'ct'}; each case a dict of
    outputs named as in the spec (without the case suffix) plus ``regime``; CR/CT also ``margin``,
    ``floor_gap``, ``w_floor`` and (with ``safety_net``) ``global_best``, ``acc_best``, ``acc_x``.
    Without ``safety_net`` only blocking strategies are searched; with it the best parallel-trade
    strategy wins (regime 5) where it beats them.  CT is None for k < K_MIN_CT; all cases None on
    invalid points."""
    if not is_valid(theta, k, beta, reading):
        return dict(valid=False, cn=None, cr=None, ct=None)
    bv, be = coefficients(beta, reading)
    cn = solve_cn(theta, k, bv, be)
    res = dict(valid=True, b_v=bv, b_e=be, cn=cn)
    for name, case in (("cr", 1), ("ct", 2)):
        if case == 2 and k < K_MIN_CT:
            res[name] = None
            continue
        out = solve_blocking(case, theta, k, bv, be, cn)
        if safety_net:
            glob, acc, x = global_search(case, theta, k, bv, be, fine=True)
            gap = acc - out["pi_2"]             # best parallel-trade strategy vs best blocking
            if gap > 0.0:
                trade = trade_outcome(case, theta, k, *x, bv, be)
                trade.update(regime=5, w_floor=out["w_floor"], floor_gap=out["floor_gap"],
                             search_value=out["search_value"], margin=gap)
                out = trade
            else:
                out["margin"] = min(out["margin"], -gap)
            out["global_best"], out["acc_best"], out["acc_x"] = glob, acc, x
        res[name] = out
    return res
