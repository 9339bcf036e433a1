"""Writing maps to Zarr v3 or NetCDF, atomically.

A map is written to a temporary path beside the target and renamed into place only once complete,
so an interrupted or failed write (Ctrl-C included) never leaves a partial file at the target.
"""

from __future__ import annotations

import os
import shutil
import uuid
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


def write(ds: xr.Dataset, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``ds`` to ``path`` (``.zarr``: Zarr v3 store; ``.nc``: NetCDF-4 via h5netcdf).

    Dask-backed Datasets are computed chunk by chunk while writing.
    """
    fmt = output_format(path)
    target = check_writable(path, overwrite=overwrite)
    temporary = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        if fmt == "zarr":
            ds.to_zarr(temporary, mode="w-", zarr_format=3, consolidated=False)
        else:
            ds.to_netcdf(temporary, engine="h5netcdf")
        _replace(temporary, target)
    except BaseException:
        _remove(temporary)
        raise
    return target


def _replace(source: Path, target: Path) -> None:
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
