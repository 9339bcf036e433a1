"""Independent brute-force reference solver for the model ``power_structures``.

Shares no code with :mod:`fastmap` and uses none of the spec's equilibrium closed forms (no piece
coefficients ``a, b, c``, no ``m_G``/``m_A``/``P_x``/``p21_x`` formulas, no threshold formulas).
Everything is computed numerically from the primitives of spec section 5:

* market-1 demand = maximiser over ``q >= 0`` of the representative consumer's quadratic utility
  (KKT active-set enumeration, :func:`demand1`);
* market-2 demand = shares of consumers ``v ~ U[0, theta2]`` choosing the best of authorised
  ``v - p12 + s``, gray ``gamma*v - p3`` and nothing (:func:`demand2`);
* importer: enters iff its best profit is strictly positive; its price maximises the primitive
  profit, found by safeguarded Newton/bisection on the sign of that profit's derivative (exact to
  rounding: the derivative is piecewise linear);
* every other player's problem is a 1-D global search (:func:`_make_maximiser`: uniform grid,
  golden section in the best grid bracket, then a parabolic or central-difference polish that is
  kept only if it loses no value and is locally maximal, so kinked maxima stay exact and smooth
  ones become exact to ~1e-12 instead of golden's ~1e-8), nested: M1's market-2 price (importer
  nested; split at the importer's entry price so limit pricing is a grid node), M1's price (M2's
  numerical reply nested, S1/GS1), M2's price (M1's numerical reply incl. the exit option nested,
  S2/GS2; the follower's exit threshold by a bracketed secant search, M2's range split where M1's
  reply crosses the importer's thresholds), and the simultaneous game S3/GS3 by a bracketed
  secant (Illinois) search for the fixed point of the composed numerical replies plus an explicit
  check of the exit profile; a GS3 point with neither is ``no_pure_equilibrium`` after a scan
  confirming that no finite M1 price with zero market-1 sales is an equilibrium either.
* the thresholds ``m_A``, ``m_G`` (importer's entry against M1's monopoly price / at M1's
  optimal price) by bisection on those numerical predicates.

Everything is scalar code compiled with numba (cache=True; ~20 s CPU to compile once, the
nesting is 4 levels deep; ~0.05 s per point); :func:`solve` caches results per parameter tuple
for the test session.

Outputs use the spec's names (section 10.4) plus ``margin_*`` diagnostics: the numerical size of
every decision behind a label (profit gaps, importer quantity, ...), so tests can skip points that
lie within a small margin of a tie (spec section 14).
"""
from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["solve", "is_valid", "importer_reply", "PARAMS", "STRUCTS", "FIELDS"]

PARAMS = ("theta1", "theta2", "eta", "gamma", "w12", "tau")
STRUCTS = ("s1", "s2", "s3", "gs1", "gs2", "gs3")
FIELDS = ("p11", "p12", "p21", "p3", "q11", "q12", "q21", "q3", "pi1", "pi2", "pi3")

_GR = (math.sqrt(5.0) - 1.0) / 2.0
_NAN = math.nan
_INF = math.inf

# slots of the parameter/context vector P shared by the nested objectives (each nesting level
# writes only its own context slot before calling the level below)
TH1, TH2, ETA, GAM, S, GRAY, MBAR, C_P11R, C_P21, C_P11, C_M1IN = range(11)
NSLOT = 11
IT_IN = 24     # golden iterations before the parabolic polish (bracket * 0.618**24 ~ 1e-5)
IT_TOP = 28    # same for the outermost searches
# relative objective noise tolerated when accepting a polished maximiser: inner objectives are
# exact to rounding; the outermost ones inherit ~1e-13 from the nested argmax of the follower
NOISE_IN = 1e-14
NOISE_TOP = 1e-12


# ----------------------------------------------------------------------------------- primitives
@numba.njit(cache=True)
def demand1(p11, p21, th1, eta, m1_in):
    """Market-1 quantities (q11, q21): maximiser over q >= 0 of
    U = A(q1+q2) - B/2 (q1^2 + q2^2 + 2 eta q1 q2) - p11 q1 - p21 q2 (spec 5.1), by checking the
    KKT conditions of the four active sets.  ``m1_in = False``: M1's product absent (q1 = 0)."""
    A = th1 / (1.0 - eta)
    B = th1 / (1.0 - eta * eta)
    if not m1_in:
        return 0.0, max(0.0, (A - p21) / B)
    det = B * (1.0 - eta * eta)
    q1 = ((A - p11) - eta * (A - p21)) / det
    q2 = ((A - p21) - eta * (A - p11)) / det
    if q1 >= 0.0 and q2 >= 0.0:
        return q1, q2
    q1 = (A - p11) / B            # q2 = 0 active
    if q1 >= 0.0 and A - p21 - B * eta * q1 <= 0.0:
        return q1, 0.0
    q2 = (A - p21) / B            # q1 = 0 active
    if q2 >= 0.0 and A - p11 - B * eta * q2 <= 0.0:
        return 0.0, q2
    return 0.0, 0.0


@numba.njit(cache=True)
def demand2(p12, p3, s, gam, th2, imp):
    """Market-2 shares (q12, q3) of consumers v ~ U[0, th2] choosing the best of authorised
    v - p12 + s, gray gamma*v - p3 (only if the importer is in) and nothing (spec 5.2)."""
    if not imp:
        return max(0.0, th2 - max(p12 - s, 0.0)) / th2, 0.0
    v12 = (p12 - s - p3) / (1.0 - gam)       # authorised >= gray  <=>  v >= v12
    q12 = max(0.0, th2 - max(max(v12, p12 - s), 0.0)) / th2
    q3 = max(0.0, min(v12, th2) - max(p3 / gam, 0.0)) / th2
    return q12, q3


@numba.njit(cache=True)
def _importer_slope(p3, p11, p12, s, gam, th2):
    """d/dp3 of the importer's profit (p3 - p11) q3(p3) and its (piecewise constant) slope, on
    the support of q3 (where q3 is linear with slope dq)."""
    _, q3 = demand2(p12, p3, s, gam, th2, True)
    v12 = (p12 - s - p3) / (1.0 - gam)
    dq = -1.0 / gam
    if v12 < th2:
        dq -= 1.0 / (1.0 - gam)
    dq /= th2
    return q3 + (p3 - p11) * dq, 2.0 * dq


@numba.njit(cache=True)
def importer_reply(p11, p12, s, gam, th2):
    """(enters, p3): the importer enters iff some p3 gives strictly positive profit, i.e. iff
    q3 > 0 at some p3 > p11; q3 > 0 exactly for p3 < hi = gamma*min(th2, p12 - s) (support of
    demand2).  The profit is concave there; p3 = root of its derivative (Newton + bisection)."""
    hi = gam * min(th2, p12 - s)
    if not hi > p11:
        return False, _NAN
    a, b = p11, hi
    x = 0.5 * (a + b)
    for _ in range(200):
        d, dd = _importer_slope(x, p11, p12, s, gam, th2)
        if d > 0.0:
            a = x
        elif d < 0.0:
            b = x
        else:
            break
        xn = x - d / dd           # exact on the current linear piece of the derivative
        if abs(xn - x) <= 4e-16 * x:
            break
        if not (a < xn < b):
            xn = 0.5 * (a + b)
        if b - a <= 4e-16 * b:
            break
        x = xn
    return True, x


@numba.njit(cache=True)
def market2(p11, p12, P):
    """(R, p3, q12, q3): M1's revenue p11*q3 + p12*q12 from market 2 and gray sales at prices
    (p11, p12), with the importer's numerical reply (GS games) or without importer."""
    s, gam, th2 = P[S], P[GAM], P[TH2]
    enters = False
    p3 = _NAN
    if P[GRAY] > 0.0:
        enters, p3 = importer_reply(p11, p12, s, gam, th2)
    q12, q3 = demand2(p12, p3, s, gam, th2, enters)
    return p11 * q3 + p12 * q12, p3, q12, q3


# ------------------------------------------------------------------------------ 1-D maximiser
def _make_maximiser(obj):
    """A numba maximiser ``maximise(lo, hi, P, n, iters, two, noise)`` of ``obj(x, P)`` on
    [lo, hi]: grid of n points, refinement (``refine``) in the bracket of the best grid node and,
    with ``two``, of the best other local grid maximum (refined only if within 0.1 % of the best).
    Returns (x1, f1, x2, f2): best and runner-up local maxima (x2 = NaN, f2 = -inf if none)."""

    @numba.njit(cache=True)
    def is_local_max(v, fv, lo, hi, P, dlt, tol):
        """No better value (beyond tol) at v +- dlt: rejects a polished point that sits next to
        (not on) a kinked maximum."""
        if v - dlt >= lo and obj(v - dlt, P) > fv + tol:
            return False
        if v + dlt <= hi and obj(v + dlt, P) > fv + tol:
            return False
        return True

    @numba.njit(cache=True)
    def refine(a, b, lo, hi, P, iters, fa, fb, step, noise):
        """Golden section on [a, b] (iters steps), then a parabolic polish through cx, cx +- h
        (exact at a smooth maximum of a piecewise quadratic objective); if that is rejected, a
        central-difference bisection (C1 maximum at a curvature jump).  A polished point is kept
        if it loses no value (beyond the objective's noise) and is locally maximal at +-1e-11
        step; otherwise golden continues to the rounding limit, which locates a kinked maximum
        exactly."""
        bx, bf = a, fa
        if fb > bf:
            bx, bf = b, fb
        x1 = b - _GR * (b - a)
        x2 = a + _GR * (b - a)
        f1 = obj(x1, P)
        f2 = obj(x2, P)
        it = 0
        polished = False
        while it < 100:
            if it >= iters and not polished:
                polished = True
                cx, cf = (x1, f1) if f1 >= f2 else (x2, f2)
                tol = noise * abs(cf) + 1e-300
                dlt = 1e-11 * step
                for h in (1e-2 * step, 1e-4 * step):
                    if cx - h >= lo and cx + h <= hi:
                        fm = obj(cx - h, P)
                        fp = obj(cx + h, P)
                        den = fp - 2.0 * cf + fm
                        if den < 0.0:
                            v = cx - 0.5 * h * (fp - fm) / den
                            if abs(v - cx) <= h:
                                fv = obj(v, P)
                                if fv >= cf - tol and is_local_max(v, fv, lo, hi, P, dlt, tol):
                                    return (v, fv) if fv >= bf else (bx, bf)
                h = 1e-5 * step
                if a - h >= lo and b + h <= hi:
                    u, w = a, b
                    for _ in range(44):       # golden bracket ~1e-5 step -> rounding level
                        mid = 0.5 * (u + w)
                        if mid <= u or mid >= w:
                            break
                        if obj(mid + h, P) > obj(mid - h, P):
                            u = mid
                        else:
                            w = mid
                    v = 0.5 * (u + w)
                    fv = obj(v, P)
                    if fv >= cf - tol and is_local_max(v, fv, lo, hi, P, dlt, tol):
                        return (v, fv) if fv >= bf else (bx, bf)
            if b - a <= 1e-15 * (abs(a) + abs(b)) + 1e-300:
                break
            if f1 >= f2:
                b, x2, f2 = x2, x1, f1
                x1 = b - _GR * (b - a)
                f1 = obj(x1, P)
            else:
                a, x1, f1 = x1, x2, f2
                x2 = a + _GR * (b - a)
                f2 = obj(x2, P)
            it += 1
        if f1 > bf:
            bx, bf = x1, f1
        if f2 > bf:
            bx, bf = x2, f2
        return bx, bf

    @numba.njit(cache=True)
    def maximise(lo, hi, P, n, iters, two, noise):
        step = (hi - lo) / (n - 1)
        fs = np.empty(n)
        for k in range(n):
            fs[k] = obj(hi if k == n - 1 else lo + k * step, P)
        k1 = 0
        for k in range(1, n):
            if fs[k] > fs[k1]:
                k1 = k
        k2 = -1      # runner-up: best grid node >= its neighbours, not adjacent to k1
        if two:
            for k in range(n):
                left = fs[k - 1] if k > 0 else -_INF
                right = fs[k + 1] if k < n - 1 else -_INF
                if abs(k - k1) > 1 and fs[k] >= left and fs[k] >= right:
                    if k2 < 0 or fs[k] > fs[k2]:
                        k2 = k
        x1, f1, x2, f2 = _NAN, -_INF, _NAN, -_INF
        for j in range(2):
            k = k1 if j == 0 else k2
            if k < 0:
                break
            if j == 1 and fs[k2] < fs[k1] - 1e-3 * abs(fs[k1]):
                x2, f2 = hi if k2 == n - 1 else lo + k2 * step, fs[k2]   # far below: grid value
                break
            il, ih = max(k - 1, 0), min(k + 1, n - 1)
            xl = hi if il == n - 1 else lo + il * step
            xh = hi if ih == n - 1 else lo + ih * step
            x, f = refine(xl, xh, lo, hi, P, iters, fs[il], fs[ih], step, noise)
            if j == 0:
                x1, f1 = x, f
            else:
                x2, f2 = x, f
        if f2 > f1:
            x1, f1, x2, f2 = x2, f2, x1, f1
        return x1, f1, x2, f2

    return maximise


# --------------------------------------------------------------------------- nested problems
MB_P12, MB_Q12 = NSLOT, NSLOT + 1     # cached no-threat market-2 optimum
NP = NSLOT + 2


@numba.njit(cache=True)
def _obj_r(p12, P):
    """M1's market-2 revenue at p12 given the context price p11 = P[C_P11R]."""
    return market2(P[C_P11R], p12, P)[0]


_max_r = _make_maximiser(_obj_r)


@numba.njit(cache=True)
def m2value(p11, P):
    """(M, p12, p3, q12, q3): M1's best market-2 price against the importer's reply, given p11.
    The importer can enter only for p12 > s + p11/gamma (support of its demand); the search is
    split there so each part is smooth and the boundary (limit price) is a grid node."""
    s, gam, th2 = P[S], P[GAM], P[TH2]
    if P[GRAY] <= 0.0 or not p11 < gam * th2:        # entry impossible for every p12
        return P[MBAR], P[MB_P12], _NAN, P[MB_Q12], 0.0
    P[C_P11R] = p11
    top = s + th2
    b = s + p11 / gam
    # p12 <= b: the importer cannot enter (evaluated without importer: at b its best profit is
    # 0, but the rounded entry test could let it in with q3 ~ 1e-16)
    xb, fb = b, b * demand2(b, _NAN, s, gam, th2, False)[0]
    if b > 0.0:
        x1, _, _, _ = _max_r(0.0, b, P, 6, IT_IN, False, NOISE_IN)
        f1 = x1 * demand2(x1, _NAN, s, gam, th2, False)[0]
        if f1 > fb:
            xb, fb = x1, f1
    x2, f2, _, _ = _max_r(b, top, P, 6, IT_IN, False, NOISE_IN)
    if not f2 > fb + 1e-14 * abs(fb):   # accommodation must strictly beat deterrence
        return fb, xb, _NAN, demand2(xb, _NAN, s, gam, th2, False)[0], 0.0
    xb = x2
    r, p3, q12, q3 = market2(p11, xb, P)
    return r, xb, p3, q12, q3


@numba.njit(cache=True)
def _obj_phi(p11, P):
    """M1's total profit when selling at p11 against M2's price P[C_P21]."""
    q11, _ = demand1(p11, P[C_P21], P[TH1], P[ETA], True)
    return p11 * q11 + m2value(p11, P)[0]


_max_phi = _make_maximiser(_obj_phi)


@numba.njit(cache=True)
def br1(p21, P):
    """(p11, value): M1's best selling price against p21 and its value; -inf if M1 cannot sell
    (q11 > 0 needs p11 < min(A, theta1 + eta*p21), from demand1)."""
    th1, eta = P[TH1], P[ETA]
    hi = min(th1 / (1.0 - eta), th1 + eta * p21)
    if not hi > 0.0:
        return _NAN, -_INF
    P[C_P21] = p21
    x, f, _, _ = _max_phi(0.0, hi, P, 9, IT_IN, False, NOISE_IN)
    return x, f


@numba.njit(cache=True)
def _obj_pi2(p21, P):
    """M2's profit at p21 against M1's price P[C_P11] (M1 absent if P[C_M1IN] == 0)."""
    _, q21 = demand1(P[C_P11], p21, P[TH1], P[ETA], P[C_M1IN] > 0.0)
    return p21 * q21


_max_pi2 = _make_maximiser(_obj_pi2)


@numba.njit(cache=True)
def br2(p11, m1_in, P, hi_cap):
    """M2's best price against p11 (or against an absent M1) on [0, min(A, cap)]."""
    th1, eta = P[TH1], P[ETA]
    hi = th1 / (1.0 - eta)
    if m1_in:
        hi = min(hi, th1 + eta * p11)
    hi = min(hi, hi_cap)
    if not hi > 0.0:
        return 0.0, 0.0
    P[C_P11] = p11
    P[C_M1IN] = 1.0 if m1_in else 0.0
    x, f, _, _ = _max_pi2(0.0, hi, P, 8, IT_IN, False, NOISE_IN)
    return x, f


@numba.njit(cache=True)
def _obj_f_gs1(p11, P):
    """GS1 leader: M1's profit at p11 with M2's numerical best reply."""
    p21, _ = br2(p11, True, P, _INF)
    q11, _ = demand1(p11, p21, P[TH1], P[ETA], True)
    return p11 * q11 + m2value(p11, P)[0]


_max_f_gs1 = _make_maximiser(_obj_f_gs1)


@numba.njit(cache=True)
def _obj_pi2_gs2(p21, P):
    """GS2 leader: M2's profit at p21 when M1 stays with its numerical best reply."""
    p11, _ = br1(p21, P)
    if p11 != p11:
        return 0.0
    _, q21 = demand1(p11, p21, P[TH1], P[ETA], True)
    return p21 * q21


_max_pi2_gs2 = _make_maximiser(_obj_pi2_gs2)


# ------------------------------------------------------------------------------------ outcomes
NF = 11    # p11, p12, p21, p3, q11, q12, q21, q3, pi1, pi2, pi3


@numba.njit(cache=True)
def _stay_outcome(p11, p21, P, out, k):
    """Fill the 11 fields of structure k for M1 selling at p11 and M2 at p21; returns the
    piece code (3 importer active, 2 threat binding = limit pricing, 1 no threat)."""
    q11, q21 = demand1(p11, p21, P[TH1], P[ETA], True)
    m, p12, p3, q12, q3 = m2value(p11, P)
    pi3 = 0.0
    if q3 > 0.0:
        pi3 = (p3 - p11) * q3
    else:
        p3 = _NAN
    vals = (p11, p12, p21, p3, q11, q12, q21, q3, p11 * (q11 + q3) + p12 * q12, p21 * q21, pi3)
    for j in range(NF):
        out[k * NF + j] = vals[j]
    if q3 > 0.0:
        return 3
    if m < P[MBAR] * (1.0 - 1e-14):       # threat binds (rounding-level gaps are no threat)
        return 2
    return 1


@numba.njit(cache=True)
def _exit_outcome(p21, P, out, k):
    """Fill structure k for M1 absent from market 1 and M2 at p21."""
    _, q21 = demand1(_INF, p21, P[TH1], P[ETA], False)
    vals = (_NAN, P[MB_P12], p21, _NAN, 0.0, P[MB_Q12], q21, 0.0, P[MBAR], p21 * q21, 0.0)
    for j in range(NF):
        out[k * NF + j] = vals[j]
    return 4


@numba.njit(cache=True)
def _nan_outcome(out, k):
    for j in range(NF):
        out[k * NF + j] = _NAN
    return 5


# ------------------------------------------------------------------------------------- games
@numba.njit(cache=True)
def _setup(th1, th2, eta, gam, s):
    """Parameter vector with the no-threat market-2 optimum (numerical) cached."""
    P = np.zeros(NP)
    P[TH1], P[TH2], P[ETA], P[GAM], P[S] = th1, th2, eta, gam, s
    x, f, _, _ = _max_r(0.0, s + th2, P, 12, IT_TOP, False, NOISE_TOP)
    P[MBAR], P[MB_P12], P[MB_Q12] = f, x, market2(0.0, x, P)[2]
    return P


@numba.njit(cache=True)
def game1(P, out, k):
    """M1 leads (S1/GS1): maximise M1's profit over p11 with M2's numerical reply; exit (value
    Mbar, M2 monopolist) if that is strictly better.  Returns (code, p11, exit margin, runner-up
    margin)."""
    A = P[TH1] / (1.0 - P[ETA])
    x, f, _, f2 = _max_f_gs1(0.0, min(A, 3.0 * P[TH1]), P, 24, IT_TOP, True, NOISE_TOP)
    p21, _ = br2(x, True, P, _INF)
    q11, _ = demand1(x, p21, P[TH1], P[ETA], True)
    if f >= P[MBAR] and q11 > 0.0:
        code = _stay_outcome(x, p21, P, out, k)
    else:
        code = _exit_outcome(br2(0.0, False, P, _INF)[0], P, out, k)
        x = _NAN
    return code, x, f - P[MBAR], f - f2


@numba.njit(cache=True)
def exit_threshold(P):
    """p21_x: M1 (follower) stays iff p21 >= p21_x; bracketed secant (Illinois) search for the
    sign change of M1's best staying value minus Mbar (nondecreasing in p21).  -inf: never
    exits; +inf: always exits."""
    th1, eta, mbar = P[TH1], P[ETA], P[MBAR]
    if eta == 0.0:
        return -_INF if br1(0.0, P)[1] >= mbar else _INF
    lo = -th1 / eta * (1.0 - 1e-9)            # just above the price where M1 can first sell
    if br1(lo, P)[1] >= mbar:
        return -_INF
    hi = th1 / (1.0 - eta)                    # M2 priced out at any M1 price: M1's best case
    ghi = br1(hi, P)[1] - mbar
    if ghi < 0.0:
        return _INF
    # Illinois on g = value - Mbar (piecewise smooth): returns the smallest p21 with g >= 0
    glo = br1(lo, P)[1] - mbar
    side = 0
    for _ in range(100):
        mid = (lo * ghi - hi * glo) / (ghi - glo)
        if not (lo < mid < hi):
            mid = 0.5 * (lo + hi)
        gm = br1(mid, P)[1] - mbar
        if gm >= 0.0:
            hi, ghi = mid, gm
            if side == 1:
                glo *= 0.5
            side = 1
        else:
            lo, glo = mid, gm
            if side == -1:
                ghi *= 0.5
            side = -1
        if hi - lo <= 4e-16 * max(abs(lo), abs(hi)) or gm == 0.0:
            break
    return hi


@numba.njit(cache=True)
def _reply_crossing(m, lo, hi, P):
    """Smallest p21 in [lo, hi] at which M1's staying reply reaches the price m (bisection; the
    reply is nondecreasing in p21).  NaN if it does not cross m inside (lo, hi)."""
    if not (m == m and br1(lo, P)[0] < m <= br1(hi, P)[0]):
        return _NAN
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if br1(mid, P)[0] >= m:
            hi = mid
        else:
            lo = mid
    return hi


@numba.njit(cache=True)
def game2(P, out, k, p21x, m_g, m_a):
    """M2 leads (S2/GS2): M2 compares its best price with M1 staying (p21 >= p21x, M1's
    numerical reply) and the best price that makes M1 leave (p21 <= p21x; at p21x the follower's
    indifference goes the leader's way).  Ties -> stay.  M2's staying objective is searched
    separately between the prices at which M1's reply crosses m_G and m_A (where the importer's
    threat changes nature, M2's objective can have a kink and one local maximum on each side).
    Returns (code, p21, candidate margin, margin to the best distinct runner-up maximum)."""
    th1, eta = P[TH1], P[ETA]
    A = th1 / (1.0 - eta)
    lo2 = max(p21x, 0.0)
    xs, fs, f2 = _NAN, -_INF, -_INF
    if lo2 < A:
        u = max(2.0 * th1, 2.0 * lo2)
        while u < A and _obj_pi2_gs2(u, P) > 0.0:
            u *= 2.0
        hi2 = min(u, A)
        if hi2 > lo2:
            cuts = np.array([lo2, _NAN, _NAN, hi2])
            if P[GRAY] > 0.0:
                cuts[1] = _reply_crossing(m_g, lo2, hi2, P)
                cuts[2] = _reply_crossing(m_a, lo2, hi2, P)
            a = lo2
            for c in cuts[1:]:
                if not (c == c and c > a):
                    continue
                x, f, _, _ = _max_pi2_gs2(a, c, P, 12, IT_TOP, False, NOISE_TOP)
                if f > fs:
                    if abs(x - xs) > 1e-9 * (abs(x) + th1):
                        f2 = fs
                    xs, fs = x, f
                elif abs(x - xs) > 1e-9 * (abs(x) + th1) and f > f2:
                    f2 = f
                a = c
    pe, ve = _NAN, -_INF
    if p21x >= 0.0:
        pe, ve = br2(0.0, False, P, p21x)
    if fs >= ve:
        p11, _ = br1(xs, P)
        code = _stay_outcome(p11, xs, P, out, k)
        return code, xs, fs - ve, fs - f2
    code = _exit_outcome(pe, P, out, k)
    return code, pe, ve - fs, _INF


@numba.njit(cache=True)
def _g3(x, P):
    """Fixed-point residual of the simultaneous game: M1's staying reply to M2's reply to x."""
    p21, _ = br2(x, True, P, _INF)
    p11, _ = br1(p21, P)
    if p11 != p11:
        return -x
    return p11 - x


@numba.njit(cache=True)
def game3(P, out, k):
    """Simultaneous (S3/GS3).  Interior candidate = root of the composed staying replies
    (Illinois); it is an equilibrium if M1 prefers selling there.  Else the exit profile
    (M2 monopoly price, M1 absent) if M1 then prefers to stay out.  Else no pure equilibrium,
    after a scan over finite M1 prices with zero sales (spec: never equilibria; counted).
    Returns (code, p11, fixed-point residual, stay margin, exit margin, both, finite_eq)."""
    th1, eta, mbar = P[TH1], P[ETA], P[MBAR]
    A = th1 / (1.0 - eta)
    a, ga = 0.0, _g3(0.0, P)
    b = min(4.0 * th1, A)
    gb = _g3(b, P)
    c, gc = a, ga
    if ga > 0.0 and gb < 0.0:
        side = 0
        for _ in range(200):
            c = (a * gb - b * ga) / (gb - ga)
            if not (a < c < b):
                c = 0.5 * (a + b)
            gc = _g3(c, P)
            if gc > 0.0:
                a, ga = c, gc
                if side == 1:
                    gb *= 0.5
                side = 1
            elif gc < 0.0:
                b, gb = c, gc
                if side == -1:
                    ga *= 0.5
                side = -1
            else:
                break
            if b - a <= 1e-15 * b:
                break
    elif gb >= 0.0:
        c, gc = b, gb
    x = c
    p21 = br2(x, True, P, _INF)[0]
    p11, v = br1(p21, P)
    resid = abs(p11 - x) if p11 == p11 else _INF
    q11 = demand1(p11, p21, th1, eta, True)[0] if p11 == p11 else 0.0
    interior = resid <= 1e-9 * th1 and v >= mbar and q11 > 0.0
    p21m = br2(0.0, False, P, _INF)[0]
    vm = br1(p21m, P)[1]
    exit_eq = vm < mbar
    finite_eq = 0
    if interior:
        code = _stay_outcome(p11, p21, P, out, k)
    elif exit_eq:
        code = _exit_outcome(p21m, P, out, k)
        p11 = _NAN
    else:
        code = _nan_outcome(out, k)
        p11 = _NAN
        for j in range(1, 25):
            y = A * j / 25.0
            r21 = br2(y, True, P, _INF)[0]
            if demand1(y, r21, th1, eta, True)[0] == 0.0:
                m = m2value(y, P)[0]
                if m >= mbar and m >= br1(r21, P)[1] - 1e-12:
                    finite_eq += 1
    both = 1 if (interior and exit_eq) else 0
    return code, p11, resid, v - mbar, mbar - vm, both, finite_eq


@numba.njit(cache=True)
def _bisect_entry_price(P):
    """m_A: smallest p11 at which the importer stays out against M1's no-threat market-2 price."""
    gam, th2, s = P[GAM], P[TH2], P[S]
    if not importer_reply(0.0, P[MB_P12], s, gam, th2)[0]:
        return 0.0
    lo, hi = 0.0, gam * th2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if importer_reply(mid, P[MB_P12], s, gam, th2)[0]:
            lo = mid
        else:
            hi = mid
    return hi


@numba.njit(cache=True)
def _bisect_gray_price(P, m_a):
    """m_G: supremum of the p11 at which M1's optimal market-2 price lets the importer in."""
    if not m2value(0.0, P)[4] > 0.0:
        return _NAN
    lo, hi = 0.0, m_a
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if m2value(mid, P)[4] > 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


EXTRA = ("regime_gs1", "regime_gs2", "regime_gs3", "Mbar", "m_A", "m_G", "V_O2", "p21_x", "P_x",
         "margin_exit_gs1", "margin_top2_gs1", "margin_cand_gs2", "margin_top2_gs2",
         "resid_gs3", "margin_stay_gs3", "margin_exit_gs3", "gs3_both", "gs3_finite_eq",
         "margin_piece_gs1", "margin_piece_gs2", "margin_piece_gs3", "resid_s3")
NOUT = 6 * NF + len(EXTRA)


@numba.njit(cache=True)
def _piece_margin(p11, m_a, m_g, scale):
    """Distance of M1's price to the piece boundaries m_G, m_A (relative to theta2); inf on exit."""
    if p11 != p11:
        return _INF
    d = abs(p11 - m_a)
    if m_g == m_g:
        d = min(d, abs(p11 - m_g))
    return d / scale


@numba.njit(cache=True)
def solve_point(th1, th2, eta, gam, s):
    """All six games at one valid point; flat array (6 x 11 fields, then EXTRA)."""
    out = np.full(NOUT, _NAN)
    P = _setup(th1, th2, eta, gam, s)
    e = 6 * NF
    # S games (no importer)
    P[GRAY] = 0.0
    game1(P, out, 0)
    game2(P, out, 1, -_INF, _NAN, _NAN)
    r3 = game3(P, out, 2)
    # GS games
    P[GRAY] = 1.0
    m_a = _bisect_entry_price(P)
    m_g = _bisect_gray_price(P, m_a)
    p21x = exit_threshold(P)
    c1, x1, me1, mt1 = game1(P, out, 3)
    c2, x2, mc2, mt2 = game2(P, out, 4, p21x, m_g, m_a)
    c3, x3, res3, ms3, mx3, both, fin = game3(P, out, 5)
    v_o2 = br1(th1 / (1.0 - eta), P)[1]
    p_x = _NAN
    if p21x == p21x and abs(p21x) < _INF:
        px, _ = br1(p21x, P)
        if demand1(px, p21x, th1, eta, True)[1] > 1e-9:     # interior reply (M2 sells)
            p_x = px
    p11_gs2 = out[4 * NF] if c2 != 4 else _NAN
    vals = (float(c1), float(c2), float(c3), P[MBAR], m_a, m_g, v_o2, p21x, p_x, me1, mt1,
            mc2, mt2, res3, ms3, mx3, float(both), float(fin),
            _piece_margin(x1, m_a, m_g, th2), _piece_margin(p11_gs2, m_a, m_g, th2),
            _piece_margin(x3, m_a, m_g, th2), r3[2])
    for j in range(len(EXTRA)):
        out[e + j] = vals[j]
    return out


# ----------------------------------------------------------------------------- python driver
def is_valid(theta1, theta2, eta, gamma, w12, tau):
    """Validity domain of spec section 3 (scalars)."""
    x = (theta1, theta2, eta, gamma, w12, tau)
    if not all(math.isfinite(v) for v in x):
        return False
    return theta1 > 0 and theta2 > 0 and 0 <= eta < 1 and 0 < gamma < 1 and w12 >= 0 and tau >= 0


_CACHE: dict[tuple, dict] = {}


def _pref(v, codes):
    """Index (1-3) of the structure with the largest value (code-5 structures excluded), 4 if
    the top two are within 1e-12 relative; and the relative gap between the top two."""
    cand = sorted(((v[i], i + 1) for i in range(3) if codes[i] != 5), reverse=True)
    if not cand:
        return 0, math.inf
    if len(cand) == 1:
        return cand[0][1], math.inf
    gap = (cand[0][0] - cand[1][0]) / abs(cand[0][0])
    return (4 if gap <= 1e-12 else cand[0][1]), gap


def solve(theta1, theta2, eta, gamma, w12=0.0, tau=1.0):
    """Reference outputs at one point: the spec's names (section 10.4, except the closed-form
    thresholds alpha ... r_x3e) plus diagnostics ``margin_*``, ``resid_*``, ``gs3_*``, and
    ``margin_pref_m1/_m2`` (relative profit gap behind the preference codes).  Cached."""
    key = (float(theta1), float(theta2), float(eta), float(gamma), float(w12), float(tau))
    if key in _CACHE:
        return _CACHE[key]
    res: dict = {}
    if not is_valid(*key):
        for st in STRUCTS:
            for f in FIELDS:
                res[f"{f}_{st}"] = math.nan
        for name in ("regime", "regime_gs1", "regime_gs2", "regime_gs3", "pref_m1", "pref_m2"):
            res[name] = 0
        _CACHE[key] = res
        return res
    s = key[4] * key[5]
    arr = solve_point(key[0], key[1], key[2], key[3], s)
    for k, st in enumerate(STRUCTS):
        for j, f in enumerate(FIELDS):
            res[f"{f}_{st}"] = float(arr[k * NF + j])
    for j, name in enumerate(EXTRA):
        res[name] = float(arr[6 * NF + j])
    for name in ("regime_gs1", "regime_gs2", "regime_gs3", "gs3_both", "gs3_finite_eq"):
        res[name] = int(res[name])
    codes = [res[f"regime_gs{k}"] for k in (1, 2, 3)]
    res["regime"] = 1 + sum((codes[k] == 3) << k for k in range(3))
    for i in (1, 2):
        res[f"pref_m{i}"], res[f"margin_pref_m{i}"] = _pref(
            [res[f"pi{i}_gs{k}"] for k in (1, 2, 3)], codes)
        for k in (1, 2, 3):
            res[f"ratio_pi{i}_{k}"] = res[f"pi{i}_gs{k}"] / res[f"pi{i}_s{k}"]
    res["s"] = s
    res["ratio"] = key[1] / key[0]
    for name in ("m_G", "P_x", "p21_x"):
        if not math.isfinite(res[name]):
            res[name] = math.nan
    _CACHE[key] = res
    return res

