"""The gallery: paper figures reproduced by fastmap, one module per model.

Each module under :mod:`fastmap.gallery` defines ``FIGURES``, a ``{name: function}`` mapping; a
function takes no argument and returns a matplotlib Figure. ``fastmap figure NAME`` draws one.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Callable

from ..errors import UnknownNameError


@cache
def figures() -> dict[str, Callable]:
    """Every figure of the gallery, by name."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.update(getattr(module, "FIGURES", {}))
    return found


def figure(name: str) -> Callable:
    """The function drawing figure ``name``."""
    try:
        return figures()[name]
    except KeyError:
        raise UnknownNameError(f"unknown figure {name!r}; available: {', '.join(figures())}") from None
