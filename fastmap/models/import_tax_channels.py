"""Differentiated vs equal pricing against a tax-driven gray channel (Yu, Xiao, Zaccour 2023).

A manufacturer sells at home and, paying import tax ``t``, abroad; a parallel importer buys at the
domestic price, pays the lower tax ``t_g`` and resells abroad a gray good valued at ``delta`` times
the authorized one. Spec: ``shared/models/import_tax_channels.md`` (section numbers below refer to
it). Everything is closed form: benchmark B, equal pricing E, accommodation D (interior) or its
corner C, and the best deterring differentiated prices A*. Two classifications are returned:
``regime``, the paper's rule (EP vs DP-with-importer), and ``regime_true``, the full Stackelberg
equilibrium in which EP is dominated by deterring DP prices (spec §0, §10.2).
"""

import math

import numba

from ..loops import block_buffers, block_cells, first_point, flush_block, n_blocks, next_point
from ..modeldef import Model, Output, Parameter, categorical
from ..scaling import output_exponents, scale_back

PRICE = "currency/unit"
MONEY = "currency"
MASS = "unit"

PARAMETERS = (
    Parameter("delta", 0.7, "consumers' acceptance of the gray good (gray value = delta * V)", "1",
              (0.0, 1.0), "0 < delta < 1"),
    Parameter("t", 0.25, "import tax on the authorized product", PRICE, (0.0, None),
              "0 <= t <= theta_f"),
    Parameter("t_g", 0.05, "tax on gray imports (cross-border e-commerce)", PRICE, (0.0, None),
              "t_g >= 0"),
    Parameter("N_d", 1.0, "domestic market size", MASS, (0.0, None), "N_d > 0"),
    Parameter("N_f", 1.0, "foreign market size", MASS, (0.0, None), "N_f > 0"),
    Parameter("theta_d", 1.0, "domestic willingness-to-pay upper bound", PRICE, (0.0, None),
              "theta_d > 0"),
    Parameter("theta_f", 1.0, "foreign willingness-to-pay upper bound", PRICE, (0.0, None),
              "theta_f > 0 and delta*theta_f <= 2*theta_d + t_g"),
    Parameter("alpha", 0.2, "weight of foreign consumer surplus in foreign welfare", "1",
              (0.0, 1.0), "0 <= alpha <= 1"),
    Parameter("beta", 0.2, "weight of domestic consumer surplus in domestic welfare", "1",
              (0.0, 1.0), "0 <= beta <= 1"),
    Parameter("dt", None, "tax incentive t - t_g (derived axis: t_g = t - dt)", PRICE, (None, None),
              "t_g = t - dt >= 0", replaces=("t_g",)),
)

REGIMES = {0: "invalid", 1: "no_gray_market", 2: "dp_beneficial", 3: "dp_harmful", 4: "ep_block",
           5: "no_foreign_authorized"}
REGIMES_TRUE = {0: "invalid", 1: "ignore", 2: "limit_price", 3: "accommodate",
                4: "accommodate_no_foreign_authorized"}

# The paper's colour keys (Figs 7-8): grey = DP beneficial, red = DP harmful, green = EP,
# yellow = no importer / no authorized foreign sales.
REGIME_COLORS = {0: "#ffffff", 1: "#f7eaa4", 2: "#a0a0a0", 3: "#e0584b", 4: "#6dbd6a", 5: "#f0bf26"}
REGIME_TRUE_COLORS = {0: "#ffffff", 1: "#f7eaa4", 2: "#7fb0dd", 3: "#a0a0a0", 4: "#f0bf26"}

CODES = (
    categorical("regime", "manufacturer's strategy under the paper's rule (EP vs DP with importer)",
                REGIMES, REGIME_COLORS),
    categorical("regime_true", "full Stackelberg equilibrium (deterring DP prices allowed)",
                REGIMES_TRUE, REGIME_TRUE_COLORS),
    categorical("case_d", "accommodation branch", {0: "invalid", 1: "none", 2: "interior", 3: "corner"}),
    categorical("deter_branch", "best deterring DP prices A*",
                {0: "invalid", 1: "benchmark", 2: "limit_line", 3: "vertex", 4: "domestic_exit"}),
    categorical("gray_beneficial", "gray channel raises the manufacturer's profit over the benchmark",
                {-1: "invalid", 0: "no", 1: "yes"}),
    # Fig. 6 colours: (a) pink I, blue II, orange III, IV (EP); (b) purple I, light green II, and
    # the EP sub-regions III/IV in darker shades (their assignment is a convention, spec §10.4).
    categorical("wreg_f", "foreign welfare region of Fig. 6(a)",
                {0: "undefined", 1: "DP_D_gt_E_gt_B", 2: "DP_E_ge_D_gt_B", 3: "DP_D_le_B", 4: "EP"},
                {0: "#ffffff", 1: "#f4a6c8", 2: "#7fa7d9", 3: "#f5a04a", 4: "#8cc084"}),
    categorical("wreg_d", "domestic welfare region of Fig. 6(b)",
                {0: "undefined", 1: "DP_D_gt_B", 2: "DP_D_le_B", 3: "EP_D_le_B", 4: "EP_D_gt_B"},
                {0: "#ffffff", 1: "#b39ddb", 2: "#c5e1a5", 3: "#7cb342", 4: "#7e57c2"}),
)

THRESHOLDS = (
    Output("t0", "tax below which benchmark prices deter the importer", PRICE),
    Output("t1", "tax above which the importer can be accommodated (Q_g_D = 0)", PRICE),
    Output("t2", "tax above which authorized foreign sales vanish (Q_f_D = 0)", PRICE),
    Output("t3", "tax above which accommodation beats the benchmark (piM_D = piM_B)", PRICE),
    Output("t3_lo", "lower root of piM_D = piM_B", PRICE),
    Output("t4", "tax above which accommodation beats equal pricing (piM_D = piM_E)", PRICE),
    Output("t4_lo", "lower root of piM_D = piM_E", PRICE),
    Output("t3_C", "tax above which corner C beats the benchmark", PRICE),
    Output("t4_C", "tax below which equal pricing beats corner C", PRICE),
    Output("R", "accommodation feasibility margin (importer can be accommodated iff R > 0)",
           "currency^2/unit"),  # N theta^2: quantity times price squared
)

FIELDS = (
    ("p_d", "domestic price", PRICE),
    ("p_f", "foreign authorized price", PRICE),
    ("p_g", "gray price", PRICE),
    ("Q_d", "domestic quantity", MASS),
    ("Q_f", "foreign authorized quantity", MASS),
    ("Q_g", "gray quantity", MASS),
    ("piM", "manufacturer's profit", MONEY),
    ("piI", "importer's profit", MONEY),
    ("CS_d", "domestic consumer surplus", MONEY),
    ("CS_f", "foreign consumer surplus", MONEY),
    ("SW_d", "domestic welfare", MONEY),
    ("SW_f", "foreign welfare", MONEY),
)
CASES = (
    ("_B", "benchmark B, no importer"),
    ("_E", "equal pricing E"),
    ("_D", "accommodation: interior D or corner C"),
    ("_A", "best deterring DP prices A*"),
    ("", "outcome selected by regime"),
    ("_true", "outcome selected by regime_true"),
)
CASE_OUTPUTS = tuple(
    Output(field + suffix, f"{long} ({case})", units)
    for suffix, case in CASES
    for field, long, units in FIELDS
)
RATIOS = (
    Output("piM_ratio_DB", "manufacturer's profit, accommodation / benchmark"),
    Output("piM_ratio_DE", "manufacturer's profit, accommodation / equal pricing"),
)
# Signed margins: each regime boundary is the zero level set of one of these smooth fields.
MARGINS = (
    Output("margin_gray", "t - t1 where R > 0 (> 0: the importer can be accommodated; NaN where "
           "R <= 0: never)", PRICE),
    Output("margin_corner", "t - t2 (> 0: accommodation leaves no authorized foreign sales)", PRICE),
    Output("margin_ep", "piM_E - piM_D (> 0: equal pricing beats accommodation, regime ep_block)",
           MONEY),
    Output("margin_dp", "piM_D - piM_B (> 0: accommodation beats the benchmark, dp_beneficial)", MONEY),
    Output("margin_true", "piM_D - piM_A (> 0: the true equilibrium accommodates the importer)",
           MONEY),
)
OUTPUTS = CODES + THRESHOLDS + CASE_OUTPUTS + RATIOS + MARGINS
N_OUTPUTS = len(OUTPUTS)
# Exact scaling (see ``kernel``): each output's exponents over the base units (unit, currency).
SCALE_EXPONENTS = output_exponents(OUTPUTS, (MASS, MONEY))

# Slots of the output vector (declaration order above).
REGIME, REGIME_TRUE, CASE_D, DETER, GRAY_BENEFICIAL, WREG_F, WREG_D = range(7)
T0, T1, T2, T3, T3_LO, T4, T4_LO, T3_C, T4_C, R_SLOT = range(7, 17)
NF = len(FIELDS)
SLOT_B, SLOT_E, SLOT_D, SLOT_A, SLOT_SEL, SLOT_TRUE = (17 + NF * j for j in range(6))
PIM = 6  # offset of piM inside a case block
RATIO_DB, RATIO_DE = SLOT_TRUE + NF, SLOT_TRUE + NF + 1
M_GRAY, M_CORNER, M_EP, M_DP, M_TRUE = range(RATIO_DE + 1, RATIO_DE + 6)
assert M_TRUE == N_OUTPUTS - 1
NAN = math.nan
MODERATE_LO, MODERATE_HI = 2.0 ** -100, 2.0 ** 100  # scales solved without rescaling


@numba.njit(cache=True, error_model="numpy")
def _profit_no_gray(N_d, N_f, theta_d, theta_f, t, p_d, p_f):
    """Manufacturer's profit when no gray good is sold (spec §7.2, §7.5)."""
    return (N_d * p_d * max(0.0, 1.0 - p_d / theta_d)
            + N_f * (p_f - t) * max(0.0, 1.0 - p_f / theta_f))


@numba.njit(cache=True, error_model="numpy")
def _store_case(o, base, p_d, p_f, p_g, Q_d, Q_f, Q_g, piM, piI,
                delta, N_d, N_f, theta_d, theta_f, alpha, beta):
    """Write one outcome with its consumer surplus and welfare (spec §9) at slot ``base``."""
    CS_d = theta_d * Q_d * (Q_d / N_d) / 2.0  # Q / N first: no overflow at huge market sizes
    q_f, q_g = Q_f / N_f, Q_g / N_f
    CS_f = theta_f * N_f * (q_f * q_f + 2.0 * delta * q_f * q_g + delta * q_g * q_g) / 2.0
    o[base] = p_d
    o[base + 1] = p_f
    o[base + 2] = p_g
    o[base + 3] = Q_d
    o[base + 4] = Q_f
    o[base + 5] = Q_g
    o[base + 6] = piM
    o[base + 7] = piI
    o[base + 8] = CS_d
    o[base + 9] = CS_f
    o[base + 10] = beta * CS_d + (1.0 - beta) * piM
    o[base + 11] = alpha * CS_f + (1.0 - alpha) * piI


@numba.njit(cache=True, error_model="numpy")
def _store_no_gray(o, base, p_d, p_f, t, delta, N_d, N_f, theta_d, theta_f, alpha, beta):
    """An outcome without importer at prices (p_d, p_f): p_g NaN, Q_g = piI = 0."""
    Q_d = N_d * max(0.0, 1.0 - p_d / theta_d)
    Q_f = N_f * max(0.0, 1.0 - p_f / theta_f)
    piM = p_d * Q_d + (p_f - t) * Q_f
    _store_case(o, base, p_d, p_f, NAN, Q_d, Q_f, 0.0, piM, 0.0,
                delta, N_d, N_f, theta_d, theta_f, alpha, beta)


@numba.njit(cache=True, error_model="numpy")
def _copy_case(o, source, target):
    for k in range(NF):
        o[target + k] = o[source + k]


@numba.njit(cache=True, error_model="numpy")
def _fill_nan(o, first, stop):
    for k in range(first, stop):
        o[k] = NAN


@numba.njit(cache=True, error_model="numpy")
def _valid(delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta):
    """Spec §3 validity; NaN fails every comparison, infinities fail the explicit checks."""
    for x in (delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta):
        if not math.isfinite(x):
            return False
    return (0.0 < delta < 1.0 and t_g >= 0.0 and 0.0 <= t <= theta_f and N_d > 0.0 and N_f > 0.0
            and theta_d > 0.0 and theta_f > 0.0 and 0.0 <= alpha <= 1.0 and 0.0 <= beta <= 1.0
            and delta * theta_f <= 2.0 * theta_d + t_g)


@numba.njit(cache=True, error_model="numpy")
def _invalid(o):
    """The ``invalid`` point: every code 0 (``gray_beneficial`` -1), every number NaN."""
    for k in range(7):
        o[k] = 0.0
    o[GRAY_BENEFICIAL] = -1.0
    _fill_nan(o, T0, N_OUTPUTS)


@numba.njit(cache=True, error_model="numpy")
def _representable(o):
    """True iff every profit the regime choices compared (B, E, A and, where accommodation is
    possible, D) and every decision of the selected outcomes is finite. NaN counts as not
    finite: none of these is NaN by design (D's block is NaN only when ``case_d`` is none)."""
    check = 0.0  # x - x is 0 for finite x, NaN otherwise
    for base in (SLOT_B, SLOT_E, SLOT_A):
        check += o[base + PIM] - o[base + PIM]
    if o[CASE_D] != 1.0:
        check += o[SLOT_D + PIM] - o[SLOT_D + PIM]
    for base in (SLOT_SEL, SLOT_TRUE):
        for k in (3, 4, 5, PIM, PIM + 1):  # Q_d, Q_f, Q_g, piM, piI
            check += o[base + k] - o[base + k]
    return check == 0.0


@numba.njit(cache=True, error_model="numpy", inline="always")
def kernel(p, o):
    """Every output of spec §10.3 at one parameter point, in the order of ``OUTPUTS``.

    The model is homogeneous in two units (from the payoffs of spec §5): scaling the market sizes ``N_d, N_f``
    by ``m`` scales quantities by ``m``; scaling the money amounts ``t, t_g, theta_d, theta_f``
    by ``c`` scales prices and taxes by ``c``; profits, surpluses and welfare scale by ``c m``,
    ``R`` by ``c^2 m``, ratios and codes are unchanged. Intermediates such as ``N theta^3`` in
    ``P4`` or ``N theta`` in the profits overflow long before the results, so when a market size
    or WTP scale lies outside ``2**+-100`` the point is solved in the power-of-two units nearest
    the geometric means of ``(N_d, N_f)`` and ``(theta_d, theta_f)`` and scaled back: exactly
    the unscaled computation wherever that one neither overflows nor underflows (every
    expression is dimensionally homogeneous, powers of two scale exactly). A point whose
    compared profits or selected decisions are beyond float64 after scaling back (or overflow
    even in those units, the two market sizes or WTPs being ~2**500 apart) is ``invalid``. When
    every scale is moderate nothing can overflow and the point is solved in unit 1 directly.
    """
    delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta, dt = (
        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9])
    if dt == dt:  # derived axis given: t_g = t - dt
        t_g = t - dt
    if not _valid(delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta):
        _invalid(o)
        return
    if (MODERATE_LO < N_d < MODERATE_HI and MODERATE_LO < N_f < MODERATE_HI
            and MODERATE_LO < theta_d < MODERATE_HI and MODERATE_LO < theta_f < MODERATE_HI):
        _solve(o, delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta)
    else:
        _solve_scaled(o, delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta)


@numba.njit(cache=True, error_model="numpy")
def _solve_scaled(o, delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta):
    """``_solve`` in the power-of-two units of ``kernel``'s docstring, outputs scaled back;
    ``invalid`` where a compared profit or a selected decision is beyond float64."""
    km = (math.frexp(theta_d)[1] + math.frexp(theta_f)[1]) >> 1
    kq = (math.frexp(N_d)[1] + math.frexp(N_f)[1]) >> 1
    _solve(o, delta, math.ldexp(t, -km), math.ldexp(t_g, -km), math.ldexp(N_d, -kq),
           math.ldexp(N_f, -kq), math.ldexp(theta_d, -km), math.ldexp(theta_f, -km), alpha, beta)
    scale_back(o, SCALE_EXPONENTS, (kq, km + kq))  # a price unit of 2**km currency/unit
    if not _representable(o):
        _invalid(o)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _solve(o, delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta):
    """Every output at a valid point, in any price and quantity unit."""
    d = delta
    e = 1.0 - d

    # Thresholds (spec §8).
    K = N_f * theta_d + N_d * d * (2.0 - d) * theta_f
    W = N_d * theta_f + N_f * theta_d
    R = (N_f * theta_d * (d * theta_f - t_g)
         + N_d * d * (2.0 - d) * theta_f * (2.0 * d * theta_f - theta_d - 2.0 * t_g))
    t0 = (theta_d + 2.0 * t_g) / d - theta_f
    t1 = (N_d * d * theta_f * (2.0 * e * (theta_d - d * theta_f) + (4.0 - 3.0 * d) * t_g)
          + N_f * theta_d * t_g) / (d * K)
    t2 = (2.0 * e * theta_f + t_g) / (2.0 - d)
    h3 = math.sqrt(2.0) * abs(theta_d + t_g - d * theta_f) * math.sqrt(N_d * theta_f * e / (d * K))
    G4 = N_d * (2.0 - d) * theta_f + N_f * d * theta_d
    V4 = (t_g * W - 2.0 * N_d * e * theta_f * (theta_f - theta_d)) / G4
    P4 = (N_d * d * (2.0 - d) * theta_f
          * (theta_d * theta_d * e * (1.0 + d) - 2.0 * d * e * theta_d * theta_f
             + 2.0 * (1.0 + d) * t_g * theta_d - 4.0 * d * t_g * theta_f)
          + N_f * theta_d
          * (2.0 * d * d * e * theta_d * theta_f - d * d * (1.0 - d * d) * theta_f * theta_f
             + 2.0 * d * (1.0 + d) * t_g * theta_d - 2.0 * d * (1.0 + d * d) * t_g * theta_f
             - (1.0 - d * d) * t_g * t_g))
    h4 = math.sqrt(2.0 * N_d * theta_f * e * W * P4 / (d * K)) / G4 if P4 >= 0.0 else NAN
    o[T0] = t0
    o[T1] = t1
    o[T2] = t2
    o[T3] = t_g / d + h3
    o[T3_LO] = t_g / d - h3
    o[T4] = V4 + h4
    o[T4_LO] = V4 - h4
    o[R_SLOT] = R

    # Benchmark B (§7.1).
    _store_no_gray(o, SLOT_B, 0.5 * theta_d, 0.5 * (theta_f + t), t,
                   d, N_d, N_f, theta_d, theta_f, alpha, beta)
    piM_B = o[SLOT_B + PIM]

    # Equal pricing E (§7.2): best of the interior candidate and the other piece's vertex.
    p_E = min(max(theta_d * (N_d * theta_f + N_f * (theta_f + t)) / (2.0 * W), 0.0),
              min(theta_d, theta_f))
    pi_E = _profit_no_gray(N_d, N_f, theta_d, theta_f, t, p_E, p_E)
    if theta_d != theta_f:
        if theta_d > theta_f:
            q = min(max(0.5 * theta_d, theta_f), theta_d)
        else:
            q = min(max(0.5 * (theta_f + t), theta_d), theta_f)
        pi_q = _profit_no_gray(N_d, N_f, theta_d, theta_f, t, q, q)
        if pi_q > pi_E:
            p_E = q
            pi_E = pi_q
    _store_no_gray(o, SLOT_E, p_E, p_E, t, d, N_d, N_f, theta_d, theta_f, alpha, beta)
    piM_E = o[SLOT_E + PIM]

    # Accommodation (§7.3 interior D, §7.4 corner C).
    p_d_D = theta_d * (N_d * d * (2.0 - d) * theta_f + N_f * (d * theta_f - t_g)) / (2.0 * K)
    Q_d_D = N_d * (1.0 - p_d_D / theta_d)
    if R <= 0.0 or t <= t1:
        case_d = 1
        _fill_nan(o, SLOT_D, SLOT_D + NF)
        o[T3_C] = NAN
        o[T4_C] = NAN
    else:
        if t < t2:
            case_d = 2
            p_f = (N_f * theta_d * (theta_f + t)
                   + N_d * d * theta_f * (theta_d + t_g + (2.0 - d) * t + 2.0 * e * theta_f)) / (2.0 * K)
            p_g = 0.5 * (p_d_D + t_g + d * p_f)
            Q_g = N_f * (t - t1) / (4.0 * e * theta_f)
            Q_f = N_f * (2.0 - d) * (t2 - t) / (4.0 * e * theta_f)
            piI = d * e * theta_f * Q_g * (Q_g / N_f)
        else:
            case_d = 3
            p_f = (p_d_D + t_g + 2.0 * e * theta_f) / (2.0 - d)
            p_g = p_f - e * theta_f
            margin = d * theta_f - p_d_D - t_g
            Q_g = N_f * margin / (d * (2.0 - d) * theta_f)
            Q_f = 0.0
            piI = N_f * e * margin * margin / (d * (2.0 - d) * (2.0 - d) * theta_f)
        piM = p_d_D * (Q_d_D + Q_g) + (p_f - t) * Q_f
        _store_case(o, SLOT_D, p_d_D, p_f, p_g, Q_d_D, Q_f, Q_g, piM, piI,
                    d, N_d, N_f, theta_d, theta_f, alpha, beta)
        # Corner thresholds (§8), from the corner profit (constant in t).
        margin = d * theta_f - p_d_D - t_g
        piM_C = p_d_D * (Q_d_D + N_f * margin / (d * (2.0 - d) * theta_f))
        rad = theta_f * (4.0 * piM_C - N_d * theta_d) / N_f
        o[T3_C] = theta_f - math.sqrt(rad) if rad >= 0.0 else NAN
        qa = N_f * N_f * theta_d / (theta_f * W)
        qb = -2.0 * N_f * (2.0 * N_d * theta_f + N_f * theta_d - N_d * theta_d) / W
        qc = (N_d * theta_d + N_f * theta_f
              - N_d * N_f * (theta_f - theta_d) * (theta_f - theta_d) / W - 4.0 * piM_C)
        disc = qb * qb - 4.0 * qa * qc
        o[T4_C] = (-qb - math.sqrt(disc)) / (2.0 * qa) if disc >= 0.0 else NAN
    piM_acc = o[SLOT_D + PIM]

    # Best deterring DP prices A* (§7.5), tie order B, L, V, X.
    p_f_B = 0.5 * (theta_f + t)
    if t <= t0:
        deter = 1
        a_d = 0.5 * theta_d
        a_f = p_f_B
    else:
        deter = 4
        a_d = max(theta_d, d * p_f_B - t_g)
        a_f = p_f_B
        best = N_f * (theta_f - t) * (theta_f - t) / (4.0 * theta_f)
        p_f_L = ((N_d * d * theta_f * (theta_d + 2.0 * t_g) + N_f * theta_d * (theta_f + t))
                 / (2.0 * (N_d * d * d * theta_f + N_f * theta_d)))
        p_d_L = d * p_f_L - t_g
        if p_d_L <= theta_d and p_f_L <= theta_f:
            pi_L = _profit_no_gray(N_d, N_f, theta_d, theta_f, t, p_d_L, p_f_L)
            if pi_L >= best:
                deter, a_d, a_f, best = 2, p_d_L, p_f_L, pi_L
        p_d_V = d * theta_f - t_g
        if 0.5 * theta_d <= p_d_V <= theta_d:
            pi_V = _profit_no_gray(N_d, N_f, theta_d, theta_f, t, p_d_V, theta_f)
            if pi_V > best or (pi_V == best and deter == 4):
                deter, a_d, a_f, best = 3, p_d_V, theta_f, pi_V
    _store_no_gray(o, SLOT_A, a_d, a_f, t, d, N_d, N_f, theta_d, theta_f, alpha, beta)
    piM_A = o[SLOT_A + PIM]

    # The paper's rule (§10.1) and the true equilibrium (§10.2).
    if case_d == 1:
        regime = 1
    elif piM_E >= piM_acc:
        regime = 4
    elif case_d == 3:
        regime = 5
    elif piM_acc >= piM_B:
        regime = 2
    else:
        regime = 3
    if case_d != 1 and piM_acc > piM_A:
        regime_true = case_d + 1
    else:
        regime_true = 1 if deter == 1 else 2

    # Welfare regions of Fig. 6 (§10.4).
    wreg_f = 0
    wreg_d = 0
    if regime != 1:
        SW_f_D = o[SLOT_D + 11]
        SW_f_B = o[SLOT_B + 11]
        dp_beats_b = o[SLOT_D + 10] > o[SLOT_B + 10]
        if regime == 4:
            wreg_f = 4
            wreg_d = 4 if dp_beats_b else 3
        else:
            if SW_f_D <= SW_f_B:
                wreg_f = 3
            elif SW_f_D > o[SLOT_E + 11]:
                wreg_f = 1
            else:
                wreg_f = 2
            wreg_d = 1 if dp_beats_b else 2

    o[REGIME] = regime
    o[REGIME_TRUE] = regime_true
    o[CASE_D] = case_d
    o[DETER] = deter
    o[GRAY_BENEFICIAL] = 1.0 if case_d != 1 and piM_acc > piM_B else 0.0
    o[WREG_F] = wreg_f
    o[WREG_D] = wreg_d
    _copy_case(o, SLOT_A if regime == 1 else (SLOT_E if regime == 4 else SLOT_D), SLOT_SEL)
    _copy_case(o, SLOT_A if regime_true <= 2 else SLOT_D, SLOT_TRUE)
    o[RATIO_DB] = piM_acc / piM_B
    o[RATIO_DE] = piM_acc / piM_E
    o[M_GRAY] = t - t1 if R > 0.0 else NAN
    o[M_CORNER] = t - t2
    o[M_EP] = piM_E - piM_acc
    o[M_DP] = piM_acc - piM_B
    o[M_TRUE] = piM_acc - piM_A


@numba.njit(cache=True, error_model="numpy")
def fill_block(values, moving, stride, length, start, count, p, position, left, buffer):
    """``kernel`` at the ``count`` cells from ``start``, into the first ``count`` rows of
    ``buffer`` (the kernel is inlined here: see :mod:`fastmap.loops`)."""
    first_point(values, moving, stride, length, start, p, position, left)
    for row in range(count):
        kernel(p, buffer[row])
        next_point(values, moving, stride, length, p, position, left)


@numba.njit(parallel=True, cache=True, error_model="numpy")
def evaluate(values, moving, stride, length, select, out, select_codes, codes):
    """Evaluate ``kernel`` over a chunk of cells (contract in :mod:`fastmap.loops`)."""
    for block in numba.prange(n_blocks(out.shape[1])):
        p, position, left, buffer = block_buffers(values, moving, N_OUTPUTS)
        cells = block_cells(block, out.shape[1])
        fill_block(values, moving, stride, length, cells.start, len(cells), p, position, left,
                   buffer)
        flush_block(buffer, select, out, cells)
        flush_block(buffer, select_codes, codes, cells)


MODEL = Model(
    name="import_tax_channels",
    title="Differentiated vs equal pricing against a tax-driven gray channel",
    reference=("X. Yu, T. Xiao, G. Zaccour, Pricing and unauthorized channel strategies for a global "
               "manufacturer considering import taxes, Les Cahiers du GERAD G-2023-24 (2023); "
               "Transportation Research Part E (2024), doi:10.1016/j.tre.2024.103784"),
    parameters=PARAMETERS,
    outputs=OUTPUTS,
    evaluate=evaluate,
    default_axes=("delta", "t"),
    thresholds={"t1": "t", "t2": "t", "t3": "t", "t4": "t", "t3_C": "t", "t4_C": "t"},
    decisions={"regime": ("Q_d", "Q_f", "Q_g", "piM", "piI"),
               "regime_true": ("Q_d_true", "Q_f_true", "Q_g_true", "piM_true", "piI_true")},
    summary=("Manufacturer (leader) sets domestic and foreign prices; a parallel importer (follower) "
             "buys at home, pays the gray tax t_g and resells abroad. Closed form, no root finding."),
)
