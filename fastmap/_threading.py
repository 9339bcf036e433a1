"""Numba threading layer choice.

Dask may call a model's parallel driver from several threads at once; numba's ``workqueue``
layer aborts the process when that happens. Unless the user chose a layer with
``NUMBA_THREADING_LAYER``, fastmap asks numba for a thread-safe one (TBB, a dependency on x86-64,
or OpenMP). Inside dask tasks the driver additionally runs on one numba thread (see
``fastmap.engine``), so dask owns the parallelism there.
"""

import os

import numba


def configure_threading_layer() -> None:
    if "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER = "threadsafe"
