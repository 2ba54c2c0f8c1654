"""Solver results and the one JSON conversion used by results, reports and the CLI."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def jsonable(v: Any) -> Any:
    """``v`` as plain JSON types: arrays and tuples -> lists, numpy scalars -> Python ones,
    non-finite floats -> the strings ``"inf"``, ``"-inf"``, ``"nan"``, complex numbers ->
    ``{"re": …, "im": …}``, mapping keys -> strings."""
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return jsonable(v.tolist())
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else str(f)
    if isinstance(v, (complex, np.complexfloating)):
        c = complex(v)
        return {"re": jsonable(c.real), "im": jsonable(c.imag)}
    return v


class Result(dict):
    """What :func:`rmtscale.solve` returns: a mapping of named numeric results (floats, or
    arrays when a parameter is an array), with the solver's ``name`` and resolved ``params``.

    A ``dict`` subclass, so ``result["density"]`` and ``dict(result)`` work as before;
    :meth:`to_dict` gives the JSON-able values (what ``rmtscale solve --json`` prints)."""

    def __init__(self, values: Any = (), *, name: str = "", params: dict[str, Any] | None = None):
        super().__init__(values)
        self.name = name
        self.params = dict(params or {})

    def to_dict(self) -> dict[str, Any]:
        """The values as plain JSON types (see :func:`jsonable`)."""
        return jsonable(dict(self))

    def __repr__(self) -> str:
        return f"Result({self.name!r}, {dict.__repr__(self)})"


__all__ = ["Result", "jsonable"]
