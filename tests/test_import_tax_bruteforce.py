"""Cross-check of fastmap's closed-form ``import_tax_channels`` kernel against an independent
brute-force Stackelberg solver (``tests/reference/import_tax_brute.py``).

The reference shares no code with fastmap and does not use the spec's closed forms: the
importer's best response is found numerically on the primitive profit (section 5 demand from
utilities, section 6 entry rule), and the manufacturer's problems (benchmark B, equal pricing E,
accommodation D/C, best deterrence A*) by nested 1-D searches with grid, ridge and entry-boundary
cross-checks.

Tolerances (measured on this sample and on 4 other seeds: |profit error| <= ~2e-12,
|price error| <= ~7e-8, |quantity error| <= ~2e-7):

* ``TOL_PROFIT = 1e-9`` absolute for piM_B, piM_E, piM_A, piM_D (profits are O(0.1..3)).
  Where the optimum is smooth the brute-force profit is exact to rounding (error ~ 1e-16); at the
  Q_f = 0 corner it is ~1e-12 (kink located by nested searches).  1e-9 leaves a factor >= 500.
* ``TOL_PRICE = 1e-5`` for prices, quantities and the importer's profit of the optimum.  The
  location of a smooth maximum is only determined to ~sqrt(2*noise/curvature) ~ 1e-8..1e-7
  (profit noise ~1e-15 from the nested importer response); observed <= 7e-8 for prices and
  <= 2e-7 for quantities (Q_g ~ 1/(1-delta) amplifies price errors when delta -> 0.98); factor >= 50.
* ``TIE = 1e-8``: labels are compared only where the brute-force profits that decide them differ
  by more than TIE.  Both solvers are within TOL_PROFIT of the truth, so any difference larger
  than 2*TOL_PROFIT has the same sign in both; TIE = 10*TOL_PROFIT (the spec, section 14, suggests
  skipping within ~1e-7).  Existence/corner decisions of the accommodation branch and
  "benchmark prices deter" are skipped when the brute-force gray margin s, Q_f/N_f or the
  deterrence slack of the benchmark prices lies in the solver's ambiguity band (1e-10, 1e-5)
  (their numerical precision is ~1e-7 at worst).
"""
from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import fastmap  # noqa: E402
from reference.import_tax_brute import (  # noqa: E402
    PARAMS,
    _P,
    check_importer_slope,
    importer_response,
    importer_response_golden,
    is_valid,
    solve_batch,
)

MODEL = "import_tax_channels"
SEED = 20240521
TOL_PROFIT = 1e-9
TOL_PRICE = 1e-5
TIE = 1e-8
ORACLE_IDS = ("base_example", "fig3_t_0.60", "E2_limit_pricing", "corner_C_harmful")
ORACLE_PATH = pathlib.Path(__file__).resolve().parent / "data" / "import_tax_channels.json"
FAMILIES = ("basic", "E1", "E2", "general")


# --------------------------------------------------------------------------------------------
# sample
# --------------------------------------------------------------------------------------------
def _base(rng, family, n):
    """Parameters except t for one model family."""
    d = dict(delta=rng.uniform(0.05, 0.98, n), t_g=rng.uniform(0.0, 0.3, n),
             N_d=np.ones(n), N_f=np.ones(n), theta_d=np.ones(n), theta_f=np.ones(n))
    logu = lambda: np.exp(rng.uniform(np.log(0.3), np.log(3.0), n))  # noqa: E731
    if family in ("E1", "general"):
        d["N_d"], d["N_f"] = logu(), logu()
    if family == "E2":
        d["theta_f"] = rng.uniform(0.5, 1.3, n)
    if family == "general":
        d["theta_d"] = rng.uniform(0.5, 1.5, n)
        d["theta_f"] = rng.uniform(0.5, 1.5, n)
    return d


def _fm(d, t):
    return fastmap.solve(MODEL, t=t, alpha=0.2, beta=0.2, **d)


def _take(d, idx):
    return {k: np.asarray(v)[idx] for k, v in d.items()}


def _cat(blocks):
    return {k: np.concatenate([np.asarray(b[k], dtype=float) for b in blocks]) for k in blocks[0]}


def _sample():
    """>= 300 valid points over the whole domain plus deliberately invalid ones.

    Blocks: (1) t uniform in [0, theta_f] for each family; (2) t drawn inside each paper region
    (ep_block, dp_harmful, dp_beneficial, corner C) -- the intervals are read from fastmap's
    threshold outputs, which only steers the sampling: the labels are recomputed independently
    by the brute force; (3) limit-pricing candidates (delta*theta_f > theta_d + t_g, t just
    above t0); (4) restriction violated (R <= 0: small delta or large t_g); (5) invalid points.
    """
    rng = np.random.default_rng(SEED)
    blocks, tags = [], []

    def add(d, t, tag):
        b = dict(d)
        b["t"] = np.asarray(t, dtype=float)
        blocks.append(b)
        tags.extend([tag] * len(b["t"]))

    # (1) uniform
    for fam in FAMILIES:
        d = _base(rng, fam, 60)
        add(d, rng.uniform(0, 1, 60) * d["theta_f"], f"uniform/{fam}")

    # (2) targeted regions
    for fam in FAMILIES:
        d = _base(rng, fam, 400)
        th = _fm(d, 0.0)
        t1, t2, t3, t4 = th["t1"], th["t2"], th["t3"], th["t4"]
        with np.errstate(invalid="ignore"):
            targets = {
                "ep_block": (t1, np.fmin(t4, t2)),
                "dp_harmful": (np.fmax(t1, t4), np.fmin(t3, t2)),
                "dp_beneficial": (np.fmax(np.fmax(t1, t3), t4), t2),
                "corner": (t2, d["theta_f"]),
            }
            for name, (lo, hi) in targets.items():
                lo = np.maximum(lo, 0.0)
                hi = np.minimum(hi, d["theta_f"])
                ok = np.nonzero((th["R"] > 0) & (hi - lo > 1e-3) & (th["regime"] != 0))[0][:6]
                u = rng.uniform(0.02, 0.98, ok.size)
                add(_take(d, ok), lo[ok] + u * (hi[ok] - lo[ok]), f"target_{name}/{fam}")

    # (3) limit pricing (regime_true = 2 needs delta*theta_f > theta_d + t_g, t slightly > t0)
    n = 40
    d = dict(delta=rng.uniform(0.8, 0.98, n), t_g=rng.uniform(0.0, 0.08, n),
             N_d=rng.uniform(0.5, 2.0, n), N_f=rng.uniform(0.3, 1.5, n),
             theta_d=np.where(rng.uniform(size=n) < 0.5, 1.0, rng.uniform(0.8, 1.1, n)),
             theta_f=rng.uniform(1.1, 1.6, n))
    t0 = np.maximum(_fm(d, 0.0)["t0"], 0.0)
    add(d, t0 + rng.uniform(0, 1, n) * np.minimum(0.04, d["theta_f"] - t0), "limit_price")

    # (4) restriction violated (R <= 0 in most of these)
    for fam in ("basic", "general"):
        d = _base(rng, fam, 10)
        d["delta"] = rng.uniform(0.05, 0.22, 10)
        add(d, rng.uniform(0, 1, 10) * d["theta_f"], f"R<=0/{fam}")
        d = _base(rng, fam, 10)
        d["delta"] = rng.uniform(0.25, 0.5, 10)
        d["t_g"] = rng.uniform(0.2, 0.3, 10)
        add(d, rng.uniform(0, 1, 10) * d["theta_f"], f"R<=0/{fam}")

    # (5) invalid points (spec section 3)
    inv = [  # delta, t, t_g, N_d, N_f, theta_d, theta_f
        (1.0, 0.3, 0.05, 1, 1, 1, 1), (1.2, 0.3, 0.05, 1, 1, 1, 1), (1.0 + 1e-12, 0.3, 0.05, 1, 1, 1, 1),
        (0.0, 0.3, 0.05, 1, 1, 1, 1), (-0.2, 0.3, 0.05, 1, 1, 1, 1),
        (0.7, 1.2, 0.05, 1, 1, 1, 1), (0.7, 0.9, 0.05, 1, 1, 1, 0.8), (0.5, 1.01, 0.0, 2, 0.5, 1, 1),
        (0.9, 0.3, 0.05, 1, 1, 0.3, 1.3), (0.95, 0.1, 0.0, 1.5, 0.7, 0.5, 1.45),
        (0.97, 0.5, 0.1, 1, 1, 0.45, 1.5), (0.7, -0.1, 0.05, 1, 1, 1, 1), (0.7, 0.3, -0.01, 1, 1, 1, 1),
        (0.7, 0.3, 0.05, 0.0, 1, 1, 1), (0.7, 0.3, 0.05, 1, -1, 1, 1), (0.7, 0.3, 0.05, 1, 1, 0, 1),
        (np.nan, 0.3, 0.05, 1, 1, 1, 1), (0.7, np.inf, 0.05, 1, 1, 1, 1),
    ]
    inv = np.array(inv, dtype=float)
    d = {k: inv[:, j] for j, k in enumerate(("delta", "t", "t_g", "N_d", "N_f", "theta_d", "theta_f"))}
    t = d.pop("t")
    add(d, t, "invalid")

    # oracle cases (also used to check the reference itself)
    cases = {c["id"]: c for c in json.loads(ORACLE_PATH.read_text())["point_cases"]}
    d = {k: np.array([cases[i]["inputs"][k] for i in ORACLE_IDS], dtype=float) for k in PARAMS}
    t = d.pop("t")
    add(d, t, "oracle")

    pts = _cat(blocks)
    return pts, np.array(tags), {i: cases[i] for i in ORACLE_IDS}


@pytest.fixture(scope="module")
def data():
    pts, tags, oracle = _sample()
    brute = solve_batch(**pts)
    fm = fastmap.solve(MODEL, alpha=0.2, beta=0.2, **pts)
    fm = {k: np.asarray(v) for k, v in fm.items()}
    return pts, tags, oracle, brute, fm


# --------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------
def test_sample_is_large_and_covers_domain(data):
    pts, tags, _, brute, fm = data
    valid = brute["valid"]
    assert valid.sum() >= 300
    assert (~valid).sum() >= 10
    for fam in FAMILIES:
        assert sum(1 for g, v in zip(tags, valid) if g.endswith("/" + fam) and v) >= 40, fam
    v = valid
    assert np.sum(v & (fm["R"] <= 0)) >= 5                       # restriction violated
    assert np.sum(v & (fm["R"] > 0) & (pts["t"] <= fm["t1"])) >= 5
    assert np.sum(v & (fm["R"] > 0) & (pts["t"] >= fm["t2"])) >= 5
    assert np.sum(v & (pts["delta"] * pts["theta_f"] > pts["theta_d"] + pts["t_g"])) >= 20


def test_reference_against_oracle(data):
    """The brute force alone reproduces oracle cases of the spec (catches reference bugs)."""
    pts, tags, oracle, brute, _ = data
    idx = np.nonzero(tags == "oracle")[0]
    pairs = [("piM_B", "piM_B", TOL_PROFIT), ("piM_E", "piM_E", TOL_PROFIT),
             ("piM_A", "piM_A", TOL_PROFIT), ("piM_acc", "piM_D", TOL_PROFIT),
             ("p_d_B", "p_d_B", TOL_PRICE), ("p_f_B", "p_f_B", TOL_PRICE),
             ("p_E", "p_d_E", TOL_PRICE), ("p_d_A", "p_d_A", TOL_PRICE), ("p_f_A", "p_f_A", TOL_PRICE),
             ("p_d_D", "p_d_D", TOL_PRICE), ("p_f_D", "p_f_D", TOL_PRICE), ("p_g_D", "p_g_D", TOL_PRICE),
             ("Q_d_D", "Q_d_D", TOL_PRICE), ("Q_f_D", "Q_f_D", TOL_PRICE), ("Q_g_D", "Q_g_D", TOL_PRICE),
             ("piI_D", "piI_D", TOL_PRICE)]
    for i, oid in zip(idx, ORACLE_IDS):
        exp = oracle[oid]["expected"]
        for bk, ek, tol in pairs:
            e = exp.get(ek)
            e = np.nan if e is None else float(e)
            b = float(brute[bk][i])
            if np.isnan(e):
                assert np.isnan(b), (oid, bk, b)
            else:
                assert abs(b - e) <= tol, (oid, bk, b, e)
        assert brute["regime"][i] == exp["regime"], (oid, brute["regime"][i])
        assert brute["regime_true"][i] == exp["regime_true"], (oid, brute["regime_true"][i])
        assert bool(brute["acc_exists"][i]) == (exp["case_d"] != 1), oid
        assert bool(brute["acc_corner"][i]) == (exp["case_d"] == 3), oid
    # headline numbers of spec section 12 (fig3 corner sample, E2 limit pricing)
    i = idx[ORACLE_IDS.index("fig3_t_0.60")]
    assert abs(brute["piM_acc"][i] - 0.3500374) < 1e-7 and abs(brute["Q_g_D"][i] - 0.2655198) < 1e-7
    i = idx[ORACLE_IDS.index("E2_limit_pricing")]
    assert abs(brute["p_d_A"][i] - 0.5011889) < 1e-7 and abs(brute["p_f_A"][i] - 0.6124321) < 1e-7


def test_reference_self_consistency(data):
    """Cross-checks inside the brute force never beat its main searches (beyond noise)."""
    _, _, _, brute, _ = data
    v = brute["valid"]
    assert np.nanmax(brute["gap_grid_acc"][v]) <= 1e-12     # 2-D grid over the entry region
    assert np.nanmax(brute["gap_grid_A"][v]) <= 1e-12       # 2-D grid over the deterrence region
    assert np.nanmax(brute["gap_boundary"][v]) <= 1e-12     # entry-boundary search vs nested A*
    assert np.nanmax(brute["gap_ridge"][v]) <= 1e-9         # Q_f = 0 ridge search vs nested search
    c = v & brute["acc_corner"]
    assert np.all(np.abs(brute["gap_ridge"][c]) <= 1e-9)    # corners: both searches agree
    # the importer's derivative used by the bisection equals the complex-step derivative of the
    # primitive profit
    rng = np.random.default_rng(1)
    n = 200
    P = _P(delta=rng.uniform(0.05, 0.98, n), t=rng.uniform(0, 1, n), t_g=rng.uniform(0, 0.3, n),
           N_d=rng.uniform(0.3, 3, n), N_f=rng.uniform(0.3, 3, n), theta_d=rng.uniform(0.5, 1.5, n),
           theta_f=rng.uniform(0.5, 1.5, n))
    p_d = rng.uniform(0, 1, (n, 50))
    p_f = rng.uniform(0, 1.5, (n, 50))
    p_g = rng.uniform(0, 1.5, (n, 50))
    assert check_importer_slope(p_d, p_f, p_g, P) < 1e-10
    # the bisection best response agrees with golden-section search on the profit values
    # (which is only precise to ~sqrt(eps) in p_g) and is never beaten by it
    gb, pib, eb = importer_response(p_d, p_f, P)
    gg, pig, eg = importer_response_golden(p_d, p_f, P)
    assert np.all(pib >= pig - (1e-14 + 1e-12 * pig))       # equal up to rounding
    assert np.all(eb == eg)
    assert np.max(np.abs(np.where(eb, gb - gg, 0.0))) < 1e-6
    assert eb.mean() > 0.2 and (~eb).mean() > 0.2          # both entry and no entry were tested


def test_invalid_points(data):
    pts, tags, _, brute, fm = data
    assert np.array_equal(is_valid(**pts), brute["valid"])
    assert np.array_equal(brute["valid"], fm["regime"] != 0)
    inv = ~brute["valid"]
    assert np.all(fm["regime"][inv] == 0) and np.all(fm["regime_true"][inv] == 0)
    for k in ("case_d", "deter_branch"):
        assert np.all(fm[k][inv] == 0), k
    for k, a in fm.items():
        if np.issubdtype(a.dtype, np.floating):
            assert np.all(np.isnan(a[inv])), k
    assert np.all(fm["regime"][brute["valid"]] != 0)


def test_fastmap_matches_bruteforce(data):
    pts, tags, _, b, fm = data
    valid = np.nonzero(b["valid"])[0]
    fails = []
    n_cmp = {"regime": np.zeros(6, int), "regime_true": np.zeros(5, int), "D": 0, "skip_label": 0}

    def close(name, x, y, tol, i):
        if not (abs(float(x) - float(y)) <= tol):
            fails.append(f"#{i} {tags[i]} {name}: brute={float(x)!r} fastmap={float(y)!r} "
                         f"params={ {k: float(pts[k][i]) for k in PARAMS} }")

    for i in valid:
        # cases that always exist
        for bk, fk, tol in (("piM_B", "piM_B", TOL_PROFIT), ("piM_E", "piM_E", TOL_PROFIT),
                            ("piM_A", "piM_A", TOL_PROFIT), ("p_d_B", "p_d_B", TOL_PRICE),
                            ("p_f_B", "p_f_B", TOL_PRICE), ("p_E", "p_d_E", TOL_PRICE),
                            ("p_E", "p_f_E", TOL_PRICE), ("p_f_A", "p_f_A", TOL_PRICE)):
            close(bk, b[bk][i], fm[fk][i], tol, i)
        if fm["deter_branch"][i] != 4:        # X (domestic exit): any p_d >= theta_d is optimal
            close("p_d_A", b["p_d_A"][i], fm["p_d_A"][i], TOL_PRICE, i)

        # accommodation branch: existence, corner, values
        case_d = fm["case_d"][i]
        amb = bool(b["amb_exist"][i] or b["amb_corner"][i])
        if not b["amb_exist"][i] and bool(b["acc_exists"][i]) != (case_d != 1):
            fails.append(f"#{i} {tags[i]} accommodation existence: brute={bool(b['acc_exists'][i])} "
                         f"(s={b['s_acc'][i]:.3e}) fastmap case_d={case_d}")
        if (b["acc_exists"][i] and not b["amb_corner"][i]
                and bool(b["acc_corner"][i]) != (case_d == 3)):
            fails.append(f"#{i} {tags[i]} corner: brute={bool(b['acc_corner'][i])} "
                         f"(Q_f/N_f={b['qf_acc'][i]:.3e}) fastmap case_d={case_d}")
        if b["acc_exists"][i] and case_d != 1:
            n_cmp["D"] += 1
            close("piM_D", b["piM_acc"][i], fm["piM_D"][i], TOL_PROFIT, i)
            for k in ("p_d_D", "p_f_D", "p_g_D", "Q_d_D", "Q_f_D", "Q_g_D", "piI_D"):
                close(k, b[k][i], fm[k][i], TOL_PRICE, i)

        # labels, skipped within the tie margin of a deciding profit comparison
        acc, ex = b["piM_acc"][i], bool(b["acc_exists"][i])
        interior = ex and not b["acc_corner"][i]
        tie_r = amb or (ex and abs(b["piM_E"][i] - acc) <= TIE) or (
            interior and abs(acc - b["piM_B"][i]) <= TIE)
        tie_t = amb or bool(b["amb_Bdeter"][i]) or (ex and abs(acc - b["piM_A"][i]) <= TIE)
        n_cmp["skip_label"] += int(tie_r) + int(tie_t)
        if not tie_r:
            if b["regime"][i] != fm["regime"][i]:
                fails.append(f"#{i} {tags[i]} regime: brute={b['regime'][i]} fastmap={fm['regime'][i]} "
                             f"piM E/acc/B={b['piM_E'][i]:.12g}/{acc:.12g}/{b['piM_B'][i]:.12g}")
            else:
                n_cmp["regime"][fm["regime"][i]] += 1
        if not tie_t:
            if b["regime_true"][i] != fm["regime_true"][i]:
                fails.append(f"#{i} {tags[i]} regime_true: brute={b['regime_true'][i]} "
                             f"fastmap={fm['regime_true'][i]} piM acc/A={acc:.12g}/{b['piM_A'][i]:.12g} "
                             f"slack_B={b['slack_B'][i]:.3e}")
            else:
                n_cmp["regime_true"][fm["regime_true"][i]] += 1

    print(f"\ncompared labels: regime counts {n_cmp['regime'][1:].tolist()} (codes 1..5), "
          f"regime_true counts {n_cmp['regime_true'][1:].tolist()} (codes 1..4), "
          f"accommodation values at {n_cmp['D']} points, {n_cmp['skip_label']} label skips")
    assert not fails, f"{len(fails)} disagreements:\n" + "\n".join(fails[:40])
    # the comparison must not pass on an unrepresentative sample
    assert np.all(n_cmp["regime"][1:] >= 1), n_cmp["regime"]
    assert np.all(n_cmp["regime_true"][1:] >= 1), n_cmp["regime_true"]
    assert n_cmp["D"] >= 100
