"""Claims: a formula, its theory function, its simulation, and an error model.

A :class:`Claim` is registered with :func:`register`; :func:`rmtscale.validate` runs it.

* ``theory(case) -> {observable: value}`` evaluates the formula at one case's parameters;
* ``simulate(case, rng, backend) -> {observable: value}`` runs **one** finite-size replicate;
* or ``simulate_batch(case, seed, case_index, nseeds, backend) -> {observable: array}`` runs
  all ``nseeds`` replicates of a case at once (e.g. many SGD runs in one kernel launch); each
  replicate must still depend only on ``(seed, case_index, replicate)``;
* ``cases(params) -> [case, ...]`` expands user parameters into several sizes; each case is a
  parameter dict with an integer ``"n"`` (the size used by the trend fit);
* ``perturb(theory_values, case, eps)`` is how the theory is deliberately perturbed by a
  relative amount ``eps`` (to prove that the verdict can fail); default: multiply by 1+eps.

The contract :func:`rmtscale.check_claim` runs a claim at a *small preset*: ``check_params``
(parameter overrides, default: none, i.e. the claim's defaults) with ``check_seeds``
replicates (default: ``default_seeds``), and expects the perturbation ``check_perturb``
(default 0.05) to fail. Claims live in the one registry (:mod:`rmtscale.registry`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import registry
from ..params import Param, ParamSet
from .stats import Tolerance

Values = dict[str, float]


def _scale_perturb(values: Values, case: dict[str, Any], eps: float) -> Values:  # noqa: ARG001
    return {k: v * (1.0 + eps) for k, v in values.items()}


@dataclass
class Claim:
    name: str
    summary: str
    params: ParamSet
    theory: Callable[[dict[str, Any]], Values]
    simulate: Callable[[dict[str, Any], np.random.Generator, Any], Values] | None
    cases: Callable[[dict[str, Any]], list[dict[str, Any]]]
    tolerance: Tolerance = field(default_factory=Tolerance)
    scale: Callable[[str, float], float] = lambda obs, theory: abs(theory)  # noqa: E731
    perturb: Callable[[Values, dict[str, Any], float], Values] = _scale_perturb
    backends: tuple[str, ...] = ("cpu",)
    default_seeds: int = 20
    derivation: str | None = None
    simulate_batch: Callable[..., dict[str, np.ndarray]] | None = None
    # "statistical": simulation vs theory with error bars (the engine's z-test);
    # "deterministic": a deterministic measurement (e.g. a fitted slope of a compiled curve)
    # judged by |measured - expected| <= stated tolerance (rmtscale.validate.deterministic)
    kind: str = "statistical"
    # the solver this claim's theory evaluates (checked to exist by rmtscale.check_claim)
    solver: str | None = None
    # small preset of rmtscale.check_claim: parameter overrides, replicates, perturbation
    check_params: dict[str, Any] = field(default_factory=dict)
    check_seeds: int | None = None
    check_perturb: float = 0.05

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "kind": self.kind,
            "parameters": [p.describe() for p in self.params.params],
            "backends": list(self.backends),
            "default_seeds": self.default_seeds,
            "tolerance": self.tolerance.to_dict(),
            "derivation": self.derivation,
            "solver": self.solver,
        }


CLAIMS = registry.CLAIMS
"""The claim table (owned by :mod:`rmtscale.registry`)."""


def register(claim: Claim) -> Claim:
    """Add ``claim`` to the registry (its name must start with the calling model's prefix)."""
    return registry.add_claim(claim)


def get_claim(name: str) -> Claim:
    """The registered claim ``name`` (:class:`~rmtscale.errors.UnknownNameError` if none)."""
    return registry.get_claim(name)


def claim_names() -> list[str]:
    """Names of every registered claim."""
    return registry.names(CLAIMS)


__all__ = ["Claim", "Param", "register", "get_claim", "claim_names", "CLAIMS"]
