"""Independent brute-force reference solver for the model ``stochastic_newsvendor``.

Spec: ``/work/shared/models/stochastic_newsvendor.md`` (paper: Iravani, Mamani, Ahmadi, "Coping with
gray markets").  This module shares no code with :mod:`fastmap` and deliberately does **not** use the
newsvendor reduction of spec section 6: there is no closed-form ``z(p)``/``l(p)``, no ``P(y)`` root, no
``Phi_B``/``Phi_A`` shadow-price solve, no critical-fractile formula and no closed-form importer
response.  Everything is computed numerically from the primitives of spec sections 4, 5 and 7:

* **Expected sales** ``E[min(q, m + eps)]`` by Gauss-Legendre quadrature over the noise density, with the
  integration interval split at the kink ``eps = q - m`` (so each piece has a smooth integrand):
  uniform noise on ``[-sqrt(3) sigma, sqrt(3) sigma]`` with 8 nodes per piece (the integrand is linear on
  each piece, so the rule is exact up to rounding); normal noise on the truncated support
  ``[-10 sigma, 10 sigma]`` (neglected mass 1.5e-23) with 64 nodes per piece (measured error vs the
  analytic normal expressions <= 3e-15 relative, see the tests).  ``sigma = 0`` is the point mass.
* **Optimal stock** for a price ``p`` and mean demand ``m``: the expected profit
  ``p E[min(q, m + eps)] - c q`` is concave in ``q``; its derivative ``p P(m + eps > q) - c`` (the tail
  probability again by Gauss-Legendre quadrature of the density) is driven to zero by a bracketed,
  bisection-safeguarded Newton iteration (derivative = density); the constraint ``q >= 0`` is applied to
  the root (concavity).  For ``sigma = 0`` the maximiser of ``p min(q, m) - c q`` is ``max(m, 0)``.
* **Importer** (spec section 7, but derived here from the consumer utilities of section 5): for prices
  ``(p1, p2)`` his profit ``(p_G - p1 - c_G) Q_G(p_G)``, with ``Q_G`` the mass of consumers whose gray
  utility ``omega theta - b2 p_G/N2`` beats both the authorized utility ``theta - b2 p2/N2`` (if market 2
  is open) and 0, is maximised over ``p_G`` by bisection on the sign of its exact right derivative
  (forward-mode through the same piecewise expressions); interior optimum, corner (authorized demand 0)
  and kink all come out of the bisection.  He enters iff the maximal profit is strictly positive.
* **Manufacturer**, one search per strategy (coarse grid, then scipy refinement):

  - no importer, each market: 1-D over ``p_i`` on ``[c, (N_i + support top)/b_i]``;
  - block: 1-D over ``p1`` on the line ``omega p2 - p1 = c_G``, restricted to both consumer mean demands
    ``>= 0``; admissible iff the optimum is interior and ``N_i - b_i p_i > 0``, ``q_i > 0``;
  - allow: 2-D over ``(p1, d)``, ``d = omega p2 - p1 - c_G >= 0`` (``d <= 0`` is clamped to the block line,
    where the importer stays out), the numerical importer nested inside, both stocks re-optimised;
    domain ``p1 >= c``, ``N1 - b1 p1 >= 0``, authorized mean demand of market 2 ``> 0``.  41 x 41 grid
    (geometric in ``d`` so that thin allow regions at omega -> 1 are seen), Nelder-Mead from the best
    grid point and from the best grid point with ``d > 0``, then a Newton polish on central-difference
    gradient/Hessian.  Admissible iff ``q_G > 1e-6 N2`` (i.e. not the block boundary), ``N1 - b1 p1 > 0``,
    consumer stock ``q1 - q_G > 0``, ``m2 > 0``, ``q2 > 0`` (spec 8.3);
  - single market: market 2 of the no-importer problem;
  - cede market 2: 1-D over ``p1`` where the (numerical, monopolist) importer is active; market 1's mean
    demand ``N1 - b1 p1 + q_G`` untruncated; admissible iff interior, ``q_G > 0``, ``N1 - b1 p1 > 0`` and
    consumer stock ``> 0``; an interior but inadmissible optimum that beats every admissible candidate is
    the wholesale corner (invalid reason 5, ``wholesale_value``).

  1-D searches: 81-201-point grid, bounded Brent (``minimize_scalar``) around the best local grid maxima,
  then the root of the central-difference derivative (``brentq``), because values alone cannot locate a
  smooth maximum better than ~sqrt(eps) relative.
* **Regime** from the strategy values with the rules of spec 9.2 and the validity rules of spec 3
  (reasons 1 domain, 2 sigma bound, 3 market not viable = numerical monopoly profit <= 0, 4 reverse flow
  at the numerical no-importer prices, 5 wholesale corner).  Ignore iff ``s~ = omega p~2 - p~1 <= c_G``;
  otherwise the Theorem-1 strategy is the better of the admissible block / allow (allow only with
  ``q_G > 0``); single market if ``Pi~2`` beats it, cede if it beats both (ties: both markets > single >
  cede).
* ``mu`` (the paper's shadow price) is computed numerically as ``-dW/dd`` at ``d = 0+`` on the block line
  optimum, ``W`` = the allow objective, on the untruncated (extended) game; ``theorem1`` = 3 iff
  ``mu < 0``.  This label does not enter the regime.

Accuracy (vs the oracle's 21 point cases): profits <= 1.6e-10 relative (manufacturer's <= 1e-12),
prices/stocks/q_G <= 6e-10, mu <= 2e-8.  Cost: ~0.05-0.3 s per point (allow points with normal noise are
the slowest; < 1 s always seen).

Known difference from the spec (not a bug of either for the regime): where market 2 (or 1) is so noisy
or price-insensitive that ``h_i`` has a long increasing branch, the best point on the block line can be a
local maximum with ``p2`` on that branch; the spec's construction (largest roots ``P_i``) then reports block
inadmissible and a different ``mu``, while this solver finds an admissible block value.  In every such
point seen the single market wins by far.

Entry points: :func:`solve` (one point, dict in / dict out) and :func:`solve_many`.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq, minimize, minimize_scalar

__all__ = ["solve", "solve_many", "PARAMS", "REGIME", "Noise", "Model", "importer_response",
           "importer_response_vec"]

PARAMS = ("N1", "N2", "b1", "b2", "c", "c_G", "omega", "sigma1", "sigma2", "dist")
REGIME = {0: "invalid", 1: "ignore", 2: "block", 3: "allow", 4: "single_market", 5: "cede_market2"}

SQRT3 = math.sqrt(3.0)
L_NORMAL = 10.0          # normal support truncated to [-10 sigma, 10 sigma]
N_GL_NORMAL = 64         # Gauss-Legendre nodes per piece (normal)
N_GL_UNIFORM = 8         # Gauss-Legendre nodes per piece (uniform: exact for the linear integrand)
NEWTON_ITERS = 60        # cap of the safeguarded Newton iteration for the stock
BAD = -1e300             # value of infeasible points inside the searches

# decision thresholds (relative to the natural scales N of quantities and c of prices)
QG_REL = 1e-6            # q_G / N2 below which an optimum is "no importer" (block boundary)
EDGE_REL = 1e-7          # distance (relative to the interval) to a search bound counted as "at the bound"
POS_REL = 1e-9           # a quantity counts as positive if > POS_REL * N


# =====================================================================================================
# noise: quadrature of E[min(q, m + eps)] and of the tail probability
# =====================================================================================================
class Noise:
    """Demand noise of one market: ``dist`` 0 = uniform on [-sqrt(3) sigma, sqrt(3) sigma], 1 = normal."""

    def __init__(self, sigma: float, dist: int):
        self.sigma = float(sigma)
        self.dist = int(dist)
        self.det = self.sigma == 0.0
        if self.det:
            self.lo = self.hi = 0.0
            n = 1
        elif self.dist == 0:
            a = SQRT3 * self.sigma
            self.lo, self.hi = -a, a
            self._dens = 1.0 / (2.0 * a)
            n = N_GL_UNIFORM
        else:
            self.lo, self.hi = -L_NORMAL * self.sigma, L_NORMAL * self.sigma
            self._norm = 1.0 / (self.sigma * math.sqrt(2.0 * math.pi))
            n = N_GL_NORMAL
        self.x, self.w = np.polynomial.legendre.leggauss(n)

    # density (inside the integration range)
    def pdf(self, e):
        e = np.asarray(e, dtype=float)
        if self.dist == 0:
            return np.where((e >= self.lo) & (e <= self.hi), self._dens, 0.0)
        return self._norm * np.exp(-0.5 * (e / self.sigma) ** 2)

    def _nodes(self, a, b):
        half = 0.5 * (b - a)
        mid = 0.5 * (b + a)
        return half, mid[..., None] + half[..., None] * self.x

    def tail(self, k):
        """P(eps > k) = integral of the density over [k, hi] (Gauss-Legendre)."""
        k = np.clip(np.asarray(k, dtype=float), self.lo, self.hi)
        half, e = self._nodes(k, np.full_like(k, self.hi))
        return half * (self.pdf(e) @ self.w)

    def cdf(self, k):
        """P(eps < k) = integral of the density over [lo, k]."""
        k = np.clip(np.asarray(k, dtype=float), self.lo, self.hi)
        half, e = self._nodes(np.full_like(k, self.lo), k)
        return half * (self.pdf(e) @ self.w)

    def emin(self, q, m):
        """E[min(q, m + eps)] by quadrature, split at the kink eps = q - m."""
        q, m = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(m, dtype=float))
        if self.det:
            return np.minimum(q, m)
        k = np.clip(q - m, self.lo, self.hi)
        h1, e1 = self._nodes(np.full_like(k, self.lo), k)          # eps < q - m: sales m + eps
        left = h1 * (((m[..., None] + e1) * self.pdf(e1)) @ self.w)
        h2, e2 = self._nodes(k, np.full_like(k, self.hi))          # eps > q - m: sales q
        right = q * h2 * (self.pdf(e2) @ self.w)
        return left + right

    def best_stock(self, p, m, c, q_min=0.0):
        """argmax_{q >= q_min} p E[min(q, m + eps)] - c q (arrays).

        Root of the derivative p P(eps > q - m) - c (decreasing in q) by safeguarded Newton in
        k = q - m on [lo, hi]; the tail probability is computed by quadrature.  ``q_min = -inf``
        gives the untruncated (linear-extension) stock used only to label Theorem 1."""
        p, m = np.broadcast_arrays(np.asarray(p, dtype=float), np.asarray(m, dtype=float))
        sell = p > c
        if self.det:
            return np.where(sell, np.maximum(m, q_min), 0.0)
        if p.size > 16:            # the root in k = q - m depends on p only: solve on distinct prices
            pu, inv = np.unique(p, return_inverse=True)
            if pu.size < 0.5 * p.size:
                k = self._root_k(pu, c)[inv.reshape(p.shape)]
                return np.where(sell, np.maximum(m + k, q_min), 0.0)
        k = self._root_k(p, c)
        return np.where(sell, np.maximum(m + k, q_min), 0.0)

    def _root_k(self, p, c):
        """Root k of p P(eps > k) = c (safeguarded Newton; quadrature tail; p <= c gives any k)."""
        sell = p > c
        target = np.where(sell, c / np.where(sell, p, 1.0), 0.5)
        a = np.full(p.shape, self.lo)
        b = np.full(p.shape, self.hi)
        k = np.zeros(p.shape)
        tol = 1e-15 * (self.hi - self.lo)
        for _ in range(NEWTON_ITERS):
            g = self.tail(k) - target                   # > 0 left of the root
            a = np.where(g > 0.0, k, a)
            b = np.where(g < 0.0, k, b)
            d = self.pdf(k)
            with np.errstate(divide="ignore", invalid="ignore"):
                kn = k + g / d
            bad = ~((kn >= a) & (kn <= b))
            kn = np.where(bad, 0.5 * (a + b), kn)
            kn = np.where(g == 0.0, k, kn)
            done = np.abs(kn - k) <= tol
            k = kn
            if np.all(done):
                break
        return k

    def market(self, p, m, c, q_min=0.0):
        """(expected profit, optimal stock) of a market at price p and mean demand m."""
        q = self.best_stock(p, m, c, q_min)
        v = np.asarray(p, dtype=float) * self.emin(q, m) - c * q
        return v, q


# =====================================================================================================
# importer (follower), from the consumer utilities of spec section 5
# =====================================================================================================
def _imp_parts(pG, p2, N2, b2, om, open2):
    """Gray demand Q_G(p_G) and its right derivative (scalar floats)."""
    th2 = b2 * pG / (om * N2)                 # gray ~ nothing
    dth2 = b2 / (om * N2)
    if open2:
        th1 = b2 * (p2 - pG) / (N2 * (1.0 - om))   # authorized ~ gray
        if th1 <= 1.0:                        # right derivative of min(th1, 1)
            top, dtop = th1, -b2 / (N2 * (1.0 - om))
        else:
            top, dtop = 1.0, 0.0
    else:
        top, dtop = 1.0, 0.0
    w = top - th2
    if w > 0.0:
        return N2 * w, N2 * (dtop - dth2)
    return 0.0, 0.0


def importer_response(p1, p2, N2, b2, om, cG, open2=True):
    """Importer's best response to (p1, p2) (scalars).  ``open2=False``: market 2 closed by M.

    Returns (q_G, p_G, pi_G, m2): m2 = mean authorized demand in market 2 (0 if closed).
    Bisection on the sign of the right derivative of (p_G - p1 - c_G) Q_G(p_G) on
    [p1 + c_G, max(p1 + c_G, omega N2 / b2)] (above omega N2/b2 nobody values a gray unit that much)."""
    C = p1 + cG
    lo, hi = C, max(C, om * N2 / b2)
    q0, _ = _imp_parts(C, p2, N2, b2, om, open2)
    pG = q = prof = 0.0
    if q0 > 0.0 and hi > lo:
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if mid <= lo or mid >= hi:
                break
            qm, dq = _imp_parts(mid, p2, N2, b2, om, open2)
            if qm > 0.0 and qm + (mid - C) * dq > 0.0:
                lo = mid
            else:
                hi = mid
        best = None
        for x in (lo, hi):
            qx, _ = _imp_parts(x, p2, N2, b2, om, open2)
            px = (x - C) * qx
            if best is None or px > best[2]:
                best = (x, qx, px)
        pG, q, prof = best
    entered = prof > 0.0
    if not entered:
        pG, q, prof = math.nan, 0.0, 0.0
    if not open2:
        m2 = 0.0
    else:
        tha = b2 * p2 / N2                      # authorized ~ nothing
        if entered:
            th1 = b2 * (p2 - pG) / (N2 * (1.0 - om))
            m2 = N2 * max(0.0, 1.0 - max(th1, tha))
        else:
            m2 = N2 * max(0.0, 1.0 - tha)
    return q, pG, prof, m2


def importer_response_vec(p1, p2, N2, b2, om, cG, open2=True, iters=64):
    """Vectorised twin of :func:`importer_response` (fixed number of bisection steps)."""
    p1, p2 = np.broadcast_arrays(np.asarray(p1, dtype=float), np.asarray(p2, dtype=float))
    C = p1 + cG
    lo = C.copy()
    hi = np.maximum(C, om * N2 / b2)
    dth2 = b2 / (om * N2)
    d1 = -b2 / (N2 * (1.0 - om))

    def parts(pG):
        th2 = b2 * pG / (om * N2)
        if open2:
            th1 = b2 * (p2 - pG) / (N2 * (1.0 - om))
            low = th1 <= 1.0
            top = np.where(low, th1, 1.0)
            dtop = np.where(low, d1, 0.0)
        else:
            top, dtop = 1.0, 0.0
        w = top - th2
        pos = w > 0.0
        return np.where(pos, N2 * w, 0.0), np.where(pos, N2 * (dtop - dth2), 0.0)

    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        qm, dq = parts(mid)
        up = (qm > 0.0) & (qm + (mid - C) * dq > 0.0)
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    ql, _ = parts(lo)
    qh, _ = parts(hi)
    pl, ph = (lo - C) * ql, (hi - C) * qh
    useh = ph > pl
    pG = np.where(useh, hi, lo)
    q = np.where(useh, qh, ql)
    prof = np.where(useh, ph, pl)
    entered = prof > 0.0
    pG = np.where(entered, pG, np.nan)
    q = np.where(entered, q, 0.0)
    prof = np.where(entered, prof, 0.0)
    if not open2:
        m2 = np.zeros(p1.shape)
    else:
        tha = b2 * p2 / N2
        with np.errstate(invalid="ignore"):
            th1 = b2 * (p2 - pG) / (N2 * (1.0 - om))
        m2 = np.where(entered, N2 * np.maximum(0.0, 1.0 - np.maximum(th1, tha)),
                      N2 * np.maximum(0.0, 1.0 - tha))
    return q, pG, prof, m2


# =====================================================================================================
# 1-D maximiser: grid + bounded Brent
# =====================================================================================================
def _max_1d(fvec, fsc, lo, hi, n=81, n_ref=2):
    """Maximise on [lo, hi]: grid of n points (vectorised fvec), then bounded Brent (scalar fsc)
    around the n_ref best local grid maxima.  Returns (x, f)."""
    X = np.linspace(lo, hi, n)
    V = np.asarray(fvec(X), dtype=float)
    V = np.where(np.isfinite(V), V, BAD)
    left = np.concatenate([[-np.inf], V[:-1]])
    right = np.concatenate([V[1:], [-np.inf]])
    loc = np.where((V >= left) & (V >= right))[0]
    loc = loc[np.argsort(-V[loc], kind="stable")][:n_ref]
    j0 = int(np.argmax(V))
    best = (float(X[j0]), float(V[j0]))
    for j in loc:
        a, b = X[max(j - 1, 0)], X[min(j + 1, n - 1)]
        r = minimize_scalar(lambda x: -fsc(x), bounds=(a, b), method="bounded",
                            options={"xatol": 1e-13 * max(1.0, abs(X[j])), "maxiter": 500})
        xb = float(r.x)
        fb = fsc(xb)
        xp = _polish_1d(fsc, xb, a, b)
        fp = fsc(xp)
        if fp >= fb - 1e-12 * abs(fb):      # values cannot resolve the last digits of x
            xb, fb = xp, fp
        for x, fx in ((xb, fb), (a, fsc(a)), (b, fsc(b))):
            if fx > best[1] or (x == xb and fx >= best[1] - 1e-12 * abs(best[1])):
                best = (x, fx)
    return best


def _polish_1d(fsc, x, lo, hi):
    """Refine a bounded-Brent maximiser (accurate to ~sqrt(eps) relative) to the root of the
    central-difference derivative (accurate to ~1e-9 relative) when that root is bracketed
    near x; otherwise return x unchanged (kinks, bounds)."""
    h = 1e-5 * max(1.0, abs(x))
    g = lambda t: (fsc(t + h) - fsc(t - h)) / (2.0 * h)
    for w in (2e-7, 2e-6, 2e-5):
        a, b = max(lo, x - w * abs(x)), min(hi, x + w * abs(x))
        if a - h < lo or b + h > hi:
            return x
        ga, gb = g(a), g(b)
        if ga > 0.0 > gb:
            return brentq(g, a, b, xtol=1e-15 * abs(x), rtol=1e-15)
    return x


# =====================================================================================================
# the model
# =====================================================================================================
class Model:
    """One parameter point; methods evaluate the manufacturer's payoffs for given prices."""

    def __init__(self, N1, N2, b1, b2, c, c_G, omega, sigma1, sigma2, dist):
        self.N1, self.N2, self.b1, self.b2 = float(N1), float(N2), float(b1), float(b2)
        self.c, self.cG, self.om = float(c), float(c_G), float(omega)
        self.nz = (Noise(sigma1, dist), Noise(sigma2, dist))
        self.Nsc = 0.5 * (self.N1 + self.N2)
        self.extended = False

    # ---- market values ------------------------------------------------------------------------
    def market(self, i, p, m):
        return self.nz[i].market(p, m, self.c, -math.inf if self.extended else 0.0)

    def pmax(self, i):
        """Price above which the market's demand is 0 with certainty (search bound)."""
        N, b = (self.N1, self.b1) if i == 0 else (self.N2, self.b2)
        return (N + self.nz[i].hi) / b

    # ---- no importer ----------------------------------------------------------------------------
    def nogray(self, i):
        N, b = (self.N1, self.b1) if i == 0 else (self.N2, self.b2)
        f = lambda p: self.market(i, p, N - b * p)[0]
        p, v = _max_1d(f, lambda x: float(f(x)), self.c, self.pmax(i), n=201)
        _, q = self.market(i, p, N - b * p)
        return p, float(q), v

    # ---- block: omega p2 - p1 = c_G, both markets open -----------------------------------------
    def block_eval(self, p1):
        p1 = np.asarray(p1, dtype=float)
        p2 = (p1 + self.cG) / self.om
        v1, q1 = self.market(0, p1, self.N1 - self.b1 * p1)
        v2, q2 = self.market(1, p2, self.N2 - self.b2 * p2)
        return v1 + v2, p2, q1, q2, v1, v2

    def block(self):
        lo = self.c
        hi = min(self.N1 / self.b1, (self.om * self.N2 / self.b2) - self.cG)   # both mean demands >= 0
        if not hi > lo:
            return None
        f = lambda x: self.block_eval(x)[0]
        p1, v = _max_1d(f, lambda x: float(f(x)), lo, hi, n=201)
        tot, p2, q1, q2, v1, v2 = (float(np.asarray(t)) for t in self.block_eval(p1))
        edge = EDGE_REL * (hi - lo)
        adm = (p1 - lo > edge and hi - p1 > edge
               and self.N1 - self.b1 * p1 > POS_REL * self.Nsc and q1 > POS_REL * self.Nsc
               and self.N2 - self.b2 * p2 > POS_REL * self.Nsc and q2 > POS_REL * self.Nsc)
        return dict(p1=p1, p2=p2, q1=q1, q2=q2, pi1=v1, pi2=v2, pi=tot, admissible=bool(adm))

    # ---- allow: both markets open, importer active -----------------------------------------------
    def allow_eval_vec(self, p1, d):
        """Manufacturer's profit at (p1, p2 = (p1 + c_G + d)/omega) with the numerical importer.
        Infeasible (BAD): p1 < c, consumers of market 1 priced out, authorized demand of market 2 <= 0."""
        p1, d = np.broadcast_arrays(np.asarray(p1, dtype=float), np.asarray(d, dtype=float))
        d = np.maximum(d, 0.0)
        p2 = (p1 + self.cG + d) / self.om
        qG, pG, piG, m2 = importer_response_vec(p1, p2, self.N2, self.b2, self.om, self.cG)
        m1 = self.N1 - self.b1 * p1 + qG
        v1, _ = self.market(0, p1, m1)
        v2, _ = self.market(1, p2, m2)
        ok = (p1 >= self.c) & (m2 > 0.0)
        if not self.extended:
            ok &= self.N1 - self.b1 * p1 >= 0.0
        return np.where(ok, v1 + v2, BAD)

    def allow_eval(self, p1, d):
        """Scalar evaluation; returns (value, details) (value BAD if infeasible)."""
        d = max(d, 0.0)
        p2 = (p1 + self.cG + d) / self.om
        qG, pG, piG, m2 = importer_response(p1, p2, self.N2, self.b2, self.om, self.cG)
        m1 = self.N1 - self.b1 * p1 + qG
        if not (p1 >= self.c and m2 > 0.0
                and (self.extended or self.N1 - self.b1 * p1 >= 0.0)):
            return BAD, None
        v1, q1 = self.market(0, p1, m1)
        v2, q2 = self.market(1, p2, m2)
        v1, v2, q1, q2 = float(v1), float(v2), float(q1), float(q2)
        return v1 + v2, dict(p1=p1, p2=p2, q1=q1, q2=q2, pi1=v1, pi2=v2, pi=v1 + v2, q_G=qG,
                             p_G=pG, pi_G=piG, m2=m2, d=d)

    def allow(self, n1=41, nd=41):
        """Allow strategy: maximise over (p1, d >= 0) with the importer's numerical response.
        Domain: p1 >= c, authorized mean demand of market 2 > 0 and market-1 consumers not
        priced out (N1 - b1 p1 >= 0).  Coarse grid (geometric in d, so thin allow regions near
        the block boundary are seen), Nelder-Mead from the best grid point and from the best
        grid point with d > 0, Newton polish on finite-difference derivatives."""
        return self._allow(n1, nd)

    def mu_numeric(self):
        """Numerical Theorem-1 shadow price: mu = -dW/dd at d = 0+, W = M's profit with the importer
        (allow objective) at the optimal block price p1.  By the envelope theorem this is the
        marginal value of opening the gray margin; mu < 0 <=> allowing beats blocking locally.
        Evaluated on the *extended* game (untruncated linear demand, stocks allowed negative), the
        smooth function of the spec's critical-point equations, so that it is defined even where
        the block point is inadmissible.  One-sided second-order difference, h = 1e-5 c.
        Returns (mu, p1_block_extended)."""
        self.extended = True
        try:
            lo = self.c
            hi = max(self.N1 / self.b1, self.om * self.N2 / self.b2 - self.cG)
            if not hi > lo:
                return math.nan, math.nan
            f = lambda x: self.block_eval(x)[0]
            p1, _ = _max_1d(f, lambda x: float(f(x)), lo, hi, n=201)
            h = 1e-5 * self.c
            w = [self.allow_eval(p1, k * h)[0] for k in (0, 1, 2)]
            if min(w) <= BAD:
                return math.nan, p1
            return -(-3.0 * w[0] + 4.0 * w[1] - w[2]) / (2.0 * h), p1
        finally:
            self.extended = False

    def _allow(self, n1, nd):
        lo1, hi1 = self.c, self.N1 / self.b1
        dmax = self.om * self.pmax(1) - self.c - self.cG
        if not (hi1 > lo1 and dmax > 0.0):
            return None
        P1 = np.linspace(lo1, hi1, n1)
        D = np.concatenate([[0.0], np.geomspace(dmax * 1e-8, dmax, nd - 1)])
        V = self.allow_eval_vec(P1[:, None], D[None, :])
        # starts: best grid point overall and best grid point with d > 0
        starts = []
        i0, j0 = np.unravel_index(int(np.argmax(V)), V.shape)
        starts.append((i0, j0))
        Vp = V[:, 1:]
        i1, j1 = np.unravel_index(int(np.argmax(Vp)), Vp.shape)
        if (i1, j1 + 1) != (i0, j0):
            starts.append((i1, j1 + 1))
        dp = P1[1] - P1[0]
        fsc = lambda x: -self.allow_eval(x[0], x[1])[0]
        best = None
        for (i, j) in starts:
            if V[i, j] <= BAD:
                continue
            x0 = np.array([P1[i], D[j]])
            sd = D[min(j + 1, nd - 1)] - D[j] if j < nd - 1 else D[j] - D[j - 1]
            sd = max(sd, dmax * 1e-8)
            simplex = np.array([x0, x0 + [0.5 * dp, 0.0], x0 + [0.0, sd]])
            r = minimize(fsc, x0, method="Nelder-Mead",
                         options={"initial_simplex": simplex, "xatol": 1e-9 * self.c,
                                  "fatol": 1e-14 * abs(V[i, j]), "maxiter": 2000, "maxfev": 4000})
            x = self._polish_allow(r.x)
            val = -fsc(x)
            if best is None or val > best[0]:
                best = (val, x)
        if best is None:
            return None
        val, x = best
        _, det = self.allow_eval(x[0], x[1])
        if det is None:
            return None
        ad = det
        cons = self.N1 - self.b1 * ad["p1"]
        ad["admissible"] = bool(ad["q_G"] > QG_REL * self.N2
                                and cons > POS_REL * self.Nsc
                                and ad["q1"] - ad["q_G"] > POS_REL * self.Nsc
                                and ad["m2"] > POS_REL * self.Nsc and ad["q2"] > POS_REL * self.Nsc)
        return ad

    def _polish_allow(self, x, rounds=3):
        """Newton polish of the Nelder-Mead result on the central-difference gradient and Hessian
        of the profit in (p1, d) (the value noise, ~1e-16 relative, limits Nelder-Mead to ~1e-7
        relative in the location; the derivative root is accurate to ~1e-10).  A step is kept
        only if the whole stencil is feasible, the Hessian negative definite, the step small and
        the gradient shrinks.  Points on the block boundary (d = 0) are left alone."""
        x = np.array([float(x[0]), max(float(x[1]), 0.0)])
        f = lambda a, b: self.allow_eval(a, b)[0]

        def grad_hess(x):
            hp = 1e-4 * self.c
            hd = min(1e-4 * self.c, 0.25 * x[1])
            h = np.array([hp, hd])
            if not hd > 0:
                return None
            f0 = f(*x)
            g = np.zeros(2)
            H = np.zeros((2, 2))
            for i in range(2):
                e = np.zeros(2)
                e[i] = h[i]
                fp, fm = f(*(x + e)), f(*(x - e))
                if fp <= BAD or fm <= BAD:
                    return None
                g[i] = (fp - fm) / (2 * h[i])
                H[i, i] = (fp - 2 * f0 + fm) / h[i] ** 2
            e0, e1 = np.array([hp, 0.0]), np.array([0.0, hd])
            vals = [f(*(x + e0 + e1)), f(*(x + e0 - e1)), f(*(x - e0 + e1)), f(*(x - e0 - e1))]
            if min(vals) <= BAD:
                return None
            H[0, 1] = H[1, 0] = (vals[0] - vals[1] - vals[2] + vals[3]) / (4 * hp * hd)
            return g, H

        for _ in range(rounds):
            gh = grad_hess(x)
            if gh is None:
                break
            g, H = gh
            if not (H[0, 0] < 0 and np.linalg.det(H) > 0):
                break
            step = -np.linalg.solve(H, g)
            xn = x + step
            if not (abs(step[0]) < 1e-3 * self.c and xn[1] > 0 and abs(step[1]) < 0.5 * x[1]):
                break
            ghn = grad_hess(xn)
            if ghn is None or np.linalg.norm(ghn[0] / [1.0, 1.0]) > np.linalg.norm(g):
                break
            x = xn
        return x

    # ---- cede market 2: market 2 closed, importer monopolist there -------------------------------
    def cede_eval(self, p1):
        p1 = np.asarray(p1, dtype=float)
        qG, pG, piG, _ = importer_response_vec(p1, np.nan, self.N2, self.b2, self.om, self.cG,
                                               open2=False)
        m1 = self.N1 - self.b1 * p1 + qG      # untruncated (consumer part may be negative)
        v1, q1 = self.market(0, p1, m1)
        return v1, q1, qG, pG, piG

    def cede(self):
        lo = self.c
        # importer active iff p1 < p1_entry; find it by bisection on the numerical response
        a, b = lo, self.om * self.N2 / self.b2
        if not b > a or importer_response(a, math.nan, self.N2, self.b2, self.om, self.cG,
                                          open2=False)[0] <= 0.0:
            return None
        for _ in range(200):
            mid = 0.5 * (a + b)
            if mid <= a or mid >= b:
                break
            if importer_response(mid, math.nan, self.N2, self.b2, self.om, self.cG,
                                 open2=False)[0] > 0.0:
                a = mid
            else:
                b = mid
        hi = a
        f = lambda x: self.cede_eval(x)[0]
        p1, v = _max_1d(f, lambda x: float(f(x)), lo, hi, n=201)
        v1, q1, qG, pG, piG = (float(np.asarray(t)) for t in self.cede_eval(p1))
        edge = EDGE_REL * (hi - lo)
        cons = self.N1 - self.b1 * p1
        interior = p1 - lo > edge and hi - p1 > edge and qG > QG_REL * self.N2
        adm = interior and cons > POS_REL * self.Nsc and q1 - qG > POS_REL * self.Nsc
        return dict(p1=p1, q1=q1, pi=v1, q_G=qG, p_G=pG, pi_G=piG, interior=bool(interior),
                    admissible=bool(adm))

    # ---- global grid over (p1, p2): diagnostic -------------------------------------------------
    def global_grid(self, n=61):
        """Max of M's profit over a grid of price pairs, both markets open, importer numerical
        (all pieces incl. the corner where market 2's authorized demand vanishes), stocks >= 0
        re-optimised.  Used to check that no price pair beats the equilibrium."""
        P1 = np.linspace(self.c, self.pmax(0), n)[:, None]
        P2 = np.linspace(self.c, self.pmax(1), n)[None, :]
        P1, P2 = np.broadcast_arrays(P1, P2)
        qG, pG, piG, m2 = importer_response_vec(P1, P2, self.N2, self.b2, self.om, self.cG)
        v1, _ = self.market(0, P1, self.N1 - self.b1 * P1 + qG)
        v2, _ = self.market(1, P2, m2)
        return float(np.max(v1 + v2))


# =====================================================================================================
# solve
# =====================================================================================================
_NAN = math.nan


def _invalid(reason, **extra):
    out = {"regime": 0, "regime_name": "invalid", "invalid_reason": int(reason), "theorem1": 0,
           "t1_strategy": 0}
    out.update(extra)
    return out


def _domain_ok(P):
    try:
        vals = [float(P[k]) for k in PARAMS]
    except (KeyError, TypeError, ValueError):
        return False
    if not all(math.isfinite(v) for v in vals):
        return False
    N1, N2, b1, b2, c, cG, om, s1, s2, dist = vals
    return (N1 > 0 and N2 > 0 and b1 > 0 and b2 > 0 and c > 0 and cG >= 0 and 0 < om < 1
            and s1 >= 0 and s2 >= 0 and dist in (0.0, 1.0))


def solve(params: dict, global_check: bool = False) -> dict:
    """Brute-force equilibrium of one parameter point.

    ``params``: N1, N2, b1, b2, c, c_G, omega, dist (0 uniform, 1 normal) and either sigma1, sigma2 or
    sigma (sets both).  Returns a dict with the spec's output names (section 12) where they exist:

    * codes: ``regime`` (0-5), ``regime_name``, ``invalid_reason`` (0-5), ``theorem1`` (1 ignore /
      2 block / 3 allow from the sign of the numerical ``mu``, as the spec's output), ``t1_strategy``
      (the Theorem-1 strategy actually used for the regime: ignore, or the better *admissible* of
      block / allow; 0 if none), ``block_admissible``, ``allow_admissible``, ``cede_admissible``;
    * ``X_nogray`` (X in p1, p2, q1, q2, pi1, pi2, pi), ``s_nogray``, ``omega_ign``;
      ``p2_sgl, q2_sgl, pi_sgl``; ``X_blk`` (X in p1, p2, q1, q2, pi1, pi2, pi); ``X_alw`` (same plus
      q_G, p_G, pi_G); ``X_cede`` (X in p1, q1, pi, q_G, p_G, pi_G) -- NaN when inadmissible; the raw
      optima (dicts, also when inadmissible) under ``raw_blk``, ``raw_alw``, ``raw_cede``;
    * ``mu`` (NaN when s_nogray <= c_G);
    * equilibrium ``p1, p2, q1, q2, pi1, pi2, pi, q_G, p_G, pi_G`` (p1 NaN in regime 4, p2 NaN in
      regime 5, closed market: stock and profit 0; pi1 includes the sales to the importer);
    * ``prob_negative_demand`` (max over served markets of P(consumer mean demand + eps < 0));
    * with ``global_check``: ``pi_grid_max`` (max of M's profit over a 61 x 61 grid of price pairs with
      both markets open, importer from the full utility model; diagnostic: must not exceed ``pi``).

    Invalid points: only ``regime`` = 0, ``regime_name``, ``invalid_reason``, ``theorem1`` = 0,
    ``t1_strategy`` = 0 (plus ``wholesale_value`` for reason 5).
    """
    P = dict(params)
    if "sigma" in P and ("sigma1" not in P or "sigma2" not in P):
        P["sigma1"] = P["sigma2"] = P["sigma"]
    if not _domain_ok(P):
        return _invalid(1)
    N1, N2, b1, b2, c = (float(P[k]) for k in ("N1", "N2", "b1", "b2", "c"))
    cG, om, s1, s2, dist = float(P["c_G"]), float(P["omega"]), float(P["sigma1"]), \
        float(P["sigma2"]), int(P["dist"])
    # reason 2: sigma bound (spec 3.2)
    if not (N1 - b1 * c - SQRT3 * s1 > 0 and N2 - b2 * c - SQRT3 * s2 > 0):
        return _invalid(2)
    M = Model(N1, N2, b1, b2, c, cG, om, s1, s2, dist)

    # no importer (numerical monopoly prices of each market)
    p1t, q1t, v1t = M.nogray(0)
    p2t, q2t, v2t = M.nogray(1)
    if not (v1t > 0 and v2t > 0):
        return _invalid(3)
    if om * p1t - p2t - cG > 0:
        return _invalid(4)
    out = {"invalid_reason": 0}
    out.update(p1_nogray=p1t, p2_nogray=p2t, q1_nogray=q1t, q2_nogray=q2t, pi1_nogray=v1t,
               pi2_nogray=v2t, pi_nogray=v1t + v2t)
    s_t = om * p2t - p1t
    out.update(s_nogray=s_t, omega_ign=(p1t + cG) / p2t)
    out.update(p2_sgl=p2t, q2_sgl=q2t, pi_sgl=v2t)

    # cede market 2
    cd = M.cede()
    out["raw_cede"] = cd
    cede_adm = bool(cd is not None and cd["admissible"])
    out["cede_admissible"] = cede_adm
    for k in ("p1", "q1", "pi", "q_G", "p_G", "pi_G"):
        out[k + "_cede"] = cd[k] if cede_adm else _NAN
    pi_cede = cd["pi"] if cede_adm else -math.inf

    # Theorem-1 strategy
    blk = alw = None
    if s_t <= cG:
        t1, pi_t1 = 1, v1t + v2t
    else:
        blk = M.block()
        alw = M.allow()
        t1, pi_t1 = 0, -math.inf
        if blk is not None and blk["admissible"]:
            t1, pi_t1 = 2, blk["pi"]
        if alw is not None and alw["admissible"] and alw["pi"] > pi_t1:
            t1, pi_t1 = 3, alw["pi"]
    out["raw_blk"], out["raw_alw"] = blk, alw
    blk_adm = bool(blk is not None and blk["admissible"])
    alw_adm = bool(alw is not None and alw["admissible"])
    out["block_admissible"], out["allow_admissible"] = blk_adm, alw_adm
    for k in ("p1", "p2", "q1", "q2", "pi1", "pi2", "pi"):
        out[k + "_blk"] = blk[k] if blk_adm else _NAN
    for k in ("p1", "p2", "q1", "q2", "pi1", "pi2", "pi", "q_G", "p_G", "pi_G"):
        out[k + "_alw"] = alw[k] if alw_adm else _NAN
    out["t1_strategy"] = t1
    # Theorem-1 label (spec: from mu alone, regardless of admissibility): ignore if s~ <= c_G,
    # allow if the numerical allow optimum has an active importer (mu < 0), else block.
    out["mu"] = _NAN
    if s_t <= cG:
        out["theorem1"] = 1
    else:
        mu, _ = M.mu_numeric()
        out["mu"] = mu
        if math.isfinite(mu):
            out["theorem1"] = 3 if mu < 0 else 2
        else:
            out["theorem1"] = 3 if (alw is not None and alw["q_G"] > QG_REL * N2) else 2

    # wholesale corner (reason 5): interior cede optimum pricing market-1 consumers out that beats
    # every admissible candidate
    if cd is not None and cd["interior"] and not cd["admissible"] and cd["pi"] > max(pi_t1, v2t):
        return _invalid(5, wholesale_value=cd["pi"])

    # regime (spec 9.2; ties: both-market > single > cede)
    regime = t1
    best = pi_t1
    if v2t > best:
        regime, best = 4, v2t
    if pi_cede > best:
        regime, best = 5, pi_cede
    out["regime"] = regime
    out["regime_name"] = REGIME[regime]

    # equilibrium
    nz1, nz2 = M.nz
    eq = dict(p1=_NAN, p2=_NAN, q1=0.0, q2=0.0, pi1=0.0, pi2=0.0, pi=best, q_G=0.0, p_G=_NAN,
              pi_G=0.0)
    cons = []  # consumer mean demands of the served markets
    if regime == 1:
        eq.update(p1=p1t, p2=p2t, q1=q1t, q2=q2t, pi1=v1t, pi2=v2t)
        cons = [(nz1, N1 - b1 * p1t), (nz2, N2 - b2 * p2t)]
    elif regime == 2:
        eq.update({k: blk[k] for k in ("p1", "p2", "q1", "q2", "pi1", "pi2")})
        cons = [(nz1, N1 - b1 * blk["p1"]), (nz2, N2 - b2 * blk["p2"])]
    elif regime == 3:
        eq.update({k: alw[k] for k in ("p1", "p2", "q1", "q2", "pi1", "pi2", "q_G", "p_G", "pi_G")})
        cons = [(nz1, N1 - b1 * alw["p1"]), (nz2, alw["m2"])]
    elif regime == 4:
        eq.update(p2=p2t, q2=q2t, pi2=v2t)
        cons = [(nz2, N2 - b2 * p2t)]
    else:
        eq.update(p1=cd["p1"], q1=cd["q1"], pi1=cd["pi"], q_G=cd["q_G"], p_G=cd["p_G"],
                  pi_G=cd["pi_G"])
        cons = [(nz1, N1 - b1 * cd["p1"])]
    out.update(eq)
    pn = 0.0
    for nz, m in cons:
        if not nz.det:
            pn = max(pn, float(nz.cdf(-m)))      # P(m + eps < 0)
    out["prob_negative_demand"] = pn
    if global_check:
        out["pi_grid_max"] = M.global_grid()
    return out


def solve_many(points, **kw):
    return [solve(p, **kw) for p in points]
