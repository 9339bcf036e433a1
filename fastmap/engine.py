"""Evaluate a model at points (``solve``) or over an N-dimensional grid (``sweep``).

Both reduce to one call of the model's compiled driver per chunk: every parameter becomes a
column that is either fixed (one value) or tied to one grid dimension (see :mod:`fastmap.loops`),
so a grid is never materialised parameter by parameter. ``sweep`` without ``chunks`` computes in
memory with numba's threads; with ``chunks`` it returns a dask-backed Dataset with one task per
chunk, in which the driver runs on one numba thread so that dask owns the parallelism. Maps
written to Zarr are streamed chunk by chunk (:mod:`fastmap.stream`) on a local scheduler or a
``dask.distributed`` cluster (:mod:`fastmap.schedulers`).
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
from collections.abc import Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import numba
import numpy as np
import xarray as xr

from . import io, stream
from .errors import FastmapError
from .interrupt import interrupt_checkpoints
from .modeldef import Model
from .progress import progress_bar
from .registry import model as get_model
from .schedulers import check_scheduler, distributed_client, open_scheduler

#: Memory a dask chunk's stacked outputs aim at when ``chunks="auto"``...
AUTO_CHUNK_BYTES = 64 * 2**20
#: ... and the most cells it holds: with few outputs, chunks of 64 MiB would be too few to keep
#: every worker busy (a 8192^2 regime map would be one task); 2^22 cells is ~0.1-0.5 s of kernel.
AUTO_CHUNK_CELLS = 2**22


def solve(name: str | Model, **params) -> dict[str, np.ndarray]:
    """Evaluate ``name`` at points, broadcasting the parameters like a numpy ufunc.

    Missing parameters take their defaults. Returns one array per output (categorical outputs as
    int8 codes, ``regime`` included). Points outside the model's assumptions, NaN and infinities
    included, are not errors: they come back as regime ``invalid`` with NaN outputs.
    """
    m = get_model(name)
    slots = _slots(m, params, finite=False)
    try:
        shape = np.broadcast_shapes(*(a.shape for a in slots))
    except ValueError:
        shapes = ", ".join(f"{p.name}{a.shape}" for p, a in zip(m.parameters, slots) if a.ndim)
        raise FastmapError(f"parameters do not broadcast together: {shapes}") from None
    columns = [a.reshape(1) if a.size == 1 else np.broadcast_to(a, shape).ravel() for a in slots]
    axis_of = [-1 if c.size == 1 else 0 for c in columns]
    select = _Selection.of(m, None)
    floats, codes = _evaluate(m, columns, axis_of, (math.prod(shape),), select)
    return {name: values.reshape(shape) for name, values in select.arrays(floats, codes).items()}


def sweep(name: str | Model, *, chunks=None, scheduler=None, workers: int | None = None,
          outputs: Sequence[str] | None = None, out=None, overwrite: bool = False,
          resume: bool = False, progress: bool = False, adaptive: bool = False,
          coarse: int | None = None, **params) -> xr.Dataset:
    """Evaluate ``name`` on the outer product of the 1-D array parameters.

    Each 1-D array becomes a grid axis (in the order given); scalars are held fixed; missing
    parameters take their defaults. ``outputs`` keeps only the named outputs. ``chunks`` (an
    int, a tuple, a ``{axis: size}`` dict or ``"auto"``) returns a lazy dask-backed Dataset;
    ``scheduler`` (``"threads"``, ``"processes"``, ``"synchronous"``, a ``dask.distributed``
    scheduler address or ``Client``) computes it there, and ``workers=N`` on a ``LocalCluster`` of
    N worker processes started for the map. Without any of these, the grid is computed in memory.

    ``out`` (``FILE.zarr`` or ``FILE.nc``) writes the map there instead and returns the Dataset
    opened lazily from the file. A Zarr map is streamed: one task per chunk computes it and writes
    its region of every variable, so memory stays bounded by the chunks in flight, and an
    interrupted map continues with ``resume=True`` (see :mod:`fastmap.stream`). The file appears
    only when complete; an existing one is replaced only with ``overwrite``. ``progress`` shows a
    progress bar on stderr.

    ``adaptive=True`` maps categorical outputs only (default ``regime``), evaluating the kernel on
    a coarse grid (every ``coarse``-th point, default 16) and refining only where neighbours
    disagree (:mod:`fastmap.adaptive`); the Dataset is the dense one, plus the attribute
    ``fastmap_evaluations``.
    """
    m = get_model(name)
    if adaptive:
        dense_options = {"chunks": chunks, "scheduler": scheduler, "workers": workers,
                         "resume": resume}
        return _adaptive(m, outputs, coarse, out, overwrite, dense_options, params)
    axes, columns, axis_of, shape = grid(m, params)
    select = _Selection.of(m, outputs)
    check_scheduler(scheduler, workers)
    if resume and out is None:
        raise FastmapError("resume continues a map written to a file; give out=FILE.zarr")
    if out is not None:
        with interrupt_checkpoints():
            return _sweep_to_file(m, columns, axis_of, axes, shape, select, chunks, scheduler,
                                  workers, out, overwrite, resume, progress)
    if chunks is None and scheduler is None and workers is None:
        floats, codes = _evaluate(m, columns, axis_of, shape, select)
        return _dataset(m, select.arrays(floats, codes), axes, columns, axis_of)
    blocks = _normalize_chunks(chunks, shape, axes, select)
    floats, codes = _dask_arrays(m, columns, axis_of, blocks, select)
    ds = _dataset(m, select.arrays(floats, codes), axes, columns, axis_of)
    if scheduler is None and workers is None:
        return ds
    with open_scheduler(scheduler, workers) as where, interrupt_checkpoints():
        with progress_bar(f"{m.name} {math.prod(shape):,} cells",
                          enabled=progress and distributed_client(where) is None):
            return ds.compute(scheduler=where)


def grid(m: Model, params: Mapping):
    """Validate ``sweep``'s parameters: (axes, parameter columns, axis of each column, grid shape)."""
    slots = _slots(m, params, finite=True)
    axes = [p.name for p, a in zip(m.parameters, slots) if p.name in params and a.ndim == 1]
    axes.sort(key=list(params).index)
    for p, a in zip(m.parameters, slots):
        if a.ndim > 1:
            raise FastmapError(f"parameter {p.name!r} must be a scalar or a 1-D axis, got shape {a.shape}")
        if a.ndim == 1 and a.size == 0:
            raise FastmapError(f"axis {p.name!r} is empty; an axis needs at least one value")
    shape = tuple(slots[m.parameter_names.index(a)].size for a in axes)
    columns = [a.reshape(-1) for a in slots]
    axis_of = [axes.index(p.name) if p.name in axes else -1 for p in m.parameters]
    return axes, columns, axis_of, shape


def _adaptive(m, outputs, coarse, out, overwrite, dense_options: dict, params: dict):
    """An adaptive map (:mod:`fastmap.adaptive`), in memory or written to ``out``."""
    from .adaptive import adaptive_sweep

    given = [k for k, v in dense_options.items() if v is not None and v is not False]
    if given:
        raise FastmapError(f"an adaptive map is computed in memory; {', '.join(given)} apply to "
                           "dense maps only")
    ds = adaptive_sweep(m, outputs=outputs, coarse=coarse, **params)
    if out is None:
        return ds
    io.write(ds, out, overwrite=overwrite)
    return io.open_map(out)


def fixed_parameters(ds: xr.Dataset) -> dict[str, float]:
    """The parameters held fixed in a Dataset made by :func:`sweep`."""
    prefix = "fixed_"
    return {k[len(prefix):]: float(v) for k, v in ds.attrs.items() if k.startswith(prefix)
            and k != "fixed_parameters"}


# --------------------------------------------------------------------------------------- helpers

def _slots(m: Model, params: Mapping, *, finite: bool) -> list[np.ndarray]:
    """One float64 array per declared parameter, in declaration order (NaN = not given)."""
    for name in params:
        m.parameter(name)  # raises for unknown names
    derived = {replaced: p.name for p in m.parameters if p.name in params for replaced in p.replaces}
    for replaced, by in derived.items():
        if replaced in params:
            raise FastmapError(f"give either {replaced!r} or {by!r}, not both "
                               f"({by}: {m.parameter(by).long_name})")
    slots = []
    for p in m.parameters:
        if p.name in params:
            value = _as_float_array(p.name, params[p.name])
            if finite and not np.all(np.isfinite(value)):
                raise FastmapError(f"parameter {p.name!r} must be finite, got {_show(params[p.name])}")
        elif p.default is None or p.name in derived:
            value = np.array(math.nan)
        else:
            value = np.array(float(p.default))
        slots.append(value)
    return slots


def _as_float_array(name: str, value) -> np.ndarray:
    if isinstance(value, (str, bytes)) or (isinstance(value, np.ndarray) and value.dtype.kind in "USOV"):
        raise FastmapError(f"parameter {name!r} must be numeric, got {_show(value)}")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise FastmapError(f"parameter {name!r} must be numeric, got {_show(value)}") from None


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class _Selection:
    """The outputs kept, in the order asked: slots of the continuous ones (computed into a
    float64 block, in that order) and of the categorical ones (an int8 block)."""

    names: tuple[str, ...]
    is_code: tuple[bool, ...]
    floats: np.ndarray
    codes: np.ndarray

    @classmethod
    def of(cls, m: Model, outputs: Sequence[str] | None) -> "_Selection":
        if outputs is None:
            names = list(m.output_names)
        else:
            names = list(dict.fromkeys([outputs] if isinstance(outputs, str) else outputs))
            if not names:
                raise FastmapError("outputs is empty; name at least one output or pass None for all")
        kept = [m.output(n) for n in names]
        slots = [m.outputs.index(o) for o in kept]
        return cls(tuple(o.name for o in kept), tuple(o.categorical for o in kept),
                   np.array([s for s, o in zip(slots, kept) if not o.categorical], dtype=np.int64),
                   np.array([s for s, o in zip(slots, kept) if o.categorical], dtype=np.int64))

    @property
    def bytes_per_cell(self) -> int:
        return 8 * len(self.floats) + len(self.codes)

    def arrays(self, floats, codes) -> dict:
        """``{name: array}`` in the order asked, from the rows of the float and code blocks."""
        f, c = iter(floats), iter(codes)
        return {name: next(c) if code else next(f) for name, code in zip(self.names, self.is_code)}


def _evaluate(m: Model, columns, axis_of, shape, select: _Selection):
    """Run the model's driver on one C-ordered block of ``shape``.

    Returns the float64 block ``(len(select.floats), *shape)`` and the int8 block
    ``(len(select.codes), *shape)``.
    """
    n_cells = math.prod(shape)
    cell_strides = [math.prod(shape[d + 1:]) for d in range(len(shape))]
    n_params = len(columns)
    values = np.empty((n_params, max(c.size for c in columns)))
    stride = np.ones(n_params, dtype=np.int64)
    length = np.ones(n_params, dtype=np.int64)
    for k, (column, axis) in enumerate(zip(columns, axis_of)):
        values[k, :column.size] = column
        length[k] = column.size
        if axis >= 0:
            stride[k] = cell_strides[axis]
    moving = np.flatnonzero(length > 1).astype(np.int64)
    floats = np.empty((len(select.floats), n_cells))
    codes = np.empty((len(select.codes), n_cells), dtype=np.int8)
    if n_cells:
        m.evaluate(values, moving, stride, length, select.floats, floats, select.codes, codes)
    return floats.reshape((-1,) + tuple(shape)), codes.reshape((-1,) + tuple(shape))


def _normalize_chunks(chunks, shape, axes, select: _Selection):
    import dask.array as da

    if isinstance(chunks, Mapping):
        unknown = set(chunks) - set(axes)
        if unknown:
            raise FastmapError(f"chunks name unknown axes {sorted(unknown)}; axes are {axes}")
        chunks = tuple(chunks.get(a, -1) for a in axes)
    if chunks is None:
        chunks = "auto"
    sizes = chunks if isinstance(chunks, tuple) else (chunks,) * len(shape)
    for size in sizes:
        if size == "auto" or size == -1:
            continue
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise FastmapError(f"chunk sizes must be positive integers, -1 or 'auto', got {chunks!r}")
    try:
        return da.core.normalize_chunks(chunks, shape, dtype=np.float64,
                                        limit=8 * max(min(AUTO_CHUNK_BYTES // select.bytes_per_cell,
                                                          AUTO_CHUNK_CELLS), 1))
    except (ValueError, TypeError) as err:
        raise FastmapError(f"invalid chunks {chunks!r} for grid shape {shape}: {err}") from None


def _dask_arrays(m: Model, columns, axis_of, blocks, select: _Selection):
    """The float and code blocks as dask arrays ``(n, *grid)``, one model task per chunk."""
    import operator

    import dask.array as da
    from dask.highlevelgraph import HighLevelGraph

    name = f"fastmap-{m.name}-{_request_token(m, columns, axis_of, blocks, select)}"
    tasks = {}
    for index, block_columns, block_shape, _ in _blocks(columns, axis_of, blocks):
        tasks[(name,) + index] = (_block_task, m.name, block_columns, axis_of, block_shape, select)
    arrays = []
    for part, (rows, dtype) in enumerate([(select.floats, np.float64), (select.codes, np.int8)]):
        part_name = f"{name}-{dtype.__name__}"
        graph = dict(tasks)
        graph.update({(part_name, 0) + key[1:]: (operator.getitem, key, part) for key in tasks})
        hlg = HighLevelGraph.from_collections(part_name, graph, dependencies=())
        arrays.append(da.Array(hlg, part_name, chunks=((len(rows),),) + tuple(blocks), dtype=dtype))
    return arrays


def _request_token(m: Model, columns, axis_of, blocks, select: _Selection) -> str:
    """Identifies a chunked map: model, fastmap version, parameter values, chunks, outputs."""
    from dask.base import tokenize

    from . import __version__

    return tokenize(m.name, __version__, [c.tobytes() for c in columns], axis_of, blocks,
                    select.names)


def _sweep_to_file(m, columns, axis_of, axes, shape, select, chunks, scheduler, workers, out,
                   overwrite, resume, progress):
    import dask

    fmt = io.output_format(out)
    blocks = _normalize_chunks(chunks, shape, axes, select)
    lazy = _dataset(m, select.arrays(*_dask_arrays(m, columns, axis_of, blocks, select)), axes,
                    columns, axis_of)
    if fmt == "netcdf":
        if resume:
            raise FastmapError("resume needs a Zarr store (FILE.zarr); a NetCDF file is written in "
                               "one go")
        if workers is not None or scheduler not in (None, "threads", "synchronous"):
            raise FastmapError("NetCDF is written by this process (scheduler threads or "
                               "synchronous); write FILE.zarr to compute on processes or a cluster")
        with dask.config.set(scheduler=scheduler) if scheduler is not None else nullcontext():
            with progress_bar(f"{m.name} {math.prod(shape):,} cells", enabled=progress):
                io.write(lazy, out, overwrite=overwrite)
        return io.open_map(out)
    jobs = [(index, functools.partial(_block_to_zarr, m.name, block_columns, axis_of, block_shape,
                                      select, region))
            for index, block_columns, block_shape, region in _blocks(columns, axis_of, blocks)]
    fingerprint = _request_token(m, columns, axis_of, blocks, select)
    with open_scheduler(scheduler, workers) as where:
        stream.write_zarr_map(lazy, jobs, tuple(len(b) for b in blocks), fingerprint, out,
                              overwrite=overwrite, resume=resume, scheduler=where, progress=progress)
    return io.open_map(out)


def _blocks(columns, axis_of, blocks):
    """Per chunk of the grid: its index, parameter columns, shape and region (tuple of slices)."""
    edges = [np.concatenate([[0], np.cumsum(b)]).astype(int) for b in blocks]
    for index in itertools.product(*(range(len(b)) for b in blocks)):
        region = tuple(slice(e[i], e[i + 1]) for e, i in zip(edges, index))
        block_columns = [c if axis < 0 else c[region[axis]] for c, axis in zip(columns, axis_of)]
        yield index, block_columns, tuple(r.stop - r.start for r in region), region


def _block_to_zarr(model_name, columns, axis_of, shape, select, region, path):
    """Compute one chunk and write its region of every variable into the Zarr store at ``path``."""
    import zarr

    group = zarr.open_group(path, mode="r+")
    blocks = _block_task(model_name, columns, axis_of, shape, select)
    for name, values in select.arrays(*blocks).items():
        group[name][region] = values


def _block_task(model_name, columns, axis_of, shape, select):
    with _serial_numba_in_worker_threads():
        return _evaluate(get_model(model_name), columns, axis_of, shape, select)


@contextmanager
def _serial_numba_in_worker_threads():
    """Run the driver on one numba thread when called from a pool thread (dask owns parallelism)."""
    if threading.current_thread() is threading.main_thread():
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _dataset(m: Model, arrays: dict, axes, columns, axis_of) -> xr.Dataset:
    from . import __version__

    coords = {}
    for name in axes:
        p = m.parameter(name)
        coords[name] = xr.Variable(name, columns[m.parameter_names.index(name)],
                                   {"long_name": p.long_name, "units": p.units})
    data_vars = {name: xr.Variable(axes, values, m.output(name).attrs())
                 for name, values in arrays.items()}
    fixed = {p.name: float(c[0]) for p, c, axis in zip(m.parameters, columns, axis_of)
             if axis < 0 and not math.isnan(c[0])}
    attrs = {
        "Conventions": "CF-1.10",
        "title": m.title,
        "model": m.name,
        "references": m.reference,
        "source": f"fastmap {__version__}",
        "fastmap_version": __version__,
        "fixed_parameters": " ".join(f"{k}={v!r}" for k, v in fixed.items()),
    }
    attrs.update({f"fixed_{k}": v for k, v in fixed.items()})
    return xr.Dataset(data_vars, coords, attrs)
