"""Declared parameters: types, defaults, bounds, and parsing of ``key=value`` words.

Every derivation, solver and claim declares its parameters with :class:`Param`; the same
declaration checks Python keyword arguments and CLI words, so a bad value always gives the
same one-line :class:`~rmtscale.errors.ParameterError` naming the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import ParameterError


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    ``kind`` is ``"float"``, ``"int"`` or ``"str"``; ``gt``/``ge``/``lt``/``le`` are bounds;
    ``choices`` restricts strings; ``array_ok`` lets a float parameter be a 1-D array (grids).
    """

    name: str
    kind: str = "float"
    default: Any = None
    help: str = ""
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    choices: tuple[str, ...] | None = None
    array_ok: bool = False
    required: bool = False

    def requirement(self) -> str:
        parts = []
        if self.kind == "int":
            parts.append("an integer")
        elif self.kind == "float":
            parts.append("a finite number")
        if self.gt is not None:
            parts.append(f"> {self.gt:g}")
        if self.ge is not None:
            parts.append(f">= {self.ge:g}")
        if self.lt is not None:
            parts.append(f"< {self.lt:g}")
        if self.le is not None:
            parts.append(f"<= {self.le:g}")
        if self.choices:
            return "must be one of " + ", ".join(self.choices)
        return "must be " + " ".join(parts)

    def describe(self) -> dict[str, Any]:
        """Name, kind, default (as plain JSON: a tuple default is a list), requirement, help."""
        from .result import jsonable

        d: dict[str, Any] = {"name": self.name, "kind": self.kind}
        d["default"] = jsonable(self.default)
        d["requirement"] = self.requirement().removeprefix("must be ")
        if self.help:
            d["help"] = self.help
        return d

    # ------------------------------------------------------------------ checks
    def _check_scalar(self, v: float) -> None:
        if not math.isfinite(v):
            raise ParameterError(self.name, self.requirement(), v)
        for bound, ok in (
            (self.gt, lambda b: v > b),
            (self.ge, lambda b: v >= b),
            (self.lt, lambda b: v < b),
            (self.le, lambda b: v <= b),
        ):
            if bound is not None and not ok(bound):
                raise ParameterError(self.name, self.requirement(), v)

    def coerce(self, value: Any) -> Any:
        """Convert ``value`` (a Python object or a CLI string) and check it."""
        if self.kind == "str":
            s = str(value)
            if self.choices and s not in self.choices:
                raise ParameterError(self.name, self.requirement(), s)
            return s
        if isinstance(value, str):
            value = _parse_number_word(self.name, value, self.requirement())
        if isinstance(value, (list, tuple, np.ndarray)) and not (
            isinstance(value, np.ndarray) and value.ndim == 0
        ):
            if not self.array_ok:
                raise ParameterError(self.name, self.requirement() + " (a single value)", value)
            arr = np.asarray(value, dtype=float)
            if arr.ndim != 1 or arr.size == 0:
                raise ParameterError(self.name, "must be a non-empty 1-D array", value)
            for v in arr:
                self._check_scalar(float(v))
            return arr
        if isinstance(value, bool):
            raise ParameterError(self.name, self.requirement(), value)
        try:
            fv = float(value)
        except (TypeError, ValueError):
            raise ParameterError(self.name, self.requirement(), value) from None
        if self.kind == "int":
            if not math.isfinite(fv) or fv != int(fv):
                raise ParameterError(self.name, self.requirement(), value)
            self._check_scalar(fv)
            return int(fv)
        self._check_scalar(fv)
        return fv


def _parse_number_word(name: str, word: str, requirement: str) -> Any:
    """Parse ``"0.5"``, ``"1e-3"``, or a comma list ``"100,200,400"`` (a grid)."""
    word = word.strip()
    try:
        if "," in word:
            items = word.split(",")
            if items[-1].strip() == "":
                items = items[:-1]  # allow one trailing comma ("1,2,")
            return [float(x) for x in items]  # an empty item ("1,,2") is an error
        return float(word)
    except ValueError:
        raise ParameterError(name, requirement, word) from None


@dataclass
class ParamSet:
    """The declared parameters of one entry; resolves user values against defaults."""

    params: tuple[Param, ...] = field(default_factory=tuple)

    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def resolve(self, values: Mapping[str, Any], extra_ok: Iterable[str] = ()) -> dict[str, Any]:
        """Return a complete, checked parameter dict; unknown names are errors."""
        known = {p.name: p for p in self.params}
        extra_ok = set(extra_ok)
        out: dict[str, Any] = {}
        for k in values:
            if k not in known and k not in extra_ok:
                allowed = ", ".join(known) or "none"
                raise ParameterError(k, f"is not a parameter of this entry (allowed: {allowed})")
        for p in self.params:
            if p.name in values and values[p.name] is not None:
                out[p.name] = p.coerce(values[p.name])
            elif p.required:
                raise ParameterError(p.name, "is required")
            else:
                out[p.name] = p.default
        for k in extra_ok:
            if k in values:
                out[k] = values[k]
        return out


def parse_words(words: Iterable[str]) -> dict[str, str]:
    """Parse CLI words ``key=value`` into a dict of strings (values are checked later)."""
    out: dict[str, str] = {}
    for w in words:
        if "=" not in w:
            raise ParameterError(w, "must be written as key=value")
        k, v = w.split("=", 1)
        k = k.strip()
        if not k:
            raise ParameterError(w, "must be written as key=value")
        if k in out:
            raise ParameterError(k, "is given twice")
        out[k] = v
    return out
