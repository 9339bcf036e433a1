"""Property tests (hypothesis) for ``import_tax_channels``.

Every property comes from the model spec ``shared/models/import_tax_channels.md`` (section numbers
below refer to it): the paper's Propositions 1-8, Corollary 1 and Result 2 (basic model = all scale
parameters 1, E1 = ``theta_d = theta_f = 1``, E2 = ``N_d = N_f = 1``), the "Proven orderings" of
§8, the regime logic of §10 and the engine contract (broadcasting, invalid points,
sweep/chunking).

Strategies land in the relevant region by construction instead of filtering: e.g. ``delta`` and
the scale parameters are drawn first, ``t_g`` is drawn below the bound that makes ``R > 0`` and
``t`` is drawn inside ``(t1, t2)`` computed from the spec's closed forms (§8), which the tests
recompute independently of fastmap.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

import fastmap

MODEL = "import_tax_channels"

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

SCALE_NAMES = ("N_d", "N_f", "theta_d", "theta_f")
ALL_PARAMS = ("delta", "t", "t_g", "N_d", "N_f", "theta_d", "theta_f", "alpha", "beta")
CODE_NAMES = ("regime", "regime_true", "case_d", "deter_branch", "gray_beneficial", "wreg_f",
              "wreg_d")
THRESHOLD_NAMES = ("t0", "t1", "t2", "t3", "t3_lo", "t4", "t4_lo", "t3_C", "t4_C", "R")
FIELDS = ("p_d", "p_f", "p_g", "Q_d", "Q_f", "Q_g", "piM", "piI", "CS_d", "CS_f", "SW_d", "SW_f")
SUFFIXES = ("_B", "_E", "_D", "_A", "", "_true")
FLOAT_NAMES = (THRESHOLD_NAMES + tuple(f + s for s in SUFFIXES for f in FIELDS)
               + ("piM_ratio_DB", "piM_ratio_DE"))
SPEC_OUTPUTS = CODE_NAMES + FLOAT_NAMES  # spec §10.3


# --------------------------------------------------------------------------------------- helpers

def solve(**params) -> dict[str, np.ndarray]:
    return fastmap.solve(MODEL, **params)


def solve1(**params) -> dict[str, float]:
    """fastmap at one scalar point, as Python numbers."""
    return {k: v.item() for k, v in solve(**params).items()}


def spec(delta, t_g, N_d=1.0, N_f=1.0, theta_d=1.0, theta_f=1.0):
    """Thresholds and helpers from the closed forms of spec §7-§8 (independent of fastmap)."""
    d = delta
    K = N_f * theta_d + N_d * d * (2 - d) * theta_f
    W = N_d * theta_f + N_f * theta_d
    R = (N_f * theta_d * (d * theta_f - t_g)
         + N_d * d * (2 - d) * theta_f * (2 * d * theta_f - theta_d - 2 * t_g))
    t0 = (theta_d + 2 * t_g) / d - theta_f
    t1 = (N_d * d * theta_f * (2 * (1 - d) * (theta_d - d * theta_f) + (4 - 3 * d) * t_g)
          + N_f * theta_d * t_g) / (d * K)
    t2 = (2 * (1 - d) * theta_f + t_g) / (2 - d)
    X = theta_d + t_g - d * theta_f
    return dict(K=K, W=W, R=R, t0=t0, t1=t1, t2=t2, X=X)


def tg_bound(delta, N_d, N_f, theta_d, theta_f):
    """``R > 0`` iff ``t_g < tg_bound`` (R is affine and decreasing in t_g)."""
    d = delta
    R0 = N_f * theta_d * d * theta_f + N_d * d * (2 - d) * theta_f * (2 * d * theta_f - theta_d)
    slope = N_f * theta_d + 2 * N_d * d * (2 - d) * theta_f
    return R0 / slope


def spec_valid(delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta) -> bool:
    """Spec §3 validity."""
    xs = (delta, t, t_g, N_d, N_f, theta_d, theta_f, alpha, beta)
    if not all(math.isfinite(x) for x in xs):
        return False
    return (0 < delta < 1 and t_g >= 0 and 0 <= t <= theta_f and N_d > 0 and N_f > 0
            and theta_d > 0 and theta_f > 0 and 0 <= alpha <= 1 and 0 <= beta <= 1
            and delta * theta_f <= 2 * theta_d + t_g)


def near(a, b, rel=1e-9):
    """Within a relative tie band (used to skip exact ties of the regime rules)."""
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def close(a, b, rel=1e-9, abs_=1e-12):
    return abs(a - b) <= abs_ + rel * max(abs(a), abs(b))


def assert_same(a, b, what=""):
    """Exact equality of arrays, NaN == NaN, same dtype."""
    a = np.asarray(a)
    b = np.asarray(b)
    assert a.dtype == b.dtype, (what, a.dtype, b.dtype)
    np.testing.assert_array_equal(a, b, err_msg=what)


def unit(lo=0.0, hi=1.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def log_uniform(lo, hi):
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda x: 10.0 ** x)


FAMILIES = ("basic", "E1", "E2", "general")


def _draw_scales(draw, family, scale_range=(0.1, 10.0)):
    """N_d, N_f, theta_d of a family (theta_f is drawn by the callers)."""
    if family in ("basic", "E2"):
        N_d = N_f = 1.0
    else:
        N_d = draw(log_uniform(*scale_range))
        N_f = draw(log_uniform(*scale_range))
    theta_d = draw(log_uniform(0.25, 4.0)) if family == "general" else 1.0
    return N_d, N_f, theta_d


@st.composite
def accommodation_params(draw, families=FAMILIES):
    """A valid parameter point (without t) with ``R > 0``, i.e. a non-empty band ``t1 < t2``.

    basic/E1 (theta = 1): delta above the root of R(t_g = 0) = 0 (closed form in N_f/N_d).
    E2/general: delta free, theta_f drawn above the value that makes R(t_g = 0) > 0 and below
    2*theta_d/delta (so that delta*theta_f <= 2*theta_d + t_g for every t_g >= 0).
    Then t_g in [0, 0.99*bound) so that R > 0.
    """
    family = draw(st.sampled_from(families))
    N_d, N_f, theta_d = _draw_scales(draw, family)
    if family in ("basic", "E1"):
        theta_f = theta_d = 1.0
        r = N_f / N_d
        d_min = max((5.0 - math.sqrt(9.0 + 8.0 * r)) / 4.0, 0.02)  # R(t_g=0) = 0 in delta
        delta = d_min + draw(unit(0.001, 1.0)) * (0.98 - d_min)
    else:
        delta = draw(unit(0.02, 0.98))
        f_min = max(theta_d * (N_d * (2 - delta) - N_f) / (2 * delta * (2 - delta) * N_d), 0.0)
        hi = 2.0 * theta_d / delta * (1 - 1e-12)
        lo = max(f_min * 1.001, hi * 1e-3)
        theta_f = lo * (hi / lo) ** draw(unit(0.0, 1.0))
    bound = tg_bound(delta, N_d, N_f, theta_d, theta_f)
    assert bound > 0
    t_g = draw(unit(0.0, 0.99)) * bound
    p = dict(delta=delta, t_g=t_g, N_d=N_d, N_f=N_f, theta_d=theta_d, theta_f=theta_f)
    s = spec(**p)
    assert s["R"] > 0 and s["t1"] < s["t2"] < theta_f
    note(f"family={family} params={p} t1={s['t1']} t2={s['t2']}")
    return family, p, s


@st.composite
def interior_point(draw, families=FAMILIES, v_lo=1e-4):
    """(family, params with t, spec) with t strictly inside (max(t1, 0), t2): case D interior."""
    family, p, s = draw(accommodation_params(families))
    a = max(s["t1"], 0.0)
    t = a + draw(unit(v_lo, 1 - v_lo)) * (s["t2"] - a)
    assert s["t1"] < t < s["t2"]
    return family, dict(p, t=t), s


@st.composite
def valid_point(draw, families=FAMILIES, delta_range=(0.01, 0.99), scale_range=(0.1, 10.0)):
    """Any valid point of spec §3 (all regions), boundaries included (t = 0, t = theta_f,
    t_g = 0, delta*theta_f = 2*theta_d + t_g)."""
    family = draw(st.sampled_from(families))
    N_d, N_f, theta_d = _draw_scales(draw, family, scale_range)
    delta = draw(unit(*delta_range))
    t_g = theta_d * draw(st.one_of(st.just(0.0), log_uniform(1e-4, 3.0)))
    if family in ("basic", "E1"):
        theta_f = theta_d
    else:
        hi = (2 * theta_d + t_g) / delta
        theta_f = hi * draw(unit(1e-3, 1.0))
        while delta * theta_f > 2 * theta_d + t_g:  # rounding at the boundary
            theta_f = math.nextafter(theta_f, 0.0)
    t = theta_f * draw(st.one_of(st.sampled_from((0.0, 1.0)), unit(0.0, 1.0)))
    alpha = draw(unit(0.0, 1.0))
    beta = draw(unit(0.0, 1.0))
    p = dict(delta=delta, t=t, t_g=t_g, N_d=N_d, N_f=N_f, theta_d=theta_d, theta_f=theta_f,
             alpha=alpha, beta=beta)
    assert spec_valid(**p)
    note(f"family={family} params={p}")
    return family, p




# ------------------------------------------------------------------ closed forms (Props 1, 2, 4-6)

@SETTINGS
@given(interior_point(families=("basic",)))
def test_basic_closed_forms_props_1_2_4_5_6(case):
    """Basic model inside (t1, t2): fastmap equals the printed closed forms of Prop. 1 (B),
    Prop. 2 (D), Prop. 4 (E) and the thresholds t0..t4 of §8 / Props 5-6."""
    _, p, _ = case
    d, t, tg = p["delta"], p["t"], p["t_g"]
    o = solve1(delta=d, t=t, t_g=tg)
    A = 1 + 2 * d - d * d
    B3 = 1 + d - 3 * d * d + d ** 3
    expected = {
        # Prop. 1
        "p_d_B": 0.5, "p_f_B": (1 + t) / 2, "Q_d_B": 0.5, "Q_f_B": (1 - t) / 2,
        "piM_B": (t * t - 2 * t + 2) / 4,
        # Prop. 4
        "p_d_E": (2 + t) / 4, "p_f_E": (2 + t) / 4, "Q_d_E": (2 - t) / 4, "Q_f_E": (2 - t) / 4,
        "piM_E": (2 - t) ** 2 / 8,
        # Prop. 2
        "p_d_D": (d * (3 - d) - tg) / (2 * A),
        "p_f_D": (1 + t + d * (3 + 2 * t + tg) - d * d * (2 + t)) / (2 * A),
        "p_g_D": (t * d * A + 2 * d * (2 + d - d * d) + tg * (1 + 4 * d - d * d)) / (4 * A),
        "Q_d_D": (2 + tg + d * (1 - d)) / (2 * A),
        "Q_f_D": (2 + tg + t * (d - 2) - 2 * d) / (4 * (1 - d)),
        "Q_g_D": (t * d * A - 2 * d * (1 - d) ** 2 - tg * (1 + 4 * d - 3 * d * d)) / (4 * d * B3),
        "piM_D": ((tg * tg * (1 + d * d)
                   + 2 * tg * d * (t * (d * d - 2 * d - 1) - 2 * (d - 1) ** 2)) / (8 * d * B3)
                  + (t * t * (2 + 3 * d - 4 * d * d + d ** 3) - 4 * t * B3
                     + 2 * (1 + 5 * d - 9 * d * d + 3 * d ** 3)) / (8 * B3)),
        "piI_D": ((tg * (1 + 4 * d - 3 * d * d) + 2 * d * (1 - d) ** 2 - t * d * A) ** 2
                  / (16 * d * (1 - d) * A * A)),
        # §8 basic thresholds (Props 5, 6)
        "t0": (1 - d + 2 * tg) / d,
        "t1": ((1 + 4 * d - 3 * d * d) * tg + 2 * d * (1 - d) ** 2) / (d * A),
        "t2": (2 - 2 * d + tg) / (2 - d),
        "t3": tg / d + math.sqrt(2) * (1 - d + tg) * math.sqrt((1 - d) / (d * A)),
        "t4": tg + (1 - d) * math.sqrt((2 * d * (1 - d) + 4 * d * tg - tg * tg * (1 + d))
                                       / (d * A)),
        "R": d * (5 * d - 2 * d * d - 1) - tg * (1 + 4 * d - 2 * d * d),
    }
    assert o["case_d"] == 2
    # Prop. 2's polynomial forms lose ~1/(1-delta) digits; 1e-8 relative + 1e-11 absolute.
    bad = {k: (o[k], v) for k, v in expected.items() if not close(o[k], v, rel=1e-8, abs_=1e-11)}
    assert not bad


@SETTINGS
@given(interior_point())
def test_general_thresholds_match_closed_forms(case):
    """t0, t1, t2 and R of fastmap equal the general closed forms of §8 (all families)."""
    _, p, s = case
    o = solve1(**p)
    for k in ("t0", "t1", "t2", "R"):
        assert close(o[k], s[k], rel=1e-10), k


# -------------------------------------------------------------------------------- price chain

@SETTINGS
@given(interior_point(families=("basic",)))
def test_price_chain_basic(case):
    """Props 1-4 (text after Prop. 7): p_d_D < p_d_B < p_E < p_f_B < p_f_D, basic model,
    t1 < t < t2 (the paper's admissible region, where case D exists)."""
    _, p, _ = case
    o = solve1(**p)
    assert o["case_d"] == 2
    assert o["p_d_E"] == o["p_f_E"]
    assert o["p_d_D"] < o["p_d_B"] < o["p_d_E"] < o["p_f_B"] < o["p_f_D"]
    # Prop. 3(i) and the text of Prop. 5: p_d_D < p_f_B
    assert o["p_d_D"] < o["p_f_B"]


# ----------------------------------------------------------------------------------- Prop. 3

@SETTINGS
@given(interior_point(families=("basic",), v_lo=0.01), st.sampled_from(("t", "t_g", "delta")))
def test_prop3_comparative_statics_basic(case, wrt):
    """Prop. 3(ii)-(iv) (with erratum 3: the second dp_g/dt is dp_g/ddelta) on (t1, t2), basic
    model, by a forward difference that stays inside the band."""
    _, p, s = case
    h = 1e-4 * (s["t2"] - max(s["t1"], 0.0))
    q = dict(p)
    q[wrt] += h
    o = solve(delta=np.array([p["delta"], q["delta"]]), t=np.array([p["t"], q["t"]]),
              t_g=np.array([p["t_g"], q["t_g"]]))
    assert list(o["case_d"]) == [2, 2]

    def diff(k):
        return o[k][1] - o[k][0]

    tot = o["Q_f_D"] + o["Q_g_D"] - o["Q_f_B"]
    dtot = tot[1] - tot[0]
    if wrt == "t":
        assert diff("p_d_D") == 0  # p_d_D independent of t
        assert diff("p_f_D") > 0 and diff("p_g_D") > 0
        assert diff("piM_D") < 0 and diff("piI_D") > 0
        assert dtot > 0
    elif wrt == "t_g":
        assert diff("p_d_D") < 0 and diff("p_f_D") > 0 and diff("p_g_D") > 0
        assert diff("piM_D") < 0 and diff("piI_D") < 0
        assert dtot < 0
    else:
        assert diff("p_d_D") > 0 and diff("p_g_D") > 0
        assert diff("piM_D") > 0 and diff("piI_D") > 0
        assert dtot > 0


@SETTINGS
@given(interior_point(families=("basic",)))
def test_prop3_total_foreign_demand_threshold_basic(case):
    """Prop. 3(iii): Q_f_D + Q_g_D > Q_f_B iff t > (2d(1-d) + t_g(1+4d-d^2)) / (d(1+2d-d^2))."""
    _, p, _ = case
    d, t, tg = p["delta"], p["t"], p["t_g"]
    o = solve1(**p)
    that = (2 * d * (1 - d) + tg * (1 + 4 * d - d * d)) / (d * (1 + 2 * d - d * d))
    if near(t, that):
        return
    assert (o["Q_f_D"] + o["Q_g_D"] > o["Q_f_B"]) == (t > that)


# ----------------------------------------------------------------------------------- Prop. 7

@SETTINGS
@given(interior_point(families=("basic",)))
def test_prop7_consumer_surplus_basic(case):
    """Prop. 7 on the admissible region (basic, t1 < t < t2):
    CS_d_D > CS_d_B > CS_d_E and CS_f_E > CS_f_B > CS_f_D."""
    _, p, _ = case
    o = solve1(**p)
    assert o["case_d"] == 2
    assert o["CS_d_D"] > o["CS_d_B"] > o["CS_d_E"]
    assert o["CS_f_E"] > o["CS_f_B"] > o["CS_f_D"]


@SETTINGS
@given(delta=unit(0.001, 0.999), t=unit(1e-6, 1.0), t_g=unit(0.0, 1.0), alpha=unit(0.001, 1.0),
       beta=unit(0.0, 1.0))
def test_welfare_e_vs_b_basic(delta, t, t_g, alpha, beta):
    """§9: always SW_f_E > SW_f_B and SW_d_B > SW_d_E (basic, t > 0, alpha > 0)."""
    o = solve1(delta=delta, t=t, t_g=t_g, alpha=alpha, beta=beta)
    assert o["SW_f_E"] > o["SW_f_B"]
    assert o["SW_d_B"] > o["SW_d_E"]


# ------------------------------------------------------------------------- threshold orderings

@SETTINGS
@given(valid_point())
def test_t3_lo_below_t1_below_t3(case):
    """§8 proven ordering: t3_lo < t1 < t3 at every valid point (strict unless
    X = theta_d + t_g - delta*theta_f = 0, where t3_lo = t1 = t3 = t_g/delta)."""
    _, p = case
    o = solve1(**p)
    X = spec(**{k: p[k] for k in ("delta", "t_g") + SCALE_NAMES})["X"]
    scale = max(p["theta_d"], p["theta_f"], p["t_g"])
    if abs(X) > 1e-9 * scale:
        assert o["t3_lo"] < o["t1"] < o["t3"]
    else:
        assert close(o["t3_lo"], o["t1"], rel=1e-6) and close(o["t1"], o["t3"], rel=1e-6)


@SETTINGS
@given(valid_point())
def test_t4_below_t3_when_t4_exists(case):
    """§8 / Corollary 1: t4 < t3 whenever t4 exists (P4 >= 0); also t4_lo <= t4."""
    _, p = case
    o = solve1(**p)
    if math.isnan(o["t4"]):
        event("t4 undefined")
        assert math.isnan(o["t4_lo"])
        return
    event("t4 defined")
    assert o["t4_lo"] <= o["t4"]
    assert o["t4"] < o["t3"]


@SETTINGS
@given(delta=unit(1e-3, 0.999), t_g=st.one_of(st.just(0.0), unit(0.0, 2.0)))
def test_basic_t0_above_t1_and_t3(delta, t_g):
    """§8 (basic): t0 - t1 = (1+d^2)(1-d+t_g)/(dA) > 0 and t0 > t3 (benchmark prices deter
    whenever the gray channel would be harmful)."""
    o = solve1(delta=delta, t_g=t_g, t=0.0)
    assert o["t0"] > o["t1"]
    assert o["t0"] > o["t3"]
    A = 1 + 2 * delta - delta * delta
    assert close(o["t0"] - o["t1"], (1 + delta ** 2) * (1 - delta + t_g) / (delta * A), rel=1e-7)


# ----------------------------------------------------------------------- regime consistency

def _e_is_interior(p, o):
    """True when the EP optimum is the interior candidate of §7.2 (then piM_E is the parabola
    that defines t4)."""
    W = p["N_d"] * p["theta_f"] + p["N_f"] * p["theta_d"]
    p_int = p["theta_d"] * (p["N_d"] * p["theta_f"] + p["N_f"] * (p["theta_f"] + p["t"])) / (2 * W)
    return 0 <= p_int <= min(p["theta_d"], p["theta_f"]) and close(o["p_d_E"], p_int, rel=1e-12)


@SETTINGS
@given(interior_point())
def test_regime_consistency_inside_band(case):
    """§8/§10.1 inside (t1, t2), all families: piM_D >= piM_B iff t >= t3; t <= t4 implies
    ep_block (4); when the EP optimum is the interior candidate, ep_block iff t <= t4
    (Props 5, 6, Corollary 1); dp_beneficial (2) iff t >= t3. Ties (1e-9 relative) skipped."""
    family, p, _ = case
    o = solve1(**p)
    t, t3, t4 = p["t"], o["t3"], o["t4"]
    assert o["case_d"] == 2
    assert o["regime"] in (2, 3, 4)
    e_int = _e_is_interior(p, o)
    if family in ("basic", "E1"):
        assert e_int  # theta_d = theta_f: the single EP candidate is interior
    event(f"E interior: {e_int}")
    tie3 = near(t, t3) or near(o["piM_D"], o["piM_B"], rel=1e-12)
    if not tie3:
        assert (o["piM_D"] >= o["piM_B"]) == (t >= t3)
        assert (o["regime"] == 2) == (t >= t3)
        assert (o["gray_beneficial"] == 1) == (t > t3)
    t4_known = not math.isnan(t4)
    if (t4_known and near(t, t4)) or near(o["piM_D"], o["piM_E"], rel=1e-12):
        return
    ep_by_t4 = t4_known and t <= t4
    event(f"regime={o['regime']}")
    if ep_by_t4:
        assert o["regime"] == 4
    if e_int:
        assert (o["regime"] == 4) == ep_by_t4
        if not tie3:
            assert (o["regime"] == 3) == (not ep_by_t4 and t < t3)
    if family in ("basic", "E1") and not tie3:
        # Corollary 1 (and Prop. 8 for E1): the profit chains
        if t >= t3:
            assert o["piM_D"] >= o["piM_B"] > o["piM_E"]
        elif not ep_by_t4:
            assert o["piM_B"] > o["piM_D"] > o["piM_E"]
        else:
            assert o["piM_E"] >= o["piM_D"]


def test_t4_characterisation_needs_interior_ep():
    """Counterexample to the general claim "inside (t1, t2) EP beats D iff t <= t4" (§8):
    with theta_f << theta_d the EP optimum prices the foreign market out (p = theta_d/2, a
    non-interior candidate of §7.2), piM_E exceeds the interior parabola that defines t4, and EP
    still beats D above t4. fastmap follows §7.2/§10.1 here; the t4 statement only holds when
    the EP optimum is interior (always in the basic model, E1 and the paper's figures)."""
    p = dict(delta=0.3700707540781408, t=0.16881376526018788, t_g=0.0018968091519824019,
             N_d=0.1493518662890083, N_f=3.178348446314378, theta_d=3.8513139946824557,
             theta_f=0.25369866640865996)
    o = solve1(**p)
    assert o["case_d"] == 2
    assert p["t"] > o["t4"]
    assert o["p_d_E"] == pytest.approx(p["theta_d"] / 2, rel=1e-12)
    assert o["piM_E"] == pytest.approx(p["N_d"] * p["theta_d"] / 4, rel=1e-12)
    assert o["piM_E"] > o["piM_D"]
    assert o["regime"] == 4


@SETTINGS
@given(accommodation_params(), unit(0.0, 0.999))
def test_corner_regimes(params, w):
    """§10.1 for t >= t2 (corner C): case_d 3, Q_f_D = 0, regime 5 iff piM_C > piM_E, else 4;
    §7.4: piM_C = a0^2/(4 b0) and constant in t."""
    _, p, s = params
    t = s["t2"] + w * (p["theta_f"] - s["t2"])
    o = solve1(**dict(p, t=t))
    if t < o["t2"]:  # rounding of t2 (computed here vs in fastmap)
        return
    assert o["case_d"] == 3
    assert o["Q_f_D"] == 0.0
    assert o["regime"] == (5 if o["piM_D"] > o["piM_E"] else 4)
    d, tg = p["delta"], p["t_g"]
    N_d, N_f, th_d, th_f = (p[k] for k in SCALE_NAMES)
    a0 = N_d + N_f * (d * th_f - tg) / (d * (2 - d) * th_f)
    b0 = N_d / th_d + N_f / (d * (2 - d) * th_f)
    assert close(o["piM_D"], a0 * a0 / (4 * b0), rel=1e-9)
    # C beats B iff t > t3_C (§8), away from ties
    if math.isnan(o["t3_C"]):
        assert o["gray_beneficial"] == 0
    elif not (near(t, o["t3_C"]) or near(o["piM_D"], o["piM_B"], rel=1e-12)):
        assert (o["gray_beneficial"] == 1) == (t > o["t3_C"])


# -------------------------------------------------------------------------------- regime_true

@st.composite
def basic_any_point(draw):
    """Basic model anywhere: half of the examples with R > 0 and t in (t1, 1] (D or corner C),
    the rest over the whole valid square (delta, t) x t_g."""
    if draw(st.booleans()):
        _, p, s = draw(accommodation_params(families=("basic",)))
        a = max(s["t1"], 0.0)
        return dict(p, t=a + draw(unit(1e-6, 1.0)) * (1.0 - a))
    return dict(delta=draw(unit(1e-3, 0.999)), t=draw(unit(0.0, 1.0)),
                t_g=draw(st.one_of(st.just(0.0), unit(0.0, 1.5))))


@SETTINGS
@given(basic_any_point())
def test_regime_true_basic(p):
    """§10.2 (basic): regime_true is an accommodation code (3 or 4) exactly where the gray
    channel is beneficial (gray_beneficial == 1; t > t3 in (t1, t2), t > t3_C in the corner) and
    ignore (1) elsewhere; limit_price (2) never occurs."""
    o = solve1(**p)
    event(f"case_d={o['case_d']} regime_true={o['regime_true']}")
    assert o["regime_true"] != 2
    if o["gray_beneficial"] == 1:
        assert o["regime_true"] == o["case_d"] + 1  # 3 interior, 4 corner
    else:
        assert o["regime_true"] == 1
        assert o["deter_branch"] == 1
        assert o["p_d_true"] == o["p_d_B"] and o["p_f_true"] == o["p_f_B"]
    if o["case_d"] in (2, 3) and near(o["piM_D"], o["piM_B"], rel=1e-12):
        return  # profit tie
    if o["case_d"] == 2 and not near(p["t"], o["t3"]):
        assert (o["regime_true"] == 3) == (p["t"] > o["t3"])
    if o["case_d"] == 3 and not (math.isnan(o["t3_C"]) or near(p["t"], o["t3_C"])):
        assert (o["regime_true"] == 4) == (p["t"] > o["t3_C"])


@st.composite
def deterrence_binding_point(draw):
    """Valid points of E2/general families with t in (t0, theta_f) when t0 < theta_f (the only
    place where limit pricing can be chosen, §7.5), else anywhere; both signs of
    delta*theta_f - theta_d - t_g occur."""
    family, p = draw(valid_point(families=("E2", "general")))
    t0 = spec(**{k: p[k] for k in ("delta", "t_g") + SCALE_NAMES})["t0"]
    if max(t0, 0.0) < p["theta_f"]:
        a = max(t0, 0.0)
        p["t"] = min(a + draw(unit(1e-9, 1.0)) * (p["theta_f"] - a), p["theta_f"])
        assert spec_valid(**p)
    return p


@SETTINGS
@given(deterrence_binding_point())
def test_limit_price_requires_condition(p):
    """§7.5/§10.2: limit_price (2) requires delta*theta_f > theta_d + t_g (away from exact profit
    ties with accommodation); regime_true 1 means deter_branch 1 (benchmark prices);
    regime_true 2 means deter_branch in (2, 3, 4)."""
    o = solve1(**p)
    cond = p["delta"] * p["theta_f"] > p["theta_d"] + p["t_g"]
    event(f"regime_true={o['regime_true']} condition={cond}")
    if o["regime_true"] == 2:
        if o["case_d"] != 1 and near(o["piM_D"], o["piM_A"], rel=1e-12):
            # profit tie below float resolution (e.g. delta*theta_f = theta_d + t_g and t just
            # above t0 = t1 = t_g/delta, where piM_D - piM_A ~ (t - t1)^2); §14: skip ties
            event("tie piM_D = piM_A")
            return
        assert cond
        assert o["deter_branch"] in (2, 3, 4)
    if o["regime_true"] == 1:
        assert o["deter_branch"] == 1


def test_limit_price_occurs_oracle():
    """Non-vacuity of the property above: the oracle case E2_limit_pricing (§12)."""
    o = solve1(delta=0.9, t=0.03, t_g=0.05, N_f=0.5, theta_f=1.2)
    assert o["regime"] == 1 and o["regime_true"] == 2
    assert 0.9 * 1.2 > 1 + 0.05
    assert o["p_d_true"] == pytest.approx(0.5011889, abs=1e-7)
    assert o["p_f_true"] == pytest.approx(0.6124321, abs=1e-7)
    assert o["piM_true"] == pytest.approx(0.3925896, abs=1e-7)


@SETTINGS
@given(valid_point())
def test_ep_never_true_optimum(case):
    """§0/§10.2: EP is dominated by the best deterring DP: piM_A >= piM_E; the true equilibrium
    profit is at least the paper's outcome's. Strict when the EP optimum sells in both markets and
    theta_f + t != theta_d, or sells at home only and t < theta_f. (The spec says "strictly unless
    theta_f + t = theta_d"; an EP optimum that sells abroad only can tie with the domestic-exit
    candidate X of A*, see test_ep_ties_domestic_exit.)"""
    _, p = case
    o = solve1(**p)
    scale = max(abs(o["piM_A"]), abs(o["piM_E"]), 1e-300)
    assert o["piM_A"] >= o["piM_E"] - 1e-13 * scale
    home, abroad = o["Q_d_E"] > 0, o["Q_f_E"] > 0
    event(f"EP sells at home: {home}, abroad: {abroad}")
    if home and abroad:
        # interior EP: piM_B - piM_E = N_d N_f (theta_f + t - theta_d)^2 / (4 W)
        if abs(p["theta_f"] + p["t"] - p["theta_d"]) > 1e-4 * max(p["theta_d"], p["theta_f"]):
            assert o["piM_A"] > o["piM_E"]
    elif home:
        # EP prices the foreign market out; DP gains N_f (theta_f - t)^2 / (4 theta_f) abroad
        if p["theta_f"] - p["t"] > 1e-4 * p["theta_f"]:
            assert o["piM_A"] > o["piM_E"]
    assert o["piM_true"] >= o["piM_E"] - 1e-13 * scale
    assert o["piM_true"] >= o["piM"] - 1e-13 * max(abs(o["piM"]), scale)
    assert o["regime_true"] != 0


def test_ep_ties_domestic_exit():
    """Counterexample to the strictness in §10.2 ("piM_Astar >= piM_E, strictly unless
    theta_f + t = theta_d"): when the EP optimum prices the domestic market out
    (p_E = (theta_f + t)/2 >= theta_d, §7.2) it earns N_f (theta_f - t)^2/(4 theta_f), exactly
    the domestic-exit candidate X of A* (§7.5); if X is the best deterring DP, piM_A = piM_E.
    Here delta*theta_f = 2*theta_d + t_g (valid boundary), t0 = -2 < t, L earns 0, V is not a
    candidate (p_d_V = 2 > theta_d)."""
    o = solve1(delta=0.5, t=2.0, t_g=0.0, theta_d=1.0, theta_f=4.0)
    assert o["regime"] != 0
    assert o["p_d_E"] == 3.0 and o["Q_d_E"] == 0.0
    assert o["deter_branch"] == 4
    assert o["piM_E"] == o["piM_A"] == 0.25
    assert 0.5 * 4.0 <= 2 * 1.0 + 0.0  # valid (boundary delta*theta_f = 2*theta_d + t_g)
    assert 4.0 + 2.0 != 1.0  # theta_f + t != theta_d: not the tie the spec allows


# ----------------------------------------------------------------------------------- Prop. 8

@st.composite
def e1_pair(draw):
    """E1 (theta = 1): N_d, N_f, a factor f > 1 and (delta, t_g, t) such that R > 0 and t lies in
    (t1, t2) at (N_d, N_f), (N_d, f N_f) and (f N_d, N_f) (t1 is largest at the last one)."""
    N_d = draw(log_uniform(0.1, 10.0))
    N_f = draw(log_uniform(0.1, 10.0))
    f = draw(unit(1.05, 3.0))
    r = N_f / (f * N_d)  # ratio at (f N_d, N_f), the smallest of the three
    d_min = max((5.0 - math.sqrt(9.0 + 8.0 * r)) / 4.0, 0.02)
    delta = d_min + draw(unit(0.001, 1.0)) * (0.98 - d_min)
    t_g = draw(unit(0.0, 0.99)) * tg_bound(delta, f * N_d, N_f, 1.0, 1.0)
    s_hi = spec(delta, t_g, N_d=f * N_d, N_f=N_f)
    assert s_hi["R"] > 0
    a = max(s_hi["t1"], 0.0)
    t = a + draw(unit(1e-4, 1 - 1e-4)) * (s_hi["t2"] - a)
    return dict(delta=delta, t_g=t_g, t=t), N_d, N_f, f


@SETTINGS
@given(e1_pair())
def test_prop8_market_scales(case):
    """Prop. 8 (E1, R > 0, t in (t1, t2) at all compared points): t1, t3, t4 decrease in N_f and
    increase in N_d; p_f_D, p_d_D, p_g_D decrease in N_f and increase in N_d; t2 does not depend
    on N. Index 0 = (N_d, N_f), 1 = (N_d, f N_f), 2 = (f N_d, N_f)."""
    p, N_d, N_f, f = case
    o = solve(N_d=np.array([N_d, N_d, f * N_d]), N_f=np.array([N_f, f * N_f, N_f]), **p)
    assert list(o["case_d"]) == [2, 2, 2]
    assert o["t2"][0] == o["t2"][1] == o["t2"][2]
    for k in ("t1", "t3", "p_f_D", "p_d_D", "p_g_D"):
        v = o[k]
        assert v[1] < v[0] < v[2], k
    v = o["t4"]
    if not math.isnan(v[0]):
        event("t4 defined")
        if not math.isnan(v[1]):
            assert v[1] < v[0]
        if not math.isnan(v[2]):
            assert v[0] < v[2]


# ----------------------------------------------------------------------------------- Result 2

@st.composite
def e2_interior(draw, theta_lo, theta_hi):
    """E2 with t_g = 0.05, theta_d = 1, theta_f in [theta_lo, theta_hi], delta with R > 0 (found
    on a grid of the cubic R(delta)), t in (t1, t2)."""
    theta_f = draw(unit(theta_lo, theta_hi))
    grid = np.linspace(0.001, 0.999, 999)
    R = spec(grid, 0.05, theta_f=theta_f)["R"]
    ok = grid[R > 0]
    if ok.size == 0:
        return None
    delta = float(draw(st.sampled_from(ok.tolist())))
    jitter = delta + draw(unit(-0.0005, 0.0005))
    if 0 < jitter < 1 and spec(jitter, 0.05, theta_f=theta_f)["R"] > 0:
        delta = jitter
    s = spec(delta, 0.05, theta_f=theta_f)
    a = max(s["t1"], 0.0)
    t = a + draw(unit(1e-4, 1 - 1e-4)) * (s["t2"] - a)
    return dict(delta=delta, t=t, t_g=0.05, theta_f=theta_f)


@SETTINGS
@given(e2_interior(0.3, 0.7095))
def test_result2_low_theta_f_only_ep(p):
    """Result 2 (exact thresholds of §11): with t_g = 0.05, theta_d = 1, EP is the only choice in
    the whole valid area (t1, t2) when theta_f <= theta_lo = 0.709723 (tested up to 0.7095)."""
    assert p is not None
    o = solve1(**p)
    assert o["case_d"] == 2
    assert o["regime"] == 4


@SETTINGS
@given(e2_interior(1.0937, 2.0))
def test_result2_high_theta_f_only_dp(p):
    """Result 2: DP (regime 2 or 3) is the only choice in (t1, t2) when theta_f >= 1.093535
    (tested from 1.0937 to 2)."""
    assert p is not None
    o = solve1(**p)
    assert o["case_d"] == 2
    assert o["regime"] in (2, 3)


def test_result2_thresholds_are_sharp():
    """Result 2: slightly above theta_lo (0.711) DP is chosen somewhere in (t1, t2), slightly
    below theta_hi (1.092) EP is chosen somewhere (grid over delta and the band fraction)."""
    d = np.linspace(1e-3, 1 - 1e-3, 999)[:, None]
    v = np.linspace(0.0, 1.0, 402)[None, 1:-1]
    for theta_f, want in ((0.711, "DP"), (1.092, "EP")):
        s = spec(d, 0.05, theta_f=theta_f)
        a = np.maximum(s["t1"], 0.0)
        o = solve(delta=d, t=a + v * (s["t2"] - a), t_g=0.05, theta_f=theta_f)
        inside = (o["case_d"] == 2) & (s["R"] > 0)
        assert inside.sum() > 1000
        if want == "DP":
            assert np.any(inside & np.isin(o["regime"], (2, 3)))
        else:
            assert np.any(inside & (o["regime"] == 4))


# ------------------------------------------------------------------------------ monotonicity

@SETTINGS
@given(accommodation_params(), unit(1e-4, 0.998), unit(1e-3, 1.0))
def test_piD_minus_piB_monotone_in_t(params, va, gap):
    """Prop. 5 / §8: pi_D - pi_B is a convex parabola in t with vertex t_g/delta, and
    t1 - t_g/delta = 2 N_d (1-delta) theta_f X / K. So d(pi_D - pi_B)/dt > 0 on all of (t1, t2)
    when X = theta_d + t_g - delta*theta_f > 0 (always in the basic model and E1); in general the
    sign is that of t - t_g/delta."""
    family, p, s = params
    vb = va + gap * (1 - 1e-4 - va)
    a = max(s["t1"], 0.0)
    ta, tb = a + va * (s["t2"] - a), a + vb * (s["t2"] - a)
    o = solve(t=np.array([ta, tb]), **p)
    assert list(o["case_d"]) == [2, 2]
    g = o["piM_D"] - o["piM_B"]
    vertex = p["t_g"] / p["delta"]
    event(f"X>0: {s['X'] > 0}")
    if s["X"] > 0:
        assert s["t1"] > vertex or near(s["t1"], vertex)
        assert g[1] > g[0]
    elif ta >= vertex:
        assert g[1] > g[0]
    elif tb <= vertex:
        assert g[1] < g[0]


@SETTINGS
@given(N_d=st.one_of(st.just(1.0), log_uniform(0.1, 10.0)),
       N_f=st.one_of(st.just(1.0), log_uniform(0.1, 10.0)),
       delta=unit(0.01, 0.99), t_g=unit(0.0, 0.5), ta=unit(0.0, 0.999), gap=unit(1e-3, 1.0))
def test_piB_minus_piE_increasing_in_t(N_d, N_f, delta, t_g, ta, gap):
    """Corollary 1 discussion: pi_B - pi_E increases in t (basic and E1, where it equals
    N_d N_f t^2 / (4 (N_d + N_f)))."""
    tb = ta + gap * (1.0 - ta)
    o = solve(t=np.array([ta, tb]), N_d=N_d, N_f=N_f, delta=delta, t_g=t_g)
    g = o["piM_B"] - o["piM_E"]
    assert g[1] > g[0]
    assert np.all(g >= -1e-14 * o["piM_B"])  # pi_B >= pi_E up to rounding (equal at t = 0)
    np.testing.assert_allclose(g, N_d * N_f * np.array([ta, tb]) ** 2 / (4 * (N_d + N_f)),
                               rtol=1e-9, atol=1e-13)


# ------------------------------------------------------------------------ continuity at t2

@SETTINGS
@given(accommodation_params(), unit(0.0, 0.999))
def test_corner_continuity_at_t2(params, w):
    """§7.4: at t = t2 the interior D and the corner C coincide; beyond t2 the corner outcome does
    not depend on t."""
    _, p, _ = params
    t2 = solve1(**dict(p, t=0.0))["t2"]
    t_far = t2 + w * (p["theta_f"] - t2)
    o = solve(t=np.array([t2 * (1 - 1e-12), t2, t_far]), **p)
    assert list(o["case_d"]) == [2, 3, 3]
    assert o["Q_f_D"][1] == 0.0 and o["Q_f_D"][2] == 0.0
    for k in ("p_d", "p_f", "p_g", "Q_d", "Q_f", "Q_g", "piM", "piI", "CS_d", "CS_f"):
        v = o[k + "_D"]
        assert abs(v[0] - v[1]) <= 1e-8 * max(1.0, abs(v[1])), k
        if k != "Q_f":
            assert close(v[1], v[2], rel=1e-12, abs_=0.0), k


# --------------------------------------------------------------------------- engine invariants

def test_outputs_declared_by_spec():
    """§10.3: every output the spec asks for exists, codes are int8, everything else float64."""
    o = solve()
    assert set(SPEC_OUTPUTS) <= set(o)
    for k, v in o.items():
        assert v.shape == ()
        assert v.dtype == (np.int8 if k in CODE_NAMES else np.float64), k


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delta=st.lists(st.floats(-0.2, 1.2), min_size=3, max_size=3),
       t=st.lists(st.floats(-0.1, 1.3), min_size=4, max_size=4),
       t_g=unit(0.0, 0.6), N_f=log_uniform(0.1, 10.0), alpha=unit(0.0, 1.0))
def test_solve_broadcasts_like_a_ufunc(delta, t, t_g, N_f, alpha):
    """solve broadcasts its parameters like a numpy ufunc: a (3, 1) delta and a (4,) t give
    (3, 4) outputs equal to the pointwise scalar calls (exact, NaN == NaN)."""
    out = solve(delta=np.array(delta).reshape(3, 1), t=np.array(t), t_g=t_g, N_f=N_f, alpha=alpha)
    assert set(out) >= set(SPEC_OUTPUTS)
    for i in range(3):
        for j in range(4):
            one = solve(delta=delta[i], t=t[j], t_g=t_g, N_f=N_f, alpha=alpha)
            for k, v in out.items():
                assert v.shape == (3, 4), k
                assert_same(v[i, j], one[k], k)


def _corruptions():
    big = st.floats(1.0, 1e6, allow_nan=False, allow_infinity=False)
    tiny = st.floats(1e-6, 1.0, allow_nan=False, allow_infinity=False)
    nonfinite = st.sampled_from((math.nan, math.inf, -math.inf))
    return st.one_of(
        st.tuples(st.sampled_from(ALL_PARAMS), nonfinite),
        st.tuples(st.just("delta"), st.one_of(st.just(0.0), st.just(-0.0), st.just(1.0),
                                              big.map(lambda x: 1.0 - x),      # <= 0
                                              big.map(lambda x: x + 1e-9))),   # > 1
        st.tuples(st.just("t"), tiny.map(lambda x: -x)),       # t < 0
        st.tuples(st.just("t_g"), tiny.map(lambda x: -x)),     # t_g < 0
        st.tuples(st.sampled_from(SCALE_NAMES), st.one_of(st.just(0.0), tiny.map(lambda x: -x))),
        st.tuples(st.sampled_from(("alpha", "beta")),
                  st.one_of(tiny.map(lambda x: -x), tiny.map(lambda x: 1.0 + x))),
        st.tuples(st.just("t>theta_f"), tiny),
        st.tuples(st.just("delta*theta_f>2theta_d+t_g"), tiny),
    )


@SETTINGS
@given(valid_point(), _corruptions())
def test_invalid_points_are_all_nan(case, corruption):
    """§3: invalid points (delta outside (0, 1), t outside [0, theta_f], t_g < 0, NaN, inf,
    N or theta <= 0, alpha/beta outside [0, 1], delta*theta_f > 2*theta_d + t_g) give regime 0,
    regime_true 0, case_d 0, deter_branch 0, wreg 0, gray_beneficial -1 and NaN in every float
    output; a valid point evaluated in the same call is unaffected."""
    _, base = case
    bad = dict(base)
    what, x = corruption
    if what == "t>theta_f":
        bad["t"] = bad["theta_f"] * (1 + x)
    elif what == "delta*theta_f>2theta_d+t_g":
        bad["theta_f"] = (2 * bad["theta_d"] + bad["t_g"]) / bad["delta"] * (1 + x)
        bad["t"] = min(bad["t"], bad["theta_f"])
    else:
        bad[what] = x
    assert not spec_valid(**bad)
    o = solve(**{k: np.array([bad[k], base[k]]) for k in ALL_PARAMS})
    for k in ("regime", "regime_true", "case_d", "deter_branch", "wreg_f", "wreg_d"):
        assert o[k][0] == 0, k
    assert o["gray_beneficial"][0] == -1
    for k in FLOAT_NAMES:
        assert math.isnan(o[k][0]), k
    assert o["regime"][1] != 0 and o["regime_true"][1] != 0


@SETTINGS
@given(valid_point(delta_range=(1e-9, 1 - 1e-12), scale_range=(1e-3, 1e3)))
def test_valid_points_are_solved(case):
    """§3/§10: valid points (boundaries t = 0, t = theta_f, t_g = 0 and
    delta*theta_f = 2*theta_d + t_g included) never give regime 0 and never NaN in piM, piM_B,
    piM_E, piM_A, p_d, p_f, piM_true; the codes lie in their declared ranges."""
    _, p = case
    o = solve1(**p)
    assert o["regime"] in (1, 2, 3, 4, 5)
    assert o["regime_true"] in (1, 2, 3, 4)
    assert o["case_d"] in (1, 2, 3)
    assert o["deter_branch"] in (1, 2, 3, 4)
    assert o["gray_beneficial"] in (0, 1)
    for k in ("piM", "piM_B", "piM_E", "piM_A", "p_d", "p_f", "piM_true"):
        assert not math.isnan(o[k]), k


@pytest.mark.parametrize("params", [
    # t = theta_f with theta_f > theta_d: every EP price loses money on [0, theta_d], the best EP
    # price is p = theta_f with piM_E = 0, so piM_ratio_DE = piM_D/piM_E divides by zero.
    dict(delta=0.5, t=1.5, theta_f=1.5),
    # delta*K underflows to 0 (subnormal delta) in the t1 / h3 denominators.
    dict(delta=5e-324, N_f=0.5),
], ids=["t_eq_theta_f_piM_E_zero", "subnormal_delta"])
def test_valid_edge_points_do_not_raise(params):
    """Regression: valid points of §3 where a division by zero used to raise ZeroDivisionError
    inside the kernel (found by test_valid_points_are_solved) are evaluated like any other."""
    o = solve1(**params)
    assert o["regime"] != 0 and o["regime_true"] != 0
    for k in ("piM", "piM_B", "piM_E", "piM_A", "p_d", "p_f", "piM_true"):
        assert not math.isnan(o[k]), k


def test_spec_piM_E_zero_at_t_eq_theta_f():
    """Arithmetic behind the first edge case above, from §7.2 alone: with theta_d = 1,
    theta_f = t = 1.5, fE(p) < 0 on [0, theta_d] and fE = 0 at p = theta_f, so piM_E = 0."""
    p = np.linspace(0.0, 1.0, 10001)
    fE = p * (1 - p) + (p - 1.5) * (1 - p / 1.5)
    assert fE.max() < 0


# ------------------------------------------------------------------------------ sweep vs solve

AXIS_VALUES = {
    "delta": st.lists(unit(0.05, 0.95), min_size=1, max_size=4),
    "t": st.lists(unit(0.0, 1.3), min_size=1, max_size=4),
    "N_f": st.lists(log_uniform(0.2, 5.0), min_size=1, max_size=3),
    "t_g": st.lists(unit(0.0, 0.3), min_size=1, max_size=3),
}


@st.composite
def sweep_args(draw):
    """1-3 grid axes in a random order (theta at the defaults, so t <= 1 = theta_f is fine and
    t > 1 gives invalid cells)."""
    names = draw(st.permutations(list(AXIS_VALUES)))
    n_axes = draw(st.integers(1, 3))
    axes = {n: np.array(draw(AXIS_VALUES[n])) for n in names[:n_axes]}
    fixed = {}
    for n in names[n_axes:]:
        if draw(st.booleans()):
            fixed[n] = float(draw(AXIS_VALUES[n])[0])
    return axes, fixed


def _grid_solve(axes, fixed):
    """solve on the outer product of the axes, broadcasting each axis along its own dimension."""
    n = len(axes)
    args = dict(fixed)
    for i, (name, v) in enumerate(axes.items()):
        shape = [1] * n
        shape[i] = v.size
        args[name] = v.reshape(shape)
    return solve(**args)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sweep_args(), st.data())
def test_sweep_equals_solve(args, data):
    """fastmap.sweep on a grid equals fastmap.solve at every grid point (all outputs, exact,
    NaN == NaN); dims follow the order in which the axes were given."""
    axes, fixed = args
    ds = fastmap.sweep(MODEL, **axes, **fixed)
    grid = _grid_solve(axes, fixed)
    shape = tuple(v.size for v in axes.values())
    assert set(ds.data_vars) == set(grid)
    for k, v in grid.items():
        assert ds[k].dims == tuple(axes), k
        assert ds[k].shape == shape
        assert_same(ds[k].values, v, k)
    for name, v in axes.items():
        np.testing.assert_array_equal(ds[name].values, v)
    # one grid point against a scalar solve call
    index = tuple(data.draw(st.integers(0, s - 1)) for s in shape)
    point = dict(fixed, **{name: float(v[i]) for (name, v), i in zip(axes.items(), index)})
    one = solve(**point)
    for k, v in one.items():
        assert_same(ds[k].values[index], v, k)


@st.composite
def chunk_spec(draw, axes):
    names = list(axes)
    kind = draw(st.sampled_from(("int", "tuple", "dict")))
    if kind == "int":
        return draw(st.integers(1, 5))
    if kind == "tuple":
        return tuple(draw(st.one_of(st.just(-1), st.integers(1, 4))) for _ in names)
    keys = draw(st.lists(st.sampled_from(names), unique=True, min_size=1))
    return {k: draw(st.integers(1, 4)) for k in keys}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sweep_args(), st.data())
def test_chunking_never_changes_values_all_outputs(args, data):
    """Chunked (dask) sweeps with every output equal the in-memory sweep exactly, for int/tuple/
    dict chunks and the "threads" and "synchronous" schedulers (and a lazy .compute())."""
    axes, fixed = args
    ref = fastmap.sweep(MODEL, **axes, **fixed)
    chunks = data.draw(chunk_spec(axes))
    scheduler = data.draw(st.sampled_from(("threads", "synchronous", None)))
    ds = fastmap.sweep(MODEL, chunks=chunks, scheduler=scheduler, **axes, **fixed)
    if scheduler is None:
        ds = ds.compute()
    assert set(ds.data_vars) == set(ref.data_vars)
    for k in ref.data_vars:
        assert ds[k].dims == ref[k].dims
        assert_same(ds[k].values, ref[k].values, k)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sweep_args(), st.data())
def test_chunking_never_changes_values_selected_outputs(args, data):
    """Same as above with an ``outputs=`` selection (cheaper, so more chunkings are tried); the
    selected variables equal the corresponding ones of the unchunked full sweep."""
    axes, fixed = args
    ref = fastmap.sweep(MODEL, **axes, **fixed)
    names = data.draw(st.lists(st.sampled_from(SPEC_OUTPUTS), min_size=1, max_size=4, unique=True))
    chunks = data.draw(chunk_spec(axes))
    scheduler = data.draw(st.sampled_from(("threads", "synchronous")))
    ds = fastmap.sweep(MODEL, chunks=chunks, scheduler=scheduler, outputs=names, **axes, **fixed)
    assert list(ds.data_vars) == names
    for k in names:
        assert_same(ds[k].values, ref[k].values, k)
    unchunked = fastmap.sweep(MODEL, outputs=names, **axes, **fixed)
    for k in names:
        assert_same(unchunked[k].values, ref[k].values, k)
