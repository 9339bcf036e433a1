"""Timing helper shared by the benchmark scripts (run them from the repository root)."""

import gc
import time


def best_of_interleaved(repeat, runs, keep=()):
    """Best wall time of each of ``runs`` (name -> function) over ``repeat`` rounds.

    Every round calls the contestants in turn, so a drift in the machine's speed (this VM's
    memory and CPU vary by tens of percent from minute to minute) hits all of them alike instead
    of whichever ran during it. Results are dropped after each call, except the last round's
    results of the names in ``keep``. Returns ``(best seconds by name, kept results by name)``.
    """
    best = dict.fromkeys(runs, float("inf"))
    kept = {}
    for round_ in range(repeat):
        for name, fn in runs.items():
            gc.collect()
            t0 = time.perf_counter()
            res = fn()
            best[name] = min(best[name], time.perf_counter() - t0)
            if name in keep and round_ == repeat - 1:
                kept[name] = res
            del res
    gc.collect()
    return best, kept
