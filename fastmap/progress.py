"""Rich progress bars for dask computations: local schedulers (callbacks) and distributed futures."""

from __future__ import annotations

from contextlib import contextmanager

from dask.callbacks import Callback
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from .interrupt import checkpoint


def _bar(enabled: bool = True) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=False, disable=not enabled)


class _RichCallback(Callback):
    """Advances a rich task by one for every finished dask task."""

    def __init__(self, progress: Progress, description: str):
        super().__init__()
        self._progress = progress
        self._description = description
        self._task = None

    def _start_state(self, dsk, state):
        total = sum(len(state[k]) for k in ("ready", "waiting", "running", "finished"))
        self._task = self._progress.add_task(self._description, total=total)

    def _posttask(self, key, result, dsk, state, worker_id):
        self._progress.advance(self._task)


@contextmanager
def progress_bar(description: str, *, enabled: bool = True):
    """Show a progress bar for the dask computations run inside the block (stderr)."""
    if not enabled:
        yield
        return
    with _bar() as progress:
        with _RichCallback(progress, description):
            yield


def track_futures(futures, description: str, *, enabled: bool = True) -> None:
    """Wait for ``dask.distributed`` futures, with a progress bar; re-raise the first error."""
    from distributed import as_completed

    with _bar(enabled) as progress:
        task = progress.add_task(description, total=len(futures))
        for future in as_completed(futures):
            future.result()
            checkpoint()
            progress.advance(task)
