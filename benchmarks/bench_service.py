"""Benchmark fastmap's compiled ``service_gray_market`` kernel against a NumPy baseline.

Grid (delta, c_G): delta in [0.01, 0.98], c_G in [0, 60], other parameters at the model
defaults: the paper's set 1. The baseline (:mod:`numpy_service`) has every output but the 19
signed margins: 68 float64 + 15 int8 arrays of n*n cells. Sanity check: codes exactly, floats
within 1e-9 relative plus 1e-12 of the output's largest magnitude on the subgrid, because several
outputs are differences of terms of order 1e6 that vanish (e.g. the retailer's profit at the
participation price). Besides wall times, the best process CPU time (all threads) of each
measurement is reported. What is timed, and the targets: :mod:`closed_form`.

    .venv/bin/python benchmarks/bench_service.py --n 2048 --json out.json
"""

from __future__ import annotations

import sys

import numpy as np

from closed_form import Benchmark, main as run
from numpy_service import CODE_NAMES, FLOAT_NAMES, OUTPUT_NAMES, solve_numpy

DEFAULTS = {"N1": 10000.0, "N2": 10000.0, "b1": 24.0, "b2": 10.0, "c": 100.0, "theta1": 3.0,
            "theta2": 4.0, "lambda1": 12.0, "lambda2": 24.0, "theta_G": 3.0, "lambda_G": 36.0}

BENCHMARK = Benchmark(
    model="service_gray_market", axes=("delta", "c_G"),
    make_axes=lambda n: (np.linspace(0.01, 0.98, n), np.linspace(0.0, 60.0, n)),
    defaults=DEFAULTS, baseline=lambda delta, c_G: solve_numpy(delta=delta, c_G=c_G, **DEFAULTS),
    output_names=OUTPUT_NAMES, float_names=FLOAT_NAMES, code_names=CODE_NAMES,
    n=2048, block_rows=64, rtol=1e-9, atol=0.0, atol_of_scale=1e-12, cpu_times=True)


def main(argv=None):
    return run(BENCHMARK, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
