"""Benchmark adaptive region maps (``fastmap.sweep(..., adaptive=True)``) against dense maps, and
the accuracy of the exact boundaries (``fastmap.boundaries``) against closed-form thresholds.

Adaptive vs dense, ``regime`` only, ``coarse=16``, for three maps (other parameters at the model
defaults, checked against the values below):

* ``import_tax_channels`` over (delta in [0.01, 0.99], t in [0, 1]) at ``--n`` x ``--n``;
* ``stochastic_newsvendor`` over (omega in [0.3, 0.999], b1 in [1.25, 4]) at ``--n2`` x ``--n2``,
  uniform noise (dist=0) with sigma1 = sigma2 = sigma = 50, N1 = N2 = 1500, b2 = 1, c = 250,
  c_G = 10;
* ``power_structures`` over (r in [1, 12], gamma in [0.01, 0.99]) at ``--n`` x ``--n``.

For each map: kernel evaluations of the adaptive map (``ds.attrs["fastmap_evaluations"]``) and
their fraction of the dense map's n*n; wall time of each (best of ``--repeat`` after a warm-up of
both on a 65 x 65 grid); cells whose labels differ between the two maps, all of them and those
not in the one-cell band of a region boundary (a cell is in the band when one of its 8 neighbours
carries another label in the dense map).

Boundary accuracy: ``fastmap.boundaries`` of a 300 x 300 ``import_tax_channels`` map over the
same (delta, t) ranges. Each crossing point on a pair of labels separated by a closed-form
threshold of t (spec §10.1: pairs (1,3), (1,4) at t1; (2,3) at t3; (3,4) at t4; (2,5), (3,5) at
t2) is compared with the threshold evaluated at its delta (``fastmap.solve(..., delta=x, t=0)``):
distance ``|t_point - t_threshold(delta_point)|``. Pair (1,5) is the vertical line R(delta) = 0;
its distance in delta is estimated by one Newton step, ``|R| / |dR/ddelta|`` (central difference).
A pair not in this table is reported and counts as a miss.

Targets (exit status 1 if one is missed): adaptive evaluations <= 5 % of the dense map's, no
differing cell outside the boundary bands, boundary distance <= 1e-9.

    .venv/bin/python benchmarks/bench_adaptive.py [--n 8192] [--n2 2048] [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time

import numpy as np

import fastmap

TARGET_FRACTION = 0.05
TARGET_OUTSIDE_BANDS = 0
TARGET_DISTANCE = 1e-9
COARSE = 16
WARMUP_N = 65
BOUNDARY_N = 300

TAX = "import_tax_channels"
TAX_AXES = {"delta": (0.01, 0.99), "t": (0.0, 1.0)}
# Closed-form threshold of t separating each pair of regime codes; "R": the line R(delta) = 0.
TAX_THRESHOLDS = {(1, 3): "t1", (1, 4): "t1", (2, 3): "t3", (3, 4): "t4", (2, 5): "t2",
                  (3, 5): "t2", (1, 5): "R"}

# (model, axes {name: (lo, hi)}, fixed parameters, defaults the benchmark relies on, size option)
MAPS = [
    (TAX, TAX_AXES, {}, {"t_g": 0.05, "N_d": 1.0, "N_f": 1.0, "theta_d": 1.0, "theta_f": 1.0,
                         "alpha": 0.2, "beta": 0.2}, "n"),
    ("stochastic_newsvendor", {"omega": (0.3, 0.999), "b1": (1.25, 4.0)},
     {"dist": 0.0, "sigma": 50.0}, {"N1": 1500.0, "N2": 1500.0, "b2": 1.0, "c": 250.0,
                                     "c_G": 10.0}, "n2"),
    ("power_structures", {"r": (1.0, 12.0), "gamma": (0.01, 0.99)}, {},
     {"theta1": 1 / 7, "theta2": 0.5, "eta": 0.8, "w12": 0.0, "tau": 1.0}, "n"),
]


def grid_axes(axes: dict, n: int) -> dict:
    return {name: np.linspace(lo, hi, n) for name, (lo, hi) in axes.items()}


def check_defaults(model: str, expected: dict) -> None:
    """Stop if the model's defaults are not the values this benchmark states it uses."""
    defaults = {p.name: p.default for p in fastmap.model(model).parameters}
    differ = {k: (defaults.get(k), v) for k, v in expected.items()
              if defaults.get(k) is None or not np.isclose(defaults[k], v, rtol=1e-15, atol=0)}
    if differ:
        sys.exit(f"{model}: defaults differ from the benchmark's (model, benchmark): {differ}")


def best_and_result(repeat: int, fn):
    """Best wall time of ``repeat`` calls of ``fn`` and the result of the first call (kept to
    compare maps; the later results are dropped before the next call)."""
    best, first = float("inf"), None
    for k in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        if k == 0:
            first = result
        del result
    gc.collect()
    return best, first


def boundary_band(labels: np.ndarray) -> np.ndarray:
    """Cells of a 2-D label map with at least one of their 8 neighbours labelled differently."""
    band = np.zeros(labels.shape, dtype=bool)
    ny, nx = labels.shape
    for di, dj in ((1, 0), (0, 1), (1, 1), (1, -1)):
        lo = (slice(0, ny - di), slice(max(0, -dj), nx - max(0, dj)))
        hi = (slice(di, ny), slice(max(0, dj), nx - max(0, -dj)))
        differ = labels[lo] != labels[hi]
        band[lo] |= differ
        band[hi] |= differ
    return band


def compare(model: str, axes: dict, fixed: dict, n: int, repeat: int) -> dict:
    """Adaptive vs dense ``regime`` map of ``model`` on an n x n grid (module docstring)."""
    def dense(size):
        return fastmap.sweep(model, outputs=["regime"], **grid_axes(axes, size), **fixed)

    def adaptive(size):
        return fastmap.sweep(model, adaptive=True, coarse=COARSE, outputs=["regime"],
                             **grid_axes(axes, size), **fixed)

    dense(WARMUP_N), adaptive(WARMUP_N)  # compile / load the numba cache, import everything
    dense_s, dense_ds = best_and_result(repeat, lambda: dense(n))
    adaptive_s, adaptive_ds = best_and_result(repeat, lambda: adaptive(n))
    want = dense_ds["regime"].values
    got = adaptive_ds["regime"].transpose(*dense_ds["regime"].dims).values
    differ = got != want
    band = boundary_band(want)
    outside = differ & ~band
    evaluations = int(adaptive_ds.attrs["fastmap_evaluations"])
    result = {"model": model, "axes": {k: list(v) for k, v in axes.items()}, "fixed": fixed,
              "n": n, "cells": n * n, "coarse": COARSE, "evaluations": evaluations,
              "fraction": evaluations / (n * n), "dense_s": dense_s, "adaptive_s": adaptive_s,
              "speedup": dense_s / adaptive_s, "differing_cells": int(differ.sum()),
              "differing_outside_bands": int(outside.sum()),
              "band_cells": int(band.sum()),
              "regimes": sorted(int(c) for c in np.unique(want))}
    result["ok"] = (result["fraction"] <= TARGET_FRACTION
                    and result["differing_outside_bands"] <= TARGET_OUTSIDE_BANDS)
    return result


def boundary_accuracy(n: int) -> dict:
    """Distance of ``fastmap.boundaries`` points from the closed-form thresholds (docstring)."""
    ds = fastmap.sweep(TAX, outputs=["regime"], **grid_axes(TAX_AXES, n))
    t0 = time.perf_counter()
    curves = fastmap.boundaries(ds)
    seconds = time.perf_counter() - t0
    pairs = {}
    for c in curves:
        threshold = TAX_THRESHOLDS.get(c.codes)
        if threshold is None:
            distance = float("inf")  # a boundary this benchmark has no closed form for
        elif threshold == "R":
            h = 1e-6
            r = fastmap.solve(TAX, delta=c.x, t=c.y)["R"]
            slope = (fastmap.solve(TAX, delta=c.x + h, t=c.y)["R"]
                     - fastmap.solve(TAX, delta=c.x - h, t=c.y)["R"]) / (2 * h)
            distance = float(np.max(np.abs(r / slope)))
        else:
            exact = fastmap.solve(TAX, delta=c.x, t=np.zeros_like(c.x))[threshold]
            distance = float(np.max(np.abs(c.y - exact)))
        entry = pairs.setdefault(f"{c.codes[0]},{c.codes[1]}", {
            "labels": list(c.labels), "threshold": threshold or "none", "curves": 0,
            "points": 0, "max_distance": 0.0,
            "axis": "delta" if threshold == "R" else "t"})
        entry["curves"] += 1
        entry["points"] += len(c.x)
        entry["max_distance"] = max(entry["max_distance"], distance)
    worst = max((p["max_distance"] for p in pairs.values()), default=float("inf"))
    return {"model": TAX, "n": n, "boundaries_s": seconds, "curves": len(curves), "pairs": pairs,
            "max_distance": worst, "ok": worst <= TARGET_DISTANCE}


# ------------------------------------------------------------------------------------- output

def show_maps(results: list[dict]) -> None:
    head = (f"{'model':22s} {'grid':>11s} {'evaluations':>12s} {'fraction':>9s} {'dense s':>8s} "
            f"{'adapt. s':>8s} {'speedup':>7s} {'differ':>7s} {'outside':>7s}  target")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r['model']:22s} {r['n']:>5}x{r['n']:<5} {r['evaluations']:>12,} "
              f"{100 * r['fraction']:8.2f}% {r['dense_s']:8.2f} {r['adaptive_s']:8.2f} "
              f"{r['speedup']:6.1f}x {r['differing_cells']:>7,} "
              f"{r['differing_outside_bands']:>7,}  {'met' if r['ok'] else 'NOT met'}")
    print(f"(fraction = evaluations / n^2, target <= {100 * TARGET_FRACTION:g} %; differ = cells "
          f"labelled differently, outside = those not next to a dense-map boundary, target "
          f"{TARGET_OUTSIDE_BANDS})")


def show_boundaries(b: dict) -> None:
    print(f"\nboundaries of {b['model']} at {b['n']}x{b['n']} ({b['curves']} curves, "
          f"{b['boundaries_s']:.2f} s):")
    print(f"{'pair':6s} {'labels':42s} {'threshold':>9s} {'points':>7s} {'max distance':>13s}")
    for pair, p in b["pairs"].items():
        print(f"{pair:6s} {' | '.join(p['labels']):42s} {p['threshold']:>9s} {p['points']:>7} "
              f"{p['max_distance']:13.2e} (in {p['axis']})")
    print(f"max distance {b['max_distance']:.2e} (target <= {TARGET_DISTANCE:g}): "
          f"{'met' if b['ok'] else 'NOT met'}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=8192,
                        help="side of the import_tax_channels and power_structures maps")
    parser.add_argument("--n2", type=int, default=2048,
                        help="side of the stochastic_newsvendor map")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per map (best taken)")
    parser.add_argument("--json", metavar="PATH", help="write the results here")
    args = parser.parse_args(argv)

    for model, _, _, defaults, _ in MAPS:
        check_defaults(model, defaults)
    load_start = os.getloadavg()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}", flush=True)
    maps = []
    for model, axes, fixed, _, size in MAPS:
        maps.append(compare(model, axes, fixed, getattr(args, size), args.repeat))
        print(f"  {model}: done", flush=True)
    accuracy = boundary_accuracy(BOUNDARY_N)
    load_end = os.getloadavg()
    print()
    show_maps(maps)
    show_boundaries(accuracy)
    print(f"\nload average at start {load_start[0]:.2f}, at end {load_end[0]:.2f} "
          f"({os.cpu_count()} CPUs)")
    ok = all(r["ok"] for r in maps) and accuracy["ok"]
    print("all targets met" if ok else "TARGET MISSED")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"python": platform.python_version(), "cpus": os.cpu_count(),
                       "load_average_start": load_start, "load_average_end": load_end,
                       "repeat": args.repeat, "targets": {
                           "fraction": TARGET_FRACTION, "outside_bands": TARGET_OUTSIDE_BANDS,
                           "distance": TARGET_DISTANCE},
                       "maps": maps, "boundaries": accuracy, "ok": ok}, f, indent=2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
