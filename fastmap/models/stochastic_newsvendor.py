"""Price-setting newsvendor manufacturer vs a parallel importer (Iravani, Mamani, Ahmadi 2011).

A manufacturer sets prices and stocks in two markets with additive noisy demand before demand is
known; a parallel importer may buy in market 1 and resell in market 2, where consumers value a
gray unit at ``omega`` times the authorized one. Spec: ``shared/models/stochastic_newsvendor.md``
(section numbers below refer to it). With the optimal stock, a market's expected profit is the
deterministic one minus a mismatch cost of the price only (§6), so every strategy reduces to
largest roots of the newsvendor first-order condition (:func:`fastmap.numerics.largest_root`) and
at most two monotone 1-D solves in a shadow price (block, allow; §8).

Regime = best of the Theorem-1 strategy (ignore / block / allow), leaving market 1 and ceding
market 2 (§9); uniform pricing (§8.6) and the profit ratios of §11.3 are reported beside it.
"""

import math
from enum import IntEnum

import numba

from ..loops import (block_buffers, block_cells, first_point, flush_block, n_blocks, next_point,
                     selected_parts)
from ..modeldef import Model, Output, Parameter, categorical, part_table
from ..scaling import output_exponents, scale_back
from ..numerics import (NORMAL, SQRT3, UNIFORM, bracket_converged, expected_min, foc, foc_and_slope,
                        foc_slope,
                        largest_root, newsvendor_terms, newton_bisect_step, newton_settled, norm_cdf)

PRICE = "currency/unit"
MONEY = "currency"
UNITS = "unit"
NAN = math.nan
NEG = -math.inf

PARAMETERS = (
    Parameter("N1", 1500.0, "market size (demand intercept) of market 1", UNITS, (0.0, None), "N1 > 0"),
    Parameter("N2", 1500.0, "market size of market 2", UNITS, (0.0, None), "N2 > 0"),
    Parameter("b1", 2.0, "price sensitivity of market 1", "unit^2/currency", (0.0, None), "b1 > 0"),
    Parameter("b2", 1.0, "price sensitivity of market 2", "unit^2/currency", (0.0, None), "b2 > 0"),
    Parameter("c", 250.0, "manufacturer's unit production cost", PRICE, (0.0, None), "c > 0"),
    Parameter("c_G", 10.0, "importer's unit transfer cost", PRICE, (0.0, None), "c_G >= 0"),
    Parameter("omega", 0.8, "consumers' relative valuation of gray units", "1", (0.0, 1.0),
              "0 < omega < 1"),
    Parameter("sigma1", 50.0, "standard deviation of the demand noise in market 1", UNITS,
              (0.0, None), "sigma1 >= 0 and N1 - b1 c - sqrt(3) sigma1 > 0"),
    Parameter("sigma2", 50.0, "standard deviation of the demand noise in market 2", UNITS,
              (0.0, None), "sigma2 >= 0 and N2 - b2 c - sqrt(3) sigma2 > 0"),
    Parameter("dist", 0.0, "noise family: 0 uniform on [-sqrt(3) sigma, sqrt(3) sigma], 1 normal",
              "1", (0.0, 1.0), "dist in {0, 1}"),
    Parameter("sigma", None, "common noise sd (derived axis: sigma1 = sigma2 = sigma)", UNITS,
              (0.0, None), "sigma >= 0", replaces=("sigma1", "sigma2")),
)

REGIMES = {0: "invalid", 1: "ignore", 2: "block", 3: "allow", 4: "single_market", 5: "cede_market2"}
REGIME_COLORS = {0: "#ffffff", 1: "#f7eaa4", 2: "#6dbd6a", 3: "#a0a0a0", 4: "#7fb0dd", 5: "#b48ecf"}
YES_NO = {0: "no", 1: "yes"}

CODES = (
    categorical("regime", "manufacturer's equilibrium strategy", REGIMES, REGIME_COLORS),
    categorical("invalid_reason", "why a point is invalid (spec section 3)",
                {0: "valid", 1: "domain", 2: "sigma_bound", 3: "market_not_viable", 4: "reverse_flow",
                 5: "wholesale_corner", 6: "not_representable"}),
    categorical("theorem1", "strategy prescribed by the paper's Theorem 1 alone",
                {0: "invalid", 1: "ignore", 2: "block", 3: "allow"}),
    categorical("block_side", "block from a position of strength (dmu/domega < 0) or weakness",
                {0: "not_block", 1: "strength", 2: "weakness"}),
    categorical("regime_uniform", "best option under uniform pricing",
                {0: "invalid", 1: "uniform_both", 2: "uniform_single", 3: "uniform_single1"}),
    categorical("regime_det", "regime of the deterministic twin (sigma1 = sigma2 = 0)", REGIMES,
                REGIME_COLORS),
    categorical("allow_interior", "an interior allow point exists (s_nogray > c_G and mu < 0)", YES_NO),
    categorical("block_admissible", "the block strategy is admissible", YES_NO),
    categorical("allow_admissible", "the allow strategy is admissible", YES_NO),
    categorical("cede_admissible", "ceding market 2 is admissible", YES_NO),
    categorical("reverse_gray_risk", "a reverse flow into an abandoned market 1 would pay", YES_NO),
)


def _floats(suffix, fields, case):
    return tuple(Output(f"{name}{suffix}", f"{long} ({case})", units) for name, long, units in fields)


P1 = ("p1", "price in market 1", PRICE)
P2 = ("p2", "price in market 2", PRICE)
Q1 = ("q1", "stock in market 1", UNITS)
Q2 = ("q2", "stock in market 2", UNITS)
PI1 = ("pi1", "expected profit from market 1 (incl. sales to the importer)", MONEY)
PI2 = ("pi2", "expected profit from market 2", MONEY)
PI = ("pi", "manufacturer's expected profit", MONEY)
QG = ("q_G", "importer's quantity", UNITS)
PG = ("p_G", "importer's price", PRICE)
PIG = ("pi_G", "importer's profit", MONEY)
BOTH = (P1, P2, Q1, Q2, PI1, PI2, PI)

FLOATS = (
    _floats("", BOTH + (QG, PG, PIG), "equilibrium")
    + (Output("price_gap", "p2 - p1 at the equilibrium (regimes 1-3)", PRICE),)
    + _floats("_nogray", BOTH, "no importer")
    + (Output("s_nogray", "margin left to the importer at no-importer prices: omega p2 - p1", PRICE),
       Output("omega_ign", "valuation below which the importer is ignored: (p1_nogray + c_G)/p2_nogray"),
       Output("t0", "k (c_G + c (1 - omega)), k = b2 / (2 omega (1 - omega))", UNITS),
       Output("mu", "Theorem-1 shadow value t0 - tau_B (block iff >= 0)", UNITS),
       Output("tau_B", "block shadow value", UNITS),
       Output("t_A", "allow shadow value", UNITS),
       Output("dmu_domega", "derivative of mu in omega", UNITS))
    + _floats("_blk", BOTH, "block")
    + _floats("_alw", BOTH + (QG, PG, PIG), "allow")
    + _floats("_sgl", (P2, Q2, PI), "single market: leave market 1")
    + _floats("_cede", (P1, Q1, PI, QG, PG, PIG), "cede market 2")
    + (Output("p_uni_both", "uniform price serving both markets", PRICE),
       Output("pi_uni_both", "profit of uniform pricing serving both markets", MONEY))
    + _floats("_uni", (("p", "uniform price", PRICE), Q1, Q2, PI1, PI2, PI), "uniform pricing")
    + (Output("ratio_uniform", "optimal profit / uniform-pricing profit"),
       Output("loss_uniform", "1 - uniform-pricing profit / optimal profit"),
       Output("loss_block", "1 - block profit / optimal profit"),
       Output("loss_allow", "1 - allow profit / optimal profit"),
       Output("gain_allow_over_block", "allow profit / block profit - 1"),
       Output("loss_single", "1 - single-market profit / optimal profit"),
       Output("gray_cost", "1 - optimal profit / no-importer profit"),
       Output("q1_ratio", "q1 / q1_nogray"),
       Output("q2_ratio", "q2 / q2_nogray"),
       Output("prob_negative_demand", "max over served markets of P(consumer mean demand + noise < 0)"),
       Output("wholesale_value", "value of the inadmissible cede point that invalidates the cell", MONEY))
    + (Output("pi_naive", "profit when ignoring the importer: no-importer prices and stocks kept", MONEY),
       Output("q_G_naive", "importer's quantity against the no-importer prices and stocks", UNITS),
       Output("p_G_naive", "importer's price against the no-importer prices and stocks", PRICE),
       Output("loss_ignore", "1 - pi_naive / optimal profit"),
       Output("pi_naive_reopt", "profit when ignoring the importer in prices only (stocks re-optimised)",
              MONEY),
       Output("q_G_naive_reopt", "importer's quantity against the no-importer prices", UNITS),
       Output("loss_ignore_reopt", "1 - pi_naive_reopt / optimal profit"))
    + _floats("_det", (P1, P2, Q1, Q2, PI, QG, PIG,
                       ("mu", "Theorem-1 shadow value", UNITS),
                       ("pi_uni", "uniform-pricing profit", MONEY)), "deterministic twin, sigma = 0")
    + (Output("pi_det_in_ssg", "profit of the deterministic-game decisions under uncertainty", MONEY),
       Output("loss_deterministic", "1 - pi_det_in_ssg / optimal profit"))
    # Signed margins: with mu (block >= 0 > allow), each regime boundary is the zero level set of one.
    + (Output("margin_threat", "s_nogray - c_G (> 0: the importer is a threat; <= 0: ignore)", PRICE),
       Output("margin_single", "pi_T1 - pi_sgl (< 0: leaving market 1 beats the Theorem-1 strategy; "
              "NaN where that strategy is inadmissible)", MONEY),
       Output("margin_cede", "pi_cede - max(pi_T1, pi_sgl) (> 0: ceding market 2 is optimal; NaN "
              "where ceding is inadmissible)", MONEY))
)
OUTPUTS = CODES + FLOATS
N_OUTPUTS = len(OUTPUTS)
N_CODES = len(CODES)
S = IntEnum("S", {o.name: i for i, o in enumerate(OUTPUTS)})  # output slots, numba constants

# Exact scaling (see ``kernel``): each output's exponents over the base units (unit, currency).
SCALE_EXPONENTS = output_exponents(OUTPUTS, (UNITS, MONEY))
# Amounts the regime rests on: the equilibrium and every compared strategy's profit.
REGIME_AMOUNTS = (S.p1, S.p2, S.q1, S.q2, S.pi1, S.pi2, S.pi, S.q_G, S.pi_G, S.pi_nogray, S.pi_blk,
                  S.pi_alw, S.pi_sgl, S.pi_cede)
MODERATE_LO, MODERATE_HI = 2.0 ** -100, 2.0 ** 100  # scales solved without rescaling
INF = math.inf

# Parts of the work that only some outputs need (bit flags): a map of the regime alone skips
# the deterministic twin, the heuristics, uniform pricing and the details (dmu/domega, the
# equilibrium's ratios and its probability of negative demand: ~7 % of a uniform-noise cell);
# ``evaluate`` reads the selection.
TWIN, HEURISTICS, UNIFORM_PRICING, DETAILS = 1, 2, 4, 8
ALL_PARTS = TWIN | HEURISTICS | UNIFORM_PRICING | DETAILS
PART_OF_SLOT = part_table(OUTPUTS, {
    TWIN: [o.name for o in OUTPUTS if o.name.endswith("_det")] + ["pi_det_in_ssg", "loss_deterministic"],
    HEURISTICS: ["pi_naive", "q_G_naive", "p_G_naive", "loss_ignore", "pi_naive_reopt", "q_G_naive_reopt",
                 "loss_ignore_reopt"],
    UNIFORM_PRICING: ["regime_uniform", "p_uni_both", "pi_uni_both", "p_uni", "q1_uni", "q2_uni", "pi1_uni",
                      "pi2_uni", "pi_uni", "ratio_uniform", "loss_uniform"],
    DETAILS: ["dmu_domega", "block_side", "prob_negative_demand", "loss_block", "loss_allow",
              "gain_allow_over_block", "loss_single", "gray_cost", "q1_ratio", "q2_ratio"],
})


# ------------------------------------------------------------------------------ market helpers

@numba.njit(cache=True, error_model="numpy", inline="always")
def _market(dist, sigma, c, p, m):
    """Stock and expected profit of a market at price p, mean demand m (optimal stock, §6.3)."""
    z, ell, _, _ = newsvendor_terms(dist, sigma, c, p)
    return m + z, (p - c) * m - ell


@numba.njit(cache=True, error_model="numpy", inline="always")
def _consumer_stock(dist, sigma, c, p, N, b):
    """Mean consumer demand N - b p and the consumers' part of the stock, N - b p + z(p)."""
    return N - b * p, N - b * p + newsvendor_terms(dist, sigma, c, p)[0]


@numba.njit(cache=True, error_model="numpy", inline="always")
def _inv_slope(dist, N, b, c, sigma, p, exists):
    """1 / h'(p), or 0 where P was clamped (P'(y) = 0 there)."""
    return 1.0 / foc_slope(dist, N, b, c, sigma, p) if exists else 0.0


@numba.njit(cache=True, error_model="numpy")
def _shadow_root(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k, lo, hi):
    """Root of Phi_B (block) or Phi_A (allow) on the proven bracket [lo, hi] (§8.2, §8.3).

    The spec's recipe, used where market 2's price may be clamped (see :func:`_market1_root`).
    Stops at a step of 1e-15 relative to the root, tighter than the spec's 1e-13 * t_hi: near
    omega = 1, q_G = k (omega p2 - p1 - c_G) multiplies the price error by k ~ 1/(1 - omega).
    """
    x = 0.5 * (lo + hi)
    for _ in range(300):
        p1, _e1 = largest_root(dist, N1, b1, c, s1, -x)
        p2, e2 = largest_root(dist, N2, b2, c, s2, omega * x)
        f = omega * p2 - p1
        df = (omega * omega * _inv_slope(dist, N2, b2, c, s2, p2, e2)
              + _inv_slope(dist, N1, b1, c, s1, p1, _e1))
        if allow:
            f -= (x / k + c_G - c * (1.0 - omega)) / 2.0
            df -= 1.0 / (2.0 * k)
        else:
            f -= c_G
        x_next, lo, hi = newton_bisect_step(x, f, df, lo, hi)
        if bracket_converged(x_next, x, lo, hi, 1e-15 * max(1.0, abs(x_next))):
            return x_next
        x = x_next
    return x


@numba.njit(cache=True, error_model="numpy", inline="always")
def _market2_price(allow, p1, t, inv_k, c, c_G, omega, inv_omega):
    """Market 2's price on the block line ``omega p2 - p1 = c_G`` or, for allow, on
    ``omega p2 - p1 = T^-1(t) = (t / k + c_G - c (1 - omega)) / 2``, at shadow value ``t``.

    Takes 1/k and 1/omega: inside :func:`_market1_root` this sits on the iteration's critical
    path, where a multiplication is much cheaper than a division."""
    gap = (t * inv_k + c_G - c * (1.0 - omega)) * 0.5 if allow else c_G
    return (p1 + gap) * inv_omega


@numba.njit(cache=True, error_model="numpy", inline="always")
def _market1_G(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, inv_k, inv_omega, p1):
    """``(G(p1), G'(p1), h2'(p2))`` for :func:`_market1_root`, with p2 on the block / allow line
    (:func:`_market2_price` at the shadow value t = -h1(p1))."""
    h1, d1 = foc_and_slope(dist, N1, b1, c, s1, p1)
    p2 = _market2_price(allow, p1, -h1, inv_k, c, c_G, omega, inv_omega)
    dp2 = (1.0 - 0.5 * d1 * inv_k) * inv_omega if allow else inv_omega
    h2, d2 = foc_and_slope(dist, N2, b2, c, s2, p2)
    return h2 + omega * h1, d2 * dp2 + omega * d1, d2


@numba.njit(cache=True, error_model="numpy")
def _market1_root(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k, lo, hi):
    """The root of Phi_B / Phi_A solved for market 1's price instead of the shadow value.

    At the root p1 = P1(-t), i.e. t = -h1(p1), and market 2's price follows explicitly
    (:func:`_market2_price`), so ``G(p1) = h2(p2(p1)) + omega h1(p1)`` needs no inner root solve
    (the recipe in t solves two cubics, or two Newton loops for normal noise, per iteration).
    G is strictly decreasing on the bracket [lo, hi] = [P1(-t_lo), P1(-t_hi)] as long as p2 stays
    on h2's decreasing branch, which holds everywhere once it holds at ``lo`` (p2 rises with p1).
    Returns p1, or NaN when it does not hold (P2 may be clamped there: use :func:`_shadow_root`).
    The first iterate is the Newton step from ``lo`` (where G is evaluated for that check anyway),
    and the iteration stops once the next step is predicted below 1e-16 relative
    (:func:`newton_settled`): about two evaluations of G per root instead of four.
    """
    inv_k, inv_omega = 1.0 / k, 1.0 / omega
    g, dg, d2 = _market1_G(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, inv_k, inv_omega, lo)
    if d2 >= 0.0:
        return NAN
    x, lo, hi = newton_bisect_step(lo, g, dg, lo, hi)
    step = INF
    for _ in range(300):
        g, dg, _ = _market1_G(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, inv_k, inv_omega, x)
        x_next, lo, hi = newton_bisect_step(x, g, dg, lo, hi)
        previous_step, step = step, abs(x_next - x)
        if (bracket_converged(x_next, x, lo, hi, 1e-15 * x_next)
                or newton_settled(step, previous_step, 1e-16 * x_next)):
            return x_next
        x = x_next
    return x


@numba.njit(cache=True, error_model="numpy")
def _shadow_point(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k, t_lo, t_hi, p_lo, p_hi):
    """Block (§8.2) or allow (§8.3) point: ``(t, p1, p2, P2_exists)`` for the shadow value t
    (tau_B or t_A) on [t_lo, t_hi], p1 = P1(-t) on [p_lo, p_hi], and p2 on the block / allow line.

    Block: t in [0, tau_hi] <=> p1 in [p1_nogray, omega p2_nogray - c_G] (tau_hi is -h1 there).
    Allow: t_A lies in (t0, tau_B), since Phi_A(tau_B) = mu / (2 k) < 0, so p1 in [P1(-t0), p1_blk].
    """
    p1 = _market1_root(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k, p_lo, p_hi)
    if p1 == p1:
        t = -foc(dist, N1, b1, c, s1, p1)
        return t, p1, _market2_price(allow, p1, t, 1.0 / k, c, c_G, omega, 1.0 / omega), True
    t = _shadow_root(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k, t_lo, t_hi)
    p1 = largest_root(dist, N1, b1, c, s1, -t)[0]
    if allow:
        p2, exists = largest_root(dist, N2, b2, c, s2, omega * t)
    else:
        exists = largest_root(dist, N2, b2, c, s2, omega * t)[1]
        p2 = _market2_price(False, p1, t, 1.0 / k, c, c_G, omega, 1.0 / omega)
    return t, p1, p2, exists


@numba.njit(cache=True, error_model="numpy")
def _negative_demand(dist, sigma, mean):
    """P(mean + eps < 0) for the noise of one market."""
    if sigma == 0.0:
        return 1.0 if mean < 0.0 else 0.0
    if dist == UNIFORM:
        a = SQRT3 * sigma
        return min(1.0, max(0.0, (a - mean) / (2.0 * a)))
    return norm_cdf(-mean / sigma)


@numba.njit(cache=True, error_model="numpy")
def _valid_inputs(N1, N2, b1, b2, c, c_G, omega, s1, s2, dist):
    for x in (N1, N2, b1, b2, c, c_G, omega, s1, s2, dist):
        if not math.isfinite(x):
            return False
    return (N1 > 0.0 and N2 > 0.0 and b1 > 0.0 and b2 > 0.0 and c > 0.0 and c_G >= 0.0
            and 0.0 < omega < 1.0 and s1 >= 0.0 and s2 >= 0.0 and (dist == UNIFORM or dist == NORMAL))


@numba.njit(cache=True, error_model="numpy")
def _invalid(o, reason, wholesale):
    for k in range(N_OUTPUTS):
        o[k] = NAN if k >= N_CODES else 0.0
    o[S.invalid_reason] = reason
    o[S.wholesale_value] = wholesale


@numba.njit(cache=True, error_model="numpy")
def _uniform_pricing(dist, N1, N2, b1, b2, c, s1, s2):
    """Largest root of h1 + h2 = 0 (§8.6); (p, exists). Uniform noise: h1 + h2 is the
    first-order condition of one market (N1 + N2, b1 + b2, sigma1 + sigma2), whose mismatch term
    sqrt(3) sigma c^2 / p^2 is linear in sigma: closed form. Normal: Newton from the right."""
    if dist == UNIFORM:
        p, exists = largest_root(dist, N1 + N2, b1 + b2, c, s1 + s2, 0.0)
        return (p, True) if exists else (NAN, False)
    p = (N1 + N2 + (b1 + b2) * c) / (2.0 * (b1 + b2))
    for _ in range(200):
        slope = foc_slope(dist, N1, b1, c, s1, p) + foc_slope(dist, N2, b2, c, s2, p)
        if slope >= 0.0 or p <= c:
            return NAN, False
        p_next = p - (foc(dist, N1, b1, c, s1, p) + foc(dist, N2, b2, c, s2, p)) / slope
        if p_next <= c:
            return NAN, False
        if abs(p_next - p) <= 1e-15 * p:
            return p_next, True
        p = p_next
    return p, True


@numba.njit(cache=True, error_model="numpy")
def _ratio(numerator, denominator):
    return numerator / denominator if numerator == numerator and denominator == denominator else NAN


# ------------------------------------------------------------------------------------- kernel

@numba.njit(cache=True, error_model="numpy")
def _game(o, N1, N2, b1, b2, c, c_G, omega, s1, s2, dist, parts):
    """The equilibrium and every strategy (§8, §9) into ``o`` at a point inside the domain (item
    1 of §3 checked by ``kernel``), with the ``parts`` asked for among ``DETAILS`` (dmu/domega
    and the ratios of §11.3) and ``UNIFORM_PRICING``."""
    if N1 - b1 * c - SQRT3 * s1 <= 0.0 or N2 - b2 * c - SQRT3 * s2 <= 0.0:
        _invalid(o, 2, NAN)
        return

    # No importer (§8.1); viability (reason 3) and reverse flow (reason 4).
    p1n, e1 = largest_root(dist, N1, b1, c, s1, 0.0)
    p2n, e2 = largest_root(dist, N2, b2, c, s2, 0.0)
    q1n, pi1n = _market(dist, s1, c, p1n, N1 - b1 * p1n)
    q2n, pi2n = _market(dist, s2, c, p2n, N2 - b2 * p2n)
    if not (e1 and e2 and pi1n > 0.0 and pi2n > 0.0):
        _invalid(o, 3, NAN)
        return
    if omega * p1n - p2n - c_G > 0.0:
        _invalid(o, 4, NAN)
        return
    pi_nogray = pi1n + pi2n

    # Cede market 2 (§8.5): one newsvendor in market 1 with the importer's order added.
    Nc = N1 + N2 / 2.0 - b2 * c_G / (2.0 * omega)
    bc = b1 + b2 / (2.0 * omega)
    p1c, ec = largest_root(dist, Nc, bc, c, s1, 0.0)
    qGc = (omega * N2 - b2 * (p1c + c_G)) / (2.0 * omega)
    m1c, stock1c = _consumer_stock(dist, s1, c, p1c, N1, b1)
    q1c, pic = _market(dist, s1, c, p1c, m1c + qGc)
    cede_ok = ec and qGc > 0.0 and m1c > 0.0 and stock1c > 0.0
    wholesale = pic if ec and qGc > 0.0 and not cede_ok else NAN

    # Theorem 1 (§8.2, §8.3).
    s_n = omega * p2n - p1n
    k = b2 / (2.0 * omega * (1.0 - omega))
    t0 = k * (c_G + c * (1.0 - omega))
    mu = NAN
    tau_B = NAN
    t_A = NAN
    dmu = NAN
    blk_ok = False
    alw_ok = False
    pi_blk = NEG
    pi_alw = NEG
    p1b = p2b = q1b = q2b = pi1b = pi2b = NAN
    p1a = p2a = q1a = q2a = pi1a = pi2a = qGa = pGa = piGa = NAN
    if s_n <= c_G:
        theorem1 = 1
        pi_T1 = pi_nogray
    else:
        tau_hi = -foc(dist, N1, b1, c, s1, omega * p2n - c_G)
        tau_B, p1b, p2b, e2b = _shadow_point(False, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k,
                                             0.0, tau_hi, p1n, omega * p2n - c_G)
        mu = t0 - tau_B
        q1b, pi1b = _market(dist, s1, c, p1b, N1 - b1 * p1b)
        q2b, pi2b = _market(dist, s2, c, p2b, N2 - b2 * p2b)
        blk_ok = e2b and N1 - b1 * p1b > 0.0 and q1b > 0.0 and N2 - b2 * p2b > 0.0 and q2b > 0.0
        if blk_ok:
            pi_blk = pi1b + pi2b
        if parts & DETAILS:
            # dmu/domega (§9.3), by implicit differentiation of Phi_B; P' = 1/h' (0 where clamped)
            dP1 = _inv_slope(dist, N1, b1, c, s1, p1b, True)
            dP2 = _inv_slope(dist, N2, b2, c, s2, p2b, e2b)
            dt0 = (-b2 * (c * omega * (1.0 - omega) + (c_G + c * (1.0 - omega)) * (1.0 - 2.0 * omega))
                   / (2.0 * omega * omega * (1.0 - omega) * (1.0 - omega)))
            dtau = -(p2b + omega * tau_B * dP2) / (omega * omega * dP2 + dP1)
            dmu = dt0 - dtau
        if mu >= 0.0:
            theorem1 = 2
            pi_T1 = pi_blk
        else:
            theorem1 = 3
            t_hi = k * (2.0 * s_n - c_G + c * (1.0 - omega))
            t_A, p1a, p2a, e2a = _shadow_point(True, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k,
                                               t0, t_hi, largest_root(dist, N1, b1, c, s1, -t0)[0], p1b)
            qGa = k * (omega * p2a - p1a - c_G)
            pGa = (omega * p2a + p1a + c_G) / 2.0
            piGa = (pGa - p1a - c_G) * qGa
            m1a, stock1a = _consumer_stock(dist, s1, c, p1a, N1, b1)
            m2a = N2 - b2 * p2a - omega * qGa
            q1a, pi1a = _market(dist, s1, c, p1a, m1a + qGa)
            q2a, pi2a = _market(dist, s2, c, p2a, m2a)
            alw_ok = e2a and m1a > 0.0 and stock1a > 0.0 and m2a > 0.0 and q2a > 0.0
            if alw_ok:
                pi_alw = pi1a + pi2a
            pi_T1 = pi_alw

    # Regime (§9.2), with the wholesale corner (reason 5).
    pi_cede = pic if cede_ok else NEG
    if wholesale == wholesale and wholesale > max(pi_T1, pi2n, pi_cede):
        _invalid(o, 5, wholesale)
        return
    if pi_cede > max(pi_T1, pi2n):
        regime = 5
    elif pi2n > pi_T1:
        regime = 4
    else:
        regime = theorem1
    o[S.margin_threat] = s_n - c_G
    o[S.margin_single] = pi_T1 - pi2n if pi_T1 > NEG else NAN
    o[S.margin_cede] = pi_cede - max(pi_T1, pi2n) if cede_ok else NAN

    o[S.regime] = regime
    o[S.invalid_reason] = 0
    o[S.theorem1] = theorem1
    o[S.allow_interior] = 1 if theorem1 == 3 else 0
    o[S.block_admissible] = 1 if blk_ok else 0
    o[S.allow_admissible] = 1 if alw_ok else 0
    o[S.cede_admissible] = 1 if cede_ok else 0
    o[S.reverse_gray_risk] = 1 if omega * N1 / b1 > p2n + c_G else 0

    o[S.p1_nogray] = p1n
    o[S.p2_nogray] = p2n
    o[S.q1_nogray] = q1n
    o[S.q2_nogray] = q2n
    o[S.pi1_nogray] = pi1n
    o[S.pi2_nogray] = pi2n
    o[S.pi_nogray] = pi_nogray
    o[S.s_nogray] = s_n
    o[S.omega_ign] = (p1n + c_G) / p2n
    o[S.t0] = t0
    o[S.mu] = mu
    o[S.tau_B] = tau_B
    o[S.t_A] = t_A
    o[S.p2_sgl] = p2n
    o[S.q2_sgl] = q2n
    o[S.pi_sgl] = pi2n
    ok = 1.0 if cede_ok else NAN
    o[S.p1_cede] = p1c * ok
    o[S.q1_cede] = q1c * ok
    o[S.pi_cede] = pic * ok
    o[S.q_G_cede] = qGc * ok
    o[S.p_G_cede] = (omega * N2 / b2 + p1c + c_G) / 2.0 * ok
    o[S.pi_G_cede] = ((omega * N2 / b2 + p1c + c_G) / 2.0 - p1c - c_G) * qGc * ok
    ok = 1.0 if blk_ok else NAN
    o[S.p1_blk] = p1b * ok
    o[S.p2_blk] = p2b * ok
    o[S.q1_blk] = q1b * ok
    o[S.q2_blk] = q2b * ok
    o[S.pi1_blk] = pi1b * ok
    o[S.pi2_blk] = pi2b * ok
    o[S.pi_blk] = (pi1b + pi2b) * ok
    ok = 1.0 if alw_ok else NAN
    o[S.p1_alw] = p1a * ok
    o[S.p2_alw] = p2a * ok
    o[S.q1_alw] = q1a * ok
    o[S.q2_alw] = q2a * ok
    o[S.pi1_alw] = pi1a * ok
    o[S.pi2_alw] = pi2a * ok
    o[S.pi_alw] = (pi1a + pi2a) * ok
    o[S.q_G_alw] = qGa * ok
    o[S.p_G_alw] = pGa * ok
    o[S.pi_G_alw] = piGa * ok

    # The equilibrium.
    qG = 0.0
    pG = NAN
    piG = 0.0
    if regime == 1:
        e_p1, e_p2, e_q1, e_q2, e_pi1, e_pi2 = p1n, p2n, q1n, q2n, pi1n, pi2n
    elif regime == 2:
        e_p1, e_p2, e_q1, e_q2, e_pi1, e_pi2 = p1b, p2b, q1b, q2b, pi1b, pi2b
    elif regime == 3:
        e_p1, e_p2, e_q1, e_q2, e_pi1, e_pi2 = p1a, p2a, q1a, q2a, pi1a, pi2a
        qG, pG, piG = qGa, pGa, piGa
    elif regime == 4:
        e_p1, e_p2, e_q1, e_q2, e_pi1, e_pi2 = NAN, p2n, 0.0, q2n, 0.0, pi2n
    else:
        e_p1, e_p2, e_q1, e_q2, e_pi1, e_pi2 = p1c, NAN, q1c, 0.0, pic, 0.0
        qG = qGc
        pG = o[S.p_G_cede]
        piG = o[S.pi_G_cede]
    pi_star = e_pi1 + e_pi2
    o[S.p1] = e_p1
    o[S.p2] = e_p2
    o[S.q1] = e_q1
    o[S.q2] = e_q2
    o[S.pi1] = e_pi1
    o[S.pi2] = e_pi2
    o[S.pi] = pi_star
    o[S.q_G] = qG
    o[S.p_G] = pG
    o[S.pi_G] = piG
    o[S.price_gap] = e_p2 - e_p1 if regime <= 3 else NAN
    o[S.wholesale_value] = NAN
    if parts & DETAILS:
        o[S.dmu_domega] = dmu
        o[S.block_side] = (1 if dmu < 0.0 else 2) if regime == 2 else 0
        negative = 0.0
        if regime != 4:
            negative = _negative_demand(dist, s1, N1 - b1 * e_p1)
        if regime != 5:
            mean2 = N2 - b2 * e_p2 - (omega * qG if regime == 3 else 0.0)
            negative = max(negative, _negative_demand(dist, s2, mean2))
        o[S.prob_negative_demand] = negative
        o[S.loss_block] = 1.0 - o[S.pi_blk] / pi_star
        o[S.loss_allow] = 1.0 - o[S.pi_alw] / pi_star
        o[S.gain_allow_over_block] = _ratio(o[S.pi_alw], o[S.pi_blk]) - 1.0
        o[S.loss_single] = 1.0 - pi2n / pi_star
        o[S.gray_cost] = 1.0 - pi_star / pi_nogray
        o[S.q1_ratio] = e_q1 / q1n
        o[S.q2_ratio] = e_q2 / q2n
    if parts & UNIFORM_PRICING:
        _uniform_options(o, N1, N2, b1, b2, c, c_G, omega, s1, s2, dist)


@numba.njit(cache=True, error_model="numpy")
def _uniform_options(o, N1, N2, b1, b2, c, c_G, omega, s1, s2, dist):
    """Uniform pricing (§8.6): both markets, market 2 only, market 1 only; ties in that order.
    Compared with the no-importer markets already in ``o``."""
    p1n, q1n, pi1n = o[S.p1_nogray], o[S.q1_nogray], o[S.pi1_nogray]
    p2n, q2n, pi2n, pi_star = o[S.p2_nogray], o[S.q2_nogray], o[S.pi2_nogray], o[S.pi]
    pu, eu = _uniform_pricing(dist, N1, N2, b1, b2, c, s1, s2)
    m1u, stock1u = _consumer_stock(dist, s1, c, pu, N1, b1)
    m2u, stock2u = _consumer_stock(dist, s2, c, pu, N2, b2)
    q1u, pi1u = _market(dist, s1, c, pu, m1u)
    q2u, pi2u = _market(dist, s2, c, pu, m2u)
    both_ok = eu and m1u > 0.0 and stock1u > 0.0 and m2u > 0.0 and stock2u > 0.0
    o[S.p_uni_both] = pu if both_ok else NAN
    o[S.pi_uni_both] = pi1u + pi2u if both_ok else NAN
    uni, pi_uni = 2, pi2n
    if both_ok and pi1u + pi2u >= pi2n:
        uni, pi_uni = 1, pi1u + pi2u
    if omega * N2 / b2 <= p1n + c_G and pi1n > pi_uni:
        uni, pi_uni = 3, pi1n
    o[S.regime_uniform] = uni
    if uni == 1:
        o[S.p_uni], o[S.q1_uni], o[S.q2_uni], o[S.pi1_uni], o[S.pi2_uni] = pu, q1u, q2u, pi1u, pi2u
    elif uni == 2:
        o[S.p_uni], o[S.q1_uni], o[S.q2_uni], o[S.pi1_uni], o[S.pi2_uni] = p2n, 0.0, q2n, 0.0, pi2n
    else:
        o[S.p_uni], o[S.q1_uni], o[S.q2_uni], o[S.pi1_uni], o[S.pi2_uni] = p1n, q1n, 0.0, pi1n, 0.0
    o[S.pi_uni] = pi_uni
    o[S.ratio_uniform] = pi_star / pi_uni
    o[S.loss_uniform] = 1.0 - pi_uni / pi_star


@numba.njit(cache=True, error_model="numpy")
def _importer(p1, p2, N2, b2, omega, c_G, limit):
    """Importer's response to (p1, p2) with at most ``limit`` units (§7): (q_G, p_G, m2)."""
    C = p1 + c_G
    if C >= omega * p2:
        return 0.0, NAN, N2 - b2 * p2
    kink = p2 - (1.0 - omega) * N2 / b2
    interior = (omega * p2 + C) / 2.0
    corner = (omega * N2 / b2 + C) / 2.0
    if interior >= kink:
        q_G, p_G = b2 * (omega * p2 - C) / (2.0 * omega * (1.0 - omega)), interior
    elif corner <= kink:
        q_G, p_G = (omega * N2 - b2 * C) / (2.0 * omega), corner
    else:
        q_G, p_G = (N2 - b2 * p2) / omega, kink
    if q_G > limit:  # stock-limited: the market-clearing price for `limit` units
        q_G = limit
        p_G = omega * p2 - omega * (1.0 - omega) * limit / b2
        if p_G < kink:
            p_G = omega * (N2 - limit) / b2
    m2 = N2 - b2 * p2 - omega * q_G if p_G >= kink else 0.0
    return q_G, p_G, m2


@numba.njit(cache=True, error_model="numpy")
def _sales_value(dist, sigma, c, p, q, m):
    """Expected profit of a market with fixed stock q: p E[min(q, m + eps)] - c q."""
    return p * (m + expected_min(dist, sigma, q - m)) - c * q


@numba.njit(cache=True, error_model="numpy")
def _reoptimised_value(dist, sigma, c, p, m):
    """Market value at price p with the stock re-optimised for mean demand m (stock >= 0)."""
    z = newsvendor_terms(dist, sigma, c, p)[0]
    if m + z >= 0.0:
        return _market(dist, sigma, c, p, m)[1]
    return p * (m + expected_min(dist, sigma, -m))


@numba.njit(cache=True, error_model="numpy")
def _heuristics(o, N1, N2, b1, b2, c, c_G, omega, s1, s2, dist):
    """Ignoring the importer (§11.1), from the no-importer decisions already in ``o``."""
    p1n, p2n, q1n, q2n, pi_star = o[S.p1_nogray], o[S.p2_nogray], o[S.q1_nogray], o[S.q2_nogray], o[S.pi]
    q_G, p_G, m2 = _importer(p1n, p2n, N2, b2, omega, c_G, q1n)
    m1 = N1 - b1 * p1n + q_G
    naive = _sales_value(dist, s1, c, p1n, q1n, m1) + _sales_value(dist, s2, c, p2n, q2n, m2)
    o[S.pi_naive] = naive
    o[S.q_G_naive] = q_G
    o[S.p_G_naive] = p_G
    o[S.loss_ignore] = 1.0 - naive / pi_star
    q_G, p_G, m2 = _importer(p1n, p2n, N2, b2, omega, c_G, math.inf)
    reopt = (_reoptimised_value(dist, s1, c, p1n, N1 - b1 * p1n + q_G)
             + _reoptimised_value(dist, s2, c, p2n, m2))
    o[S.pi_naive_reopt] = reopt
    o[S.q_G_naive_reopt] = q_G
    o[S.loss_ignore_reopt] = 1.0 - reopt / pi_star


@numba.njit(cache=True, error_model="numpy", inline="always")
def kernel(p, o, parts=ALL_PARTS):
    """The outputs of the model at one parameter point, in the order of ``OUTPUTS``: all of them,
    or those of the core game plus the ``parts`` asked for (bit flags; other slots untouched).

    The game is scale-free twice over (§3): scaling ``N1, N2, sigma1, sigma2`` and ``b1, b2`` by
    ``l`` scales stocks and profits by ``l``; scaling ``c, c_G`` by ``m`` and ``b1, b2`` by
    ``1/m`` scales prices by ``m`` and profits by ``m``. Profits are of order ``N**2 / b``, so
    their intermediate terms overflow long before the results (market sizes from ~1e154).
    Points whose scales are not all moderate (within ``2**+-100``) are therefore solved in a
    quantity unit ``2**kq`` near the geometric mean of ``N1, N2`` and a money unit ``2**km`` near
    that of the choke prices ``N1/b1, N2/b2``, and scaled back; powers of two scale exactly, so
    the result equals the unscaled computation wherever that one neither overflows nor
    underflows. A point whose equilibrium or compared profits float64 cannot hold (beyond
    ~1.8e308, or scales so far apart that no unit holds them) is ``invalid`` with reason 6
    ``not_representable``, never a valid regime with infinite profits.
    """
    N1, N2, b1, b2, c, c_G, omega, s1, s2, dist, sigma = (
        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10])
    if sigma == sigma:  # derived axis: sigma1 = sigma2 = sigma
        s1 = sigma
        s2 = sigma
    if not _valid_inputs(N1, N2, b1, b2, c, c_G, omega, s1, s2, dist):
        _invalid(o, 1, NAN)
        return
    if _moderate(N1, N2, b1, b2, c, c_G, s1, s2):
        _solve(o, N1, N2, b1, b2, c, c_G, omega, s1, s2, dist, parts)
    else:
        kn1, kn2 = math.frexp(N1)[1], math.frexp(N2)[1]
        kq = (kn1 + kn2) // 2
        km = (kn1 - math.frexp(b1)[1] + kn2 - math.frexp(b2)[1]) // 2
        N1, N2 = math.ldexp(N1, -kq), math.ldexp(N2, -kq)
        b1, b2 = math.ldexp(b1, km - kq), math.ldexp(b2, km - kq)
        if not _positive_finite(N1, N2, b1, b2):  # scales too far apart for one unit
            _invalid(o, 6, NAN)
            return
        # Costs and noise far below the scaled prices and sizes may round to 0: their effect on
        # every result is below one ulp.
        _solve(o, N1, N2, b1, b2, math.ldexp(c, -km), math.ldexp(c_G, -km), omega,
               math.ldexp(s1, -kq), math.ldexp(s2, -kq), dist, parts)
        scale_back(o, SCALE_EXPONENTS, (kq, kq + km))  # a price unit of 2**km currency/unit
    if o[S.regime] != 0 and not _representable(o, parts):
        _invalid(o, 6, NAN)


@numba.njit(cache=True, error_model="numpy")
def _moderate(N1, N2, b1, b2, c, c_G, s1, s2):
    """True iff every scale is 0 or within ``2**+-100`` (nothing can overflow unscaled)."""
    for x in (N1, N2, b1, b2, c, c_G, s1, s2):
        if x != 0.0 and not MODERATE_LO <= x <= MODERATE_HI:
            return False
    return True


@numba.njit(cache=True, error_model="numpy")
def _positive_finite(N1, N2, b1, b2):
    for x in (N1, N2, b1, b2):
        if not 0.0 < x < INF:
            return False
    return True


@numba.njit(cache=True, error_model="numpy")
def _representable(o, parts):
    """True iff no amount the regimes rest on overflowed."""
    for i in REGIME_AMOUNTS:
        if abs(o[i]) == INF:
            return False
    return not (parts & UNIFORM_PRICING and abs(o[S.pi_uni]) == INF)


@numba.njit(cache=True, error_model="numpy")
def _solve(o, N1, N2, b1, b2, c, c_G, omega, s1, s2, dist, parts):
    """The outputs of ``kernel`` at one point in any units. The deterministic twin (§10), the
    same game at sigma = 0, is solved first into ``o`` and its summary kept; then the stochastic
    game overwrites ``o``."""
    det = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if parts & TWIN:
        _game(o, N1, N2, b1, b2, c, c_G, omega, 0.0, 0.0, dist, UNIFORM_PRICING)
        det = (o[S.regime], o[S.p1], o[S.p2], o[S.q1], o[S.q2], o[S.pi], o[S.q_G], o[S.pi_G],
               o[S.mu], o[S.pi_uni])
    _game(o, N1, N2, b1, b2, c, c_G, omega, s1, s2, dist, parts)
    if o[S.regime] == 0:
        return
    if parts & HEURISTICS:
        _heuristics(o, N1, N2, b1, b2, c, c_G, omega, s1, s2, dist)
    if not parts & TWIN:
        return
    o[S.regime_det] = det[0]
    ok = 1.0 if det[0] > 0 else NAN
    o[S.p1_det], o[S.p2_det], o[S.q1_det], o[S.q2_det] = det[1] * ok, det[2] * ok, det[3] * ok, det[4] * ok
    o[S.pi_det], o[S.q_G_det], o[S.pi_G_det] = det[5] * ok, det[6] * ok, det[7] * ok
    o[S.mu_det], o[S.pi_uni_det] = det[8] * ok, det[9] * ok
    # §11.2: the deterministic decisions under uncertainty (stock = deterministic demand).
    value = 0.0
    if det[3] > 0.0:
        value += det[1] * (det[3] + expected_min(dist, s1, 0.0)) - c * det[3]
    if det[4] > 0.0:
        value += det[2] * (det[4] + expected_min(dist, s2, 0.0)) - c * det[4]
    o[S.pi_det_in_ssg] = value * ok
    o[S.loss_deterministic] = (1.0 - value / o[S.pi]) * ok


@numba.njit(cache=True, error_model="numpy")
def fill_block(values, moving, stride, length, start, count, p, position, left, buffer, parts):
    """``kernel`` at the ``count`` cells from ``start``, into the first ``count`` rows of
    ``buffer`` (the kernel is inlined here: see :mod:`fastmap.loops`)."""
    first_point(values, moving, stride, length, start, p, position, left)
    for row in range(count):
        kernel(p, buffer[row], parts)
        next_point(values, moving, stride, length, p, position, left)


@numba.njit(parallel=True, cache=True, error_model="numpy")
def evaluate(values, moving, stride, length, select, out, select_codes, codes):
    """Evaluate ``kernel`` over a chunk of cells (contract in :mod:`fastmap.loops`), doing only
    the parts of the work that the selected outputs need."""
    parts = selected_parts(PART_OF_SLOT, select, select_codes)
    for block in numba.prange(n_blocks(out.shape[1])):
        p, position, left, buffer = block_buffers(values, moving, N_OUTPUTS)
        cells = block_cells(block, out.shape[1])
        fill_block(values, moving, stride, length, cells.start, len(cells), p, position, left,
                   buffer, parts)
        flush_block(buffer, select, out, cells)
        flush_block(buffer, select_codes, codes, cells)


MODEL = Model(
    name="stochastic_newsvendor",
    title="Price-setting newsvendor manufacturer vs a parallel importer",
    reference=("F. Iravani, H. Mamani, R. Ahmadi, Coping with gray markets: the impact of market "
               "conditions and product characteristics, UCLA working paper (2011)"),
    parameters=PARAMETERS,
    outputs=OUTPUTS,
    evaluate=evaluate,
    default_axes=("omega", "b1"),
    thresholds={"omega_ign": "omega"},
    decisions={"regime": ("q1", "q2", "pi1", "pi2", "pi", "q_G", "pi_G")},
    summary=("Manufacturer (leader) sets prices and stocks in two markets with noisy demand; a "
             "parallel importer buys in market 1 and resells in market 2. Regimes: ignore, block, "
             "allow, single market, cede market 2."),
)
