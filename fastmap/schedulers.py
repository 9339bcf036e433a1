"""Which dask scheduler computes a map: a local one by name, a ``dask.distributed`` cluster by
address or ``Client``, or a ``LocalCluster`` of worker processes started for the map."""

from __future__ import annotations

import re
from contextlib import contextmanager

from .errors import FastmapError

LOCAL = ("threads", "processes", "synchronous")
ALLOWED = ("threads, processes, synchronous or a dask.distributed scheduler address "
           "(tcp://HOST:PORT)")
_ADDRESS = re.compile(r"^([a-z0-9+]+://)?[\w.\-\[\]:]+:\d+$", re.IGNORECASE)


def distributed_client(scheduler):
    """The ``dask.distributed.Client`` that ``scheduler`` is, else None (a local scheduler)."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - distributed is a dependency
        return None
    return scheduler if isinstance(scheduler, Client) else None


def check_scheduler(scheduler, workers) -> None:
    """Fail early, before any work, on a scheduler or worker count that cannot be used."""
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise FastmapError(f"workers must be a positive integer, got {workers!r}")
        if scheduler not in (None, "processes"):
            raise FastmapError("workers starts a local cluster of worker processes; it cannot be "
                               f"combined with scheduler={scheduler!r}")
        return
    if scheduler is None or distributed_client(scheduler) is not None:
        return
    if not isinstance(scheduler, str) or (scheduler not in LOCAL and not _ADDRESS.match(scheduler)):
        raise FastmapError(f"unknown scheduler {scheduler!r}; allowed: {ALLOWED}")


@contextmanager
def open_scheduler(scheduler=None, workers: int | None = None):
    """Yield what ``dask.compute(scheduler=...)`` accepts for the request.

    Local names and ``Client`` objects pass through; an address connects a ``Client`` (closed at
    exit); ``workers=N`` starts a ``LocalCluster`` of N single-threaded worker processes (closed at
    exit). Kernels are loaded from numba's on-disk cache by each worker once, not per chunk.
    """
    check_scheduler(scheduler, workers)
    if workers is None and not (isinstance(scheduler, str) and scheduler not in LOCAL):
        yield scheduler
        return
    import logging

    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    if workers is not None:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise FastmapError(f"cannot connect to the dask scheduler at {scheduler!r}: {err}") from None
    with client:
        yield client
