"""Timing helper shared by the benchmark scripts (run them from the repository root)."""

import gc
import time
from dataclasses import dataclass, field


@dataclass
class Timings:
    """Best wall and best process CPU seconds (all threads, user + system) of each contestant,
    the results kept from the last round, and each round's wall times (for paired ratios)."""

    wall: dict
    cpu: dict
    kept: dict = field(default_factory=dict)
    rounds: list = field(default_factory=list)


def best_of_interleaved(repeat, runs, keep=()):
    """Time each of ``runs`` (name -> function) over ``repeat`` rounds; the best of each.

    Every round calls the contestants in turn, so a drift in the machine's speed (this VM's
    memory and CPU vary by tens of percent from minute to minute) hits all of them alike instead
    of whichever ran during it. The order rotates by one each round, so that no contestant
    always follows the same one: what one leaves behind (freed memory, a cold core) is met by
    each of the others in turn. Results are dropped after each call, except the last round's
    results of the names in ``keep``.
    """
    timings = Timings(dict.fromkeys(runs, float("inf")), dict.fromkeys(runs, float("inf")))
    names = list(runs)
    for round_ in range(repeat):
        walls = {}
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            fn = runs[name]
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            res = fn()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            walls[name] = wall
            timings.wall[name] = min(timings.wall[name], wall)
            timings.cpu[name] = min(timings.cpu[name], cpu)
            if name in keep and round_ == repeat - 1:
                timings.kept[name] = res
            del res
        timings.rounds.append(walls)
    gc.collect()
    return timings
