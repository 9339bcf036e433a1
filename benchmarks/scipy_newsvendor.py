"""Per-cell Python/scipy baseline for the ``stochastic_newsvendor`` model.

A straightforward transcription of /work/shared/models/stochastic_newsvendor.md, the way a
researcher would write it with scipy: one Python call per cell, the newsvendor reduction (§6) with
``scipy.stats.norm`` and ``scipy.special.ndtri``, every root by ``scipy.optimize.brentq``:

* §6.4  ``P(y)``: largest root of the concave ``h(p) = y``, bracketed from the argmax of ``h``
  (closed form for the uniform, brentq on ``h'`` for the normal) up to ``A = (N + bc - y)/(2b)``;
  no root -> the clamp ``argmax h`` and ``exists = False``;
* §8.1  no importer / ignore; §8.2 block (brentq on ``Phi_B`` over ``[0, tau_hi]``); §8.3 allow
  (brentq on ``Phi_A`` over ``[t0, T(s~)]``); §8.4 single market; §8.5 cede market 2;
* §3    validity (reasons 1-5) and §9.2 regime (tie rules included).

Outputs: ``regime``, ``invalid_reason``, ``p1, p2, q1, q2, pi``, ``mu``, the strategy values
``pi_nogray, pi_blk, pi_alw, pi_sgl, pi_cede`` (NaN where inadmissible / not computed).
NOT computed (fastmap computes them, ~100 outputs per cell in all): uniform pricing (§8.6),
heuristics (§11), the deterministic twin (§10), ratios, ``block_side`` / ``dmu_domega``, etc.

    .venv/bin/python benchmarks/scipy_newsvendor.py      # checks the oracle point cases
"""

from __future__ import annotations

import math
from pathlib import Path

from scipy import optimize, special, stats

SQRT3 = math.sqrt(3.0)
NAN = float("nan")
NEG_INF = float("-inf")
DEFAULTS = {"N1": 1500.0, "N2": 1500.0, "b1": 2.0, "b2": 1.0, "c": 250.0, "c_G": 10.0,
            "omega": 0.8, "sigma1": 50.0, "sigma2": 50.0, "dist": 0}
OUTPUTS = ("regime", "invalid_reason", "p1", "p2", "q1", "q2", "pi", "mu",
           "pi_nogray", "pi_blk", "pi_alw", "pi_sgl", "pi_cede")


# ------------------------------------------------------------------------ §6 newsvendor reduction

class Market:
    """One market: demand N - b p + eps, eps uniform (dist 0) or normal (dist 1) with sd sigma."""

    def __init__(self, N, b, c, sigma, dist):
        self.N, self.b, self.c, self.sigma, self.dist = N, b, c, sigma, dist
        self._pm = None  # argmax of h (independent of y), computed once per market

    def _xi(self, p):
        u = self.c / p
        return special.ndtri((p - self.c) / p) if u > 0.5 else -special.ndtri(u)

    def z(self, p):
        """Safety stock F^{-1}(1 - c/p)."""
        if self.sigma == 0.0:
            return 0.0
        if self.dist == 0:
            return SQRT3 * self.sigma * (1.0 - 2.0 * self.c / p)
        return self.sigma * self._xi(p)

    def ell(self, p):
        """Mismatch cost l(p)."""
        if self.sigma == 0.0:
            return 0.0
        if self.dist == 0:
            return SQRT3 * self.sigma * self.c * (1.0 - self.c / p)
        return self.sigma * p * stats.norm.pdf(self._xi(p))

    def ell1(self, p):
        """l'(p) = expected shortage."""
        if self.sigma == 0.0:
            return 0.0
        if self.dist == 0:
            return SQRT3 * self.sigma * self.c ** 2 / p ** 2
        xi = self._xi(p)
        return self.sigma * (stats.norm.pdf(xi) - xi * self.c / p)

    def ell2(self, p):
        if self.sigma == 0.0:
            return 0.0
        if self.dist == 0:
            return -2.0 * SQRT3 * self.sigma * self.c ** 2 / p ** 3
        u = self.c / p
        return -self.sigma * u * u / (p * stats.norm.pdf(self._xi(p)))

    def h(self, p):
        """Single-market FOC h(p) = N + b c - 2 b p - l'(p) (concave)."""
        return self.N + self.b * self.c - 2.0 * self.b * p - self.ell1(p)

    def hp(self, p):
        return -2.0 * self.b - self.ell2(p)

    def argmax_h(self):
        if self._pm is None:
            self._pm = self._argmax_h()
        return self._pm

    def _argmax_h(self):
        c, b = self.c, self.b
        if self.sigma == 0.0:
            return c
        if self.dist == 0:
            return max(c, (SQRT3 * self.sigma * c * c / b) ** (1.0 / 3.0))
        lo = c * (1.0 + 1e-14)
        if self.hp(lo) <= 0.0:
            return lo
        hi = (self.N + b * c) / (2.0 * b) + 10.0 * c
        while self.hp(hi) >= 0.0:
            hi *= 2.0
        return optimize.brentq(self.hp, lo, hi, xtol=1e-13, rtol=8.9e-16, maxiter=500)

    def P(self, y):
        """Largest root of h(p) = y on (c, inf): (p, exists); no root -> (argmax h, False)."""
        A = (self.N + self.b * self.c - y) / (2.0 * self.b)  # h(A) - y = -l'(A) <= 0
        if self.sigma == 0.0:  # h linear: P = A
            return (A, True) if A > self.c else (self.c, False)
        pm = self.argmax_h()
        f_pm = self.h(pm) - y
        if f_pm < 0.0:
            return pm, False
        hi = max(A, pm)
        if f_pm == 0.0 or hi == pm:
            p = pm
        elif self.h(hi) - y >= 0.0:  # rounding at the upper end
            p = hi
        else:
            p = optimize.brentq(lambda q: self.h(q) - y, pm, hi, xtol=1e-13, rtol=8.9e-16, maxiter=500)
        return p, p > self.c

    def value(self, p, m):
        """Expected profit (p - c) m - l(p) at the optimal stock m + z(p)."""
        return (p - self.c) * m - self.ell(p)


# --------------------------------------------------------------------------------- one cell

def _invalid(reason):
    out = {k: NAN for k in OUTPUTS}
    out["regime"], out["invalid_reason"] = 0, reason
    return out


def _finite(*xs):
    return all(math.isfinite(x) for x in xs)


def solve_cell(N1=1500.0, N2=1500.0, b1=2.0, b2=1.0, c=250.0, c_G=10.0, omega=0.8,
               sigma1=50.0, sigma2=50.0, dist=0, sigma=None):
    if sigma is not None:
        sigma1 = sigma2 = sigma
    w = omega
    # §3 item 1: domain
    if not _finite(N1, N2, b1, b2, c, c_G, w, sigma1, sigma2) or dist not in (0, 1):
        return _invalid(1)
    if not (N1 > 0 and N2 > 0 and b1 > 0 and b2 > 0 and c > 0 and c_G >= 0 and 0 < w < 1
            and sigma1 >= 0 and sigma2 >= 0):
        return _invalid(1)
    # item 2: sigma bound
    if not (N1 - b1 * c - SQRT3 * sigma1 > 0 and N2 - b2 * c - SQRT3 * sigma2 > 0):
        return _invalid(2)
    m1 = Market(N1, b1, c, sigma1, dist)
    m2 = Market(N2, b2, c, sigma2, dist)

    # §8.1 no importer; item 3: viability
    p1t, e1 = m1.P(0.0)
    p2t, e2 = m2.P(0.0)
    if not (e1 and e2):
        return _invalid(3)
    Pi1 = m1.value(p1t, N1 - b1 * p1t)
    Pi2 = m2.value(p2t, N2 - b2 * p2t)
    if not (Pi1 > 0 and Pi2 > 0):
        return _invalid(3)
    q1t = N1 - b1 * p1t + m1.z(p1t)
    q2t = N2 - b2 * p2t + m2.z(p2t)
    pi_bar = Pi1 + Pi2
    # item 4: reverse flow
    if w * p1t - p2t - c_G > 0:
        return _invalid(4)

    out = {k: NAN for k in OUTPUTS}
    out["invalid_reason"] = 0
    out["pi_nogray"] = pi_bar
    out["pi_sgl"] = Pi2

    # §8.5 cede market 2
    mc = Market(N1 + N2 / 2.0 - b2 * c_G / (2.0 * w), b1 + b2 / (2.0 * w), c, sigma1, dist)
    pc, ec = mc.P(0.0)
    qGc = (w * N2 - b2 * (pc + c_G)) / (2.0 * w)
    pi_cede_raw = (pc - c) * (N1 - b1 * pc + qGc) - m1.ell(pc)
    cede_ok = ec and qGc > 0 and N1 - b1 * pc > 0 and N1 - b1 * pc + m1.z(pc) > 0
    pi_cede = pi_cede_raw if cede_ok else NEG_INF
    wholesale = pi_cede_raw if (ec and qGc > 0 and not cede_ok) else NAN
    if cede_ok:
        out["pi_cede"] = pi_cede

    # Theorem-1 strategy
    k = b2 / (2.0 * w * (1.0 - w))
    t0 = k * (c_G + c * (1.0 - w))
    s_t = w * p2t - p1t
    eq = {}
    if s_t <= c_G:  # ignore
        t1, pi_T1 = 1, pi_bar
        eq = {"p1": p1t, "p2": p2t, "q1": q1t, "q2": q2t}
    else:
        # §8.2 block
        def phi_B(tau):
            return w * m2.P(w * tau)[0] - m1.P(-tau)[0] - c_G

        tau_hi = -m1.h(w * p2t - c_G)
        tau_B = optimize.brentq(phi_B, 0.0, tau_hi, xtol=1e-13 * max(1.0, tau_hi), rtol=8.9e-16,
                                maxiter=500)
        mu = t0 - tau_B
        out["mu"] = mu
        pb1 = m1.P(-tau_B)[0]
        pb2 = (pb1 + c_G) / w
        eb2 = m2.P(w * tau_B)[1]
        qb1 = N1 - b1 * pb1 + m1.z(pb1)
        qb2 = N2 - b2 * pb2 + m2.z(pb2)
        blk_ok = eb2 and N1 - b1 * pb1 > 0 and qb1 > 0 and N2 - b2 * pb2 > 0 and qb2 > 0
        pi_blk = m1.value(pb1, N1 - b1 * pb1) + m2.value(pb2, N2 - b2 * pb2)
        if blk_ok:
            out["pi_blk"] = pi_blk
        if mu >= 0:
            t1, pi_T1 = 2, (pi_blk if blk_ok else NEG_INF)
            eq = {"p1": pb1, "p2": pb2, "q1": qb1, "q2": qb2}
        else:
            # §8.3 allow
            def T_inv(t):
                return (t / k + c_G - c * (1.0 - w)) / 2.0

            def phi_A(t):
                return w * m2.P(w * t)[0] - m1.P(-t)[0] - T_inv(t)

            t_hi = k * (2.0 * s_t - c_G + c * (1.0 - w))
            t_A = optimize.brentq(phi_A, t0, t_hi, xtol=1e-13 * max(1.0, t_hi), rtol=8.9e-16,
                                  maxiter=500)
            pa1 = m1.P(-t_A)[0]
            pa2, ea2 = m2.P(w * t_A)
            psi = k * (w * pa2 - pa1 - c_G)
            ma1 = N1 - b1 * pa1 + psi
            ma2 = N2 - b2 * pa2 - w * psi
            qa1 = ma1 + m1.z(pa1)
            qa2 = ma2 + m2.z(pa2)
            alw_ok = (ea2 and N1 - b1 * pa1 > 0 and N1 - b1 * pa1 + m1.z(pa1) > 0 and ma2 > 0
                      and qa2 > 0)
            pi_alw = m1.value(pa1, ma1) + m2.value(pa2, ma2)
            if alw_ok:
                out["pi_alw"] = pi_alw
            t1, pi_T1 = 3, (pi_alw if alw_ok else NEG_INF)
            eq = {"p1": pa1, "p2": pa2, "q1": qa1, "q2": qa2}

    # §3 item 5: wholesale corner
    if wholesale == wholesale and wholesale > max(pi_T1, Pi2):
        return _invalid(5)

    # §9.2 regime (ties: both-market beats single; single / Theorem-1 beat cede)
    regime, best = t1, pi_T1
    if Pi2 > pi_T1:
        regime, best = 4, Pi2
        eq = {"p1": NAN, "p2": p2t, "q1": 0.0, "q2": q2t}
    if pi_cede > best:
        regime, best = 5, pi_cede
        eq = {"p1": pc, "p2": NAN, "q1": N1 - b1 * pc + qGc + m1.z(pc), "q2": 0.0}
    out["regime"] = regime
    out["pi"] = best
    out.update(eq)
    return out


def candidate_values(out):
    """Finite values among the regime's candidates (for the tie test)."""
    vals = [out["pi_sgl"], out["pi_cede"]]
    mu = out["mu"]
    if mu != mu:
        vals.append(out["pi_nogray"])
    elif mu >= 0:
        vals.append(out["pi_blk"])
    else:
        vals.append(out["pi_alw"])
    return [v for v in vals if v == v]


# ---------------------------------------------------------------------------- oracle check

def check_oracle(path=None, rtol=1e-7, verbose=True):
    import json
    path = Path(path or Path(__file__).resolve().parents[1] / "tests/data/stochastic_newsvendor.json")
    cases = json.loads(path.read_text())["point_cases"]
    bad = 0
    for case in cases:
        inp = dict(case["inputs"])
        inp["dist"] = int(inp["dist"])
        exp = case["expected"]
        got = solve_cell(**inp)
        ok = got["regime"] == exp["regime"] and got["invalid_reason"] == exp["invalid_reason"]
        epi = exp.get("pi")
        if epi is None or epi != epi:
            ok = ok and got["pi"] != got["pi"]
            err = 0.0
        else:
            err = abs(got["pi"] - epi) / abs(epi)
            ok = ok and err <= rtol
        bad += not ok
        if verbose:
            print(f"{'ok ' if ok else 'BAD'} {case['id']:40s} regime {got['regime']} "
                  f"(exp {exp['regime']}) pi rel err {err:.2e}")
    return bad, len(cases)


if __name__ == "__main__":
    import sys
    nbad, n = check_oracle()
    print(f"{n - nbad}/{n} oracle point cases pass (regime, invalid_reason, pi to 1e-7 relative)")
    sys.exit(1 if nbad else 0)
