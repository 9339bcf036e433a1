"""Gallery of ``nev_parallel_export``: the paper's statements next to the computed numbers, and the
maps the paper could not draw.

"Parallel Export and Differentiated Production in the Supply Chain of New Energy Vehicles",
Systems 13(8), 662 (2025). The paper's formulas, figures and numbers are lost in the seed; the spec
(``shared/models/nev_parallel_export.md``) reconstructs the model and lists the paper's surviving
sign statements (§13) and the reference numbers of its §12. So the gallery holds:

* two tables: the spec's §12 reference point (``nev_base_point``) and every theorem of the paper
  evaluated over a parameter grid in both readings (``nev_theorems``);
* regime maps (true outcome and paper's rule, CR and CT) over (beta, k), (theta, beta) and
  (theta, k) at ``MAP_RESOLUTION`` x ``MAP_RESOLUTION`` cells;
* where the paper's accommodation equilibrium is not the true one (in reading B everywhere it is
  valid) and how much M2 loses by playing it (``nev_paper_vs_true``); the thin band of reading A
  where it *is* the true CT outcome, contrary to the spec's §9.1 (``nev_ct_accommodation``); the
  theorem codes as maps (``nev_theorem_maps``); profit ratios against CN along theta
  (``nev_profit_ratios``).

Every number written on a figure or table comes from a helper of this module (``switch_points``,
``theorem_rows``, ``region_shares``, ``base_rows``) so that the tests check what is shown.
"""

from __future__ import annotations

from functools import cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

import fastmap
from fastmap.gallery import Table

MODEL = "nev_parallel_export"

#: Grid points per axis of the regime maps (tests lower it).
MAP_RESOLUTION = 2048
#: Sample points of the line plots.
LINE_POINTS = 800

#: Axis ranges of the maps (k starts just above the domain bound 2; theta and beta exclude 0).
RANGES = {"theta": (0.005, 1.0), "k": (2.01, 12.0), "beta": (0.005, 0.995)}
AXIS_LABELS = {
    "theta": "Market-2 WTP bound θ [price, Market-1 WTP = 1]",
    "k": "differentiation cost k [dimensionless]",
    "beta": "recognition of parallel cars β [dimensionless]",
}
#: The fixed parameters of each map (reading B, the spec's default).
MAPS = {
    ("beta", "k"): {"theta": 0.3, "reading": 1.0},
    ("theta", "beta"): {"k": 6.0, "reading": 1.0},
    ("theta", "k"): {"beta": 0.9, "reading": 1.0},
}
#: The spec's "typical map" (§10; reading B, beta = 0.9, k = 6): approximate switch points in theta.
SPEC_TYPICAL = {"cr": {"close_market2->limit_wholesale": 0.25, "limit_wholesale->no_threat": 0.6},
                "ct": {"close_market2->limit_wholesale": 0.25, "limit_wholesale->no_threat": 0.45}}
#: Spec §12 reference values (7 digits) at the base point and the paper-valid point.
BASE_POINTS = {"base": {"theta": 0.3, "k": 4.0, "beta": 0.5, "reading": 1.0},
               "paper_valid": {"theta": 0.08, "k": 6.0, "beta": 0.9, "reading": 1.0}}
SPEC_PI_2 = {("base", "cn"): 0.2041667, ("base", "cr"): 0.1950758, ("base", "ct"): 0.2030365,
             ("base", "cr_acc"): 0.1710468, ("paper_valid", "cn"): 0.16,
             ("paper_valid", "cr"): 0.15, ("paper_valid", "ct"): 0.15,
             ("paper_valid", "cr_acc"): 0.1014186, ("paper_valid", "ct_acc"): 0.1042369}
TAG_NAMES = {"cn": "CN", "cr": "CR true", "ct": "CT true", "cr_acc": "CR paper (accommodation)",
             "ct_acc": "CT paper (accommodation)"}
#: The paper's abstract, claim (2).
ABSTRACT_CLAIM = "the manufacturers' profits will always be damaged by parallel exports"


def _solve(**params):
    return fastmap.solve(MODEL, **params)


def axis(name: str, n: int | None = None) -> np.ndarray:
    lo, hi = RANGES[name]
    return np.linspace(lo, hi, n or MAP_RESOLUTION)


def regime_map(x: str, y: str, outputs, n: int | None = None, **fixed):
    """Sweep of ``outputs`` over (x, y) with the map's fixed parameters (overridable)."""
    params = dict(MAPS[(x, y)], **fixed)
    return fastmap.sweep(MODEL, **{x: axis(x, n), y: axis(y, n)}, outputs=list(outputs), **params)


def region_shares(ds, var: str) -> dict[str, float]:
    """Share (%) of each label of ``var`` on the map."""
    output = fastmap.model(MODEL).output(var)
    values = ds[var].values
    return {output.label(c): 100.0 * float(np.mean(values == c)) for c in np.unique(values)}


def _names(var):
    output = fastmap.model(MODEL).output(var)
    return dict(zip(output.flag_values, output.flag_meanings)), dict(zip(output.flag_values, output.colors))


# ------------------------------------------------------------------------------------ numbers

@cache
def switch_points(k: float = 6.0, beta: float = 0.9, n: int = 200001) -> dict[str, dict[str, float]]:
    """Where the true CR / CT regime changes along theta (reading B), to 1e-5: {tag: {a->b: theta}}."""
    theta = np.linspace(*RANGES["theta"], n)
    r = _solve(theta=theta, k=k, beta=beta)
    out = {}
    for tag in ("cr", "ct"):
        names, _ = _names(f"regime_{tag}")
        codes = r[f"regime_{tag}"]
        change = np.nonzero(np.diff(codes))[0]
        out[tag] = {f"{names[codes[i]]}->{names[codes[i + 1]]}": 0.5 * (theta[i] + theta[i + 1])
                    for i in change}
    return out


def base_rows() -> list[list]:
    """Rows of ``nev_base_point``: every case at the spec's two reference points."""
    rows = []
    for point, params in BASE_POINTS.items():
        r = {key: v[()] for key, v in _solve(**params).items()}
        for tag, name in TAG_NAMES.items():
            if tag == "cn":
                status = "cn_interior"
            elif tag in ("cr", "ct"):
                status = fastmap.model(MODEL).output(f"regime_{tag}").label(r[f"regime_{tag}"])
            else:
                base = tag[:2]
                status = fastmap.model(MODEL).output(f"paper_{base}").label(r[f"paper_{base}"])
            rows.append([point, name, status] + [float(r[f"{f}_{tag}"]) for f in
                                                 ("w", "q_2", "e", "q_1", "q_r", "q_par", "pi_2",
                                                  "pi_R", "pi_1")]
                        + [SPEC_PI_2.get((point, tag), float("nan"))])
    return rows


def nev_base_point():
    """Spec §12 reference points: CN, true CR/CT and the paper's accommodation equilibria."""
    return Table(
        "nev_parallel_export: the spec's reference points (theta=0.3, k=4, beta=0.5 and "
        "theta=0.08, k=6, beta=0.9; reading B)",
        ["point", "case", "regime / paper status", "w", "q_2", "e", "q_1", "q_r", "q_par", "pi_2",
         "pi_R", "pi_1", "pi_2 (spec §12)"],
        base_rows(),
        note="The paper's own numbers are lost (seed without formulas); the reference column is the "
             "spec's reconstruction (§12, 7 digits). At the base point the paper's CR equilibrium is "
             "invalid (q_g < 0); at the paper-valid point it is valid but M2 does better by closing "
             "Market 2 (true pi_2 = 0.15 > 0.1014).")


def _grid():
    """The theorem grid: 60 theta x 40 k x 25 beta (k - 2 geometric in [0.05, 40])."""
    return {"theta": np.linspace(0.01, 1.0, 60)[:, None, None],
            "k": (2.0 + np.geomspace(0.05, 40.0, 40))[None, :, None],
            "beta": np.linspace(0.02, 0.98, 25)[None, None, :]}


#: The paper's statements (§13 of the spec): (name, claim, set where tested, predicate).
THEOREMS = (
    ("Thm 2", "CN: q2 > q1, q2 > q_r, pi_2_m1 > pi_2_m2", "all",
     lambda r: (r["q_2_cn"] > r["q_1_cn"]) & (r["q_2_cn"] > r["q_r_cn"])
     & (r["pi_2_m1_cn"] > r["pi_2_m2_cn"])),
    ("Thm 5(1)", "CR: q2 > q_r + q_g", "cr",
     lambda r: r["q_2_cr_acc"] > r["q_r_cr_acc"] + r["q_par_cr_acc"]),
    ("Thm 5(2)", "CR: q2 is the largest Market-1 quantity", "cr",
     lambda r: (r["q_2_cr_acc"] > r["q_1_cr_acc"]) & (r["q_2_cr_acc"] > r["q_par_cr_acc"])),
    ("Thm 5(2) branch", "CR: q_g > q1 for small theta (both branches occur)", "cr",
     lambda r: r["t5_market1_cr"] == 1),
    ("Thm 5(3) branch", "CR: q_g > q_r for small theta (both branches occur)", "cr",
     lambda r: r["t5_ad_mix_cr"] == 1),
    ("Thm 6(a)", "CR: pi_2_m1 < pi_2_m2", "cr",
     lambda r: r["pi_2_m1_cr_acc"] < r["pi_2_m2_cr_acc"]),
    ("Thm 6(b)", "CR: pi_2 < pi_2 in CN", "cr", lambda r: r["pi_2_cr_acc"] < r["pi_2_cn"]),
    ("Thm 7 branch", "CR: AD gains (pi_R > CN) for small theta and large k", "cr",
     lambda r: r["t7_ad_cr"] == 1),
    ("Thm 8(2) branch", "CT: q_t > q_r - q_t for small theta (both branches occur)", "ct",
     lambda r: r["t8_market2_ct"] == 1),
    ("Thm 9(2) branch", "CT: q_t > q1 for small theta (both branches occur)", "ct",
     lambda r: r["t9_market1_ct"] == 1),
    ("Thm 10", "CT: pi_2_m1 > pi_2_m2, pi_2 < CN, pi_R < CN", "ct",
     lambda r: (r["pi_2_m1_ct_acc"] > r["pi_2_m2_ct_acc"]) & (r["pi_2_ct_acc"] < r["pi_2_cn"])
     & (r["pi_R_ct_acc"] < r["pi_R_cn"])),
    ("text", "w_cn < w_ct < w_cr", "both",
     lambda r: (r["w_cn"] < r["w_ct_acc"]) & (r["w_ct_acc"] < r["w_cr_acc"])),
    ("text", "q_t < q_g (fails for very small theta, e.g. theta = 0.01)", "both",
     lambda r: r["q_par_ct_acc"] < r["q_par_cr_acc"]),
    ("text", "CR: M2 differentiates more than in CN (e_cr > e_cn)", "cr",
     lambda r: r["e_cr_acc"] > r["e_cn"]),
    ("abstract (2)", "true outcomes: pi_2 and pi_1 never above CN (CR and CT)", "true",
     lambda r: (r["ratio_pi_2_cr"] <= 1) & (r["ratio_pi_1_cr"] <= 1)
     & np.where(r["regime_ct"] > 0, (r["ratio_pi_2_ct"] <= 1) & (r["ratio_pi_1_ct"] <= 1), True)),
    ("§0 (spec)", "paper's equilibrium is the true one (true outcome has parallel trade)", "cr",
     lambda r: r["q_par_cr"] > 0),
)


@cache
def theorem_rows() -> list[list]:
    """[name, claim, tested set, points B, holds % B, points A, holds % A] per statement."""
    g = _grid()
    solved = {reading: _solve(**g, reading=reading) for reading in (1.0, 0.0)}
    rows = []
    for name, claim, where, predicate in THEOREMS:
        row = [name, claim, {"all": "all points", "cr": "paper_cr valid", "ct": "paper_ct valid",
                             "both": "both valid", "true": "all points"}[where]]
        for reading in (1.0, 0.0):
            r = solved[reading]
            mask = {"all": r["regime_cn"] == 1, "true": r["regime_cn"] == 1,
                    "cr": r["paper_cr"] == 1, "ct": r["paper_ct"] == 1,
                    "both": (r["paper_cr"] == 1) & (r["paper_ct"] == 1)}[where]
            holds = np.broadcast_to(predicate(r), mask.shape)[mask]
            row += [int(mask.sum()), 100.0 * float(holds.mean()) if holds.size else float("nan")]
        rows.append(row)
    return rows


def nev_theorems():
    """The paper's theorems (spec §13) evaluated over a grid in both readings."""
    return Table(
        "nev_parallel_export: the paper's statements, share of grid points where they hold "
        "(60 theta x 40 k x 25 beta)",
        ["statement", "paper's claim", "tested on", "points (B)", "holds % (B)", "points (A)",
         "holds % (A)"],
        theorem_rows(),
        note="B = default reading (parallel car worth v + beta e), A = beta v. 'branch' rows give the "
             "share of the first branch: the paper claims both branches occur (B: yes; A: the "
             "small-theta branch is empty). Thm 6(a) holds nowhere (spec §13.3). The last row is 0%: "
             "wherever the paper's CR equilibrium is valid, M2 prefers to block parallel trade.")


# ------------------------------------------------------------------------------------ drawing

def _legend_handles(ds, var):
    names, colors = _names(var)
    present = sorted(int(c) for c in np.unique(ds[var].values))
    shares = region_shares(ds, var)
    return [Patch(facecolor=colors[c], edgecolor="0.4", label=f"{names[c]} ({shares[names[c]]:.1f}%)")
            for c in present]


def _regime_figure(x: str, y: str, title: str, note: str = ""):
    fixed = MAPS[(x, y)]
    fig, axes = plt.subplots(2, 2, figsize=(13, 11.5), layout="constrained")
    variables = (("regime_cr", "(a) CR, true outcome"), ("regime_ct", "(b) CT, true outcome"),
                 ("regime_cr_paper", "(c) CR, paper's rule"), ("regime_ct_paper", "(d) CT, paper's rule"))
    ds = regime_map(x, y, [v for v, _ in variables])
    for ax, (var, panel) in zip(axes.flat, variables):
        fastmap.plot_regions(ds, x=x, y=y, var=var, ax=ax, labels=True, legend=False,
                             thresholds=False, title=panel)
        ax.set_xlabel(AXIS_LABELS[x])
        ax.set_ylabel(AXIS_LABELS[y])
        ax.legend(handles=_legend_handles(ds, var), loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  ncol=2, fontsize=8, frameon=False)
    fixed_text = ", ".join(f"{key} = {v:g}" for key, v in fixed.items())
    fig.suptitle(f"{title} ({fixed_text}; {MAP_RESOLUTION if len(ds[x]) == MAP_RESOLUTION else len(ds[x])}"
                 f"² cells)\nPaper: M2 accommodates parallel export (grey in c, d, where valid). "
                 f"True (reading B): M2 always blocks it.{note}", fontsize=11)
    return fig


def nev_regimes_beta_k():
    """True and paper-rule regimes of CR and CT over (beta, k) at theta = 0.3 (reading B)."""
    return _regime_figure("beta", "k", "Regimes over recognition β and differentiation cost k",
                          "\nCT is not reported for k < 2.5 (white: exotic equilibria near k = 2).")


def nev_regimes_theta_beta():
    """True and paper-rule regimes of CR and CT over (theta, beta) at k = 6 (reading B)."""
    return _regime_figure("theta", "beta", "Regimes over Market-2 WTP θ and recognition β")


def nev_regimes_theta_k():
    """The spec's typical map: regimes over (theta, k) at beta = 0.9 (reading B), switch points at k = 6."""
    sw = switch_points()
    lines = []
    for tag in ("cr", "ct"):
        parts = [f"{key.replace('->', ' → ')} at θ = {sw[tag].get(key, float('nan')):.4f} "
                 f"(spec ≈ {spec})" for key, spec in SPEC_TYPICAL[tag].items()]
        lines.append(f"{tag.upper()} at k = 6: " + ", ".join(parts))
    return _regime_figure("theta", "k", "Regimes over θ and k (spec's typical map)",
                          "\n" + "\n".join(lines))


#: Bins (%) of M2's profit lost by playing the paper's equilibrium instead of the true one.
LOSS_BINS = (0.0, 5.0, 10.0, 20.0, 40.0, 100.0)
LOSS_COLORS = ("#fde0c5", "#f9a870", "#ee6a3a", "#c0392b", "#6e1423")


def accommodation_loss(tag: str, n: int | None = None):
    """(theta, k, loss %) of M2 playing the paper's equilibrium, 1 - pi_2_acc / pi_2_true, where
    it is valid (NaN elsewhere; CT also needs k >= 2.5), on the (theta, k) map."""
    ds = regime_map("theta", "k", [f"paper_{tag}", f"pi_2_{tag}", f"pi_2_{tag}_acc", f"regime_{tag}"], n)
    valid = (ds[f"paper_{tag}"] == 1) & (ds[f"regime_{tag}"] > 0)
    loss = (100.0 * (1.0 - ds[f"pi_2_{tag}_acc"] / ds[f"pi_2_{tag}"])).where(valid)
    return ds["theta"].values, ds["k"].values, loss.transpose("k", "theta").values


def nev_paper_vs_true():
    """Where the paper's equilibrium is valid it is not the true one: M2's loss from playing it."""
    fig, axes = plt.subplots(1, 2, figsize=(14, 6.6), layout="constrained")
    summary = []
    for ax, tag in zip(axes, ("cr", "ct")):
        theta, k, loss = accommodation_loss(tag)
        binned = np.where(np.isnan(loss), -1, np.digitize(loss, LOSS_BINS[1:-1]))
        colors = ("#e6e6e6",) + LOSS_COLORS
        ax.imshow(binned + 1, origin="lower", aspect="auto", interpolation="nearest",
                  extent=(theta[0], theta[-1], k[0], k[-1]), vmin=-0.5, vmax=len(colors) - 0.5,
                  cmap=ListedColormap(colors))
        ax.set_xlabel(AXIS_LABELS["theta"])
        ax.set_ylabel(AXIS_LABELS["k"])
        values = loss[np.isfinite(loss)]
        share = 100.0 * values.size / loss.size
        labels = ["paper's equilibrium invalid" + (" (or k < 2.5)" if tag == "ct" else "")]
        labels += [f"loss {a:g}–{b:g}%" for a, b in zip(LOSS_BINS[:-1], LOSS_BINS[1:])]
        counts = [np.mean(binned == code) * 100.0 for code in range(-1, len(LOSS_COLORS))]
        ax.legend(handles=[Patch(facecolor=c, edgecolor="0.4", label=f"{lab} ({p:.1f}%)")
                           for c, lab, p in zip(colors, labels, counts) if p > 0],
                  loc="upper right", fontsize=8)
        ax.set_title(f"{tag.upper()}: M2's profit lost by playing the paper's equilibrium, "
                     f"1 − π₂(paper) / π₂(true)", fontsize=10)
        summary.append(f"{tag.upper()}: valid on {share:.1f}% of the map, loss {values.min():.2f}–"
                       f"{values.max():.2f}%" if values.size else f"{tag.upper()}: valid nowhere")
    fig.suptitle("Paper: the accommodation equilibrium is M2's optimum. Computed: M2 always does "
                 f"better by blocking parallel trade (β = {MAPS[('theta', 'k')]['beta']:g}, "
                 "reading B)\n" + "; ".join(summary), fontsize=11)
    return fig


def nev_theorem_maps():
    """The theorem codes (Thms 5(2), 5(3), 7, 8(2), 9(2)) over (theta, k) at beta = 0.9."""
    x, y = "theta", "k"
    variables = ("t5_market1_cr", "t5_ad_mix_cr", "t7_ad_cr", "t8_market2_ct", "t9_market1_ct")
    ds = regime_map(x, y, variables)
    fig, axes = plt.subplots(2, 3, figsize=(18, 11), layout="constrained")
    model = fastmap.model(MODEL)
    for ax, var in zip(axes.flat, variables):
        fastmap.plot_regions(ds, x=x, y=y, var=var, ax=ax, labels=False, legend=False,
                             thresholds=False, title=model.output(var).long_name)
        ax.set_xlabel(AXIS_LABELS[x])
        ax.set_ylabel(AXIS_LABELS[y])
        ax.legend(handles=_legend_handles(ds, var), loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  ncol=3, fontsize=8, frameon=False)
    axes.flat[-1].set_visible(False)
    fig.suptitle("Paper's theorem codes where its accommodation equilibrium is valid "
                 f"(β = {MAPS[(x, y)]['beta']:g}, reading B; n/a = not valid).\n"
                 "Paper: parallel sales exceed M1's / domestic sales for small θ; the AD gains from "
                 "parallel export (Thm 7) when θ is small and k large", fontsize=11)
    return fig


def profit_line(k: float = 6.0, beta: float = 0.9, n: int | None = None):
    theta = np.linspace(*RANGES["theta"], n or LINE_POINTS)
    return theta, _solve(theta=theta, k=k, beta=beta)


def nev_profit_ratios():
    """Profits relative to CN along theta (k = 6, beta = 0.9): true outcomes vs the paper's."""
    theta, r = profit_line()
    fig, axes = plt.subplots(1, 3, figsize=(18, 5.8), layout="constrained")
    _, colors = _names("regime_cr")
    for ax, who, label in zip(axes, ("pi_2", "pi_1", "pi_R"), ("M2", "M1", "AD")):
        for tag, style in (("cr", dict(color="#1f3b73", ls="-")), ("ct", dict(color="#c0392b", ls="-")),
                           ("cr_acc", dict(color="#1f3b73", ls="--")),
                           ("ct_acc", dict(color="#c0392b", ls="--"))):
            values = r[f"ratio_{who}_{tag}"]
            if tag.endswith("acc"):
                values = np.where(r[f"paper_{tag[:2]}"] == 1, values, np.nan)
            ax.plot(theta, values, lw=2, label=f"{TAG_NAMES[tag]}", **style)
        ax.axhline(1.0, color="0.3", lw=0.8)
        codes = r["regime_cr"]
        edges = np.r_[0, np.nonzero(np.diff(codes))[0] + 1, len(codes)]
        for a, b in zip(edges[:-1], edges[1:]):
            ax.axvspan(theta[a], theta[b - 1], color=colors[codes[a]], alpha=0.25, lw=0)
        ax.set_xlabel(AXIS_LABELS["theta"])
        ax.set_ylabel(f"{label}'s profit / CN profit [dimensionless]")
        if who == "pi_R":  # accommodation ratio explodes as theta -> 0 (pi_R_cn = theta/16); true ones in [0, 1]
            ax.set_yscale("symlog", linthresh=1.0)
            ax.set_ylim(bottom=-0.05)
        ax.set_title(f"{label}: max true ratio {np.nanmax(r[f'ratio_{who}_cr']):.4f} (CR), "
                     f"{np.nanmax(r[f'ratio_{who}_ct']):.4f} (CT)", fontsize=10)
    names, _ = _names("regime_cr")
    handles = axes[0].get_legend_handles_labels()[0]
    handles += [Patch(color=colors[c], alpha=0.4, label=f"true CR regime: {names[c]}")
                for c in sorted(set(int(c) for c in r["regime_cr"]))]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=9, frameon=False)
    fig.suptitle(f"Paper (abstract): {ABSTRACT_CLAIM} (k = 6, β = 0.9, reading B).\nComputed: the "
                 "true outcomes never exceed CN for M2 and M1; the paper's equilibria (dashed, where "
                 "valid) lie further below for M2, and the AD gains from them only for small θ (Thm 7)",
                 fontsize=11)
    return fig


#: The reading-A band where CT accommodation is the true outcome: two zoomed maps (axis ranges,
#: fixed parameters). beta = 0.05 and k = 43.6 pass through the band (spec erratum to §9.1).
ACCOMMODATION_MAPS = (
    {"theta": (0.005, 0.02), "k": (10.0, 400.0), "beta": 0.05, "reading": 0.0},
    {"theta": (0.008, 0.016), "beta": (0.03, 0.07), "k": 43.6, "reading": 0.0},
)


def accommodation_map(spec: dict, n: int | None = None):
    """``regime_ct`` and ``regime_cr`` on one of ``ACCOMMODATION_MAPS``; returns (dataset, x, y)."""
    x, y = [key for key, v in spec.items() if isinstance(v, tuple)]
    axes_ = {key: np.linspace(*spec[key], n or MAP_RESOLUTION) for key in (x, y)}
    fixed = {key: v for key, v in spec.items() if not isinstance(v, tuple)}
    return fastmap.sweep(MODEL, **axes_, **fixed, outputs=["regime_ct", "regime_cr"]), x, y


def nev_ct_accommodation():
    """Reading A: the thin band where M2's true CT choice is to accommodate the third party."""
    fig, axes = plt.subplots(1, 2, figsize=(14, 6.8), layout="constrained")
    shares = []
    for ax, spec, panel in zip(axes, ACCOMMODATION_MAPS, ("(a)", "(b)")):
        ds, x, y = accommodation_map(spec)
        fixed = ", ".join(f"{key} = {v:g}" for key, v in spec.items() if not isinstance(v, tuple))
        fastmap.plot_regions(ds, x=x, y=y, var="regime_ct", ax=ax, labels=False, legend=False,
                             thresholds=False, title=f"{panel} CT, true outcome ({fixed})")
        ax.set_xlabel(AXIS_LABELS[x])
        ax.set_ylabel(AXIS_LABELS[y])
        ax.legend(handles=_legend_handles(ds, "regime_ct"), loc="upper center",
                  bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
        shares.append(f"{panel} {region_shares(ds, 'regime_ct').get('accommodate', 0.0):.2f}% "
                      f"(CR: {region_shares(ds, 'regime_cr').get('accommodate', 0.0):.0f}%)")
    fig.suptitle("Spec §9.1: parallel trade is never optimal. Computed (reading A, parallel car worth "
                 "β v): in CT, a thin band where the blocking value\nhas a kink (limit_wholesale "
                 "meets close_market2) is filled by the paper's accommodation equilibrium, which pays "
                 "M2 more.\nShare of each map: " + ", ".join(shares) + ". Reading B and CR: nowhere.",
                 fontsize=11)
    return fig


FIGURES = {
    "nev_base_point": nev_base_point,
    "nev_theorems": nev_theorems,
    "nev_regimes_beta_k": nev_regimes_beta_k,
    "nev_regimes_theta_beta": nev_regimes_theta_beta,
    "nev_regimes_theta_k": nev_regimes_theta_k,
    "nev_paper_vs_true": nev_paper_vs_true,
    "nev_ct_accommodation": nev_ct_accommodation,
    "nev_theorem_maps": nev_theorem_maps,
    "nev_profit_ratios": nev_profit_ratios,
}
