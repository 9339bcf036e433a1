"""Adaptive region maps (fastmap.adaptive): the same Dataset as a dense sweep, labels identical
cell for cell, from a fraction of the kernel evaluations, batched one driver call per level; the
one documented limit (a region thinner than the spacing, between agreeing corners) shown and
located; requests checked like sweep's."""

import dataclasses
import math
import re

import numpy as np
import pytest

import fastmap
from fastmap.adaptive import DEFAULT_COARSE, adaptive_sweep, default_outputs

TAX = "import_tax_channels"
NEWS = "stochastic_newsvendor"
TAX_CATEGORICAL = ["regime", "regime_true", "case_d", "deter_branch", "gray_beneficial", "wreg_f",
                   "wreg_d"]


def tax_axes(n):
    """The benchmark's (delta, t) grid."""
    return {"delta": np.linspace(0.01, 0.99, n), "t": np.linspace(0.0, 1.0, n)}


def assert_same_as_dense(model, outputs=None, coarse=None, **params):
    """The adaptive map is the dense sweep's Dataset (values, coords, dtypes, attributes) plus
    its two attributes; returns the fraction of the grid evaluated."""
    adaptive = adaptive_sweep(model, outputs=outputs, coarse=coarse, **params)
    names = list(default_outputs(fastmap.model(model))) if outputs is None else outputs
    dense = fastmap.sweep(model, outputs=names, **params)
    for name in names:
        differ = int((adaptive[name] != dense[name]).sum())
        assert differ == 0, f"{name}: {differ} cells differ from the dense map"
        assert adaptive[name].dtype == np.int8
    evaluations = adaptive.attrs["fastmap_evaluations"]
    assert adaptive.attrs["fastmap_coarse"] == (coarse or DEFAULT_COARSE)
    assert adaptive.identical(dense.assign_attrs(fastmap_evaluations=evaluations,
                                                 fastmap_coarse=coarse or DEFAULT_COARSE))
    assert 0 < evaluations <= math.prod(dense.sizes.values())
    return evaluations / math.prod(dense.sizes.values())


def test_import_tax_regime_map_513_equals_dense_from_under_10_percent():
    fraction = assert_same_as_dense(TAX, **tax_axes(513))
    assert fraction <= 0.10


def test_import_tax_every_categorical_output_513():
    fraction = assert_same_as_dense(TAX, outputs=TAX_CATEGORICAL, **tax_axes(513))
    assert fraction <= 0.10


@pytest.mark.parametrize("dist", [0.0, 1.0])
def test_newsvendor_regime_outputs_257(dist):
    outputs = [o.name for o in fastmap.model(NEWS).outputs
               if o.categorical and o.name.startswith("regime")]
    assert outputs == ["regime", "regime_uniform", "regime_det"]
    fraction = assert_same_as_dense(NEWS, outputs=outputs, omega=np.linspace(0.3, 0.999, 257),
                                    b1=np.linspace(1.25, 4.0, 257), dist=dist, sigma=50.0)
    assert fraction <= 0.15


def test_newsvendor_every_categorical_output_and_coarse_64():
    outputs = [o.name for o in fastmap.model(NEWS).outputs if o.categorical]
    assert_same_as_dense(NEWS, outputs=outputs, coarse=64, omega=np.linspace(0.3, 0.999, 257),
                         b1=np.linspace(1.25, 4.0, 257), sigma=50.0)


def test_invalid_region_and_uneven_axes():
    """Points outside the domain (delta > 1, t < 0) are the invalid label, refined like any other;
    axis lengths 301 and 257 are not 2^k + 1 and the axes are given t first."""
    params = {"t": np.linspace(-0.2, 1.5, 301), "delta": np.linspace(-0.3, 1.3, 257)}
    assert_same_as_dense(TAX, outputs=["regime", "regime_true"], coarse=32, **params)
    regime = adaptive_sweep(TAX, **params).regime
    assert regime.dims == ("t", "delta")
    assert (regime == 0).any() and (regime != 0).any()


@pytest.mark.parametrize("n, coarse", [(1, 2), (2, 16), (21, 2), (21, 4), (21, 64), (200, 8),
                                       (513, 16)])
def test_one_axis(n, coarse):
    assert_same_as_dense(TAX, outputs=TAX_CATEGORICAL, coarse=coarse, t=np.linspace(0.0, 1.5, n))


@pytest.mark.parametrize("shape, coarse", [
    ((65, 65, 33), 2), ((65, 65, 33), 8), ((65, 65, 33), 128), ((37, 29, 11), 16), ((5, 3, 2), 16),
])
def test_three_axes(shape, coarse):
    """Region boundaries are surfaces here (alpha < 0 is invalid): the evaluated share falls as
    the grid grows (27% at 65 x 65 x 33, 16% at 129 x 129 x 65)."""
    params = {"delta": np.linspace(0.01, 0.99, shape[0]), "t": np.linspace(0.0, 1.0, shape[1]),
              "alpha": np.linspace(-0.1, 0.9, shape[2])}
    fraction = assert_same_as_dense(TAX, outputs=["regime", "regime_true"], coarse=coarse, **params)
    if shape == (65, 65, 33) and coarse == 8:
        assert fraction < 0.3


def test_axis_of_length_one_and_no_axis():
    assert_same_as_dense(TAX, delta=[0.7], t=np.linspace(0.0, 1.0, 100), alpha=0.3)
    assert_same_as_dense(TAX, t=np.linspace(0.0, 1.0, 100), delta=[0.7])
    assert_same_as_dense(TAX, delta=0.7, t=0.3)


def test_one_driver_call_per_level_and_evaluation_count():
    """The kernel runs once on the coarse sub-grid and at most once per halving; the cells it is
    given add up to the reported evaluations, far fewer than the grid's."""
    m = fastmap.model(TAX)
    cells = []

    def counting(values, moving, stride, length, select, out, select_codes, codes):
        cells.append(codes.shape[1])
        return m.evaluate(values, moving, stride, length, select, out, select_codes, codes)

    ds = adaptive_sweep(dataclasses.replace(m, evaluate=counting), **tax_axes(1025))
    assert 2 <= len(cells) <= 1 + int(math.log2(DEFAULT_COARSE))
    assert cells[0] == 65 ** 2
    assert sum(cells) == ds.attrs["fastmap_evaluations"] < 0.05 * 1025 ** 2


def missed_points_explained(adaptive, dense, coarse):
    """Every point where the maps differ lies in a cell, at some level of spacing h <= coarse,
    whose corners all carry (in the dense map) the label the adaptive map gave that point: a region
    that fitted between agreeing corners. Returns the differing points (index tuples)."""
    differ = np.argwhere(adaptive != dense)
    for point in differ:
        label = adaptive[tuple(point)]
        explained = False
        h = coarse
        while h > 1 and not explained:
            ranges = []
            for i, n in zip(point, dense.shape):
                sub = np.unique(np.append(np.arange(0, n, h), n - 1))
                lo = sub[np.searchsorted(sub, i, side="right") - 1]
                ranges.append((lo, sub[min(np.searchsorted(sub, lo) + 1, sub.size - 1)]))
            corners = np.array(np.meshgrid(*[list(r) for r in ranges], indexing="ij")).reshape(
                len(point), -1)
            explained = bool(np.all(dense[tuple(corners)] == label))
            h //= 2
        assert explained, f"point {tuple(point)} labelled {label} is not between agreeing corners"
    return [tuple(p) for p in differ]


def test_region_thinner_than_the_spacing_is_missed_only_between_agreeing_corners():
    """One invalid t value (t < 0) inside a stretch of regime 5: off the sub-grid it is missed,
    as documented, and only there; on the coarse sub-grid it is found and mapped exactly."""
    t = np.linspace(0.6, 1.0, 33)
    t[5] = -0.1
    adaptive = adaptive_sweep(TAX, coarse=16, t=t).regime.values
    dense = fastmap.sweep(TAX, outputs="regime", t=t).regime.values
    assert dense[5] == 0 and set(dense[np.arange(33) != 5]) == {5}
    assert missed_points_explained(adaptive, dense, 16) == [(5,)]
    t = np.linspace(0.6, 1.0, 33)
    t[16] = -0.1
    assert_same_as_dense(TAX, coarse=16, t=t)


def test_thin_band_across_a_2d_map_is_missed_only_between_agreeing_corners():
    """An invalid row (t < 0) crossing every regime of the (delta, t) map: where a regime boundary
    splits the cells around it the band is evaluated; elsewhere it is missed, and every missed
    point lies between agreeing corners."""
    params = tax_axes(129)
    params["t"][40] = -0.05
    adaptive = adaptive_sweep(TAX, coarse=16, **params).regime.values
    dense = fastmap.sweep(TAX, outputs="regime", **params).regime.values
    missed = missed_points_explained(adaptive, dense, 16)
    assert missed and {j for _, j in missed} == {40}  # axes (delta, t)
    assert np.count_nonzero(adaptive[:, 40] == 0) > 0  # part of the band is found


def test_default_outputs():
    assert default_outputs(fastmap.model(TAX)) == ("regime",)
    assert default_outputs(fastmap.model("nev_parallel_export")) == (
        "regime_cr", "regime_ct", "regime_cr_paper", "regime_ct_paper", "regime_cn")
    ds = adaptive_sweep("nev_parallel_export", theta=np.linspace(0.0, 1.0, 65),
                        k=np.linspace(1.5, 10.0, 65))
    assert list(ds.data_vars) == list(default_outputs(fastmap.model("nev_parallel_export")))


@pytest.mark.parametrize("outputs, message", [
    (["regime", "piM"], "adaptive maps refine categorical outputs only; piM is continuous: compute "
                        "a dense map (sweep without adaptive)"),
    ("piM", "piM is continuous"),
    (["piM", "t4"], "piM, t4 are continuous"),
])
def test_continuous_outputs_are_refused_in_one_line(outputs, message):
    with pytest.raises(fastmap.FastmapError, match=re.escape(message)) as err:
        adaptive_sweep(TAX, outputs=outputs, delta=np.linspace(0.1, 0.9, 5))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("coarse", [0, 1, 3, 12, -4, 2.0, True, "16"])
def test_coarse_must_be_a_power_of_two(coarse):
    with pytest.raises(fastmap.FastmapError, match="coarse must be a power of two >= 2"):
        adaptive_sweep(TAX, coarse=coarse, delta=np.linspace(0.1, 0.9, 5))


@pytest.mark.parametrize("params", [
    {"dleta": 0.5},
    {"t_g": 0.1, "dt": 0.1},
    {"delta": "abc"},
    {"delta": [0.5, np.nan]},
    {"t": np.inf},
    {"delta": np.ones((2, 2))},
    {"delta": []},
    {"delta": [0.5], "outputs": ["nope"]},
    {"delta": [0.5], "outputs": []},
])
def test_bad_requests_fail_as_in_sweep(params):
    with pytest.raises(fastmap.FastmapError) as dense:
        fastmap.sweep(TAX, **params)
    with pytest.raises(type(dense.value)) as adaptive:
        adaptive_sweep(TAX, **params)
    assert str(adaptive.value) == str(dense.value)
