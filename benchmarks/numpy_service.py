"""Vectorised-NumPy baseline for the model ``service_gray_market``.

The implementation a researcher would write by hand: whole-array expressions (``np.where``,
``np.maximum``, ...), no numba, no per-point loop, written from the spec
(``shared/models/service_gray_market.md``: section 3 validity, 5 constants, 6 importer, 7 the
(m1, D) reduction, 9.2 wholesale prices, 10 benchmarks, 11 candidates and tie rule, 12 outputs). It
is the speed baseline of ``benchmarks/bench_service.py`` and a second implementation of the
compiled kernel.

    solve_numpy(N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G, delta,
                lambda_r=nan) -> dict[str, np.ndarray]

Inputs broadcast together; ``lambda_r`` NaN means lambda_r = lambda2.
"""

from __future__ import annotations

import numpy as np

__all__ = ["solve_numpy", "CODE_NAMES", "FLOAT_NAMES", "OUTPUT_NAMES"]

_CHAIN_CODES = ("regime", "regime_lin", "invalid_reason", "demand_ok")
_CHAIN_FIELDS = ("p1", "s1", "d1", "p2", "s2", "d2", "q_G", "p_G", "s_G", "pi_m", "pi_G")
SUFFIXES = ("", "_R", "_M")
CODE_NAMES = tuple(n + s for s in SUFFIXES for n in _CHAIN_CODES) + (
    "regime_po", "regime_u", "demand_ok_u")
FLOAT_NAMES = (
    tuple(n + s for s in SUFFIXES for n in _CHAIN_FIELDS + (("omega", "pi_r") if s else ()))
    + ("pi_ideal", "pi_block", "pi_allow", "pi_close1", "pi_n", "pi_po", "p1_po", "p2_po",
       "q_G_po", "p_u", "s1_u", "s2_u", "d1_u", "d2_u", "pi_u",
       "ratio_service", "ratio_uniform", "ratio_pi_m_RM", "ratio_pi_r_RM", "ratio_s2_RC",
       "ratio_s2_MC", "rho1", "rho2", "kappa", "kappa_R", "kappa_M", "delta_ideal", "delta_max",
       "theta1_tilde", "theta2_tilde", "lambda_bar")
)
OUTPUT_NAMES = CODE_NAMES + FLOAT_NAMES
TIE = 1e-9
NAN = np.nan


def _f1(m1, A1, beta1, b1):
    """Market-1 profit with the best service at margin m1 (section 7)."""
    return np.where(m1 >= 0.0, A1 * m1 - 0.5 * beta1 * m1**2, A1 * m1 - b1 * m1**2)


def _argmax_pw(lin, cp, cn, c, upper):
    x = lin / cp
    x = np.where(x < 0.0, np.maximum(-c, lin / cn), x)
    return np.minimum(x, upper)


def _constants(N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G, delta):
    k = {}
    k["A1"], k["A2"] = N1 - b1 * c, N2 - b2 * c
    k["rho1"] = (2 - delta) * lambda_G * b2 - delta * theta_G**2
    k["rho2"] = 2 * (1 - delta) * lambda_G * b2 - delta * theta_G**2
    k["beta1"] = 2 * b1 - theta1**2 / lambda1
    k["E0"] = delta * N2 - b2 * (c + c_G)
    k["k"] = lambda_G * b2 / (delta * k["rho1"])
    k["e"] = c_G + c * (1 - delta)
    k["alpha"] = (k["rho2"] * k["A2"] + lambda_G * b2**2 * k["e"]) / (k["rho1"] * b2)
    return k


def _chain(chain, lam, P, K):
    """Section 11 for one chain: code, m1, D and the open-market candidate values."""
    b1, b2, c, delta, theta2, lambda2 = P["b1"], P["b2"], P["c"], P["delta"], P["theta2"], P["lambda2"]
    A1, A2, beta1, E0, kk, e, alpha, rho1, rho2 = (K[n] for n in ("A1", "A2", "beta1", "E0", "k", "e",
                                                                  "alpha", "rho1", "rho2"))
    t2 = theta2**2
    if chain == "C":
        DH = lam * b2 * A2 / (2 * lam * b2 - t2)
        HS = lam * A2**2 / (2 * (2 * lam * b2 - t2))
        curv = 2 * lambda2 * b2 * rho2 - rho1 * t2
        DG = alpha * lambda2 * b2**2 * rho1 / curv
        psi = t2 / (2 * lambda2 * b2**2)
    elif chain == "M":
        DH = lam * b2 * A2 / (4 * lam * b2 - t2)
        HS = lam * A2**2 / (2 * (4 * lam * b2 - t2))
        curv = 4 * lambda2 * b2 * rho2 - rho1 * t2
        DG = alpha * lambda2 * b2**2 * rho1 / curv
        psi = -(2 * lambda2 * b2 * rho2 - rho1 * t2) / (2 * lambda2 * b2**2 * rho1)
    else:
        DH = lam * b2 * A2 / (2 * (2 * lam * b2 - t2))
        HS = lam * A2**2 / (4 * (2 * lam * b2 - t2))
        curv = 2 * lam * b2 * rho2 - rho1 * t2
        DG = alpha * lam * b2**2 * rho1 / (2 * curv)
        psi = t2 / (2 * lam * b2**2) - np.maximum(0.0, curv) / (2 * lam * b2**2 * rho1)

    def Dbar(m1):
        return (E0 - b2 * m1) / delta

    m1n = A1 / beta1
    m1PI = E0 * (1.0 / b2)  # as the kernel: E0 * inv_b2, bit-identical at ties
    m1_close = 2 * A1 / beta1
    has_pi = m1PI > -c
    v1 = np.where(DH >= Dbar(m1n), _f1(m1n, A1, beta1, b1) + HS, NAN)
    v4 = HS
    # allow, open and closed
    m1F = _argmax_pw(A1 + kk * E0, beta1 + 2 * kk * b2, 2 * b1 + 2 * kk * b2, c, np.inf)
    vF = _f1(m1F, A1, beta1, b1) + kk * m1F * (E0 - b2 * m1F)
    concave = curv > 0
    v3_all = np.where(has_pi & concave & (DG > 0) & (DG < Dbar(m1F)), vF + 0.5 * alpha * DG, NAN)
    v3 = np.where(m1F <= m1_close, v3_all, NAN)
    m1c = E0 / (2 * b2)
    v6 = np.where(has_pi & concave & (DG > 0) & (DG < Dbar(m1c)),
                  kk * m1c * (E0 - b2 * m1c) + 0.5 * alpha * DG, NAN)
    # block, open and closed
    lin = E0 * (1 - 2 * psi * b2) - b2 * e
    w = 2 * b2 * (1 - psi * b2)
    m1B = _argmax_pw(lin + A1 * delta**2, beta1 * delta**2 + w, 2 * b1 * delta**2 + w, c, m1PI)
    DB = Dbar(m1B)
    v2 = np.where(has_pi, _f1(m1B, A1, beta1, b1) + (m1B + e) * DB / delta + psi * DB**2, NAN)
    m1B5 = np.clip(lin / w, 0.0, None)
    m1B5 = np.minimum(m1B5, m1PI)
    DB5 = Dbar(m1B5)
    v5 = np.where(has_pi, (m1B5 + e) * DB5 / delta + psi * DB5**2, NAN)

    cands = ((1, v1, m1n, DH), (2, v2, m1B, DB), (3, v3, m1F, DG), (4, v4, NAN, DH),
             (5, v5, m1B5, DB5), (6, v6, m1c, DG))
    shape = np.broadcast(*(x for _, v, a, d in cands for x in (v, a, d))).shape
    code = np.zeros(shape, dtype=np.int8)
    best = np.full(shape, -np.inf)
    m1 = np.full(shape, NAN)
    D = np.full(shape, NAN)
    for cand, v, a, d in cands:
        take = ~np.isnan(v) & ((code == 0) | (v > best + TIE * np.maximum(1.0, np.abs(best))))
        code = np.where(take, np.int8(cand), code)
        best = np.where(take, v, best)
        m1 = np.where(take, a, m1)
        D = np.where(take, d, D)
    return code, m1, D, v1, v2, v3_all, v4


def _outcome(chain, lam, code, m1, D, P, K):
    """Prices, quantities, profits (sections 5, 6, 9.2) and the footnote-2 check."""
    b1, b2, c, c_G, delta = P["b1"], P["b2"], P["c"], P["c_G"], P["delta"]
    theta1, theta2, theta_G, lambda_G = P["theta1"], P["theta2"], P["theta_G"], P["lambda_G"]
    rho1, rho2 = K["rho1"], K["rho2"]
    open1 = code <= 3
    p1 = np.where(code == 4, NAN, c + m1)
    s1 = np.where(open1, theta1 * np.maximum(m1, 0.0) / P["lambda1"], 0.0)
    d1 = np.where(open1, P["N1"] - b1 * p1 + theta1 * s1, 0.0)
    s2 = theta2 * D / (lam * b2)
    a = p1 + c_G
    no_pi_side = (code == 1) | (code == 4)
    block = (code == 2) | (code == 5)
    z = np.where(no_pi_side, P["N2"] - D,
                 np.where(block, b2 * a / delta,            # X = 0 exactly at the threshold
                          (rho2 * (P["N2"] - D) + lambda_G * b2**2 * a) / rho1))
    p2 = (z + theta2 * s2) / b2
    X = np.where((code == 3) | (code == 6), delta * z - b2 * a, 0.0)
    active = X > 0
    q_G = np.where(active, lambda_G * b2 * X / (delta * rho2), 0.0)
    s_G = np.where(active, theta_G * X / rho2, 0.0)
    p_G = np.where(active, a + lambda_G * (1 - delta) * X / rho2, NAN)
    pi_G = np.where(active, lambda_G * X**2 / (2 * delta * rho2), 0.0)
    ok = np.where(active, b2 * p_G >= delta * theta_G * s_G, z >= 0)
    ok &= ~open1 | (b1 * p1 >= theta1 * s1)
    market1 = np.where(code == 4, 0.0, m1 * (d1 + q_G) - 0.5 * P["lambda1"] * s1**2)
    out = {"p1": p1, "s1": s1, "d1": d1, "p2": p2, "s2": s2, "d2": D, "q_G": q_G, "p_G": p_G,
           "s_G": s_G, "pi_G": pi_G}
    if chain == "C":
        out["pi_m"] = market1 + (p2 - c) * D - 0.5 * P["lambda2"] * s2**2
        return out, ok
    omega = np.where(no_pi_side, (P["N2"] - 2 * D) / b2,
                     (rho2 * (P["N2"] - 2 * D) + lambda_G * b2**2 * a) / (b2 * rho1))
    if chain == "R":
        omega = omega + theta2**2 * D / (lam * b2**2)
        omega = np.where(block, np.minimum(omega, a / delta + theta2**2 * D / (2 * lam * b2**2)),
                         omega)
        out["pi_m"] = market1 + (omega - c) * D
        out["pi_r"] = (p2 - omega) * D - 0.5 * lam * s2**2
    else:
        omega = omega + theta2 * s2 / b2
        out["pi_m"] = market1 + (omega - c) * D - 0.5 * P["lambda2"] * s2**2
        out["pi_r"] = (p2 - omega) * D
    out["omega"] = omega
    return out, ok


def _uniform(P, K):
    """Section 10.2."""
    A1, A2, b1, b2 = K["A1"], K["A2"], P["b1"], P["b2"]
    g1 = P["theta1"]**2 / P["lambda1"]
    g2 = P["theta2"]**2 / P["lambda2"]

    def bracket(A, b, g, m):
        return A - b * m + 0.5 * g * m

    mb = (A1 + A2) / (2 * (b1 + b2) - g1 - g2)
    m2 = A1 / (2 * b1 - g1)
    m3 = A2 / (2 * b2 - g2)
    v1 = np.where((bracket(A1, b1, g1, mb) >= 0) & (bracket(A2, b2, g2, mb) >= 0),
                  0.5 * (A1 + A2) * mb, NAN)
    shape = np.broadcast(v1, m2, m3).shape
    code = np.zeros(shape, dtype=np.int8)
    best = np.full(shape, -np.inf)
    m = np.full(shape, NAN)
    def value(mc):
        return mc * (np.maximum(0, bracket(A1, b1, g1, mc)) + np.maximum(0, bracket(A2, b2, g2, mc)))

    for cand, v, mc in ((1, v1, mb), (2, value(m2), m2), (3, value(m3), m3)):
        take = ~np.isnan(v) & ((code == 0) | (v > best + TIE * np.maximum(1.0, np.abs(best))))
        code = np.where(take, np.int8(cand), code)
        best = np.where(take, v, best)
        m = np.where(take, mc, m)
    out = {"regime_u": code, "p_u": P["c"] + m}
    pi = 0.0
    ok = True
    for i, (A, b, g, theta, lam) in enumerate(((A1, b1, g1, P["theta1"], P["lambda1"]),
                                               (A2, b2, g2, P["theta2"], P["lambda2"])), start=1):
        served = bracket(A, b, g, m) > 0
        s = np.where(served, theta * m / lam, 0.0)
        d = np.where(served, A - b * m + g * m, 0.0)
        pi = pi + m * d - 0.5 * lam * s**2
        ok = ok & (~served | (b * (P["c"] + m) >= theta * s))
        out[f"s{i}_u"], out[f"d{i}_u"] = s, d
    out["pi_u"] = pi
    out["demand_ok_u"] = ok.astype(np.int8)
    return out


def solve_numpy(N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G, lambda_G, delta,
                lambda_r=np.nan):
    names = ("N1", "N2", "b1", "b2", "c", "c_G", "theta1", "theta2", "lambda1", "lambda2",
             "theta_G", "lambda_G", "delta", "lambda_r")
    arrays = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in
                                   (N1, N2, b1, b2, c, c_G, theta1, theta2, lambda1, lambda2, theta_G,
                                    lambda_G, delta, lambda_r)))
    P = dict(zip(names, (np.array(a) for a in arrays)))
    P["lambda_r"] = np.where(np.isnan(P["lambda_r"]), P["lambda2"], P["lambda_r"])
    shape = P["delta"].shape
    out = {}
    with np.errstate(all="ignore"):
        # ---- validity 1-4 (section 3), first failing reason wins --------------------------
        finite = np.ones(shape, dtype=bool)
        for n in names:
            finite &= np.isfinite(P[n])
        r1 = finite
        for n in ("N1", "N2", "b1", "b2", "lambda1", "lambda2", "lambda_G", "lambda_r"):
            r1 &= P[n] > 0
        for n in ("c", "c_G", "theta1", "theta2", "theta_G"):
            r1 &= P[n] >= 0
        r1 &= (P["delta"] > 0) & (P["delta"] < 1)
        r2 = ((P["N1"] > P["b1"] * P["c"]) & (P["N2"] > P["b2"] * P["c"])
              & (P["theta1"]**2 < 2 * P["lambda1"] * P["b1"])
              & (P["theta2"]**2 < 2 * P["lambda2"] * P["b2"]))
        K = _constants(*(P[n] for n in names[:13]))
        r3 = K["rho2"] > 0
        g1 = 2 * P["lambda1"] * P["b1"] - P["theta1"]**2
        g2 = 2 * P["lambda2"] * P["b2"] - P["theta2"]**2
        p1n = (P["lambda1"] * P["N1"] + P["c"] * (P["lambda1"] * P["b1"] - P["theta1"]**2)) / g1
        p2n = (P["lambda2"] * P["N2"] + P["c"] * (P["lambda2"] * P["b2"] - P["theta2"]**2)) / g2
        r4 = p1n < p2n
        reason = np.select([~r1, ~r2, ~r3, ~r4], [1, 2, 3, 4], 0).astype(np.int8)
        valid = reason == 0

        # ---- the three chains ---------------------------------------------------------------
        results = {}
        for chain, suffix, lam in (("C", "", P["lambda2"]), ("R", "_R", P["lambda_r"]),
                                   ("M", "_M", P["lambda2"])):
            code, m1, D, v1, v2, v3, v4 = _chain(chain, lam, P, K)
            o, ok = _outcome(chain, lam, code, m1, D, P, K)
            results[chain] = (code, ok, o, (v1, v2, v3, v4))
            r5 = (P["theta2"]**2 < 2 * P["lambda_r"] * P["b2"]) if chain == "R" else True
            good = valid & r5
            out["regime_lin" + suffix] = np.where(good, code, 0)
            out["regime" + suffix] = np.where(good & ok, code, 0)
            out["invalid_reason" + suffix] = np.where(
                ~valid, reason, np.where(~np.asarray(r5), 5, np.where(ok, 0, 6)))
            out["demand_ok" + suffix] = good & ok
            for name, value in o.items():
                out[name + suffix] = np.where(good, value, NAN)
        v1, v2, v3, v4 = results["C"][3]
        out["pi_ideal"], out["pi_block"], out["pi_allow"], out["pi_close1"] = v1, v2, v3, v4

        # ---- price-only benchmark (12) -------------------------------------------------------
        P0 = dict(P, theta1=np.zeros(shape), theta2=np.zeros(shape), theta_G=np.zeros(shape))
        K0 = _constants(*(P0[n] for n in names[:13]))
        code, m1, D, *_ = _chain("C", P["lambda2"], P0, K0)
        o, _ = _outcome("C", P["lambda2"], code, m1, D, P0, K0)
        out["regime_po"] = code
        out["pi_po"], out["p1_po"], out["p2_po"], out["q_G_po"] = o["pi_m"], o["p1"], o["p2"], o["q_G"]

        out.update(_uniform(P, K))
        A1, A2 = K["A1"], K["A2"]
        out["pi_n"] = P["lambda1"] * A1**2 / (2 * g1) + P["lambda2"] * A2**2 / (2 * g2)

        def ratio(a, b):
            return np.where(b != 0, a / b, NAN)

        out["ratio_service"] = out["pi_m"] / out["pi_po"]
        out["ratio_uniform"] = out["pi_m"] / out["pi_u"]
        out["ratio_pi_m_RM"] = ratio(out["pi_m_R"], out["pi_m_M"])
        out["ratio_pi_r_RM"] = ratio(out["pi_r_R"], out["pi_r_M"])
        out["ratio_s2_RC"] = ratio(out["s2_R"], out["s2"])
        out["ratio_s2_MC"] = ratio(out["s2_M"], out["s2"])
        rho1, rho2, b2, lambda2, t2 = K["rho1"], K["rho2"], P["b2"], P["lambda2"], P["theta2"]**2
        out["rho1"], out["rho2"] = rho1, rho2
        out["kappa"] = 2 * lambda2 * b2 * rho2 - rho1 * t2
        out["kappa_R"] = 2 * P["lambda_r"] * b2 * rho2 - rho1 * t2
        out["kappa_M"] = 4 * lambda2 * b2 * rho2 - rho1 * t2
        z_n = P["N2"] - lambda2 * b2 * A2 / g2
        x_n = b2 * (p1n + P["c_G"])
        out["delta_ideal"] = np.where(z_n > x_n, x_n / z_n, 1.0)
        out["delta_max"] = 2 * P["lambda_G"] * b2 / (2 * P["lambda_G"] * b2 + P["theta_G"]**2)
        rad = 2 * P["lambda1"] * P["b1"] - 2 * P["lambda1"] * b2 * A1 / K["E0"]
        out["theta1_tilde"] = np.where((K["E0"] > 0) & (rad > 0), np.sqrt(rad), NAN)
        out["theta2_tilde"] = np.sqrt(np.minimum(lambda2 * b2, 2 * lambda2 * b2 * rho2 / rho1))
        out["lambda_bar"] = np.where(P["theta2"] > 0, 8 * lambda2**2 * b2 * rho2
                                     / (8 * lambda2 * b2 * rho2 - rho1 * t2), np.inf)

        # ---- invalid points (reasons 1-4): all NaN, codes 0 --------------------------------
        for name in CODE_NAMES:
            value = np.broadcast_to(out[name], shape)
            if not name.startswith("invalid_reason"):
                value = np.where(valid, value, 0)
            out[name] = value.astype(np.int8)
        for name in FLOAT_NAMES:
            out[name] = np.where(valid, np.broadcast_to(out[name], shape), NAN).astype(np.float64)
    return out


if __name__ == "__main__":  # self-check against the oracle point cases
    import json
    import math
    import pathlib
    import sys

    path = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "service_gray_market.json"
    cases = json.loads(path.read_text())["point_cases"]
    n_bad = 0
    for case in cases:
        res = solve_numpy(**case["params"])
        for name, want in case["outputs"].items():
            got = float(res[name][()])
            if want is None:
                ok = math.isnan(got)
            elif want == "inf":
                ok = got == math.inf
            else:
                ok = abs(got - float(want)) <= case["tol_rel"] * max(1.0, abs(float(want)))
            if not ok:
                n_bad += 1
                print(f"MISMATCH {case['name']:28s} {name:16s} got={got!r} want={want!r}")
    print(f"{len(cases)} point cases, {n_bad} mismatches")
    sys.exit(1 if n_bad else 0)
