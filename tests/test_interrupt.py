"""Ctrl-C is never lost: a KeyboardInterrupt that Python swallows (raised inside a weakref
callback, as happened to a CLI map) still stops the computation at the next dask task."""

import signal
import weakref

import dask
import pytest

from fastmap.interrupt import interrupt_checkpoints

# the swallowed interrupt is reported as an unraisable exception; that report is expected here
swallowed = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


class _Dropped:
    pass


def _ctrl_c_swallowed_by_a_weakref_callback():
    """Deliver SIGINT while Python runs a weakref callback, which prints and drops the
    KeyboardInterrupt (returns normally, as the lost interrupt did)."""
    obj = _Dropped()
    ref = weakref.ref(obj, lambda _: signal.raise_signal(signal.SIGINT))
    del obj
    return ref


@swallowed
def test_swallowed_ctrl_c_stops_the_next_dask_computation():
    tasks_run = []

    def task(i):
        tasks_run.append(i)
        return i

    with pytest.raises(KeyboardInterrupt), interrupt_checkpoints():
        _ctrl_c_swallowed_by_a_weakref_callback()  # lost: execution goes on
        dask.compute(*[dask.delayed(task)(i) for i in range(100)], scheduler="synchronous")
    assert len(tasks_run) == 1  # stopped after the first task, not after all 100


@swallowed
def test_without_checkpoints_the_swallowed_ctrl_c_is_lost():
    """The failure the checkpoints exist for (if this ever fails, Python delivers it anyway)."""
    _ctrl_c_swallowed_by_a_weakref_callback()
    assert dask.compute(*[dask.delayed(abs)(i) for i in range(10)], scheduler="synchronous") \
        == tuple(range(10))


def test_handler_restored_and_state_cleared():
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), interrupt_checkpoints():
        signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before
    with interrupt_checkpoints():  # a new block starts without the old interrupt
        assert dask.compute(dask.delayed(abs)(-1), scheduler="synchronous") == (1,)


def test_a_program_that_ignores_sigint_keeps_ignoring_it():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupt_checkpoints():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            signal.raise_signal(signal.SIGINT)
            assert dask.compute(dask.delayed(abs)(-2), scheduler="threads") == (2,)
    finally:
        signal.signal(signal.SIGINT, previous)
