"""Benchmark fastmap's compiled ``nev_parallel_export`` kernel against a NumPy baseline.

Grid (theta, k): theta in [0.005, 1], k in [2.01, 12], other parameters at the model defaults
beta=0.5, reading=1. The baseline (:mod:`numpy_nev`) has every output but the 7 signed margins:
99 float64 + 12 int8 arrays of n*n cells; the regime-only run maps ``regime_cr``. Sanity check:
codes exactly, floats with rtol=atol=1e-12; then the same comparison at 65,536 random points of
the whole domain (both readings, theta and k - 2 log-uniform, beta uniform, some points outside
the domain) with the oracle's tolerance 1e-9: near k = 2 some outputs (M1's tiny accommodation
quantities) are ill-conditioned and the two implementations' different formulas differ there by a
few 1e-12. What is timed, and the targets: :mod:`closed_form`.

    .venv/bin/python benchmarks/bench_nev.py --n 2048 --json out.json
"""

from __future__ import annotations

import sys

import numpy as np

from closed_form import Benchmark, ExtraCheck, main as run
from numpy_nev import CODE_NAMES, FLOAT_NAMES, OUTPUT_NAMES, solve_numpy

MODEL = "nev_parallel_export"
DEFAULTS = {"beta": 0.5, "reading": 1.0}
RANDOM_POINTS = 65536
RANDOM_TOL = 1e-9


def random_check(fastmap, n_points=RANDOM_POINTS, seed=0):
    """Baseline == fastmap at random points of the whole domain (both readings, some invalid)."""
    rng = np.random.default_rng(seed)
    theta = np.exp(rng.uniform(np.log(0.005), np.log(1.05), n_points))
    k = 2.0 + np.exp(rng.uniform(np.log(1e-3), np.log(60.0), n_points))
    k[:n_points // 50] = rng.uniform(1.5, 2.6, n_points // 50)
    beta = rng.uniform(-0.01, 1.0, n_points)
    reading = rng.integers(0, 2, n_points).astype(float)
    got = fastmap.solve(MODEL, theta=theta, k=k, beta=beta, reading=reading)
    want = solve_numpy(theta, k, beta, reading)
    mismatches = {}
    for name in OUTPUT_NAMES:
        if name in CODE_NAMES:
            bad = got[name].astype(np.int64) != want[name].astype(np.int64)
        else:
            bad = ~np.isclose(got[name], want[name], rtol=RANDOM_TOL, atol=RANDOM_TOL, equal_nan=True)
        mismatches[name] = int(bad.sum())
    return {"points": n_points, "tolerance": RANDOM_TOL, "mismatches": mismatches}


BENCHMARK = Benchmark(
    model=MODEL, axes=("theta", "k"),
    make_axes=lambda n: (np.linspace(0.005, 1.0, n), np.linspace(2.01, 12.0, n)),
    defaults=DEFAULTS, baseline=lambda theta, k: solve_numpy(theta, k, **DEFAULTS),
    output_names=OUTPUT_NAMES, float_names=FLOAT_NAMES, code_names=CODE_NAMES,
    regime="regime_cr", n=2048, block_rows=256, rtol=1e-12, atol=1e-12,
    extra_checks=(ExtraCheck("random_check",
                             f"random check at {RANDOM_POINTS:,} points (both readings, whole domain)",
                             random_check),))


def main(argv=None):
    return run(BENCHMARK, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
