"""Cross-check of fastmap's closed-form ``service_gray_market`` kernel against the independent
brute-force Stackelberg solver ``tests/reference/service_brute.py`` (numerical importer,
retailer and manufacturer from the primitives; no closed form of the spec's equilibria).

Sample (seeded, 330 points): the paper's four service sets along ``delta``; general points
(log-uniform scales, ``theta_i`` up to 0.8 of the Assumption-1 bound, ``lambda_r != lambda2``
for half of them); perturbed paper sets (where the centralized chain allows); small market 1
(closing market 1, codes 4/5/6); ``delta`` near ``delta_max`` (``kappa <= 0``, participation
block); a few deliberately invalid points (reasons 1-5).  Coverage of every regime of every chain
(C: 1-4, R and M: 1, 2, 3, 5, 6; price-only 1-4; uniform 1 and 3 -- "market 1 only" cannot be
optimal when p1n < p2n) is asserted on the brute-force labels.

Tolerances (measured max errors of the reference against the kernel on this sample; the
reference against the oracle's 44 cases gives the same orders, see test_service_reference.py):

* ``RTOL_PI = 5e-7`` relative for the manufacturer's profits (pi_m, pi_m_R, pi_m_M, pi_po,
  pi_u, pi_n); measured <= 5e-8 (block ridges of R/M, where the retailer is indifferent to
  second order at the top of the block interval), <= 2e-13 for the centralized chain.  The
  brute force maximises, so a kernel profit above it by more than the tolerance means the
  reference missed something, below it means the kernel did.
* decisions where the labels agree: centralized chain ``RTOL_C = 1e-5`` (measured <= 1e-6);
  Models R and M ``RTOL_RM = 1e-2`` for prices, quantities, services, the wholesale price, the
  importer's and the retailer's profit (measured <= 1.7e-3: the block ridge of R/M is flat, its
  location is only known to ~sqrt(profit precision)), with an absolute floor of 1e-3 of the
  chain's scale (N2 for quantities and services, N2/b2 for prices, |pi_m| for profits).
* ties: a label mismatch whose two profits agree within ``TIE = 1e-6`` relative is a near-tie
  (two regimes with (almost) the same value, e.g. the closed-market block line touching H*):
  skipped, counted, and the skips are bounded (at most 3 % of the label comparisons; measured:
  0 skips, 0 mismatches on 1604 comparisons).
"""
from __future__ import annotations

import numpy as np
import pytest

import fastmap
from tests.reference.service_brute import PARAMS, solve_batch

MODEL = "service_gray_market"
SEED = 20261206
RTOL_PI = 5e-7
RTOL_C = 1e-5
RTOL_RM = 1e-2
TIE = 1e-6
MAX_SKIP_FRACTION = 0.03

SETS = {1: (3, 4, 12, 24), 2: (4, 5, 10, 24), 3: (4, 6, 10, 17), 4: (5, 7, 12, 16)}
BASE = dict(N1=1e4, N2=1e4, b1=24.0, b2=10.0, c=100.0, c_G=5.0, theta_G=3.0, lambda_G=36.0)


def _delta_max(d):
    return 2 * d["lambda_G"] * d["b2"] / (2 * d["lambda_G"] * d["b2"] + d["theta_G"] ** 2)


def _general(rng, n, n1=(3e3, 2e4), swap_markets=True):
    """Log-uniform scales; market 2 is made the high-price market by swapping the markets'
    parameters where the no-importer prices say otherwise (steering only: validity and
    labels are recomputed by the reference; not for the small-market-1 family, whose
    direction-invalid points stay in the sample as such)."""
    lu = lambda lo, hi: np.exp(rng.uniform(np.log(lo), np.log(hi), n))  # noqa: E731
    d = dict(N1=lu(*n1), N2=lu(3e3, 2e4), b1=lu(4, 40), b2=lu(3, 30), lambda1=lu(5, 40),
             lambda2=lu(5, 40), theta_G=rng.uniform(0, 8, n), lambda_G=lu(10, 60),
             c_G=rng.uniform(0, 30, n))
    d["c"] = rng.uniform(0, 0.7, n) * np.minimum(d["N1"] / d["b1"], d["N2"] / d["b2"])
    d["theta1"] = rng.uniform(0, 0.8, n) * np.sqrt(2 * d["lambda1"] * d["b1"])
    d["theta2"] = rng.uniform(0, 0.8, n) * np.sqrt(2 * d["lambda2"] * d["b2"])
    pn = lambda N, b, t, lam: (lam * N + d["c"] * (lam * b - t**2)) / (2 * lam * b - t**2)  # noqa: E731
    swap = pn(d["N1"], d["b1"], d["theta1"], d["lambda1"]) > pn(d["N2"], d["b2"], d["theta2"], d["lambda2"])
    if swap_markets:
        for x, y in (("N1", "N2"), ("b1", "b2"), ("theta1", "theta2"), ("lambda1", "lambda2")):
            d[x], d[y] = np.where(swap, d[y], d[x]), np.where(swap, d[x], d[y])
    d["lambda_r"] = d["lambda2"] * np.where(rng.uniform(size=n) < 0.5, 1.0, lu(0.6, 2.5))
    d["lambda_r"] = np.maximum(d["lambda_r"], 1.05 * d["theta2"] ** 2 / (2 * d["b2"]))
    d["delta"] = rng.uniform(0.02, 0.995, n) * _delta_max(d)
    return d


def sample():
    """The seeded sample: (dict of parameter arrays, family tag per point)."""
    rng = np.random.default_rng(SEED)
    blocks, tags = [], []

    def add(d, tag, n):
        blocks.append({k: np.broadcast_to(np.asarray(d[k], float), (n,)).copy() for k in PARAMS})
        tags.extend([tag] * n)

    n = 60
    th = np.array([SETS[i] for i in rng.integers(1, 5, n)]).T
    d = dict(BASE, theta1=th[0], theta2=th[1], lambda1=th[2], lambda2=th[3], lambda_r=th[3],
             delta=rng.uniform(0.05, 0.985, n))
    add(d, "paper", n)
    add(_general(rng, 140), "general", 140)
    n = 50
    th = np.array([SETS[i] for i in rng.integers(1, 5, n)]).T * rng.uniform(0.7, 1.3, (4, n))
    d = dict(BASE, theta1=th[0], theta2=th[1], lambda1=th[2], lambda2=th[3],
             lambda_r=th[3] * rng.uniform(0.7, 1.6, n), delta=rng.uniform(0.55, 0.95, n))
    d["N1"] = 1e4 * rng.uniform(0.7, 1.3, n)
    d["c_G"] = rng.uniform(0.0, 20.0, n)
    add(d, "perturbed_paper", n)
    d = _general(rng, 35, n1=(300.0, 3e3), swap_markets=False)
    add(d, "small_market1", 35)
    d = _general(rng, 35)
    d["delta"] = _delta_max(d) * rng.uniform(0.9, 0.999, 35)
    add(d, "high_delta", 35)
    bad = [dict(BASE, theta1=3.0, theta2=4.0, lambda1=12.0, lambda2=24.0, lambda_r=24.0, delta=0.7)
           for _ in range(10)]
    bad[0]["delta"] = 1.2                      # reason 1
    bad[1]["N1"] = -5.0                        # reason 1
    bad[2]["c"] = 500.0                        # reason 2 (N1 < b1 c)
    bad[3]["theta2"] = 22.0                    # reason 2 (theta2^2 > 2 lambda2 b2)
    bad[4]["delta"] = 0.99                     # reason 3 (delta_max = 0.987654)
    bad[5]["N1"], bad[5]["N2"] = 3e4, 5e3      # reason 4 (p1n > p2n)
    bad[6]["lambda_r"] = 0.5                   # reason 5 (R only)
    bad[7]["theta2"] = 20.0                    # reason 6 for C and R (footnote 2)
    bad[8]["lambda_G"] = np.nan                # reason 1
    bad[9]["theta_G"] = 40.0                   # reason 3
    for b in bad:
        add(b, "invalid", 1)
    return {k: np.concatenate([b[k] for b in blocks]) for k in PARAMS}, np.array(tags)
# ---- end sampler

CHAINS = {"": "C", "_R": "R", "_M": "M"}
CODES = {"": {1, 2, 3, 4}, "_R": {1, 2, 3, 5, 6}, "_M": {1, 2, 3, 5, 6}, "_po": {1, 2, 3, 4},
         "_u": {1, 3}}
DECISIONS = ("p1", "s1", "d1", "p2", "s2", "d2", "q_G", "p_G", "s_G", "pi_G")


@pytest.fixture(scope="module")
def both():
    """(parameters, family tags, kernel outputs, reference outputs) on the sample."""
    params, tags = sample()
    kern = {k: np.asarray(v, dtype=float) for k, v in fastmap.solve(MODEL, **params).items()}
    ref = solve_batch(params)
    return params, tags, kern, ref


def _regime_key(sfx):
    return {"_po": "regime_po", "_u": "regime_u"}.get(sfx, "regime_lin" + sfx)


def _profit_key(sfx):
    return {"_po": "pi_po", "_u": "pi_u"}.get(sfx, "pi_m" + sfx)


def _rel(a, b, scale):
    return np.abs(a - b) / np.maximum(np.abs(b), scale)


def test_sample_size_and_coverage(both):
    """>= 300 valid points, and every regime of every chain present in the reference labels."""
    _, _, _, ref = both
    assert np.sum(ref["invalid_reason"] == 0) >= 300
    for sfx, codes in CODES.items():
        got = set(np.unique(ref[_regime_key(sfx)]).astype(int)) - {0}
        assert got == codes, (sfx, got)
    for r in (1, 2, 3, 4, 6):
        assert np.any(ref["invalid_reason"] == r), r
    assert np.any(ref["invalid_reason_R"] == 5)


def test_invalid_reasons_agree(both):
    """Validity reasons 1-6 per chain: kernel == reference (reason 6 from the reference's own
    equilibrium quantities)."""
    _, _, kern, ref = both
    for sfx in CHAINS:
        bad = np.nonzero(kern["invalid_reason" + sfx] != ref["invalid_reason" + sfx])[0]
        assert bad.size == 0, (sfx, bad, kern["invalid_reason" + sfx][bad], ref["invalid_reason" + sfx][bad])


def test_profits_agree(both):
    """Manufacturer's profit of every chain and benchmark within RTOL_PI wherever the
    reference solved the game (the profit does not depend on the regime label)."""
    _, _, kern, ref = both
    for key in ("pi_m", "pi_m_R", "pi_m_M", "pi_po", "pi_u", "pi_n"):
        ok = np.isfinite(ref[key])
        assert np.array_equal(ok, np.isfinite(kern[key])), key
        err = _rel(kern[key][ok], ref[key][ok], 1.0)
        worst = np.argmax(err)
        assert err[worst] <= RTOL_PI, (key, np.nonzero(ok)[0][worst], err[worst])


def _label_mismatches(kern, ref):
    """Per chain: indices where the labels differ and are not a near-tie; the number of
    near-ties skipped; the number of label comparisons."""
    out, skipped, compared = {}, 0, 0
    for sfx in CODES:
        rk, pk = _regime_key(sfx), _profit_key(sfx)
        valid = ref[rk] > 0
        compared += int(valid.sum())
        differ = valid & (kern[rk] != ref[rk])
        tie = differ & (_rel(kern[pk], ref[pk], 1.0) <= TIE)
        skipped += int(tie.sum())
        out[sfx] = np.nonzero(differ & ~tie)[0]
    return out, skipped, compared


def test_regimes_agree(both):
    """Regime labels (before the footnote-2 check) of C, R, M, price-only and uniform pricing
    agree, near-ties skipped; the final ``regime`` is ``regime_lin`` or 0 with reason 6."""
    _, _, kern, ref = both
    bad, skipped, compared = _label_mismatches(kern, ref)
    for sfx, idx in bad.items():
        key = _regime_key(sfx)
        assert idx.size == 0, (sfx, idx, kern[key][idx], ref[key][idx])
    assert skipped <= MAX_SKIP_FRACTION * compared, (skipped, compared)
    for sfx in CHAINS:
        r, rl, why = kern["regime" + sfx], kern["regime_lin" + sfx], kern["invalid_reason" + sfx]
        assert np.all(np.where(why == 0, r == rl, r == 0))


@pytest.mark.parametrize("sfx", list(CHAINS))
def test_decisions_agree(both, sfx):
    """Prices, services, quantities, the importer's (and retailer's) profit and the wholesale
    price agree where the labels agree (p1 is NaN in regime 4, p_G where nobody imports)."""
    _, _, kern, ref = both
    rk = "regime_lin" + sfx
    same = np.nonzero((ref[rk] > 0) & (kern[rk] == ref[rk]))[0]
    Q = {k: np.asarray(v)[same] for k, v in sample()[0].items()}
    names = DECISIONS + (("omega", "pi_r") if sfx else ())
    rtol = RTOL_C if sfx == "" else RTOL_RM
    scale = {"p": Q["N2"] / Q["b2"], "q": Q["N2"], "pi": np.abs(ref["pi_m" + sfx][same])}
    for name in names:
        k, r = kern[name + sfx][same], ref[name + sfx][same]
        if name == "p1":
            keep = kern[rk][same] != 4
            assert np.all(np.isnan(k[~keep]))
        elif name == "p_G":
            keep = kern["q_G" + sfx][same] > 0
            assert np.all(np.isnan(k[~keep])) and np.all(np.isnan(r[~keep]))
        else:
            keep = np.ones(same.size, dtype=bool)
        unit = "pi" if name.startswith("pi") else ("q" if name[0] in "dqs" else "p")
        err = _rel(k[keep], r[keep], 1e-3 * scale[unit][keep])
        if err.size:
            worst = np.argmax(err)
            assert err[worst] <= rtol, (name + sfx, same[keep][worst], k[keep][worst], r[keep][worst])
