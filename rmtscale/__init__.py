"""rmtscale: random-matrix theory of neural scaling laws — derive, solve, validate.

Public surface::

    rmtscale.claims()                      # names of validatable claims
    rmtscale.derive(name, **params)        # -> Derivation (.steps, .result, .latex())
    rmtscale.solve(name, **params)         # -> Result: named floats or arrays, .to_dict()
    rmtscale.validate(name, **params)      # -> Report (.passed, .to_dict(), .table())
    rmtscale.check_claim(name_or_claim)    # the claim contract (rmtscale.validate.contract)
    rmtscale.load()                        # import every model (entry points rmtscale.models)

Importing the package is cheap (no sympy, numba or scipy): the heavier names
(``SpectralLaw``, ``ensembles``, ``Derivation``, ``Report``, …) are imported on first use, and
the models are loaded by the first call that needs the registry.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import validate as _validate_package  # noqa: F401  (cheap; see below)
from .errors import (
    BackendError,
    BranchError,
    ClaimCheckError,
    ParameterError,
    RegistryError,
    RmtscaleError,
    UnknownNameError,
)
from .registry import CLAIMS, DERIVATIONS, SOLVERS, load, lookup, names
from .result import Result

# The subpackage rmtscale.validate is imported (its __init__ is lazy and cheap) before the
# function ``validate`` below is defined: importing it later would let the import system
# set the attribute ``rmtscale.validate`` to the subpackage, hiding the function.

if TYPE_CHECKING:  # pragma: no cover
    from .symbolic.derivation import Derivation
    from .validate.claims import Claim
    from .validate.report import Report

__version__ = "0.1.0"

_LAZY = {
    "Derivation": "rmtscale.symbolic.derivation",
    "Step": "rmtscale.symbolic.derivation",
    "SpectralLaw": "rmtscale.symbolic.transforms",
    "ensembles": None,  # the module rmtscale.symbolic.ensembles itself
    "Report": "rmtscale.validate.report",
    "Claim": "rmtscale.validate.claims",
    "get_claim": "rmtscale.validate.claims",
    "check_claim": "rmtscale.validate.contract",
    "ClaimCheck": "rmtscale.validate.contract",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        where = _LAZY[name]
        if where is None:
            value = import_module(f"rmtscale.symbolic.{name}")
        else:
            value = getattr(import_module(where), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rmtscale' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


def claims() -> list[str]:
    """Names of every registered claim (dotted, e.g. ``"mp.density"``)."""
    return names(CLAIMS)


def derivations() -> list[str]:
    """Names of every registered derivation."""
    return names(DERIVATIONS)


def solvers() -> list[str]:
    """Names of every registered solver."""
    return names(SOLVERS)


def derive(name: str, **params: Any) -> Derivation:
    """Run the symbolic derivation ``name``; parameters left out stay symbolic.

    >>> d = derive("mp.s_transform", q=0.5)
    >>> d.result
    2/(t + 2)
    """
    entry = lookup(DERIVATIONS, "derivation", name)
    return entry.func(**entry.params.resolve(params))


def solve(name: str, **params: Any) -> Result:
    """Evaluate the compiled numeric theory ``name``; returns a :class:`Result` (a dict of
    named floats or arrays, with ``.to_dict()``)."""
    entry = lookup(SOLVERS, "solver", name)
    resolved = entry.params.resolve(params)
    return Result(entry.func(**resolved), name=name, params=resolved)


def validate(
    name: str | Claim,
    *,
    seeds: int | None = None,
    seed: int = 0,
    backend: str = "auto",
    perturb: float = 0.0,
    progress: bool | None = None,
    **params: Any,
) -> Report:
    """Validate claim ``name`` (a registered name or a :class:`Claim`) against finite-size
    simulation.

    Runs the claim at several sizes with ``seeds`` independent replicates each, compares
    mean ± standard error with theory under the claim's stated tolerance model, checks the
    finite-size trend, and returns a :class:`Report` (``.passed``, ``.to_dict()``,
    ``.table()``, ``.plot(path)``). ``perturb`` perturbs the theory by a relative amount
    (to show that the verdict can fail); ``seed`` selects reproducible random streams.
    Deterministic claims (``kind == "deterministic"``) are judged by a stated tolerance
    instead (:mod:`rmtscale.validate.deterministic`).
    """
    from .validate.engine import run_validation

    return run_validation(
        name, seeds=seeds, seed=seed, backend=backend, perturb=perturb, progress=progress, **params
    )


__all__ = [
    "__version__",
    "claims",
    "derivations",
    "solvers",
    "derive",
    "solve",
    "validate",
    "check_claim",
    "load",
    "Result",
    "Derivation",
    "Step",
    "SpectralLaw",
    "Report",
    "Claim",
    "ClaimCheck",
    "ensembles",
    "get_claim",
    "RmtscaleError",
    "ParameterError",
    "UnknownNameError",
    "BranchError",
    "BackendError",
    "RegistryError",
    "ClaimCheckError",
]
