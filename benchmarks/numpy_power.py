"""Vectorised-NumPy baseline for the model ``power_structures``.

The implementation a researcher would write by hand: whole-array expressions (``np.where``,
``np.select``), no numba, no per-point loop, written from the spec
(``shared/models/power_structures.md``: §3 validity, §6 pieces and exit levels, §7 S games, §8 GS
games, §9 thresholds, §10 codes and outputs). It is the speed baseline of
``benchmarks/bench_power.py`` and a second implementation checked equal to fastmap's kernel.

    solve_numpy(theta1, theta2, eta, gamma, w12, tau) -> dict[str, np.ndarray]

Inputs broadcast together. Invalid points: every code 0, every float output NaN.
"""

from __future__ import annotations

import numpy as np

__all__ = ["solve_numpy", "CODE_NAMES", "FLOAT_NAMES", "OUTPUT_NAMES"]

FIELDS = ("p11", "p12", "p21", "p3", "q11", "q12", "q21", "q3", "pi1", "pi2", "pi3")
STRUCTURES = ("s1", "s2", "s3", "gs1", "gs2", "gs3")
CODE_NAMES = ("regime", "regime_gs1", "regime_gs2", "regime_gs3", "pref_m1", "pref_m2")
THRESHOLD_NAMES = ("alpha", "Delta", "beta", "r_s2", "r_gs2", "r_x1", "r_x3", "r_x3e")
DERIVED_NAMES = ("ratio", "s", "Mbar", "m_A", "m_G", "P_x", "V_O2", "p21_x")
RATIO_NAMES = tuple(f"ratio_pi{i}_{k}" for k in (1, 2, 3) for i in (1, 2))
FLOAT_NAMES = (THRESHOLD_NAMES + DERIVED_NAMES
               + tuple(f"{f}_{s}" for s in STRUCTURES for f in FIELDS) + RATIO_NAMES)
OUTPUT_NAMES = CODE_NAMES + FLOAT_NAMES

NAN, INF = np.nan, np.inf
CODE = {"G": 3, "L": 2, "N": 1}


def _thresholds(e, g):
    """§9 (base-model ratio thresholds)."""
    gg = g * (2 - g)
    out = {"alpha": 2 / ((2 - e) * g), "Delta": (2 + e) / (g * (2 - e**2)),
           "r_s2": (4 + 2 * e - e**2) / (2 * g * (2 - e**2))}
    bp = -e**4 * g + 2 * e**4 + 4 * e**3 - 8 * e**2 - 8 * e + 16 * g - 16
    cube = (2 - e) ** 3 * (2 + e) ** 2
    out["beta"] = (-bp + np.sqrt(bp**2 + 32 * (2 - g) * cube)) / (gg * cube)
    c = (3 - g) / (2 - g)
    bq = 4 * c * (2 - e**2) + e * (2 + e) ** 2
    u = (bq + np.sqrt(bq**2 + 8 * (4 + 3 * e) * e * c**2 * (2 - e**2))) / (4 * (4 + 3 * e))
    out["r_gs2"] = 1 / (gg * (u - 1))
    k1 = (2 + e) * (2 - g) + 2
    out["r_x1"] = (k1**2 - 4) / (2 * (2 - e**2)) / gg
    qa, qb, qc = (4 - e**2) ** 2, 8 * (4 - e**2) - 4 * k1**2, 16 - 4 * k1**2
    out["r_x3"] = (-qb + np.sqrt(qb**2 - 4 * qa * qc)) / (2 * qa) / gg
    a = 1 / (2 - g)
    p21m = 1 / (2 * (1 - e))
    k3 = (2 - g) * (2 - e) / (2 * (1 - e)) + 1
    r_a = (k3**2 - 1) / gg
    k = (p21m - 1) / e
    interior = (e <= 0.5) | ((1 + a + e * p21m) / (2 * (1 + 1 / (gg * r_a))) > k)
    kq = k * (1 + e) * (1 - (1 - e) * k)
    x = k + (2 - g) * kq
    r_b = 2 * (x + np.sqrt(x**2 - k**2)) / g
    kink = ((1 + e) + a) / (2 * (1 - e**2 + 1 / (gg * r_b))) > k
    r_c = ((2 - g) * ((1 + e) + a) ** 2 - a) / (g * (1 - e**2))
    out["r_x3e"] = np.where(interior, r_a, np.where(kink, r_b, r_c))
    return out


def _first(pieces, price_of):
    """First existing piece (G, L, N) whose candidate price lies below its upper end:
    (piece name array, price)."""
    conds, names, prices = [], [], []
    for name in ("G", "L", "N"):
        pc = pieces[name]
        price = price_of(pc)
        conds.append(pc["on"] & (price < pc["hi"]))
        names.append(name)
        prices.append(price)
    which = np.select(conds, [CODE[n] for n in names], default=CODE["N"])
    return which, np.select(conds, prices, default=NAN)


def _coef(pieces, which, key):
    return np.select([which == CODE[n] for n in ("G", "L", "N")],
                     [pieces[n][key] for n in ("G", "L", "N")], default=NAN)


def _selling(which, p11, p21, t1, t2, e, g, s, mg, p12m, q12m):
    """Outcome with M1 selling at p11 in piece ``which`` and M2 at p21 (§8)."""
    q11 = (t1 - p11 + e * p21) / t1
    q21 = (t1 - p21 + e * p11) / t1
    isg, isl = which == 3, which == 2
    p12 = np.where(isg, ((1 - g) * t2 + p11) / (2 - g) + s / 2, np.where(isl, p11 / g + s, p12m))
    q12 = np.where(isg, 0.5 + (2 - g) * s / (4 * (1 - g) * t2),
                   np.where(isl, 1 - p11 / (g * t2), q12m))
    q3 = np.where(isg, (mg - p11) / (g * (2 - g) * t2), 0.0)
    p3 = np.where(isg, (p11 + g * (p12 - s)) / 2, NAN)
    pi3 = np.where(isg, (p3 - p11) * q3, 0.0)
    return {"p11": p11, "p12": p12, "p21": p21, "p3": p3, "q11": q11, "q12": q12, "q21": q21,
            "q3": q3, "pi1": p11 * (q11 + q3) + p12 * q12, "pi2": p21 * q21, "pi3": pi3}


def _exit(p21, t1, e, mbar, p12m, q12m):
    """Outcome with M1 absent from market 1 (§8)."""
    q21 = (1 + e) - (1 - e**2) * p21 / t1
    z = np.zeros_like(q21)
    return {"p11": z + NAN, "p12": p12m + z, "p21": p21 + z, "p3": z + NAN, "q11": z,
            "q12": q12m + z, "q21": q21, "q3": z, "pi1": mbar + z, "pi2": p21 * q21, "pi3": z}


def _pick(cond, a, b):
    return {f: np.where(cond, a[f], b[f]) for f in FIELDS}


def _preference(p1, p2, p3):
    stack = np.stack([p1, p2, p3])
    best = np.nanmax(np.where(np.isnan(stack), -INF, stack), axis=0)
    hit = stack >= best - 1e-12 * np.abs(best)
    count = hit.sum(axis=0)
    return np.where(count > 1, 4, np.argmax(hit, axis=0) + 1)


def solve_numpy(theta1, theta2, eta, gamma, w12, tau):
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64)
                                   for a in (theta1, theta2, eta, gamma, w12, tau)))
    t1, t2, e, g, w12, tau = (np.array(a) for a in arrays)
    shape = t1.shape
    z = np.zeros(shape)
    with np.errstate(all="ignore"):
        finite = np.all([np.isfinite(a) for a in (t1, t2, e, g, w12, tau)], axis=0)
        valid = finite & (t1 > 0) & (t2 > 0) & (e >= 0) & (e < 1) & (g > 0) & (g < 1) \
            & (w12 >= 0) & (tau >= 0)
        s = tau * w12
        out = _thresholds(e, g)

        # §6.2 pieces of M(p11) = c + (a p11 - b p11^2)/theta1
        cover = s >= t2                               # no gray threat at all
        kappa = 1 / (g * (2 - g) * t2)
        m_a = np.where(cover, 0.0, g * (t2 - s) / 2)
        m_g = np.where(cover, NAN, g * t2 / 2 - g * (2 - g) * s / (4 * (1 - g)))
        mbar = np.where(cover, s, (t2 + s) ** 2 / (4 * t2))
        p12m = np.where(cover, s, (t2 + s) / 2)
        q12m = np.where(cover, 1.0, (t2 + s) / (2 * t2))
        lo_l = np.maximum(m_g, 0.0)
        pieces = {
            "G": {"on": ~cover & (m_g > 0), "lo": z, "hi": m_g, "a": t1 / (2 - g), "b": t1 * kappa,
                  "c": (2 * (1 - g) * t2 + (2 - g) * s) ** 2 / (8 * (2 - g) * (1 - g) * t2)},
            "L": {"on": ~cover & (lo_l < m_a), "lo": lo_l, "hi": m_a, "a": t1 * (1 - s / t2) / g,
                  "b": t1 / (g**2 * t2), "c": s + z},
            "N": {"on": np.ones(shape, bool), "lo": m_a, "hi": z + INF, "a": z, "b": z, "c": mbar},
        }

        # §6.3 exit levels
        which_o, p_o = _first(pieces, lambda pc: ((1 + e) * t1 + pc["a"]) / (2 * (1 - e**2 + pc["b"])))
        v_o2 = _coef(pieces, which_o, "c") + (1 - e**2 + _coef(pieces, which_o, "b")) * p_o**2 / t1
        px = {n: np.sqrt(np.maximum(t1 * (mbar - pieces[n]["c"]) / (1 + pieces[n]["b"]), 0.0))
              for n in ("G", "L")}
        use_g = pieces["G"]["on"] & (px["G"] < m_g)
        x_p = np.where(use_g, 3, 2)
        p_x = np.where(use_g, px["G"], np.maximum(px["L"], lo_l))
        p_x = np.where(cover, -INF, p_x)
        _, phat0 = _first(pieces, lambda pc: (t1 + pc["a"]) / (2 * (1 + pc["b"])))
        p21_x = (2 * (1 + _coef(pieces, x_p, "b")) * p_x - t1 - _coef(pieces, x_p, "a")) / e
        prices_out = ~(p_x > (p21_x - t1) / e)
        kink = z + NAN
        for n in ("N", "L", "G"):                     # reversed: the first valid piece wins
            pc = pieces[n]
            a2 = (1 - e**2 + pc["b"]) / t1
            b2 = (1 + e) + pc["a"] / t1
            rad = b2**2 + 4 * a2 * (pc["c"] - mbar)
            k = (b2 - np.sqrt(rad)) / (2 * a2)
            ok = pc["on"] & (rad >= 0) & (pc["lo"] <= k) & (k < pc["hi"])
            kink = np.where(ok, t1 + e * k, kink)
        p21_x = np.where(prices_out, kink, p21_x)
        p21_x = np.where(v_o2 < mbar, INF, p21_x)
        p21_x = np.where(e == 0, np.where(phat0 < p_x, INF, -INF), p21_x)
        p21_x = np.where(cover, -INF, p21_x)

        # §7 S games
        lead = t1 * (2 + e) / (2 * (2 - e**2))
        follow = t1 * (4 + 2 * e - e**2) / (4 * (2 - e**2))
        nash = t1 / (2 - e)
        none = np.ones(shape, dtype=np.int64)
        res = {"s1": _selling(none, lead, follow, t1, t2, e, g, s, m_g, p12m, q12m),
               "s2": _selling(none, follow, lead, t1, t2, e, g, s, m_g, p12m, q12m),
               "s3": _selling(none, nash, nash, t1, t2, e, g, s, m_g, p12m, q12m)}
        p21m = t1 / (2 * (1 - e))
        exit_m = _exit(p21m, t1, e, mbar, p12m, q12m)

        # §8.1 GS1
        w1, ph1 = _first(pieces, lambda pc: (t1 * (2 + e) + 2 * pc["a"]) / (2 * (2 - e**2) + 4 * pc["b"]))
        gs1 = _selling(w1, ph1, (t1 + e * ph1) / 2, t1, t2, e, g, s, m_g, p12m, q12m)
        stay1 = (w1 == 1) | (gs1["pi1"] >= mbar)
        gs1 = _pick(w1 == 1, res["s1"], _pick(stay1, gs1, exit_m))
        code1 = np.where(stay1, w1, 4)

        # §8.2 GS2: candidates per piece, then induced exit
        best = z - INF
        best_code = np.zeros(shape, dtype=np.int64)
        best_p21 = z + NAN
        best_vertex = np.zeros(shape, bool)
        first = np.ones(shape, bool)
        which0, _ = _first(pieces, lambda pc: (t1 + pc["a"]) / (2 * (1 + pc["b"])))
        for n in ("G", "L", "N"):
            pc = pieces[n]
            a, b = pc["a"], pc["b"]
            rlo = np.where(first, -INF, (2 * (1 + b) * pc["lo"] - t1 - a) / e)
            rhi = INF if n == "N" else (2 * (1 + b) * pc["hi"] - t1 - a) / e
            rhi = z + rhi
            # eta = 0: only the piece holding M1's fixed reply, over the whole line
            zero_on = which0 == CODE[n]
            rlo = np.where(e == 0, -INF, rlo)
            rhi = np.where(e == 0, np.where(zero_on, INF, -INF), rhi)
            first = first & ~pc["on"]
            rlo = np.maximum(np.maximum(rlo, p21_x), 0.0)
            p21v = (2 * t1 * (1 + b) + e * (t1 + a)) / (2 * (2 * (1 + b) - e**2))
            ok = pc["on"] & (rlo < rhi) & (rlo != INF) & (p21v < rhi)
            p21 = np.maximum(p21v, rlo)
            p11 = (t1 + a + e * p21) / (2 * (1 + b))
            value = p21 * (t1 - p21 + e * p11) / t1
            take = ok & (value > best)
            best = np.where(take, value, best)
            best_code = np.where(take, CODE[n], best_code)
            best_p21 = np.where(take, p21, best_p21)
            best_vertex = np.where(take, p21 == p21v, best_vertex)
        p21e = np.minimum(p21m, p21_x)
        value_e = p21e * ((1 + e) - (1 - e**2) * p21e / t1)
        induced = (p21_x >= 0) & (value_e > best)
        a_w, b_w = _coef(pieces, best_code, "a"), _coef(pieces, best_code, "b")
        p11_w = (t1 + a_w + e * best_p21) / (2 * (1 + b_w))
        gs2 = _selling(best_code, p11_w, best_p21, t1, t2, e, g, s, m_g, p12m, q12m)
        gs2 = _pick((best_code == 1) & best_vertex, res["s2"], gs2)
        gs2 = _pick(induced, _exit(p21e, t1, e, mbar, p12m, q12m), gs2)
        code2 = np.where(induced, 4, best_code)

        # §8.3 GS3
        w3, ph3 = _first(pieces, lambda pc: (t1 * (2 + e) + 2 * pc["a"]) / (4 * (1 + pc["b"]) - e**2))
        gs3 = _selling(w3, ph3, (t1 + e * ph3) / 2, t1, t2, e, g, s, m_g, p12m, q12m)
        interior = (w3 == 1) | (ph3 >= p_x)
        exit3 = ~interior & (p21m < p21_x)
        nan_outcome = {f: z + NAN for f in FIELDS}
        gs3 = _pick(w3 == 1, res["s3"], _pick(interior, gs3, _pick(exit3, exit_m, nan_outcome)))
        code3 = np.where(interior, w3, np.where(exit3, 4, 5))
        res.update(gs1=gs1, gs2=gs2, gs3=gs3)

        out.update(ratio=t2 / t1, s=s, Mbar=mbar, m_A=m_a, m_G=m_g,
                   P_x=np.where(np.isfinite(p_x), p_x, NAN), V_O2=v_o2,
                   p21_x=np.where(np.isfinite(p21_x), p21_x, NAN))
        for st in STRUCTURES:
            for f in FIELDS:
                out[f"{f}_{st}"] = res[st][f]
        for k in (1, 2, 3):
            for i in (1, 2):
                out[f"ratio_pi{i}_{k}"] = res[f"gs{k}"][f"pi{i}"] / res[f"s{k}"][f"pi{i}"]
        out["regime_gs1"], out["regime_gs2"], out["regime_gs3"] = code1, code2, code3
        out["regime"] = 1 + (code1 == 3) + 2 * (code2 == 3) + 4 * (code3 == 3)
        out["pref_m1"] = _preference(gs1["pi1"], gs2["pi1"], gs3["pi1"])
        out["pref_m2"] = _preference(gs1["pi2"], gs2["pi2"], gs3["pi2"])

        for name in CODE_NAMES:
            out[name] = np.where(valid, out[name], 0).astype(np.int8)
        for name in FLOAT_NAMES:
            out[name] = np.where(valid, np.broadcast_to(out[name], shape), NAN).astype(np.float64)
    return out


if __name__ == "__main__":  # self-check against the oracle point cases
    import json
    import pathlib
    import sys

    path = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "power_structures.json"
    data = json.loads(path.read_text())
    n_bad = n_checked = 0
    for case in data["point_cases"]:
        inp = {k: np.nan if v is None else v for k, v in case["inputs"].items()}
        res = solve_numpy(**inp)
        for name, want in case["expected"].items():
            if name not in OUTPUT_NAMES:
                continue
            got = res[name][()]
            n_checked += 1
            if want is None:
                ok = bool(np.isnan(got))
            else:
                ok = abs(float(got) - want) <= case["tol"] * max(1.0, abs(want))
            if not ok:
                n_bad += 1
                print(f"MISMATCH {case['id']:32s} {name:12s} got={got!r} want={want!r}")
    print(f"{len(data['point_cases'])} point cases, {n_checked} values checked, {n_bad} mismatches")
    sys.exit(1 if n_bad else 0)
