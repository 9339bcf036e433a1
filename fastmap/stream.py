"""Streaming a map into a Zarr v3 store chunk by chunk: bounded memory, resumable, any scheduler.

The store is built at ``FILE.zarr.partial`` beside the target. Its metadata is written first; then
one task per chunk computes the chunk, writes its region of every variable and only then marks the
chunk done in the store's progress record (group ``fastmap_progress``: array ``done``, one element
per chunk, each element its own Zarr chunk, so concurrent tasks never write the same object). A
chunk that is not marked done, a half-written one included, is recomputed by a resumed run. The
record also holds the request's fingerprint, so a resume never mixes two different maps. When every
chunk is done the record is removed, so are the temporary files of Zarr's atomic writes that a
killed writer leaves behind, and the store is renamed to ``FILE.zarr``: a store at the target path
is always complete.

Peak memory is that of the chunks in flight (one per worker thread or process), whatever the size
of the grid.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from . import io
from .errors import FastmapError
from .progress import progress_bar, track_futures
from .schedulers import distributed_client

PROGRESS_GROUP = "fastmap_progress"
#: A file zarr's LocalStore writes and then renames onto the key (``<key>.<uuid4 hex>.partial``);
#: left behind only when its writer is killed mid-write.
ZARR_TEMPORARY = re.compile(r".*\.[0-9a-f]{32}\.partial")
REQUEST_ATTR = "fastmap_request"

#: One chunk of the map: its index in the chunk grid and a picklable ``writer(store_path)`` that
#: computes the chunk and writes its region of every variable.
ChunkJob = tuple[tuple[int, ...], Callable[[str], None]]


class MapInterrupted(KeyboardInterrupt):
    """Ctrl-C during a streamed map; the message says what was kept and how to resume."""


def partial_path(target: str | Path) -> Path:
    """Where the store of ``target`` is built until it is complete."""
    target = Path(target)
    return target.with_name(target.name + ".partial")


def write_zarr_map(lazy: xr.Dataset, jobs: Sequence[ChunkJob], grid: tuple[int, ...],
                   fingerprint: str, out: str | Path, *, overwrite: bool = False,
                   resume: bool = False, scheduler=None, progress: bool = False) -> Path:
    """Compute the chunks of ``lazy`` with ``jobs`` into the Zarr store ``out``.

    ``grid`` is the number of chunks along each axis and ``fingerprint`` identifies the request
    (model, parameter values, chunks, outputs, fastmap version). ``resume`` continues an
    interrupted map of the same request, computing only the chunks not yet done; without it an
    interrupted map is not touched unless ``overwrite`` is given.
    """
    target = Path(out)
    partial = partial_path(target)
    if resume and target.exists() and _request_of(target) == fingerprint:
        return target  # already complete
    io.check_writable(target, overwrite=overwrite)
    if partial.exists():
        if overwrite and not resume:
            shutil.rmtree(partial)
        elif not resume:
            raise FastmapError(f"an interrupted map is at {str(partial)!r}; pass resume=True "
                               "(CLI: --resume) to finish it or overwrite=True (--overwrite) to "
                               "start again")
        elif _request_of(partial) != fingerprint:
            raise FastmapError(f"{str(partial)!r} holds an interrupted map of a different request "
                               "(model, parameters, outputs or chunks differ); pass overwrite=True "
                               "(CLI: --overwrite) to start again")
    if not partial.exists():
        _create(lazy, partial, grid, fingerprint)
    done = _done(partial)
    pending = [(index, writer) for index, writer in jobs if not done[index]]
    try:
        _run(pending, partial, scheduler, progress, f"{lazy.attrs.get('model', 'map')} "
                                                    f"{len(jobs)} chunks")
    except KeyboardInterrupt:
        raise MapInterrupted(f"interrupted; {_status(partial)}; run the same command with "
                             "--resume (API: resume=True) to finish it") from None
    except Exception as err:
        raise FastmapError(f"computing the map failed ({type(err).__name__}: {err}); "
                           f"{_status(partial)}; fix the cause and resume") from err
    if not _done(partial).all():  # a lost write would show here, never as a complete store
        raise FastmapError(f"the map is incomplete ({_status(partial)}); resume it")
    shutil.rmtree(partial / PROGRESS_GROUP)
    _remove_zarr_temporaries(partial)
    io.move_into_place(partial, target)
    return target


def run_chunk(writer: Callable[[str], None], path: str, index: tuple[int, ...]) -> None:
    """Compute and write one chunk, then mark it done (never before its data is written)."""
    import zarr

    writer(path)
    zarr.open_array(f"{path}/{PROGRESS_GROUP}/done", mode="r+")[index] = 1


# --------------------------------------------------------------------------------------- helpers

def _create(lazy: xr.Dataset, partial: Path, grid: tuple[int, ...], fingerprint: str) -> None:
    import zarr

    io.write_zarr_metadata(lazy.assign_attrs({REQUEST_ATTR: fingerprint}), partial)
    record = zarr.open_group(str(partial / PROGRESS_GROUP), mode="w", zarr_format=3)
    record.create_array("done", shape=grid, chunks=(1,) * len(grid), dtype="uint8", fill_value=0)


def _remove_zarr_temporaries(store: Path) -> None:
    for path in store.rglob("*.partial"):
        if ZARR_TEMPORARY.fullmatch(path.name) and path.is_file():
            path.unlink()


def _request_of(store: Path) -> str | None:
    import zarr

    try:
        return zarr.open_group(str(store), mode="r").attrs.get(REQUEST_ATTR)
    except Exception:  # not a fastmap store at all
        return None


def _done(partial: Path) -> np.ndarray:
    import zarr

    return zarr.open_array(str(partial / PROGRESS_GROUP / "done"), mode="r")[...].astype(bool)


def _status(partial: Path) -> str:
    done = _done(partial)
    return f"{int(done.sum())} of {done.size} chunks are written in {str(partial)!r}"


def _run(pending, partial: Path, scheduler, progress: bool, description: str) -> None:
    import dask

    tasks = [dask.delayed(run_chunk, pure=False)(writer, str(partial), index)
             for index, writer in pending]
    client = distributed_client(scheduler)
    if client is None:
        with progress_bar(description, enabled=progress):
            dask.compute(*tasks, scheduler=scheduler)
        return
    futures = client.compute(tasks)
    try:
        track_futures(futures, description, enabled=progress)
    except BaseException:
        client.cancel(futures)
        raise
