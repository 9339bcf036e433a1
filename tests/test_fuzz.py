"""Fuzzing every model's ``solve`` with arbitrary floats, and the API / CLI with malformed requests.

For numeric input ``solve`` never raises; a regime that is not ``invalid`` always comes with finite
decisions (the model's ``decisions``); a parameter that is non-finite or outside its declared
domain makes every regime ``invalid``.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastmap
from fastmap import cli

MODELS = fastmap.models()
# Every decade of float64 equally likely: where products of parameters overflow or underflow.
ANY_MAGNITUDE = st.builds(lambda mantissa, exponent: float(f"{mantissa}e{exponent}"),
                          st.floats(1.0, 9.999), st.integers(-323, 307))
ANY_FLOAT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
    ANY_MAGNITUDE,
    ANY_MAGNITUDE,
    st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 1e-300, 1e300, -1e300, 1.7e308, math.nan, math.inf,
                     -math.inf]),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _free_parameters(m):
    return [p for p in m.parameters if not p.replaces]


def _outside(p, value) -> bool:
    lo, hi = p.domain
    return not math.isfinite(value) or (lo is not None and value < lo) or (hi is not None and value > hi)


def _near_defaults(m, draw):
    """Parameters at their defaults (or not given where they have none), a random subset given
    arbitrary floats."""
    params = {p.name: p.default for p in _free_parameters(m) if p.default is not None}
    for p in _free_parameters(m):
        if draw(st.booleans()):
            params[p.name] = draw(ANY_FLOAT)
    return params


@pytest.mark.parametrize("name", MODELS)
def test_every_model_declares_its_decisions(name):
    m = fastmap.model(name)
    assert m.decisions, f"{name} declares no decisions"
    for regime, decisions in m.decisions.items():
        out = m.output(regime)
        assert out.categorical and out.label(0) == "invalid"
        for d in decisions:
            assert not m.output(d).categorical


@pytest.mark.parametrize("name", MODELS)
@SETTINGS
@given(data=st.data())
def test_solve_never_raises_and_labels_every_point(name, data):
    m = fastmap.model(name)
    params = _near_defaults(m, data.draw)
    got = fastmap.solve(m, **params)
    outside = [p.name for p in _free_parameters(m) if p.name in params and _outside(p, params[p.name])]
    for regime, decisions in m.decisions.items():
        code = int(got[regime])
        assert code in m.output(regime).flag_values, (regime, code)
        if outside:
            assert code == 0, f"{regime} = {m.output(regime).label(code)} with {outside} outside the domain"
        if code != 0:
            bad = [d for d in decisions if not np.isfinite(got[d])]
            assert not bad, f"{regime} = {m.output(regime).label(code)} with non-finite {bad}: {params}"


@pytest.mark.parametrize("name", MODELS)
@SETTINGS
@given(data=st.data())
def test_solve_broadcasts_arbitrary_arrays_of_floats(name, data):
    m = fastmap.model(name)
    p = data.draw(st.sampled_from(_free_parameters(m)))
    values = np.array(data.draw(st.lists(ANY_FLOAT, min_size=1, max_size=20)))
    got = fastmap.solve(m, **{p.name: values})
    for regime in m.decisions:
        assert got[regime].shape == values.shape
        one_by_one = [int(fastmap.solve(m, **{p.name: v})[regime]) for v in values]
        assert got[regime].tolist() == one_by_one


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_malformed_axis_text_gives_a_clear_error(text):
    try:
        name, values = cli.parse_axis(text)
    except fastmap.FastmapError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert name and values.ndim == 1 and values.size >= 1


@settings(max_examples=100, deadline=None)
@given(chunks=st.one_of(st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=5),
                        st.tuples(st.integers(-2, 4), st.integers(-2, 4)), st.none()))
def test_malformed_chunks_give_a_clear_error(chunks):
    axes = {"delta": np.linspace(0.1, 0.9, 4), "t": np.linspace(0, 1, 3)}
    try:
        ds = fastmap.sweep("import_tax_channels", chunks=chunks, outputs=["regime"], **axes)
    except fastmap.FastmapError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert ds.regime.shape == (4, 3)


@pytest.mark.parametrize("request_kwargs, message", [
    ({"out": "map.csv"}, "unsupported output format"),
    ({"out": "/no/such/dir/map.zarr"}, "does not exist"),
    ({"scheduler": "gpu"}, "unknown scheduler"),
    ({"workers": -1}, "workers must be a positive integer"),
    ({"resume": True}, "resume continues a map written to a file"),
    ({"outputs": []}, "outputs is empty"),
    ({"delta": np.ones((2, 2))}, "must be a scalar or a 1-D axis"),
    ({"delta": []}, "is empty"),
    ({"delta": "abc"}, "must be numeric"),
    ({"delta": [0.5, math.nan]}, "must be finite"),
])
def test_malformed_sweep_requests_give_one_line(request_kwargs, message):
    with pytest.raises(fastmap.FastmapError, match=message) as err:
        fastmap.sweep("import_tax_channels", **{"t": np.linspace(0, 1, 3), **request_kwargs})
    assert "\n" not in str(err.value)
