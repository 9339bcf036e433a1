"""Models with parts of work that only some outputs need compute only what the selected outputs
need (stochastic_newsvendor: the deterministic twin, the heuristics, uniform pricing, the
details; service_gray_market: the margins, the price-only benchmark, uniform pricing, the derived
thresholds and ratios); every selection must give exactly the values of the full computation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastmap
from fastmap.models import service_gray_market as sgm
from fastmap.models import stochastic_newsvendor as nv

#: Per model: its module, grid axes and fixed-parameter scenarios that together give every code
#: of the listed categorical outputs (checked below).
CASES = {
    "stochastic_newsvendor": (
        nv, {"omega": np.linspace(0.05, 0.999, 23), "b1": np.linspace(0.4, 3.0, 19),
             "sigma": np.array([0.0, 40.0, 100.0, 141.654]), "dist": np.array([0.0, 1.0])},
        # The defaults give regimes 0-4; the spec's cede_market2 oracle point's market gives 5.
        [{}, {"N1": 606.729, "N2": 538.365, "b2": 1.788, "c": 138.979, "c_G": 5.522}],
        {"regime": range(6), "regime_det": range(5), "regime_uniform": range(4)}),
    "service_gray_market": (
        sgm, {"delta": np.linspace(0.01, 0.999, 21), "c_G": np.linspace(0.0, 300.0, 17),
              "theta2": np.linspace(0.0, 16.0, 9), "lambda_r": np.array([3.0, 24.0])},
        # Paper set 1 and the spec's closed-market-1 corner case (codes 4-6).
        [{}, dict(N1=1500.0, N2=15000.0, b1=10.0, b2=8.0, c=50.0, theta1=2.0, lambda1=10.0,
                  lambda2=10.0, theta_G=0.0, lambda_G=40.0)],
        {"regime": range(5), "regime_R": (0, 1, 2, 3, 5, 6), "regime_M": (0, 1, 2, 3, 5, 6),
         "regime_po": range(5), "regime_u": (0, 1, 3), "invalid_reason_R": (0, 2, 3, 5)}),
}
FULL = {}


def _full(name):
    if name not in FULL:
        _, axes, scenarios, _ = CASES[name]
        FULL[name] = [fastmap.sweep(name, **axes, **fixed) for fixed in scenarios]
    return FULL[name]


def _names(name):
    return [o.name for o in fastmap.model(name).outputs]


def _check(name, names):
    _, axes, scenarios, _ = CASES[name]
    for fixed, full in zip(scenarios, _full(name)):
        got = fastmap.sweep(name, outputs=names, **axes, **fixed)
        for out in names:
            a, b = full[out].values, got[out].values
            assert a.dtype == b.dtype, out
            np.testing.assert_array_equal(a, b, err_msg=out)


def _parts(name):
    module = CASES[name][0]
    return sorted({int(p) for p in module.PART_OF_SLOT if p})


@pytest.mark.parametrize("name", CASES)
def test_the_grids_cover_every_code(name):
    for out, codes in CASES[name][3].items():
        seen = np.unique(np.concatenate([f[out].values.ravel() for f in _full(name)]))
        assert set(seen) == set(codes), out


@pytest.mark.parametrize("name, part", [(n, p) for n in CASES for p in _parts(n)])
def test_each_part_alone(name, part):
    module = CASES[name][0]
    names = [n for i, n in enumerate(_names(name)) if module.PART_OF_SLOT[i] == part]
    assert names
    _check(name, names)


@pytest.mark.parametrize("name", CASES)
def test_core_outputs_without_any_part(name):
    module = CASES[name][0]
    _check(name, [n for i, n in enumerate(_names(name)) if module.PART_OF_SLOT[i] == 0])


def test_every_part_flag_is_used():
    assert _parts("stochastic_newsvendor") == [nv.TWIN, nv.HEURISTICS, nv.UNIFORM_PRICING, nv.DETAILS]
    assert _parts("service_gray_market") == [sgm.MARGINS, sgm.PRICE_ONLY, sgm.UNIFORM, sgm.DERIVED]


@pytest.mark.parametrize("name", CASES)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_selection(name, data):
    _check(name, data.draw(st.lists(st.sampled_from(_names(name)), min_size=1, max_size=6,
                                    unique=True)))
