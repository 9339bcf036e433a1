"""Figures 9, 11 and 12 of Iravani, Mamani & Ahmadi (2011), model ``stochastic_newsvendor``.

F. Iravani, H. Mamani, R. Ahmadi, "Coping with Gray Markets: The Impact of Market Conditions and
Product Characteristics", UCLA working paper (2011). Settings and reference numbers follow the spec
``shared/models/stochastic_newsvendor.md`` (§13, figure reproductions).

* Fig 12: the importer's profit pi_G along omega at b1/b2 = 2 and 2.5 (sigma = 70, N = 1500), uniform
  and normal noise, with the allow interval (pi_G > 0) found by bisection on the regime.
* Fig 11: the value of strategic pricing pi*/pi_U along omega for b1/b2 = 1.25, 2, 3.25 (sigma = 50).
* Fig 6: price gap and profit along omega for b1/b2 = 1.5, 1.75, 2 (sigma = 50): non-increasing.
* Fig 5: q1*/q~1 and q2*/q~2 along omega at b1/b2 = 2, sigma = 30 and 50: below / above 1.
* Fig 9: the strategy map over (omega, b1/b2) at sigma = 50 for both noise families, with omega_ign.

Every number written on a figure comes from a helper of this module (``allow_interval``,
``ratio_numbers``, ``fig6_increase``, ``fig5_extremes``) so that the tests check exactly what is drawn. ``SPEC`` holds the spec's values
and ``PAPER`` the paper's claims, both printed next to the computed numbers.
"""

from __future__ import annotations

from functools import cache

import matplotlib.pyplot as plt
import numpy as np

import fastmap

MODEL = "stochastic_newsvendor"

#: Grid points per axis of the Fig 9 regime maps (tests lower it).
RESOLUTION = 500
#: Side of the new maps the paper could not draw.
MAP_RESOLUTION = 2048
#: Sample points of the line plots (Figs 11, 12; tests lower it; annotated numbers do not use it).
LINE_POINTS = 800

DISTS = {0.0: "uniform", 1.0: "normal"}
DIST_STYLE = {0.0: {"ls": "-", "color": "#c0392b"}, 1.0: {"ls": "--", "color": "#1f5fa8"}}

#: Fig 12 setting (paper: N = 1500, c = 250, c_G = 10, b2 = 1, sigma = 70).
FIG12 = {"sigma": 70.0, "b1": (2.0, 2.5), "omega": (0.5, 0.999)}
#: Fig 11 setting.
FIG11 = {"sigma": 50.0, "b1": (1.25, 2.0, 3.25), "omega": (0.3, 0.999), "dist": 0.0}
#: Fig 6 setting (paper Sec. 4.2.2).
FIG6 = {"sigma": 50.0, "b1": (1.5, 1.75, 2.0), "omega": (0.3, 0.999), "dist": 0.0}
#: Fig 5 setting (paper Sec. 4.2.1: b1 = 2 b2, sigma = 30 and 50).
FIG5 = {"sigma": (30.0, 50.0), "b1": 2.0, "omega": (0.3, 0.999), "dist": 0.0}
#: Fig 9 setting.
FIG9 = {"sigma": 50.0, "omega": (0.3, 0.999), "b1": (1.25, 4.0)}

#: Spec's reference values (§13; oracle curve cases, tolerance 1e-7).
SPEC = {
    "allow": {(0.0, 2.0): (0.6945341080386411, 0.9853407649672303),
              (0.0, 2.5): (0.5925443139757006, 0.8067499301465932),
              (1.0, 2.0): (0.6958086353701934, 0.9853263110887482),
              (1.0, 2.5): (0.5942143872373639, 0.8116848249785925)},
    "max_ratio": {1.25: 1.0197888724553654, 2.0: 1.236004716386904},
    "ratio_b3.25_w0.5": 1.0526217727708418,
    "single_onset_b3.25": 0.5819378076962649,
}
#: The paper's own claims.
PAPER = {
    "allow": {2.0: (0.7, 0.99), 2.5: (0.6, 0.83)},
    "max_ratio": "loss of uniform pricing 'as high as 25%'",
    "onset": "at b1/b2 = 3.25 the two policies are identical beyond ω ≈ 0.6",
    "benefit_3.25": "benefit 'slightly above 5%' at b1/b2 = 3.25",
    "fig6": "price gap and total profit non-increasing in ω",
    "fig5": "q1*/q̃1 always below 1, q2*/q̃2 always above 1",
}

OMEGA_LABEL = "consumers' valuation of gray units ω [dimensionless]"
B1_LABEL = "price sensitivity of market 1, b1/b2 [dimensionless]"


# ------------------------------------------------------------------------------------ numerics

def _solve(**params):
    return fastmap.solve(MODEL, **params)


def _regime_colors() -> dict[int, str]:
    out = fastmap.model(MODEL).output("regime")
    return dict(zip(out.flag_values, out.colors))


def _regime_names() -> dict[int, str]:
    out = fastmap.model(MODEL).output("regime")
    return dict(zip(out.flag_values, out.flag_meanings))


def _transitions(pred, lo: float, hi: float, n: int = 2001, tol: float = 1e-13) -> list[float]:
    """Every point on ``[lo, hi]`` where the vectorised boolean ``pred`` flips, by bisection.

    Each bracket of a coarse grid is refined by re-sampling it on 65 points (one vectorised call
    per step) until its width is below ``tol``.
    """
    xs = np.linspace(lo, hi, n)
    ys = np.asarray(pred(xs), dtype=bool)
    out = []
    for i in np.nonzero(ys[1:] != ys[:-1])[0]:
        a, b, ya = xs[i], xs[i + 1], ys[i]
        while b - a > tol:
            sub = np.linspace(a, b, 65)
            fs = np.asarray(pred(sub), dtype=bool)
            k = int(np.nonzero(fs != ya)[0][0])
            a, b = sub[k - 1], sub[k]
        out.append(0.5 * (a + b))
    return out


@cache
def allow_interval(b1: float, dist: float, sigma: float = FIG12["sigma"]) -> tuple[float, float]:
    """[start, end] of the allow regime (pi_G > 0) along omega, by bisection on the regime."""
    def pred(w):
        return _solve(omega=w, b1=b1, sigma=sigma, dist=dist)["regime"] == 3

    roots = _transitions(pred, *FIG12["omega"])
    return (roots[0], roots[-1]) if len(roots) >= 2 else (np.nan, np.nan)


@cache
def ratio_numbers() -> dict:
    """Fig 11 numbers: max pi*/pi_U along omega per b1, ratio at omega = 0.5 for b1 = 3.25 and the
    single-market onset (first omega with regime single_market) at b1 = 3.25."""
    w = np.linspace(*FIG11["omega"], 4001)
    out = {"max_ratio": {}, "argmax": {}}
    for b1 in FIG11["b1"]:
        r = _solve(omega=w, b1=b1, sigma=FIG11["sigma"], dist=FIG11["dist"])["ratio_uniform"]
        out["max_ratio"][b1] = float(np.nanmax(r))
        out["argmax"][b1] = float(w[np.nanargmax(r)])
    out["ratio_b3.25_w0.5"] = float(_solve(omega=0.5, b1=3.25, sigma=FIG11["sigma"],
                                           dist=FIG11["dist"])["ratio_uniform"])

    def single(x):
        return _solve(omega=x, b1=3.25, sigma=FIG11["sigma"], dist=FIG11["dist"])["regime"] == 4

    roots = _transitions(single, *FIG11["omega"])
    out["single_onset_b3.25"] = roots[0] if roots else np.nan
    return out


@cache
def fig6_increase() -> dict:
    """Largest step-to-step increase of price_gap and pi along omega (4001 points) per b1 (Fig 6).

    Non-positive means non-increasing, the paper's claim."""
    w = np.linspace(*FIG6["omega"], 4001)
    out = {}
    for b1 in FIG6["b1"]:
        r = _solve(omega=w, b1=b1, sigma=FIG6["sigma"], dist=FIG6["dist"])
        out[b1] = {"price_gap": float(np.nanmax(np.diff(r["price_gap"]))),
                   "pi": float(np.nanmax(np.diff(r["pi"])))}
    return out


@cache
def fig5_extremes() -> dict:
    """Max q1*/q~1 and min q2*/q~2 over the block/allow points along omega (4001 points) per sigma."""
    w = np.linspace(*FIG5["omega"], 4001)
    out = {}
    for sigma in FIG5["sigma"]:
        r = _solve(omega=w, b1=FIG5["b1"], sigma=sigma, dist=FIG5["dist"])
        m = (r["regime"] == 2) | (r["regime"] == 3)
        out[sigma] = {"max_q1_ratio": float(np.max(r["q1_ratio"][m])),
                      "min_q2_ratio": float(np.min(r["q2_ratio"][m]))}
    return out


# ------------------------------------------------------------------------------------ drawing

def _box(ax, x, y, text, ha="left", va="top", fc="white"):
    ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=8, family="monospace",
            bbox={"boxstyle": "round,pad=0.35", "fc": fc, "ec": "0.6", "alpha": 0.92})


def nv_fig12():
    """Fig 12: importer's profit pi_G vs omega at b1/b2 = 2 and 2.5 (sigma=70), allow intervals."""
    w = np.linspace(*FIG12["omega"], LINE_POINTS)
    fig, axes = plt.subplots(1, 2, figsize=(14, 6.2), layout="constrained")
    for ax, b1 in zip(axes, FIG12["b1"]):
        lines = []
        for dist, name in DISTS.items():
            r = _solve(omega=w, b1=b1, sigma=FIG12["sigma"], dist=dist)
            ax.plot(w, r["pi_G"], lw=2, label=f"{name} noise", **DIST_STYLE[dist])
            lo, hi = allow_interval(b1, dist)
            ax.axvspan(lo, hi, color=DIST_STYLE[dist]["color"], alpha=0.08, lw=0)
            for x in (lo, hi):
                ax.axvline(x, color=DIST_STYLE[dist]["color"], ls=":", lw=1)
            s = SPEC["allow"][(dist, b1)]
            lines.append(f"{name:8s} computed [{lo:.6f}, {hi:.6f}]\n"
                         f"{'':8s} spec     [{s[0]:.6f}, {s[1]:.6f}]")
        p = PAPER["allow"][b1]
        _box(ax, 0.02, 0.98, "allow interval (π_G > 0), bisection on the regime:\n"
             + "\n".join(lines))
        _box(ax, 0.02, 0.70, f"paper: π_G > 0 for ω ∈ [{p[0]}, {p[1]}]", fc="#fff8e0")
        if b1 == 2.5:
            _box(ax, 0.02, 0.62, "spec §14.8: upper end 0.807/0.812 with σ = 70, not 0.83",
                 fc="#fff8e0")
        ax.set_xlim(w[0], w[-1])
        ax.set_ylim(bottom=0.0, top=None)
        ymax = ax.get_ylim()[1]
        ax.set_ylim(0.0, 1.55 * ymax)
        ax.set_xlabel(OMEGA_LABEL)
        ax.set_ylabel("importer's profit π_G [currency]")
        ax.set_title(f"b1/b2 = {b1:g}, σ = {FIG12['sigma']:g}, N = 1500, c = 250, c_G = 10",
                     fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
    fig.suptitle("Fig. 12 — the importer's profit versus ω")
    return fig


def nv_fig11():
    """Fig 11: value of strategic pricing pi*/pi_U vs omega for b1/b2 = 1.25, 2, 3.25 (sigma=50)."""
    w = np.linspace(*FIG11["omega"], LINE_POINTS)
    nums = ratio_numbers()
    fig, ax = plt.subplots(figsize=(12, 6.6), layout="constrained")
    colors = {1.25: "#2e8b3a", 2.0: "#c0392b", 3.25: "#1f5fa8"}
    for b1 in FIG11["b1"]:
        r = _solve(omega=w, b1=b1, sigma=FIG11["sigma"], dist=FIG11["dist"])
        ax.plot(w, r["ratio_uniform"], lw=2, color=colors[b1], label=f"b1/b2 = {b1:g}")
    onset = nums["single_onset_b3.25"]
    ax.axvline(onset, color=colors[3.25], ls=":", lw=1.2)
    ax.axhline(1.0, color="0.5", lw=0.8)
    m2 = nums["max_ratio"][2.0]
    ax.plot([nums["argmax"][2.0]], [m2], "o", color=colors[2.0], ms=5)
    text = (f"max π*/π_U, b1/b2 = 2   : computed {m2:.6f}  spec {SPEC['max_ratio'][2.0]:.6f}\n"
            f"max π*/π_U, b1/b2 = 1.25: computed {nums['max_ratio'][1.25]:.6f}  "
            f"spec {SPEC['max_ratio'][1.25]:.6f}\n"
            f"π*/π_U at ω = 0.5, 3.25 : computed {nums['ratio_b3.25_w0.5']:.6f}  "
            f"spec {SPEC['ratio_b3.25_w0.5']:.6f}\n"
            f"single market (π* = π_U) for ω > computed {onset:.6f}  "
            f"spec {SPEC['single_onset_b3.25']:.6f}  (b1/b2 = 3.25)")
    _box(ax, 0.0, -0.12, text)
    _box(ax, 1.0, -0.12, "paper: " + PAPER["max_ratio"] + ";\n" + PAPER["onset"] + ";\n"
         + PAPER["benefit_3.25"], ha="right", fc="#fff8e0")
    ax.set_xlim(w[0], w[-1])
    ax.set_xlabel(OMEGA_LABEL)
    ax.set_ylabel("strategic / uniform-pricing profit π*/π_U [dimensionless]")
    ax.set_title(f"Fig. 11 — value of strategic pricing versus ω (σ = {FIG11['sigma']:g}, "
                 "uniform noise, N = 1500)", fontsize=11)
    ax.legend(loc="upper right", fontsize=9)
    return fig


def nv_fig9():
    """Fig 9: strategy map over (omega, b1/b2) at sigma = 50, uniform and normal noise, with omega_ign."""
    n = RESOLUTION
    w = np.linspace(*FIG9["omega"], n)
    b = np.linspace(*FIG9["b1"], n)
    fig, axes = plt.subplots(1, 2, figsize=(15, 6.4), layout="constrained")
    for ax, (dist, name) in zip(axes, DISTS.items()):
        ds = fastmap.sweep(MODEL, omega=w, b1=b, sigma=FIG9["sigma"], dist=dist,
                           outputs=["regime"])
        fastmap.plot_regions(ds, x="omega", y="b1", ax=ax, var="regime", labels=True, legend=True,
                             thresholds=True, title=f"{name} noise, σ = {FIG9['sigma']:g}")
        ax.set_xlabel(OMEGA_LABEL)
        ax.set_ylabel(B1_LABEL)
    fig.suptitle("Fig. 9 — manufacturer's strategy over (ω, b1/b2); paper: ignore → block → "
                 "allow → block/single as ω rises")
    return fig


def nv_fig6():
    """Fig 6: price gap p2 - p1 and profit pi* vs omega for b1/b2 = 1.5, 1.75, 2 (sigma=50)."""
    w = np.linspace(*FIG6["omega"], LINE_POINTS)
    inc = fig6_increase()
    colors = {1.5: "#2e8b3a", 1.75: "#1f5fa8", 2.0: "#c0392b"}
    fig, axes = plt.subplots(1, 2, figsize=(14, 6.4), layout="constrained")
    for b1 in FIG6["b1"]:
        r = _solve(omega=w, b1=b1, sigma=FIG6["sigma"], dist=FIG6["dist"])
        for ax, var in zip(axes, ("price_gap", "pi")):
            ax.plot(w, r[var], lw=2, color=colors[b1], label=f"b1/b2 = {b1:g}")
    for ax, var, ylabel, tag in zip(axes, ("price_gap", "pi"),
                                    ("price gap p2 − p1 [currency/unit]",
                                     "manufacturer's profit π* [currency]"), ("(a)", "(b)")):
        text = "largest increase between neighbouring ω samples:\n" + "\n".join(
            f"b1/b2 = {b1:<4g}: computed {inc[b1][var]:.3g}" for b1 in FIG6["b1"])
        _box(ax, 0.02, 0.03, text + "\nspec: non-increasing (reproduced)", va="bottom")
        _box(ax, 0.98, 0.03, "paper: " + PAPER["fig6"], ha="right", va="bottom", fc="#fff8e0")
        ax.set_xlim(w[0], w[-1])
        ax.set_xlabel(OMEGA_LABEL)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{tag} σ = {FIG6['sigma']:g}, uniform noise", fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
    fig.suptitle("Fig. 6 — manufacturer's price gap and total profit versus ω")
    return fig


def nv_fig5():
    """Fig 5: stock ratios q1*/q~1 and q2*/q~2 vs omega at b1/b2 = 2, sigma = 30 and 50."""
    w = np.linspace(*FIG5["omega"], LINE_POINTS)
    ext = fig5_extremes()
    styles = {30.0: {"ls": "--", "color": "#1f5fa8"}, 50.0: {"ls": "-", "color": "#c0392b"}}
    fig, axes = plt.subplots(1, 2, figsize=(14, 6.4), layout="constrained")
    for sigma in FIG5["sigma"]:
        r = _solve(omega=w, b1=FIG5["b1"], sigma=sigma, dist=FIG5["dist"])
        for ax, var in zip(axes, ("q1_ratio", "q2_ratio")):
            ax.plot(w, r[var], lw=2, label=f"σ = {sigma:g}", **styles[sigma])
    for ax, var, key, ylabel, tag in (
            (axes[0], "q1_ratio", "max_q1_ratio", "stock ratio q1*/q̃1 [dimensionless]", "(a)"),
            (axes[1], "q2_ratio", "min_q2_ratio", "stock ratio q2*/q̃2 [dimensionless]", "(b)")):
        word = "max" if key.startswith("max") else "min"
        text = f"{word} over block/allow points:\n" + "\n".join(
            f"σ = {s:<3g}: computed {ext[s][key]:.6f}" for s in FIG5["sigma"])
        _box(ax, 0.02, 0.97 if word == "min" else 0.03, text,
             va="top" if word == "min" else "bottom")
        _box(ax, 0.98, 0.97 if word == "min" else 0.03, "paper: " + PAPER["fig5"], ha="right",
             va="top" if word == "min" else "bottom", fc="#fff8e0")
        ax.axhline(1.0, color="0.5", lw=0.8)
        ax.set_xlim(w[0], w[-1])
        ax.set_xlabel(OMEGA_LABEL)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{tag} b1/b2 = {FIG5['b1']:g}, uniform noise", fontsize=10)
        ax.legend(loc="center left", fontsize=8)
    fig.suptitle("Fig. 5 — stocks with parallel imports relative to stocks without")
    return fig


FIG4 = {"b1": 2.0, "sigma": (10.0, 120.0), "omega": (0.5, 0.99), "dist": 0.0,
        "marks": (0.6, 0.7, 0.8, 0.9, 0.95)}
LOSSES = (("loss_ignore", "ignore the importer (prices and stocks kept)", "-"),
          ("loss_ignore_reopt", "ignore the importer in prices (stocks re-optimised)", "--"),
          ("loss_deterministic", "ignore uncertainty (deterministic decisions)", ":"))


def nv_fig4():
    """Fig 4: profit lost by the naive policies vs omega at b1/b2 = 2, sigma = 10 and 120."""
    w = np.linspace(*FIG4["omega"], LINE_POINTS)
    fig, axes = plt.subplots(1, 2, figsize=(14, 6.4), layout="constrained", sharey=True)
    for ax, sigma in zip(axes, FIG4["sigma"]):
        r = _solve(omega=w, b1=FIG4["b1"], sigma=sigma, dist=FIG4["dist"])
        for var, label, ls in LOSSES:
            ax.plot(w, 100 * r[var], lw=2, ls=ls, label=label)
        marks = _solve(omega=np.array(FIG4["marks"]), b1=FIG4["b1"], sigma=sigma, dist=FIG4["dist"])
        rows = [f"ω = {om:<4g}: " + " / ".join(f"{100 * marks[v][i]:5.2f}" for v, _, _ in LOSSES)
                for i, om in enumerate(FIG4["marks"])]
        _box(ax, 0.02, 0.98, "losses in % (ignore / reopt / deterministic)\n" + "\n".join(rows))
        _box(ax, 0.98, 0.30, "paper Sec. 4.1: ignoring the importer loses 1%–89%;\n"
             "ignoring uncertainty 17%–36% (not reproducible, spec §14.7)",
             ha="right", va="top", fc="#fff8e0")
        ax.set_xlim(w[0], w[-1])
        ax.set_xlabel(OMEGA_LABEL)
        ax.set_ylabel("profit lost vs the optimum [%]")
        ax.set_title(f"b1/b2 = {FIG4['b1']:g}, σ = {sigma:g}, uniform noise", fontsize=10)
        ax.legend(loc="center left", fontsize=8)
    fig.suptitle("Fig. 4 — cost of the naive policies versus ω")
    return fig


def nv_fig7():
    """Fig 7: profits per market and the importer's quantity vs omega (b1/b2 = 2, sigma = 50)."""
    w = np.linspace(0.3, 0.999, LINE_POINTS)
    r = _solve(omega=w, b1=2.0, sigma=50.0, dist=0.0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6.2), layout="constrained")
    left.plot(w, r["pi1"], lw=2, label="π1 (market 1, incl. sales to the importer)")
    left.plot(w, r["pi2"], lw=2, ls="--", label="π2 (market 2)")
    right.plot(w, r["q_G"], lw=2, color="#7d3c98", label="importer's quantity q_G")
    allow = r["regime"] == 3
    for ax in (left, right):
        ax.fill_between(w, 0, 1, where=allow, transform=ax.get_xaxis_transform(), color="0.9",
                        label="allow (importer active)")
        ax.set_xlim(w[0], w[-1])
        ax.set_xlabel(OMEGA_LABEL)
        ax.legend(loc="upper left", fontsize=8)
    left.set_ylabel("expected profit [currency]")
    right.set_ylabel("q_G [units]")
    peak = w[np.nanargmax(np.where(allow, r["q_G"], np.nan))]
    _box(right, 0.98, 0.6, f"q_G peaks at ω = {peak:.3f}, inside the allow region\n"
         "paper: π1 rises and π2 falls while the importer grows, then the reverse\n"
         "spec: the reversal starts inside the allow region (ω ≈ 0.93)", ha="right", fc="#fff8e0")
    fig.suptitle("Fig. 7 — profit per market and gray quantity versus ω (b1/b2 = 2, σ = 50, uniform)")
    return fig


def _new_map(x, y, **fixed):
    ds = fastmap.sweep(MODEL, **{x: np.linspace(*NEW_MAPS[x], MAP_RESOLUTION),
                                 y: np.linspace(*NEW_MAPS[y], MAP_RESOLUTION)},
                       outputs=["regime"], **fixed)
    ax = fastmap.plot_regions(ds, x=x, y=y, title=(
        f"stochastic_newsvendor regime at {MAP_RESOLUTION} x {MAP_RESOLUTION} (not in the paper)\n"
        + ", ".join(f"{k} = {v:g}" for k, v in fixed.items()) + " (uniform noise)"))
    ax.set_xlabel(OMEGA_LABEL)
    ax.set_ylabel(AXIS_LABELS[y])
    return ax.figure


NEW_MAPS = {"omega": (0.3, 0.999), "sigma": (0.0, 200.0), "b1": (1.25, 4.0)}
AXIS_LABELS = {"b1": B1_LABEL, "sigma": "noise sd σ = σ1 = σ2 [units of demand]"}


def nv_map_omega_sigma():
    """New map: regime over (omega, sigma) at b1/b2 = 2.5, 2048 x 2048, uniform noise."""
    return _new_map("omega", "sigma", b1=2.5, dist=0.0)


def nv_map_omega_b1():
    """New map: regime over (omega, b1/b2) at sigma = 50, 2048 x 2048, uniform noise."""
    return _new_map("omega", "b1", sigma=50.0, dist=0.0)


FIGURES = {
    "nv_fig4": nv_fig4,
    "nv_fig7": nv_fig7,
    "nv_map_omega_sigma": nv_map_omega_sigma,
    "nv_map_omega_b1": nv_map_omega_b1,
    "nv_fig12": nv_fig12,
    "nv_fig11": nv_fig11,
    "nv_fig9": nv_fig9,
    "nv_fig6": nv_fig6,
    "nv_fig5": nv_fig5,
}
