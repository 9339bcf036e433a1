"""Timing helper shared by the benchmark scripts (run them from the repository root)."""

import gc
import time


def best_of(repeat, fn):
    """Best wall time of ``repeat`` calls; the result of each call is dropped before the next."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        res = fn()
        dt = time.perf_counter() - t0
        del res
        gc.collect()
        best = min(best, dt)
    return best
