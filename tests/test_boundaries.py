"""Exact region boundaries (fastmap.boundaries): bisected crossing points against closed-form
threshold curves, resolution independence, curve topology on synthetic kernels (straight line,
circle, saddle, triple junction, thin third region), writers and bad requests."""

import csv
import json
import math

import matplotlib
import numba
import numpy as np
import pytest

import fastmap
from fastmap import registry
from fastmap.boundaries import (Boundary, boundaries, draw_boundaries, margin_contours, to_csv,
                                to_geojson)
from fastmap.loops import block_buffers, block_cells, first_point, flush_block, n_blocks, next_point
from fastmap.modeldef import Model, Parameter, categorical

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TAX = "import_tax_channels"
POWER = "power_structures"


def _sweep(name, **axes):
    return fastmap.sweep(name, outputs=["regime"], **axes)


def _pairs(curves):
    return {c.codes for c in curves}


def _check_thresholds(curves, name, moving, along, expected, fixed, atol=1e-9):
    """Every crossing point of a pair in ``expected`` lies on its closed-form curve: the output
    ``expected[pair]`` (a threshold of ``moving``), evaluated at the point's ``along`` coordinate,
    equals the point's ``moving`` coordinate to ``atol``; ``"R"`` means the curve R = 0."""
    assert _pairs(curves) == set(expected)
    for c in curves:
        point = {c.axes[0]: c.x, c.axes[1]: c.y}
        solved = fastmap.solve(name, **dict(fixed, **{along: point[along]}))
        threshold = expected[c.codes]
        if threshold == "R":
            np.testing.assert_allclose(solved["R"], 0.0, atol=atol)
        else:
            np.testing.assert_allclose(point[moving], solved[threshold], rtol=0, atol=atol,
                                       err_msg=f"{c.labels} vs {threshold}")


# ------------------------------------------------------------------ closed-form threshold curves

# Spec import_tax_channels §10.1 (basic model, t_g = 0.05): no_gray_market for t <= t1 (and for
# all t where R <= 0: a vertical line delta = delta_R above t2, where t1 = t2), ep_block for
# t1 < t <= t4, dp_harmful for t4 < t < t3, dp_beneficial for t3 <= t < t2, no_foreign_authorized for t >= t2.
TAX_PAIRS = {(1, 3): "t1", (1, 4): "t1", (1, 5): "R", (2, 3): "t3", (2, 5): "t2", (3, 4): "t4",
             (3, 5): "t2"}


def test_import_tax_boundaries_are_the_closed_form_thresholds():
    ds = _sweep(TAX, delta=np.linspace(0.05, 0.95, 300), t=np.linspace(0.0, 1.0, 300))
    curves = boundaries(ds)
    assert all(c.var == "regime" and c.model == TAX and c.axes == ("delta", "t") for c in curves)
    assert len(curves) == len(TAX_PAIRS)  # one curve per pair, ending at junctions or the border
    _check_thresholds(curves, TAX, "t", "delta", TAX_PAIRS, fastmap.engine.fixed_parameters(ds))
    by_pair = {c.codes: c for c in curves}
    assert by_pair[(1, 4)].labels == ("no_gray_market", "ep_block")
    # Dense sampling along the curves: a crossing on nearly every one of the 300 grid lines.
    assert len(by_pair[(2, 3)].x) > 300


def test_import_tax_boundaries_over_t_g_are_straight_lines():
    """In the basic model t1, t2 and t3 are linear in t_g (spec §8), so over (t_g, t) the
    no_gray_market | ep_block boundary of ``regime`` and the boundaries of ``regime_true``
    (ignore | accommodate at t3, accommodate | no-foreign-authorized at t2) are straight lines."""
    ds = fastmap.sweep(TAX, t_g=np.linspace(0.0, 0.1, 120), t=np.linspace(0.0, 1.0, 150),
                       outputs=["regime", "regime_true"])
    fixed = fastmap.engine.fixed_parameters(ds)
    paper = [c for c in boundaries(ds, "regime", x="t_g", y="t") if c.codes == (1, 4)]
    _check_thresholds(paper, TAX, "t", "t_g", {(1, 4): "t1"}, fixed)
    true = boundaries(ds, "regime_true", x="t_g", y="t")
    assert all(c.var == "regime_true" for c in true)
    _check_thresholds(true, TAX, "t", "t_g", {(1, 3): "t3", (3, 4): "t2"}, fixed)
    for c in paper + true:
        slope, intercept = np.polyfit(c.x, c.y, 1)
        assert len(c.x) > 100 and np.abs(c.y - slope * c.x - intercept).max() < 1e-12


# Spec power_structures §9-10 (base model): gray_none for r <= alpha, gray_gs3 on (alpha, r_gs2),
# gray_gs2_gs3 on (r_gs2, Delta], gray_all above Delta (exits start far above r = 5.4).
POWER_PAIRS = {(1, 5): "alpha", (5, 7): "r_gs2", (7, 8): "Delta"}


def test_power_structures_boundaries_over_r_gamma():
    ds = _sweep(POWER, r=np.linspace(1.0, 5.4, 300), gamma=np.linspace(0.3, 0.95, 300))
    curves = boundaries(ds)
    assert len(curves) == 3 and all(c.axes == ("r", "gamma") for c in curves)
    _check_thresholds(curves, POWER, "r", "gamma", POWER_PAIRS, fastmap.engine.fixed_parameters(ds))


def test_power_structures_boundaries_over_eta_gamma():
    """At fixed r the thresholds are curves in (eta, gamma): alpha(eta, gamma) = r etc."""
    ds = _sweep(POWER, eta=np.linspace(0.05, 0.95, 200), gamma=np.linspace(0.2, 0.85, 200), r=3.5)
    curves = boundaries(ds, x="eta", y="gamma")
    assert _pairs(curves) == set(POWER_PAIRS)
    for c in curves:
        solved = fastmap.solve(POWER, eta=c.x, gamma=c.y)
        np.testing.assert_allclose(solved[POWER_PAIRS[c.codes]], 3.5, rtol=0, atol=1e-9)


def test_300_grid_is_as_accurate_as_8192_grid():
    """Crossing points of a 300 x 300 map lie on the curves of an 8192 x 8192 map to the chord
    error of the dense polyline (~1e-9), far below the coarse cell size (3e-3)."""
    axes = {"delta": (0.05, 0.95), "t": (0.0, 1.0)}
    coarse = boundaries(_sweep(TAX, **{k: np.linspace(*v, 300) for k, v in axes.items()}))
    dense = boundaries(_sweep(TAX, **{k: np.linspace(*v, 8192) for k, v in axes.items()}))
    assert [c.codes for c in coarse] == [c.codes for c in dense]
    for c, d in zip(coarse, dense):
        distance = _distance_to_polyline(np.stack([c.x, c.y], 1), np.stack([d.x, d.y], 1))
        assert distance.max() < 1e-8, (c.labels, distance.max())


def _distance_to_polyline(points, line):
    start, end = line[:-1], line[1:]
    best = np.full(len(points), np.inf)
    for chunk in np.array_split(np.arange(len(points)), max(1, len(points) // 20)):
        p = points[chunk, None, :]
        seg = end - start
        s = np.clip(((p - start) * seg).sum(-1) / np.maximum((seg * seg).sum(-1), 1e-300), 0, 1)
        best[chunk] = np.hypot(*np.moveaxis(start + s[..., None] * seg - p, -1, 0)).min(axis=1)
    return best


# ---------------------------------------------------------------------------- synthetic kernels

LINE, CIRCLE, SADDLE, SECTORS, STRIP = 1.0, 2.0, 3.0, 4.0, 5.0


@numba.njit(error_model="numpy")
def _toy_kernel(p, o):
    """Label 1/2/3 of a synthetic shape ``p[0]`` at (x, y) = (p[1], p[2]); ``p[3]`` a constant."""
    shape, x, y, c = p[0], p[1], p[2], p[3]
    if shape == 1.0:  # the line x + 2y = 0.9 + c
        label = 1 if x + 2.0 * y < 0.9 + c else 2
    elif shape == 2.0:  # the circle of radius 0.3 around (0.5, 0.5)
        label = 2 if (x - 0.5) ** 2 + (y - 0.5) ** 2 < 0.09 else 1
    elif shape == 3.0:  # hyperbola branches (x-0.5)(y-0.5) = c: a saddle at the centre
        label = 2 if (x - 0.5) * (y - 0.5) > c else 1
    elif shape == 4.0:  # three sectors around (0.5, 0.4): rays at 30, 150, 270 degrees
        angle = math.degrees(math.atan2(y - 0.4, x - 0.5))
        label = 2 if 30.0 <= angle < 150.0 else (1 if -90.0 <= angle < 30.0 else 3)
    else:  # a strip 0.5 <= x < 0.502 of label 3, thinner than a cell, between 1 and 2
        label = 1 if x < 0.5 else (3 if x < 0.502 else 2)
    o[0] = label


@numba.njit(error_model="numpy")
def _toy_evaluate(values, moving, stride, length, select, out, select_codes, codes):
    for block in range(n_blocks(out.shape[1])):
        p, position, left, buffer = block_buffers(values, moving, 1)
        cells = block_cells(block, out.shape[1])
        first_point(values, moving, stride, length, cells.start, p, position, left)
        for cell in cells:
            _toy_kernel(p, buffer[cell - cells.start])
            next_point(values, moving, stride, length, p, position, left)
        flush_block(buffer, select, out, cells)
        flush_block(buffer, select_codes, codes, cells)


TOY = Model(
    name="toy_shapes", title="synthetic shapes", reference="", evaluate=_toy_evaluate,
    parameters=tuple(Parameter(n, d, n, "1", (None, None), "any") for n, d in
                     [("shape", 1.0), ("x", 0.0), ("y", 0.0), ("c", 0.0)]),
    outputs=(categorical("region", "side", {0: "invalid", 1: "a", 2: "b", 3: "c"}),),
    default_axes=("x", "y"))


@pytest.fixture
def toy(monkeypatch):
    """Register the synthetic model so that boundaries() finds it by ds.attrs['model']."""
    monkeypatch.setitem(registry._registry(), TOY.name, TOY)

    def sweep(shape, n=20, **params):
        grid = np.linspace(0.0, 1.0, n)
        return fastmap.sweep(TOY, x=grid, y=grid, shape=shape, **params)
    return sweep


def test_straight_line(toy):
    (line,) = boundaries(toy(LINE, n=37), "region")
    assert line.codes == (1, 2) and line.labels == ("a", "b") and not line.closed
    np.testing.assert_allclose(line.x + 2 * line.y, 0.9, rtol=0, atol=1e-12)
    # Open at the border, from (0, 0.45) to (0.9, 0), through one point on every grid line it
    # crosses, in order.
    ends = sorted([(line.x[0], line.y[0]), (line.x[-1], line.y[-1])])
    np.testing.assert_allclose(ends, [(0.0, 0.45), (0.9, 0.0)], atol=1e-12)
    grid = np.linspace(0, 1, 37)
    assert len(line.x) == np.sum((0.9 - grid) / 2 >= 0) + np.sum(0.9 - 2 * grid >= 0)
    assert np.all(np.diff(line.x) * np.sign(line.x[-1] - line.x[0]) > 0)


def test_line_through_grid_nodes(toy):
    """x + 2y = 1 passes through grid nodes (labelled b): the crossing next to each node is found
    on both its edges (1e-13 apart) and the curve still runs in order from border to border."""
    (line,) = boundaries(toy(LINE, n=37, c=0.1), "region")
    np.testing.assert_allclose(line.x + 2 * line.y, 1.0, rtol=0, atol=1e-12)
    assert {round(line.x[0], 9), round(line.x[-1], 9)} == {0.0, 1.0}
    assert np.all(np.diff(line.x) * np.sign(line.x[-1] - line.x[0]) >= 0)


def test_circle_is_one_closed_curve(toy):
    (circle,) = boundaries(toy(CIRCLE, n=25), "region")
    assert circle.closed and circle.x[0] == circle.x[-1] and circle.y[0] == circle.y[-1]
    np.testing.assert_allclose(np.hypot(circle.x - 0.5, circle.y - 0.5), 0.3, rtol=0, atol=1e-12)
    angle = np.unwrap(np.arctan2(circle.y - 0.5, circle.x - 0.5))
    assert abs(abs(angle[-1] - angle[0]) - 2 * np.pi) < 1e-9  # goes round exactly once, in order
    assert np.all(np.diff(angle) * np.sign(angle[-1] - angle[0]) > 0)


@pytest.mark.parametrize("c, quadrants", [(2e-4, True), (-2e-4, False)])
def test_saddle_is_resolved_by_the_kernel_at_the_centre(toy, c, quadrants):
    """The centre square has corners b, a, b, a; which diagonal connects follows the centre's
    label, so each curve is one hyperbola branch, in one quadrant (NE/SW for c > 0, else NW/SE)."""
    ds = toy(SADDLE, n=20, c=c)
    centre = ds["region"].values[9:11, 9:11]
    assert centre[0, 0] == centre[1, 1] != centre[0, 1] == centre[1, 0]  # really a saddle
    curves = boundaries(ds, "region")
    assert len(curves) == 2
    for curve in curves:
        np.testing.assert_allclose((curve.x - 0.5) * (curve.y - 0.5), c, rtol=0, atol=1e-12)
        signs = {(bool(x > 0.5), bool(y > 0.5)) for x, y in zip(curve.x, curve.y)}
        (east, north), = signs
        assert (east == north) == quadrants
    assert (curves[0].x[0] > 0.5) != (curves[1].x[0] > 0.5)  # the two branches


def test_triple_junction_curves_end_next_to_it(toy):
    curves = boundaries(toy(SECTORS, n=30), "region")
    assert [c.codes for c in curves] == [(1, 2), (1, 3), (2, 3)]
    cell = 1 / 29
    for curve, ray in zip(curves, [30.0, 270.0, 150.0]):
        dx, dy = curve.x - 0.5, curve.y - 0.4
        direction = np.radians(ray)
        np.testing.assert_allclose(dx * np.sin(direction) - dy * np.cos(direction), 0, atol=1e-12)
        assert np.all(dx * np.cos(direction) + dy * np.sin(direction) > 0)  # the ray, not its back
        distance = np.hypot(dx, dy)
        assert distance.min() < 2 * cell  # ends within the junction's neighbourhood
        assert distance.max() > 0.35  # and reaches the border


def test_third_label_inside_an_edge_splits_it(toy):
    """Edges between labels a and b contain a strip of c thinner than a cell: bisection finds c
    and splits the edge, giving an (a, c) and a (b, c) crossing on it."""
    ds = toy(STRIP, n=20)
    assert not np.any(ds["region"].values == 3)  # the grid never sees the strip
    curves = boundaries(ds, "region")
    assert [(c.codes, c.labels) for c in curves] == [((1, 3), ("a", "c")), ((2, 3), ("b", "c"))]
    for curve, x in zip(curves, [0.5, 0.502]):
        np.testing.assert_allclose(curve.x, x, rtol=0, atol=1e-13)
        assert np.allclose(sorted(curve.y), np.linspace(0, 1, 20), atol=0)  # every grid row


def test_tolerance_controls_accuracy(toy):
    (coarse,) = boundaries(toy(LINE, n=21), "region", tol=1e-3)
    (fine,) = boundaries(toy(LINE, n=21), "region")
    error = np.abs(coarse.x + 2 * coarse.y - 0.9)
    assert 1e-7 < error.max() <= 2 * 1e-3 * 0.05  # half the final interval, in x + 2y
    assert np.abs(fine.x + 2 * fine.y - 0.9).max() < 1e-13


def test_bisection_is_batched_per_step(toy, monkeypatch):
    """One kernel call per bisection step with every edge in it; tol = 1e-12 takes 40 steps."""
    sizes = []
    original = fastmap.engine.solve
    monkeypatch.setattr(fastmap.engine, "solve",
                        lambda *a, **k: sizes.append(np.size(k["x"])) or original(*a, **k))
    ds = toy(LINE, n=50)
    data = ds["region"].values
    edges = np.sum(data[1:] != data[:-1]) + np.sum(data[:, 1:] != data[:, :-1])
    boundaries(ds, "region")
    assert sizes == [edges] * 40


# ---------------------------------------------------------------------------- margins, drawing

def test_margin_contours_match_the_bisected_boundary():
    """t - t1 is a signed margin whose zero set is the no_gray_market boundary (spec §8): it is
    linear in t, so contouring is exact along t and second-order accurate along delta."""
    ds = fastmap.sweep(TAX, delta=np.linspace(0.4, 0.95, 120), t=np.linspace(0.0, 0.4, 100),
                       outputs=["regime", "t1"])
    ds["margin"] = ds["t"] - ds["t1"]
    (curve,) = margin_contours(ds, "margin")
    assert curve.labels == ("margin<0", "margin>0") and curve.axes == ("delta", "t")
    t1 = fastmap.solve(TAX, delta=curve.x)["t1"]
    np.testing.assert_allclose(curve.y, t1, rtol=0, atol=1e-4)
    exact = [c for c in boundaries(ds) if c.codes[0] == 1]
    assert len(exact) == 1
    order = np.argsort(curve.x)
    np.testing.assert_allclose(np.interp(exact[0].x, curve.x[order], curve.y[order]), exact[0].y,
                               rtol=0, atol=1e-4)


def test_draw_boundaries(toy):
    curves = boundaries(toy(SECTORS, n=15), "region")
    single = Boundary("region", ("a", "b"), (1, 2), np.array([0.2]), np.array([0.3]), ("x", "y"),
                      TOY.name)
    fig, ax = plt.subplots()
    lines = draw_boundaries(ax, curves + [single], color="red", lw=2)
    assert len(lines) == 4 and all(line.get_color() == "red" for line in lines)
    np.testing.assert_array_equal(lines[0].get_xdata(), curves[0].x)
    assert lines[-1].get_marker() == "o"
    plt.close(fig)


# ---------------------------------------------------------------------------- writers, errors

def test_geojson_and_csv_round_trip(tmp_path, toy):
    curves = boundaries(toy(SECTORS, n=15), "region") + boundaries(toy(CIRCLE, n=15), "region")
    curves.append(Boundary("region", ("a", "b"), (1, 2), np.array([0.1]), np.array([0.2]),
                           ("x", "y"), TOY.name))
    to_geojson(curves, tmp_path / "b.geojson")
    data = json.loads((tmp_path / "b.geojson").read_text())
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(curves)
    for feature, c in zip(data["features"], curves):
        coordinates = np.array(feature["geometry"]["coordinates"]).reshape(-1, 2)
        np.testing.assert_array_equal(coordinates, np.stack([c.x, c.y], 1))  # exact floats
        assert feature["geometry"]["type"] == ("LineString" if len(c.x) > 1 else "Point")
        assert feature["properties"] == {"var": "region", "labels": list(c.labels),
                                         "codes": list(c.codes), "model": TOY.name,
                                         "axes": ["x", "y"], "closed": c.closed}
    assert data["features"][3]["properties"]["closed"]

    to_csv(curves, tmp_path / "b.csv")
    with open(tmp_path / "b.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["var", "label_a", "label_b", "curve", "x", "y"]
    assert len(rows) == sum(len(c.x) for c in curves)
    for k, c in enumerate(curves):
        mine = [r for r in rows if int(r["curve"]) == k]
        assert {(r["var"], r["label_a"], r["label_b"]) for r in mine} == {("region", *c.labels)}
        np.testing.assert_array_equal([float(r["x"]) for r in mine], c.x)
        np.testing.assert_array_equal([float(r["y"]) for r in mine], c.y)


def test_writers_are_atomic_and_refuse_to_overwrite(tmp_path, toy, monkeypatch):
    curves = boundaries(toy(LINE, n=10), "region")
    target = tmp_path / "b.csv"
    target.write_text("old")
    with pytest.raises(fastmap.FastmapError, match="already exists"):
        to_csv(curves, target)
    assert target.read_text() == "old"
    to_csv(curves, target, overwrite=True)
    assert target.read_text().startswith("var,label_a")
    def failing_dump(obj, f):
        f.write('{"type": "Feature')
        raise RuntimeError("disk full")
    monkeypatch.setattr(json, "dump", failing_dump)
    with pytest.raises(RuntimeError, match="disk full"):  # a failed write leaves nothing behind
        to_geojson(curves, tmp_path / "c.geojson")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


@pytest.mark.parametrize("call, message", [
    (lambda ds: boundaries(ds, "nope"), "'nope' is not in the Dataset"),
    (lambda ds: boundaries(ds, "t1"), "'t1' is not a categorical output"),
    (lambda ds: boundaries(ds, x="alpha"), "axis 'alpha' is not a dimension"),
    (lambda ds: boundaries(ds, x="t", y="t"), "x and y must be different axes"),
    (lambda ds: boundaries(ds, tol=0), "tol must be a number in"),
    (lambda ds: boundaries(ds.drop_attrs(), x="delta", y="t"), "need a map made by fastmap.sweep"),
    (lambda ds: margin_contours(ds, "regime"), "'regime' is not a continuous output"),
    (lambda ds: to_csv([], "/nonexistent/dir/b.csv"),
     "directory '/nonexistent/dir' does not exist"),
    (lambda ds: to_csv([], "b.txt"), "must end in .csv"),
    (lambda ds: to_geojson([], "b.csv"), "must end in .geojson or .json"),
])
def test_bad_requests(call, message):
    ds = fastmap.sweep(TAX, delta=np.linspace(0.5, 0.9, 4), t=np.linspace(0, 1, 5),
                       outputs=["regime", "t1"])
    with pytest.raises(fastmap.FastmapError, match=message):
        call(ds)


def test_three_dimensional_map_needs_a_selection():
    """A slice of a 3-D map keeps the selected value as a scalar coordinate, not an attribute:
    the bisection must use it (t_g = 0.1, not the default 0.05)."""
    ds = fastmap.sweep(TAX, delta=np.linspace(0.5, 0.9, 30), t=np.linspace(0, 1, 40),
                       t_g=[0.0, 0.1], outputs=["regime"])
    with pytest.raises(fastmap.FastmapError, match=r"extra dimensions \['t_g'\]"):
        boundaries(ds)
    curves = [c for c in boundaries(ds.isel(t_g=1)) if c.codes == (1, 4)]
    assert len(curves) == 1
    t1 = fastmap.solve(TAX, delta=curves[0].x, t_g=0.1)["t1"]
    np.testing.assert_allclose(curves[0].y, t1, rtol=0, atol=1e-9)
