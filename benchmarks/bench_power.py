"""Benchmark fastmap's compiled ``power_structures`` kernel against a NumPy baseline.

Grid (r, gamma): WTP ratio r = theta2/theta1 in [1, 40], gamma in [0.01, 0.99], other parameters
at the model defaults theta2 = 0.5, eta = 0.8, w12 = 0, tau = 1. The baseline
(:mod:`numpy_power`, same spec) has every output but the 10 signed margins: 88 float64 + 6 int8
arrays of n*n cells. Sanity check: codes exactly, floats with rtol=atol=1e-12. What is timed, and
the targets: :mod:`closed_form`.

    .venv/bin/python benchmarks/bench_power.py --n 2048 --json out.json
"""

from __future__ import annotations

import sys

import numpy as np

from closed_form import Benchmark, main as run
from numpy_power import CODE_NAMES, FLOAT_NAMES, OUTPUT_NAMES, solve_numpy

DEFAULTS = {"theta2": 0.5, "eta": 0.8, "w12": 0.0, "tau": 1.0}


def baseline(r, gamma):
    """The baseline at the defaults; it takes theta1 = theta2 / r rather than the ratio."""
    p = DEFAULTS
    return solve_numpy(p["theta2"] / r, p["theta2"], p["eta"], gamma, p["w12"], p["tau"])


BENCHMARK = Benchmark(
    model="power_structures", axes=("r", "gamma"),
    make_axes=lambda n: (np.linspace(1.0, 40.0, n), np.linspace(0.01, 0.99, n)),
    defaults=DEFAULTS, baseline=baseline,
    output_names=OUTPUT_NAMES, float_names=FLOAT_NAMES, code_names=CODE_NAMES,
    n=4096, block_rows=256, rtol=1e-12, atol=1e-12)


def main(argv=None):
    return run(BENCHMARK, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
