"""Exact region boundaries of a 2-D categorical map, as curves in parameter units.

A sampled map only says that a boundary crosses a grid edge somewhere between two cells. For every
grid edge (between two neighbouring cells along x or along y) whose labels differ,
:func:`boundaries` bisects along that edge with the model's kernel itself until the interval is
``tol`` times the edge length (or stops shrinking in floating point), so each crossing point is as
exact as the kernel's own decision; all edges of one bisection step are evaluated in one batched
:func:`fastmap.solve` call. The crossing points are then chained into polylines per unordered pair
of labels with marching-squares connectivity on the grid's squares:

* a square holding exactly two crossings of a pair, on different sides, joins them;
* a square holding four crossings of a pair (a saddle: labels a, b, a, b around it) is resolved by
  evaluating the kernel at the square's centre: the label found there connects its two corners;
* anything else (a square with a third label: a triple point or junction) joins nothing, so
  curves end at their last exact crossing next to the junction, less than one cell away from it.

Curves are open (ending at the map border or at a junction) or closed (then the first point is
repeated at the end). When bisecting an edge finds a third label ``c`` between ``a`` and ``b``, the
edge is split there: its two halves are bisected on, giving one crossing of pair (a, c) and one of
(c, b) on that edge (and so on recursively). A region that lies entirely between two samples
without changing any edge's end labels is invisible to the grid and is not found.

:func:`margin_contours` gives the same curves as the zero level set of a continuous signed margin
(linear interpolation between cells, so accurate to second order in the cell size only).
Writers: :func:`to_geojson`, :func:`to_csv`; drawing: :func:`draw_boundaries`.
"""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from .errors import FastmapError
from .io import atomic_target
from .plotting import _field2d

#: Safety cap on bisection steps (tol=1e-12 needs 40; the loop also stops when no interval shrinks).
MAX_STEPS = 64


@dataclass(frozen=True, eq=False)
class Boundary:
    """One curve separating the regions ``labels[0]`` and ``labels[1]`` (codes ``codes``) of
    ``var``: points ``(x[k], y[k])`` in the units of the parameters named by ``axes``.

    ``closed`` curves repeat their first point at the end. ``model`` is the Dataset's model name.
    """

    var: str
    labels: tuple[str, str]
    codes: tuple[int, int]
    x: np.ndarray
    y: np.ndarray
    axes: tuple[str, str]
    model: str
    closed: bool = False


def boundaries(ds: xr.Dataset, var: str = "regime", *, x: str | None = None, y: str | None = None,
               tol: float = 1e-12) -> list[Boundary]:
    """The curves separating the regions of the categorical ``var`` of a 2-D map made by
    :func:`fastmap.sweep`, located by bisection with the model's kernel (module docstring).

    Axes default as in :func:`fastmap.plot_regions` (the model's default axes when they are the
    map's dimensions). Returns the curves sorted by label codes, each pair ``(a, b)`` with the
    smaller code first.
    """
    from .engine import fixed_parameters

    if not (isinstance(tol, (int, float)) and 0 < tol < 1):
        raise FastmapError(f"tol must be a number in (0, 1), got {tol!r}")
    m = _dataset_model(ds)
    field, x, y = _field2d(ds, var, x, y)
    output = m.output(var) if var in m.output_names else None
    if output is None or not output.categorical:
        raise FastmapError(f"{var!r} is not a categorical output of model {m.name!r}; "
                           "boundaries separate regions of a categorical output (for a continuous "
                           "margin use margin_contours)")
    data = np.asarray(field.transpose(y, x).values)
    xs = np.asarray(ds[x].values, dtype=np.float64)
    ys = np.asarray(ds[y].values, dtype=np.float64)
    # Parameters held fixed: by sweep (attributes) or by selecting one value of an axis.
    fixed = fixed_parameters(ds)
    fixed.update({name: float(c) for name, c in ds[var].coords.items()
                  if c.ndim == 0 and name in m.parameter_names})
    grid = _Grid(m, var, x, y, xs, ys, fixed)
    crossings = grid.crossings(data, tol)
    links = grid.links(data, crossings)
    curves = []
    for pair, chain, closed in _chains(crossings, links):
        codes = tuple(int(c) for c in pair)
        curves.append(Boundary(var, (output.label(codes[0]), output.label(codes[1])), codes,
                               crossings.x[chain], crossings.y[chain], (x, y), m.name, closed))
    return curves


def margin_contours(ds: xr.Dataset, margin_var: str, *, x: str | None = None,
                    y: str | None = None, level: float = 0.0) -> list[Boundary]:
    """The ``level`` set of the continuous ``margin_var`` of a 2-D map, as :class:`Boundary` curves.

    Uses matplotlib's contour algorithm (contourpy), i.e. linear interpolation between cells:
    exact where the margin is linear along a grid edge, second-order accurate otherwise. Labels
    are ``("<margin_var> < level", "<margin_var> > level")`` with codes ``(-1, 1)``. NaN cells
    (e.g. ``invalid``) are masked: curves stop at them.
    """
    import contourpy

    model = ds.attrs.get("model", "")
    field, x, y = _field2d(ds, margin_var, x, y)
    if field.attrs.get("flag_meanings") is not None or not np.issubdtype(field.dtype, np.floating):
        raise FastmapError(f"{margin_var!r} is not a continuous output; margin_contours needs a "
                           "signed margin (e.g. a profit difference)")
    z = np.ma.masked_invalid(np.asarray(field.transpose(y, x).values, dtype=np.float64))
    xs = np.asarray(ds[x].values, dtype=np.float64)
    ys = np.asarray(ds[y].values, dtype=np.float64)
    lines = contourpy.contour_generator(xs, ys, z, line_type="Separate").lines(float(level))
    labels = (f"{margin_var}<{level:g}", f"{margin_var}>{level:g}")
    return [Boundary(margin_var, labels, (-1, 1), line[:, 0].copy(), line[:, 1].copy(), (x, y),
                     model, bool(len(line) > 2 and np.array_equal(line[0], line[-1])))
            for line in lines]


def to_geojson(curves: list[Boundary], path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``curves`` to ``path`` (``.geojson`` or ``.json``) as a GeoJSON FeatureCollection.

    Each curve is a LineString feature with coordinates ``[x, y]`` in parameter units and
    properties ``var``, ``labels``, ``codes``, ``model``, ``axes`` and ``closed``. A curve of a
    single crossing point (a region touching one grid edge between two junctions) cannot be a
    LineString and is written as a Point feature with the same properties. Floats are written
    with full precision (``repr``), so reading back gives the same numbers.
    """
    _check_suffix(path, (".geojson", ".json"))
    features = []
    for c in curves:
        coordinates = [[float(a), float(b)] for a, b in zip(c.x, c.y)]
        geometry = ({"type": "LineString", "coordinates": coordinates} if len(coordinates) > 1
                    else {"type": "Point", "coordinates": coordinates[0]})
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "var": c.var, "labels": list(c.labels), "codes": list(c.codes), "model": c.model,
            "axes": list(c.axes), "closed": c.closed}})
    with atomic_target(path, overwrite=overwrite) as temporary:
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": features}, f)
    return Path(path)


def to_csv(curves: list[Boundary], path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``curves`` to ``path`` (``.csv``): one row per point, columns
    ``var, label_a, label_b, curve, x, y`` (``curve`` = index of the curve in ``curves``; points in
    curve order; floats at full precision)."""
    _check_suffix(path, (".csv",))
    with atomic_target(path, overwrite=overwrite) as temporary:
        with open(temporary, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["var", "label_a", "label_b", "curve", "x", "y"])
            for k, c in enumerate(curves):
                for a, b in zip(c.x, c.y):
                    writer.writerow([c.var, c.labels[0], c.labels[1], k, repr(float(a)),
                                     repr(float(b))])
    return Path(path)


def draw_boundaries(ax, curves: list[Boundary], **line_kwargs) -> list:
    """Draw ``curves`` on the matplotlib Axes ``ax`` (x horizontal); returns the Line2D objects.

    ``line_kwargs`` go to ``ax.plot`` (defaults: black, width 1.2); a single-point curve is drawn
    as a dot.
    """
    style = {"color": "black", "lw": 1.2} | line_kwargs
    drawn = []
    for c in curves:
        marker = {"marker": "o", "ms": 2} if len(c.x) == 1 else {}
        drawn += ax.plot(c.x, c.y, **(marker | style))
    return drawn


# --------------------------------------------------------------------------------------- helpers

@dataclass
class _Crossings:
    """Crossing points: coordinates, label pair (smaller code first) and the grid edge each lies
    on (``vertical``: the edge joins nodes (i, j)-(i+1, j), else (i, j)-(i, j+1))."""

    x: np.ndarray
    y: np.ndarray
    pair: np.ndarray  # (n, 2) codes
    vertical: np.ndarray
    i: np.ndarray
    j: np.ndarray


@dataclass
class _Grid:
    """A 2-D map's axes and fixed parameters, and the kernel evaluations on them."""

    model: object
    var: str
    x_name: str
    y_name: str
    xs: np.ndarray
    ys: np.ndarray
    fixed: dict

    def labels(self, px: np.ndarray, py: np.ndarray) -> np.ndarray:
        """``var`` at the points ``(px, py)``: one batched kernel call."""
        from .engine import solve

        if px.size == 0:
            return np.empty(0, dtype=np.int8)
        params = dict(self.fixed, **{self.x_name: px, self.y_name: py})
        return solve(self.model, **params)[self.var]

    def crossings(self, data: np.ndarray, tol: float) -> _Crossings:
        """Bisect every grid edge whose end labels differ (module docstring)."""
        h_i, h_j = np.nonzero(data[:, :-1] != data[:, 1:])  # edges along x
        v_i, v_j = np.nonzero(data[:-1, :] != data[1:, :])  # edges along y
        vertical = np.concatenate([np.zeros(h_i.size, bool), np.ones(v_i.size, bool)])
        i = np.concatenate([h_i, v_i])
        j = np.concatenate([h_j, v_j])
        # Along an edge, the moving coordinate goes from `lo` (label a) to `hi` (label b);
        # `fixed` is the other coordinate.
        lo = np.concatenate([self.xs[h_j], self.ys[v_i]])
        hi = np.concatenate([self.xs[h_j + 1], self.ys[v_i + 1]])
        a = np.concatenate([data[h_i, h_j], data[v_i, v_j]])
        b = np.concatenate([data[h_i, h_j + 1], data[v_i + 1, v_j]])
        fixed = np.concatenate([self.ys[h_i], self.xs[v_j]])
        edge = np.arange(i.size)
        width = np.abs(hi - lo) * tol
        for _ in range(MAX_STEPS):
            mid = 0.5 * (lo + hi)
            active = (np.abs(hi - lo) > width[edge]) & (mid != lo) & (mid != hi)
            if not active.any():
                break
            k = np.flatnonzero(active)
            v, other = vertical[edge[k]], fixed[edge[k]]
            found = self.labels(np.where(v, other, mid[k]), np.where(v, mid[k], other))
            to_lo = found == a[k]
            lo[k[to_lo]] = mid[k[to_lo]]
            to_hi = found == b[k]
            hi[k[to_hi]] = mid[k[to_hi]]
            third = ~(to_lo | to_hi)
            if third.any():  # split: [lo, mid] separates (a, c), [mid, hi] separates (c, b)
                s = k[third]
                c = found[third]
                lo = np.concatenate([lo, mid[s]])
                hi = np.concatenate([hi, hi[s]])
                a = np.concatenate([a, c])
                b = np.concatenate([b, b[s]])
                edge = np.concatenate([edge, edge[s]])
                hi[s] = mid[s]
                b[s] = c
        point = 0.5 * (lo + hi)
        v = vertical[edge]
        return _Crossings(np.where(v, fixed[edge], point), np.where(v, point, fixed[edge]),
                          np.sort(np.stack([a, b], axis=1), axis=1), v, i[edge], j[edge])

    def links(self, data: np.ndarray, crossings: _Crossings) -> list[tuple[int, int]]:
        """Pairs of crossing indices joined inside a grid square (module docstring)."""
        ny, nx = data.shape
        # Square (i, j) has corners (i, j), (i, j+1), (i+1, j), (i+1, j+1); sides 0 bottom,
        # 1 right, 2 top, 3 left.
        groups = defaultdict(list)
        for n, (vert, i, j, pair) in enumerate(zip(crossings.vertical, crossings.i, crossings.j,
                                                   map(tuple, crossings.pair))):
            if vert:
                sides = [((i, j), 3), ((i, j - 1), 1)]
            else:
                sides = [((i, j), 0), ((i - 1, j), 2)]
            for (si, sj), side in sides:
                if 0 <= si < ny - 1 and 0 <= sj < nx - 1:
                    groups[(si, sj, pair)].append((side, n))
        links, saddles = [], []
        for (i, j, pair), members in groups.items():
            sides = sorted(members)
            distinct = len({s for s, _ in sides}) == len(sides)
            if len(sides) == 2 and distinct:
                links.append((sides[0][1], sides[1][1]))
            elif len(sides) == 4 and distinct:
                saddles.append((i, j, [n for _, n in sides]))
        if saddles:
            si = np.array([s[0] for s in saddles])
            sj = np.array([s[1] for s in saddles])
            centre = self.labels(0.5 * (self.xs[sj] + self.xs[sj + 1]),
                                 0.5 * (self.ys[si] + self.ys[si + 1]))
            for (i, j, (bottom, right, top, left)), label in zip(saddles, centre):
                if label == data[i, j]:  # corners (i, j), (i+1, j+1) joined: cut off the others
                    links += [(bottom, right), (left, top)]
                elif label == data[i, j + 1]:  # corners (i, j+1), (i+1, j) joined
                    links += [(bottom, left), (right, top)]
        return links


def _chains(crossings: _Crossings, links):
    """The connected curves as ``(pair, indices, closed)``, sorted by pair, then by first index.

    Open chains are walked from an end (the lower index of the two), closed ones from their lowest
    index, which is repeated at the end."""
    neighbours = defaultdict(list)
    for p, q in links:
        neighbours[p].append(q)
        neighbours[q].append(p)
    seen = np.zeros(len(crossings.x), dtype=bool)
    curves = []

    def walk(start):
        chain = [start]
        seen[start] = True
        current = start
        while True:
            following = [q for q in neighbours[current] if not seen[q]]
            if not following:
                return chain
            current = following[0]
            seen[current] = True
            chain.append(current)

    for start in range(len(crossings.x)):  # open curves (and isolated points) from an end
        if not seen[start] and len(neighbours[start]) < 2:
            curves.append((tuple(crossings.pair[start]), np.array(walk(start)), False))
    for start in range(len(crossings.x)):  # what remains are closed curves
        if not seen[start]:
            curves.append((tuple(crossings.pair[start]), np.array(walk(start) + [start]), True))
    curves.sort(key=lambda c: (c[0], c[1][0]))
    return curves


def _dataset_model(ds):
    from .registry import model as get_model

    name = ds.attrs.get("model")
    if not name:
        raise FastmapError("boundaries need a map made by fastmap.sweep (ds.attrs['model'] names "
                           "the model whose kernel locates them)")
    return get_model(name)


def _check_suffix(path, allowed):
    if Path(path).suffix.lower() not in allowed:
        raise FastmapError(f"cannot write boundaries to {str(path)!r}: the file name must end in "
                           f"{' or '.join(allowed)}")
