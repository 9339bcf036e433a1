"""Price and service against a parallel importer (Iravani, Dasu, Ahmadi 2016).

A manufacturer sells in market 1 (low price) and market 2 (high price), each with a price and a
demand-enhancing service level; a parallel importer buys in market 1 and resells in market 2 with
his own service, consumers valuing the gray good at ``delta`` times the authorized one. Spec:
``shared/models/service_gray_market.md`` (section numbers below refer to it).

Three chains are solved at every point: centralized (no suffix), Model R (a retailer sets price and
service in market 2, ``_R``) and Model M (the retailer sets the price, the manufacturer the service,
``_M``); plus the price-only benchmark (12) (``_po``) and uniform pricing (``_u``). Everything is
closed form: every chain is a piecewise quadratic problem in the market-1 margin ``m1 = p1 - c`` and
the authorized market-2 sales ``D`` (section 7), separable on the importer side, so a fixed list of
candidates (ideal, block, allow, and the closed-market-1 corners) is evaluated and the most profitable
taken, in code order, a candidate replacing the best only if larger by more than 1e-9 relative
(section 11). The signed ``margin_*`` outputs (appended last) expose those comparisons: every
boundary of ``regime``, ``regime_R``, ``regime_M`` is the zero level set of one of them.
"""

import math
from collections import namedtuple

import numba
import numpy as np

from ..loops import (BLOCK, PAD, block_buffers, block_cells, first_point, flush_block, n_blocks,
                     next_point, selected_parts)
from ..modeldef import Model, Output, Parameter, categorical, part_table
from ..scaling import output_exponents, scale_back

PRICE = "money/unit"
MONEY = "money"
UNITS = "unit"
SERVICE = "service unit"

PARAMETERS = (
    Parameter("N1", 10000.0, "market base of market 1", UNITS, (0.0, None), "N1 > b1 c"),
    Parameter("N2", 10000.0, "market base of market 2", UNITS, (0.0, None), "N2 > b2 c"),
    Parameter("b1", 24.0, "price responsiveness of market 1", "unit^2/money", (0.0, None), "b1 > 0"),
    Parameter("b2", 10.0, "price responsiveness of market 2", "unit^2/money", (0.0, None), "b2 > 0"),
    Parameter("c", 100.0, "manufacturer's unit cost", PRICE, (0.0, None), "c >= 0"),
    Parameter("c_G", 5.0, "importer's transfer cost per unit", PRICE, (0.0, None), "c_G >= 0"),
    Parameter("theta1", 3.0, "demand responsiveness to the manufacturer's service in market 1",
              "unit/service unit", (0.0, None), "0 <= theta1 < sqrt(2 lambda1 b1)"),
    Parameter("theta2", 4.0, "demand responsiveness to the authorized service in market 2",
              "unit/service unit", (0.0, None), "0 <= theta2 < sqrt(2 lambda2 b2)"),
    Parameter("lambda1", 12.0, "service cost coefficient in market 1 (manufacturer)",
              "money/service unit^2", (0.0, None), "lambda1 > 0"),
    Parameter("lambda2", 24.0, "service cost coefficient in market 2 (manufacturer)",
              "money/service unit^2", (0.0, None), "lambda2 > 0"),
    Parameter("theta_G", 3.0, "demand responsiveness to the importer's service",
              "unit/service unit", (0.0, None), "theta_G >= 0"),
    Parameter("lambda_G", 36.0, "importer's service cost coefficient", "money/service unit^2",
              (0.0, None), "lambda_G > 0"),
    Parameter("delta", 0.7, "consumers' relative valuation of the gray good", "1", (0.0, 1.0),
              "0 < delta < delta_max = 2 lambda_G b2/(2 lambda_G b2 + theta_G^2)"),
    # No default: when not given it equals lambda2 (the paper's Model R), as a NaN slot.
    Parameter("lambda_r", None, "retailer's service cost coefficient (Model R; = lambda2 if not given)",
              "money/service unit^2", (0.0, None), "lambda_r > 0, theta2^2 < 2 lambda_r b2"),
)

REGIME_LABELS = {0: "invalid", 1: "ideal", 2: "block", 3: "allow", 4: "close_market1",
                 5: "close_market1_block", 6: "close_market1_allow"}
REGIME_COLORS = {0: "#ffffff", 1: "#f7eaa4", 2: "#7fb0dd", 3: "#e0584b", 4: "#6dbd6a",
                 5: "#2e6f9e", 6: "#8e3b8e"}
REASON_LABELS = {0: "ok", 1: "domain", 2: "assumption1", 3: "importer_soc", 4: "price_direction",
                 5: "retailer_soc", 6: "demand_above_N", 7: "not_representable"}
BOOL_LABELS = {0: "false", 1: "true"}
UNIFORM_LABELS = {0: "invalid", 1: "both_markets", 2: "market1_only", 3: "market2_only"}
CHAINS = (("", "centralized chain"), ("_R", "Model R (retailer sets p2 and s2)"),
          ("_M", "Model M (retailer sets p2, manufacturer s2)"))


def _chain_outputs(suffix: str, chain: str) -> tuple[Output, ...]:
    """The per-chain block of outputs (spec section 12), in the kernel's slot order."""
    outs = (
        categorical("regime" + suffix, f"equilibrium regime, {chain} (0 where footnote 2 fails)",
                    REGIME_LABELS, REGIME_COLORS),
        categorical("regime_lin" + suffix, f"regime of the linear-demand solution, {chain}",
                    REGIME_LABELS, REGIME_COLORS),
        categorical("invalid_reason" + suffix, f"why the point is invalid, {chain}", REASON_LABELS),
        categorical("demand_ok" + suffix, f"footnote 2 (demand <= N) holds, {chain}", BOOL_LABELS),
        Output("p1" + suffix, f"market-1 price (importer's purchase price), {chain}", PRICE),
        Output("s1" + suffix, f"market-1 service, {chain}", SERVICE),
        Output("d1" + suffix, f"market-1 consumer sales, {chain}", UNITS),
        Output("p2" + suffix, f"market-2 retail price, {chain}", PRICE),
        Output("s2" + suffix, f"market-2 authorized service, {chain}", SERVICE),
        Output("d2" + suffix, f"market-2 authorized sales, {chain}", UNITS),
        Output("q_G" + suffix, f"parallel imports, {chain}", UNITS),
        Output("p_G" + suffix, f"importer's price, {chain}", PRICE),
        Output("s_G" + suffix, f"importer's service, {chain}", SERVICE),
        Output("pi_m" + suffix, f"manufacturer's profit, {chain}", MONEY),
        Output("pi_G" + suffix, f"importer's profit, {chain}", MONEY),
    )
    if suffix:
        outs += (Output("omega" + suffix, f"wholesale price, {chain}", PRICE),
                 Output("pi_r" + suffix, f"retailer's profit, {chain}", MONEY))
    return outs


CHAIN_OUTPUTS = tuple(o for suffix, chain in CHAINS for o in _chain_outputs(suffix, chain))
BENCHMARKS = (
    Output("pi_ideal", "centralized ideal candidate profit (NaN if infeasible)", MONEY),
    Output("pi_block", "centralized block candidate profit (NaN if m1PI <= -c)", MONEY),
    Output("pi_allow", "centralized allow candidate profit (NaN if infeasible)", MONEY),
    Output("pi_close1", "centralized close-market-1 candidate profit", MONEY),
    Output("pi_n", "no-importer (ideal) profit, eq. (2)", MONEY),
    categorical("regime_po", "price-only benchmark (12) regime", REGIME_LABELS, REGIME_COLORS),
    Output("pi_po", "price-only benchmark profit", MONEY),
    Output("p1_po", "price-only benchmark market-1 price", PRICE),
    Output("p2_po", "price-only benchmark market-2 price", PRICE),
    Output("q_G_po", "price-only benchmark parallel imports", UNITS),
    categorical("regime_u", "uniform pricing: markets served", UNIFORM_LABELS,
                {0: "#ffffff", 1: "#a0a0a0", 2: "#6dbd6a", 3: "#7fb0dd"}),
    Output("p_u", "uniform price", PRICE),
    Output("s1_u", "uniform pricing: market-1 service", SERVICE),
    Output("s2_u", "uniform pricing: market-2 service", SERVICE),
    Output("d1_u", "uniform pricing: market-1 sales", UNITS),
    Output("d2_u", "uniform pricing: market-2 sales", UNITS),
    Output("pi_u", "uniform pricing profit", MONEY),
    categorical("demand_ok_u", "footnote 2 holds under uniform pricing", BOOL_LABELS),
)
RATIOS = (
    Output("ratio_service", "value of service: pi_m / pi_po (Fig. 2)"),
    Output("ratio_uniform", "strategic vs uniform pricing: pi_m / pi_u (Fig. 4)"),
    Output("ratio_pi_m_RM", "manufacturer's profit, Model R / Model M (Prop. 7)"),
    Output("ratio_pi_r_RM", "retailer's profit, Model R / Model M (Prop. 7)"),
    Output("ratio_s2_RC", "market-2 service, Model R / centralized (Prop. 5)"),
    Output("ratio_s2_MC", "market-2 service, Model M / centralized (Prop. 5)"),
)
# lambda b2 and theta^2 are both (unit/service unit)^2, so rho is too, and kappa its square.
RHO = "unit^2/service unit^2"
KAPPA = "unit^4/service unit^4"
THRESHOLDS = (
    Output("rho1", "rho1 = (2 - delta) lambda_G b2 - delta theta_G^2", RHO),
    Output("rho2", "rho2 = 2 (1 - delta) lambda_G b2 - delta theta_G^2 (importer SOC)", RHO),
    Output("kappa", "allow concavity, centralized: 2 lambda2 b2 rho2 - rho1 theta2^2", KAPPA),
    Output("kappa_R", "allow concavity, Model R: 2 lambda_r b2 rho2 - rho1 theta2^2", KAPPA),
    Output("kappa_M", "allow concavity, Model M: 4 lambda2 b2 rho2 - rho1 theta2^2", KAPPA),
    Output("delta_ideal", "centralized ideal iff delta <= delta_ideal (capped at 1)"),
    Output("delta_max", "importer SOC bound on delta"),
    Output("theta1_tilde", "Prop. 2(b): allow needs theta1 < theta1_tilde", "unit/service unit"),
    Output("theta2_tilde", "Prop. 2(b) threshold on theta2", "unit/service unit"),
    Output("lambda_bar", "Prop. 7: the retailer prefers R iff lambda_r <= lambda_bar",
           "money/service unit^2"),
)


def _value_margin(label: str, chain: str) -> str:
    return (f"{label} candidate's profit minus its nearest competitor's under the tie rule: min "
            f"over the other admissible candidates j of pi_{label} - pi_j - tol (j of lower code) "
            f"or pi_{label} - pi_j + tol (higher code), tol = 1e-9 max(1, |best candidate's "
            f"profit|), {chain} (> 0: {label} is the equilibrium, < 0: it is not; NaN where "
            f"{label} is inadmissible)")


def _import_margin(code: str, chain: str) -> str:
    return (f"Dbar(m1)/D_G - 1 at the {code} point (m1 = argmax F, D_G = argmax G): the importer's "
            f"entry threshold over the authorized sales there, minus 1, {chain} (> 0: q_G = "
            f"(lambda_G b2/rho1)(Dbar - D_G) > 0, the candidate is admissible; <= 0: it is not; "
            f"its zero set is that allow/block boundary, where the two profits touch without "
            f"crossing, up to the tie band; affine in the allow curvature kappa, hence no pole at "
            f"kappa = 0; NaN where Dbar(m1) <= 0)")


# Signed margins: every boundary of regime, regime_R and regime_M is the zero level set of one.
# Value margins (tie rule included) decide the regime: exactly one is > 0 (up to chains of ties
# within 1e-9). Where allow turns into block at q_G = 0 the two profits touch without crossing,
# so those boundaries are zero sets of the q_G margins; the centralized ideal point is the optimum
# wherever it is admissible (spec 8.1), so its boundary is the zero set of the admissibility test.
MARGINS_OUTPUTS = (
    Output("margin_ideal", "delta D_H - (E0 - b2 m1n) = b2 (p1n + c_G) - delta z_n: minus the "
           "importer's entry margin X at the no-importer optimum, centralized (>= 0: regime ideal; "
           "< 0: ideal inadmissible; zero at delta = delta_ideal)", UNITS),
    Output("margin_import", _import_margin("allow (7)-(10)", "centralized chain")),
    Output("margin_block", _value_margin("block", "centralized chain"), MONEY),
    Output("margin_allow", _value_margin("allow", "centralized chain"), MONEY),
    Output("margin_close_market1", _value_margin("close_market1", "centralized chain"), MONEY),
) + tuple(
    out for suffix, chain in CHAINS[1:] for out in (
        tuple(Output(f"margin_{label}{suffix}", _value_margin(label, chain), MONEY)
              for label in ("ideal", "block", "allow", "close_market1_block", "close_market1_allow"))
        + (Output(f"margin_import{suffix}", _import_margin("allow", chain)),
           Output(f"margin_import_closed{suffix}", _import_margin("close_market1_allow", chain)))))
OUTPUTS = CHAIN_OUTPUTS + BENCHMARKS + RATIOS + THRESHOLDS + MARGINS_OUTPUTS
N_OUTPUTS = len(OUTPUTS)
N_PARAMETERS = len(PARAMETERS)
assert N_PARAMETERS == 14 and PARAMETERS[13].name == "lambda_r"
STRIDE = BLOCK + PAD  # distance between two outputs (and parameters) of a cell in a block's buffer
# Exact scaling (see ``kernel``): each output's exponents over the base units.
SCALE_EXPONENTS = output_exponents(OUTPUTS, (MONEY, UNITS, SERVICE))

# Slots (declaration order above). Chain block: 4 codes, 11 fields, then omega, pi_r (R, M).
BASE_C, BASE_R, BASE_M = 0, 15, 32
(PI_IDEAL, PI_BLOCK, PI_ALLOW, PI_CLOSE1, PI_N, REGIME_PO, PI_PO, P1_PO, P2_PO, Q_G_PO, REGIME_U,
 P_U, S1_U, S2_U, D1_U, D2_U, PI_U, DEMAND_OK_U) = range(49, 67)
RATIO_SERVICE, RATIO_UNIFORM, RATIO_PI_M_RM, RATIO_PI_R_RM, RATIO_S2_RC, RATIO_S2_MC = range(67, 73)
(RHO1, RHO2, KAPPA, KAPPA_R, KAPPA_M, DELTA_IDEAL, DELTA_MAX, THETA1_TILDE, THETA2_TILDE,
 LAMBDA_BAR) = range(73, 83)
M_IDEAL, M_IMPORT, M_BLOCK, M_ALLOW, M_CLOSE1 = range(83, 88)
MBASE_R, MBASE_M = 88, 95   # R and M: value margins of codes 1, 2, 3, 5, 6, then q_G of 3 and 6
assert MBASE_M + 6 == N_OUTPUTS - 1 and OUTPUTS[BASE_M].name == "regime_M"
assert OUTPUTS[MBASE_R].name == "margin_ideal_R" and OUTPUTS[M_CLOSE1].name == "margin_close_market1"
assert OUTPUTS[PI_IDEAL].name == "pi_ideal" and OUTPUTS[RATIO_SERVICE].name == "ratio_service"
# Offsets inside a chain block.
REGIME, REGIME_LIN, REASON, DEMAND_OK, P1, S1, D1, P2, S2, D2, Q_G, P_G, S_G, PI_M, PI_G, OMEGA, PI_R = (
    range(17))
CENTRAL, MODEL_R, MODEL_M = 0, 1, 2

# Parts of the work that only some outputs need (bit flags): the three chains are always solved
# (every regime and the not_representable test rest on them), the signed margins, the price-only
# benchmark, uniform pricing and the derived thresholds and ratios only when one of their outputs
# is selected (a map of the regimes skips ~30 % of a cell, one without the margins ~10 %);
# ``evaluate`` reads the selection.
MARGINS, PRICE_ONLY, UNIFORM, DERIVED = 1, 2, 4, 8
ALL_PARTS = MARGINS | PRICE_ONLY | UNIFORM | DERIVED
PART_OF_SLOT = part_table(OUTPUTS, {
    MARGINS: [o.name for o in MARGINS_OUTPUTS],
    PRICE_ONLY: ["regime_po", "pi_po", "p1_po", "p2_po", "q_G_po", "ratio_service"],
    UNIFORM: ["regime_u", "p_u", "s1_u", "s2_u", "d1_u", "d2_u", "pi_u", "demand_ok_u",
              "ratio_uniform"],
    DERIVED: ["pi_n", "ratio_pi_m_RM", "ratio_pi_r_RM", "ratio_s2_RC", "ratio_s2_MC"]
             + [o.name for o in THRESHOLDS],
})
TIE = 1e-9
NAN = math.nan
MODERATE_LO, MODERATE_HI = 2.0 ** -100, 2.0 ** 100  # scales solved without rescaling
# The helpers below are inlined into ``kernel`` at numba IR level (inline="always"): without it,
# each call passes the 32-field Point by value and the kernel runs about twice as slow (measured).


#: Everything a chain needs at one point: the inputs, the constants of section 5, the
#: chain-independent importer-side optimum in m1 (market 1 open: m1F, F(m1F); closed: m1c, F(m1c))
#: the reciprocals the chains divide by (multiplying is several times cheaper than dividing), and
#: ``one``, one unit of money in the unit the point is solved in (the tie rule's floor).
Point = namedtuple("Point", (
    "N1", "N2", "b1", "b2", "c", "c_G", "theta1", "theta2", "lambda1", "lambda2", "theta_G",
    "lambda_G", "delta", "A1", "A2", "beta1", "E0", "k", "e", "alpha", "rho1", "rho2", "m1n",
    "m1PI", "m1F", "vF", "m1c", "vFc", "inv_delta", "inv_b2", "inv_rho1", "inv_rho2", "one"))


@numba.njit(cache=True, error_model="numpy", inline="always")
def _f1(m1, A1, beta1, b1):
    """Market-1 profit at margin m1 with the best service (section 7; s1 = 0 below cost)."""
    if m1 >= 0.0:
        return A1 * m1 - 0.5 * beta1 * m1 * m1
    return A1 * m1 - b1 * m1 * m1


@numba.njit(cache=True, error_model="numpy", inline="always")
def _argmax_pw(lin, curv_pos, curv_neg, c, upper):
    """Maximiser of a concave piecewise quadratic with slope ``lin - curv * x`` (curvature
    ``curv_pos`` for x >= 0, ``curv_neg`` below), on ``[-c, upper]`` (spec section 11)."""
    x = lin / curv_pos
    y = max(-c, lin / curv_neg)   # computed either way: a select, not a branch
    return min(y if x < 0.0 else x, upper)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _point(N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G, delta, one):
    """The constants of section 5 and the maximiser of F (section 7) for market 1 open and closed."""
    A1 = N1 - b1 * c
    A2 = N2 - b2 * c
    rho1 = (2.0 - delta) * lambda_G * b2 - delta * theta_G * theta_G
    rho2 = 2.0 * (1.0 - delta) * lambda_G * b2 - delta * theta_G * theta_G
    inv_delta, inv_b2, inv_rho1 = 1.0 / delta, 1.0 / b2, 1.0 / rho1
    beta1 = 2.0 * b1 - theta1 * theta1 / lambda1
    E0 = delta * N2 - b2 * (c + c_G)
    k = lambda_G * b2 * inv_delta * inv_rho1
    e = c_G + c * (1.0 - delta)
    alpha = (rho2 * A2 + lambda_G * b2 * b2 * e) * inv_rho1 * inv_b2
    m1PI = E0 * inv_b2
    m1F = _argmax_pw(A1 + k * E0, beta1 + 2.0 * k * b2, 2.0 * b1 + 2.0 * k * b2, c, math.inf)
    vF = _f1(m1F, A1, beta1, b1) + k * m1F * (E0 - b2 * m1F)
    m1c = 0.5 * m1PI
    vFc = k * m1c * (E0 - b2 * m1c)
    return Point(N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G, delta,
                 A1, A2, beta1, E0, k, e, alpha, rho1, rho2, A1 / beta1, m1PI, m1F, vF, m1c, vFc,
                 inv_delta, inv_b2, inv_rho1, 1.0 / rho2, one)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _equilibrium(chain, lam, q):
    """The manufacturer's optimum of one chain (section 11):
    ``(code, m1, D, v1, v2, v3, v4, cands, gap1, gap3, gap6)``.

    ``lam`` is the cost coefficient of whoever pays for market-2 service (lambda2 in C and M,
    lambda_r in R). ``v1..v4`` are the market-1-open candidate values (ideal, block, allow, close
    market 1), NaN when infeasible (reported for the centralized chain; ``v3`` is reported even
    where ``m1F`` exceeds ``m1_close``, as the oracle does, but is not a candidate there).
    ``cands`` are the values of the candidates 1..6 as compared (NaN: not a candidate); ``gap1 =
    delta D_H - (E0 - b2 m1n)`` (ideal admissible iff >= 0), ``gap3 = Dbar(m1F)/D_G - 1`` and
    ``gap6`` (the same at ``m1c``) (allow admissible iff > 0, i.e. ``q_G > 0``; computed with
    ``1/D_G``, which is affine in the curvature, so without a pole; NaN where ``Dbar <= 0``) are the
    admissibility tests.
    """
    b2, delta, rho1, rho2, A2 = q.b2, q.delta, q.rho1, q.rho2, q.A2
    t2sq = q.theta2 * q.theta2
    lb2 = q.lambda2 * b2
    if chain == CENTRAL:
        DH = lam * b2 * A2 / (2.0 * lam * b2 - t2sq)
        curv = 2.0 * lb2 * rho2 - rho1 * t2sq
        DG = q.alpha * lb2 * b2 * rho1 / curv
        inv_DG = curv / (q.alpha * lb2 * b2 * rho1)
        psi = t2sq / (2.0 * lb2 * b2)
    elif chain == MODEL_M:
        DH = lam * b2 * A2 / (4.0 * lam * b2 - t2sq)
        curv = 4.0 * lb2 * rho2 - rho1 * t2sq
        DG = q.alpha * lb2 * b2 * rho1 / curv
        inv_DG = curv / (q.alpha * lb2 * b2 * rho1)
        psi = (rho1 * t2sq - 2.0 * lb2 * rho2) / (2.0 * lb2 * b2 * rho1)
    else:
        DH = lam * b2 * A2 / (2.0 * (2.0 * lam * b2 - t2sq))
        curv = 2.0 * lam * b2 * rho2 - rho1 * t2sq
        DG = q.alpha * lam * b2 * b2 * rho1 / (2.0 * curv)
        inv_DG = 2.0 * curv / (q.alpha * lam * b2 * b2 * rho1)
        psi = (rho1 * t2sq - max(0.0, curv)) / (2.0 * lam * b2 * b2 * rho1)
    Hstar = 0.5 * A2 * DH * q.inv_b2
    E0, m1n, m1PI, c, inv_delta, one = q.E0, q.m1n, q.m1PI, q.c, q.inv_delta, q.one

    v1 = NAN
    gap1 = delta * DH - (E0 - b2 * m1n)
    if gap1 >= 0.0:
        v1 = 0.5 * q.A1 * m1n + Hstar
    v4 = Hstar
    v2 = v3 = v5 = v6 = NAN
    m1_2 = m1_3 = m1_5 = m1_6 = D2 = D3 = D5 = D6 = NAN
    Dbar3 = (E0 - b2 * q.m1F) * inv_delta
    Dbar6 = (E0 - b2 * q.m1c) * inv_delta
    gap3 = Dbar3 * inv_DG - 1.0 if Dbar3 > 0.0 else NAN
    gap6 = Dbar6 * inv_DG - 1.0 if Dbar6 > 0.0 else NAN
    if m1PI > -c:
        allow_ok = curv > 0.0 and DG > 0.0
        # market 1 open: allow (3) and block (2)
        if allow_ok and delta * DG < E0 - b2 * q.m1F:
            v3 = q.vF + 0.5 * q.alpha * DG
            if q.m1F <= 2.0 * m1n:   # else market 1 is closed there: candidate 6 or 5 beats it
                m1_3, D3 = q.m1F, DG
        w = 2.0 * b2 * (1.0 - psi * b2)
        lin = E0 * (1.0 - 2.0 * psi * b2) - b2 * q.e
        dsq = delta * delta
        m1_2 = _argmax_pw(lin + q.A1 * dsq, q.beta1 * dsq + w, 2.0 * q.b1 * dsq + w, c, m1PI)
        D2 = (E0 - b2 * m1_2) * inv_delta
        v2 = _f1(m1_2, q.A1, q.beta1, q.b1) + ((m1_2 + q.e) * inv_delta + psi * D2) * D2
        # market 1 closed: allow (6) and block (5)
        if allow_ok and delta * DG < E0 - b2 * q.m1c:
            v6 = q.vFc + 0.5 * q.alpha * DG
            m1_6, D6 = q.m1c, DG
        m1_5 = min(max(lin / w, 0.0), m1PI)
        D5 = (E0 - b2 * m1_5) * inv_delta
        v5 = ((m1_5 + q.e) * inv_delta + psi * D5) * D5

    # Code order; a candidate must beat the best so far by more than TIE relative. The code is a
    # float: LLVM turns tests of an integer against several constants into a ``switch``, which
    # its loop vectoriser rejects.
    code, best, m1, D = 0.0, -math.inf, NAN, NAN
    if v1 == v1:
        code, best, m1, D = 1.0, v1, m1n, DH
    if v2 == v2 and (code == 0.0 or v2 > best + TIE * max(one, abs(best))):
        code, best, m1, D = 2.0, v2, m1_2, D2
    if D3 == D3 and (code == 0.0 or v3 > best + TIE * max(one, abs(best))):
        code, best, m1, D = 3.0, v3, m1_3, D3
    if code == 0.0 or v4 > best + TIE * max(one, abs(best)):
        code, best, m1, D = 4.0, v4, NAN, DH
    if v5 == v5 and v5 > best + TIE * max(one, abs(best)):
        code, best, m1, D = 5.0, v5, m1_5, D5
    if v6 == v6 and v6 > best + TIE * max(one, abs(best)):
        code, best, m1, D = 6.0, v6, m1_6, D6
    cands = (v1, v2, v3 if D3 == D3 else NAN, v4, v5, v6)
    return code, m1, D, v1, v2, v3, v4, cands, gap1, gap3, gap6


@numba.njit(cache=True, error_model="numpy", inline="always")
def _margin(v, lo, hi, tol):
    """``v`` against the best lower-code value ``lo`` (which it must beat by more than ``tol``)
    and the best higher-code value ``hi`` (which must not beat it by more than ``tol``); NaN if
    ``v`` is NaN or has no competitor."""
    margin = min(v - lo - tol, v - hi + tol)
    return margin if margin < math.inf else NAN   # also NaN for NaN v


@numba.njit(cache=True, error_model="numpy", inline="always")
def _margins(o, i, s, slots, cands, one):
    """For each code ``j + 1`` with ``slots[j] >= 0``, write the margin of candidate ``j + 1``
    against its nearest competitor under the tie rule of section 11 (``min(v_j - max_{i<j} v_i -
    tol, v_j - max_{i>j} v_i + tol)``, ``tol = TIE max(1, |best value|)``): > 0 for the winner
    only (up to chains of ties within ``tol``). NaN where candidate ``j + 1`` (or every other) is
    inadmissible (NaN value). ``one``: one unit of money in the unit of ``cands``."""
    v0, v1, v2, v3, v4, v5 = cands
    # running maxima from the left and from the right; NaN (inadmissible) never compares greater
    lo0 = -math.inf
    lo1 = v0 if v0 > lo0 else lo0
    lo2 = v1 if v1 > lo1 else lo1
    lo3 = v2 if v2 > lo2 else lo2
    lo4 = v3 if v3 > lo3 else lo3
    lo5 = v4 if v4 > lo4 else lo4
    hi5 = -math.inf
    hi4 = v5 if v5 > hi5 else hi5
    hi3 = v4 if v4 > hi4 else hi4
    hi2 = v3 if v3 > hi3 else hi3
    hi1 = v2 if v2 > hi2 else hi2
    hi0 = v1 if v1 > hi1 else hi1
    best = v5 if v5 > lo5 else lo5
    tol = TIE * max(one, abs(best))
    # unrolled: indexing the tuples with a loop variable is several times slower
    if slots[0] >= 0:
        o[slots[0] * s + i] = _margin(v0, lo0, hi0, tol)
    if slots[1] >= 0:
        o[slots[1] * s + i] = _margin(v1, lo1, hi1, tol)
    if slots[2] >= 0:
        o[slots[2] * s + i] = _margin(v2, lo2, hi2, tol)
    if slots[3] >= 0:
        o[slots[3] * s + i] = _margin(v3, lo3, hi3, tol)
    if slots[4] >= 0:
        o[slots[4] * s + i] = _margin(v4, lo4, hi4, tol)
    if slots[5] >= 0:
        o[slots[5] * s + i] = _margin(v5, lo5, hi5, tol)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _outcome(chain, code, m1, D, lam, q):
    """Prices, quantities and profits of the strategy ``(code, m1, D)`` (section 11 end, sections
    5-6, 9.2): ``(p1, s1, d1, p2, s2, d2, q_G, p_G, s_G, pi_m, pi_G, omega, pi_r, demand_ok)``."""
    b2, delta, rho2, lambda_G, theta2 = q.b2, q.delta, q.rho2, q.lambda_G, q.theta2
    inv_b2, inv_delta, inv_rho1 = q.inv_b2, q.inv_delta, q.inv_rho1
    open1 = code <= 3.0
    closed = code == 4.0
    threshold = (code == 2.0) | (code == 5.0)
    allow = (code == 3.0) | (code == 6.0)
    p1 = NAN if closed else q.c + m1
    s1 = q.theta1 * max(m1, 0.0) / q.lambda1 if open1 else 0.0
    d1 = q.N1 - q.b1 * p1 + q.theta1 * s1 if open1 else 0.0
    s2 = theta2 * D / (lam * b2)
    a = p1 + q.c_G
    no_importer_side = (code == 1.0) | closed
    if no_importer_side:
        z = q.N2 - D
    elif threshold:   # at the entry threshold X = 0 (exactly, not up to rounding)
        z = b2 * a * inv_delta
    else:
        z = (rho2 * (q.N2 - D) + lambda_G * b2 * b2 * a) * inv_rho1
    p2 = (z + theta2 * s2) * inv_b2
    X = delta * z - b2 * a if allow else 0.0
    if X > 0.0:
        Xr = X * q.inv_rho2
        q_G = lambda_G * b2 * Xr * inv_delta
        s_G = q.theta_G * Xr
        p_G = a + lambda_G * (1.0 - delta) * Xr
        pi_G = 0.5 * lambda_G * X * Xr * inv_delta
        ok = b2 * p_G >= delta * q.theta_G * s_G
    else:
        q_G, s_G, p_G, pi_G = 0.0, 0.0, NAN, 0.0
        ok = z >= 0.0
    if open1:
        ok = ok and q.b1 * p1 >= q.theta1 * s1
    market1 = 0.0 if closed else m1 * (d1 + q_G) - 0.5 * q.lambda1 * s1 * s1
    c = q.c
    if chain == CENTRAL:
        omega = NAN
        pi_m = market1 + (p2 - c) * D - 0.5 * q.lambda2 * s2 * s2
        pi_r = NAN
    else:
        # Wholesale price inducing D (sections 7, 9.2).
        if no_importer_side:
            omega = (q.N2 - 2.0 * D) * inv_b2
        else:
            omega = (rho2 * (q.N2 - 2.0 * D) + lambda_G * b2 * b2 * a) * inv_b2 * inv_rho1
        if chain == MODEL_R:
            omega += theta2 * s2 * inv_b2
            if threshold:   # participation price caps the threshold price
                omega = min(omega, a * inv_delta + 0.5 * theta2 * s2 * inv_b2)
            pi_m = market1 + (omega - c) * D
            pi_r = (p2 - omega) * D - 0.5 * lam * s2 * s2
        else:
            omega += theta2 * s2 * inv_b2
            pi_m = market1 + (omega - c) * D - 0.5 * q.lambda2 * s2 * s2
            pi_r = (p2 - omega) * D
    return p1, s1, d1, p2, s2, D, q_G, p_G, s_G, pi_m, pi_G, omega, pi_r, ok


@numba.njit(cache=True, error_model="numpy", inline="always")
def _chain(o, i, s, base, chain, lam, q, margins):
    """Solve one chain and write its block of outputs and (if ``margins``) its margins; returns
    the open-market candidate values ``v1..v4`` (as reported) and every candidate value as
    compared."""
    code, m1, D, v1, v2, v3, v4, cands, gap1, gap3, gap6 = _equilibrium(chain, lam, q)
    if margins:
        if chain == CENTRAL:
            o[M_IDEAL * s + i] = gap1
            o[M_IMPORT * s + i] = gap3
            # 5 and 6 are never strictly optimal here (spec 8.4) and 5 ties with 4 structurally:
            # as competitors they would only add rounding noise to margin_close_market1.
            _margins(o, i, s, (-1, M_BLOCK, M_ALLOW, M_CLOSE1, -1, -1), cands[:4] + (NAN, NAN),
                     q.one)
        else:
            mb = MBASE_R if chain == MODEL_R else MBASE_M
            _margins(o, i, s, (mb, mb + 1, mb + 2, -1, mb + 3, mb + 4), cands, q.one)
            o[(mb + 5) * s + i] = gap3
            o[(mb + 6) * s + i] = gap6
    (p1, s1, d1, p2, s2, d2, q_G, p_G, s_G, pi_m, pi_G, omega, pi_r, ok) = _outcome(
        chain, code, m1, D, lam, q)
    o[(base + REGIME) * s + i] = code if ok else 0
    o[(base + REGIME_LIN) * s + i] = code
    o[(base + REASON) * s + i] = 0 if ok else 6
    o[(base + DEMAND_OK) * s + i] = 1 if ok else 0
    o[(base + P1) * s + i] = p1
    o[(base + S1) * s + i] = s1
    o[(base + D1) * s + i] = d1
    o[(base + P2) * s + i] = p2
    o[(base + S2) * s + i] = s2
    o[(base + D2) * s + i] = d2
    o[(base + Q_G) * s + i] = q_G
    o[(base + P_G) * s + i] = p_G
    o[(base + S_G) * s + i] = s_G
    o[(base + PI_M) * s + i] = pi_m
    o[(base + PI_G) * s + i] = pi_G
    if chain != CENTRAL:
        o[(base + OMEGA) * s + i] = omega
        o[(base + PI_R) * s + i] = pi_r
    return v1, v2, v3, v4, cands


@numba.njit(cache=True, error_model="numpy", inline="always")
def _invalid(o, reason, r_only):
    """Reason ``reason``: every output NaN, regimes 0 (only the ``_R`` block and margins if
    ``r_only``)."""
    first, stop = (BASE_R, BASE_M) if r_only else (0, N_OUTPUTS)
    for j in range(first, stop):
        o[j] = NAN
    if r_only:
        for j in range(MBASE_R, MBASE_M):
            o[j] = NAN
    for base in (BASE_C, BASE_R, BASE_M):
        if not r_only or base == BASE_R:
            o[base + REGIME] = 0
            o[base + REGIME_LIN] = 0
            o[base + REASON] = reason
            o[base + DEMAND_OK] = 0
    if not r_only:
        o[REGIME_PO] = 0
        o[REGIME_U] = 0
        o[DEMAND_OK_U] = 0


@numba.njit(cache=True, error_model="numpy", inline="always")
def _served(m, c, A, b, theta, lam, g):
    """One market under the uniform margin m (``g = theta^2/lam``): (service, sales, profit,
    footnote 2 holds); the market is served iff its contribution ``m (A - b m + g m/2)`` is
    positive (section 10.2)."""
    if A - b * m + 0.5 * g * m > 0.0:
        s = theta * m / lam
        d = A - b * m + g * m
        return s, d, m * d - 0.5 * lam * s * s, b * (c + m) >= theta * s
    return 0.0, 0.0, 0.0, True


@numba.njit(cache=True, error_model="numpy", inline="always")
def _uniform(o, i, s, A1, A2, b1, b2, c, theta1, theta2, lambda1, lambda2, one):
    """Uniform pricing (section 10.2): best of serving both markets, market 1 or market 2 only
    (``one``: one unit of money in the unit of the inputs)."""
    g1 = theta1 * theta1 / lambda1
    g2 = theta2 * theta2 / lambda2
    code, best, m = 0, -math.inf, NAN
    mb = (A1 + A2) / (2.0 * (b1 + b2) - g1 - g2)
    if A1 - b1 * mb + 0.5 * g1 * mb >= 0.0 and A2 - b2 * mb + 0.5 * g2 * mb >= 0.0:
        code, best, m = 1, 0.5 * (A1 + A2) * mb, mb
    m2 = A1 / (2.0 * b1 - g1)
    value = m2 * (max(0.0, A1 - b1 * m2 + 0.5 * g1 * m2) + max(0.0, A2 - b2 * m2 + 0.5 * g2 * m2))
    if code == 0 or value > best + TIE * max(one, abs(best)):
        code, best, m = 2, value, m2
    m3 = A2 / (2.0 * b2 - g2)
    value = m3 * (max(0.0, A1 - b1 * m3 + 0.5 * g1 * m3) + max(0.0, A2 - b2 * m3 + 0.5 * g2 * m3))
    if value > best + TIE * max(one, abs(best)):
        code, best, m = 3, value, m3
    s1, d1, pi1, ok1 = _served(m, c, A1, b1, theta1, lambda1, g1)
    s2, d2, pi2, ok2 = _served(m, c, A2, b2, theta2, lambda2, g2)
    o[REGIME_U * s + i] = code
    o[P_U * s + i] = c + m
    o[S1_U * s + i] = s1
    o[S2_U * s + i] = s2
    o[D1_U * s + i] = d1
    o[D2_U * s + i] = d2
    o[PI_U * s + i] = pi1 + pi2
    o[DEMAND_OK_U * s + i] = 1 if ok1 and ok2 else 0
    return pi1 + pi2


@numba.njit(cache=True, error_model="numpy", inline="always")
def _ratio(num, den):
    return num / den if den != 0.0 else NAN


@numba.njit(cache=True, error_model="numpy", inline="always")
def _representable(o, cands_c, cands_r, cands_m):
    """True iff no candidate profit a chain compared is infinite (NaN marks an inadmissible
    candidate) and every decision of each chain with a valid regime is finite."""
    check = 0.0  # x - x is 0 for finite x, NaN otherwise
    for cands in (cands_c, cands_r, cands_m):
        for v in cands:
            if v == v:
                check += v - v
    for base in (BASE_C, BASE_R, BASE_M):
        if o[base + REGIME] != 0.0:
            for k in (D1, D2, Q_G, PI_M, PI_G):
                check += o[base + k] - o[base + k]
            if base != BASE_C:
                check += o[base + PI_R] - o[base + PI_R]
    return check == 0.0


@numba.njit(cache=True, error_model="numpy", inline="always")
def _in_domain(N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G, delta,
               lambda_r):
    """Validity 1 (section 3): every parameter finite and in its domain."""
    finite = (math.isfinite(N1) and math.isfinite(N2) and math.isfinite(b1) and math.isfinite(b2)
              and math.isfinite(c) and math.isfinite(c_G) and math.isfinite(theta1)
              and math.isfinite(theta2) and math.isfinite(lambda1) and math.isfinite(lambda2)
              and math.isfinite(theta_G) and math.isfinite(lambda_G) and math.isfinite(delta)
              and math.isfinite(lambda_r))
    return (finite and N1 > 0.0 and N2 > 0.0 and b1 > 0.0 and b2 > 0.0 and lambda1 > 0.0
            and lambda2 > 0.0 and lambda_G > 0.0 and lambda_r > 0.0 and c >= 0.0 and c_G >= 0.0
            and theta1 >= 0.0 and theta2 >= 0.0 and theta_G >= 0.0 and 0.0 < delta < 1.0)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _moderate(N1, N2, b1, b2, c_G, lambda1, lambda2, lambda_G, delta, lambda_r):
    """The scales at which a point is solved as given, without rescaling (see ``kernel``)."""
    return (MODERATE_LO < N1 < MODERATE_HI and MODERATE_LO < N2 < MODERATE_HI
            and MODERATE_LO < b1 < MODERATE_HI and MODERATE_LO < b2 < MODERATE_HI
            and MODERATE_LO < lambda1 < MODERATE_HI and MODERATE_LO < lambda2 < MODERATE_HI
            and MODERATE_LO < lambda_G < MODERATE_HI and MODERATE_LO < lambda_r < MODERATE_HI
            and c_G < MODERATE_HI and delta > MODERATE_LO)


@numba.njit(cache=True, error_model="numpy", inline="always")
def kernel(p, o, parts=ALL_PARTS):
    """Every output of spec section 12 at one parameter point, in the order of ``OUTPUTS``, or
    those of the three chains plus the ``parts`` asked for (bit flags; other slots untouched).

    The model is homogeneous in three units (from the utilities and costs of section 5): scaling
    quantities by ``q`` (``N``, sales), prices by ``m`` (``c``, ``c_G``, prices, omega) and service
    levels by ``u`` maps ``b -> b q/m``, ``theta -> theta q/u``, ``lambda -> lambda m q/u^2`` and
    profits to ``m q`` times themselves, ``rho`` to ``(q/u)^2``, ``kappa`` to ``(q/u)^4``. Products
    such as ``N2^2`` overflow long before the results, so when a market base, responsiveness or
    cost coefficient lies outside ``2**+-100`` (or ``c_G`` above, ``delta`` below it) the point is
    solved in power-of-two units near the geometric means of the scales (quantity ``N1, N2``,
    price ``N1/b1, N2/b2``, service making ``lambda1 b1, lambda2 b2`` about 1) and scaled back:
    exactly the unscaled computation wherever that one neither overflows nor underflows (every
    expression is homogeneous, powers of two scale exactly; the tie rule's floor of one unit of
    money is carried as ``one``). A point where a compared candidate profit or a decision of a
    valid chain is beyond float64 after scaling back (or overflows even in those units, some
    dimensionless ratio being extreme) is invalid with reason 7 (``not_representable``).
    """
    (N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G, delta,
     lambda_r) = (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12],
                  p[13])
    if lambda_r != lambda_r:   # not given: the paper's lambda_r = lambda2
        lambda_r = lambda2

    # Validity 1-4 (section 3), in order.
    if not _in_domain(N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G,
                      delta, lambda_r):
        _invalid(o, 1, False)
        return
    moderate = _moderate(N1, N2, b1, b2, c_G, lambda1, lambda2, lambda_G, delta, lambda_r)
    one = 1.0  # the tie rule's floor: one unit of money
    kp = kq = ks = 0
    if not moderate:  # units of the docstring; one call site of the inlined _solve for both paths
        eN1, eN2 = math.frexp(N1)[1], math.frexp(N2)[1]
        eb1, eb2 = math.frexp(b1)[1], math.frexp(b2)[1]
        kq = (eN1 + eN2) >> 1
        kp = (eN1 - eb1 + eN2 - eb2) >> 1
        ks = kq - ((math.frexp(lambda1)[1] + eb1 + math.frexp(lambda2)[1] + eb2) >> 2)
        kl = 2 * ks - kp - kq  # lambda -> lambda 2**kl
        N1, N2 = math.ldexp(N1, -kq), math.ldexp(N2, -kq)
        b1, b2 = math.ldexp(b1, kp - kq), math.ldexp(b2, kp - kq)
        c, c_G = math.ldexp(c, -kp), math.ldexp(c_G, -kp)
        theta1, theta2 = math.ldexp(theta1, ks - kq), math.ldexp(theta2, ks - kq)
        theta_G = math.ldexp(theta_G, ks - kq)
        lambda1, lambda2 = math.ldexp(lambda1, kl), math.ldexp(lambda2, kl)
        lambda_G, lambda_r = math.ldexp(lambda_G, kl), math.ldexp(lambda_r, kl)
        one = math.ldexp(1.0, min(max(-kp - kq, -1000), 1000))
    cands = _solve(o, 0, 1, N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G,
                   lambda_G, delta, lambda_r, one, parts, False)[:3]
    if moderate or 2.0 <= o[BASE_C + REASON] <= 4.0:  # unit 1, or invalid (validity 2-4)
        return
    scale_back(o, SCALE_EXPONENTS, (kp + kq, kq, ks))  # money = price x quantity
    if not _representable(o, cands[0], cands[1], cands[2]):
        _invalid(o, 7, False)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _solve(o, i, s, N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G,
           delta, lambda_r, one, parts, lanes):
    """Validity 2-5 and the outputs of the three chains and of the ``parts`` asked for at a
    point in any units (``one``: one unit of money), output slot ``j`` at ``o[j * s + i]``;
    returns the candidate values each chain compared (NaN where not a candidate) and whether
    validity 2-5 hold.

    With ``lanes`` (a constant) nothing branches on validity: every output is computed as if it
    held (garbage where it does not) and the caller redoes the cells where it does not; this is
    the form LLVM vectorises across the cells of a block (see ``fill_block``)."""
    none = (NAN, NAN, NAN, NAN, NAN, NAN)
    A1 = N1 - b1 * c
    A2 = N2 - b2 * c
    g1 = 2.0 * lambda1 * b1 - theta1 * theta1
    g2 = 2.0 * lambda2 * b2 - theta2 * theta2
    rho1 = (2.0 - delta) * lambda_G * b2 - delta * theta_G * theta_G
    rho2 = 2.0 * (1.0 - delta) * lambda_G * b2 - delta * theta_G * theta_G
    p1n = (lambda1 * N1 + c * (lambda1 * b1 - theta1 * theta1)) / g1
    p2n = (lambda2 * N2 + c * (lambda2 * b2 - theta2 * theta2)) / g2
    theta2sq = theta2 * theta2
    valid_r = theta2sq < 2.0 * lambda_r * b2
    if not lanes:
        if not (A1 > 0.0 and A2 > 0.0 and g1 > 0.0 and g2 > 0.0):
            _invalid(o, 2, False)
            return none, none, none, False
        if not rho2 > 0.0:
            _invalid(o, 3, False)
            return none, none, none, False
        if not p1n < p2n:
            _invalid(o, 4, False)
            return none, none, none, False
    valid = A1 > 0.0 and A2 > 0.0 and g1 > 0.0 and g2 > 0.0 and rho2 > 0.0 and p1n < p2n and valid_r

    q = _point(N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G, delta,
               one)
    margins = parts & MARGINS != 0
    v1, v2, v3, v4, cands_c = _chain(o, i, s, BASE_C, CENTRAL, lambda2, q, margins)
    o[PI_IDEAL * s + i], o[PI_BLOCK * s + i] = v1, v2
    o[PI_ALLOW * s + i], o[PI_CLOSE1 * s + i] = v3, v4
    if lanes or valid_r:
        cands_r = _chain(o, i, s, BASE_R, MODEL_R, lambda_r, q, margins)[4]
    else:
        _invalid(o, 5, True)
        cands_r = none
    cands_m = _chain(o, i, s, BASE_M, MODEL_M, lambda2, q, margins)[4]
    pi_m = o[(BASE_C + PI_M) * s + i]

    if parts & PRICE_ONLY:  # the benchmark (12): the centralized chain without any service
        q0 = _point(N1, N2, b1, b2, c, c_G, 0.0, 0.0, lambda1, lambda2, 0.0, lambda_G, delta, one)
        code, m1, D = _equilibrium(CENTRAL, lambda2, q0)[:3]
        r = _outcome(CENTRAL, code, m1, D, lambda2, q0)
        o[REGIME_PO * s + i] = code
        o[P1_PO * s + i] = r[0]
        o[P2_PO * s + i] = r[3]
        o[Q_G_PO * s + i] = r[6]
        o[PI_PO * s + i] = r[9]
        o[RATIO_SERVICE * s + i] = pi_m / r[9]
    if parts & UNIFORM:
        o[RATIO_UNIFORM * s + i] = pi_m / _uniform(o, i, s, A1, A2, b1, b2, c, theta1, theta2,
                                                   lambda1, lambda2, one)
    if parts & DERIVED:
        _derived(o, i, s, N2, b1, b2, c_G, theta_G, theta2, lambda1, lambda2, lambda_G, lambda_r,
                 A1, A2, g1, g2, rho1, rho2, p1n, q.E0)
    return cands_c, cands_r, cands_m, valid


@numba.njit(cache=True, error_model="numpy", inline="always")
def _derived(o, i, s, N2, b1, b2, c_G, theta_G, theta2, lambda1, lambda2, lambda_G, lambda_r, A1,
             A2, g1, g2, rho1, rho2, p1n, E0):
    """The no-importer profit, the ratios between the chains and the thresholds of the paper's
    propositions."""
    theta2sq = theta2 * theta2
    o[PI_N * s + i] = 0.5 * lambda1 * A1 * A1 / g1 + 0.5 * lambda2 * A2 * A2 / g2
    o[RATIO_PI_M_RM * s + i] = _ratio(o[(BASE_R + PI_M) * s + i], o[(BASE_M + PI_M) * s + i])
    o[RATIO_PI_R_RM * s + i] = _ratio(o[(BASE_R + PI_R) * s + i], o[(BASE_M + PI_R) * s + i])
    o[RATIO_S2_RC * s + i] = _ratio(o[(BASE_R + S2) * s + i], o[(BASE_C + S2) * s + i])
    o[RATIO_S2_MC * s + i] = _ratio(o[(BASE_M + S2) * s + i], o[(BASE_C + S2) * s + i])
    o[RHO1 * s + i] = rho1
    o[RHO2 * s + i] = rho2
    o[KAPPA * s + i] = 2.0 * lambda2 * b2 * rho2 - rho1 * theta2sq
    o[KAPPA_R * s + i] = 2.0 * lambda_r * b2 * rho2 - rho1 * theta2sq
    o[KAPPA_M * s + i] = 4.0 * lambda2 * b2 * rho2 - rho1 * theta2sq
    # Ideal iff X_n = delta z_n - b2 (p1n + c_G) <= 0, z_n = N2 - D_H (section 8.1).
    z_n = N2 - lambda2 * b2 * A2 / g2
    o[DELTA_IDEAL * s + i] = b2 * (p1n + c_G) / z_n if z_n > b2 * (p1n + c_G) else 1.0
    o[DELTA_MAX * s + i] = 2.0 * lambda_G * b2 / (2.0 * lambda_G * b2 + theta_G * theta_G)
    rad = 2.0 * lambda1 * b1 - 2.0 * lambda1 * b2 * A1 / E0
    o[THETA1_TILDE * s + i] = math.sqrt(rad) if E0 > 0.0 and rad > 0.0 else NAN
    o[THETA2_TILDE * s + i] = math.sqrt(min(lambda2 * b2, 2.0 * lambda2 * b2 * rho2 / rho1))
    o[LAMBDA_BAR * s + i] = (8.0 * lambda2 * lambda2 * b2 * rho2
                             / (8.0 * lambda2 * b2 * rho2 - rho1 * theta2sq)
                             if theta2 > 0.0 else math.inf)


@numba.njit(cache=True, error_model="numpy", _nrt=False)
def fill_block(values, moving, stride, length, start, count, p, position, left, params, buffer,
               redo, row, parts):
    """The outputs at the ``count`` cells from ``start``: output slot ``j`` of the block's cell
    ``i`` goes to ``buffer[j * STRIDE + i]``.

    Three passes. The block's parameters are laid out one parameter after the other
    (``params[k * STRIDE + i]``). Then every cell is solved by the common path (``_solve`` with
    ``lanes``: moderate scales, validity 1-5 hold), without a branch on the cell's validity and
    with every buffer slot a constant distance from the others, so that LLVM's loop vectoriser
    runs the loop on eight cells at a time (AVX-512); ``redo`` marks the cells where the common
    path does not apply. Those are then solved one by one by ``kernel`` (invalid points, extreme
    scales) into ``row`` and copied over. Outputs are bit-identical to ``kernel`` everywhere: the
    vector lanes do the same IEEE operations, and no FMA contraction is allowed.

    What vectorisation takes: no reference counting in the loop (``_nrt=False``: numba would
    otherwise increment and decrement ``buffer``'s count around each inlined helper, and such a
    call stops the vectoriser; nothing here allocates), no ``switch`` (hence the float regime code
    in ``_equilibrium``), and every part computed (``ALL_PARTS``: with the parts as a run-time
    mask the vectorised loop ran 5-10x slower than the scalar one; computed always, the parts
    cost less than the scalar regime alone). One thread, 512 x 512 over the benchmark's grid,
    memory faulted in, AMD Zen 5, A/B in one process: the benchmark's outputs 142 -> 69 ns per
    cell, the regime alone 84 -> 52 ns.
    """
    first_point(values, moving, stride, length, start, p, position, left)
    for i in range(count):
        for k in range(N_PARAMETERS):
            params[k * STRIDE + i] = p[k]
        next_point(values, moving, stride, length, p, position, left)
    for i in range(count):
        (N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G, delta,
         lambda_r) = _parameters(params, i)
        if lambda_r != lambda_r:   # not given: the paper's lambda_r = lambda2
            lambda_r = lambda2
        common = (_in_domain(N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G,
                             lambda_G, delta, lambda_r)
                  and _moderate(N1, N2, b1, b2, c_G, lambda1, lambda2, lambda_G, delta, lambda_r))
        valid = _solve(buffer, i, STRIDE, N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2,
                       theta_G, lambda_G, delta, lambda_r, 1.0, ALL_PARTS, True)[3]
        redo[i] = not (common and valid)
    for i in range(count):
        if redo[i]:
            for k in range(N_PARAMETERS):
                p[k] = params[k * STRIDE + i]
            kernel(p, row, parts)
            for j in range(N_OUTPUTS):
                buffer[j * STRIDE + i] = row[j]


@numba.njit(cache=True, error_model="numpy", inline="always")
def _parameters(params, i):
    """The parameters of the block's cell ``i``."""
    return (params[i], params[STRIDE + i], params[2 * STRIDE + i], params[3 * STRIDE + i],
            params[4 * STRIDE + i], params[5 * STRIDE + i], params[6 * STRIDE + i],
            params[7 * STRIDE + i], params[8 * STRIDE + i], params[9 * STRIDE + i],
            params[10 * STRIDE + i], params[11 * STRIDE + i], params[12 * STRIDE + i],
            params[13 * STRIDE + i])


@numba.njit(parallel=True, cache=True, error_model="numpy")
def evaluate(values, moving, stride, length, select, out, select_codes, codes):
    """Evaluate ``kernel`` over a chunk of cells (contract in :mod:`fastmap.loops`), doing only
    the parts of the work that the selected outputs need."""
    parts = selected_parts(PART_OF_SLOT, select, select_codes)
    for block in numba.prange(n_blocks(out.shape[1])):
        p, position, left, _ = block_buffers(values, moving, 0)
        params = np.empty(N_PARAMETERS * STRIDE)
        buffer = np.empty(N_OUTPUTS * STRIDE)
        redo = np.empty(STRIDE, dtype=np.bool_)
        row = np.empty(N_OUTPUTS)
        cells = block_cells(block, out.shape[1])
        fill_block(values, moving, stride, length, cells.start, len(cells), p, position, left,
                   params, buffer, redo, row, parts)
        by_cell = buffer.reshape((N_OUTPUTS, STRIDE)).T
        flush_block(by_cell, select, out, cells)
        flush_block(by_cell, select_codes, codes, cells)


MODEL = Model(
    name="service_gray_market",
    title="Price and service against a parallel importer (centralized, Model R, Model M)",
    reference=("F. Iravani, S. Dasu, R. Ahmadi, Beyond price mechanisms: How much can service help "
               "manage the competition from gray markets?, European Journal of Operational Research "
               "252(3) (2016) 789-800"),
    parameters=PARAMETERS,
    outputs=OUTPUTS,
    evaluate=evaluate,
    default_axes=("delta", "theta2"),
    thresholds={"delta_ideal": "delta", "delta_max": "delta"},
    decisions={"regime": ("d1", "d2", "q_G", "pi_m", "pi_G"),
               "regime_R": ("d1_R", "d2_R", "q_G_R", "pi_m_R", "pi_G_R", "pi_r_R"),
               "regime_M": ("d1_M", "d2_M", "q_G_M", "pi_m_M", "pi_G_M", "pi_r_M")},
    summary=("Manufacturer (leader) sets prices and service levels in two markets (through a "
             "retailer in market 2 in Models R and M); a parallel importer (follower) buys in market "
             "1 and resells in market 2 with his own service. Closed form, no root finding."),
)
