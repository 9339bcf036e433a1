"""Comparison of a point case of a spec's oracle file with a model's outputs (shared by the
oracle tests of every model)."""

import math

import pytest


def assert_point_case(model, case, got, tol):
    """Every expected output of ``case``: labels (``*_name``) exactly, booleans as 0/1 codes,
    ``None`` as NaN, numbers within ``tol`` (relative and absolute)."""
    for name, expected in case["expected"].items():
        if name.endswith("_name"):
            output = model.output(name[: -len("_name")])
            assert output.label(got[output.name]) == expected, name
        elif isinstance(expected, bool):
            assert bool(got[name] == 1) is expected, name
        elif expected is None:
            assert math.isnan(got[name]), name
        else:
            assert got[name] == pytest.approx(expected, rel=tol, abs=tol), name
