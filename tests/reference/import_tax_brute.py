"""Independent brute-force reference solver for the model ``import_tax_channels``.

This module shares no code with :mod:`fastmap` and does **not** use the closed forms of the
spec's sections 7/8 (no ``p_d_D``/``t1``/``t2``/... formulas).  Everything is computed
numerically from the primitives:

* section 5 demand, derived from the consumers' utilities (piecewise, including the corner where
  authorized foreign demand is 0 and the case where the gray good is dominated),
* section 6 entry rule: the importer enters iff its (numerically maximised) profit is strictly
  positive; its price ``p_g`` maximises the primitive profit ``(p_g - p_d - t_g) * Q_g(p_g)``
  and is found by bisection on the sign of that profit's derivative (forward-mode derivative of
  the same piecewise expressions; verified against complex-step differentiation, and the result
  against a plain golden-section search on the profit values, see
  :func:`importer_response_golden`),
* the manufacturer's problems are solved by nested 1-D searches (grid + golden-section refine),
  cross-checked by an explicit search along the ``Q_f = 0`` ridge, an explicit search along the
  entry boundary and a coarse 2-D grid safety net.

All searches are vectorised with numpy over a *batch* of parameter points (arrays of shape
``(n, 1)`` broadcast against grids of shape ``(n, m)``), so hundreds of points are solved in a
few seconds (~15 s of CPU for 400 points).

Main entry points: :func:`solve_batch` (arrays) and :func:`solve` (scalars).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["solve", "solve_batch", "is_valid", "PARAMS", "REGIME", "REGIME_TRUE"]

PARAMS = ("delta", "t", "t_g", "N_d", "N_f", "theta_d", "theta_f")
REGIME = {0: "invalid", 1: "no_gray_market", 2: "dp_beneficial", 3: "dp_harmful",
          4: "ep_block", 5: "no_foreign_authorized"}
REGIME_TRUE = {0: "invalid", 1: "ignore", 2: "limit_price", 3: "accommodate",
               4: "accommodate_no_foreign_authorized"}

_GR = (math.sqrt(5.0) - 1.0) / 2.0  # 0.618...

# iteration counts (golden section shrinks the bracket by 0.618 per iteration, bisection by 2)
IT_IMPORTER = 54   # bisection: 2**-54 ~ 6e-17, i.e. down to the last ulp of p_g
IT_INNER = 46      # golden: 0.618**46 ~ 2.5e-10 relative bracket (M's profit noise ~1e-14
IT_OUTER = 46      #   limits the price precision to ~1e-7 anyway)
IT_BISECT = 46     # ridge bisection: 2**-46 ~ 1.4e-14

# numerical decision thresholds (price / quantity units; the model is scaled by theta ~ 1)
S_EXIST = 1e-7     # gray margin s at the accommodation optimum above which entry is "real"
Q_CORNER = 1e-7    # Q_f / N_f below which the accommodation optimum is the Q_f = 0 corner
AMB_LO, AMB_HI = 1e-10, 1e-5   # band of s, Q_f/N_f, |slack_B| in which a decision is ambiguous


# --------------------------------------------------------------------------------------------
# primitives
# --------------------------------------------------------------------------------------------
class _P:
    """Parameter arrays of shape (n, 1) (broadcast against search grids of shape (n, m))."""

    def __init__(self, **kw):
        for k in PARAMS:
            setattr(self, k, np.asarray(kw[k], dtype=float).reshape(-1, 1))
        self.inv1md = 1.0 / (1.0 - self.delta)
        self.invd = 1.0 / self.delta
        self.dw_auth = -(self.inv1md + self.invd)
        self.dw_noauth = -self.invd


def is_valid(delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha=0.2, beta=0.2):
    """Validity domain of spec section 3 (vectorised)."""
    a = [np.asarray(x, dtype=float) for x in (delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta)]
    delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta = np.broadcast_arrays(*a)
    with np.errstate(invalid="ignore"):
        ok = np.ones(delta.shape, dtype=bool)
        for x in (delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta):
            ok &= np.isfinite(x)
        ok &= (delta > 0) & (delta < 1) & (t_g >= 0) & (t >= 0) & (t <= theta_f)
        ok &= (N_d > 0) & (N_f > 0) & (theta_d > 0) & (theta_f > 0)
        ok &= (alpha >= 0) & (alpha <= 1) & (beta >= 0) & (beta <= 1)
        ok &= delta * theta_f <= 2 * theta_d + t_g
    return ok


def domestic_demand(p_d, P):
    """Consumers v ~ U[0, theta_d] (mass N_d) buy iff v >= p_d."""
    return P.N_d * np.maximum(0.0, 1.0 - p_d / P.theta_d)


def foreign_demand(p_f, p_g, active, P):
    """Foreign demand from utilities v - p_f (authorized), delta*v - p_g (gray), 0 (none).

    Returns (Q_f, Q_g).  ``active``: importer present.  A consumer with value v buys the gray
    good iff delta*v - p_g > v - p_f and delta*v - p_g >= 0, i.e. vg = p_g/delta <= v < v1 =
    (p_f - p_g)/(1-delta); when p_g >= delta*p_f that set is empty (gray good dominated) and
    the authorized good sells to v >= p_f.  ``p_g`` may be complex (complex-step
    differentiation): all branch decisions use real parts.
    """
    d = P.delta
    gray = active & (np.real(p_g) < d * p_f)
    v1 = (p_f - p_g) / (1.0 - d)
    vg = p_g / d
    top = np.where(np.real(v1) < P.theta_f, v1, P.theta_f)          # min(v1, theta_f)
    width = top - vg
    qg = P.N_f * np.where(np.real(width) > 0.0, width, 0.0) / P.theta_f
    rest = P.theta_f - v1
    qf_g = P.N_f * np.where(np.real(rest) > 0.0, rest, 0.0) / P.theta_f
    qf_0 = P.N_f * np.maximum(0.0, 1.0 - p_f / P.theta_f)
    return np.where(gray, qf_g, qf_0), np.where(gray, qg, 0.0)


def importer_profit(p_d, p_f, p_g, P):
    """pi_I = (p_g - p_d - t_g) * Q_g (Q_g as if the importer were active)."""
    _, qg = foreign_demand(p_f, p_g, True, P)
    return (p_g - p_d - P.t_g) * qg


# --------------------------------------------------------------------------------------------
# generic vectorised 1-D maximisers
# --------------------------------------------------------------------------------------------
def golden_max(f, a, b, iters):
    """Golden-section maximisation of a unimodal f on [a, b] (arrays, elementwise).

    Ties f(x1) == f(x2) keep the LEFT part (correct for functions with a flat tail on the
    right).  The endpoints are evaluated too, so maxima on the boundary are found exactly.
    Returns (x_best, f_best).
    """
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    a = a.copy()
    b = b.copy()
    xa, xb = a.copy(), b.copy()
    fa, fb = f(xa), f(xb)
    x1 = b - _GR * (b - a)
    x2 = a + _GR * (b - a)
    f1, f2 = f(x1), f(x2)
    for _ in range(iters):
        left = f1 >= f2
        a = np.where(left, a, x1)
        b = np.where(left, x2, b)
        xn = np.where(left, b - _GR * (b - a), a + _GR * (b - a))
        fn = f(xn)
        x1, f1, x2, f2 = (np.where(left, xn, x2), np.where(left, fn, f2),
                          np.where(left, x1, xn), np.where(left, f1, fn))
    xs = np.stack([x1, x2, xa, xb])
    fs = np.stack([f1, f2, fa, fb])
    k = np.argmax(fs, axis=0)
    return np.take_along_axis(xs, k[None], 0)[0], np.take_along_axis(fs, k[None], 0)[0]


def grid_golden_max(f, a, b, n_grid, iters, n_ref=2):
    """Global 1-D maximisation on [a, b] (a, b of shape (n, 1)): uniform grid of n_grid points,
    then golden-section refinement inside the brackets of the n_ref best local grid maxima.
    Robust to kinks and to (mild) multimodality.  Returns (x, f) of shape (n, 1)."""
    s = np.linspace(0.0, 1.0, n_grid)
    X = a + (b - a) * s
    V = f(X)
    pad = np.full(V[:, :1].shape, -np.inf)
    left = np.concatenate([pad, V[:, :-1]], axis=1)
    right = np.concatenate([V[:, 1:], pad], axis=1)
    Vm = np.where((V >= left) & (V >= right), V, -np.inf)
    idx = np.argsort(-Vm, axis=1, kind="stable")[:, :n_ref]
    lo = np.take_along_axis(X, np.clip(idx - 1, 0, n_grid - 1), 1)
    hi = np.take_along_axis(X, np.clip(idx + 1, 0, n_grid - 1), 1)
    xr, fr = golden_max(f, lo, hi, iters)
    ig = np.argmax(V, axis=1)[:, None]
    xs = np.concatenate([np.take_along_axis(X, ig, 1), xr], axis=1)
    fs = np.concatenate([np.take_along_axis(V, ig, 1), fr], axis=1)
    k = np.argmax(fs, axis=1)[:, None]
    return np.take_along_axis(xs, k, 1), np.take_along_axis(fs, k, 1)


# --------------------------------------------------------------------------------------------
# stage 2: importer; stage 1 payoffs
# --------------------------------------------------------------------------------------------
def importer_slope(p_d, p_f, p_g, P):
    """d pi_I / d p_g, by forward-mode differentiation of :func:`importer_profit`
    (value/derivative pairs through the same piecewise expressions; N_f/theta_f > 0 dropped
    since only the sign is used).  Checked against complex-step differentiation of
    :func:`importer_profit` by :func:`check_importer_slope`."""
    v1 = (p_f - p_g) * P.inv1md                       # (p_f - p_g)/(1-delta), d/dp_g = -1/(1-delta)
    auth = v1 < P.theta_f                             # authorized good still sells: top = v1
    top = np.where(auth, v1, P.theta_f)
    w = top - p_g * P.invd                            # min(v1, theta_f) - p_g/delta
    dw = np.where(auth, P.dw_auth, P.dw_noauth)       # -(1/(1-delta) + 1/delta) or -1/delta
    return np.where(w > 0.0, w + (p_g - p_d - P.t_g) * dw, 0.0)


def check_importer_slope(p_d, p_f, p_g, P):
    """Max |importer_slope - complex-step derivative of importer_profit| (scaled)."""
    cs = importer_profit(p_d, p_f, p_g + 1j * 1e-30, P).imag / 1e-30
    return np.max(np.abs(importer_slope(p_d, p_f, p_g, P) * P.N_f / P.theta_f - cs))


def importer_response(p_d, p_f, P, iters=IT_IMPORTER):
    """Numerical best response of the importer (stage 2), from the primitive profit.

    The search interval is p_g in [c, max(c, delta*theta_f)] (c = p_d + t_g: below c the
    margin is negative; at p_g >= delta*theta_f nobody values the gray good enough).  On it the
    profit is >= 0: a positive concave piece (linear margin times a concave, decreasing,
    piecewise-linear demand) followed by a flat zero tail.  Its maximiser is located by
    bisection on the sign of the exact derivative of the primitive profit (no cancellation, so
    the maximiser -- a kink or a smooth maximum -- is found to ~machine precision; comparing
    profit values as golden-section search does would only give ~sqrt(eps) and make M's
    profit noisy at the 1e-10 level).  Entry iff the maximal profit is strictly positive.
    Returns (p_g, pi_I, enter).
    """
    c = p_d + P.t_g
    lo, hi = np.broadcast_arrays(c, np.maximum(c, P.delta * P.theta_f))
    lo = lo.copy()
    hi = hi.copy()
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        up = importer_slope(p_d, p_f, mid, P) > 0.0
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    p_g = 0.5 * (lo + hi)
    pi = importer_profit(p_d, p_f, p_g, P)
    enter = pi > 0.0
    return p_g, pi, enter


def importer_response_golden(p_d, p_f, P, iters=90):
    """Cross-check only: the importer's best response by golden-section search on the profit
    *values* (precision ~sqrt(eps) in p_g).  Returns (p_g, pi_I, enter)."""
    c = p_d + P.t_g
    hi = np.maximum(c, P.delta * P.theta_f)
    p_g, pi = golden_max(lambda x: importer_profit(p_d, p_f, x, P), c, hi, iters)
    return p_g, pi, pi > 0.0


def manufacturer_outcome(p_d, p_f, P):
    """M's profit at (p_d, p_f) with the importer responding (enter or stay out)."""
    p_g, pi_I, enter = importer_response(p_d, p_f, P)
    Q_d = domestic_demand(p_d, P)
    Q_f, Q_g = foreign_demand(p_f, p_g, enter, P)
    piM = p_d * (Q_d + Q_g) + (p_f - P.t) * Q_f
    return dict(piM=piM, p_g=np.where(enter, p_g, np.nan), piI=np.where(enter, pi_I, 0.0),
                enter=enter, Q_d=Q_d, Q_f=Q_f, Q_g=Q_g)


def manufacturer_profit(p_d, p_f, P):
    return manufacturer_outcome(p_d, p_f, P)["piM"]


def profit_no_importer(p_d, p_f, P):
    """M's profit when no gray good is sold (benchmark, equal pricing, deterrence)."""
    return (p_d * domestic_demand(p_d, P)
            + (p_f - P.t) * P.N_f * np.maximum(0.0, 1.0 - p_f / P.theta_f))


# --------------------------------------------------------------------------------------------
# stage 1 problems
# --------------------------------------------------------------------------------------------
def _solve_two_price_no_entry(P, constrained):
    """max profit_no_importer over (p_d, p_f); if constrained, subject to the deterrence
    constraint p_d + t_g >= delta*min(p_f, theta_f).  Outer: p_f in [0, theta_f] by grid +
    golden; inner: p_d in [L(p_f), max(L, theta_d)] by golden (concave there).  Prices above
    theta_f (theta_d) are equivalent to theta_f (theta_d) for the foreign (domestic) term."""

    def lower(p_f):
        if constrained:
            return np.maximum(0.0, P.delta * np.minimum(p_f, P.theta_f) - P.t_g)
        return np.zeros_like(p_f)

    def inner(p_f):
        L = lower(p_f)
        return golden_max(lambda pd: profit_no_importer(pd, p_f, P), L,
                          np.maximum(L, P.theta_d), IT_INNER)

    zero = np.zeros_like(P.theta_f)
    p_f, v = grid_golden_max(lambda pf: inner(pf)[1], zero, P.theta_f + zero, 201, IT_OUTER, 3)
    p_d, v2 = inner(p_f)
    return p_d, p_f, v2


def _solve_entry_boundary(P):
    """Deterrence profit along the entry boundary p_d = delta*min(p_f, theta_f) - t_g (p_d >= 0)."""
    lo = np.minimum(P.t_g / P.delta, P.theta_f)

    def f(pf):
        pd = P.delta * np.minimum(pf, P.theta_f) - P.t_g
        return np.where(pd >= 0, profit_no_importer(np.maximum(pd, 0.0), pf, P), -np.inf)

    p_f, v = grid_golden_max(f, lo, P.theta_f + 0 * lo, 201, IT_OUTER, 3)
    p_d = np.maximum(P.delta * np.minimum(p_f, P.theta_f) - P.t_g, 0.0)
    return p_d, p_f, v


def _solve_equal_pricing(P):
    hi = np.maximum(P.theta_d, P.theta_f)
    p, v = grid_golden_max(lambda x: profit_no_importer(x, x, P), 0 * hi, hi, 2001, IT_OUTER, 3)
    return p, v


def _entry_pd_range(P):
    """p_d range in which entry is possible for some p_f: [0, delta*theta_f - t_g]."""
    hi = P.delta * P.theta_f - P.t_g
    possible = hi > 0
    return np.zeros_like(hi), np.maximum(hi, 0.0), possible


def _acc_inner(p_d, P):
    """sup over p_f of M's profit on the closure of the entry section at p_d.  p_f in
    [(p_d+t_g)/delta, theta_f]; F(p_d, .) is unimodal there (concave while both foreign goods
    sell, then decreasing, then flat)."""
    lo = np.minimum((p_d + P.t_g) / P.delta, P.theta_f)
    hi = np.broadcast_to(P.theta_f, lo.shape)
    return golden_max(lambda pf: manufacturer_profit(p_d, pf, P), lo, hi, IT_INNER)


def _solve_accommodation_nested(P):
    lo, hi, possible = _entry_pd_range(P)
    p_d, v = grid_golden_max(lambda pd: _acc_inner(pd, P)[1], lo, hi, 17, IT_OUTER, 2)
    p_f, v2 = _acc_inner(p_d, P)
    return p_d, p_f, v2, possible


def _ridge_pf(p_d, P):
    """Smallest p_f (>= entry boundary) at which authorized foreign demand, under the
    importer's numerical best response, vanishes.  Bisection on the sign of Q_f."""
    lo = np.minimum((p_d + P.t_g) / P.delta, P.theta_f)
    hi = np.broadcast_to(P.theta_f, lo.shape).copy()
    eps = 1e-12 * P.N_f    # >> rounding of Q_f at the kink (~1e-15 even for delta -> 0.98)
    for _ in range(IT_BISECT):
        mid = 0.5 * (lo + hi)
        pos = manufacturer_outcome(p_d, mid, P)["Q_f"] > eps
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
    return hi


def _solve_ridge(P):
    lo, hi, possible = _entry_pd_range(P)

    def f(pd):
        return manufacturer_profit(pd, _ridge_pf(pd, P), P)

    p_d, v = grid_golden_max(f, lo, hi, 17, IT_OUTER, 2)
    p_f = _ridge_pf(p_d, P)
    return p_d, p_f, manufacturer_profit(p_d, p_f, P)


def _grid2d_entry_max(P, m=31):
    """Coarse 2-D grid safety net: best M profit over grid points of the entry region."""
    lo, hi, possible = _entry_pd_range(P)
    s = np.linspace(0.0, 1.0, m)
    pd = (lo + (hi - lo) * s)[:, :, None]                     # (n, m, 1)
    pf = (P.theta_f * s)[:, None, :]                          # (n, 1, m)
    pd, pf = np.broadcast_arrays(pd, pf)
    n = pd.shape[0]
    pd = pd.reshape(n, -1)
    pf = pf.reshape(n, -1)
    out = manufacturer_outcome(pd, pf, P)
    v = np.where(out["enter"], out["piM"], -np.inf)
    return v.max(axis=1, initial=-np.inf)[:, None]


def _grid2d_deter_max(P, m=101):
    s = np.linspace(0.0, 1.0, m)
    pd = (P.theta_d * 1.5 * s)[:, :, None]
    pf = (P.theta_f * s)[:, None, :]
    pd, pf = np.broadcast_arrays(pd, pf)
    n = pd.shape[0]
    pd = pd.reshape(n, -1)
    pf = pf.reshape(n, -1)
    ok = pd + P.t_g >= P.delta * np.minimum(pf, P.theta_f)
    v = np.where(ok, profit_no_importer(pd, pf, P), -np.inf)
    return v.max(axis=1)[:, None]


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------
def solve_batch(delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha=0.2, beta=0.2):
    """Brute-force solution at a batch of points (1-D arrays of equal length or scalars).

    Returns a dict of 1-D numpy arrays.  Invalid points (spec section 3) get regime 0 and NaN.
    Keys: validity ``valid``; benchmark ``p_d_B p_f_B piM_B``; equal pricing ``p_E piM_E``;
    best deterring DP ``p_d_A p_f_A piM_A`` (+ ``B_deters``: benchmark prices already deter,
    ``slack_B``); accommodation ``piM_acc`` (NaN if the sup over the entry region is only
    approached at the entry boundary), ``piM_acc_sup`` (that sup, always), ``acc_exists``,
    ``acc_corner`` (optimum has Q_f = 0), ``s_acc`` (gray margin delta*min(p_f,theta_f)-p_d-t_g
    at the optimum), ``qf_acc`` (raw Q_f/N_f there), ``p_d_D p_f_D p_g_D Q_d_D Q_f_D Q_g_D piI_D``; labels ``regime``,
    ``regime_true``; ambiguity flags ``amb_exist amb_corner amb_Bdeter`` (a numerical decision
    lies within the solver's resolution); diagnostics ``gap_grid_acc gap_grid_A gap_ridge
    gap_boundary`` (positive = a cross-check found a better value than the main search).
    """
    arrs = np.broadcast_arrays(*[np.atleast_1d(np.asarray(x, dtype=float)) for x in
                                 (delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta)])
    arrs = [a.ravel() for a in arrs]
    n = arrs[0].size
    valid = is_valid(*arrs)
    keys_f = ["p_d_B", "p_f_B", "piM_B", "p_E", "piM_E", "p_d_A", "p_f_A", "piM_A", "slack_B",
              "piM_acc", "piM_acc_sup", "s_acc", "qf_acc", "p_d_D", "p_f_D", "p_g_D", "Q_d_D", "Q_f_D",
              "Q_g_D", "piI_D", "gap_grid_acc", "gap_grid_A", "gap_ridge", "gap_boundary"]
    keys_b = ["acc_exists", "acc_corner", "B_deters", "amb_exist", "amb_corner", "amb_Bdeter"]
    res = {k: np.full(n, np.nan) for k in keys_f}
    res.update({k: np.zeros(n, dtype=bool) for k in keys_b})
    res["regime"] = np.zeros(n, dtype=np.int8)
    res["regime_true"] = np.zeros(n, dtype=np.int8)
    res["valid"] = valid
    if not valid.any():
        return res
    sel = np.nonzero(valid)[0]
    P = _P(**{k: arrs[i][sel] for i, k in enumerate(PARAMS)})
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = _solve_valid(P)
    for k, v in r.items():
        res[k][sel] = v
    return res


def _solve_valid(P):
    out = {}
    # --- benchmark B (no importer)
    pdB, pfB, vB = _solve_two_price_no_entry(P, constrained=False)
    out.update(p_d_B=pdB, p_f_B=pfB, piM_B=vB)
    slack = pdB + P.t_g - P.delta * np.minimum(pfB, P.theta_f)
    out["slack_B"] = slack
    out["B_deters"] = slack >= 0
    out["amb_Bdeter"] = np.abs(slack) < AMB_HI

    # --- equal pricing E
    pE, vE = _solve_equal_pricing(P)
    out.update(p_E=pE, piM_E=vE)

    # --- best deterring differentiated prices A*
    pdA, pfA, vA = _solve_two_price_no_entry(P, constrained=True)
    pdb, pfb, vb = _solve_entry_boundary(P)
    out["gap_boundary"] = vb - vA
    better = vb > vA
    pdA, pfA, vA = np.where(better, pdb, pdA), np.where(better, pfb, pfA), np.maximum(vA, vb)
    out["gap_grid_A"] = _grid2d_deter_max(P) - vA
    out.update(p_d_A=pdA, p_f_A=pfA, piM_A=vA)

    # --- accommodation: sup of M's profit over the entry region (importer follows)
    pdN, pfN, vN, possible = _solve_accommodation_nested(P)
    pdR, pfR, vR = _solve_ridge(P)
    out["gap_ridge"] = np.where(possible, vR - vN, np.nan)
    better = vR > vN
    pdD = np.where(better, pdR, pdN)
    pfD = np.where(better, pfR, pfN)
    vD = np.maximum(vN, vR)
    out["gap_grid_acc"] = np.where(possible, _grid2d_entry_max(P) - vD, np.nan)
    o = manufacturer_outcome(pdD, pfD, P)
    s = P.delta * np.minimum(pfD, P.theta_f) - pdD - P.t_g
    exists = possible & o["enter"] & (s > S_EXIST)
    qf_rel = o["Q_f"] / P.N_f
    corner = exists & (qf_rel < Q_CORNER)
    out["s_acc"] = np.where(possible, s, np.nan)
    out["qf_acc"] = np.where(possible, qf_rel, np.nan)
    out["piM_acc_sup"] = np.where(possible, vD, np.nan)
    out["acc_exists"] = exists
    out["acc_corner"] = corner
    out["amb_exist"] = possible & (s > AMB_LO) & (s < AMB_HI)
    out["amb_corner"] = exists & (qf_rel > AMB_LO) & (qf_rel < AMB_HI)
    nan = np.nan
    out["piM_acc"] = np.where(exists, o["piM"], nan)
    out["p_d_D"] = np.where(exists, pdD, nan)
    out["p_f_D"] = np.where(exists, pfD, nan)
    out["p_g_D"] = np.where(exists, o["p_g"], nan)
    out["Q_d_D"] = np.where(exists, o["Q_d"], nan)
    out["Q_f_D"] = np.where(exists, np.where(corner, 0.0, o["Q_f"]), nan)
    out["Q_g_D"] = np.where(exists, o["Q_g"], nan)
    out["piI_D"] = np.where(exists, o["piI"], nan)

    # --- labels (spec 10.1 / 10.2), exact comparisons on the numerical profits
    acc = out["piM_acc"]
    regime = np.ones(acc.shape, dtype=np.int8)                     # no_gray_market
    ep = exists & (vE >= acc)
    regime = np.where(ep, 4, regime)                                # ep_block
    interior = exists & ~corner & ~ep
    regime = np.where(interior & (acc >= out["piM_B"]), 2, regime)  # dp_beneficial
    regime = np.where(interior & (acc < out["piM_B"]), 3, regime)   # dp_harmful
    regime = np.where(corner & ~ep, 5, regime)                      # no_foreign_authorized
    accom = exists & (acc > vA)
    rtrue = np.where(out["B_deters"], 1, 2)
    rtrue = np.where(accom & ~corner, 3, rtrue)
    rtrue = np.where(accom & corner, 4, rtrue)
    out["regime"] = regime.astype(np.int8)
    out["regime_true"] = rtrue.astype(np.int8)
    return {k: np.asarray(v).reshape(-1) for k, v in out.items()}


def solve(delta, t, t_g, N_d=1.0, N_f=1.0, theta_d=1.0, theta_f=1.0, alpha=0.2, beta=0.2):
    """Scalar convenience wrapper around :func:`solve_batch`; returns a dict of Python scalars."""
    r = solve_batch(delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta)
    return {k: v[0].item() for k, v in r.items()}
