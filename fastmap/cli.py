"""The ``fastmap`` command line: list, describe, map, boundaries, figure.

Bad requests print one line (``error: ...``) on stderr and exit with status 2; nothing is written.
"""

from __future__ import annotations

import functools
import math
import re
import time
from pathlib import Path
from typing import Optional

import numpy as np
import typer

from .errors import FastmapError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Exact, compiled region maps of gray-market game-theory models.")

AXIS_HELP = ("Grid axis NAME=START:STOP:NUM (NUM evenly spaced values, NUM >= 1) or NAME=V1,V2,...; "
             "repeat for more axes (order = dimension order)")
IMAGE_SUFFIXES = (".png", ".pdf", ".svg")
TABLE_SUFFIXES = (".csv", ".md")


def main() -> None:
    """Console entry point."""
    app()


def _one_line_errors(command):
    """Turn a bad request into ``error: ...`` and status 2, Ctrl-C into status 130."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except FastmapError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt as err:
            typer.echo(str(err) or "interrupted; no output was left behind", err=True)
            raise typer.Exit(130) from None

    return wrapper


@app.callback()
def _root() -> None:
    """Exact, compiled region maps of gray-market game-theory models."""


@app.command("list")
@_one_line_errors
def list_models() -> None:
    """List the available models."""
    from .registry import model, models

    for name in models():
        typer.echo(f"{name:24s} {model(name).title}")


@app.command()
@_one_line_errors
def describe(name: str = typer.Argument(..., help="Model name (see `fastmap list`)")) -> None:
    """Describe a model: parameters (defaults, domains, units), outputs and regime codes."""
    from .registry import model

    m = model(name)
    typer.echo(f"{m.name}: {m.title}\n{m.summary}\nReference: {m.reference}\n")
    typer.echo("Parameters:")
    for p in m.parameters:
        default = "derived" if p.default is None else f"{p.default:g}"
        extra = f" (replaces {', '.join(p.replaces)})" if p.replaces else ""
        typer.echo(f"  {p.name:9s} default {default:8s} domain {p.domain_text:38s} [{p.units}] "
                   f"{p.long_name}{extra}")
    typer.echo("\nCategorical outputs:")
    for o in m.outputs:
        if o.categorical:
            codes = ", ".join(f"{c}={lab}" for c, lab in zip(o.flag_values, o.flag_meanings))
            typer.echo(f"  {o.name:16s} {o.long_name}\n  {'':16s} {codes}")
    typer.echo("\nContinuous outputs:")
    for o in m.outputs:
        if not o.categorical:
            typer.echo(f"  {o.name:16s} [{o.units}] {o.long_name}")


@app.command("map")
@_one_line_errors
def map_command(
    name: str = typer.Argument(..., help="Model name (see `fastmap list`)"),
    axis: list[str] = typer.Option([], "--axis", "-a", help=AXIS_HELP),
    set_: list[str] = typer.Option([], "--set", "-s", help="Fix a parameter: NAME=VALUE (repeatable)"),
    output: list[str] = typer.Option([], "--output", "-o",
                                     help="Keep only this output (repeatable; default: all)"),
    chunks: Optional[int] = typer.Option(None, "--chunks", help="Chunk side in cells along every "
                                         "axis (default: automatic, at most 64 MiB and 4 Mi cells per chunk)"),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the map: FILE.zarr (Zarr v3) or FILE.nc"),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Draw the phase diagram: FILE.png|.pdf|.svg"),
    var: Optional[str] = typer.Option(None, "--var", help="Categorical output to draw (default: "
                                      "the first kept categorical output)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out/--plot "
                                   "file (and discard an interrupted map)"),
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted Zarr map (same "
                                "command): only the chunks not yet written are computed"),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Where chunks are computed: threads (default), processes, "
                                  "synchronous, or a dask.distributed scheduler address tcp://HOST:PORT"),
    workers: Optional[int] = typer.Option(None, "--workers", help="Start a local dask.distributed "
                                          "cluster of N worker processes for this map"),
    adaptive: bool = typer.Option(False, "--adaptive", help="Evaluate a coarse grid and refine "
                                  "only where neighbours disagree (categorical outputs only; "
                                  "default output: regime)"),
    coarse: Optional[int] = typer.Option(None, "--coarse", help="Adaptive maps: spacing of the "
                                         "first grid in cells (a power of two; default 16)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar"),
) -> None:
    """Compute a map over a grid of parameters and write it (Zarr/NetCDF) and/or draw it."""
    from . import io
    from .adaptive import default_outputs
    from .engine import sweep
    from .registry import model
    from .schedulers import check_scheduler

    started = time.perf_counter()
    m = model(name)
    if out is None and plot is None:
        raise FastmapError("nothing to do: give --out FILE.zarr|FILE.nc and/or --plot FILE.png")
    params: dict[str, object] = {}
    for text in axis:
        key, values = parse_axis(text)
        _add_param(params, key, values, "--axis")
    for text in set_:
        key, value = _split_assignment(text, "--set", "NAME=VALUE")
        _add_param(params, key, _parse_float(key, value), "--set")
    check_scheduler(scheduler, workers)
    if resume and (out is None or io.output_format(out) != "zarr"):
        raise FastmapError("--resume finishes an interrupted Zarr map; give --out FILE.zarr")
    n_axes = sum(isinstance(v, np.ndarray) for v in params.values())
    if plot is not None:
        if plot.suffix.lower() not in IMAGE_SUFFIXES:
            raise FastmapError(f"unsupported plot format {plot.suffix or '(none)'!r}; allowed: "
                               f"{', '.join(IMAGE_SUFFIXES)}")
        io.check_writable(plot, overwrite=overwrite)
        if n_axes != 2:
            raise FastmapError(f"--plot needs exactly 2 axes, got {n_axes}")
    if coarse is not None and not adaptive:
        raise FastmapError("--coarse sets the first grid of an adaptive map; add --adaptive")
    kept = output or list(default_outputs(m) if adaptive else m.output_names)
    plot_var = var or next((o for o in kept if m.output(o).categorical), None)
    if plot is not None and plot_var is None:
        raise FastmapError("--plot draws a categorical output; keep one with --output (e.g. regime)")
    if plot is not None and plot_var not in kept:
        raise FastmapError(f"--var {plot_var!r} is not among the kept outputs: {', '.join(kept)}")
    cells = math.prod(v.size for v in params.values() if isinstance(v, np.ndarray))
    if adaptive:
        written = sweep(m, adaptive=True, coarse=coarse, outputs=output or None, chunks=chunks,
                        scheduler=scheduler, workers=workers, resume=resume, out=out,
                        overwrite=overwrite, **params)
    else:
        written = sweep(m, chunks=chunks if chunks is not None else "auto", outputs=output or None,
                        scheduler=scheduler or ("threads" if workers is None else None),
                        workers=workers, out=out, overwrite=overwrite, resume=resume,
                        progress=not quiet, **params)
    computed = time.perf_counter() - started
    if out is not None:
        typer.echo(f"wrote {out} ({cells:,} cells, {len(kept)} outputs) in {computed:.1f} s "
                   f"({cells / computed:,.0f} cells/s)")
    if adaptive:
        evaluations = int(written.attrs["fastmap_evaluations"])
        typer.echo(f"adaptive: {evaluations:,} kernel evaluations ({evaluations / cells:.2%} of the "
                   "grid)")
    if plot is not None:
        _save_plot(written, plot_var, plot)
        typer.echo(f"drew {plot} in {time.perf_counter() - started - computed:.1f} s")
    if plot_var is not None:
        _print_shares(written[plot_var])


@app.command("boundaries")
@_one_line_errors
def boundaries_command(
    path: Path = typer.Argument(..., help="A 2-D map written by `fastmap map` (FILE.zarr|.nc)"),
    out: Path = typer.Option(..., "--out", help="Curves: FILE.geojson|.json (GeoJSON) or FILE.csv"),
    var: str = typer.Option("regime", "--var", help="Categorical output whose boundaries to trace"),
    x: Optional[str] = typer.Option(None, "--x", help="Horizontal axis (default: the map's second)"),
    y: Optional[str] = typer.Option(None, "--y", help="Vertical axis"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing file"),
) -> None:
    """Write the region boundaries of a map as curves, located exactly by bisection with the kernel."""
    from . import io
    from .boundaries import boundaries, to_csv, to_geojson

    if not path.exists():
        raise FastmapError(f"no map at {str(path)!r}")
    io.output_format(path)
    curves = boundaries(io.open_map(path), var, x=x, y=y)
    (to_csv if out.suffix.lower() == ".csv" else to_geojson)(curves, out, overwrite=overwrite)
    typer.echo(f"wrote {out}: {len(curves)} curves, {sum(c.x.size for c in curves):,} points")


@app.command()
@_one_line_errors
def figure(
    name: Optional[str] = typer.Argument(None, help="Figure or table name (see --list)"),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Figure: FILE.png|.pdf|.svg (default NAME.png); table: FILE.csv|.md "
                            "(default: markdown on stdout)"),
    list_: bool = typer.Option(False, "--list", help="List the figures and tables of the gallery"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing file"),
) -> None:
    """Reproduce a figure or a table of a paper from the gallery."""
    from . import gallery, io

    if list_ or name is None:
        for fig_name, func in gallery.figures().items():
            typer.echo(f"{fig_name:34s} {(func.__doc__ or '').strip().splitlines()[0]}")
        return
    func = gallery.figure(name)
    if out is not None:
        if out.suffix.lower() not in IMAGE_SUFFIXES + TABLE_SUFFIXES:
            raise FastmapError(f"unsupported output format {out.suffix or '(none)'!r}; allowed: "
                               f"{', '.join(IMAGE_SUFFIXES)} (figures), {', '.join(TABLE_SUFFIXES)} "
                               "(tables)")
        io.check_writable(out, overwrite=overwrite)
    started = time.perf_counter()
    result = func()
    if isinstance(result, gallery.Table):
        _write_table(result, name, out)
        return
    target = out if out is not None else Path(f"{name}.png")
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        _close(result)
        raise FastmapError(f"{name} is a figure; allowed formats: {', '.join(IMAGE_SUFFIXES)}")
    io.check_writable(target, overwrite=overwrite)
    _atomic_savefig(result, target)
    typer.echo(f"drew {target} in {time.perf_counter() - started:.1f} s")


def _write_table(table, name: str, out: Optional[Path]) -> None:
    if out is None:
        typer.echo(table.to_markdown(), nl=False)
        return
    if out.suffix.lower() not in TABLE_SUFFIXES:
        raise FastmapError(f"{name} is a table; allowed formats: {', '.join(TABLE_SUFFIXES)}")
    from . import io

    with io.atomic_target(out, overwrite=True) as temporary:
        temporary.write_text(table.to_csv() if out.suffix.lower() == ".csv" else table.to_markdown())
    typer.echo(f"wrote {out}")


# --------------------------------------------------------------------------------------- parsing

def parse_axis(text: str) -> tuple[str, np.ndarray]:
    """``NAME=START:STOP:NUM`` or ``NAME=V1,V2,...`` -> (name, values)."""
    key, spec = _split_assignment(text, "--axis", "NAME=START:STOP:NUM or NAME=V1,V2,...")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise FastmapError(f"malformed axis {text!r}; expected NAME=START:STOP:NUM")
        start, stop = (_parse_float(key, p) for p in parts[:2])
        if not re.fullmatch(r"\s*\+?\d+\s*", parts[2]):
            raise FastmapError(f"malformed axis {text!r}: NUM must be a whole number >= 1, got {parts[2]!r}")
        num = int(parts[2])
        if num < 1:
            raise FastmapError(f"malformed axis {text!r}: NUM must be >= 1, got {num}")
        return key, np.linspace(start, stop, num)
    return key, np.array([_parse_float(key, v) for v in spec.split(",")])


def _split_assignment(text: str, option: str, form: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise FastmapError(f"malformed {option} {text!r}; expected {form}")
    return key.strip(), value.strip()


def _parse_float(key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FastmapError(f"parameter {key!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise FastmapError(f"parameter {key!r} must be finite, got {text!r}")
    return value


def _add_param(params: dict, key: str, value, option: str) -> None:
    if key in params:
        raise FastmapError(f"parameter {key!r} is given twice; give it once, as --axis or --set")
    params[key] = value


# --------------------------------------------------------------------------------------- output

def _save_plot(ds, var: str, path: Path) -> None:
    from .plotting import plot_regions

    ax = plot_regions(ds.load(), var=var)
    _atomic_savefig(ax.figure, path)


def _atomic_savefig(fig, path: Path) -> None:
    temporary = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        fig.savefig(temporary, dpi=200)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
        _close(fig)


def _close(fig) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def _print_shares(field) -> None:
    """Share of each code, counted chunk by chunk (a streamed map is never loaded whole)."""
    tally: dict[int, int] = {}
    blocks = field.data.blocks.ravel() if hasattr(field.data, "blocks") else [field.values]
    for block in blocks:
        for code, count in zip(*np.unique(np.asarray(block), return_counts=True)):
            tally[int(code)] = tally.get(int(code), 0) + int(count)
    codes, counts = np.array(sorted(tally)), np.array([tally[c] for c in sorted(tally)])
    meanings = field.attrs.get("flag_meanings", "").split()
    values = [int(v) for v in np.atleast_1d(field.attrs.get("flag_values", []))]
    total = counts.sum()
    shares = ", ".join(
        f"{meanings[values.index(int(c))] if int(c) in values else int(c)} {n / total:.1%}"
        for c, n in zip(codes, counts))
    typer.echo(f"{field.name}: {shares}")
