"""The one registry: derivations, solvers and claims, and the loader that fills it.

Three tables, :data:`DERIVATIONS`, :data:`SOLVERS` and :data:`CLAIMS`, filled by the
decorators :func:`derivation` and :func:`solver` and by :func:`add_claim` (what
:func:`rmtscale.validate.claims.register` calls). ``rmtscale list`` and the public functions
:func:`rmtscale.derive`, :func:`rmtscale.solve` and :func:`rmtscale.validate` read from here.

**Models are plugins.** :func:`load` imports, once, every module named in the entry-point
group ``rmtscale.models`` (``importlib.metadata``); rmtscale registers its own models that
way (``pyproject.toml``), and another installed package adds models with one line::

    [project.entry-points."rmtscale.models"]
    toy = "my_package.toy"

Every name a model module registers must start with ``"<entry-point name>."`` (the module's
name: ``models/mp.py`` registers ``mp.*``); :func:`load` refuses anything else. A built-in
module that fails to import re-raises; a third-party one gives one warning and is skipped.
Registered functions are named (no lambdas). This module never imports a model module
itself (models import the registry).
"""

from __future__ import annotations

import importlib
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import RegistryError, UnknownNameError
from .params import Param, ParamSet

GROUP = "rmtscale.models"
"""The entry-point group of model modules."""


@dataclass
class Entry:
    """A registered derivation or solver.

    For a solver, ``derivation`` names the derivation whose expressions it evaluates, and
    ``check(rng) -> (params, expected)`` draws one random legal parameter point and returns
    the derivation's result evaluated there at high precision (mpmath/sympy, from the
    derivation's own expressions, never a retyped formula); the generic pipeline test
    compares ``solve(name, **params)`` with ``expected`` at relative tolerance ``check_rtol``.
    ``module`` is the module that registered the entry.
    """

    name: str
    summary: str
    func: Callable[..., Any]
    params: ParamSet = field(default_factory=ParamSet)
    derivation: str | None = None
    check: Callable[..., Any] | None = None
    check_rtol: float = 1e-9
    module: str | None = None

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "summary": self.summary,
            "parameters": [p.describe() for p in self.params.params],
        }
        if self.derivation is not None:
            d["derivation"] = self.derivation
        return d


DERIVATIONS: dict[str, Entry] = {}
SOLVERS: dict[str, Entry] = {}
CLAIMS: dict[str, Any] = {}  # name -> rmtscale.validate.claims.Claim
CLAIM_MODULES: dict[str, str] = {}  # claim name -> module that registered it


# ============================================================================ registration
def _register(
    table: dict[str, Entry], name: str, summary: str, params: tuple[Param, ...], **meta: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in table:
            raise RegistryError(f"duplicate registration of {name!r}")
        if getattr(func, "__name__", "<lambda>") == "<lambda>":
            raise RegistryError(f"{name!r}: register a named function, not a lambda")
        module = getattr(func, "__module__", None)
        table[name] = Entry(name, summary, func, ParamSet(tuple(params)), module=module, **meta)
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


def add_claim(claim: Any, module: str | None = None) -> Any:
    """Register a claim (a :class:`rmtscale.validate.claims.Claim`); ``module`` defaults to
    the module that called :func:`rmtscale.validate.claims.register`."""
    if claim.name in CLAIMS:
        raise RegistryError(f"duplicate claim {claim.name!r}")
    CLAIMS[claim.name] = claim
    CLAIM_MODULES[claim.name] = module or _caller_module()
    return claim


def _caller_module() -> str:
    """The first module on the call stack outside the registry and the claim module."""
    skip = {__name__, "rmtscale.validate.claims"}
    f = sys._getframe(1)
    while f is not None and f.f_globals.get("__name__") in skip:
        f = f.f_back
    return f.f_globals.get("__name__", "?") if f is not None else "?"


# ============================================================================ lookup
def lookup(table: dict[str, Any], kind: str, name: str) -> Any:
    """``table[name]`` after :func:`load`; :class:`UnknownNameError` if there is none."""
    load()
    if name not in table:
        raise UnknownNameError(kind, name, sorted(table))
    return table[name]


def get_claim(name: str) -> Any:
    """The registered claim ``name``."""
    return lookup(CLAIMS, "claim", name)


def names(table: dict[str, Any]) -> list[str]:
    """Sorted names of one table, after :func:`load`."""
    load()
    return sorted(table)


# ============================================================================ loading
_LOADED = False
_LOCK = threading.RLock()


def model_entry_points() -> list[Any]:
    """The entry points of the group ``rmtscale.models``, built-in ones first, each name once."""
    from importlib.metadata import entry_points

    eps = entry_points(group=GROUP)
    seen: dict[str, Any] = {}
    for ep in sorted(eps, key=lambda e: (not _builtin(e), e.name)):
        seen.setdefault(ep.name, ep)
    return list(seen.values())


def _builtin(ep: Any) -> bool:
    return ep.value.split(":")[0].split(".")[0] == "rmtscale"


def _dist_name(ep: Any) -> str:
    dist = getattr(ep, "dist", None)
    return getattr(dist, "name", None) or ep.value.split(".")[0]


def load() -> None:
    """Import every model module of the entry-point group ``rmtscale.models`` (once).

    Checks that each entry a module registers starts with ``"<entry-point name>."``
    (:class:`~rmtscale.errors.RegistryError` otherwise). A built-in model module that fails
    to import re-raises; a third-party one is skipped with one warning naming its package."""
    global _LOADED
    if _LOADED:
        return
    with _LOCK:
        if _LOADED:
            return
        eps = model_entry_points()
        if not any(_builtin(ep) for ep in eps):
            raise RegistryError(
                f"no models found: rmtscale's entry points ({GROUP!r}) are missing; "
                "install the package (pip install -e .)"
            )
        owners = {ep.value.split(":")[0]: ep.name for ep in eps}
        for ep in eps:
            before = _snapshot()
            module = ep.value.split(":")[0]
            try:
                importlib.import_module(module)
            except Exception as e:
                _drop(_snapshot() - before)
                if _builtin(ep):
                    raise
                warnings.warn(
                    f"rmtscale: skipping models of package {_dist_name(ep)!r} (entry point "
                    f"{ep.name} = {ep.value}): {type(e).__name__}: {e}",
                    RuntimeWarning,
                    stacklevel=2,
                )
                continue
            try:
                _check_prefixes(_snapshot() - before, ep.name, owners)
            except RegistryError:
                _drop(_snapshot() - before)
                raise
        _LOADED = True


def _snapshot() -> set[tuple[str, str]]:
    return (
        {("derivation", n) for n in DERIVATIONS}
        | {("solver", n) for n in SOLVERS}
        | {("claim", n) for n in CLAIMS}
    )


def _drop(keys: set[tuple[str, str]]) -> None:
    tables = {"derivation": DERIVATIONS, "solver": SOLVERS, "claim": CLAIMS}
    for kind, n in keys:
        tables[kind].pop(n, None)
        if kind == "claim":
            CLAIM_MODULES.pop(n, None)


def _owner(module: str | None, owners: dict[str, str], default: str) -> str:
    """The entry-point name owning ``module`` (the module itself or a package above it)."""
    while module:
        if module in owners:
            return owners[module]
        module = module.rpartition(".")[0]
    return default


def _check_prefixes(new: set[tuple[str, str]], loading: str, owners: dict[str, str]) -> None:
    """Every new entry must start with its owning module's entry-point name and a dot.

    The owner is the entry point whose module registered the entry (or a package above it);
    an entry registered from elsewhere belongs to the entry point being loaded."""
    for kind, n in sorted(new):
        if kind == "claim":
            module = CLAIM_MODULES.get(n)
        else:
            module = (DERIVATIONS if kind == "derivation" else SOLVERS)[n].module
        owner = _owner(module, owners, loading)
        if not n.startswith(owner + "."):
            raise RegistryError(
                f"model module {module or loading!r} registers the {kind} {n!r}, but names "
                f"registered by the model {owner!r} must start with {owner + '.'!r}"
            )


__all__ = [
    "CLAIMS",
    "DERIVATIONS",
    "GROUP",
    "SOLVERS",
    "Entry",
    "add_claim",
    "derivation",
    "get_claim",
    "load",
    "lookup",
    "model_entry_points",
    "names",
    "solver",
]
