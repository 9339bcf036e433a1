"""The command line: every command works, bad requests fail with one line and leave nothing."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr

ENV = dict(os.environ, PYTHONWARNINGS="ignore")


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "fastmap", *args], capture_output=True, text=True,
                          cwd=cwd, env=ENV, timeout=300)


def test_list_and_describe():
    listed = run("list")
    assert listed.returncode == 0 and "import_tax_channels" in listed.stdout
    described = run("describe", "import_tax_channels")
    assert described.returncode == 0
    assert "0 < delta < 1" in described.stdout and "dp_harmful" in described.stdout


@pytest.mark.parametrize("command", [[], ["list"], ["describe"], ["map"], ["figure"]])
def test_help_on_every_command(command):
    result = run(*command, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_map_writes_store_and_plot(tmp_path):
    out, png = tmp_path / "m.zarr", tmp_path / "m.png"
    result = run("map", "import_tax_channels", "--axis", "delta=0.05:0.95:40", "--axis", "t=0:1:30",
                 "--set", "t_g=0.04", "--output", "regime", "--output", "piM", "--chunks", "16",
                 "--out", str(out), "--plot", str(png), "-q")
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and "regime:" in result.stdout
    ds = xr.open_zarr(out)
    assert ds.regime.dims == ("delta", "t") and ds.regime.shape == (40, 30)
    assert ds.attrs["fixed_t_g"] == 0.04 and ds.regime.encoding["chunks"] == (16, 16)
    assert png.stat().st_size > 10_000
    import fastmap

    direct = fastmap.sweep("import_tax_channels", delta=np.linspace(0.05, 0.95, 40),
                           t=np.linspace(0, 1, 30), t_g=0.04, outputs=["regime", "piM"])
    xr.testing.assert_equal(ds.load(), direct)


def test_map_netcdf_with_value_list_axis(tmp_path):
    out = tmp_path / "m.nc"
    result = run("map", "import_tax_channels", "--axis", "N_f=0.5,1,2", "--axis", "t=0:0.5:3",
                 "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    ds = xr.open_dataset(out, engine="h5netcdf")
    assert list(ds.N_f.values) == [0.5, 1.0, 2.0] and len(ds.data_vars) == 96


@pytest.mark.parametrize("args, message", [
    (["map", "nope", "--axis", "t=0:1:3", "--out", "{tmp}/a.zarr"], "unknown model 'nope'"),
    (["map", "import_tax_channels", "--axis", "tt=0:1:3", "--out", "{tmp}/a.zarr"],
     "unknown parameter 'tt'"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--set", "t=0.2", "--out", "{tmp}/a.zarr"],
     "parameter 't' is given twice"),
    (["map", "import_tax_channels", "--axis", "t=0:1:0", "--out", "{tmp}/a.zarr"], "NUM must be >= 1"),
    (["map", "import_tax_channels", "--axis", "t=0:1:2.5", "--out", "{tmp}/a.zarr"],
     "NUM must be a whole number"),
    (["map", "import_tax_channels", "--axis", "t=0:1", "--out", "{tmp}/a.zarr"], "malformed axis"),
    (["map", "import_tax_channels", "--axis", "t", "--out", "{tmp}/a.zarr"], "malformed --axis"),
    (["map", "import_tax_channels", "--axis", "t=0:x:3", "--out", "{tmp}/a.zarr"], "is not a number"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--set", "delta=nan", "--out", "{tmp}/a.zarr"],
     "must be finite"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--out", "{tmp}/a.csv"],
     "unsupported output format '.csv'"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--out", "{tmp}/no/such/dir/a.zarr"],
     "does not exist"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--output", "nope", "--out", "{tmp}/a.zarr"],
     "unknown output 'nope'"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--chunks", "0", "--out", "{tmp}/a.zarr"],
     "chunk sizes must be positive"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--plot", "{tmp}/a.png"],
     "--plot needs exactly 2 axes"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3"], "nothing to do"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--scheduler", "gpu", "--out", "{tmp}/a.zarr"],
     "unknown scheduler 'gpu'; allowed: threads, processes, synchronous or a dask.distributed"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--workers", "0", "--out", "{tmp}/a.zarr"],
     "workers must be a positive integer"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--workers", "2", "--scheduler", "threads",
      "--out", "{tmp}/a.zarr"], "cannot be combined with scheduler='threads'"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--resume", "--out", "{tmp}/a.nc"],
     "--resume finishes an interrupted Zarr map"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--scheduler", "processes", "--out", "{tmp}/a.nc"],
     "NetCDF is written by this process"),
    (["map", "import_tax_channels", "--axis", "t=0:1:3", "--scheduler", "tcp://127.0.0.1:9",
      "--out", "{tmp}/a.zarr"], "cannot connect to the dask scheduler at 'tcp://127.0.0.1:9'"),
    (["describe", "nope"], "unknown model 'nope'"),
    (["figure", "nope"], "unknown figure 'nope'"),
])
def test_bad_requests_exit_non_zero_with_one_line(tmp_path, args, message):
    result = run(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_overwrite(tmp_path):
    args = ["map", "import_tax_channels", "--axis", "t=0:1:3", "--out", str(tmp_path / "a.nc"), "-q"]
    assert run(*args).returncode == 0
    again = run(*args)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert run(*args, "--overwrite").returncode == 0


def test_ctrl_c_leaves_no_partial_netcdf(tmp_path):
    target = tmp_path / "big.nc"
    process = subprocess.Popen(
        [sys.executable, "-m", "fastmap", "map", "import_tax_channels", "--axis", "delta=0.01:0.99:3000",
         "--axis", "t=0:1:3000", "--chunks", "100", "--out", str(target)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
        # a shell's background jobs ignore SIGINT, and the child would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while time.time() < deadline and not any(p.name.startswith(".big.nc.partial") for p in tmp_path.iterdir()):
        time.sleep(0.05)
    assert any(p.name.startswith(".big.nc.partial") for p in tmp_path.iterdir()), "never started writing"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted; no output was left behind" in stderr
    assert list(tmp_path.iterdir()) == []


def test_adaptive_map_and_its_boundaries(tmp_path):
    store, curves = tmp_path / "a.zarr", tmp_path / "a.geojson"
    result = run("map", "import_tax_channels", "--axis", "delta=0.01:0.99:257", "--axis", "t=0:1:257",
                 "--adaptive", "--coarse", "16", "--out", str(store), "-q")
    assert result.returncode == 0, result.stderr
    assert "adaptive:" in result.stdout and "kernel evaluations" in result.stdout
    ds = xr.open_zarr(store)
    assert list(ds.data_vars) == ["regime"] and 0 < ds.attrs["fastmap_evaluations"] < 0.2 * 257 ** 2
    import fastmap

    dense = fastmap.sweep("import_tax_channels", delta=np.linspace(0.01, 0.99, 257),
                          t=np.linspace(0, 1, 257), outputs=["regime"])
    np.testing.assert_array_equal(ds.regime.values, dense.regime.values)
    drawn = run("boundaries", str(store), "--out", str(curves))
    assert drawn.returncode == 0, drawn.stderr
    import json

    features = json.loads(curves.read_text())["features"]
    assert {tuple(f["properties"]["labels"]) for f in features} >= {("no_gray_market", "dp_harmful")}


@pytest.mark.parametrize("args, message", [
    (["--adaptive", "--output", "piM"], "adaptive maps refine categorical outputs only"),
    (["--adaptive", "--chunks", "10"], "an adaptive map is computed in memory; chunks apply to dense"),
    (["--coarse", "8"], "--coarse sets the first grid of an adaptive map; add --adaptive"),
    (["--adaptive", "--coarse", "12"], "coarse"),
])
def test_bad_adaptive_requests(tmp_path, args, message):
    result = run("map", "import_tax_channels", "--axis", "delta=0.1:0.9:20", "--axis", "t=0:1:20",
                 "--out", str(tmp_path / "a.zarr"), *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []
