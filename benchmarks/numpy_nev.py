"""Vectorised-NumPy baseline for the model ``nev_parallel_export``.

The implementation a researcher would write by hand: whole-array expressions (``np.where``,
``np.maximum``, ...), no numba, no per-point loop, written from the spec
(``/work/shared/models/nev_parallel_export.md``: §3 domain, §6 CN, §7.2 CR accommodation, §8.3 CT
accommodation with its *sympy closed forms* of H and c (the kernel builds them from the stage-2
system instead, so the two are independent), §9 blocking, §10 codes, §11 outputs; plus the
erratum to §9.1: CT accommodation is the true outcome where valid and better than blocking). It is the speed
baseline of ``benchmarks/bench_nev.py`` and a second implementation of the compiled kernel.

    solve_numpy(theta, k, beta, reading) -> dict[str, np.ndarray]   (12 int8 codes + 99 floats)

Inputs broadcast together. Invalid points: every code 0, every float NaN.
"""

from __future__ import annotations

import numpy as np

__all__ = ["solve_numpy", "CODE_NAMES", "FLOAT_NAMES", "OUTPUT_NAMES"]

CODE_NAMES = ("regime_cn", "regime_cr", "regime_ct", "regime_cr_paper", "regime_ct_paper",
              "paper_cr", "paper_ct", "t5_market1_cr", "t5_ad_mix_cr", "t7_ad_cr",
              "t9_market1_ct", "t8_market2_ct")
FIELDS = ("w", "q_2", "e", "q_1", "q_r", "q_par", "p_1", "p_2", "p_g", "p_r", "pi_2", "pi_2_m1",
          "pi_2_m2", "pi_1", "pi_R", "pi_T")
TAGS = ("cn", "cr", "ct", "cr_acc", "ct_acc")
FLOAT_NAMES = (tuple(f"{f}_{t}" for t in TAGS for f in FIELDS)
               + tuple(f"ratio_{who}_{t}" for t in TAGS[1:] for who in ("pi_2", "pi_R", "pi_1"))
               + ("k_H_cr", "floor_alpha_cr", "floor_lambda_cr", "floor_alpha_ct", "floor_lambda_ct",
                  "b_v", "b_e"))
OUTPUT_NAMES = CODE_NAMES + FLOAT_NAMES
K_MIN_CT = 2.5
NAN = np.nan


def _outcome(tag, w, q2, e, q1, q_r, q_par, p1, p2, p_g, p_r, m2, pi_R, pi_T, k):
    m1 = p2 * q2 - k * e**2 / 2.0
    values = dict(w=w, q_2=q2, e=e, q_1=q1, q_r=q_r, q_par=q_par, p_1=p1, p_2=p2, p_g=p_g, p_r=p_r,
                  pi_2=m1 + m2, pi_2_m1=m1, pi_2_m2=m2, pi_1=p1 * q1, pi_R=pi_R, pi_T=pi_T)
    return {f"{name}_{tag}": value for name, value in values.items()}


def _blocked(tag, theta, k, w, q2, room, e):
    """§9.3 outcome quantities without parallel trade; ``room`` = 1 - q2 (CN's as (k-2)/(2(k-1)),
    exact near k = 2)."""
    q1 = room / 2.0
    q_r = np.maximum(0.0, (theta - w) / (2.0 * theta))
    p1 = room - q1
    p_r = theta * (1.0 - q_r)
    zero = np.zeros_like(w)
    return _outcome(tag, w, q2, e, q1, q_r, zero, p1, p1 + e, np.full_like(w, NAN), p_r, w * q_r,
                    (p_r - w) * q_r, zero, k)


def _cramer3(H, c):
    """Solve H x = -c for stacked symmetric 3x3 H (dict of entries) elementwise."""
    h11, h12, h13, h22, h23, h33 = (H[key] for key in ("11", "12", "13", "22", "23", "33"))
    r1, r2, r3 = -c[0], -c[1], -c[2]
    det = (h11 * (h22 * h33 - h23**2) - h12 * (h12 * h33 - h23 * h13)
           + h13 * (h12 * h23 - h22 * h13))
    x1 = (r1 * (h22 * h33 - h23**2) - h12 * (r2 * h33 - h23 * r3) + h13 * (r2 * h23 - h22 * r3)) / det
    x2 = (h11 * (r2 * h33 - h23 * r3) - r1 * (h12 * h33 - h23 * h13) + h13 * (h12 * r3 - r2 * h13)) / det
    x3 = (h11 * (h22 * r3 - r2 * h23) - h12 * (h12 * r3 - r2 * h13) + r1 * (h12 * h23 - h22 * h13)) / det
    return det, x1, x2, x3


def _true_outcome(theta, k, b_v, b_e, alpha, lam, q2_cn, room_cn, e_cn, is_ct):
    """§9.3: best blocking candidate (code, w, q2, 1 - q2, e); ties go to the earlier code."""
    L = lambda q2, e: alpha + lam * (b_e * e + b_v * (1.0 - q2) / 2.0)  # noqa: E731
    f1 = lambda q2, e: ((1.0 - q2) / 2.0 + e) * q2 - k * e**2 / 2.0  # noqa: E731
    l0 = alpha + lam * b_v / 2.0
    lq = -lam * b_v / 2.0
    le = lam * b_e
    m0 = 0.5 - l0 / theta
    a11, a12, a22 = 1.0 + lq**2 / theta, 1.0 - lq * le / theta, k + le**2 / theta
    r1, r2 = 0.5 + lq * m0, le * m0
    det = a11 * a22 - a12**2
    stationary = ((r1 * a22 + a12 * r2) / det, (a11 * r2 + a12 * r1) / det)
    face = (r1 / a11, np.zeros_like(r1))
    best = np.full(theta.shape, -np.inf)
    w = np.full(theta.shape, NAN)
    q2 = np.full(theta.shape, NAN)
    room = np.full(theta.shape, NAN)
    e = np.full(theta.shape, NAN)
    code = np.zeros(theta.shape, dtype=np.int8)
    for cq, ce in (stationary, face):
        cw = L(cq, ce)
        value = np.where((cq >= 0) & (cq < 1) & (ce >= 0) & (cw >= 0) & (cw <= theta),
                         f1(cq, ce) + cw * (theta - cw) / (2.0 * theta), -np.inf)
        take = value > best
        best, w, q2, e = (np.where(take, value, best), np.where(take, cw, w), np.where(take, cq, q2),
                          np.where(take, ce, e))
        room = np.where(take, 1.0 - cq, room)
        code = np.where(take, 2, code)
    w_close = theta if is_ct else np.maximum(theta, L(q2_cn, e_cn))
    for value, cw, cq, cr, ce, c in ((k / (8.0 * (k - 1.0)), w_close, q2_cn, room_cn, e_cn, 3),
                                     (1.0 / (2.0 * k) + theta / 8.0, theta / 2.0, np.ones_like(k),
                                      np.zeros_like(k), 1.0 / k, 4)):
        take = value > best
        best, w, q2, e = (np.where(take, value, best), np.where(take, cw, w), np.where(take, cq, q2),
                          np.where(take, ce, e))
        room = np.where(take, cr, room)
        code = np.where(take, c, code)
    no_threat = theta / 2.0 >= L(q2_cn, e_cn)
    code = np.where(no_threat, 1, code).astype(np.int8)
    return (code, np.where(no_threat, theta / 2.0, w), np.where(no_threat, q2_cn, q2),
            np.where(no_threat, room_cn, room), np.where(no_threat, e_cn, e))


def _status(checks):
    """First failing check's code, else 1 (checks: list of (failed_mask, code), in order)."""
    status = np.ones(checks[0][0].shape, dtype=np.int8)
    for failed, code in reversed(checks):
        status = np.where(failed, code, status)
    return status


def solve_numpy(theta, k, beta, reading):
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (theta, k, beta, reading)))
    theta, k, beta, reading = (np.array(a) for a in arrays)
    out = {}
    with np.errstate(all="ignore"):
        valid = ((theta > 0) & (theta <= 1) & (k > 2) & np.isfinite(k) & (beta > 0) & (beta < 1)
                 & ((reading == 0) | (reading == 1)))
        b_v = np.where(reading == 1, 1.0, beta)
        b_e = np.where(reading == 1, beta, 0.0)

        # §6 CN.
        q2_cn = k / (2.0 * (k - 1.0))
        room_cn = (k - 2.0) / (2.0 * (k - 1.0))
        e_cn = 1.0 / (2.0 * (k - 1.0))
        out.update(_blocked("cn", theta, k, theta / 2.0, q2_cn, room_cn, e_cn))

        # §9.2 floors and §9.3 true outcomes.
        xi = theta / (b_v + theta)
        rho = np.sqrt(1.0 - xi / 2.0)
        T2 = 2.0 * ((xi / 2.0) / (1.0 + rho)) / xi
        lam_ct = 1.0 / T2
        alpha_ct = theta * (1.0 - lam_ct)
        zero, one = np.zeros_like(theta), np.ones_like(theta)
        regime_cr, w, q2, room, e = _true_outcome(theta, k, b_v, b_e, zero, one, q2_cn, room_cn,
                                                  e_cn, False)
        out.update(_blocked("cr", theta, k, w, q2, room, e))
        regime_ct, w, q2, room, e = _true_outcome(theta, k, b_v, b_e, alpha_ct, lam_ct, q2_cn,
                                                  room_cn, e_cn, True)
        ct_ok = k >= K_MIN_CT
        regime_ct = np.where(ct_ok, regime_ct, 0).astype(np.int8)
        for name, value in _blocked("ct", theta, k, w, q2, room, e).items():
            out[name] = np.where(ct_ok, value, NAN)

        # §7.2 CR accommodation.
        u = b_v * (2.0 - b_v)
        H = {"11": -1.0 / theta - (4.0 - b_v) / (2.0 * u), "12": zero,
             "13": b_e * (4.0 - b_v) / (4.0 * u), "22": -(2.0 - b_v) / 2.0 + zero,
             "23": 1.0 - b_e / 4.0 + zero, "33": -k}
        k_H = 2.0 * H["23"] ** 2 / (2.0 - b_v) + H["13"] ** 2 / np.abs(H["11"])
        det, w, q2, e = _cramer3(H, (0.75 + zero, (2.0 - b_v) / 4.0, zero))
        q_g = (1.0 - q2) / 4.0 - (4.0 - b_v) * (w - b_e * e) / (4.0 * u)
        q1 = (1.0 - q2) / 2.0 + (w - b_e * e) / (2.0 * (2.0 - b_v))
        q_r = (theta - w) / (2.0 * theta)
        s = 1.0 - q1 - q2
        p1 = s - b_v * q_g
        p_g = b_v * (s - q_g) + b_e * e
        p_r = theta * (1.0 - q_r)
        cr = _outcome("cr_acc", w, q2, e, q1, q_r, q_g, p1, p1 + e, p_g, p_r, w * (q_r + q_g),
                      (p_r - w) * q_r + (p_g - w) * np.maximum(q_g, 0.0), zero, k)
        singular_cr = det == 0
        out.update({name: np.where(singular_cr, NAN, value) for name, value in cr.items()})
        paper_cr = _status([(singular_cr, 0), (k <= k_H, 2), (q_g <= 0, 3), (q_r <= 0, 4),
                            (q1 <= 0, 5), ((e <= 0) | (w <= 0) | (q2 >= 1) | (q_g >= s), 6)])

        # §8.3 CT accommodation from the closed forms of H and c.
        bv, be, th = b_v, b_e, theta
        D = 8 * bv**3 + 5 * bv**2 * th - 16 * bv**2 - 24 * bv * th - 8 * th**2
        Z = bv**2 - 2 * bv - 2 * th
        H = {"11": -8 * (bv + th) * Z / (th * D), "12": zero,
             "13": be * (bv**2 - 4 * bv - 4 * th) / D,
             "22": Z * (4 * bv**3 + 3 * bv**2 * th - 8 * bv**2 - 12 * bv * th - 4 * th**2) / ((bv + th) * D),
             "23": -(4 * be * bv**4 + 3 * be * bv**3 * th - 8 * be * bv**3 - 14 * be * bv**2 * th
                     - 6 * be * bv * th**2 - 16 * bv**4 - 26 * bv**3 * th + 32 * bv**3
                     - 10 * bv**2 * th**2 + 80 * bv**2 * th + 64 * bv * th**2 + 16 * th**3)
                   / (2 * (bv + th) * D),
             "33": -k}
        c = ((5 * bv**3 + 3 * bv**2 * th - 10 * bv**2 - 14 * bv * th - 4 * th**2) / D,
             -Z * (4 * bv**3 + bv**2 * th - 8 * bv**2 - bv * th**2 - 12 * bv * th - 4 * th**2)
             / (2 * (bv + th) * D), zero)
        det, w, q2, e = _cramer3(H, c)
        minor2 = H["11"] * H["22"] - H["12"] ** 2
        # §8.2 stage 2 at these decisions, then §8.1.
        g = 2.0 * (bv + th)
        a11, a12, a22 = 2 * (g - bv**2), bv * th, 2 * th * (g - th)
        rhs1 = (g - bv**2) * (1 - q2) - bv * (be * e - th)
        rhs2 = g * th - th**2 + th * bv * (1 - q2) + th * be * e - g * w
        dm = a11 * a22 - a12**2
        q1 = (a22 * rhs1 - a12 * rhs2) / dm
        q_r = (a11 * rhs2 - a12 * rhs1) / dm
        s = 1.0 - q1 - q2
        q_t = (bv * s + be * e - th * (1 - q_r)) / g
        p1 = s - bv * q_t
        p_g = bv * (s - q_t) + be * e
        p_r = th * (1.0 - q_r + q_t)
        pi_R = (p_r - w) * q_r
        ct = _outcome("ct_acc", w, q2, e, q1, q_r, q_t, p1, p1 + e, p_g, p_r, w * q_r, pi_R,
                      (p_g - p_r) * np.maximum(q_t, 0.0), k)
        singular_ct = det == 0
        out.update({name: np.where(singular_ct, NAN, value) for name, value in ct.items()})
        qbar = np.maximum(0.0, -(bv * s + be * e - th) / th)
        q_out = np.minimum(np.maximum((th - w) / (2 * th), 0.0), qbar)
        paper_ct = _status([(singular_ct, 0), (~((H["11"] < 0) & (minor2 > 0) & (det < 0)), 2),
                            (q_t <= 0, 3), (q_r - q_t <= 0, 4), (q1 <= 0, 5),
                            ((e <= 0) | (w <= 0) | (q2 >= 1) | (q_t >= s) | (q_t >= q_r), 6),
                            ((th * (1 - q_out) - w) * q_out > pi_R, 7)])

        # CT: a valid accommodation equilibrium that pays M2 more than blocking is the true
        # outcome (code 5 accommodate; contrary to §9.1, found in reading A only).
        accommodate = (regime_ct > 0) & (paper_ct == 1) & (out["pi_2_ct_acc"] > out["pi_2_ct"])
        regime_ct = np.where(accommodate, 5, regime_ct).astype(np.int8)
        for f in FIELDS:
            out[f"{f}_ct"] = np.where(accommodate, out[f"{f}_ct_acc"], out[f"{f}_ct"])

        # §11 ratios, §10 codes.
        for tag in TAGS[1:]:
            for who in ("pi_2", "pi_R", "pi_1"):
                ref = out[f"{who}_cn"]
                out[f"ratio_{who}_{tag}"] = np.where(ref != 0, out[f"{who}_{tag}"] / ref, NAN)
        codes = {
            "regime_cn": np.ones(theta.shape, dtype=np.int8),
            "regime_cr": regime_cr, "regime_ct": regime_ct,
            "regime_cr_paper": np.where(paper_cr == 1, 1, np.where(regime_cr > 0, regime_cr + 1, 0)),
            "regime_ct_paper": np.where(paper_ct == 1, 1, np.where(regime_ct > 0, regime_ct + 1, 0)),
            "paper_cr": paper_cr, "paper_ct": paper_ct,
        }
        acc_cr, acc_ct = paper_cr == 1, paper_ct == 1
        for name, ok, cond in (
                ("t5_market1_cr", acc_cr, out["q_par_cr_acc"] > out["q_1_cr_acc"]),
                ("t5_ad_mix_cr", acc_cr, out["q_par_cr_acc"] > out["q_r_cr_acc"]),
                ("t7_ad_cr", acc_cr, out["pi_R_cr_acc"] > out["pi_R_cn"]),
                ("t9_market1_ct", acc_ct, out["q_par_ct_acc"] > out["q_1_ct_acc"]),
                ("t8_market2_ct", acc_ct, out["q_par_ct_acc"] > out["q_r_ct_acc"] - out["q_par_ct_acc"])):
            codes[name] = np.where(ok, np.where(cond, 1, 2), 0)
        out.update(k_H_cr=k_H, floor_alpha_cr=zero, floor_lambda_cr=one, floor_alpha_ct=alpha_ct,
                   floor_lambda_ct=lam_ct, b_v=b_v, b_e=b_e)

        result = {}
        for name in CODE_NAMES:
            result[name] = np.where(valid, codes[name], 0).astype(np.int8)
        for name in FLOAT_NAMES:
            result[name] = np.where(valid, out[name], NAN)
    return result
