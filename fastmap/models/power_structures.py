"""A multinational and a local manufacturer under three channel power structures, with and
without a gray market (Rong & Xu 2020, "Price competition in a multinational supply chain with
parallel imports").

Market 1 (low willingness to pay ``theta1``): the multinational M1 and the local M2 compete in
prices (substitutability ``eta``). Market 2 (``theta2``): M1 is a monopolist, a gray importer may
buy at M1's market-1 price and resell a good worth ``gamma`` times the authorised one; an optional
free warranty adds ``s = tau * w12`` to the authorised good. Six games: S1-S3 without importer,
GS1-GS3 with it (1 = M1 leads, 2 = M2 leads, 3 = simultaneous).

Spec: ``shared/models/power_structures.md`` (section numbers below refer to it). Everything is
closed form: M1's market-2 value is a concave piecewise-quadratic function of its market-1 price
with pieces G (gray active), L (limit pricing) and N (no threat) (§6.2); every equilibrium is "find
the piece, apply its formula" (§7-8), including the corners the paper never states (M1 leaving
market 1, no pure-strategy equilibrium in GS3).
"""

import math

import numba

from ..loops import block_buffers, block_cells, first_point, flush_block, n_blocks, next_point
from ..modeldef import Model, Output, Parameter, categorical

PRICE = "currency/unit"
MONEY = "currency"
SHARE = "unit"

PARAMETERS = (
    Parameter("theta1", 0.5 / 3.5, "willingness-to-pay scale of market 1 (low-WTP market)", PRICE,
              (0.0, None), "theta1 > 0"),
    Parameter("theta2", 0.5, "willingness-to-pay scale of market 2 (high-WTP market)", PRICE,
              (0.0, None), "theta2 > 0"),
    Parameter("eta", 0.8, "substitutability of the two brands in market 1", "1", (0.0, 1.0),
              "0 <= eta < 1"),
    Parameter("gamma", 0.6, "perceived quality of the gray product (gray unit worth gamma*v)", "1",
              (0.0, 1.0), "0 < gamma < 1"),
    Parameter("w12", 0.0, "warranty level offered with the authorised product in market 2", "1",
              (0.0, None), "w12 >= 0"),
    Parameter("tau", 1.0, "consumers' sensitivity to the warranty (warranty value s = tau*w12)",
              PRICE, (0.0, None), "tau >= 0"),
    Parameter("r", None, "WTP ratio theta2/theta1 (derived axis: theta1 = theta2 / r)", "1",
              (0.0, None), "r > 0", replaces=("theta1",)),
)

REGIMES = {0: "invalid", 1: "gray_none", 2: "gray_gs1", 3: "gray_gs2", 4: "gray_gs1_gs2",
           5: "gray_gs3", 6: "gray_gs1_gs3", 7: "gray_gs2_gs3", 8: "gray_all"}
REGIME_COLORS = {0: "#ffffff", 1: "#e8e4d8", 2: "#f4a6a6", 3: "#a6c8f4", 4: "#c9a6f4",
                 5: "#f7d774", 6: "#f08a4b", 7: "#3f7fbf", 8: "#8c5a3c"}
GS_REGIMES = {0: "invalid", 1: "no_gray", 2: "limit_price", 3: "gray", 4: "m1_exit",
              5: "no_pure_equilibrium"}
GS_COLORS = {0: "#ffffff", 1: "#e8e4d8", 2: "#7fb0dd", 3: "#a0a0a0", 4: "#6dbd6a", 5: "#3b3b3b"}
PREFS = {0: "invalid", 1: "gs1", 2: "gs2", 3: "gs3", 4: "indifferent"}
PREF_COLORS = {0: "#ffffff", 1: "#e0584b", 2: "#7fb0dd", 3: "#f0bf26", 4: "#c8c8c8"}

CODES = (
    categorical("regime", "structures with an active gray market (Theorem 3 pattern)",
                REGIMES, REGIME_COLORS),
    categorical("regime_gs1", "equilibrium regime of GS1 (M1 leads, importer)", GS_REGIMES, GS_COLORS),
    categorical("regime_gs2", "equilibrium regime of GS2 (M2 leads, importer)", GS_REGIMES, GS_COLORS),
    categorical("regime_gs3", "equilibrium regime of GS3 (simultaneous, importer)", GS_REGIMES,
                GS_COLORS),
    categorical("pref_m1", "power structure maximising M1's profit (with importer)", PREFS,
                PREF_COLORS),
    categorical("pref_m2", "power structure maximising M2's profit (with importer)", PREFS,
                PREF_COLORS),
)
THRESHOLDS = (
    Output("alpha", "WTP ratio above which the GS3 importer is active (base model)"),
    Output("Delta", "WTP ratio above which the GS1 importer is active (base model)"),
    Output("beta", "WTP ratio below which GS3 raises M1's profit over S3 (base model)"),
    Output("r_s2", "WTP ratio above which S2 prices would invite arbitrage (base model)"),
    Output("r_gs2", "WTP ratio above which the GS2 importer is active (base model)"),
    Output("r_x1", "WTP ratio above which M1 exits market 1 in GS1 (base model)"),
    Output("r_x3", "WTP ratio up to which a GS3 interior equilibrium exists (base model)"),
    Output("r_x3e", "WTP ratio above which a GS3 exit equilibrium exists (base model)"),
)
DERIVED = (
    Output("ratio", "WTP ratio theta2/theta1"),
    Output("s", "warranty value tau*w12", PRICE),
    Output("Mbar", "M1's market-2 monopoly revenue", MONEY),
    Output("m_A", "market-1 price of M1 at which monopoly prices deter the importer", PRICE),
    Output("m_G", "market-1 price of M1 below which the importer is active", PRICE),
    Output("P_x", "M1's interior market-1 price at which it is indifferent to exit", PRICE),
    Output("V_O2", "most M1 can earn when selling in market 1", MONEY),
    Output("p21_x", "M2 price below which M1 exits market 1", PRICE),
)
FIELDS = (
    ("p11", "M1's market-1 price", PRICE),
    ("p12", "M1's market-2 price", PRICE),
    ("p21", "M2's market-1 price", PRICE),
    ("p3", "gray importer's price in market 2", PRICE),
    ("q11", "M1's market-1 quantity", SHARE),
    ("q12", "M1's market-2 quantity (share)", SHARE),
    ("q21", "M2's market-1 quantity", SHARE),
    ("q3", "gray quantity in market 2 (share)", SHARE),
    ("pi1", "M1's profit", MONEY),
    ("pi2", "M2's profit", MONEY),
    ("pi3", "gray importer's profit", MONEY),
)
STRUCTURES = (
    ("s1", "S1: M1 leads, no importer"),
    ("s2", "S2: M2 leads, no importer"),
    ("s3", "S3: simultaneous, no importer"),
    ("gs1", "GS1: M1 leads, importer"),
    ("gs2", "GS2: M2 leads, importer"),
    ("gs3", "GS3: simultaneous, importer"),
)
STRUCTURE_OUTPUTS = tuple(
    Output(f"{field}_{suffix}", f"{long} ({case})", units)
    for suffix, case in STRUCTURES
    for field, long, units in FIELDS
)
RATIOS = tuple(
    Output(f"ratio_pi{i}_{k}", f"M{i}'s profit GS{k} / S{k}")
    for k in (1, 2, 3) for i in (1, 2)
)
# Signed margins (appended last so earlier slots keep their places): every boundary of
# regime_gs1..3, hence of regime, is the zero level set of one of them. Piece margins are in
# WTP-ratio units, r - (the ratio at which the structure's candidate price reaches the piece's
# upper end, with eta, gamma and s/theta2 fixed): exactly linear in r, equal to r - Delta and
# r - alpha in the base model. GS2's regimes are M2's value comparisons: money differences.
MARGINS = (
    Output("margin_gs1_gray", "r - (ratio at which M1's GS1 candidate price reaches m_G) (> 0: GS1 "
           "candidate in the gray piece G; = r - Delta when s = 0; NaN where there is no G piece)"),
    Output("margin_gs1_limit", "r - (ratio at which M1's GS1 candidate price reaches m_A) (> 0: GS1 "
           "candidate below m_A, i.e. gray or limit_price; NaN where there is no limit piece L, "
           "e.g. s = 0)"),
    Output("margin_gs1_exit", "r - (ratio above which M1's GS1 candidate profit is below Mbar) "
           "(> 0: M1 exits, m1_exit; = r - r_x1 when s = 0 in G; NaN where the candidate is in "
           "the no-threat piece N, where M1 never exits)"),
    Output("margin_gs2_gray", "M2's GS2 value with M1 in piece G minus the best of its L and N "
           "candidates (>= 0: G chosen unless exit wins, regime gray; NaN where G is "
           "inadmissible, i.e. M2's vertex for G lies outside G's price range, which starts "
           "slightly before the switch, or eta = 0, where M1's reply does not depend on p21)",
           MONEY),
    Output("margin_gs2_limit", "M2's GS2 value with M1 in piece L minus its N candidate (>= 0: L "
           "beats N, regime limit_price unless G or exit wins; NaN where L is inadmissible)",
           MONEY),
    Output("margin_gs2_exit", "M2's GS2 value inducing M1's exit minus its best selling candidate, "
           "or Mbar - V_O2 where no selling candidate exists (> 0: m1_exit; NaN where exit "
           "cannot be induced, p21_x < 0)", MONEY),
    Output("margin_gs3_gray", "r - (ratio at which the GS3 interior candidate price reaches m_G) "
           "(> 0: candidate in G; = r - alpha when s = 0; NaN where there is no G piece)"),
    Output("margin_gs3_limit", "r - (ratio at which the GS3 interior candidate price reaches m_A) "
           "(> 0: candidate below m_A; NaN where there is no limit piece L, e.g. s = 0)"),
    Output("margin_gs3_stay", "GS3 interior candidate p11 - P_x (>= 0: M1 stays, interior "
           "equilibrium; < 0: it would exit; NaN where the candidate is in the no-threat piece N)",
           PRICE),
    Output("margin_gs3_exit", "Mbar - M1's best selling profit against M2's monopoly price (> 0: "
           "exit is an equilibrium, m1_exit; <= 0: no_pure_equilibrium; NaN unless margin_gs3_stay "
           "< 0)", MONEY),
)
OUTPUTS = CODES + THRESHOLDS + DERIVED + STRUCTURE_OUTPUTS + RATIOS + MARGINS
N_OUTPUTS = len(OUTPUTS)

# Slots of the output vector (declaration order above).
REGIME, REGIME_GS1, REGIME_GS2, REGIME_GS3, PREF_M1, PREF_M2 = range(6)
ALPHA, DELTA, BETA, R_S2, R_GS2, R_X1, R_X3, R_X3E = range(6, 14)
RATIO, S_SLOT, MBAR, M_A, M_G, P_X, V_O2, P21_X = range(14, 22)
NF = len(FIELDS)
SLOT_S1, SLOT_S2, SLOT_S3, SLOT_GS1, SLOT_GS2, SLOT_GS3 = (22 + NF * j for j in range(6))
PI1, PI2, PI3 = 8, 9, 10  # offsets of pi1, pi2, pi3 inside a structure block
RATIO_FIRST = SLOT_GS3 + NF
(MG1_GRAY, MG1_LIMIT, MG1_EXIT, MG2_GRAY, MG2_LIMIT, MG2_EXIT, MG3_GRAY, MG3_LIMIT, MG3_STAY,
 MG3_EXIT) = range(RATIO_FIRST + 6, RATIO_FIRST + 16)
MONEY_MARGINS = (MG2_GRAY, MG2_LIMIT, MG2_EXIT, MG3_STAY, MG3_EXIT)
assert MG3_EXIT + 1 == N_OUTPUTS
NAN = math.nan
INF = math.inf
# Pieces of M1's market-2 value (§6.2), scanned in this order; regime code of each piece.
G, L, N = 0, 1, 2
PIECE_CODE = (3, 2, 1)
EXIT, NO_EQUILIBRIUM = 4, 5
B_MAX = 1e300  # largest piece curvature b kept (see _pieces)
MODERATE_LO, MODERATE_HI = 2.0 ** -100, 2.0 ** 100  # money scales solved without rescaling

@numba.njit(cache=True, error_model="numpy", inline="always")
def _square_safe(x):
    """Whether products of two amounts of the size of ``x`` (in the kernel's money unit) are
    safe from overflow and underflow. Such squares are then formed as the spec writes them
    (the same bits as before the money scaling), else as money times a ratio: this happens
    only when theta2/theta1 is beyond about 2**1000 or 2**-1000."""
    return 3.054936363499605e-151 < x < 3.273390607896142e+150  # 2**-500, 2**500


@numba.njit(cache=True, error_model="numpy")
def _valid(theta1, theta2, eta, gamma, w12, tau):
    """Spec §3 validity; NaN fails every comparison, infinities fail the explicit checks."""
    for x in (theta1, theta2, eta, gamma, w12, tau):
        if not math.isfinite(x):
            return False
    return (theta1 > 0.0 and theta2 > 0.0 and 0.0 <= eta < 1.0 and 0.0 < gamma < 1.0
            and w12 >= 0.0 and tau >= 0.0)


@numba.njit(cache=True, error_model="numpy")
def _thresholds(o, e, g):
    """Base-model ratio thresholds of §9 (functions of eta and gamma only)."""
    gg = g * (2.0 - g)
    e2 = e * e
    o[ALPHA] = 2.0 / ((2.0 - e) * g)
    o[DELTA] = (2.0 + e) / (g * (2.0 - e2))
    o[R_S2] = (4.0 + 2.0 * e - e2) / (2.0 * g * (2.0 - e2))
    bp = -e2 * e2 * g + 2.0 * e2 * e2 + 4.0 * e2 * e - 8.0 * e2 - 8.0 * e + 16.0 * g - 16.0
    cube = (2.0 - e) ** 3 * (2.0 + e) ** 2
    o[BETA] = (-bp + math.sqrt(bp * bp + 32.0 * (2.0 - g) * cube)) / (gg * cube)
    c = (3.0 - g) / (2.0 - g)
    bq = 4.0 * c * (2.0 - e2) + e * (2.0 + e) ** 2
    u = (bq + math.sqrt(bq * bq + 8.0 * (4.0 + 3.0 * e) * e * c * c * (2.0 - e2))) / (4.0 * (4.0 + 3.0 * e))
    o[R_GS2] = 1.0 / (gg * (u - 1.0))
    k1 = (2.0 + e) * (2.0 - g) + 2.0
    o[R_X1] = (k1 * k1 - 4.0) / (2.0 * (2.0 - e2)) / gg
    qa = (4.0 - e2) ** 2
    qb = 8.0 * (4.0 - e2) - 4.0 * k1 * k1
    qc = 16.0 - 4.0 * k1 * k1
    o[R_X3] = (-qb + math.sqrt(qb * qb - 4.0 * qa * qc)) / (2.0 * qa) / gg
    # r_x3e: M1's reply to M2's monopoly price, in units theta1 = 1 (three phases).
    a = 1.0 / (2.0 - g)
    p21m = 1.0 / (2.0 * (1.0 - e))
    k3 = (2.0 - g) * (2.0 - e) / (2.0 * (1.0 - e)) + 1.0
    r_a = (k3 * k3 - 1.0) / gg
    if e <= 0.5:
        o[R_X3E] = r_a
        return
    k = (p21m - 1.0) / e
    if (1.0 + a + e * p21m) / (2.0 * (1.0 + 1.0 / (gg * r_a))) > k:
        o[R_X3E] = r_a
        return
    kq = k * (1.0 + e) * (1.0 - (1.0 - e) * k)
    x = k + (2.0 - g) * kq
    r_b = 2.0 * (x + math.sqrt(x * x - k * k)) / g
    if ((1.0 + e) + a) / (2.0 * (1.0 - e2 + 1.0 / (gg * r_b))) > k:
        o[R_X3E] = r_b
    else:
        o[R_X3E] = ((2.0 - g) * ((1.0 + e) + a) ** 2 - a) / (g * (1.0 - e2))


@numba.njit(cache=True, error_model="numpy")
def _pieces(t1, t2, g, s):
    """M1's market-2 value M(p11) = c + (a p11 - b p11^2)/theta1 (§6.2).

    Returns the pieces (G, L, N), each ``(exists, lo, hi, a, b, c)`` on ``lo <= p11 < hi``, and
    ``(Mbar, p12m, q12m, m_A, m_G)``. G exists iff ``m_G > 0``; L is empty when ``s = 0``; with
    ``s >= theta2`` only N exists (no gray threat at all). A G or L piece with curvature
    ``b > B_MAX`` (its formulas would overflow) is dropped: then ``gamma * theta2 < theta1``
    (for ``gamma > 1e-300``), so ``m_A < theta1/2``, below every N-piece vertex of the games
    (all are ``>= theta1/2``), and no structure can reach the piece; ``P_x`` and ``p21_x``
    are then NaN (M1 is never threatened, so never exits).
    """
    none = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if s >= t2:
        n = (1.0, 0.0, INF, 0.0, 0.0, s)
        return (none, none, n), (s, s, 1.0, 0.0, NAN)
    kappa = 1.0 / (g * (2.0 - g) * t2)
    m_a = g * (t2 - s) / 2.0
    m_g = g * t2 / 2.0 - g * (2.0 - g) * s / (4.0 * (1.0 - g))
    square = _square_safe(t2)
    h = (t2 + s) / 2.0
    mbar = (t2 + s) ** 2 / (4.0 * t2) if square else h * (h / t2)
    if m_g > 0.0 and t1 * kappa <= B_MAX:
        w = 2.0 * (1.0 - g) * t2 + (2.0 - g) * s
        c = (w * w / (8.0 * (2.0 - g) * (1.0 - g) * t2) if square
             else w * (w / t2) / (8.0 * (2.0 - g) * (1.0 - g)))
        pg = (1.0, 0.0, m_g, t1 / (2.0 - g), t1 * kappa, c)
    else:
        pg = none
    lo_l = max(m_g, 0.0)
    pl = none
    if lo_l < m_a:
        b_l = t1 / (g * g * t2)
        if b_l <= B_MAX:
            pl = (1.0, lo_l, m_a, t1 * (1.0 - s / t2) / g, b_l, s)
    pn = (1.0, m_a, INF, 0.0, 0.0, mbar)
    return (pg, pl, pn), (mbar, (t2 + s) / 2.0, (t2 + s) / (2.0 * t2), m_a, m_g)


@numba.njit(cache=True, error_model="numpy")
def _first_piece(pieces, num, den_const, den_b, den_a):
    """First existing piece X (in the order G, L, N) whose candidate price
    ``(num + den_a * a_X) / (den_const + den_b * b_X)`` lies below its upper end ``hi_X``;
    returns ``(X, price)`` (N always qualifies)."""
    for x in range(3):
        pc = pieces[x]
        if pc[0] == 0.0:
            continue
        price = (num + den_a * pc[3]) / (den_const + den_b * pc[4])
        if price < pc[2]:
            return x, price
    return N, NAN  # unreachable: N has hi = inf


@numba.njit(cache=True, error_model="numpy")
def _store(o, base, p11, p12, p21, p3, q11, q12, q21, q3, pi1, pi2, pi3):
    o[base] = p11
    o[base + 1] = p12
    o[base + 2] = p21
    o[base + 3] = p3
    o[base + 4] = q11
    o[base + 5] = q12
    o[base + 6] = q21
    o[base + 7] = q3
    o[base + 8] = pi1
    o[base + 9] = pi2
    o[base + 10] = pi3


@numba.njit(cache=True, error_model="numpy")
def _store_selling(o, base, x, p11, p21, t1, t2, e, g, s, m2):
    """Outcome with M1 selling at ``p11`` in piece ``x`` and M2 at ``p21`` (§8); returns pi1, pi2."""
    mbar, p12m, q12m, m_a, m_g = m2
    q11 = (t1 - p11 + e * p21) / t1
    q21 = (t1 - p21 + e * p11) / t1
    if x == G:
        p12 = ((1.0 - g) * t2 + p11) / (2.0 - g) + s / 2.0
        q12 = 0.5 + (2.0 - g) * s / (4.0 * (1.0 - g) * t2)
        q3 = (m_g - p11) / (g * (2.0 - g) * t2)
        p3 = (p11 + g * (p12 - s)) / 2.0
        pi3 = (p3 - p11) * q3
    elif x == L:
        p12 = p11 / g + s
        q12 = 1.0 - p11 / (g * t2)
        q3 = 0.0
        p3 = NAN
        pi3 = 0.0
    else:
        p12 = p12m
        q12 = q12m
        q3 = 0.0
        p3 = NAN
        pi3 = 0.0
    pi1 = p11 * (q11 + q3) + p12 * q12
    pi2 = p21 * q21
    _store(o, base, p11, p12, p21, p3, q11, q12, q21, q3, pi1, pi2, pi3)
    return pi1, pi2


@numba.njit(cache=True, error_model="numpy")
def _store_exit(o, base, p21, t1, e, m2):
    """Outcome with M1 absent from market 1 and M2 at ``p21`` (§8); returns pi1, pi2."""
    mbar, p12m, q12m = m2[0], m2[1], m2[2]
    q21 = (1.0 + e) - (1.0 - e * e) * p21 / t1
    pi2 = p21 * q21
    _store(o, base, NAN, p12m, p21, NAN, 0.0, q12m, q21, 0.0, mbar, pi2, 0.0)
    return mbar, pi2


@numba.njit(cache=True, error_model="numpy")
def _store_s(o, base, p11, p21, t1, e, m2):
    """An S game outcome (both firms sell, market 2 at the monopoly price, §7)."""
    mbar, p12m, q12m = m2[0], m2[1], m2[2]
    q11 = (t1 - p11 + e * p21) / t1
    q21 = (t1 - p21 + e * p11) / t1
    _store(o, base, p11, p12m, p21, NAN, q11, q12m, q21, 0.0, p11 * q11 + mbar, p21 * q21, 0.0)


@numba.njit(cache=True, error_model="numpy")
def _copy_block(o, source, target):
    for k in range(NF):
        o[target + k] = o[source + k]


@numba.njit(cache=True, error_model="numpy")
def _exit_levels(pieces, m2, t1, t2, e, s):
    """``P_x`` (interior exit level), ``V_O2`` (M1 alone) and ``p21_x`` (exit threshold on M2's
    price) of §6.3."""
    mbar = m2[0]
    # M1 alone (M2 priced out): the most M1 can earn selling in market 1.
    x, p_o = _first_piece(pieces, (1.0 + e) * t1, 2.0 * (1.0 - e * e), 2.0, 1.0)
    pc = pieces[x]
    v_o2 = pc[5] + ((1.0 - e * e + pc[4]) * p_o * p_o / t1 if _square_safe(t1)
                    else (1.0 - e * e + pc[4]) * p_o * (p_o / t1))
    if s >= t2:
        return -INF, v_o2, -INF
    # Interior exit level: the first of G, L with px < hi.
    xp = L
    p_x = NAN
    for x in range(2):
        pc = pieces[x]
        if pc[0] == 0.0:
            continue
        px = math.sqrt(max(t1 * (mbar - pc[5]) / (1.0 + pc[4]), 0.0))
        xp = x
        p_x = max(px, pc[1])
        if px < pc[2]:
            break
    if e == 0.0:
        phat0 = _first_piece(pieces, t1, 2.0, 2.0, 1.0)[1]
        return p_x, v_o2, INF if phat0 < p_x else -INF
    if v_o2 < mbar:
        return p_x, v_o2, INF
    pc = pieces[xp]
    p21_x = (2.0 * (1.0 + pc[4]) * p_x - t1 - pc[3]) / e
    if not p_x > (p21_x - t1) / e:
        # M2 would not sell at that reply: M1's price that just prices M2 out and leaves M1
        # indifferent to exiting.
        for x in range(3):
            pc = pieces[x]
            if pc[0] == 0.0:
                continue
            a2 = (1.0 - e * e + pc[4]) / t1
            b2 = (1.0 + e) + pc[3] / t1
            rad = b2 * b2 + 4.0 * a2 * (pc[5] - mbar)
            if rad < 0.0:
                continue
            k = (b2 - math.sqrt(rad)) / (2.0 * a2)
            if pc[1] <= k < pc[2]:
                p21_x = t1 + e * k
                break
    return p_x, v_o2, p21_x


@numba.njit(cache=True, error_model="numpy")
def _gs2(o, pieces, m2, p21_x, v_o2, t1, t2, e, g, s):
    """GS2 (M2 leads): the best of M2's candidates of §8.2, stored; returns (code, pi1, pi2).

    Without importer threat at M2's unconstrained vertex (piece N) the outcome is S2's, copied
    from its block so that the two agree to the last bit.
    """
    p21m = t1 / (2.0 * (1.0 - e))
    best = -INF
    best_x = -1
    best_p21 = NAN
    at_vertex = False
    x0 = _first_piece(pieces, t1, 2.0, 2.0, 1.0)[0]  # eta = 0: the piece of M1's fixed reply
    first = True
    v_g, v_l, v_n = NAN, NAN, NAN  # M2's value of each admissible candidate (margins)
    for x in range(3):
        pc = pieces[x]
        if pc[0] == 0.0:
            continue
        a, b = pc[3], pc[4]
        if e == 0.0:
            if x != x0:
                continue
            rlo, rhi = -INF, INF
        else:
            rlo = -INF if first else (2.0 * (1.0 + b) * pc[1] - t1 - a) / e
            rhi = INF if x == N else (2.0 * (1.0 + b) * pc[2] - t1 - a) / e
        first = False
        rlo = max(rlo, p21_x, 0.0)
        if rlo >= rhi or rlo == INF:
            continue
        p21v = (2.0 * t1 * (1.0 + b) + e * (t1 + a)) / (2.0 * (2.0 * (1.0 + b) - e * e))
        if p21v >= rhi:
            continue
        p21 = max(p21v, rlo)
        p11 = (t1 + a + e * p21) / (2.0 * (1.0 + b))
        value = (p21 * (t1 - p21 + e * p11) / t1 if _square_safe(t1)
                 else p21 * ((t1 - p21 + e * p11) / t1))
        if x == G:
            v_g = value
        elif x == L:
            v_l = value
        else:
            v_n = value
        if value > best:
            best, best_x, best_p21, at_vertex = value, x, p21, p21 == p21v
    o[MG2_GRAY] = v_g - (v_l if v_l >= v_n or v_n != v_n else v_n)  # NaN if G is alone
    o[MG2_LIMIT] = v_l - v_n
    o[MG2_EXIT] = NAN
    if p21_x >= 0.0:
        p21e = min(p21m, p21_x)
        value = p21e * ((1.0 + e) - (1.0 - e * e) * p21e / t1)
        # With no selling candidate (p21_x = inf) M1 exits whatever M2 does: Mbar > V_O2.
        o[MG2_EXIT] = value - best if best > -INF else m2[0] - v_o2
        if value > best:
            pi1, pi2 = _store_exit(o, SLOT_GS2, p21e, t1, e, m2)
            return EXIT, pi1, pi2
    if best_x == N and at_vertex:
        _copy_block(o, SLOT_S2, SLOT_GS2)
        return PIECE_CODE[N], o[SLOT_S2 + PI1], o[SLOT_S2 + PI2]
    pc = pieces[best_x]
    p11 = (t1 + pc[3] + e * best_p21) / (2.0 * (1.0 + pc[4]))
    pi1, pi2 = _store_selling(o, SLOT_GS2, best_x, p11, best_p21, t1, t2, e, g, s, m2)
    return PIECE_CODE[best_x], pi1, pi2


@numba.njit(cache=True, error_model="numpy")
def _preference(pi_1, pi_2, pi_3):
    """The GS structure (1, 2, 3) with the largest profit (NaN = excluded); 4 if two or more
    attain the maximum within a relative tolerance 1e-12 (§10.3)."""
    best = -INF
    for v in (pi_1, pi_2, pi_3):
        if v > best:
            best = v
    tol = 1e-12 * abs(best)
    count = 0
    which = 0
    k = 0
    for v in (pi_1, pi_2, pi_3):
        k += 1
        if v >= best - tol:
            count += 1
            which = k
    return 4 if count > 1 else which


@numba.njit(cache=True, error_model="numpy")
def _piece_constants(x, g, sigma):
    """Piece ``x`` (G or L) in units theta1 = 1, theta2 = r, at ``sigma = s/theta2``: the slope
    ``a/theta1``, the curvature ``b r`` and the upper end ``hi/theta2`` (§6.2)."""
    if x == G:
        return (1.0 / (2.0 - g), 1.0 / (g * (2.0 - g)),
                g / 2.0 - g * (2.0 - g) * sigma / (4.0 * (1.0 - g)))
    return (1.0 - sigma) / g, 1.0 / (g * g), g * (1.0 - sigma) / 2.0


@numba.njit(cache=True, error_model="numpy")
def _ratio_margins(o, pieces, x1, r, e, e2, g, sigma):
    """The WTP-ratio margins of GS1 and GS3 (M1 leads / simultaneous), linear in ``r``.

    Both candidate prices (``_first_piece``) are ``theta1 X / (d + 4 b0 / r)`` in a piece with
    ``a = theta1 a0``, ``b = b0 / r``, where ``X = 2 + eta + 2 a0`` and ``d = 2 (2 - eta^2)``
    (GS1) or ``4 - eta^2`` (GS3); it lies below the piece's upper end ``theta2 h0`` iff
    ``r > (X / h0 - 4 b0) / d``. M1's GS1 profit at the vertex, ``c + theta1 X^2/(4 (d + 4 b0/r))``,
    is below ``Mbar = c + theta2 mu`` iff ``r > (X^2 / (4 mu) - 4 b0) / d``. ``x1`` is GS1's piece.
    Absent pieces give NaN, and so does the exit margin in the no-threat piece N.
    """
    d1, d3 = 2.0 * (2.0 - e2), 4.0 - e2
    o[MG1_EXIT] = NAN
    for x in (G, L):
        o[MG1_GRAY + x] = NAN
        o[MG3_GRAY + x] = NAN
        if pieces[x][0] == 0.0:
            continue
        a0, b0, h0 = _piece_constants(x, g, sigma)
        xx = 2.0 + e + 2.0 * a0
        k = xx / h0 - 4.0 * b0
        o[MG1_GRAY + x] = r - k / d1
        o[MG3_GRAY + x] = r - k / d3
        if x == x1:
            if x == G:
                w = 2.0 * (1.0 - g) + (2.0 - g) * sigma
                mu = (1.0 + sigma) ** 2 / 4.0 - w * w / (8.0 * (2.0 - g) * (1.0 - g))
            else:
                mu = (1.0 - sigma) ** 2 / 4.0
            o[MG1_EXIT] = r - (xx * xx / (4.0 * mu) - 4.0 * b0) / d1


@numba.njit(cache=True, error_model="numpy")
def _best_selling(pieces, t1, e, p21):
    """M1's best profit from selling in market 1 against M2's price ``p21``: the profit is concave
    in ``p11`` (§5.1 demand with M2 priced out for ``p11 <= (p21 - theta1)/eta``, both selling
    above, times the pieces of §6.2), so the largest value of the vertices clamped to the
    segments is the maximum."""
    best = -INF
    upper = t1 + e * p21  # M1 sells iff p11 < upper
    k = (p21 - t1) / e if e > 0.0 else -INF  # M2 priced out iff p11 <= k
    for x in range(3):
        pc = pieces[x]
        if pc[0] == 0.0:
            continue
        for monopoly in (True, False):
            if monopoly:
                lo, hi = max(pc[1], 0.0), min(pc[2], k)
                a, b = (1.0 + e) * t1 + pc[3], 1.0 - e * e + pc[4]
            else:
                lo, hi = max(pc[1], k, 0.0), min(pc[2], upper)
                a, b = t1 + e * p21 + pc[3], 1.0 + pc[4]
            if lo > hi:
                continue
            p = min(max(a / (2.0 * b), lo), hi)
            best = max(best, pc[5] + (a * p - b * p * p) / t1)
    return best


@numba.njit(cache=True, error_model="numpy")
def _invalid(o):
    """The ``invalid`` point: every code 0, every number NaN."""
    for k in range(6):
        o[k] = 0.0
    for k in range(6, N_OUTPUTS):
        o[k] = NAN


@numba.njit(cache=True, error_model="numpy")
def _representable(o):
    """True iff every profit of every structure is finite (GS3 without pure equilibrium is NaN
    by design). A price or quantity that is not finite in the kernel's unit makes its profit
    inf or NaN (also when multiplied by a zero quantity), so the profits cover every
    equilibrium output; prices that overflow only when scaled back are caught by ``kernel``."""
    check = 0.0  # x - x is 0 for finite x, NaN otherwise
    for j in range(6 if o[REGIME_GS3] != NO_EQUILIBRIUM else 5):
        base = SLOT_S1 + NF * j
        check += (o[base + PI1] - o[base + PI1]) + (o[base + PI2] - o[base + PI2]) \
            + (o[base + PI3] - o[base + PI3])
    return check == 0.0


@numba.njit(cache=True, error_model="numpy", inline="always")
def kernel(p, o):
    """Every output of spec §10.4 at one parameter point, in the order of ``OUTPUTS``.

    The model is scale-free in money: scaling ``theta1``, ``theta2`` and ``s`` by ``c`` scales
    prices, profits and money thresholds by ``c`` and leaves everything else unchanged (§3).
    Squares of money overflow far earlier than the results (``theta2**2`` from 1.3e154), so the
    point is solved in a money unit ``2**k`` near the geometric mean of market 1's scale
    ``theta1`` and market 2's scale ``max(theta2, s)`` (with ``s >= theta2`` market 2 is worth
    ``s`` and ``theta2`` enters nothing else), which keeps both far from overflow and
    underflow even when their ratio is 1e600; money is then scaled back. Powers of two scale
    exactly, so the result equals the unscaled computation wherever that one neither
    overflows nor underflows; when both scales are moderate (within ``2**+-100``) the point
    is solved directly in unit 1, which saves the scaling. Points that float64 cannot hold are
    labelled ``invalid`` rather than given infinite profits or garbage: equilibrium amounts that
    overflow (e.g. ``s = tau*w12`` overflows: M1's market-2 revenue is at least ``s``), and
    market scales more than ``2**2040`` (~1e614) apart (no unit holds both).
    """
    t1, t2, e, g, w12, tau, r = p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    if r == r:  # derived axis given: theta1 = theta2 / r
        t1 = t2 / r
    s = tau * w12
    if not (_valid(t1, t2, e, g, w12, tau) and math.isfinite(s)):
        _invalid(o)
        return
    m2 = max(t2, s)
    if MODERATE_LO < t1 < MODERATE_HI and MODERATE_LO < m2 < MODERATE_HI:
        _solve(o, t1, t2, e, g, s)  # money unit 1: nothing can overflow
    else:
        k1 = math.frexp(t1)[1]
        k2 = math.frexp(m2)[1]
        if abs(k2 - k1) > 2040:
            _invalid(o)
            return
        k = min(max((k1 + k2) // 2, -1022), 1023)
        down = math.ldexp(1.0, -k)
        _solve(o, t1 * down, t2 * down, e, g, s * down)
        up = math.ldexp(1.0, k)
        for i in (MBAR, M_A, M_G, P_X, V_O2, P21_X):
            o[i] *= up
        for i in MONEY_MARGINS:
            o[i] *= up
            if abs(o[i]) == INF:  # a difference of two amounts near 1.8e308
                _invalid(o)
                return
        for j in range(6):
            base = SLOT_S1 + NF * j
            for i in (0, 1, 2, 3, PI1, PI2, PI3):
                o[base + i] *= up
                if abs(o[base + i]) == INF:  # a price above 1.8e308 at a finite profit
                    _invalid(o)
                    return
    o[RATIO] = t2 / t1
    o[S_SLOT] = s
    for i in (MG1_GRAY, MG1_LIMIT, MG1_EXIT, MG3_GRAY, MG3_LIMIT):
        if abs(o[i]) == INF:  # theta2/theta1 beyond 1.8e308: no ratio margin
            o[i] = NAN
    if not _representable(o):
        _invalid(o)


@numba.njit(cache=True, error_model="numpy")
def _solve(o, t1, t2, e, g, s):
    """Every output except ``ratio`` and ``s`` at a valid point, in any money unit."""
    _thresholds(o, e, g)

    # Pieces of M1's market-2 value and the exit levels (§6.2-6.3).
    pieces, m2 = _pieces(t1, t2, g, s)
    p_x, v_o2, p21_x = _exit_levels(pieces, m2, t1, t2, e, s)
    o[MBAR] = m2[0]
    o[M_A] = m2[3]
    o[M_G] = m2[4]
    o[P_X] = p_x if math.isfinite(p_x) else NAN
    o[V_O2] = v_o2
    o[P21_X] = p21_x if math.isfinite(p21_x) else NAN
    mbar = m2[0]

    # S games (§7).
    e2 = e * e
    lead = t1 * (2.0 + e) / (2.0 * (2.0 - e2))
    follow = t1 * (4.0 + 2.0 * e - e2) / (4.0 * (2.0 - e2))
    nash = t1 / (2.0 - e)
    _store_s(o, SLOT_S1, lead, follow, t1, e, m2)
    _store_s(o, SLOT_S2, follow, lead, t1, e, m2)
    _store_s(o, SLOT_S3, nash, nash, t1, e, m2)

    p21m = t1 / (2.0 * (1.0 - e))

    # GS1: M1 leads (§8.1). In piece N the outcome is S1's (copied: equal to the last bit).
    r, sigma = t2 / t1, s / t2
    x, phat = _first_piece(pieces, t1 * (2.0 + e), 2.0 * (2.0 - e2), 4.0, 2.0)
    _ratio_margins(o, pieces, x, r, e, e2, g, sigma)
    code1 = PIECE_CODE[x]
    if x == N:
        _copy_block(o, SLOT_S1, SLOT_GS1)
        pi1_1, pi2_1 = o[SLOT_S1 + PI1], o[SLOT_S1 + PI2]
    else:
        pi1_1, pi2_1 = _store_selling(o, SLOT_GS1, x, phat, (t1 + e * phat) / 2.0,
                                      t1, t2, e, g, s, m2)
        if not pi1_1 >= mbar:
            pi1_1, pi2_1 = _store_exit(o, SLOT_GS1, p21m, t1, e, m2)
            code1 = EXIT

    # GS2: M2 leads (§8.2).
    code2, pi1_2, pi2_2 = _gs2(o, pieces, m2, p21_x, v_o2, t1, t2, e, g, s)

    # GS3: simultaneous (§8.3). In piece N the outcome is S3's (M1 always stays there).
    x, phat = _first_piece(pieces, t1 * (2.0 + e), 4.0 - e2, 4.0, 2.0)
    o[MG3_STAY] = phat - p_x if x != N else NAN
    o[MG3_EXIT] = mbar - _best_selling(pieces, t1, e, p21m) if x != N and not phat >= p_x else NAN
    if x == N:
        _copy_block(o, SLOT_S3, SLOT_GS3)
        pi1_3, pi2_3 = o[SLOT_S3 + PI1], o[SLOT_S3 + PI2]
        code3 = PIECE_CODE[N]
    elif phat >= p_x:
        pi1_3, pi2_3 = _store_selling(o, SLOT_GS3, x, phat, (t1 + e * phat) / 2.0, t1, t2, e, g, s, m2)
        code3 = PIECE_CODE[x]
    elif p21m < p21_x:
        pi1_3, pi2_3 = _store_exit(o, SLOT_GS3, p21m, t1, e, m2)
        code3 = EXIT
    else:
        for k in range(SLOT_GS3, SLOT_GS3 + NF):
            o[k] = NAN
        pi1_3, pi2_3 = NAN, NAN
        code3 = NO_EQUILIBRIUM

    # Ratios, the Theorem-3 pattern and the preferences (§10).
    for k in range(3):
        o[RATIO_FIRST + 2 * k] = o[SLOT_GS1 + NF * k + PI1] / o[SLOT_S1 + NF * k + PI1]
        o[RATIO_FIRST + 2 * k + 1] = o[SLOT_GS1 + NF * k + PI2] / o[SLOT_S1 + NF * k + PI2]
    o[REGIME_GS1] = code1
    o[REGIME_GS2] = code2
    o[REGIME_GS3] = code3
    o[REGIME] = 1 + (code1 == 3) + 2 * (code2 == 3) + 4 * (code3 == 3)
    o[PREF_M1] = _preference(pi1_1, pi1_2, pi1_3)
    o[PREF_M2] = _preference(pi2_1, pi2_2, pi2_3)


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
    name="power_structures",
    title="Channel power structures of a multinational and a local manufacturer with a gray market",
    reference=("Rong Luqing, Xu Maozeng, Price competition in a multinational supply chain with "
               "parallel imports (考虑存在平行进口的跨国供应链价格竞争研究), "
               "Commercial Research (商业研究) 2020(4), 68-77"),
    parameters=PARAMETERS,
    outputs=OUTPUTS,
    evaluate=evaluate,
    default_axes=("r", "gamma"),
    thresholds={name: "r" for name in ("alpha", "Delta", "beta", "r_gs2", "r_x1", "r_x3", "r_x3e")},
    # GS3 is left out: where it has no pure equilibrium its decisions are NaN by design.
    decisions={"regime": tuple(f"{v}_s{k}" for k in (1, 2, 3) for v in ("q11", "q12", "q21", "pi1", "pi2")),
               "regime_gs1": ("q11_gs1", "q12_gs1", "q21_gs1", "q3_gs1", "pi1_gs1", "pi2_gs1", "pi3_gs1"),
               "regime_gs2": ("q11_gs2", "q12_gs2", "q21_gs2", "q3_gs2", "pi1_gs2", "pi2_gs2", "pi3_gs2")},
    summary=("M1 sells in a low- and a high-WTP market, M2 competes with it in the low one; a gray "
             "importer may resell M1's low-market product in the high market. Three power "
             "structures (M1 leads, M2 leads, simultaneous) with and without the importer, "
             "optional warranty. Closed form, no root finding."),
)
