"""The engine's API contract: solve, sweep, bad requests, CF attributes, Zarr/NetCDF round trips."""

import math

import numpy as np
import pytest
import xarray as xr

import fastmap
from fastmap import io
from fastmap.engine import fixed_parameters

NAME = "import_tax_channels"


def test_models_and_description():
    assert NAME in fastmap.models()
    m = fastmap.model(NAME)
    assert [p.name for p in m.parameters][:3] == ["delta", "t", "t_g"]
    assert m.parameter("delta").default == 0.7 and m.parameter("dt").replaces == ("t_g",)
    regime = m.output("regime")
    assert regime.categorical and regime.flag_meanings[0] == "invalid"
    assert len(m.outputs) == 7 + 10 + 6 * 12 + 2 + 5  # codes, thresholds, cases, ratios, margins


@pytest.mark.parametrize("call, message", [
    (lambda: fastmap.model("nope"), "unknown model 'nope'; available: import_tax_channels"),
    (lambda: fastmap.solve(NAME, dleta=0.5), "unknown parameter 'dleta'"),
    (lambda: fastmap.solve(NAME, t_g=0.1, dt=0.1), "give either 't_g' or 'dt', not both"),
    (lambda: fastmap.solve(NAME, delta="abc"), "parameter 'delta' must be numeric"),
    (lambda: fastmap.solve(NAME, delta=[0.5, "x"]), "parameter 'delta' must be numeric"),
    (lambda: fastmap.solve(NAME, delta=np.ones(3), t=np.ones(4)), "do not broadcast"),
    (lambda: fastmap.sweep(NAME, delta=[0.5, np.nan]), "parameter 'delta' must be finite"),
    (lambda: fastmap.sweep(NAME, t=np.inf), "parameter 't' must be finite"),
    (lambda: fastmap.sweep(NAME, delta=np.ones((2, 2))), "scalar or a 1-D axis"),
    (lambda: fastmap.sweep(NAME, delta=[]), "axis 'delta' is empty"),
    (lambda: fastmap.sweep(NAME, delta=[0.5], outputs=["nope"]), "unknown output 'nope'"),
    (lambda: fastmap.sweep(NAME, delta=[0.5], outputs=[]), "outputs is empty"),
    (lambda: fastmap.sweep(NAME, delta=[0.5], chunks=0), "chunk sizes must be positive"),
    (lambda: fastmap.sweep(NAME, delta=[0.5], chunks=2.5), "chunk sizes must be positive"),
    (lambda: fastmap.sweep(NAME, delta=[0.5], chunks={"t": 3}), "chunks name unknown axes"),
])
def test_bad_requests_raise_one_line(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert isinstance(info.value, fastmap.FastmapError)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_unknown_names_are_key_errors():
    for call in (lambda: fastmap.model("nope"), lambda: fastmap.solve(NAME, x=1)):
        with pytest.raises(KeyError):
            call()


def test_solve_broadcasts_and_keeps_dtypes():
    out = fastmap.solve(NAME, delta=np.array([[0.6], [0.7], [0.8]]), t=np.linspace(0.1, 0.6, 4))
    assert out["regime"].shape == (3, 4) and out["regime"].dtype == np.int8
    assert out["piM"].dtype == np.float64
    single = fastmap.solve(NAME, delta=0.7, t=np.linspace(0.1, 0.6, 4)[2])
    assert single["piM"].shape == ()
    assert single["piM"] == out["piM"][1, 2]


def test_solve_never_raises_for_numbers_and_labels_them_invalid():
    weird = np.array([0.0, 5e-324, 1e300, -1.0, np.nan, np.inf, -np.inf])
    out = fastmap.solve(NAME, delta=weird[:, None], t=weird[None, :])
    valid = out["regime"] != 0
    assert not np.any(np.isnan(out["piM"][valid]))
    for name, values in out.items():
        if values.dtype.kind == "f":
            assert np.all(np.isnan(values[~valid])), name


def test_sweep_axes_in_order_given_and_cf_attributes():
    ds = fastmap.sweep(NAME, t=np.linspace(0, 1, 5), delta=np.linspace(0.1, 0.9, 3), N_f=2.0)
    assert ds.regime.dims == ("t", "delta")
    assert ds.t.attrs["long_name"] and ds.t.attrs["units"]
    assert ds.regime.attrs["flag_meanings"].split()[1] == "no_gray_market"
    assert list(ds.regime.attrs["flag_values"]) == [0, 1, 2, 3, 4, 5]
    assert ds.piM.attrs["units"] == "currency"
    assert ds.attrs["model"] == NAME and ds.attrs["fastmap_version"] == fastmap.__version__
    assert fixed_parameters(ds) == {"t_g": 0.05, "N_d": 1.0, "N_f": 2.0, "theta_d": 1.0,
                                    "theta_f": 1.0, "alpha": 0.2, "beta": 0.2}


def test_sweep_cell_equals_solve_at_that_point():
    deltas, ts = np.linspace(0.2, 0.95, 7), np.linspace(0.0, 0.9, 9)
    ds = fastmap.sweep(NAME, delta=deltas, t=ts, t_g=0.03, theta_f=1.1)
    for i, j in [(0, 0), (3, 4), (6, 8), (5, 1)]:
        point = fastmap.solve(NAME, delta=deltas[i], t=ts[j], t_g=0.03, theta_f=1.1)
        for name, value in point.items():
            np.testing.assert_array_equal(ds[name].values[i, j], value, err_msg=name)


def test_derived_axis_dt_sets_t_g():
    ds = fastmap.sweep(NAME, t=np.linspace(0.2, 0.3, 4), dt=np.linspace(0.15, 0.25, 5))
    t, dt = np.meshgrid(ds.t.values, ds.dt.values, indexing="ij")
    direct = fastmap.solve(NAME, t=t, t_g=t - dt)
    for name in ("regime", "piM", "p_f_D", "t1"):
        np.testing.assert_array_equal(ds[name].values, direct[name], err_msg=name)
    assert "fixed_t_g" not in ds.attrs


def test_outputs_keeps_only_named_variables():
    ds = fastmap.sweep(NAME, delta=np.linspace(0.3, 0.9, 4), outputs=["regime", "piM_ratio_DB"])
    assert list(ds.data_vars) == ["regime", "piM_ratio_DB"]
    full = fastmap.sweep(NAME, delta=np.linspace(0.3, 0.9, 4))
    xr.testing.assert_identical(ds.piM_ratio_DB, full.piM_ratio_DB)


@pytest.mark.parametrize("chunks, scheduler", [(3, None), ((5, 2), "synchronous"),
                                                ({"delta": 4}, "threads"), ("auto", "threads")])
def test_chunking_and_scheduler_never_change_a_value(chunks, scheduler):
    axes = {"delta": np.linspace(0.05, 0.99, 11), "t": np.linspace(0.0, 1.0, 13)}
    reference = fastmap.sweep(NAME, **axes)
    ds = fastmap.sweep(NAME, chunks=chunks, scheduler=scheduler, **axes)
    if scheduler is None:
        assert ds.regime.chunks is not None  # lazy, dask-backed
        ds = ds.compute()
    xr.testing.assert_identical(ds, reference)


@pytest.mark.parametrize("suffix", [".zarr", ".nc"])
def test_round_trip_keeps_values_and_attributes(tmp_path, suffix):
    ds = fastmap.sweep(NAME, delta=np.linspace(0.1, 0.99, 6), t=np.linspace(0, 1, 5), chunks=3,
                       outputs=["regime", "regime_true", "piM", "p_g", "t4"])
    path = io.write(ds, tmp_path / f"map{suffix}")
    back = xr.open_dataset(path, engine="zarr" if suffix == ".zarr" else "h5netcdf")
    computed = ds.compute()
    for name in computed.variables:
        np.testing.assert_array_equal(back[name].values, computed[name].values, err_msg=name)
        assert back[name].dtype == computed[name].dtype, name
        for key, value in computed[name].attrs.items():
            np.testing.assert_array_equal(np.asarray(back[name].attrs[key]), np.asarray(value))
    assert back.attrs == computed.attrs
    if suffix == ".zarr":
        assert (path / "zarr.json").exists()  # Zarr format 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_write_refuses_existing_target_unwritable_dir_and_unknown_format(tmp_path):
    ds = fastmap.sweep(NAME, delta=[0.5, 0.6])
    target = io.write(ds, tmp_path / "a.nc")
    with pytest.raises(fastmap.FastmapError, match="already exists"):
        io.write(ds, target)
    io.write(ds, target, overwrite=True)
    with pytest.raises(fastmap.FastmapError, match="does not exist"):
        io.write(ds, tmp_path / "missing" / "a.zarr")
    with pytest.raises(fastmap.FastmapError, match="unsupported output format '.csv'"):
        io.write(ds, tmp_path / "a.csv")


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    ds = fastmap.sweep(NAME, delta=[0.5, 0.6], chunks=1)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(xr.Dataset, "to_zarr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        io.write(ds, tmp_path / "map.zarr")
    assert list(tmp_path.iterdir()) == []


def test_plot_regions_and_field(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    ds = fastmap.sweep(NAME, delta=np.linspace(0.01, 0.99, 120), t=np.linspace(0, 1, 100),
                       outputs=["regime", "piM_ratio_DB"])
    ax = fastmap.plot_regions(ds, x="delta", y="t")
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    assert {"no_gray_market", "dp_beneficial", "dp_harmful", "ep_block",
            "no_foreign_authorized"} <= set(labels)
    assert {"t1 (closed form)", "t4 (closed form)"} <= set(labels)
    assert ax.get_xlabel().startswith("delta") and ax.get_ylabel().startswith("t [")
    assert {t.get_text() for t in ax.texts} >= {"no_gray_market", "dp_beneficial"}
    # Threshold curves drawn are the closed forms at the x coordinates.
    t1_line = next(line for line in ax.get_lines() if line.get_label() == "t1 (closed form)")
    np.testing.assert_array_equal(t1_line.get_ydata(),
                                  fastmap.solve(NAME, delta=ds.delta.values, t=0.0)["t1"])
    ax2 = fastmap.plot_field(ds, "piM_ratio_DB")
    assert len(ax2.figure.axes) == 2  # heat map and colour bar
    ax2.figure.savefig(tmp_path / "field.png")
    with pytest.raises(fastmap.FastmapError, match="not categorical"):
        fastmap.plot_regions(ds, var="piM_ratio_DB")
    cube = fastmap.sweep(NAME, delta=[0.5, 0.6], t=[0.2, 0.3], N_f=[1.0, 2.0], outputs=["regime"])
    with pytest.raises(fastmap.FastmapError, match="extra dimensions"):
        fastmap.plot_regions(cube, x="delta", y="t")
    assert math.isfinite(float(ds.piM_ratio_DB.max()))


def test_derived_parameter_replacing_two():
    both = fastmap.solve("stochastic_newsvendor", sigma=np.array([0.0, 30.0, 70.0]))
    apart = fastmap.solve("stochastic_newsvendor", sigma1=np.array([0.0, 30.0, 70.0]),
                          sigma2=np.array([0.0, 30.0, 70.0]))
    for name in ("regime", "pi", "p1", "mu"):
        np.testing.assert_array_equal(both[name], apart[name], err_msg=name)
    with pytest.raises(fastmap.FastmapError, match="give either 'sigma2' or 'sigma', not both"):
        fastmap.solve("stochastic_newsvendor", sigma=50.0, sigma2=40.0)


def test_blocks_are_visited_once_each_in_scattered_order():
    from numba import njit

    from fastmap.loops import BLOCK, SCATTER, block_cells, n_blocks

    @njit
    def first_cells(n):
        starts = np.empty(n_blocks(n), dtype=np.int64)
        for i in range(starts.size):
            starts[i] = block_cells(i, n).start
        return starts

    for n in [1, BLOCK - 1, BLOCK, BLOCK + 1, 7 * BLOCK + 3, 4096 * BLOCK]:
        starts = first_cells(n)
        assert sorted(starts) == list(range(0, n, BLOCK)), n
        if starts.size >= 64:  # the first half of the loop reaches into the second half of the cells
            assert starts[: starts.size // 2].max() > n // 2
    starts = first_cells(SCATTER * BLOCK)  # a count the prime divides: blocks in order
    assert (starts == np.arange(0, SCATTER * BLOCK, BLOCK)).all()


def test_flush_block_copies_the_selected_outputs_of_every_block():
    """Every block's buffer rows land in the selected output rows: float64 (non-temporal stores)
    and int8, a short last block, output rows of odd length (so rows start at different offsets
    from a cache line)."""
    from numba import njit

    from fastmap.loops import BLOCK, block_buffers, block_cells, flush_block, n_blocks

    @njit
    def fill(select, out, select_codes, codes):
        for block in range(n_blocks(out.shape[1])):
            buffer = block_buffers(np.zeros((1, 1)), np.zeros(0, np.int64), 5)[3]
            cells = block_cells(block, out.shape[1])
            for cell in cells:
                row = buffer[cell - cells.start]
                for k in range(5):  # slots 0-2 continuous, 3-4 small codes
                    row[k] = cell * 8.0 + k if k < 3 else (cell % 16) * 8.0 + k
            flush_block(buffer, select, out, cells)
            flush_block(buffer, select_codes, codes, cells)

    n = 3 * BLOCK + 5
    select, select_codes = np.array([2, 0, 1]), np.array([4, 3])
    out, codes = np.full((3, n), np.nan), np.zeros((2, n), dtype=np.int8)
    fill(select, out, select_codes, codes)
    cell = np.arange(n)
    np.testing.assert_array_equal(out, cell * 8.0 + select[:, None])
    np.testing.assert_array_equal(codes, (cell % 16) * 8 + select_codes[:, None])


def test_compiled_kernels_are_cached_per_version_of_the_sources():
    """numba checks a cached kernel against its own file only; fastmap's cache directory is named
    after all of its sources, so an edited helper module cannot leave stale machine code."""
    import os

    import numba

    from fastmap._numba_cache import source_fingerprint

    if not os.environ.get("NUMBA_CACHE_DIR"):
        assert numba.config.CACHE_DIR.endswith(os.path.join("fastmap", "numba", source_fingerprint()))
