"""rmtscale: random-matrix theory of neural scaling laws — derive, solve, validate.

Public surface (see ``DESIGN.md``)::

    rmtscale.claims()                      # names of validatable claims
    rmtscale.derive(name, **params)        # -> Derivation (.steps, .result, .latex())
    rmtscale.solve(name, **params)         # -> dict of numeric results
    rmtscale.validate(name, **params)      # -> Report (.passed, .to_dict(), .table())
"""

from __future__ import annotations

from typing import Any

from .errors import BackendError, BranchError, ParameterError, RmtscaleError, UnknownNameError
from .registry import DERIVATIONS, SOLVERS, lookup
from .symbolic import ensembles
from .symbolic.derivation import Derivation, Step
from .symbolic.transforms import SpectralLaw
from .validate import Report, claim_names, get_claim, run_validation

__version__ = "0.1.0"


def claims() -> list[str]:
    """Names of every registered claim (dotted, e.g. ``"mp.density"``)."""
    return claim_names()


def derivations() -> list[str]:
    """Names of every registered derivation."""
    lookup(DERIVATIONS, "derivation", "mp.stieltjes")
    return sorted(DERIVATIONS)


def solvers() -> list[str]:
    """Names of every registered solver."""
    lookup(SOLVERS, "solver", "mp.density")
    return sorted(SOLVERS)


def derive(name: str, **params: Any) -> Derivation:
    """Run the symbolic derivation ``name``; parameters left out stay symbolic.

    >>> d = derive("mp.s_transform", q=0.5)
    >>> d.result
    2/(t + 2)
    """
    entry = lookup(DERIVATIONS, "derivation", name)
    return entry.func(**entry.params.resolve(params))


def solve(name: str, **params: Any) -> dict[str, Any]:
    """Evaluate the compiled numeric theory ``name``; returns named floats or arrays."""
    entry = lookup(SOLVERS, "solver", name)
    return entry.func(**entry.params.resolve(params))


def validate(
    name: str,
    *,
    seeds: int | None = None,
    seed: int = 0,
    backend: str = "auto",
    perturb: float = 0.0,
    progress: bool | None = None,
    **params: Any,
) -> Report:
    """Validate claim ``name`` against finite-size simulation.

    Runs the claim at several sizes with ``seeds`` independent replicates each, compares
    mean ± standard error with theory under the claim's stated tolerance model, checks the
    finite-size trend, and returns a :class:`Report` (``.passed``, ``.to_dict()``,
    ``.table()``, ``.plot(path)``). ``perturb`` perturbs the theory by a relative amount
    (to show that the verdict can fail); ``seed`` selects reproducible random streams.
    """
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
    "Derivation",
    "Step",
    "SpectralLaw",
    "Report",
    "ensembles",
    "get_claim",
    "RmtscaleError",
    "ParameterError",
    "UnknownNameError",
    "BranchError",
    "BackendError",
]
