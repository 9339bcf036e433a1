"""Declarations a model module makes: its parameters, outputs and categorical codes.

A model is one module under :mod:`fastmap.models` exposing ``MODEL``, a :class:`Model`. The engine
only reads these declarations and calls the model's compiled ``evaluate`` driver, so adding a
model touches nothing else.

Kernel contract (see :mod:`fastmap.loops`): ``kernel(p, o)`` reads the parameter vector ``p``
(float64, one slot per declared parameter, in declaration order; a derived parameter that was not
given holds NaN, and the parameters it replaces hold NaN when it was given) and writes every
declared output into ``o`` (float64, declaration order; categorical codes as whole numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    ``domain`` is the admissible interval (inclusive bounds, ``None`` = unbounded) and
    ``domain_text`` its exact statement (open or closed ends). Values outside it are not errors:
    the kernel labels such points ``invalid``. A derived parameter (``replaces`` set) has no
    default; when given, the kernel computes the replaced parameters from it.
    """

    name: str
    default: float | None
    long_name: str
    units: str
    domain: tuple[float | None, float | None]
    domain_text: str
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class Output:
    """One kernel output; categorical when ``flag_meanings`` is given (codes ``flag_values``).

    ``colors`` fixes the colour of each code in phase diagrams (matplotlib colour strings, in the
    order of ``flag_values``); without it, :mod:`fastmap.plotting` uses its default palette.
    """

    name: str
    long_name: str
    units: str = "1"
    flag_values: tuple[int, ...] | None = None
    flag_meanings: tuple[str, ...] | None = None
    colors: tuple[str, ...] | None = None

    @property
    def categorical(self) -> bool:
        return self.flag_meanings is not None

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.int8) if self.categorical else np.dtype(np.float64)

    def label(self, code: int) -> str:
        """The label of a categorical code."""
        return self.flag_meanings[self.flag_values.index(int(code))]

    def attrs(self) -> dict:
        """CF attributes of the variable holding this output."""
        attrs = {"long_name": self.long_name, "units": self.units}
        if self.categorical:
            attrs["flag_values"] = np.asarray(self.flag_values, dtype=np.int8)
            attrs["flag_meanings"] = " ".join(self.flag_meanings)
            del attrs["units"]
        return attrs


def part_table(outputs: tuple[Output, ...], part_outputs: dict[int, list[str]]) -> np.ndarray:
    """For a kernel that skips parts of its work (bit flags) unless one of their outputs is
    selected: ``table[slot]``, the parts that output ``slot`` needs, from ``{part: [output
    names]}`` (an unknown name raises ``KeyError``); ``fastmap.loops.selected_parts`` reads it."""
    slot_of = {o.name: slot for slot, o in enumerate(outputs)}
    table = np.zeros(len(outputs), dtype=np.int64)
    for part, names in part_outputs.items():
        for name in names:
            table[slot_of[name]] |= part
    return table


def categorical(name: str, long_name: str, labels: dict[int, str],
                colors: dict[int, str] | None = None) -> Output:
    """A categorical output from a ``{code: label}`` mapping (and optionally ``{code: colour}``)."""
    codes = tuple(sorted(labels))
    return Output(name, long_name, flag_values=codes, flag_meanings=tuple(labels[c] for c in codes),
                  colors=tuple(colors[c] for c in codes) if colors else None)


@dataclass(frozen=True)
class Model:
    """A model as the engine sees it.

    ``evaluate(values, moving, stride, length, select, out)`` is the compiled parallel driver of
    :mod:`fastmap.loops`. ``thresholds`` maps a threshold output to the parameter it is a
    threshold of (``plot_regions`` overlays it as a curve when that parameter is the y axis).
    ``default_axes`` are the headline map's x and y parameters. ``decisions`` maps each regime
    output to the continuous outputs (quantities, profits) that are finite wherever that regime is
    not ``invalid`` (code 0); the fuzz tests hold every model to it.
    """

    name: str
    title: str
    reference: str
    parameters: tuple[Parameter, ...]
    outputs: tuple[Output, ...]
    evaluate: Callable
    default_axes: tuple[str, str]
    thresholds: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    decisions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def parameter(self, name: str) -> Parameter:
        from .errors import UnknownNameError

        for p in self.parameters:
            if p.name == name:
                return p
        allowed = ", ".join(p.name for p in self.parameters)
        raise UnknownNameError(f"unknown parameter {name!r} for model {self.name!r}; allowed: {allowed}")

    def output(self, name: str) -> Output:
        from .errors import UnknownNameError

        for o in self.outputs:
            if o.name == name:
                return o
        raise UnknownNameError(
            f"unknown output {name!r} for model {self.name!r}; see `fastmap describe {self.name}`"
        )

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.outputs)
