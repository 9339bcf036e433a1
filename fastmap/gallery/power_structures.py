"""Tables 2-3 and Figs 4-6 of Rong & Xu (2020), and maps the paper could not draw, model
``power_structures``.

Rong Luqing, Xu Maozeng, "Price competition in a multinational supply chain with parallel imports",
Commercial Research 2020(4), 68-77. Settings and reference numbers follow the spec
``shared/models/power_structures.md`` (§9, §12).

* ``ps_regime_ratio``: which structures have an active gray market along the WTP ratio
  r = theta2/theta1 (§12.3: theta2 = 0.5, eta = 0.8, gamma = 0.6), with the per-structure regimes
  (no gray, gray, M1 exit, no pure equilibrium) and the closed-form thresholds.
* ``ps_table2``, ``ps_table3``: the paper's Tables 2 (profits with and without the importer) and 3
  (change rates), regenerated at theta1 = (0.5/3.5)(1 - J).
* ``ps_fig4``, ``ps_fig5``, ``ps_fig6``: M1's profit, the gray quantity q3 and the gray price p3
  over the warranty square (w12, tau) in [0, 1]^2 at r = 3.5, per structure GS1-GS3.
* ``ps_regime_eta_gamma``, ``ps_regime_ratio_gamma``: the Theorem-3 pattern over (eta, gamma) and
  over (r, gamma) at MAP_RESOLUTION^2 cells, with the closed-form thresholds alpha, Delta, beta.

Every number written on a figure or table comes from a helper of this module
(``ratio_switches``, ``warranty_switches``, ``paper_rows``) so that the tests check exactly what is
shown. ``SPEC`` holds the spec's reference values, printed next to the computed ones.
"""

from __future__ import annotations

from functools import cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

import fastmap
from fastmap.gallery import Table

MODEL = "power_structures"

#: Grid points per axis of the new regime maps (tests lower it).
MAP_RESOLUTION = 2048
#: Grid points per axis of the warranty maps (Figs 4-6).
WARRANTY_RESOLUTION = 401
#: Sample points of the strip figure along r.
LINE_POINTS = 4000

#: The paper's numerical setting (Sec. 2): theta2 = 0.5, eta = 0.8, gamma = 0.6, r = 3.5.
BASE = {"theta2": 0.5, "eta": 0.8, "gamma": 0.6}
BASE_RATIO = 3.5
#: Reductions J of theta1 in the paper's numerical study (Tables 2-3).
J_VALUES = (0.0, 0.05, 0.10, 0.20, 0.30, 0.40)
#: Range of the ratio axis of the strip figure.
RATIO_RANGE = (1.0, 50.0)

#: Reference values of the spec (§9, §12.3, §12.4; tolerance 1e-7 unless noted).
SPEC = {
    "thresholds": {"alpha": 2.7777778, "r_gs2": 2.9961364, "Delta": 3.4313725, "beta": 3.8926582,
                   "r_x1": 13.5882353, "r_x3": 13.1348406, "r_x3e": 30.9243363},
    # regime switches along r: (r, code before, code after)
    "regime": ((2.7777778, 1, 5), (2.9961364, 5, 7), (3.4313725, 7, 8), (9.7957269, 8, 6),
               (13.1348406, 6, 2), (13.5882353, 2, 1)),
    # warranty s = tau*w12 at r = 3.5: gray below the first value, limit_price up to the second
    "warranty": {"regime_gs1": (0.003734, 0.009804), "regime_gs2": (0.031031, 0.075092),
                 "regime_gs3": (0.041964, 0.103175)},
}
#: The paper's own claims.
PAPER = {
    "theorem3": "no importer in any structure for r < alpha; importer in every structure for "
                "r >= Delta (3.43)",
    "tables": "M2 always gains; importer profit GS3 > GS2 > GS1; GS3 rate of M1 positive up to "
              "beta, negative beyond",
    "figs4_6": "M1's profit rises, q3 and p3 fall with the warranty level W12 and sensitivity tau",
}

AXIS_LABELS = {
    "r": "WTP ratio r = θ2/θ1 [dimensionless]",
    "gamma": "gray-product quality γ [dimensionless]",
    "eta": "substitutability η [dimensionless]",
    "w12": "warranty level W12 [dimensionless]",
    "tau": "warranty sensitivity τ [currency/unit]",
}
GS_VARS = ("regime_gs1", "regime_gs2", "regime_gs3")
STRUCTURE_NAMES = {1: "GS1 (M1 leads)", 2: "GS2 (M2 leads)", 3: "GS3 (simultaneous)"}
THRESHOLD_SYMBOLS = {"alpha": "α", "r_gs2": "r_GS2", "Delta": "Δ", "beta": "β", "r_x1": "r_x1",
                     "r_x3": "r_x3", "r_x3e": "r_x3e"}


# ------------------------------------------------------------------------------------ numerics

def _solve(**params):
    return fastmap.solve(MODEL, **params)


def _output(var):
    return fastmap.model(MODEL).output(var)


def _colors(var):
    out = _output(var)
    return dict(zip(out.flag_values, out.colors))


def _names(var):
    out = _output(var)
    return dict(zip(out.flag_values, out.flag_meanings))


def code_switches(var: str, axis: str, lo: float, hi: float, fixed: dict, n: int = 20001,
                  geometric: bool = False, tol: float = 1e-14) -> list[tuple[float, int, int]]:
    """Every change of the code ``var`` along ``axis`` on ``[lo, hi]``: ``[(x, before, after)]``.

    Found on a fine grid (geometric for the ratio axis), each refined by resampling its bracket on
    1001 points until it is ``tol`` (relative) wide.
    """
    def codes(x):
        return np.asarray(_solve(**fixed, **{axis: x})[var])

    xs = np.geomspace(lo, hi, n) if geometric else np.linspace(lo, hi, n)
    values = codes(xs)
    found = []
    for i in np.nonzero(np.diff(values))[0]:
        a, b = xs[i], xs[i + 1]
        while b - a > tol * max(1.0, abs(a)):
            sub = np.linspace(a, b, 1001)
            k = int(np.argmax(codes(sub) != values[i]))
            if k == 0:
                break
            a, b = sub[k - 1], sub[k]
        found.append((0.5 * (a + b), int(values[i]), int(values[i + 1])))
    return found


@cache
def ratio_switches() -> dict[str, list[tuple[float, int, int]]]:
    """Switch points of ``regime`` and of each GS structure's regime along r (§12.3 setting)."""
    return {var: code_switches(var, "r", *RATIO_RANGE, BASE, geometric=True)
            for var in ("regime",) + GS_VARS}


@cache
def warranty_switches() -> dict[str, list[tuple[float, int, int]]]:
    """Switch points of each GS regime along s = w12 (tau = 1) at r = 3.5 (Figs 4-6, §12.4)."""
    fixed = dict(BASE, r=BASE_RATIO, tau=1.0)
    return {var: code_switches(var, "w12", 0.0, 1.0, fixed) for var in GS_VARS}


def base_thresholds() -> dict[str, float]:
    """The closed-form thresholds of §9 at the paper's (eta, gamma)."""
    r = _solve(**BASE, r=BASE_RATIO)
    return {name: float(r[name]) for name in SPEC["thresholds"]}


@cache
def paper_rows() -> list[dict]:
    """The paper's numerical study (Tables 2-3): one row per reduction J and structure k, with
    profits with (GS) and without (S) the importer, change rates D_i = pi_i^GS/pi_i^S - 1 and the
    importer's profit growth D3 relative to J = 0 (NaN at J = 0)."""
    theta1 = 0.5 / 3.5 * (1.0 - np.array(J_VALUES))
    r = _solve(**BASE, theta1=theta1)
    rows = []
    for j, cut in enumerate(J_VALUES):
        for k in (1, 2, 3):
            pi3 = float(r[f"pi3_gs{k}"][j])
            pi3_0 = float(r[f"pi3_gs{k}"][0])
            rows.append({
                "J": cut, "r": float(r["ratio"][j]), "k": k,
                "regime": int(r[f"regime_gs{k}"][j]),
                "pi1_s": float(r[f"pi1_s{k}"][j]), "pi1_gs": float(r[f"pi1_gs{k}"][j]),
                "D1": float(r[f"ratio_pi1_{k}"][j]) - 1.0,
                "pi2_s": float(r[f"pi2_s{k}"][j]), "pi2_gs": float(r[f"pi2_gs{k}"][j]),
                "D2": float(r[f"ratio_pi2_{k}"][j]) - 1.0,
                "pi3_gs": pi3, "D3": pi3 / pi3_0 - 1.0 if j else float("nan"),
            })
    return rows


TABLE_NOTE = ("θ2 = 0.5, η = 0.8, γ = 0.6, θ1 = (0.5/3.5)(1 − J): the paper's 5-40 % are reductions "
              "of θ1, not profit losses. The paper prints θ1 = 0.143 (rounded); with it the values "
              "shift by < 0.1 % relative. Its printed tables were lost in extraction; these are the "
              "reconstructed closed forms (spec §12.2). Every point lies in the all-gray regime.")


def ps_table2():
    """Table 2: profits of M1, M2 and the importer with (GS) and without (S) the gray market."""
    rows = [[f"{100 * row['J']:.0f} %", row["r"], f"GS{row['k']} / S{row['k']}", row["pi1_s"],
             row["pi1_gs"], row["pi2_s"], row["pi2_gs"], row["pi3_gs"]] for row in paper_rows()]
    return Table("Table 2 — total profits with (GSk) and without (Sk) the parallel importer",
                 ["J (θ1 cut)", "r = θ2/θ1", "structure k", "π1 Sk", "π1 GSk", "π2 Sk", "π2 GSk",
                  "π3 GSk"], rows, TABLE_NOTE)


def ps_table3():
    """Table 3: change rates D1, D2 (gray vs no gray) and the importer's profit growth D3 vs J = 0."""
    def pct(x, digits):
        return "–" if np.isnan(x) else f"{100 * x:+.{digits}f} %"

    rows = [[f"{100 * row['J']:.0f} %", row["r"], f"GS{row['k']} / S{row['k']}", pct(row["D1"], 3),
             pct(row["D2"], 3), pct(row["D3"], 1)] for row in paper_rows()]
    return Table("Table 3 — change rates: D_i = (π_i^GSk − π_i^Sk)/π_i^Sk, D3 = importer profit "
                 "growth relative to J = 0", ["J (θ1 cut)", "r = θ2/θ1", "structure k", "D1 (M1)",
                                              "D2 (M2)", "D3 (importer)"], rows,
                 TABLE_NOTE + " M1's GS3 rate is positive up to β = 3.8927 (between J = 10 % and "
                 "20 %); its GS2 rate is not monotone in r.")


# ------------------------------------------------------------------------------------ drawing

def _runs(codes: np.ndarray):
    """(start, stop, code) of each run of equal codes."""
    edges = np.nonzero(np.diff(codes))[0]
    starts = np.r_[0, edges + 1]
    stops = np.r_[edges, len(codes) - 1]
    return [(int(a), int(b), int(codes[a])) for a, b in zip(starts, stops)]


def ps_regime_ratio():
    """Regime along the WTP ratio r (§12.3): which structures have an active importer, with exits."""
    r = np.geomspace(*RATIO_RANGE, LINE_POINTS)
    sol = _solve(**BASE, r=r)
    sw = ratio_switches()
    th = base_thresholds()
    rows = ("regime",) + GS_VARS
    titles = ("regime (Theorem 3 pattern)", "GS1 (M1 leads)", "GS2 (M2 leads)", "GS3 (simultaneous)")
    fig, ax = plt.subplots(figsize=(14, 6.5), layout="constrained")
    for level, var in zip(range(len(rows) - 1, -1, -1), rows):
        colors, names = _colors(var), _names(var)
        for a, b, code in _runs(np.asarray(sol[var])):
            left = r[a] if a == 0 else np.sqrt(r[a - 1] * r[a])
            right = r[b] if b == len(r) - 1 else np.sqrt(r[b] * r[b + 1])
            ax.fill_between([left, right], level - 0.42, level + 0.42, color=colors[code], lw=0)
            if np.log(right / left) > 0.12:
                ax.text(np.sqrt(left * right), level, names[code], ha="center", va="center",
                        fontsize=8, rotation=0 if np.log(right / left) > 0.5 else 90,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        for x, _, _ in sw[var]:
            ax.plot([x, x], [level - 0.42, level + 0.42], color="black", lw=0.8)
    ax.fill_between([3.5, 3.5 / 0.6], -0.5, len(rows) - 0.5, color="#d62728", alpha=0.12, lw=0)
    ax.text(np.sqrt(3.5 * 3.5 / 0.6), len(rows) - 0.47, "paper's range\nr = 3.5 - 5.83", ha="center",
            va="bottom", fontsize=7.5, color="#d62728")
    styles = {"alpha": ":", "Delta": "--", "beta": "-."}
    for name, style in styles.items():
        ax.axvline(th[name], color="#1f3b73", lw=1.2, ls=style)
    ax.set_yticks(range(len(rows)), titles[::-1])
    ax.set_ylim(-0.5, len(rows) + 0.1)
    ax.set_xscale("log")
    ax.set_xlim(*RATIO_RANGE)
    ax.set_xlabel(AXIS_LABELS["r"])
    ax.set_ylabel("equilibrium of [structure]")
    handles = [Patch(facecolor=_colors("regime_gs3")[c], edgecolor="0.4",
                     label=f"GS: {_names('regime_gs3')[c]}") for c in (1, 3, 4, 5)]
    handles += [Patch(facecolor=_colors("regime")[c], edgecolor="0.4", label=f"regime: {_names('regime')[c]}")
                for c in sorted({int(c) for c in np.unique(sol["regime"])})]
    handles += [plt.Line2D([], [], color="#1f3b73", ls=style, label=f"{THRESHOLD_SYMBOLS[n]} (closed form)")
                for n, style in styles.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    lines = ["switches of `regime`, computed | spec:"]
    lines += [f"  {b}→{a} at r = {x:.7f} | {xs:.7f}"
              for (x, b, a), (xs, _, _) in zip(sw["regime"], SPEC["regime"])]
    lines += ["closed forms:"] + [f"  {THRESHOLD_SYMBOLS[k]:5s} = {v:.7f}" for k, v in th.items()]
    ax.text(1.01, 0.0, "\n".join(lines), transform=ax.transAxes, fontsize=7.5, family="monospace",
            va="bottom", ha="left")
    fig.suptitle("Where the parallel importer is active along r = θ2/θ1 (θ2 = 0.5, η = 0.8, γ = 0.6)\n"
                 "Paper (Theorem 3): " + PAPER["theorem3"] + ".\nComputed: true up to r = 9.80, where "
                 "M2 induces M1's exit in GS2 (then GS3 without pure equilibrium, GS1 exit)", fontsize=10)
    return fig


def warranty_map(n: int | None = None):
    """Sweep over the warranty square (w12, tau) in [0, 1]^2 at r = 3.5 (Figs 4-6)."""
    g = np.linspace(0.0, 1.0, n or WARRANTY_RESOLUTION)
    outputs = [f"{f}_gs{k}" for f in ("pi1", "q3", "p3") for k in (1, 2, 3)] + list(GS_VARS)
    return fastmap.sweep(MODEL, w12=g, tau=g, r=BASE_RATIO, outputs=outputs, **BASE)


def _warranty_figure(field: str, title: str, label: str, unit: str, cmap: str):
    ds = warranty_map()
    sw = warranty_switches()
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.6), layout="constrained")
    w12 = ds["w12"].values
    for k, ax in zip((1, 2, 3), axes):
        var = f"{field}_gs{k}"
        fastmap.plot_field(ds, var, x="w12", y="tau", ax=ax, cmap=cmap, title=STRUCTURE_NAMES[k])
        bar = ax.images[-1].colorbar
        bar.set_label(label)
        bar.ax.set_xlabel(f"[{unit}]", fontsize=8)   # unit above the bar
        bar.ax.xaxis.set_label_position("top")
        ends = [x for x, _, _ in sw[f"regime_gs{k}"]]
        handles = []
        for s, style, name in zip(ends, ("--", ":"), ("gray → limit_price", "limit_price → no_gray")):
            curve = np.where(w12 > 0, s / np.where(w12 > 0, w12, 1.0), np.nan)
            line, = ax.plot(w12, curve, color="white" if field == "pi1" else "black", lw=1.4, ls=style,
                            label=f"τ·W12 = {s:.6f} ({name})")
            handles.append(line)
        spec = SPEC["warranty"][f"regime_gs{k}"]
        ax.text(0.98, 0.98, f"gray for s = τW12 < {ends[0]:.6f} (spec {spec[0]:.6f})\n"
                f"limit_price up to {ends[1]:.6f} (spec {spec[1]:.6f})",
                transform=ax.transAxes, ha="right", va="top", fontsize=7.5, family="monospace",
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.6", "alpha": 0.9})
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(AXIS_LABELS["w12"])
        ax.set_ylabel(AXIS_LABELS["tau"])
        ax.legend(handles=handles, loc="lower left", fontsize=7.5, framealpha=0.9)
    fig.suptitle(f"{title} over the warranty square at r = 3.5 (θ2 = 0.5, η = 0.8, γ = 0.6); grey = "
                 "not defined (no gray sales). Paper: " + PAPER["figs4_6"] + ".\nComputed: the "
                 "importer is shut out for s = τ·W12 above the dashed curves (most of the square); "
                 "in GS2 M1's profit falls for s in (0.03103, 0.03411) (spec erratum 10)", fontsize=10)
    return fig


def ps_fig4():
    """Fig. 4: M1's profit under GS1-GS3 over the warranty square (W12, tau) at r = 3.5."""
    return _warranty_figure("pi1", "Fig. 4 — M1's profit π1", "M1's profit π1 [currency]", "currency",
                            "viridis")


def ps_fig5():
    """Fig. 5: gray quantity q3 under GS1-GS3 over the warranty square (W12, tau) at r = 3.5."""
    return _warranty_figure("q3", "Fig. 5 — gray quantity q3", "gray quantity q3 [unit]", "unit", "magma")


def ps_fig6():
    """Fig. 6: gray price p3 under GS1-GS3 over the warranty square (W12, tau) at r = 3.5."""
    return _warranty_figure("p3", "Fig. 6 — gray price p3", "gray price p3 [currency/unit]",
                            "currency/unit", "cividis")


def eta_gamma_map(n: int | None = None):
    """The regime and the base-model thresholds over (eta, gamma) at r = 3.5."""
    n = n or MAP_RESOLUTION
    eta = (np.arange(n) + 0.5) / n
    gamma = (np.arange(n) + 0.5) / n
    return fastmap.sweep(MODEL, eta=eta, gamma=gamma, r=BASE_RATIO, theta2=BASE["theta2"],
                         outputs=["regime", "alpha", "r_gs2", "Delta", "beta"])


def ratio_gamma_map(n: int | None = None):
    """The regime over (r, gamma) at eta = 0.8 (r from 1 to 40)."""
    n = n or MAP_RESOLUTION
    return fastmap.sweep(MODEL, r=np.linspace(1.0, 40.0, n), gamma=np.linspace(0.02, 0.98, n),
                         eta=BASE["eta"], theta2=BASE["theta2"], outputs=["regime"])


def ps_regime_eta_gamma():
    """New map: the Theorem-3 pattern over (eta, gamma) at r = 3.5, with alpha, r_GS2, Delta, beta = r."""
    ds = eta_gamma_map()
    fig, ax = plt.subplots(figsize=(10, 7.5), layout="constrained")
    fastmap.plot_regions(ds, x="eta", y="gamma", var="regime", ax=ax, legend=False, thresholds=False,
                         title=f"regime over (η, γ) at r = θ2/θ1 = 3.5 ({len(ds['eta'])}² cells)")
    eta, gamma = ds["eta"].values, ds["gamma"].values
    styles = {"alpha": ("black", ":"), "r_gs2": ("#6a1b4d", (0, (5, 1))), "Delta": ("black", "--"),
              "beta": ("#1f3b73", "-.")}
    handles = []
    for name, (color, style) in styles.items():
        ax.contour(eta, gamma, ds[name].transpose("gamma", "eta").values, levels=[BASE_RATIO],
                   colors=[color], linestyles=[style], linewidths=1.3)
        handles.append(plt.Line2D([], [], color=color, ls=style,
                                  label=f"{THRESHOLD_SYMBOLS[name]}(η, γ) = 3.5 (closed form)"))
    ax.plot([BASE["eta"]], [BASE["gamma"]], "o", mfc="white", mec="black", ms=7)
    handles.append(plt.Line2D([], [], marker="o", mfc="white", mec="black", ls="",
                              label="paper's point (η, γ) = (0.8, 0.6)"))
    colors, names = _colors("regime"), _names("regime")
    present = sorted(int(c) for c in np.unique(ds["regime"].values))
    patches = [Patch(facecolor=colors[c], edgecolor="0.4", label=names[c]) for c in present]
    ax.legend(handles=patches + handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False, title="regime / thresholds", title_fontsize=9)
    ax.set_xlabel(AXIS_LABELS["eta"])
    ax.set_ylabel(AXIS_LABELS["gamma"])
    fig.suptitle("The importer is active in GS3 above the α-curve, in GS2 above r_GS2, in GS1 above "
                 "the Δ-curve;\nM1 gains from the gray market in GS3 between the α- and β-curves "
                 "(Theorem 4)", fontsize=10)
    return fig


def ps_regime_ratio_gamma():
    """New map: the Theorem-3 pattern over (r, gamma) at eta = 0.8 with alpha, Delta, beta, exits."""
    ds = ratio_gamma_map()
    fig, ax = plt.subplots(figsize=(11, 7.5), layout="constrained")
    fastmap.plot_regions(ds, x="r", y="gamma", var="regime", ax=ax,
                         thresholds=["alpha", "Delta", "beta", "r_x1", "r_x3"],
                         title=f"regime over (r, γ) at η = 0.8 ({len(ds['r'])}² cells)")
    ax.plot([BASE_RATIO], [BASE["gamma"]], "o", mfc="white", mec="black", ms=7)
    ax.set_xlabel(AXIS_LABELS["r"])
    ax.set_ylabel(AXIS_LABELS["gamma"])
    fig.suptitle("Gray market by power structure over the WTP ratio and the gray quality (white dot: "
                 "the paper's point).\nRight of the r_x1 / r_x3 curves M1 leaves market 1 or GS3 has "
                 "no pure equilibrium: no gray market anywhere (gray_none).", fontsize=10)
    return fig


FIGURES = {
    "ps_regime_ratio": ps_regime_ratio,
    "ps_table2": ps_table2,
    "ps_table3": ps_table3,
    "ps_fig4": ps_fig4,
    "ps_fig5": ps_fig5,
    "ps_fig6": ps_fig6,
    "ps_regime_eta_gamma": ps_regime_eta_gamma,
    "ps_regime_ratio_gamma": ps_regime_ratio_gamma,
}
