"""Benchmark maps streamed to Zarr at scale: wall time, cells/s and peak memory of the process tree.

Each run is one ``fastmap map`` command (a separate process, as a user runs it) computing the
``regime`` of ``import_tax_channels`` over (delta, t) and streaming it into a Zarr store in a
temporary directory. Cells/s use the command's own timing (parsing to written store, interpreter
start-up excluded; the process's wall time is shown too); a sampler thread sums the resident memory of the command and all its
children (LocalCluster workers included) every 20 ms. Runs:

* ``--big`` x ``--big`` (default 32768^2 = 1.07e9 cells) with the threaded scheduler;
* ``--small`` x ``--small`` (default 8192^2) with the threaded scheduler, to show cost linear in
  cells (cells/s of the two should agree);
* the small grid on a 2-worker ``dask.distributed.LocalCluster`` (``--workers 2``), against the
  threaded scheduler measured in the same run.

Target: peak RSS < 2 GiB on the big grid. The stores are deleted after each run.

    .venv/bin/python benchmarks/bench_scale.py [--big 32768] [--small 8192] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

TARGET_RSS = 2 * 2**30


def tree_rss(process: psutil.Process) -> int:
    """Resident memory of ``process`` and all its descendants, in bytes."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_map(n: int, workdir: Path, *extra: str) -> dict:
    """One ``fastmap map`` of n x n cells; wall time, cells/s, peak RSS of the process tree."""
    target = workdir / f"map{n}.zarr"
    command = [sys.executable, "-m", "fastmap", "map", "import_tax_channels",
               "--axis", f"delta=0.01:0.99:{n}", "--axis", f"t=0:1:{n}", "--output", "regime",
               "--out", str(target), "-q", *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(process.pid)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            try:
                peak = max(peak, tree_rss(watched))
            except psutil.Error:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"fastmap map failed ({process.returncode}): {stderr.strip()}")
    store_bytes = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    shutil.rmtree(target)
    line = stdout.strip().splitlines()[0]
    inside = float(re.search(r" in ([0-9.]+) s", line).group(1))  # the command's own timing
    return {"n": n, "cells": n * n, "options": " ".join(extra) or "threads", "wall_s": wall,
            "map_s": inside, "cells_per_s": n * n / inside, "peak_rss_bytes": peak,
            "store_bytes": store_bytes, "command_output": line}


def show(r: dict) -> None:
    print(f"{r['n']:>6}^2 = {r['cells']:>13,} cells  {r['options']:12s} map {r['map_s']:7.1f} s "
          f"(process {r['wall_s']:6.1f} s)  "
          f"{r['cells_per_s'] / 1e6:7.2f} M cells/s  peak RSS {r['peak_rss_bytes'] / 2**20:7.0f} MiB  "
          f"store {r['store_bytes'] / 2**20:7.1f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=32768, help="side of the big grid")
    parser.add_argument("--small", type=int, default=8192, help="side of the small grid")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM")
    results = []
    with tempfile.TemporaryDirectory(prefix="fastmap-scale-", dir=".") as tmp:
        workdir = Path(tmp)
        run_map(256, workdir)  # warm the numba cache and the imports
        for n, extra in ((args.small, ()), (args.small, ("--workers", "2")), (args.big, ())):
            results.append(run_map(n, workdir, *extra))
            show(results[-1])
    small, cluster, big = results
    print(f"cost linear in cells: {big['cells_per_s'] / small['cells_per_s']:.2f} "
          f"(cells/s at {args.big}^2 / at {args.small}^2)")
    print(f"LocalCluster(2 workers) / threads at {args.small}^2: "
          f"{cluster['cells_per_s'] / small['cells_per_s']:.2f}")
    ok = big["peak_rss_bytes"] < TARGET_RSS
    print(f"peak RSS at {args.big}^2: {big['peak_rss_bytes'] / 2**30:.2f} GiB "
          f"(target < {TARGET_RSS / 2**30:.0f} GiB): {'met' if ok else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
