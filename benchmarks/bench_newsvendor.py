"""Benchmark fastmap's compiled ``stochastic_newsvendor`` kernel against a per-cell scipy baseline.

Grid: omega in [0.3, 0.999] x b1 in [1.25, 4] (n x n), N1 = N2 = 1500, b2 = 1, c = 250, c_G = 10,
sigma = 50, for dist = 0 (uniform) and dist = 1 (normal). In one run, per distribution:

* fastmap, ALL outputs: ``fastmap.sweep("stochastic_newsvendor", omega=..., b1=..., dist=d,
  sigma=50.0)`` in memory (after one warm-up on a small grid);
* fastmap, the baseline's outputs (``outputs=scipy_newsvendor.OUTPUTS``: regime, invalid_reason,
  p1, p2, q1, q2, pi, mu and the strategy values; the kernel then skips the deterministic twin,
  the heuristics, uniform pricing and the details (dmu/domega, ratios), which none of them
  needs): the like-for-like comparison;
* fastmap, ``outputs=["regime"]``;
* the per-cell scipy baseline (:mod:`scipy_newsvendor`: Python loop, scipy brentq / ndtri /
  norm.pdf) on a random sample of ``--sample`` cells of the same grid, extrapolated to cells/s;
* sanity check on the sample: regime equal (except within 1e-7 relative of a profit tie) and pi
  agreeing to 1e-7 relative; exit status 1 on a mismatch.

The four timings run in turn in each of ``--repeat`` rounds, best of each
(``timing.best_of_interleaved``), so that the ratio compares the two sides under the same load.

Targets: kernel >= 1000x the baseline (same outputs), and >= 1e6 cells/s for uniform noise (all
outputs). The speedup with all outputs (~2.5x more work than the baseline does) is reported too.

    .venv/bin/python benchmarks/bench_newsvendor.py --n 1024 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

import numpy as np

from timing import best_of_interleaved

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scipy_newsvendor import OUTPUTS as BASELINE_OUTPUTS, candidate_values, solve_cell  # noqa: E402

MODEL = "stochastic_newsvendor"
FIXED = {"N1": 1500.0, "N2": 1500.0, "b2": 1.0, "c": 250.0, "c_G": 10.0}
SIGMA = 50.0
TARGET_SPEEDUP = 1000.0
TARGET_UNIFORM_CPS = 1e6
RTOL = 1e-7
TIE_RTOL = 1e-7
DIST_NAMES = {0: "uniform", 1: "normal"}


def axes(n):
    return np.linspace(0.3, 0.999, n), np.linspace(1.25, 4.0, n)


def run_fastmap(fastmap, omega, b1, dist, outputs=None):
    return fastmap.sweep(MODEL, omega=omega, b1=b1, dist=dist, sigma=SIGMA, outputs=outputs)


def run_baseline(cells, omega, b1, dist):
    return [solve_cell(omega=float(omega[i]), b1=float(b1[j]), dist=dist, sigma=SIGMA, **FIXED)
            for i, j in cells]


def rel(a, b):
    if a != a and b != b:
        return 0.0
    if a != a or b != b:
        return float("inf")
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def compare(ds, base, cells):
    """Sample check: regime (modulo profit ties) and pi; max relative diffs of other outputs."""
    reg = ds["regime"].values
    out = {"n": len(cells), "regime_mismatch": 0, "regime_tie_skipped": 0, "pi_mismatch": 0,
           "max_rel": {}, "regime_counts": {}, "examples": []}
    names = ["pi", "p1", "p2", "q1", "q2", "pi_nogray", "pi_blk", "pi_alw", "pi_sgl", "pi_cede", "mu"]
    vals = {k: ds[k].values for k in names}
    for (i, j), b in zip(cells, base):
        r_fm = int(reg[i, j])
        out["regime_counts"][r_fm] = out["regime_counts"].get(r_fm, 0) + 1
        if r_fm != b["regime"]:
            cand = sorted(candidate_values(b), reverse=True)
            tie = len(cand) >= 2 and rel(cand[0], cand[1]) <= TIE_RTOL
            mu = b["mu"]
            tie = tie or (mu == mu and abs(mu) <= TIE_RTOL * max(1.0, abs(b["pi"])))
            if tie:
                out["regime_tie_skipped"] += 1
            else:
                out["regime_mismatch"] += 1
                if len(out["examples"]) < 10:
                    out["examples"].append({"i": int(i), "j": int(j), "regime_fastmap": r_fm,
                                            "regime_scipy": b["regime"]})
        e = rel(float(vals["pi"][i, j]), b["pi"])
        if e > RTOL:
            out["pi_mismatch"] += 1
            if len(out["examples"]) < 10:
                out["examples"].append({"i": int(i), "j": int(j), "pi_fastmap": float(vals["pi"][i, j]),
                                        "pi_scipy": b["pi"]})
        for k in names:
            e = rel(float(vals[k][i, j]), b[k])
            out["max_rel"][k] = max(out["max_rel"].get(k, 0.0), e)
    out["ok"] = out["regime_mismatch"] == 0 and out["pi_mismatch"] == 0
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1024, help="grid side (n x n cells)")
    ap.add_argument("--sample", type=int, default=300, help="cells timed with the scipy baseline")
    ap.add_argument("--repeat", type=int, default=3, help="timings (fastmap and the baseline): best of")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=str, default=None, help="write the results here")
    args = ap.parse_args(argv)

    import numba
    import fastmap

    n = args.n
    omega, b1 = axes(n)
    rng = np.random.default_rng(args.seed)
    flat = rng.choice(n * n, size=min(args.sample, n * n), replace=False)
    cells = [(int(f // n), int(f % n)) for f in flat]

    # warm-up (compilation / cache load) on a small grid, both distributions, both output sets
    w_o, w_b = axes(16)
    for d in DIST_NAMES:
        run_fastmap(fastmap, w_o, w_b, d)
        run_fastmap(fastmap, w_o, w_b, d, outputs=list(BASELINE_OUTPUTS))
        run_fastmap(fastmap, w_o, w_b, d, outputs=["regime"])
    try:
        layer = numba.threading_layer()
    except Exception as exc:  # noqa: BLE001
        layer = f"unknown ({exc})"

    print(f"stochastic_newsvendor benchmark: grid {n} x {n} = {n * n:,} cells "
          f"(omega in [0.3, 0.999] x b1 in [1.25, 4]; N1 = N2 = 1500, b2 = 1, c = 250, c_G = 10, "
          f"sigma = {SIGMA:g})")
    print(f"numba {numba.__version__}: {numba.get_num_threads()} threads, threading layer {layer}; "
          f"os.cpu_count() = {os.cpu_count()}; {platform.python_implementation()} "
          f"{platform.python_version()}")
    print("baseline: per-cell Python/scipy (brentq, ndtri, norm.pdf) on a random sample of "
          f"{len(cells)} cells, extrapolated; it computes {', '.join(BASELINE_OUTPUTS)} (no uniform "
          "pricing, heuristics, deterministic twin, ratios); fastmap is timed on the same outputs "
          f"and on all {len(fastmap.model(MODEL).outputs)}.")
    results = {"n": n, "cells": n * n, "sample": len(cells), "numba_threads": numba.get_num_threads(),
               "threading_layer": layer, "cpu_count": os.cpu_count(), "dists": {}}
    ok_all = True
    for d, dname in DIST_NAMES.items():
        timings = best_of_interleaved(args.repeat, {
            "all": lambda: run_fastmap(fastmap, omega, b1, d),
            "same": lambda: run_fastmap(fastmap, omega, b1, d, list(BASELINE_OUTPUTS)),
            "regime": lambda: run_fastmap(fastmap, omega, b1, d, outputs=["regime"]),
            "baseline": lambda: run_baseline(cells, omega, b1, d)}, keep=("all", "baseline"))
        best, kept = timings.wall, timings.kept
        t_all, t_same, t_reg, t_base = best["all"], best["same"], best["regime"], best["baseline"]
        ds, base = kept["all"], kept["baseline"]
        cps_all = n * n / t_all
        cps_same = n * n / t_same
        cps_reg = n * n / t_reg
        cps_base = len(cells) / t_base
        chk = compare(ds, base, cells)
        del ds
        ratio = cps_all / cps_base
        ratio_same = cps_same / cps_base
        ratio_reg = cps_reg / cps_base
        meets_speedup = ratio_same >= TARGET_SPEEDUP
        meets_cps = cps_all >= TARGET_UNIFORM_CPS if d == 0 else None
        ok_all &= chk["ok"]
        print(f"\n[{dname} noise, dist = {d}]")
        print(f"  fastmap all outputs : {t_all:8.3f} s  {cps_all:14,.0f} cells/s")
        print(f"  fastmap same outputs: {t_same:8.3f} s  {cps_same:14,.0f} cells/s")
        print(f"  fastmap regime only : {t_reg:8.3f} s  {cps_reg:14,.0f} cells/s")
        print(f"  scipy baseline      : {t_base:8.3f} s for {len(cells)} cells  "
              f"{cps_base:14,.1f} cells/s  ({1e3 / cps_base:.2f} ms/cell; "
              f"extrapolated {n * n / cps_base / 3600:.2f} h for the grid)")
        print(f"  speedup same outputs: {ratio_same:12,.0f}x  (target >= {TARGET_SPEEDUP:,.0f}x: "
              f"{'MET' if meets_speedup else 'NOT MET'})")
        print(f"  speedup all outputs : {ratio:12,.0f}x")
        print(f"  speedup regime only : {ratio_reg:12,.0f}x")
        if d == 0:
            print(f"  uniform >= 1e6 cells/s (all outputs): {'MET' if meets_cps else 'NOT MET'}")
        print(f"  sample regimes (fastmap): {dict(sorted(chk['regime_counts'].items()))}")
        print(f"  sanity: regime mismatches {chk['regime_mismatch']} (tie-skipped "
              f"{chk['regime_tie_skipped']}), pi mismatches > {RTOL:g} rel: {chk['pi_mismatch']} "
              f"-> {'OK' if chk['ok'] else 'MISMATCH'}")
        print("  max rel diff on sample: " + ", ".join(f"{k} {v:.1e}" for k, v in chk["max_rel"].items()))
        for ex in chk["examples"]:
            print(f"    mismatch: {ex}")
        results["dists"][dname] = {
            "fastmap_all_s": t_all, "fastmap_all_cells_per_s": cps_all,
            "fastmap_same_outputs_s": t_same, "fastmap_same_outputs_cells_per_s": cps_same,
            "speedup_same_outputs": ratio_same,
            "fastmap_regime_s": t_reg, "fastmap_regime_cells_per_s": cps_reg,
            "baseline_s": t_base, "baseline_cells_per_s": cps_base,
            "speedup_all": ratio, "speedup_regime": ratio_reg,
            "meets_speedup_target": meets_speedup, "meets_uniform_cps_target": meets_cps,
            "check": chk}
    results["ok"] = ok_all
    print(f"\nsanity check overall: {'OK' if ok_all else 'MISMATCH'}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
        print(f"wrote {args.json}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
