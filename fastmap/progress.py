"""A rich progress bar for dask computations on the local schedulers."""

from __future__ import annotations

from contextlib import contextmanager

from dask.callbacks import Callback
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)


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
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        with _RichCallback(progress, description):
            yield

