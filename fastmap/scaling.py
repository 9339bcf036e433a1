"""Exact rescaling of a model's outputs by powers of two, driven by their declared units.

A model whose intermediate terms would overflow at extreme scales (market sizes of 1e154 square
to beyond float64) solves such points in units ``2**k`` near the point's own scales and scales
the outputs back. Powers of two scale exactly, so the result equals the unscaled computation
wherever that one neither overflows nor underflows. What an output is multiplied by follows from
its units: with ``k[j]`` the log2 of base unit ``j`` (e.g. ``unit`` and ``currency``), an output in
``currency^2/unit`` is multiplied by ``2**(2 k[currency] - k[unit])``. Reading the exponents from
the units the Dataset declares keeps the two from disagreeing.
"""

import math
import re

import numpy as np
from numba import njit

# "1", or  name[^p]  or  name[^p]/name[^p]  (names may contain spaces: "service unit")
_UNIT = re.compile(r"^(?P<num>[a-z][a-z ]*?)(\^(?P<np>\d+))?(/(?P<den>[a-z][a-z ]*?)(\^(?P<dp>\d+))?)?$")


def unit_exponents(units: str, base: tuple[str, ...]) -> np.ndarray:
    """Exponents of ``units`` over the ``base`` units: ``"currency^2/unit"`` over
    ``("unit", "currency")`` is ``[-1, 2]``; ``"1"`` is all zeros."""
    exponents = np.zeros(len(base), dtype=np.int64)
    if units == "1":
        return exponents
    match = _UNIT.match(units)
    if match is None:
        raise ValueError(f"cannot read units {units!r}: expected 'a', 'a^n', 'a/b' or 'a^n/b^m'")
    for name, power, sign in ((match["num"], match["np"], 1), (match["den"], match["dp"], -1)):
        if name is None:
            continue
        if name not in base:
            raise ValueError(f"units {units!r}: {name!r} is not one of the base units {base}")
        exponents[base.index(name)] += sign * int(power or 1)
    return exponents


def output_exponents(outputs, base: tuple[str, ...]) -> np.ndarray:
    """``(n_outputs, len(base))`` exponents of every output's units (see :func:`unit_exponents`)."""
    return np.array([unit_exponents(o.units, base) for o in outputs], dtype=np.int64).reshape(
        len(outputs), len(base))


@njit(cache=True, error_model="numpy")
def scale_back(o, exponents, k):
    """Multiply output ``i`` by ``2**(exponents[i] . k)`` (``k``: log2 of each base unit);
    ``ldexp`` is exact, and rounds to inf or subnormal where the true value does."""
    for i in range(exponents.shape[0]):
        e = 0
        for j in range(exponents.shape[1]):
            e += exponents[i, j] * k[j]
        if e != 0:
            o[i] = math.ldexp(o[i], e)
