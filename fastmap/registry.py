"""Model discovery: every module under :mod:`fastmap.models` that defines ``MODEL``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from . import models as _models_pkg
from .errors import UnknownNameError
from .modeldef import Model


@cache
def _registry() -> dict[str, Model]:
    found = {}
    for info in sorted(pkgutil.iter_modules(_models_pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{_models_pkg.__name__}.{info.name}")
        declared = getattr(module, "MODEL", None)
        if isinstance(declared, Model):
            found[declared.name] = declared
    return found


def models() -> list[str]:
    """Names of the available models."""
    return sorted(_registry())


def model(name: str | Model) -> Model:
    """The declaration of a model: parameters (defaults, domains), outputs, regimes."""
    if isinstance(name, Model):
        return name
    try:
        return _registry()[name]
    except (KeyError, TypeError):
        raise UnknownNameError(f"unknown model {name!r}; available: {', '.join(models())}") from None
