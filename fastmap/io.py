"""Writing maps to Zarr v3 or NetCDF, atomically.

A map is written to a temporary path beside the target and renamed into place only once complete,
so an interrupted or failed write (Ctrl-C included) never leaves a partial file at the target.
"""

from __future__ import annotations

import atexit
import os
import shutil
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

import xarray as xr

from .errors import FastmapError

FORMATS = {".zarr": "zarr", ".nc": "netcdf"}


def output_format(path: str | os.PathLike) -> str:
    """``"zarr"`` or ``"netcdf"`` from the file name, else a clear error."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise FastmapError(f"unsupported output format {suffix or '(none)'!r} in {str(path)!r}; "
                           f"allowed: {', '.join(FORMATS)}")
    return FORMATS[suffix]


def check_writable(path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Fail early, before any computation, if ``path`` cannot be written."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise FastmapError(f"cannot write {str(target)!r}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FastmapError(f"cannot write {str(target)!r}: directory {str(parent)!r} is not writable")
    if target.exists() and not overwrite:
        raise FastmapError(f"{str(target)!r} already exists; pass overwrite=True (CLI: --overwrite) "
                           "to replace it")
    return target


@contextmanager
def atomic_target(path: str | os.PathLike, *, overwrite: bool = False):
    """Yield a temporary path beside ``path``; move it into place only if the block completes."""
    target = check_writable(path, overwrite=overwrite)
    temporary = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        yield temporary
        move_into_place(temporary, target)
    except BaseException:
        _remove(temporary)
        # Worker threads still finishing a chunk may write into it again; remove it once more at
        # exit, after the interpreter has joined them.
        atexit.register(_remove, temporary)
        raise


def write(ds: xr.Dataset, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``ds`` to ``path`` (``.zarr``: Zarr v3 store; ``.nc``: NetCDF-4 via h5netcdf).

    Dask-backed Datasets are computed chunk by chunk while writing.
    """
    fmt = output_format(path)
    with atomic_target(path, overwrite=overwrite) as temporary:
        if fmt == "zarr":
            write_zarr_metadata(ds, temporary, compute=True)
        else:
            ds.to_netcdf(temporary, engine="h5netcdf")
    return Path(path)


def write_zarr_metadata(ds: xr.Dataset, path: Path, *, compute: bool = False) -> None:
    """Create a Zarr v3 store for ``ds`` (with consolidated metadata); data too if ``compute``."""
    with warnings.catch_warnings():
        # zarr warns that consolidated metadata is not (yet) part of the v3 spec; xarray reads it.
        warnings.filterwarnings("ignore", message="Consolidated metadata", category=UserWarning)
        ds.to_zarr(path, mode="w-", zarr_format=3, consolidated=True, compute=compute)


def open_map(path: str | os.PathLike) -> xr.Dataset:
    """Open a map written by fastmap, lazily (dask-backed)."""
    if output_format(path) == "zarr":
        return xr.open_zarr(path)
    return xr.open_dataset(path, engine="h5netcdf", chunks={})


def move_into_place(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``, replacing a previous file or store."""
    if target.is_dir() and not target.is_symlink():
        trash = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, trash)
        os.replace(source, target)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(source, target)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()
