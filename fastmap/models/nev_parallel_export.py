"""Parallel export of new-energy vehicles with differentiated production (CN / CR / CT).

Manufacturer 2 (M2, Stackelberg leader) sells a differentiated car in Market 1 against the local
Manufacturer 1 (Cournot) and its standard car through an authorised distributor (AD) in its home
Market 2. Parallel export of standard cars back to Market 1 is done by nobody (case CN), by the AD
at the wholesale price (CR) or by a third party (TP) at Market 2's retail price (CT). Spec:
``shared/models/nev_parallel_export.md`` (section numbers below refer to it); the paper's formulas
were lost, so the spec reconstructs the model and chooses the gray-good valuation ``reading``.

Two outcomes are reported per parallel-export case:

* the paper's accommodation equilibrium (``*_cr_acc``, ``*_ct_acc``; validity ``paper_cr/ct``):
  the stationary point of M2's profit on the piece where parallel trade is active (§7.2, §8.3);
* the true subgame-perfect outcome (``*_cr``, ``*_ct``; ``regime_cr/ct``): the best of four
  blocking candidates (§9.3) and, in CT only, the paper's accommodation equilibrium where it is
  valid and pays M2 more (code 5 ``accommodate``). Spec §9.1 claims parallel trade is never
  optimal; that is false for CT in reading A in a thin band at small theta, large k and small
  beta, where the blocking value has a kink (limit_wholesale meets close_market2) and
  accommodation beats both, e.g. theta = 0.01315, k = 43.59, beta = 0.05551: 0.1279610 against
  0.1279349 (confirmed by the independent reference ``tests/reference/nev_brute.py``).

Signed margins (``margin_*``, the last outputs) are the differences the regime rule compares;
each boundary of ``regime_cr`` / ``regime_ct`` is the zero level set of one of them.

Everything is closed form (2x2 and 3x3 linear systems, one square root); no root finding.
"""

import math
from enum import IntEnum

import numba

from ..loops import block_buffers, block_cells, first_point, flush_block, n_blocks, next_point
from ..modeldef import Model, Output, Parameter, categorical

PRICE = "currency/unit"
MONEY = "currency"
SHARE = "unit"
NAN = math.nan
#: The true CT outcome is reported only for k >= K_MIN_CT (exotic CT equilibria near k = 2, §9.4).
K_MIN_CT = 2.5

PARAMETERS = (
    Parameter("theta", 0.3, "upper bound of Market-2 willingness to pay (Market 1: 1)", PRICE,
              (0.0, 1.0), "0 < theta <= 1"),
    Parameter("k", 4.0, "differentiation cost parameter (cost k e^2 / 2)", "1", (2.0, None),
              "k > 2 (true CT outcome: k >= 2.5)"),
    Parameter("beta", 0.5, "consumers' recognition of parallel-exported cars", "1", (0.0, 1.0),
              "0 < beta < 1"),
    Parameter("reading", 1.0, "gray-good valuation: 1 = v + beta e (reading B), 0 = beta v (A)",
              "1", (0.0, 1.0), "reading in {0, 1}"),
)

TRUE_REGIMES = {0: "invalid", 1: "no_threat", 2: "limit_wholesale", 3: "close_market2",
                4: "capture_market1"}
TRUE_COLORS = {0: "#ffffff", 1: "#f7eaa4", 2: "#7fb0dd", 3: "#e0584b", 4: "#6dbd6a"}
#: CT only: the paper's accommodation equilibrium is M2's optimum (never in CR, so CR keeps 0-4).
ACCOMMODATE = 5
TRUE_REGIMES_CT = {**TRUE_REGIMES, ACCOMMODATE: "accommodate"}
TRUE_COLORS_CT = {**TRUE_COLORS, ACCOMMODATE: "#a0a0a0"}
PAPER_REGIMES = {0: "invalid", 1: "paper_accommodation", 2: "no_threat", 3: "limit_wholesale",
                 4: "close_market2", 5: "capture_market1"}
PAPER_COLORS = {0: "#ffffff", 1: "#a0a0a0", 2: "#f7eaa4", 3: "#7fb0dd", 4: "#e0584b", 5: "#6dbd6a"}
STATUS_CR = {0: "singular_or_invalid", 1: "valid", 2: "not_concave", 3: "q_g_nonpositive",
             4: "q_r_nonpositive", 5: "q_1_nonpositive", 6: "other_bound"}
STATUS_CT = {0: "singular_or_invalid", 1: "valid", 2: "not_concave", 3: "q_t_nonpositive",
             4: "domestic_nonpositive", 5: "q_1_nonpositive", 6: "other_bound",
             7: "ad_keeps_tp_out"}


THEOREM_COLORS = {0: "#e6e6e6", 1: "#4a90c2", 2: "#f2c14e"}


def _theorem(name, long_name, yes, no):
    """A theorem code: 0 where the paper's equilibrium is not valid, 1 first branch, 2 second."""
    return categorical(name, long_name, {0: "n/a", 1: yes, 2: no}, THEOREM_COLORS)


CODES = (  # regime_cr first: the map drawn by default
    categorical("regime_cr", "true outcome of CR (AD exports in parallel)", TRUE_REGIMES, TRUE_COLORS),
    categorical("regime_ct", "true outcome of CT (third party exports in parallel; k >= 2.5)",
                TRUE_REGIMES_CT, TRUE_COLORS_CT),
    categorical("regime_cr_paper", "CR under the paper's rule (accommodation where valid)",
                PAPER_REGIMES, PAPER_COLORS),
    categorical("regime_ct_paper", "CT under the paper's rule (accommodation where valid)",
                PAPER_REGIMES, PAPER_COLORS),
    categorical("regime_cn", "case CN (no parallel export)", {0: "invalid", 1: "cn_interior"}),
    categorical("paper_cr", "validity of the paper's CR accommodation equilibrium", STATUS_CR),
    categorical("paper_ct", "validity of the paper's CT accommodation equilibrium", STATUS_CT),
    _theorem("t5_market1_cr", "Thm 5(2): parallel vs M1 sales in Market 1 (CR accommodation)",
             "q_g_gt_q1", "q_g_le_q1"),
    _theorem("t5_ad_mix_cr", "Thm 5(3): AD's parallel vs Market-2 sales (CR accommodation)",
             "q_g_gt_q_r", "q_g_le_q_r"),
    _theorem("t7_ad_cr", "Thm 7: AD gains from parallel export (CR accommodation vs CN)",
             "pi_R_cr_gt_cn", "pi_R_cr_le_cn"),
    _theorem("t9_market1_ct", "Thm 9(2): parallel vs M1 sales in Market 1 (CT accommodation)",
             "q_t_gt_q1", "q_t_le_q1"),
    _theorem("t8_market2_ct", "Thm 8(2): parallel vs domestic sales of Market 2 (CT accommodation)",
             "q_t_gt_domestic", "q_t_le_domestic"),
)

FIELDS = (
    ("w", "M2's wholesale price", PRICE),
    ("q_2", "M2's quantity in Market 1", SHARE),
    ("e", "M2's differentiation level", PRICE),
    ("q_1", "M1's quantity", SHARE),
    ("q_r", "AD's Market-2 quantity (CT: supply incl. TP purchases)", SHARE),
    ("q_par", "parallel-export quantity (q_g in CR, q_t in CT)", SHARE),
    ("p_1", "M1's price", PRICE),
    ("p_2", "M2's Market-1 price", PRICE),
    ("p_g", "price of parallel cars in Market 1 (NaN without parallel trade)", PRICE),
    ("p_r", "Market-2 retail price", PRICE),
    ("pi_2", "M2's profit", MONEY),
    ("pi_2_m1", "M2's Market-1 profit (net of differentiation cost)", MONEY),
    ("pi_2_m2", "M2's wholesale profit", MONEY),
    ("pi_1", "M1's profit", MONEY),
    ("pi_R", "AD's profit", MONEY),
    ("pi_T", "TP's profit", MONEY),
)
TAGS = (
    ("cn", "CN, no parallel export"),
    ("cr", "CR, true outcome"),
    ("ct", "CT, true outcome"),
    ("cr_acc", "CR, paper's accommodation equilibrium"),
    ("ct_acc", "CT, paper's accommodation equilibrium"),
)
CASE_OUTPUTS = tuple(Output(f"{field}_{tag}", f"{long} ({case})", units)
                     for tag, case in TAGS for field, long, units in FIELDS)
RATIO_OUTPUTS = tuple(Output(f"ratio_{who}_{tag}", f"{long} / its CN value ({case})")
                      for tag, case in TAGS[1:]
                      for who, long in (("pi_2", "M2's profit"), ("pi_R", "AD's profit"),
                                        ("pi_1", "M1's profit")))
COEFFICIENTS = (
    Output("k_H_cr", "k above which the CR accommodation problem is concave"),
    Output("floor_alpha_cr", "CR blocking floor w >= alpha + lambda (b_e e + b_v (1 - q2)/2): alpha",
           PRICE),
    Output("floor_lambda_cr", "CR blocking floor: lambda"),
    Output("floor_alpha_ct", "CT blocking floor: alpha", PRICE),
    Output("floor_lambda_ct", "CT blocking floor: lambda"),
    Output("b_v", "slope of the parallel car's value in v"),
    Output("b_e", "weight of e in the parallel car's value"),
)


def _margins(case, tag):
    """Signed margins of one true outcome (§9.3): each boundary of ``regime_<tag>`` is the zero
    level set of one of them (rule: no_threat if the first >= 0, else capture_market1 if the third
    > 0, else limit_wholesale if the second >= 0, else close_market2)."""
    return (
        Output(f"margin_no_threat_{tag}", f"{case}: theta/2 - blocking floor L(q2, e) at CN's "
               "decisions (>= 0: CN already blocks parallel trade, no_threat)", PRICE),
        Output(f"margin_limit_{tag}", f"{case}: M2's profit under limit_wholesale - under "
               "close_market2 (>= 0: limit_wholesale beats close_market2; NaN where no "
               "limit_wholesale candidate is admissible or no_threat decides)", MONEY),
        Output(f"margin_capture_{tag}", f"{case}: M2's profit under capture_market1 - max(limit_"
               "wholesale, close_market2) (> 0: capture_market1 is the best blocking strategy; "
               "NaN where no_threat decides)", MONEY),
    )


# Signed margins, appended last so that the earlier output slots keep their places. True-CT
# margins are NaN where regime_ct is 0 (k < K_MIN_CT); all are NaN at invalid points.
MARGINS = _margins("CR", "cr") + _margins("CT", "ct") + (
    Output("margin_accommodate_ct", "CT: pi_2_ct_acc - M2's best blocking profit (> 0: the paper's "
           "accommodation equilibrium is the true outcome, regime_ct accommodate; NaN where it is "
           "not valid, paper_ct != 1, or k < 2.5)", MONEY),
)
OUTPUTS = CODES + CASE_OUTPUTS + RATIO_OUTPUTS + COEFFICIENTS + MARGINS
N_OUTPUTS = len(OUTPUTS)
N_CODES = len(CODES)
S = IntEnum("S", {o.name: i for i, o in enumerate(OUTPUTS)})  # output slots, numba constants
NF = len(FIELDS)
CN, CR, CT, CR_ACC, CT_ACC = (N_CODES + NF * j for j in range(len(TAGS)))  # case blocks
# Offsets inside a case block.
W, Q2, E, Q1, QR, QPAR, P1, P2, PG, PR, PI2, PI2M1, PI2M2, PI1, PIR, PIT = range(NF)


# ------------------------------------------------------------------------------ small helpers

@numba.njit(cache=True, error_model="numpy")
def _store(o, base, w, q2, e, q1, q_r, q_par, p1, p2, p_g, p_r, pi_2_m2, pi_R, pi_T, k):
    """Write one outcome at case block ``base``; M2's Market-1 profit, M1's profit and M2's total
    follow from the prices (§5)."""
    pi_2_m1 = p2 * q2 - 0.5 * k * e * e
    o[base + W] = w
    o[base + Q2] = q2
    o[base + E] = e
    o[base + Q1] = q1
    o[base + QR] = q_r
    o[base + QPAR] = q_par
    o[base + P1] = p1
    o[base + P2] = p2
    o[base + PG] = p_g
    o[base + PR] = p_r
    o[base + PI2] = pi_2_m1 + pi_2_m2
    o[base + PI2M1] = pi_2_m1
    o[base + PI2M2] = pi_2_m2
    o[base + PI1] = p1 * q1
    o[base + PIR] = pi_R
    o[base + PIT] = pi_T


@numba.njit(cache=True, error_model="numpy")
def _store_blocked(o, base, theta, inv_theta, k, w, q2, room, e):
    """An outcome without parallel trade (§9.3): M1 at R/2, the AD at its CN response.

    ``room`` = R = 1 - q2 is passed separately: near k = 2 it is small and 1 - q2 would lose
    its leading digits (then p1 = q1 = R/2 keep full relative precision)."""
    q1 = 0.5 * room
    q_r = max(0.0, 0.5 - 0.5 * w * inv_theta)
    p1 = q1
    p_r = theta * (1.0 - q_r)
    pi_R = (p_r - w) * q_r if q_r > 0.0 else 0.0      # no -0.0 when Market 2 is closed
    _store(o, base, w, q2, e, q1, q_r, 0.0, p1, p1 + e, NAN, p_r, w * q_r, pi_R, 0.0, k)


@numba.njit(cache=True, error_model="numpy")
def _fill_nan(o, first, stop):
    for j in range(first, stop):
        o[j] = NAN


@numba.njit(cache=True, error_model="numpy")
def _leader_optimum(i1, h13, i2, h23, k, c1, c2):
    """Stationary point x = (w, q2, e) of M2's quadratic accommodation profit, gradient H x + c
    with H = [[h11, 0, h13], [0, h22, h23], [h13, h23, -k]], c = (c1, c2, 0) (§7.2, §8.3; H12 = 0
    in both cases), h11, h22 < 0, given through i1 = -1/h11 and i2 = -1/h22. Eliminating w and q2
    leaves (k - k_H) e = h13 c1 i1 + h23 c2 i2 with k_H = h13^2 i1 + h23^2 i2: H is negative
    definite iff k > k_H and singular iff k = k_H. Returns (k_H, w, q2, e), decisions NaN if singular."""
    k_H = h13 * h13 * i1 + h23 * h23 * i2
    if k == k_H:
        return k_H, NAN, NAN, NAN
    e = (h13 * c1 * i1 + h23 * c2 * i2) / (k - k_H)
    return k_H, (c1 + h13 * e) * i1, (c2 + h23 * e) * i2, e


@numba.njit(cache=True, error_model="numpy")
def _solve2(m11, m12, m22, inv_det, a, b):
    """The symmetric 2x2 system [[m11, m12], [m12, m22]] y = (a, b), 1/determinant given."""
    return (m22 * a - m12 * b) * inv_det, (m11 * b - m12 * a) * inv_det


# ------------------------------------------------------------------------------ true outcome

@numba.njit(cache=True, error_model="numpy")
def _blocking(theta, inv_theta, k, inv_k, b_v, b_e, alpha, lam, q2_cn, room_cn, e_cn, value_cn,
              is_ct):
    """M2's best blocking decisions (§9.3) and the signed margins deciding them:
    (regime code, w, q2, 1 - q2, e, margin_no_threat, margin_limit, margin_capture).

    Parallel trade is blocked iff w >= L(q2, e) = alpha + lam (b_e e + b_v (1 - q2)/2) (§9.2).
    Candidates in order 1..4, the largest profit wins, earlier codes win ties. Margins:
    theta/2 - L(CN) (>= 0: no_threat); where candidates 2-4 are compared (no_threat fails),
    limit - close value (>= 0: limit beats close; NaN without an admissible limit candidate) and
    capture - max(limit, close) (> 0: capture); both NaN where no_threat decides (returning early
    there keeps the kernel's cost: computing them everywhere cost ~10 % more time per cell).
    """
    l0 = alpha + 0.5 * lam * b_v
    lq = -0.5 * lam * b_v
    le = lam * b_e
    margin_no_threat = 0.5 * theta - (l0 + lq * q2_cn + le * e_cn)
    if margin_no_threat >= 0.0:       # 1. no_threat: the CN outcome already blocks
        return 1, 0.5 * theta, q2_cn, room_cn, e_cn, margin_no_threat, NAN, NAN
    # 2. limit_wholesale: w = L(q2, e); stationary point of the concave G, then the face e = 0.
    m0 = 0.5 - l0 * inv_theta
    a11 = 1.0 + lq * lq * inv_theta
    a12 = 1.0 - lq * le * inv_theta
    a22 = k + le * le * inv_theta
    r1 = 0.5 + lq * m0
    r2 = le * m0
    inv_det = 1.0 / (a11 * a22 - a12 * a12)
    code, w, q2, room, e = 0, NAN, NAN, NAN, NAN
    best = -math.inf
    for j in range(2):
        if j == 0:
            cq = (r1 * a22 + a12 * r2) * inv_det
            ce = (a12 * r1 + a11 * r2) * inv_det
        else:
            cq = r1 / a11
            ce = 0.0
        cw = l0 + lq * cq + le * ce
        if 0.0 <= cq < 1.0 and ce >= 0.0 and 0.0 <= cw <= theta:
            value = (0.5 * (1.0 - cq) + ce) * cq - 0.5 * k * ce * ce + 0.5 * cw * (theta - cw) * inv_theta
            if value > best:
                code, w, q2, room, e, best = 2, cw, cq, 1.0 - cq, ce, value
    margin_limit = best - value_cn if code == 2 else NAN
    # 3. close_market2: CN's Market-1 optimum, Market 2 closed by w >= theta.
    if value_cn > best:
        cw = theta if is_ct else max(theta, l0 + lq * q2_cn + le * e_cn)
        code, w, q2, room, e, best = 3, cw, q2_cn, room_cn, e_cn, value_cn
    # 4. capture_market1: q2 = 1 leaves no room in Market 1.
    value_capture = 0.5 * inv_k + 0.125 * theta
    margin_capture = value_capture - best
    if value_capture > best:
        code, w, q2, room, e = 4, 0.5 * theta, 1.0, 0.0, inv_k
    return code, w, q2, room, e, margin_no_threat, margin_limit, margin_capture


# ---------------------------------------------------------------------- accommodation (paper)

@numba.njit(cache=True, error_model="numpy")
def _cr_accommodation(o, theta, inv_theta, k, b_v, b_e):
    """Paper's CR equilibrium (§7.2) stored at CR_ACC; returns (validity code, k_H_cr)."""
    inv_u = 1.0 / (b_v * (2.0 - b_v))
    inv_2b = b_v * inv_u                               # 1 / (2 - b_v)
    a4 = 0.25 * (4.0 - b_v) * inv_u                    # (4 - b_v) / (4 b_v (2 - b_v))
    # H11 = -1/theta - 2 a4, H13 = b_e a4, H22 = -(2 - b_v)/2, H23 = 1 - b_e/4
    i1 = theta / (1.0 + 2.0 * a4 * theta)
    k_H, w, q2, e = _leader_optimum(i1, b_e * a4, 2.0 * inv_2b, 1.0 - 0.25 * b_e, k, 0.75,
                                    0.25 * (2.0 - b_v))
    if k == k_H:
        _fill_nan(o, CR_ACC, CR_ACC + NF)
        return 0, k_H
    m = w - b_e * e
    q_g = 0.25 * (1.0 - q2) - a4 * m
    q1 = 0.5 * (1.0 - q2) + 0.5 * m * inv_2b
    q_r = 0.5 - 0.5 * w * inv_theta
    s = 1.0 - q1 - q2
    p1 = s - b_v * q_g
    p_g = b_v * (s - q_g) + b_e * e
    p_r = theta * (1.0 - q_r)
    # Where the formulas give q_g < 0 (status 3) the follower's parallel profit counts a zero
    # quantity (as in the oracle); prices and M2's wholesale use the formulas as they are.
    _store(o, CR_ACC, w, q2, e, q1, q_r, q_g, p1, p1 + e, p_g, p_r, w * (q_r + q_g),
           (p_r - w) * q_r + (p_g - w) * max(q_g, 0.0), 0.0, k)
    if k <= k_H:
        status = 2
    elif q_g <= 0.0:
        status = 3
    elif q_r <= 0.0:
        status = 4
    elif q1 <= 0.0:
        status = 5
    elif e <= 0.0 or w <= 0.0 or q2 >= 1.0 or q_g >= s:
        status = 6
    else:
        status = 1
    return status, k_H


@numba.njit(cache=True, error_model="numpy")
def _ct_accommodation(o, theta, inv_theta, k, b_v, b_e):
    """Paper's CT equilibrium (§8.3) stored at CT_ACC; returns its validity code.

    The stage-2 quantities (q1, q_r) solve M y = r0 + r_w w + r_q q2 + r_e e (§8.2), so they are
    affine in x = (w, q2, e) with coefficients M^-1 r; so are q_t (§8.1) and p2, which makes M2's
    profit quadratic with gradient H x + c.
    """
    g = 2.0 * (b_v + theta)
    gb = g - b_v * b_v
    m11 = 2.0 * gb
    m12 = b_v * theta
    m22 = 2.0 * theta * (g - theta)
    inv_dm = 1.0 / (m11 * m22 - m12 * m12)
    inv_g = 1.0 / g

    q1_0, r_0 = _solve2(m11, m12, m22, inv_dm, gb + b_v * theta, g * theta - theta * theta + theta * b_v)
    q1_w, r_w = _solve2(m11, m12, m22, inv_dm, 0.0, -g)
    q1_q, r_q = _solve2(m11, m12, m22, inv_dm, -gb, -theta * b_v)
    q1_e, r_e = _solve2(m11, m12, m22, inv_dm, -b_v * b_e, theta * b_e)
    # q_t = (b_v (1 - q1 - q2) + b_e e - theta (1 - q_r)) / g
    t_0 = (b_v * (1.0 - q1_0) - theta + theta * r_0) * inv_g
    t_q = (-b_v * (q1_q + 1.0) + theta * r_q) * inv_g
    t_e = (-b_v * q1_e + b_e + theta * r_e) * inv_g
    # p2 = 1 + e - q1 - q2 - b_v q_t = P0 + P . x
    P0 = 1.0 - q1_0 - b_v * t_0
    P_q = -q1_q - 1.0 - b_v * t_q
    P_e = 1.0 - q1_e - b_v * t_e
    # H12 = P_w + r_q vanishes identically (§8.3 closed form); H11 = 2 r_w and H22 = 2 P_q are < 0.
    h11 = 2.0 * r_w
    h22 = 2.0 * P_q
    k_H, w, q2, e = _leader_optimum(-1.0 / h11, r_e, -1.0 / h22, P_e, k, r_0, P0)
    if k == k_H:
        _fill_nan(o, CT_ACC, CT_ACC + NF)
        return 0
    q1 = q1_0 + q1_w * w + q1_q * q2 + q1_e * e
    q_r = r_0 + r_w * w + r_q * q2 + r_e * e
    s = 1.0 - q1 - q2
    q_t = (b_v * s + b_e * e - theta * (1.0 - q_r)) * inv_g
    p1 = s - b_v * q_t
    p_g = b_v * (s - q_t) + b_e * e
    p_r = theta * (1.0 - q_r + q_t)
    pi_R = (p_r - w) * q_r
    _store(o, CT_ACC, w, q2, e, q1, q_r, q_t, p1, p1 + e, p_g, p_r, w * q_r, pi_R,
           (p_g - p_r) * max(q_t, 0.0), k)          # TP's profit: zero quantity if q_t < 0
    if not (h11 < 0.0 and h22 < 0.0 and k > k_H):
        return 2
    if q_t <= 0.0:
        return 3
    if q_r - q_t <= 0.0:
        return 4
    if q1 <= 0.0:
        return 5
    if e <= 0.0 or w <= 0.0 or q2 >= 1.0 or q_t >= s or q_t >= q_r:
        return 6
    # The AD's best supply keeping the TP out (q_r <= qbar), against its equilibrium payoff.
    qbar = max(0.0, 1.0 - (b_v * s + b_e * e) * inv_theta)
    q_out = min(max(0.5 - 0.5 * w * inv_theta, 0.0), qbar)
    if (theta * (1.0 - q_out) - w) * q_out > pi_R:
        return 7
    return 1


# ------------------------------------------------------------------------------------ kernel

@numba.njit(cache=True, error_model="numpy")
def _valid(theta, k, beta, reading):
    """Spec §3 domain; NaN fails every comparison."""
    return (0.0 < theta <= 1.0 and 2.0 < k < math.inf and 0.0 < beta < 1.0
            and (reading == 0.0 or reading == 1.0))


@numba.njit(cache=True, error_model="numpy", inline="always")
def kernel(p, o):
    """Every output of spec §11 and the signed margins at one parameter point, in the order of
    ``OUTPUTS``."""
    theta, k, beta, reading = p[0], p[1], p[2], p[3]
    if not _valid(theta, k, beta, reading):
        for j in range(N_CODES):
            o[j] = 0.0
        _fill_nan(o, N_CODES, N_OUTPUTS)
        return
    if reading == 1.0:
        b_v, b_e = 1.0, beta
    else:
        b_v, b_e = beta, 0.0

    inv_theta = 1.0 / theta
    inv_k = 1.0 / k
    inv_k1 = 1.0 / (k - 1.0)

    # CN (§6).
    q2_cn = 0.5 * k * inv_k1
    room_cn = 0.5 * (k - 2.0) * inv_k1        # 1 - q2_cn without cancellation near k = 2
    e_cn = 0.5 * inv_k1
    _store_blocked(o, CN, theta, inv_theta, k, 0.5 * theta, q2_cn, room_cn, e_cn)
    value_cn = 0.125 * k * inv_k1     # M2's Market-1 profit in CN (close_market2's value)

    # Blocking floors (§9.2): CR alpha = 0, lambda = 1; CT lambda = 1/T2 = 1 + rho.
    xi = theta / (b_v + theta)
    rho = math.sqrt(1.0 - 0.5 * xi)
    lam_ct = 1.0 + rho
    alpha_ct = -theta * rho

    # True outcomes (§9.3).
    regime_cr, w, q2, room, e, o[S.margin_no_threat_cr], o[S.margin_limit_cr], \
        o[S.margin_capture_cr] = _blocking(theta, inv_theta, k, inv_k, b_v, b_e, 0.0, 1.0, q2_cn,
                                           room_cn, e_cn, value_cn, False)
    _store_blocked(o, CR, theta, inv_theta, k, w, q2, room, e)
    if k >= K_MIN_CT:
        regime_ct, w, q2, room, e, o[S.margin_no_threat_ct], o[S.margin_limit_ct], \
            o[S.margin_capture_ct] = _blocking(theta, inv_theta, k, inv_k, b_v, b_e, alpha_ct,
                                               lam_ct, q2_cn, room_cn, e_cn, value_cn, True)
        _store_blocked(o, CT, theta, inv_theta, k, w, q2, room, e)
    else:
        regime_ct = 0
        _fill_nan(o, CT, CT + NF)
        _fill_nan(o, S.margin_no_threat_ct, S.margin_capture_ct + 1)

    # The paper's accommodation equilibria (§7.2, §8.3).
    paper_cr, k_H = _cr_accommodation(o, theta, inv_theta, k, b_v, b_e)
    paper_ct = _ct_accommodation(o, theta, inv_theta, k, b_v, b_e)
    # CT: where the accommodation equilibrium is valid (stage-2 equilibrium with the TP active,
    # the AD not keeping it out, M2's problem concave) and pays M2 strictly more than the best
    # blocking candidate, it is the true outcome (contrary to §9.1; only reading A, thin band).
    # CR never has such points (checked by the reference's global search), hence no code 5 there.
    margin = o[CT_ACC + PI2] - o[CT + PI2] if regime_ct > 0 and paper_ct == 1 else NAN
    o[S.margin_accommodate_ct] = margin
    if margin > 0.0:
        regime_ct = ACCOMMODATE
        for j in range(NF):
            o[CT + j] = o[CT_ACC + j]

    # Ratios against CN, whose profits are positive for k > 2 (§6). Divisions, not reciprocals:
    # an outcome equal to CN then has ratio exactly 1.
    for j, base in enumerate((CR, CT, CR_ACC, CT_ACC)):
        o[S.ratio_pi_2_cr + 3 * j] = o[base + PI2] / o[CN + PI2]
        o[S.ratio_pi_2_cr + 3 * j + 1] = o[base + PIR] / o[CN + PIR]
        o[S.ratio_pi_2_cr + 3 * j + 2] = o[base + PI1] / o[CN + PI1]

    # Codes (§10).
    o[S.regime_cn] = 1.0
    o[S.regime_cr] = regime_cr
    o[S.regime_ct] = regime_ct
    o[S.regime_cr_paper] = 1 if paper_cr == 1 else (regime_cr + 1 if regime_cr > 0 else 0)
    o[S.regime_ct_paper] = 1 if paper_ct == 1 else (regime_ct + 1 if regime_ct > 0 else 0)
    o[S.paper_cr] = paper_cr
    o[S.paper_ct] = paper_ct
    if paper_cr == 1:
        q_g = o[CR_ACC + QPAR]
        o[S.t5_market1_cr] = 1 if q_g > o[CR_ACC + Q1] else 2
        o[S.t5_ad_mix_cr] = 1 if q_g > o[CR_ACC + QR] else 2
        o[S.t7_ad_cr] = 1 if o[CR_ACC + PIR] > o[CN + PIR] else 2
    else:
        o[S.t5_market1_cr] = 0
        o[S.t5_ad_mix_cr] = 0
        o[S.t7_ad_cr] = 0
    if paper_ct == 1:
        q_t = o[CT_ACC + QPAR]
        o[S.t9_market1_ct] = 1 if q_t > o[CT_ACC + Q1] else 2
        o[S.t8_market2_ct] = 1 if q_t > o[CT_ACC + QR] - q_t else 2
    else:
        o[S.t9_market1_ct] = 0
        o[S.t8_market2_ct] = 0

    o[S.k_H_cr] = k_H
    o[S.floor_alpha_cr] = 0.0
    o[S.floor_lambda_cr] = 1.0
    o[S.floor_alpha_ct] = alpha_ct
    o[S.floor_lambda_ct] = lam_ct
    o[S.b_v] = b_v
    o[S.b_e] = b_e


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
    name="nev_parallel_export",
    title="Parallel export of new-energy vehicles with differentiated production",
    reference=("Parallel Export and Differentiated Production in the Supply Chain of New Energy "
               "Vehicles, Systems 13(8), 662 (2025), doi:10.3390/systems13080662 "
               "(model reconstructed: the seed lost every formula)"),
    parameters=PARAMETERS,
    outputs=OUTPUTS,
    evaluate=evaluate,
    default_axes=("theta", "k"),
    thresholds={"k_H_cr": "k"},
    decisions={"regime_cr": ("q_2_cr", "q_1_cr", "q_r_cr", "pi_2_cr", "pi_1_cr", "pi_R_cr"),
               "regime_ct": ("q_2_ct", "q_1_ct", "pi_2_ct", "pi_1_ct", "pi_T_ct")},
    summary=("M2 (leader) sets its wholesale price, Market-1 quantity and differentiation level; M1 "
             "and the AD follow; parallel export by nobody (CN), the AD (CR) or a third party (CT). "
             "True outcome: M2 blocks parallel trade, except in CT (reading A, a thin band at small "
             "theta, large k, small beta) where the paper's accommodation equilibrium pays it more; "
             "the paper's accommodation equilibria are reported beside it. Closed form."),
)
