"""Argument checks and outcome codes shared by the deep-linear simulators."""

from __future__ import annotations

import math

import numpy as np

from ...errors import ParameterError

DIVERGED = 1e30
_CONVERGED, _BUDGET, _FAILED = 1, 0, -1
_MAX_BRACKET = 40  # doublings / quarterings of the bracket search before giving up (NaN)


def _as_int(name: str, value: object, minimum: int) -> int:
    req = f"must be an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)):
        raise ParameterError(name, req, value)
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, req, value) from None
    if not math.isfinite(f) or f != int(f) or int(f) < minimum:
        raise ParameterError(name, req, value)
    return int(f)


def _check_pos(name: str, value: object) -> float:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, "must be a finite number > 0", value) from None
    if not math.isfinite(f) or f <= 0:
        raise ParameterError(name, "must be a finite number > 0", value)
    return f


def _check_steps(steps: object) -> int:
    return _as_int("steps", steps, 1)


def _gammas(gammas) -> np.ndarray:
    g = np.atleast_1d(np.asarray(gammas, dtype=float))
    if g.ndim != 1 or g.size == 0 or not np.all(np.isfinite(g)) or np.any(g <= 0):
        raise ParameterError(
            "gamma", "must be a finite number > 0 (or a 1-D array of them)", gammas
        )
    return np.ascontiguousarray(g)
