"""Streaming maps to Zarr: bounded chunks, resume after Ctrl-C, a killed process or a failed chunk,
identical stores byte for byte, and dask.distributed clusters (a killed worker loses nothing)."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr

import fastmap
from fastmap import engine, stream

ENV = dict(os.environ, PYTHONWARNINGS="ignore")
NAME = "import_tax_channels"
AXES = {"delta": np.linspace(0.01, 0.99, 60), "t": np.linspace(0.0, 1.0, 50)}
OUTPUTS = ["regime", "regime_true", "piM", "p_g_D", "t4"]


def chunk_files(store: Path) -> dict[str, bytes]:
    """Every data chunk of every variable in a Zarr v3 store, by relative path."""
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*"))
            if p.is_file() and "/c/" in str(p.relative_to(store)).replace(os.sep, "/")}


def done_count(partial: Path) -> int:
    try:
        return int(zarr.open_array(str(partial / stream.PROGRESS_GROUP / "done"), mode="r")[...].sum())
    except Exception:
        return 0


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted streamed map and the same map computed in memory."""
    target = tmp_path_factory.mktemp("ref") / "ref.zarr"
    fastmap.sweep(NAME, out=target, chunks=(16, 16), outputs=OUTPUTS, **AXES)
    return target, fastmap.sweep(NAME, outputs=OUTPUTS, **AXES)


def test_streamed_store_is_complete_and_equals_the_in_memory_map(reference):
    target, in_memory = reference
    ds = xr.open_zarr(target)
    xr.testing.assert_equal(ds.load(), in_memory)
    assert ds.attrs[stream.REQUEST_ATTR] and not (target / stream.PROGRESS_GROUP).exists()
    assert not stream.partial_path(target).exists()
    assert ds.regime.encoding["chunks"] == (16, 16)


def test_failed_chunk_leaves_a_resumable_store_and_a_half_written_chunk_is_redone(
        reference, tmp_path, monkeypatch):
    target = tmp_path / "m.zarr"
    real = engine._block_to_zarr

    def failing(model_name, columns, axis_of, shape, select, region, path):
        if region[0].start == 16 and region[1].start == 32:
            # write half of the chunk's variables, then fail: the chunk is not marked done
            group = zarr.open_group(path, mode="r+")
            group["piM"][region] = -1.0
            # and leave what zarr's atomic write leaves when its writer is killed mid-write
            (Path(path) / "piM" / "c" / "1" / f"2.{'ab' * 16}.partial").write_bytes(b"half")
            raise OSError("disk full")
        real(model_name, columns, axis_of, shape, select, region, path)

    monkeypatch.setattr(engine, "_block_to_zarr", failing)
    with pytest.raises(fastmap.FastmapError, match=r"computing the map failed \(OSError: disk full\); "
                                                   r"(\d+) of 16 chunks are written in .*m\.zarr\.partial") as err:
        fastmap.sweep(NAME, out=target, chunks=(16, 16), outputs=OUTPUTS, scheduler="synchronous", **AXES)
    partial = stream.partial_path(target)
    written = done_count(partial)
    assert not target.exists() and f"{written} of 16 chunks" in str(err.value) and written < 16
    done = zarr.open_array(str(partial / stream.PROGRESS_GROUP / "done"), mode="r")[...]
    missing = sorted((16 * int(i), min(16 * int(i) + 16, 60), 16 * int(j), min(16 * int(j) + 16, 50))
                     for i, j in np.argwhere(done == 0))
    assert (16, 32, 32, 48) in missing
    with pytest.raises(fastmap.FastmapError, match="an interrupted map is at .*pass resume=True"):
        fastmap.sweep(NAME, out=target, chunks=(16, 16), outputs=OUTPUTS, **AXES)
    with pytest.raises(fastmap.FastmapError, match="holds an interrupted map of a different request"):
        fastmap.sweep(NAME, out=target, chunks=(16, 16), outputs=OUTPUTS, resume=True, t_g=0.06, **AXES)
    monkeypatch.setattr(engine, "_block_to_zarr", real)
    calls = []
    monkeypatch.setattr(engine, "_block_to_zarr", lambda *a: calls.append(a[5]) or real(*a))
    fastmap.sweep(NAME, out=target, chunks=(16, 16), outputs=OUTPUTS, resume=True, **AXES)
    computed = sorted((r[0].start, r[0].stop, r[1].start, r[1].stop) for r in calls)
    assert computed == missing  # only the missing chunks were computed
    assert chunk_files(target) == chunk_files(reference[0])
    assert not partial.exists()
    # resuming a complete map of the same request is a no-op
    fastmap.sweep(NAME, out=target, chunks=(16, 16), outputs=OUTPUTS, resume=True, **AXES)
    assert len(calls) == len(missing)


def test_overwrite_discards_an_interrupted_map(tmp_path):
    target = tmp_path / "m.zarr"
    partial = stream.partial_path(target)
    partial.mkdir()
    (partial / "junk").write_text("x")
    fastmap.sweep(NAME, out=target, chunks=(16, 16), outputs=["regime"], overwrite=True, **AXES)
    assert target.exists() and not partial.exists()


def _start_cli_map(target: Path, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "fastmap", "map", NAME, "--axis", "delta=0.01:0.99:2000",
         "--axis", "t=0:1:2000", "--output", "regime", "--output", "piM", "--chunks", "50",
         "--out", str(target), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
        # a shell's background jobs ignore SIGINT, and the child would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_chunks(partial: Path, n: int, process) -> None:
    deadline = time.time() + 180
    while time.time() < deadline and done_count(partial) < n and process.poll() is None:
        time.sleep(0.02)
    assert process.poll() is None, f"the map ended (exit {process.returncode}) before it was interrupted"
    assert done_count(partial) >= n, "the map never got going"


@pytest.fixture(scope="module")
def cli_reference(tmp_path_factory):
    target = tmp_path_factory.mktemp("cli") / "ref.zarr"
    process = _start_cli_map(target, "-q")
    assert process.wait(timeout=600) == 0, process.stderr.read()
    return chunk_files(target)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_cli_map_resumes_to_an_identical_store(tmp_path, cli_reference, how):
    target = tmp_path / "m.zarr"
    partial = stream.partial_path(target)
    process = _start_cli_map(target, "-q")
    _wait_for_chunks(partial, 3, process)
    process.send_signal(how)
    _, stderr = process.communicate(timeout=120)
    assert not target.exists() and partial.exists()
    before = done_count(partial)
    assert 3 <= before < 1600
    if how == signal.SIGINT:
        assert process.returncode == 130
        assert "interrupted;" in stderr and "chunks are written in" in stderr and "--resume" in stderr
    again = _start_cli_map(target, "-q")
    _, stderr = again.communicate(timeout=600)
    assert again.returncode == 2 and "an interrupted map is at" in stderr
    resumed = _start_cli_map(target, "-q", "--resume")
    _, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr
    assert chunk_files(target) == cli_reference
    assert not partial.exists()


def test_local_cluster_of_processes_gives_the_same_map_with_progress(reference, tmp_path, capsys):
    target = tmp_path / "m.zarr"
    fastmap.sweep(NAME, out=target, chunks=(16, 16), outputs=OUTPUTS, workers=2, progress=True, **AXES)
    assert chunk_files(target) == chunk_files(reference[0])
    assert "import_tax_channels 16 chunks" in capsys.readouterr().err  # the distributed progress bar
    lazy = fastmap.sweep(NAME, chunks=(16, 16), outputs=OUTPUTS, workers=2, **AXES)
    xr.testing.assert_identical(lazy, reference[1])


def test_a_worker_killed_mid_map_loses_nothing(tmp_path):
    from distributed import Client, LocalCluster

    axes = {"omega": np.linspace(0.3, 0.999, 400), "b1": np.linspace(1.25, 4.0, 400)}
    kwargs = dict(chunks=(20, 400), outputs=["regime", "pi", "p1"], dist=1, sigma=50.0, **axes)
    expected = fastmap.sweep("stochastic_newsvendor", outputs=kwargs["outputs"], dist=1, sigma=50.0,
                             **axes)
    target = tmp_path / "m.zarr"
    partial = stream.partial_path(target)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        errors = []
        mapper = threading.Thread(target=lambda: _capture(errors, fastmap.sweep, "stochastic_newsvendor",
                                                          out=target, scheduler=client, **kwargs))
        mapper.start()
        deadline = time.time() + 180
        while time.time() < deadline and done_count(partial) < 2:
            time.sleep(0.01)
        killed_at = done_count(partial)
        victim = next(iter(client.scheduler_info()["workers"]))
        os.kill(client.run(os.getpid, workers=[victim])[victim], signal.SIGKILL)
        mapper.join(timeout=600)
    assert not errors, errors
    assert 2 <= killed_at < 20, "the worker was not killed in the middle of the map"
    xr.testing.assert_identical(xr.open_zarr(target).load().drop_attrs(), expected.drop_attrs())


def _capture(errors, func, *args, **kwargs):
    try:
        func(*args, **kwargs)
    except BaseException as err:  # reported by the test
        errors.append(err)
