"""Adaptive region maps: the labels of a dense :func:`fastmap.sweep` from a fraction of the kernel
evaluations, by refining only the cells that a region boundary crosses.

A region map is mostly large uniform areas; only the cells around the boundaries need the kernel.
:func:`adaptive_sweep` evaluates a coarse sub-grid (every ``coarse``-th index along each axis, the
last index always included), then halves the spacing level by level down to the full grid. At each
level, a cell (the box between neighbouring sub-grid points) whose corners agree on every mapped
output is filled with their labels; a cell whose corners disagree is split, and its new grid points
(edges and faces included) are evaluated, all of a level's points in one call of the model's
compiled driver. The bookkeeping of a level is a few whole-array numpy operations on its sub-grid,
never a Python loop over cells.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import xarray as xr

from .engine import _dataset, _evaluate, _Selection, grid
from .errors import FastmapError
from .modeldef import Model
from .registry import model as get_model

#: Spacing, in grid steps, of the first sub-grid. A region holding a box of 17 grid points along
#: every axis holds a point of it, so is never missed entirely; a 513^2 map starts from 33^2 points.
DEFAULT_COARSE = 16


def adaptive_sweep(model: str | Model, *, outputs: Sequence[str] | None = None,
                   coarse: int | None = None, **params) -> xr.Dataset:
    """The categorical ``outputs`` of ``model`` on a grid, evaluated adaptively.

    Parameters follow :func:`fastmap.sweep`: each 1-D array is a grid axis (in the order given),
    scalars are fixed, missing parameters take their defaults. Only categorical outputs can be
    mapped (a continuous output needs every cell: use a dense ``sweep``); ``outputs=None`` maps
    :func:`default_outputs`. ``coarse`` (a power of two, default :data:`DEFAULT_COARSE`) is the
    spacing, in grid steps, of the first sub-grid evaluated; it may exceed an axis' length.

    Returns the Dataset that ``sweep(model, outputs=outputs, **params)`` returns (same variables,
    coordinates, dtypes and CF attributes) with two more attributes: ``fastmap_evaluations``, the
    number of points the kernel evaluated, and ``fastmap_coarse``.

    Guarantee: the labels are those of the dense map, except where a region (invalid points
    included) was missed entirely between evaluated points: every evaluated point carries its exact
    labels, a point is filled without evaluation only inside a cell whose corners all carry the
    same labels, and wherever two neighbouring evaluated points differ the cells between them are
    refined down to single grid steps. So a region can be missed only if it fits inside such a
    cell, thinner than that level's spacing (at most ``coarse``) and touching none of its corners.
    """
    m = get_model(model)
    axes, columns, axis_of, shape = grid(m, params)
    select = _categorical_selection(m, outputs)
    step = _coarse_step(coarse)
    labels, evaluations = _refine(m, columns, axis_of, shape, select, step)
    ds = _dataset(m, select.arrays(np.empty((0,) + shape), labels), axes, columns, axis_of)
    ds.attrs["fastmap_evaluations"] = evaluations
    ds.attrs["fastmap_coarse"] = step
    return ds


def default_outputs(m: Model) -> tuple[str, ...]:
    """The outputs mapped when none are named: ``regime`` if the model has it, else every
    categorical output whose name starts with ``regime`` (e.g. one per channel structure)."""
    categorical = [o.name for o in m.outputs if o.categorical]
    if "regime" in categorical:
        return ("regime",)
    names = tuple(n for n in categorical if n.startswith("regime"))
    if not names:
        raise FastmapError(f"model {m.name!r} has no regime output; name the categorical outputs "
                           f"to map: {', '.join(categorical)}")
    return names


# --------------------------------------------------------------------------------------- helpers

def _categorical_selection(m: Model, outputs) -> _Selection:
    select = _Selection.of(m, default_outputs(m) if outputs is None else outputs)
    continuous = [n for n, code in zip(select.names, select.is_code) if not code]
    if continuous:
        verb = "is" if len(continuous) == 1 else "are"
        raise FastmapError(f"adaptive maps refine categorical outputs only; "
                           f"{', '.join(continuous)} {verb} continuous: compute a dense map "
                           f"(sweep without adaptive)")
    return select


def _coarse_step(coarse) -> int:
    if coarse is None:
        return DEFAULT_COARSE
    if (isinstance(coarse, bool) or not isinstance(coarse, (int, np.integer)) or coarse < 2
            or coarse & (coarse - 1)):
        raise FastmapError(f"coarse must be a power of two >= 2 (grid steps between the first "
                           f"evaluated points), got {coarse!r}")
    return int(coarse)


def _sub_axis(n: int, h: int) -> np.ndarray:
    """Grid indices of the sub-grid of spacing ``h`` along an axis of ``n`` points: every
    ``h``-th index and the last one. Halving ``h`` keeps every index and adds the midpoints."""
    return np.unique(np.append(np.arange(0, n, h), n - 1))


def _refine(m: Model, columns, axis_of, shape, select: _Selection, step: int):
    """The int8 labels ``(len(select.codes), *shape)`` and the number of points evaluated."""
    points = [_sub_axis(n, step) for n in shape]
    sub_columns = [c if axis < 0 else c[points[axis]] for c, axis in zip(columns, axis_of)]
    _, labels = _evaluate(m, sub_columns, axis_of, tuple(p.size for p in points), select)
    evaluations = labels[0].size
    h = step
    while h > 1 and shape:
        h //= 2
        finer = [_sub_axis(n, h) for n in shape]
        split = _split_cells(labels)
        new = _new_points(split, points, finer)
        labels = _upsample(labels, points, finer)
        if new.size:
            at = np.unravel_index(new, labels.shape[1:])
            point_columns = [c if axis < 0 else c[finer[axis][at[axis]]]
                             for c, axis in zip(columns, axis_of)]
            _, codes = _evaluate(m, point_columns, [min(axis, 0) for axis in axis_of], (new.size,),
                                 select)
            labels[(slice(None),) + at] = codes
        evaluations += new.size
        points = finer
    return labels, evaluations


def _cell_corners(size: int) -> tuple[slice, slice]:
    """Slices of the lower and upper corners of the cells along an axis of ``size`` sub-grid
    points (an axis of one point has one flat cell, both of whose corners are that point)."""
    return (slice(0, size - 1), slice(1, size)) if size > 1 else (slice(0, 1), slice(0, 1))


def _split_cells(labels: np.ndarray) -> np.ndarray:
    """Boolean array over the cells of the sub-grid (indexed by lower corner): corners disagree."""
    corners = [_cell_corners(size) for size in labels.shape[1:]]
    base = labels[(slice(None),) + tuple(lo for lo, _ in corners)]
    split = np.zeros(base.shape[1:], dtype=bool)
    for choice in itertools.product((0, 1), repeat=len(corners)):
        if any(choice):
            corner = labels[(slice(None),) + tuple(c[k] for c, k in zip(corners, choice))]
            split |= np.any(corner != base, axis=0)
    return split


def _new_points(split: np.ndarray, points, finer) -> np.ndarray:
    """Flat indices, in the finer sub-grid, of the points that the split cells add (their
    midpoints, on edges and faces too), sorted and without duplicates."""
    cells = np.nonzero(split)
    offsets = np.array(list(itertools.product((0, 1, 2), repeat=len(points))), dtype=np.int64)
    position, old = [], []
    for axis, (p, f) in enumerate(zip(points, finer)):
        where = np.searchsorted(f, p)  # position of each sub-grid point in the finer one
        lo = where[cells[axis]][:, None]
        hi = where[np.minimum(cells[axis] + 1, p.size - 1)][:, None]
        at = np.minimum(lo + offsets[:, axis], hi)  # a cell's 2 or 3 finer points along the axis
        is_old = np.zeros(f.size, dtype=bool)
        is_old[where] = True
        position.append(at)
        old.append(is_old[at])
    added = ~np.logical_and.reduce(old)
    flat = np.ravel_multi_index(tuple(at[added] for at in position), tuple(f.size for f in finer))
    return np.unique(flat)


def _upsample(values: np.ndarray, points, finer) -> np.ndarray:
    """``values`` on the sub-grid (axes 1..) extended to the finer one: each finer point takes the
    value of the sub-grid point at or below it along every axis (a corner of every cell holding
    it, so the label of a cell whose corners agree)."""
    for axis, (p, f) in enumerate(zip(points, finer)):
        below = np.searchsorted(p, f, side="right") - 1
        values = np.repeat(values, np.bincount(below, minlength=p.size), axis=axis + 1)
    return values

