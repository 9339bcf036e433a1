"""Figures 2-4 of Iravani, Dasu & Ahmadi (2016) and tables, model ``service_gray_market``.

F. Iravani, S. Dasu, R. Ahmadi, "Beyond price mechanisms: How much can service help manage the
competition from gray markets?", EJOR 252(3) (2016) 789-800. Settings, reference numbers and
errata follow the spec ``shared/models/service_gray_market.md`` (sections 3, 11, 13, 14).

* Fig 2: value of service, ``100 (pi_m / pi_po - 1)``, versus delta for the four parameter sets.
* Fig 3: the centralized policy (ideal / block / allow) over (delta, theta2), set 1 base.
* Fig 4: profit gap to uniform pricing, ``100 (pi_m / pi_u - 1)``, versus delta.
* Tables: value of service without importer (paper 3/5/10/15 %), regime boundaries of the three
  chains along delta, the set-1 equilibrium at delta = 0.7, Props. 5 and 7, and the errata.
* New maps: the regime of each chain over (delta, c_G) and over (theta2, lambda2), and where
  Models R and M disagree.

Every number written on a figure or table comes from a helper of this module (``transitions``,
``boundaries``, ``figure_values``, ``fig4_range``, ``fig3_crossings``, ``prop7``, ``errata``) so
that the tests check exactly what is shown. ``SPEC`` holds the spec's values and ``PAPER`` the
paper's own claims, both printed next to the computed numbers.
"""

from __future__ import annotations

from functools import cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

import fastmap
from fastmap.gallery import Table

MODEL = "service_gray_market"

#: Grid points per axis of the maps (tests lower it).
MAP_RESOLUTION = 2048
#: Sample points of the line plots (Figs 2 and 4).
LINE_POINTS = 800

#: The paper's four service parameter sets (theta1, theta2, lambda1, lambda2); other parameters
#: at the model defaults (N = 10000, b1 = 24, b2 = 10, c = 100, c_G = 5, theta_G = 3, lambda_G = 36).
SETS = {1: (3.0, 4.0, 12.0, 24.0), 2: (4.0, 5.0, 10.0, 24.0), 3: (4.0, 6.0, 10.0, 17.0),
        4: (5.0, 7.0, 12.0, 16.0)}
#: Importer SOC bound for the paper's lambda_G, b2, theta_G: the delta axes stop there.
DELTA_MAX = 2 * 36.0 * 10.0 / (2 * 36.0 * 10.0 + 3.0**2)
CHAINS = {"regime": "centralized", "regime_R": "Model R", "regime_M": "Model M"}

#: The spec's values (section 11 table, section 13 oracle; tolerance 1e-7 for crossings).
SPEC = {
    "boundaries": {
        (1, "regime"): (0.4973903396480771, 0.6008316547609842, 0.9043009198180101),
        (1, "regime_R"): (0.2685993342103761, 0.3238215231878131, 0.959099408177446),
        (1, "regime_M"): (0.26854749425525637, 0.3204330559941425, 0.9726490951439368),
        (2, "regime"): (0.5117190881546227, 0.6575001039630712, 0.8391858425570515),
        (2, "regime_R"): (0.2713318512755204, 0.33083475421572917, 0.9431423403254908),
        (2, "regime_M"): (0.2712564020338253, 0.32514285826532285, 0.965004450301933),
        (3, "regime"): (0.5411463804520469,),
        (3, "regime_R"): (0.27150334582163316, 0.34485721867549834, 0.8937973527279008),
        (3, "regime_M"): (0.2713344153723435, 0.33103287614776733, 0.9424016329841989),
        (4, "regime"): (0.5772454520772858,),
        (4, "regime_R"): (0.2732154398424622, 0.36275272717244855, 0.8442039925145797),
        (4, "regime_M"): (0.2729653721043108, 0.33855019702250233, 0.921309480614606),
    },
    "service_pct": {1: 3.0219993943081835, 2: 5.025794265248162, 3: 9.919407031055648,
                    4: 14.978785355856349},
    "fig2_pct": {(1, 0.7): 3.9104730663199527, (1, 0.9): 5.2093346066981905,
                 (1, 0.98): 7.545290803697302, (2, 0.7): 6.751606202997684,
                 (2, 0.9): 9.533649420656332, (2, 0.98): 12.513422935226505,
                 (3, 0.7): 13.491016050324166, (3, 0.9): 19.180971878175534,
                 (3, 0.98): 23.659957038624047, (4, 0.7): 20.076783571388557,
                 (4, 0.9): 28.455524323955505, (4, 0.98): 34.317304982190876},
    "fig4_pct": {(1, 0.7): 23.41181385090396, (1, 0.9): 11.654204044663441,
                 (1, 0.98): 6.759101281187285, (2, 0.7): 24.326940868735967,
                 (2, 0.9): 13.988694498138843, (2, 0.98): 9.524496215282841,
                 (3, 0.7): 24.674266252102207, (3, 0.9): 16.9891678992802,
                 (3, 0.98): 13.543042024704688, (4, 0.7): 24.939288663541625,
                 (4, 0.9): 19.43075053429597, (4, 0.98): 16.8121586380934},
    "fig4_range": {"min": 6.308977220904266, "max": 29.177433753565452,
                   "both_min": 7.621137282194357, "both_max": 37.77504817960167},
    # Fig. 3 along theta2 (set 1 base): allow -> block, block -> ideal, ideal -> footnote-2 cap.
    "fig3": {0.7: (5.507854736400883, 11.477631755334844, 16.248076815922765),
             0.8: (5.405035500582441, 12.50989405865305, 16.248076815922765),
             0.95: (2.604935577788053, 13.418915111927639, 16.248076815922765)},
    "prop7": {"manufacturer": 3.5540724402207386, "retailer": 1.969245533118105,
              "lambda_bar": 24.44857361460269},
    # Set 1, delta = 0.7 (section 13): p1, s1, p2, s2, omega, d1, d2, q_G, p_G, s_G, pi_m, pi_r, pi_G.
    "set1": {"": (304.6326, 51.1582, 494.8576, 86.3440, None, 2842.2914, 5180.6392, 308.8012,
                  316.1175, 1.8013, 2585264.7212, None, 1944.1152),
             "_R": (304.6326, 51.1582, 595.2388, 43.1720, 477.5888, 2842.2914, 2590.3196,
                    2328.5436, 358.5320, 13.5832, 2020494.2603, 282385.2304, 110543.3754),
             "_M": (304.6326, 51.1582, 599.0626, 41.5274, 485.8943, 2842.2914, 2491.6462,
                    2405.4819, 360.1477, 14.0320, 1998980.3934, 281975.4653, 117969.0694)},
}
#: The paper's own claims.
PAPER = {
    "service_pct": {1: 3, 2: 5, 3: 10, 4: 15},
    "fig2": "value of service constant for small δ, rising with δ",
    "fig3": "ideal → block → allow → block along δ; the ideal region grows with θ2",
    "fig4": "profit gap to uniform pricing from 6 to 29 %, higher when δ is not close to 1",
    "fig4_range": (6, 29),
    "prop7": {"manufacturer": 6, "retailer": 13},
}
SET1_FIELDS = ("p1", "s1", "p2", "s2", "omega", "d1", "d2", "q_G", "p_G", "s_G", "pi_m", "pi_r",
               "pi_G")

DELTA_LABEL = "consumers' relative valuation of the gray good δ [dimensionless]"
AXIS_LABELS = {
    "delta": DELTA_LABEL,
    "c_G": "importer's transfer cost c_G [money/unit]",
    "theta2": "market-2 demand responsiveness to service θ2 [unit/service unit]",
    "lambda2": "market-2 service cost coefficient λ2 [money/service unit²]",
}
SET_COLORS = {1: "#1f77b4", 2: "#2ca02c", 3: "#d62728", 4: "#9467bd"}


# ------------------------------------------------------------------------------------ numerics

def _solve(**params):
    return fastmap.solve(MODEL, **params)


def service_set(s: int) -> dict[str, float]:
    """The parameters of the paper's service set ``s``."""
    return dict(zip(("theta1", "theta2", "lambda1", "lambda2"), SETS[s]))


def _regime_meta(var: str = "regime"):
    out = fastmap.model(MODEL).output(var)
    return dict(zip(out.flag_values, out.flag_meanings)), dict(zip(out.flag_values, out.colors))


def transitions(var: str, along: str, lo: float, hi: float, n: int = 4001, tol: float = 1e-13,
                **fixed) -> list[tuple[float, int, int]]:
    """Every change of the code ``var`` along ``along`` on ``[lo, hi]``: ``(x, from, to)``.

    Sampled on ``n`` points; each change is refined by re-sampling its bracket (one vectorised
    call per step) until it is ``tol`` (relative) wide.
    """
    def codes(x):
        return _solve(**fixed, **{along: x})[var]

    xs = np.linspace(lo, hi, n)
    cs = codes(xs)
    found = []
    for i in np.nonzero(np.diff(cs))[0]:
        a, b, ca, cb = xs[i], xs[i + 1], cs[i], cs[i + 1]
        while b - a > tol * max(1.0, abs(a)):
            sub = np.linspace(a, b, 65)
            sc = codes(sub)
            j = np.nonzero(sc != ca)[0][0]
            a, b, cb = sub[j - 1], sub[j], sc[j]
        found.append((0.5 * (a + b), int(ca), int(cb)))
    return found


@cache
def boundaries() -> dict[tuple[int, str], list[tuple[float, int, int]]]:
    """Regime changes of every chain along delta in (0, delta_max), per paper set."""
    return {(s, var): transitions(var, "delta", 1e-6, DELTA_MAX * (1 - 1e-9), **service_set(s))
            for s in SETS for var in CHAINS}


def _pct(ratio):
    return 100.0 * (np.asarray(ratio) - 1.0)


@cache
def figure_values() -> dict[str, dict]:
    """Fig 2 and Fig 4 values: low-delta (ideal) value of service per set, and both percentages at
    delta = 0.7, 0.9, 0.98."""
    out = {"service_pct": {}, "fig2_pct": {}, "fig4_pct": {}}
    for s in SETS:
        out["service_pct"][s] = float(_pct(_solve(delta=0.2, **service_set(s))["ratio_service"]))
        r = _solve(delta=np.array([0.7, 0.9, 0.98]), **service_set(s))
        for i, d in enumerate((0.7, 0.9, 0.98)):
            out["fig2_pct"][(s, d)] = float(_pct(r["ratio_service"][i]))
            out["fig4_pct"][(s, d)] = float(_pct(r["ratio_uniform"][i]))
    return out


def both_markets_uniform_profit(s: int) -> float:
    """Uniform price forced to serve both markets (section 10.2 candidate 1), set ``s``: the reading
    of Fig. 4 the paper's 6-29 % does not match."""
    m = fastmap.model(MODEL)
    p = {q.name: q.default for q in m.parameters}
    theta1, theta2, lambda1, lambda2 = SETS[s]
    A = p["N1"] - p["b1"] * p["c"] + p["N2"] - p["b2"] * p["c"]
    margin = A / (2 * (p["b1"] + p["b2"]) - theta1**2 / lambda1 - theta2**2 / lambda2)
    return 0.5 * A * margin


@cache
def fig4_range() -> dict[str, float]:
    """Min and max of Fig 4 over the four sets on linspace(0, delta_max, 4001) without its ends
    (the spec's grid), the infimum at delta -> delta_max, and the same with the uniform price
    forced to serve both markets."""
    deltas = np.linspace(0.0, DELTA_MAX, 4001)[1:-1]
    true_pct, both_pct, regimes_u = [], [], set()
    for s in SETS:
        r = _solve(delta=deltas, **service_set(s))
        true_pct.append(_pct(r["ratio_uniform"]))
        both_pct.append(_pct(r["pi_m"] / both_markets_uniform_profit(s)))
        regimes_u |= set(np.unique(r["regime_u"]).tolist())
    limit = float(_pct(_solve(delta=DELTA_MAX * (1 - 1e-12), **service_set(1))["ratio_uniform"]))
    return {"min": float(np.min(true_pct)), "max": float(np.max(true_pct)), "limit": limit,
            "both_min": float(np.min(both_pct)), "both_max": float(np.max(both_pct)),
            "regimes_u": tuple(sorted(regimes_u))}


@cache
def fig3_crossings() -> dict[float, list[tuple[float, int, int]]]:
    """Centralized regime changes along theta2 (set 1 base) at delta = 0.7, 0.8, 0.95."""
    top = np.sqrt(2 * 24.0 * 10.0) * (1 - 1e-12)
    return {d: transitions("regime", "theta2", 0.0, top, delta=d) for d in SPEC["fig3"]}


@cache
def prop7() -> dict[str, float]:
    """Prop. 7 where Models R and M both allow: mean gains of R over M (%) over the four sets and
    199 deltas (linspace(0, delta_max, 201) without its ends), lambda_bar at set 1, delta = 0.7,
    and Prop. 5's service ratios there."""
    deltas = np.linspace(0.0, DELTA_MAX, 201)[1:-1]
    gm, gr = [], []
    for s in SETS:
        r = _solve(delta=deltas, **service_set(s))
        both = (r["regime_R"] == 3) & (r["regime_M"] == 3)
        gm.append(_pct(r["ratio_pi_m_RM"][both]))
        gr.append(_pct(r["ratio_pi_r_RM"][both]))
    gm, gr = np.concatenate(gm), np.concatenate(gr)
    r = _solve(delta=0.7)
    return {"manufacturer": float(gm.mean()), "retailer": float(gr.mean()),
            "manufacturer_range": (float(gm.min()), float(gm.max())),
            "retailer_range": (float(gr.min()), float(gr.max())), "n_points": int(gm.size),
            "lambda_bar": float(r["lambda_bar"]), "ratio_s2_RC": float(r["ratio_s2_RC"]),
            "ratio_s2_MC": float(r["ratio_s2_MC"])}


def printed_s2_block(delta: float, s: int = 1) -> dict[str, float]:
    """Eq. (11)'s s2* as printed and as corrected (erratum 1), next to the kernel's block s2."""
    m = fastmap.model(MODEL)
    p = {q.name: q.default for q in m.parameters}
    theta1, theta2, lambda1, lambda2 = SETS[s]
    N1, N2, b1, b2, c, c_G = p["N1"], p["N2"], p["b1"], p["b2"], p["c"], p["c_G"]
    gamma1 = lambda1 * N1 + (lambda1 * b1 - theta1**2) * c + (2 * lambda1 * b1 - theta1**2) * c_G
    gamma2 = lambda1 * (2 * lambda2 * b2 - theta2**2) + lambda2 * delta**2 * (2 * lambda1 * b1 - theta1**2)
    bracket = (delta**2 * N2 * (2 * lambda1 * b1 - theta1**2) - delta * b2 * gamma1
               + lambda1 * b2 * (N2 - b2 * c))
    r = _solve(delta=delta, **service_set(s))
    return {"printed": -bracket * theta2 / (b2 * gamma2), "corrected": bracket * theta2 / (b2 * gamma2),
            "kernel": float(r["s2"]), "regime": int(r["regime"])}


def prop3_counterexample() -> dict[str, float]:
    """Erratum 2: set 1, delta = 0.5, both block, yet p1 with service < p1 price-only."""
    r = _solve(delta=0.5)
    return {"p1": float(r["p1"]), "p1_po": float(r["p1_po"]), "regime": int(r["regime"]),
            "regime_po": int(r["regime_po"])}


def regime_maps(x: str, y: str, n: int | None = None, **fixed):
    """The three chains' regimes on an ``n`` x ``n`` grid of (x, y) (MAP_RESOLUTION by default)."""
    n = n or MAP_RESOLUTION
    ranges = {"delta": (1e-3, DELTA_MAX * (1 - 1e-6)), "c_G": (0.0, 80.0), "theta2": (0.0, 25.0),
              "lambda2": (1.0, 60.0)}
    axes = {name: np.linspace(*ranges[name], n) for name in (x, y)}
    return fastmap.sweep(MODEL, **axes, **fixed,
                         outputs=["regime", "regime_R", "regime_M", "invalid_reason"])


def disagreement(ds) -> dict[tuple[int, int], float]:
    """Share (%) of each (regime_R, regime_M) pair with regime_R != regime_M."""
    r, m = ds["regime_R"].values, ds["regime_M"].values
    pairs = {}
    for a, b in set(zip(r[r != m].tolist(), m[r != m].tolist())):
        pairs[(a, b)] = 100.0 * float(np.mean((r == a) & (m == b)))
    return pairs


# ------------------------------------------------------------------------------------ drawing

def _box(ax, x, y, text, ha="left", va="top", fc="white"):
    ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=7.5, family="monospace",
            bbox={"boxstyle": "round,pad=0.3", "fc": fc, "ec": "0.6", "alpha": 0.92})


def _curve_figure(key: str, title: str, ylabel: str, box_lines, claim: str):
    deltas = np.linspace(1e-3, DELTA_MAX * (1 - 1e-6), LINE_POINTS)
    fig, ax = plt.subplots(figsize=(10, 6), layout="constrained")
    for s in SETS:
        r = _solve(delta=deltas, **service_set(s))
        ax.plot(deltas, _pct(r[key]), color=SET_COLORS[s], lw=2,
                label=f"set {s}: (θ1, θ2, λ1, λ2) = {tuple(int(v) for v in SETS[s])}")
    ax.axvline(DELTA_MAX, color="0.4", ls=":", lw=1, label=f"δ_max = {DELTA_MAX:.6f} (importer SOC)")
    ax.set_xlabel(DELTA_LABEL)
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, 1)
    ax.set_title(title, fontsize=11)
    _box(ax, 0.02, 0.98, "\n".join(box_lines))
    _box(ax, 0.98, 0.02, "paper: " + claim, ha="right", va="bottom", fc="#fff8e0")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig


def sgm_fig2():
    """Fig 2: value of service 100(pi_m/pi_po - 1) versus delta for the four paper parameter sets."""
    v = figure_values()
    lines = ["value of service at low δ (ideal), %", "set  computed  spec     paper"]
    lines += [f"{s:>3}  {v['service_pct'][s]:8.4f}  {SPEC['service_pct'][s]:7.4f}  "
              f"{PAPER['service_pct'][s]:>4}" for s in SETS]
    lines += ["at δ = 0.98, %", "set  computed  spec"]
    lines += [f"{s:>3}  {v['fig2_pct'][(s, 0.98)]:8.4f}  {SPEC['fig2_pct'][(s, 0.98)]:7.4f}"
              for s in SETS]
    return _curve_figure("ratio_service", "Fig. 2 — value of service: profit with price and service "
                         "vs price only (problem (12))", "value of service 100(π_m/π_po − 1) [%]",
                         lines, PAPER["fig2"])


def sgm_fig4():
    """Fig 4: profit gap to the (true) uniform-pricing optimum 100(pi_m/pi_u - 1) versus delta."""
    v, rng = figure_values(), fig4_range()
    lines = ["profit gap to uniform pricing, %", "range over the 4 sets:",
             f"computed {rng['min']:.3f} – {rng['max']:.3f}",
             f"spec     {SPEC['fig4_range']['min']:.3f} – {SPEC['fig4_range']['max']:.3f}",
             f"paper    {PAPER['fig4_range'][0]} – {PAPER['fig4_range'][1]}",
             f"(infimum δ → δ_max: {rng['limit']:.3f})",
             "uniform price serving both markets:",
             f"computed {rng['both_min']:.3f} – {rng['both_max']:.3f}",
             f"spec     {SPEC['fig4_range']['both_min']:.3f} – {SPEC['fig4_range']['both_max']:.3f}",
             "at δ = 0.98: set computed (spec)"]
    lines += [f"  {s}: {v['fig4_pct'][(s, 0.98)]:.3f} ({SPEC['fig4_pct'][(s, 0.98)]:.3f})" for s in SETS]
    return _curve_figure("ratio_uniform", "Fig. 4 — strategic price and service policy vs the optimal "
                         "uniform price (which serves market 2 only)",
                         "profit gap 100(π_m/π_u − 1) [%]", lines, PAPER["fig4"])


def _regime_image(ax, ds, var, x, y):
    names, colors = _regime_meta(var)
    fastmap.plot_regions(ds, x=x, y=y, var=var, ax=ax, labels=True, legend=False, thresholds=False,
                         title=CHAINS.get(var, var))
    ax.set_xlabel(AXIS_LABELS[x])
    ax.set_ylabel(AXIS_LABELS[y])
    present = sorted(int(c) for c in np.unique(ds[var].values))
    return [Patch(facecolor=colors[c], edgecolor="0.4", label=names[c]) for c in present]


def sgm_fig3():
    """Fig 3: centralized policy (ideal / block / allow) over (delta, theta2), set 1 base."""
    ds = regime_maps("delta", "theta2")
    fig, ax = plt.subplots(figsize=(10, 7), layout="constrained")
    handles = _regime_image(ax, ds, "regime", "delta", "theta2")
    ax.set_title("Fig. 3 — the manufacturer's policy over (δ, θ2) (set 1 base; white: footnote 2 "
                 "violated, demand > N)", fontsize=11)
    cr = fig3_crossings()
    lines = ["θ2 where the regime changes", "δ     allow→block  block→ideal  ideal→cap"]
    for d, found in cr.items():
        ax.plot([d] * len(found), [x for x, _, _ in found], "o", mfc="white", mec="black", ms=5)
        lines.append(f"{d:<5} " + "  ".join(f"{x:11.6f}" for x, _, _ in found))
        lines.append("spec  " + "  ".join(f"{x:11.6f}" for x in SPEC["fig3"][d]))
    b = boundaries()[(1, "regime")]
    lines.append("δ changes at θ2 = 4: " + ", ".join(f"{x:.6f}" for x, _, _ in b))
    lines.append("spec:                " + ", ".join(f"{x:.6f}" for x in SPEC["boundaries"][(1, "regime")]))
    _box(ax, 0.02, 0.98, "\n".join(lines))
    _box(ax, 0.98, 0.02, "paper: " + PAPER["fig3"], ha="right", va="bottom", fc="#fff8e0")
    ax.axhline(np.sqrt(240.0), color="0.2", ls="--", lw=1)
    handles.append(plt.Line2D([], [], color="0.2", ls="--", label="θ2 = √(λ2 b2): ideal for every δ"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)
    return fig


def _three_chains(x, y, title, **fixed):
    ds = regime_maps(x, y, **fixed)
    fig, axes = plt.subplots(1, 3, figsize=(19, 6.4), layout="constrained")
    handles = {}
    for ax, var in zip(axes, CHAINS):
        for h in _regime_image(ax, ds, var, x, y):
            handles[h.get_label()] = h
    fig.legend(handles=list(handles.values()), loc="outside lower center", ncol=len(handles),
               fontsize=9, frameon=False, title="regime (white: invalid, incl. footnote 2)")
    fig.suptitle(title, fontsize=12)
    return fig


def sgm_map_delta_cG():
    """New: regime of the centralized chain, Model R and Model M over (delta, c_G), set 1."""
    return _three_chains("delta", "c_G", "Regimes over (δ, c_G), set 1: Models R and M block or "
                         "allow far earlier in δ than the centralized chain")


def sgm_map_theta2_lambda2():
    """New: regime of the three chains over (theta2, lambda2), set 1, delta = 0.7."""
    return _three_chains("theta2", "lambda2", "Regimes over (θ2, λ2), set 1, δ = 0.7 (λ_r = λ2); "
                         "white: Assumption 1 or footnote 2 fails", delta=0.7)


def sgm_map_disagree():
    """New: where Models R and M choose different regimes, over (delta, c_G) and (theta2, lambda2)."""
    fig, axes = plt.subplots(1, 2, figsize=(16, 6.8), layout="constrained")
    names, _ = _regime_meta()
    palette = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
               "#8c8c8c", "#ccb974", "#64b5cd")
    for ax, (x, y, fixed) in zip(axes, (("delta", "c_G", {}), ("theta2", "lambda2", {"delta": 0.7}))):
        ds = regime_maps(x, y, **fixed)
        shares = disagreement(ds)
        pairs = sorted(shares)
        r, m = ds["regime_R"].transpose(y, x).values, ds["regime_M"].transpose(y, x).values
        image = np.full(r.shape, np.nan)
        for k, (a, b) in enumerate(pairs):
            image[(r == a) & (m == b)] = k
        xs, ys = ds[x].values, ds[y].values
        ax.imshow(image, origin="lower", aspect="auto",
                  interpolation="nearest", extent=(xs[0], xs[-1], ys[0], ys[-1]),
                  cmap=ListedColormap([palette[k % len(palette)] for k in range(max(len(pairs), 1))]),
                  vmin=-0.5, vmax=max(len(pairs), 1) - 0.5)
        ax.set_xlabel(AXIS_LABELS[x])
        ax.set_ylabel(AXIS_LABELS[y])
        where = ", δ = 0.7" if fixed else ""
        ax.set_title(f"R ≠ M over ({x}, {y}){where}: {sum(shares.values()):.2f} % of the map",
                     fontsize=10)
        handles = [Patch(facecolor=palette[k % len(palette)], edgecolor="0.4",
                         label=f"R {names[a]} / M {names[b]}: {shares[(a, b)]:.2f} %")
                   for k, (a, b) in enumerate(pairs)]
        handles.append(Patch(facecolor="white", edgecolor="0.4", label="R and M agree"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2,
                  fontsize=8, frameon=False)
    fig.suptitle("Where delegating market-2 service to the retailer (Model R) changes the "
                 "manufacturer's policy compared with Model M (set 1)", fontsize=12)
    return fig


# ------------------------------------------------------------------------------------ tables

def sgm_table_value_of_service():
    """Table: value of service without importer for the four sets (paper: 3, 5, 10, 15 %)."""
    v = figure_values()["service_pct"]
    rows = [[s, *SETS[s], v[s], SPEC["service_pct"][s], PAPER["service_pct"][s],
             "reproduced" if round(v[s]) == PAPER["service_pct"][s] else "NOT reproduced"]
            for s in SETS]
    return Table("Value of service without importer, 100(π_n/π_n^price-only − 1) [%]",
                 ["set", "θ1", "θ2", "λ1", "λ2", "computed %", "spec %", "paper %", "status"], rows,
                 "Computed at δ = 0.2, where both the service and the price-only problems keep their "
                 "ideal prices; the paper rounds to whole percent.")


def sgm_table_regime_boundaries():
    """Table: delta where each chain changes regime, four sets (spec section 11; paper: Fig. 3 order)."""
    names, _ = _regime_meta()
    rows = []
    for (s, var), found in boundaries().items():
        spec = SPEC["boundaries"][(s, var)]
        for k, (x, a, b) in enumerate(found):
            rows.append([s, CHAINS[var], f"{names[a]} → {names[b]}", x,
                         spec[k] if k < len(spec) else float("nan"), abs(x - spec[k]) if k < len(spec)
                         else float("nan")])
    return Table("Regime boundaries along δ (0 < δ < δ_max = 0.987654)",
                 ["set", "chain", "change", "δ computed", "δ spec", "|difference|"], rows,
                 "Paper (Fig. 3): ideal → block → allow → block for the centralized chain; it gives "
                 "only the allow solution for Models R and M, whose equilibria block already for "
                 "δ ≈ 0.27 (spec erratum 7).")


def sgm_table_set1():
    """Table: set 1, delta = 0.7, the three chains in allow (spec section 13), computed and spec."""
    r = _solve(delta=0.7)
    rows = []
    for field_index, field in enumerate(SET1_FIELDS):
        row = [field]
        for suffix in ("", "_R", "_M"):
            name = field + suffix
            got = float(r[name]) if name in r else float("nan")
            spec = SPEC["set1"][suffix][field_index]
            row += [got, float("nan") if spec is None else spec]
        rows.append(row)
    names, _ = _regime_meta()
    rows.append(["regime"] + [names[int(r["regime" + s])] for s in ("", "_R", "_M") for _ in (0, 1)])
    return Table("Set 1, δ = 0.7: equilibrium of the three chains",
                 ["output", "centralized", "spec", "Model R", "spec", "Model M", "spec"], rows,
                 "Spec values rounded to 4 decimals; the paper prints formulas (7)-(10) and the "
                 "appendix, not these numbers.")


def sgm_table_prop7():
    """Table: Props. 5 and 7 at set 1, delta = 0.7, and Prop. 7's averages (paper +6 % / +13 %)."""
    p = prop7()
    rows = [
        ["s2^R / s2* (Prop. 5)", p["ratio_s2_RC"], 0.5, "0.5", "reproduced"],
        ["s2^M / s2* (Prop. 5)", p["ratio_s2_MC"], 0.4809534417464915, "< 0.5", "reproduced"],
        ["λ̄ (Prop. 7), set 1, δ = 0.7", p["lambda_bar"], SPEC["prop7"]["lambda_bar"],
         "λ2 < λ̄ < 2 λ2", "reproduced (closed form new)"],
        ["mean gain of R over M, manufacturer [%]", p["manufacturer"], SPEC["prop7"]["manufacturer"],
         PAPER["prop7"]["manufacturer"], "not reproduced (paper's parameter values not given)"],
        ["mean gain of R over M, retailer [%]", p["retailer"], SPEC["prop7"]["retailer"],
         PAPER["prop7"]["retailer"], "not reproduced (paper's parameter values not given)"],
    ]
    lo, hi = p["manufacturer_range"]
    rlo, rhi = p["retailer_range"]
    return Table("Propositions 5 and 7: delegating service (Model R) vs not (Model M)",
                 ["quantity", "computed", "spec", "paper", "status"], rows,
                 f"Means over the {p['n_points']} (set, δ) points where R and M both allow (4 sets × "
                 f"199 δ in (0, δ_max)); ranges {lo:.2f}–{hi:.2f} % and {rlo:.2f}–{rhi:.2f} %.")


def sgm_table_errata():
    """Table: the spec's errata checked numerically (eq. (11) s2 sign, Prop. 3, Fig. 4 reading)."""
    s2 = printed_s2_block(0.5)
    p3 = prop3_counterexample()
    rng = fig4_range()
    rows = [
        ["eq. (11) s2*, set 1, δ = 0.5 (block)", s2["printed"], s2["corrected"], s2["kernel"],
         "printed sign gives s2 < 0; corrected = kernel"],
        ["Prop. 3: block p1 with service vs price only, set 1, δ = 0.5", p3["p1"], p3["p1_po"],
         float("nan"), "p1 lower with service although both block: Prop. 3 false for block"],
        ["Fig. 4 min-max, uniform price serving both markets [%]", rng["both_min"], rng["both_max"],
         float("nan"), "the paper's 6-29 % needs the true uniform optimum (market 2 only)"],
        ["Fig. 4 min-max, true uniform optimum [%]", rng["min"], rng["max"], rng["limit"],
         "third column: infimum as δ → δ_max"],
    ]
    return Table("Errata of the seed, checked with the kernel",
                 ["item", "value A", "value B", "value C", "meaning"], rows,
                 "Row 1: A = printed, B = corrected, C = kernel; row 2: A = with service, B = price "
                 "only; rows 3-4: A = min, B = max.")


FIGURES = {
    "sgm_fig2": sgm_fig2,
    "sgm_fig3": sgm_fig3,
    "sgm_fig4": sgm_fig4,
    "sgm_map_delta_cG": sgm_map_delta_cG,
    "sgm_map_theta2_lambda2": sgm_map_theta2_lambda2,
    "sgm_map_disagree": sgm_map_disagree,
    "sgm_table_value_of_service": sgm_table_value_of_service,
    "sgm_table_regime_boundaries": sgm_table_regime_boundaries,
    "sgm_table_set1": sgm_table_set1,
    "sgm_table_prop7": sgm_table_prop7,
    "sgm_table_errata": sgm_table_errata,
}
