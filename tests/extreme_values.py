"""Pieces shared by the extreme-magnitude tests (``tests/test_extreme_*.py``)."""

import numpy as np


def ldexp(x: float, k: int) -> float:
    """``x * 2**k`` rounded once, inf or 0 beyond float64 (numpy's ldexp; math's raises)."""
    with np.errstate(over="ignore", under="ignore"):
        return float(np.ldexp(x, k))


def random_extreme_points(model, n: int, rng) -> dict:
    """Every free parameter at its default (1 where it has none) or, with probability 0.3, at
    10**U(-320, 308.2): magnitudes from subnormal to the top of float64."""
    params = {}
    for p in model.parameters:
        if p.replaces:
            continue
        default = p.default if p.default is not None else 1.0
        params[p.name] = np.where(rng.random(n) < 0.3, 10.0 ** rng.uniform(-320, 308.2, n), default)
    return params


def assert_valid_regimes_have_finite_decisions(model, got: dict, min_valid: int) -> None:
    """Each regime output is valid at more than ``min_valid`` points, and wherever it is valid its
    decisions are finite."""
    for regime, decisions in model.decisions.items():
        valid = got[regime] != 0
        assert valid.sum() > min_valid, regime
        for d in decisions:
            assert np.isfinite(got[d][valid]).all(), (regime, d)
