"""Phase diagrams (:func:`plot_regions`) and heat maps (:func:`plot_field`) of sweep Datasets.

Colours of categorical codes are fixed by the model's declaration (``Output.colors``), so the same
regime has the same colour in every figure; codes without a declared colour take ``PALETTE``.
Threshold curves the model declares (``Model.thresholds``) can be overlaid so that the sampled
boundaries can be checked against the closed forms by eye.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from .errors import FastmapError, UnknownNameError

#: Colours for codes a model gives none (code 0, conventionally ``invalid``, is white).
PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
           "#8c8c8c", "#ccb974", "#64b5cd")
#: Regions smaller than this share of the map get no label inside (the legend still names them).
MIN_LABEL_SHARE = 0.004


def plot_regions(ds: xr.Dataset, x: str | None = None, y: str | None = None, *, var: str = "regime",
                 ax=None, labels: bool = True, legend: bool = True, thresholds: bool | list = True,
                 boundaries: bool = False, title: str | None = None):
    """Draw the categorical ``var`` of ``ds`` as a phase diagram over ``x`` (horizontal), ``y``.

    Each code gets its fixed colour; each region large enough is labelled at its deepest point;
    the legend names every code present. ``thresholds`` overlays the model's threshold curves of
    the y (or x) parameter: ``True`` for all, a list of names for some, ``False`` for none.
    ``boundaries`` draws the region boundaries as exact curves, located by bisection with the
    kernel (:func:`fastmap.boundaries.boundaries`), so a coarse map looks as sharp as a dense one.
    Returns the matplotlib Axes.
    """
    field, x, y = _field2d(ds, var, x, y)
    meanings = field.attrs.get("flag_meanings")
    if meanings is None:
        raise FastmapError(f"{var!r} is not categorical (no flag_meanings); use plot_field")
    codes = [int(c) for c in np.atleast_1d(field.attrs["flag_values"])]
    names = meanings.split()
    colors = _colors(ds, var, codes)
    ax = ax if ax is not None else plt.figure(figsize=(8.5, 6), layout="constrained").add_subplot()
    data = field.transpose(y, x).values
    edges = np.array(codes + [codes[-1] + 1]) - 0.5
    _image(ax, data, ds[x].values, ds[y].values, cmap=ListedColormap(colors),
           norm=BoundaryNorm(edges, len(codes)))
    present = [c for c in codes if np.any(data == c)]
    if labels:
        for code in present:
            point = _deepest_point(data == code)
            if point is not None:
                i, j = point
                ax.text(ds[x].values[j], ds[y].values[i], names[codes.index(code)], ha="center",
                        va="center", fontsize=8, bbox={"boxstyle": "round,pad=0.2", "fc": "white",
                                                       "ec": "none", "alpha": 0.75})
    handles = [Patch(facecolor=colors[codes.index(c)], edgecolor="0.3", label=names[codes.index(c)])
               for c in present]
    if thresholds:
        handles += _overlay_thresholds(ax, ds, x, y, thresholds)
    if boundaries:
        from .boundaries import boundaries as exact_boundaries
        from .boundaries import draw_boundaries

        draw_boundaries(ax, exact_boundaries(ds, var, x=x, y=y), color="black", lw=1.0)
    if legend:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  title=var, title_fontsize=9, frameon=False)
    _decorate(ax, ds, x, y, title if title is not None else _default_title(ds, var))
    return ax


def plot_field(ds: xr.Dataset, var: str, x: str | None = None, y: str | None = None, *, ax=None,
               cmap: str = "viridis", vmin=None, vmax=None, title: str | None = None):
    """Draw the continuous ``var`` of ``ds`` as a heat map with a colour bar (NaN in light grey)."""
    field, x, y = _field2d(ds, var, x, y)
    ax = ax if ax is not None else plt.figure(figsize=(7, 5.5), layout="constrained").add_subplot()
    colormap = plt.get_cmap(cmap).with_extremes(bad="#e6e6e6")
    image = _image(ax, field.transpose(y, x).values.astype(float), ds[x].values, ds[y].values,
                   cmap=colormap, vmin=vmin, vmax=vmax)
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label(_axis_label(field, var))
    _decorate(ax, ds, x, y, title if title is not None else _default_title(ds, var))
    return ax


# --------------------------------------------------------------------------------------- helpers

def _field2d(ds, var, x, y):
    """``ds[var]`` and its x, y axes (default: the model's headline axes, else the first two)."""
    if var not in ds:
        raise UnknownNameError(f"{var!r} is not in the Dataset; variables: {', '.join(ds.data_vars)}")
    field = ds[var]
    dims = list(field.dims)
    if x is None or y is None:
        default = _model_axes(ds)
        if default and all(d in dims for d in default) and x is None and y is None:
            x, y = default
        else:
            rest = [d for d in dims if d not in (x, y)]
            x = x if x is not None else rest.pop(0) if rest else None
            y = y if y is not None else rest.pop(0) if rest else None
    for name in (x, y):
        if name not in dims:
            raise FastmapError(f"axis {name!r} is not a dimension of {var!r}; dimensions: {dims}")
    if x == y:
        raise FastmapError(f"x and y must be different axes, got {x!r} twice")
    if field.ndim != 2:
        others = [d for d in dims if d not in (x, y)]
        raise FastmapError(f"{var!r} has extra dimensions {others}; select them first, "
                           f"e.g. ds.sel({others[0]}=...) or ds.isel({others[0]}=0)")
    return field, x, y


def _model(ds):
    from .registry import model

    try:
        return model(ds.attrs.get("model"))
    except UnknownNameError:
        return None


def _model_axes(ds):
    m = _model(ds)
    return m.default_axes if m else None


def _colors(ds, var, codes):
    m = _model(ds)
    declared = None
    if m is not None and var in m.output_names:
        declared = m.output(var).colors
    if declared and len(declared) == len(codes):
        return list(declared)
    return ["#ffffff" if c == 0 else PALETTE[i % len(PALETTE)] for i, c in enumerate(codes)]


def _image(ax, data, xs, ys, **kw):
    """imshow on uniform axes (fast at any resolution), pcolormesh otherwise."""
    if _uniform(xs) and _uniform(ys):
        dx = (xs[-1] - xs[0]) / (len(xs) - 1) if len(xs) > 1 else 1.0
        dy = (ys[-1] - ys[0]) / (len(ys) - 1) if len(ys) > 1 else 1.0
        extent = (xs[0] - dx / 2, xs[-1] + dx / 2, ys[0] - dy / 2, ys[-1] + dy / 2)
        return ax.imshow(data, origin="lower", extent=extent, aspect="auto", interpolation="nearest",
                         **kw)
    return ax.pcolormesh(xs, ys, data, shading="nearest", rasterized=True, **kw)


def _uniform(values):
    if len(values) < 3:
        return True
    steps = np.diff(values)
    return bool(np.allclose(steps, steps[0], rtol=1e-6, atol=0))


def _deepest_point(mask, max_side=160):
    """The pixel of ``mask`` farthest (by repeated erosion) from its region's edge, or None."""
    if mask.mean() < MIN_LABEL_SHARE:
        return None
    step = max(1, int(np.ceil(max(mask.shape) / max_side)))
    small = mask[::step, ::step]
    current = small
    while True:
        eroded = current.copy()
        eroded[1:, :] &= current[:-1, :]
        eroded[:-1, :] &= current[1:, :]
        eroded[:, 1:] &= current[:, :-1]
        eroded[:, :-1] &= current[:, 1:]
        eroded[[0, -1], :] = False
        eroded[:, [0, -1]] = False
        if not eroded.any():
            break
        current = eroded
    rows, cols = np.nonzero(current)
    middle = len(rows) // 2
    return rows[middle] * step, cols[middle] * step


def _overlay_thresholds(ax, ds, x, y, wanted):
    """Dashed curves of the model's thresholds in the x or y parameter; returns legend handles."""
    m = _model(ds)
    if m is None:
        return []
    names = [n for n, of in m.thresholds.items() if of in (x, y)]
    if wanted is not True:
        names = [n for n in names if n in wanted]
    if not names:
        return []
    values = _threshold_values(m, ds, x, y, names)
    handles = []
    styles = ["--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1))]
    colors = ["black", "#1f3b73", "#6a1b4d", "#0b5d1e", "#5c3d00"]
    visible = [n for n in names if _inside(values[n], ds[y if m.thresholds[n] == y else x].values)]
    for k, name in enumerate(visible):
        curve = values[name]
        along = ds[y].values if m.thresholds[name] == x else ds[x].values
        xy = (along, curve) if m.thresholds[name] == y else (curve, along)
        line, = ax.plot(*xy, color=colors[k % len(colors)], lw=1.1, ls=styles[k % len(styles)],
                        label=f"{name} (closed form)")
        handles.append(line)
    ax.set_xlim(*_limits(ds[x].values))
    ax.set_ylim(*_limits(ds[y].values))
    return handles


def _threshold_values(m, ds, x, y, names):
    """Thresholds along the other axis, recomputed with the Dataset's fixed parameters."""
    from .engine import fixed_parameters, solve

    params = fixed_parameters(ds)
    result = {}
    for of in {m.thresholds[name] for name in names}:  # one solve per parameter
        along = y if of == x else x
        solved = solve(m, **dict(params, **{along: ds[along].values, of: float(ds[of].values[0])}))
        result.update({name: solved[name] for name in names if m.thresholds[name] == of})
    return result


def _inside(curve, axis_values):
    """Whether any point of a threshold curve falls within the plotted range of its axis."""
    low, high = _limits(axis_values)
    return bool(np.any((curve >= low) & (curve <= high)))


def _limits(values):
    if len(values) < 2:
        return values[0] - 0.5, values[0] + 0.5
    half = (values[-1] - values[0]) / (len(values) - 1) / 2
    return values[0] - half, values[-1] + half


def _axis_label(obj, name):
    long_name = obj.attrs.get("long_name")
    units = obj.attrs.get("units")
    label = f"{name} [{units}]" if units and units != "1" else name
    return f"{label}\n{textwrap.shorten(long_name, 60)}" if long_name else label


def _decorate(ax, ds, x, y, title):
    ax.set_xlabel(_axis_label(ds[x], x))
    ax.set_ylabel(_axis_label(ds[y], y))
    if title:
        ax.set_title(title, fontsize=10)


def _default_title(ds, var):
    model = ds.attrs.get("model", "")
    fixed = ds.attrs.get("fixed_parameters", "")
    head = f"{model}: {var}" if model else var
    return "\n".join([head] + textwrap.wrap(fixed, 60))
