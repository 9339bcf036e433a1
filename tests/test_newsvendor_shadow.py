"""The block / allow roots solved in market 1's price agree with the spec's recipe in the shadow
value (§8.2, §8.3), and the recipe takes over where market 2's price may be clamped."""

import numpy as np
import pytest

from fastmap.models import stochastic_newsvendor as nv
from fastmap.numerics import foc, foc_and_slope, foc_slope, largest_root


def _bracket(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2):
    """(k, t_lo, t_hi, p_lo, p_hi) of the block or allow root (brackets of the shadow value and of
    market 1's price), or None where Theorem 1 does not reach it."""
    p1n, e1 = largest_root(dist, N1, b1, c, s1, 0.0)
    p2n, e2 = largest_root(dist, N2, b2, c, s2, 0.0)
    if not (e1 and e2) or omega * p2n - p1n <= c_G:
        return None
    k = b2 / (2.0 * omega * (1.0 - omega))
    t0 = k * (c_G + c * (1.0 - omega))
    tau_hi = -foc(dist, N1, b1, c, s1, omega * p2n - c_G)
    if not allow:
        return k, 0.0, tau_hi, p1n, omega * p2n - c_G
    tau_B = nv._shadow_root(False, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k, 0.0, tau_hi)
    if tau_B <= t0:
        return None
    return (k, t0, k * (2.0 * (omega * p2n - p1n) - c_G + c * (1.0 - omega)),
            largest_root(dist, N1, b1, c, s1, -t0)[0], largest_root(dist, N1, b1, c, s1, -tau_B)[0])


def _points(n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield (int(rng.integers(2)), 1500.0, rng.uniform(500, 3000), rng.uniform(1.0, 4.0),
               rng.uniform(0.3, 2.0), rng.uniform(20, 300), rng.uniform(0, 40), rng.uniform(0.3, 0.995),
               rng.uniform(0, 150), rng.uniform(0, 150))


@pytest.mark.parametrize("allow", [False, True])
def test_market1_root_agrees_with_the_shadow_value_recipe(allow):
    compared = 0
    for dist, N1, N2, b1, b2, c, c_G, omega, s1, s2 in _points(400, 7 + allow):
        bracket = _bracket(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2)
        if bracket is None or N1 - b1 * c - 1.8 * s1 <= 0 or N2 - b2 * c - 1.8 * s2 <= 0:
            continue
        k, t_lo, t_hi, p_lo, p_hi = bracket
        t, p1, p2, exists = nv._shadow_point(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k,
                                             t_lo, t_hi, p_lo, p_hi)
        t_ref = nv._shadow_root(allow, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k, t_lo, t_hi)
        p2_ref, exists_ref = largest_root(dist, N2, b2, c, s2, omega * t_ref)
        assert t == pytest.approx(t_ref, rel=1e-12, abs=1e-9 * (1.0 + t_hi))
        assert p1 == pytest.approx(largest_root(dist, N1, b1, c, s1, -t_ref)[0], rel=1e-12)
        assert exists == exists_ref
        if exists:
            assert p2 == pytest.approx(p2_ref, rel=1e-12)
        compared += 1
    assert compared >= 100


def test_clamped_market2_falls_back_to_the_recipe():
    # Steep market 1, flat and noisy market 2: h2 peaks above the block line's start (found by a
    # random search), so P2 may be clamped along the bracket.
    dist, N1, N2, b1, b2, c, c_G, omega, s1, s2 = 0, 1500.0, 1280.0, 5.55, 0.134, 247.7, 8.3, 0.8726, 1.0, 146.0
    p1n = largest_root(dist, N1, b1, c, s1, 0.0)[0]
    k, t_lo, t_hi, p_lo, p_hi = _bracket(False, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2)
    assert foc_slope(dist, N2, b2, c, s2, (p1n + c_G) / omega) >= 0.0  # the fallback's condition
    t, p1, p2, _ = nv._shadow_point(False, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k, t_lo, t_hi,
                                    p_lo, p_hi)
    assert t == nv._shadow_root(False, dist, N1, N2, b1, b2, c, c_G, omega, s1, s2, k, t_lo, t_hi)
    assert omega * p2 - p1 == pytest.approx(c_G, abs=1e-9)
    assert foc_and_slope(dist, N1, b1, c, s1, p1)[0] == pytest.approx(-t, abs=1e-9)
