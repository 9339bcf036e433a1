"""fastmap: exact, compiled region maps of gray-market game-theory models.

Public API::

    fastmap.models()                       # model names
    fastmap.model(name)                    # a model's parameters, outputs, regimes
    fastmap.solve(name, **params)          # evaluate at points (numpy broadcasting)
    fastmap.sweep(name, **params)          # 1-D arrays become grid axes -> xarray.Dataset
    fastmap.plot_regions(ds, x=..., y=...) # phase diagram of a categorical output
    fastmap.plot_field(ds, "piM_ratio_DB") # heat map of a continuous output
    fastmap.boundaries(ds, var="regime")   # region boundaries as exact curves (bisection)
"""

__version__ = "0.1.0"

from ._numba_cache import configure_cache_dir
from ._threading import configure_threading_layer

configure_cache_dir()
configure_threading_layer()

from .boundaries import boundaries  # noqa: E402
from .engine import solve, sweep  # noqa: E402
from .errors import FastmapError, UnknownNameError  # noqa: E402
from .plotting import plot_field, plot_regions  # noqa: E402
from .registry import model, models  # noqa: E402

__all__ = ["FastmapError", "UnknownNameError", "boundaries", "model", "models", "plot_field",
           "plot_regions", "solve", "sweep", "__version__"]
