"""stochastic_newsvendor kernel against the independent brute-force reference
(``tests/reference/newsvendor_brute.py``: quadrature over the noise, numerical stocks, numerical
importer, per-strategy price searches; no newsvendor reduction) at 320 random points over the
whole domain, both noise families, every regime.

Tolerances from the reference's measured accuracy (its own tests): profits agree to ~1e-10, prices
and stocks to ~1e-9 relative, q_G to ~1e-4 absolute near omega -> 1. Labels are compared except
within 1e-7 (relative) of a tie between the two best strategy values or of the block/allow switch
(|mu| tiny), where a numerical solver cannot decide.
"""

import math

import numpy as np
import pytest

import fastmap
from tests.reference.newsvendor_brute import solve as brute

NAME = "stochastic_newsvendor"
BASE = {"N1": 1500.0, "N2": 1500.0, "b2": 1.0, "c": 250.0, "c_G": 10.0}
CEDE_TEMPLATES = [  # very noisy market 2, small market 1 (spec §8.5)
    {"N1": 900.0, "N2": 1500.0, "b1": 2.0, "b2": 1.0, "c": 250.0, "c_G": 10.0, "omega": 0.8,
     "sigma1": 20.0, "sigma2": 700.0},
    {"N1": 800.0, "N2": 2000.0, "b1": 1.5, "b2": 1.0, "c": 250.0, "c_G": 5.0, "omega": 0.9,
     "sigma1": 30.0, "sigma2": 1000.0},
]


def _points():
    rng = np.random.default_rng(20261206)
    points = []
    for _ in range(150):  # the paper's grid (uniform and normal)
        points.append(dict(BASE, b1=rng.uniform(1.25, 4.0), sigma=rng.uniform(10.0, 120.0),
                           omega=rng.uniform(0.3, 0.995), dist=float(rng.integers(2))))
    while len(points) < 280:  # general
        N1, N2 = rng.uniform(800, 3000, 2)
        b1, b2 = rng.uniform(0.5, 4.0), rng.uniform(0.3, 2.0)
        c = rng.uniform(50.0, 400.0)
        room1, room2 = N1 - b1 * c, N2 - b2 * c
        if room1 <= 0 or room2 <= 0:
            continue
        points.append({"N1": N1, "N2": N2, "b1": b1, "b2": b2, "c": c, "c_G": rng.uniform(0, 40),
                       "omega": rng.uniform(0.2, 0.995),
                       "sigma1": rng.uniform(0, 0.95) * room1 / math.sqrt(3),
                       "sigma2": rng.uniform(0, 0.95) * room2 / math.sqrt(3),
                       "dist": float(rng.integers(2))})
    for k in range(30):  # near the cede region
        template = CEDE_TEMPLATES[k % 2]
        point = {key: value * rng.uniform(0.97, 1.03) for key, value in template.items()}
        point["omega"] = min(point["omega"], 0.99)
        bound = (point["N2"] - point["b2"] * point["c"]) / math.sqrt(3)
        point["sigma2"] = min(point["sigma2"], 0.995 * bound)
        point["dist"] = float(k % 4 < 2)
        points.append(point)
    invalid = [dict(BASE, b1=2.0, omega=1.0, sigma=50.0, dist=0.0),
               dict(BASE, b1=2.0, omega=0.8, sigma=600.0, dist=1.0),
               dict(BASE, b1=2.0, omega=0.8, sigma=50.0, dist=2.0),
               dict(BASE, b1=-1.0, omega=0.8, sigma=50.0, dist=0.0),
               dict(BASE, b1=0.5, b2=3.0, omega=0.95, sigma=10.0, dist=0.0),  # reverse flow
               dict(BASE, b1=2.0, omega=0.8, sigma=math.nan, dist=0.0)]
    return points + invalid


POINTS = _points()


def _strategy_values(k):
    theorem1 = {1: k["pi_nogray"], 2: k["pi_blk"], 3: k["pi_alw"]}.get(int(k["theorem1"]), -math.inf)
    values = [v for v in (theorem1, k["pi_sgl"], k["pi_cede"]) if not math.isnan(v)]
    return sorted(values, reverse=True)


def _near_tie(k):
    values = _strategy_values(k)
    scale = max(abs(values[0]), 1.0)
    if len(values) > 1 and values[0] - values[1] <= 1e-7 * scale:
        return True
    return not math.isnan(k["mu"]) and abs(k["mu"]) <= 1e-7 * max(abs(k["t0"]), 1.0)


def test_kernel_agrees_with_brute_force():
    compared = {r: 0 for r in range(6)}
    skipped = 0
    for point in POINTS:
        kernel = {key: value[()] for key, value in fastmap.solve(NAME, **point).items()}
        ref = brute(point)
        where = f"at {point}"
        assert kernel["invalid_reason"] == ref["invalid_reason"], where
        if ref["regime"] == 0:
            assert kernel["regime"] == 0, where
            compared[0] += 1
            continue
        if _near_tie(kernel):
            skipped += 1
            continue
        assert kernel["regime"] == ref["regime"], where
        compared[int(kernel["regime"])] += 1
        assert kernel["pi"] == pytest.approx(ref["pi"], rel=1e-7), where
        for name in ("pi_nogray", "pi_sgl", "pi_blk", "pi_alw", "pi_cede"):
            if not (math.isnan(kernel[name]) or math.isnan(ref[name])):
                assert kernel[name] == pytest.approx(ref[name], rel=1e-7), (name, where)
        for name in ("p1", "p2", "q1", "q2"):
            if math.isnan(ref[name]):
                assert math.isnan(kernel[name]), (name, where)
            else:
                assert kernel[name] == pytest.approx(ref[name], rel=1e-5, abs=1e-6), (name, where)
        assert kernel["q_G"] == pytest.approx(ref["q_G"], abs=1e-3), where
    assert sum(compared.values()) >= 300 and skipped <= 10, (compared, skipped)
    assert all(compared[r] > 0 for r in range(6)), f"every regime must be compared: {compared}"
