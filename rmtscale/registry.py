"""Registries of derivations, solvers and claims, and the decorators that fill them.

An entry declares its parameters (:class:`~rmtscale.params.Param`) and a one-line summary;
``rmtscale list`` and the public functions :func:`rmtscale.derive`, :func:`rmtscale.solve`
and :func:`rmtscale.validate` read from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import UnknownNameError
from .params import Param, ParamSet


@dataclass
class Entry:
    """A registered derivation or solver.

    For a solver, ``derivation`` names the derivation whose expressions it evaluates, and
    ``check(rng) -> (params, expected)`` draws one random legal parameter point and returns
    the derivation's result evaluated there at high precision (mpmath/sympy, from the
    derivation's own expressions, never a retyped formula); the generic pipeline test
    compares ``solve(name, **params)`` with ``expected`` at relative tolerance ``check_rtol``.
    """

    name: str
    summary: str
    func: Callable[..., Any]
    params: ParamSet = field(default_factory=ParamSet)
    derivation: str | None = None
    check: Callable[..., Any] | None = None
    check_rtol: float = 1e-9

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "parameters": [p.describe() for p in self.params.params],
        }


DERIVATIONS: dict[str, Entry] = {}
SOLVERS: dict[str, Entry] = {}


def _register(
    table: dict[str, Entry], name: str, summary: str, params: tuple[Param, ...], **meta: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in table:
            raise ValueError(f"duplicate registration of {name!r}")
        table[name] = Entry(name, summary, func, ParamSet(tuple(params)), **meta)
        return func

    return deco


def derivation(name: str, summary: str, params: tuple[Param, ...] = ()):
    """Register a function ``f(**params) -> Derivation`` under ``name``."""
    return _register(DERIVATIONS, name, summary, params)


def solver(
    name: str,
    summary: str,
    params: tuple[Param, ...] = (),
    *,
    derivation: str | None = None,
    check: Callable[..., Any] | None = None,
    check_rtol: float = 1e-9,
):
    """Register a function ``f(**params) -> dict`` of numeric results under ``name``.

    ``derivation`` and ``check`` link the solver to the derivation it is compiled from
    (see :class:`Entry`)."""
    return _register(
        SOLVERS, name, summary, params, derivation=derivation, check=check, check_rtol=check_rtol
    )


def lookup(table: dict[str, Entry], kind: str, name: str) -> Entry:
    _load_models()
    if name not in table:
        raise UnknownNameError(kind, name, sorted(table))
    return table[name]


_LOADED = False


def _load_models() -> None:
    """Import the modules that register entries (once)."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from .models import (  # noqa: F401
            dynamics,
            optimal_lr,
            random_features,
            ridge,
            scaling,
            spectral,
        )
