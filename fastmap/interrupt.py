"""Ctrl-C that is never lost during a long map.

Python runs a SIGINT handler in the main thread between two bytecodes, wherever it happens to be.
When that is a weakref callback or a ``__del__`` (dask and xarray create and drop objects all the
time), the ``KeyboardInterrupt`` raised there is printed as "Exception ignored" and dropped, and
the map runs on to the end. :func:`interrupt_checkpoints` records the signal as well as raising
it, and raises it again at safe points: after every dask task of a local scheduler (a dask
callback, run by the scheduler loop in the main thread) and wherever :func:`checkpoint` is called
(the wait for ``dask.distributed`` futures).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from dask.callbacks import Callback

_received = threading.Event()


def checkpoint() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C arrived inside :func:`interrupt_checkpoints`."""
    if _received.is_set():
        raise KeyboardInterrupt


class _AfterEveryTask(Callback):
    def _posttask(self, key, result, dsk, state, worker_id):
        checkpoint()


def _on_sigint(signum, frame):
    _received.set()
    raise KeyboardInterrupt


@contextmanager
def interrupt_checkpoints():
    """Within the block, Ctrl-C stops local dask computations even if its first
    ``KeyboardInterrupt`` is swallowed.

    Only Python's default SIGINT handler is replaced (for the block's duration): a program that
    ignores SIGINT or handles it itself keeps its handler, and outside the main thread, where
    handlers cannot be set, the block runs unchanged.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    _received.clear()
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        with _AfterEveryTask():
            yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _received.clear()
