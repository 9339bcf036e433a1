"""Figures 3-8 of Yu, Xiao & Zaccour (2023), model ``import_tax_channels``.

X. Yu, T. Xiao, G. Zaccour, "Pricing and unauthorized channel strategies for a global manufacturer
considering import taxes", Les Cahiers du GERAD G-2023-24 (2023). Settings, crossings and reference
numbers follow the spec ``shared/models/import_tax_channels.md`` (§10.4, §11, §12).

* Figs 3-5: the manufacturer's profit in the benchmark B, under equal pricing E and under
  differentiated pricing with the importer accommodated D, along ``t``, ``delta`` and ``dt`` over
  the valid interval ``t1 < t < t2`` (base example t = 0.25, delta = 0.7, t_g = 0.05).
* Fig 6: foreign and domestic welfare regions over (delta, t) (t_g = 0.05, alpha = beta = 0.2).
* Fig 7: the paper's strategy map over (delta, t) for several foreign market sizes ``N_f``.
* Fig 8: the same for several foreign willingness-to-pay bounds ``theta_f`` (Result 2).
* Extras: prices and foreign demand along t, the true Stackelberg equilibrium map, Result 2's
  theta_f thresholds.

Every number written on a figure comes from a helper of this module (``crossings``,
``welfare_crossings``, ``region_shares``, ``result2_thresholds``, ``band_widths``) so that the tests
check exactly what is drawn. ``SPEC`` holds the spec's reference values and ``PAPER`` the paper's
own claims, both printed next to the computed numbers.
"""

from __future__ import annotations

from functools import cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import fastmap

MODEL = "import_tax_channels"

#: Grid points per axis of the (delta, t) maps (tests lower it).
RESOLUTION = 600
#: Sample points of the line plots (Figs 3-5 and the price figure).
LINE_POINTS = 600

#: Base example of Figs 3-5 (paper Sec. 6: t = 0.25, delta = 0.7, dt = 0.2 => t_g = 0.05).
BASE = {"t": 0.25, "delta": 0.7, "t_g": 0.05}
#: The line plots: fixed parameters and the domain of the moving parameter.
AXES = {
    "t": {"fixed": {"delta": 0.7, "t_g": 0.05}, "domain": (0.0, 1.0), "base": 0.25},
    "delta": {"fixed": {"t": 0.25, "t_g": 0.05}, "domain": (1e-6, 1.0 - 1e-6), "base": 0.7},
    "dt": {"fixed": {"t": 0.25, "delta": 0.7}, "domain": (0.0, 0.25), "base": 0.2},
}
#: Fig 6 setting.
FIG6 = {"t_g": 0.05, "alpha": 0.2, "beta": 0.2}
#: Foreign market sizes of Fig 7 (the paper does not list its panels; the spec's §11 uses 0.5..3).
FIG7_NF = (0.5, 1.0, 2.0, 3.0)
#: Foreign WTP bounds of Fig 8: around the paper's Result 2 thresholds 0.75 and 1.085.
FIG8_THETA_F = (0.70, 0.73, 0.75, 1.0, 1.085, 1.10)

#: Reference values of the spec (§10.4, §11, §12; closed forms, tolerance 1e-8 unless noted).
SPEC = {
    "t": {"lo": 0.18137621540762905, "hi": 0.5000000000000001, "x4": 0.24341728676941365,
          "x3": 0.3058935410712215},
    "delta": {"lo": 0.6263537256624084, "hi": 0.8857142857142857, "x4": 0.6928772971100833,
              "x3": 0.743761058205696},
    "dt": {"lo": 0.16062231759656656, "hi": 0.25, "x4": 0.19547239953691478,
           "x3": 0.22663536068227447},
    # Fig 6 boundaries along t (4 decimals in the spec).
    "welfare": {"f_DB_0.7": 0.3505, "f_DE_0.7": 0.4654, "d_DB_0.5": 0.5048, "d_DB_0.6": 0.3184,
                "d_DB_0.7": 0.1815},
    # Fig 7 region shares (%) on the unit square (1 decimal in the spec).
    "shares": {0.5: {2: 5.2, 3: 4.8, 4: 1.2, 1: 57.5}, 2.0: {3: 7.2},
               3.0: {2: 11.6, 3: 7.1, 4: 9.9, 1: 36.5}},
    # Result 2 (tolerance 1e-5).
    "theta_lo": 0.7097232436783087,
    "theta_hi": 1.0935350527073857,
}
#: The paper's own claims.
PAPER = {
    "fig3": "E below B; D crosses E at t4 and B at t3 (EP -> DP harmful -> DP beneficial)",
    "fig4": "EP for low delta, DP harmful for medium, DP beneficial for high delta; "
            "profits within about 0.38-0.42",
    "fig5": "EP for low dt, DP harmful for medium, DP beneficial for high dt",
    "fig6": "foreign: I, II, IV raise welfare, III lowers it; domestic: only I raises it",
    "fig7": "valid area and grey, red, green areas grow with N_f",
    "theta_lo": 0.75,
    "theta_hi": 1.085,
}

AXIS_LABELS = {
    "t": "import tax t [currency/unit]",
    "delta": "gray-good acceptance δ [dimensionless]",
    "dt": "tax incentive Δt = t − t_g [currency/unit]",
}
SYMBOLS = {"t": "t", "delta": "δ", "dt": "Δt"}
PROFIT_LABEL = "manufacturer's profit π_M [currency]"

CASE_STYLE = {
    "B": {"color": "black", "ls": "-", "label": "benchmark B (no importer)"},
    "E": {"color": "#2e8b3a", "ls": "--", "label": "case E (equal pricing, importer blocked)"},
    "D": {"color": "#c0392b", "ls": "-", "label": "case D (differentiated pricing, gray channel)"},
}
#: Plain names of the regime codes on the line plots (the paper's top labels).
SPAN_TEXT = {1: "no gray\nmarket", 2: "DP\nbeneficial", 3: "DP\nharmful", 4: "EP",
             5: "no authorized\nforeign sales"}


# ------------------------------------------------------------------------------------ numerics

def _solve(**params):
    return fastmap.solve(MODEL, **params)


def _regime_colors(var: str = "regime") -> dict[int, str]:
    out = fastmap.model(MODEL).output(var)
    return dict(zip(out.flag_values, out.colors))


def _regime_names(var: str = "regime") -> dict[int, str]:
    out = fastmap.model(MODEL).output(var)
    return dict(zip(out.flag_values, out.flag_meanings))


def _sign_roots(fn, lo: float, hi: float, n: int = 2001, tol: float = 1e-14) -> list[float]:
    """Every sign change of the vectorised ``fn`` on ``[lo, hi]``, refined to ``tol``.

    ``fn`` maps an array to an array; NaN samples are skipped. Each bracket is refined by
    re-sampling it on a grid (one vectorised call per step), so discontinuous functions work too.
    """
    xs = np.linspace(lo, hi, n)
    ys = np.asarray(fn(xs), dtype=float)
    roots = []
    for i in range(n - 1):
        a, b, fa, fb = xs[i], xs[i + 1], ys[i], ys[i + 1]
        if not (np.isfinite(fa) and np.isfinite(fb)):
            continue
        if fa == 0.0:
            roots.append(a)
            continue
        if fa * fb > 0:
            continue
        for _ in range(20):
            if b - a <= tol * max(1.0, abs(a)):
                break
            sub = np.linspace(a, b, 101)
            fs = np.asarray(fn(sub), dtype=float)
            k = np.nonzero(np.isfinite(fs[1:]) & (np.sign(fs[1:]) != np.sign(fa)))[0]
            if len(k) == 0:
                break
            a, b = sub[k[0]], sub[k[0] + 1]
            fa = fs[k[0]]
        roots.append(0.5 * (a + b))
    if ys[-1] == 0.0 and np.isfinite(ys[-1]):
        roots.append(hi)
    return roots


def _along(axis: str, values) -> dict[str, np.ndarray]:
    """Solve along one of the line-plot axes with that figure's fixed parameters."""
    return _solve(**AXES[axis]["fixed"], **{axis: np.asarray(values, dtype=float)})


@cache
def crossings(axis: str) -> dict[str, float]:
    """Valid interval (lo, hi) and the crossings of a line plot (Figs 3-5).

    ``lo``/``hi``: ends of the valid interval t1 < t < t2 (case D interior); ``x4``: piM_D = piM_E
    (EP -> DP switch); ``x3``: piM_D = piM_B (harmful -> beneficial). Roots of the kernel's outputs.
    """
    spec = AXES[axis]
    dlo, dhi = spec["domain"]
    base = spec["base"]
    gap_lo = _sign_roots(lambda x: _margin(axis, x, "lo"), dlo, dhi)
    gap_hi = _sign_roots(lambda x: _margin(axis, x, "hi"), dlo, dhi)
    lo = max([r for r in gap_lo if r < base], default=dlo)
    hi = min([r for r in gap_hi if r > base], default=dhi)

    def profit_gap(case):
        def fn(x):
            r = _along(axis, x)
            return np.where(r["case_d"] == 2, r["piM_D"] - r[f"piM_{case}"], np.nan)
        return fn

    span = hi - lo
    inner = (lo + 1e-9 * span, hi - 1e-9 * span)
    x4 = _sign_roots(profit_gap("E"), *inner)
    x3 = _sign_roots(profit_gap("B"), *inner)
    return {"lo": lo, "hi": hi, "x4": x4[0] if x4 else np.nan, "x3": x3[0] if x3 else np.nan,
            "n_x4": len(x4), "n_x3": len(x3)}


def _margin(axis, x, end):
    """t - t1 (end 'lo') or t2 - t (end 'hi') along ``axis``: positive inside the valid band."""
    r = _along(axis, x)
    t = np.broadcast_to(np.asarray(AXES[axis]["fixed"].get("t", x), dtype=float), np.shape(x))
    return t - r["t1"] if end == "lo" else r["t2"] - t


def profit_line(axis: str, n: int | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Sample points strictly inside the valid interval of ``axis`` and the solution there."""
    c = crossings(axis)
    span = c["hi"] - c["lo"]
    hi = c["hi"] if axis == "dt" else c["hi"] - 1e-9 * span   # dt = 0.25 (t_g = 0) is admissible
    x = np.linspace(c["lo"] + 1e-9 * span, hi, n or LINE_POINTS)
    return x, _along(axis, x)


@cache
def welfare_crossings() -> dict[str, float]:
    """Fig 6 boundaries along t: SW_f^D = SW_f^B and SW_f^D = SW_f^E at delta = 0.7, and
    SW_d^D = SW_d^B at delta = 0.5, 0.6, 0.7 (first root above t1; NaN if none), plus t4(0.7)."""
    out = {}

    def gap(delta, a, b):
        def fn(t):
            r = _solve(delta=delta, t=t, **FIG6)
            return np.where(r["case_d"] >= 2, r[a] - r[b], np.nan)
        return fn

    def first_root(delta, a, b):
        t1 = float(_solve(delta=delta, t=0.0, **FIG6)["t1"])
        roots = _sign_roots(gap(delta, a, b), max(t1, 0.0) + 1e-12, 1.0)
        return roots[0] if roots else np.nan

    out["t4_0.7"] = float(_solve(delta=0.7, t=0.25, **FIG6)["t4"])
    out["f_DB_0.7"] = first_root(0.7, "SW_f_D", "SW_f_B")
    out["f_DE_0.7"] = first_root(0.7, "SW_f_D", "SW_f_E")
    for d in (0.5, 0.6, 0.7, 0.75, 0.8):
        out[f"d_DB_{d}"] = first_root(d, "SW_d_D", "SW_d_B")
    return out


def unit_grid(n: int) -> np.ndarray:
    """Cell midpoints of (0, 1) with ``n`` cells (the maps' axes; shares are cell counts)."""
    return (np.arange(n) + 0.5) / n


def regime_map(n: int | None = None, outputs=("regime",), **fixed):
    """Sweep over the unit square (delta, t) with ``fixed`` parameters (t_g = 0.05 default)."""
    g = unit_grid(n or RESOLUTION)
    params = {"t_g": 0.05, **fixed}
    return fastmap.sweep(MODEL, delta=g, t=g, outputs=list(outputs), **params)


def region_shares(n: int | None = None, var: str = "regime", **fixed) -> dict[int, float]:
    """Share (%) of each code of ``var`` on the unit square (delta, t), cell-midpoint grid."""
    values = regime_map(n, outputs=(var,), **fixed)[var].values
    return {int(c): 100.0 * float(np.mean(values == c)) for c in np.unique(values)}


def _band_margins(theta_f, delta):
    """Width in t of the DP band and of the EP band inside the valid band (t1, t2) ∩ [0, theta_f].

    DP is chosen for max(t1, t4, 0) < t < min(t2, theta_f); EP for max(t1, 0) < t <= min(t4, t2).
    Thresholds do not depend on t (t = 0 only keeps the point admissible). Negative = empty.
    """
    r = _solve(theta_f=theta_f, delta=delta, t=0.0, t_g=0.05, theta_d=1.0)
    t1 = np.where(np.isnan(r["t1"]), np.inf, r["t1"])
    t4 = np.where(np.isnan(r["t4"]), -np.inf, r["t4"])
    dp = np.minimum(r["t2"], theta_f) - np.maximum(np.maximum(t1, t4), 0.0)
    ep = np.minimum(t4, r["t2"]) - np.maximum(t1, 0.0)
    return np.clip(np.nan_to_num(dp, nan=-1.0), -1.0, None), np.clip(np.nan_to_num(ep, nan=-1.0),
                                                                     -1.0, None)


def band_widths(theta_f, n: int = 201, zoom: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Largest t-width over delta of the DP band and of the EP band, for each ``theta_f``.

    Positive iff some valid point chooses DP (resp. EP). Maximised on a delta grid zoomed in
    ``zoom`` times around the best point (vectorised over ``theta_f``).
    """
    return _band_width(theta_f, 0, n, zoom), _band_width(theta_f, 1, n, zoom)


def _band_width(theta_f, which: int, n: int = 201, zoom: int = 7) -> np.ndarray:
    return widest_band(theta_f, which, n, zoom)[0]


def widest_band(theta_f, which: int, n: int = 201, zoom: int = 7):
    """(width, delta, t_mid) of the widest DP (``which=0``) or EP (``which=1``) band per theta_f."""
    theta = np.atleast_1d(np.asarray(theta_f, dtype=float))[:, None]
    lo = np.full(theta.shape, 1e-6)
    hi = np.full(theta.shape, 1.0 - 1e-6)
    rows = np.arange(theta.shape[0])
    for _ in range(zoom):
        d = lo + (hi - lo) * np.linspace(0.0, 1.0, n)[None, :]
        m = _band_margins(theta, d)[which]
        i = np.argmax(m, axis=1)
        best, centre = m[rows, i], d[rows, i]
        step = (hi - lo)[:, 0] / (n - 1)
        lo = np.maximum(centre - 2 * step, 1e-6)[:, None]
        hi = np.minimum(centre + 2 * step, 1.0 - 1e-6)[:, None]
    r = _solve(theta_f=theta[:, 0], delta=centre, t=0.0, t_g=0.05, theta_d=1.0)
    t4 = np.where(np.isnan(r["t4"]), -np.inf, r["t4"])
    if which == 0:
        bottom, top = np.maximum(np.maximum(r["t1"], t4), 0.0), np.minimum(r["t2"], theta[:, 0])
    else:
        bottom, top = np.maximum(r["t1"], 0.0), np.minimum(t4, r["t2"])
    return best, centre, 0.5 * (bottom + top)


@cache
def result2_thresholds() -> dict[str, float]:
    """Result 2 (t_g = 0.05, theta_d = 1): theta_lo (no DP at or below) and theta_hi (no EP above)."""
    lo = _sign_roots(lambda th: _band_width(th, 0), 0.5, 1.0, n=51, tol=1e-10)
    hi = _sign_roots(lambda th: _band_width(th, 1), 0.9, 1.5, n=61, tol=1e-10)
    return {"theta_lo": lo[0] if lo else np.nan, "theta_hi": hi[0] if hi else np.nan}


# ------------------------------------------------------------------------------------ drawing

def _runs(codes: np.ndarray):
    """(start, stop, code) of each run of equal codes."""
    edges = np.nonzero(np.diff(codes))[0]
    starts = np.r_[0, edges + 1]
    stops = np.r_[edges, len(codes) - 1]
    return [(int(a), int(b), int(codes[a])) for a, b in zip(starts, stops)]


def _profit_figure(axis: str, title: str):
    x, r = profit_line(axis)
    c = crossings(axis)
    ref = SPEC[axis]
    sym = SYMBOLS[axis]
    fig, ax = plt.subplots(figsize=(12, 6.4), layout="constrained")
    colors = _regime_colors()
    for a, b, code in _runs(r["regime"]):
        left = x[a] if a == 0 else 0.5 * (x[a - 1] + x[a])
        right = x[b] if b == len(x) - 1 else 0.5 * (x[b] + x[b + 1])
        ax.axvspan(left, right, color=colors[code], alpha=0.28, lw=0)
        ax.text(0.5 * (left + right), 0.985, SPAN_TEXT[code], transform=ax.get_xaxis_transform(),
                ha="center", va="top", fontsize=9, fontweight="bold", color="0.25")
    for case, style in CASE_STYLE.items():
        ax.plot(x, r[f"piM_{case}"], lw=2, **style)
    ymin = np.nanmin([r["piM_B"], r["piM_E"], r["piM_D"]])
    ymax = np.nanmax([r["piM_B"], r["piM_E"], r["piM_D"]])
    pad = 0.08 * (ymax - ymin)
    ax.set_ylim(ymin - pad, ymax + 4.5 * pad)
    for key, name, yfrac in (("x4", "π_D = π_E", 0.81), ("x3", "π_D = π_B", 0.81)):
        xv = c[key]
        ax.axvline(xv, color="0.2", ls=":", lw=1.2)
        ax.annotate(f"{sym}{'₄' if key == 'x4' else '₃'}: {name}\ncomputed {xv:.7f}\n"
                    f"spec     {ref[key]:.7f}", (xv, yfrac), xycoords=("data", "axes fraction"),
                    xytext=(6, 0), textcoords="offset points", fontsize=8, family="monospace",
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.6", "alpha": 0.9})
        ax.plot([xv], [np.interp(xv, x, r["piM_D"])], "o", color="0.1", ms=5, zorder=5)
    hi_bracket = "]" if axis == "dt" else ")"
    interval = (f"valid interval t1 < t < t2 along {sym}:\n"
                f"computed ({c['lo']:.7f}, {c['hi']:.7f}{hi_bracket}\n"
                f"spec     ({ref['lo']:.7f}, {ref['hi']:.7f}{hi_bracket}\n"
                f"profits range over [{ymin:.4f}, {ymax:.4f}]")
    claim = PAPER[f"fig{ {'t': 3, 'delta': 4, 'dt': 5}[axis] }"]
    ax.text(0.0, -0.11, interval, transform=ax.transAxes, ha="left", va="top", fontsize=8,
            family="monospace", bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "0.6"})
    ax.text(1.0, -0.11, "paper: " + claim.replace("; ", ";\n"), transform=ax.transAxes,
            ha="right", va="top", fontsize=8, wrap=True,
            bbox={"boxstyle": "round,pad=0.4", "fc": "#fff8e0", "ec": "0.6"})
    ax.set_xlim(x[0], x[-1])
    ax.set_xlabel(AXIS_LABELS[axis])
    ax.set_ylabel(PROFIT_LABEL)
    fixed = ", ".join(f"{SYMBOLS.get(k, k)} = {v:g}" for k, v in AXES[axis]["fixed"].items())
    if axis == "dt":
        fixed += ", t_g = t − Δt"
    ax.set_title(f"{title} ({fixed}; N = θ = 1)", fontsize=11)
    handles = [Line2D([], [], lw=2, **s) for s in CASE_STYLE.values()]
    handles += [Patch(color=colors[k], alpha=0.5, label=f"regime: {_regime_names()[k]}")
                for k in sorted({code for _, _, code in _runs(r["regime"])})]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)
    return fig


def itc_fig3():
    """Fig 3: manufacturer's profit in B, E, D versus the import tax t (delta=0.7, t_g=0.05)."""
    return _profit_figure("t", "Fig. 3 — manufacturer's profit versus t")


def itc_fig4():
    """Fig 4: manufacturer's profit in B, E, D versus gray-good acceptance delta (t=0.25, t_g=0.05)."""
    return _profit_figure("delta", "Fig. 4 — manufacturer's profit versus δ")


def itc_fig5():
    """Fig 5: manufacturer's profit in B, E, D versus the tax incentive dt = t - t_g (t=0.25, delta=0.7)."""
    return _profit_figure("dt", "Fig. 5 — manufacturer's profit versus Δt")


def demand_crossing() -> dict[str, float]:
    """Prop 3(iii) on the Fig 3 axis: t where Q_f^D + Q_g^D = Q_f^B (root and closed form)."""
    c = crossings("t")

    def gap(t):
        r = _along("t", t)
        return r["Q_f_D"] + r["Q_g_D"] - r["Q_f_B"]

    roots = _sign_roots(gap, c["lo"] + 1e-12, c["hi"] - 1e-12)
    d, tg = AXES["t"]["fixed"]["delta"], AXES["t"]["fixed"]["t_g"]
    a = 1 + 2 * d - d * d
    closed = (2 * d * (1 - d) + tg * (1 + 4 * d - d * d)) / (d * a)
    return {"root": roots[0] if roots else np.nan, "closed_form": closed}


def itc_prices_t():
    """Prices and foreign demand in B, E, D versus t (Fig 3 setting; Props 1-4, Prop 3(iii))."""
    x, r = profit_line("t")
    c = crossings("t")
    q = demand_crossing()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5.6), layout="constrained")
    ax1.plot(x, r["p_d_B"], color="black", ls="-", label="$p_d^B$ (domestic, benchmark)")
    ax1.plot(x, r["p_f_B"], color="black", ls="--", label="$p_f^B$ (foreign, benchmark)")
    ax1.plot(x, r["p_d_E"], color="#2e8b3a", ls="-", label="$p^E$ (equal price)")
    ax1.plot(x, r["p_d_D"], color="#c0392b", ls="-", label="$p_d^D$ (domestic, case D)")
    ax1.plot(x, r["p_f_D"], color="#c0392b", ls="--", label="$p_f^D$ (foreign authorized, case D)")
    ax1.plot(x, r["p_g_D"], color="#7d3c98", ls="-.", label="$p_g^D$ (gray, case D)")
    ax1.set_ylabel("price [currency/unit]")
    ax1.set_title("Prices; paper (Sec. 7): $p_d^D < p_d^B < p^E < p_f^B < p_f^D$", fontsize=10)
    ax2.plot(x, r["Q_f_B"], color="black", label="$Q_f^B$ (benchmark)")
    ax2.plot(x, r["Q_f_E"], color="#2e8b3a", ls="--", label="$Q_f^E$ (equal pricing)")
    ax2.plot(x, r["Q_f_D"], color="#c0392b", label="$Q_f^D$ (authorized, case D)")
    ax2.plot(x, r["Q_g_D"], color="#7d3c98", ls="-.", label="$Q_g^D$ (gray, case D)")
    ax2.plot(x, r["Q_f_D"] + r["Q_g_D"], color="#c0392b", ls=":", lw=2,
             label="$Q_f^D + Q_g^D$ (total foreign, case D)")
    ax2.axvline(q["root"], color="#c0392b", lw=1, ls="--")
    ax2.annotate(f"$Q_f^D + Q_g^D = Q_f^B$\ncomputed t = {q['root']:.5f}\n"
                 f"Prop. 3(iii) closed form {q['closed_form']:.5f}", (q["root"], 0.97),
                 xycoords=("data", "axes fraction"), xytext=(-8, 0), textcoords="offset points",
                 ha="right", va="top", fontsize=8,
                 bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.6"})
    ax2.set_ylim(-0.02, 1.3 * np.nanmax(r["Q_f_E"]))
    ax2.set_ylabel("foreign quantity [unit mass]")
    ax2.set_title("Foreign demand; Prop. 3(iii): gray channel lowers total\nforeign demand "
                  "below the crossing, raises it above", fontsize=10)
    for ax in (ax1, ax2):
        for key in ("x4", "x3"):
            ax.axvline(c[key], color="0.4", ls=":", lw=1)
        ax.set_xlabel(AXIS_LABELS["t"])
        ax.set_xlim(x[0], x[-1])
    ax1.legend(fontsize=8, loc="upper left")
    ax2.legend(fontsize=8, loc="upper left")
    fig.suptitle(f"Prices and foreign quantities along t over the valid interval (δ = 0.7, "
                 f"t_g = 0.05); grey dotted: t4 = {c['x4']:.4f}, t3 = {c['x3']:.4f}", fontsize=11)
    return fig


# Fig. 6 legend texts; the colours are the model's (fastmap.models.import_tax_channels).
WREG_F = {0: "undefined (no gray market possible / invalid)",
          1: "I: DP, $SW_f^D > SW_f^E > SW_f^B$ (pink)",
          2: "II: DP, $SW_f^E \\geq SW_f^D > SW_f^B$ (blue)",
          3: "III: DP, $SW_f^D \\leq SW_f^B$ (orange)",
          4: "IV: EP, $SW_f^E > SW_f^B$"}
WREG_D = {0: "undefined (no gray market possible / invalid)",
          1: "I: DP, $SW_d^D > SW_d^B$ (purple)",
          2: "II: DP, $SW_d^D \\leq SW_d^B$ (light green)",
          3: "III: EP ($SW_d^E < SW_d^B$), $SW_d^D \\leq SW_d^B$",
          4: "IV: EP ($SW_d^E < SW_d^B$), $SW_d^D > SW_d^B$"}


def _threshold_curves(ax, n, **fixed):
    g = unit_grid(max(n, 200))
    r = _solve(delta=g, t=0.0, **fixed)
    ax.plot(g, r["t1"], color="black", lw=0.9, ls="--", label="t1 (Q_g^D = 0)")
    ax.plot(g, r["t2"], color="black", lw=0.9, ls="-.", label="t2 (Q_f^D = 0)")
    t4 = np.where((r["t4"] > r["t1"]) & (r["t4"] < r["t2"]), r["t4"], np.nan)   # EP/DP boundary
    ax.plot(g, t4, color="0.45", lw=1.6, ls=(0, (5, 2)),
            label="t4 (π_D = π_E) inside (t1, t2): the paper's gray dashes")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)


def itc_fig6():
    """Fig 6: welfare regions of the foreign (a) and domestic (b) market over (delta, t), t_g=0.05, alpha=beta=0.2."""
    ds = regime_map(outputs=("wreg_f", "wreg_d", "regime"), **FIG6)
    w = welfare_crossings()
    ref = SPEC["welfare"]
    fig, axes = plt.subplots(1, 2, figsize=(15, 7.6), layout="constrained")
    for ax, var, table, panel in ((axes[0], "wreg_f", WREG_F, "(a) foreign market"),
                                  (axes[1], "wreg_d", WREG_D, "(b) domestic market")):
        fastmap.plot_regions(ds, x="delta", y="t", var=var, ax=ax, labels=False, legend=False,
                             thresholds=False)
        _threshold_curves(ax, RESOLUTION, **FIG6)
        ax.set_xlabel(AXIS_LABELS["delta"])
        ax.set_ylabel(AXIS_LABELS["t"])
        ax.set_title(f"Fig. 6{panel[:3]} social welfare, {panel[4:]}", fontsize=11)
        colors = _regime_colors(var)
        handles = [Patch(facecolor=colors[k], edgecolor="0.4", label=label) for k, label in table.items()]
        handles += ax.get_lines()
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=2,
                  fontsize=8, frameon=False)
    marks_f = [("t4_0.7", 0.7, "t4", SPEC["t"]["x4"]), ("f_DB_0.7", 0.7, "SW_f^D=SW_f^B", ref["f_DB_0.7"]),
               ("f_DE_0.7", 0.7, "SW_f^D=SW_f^E", ref["f_DE_0.7"])]
    marks_d = [(f"d_DB_{d}", d, "SW_d^D=SW_d^B", ref[f"d_DB_{d}"]) for d in (0.5, 0.6, 0.7)]
    for ax, marks in ((axes[0], marks_f), (axes[1], marks_d)):
        lines = []
        for key, d, name, spec in marks:
            ax.plot([d], [w[key]], "o", ms=6, mfc="white", mec="black", zorder=6)
            lines.append(f"δ={d}: {name:14s} t = {w[key]:.4f} (spec {spec:.4f})")
        if ax is axes[1]:
            lines.append(f"δ=0.75, 0.8: SW_d^D=SW_d^B absent: "
                         f"{'yes' if np.isnan(w['d_DB_0.75']) and np.isnan(w['d_DB_0.8']) else 'NO'}"
                         " (spec: absent)")
        ax.text(0.02, 0.98, "\n".join(lines), transform=ax.transAxes, ha="left", va="top",
                fontsize=7.5, family="monospace",
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.6", "alpha": 0.92})
    fig.suptitle("Fig. 6 — social welfare comparison (t_g = 0.05, α = β = 0.2). Paper (Result 1): "
                 + PAPER["fig6"] + ".\nGoing up in t at fixed δ ≥ 0.65 (foreign): IV → III → II → I",
                 fontsize=11)
    return fig


def _regime_panels(values, key: str, symbol: str, fixed: dict, suptitle: str, footer: str,
                   notes=None):
    n = len(values)
    cols = 2 if n == 4 else 3
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.7 * rows + 1.2),
                             layout="constrained", squeeze=False)
    colors = _regime_colors()
    for ax, v in zip(axes.flat, values):
        ds = regime_map(**fixed, **{key: v})
        fastmap.plot_regions(ds, x="delta", y="t", var="regime", ax=ax, labels=False, legend=False,
                             thresholds=["t1", "t2", "t3", "t4"], title=f"{symbol} = {v:g}")
        ax.set_xlabel(AXIS_LABELS["delta"])
        ax.set_ylabel(AXIS_LABELS["t"])
        if notes is not None:
            ax.text(0.02, 0.98, notes(v, ds, ax), transform=ax.transAxes, ha="left", va="top",
                    fontsize=7, family="monospace",
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.6", "alpha": 0.9})
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    legend_names = {1: "yellow: no_gray_market (Q_g^D ≤ 0)", 2: "grey: dp_beneficial (π_D > π_B > π_E)",
                    3: "red: dp_harmful (π_B > π_D > π_E)", 4: "green: ep_block (π_B > π_E ≥ π_D)",
                    5: "dark yellow: no_foreign_authorized (Q_f^D ≤ 0)", 0: "white: invalid (t > θ_f)"}
    handles = [Patch(facecolor=colors[c], edgecolor="0.4", label=f"{legend_names[c]}")
               for c in (2, 3, 4, 1, 5, 0)]
    lines = [h for h in axes.flat[0].get_lines() if not h.get_label().startswith("_")]
    fig.legend(handles=handles + lines, loc="outside lower center", ncol=3, fontsize=8,
               frameon=False)
    fig.suptitle(suptitle + "\n" + footer, fontsize=11)
    return fig


def itc_fig7():
    """Fig 7: optimal pricing strategy (paper's rule) over (delta, t) for several N_f (E1, t_g=0.05, N_d=1)."""
    ref = SPEC["shares"]

    def notes(nf, ds, ax):
        values = ds["regime"].values
        lines = ["share of unit square, %"]
        for code, name in ((2, "grey "), (3, "red  "), (4, "green"), (1, "yel. ")):
            s = 100.0 * float(np.mean(values == code))
            spec = ref.get(nf, {}).get(code)
            lines.append(f"{name} {s:5.1f}" + (f" (spec {spec:.1f})" if spec is not None else ""))
        return "\n".join(lines)

    return _regime_panels(FIG7_NF, "N_f", "N_f", {"t_g": 0.05, "N_d": 1.0},
                          "Fig. 7 — manufacturer's strategy when δ, t and N_f vary "
                          "(t_g = 0.05, N_d = 1, θ_d = θ_f = 1)",
                          "paper: " + PAPER["fig7"] + "; computed shares below "
                          "(red peaks near N_f = 2)", notes)


def itc_fig8():
    """Fig 8: optimal pricing strategy (paper's rule) over (delta, t) for several theta_f (E2, t_g=0.05, theta_d=1)."""
    th = result2_thresholds()
    widths = dict(zip(FIG8_THETA_F, zip(*band_widths(np.array(FIG8_THETA_F)))))

    thetas = np.array(FIG8_THETA_F)
    where = {which: widest_band(thetas, which) for which in (0, 1)}

    def notes(theta, ds, ax):
        dp, ep = widths[theta]
        k = FIG8_THETA_F.index(theta)
        for which, width, name in ((0, dp, "DP"), (1, ep, "EP")):
            if 0 < width < 0.03:      # too thin to see: point at it
                _, d, t = (w[k] for w in where[which])
                ax.annotate(f"thin {name} band\n(δ ≈ {d:.3f}, t ≈ {t:.3f})", (d, t),
                            xytext=(0.52, 0.86 if which == 0 else 0.72), textcoords="axes fraction",
                            fontsize=7.5, arrowprops={"arrowstyle": "->", "color": "black"},
                            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.6"})
        verdict = "EP only" if dp <= 0 else "DP only" if ep <= 0 else "EP and DP"
        return (f"max t-width of DP band {max(dp, 0):.4f}\n"
                f"max t-width of EP band {max(ep, 0):.4f}\n=> {verdict}")

    return _regime_panels(FIG8_THETA_F, "theta_f", "θ_f", {"t_g": 0.05, "theta_d": 1.0},
                          "Fig. 8 — manufacturer's strategy when δ, t and θ_f vary "
                          "(t_g = 0.05, θ_d = 1, N_d = N_f = 1)",
                          f"Result 2 — EP only for θ_f ≤ θ_lo, DP only for θ_f ≥ θ_hi: "
                          f"paper θ_lo = {PAPER['theta_lo']}, θ_hi = {PAPER['theta_hi']}; "
                          f"computed θ_lo = {th['theta_lo']:.6f}, θ_hi = {th['theta_hi']:.6f}",
                          notes)


def itc_result2():
    """Result 2: widest DP and EP bands versus theta_f, with the exact and the paper's thresholds."""
    th = result2_thresholds()
    theta = np.linspace(0.6, 1.25, 261)
    dp, ep = band_widths(theta)
    fig, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
    ax.plot(theta, np.maximum(dp, 0), color="#c0392b", lw=2,
            label="widest DP band (grey + red), max over δ of its t-width")
    ax.plot(theta, np.maximum(ep, 0), color="#2e8b3a", lw=2, ls="--",
            label="widest EP band (green), max over δ of its t-width")
    for key, color in (("theta_lo", "#c0392b"), ("theta_hi", "#2e8b3a")):
        ax.axvline(th[key], color=color, lw=1, ls="-")
        ax.axvline(PAPER[key], color=color, lw=1, ls=":")
        ax.annotate(f"{key}\ncomputed {th[key]:.6f}\npaper    {PAPER[key]}",
                    (th[key], 0.6), xycoords=("data", "axes fraction"), xytext=(5, 0),
                    textcoords="offset points", fontsize=8, family="monospace",
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.6"})
    ax.plot([], [], color="0.3", ls="-", label="computed threshold")
    ax.plot([], [], color="0.3", ls=":", label="paper's threshold (read off panels)")
    ax.set_xlabel("foreign WTP upper bound θ_f [currency/unit]")
    ax.set_ylabel("band width in t [currency/unit]")
    ax.set_title("Result 2 (t_g = 0.05, θ_d = 1, N = 1): where EP / DP exist in the valid area",
                 fontsize=11)
    ax.set_xlim(theta[0], theta[-1])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def itc_true_regime():
    """True Stackelberg equilibrium (regime_true) next to the paper's rule (regime) over (delta, t)."""
    fig, axes = plt.subplots(1, 3, figsize=(18, 6.3), layout="constrained")
    panels = ((axes[0], "regime", {}, "(a) paper's rule, basic model"),
              (axes[1], "regime_true", {}, "(b) true equilibrium, basic model"),
              (axes[2], "regime_true", {"N_f": 0.5, "theta_f": 1.2},
               "(c) true equilibrium, N_f = 0.5, θ_f = 1.2"))
    for ax, var, fixed, title in panels:
        ds = regime_map(outputs=(var,), **fixed)
        thresholds = ["t1", "t2", "t3", "t4"] if var == "regime" else ["t1", "t2", "t3"]
        fastmap.plot_regions(ds, x="delta", y="t", var=var, ax=ax, labels=True, legend=False,
                             thresholds=thresholds, title=title)
        ax.set_xlabel(AXIS_LABELS["delta"])
        ax.set_ylabel(AXIS_LABELS["t"])
        colors, names = _regime_colors(var), _regime_names(var)
        present = sorted(int(c) for c in np.unique(ds[var].values))
        handles = [Patch(facecolor=colors[c], edgecolor="0.4", label=names[c]) for c in present]
        handles += [h for h in ax.get_lines() if not h.get_label().startswith("_")]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
                  fontsize=8, frameon=False, title=var, title_fontsize=9)
    fig.suptitle("EP is dominated by deterring differentiated prices: the true equilibrium ignores "
                 "the importer (benchmark prices) below t3 and accommodates it above (t_g = 0.05)",
                 fontsize=11)
    return fig


FIGURES = {
    "itc_fig3": itc_fig3,
    "itc_fig4": itc_fig4,
    "itc_fig5": itc_fig5,
    "itc_fig6": itc_fig6,
    "itc_fig7": itc_fig7,
    "itc_fig8": itc_fig8,
    "itc_prices_t": itc_prices_t,
    "itc_result2": itc_result2,
    "itc_true_regime": itc_true_regime,
}
