"""stochastic_newsvendor computes only what the selected outputs need (the deterministic twin, the
heuristics, uniform pricing and the details are skipped when none of their outputs is asked for);
every selection must give exactly the values of the full computation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastmap
from fastmap.models import stochastic_newsvendor as nv

MODEL = fastmap.model("stochastic_newsvendor")
NAMES = [o.name for o in MODEL.outputs]
AXES = {"omega": np.linspace(0.05, 0.999, 23), "b1": np.linspace(0.4, 3.0, 19),
        "sigma": np.array([0.0, 40.0, 100.0, 141.654]), "dist": np.array([0.0, 1.0])}
# The defaults give regimes 0-4; the spec's cede_market2 oracle point's market gives 5 as well.
SCENARIOS = [{}, {"N1": 606.729, "N2": 538.365, "b2": 1.788, "c": 138.979, "c_G": 5.522}]
FULL = [fastmap.sweep(MODEL, **AXES, **fixed) for fixed in SCENARIOS]


def _check(names):
    for fixed, full in zip(SCENARIOS, FULL):
        got = fastmap.sweep(MODEL, outputs=names, **AXES, **fixed)
        for name in names:
            a, b = full[name].values, got[name].values
            assert a.dtype == b.dtype, name
            np.testing.assert_array_equal(a, b, err_msg=name)


def test_the_grids_cover_every_regime_and_uniform_option():
    assert set(np.unique(np.concatenate([f["regime"].values.ravel() for f in FULL]))) == set(range(6))
    assert set(np.unique(np.concatenate([f["regime_det"].values.ravel() for f in FULL]))) == set(range(5))
    assert set(np.unique(np.concatenate([f["regime_uniform"].values.ravel() for f in FULL]))) == set(range(4))


@pytest.mark.parametrize("part", [nv.TWIN, nv.HEURISTICS, nv.UNIFORM_PRICING, nv.DETAILS])
def test_each_part_alone(part):
    names = [n for n in NAMES if nv.PART_OF_SLOT[NAMES.index(n)] == part]
    assert names
    _check(names)


def test_core_outputs_without_any_part():
    _check([n for n in NAMES if nv.PART_OF_SLOT[NAMES.index(n)] == 0])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
def test_any_selection(names):
    _check(names)
