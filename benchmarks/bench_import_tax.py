"""Benchmark fastmap's compiled ``import_tax_channels`` kernel against a NumPy baseline.

Grid (delta, t): delta in [0.01, 0.99], t in [0, 1], other parameters at the model defaults
t_g=0.05, N_d=N_f=theta_d=theta_f=1, alpha=beta=0.2. The baseline (:mod:`numpy_import_tax`) has
every output but the 5 signed margins: 84 float64 + 7 int8 arrays of n*n cells. Sanity check:
codes exactly, floats with rtol=atol=1e-12. What is timed, and the targets: :mod:`closed_form`.

    .venv/bin/python benchmarks/bench_import_tax.py --n 4096 --json out.json
"""

from __future__ import annotations

import sys

import numpy as np

from closed_form import Benchmark, main as run
from numpy_import_tax import CODE_NAMES, FLOAT_NAMES, OUTPUT_NAMES, solve_numpy

DEFAULTS = {"t_g": 0.05, "N_d": 1.0, "N_f": 1.0, "theta_d": 1.0, "theta_f": 1.0,
            "alpha": 0.2, "beta": 0.2}

BENCHMARK = Benchmark(
    model="import_tax_channels", axes=("delta", "t"),
    make_axes=lambda n: (np.linspace(0.01, 0.99, n), np.linspace(0.0, 1.0, n)),
    defaults=DEFAULTS, baseline=lambda delta, t: solve_numpy(delta=delta, t=t, **DEFAULTS),
    output_names=OUTPUT_NAMES, float_names=FLOAT_NAMES, code_names=CODE_NAMES,
    n=4096, block_rows=256, rtol=1e-12, atol=1e-12)


def main(argv=None):
    return run(BENCHMARK, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
