"""The claim contract: :func:`check_claim`, in the spirit of scikit-learn's ``check_estimator``.

A claim (registered, or a user's :class:`~rmtscale.validate.claims.Claim` object) must

1. ``describe``   — have a ``describe()`` that survives a JSON round trip unchanged;
2. ``registry``   — name a derivation (and a solver, if it names one) that is registered;
3. ``theory``     — evaluate its theory at the defaults to finite numbers, at every case
                    (and the named solver runs at its defaults);
4. ``passes``     — pass validation at its small preset (``check_params``, ``check_seeds``);
5. ``perturbed``  — fail validation with the theory perturbed by ``check_perturb`` (0.05);
6. ``reproducible`` — the perturbed run (same seed) sees exactly the same simulation means;
7. ``json``       — its report survive ``to_dict() -> json -> loads`` unchanged.

Deterministic claims (``kind == "deterministic"``) take no seeds; the same checks apply.
Checks that depend on a validation which could not run are reported as failed ("not run").

Each claim sets its own preset: ``Claim(..., check_params={"D": 100}, check_seeds=12)``.
"""

from __future__ import annotations

import json
import math
import traceback
from dataclasses import dataclass, field
from typing import Any

from ..errors import ClaimCheckError
from ..result import jsonable
from .claims import Claim, get_claim


@dataclass
class Check:
    """One check of the contract: its name, whether it passed, and a one-line detail."""

    name: str
    passed: bool
    detail: str = ""


@dataclass
class ClaimCheck:
    """What :func:`check_claim` returns: each :class:`Check`, in order, and the verdict."""

    claim: str
    checks: list[Check] = field(default_factory=list)
    elapsed_s: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def raise_if_failed(self) -> ClaimCheck:
        """Raise :class:`~rmtscale.errors.ClaimCheckError` naming the first failing check."""
        bad = self.failed()
        if bad:
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            raise ClaimCheckError(
                f"claim {self.claim!r} failed check {bad[0].name!r}: {bad[0].detail}{more}"
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "passed": self.passed,
            "checks": [c.__dict__ for c in self.checks],
        }

    def table(self) -> str:
        width = max(len(c.name) for c in self.checks) if self.checks else 0
        lines = [f"check_claim {self.claim}: {'PASSED' if self.passed else 'FAILED'}"]
        lines += [
            f"  {'ok  ' if c.passed else 'FAIL'} {c.name:<{width}}  {c.detail}" for c in self.checks
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _one_line(e: BaseException) -> str:
    msg = str(e).strip().splitlines()
    where = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
    at = f" (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
    return f"{type(e).__name__}: {msg[0] if msg else ''}{at}"


def _roundtrip(obj: Any) -> tuple[bool, str]:
    try:
        text = json.dumps(obj, allow_nan=False)
    except (TypeError, ValueError) as e:
        return False, f"not JSON-able: {e}"
    back = json.loads(text)
    if back != obj:
        diff = [k for k in obj if back.get(k) != obj[k]] if isinstance(obj, dict) else []
        return False, f"changed by a JSON round trip (keys {diff})"
    return True, f"{len(text)} characters of JSON"


def _means(report: Any) -> list[tuple[str, int, float]]:
    return [(c.observable, c.n, c.mean) for c in report.cases]


def check_claim(
    claim: str | Claim, *, raise_on_failure: bool = True, seed: int = 0, backend: str = "auto"
) -> ClaimCheck:
    """Run the claim contract (module docstring) on a registered claim name or a
    :class:`~rmtscale.validate.claims.Claim`.

    Returns a :class:`ClaimCheck` (each check's name, verdict and detail); with
    ``raise_on_failure`` (default) a failing check raises
    :class:`~rmtscale.errors.ClaimCheckError` with a one-line message naming it. An unknown
    name raises :class:`~rmtscale.errors.UnknownNameError`.

    >>> check_claim("mp.density").passed  # doctest: +SKIP
    True
    """
    import time

    from .. import registry
    from .engine import run_validation

    c = claim if isinstance(claim, Claim) else get_claim(claim)
    out = ClaimCheck(c.name)
    add = out.checks.append

    def timed(label: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            out.elapsed_s[label] = time.perf_counter() - t0

    # 1. describe() is JSON-able
    try:
        add(Check("describe", *_roundtrip(c.describe())))
    except Exception as e:
        add(Check("describe", False, _one_line(e)))

    # 2. the named derivation and solver exist
    registry.load()
    missing = []
    if c.derivation is None:
        missing.append("the claim names no derivation")
    elif c.derivation not in registry.DERIVATIONS:
        missing.append(f"derivation {c.derivation!r} is not registered")
    if c.solver is not None and c.solver not in registry.SOLVERS:
        missing.append(f"solver {c.solver!r} is not registered")
    named = f"derivation {c.derivation!r}" + (f", solver {c.solver!r}" if c.solver else "")
    add(Check("registry", not missing, "; ".join(missing) or f"{named} registered"))

    # 3. the theory runs at the defaults (and the solver at its defaults)
    try:
        p = c.params.resolve({})
        n = 0
        for case in timed("theory", lambda: c.cases(p)):
            for k, v in c.theory(case).items():
                if not math.isfinite(float(v)):
                    raise ArithmeticError(f"theory value {k} = {v} at {case}")
                n += 1
        detail = f"{n} finite theory values at the defaults"
        if c.solver is not None and c.solver in registry.SOLVERS:
            from .. import solve

            timed("solver", lambda: solve(c.solver))
            detail += f"; solve({c.solver!r}) runs"
        add(Check("theory", True, detail))
    except Exception as e:
        add(Check("theory", False, _one_line(e)))

    # 4.-7. validation at the small preset, perturbed, reproducible, JSON
    deterministic = c.kind == "deterministic"
    seeds = None if deterministic else (c.check_seeds or c.default_seeds)
    kw = dict(c.check_params, seed=seed, backend=backend, progress=False)
    if not deterministic:
        kw["seeds"] = seeds
    preset = f"preset {jsonable(c.check_params)}" + ("" if deterministic else f", {seeds} seeds")
    try:
        rep = timed("passes", lambda: run_validation(c, **kw))
        fails = "; ".join(rep.failures()[:2]) if hasattr(rep, "failures") else ""
        add(Check("passes", bool(rep.passed), f"{preset}" + (f": {fails}" if fails else "")))
    except Exception as e:
        rep = None
        add(Check("passes", False, f"{preset}: {_one_line(e)}"))
    eps = c.check_perturb
    try:
        bad = timed("perturbed", lambda: run_validation(c, perturb=eps, **kw))
        add(
            Check(
                "perturbed",
                not bad.passed,
                f"perturb={eps:g} " + ("fails, as it must" if not bad.passed else "still passes"),
            )
        )
    except Exception as e:
        bad = None
        add(Check("perturbed", False, f"perturb={eps:g}: {_one_line(e)}"))
    if rep is None or bad is None:
        add(Check("reproducible", False, "not run: a validation did not complete"))
    else:
        same = _means(rep) == _means(bad)
        add(
            Check(
                "reproducible",
                same and len(rep.cases) > 0,
                f"the same seed gives the same means over {len(rep.cases)} cases"
                if same
                else "the same seed gave different simulation means",
            )
        )
    if rep is None:
        add(Check("json", False, "not run: the validation did not complete"))
    else:
        try:
            add(Check("json", *_roundtrip(rep.to_dict())))
        except Exception as e:
            add(Check("json", False, _one_line(e)))
    if raise_on_failure:
        out.raise_if_failed()
    return out


__all__ = ["Check", "ClaimCheck", "check_claim"]
