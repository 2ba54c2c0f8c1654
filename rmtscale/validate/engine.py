"""Run a claim: simulate every case over many seeds, compare with theory, give a verdict.

Statistical claims are judged here (tolerance model: :mod:`rmtscale.validate.stats`);
deterministic ones (``kind == "deterministic"``) by
:func:`rmtscale.validate.deterministic.run_deterministic`.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..simulate import get_backend, rng_for
from .claims import Claim, get_claim
from .report import CaseResult, Report, TrendResult
from .stats import bonferroni_z, extrapolate, mean_stderr


def run_validation(
    name: str | Claim,
    *,
    seeds: int | None = None,
    seed: int = 0,
    backend: str = "auto",
    perturb: float = 0.0,
    progress: bool | None = None,
    keep_samples: bool = False,
    **params: Any,
) -> Report:
    """Validate claim ``name`` (a registered name or a :class:`Claim`); see
    :func:`rmtscale.validate`. ``seeds``, ``seed`` and ``backend`` do not apply to a
    deterministic claim (nothing is random)."""
    claim = name if isinstance(name, Claim) else get_claim(name)
    name = claim.name
    if claim.kind == "deterministic":
        from .deterministic import run_deterministic

        return run_deterministic(claim, params, perturb=perturb, progress=progress)
    p = claim.params.resolve(params)
    nseeds = claim.default_seeds if seeds is None else seeds
    if not isinstance(nseeds, (int, np.integer)) or nseeds < 2:
        raise ParameterError("seeds", "must be an integer >= 2", seeds)
    if not np.isfinite(perturb) or abs(perturb) >= 1:
        raise ParameterError(
            "perturb", "must be a relative perturbation with |perturb| < 1", perturb
        )
    be = get_backend(backend, claim.backends)
    cases = claim.cases(p)
    if progress is None:
        progress = sys.stderr.isatty()
    t0 = time.time()

    from tqdm.auto import tqdm

    total = len(cases) * nseeds
    bar = tqdm(
        total=total, desc=f"validate {name}", disable=not progress, file=sys.stderr, leave=False
    )
    per_case: list[tuple[dict[str, Any], dict[str, float], dict[str, np.ndarray]]] = []
    for ci, case in enumerate(cases):
        theory = claim.theory(case)
        if perturb:
            theory = claim.perturb(theory, case, perturb)
        if claim.simulate_batch is not None:
            out = claim.simulate_batch(case, seed, ci, int(nseeds), be)
            arrays = {k: np.asarray(out[k], dtype=float).reshape(-1) for k in theory}
            for k, v in arrays.items():
                if v.size != nseeds:
                    raise RuntimeError(f"simulate_batch returned {v.size} draws of {k!r}")
            bar.update(nseeds)
        else:
            draws: dict[str, list[float]] = {k: [] for k in theory}
            for r in range(nseeds):
                out = claim.simulate(case, rng_for(seed, ci, r), be)
                for k in theory:
                    draws[k].append(float(out[k]))
                bar.update(1)
            arrays = {k: np.array(v) for k, v in draws.items()}
        per_case.append((case, theory, arrays))
    bar.close()

    observables = list(per_case[0][1])
    ntests = len(observables) * (len(cases) + (1 if len(cases) > 1 else 0))
    zc = bonferroni_z(claim.tolerance.alpha, ntests)
    tol = claim.tolerance
    results: list[CaseResult] = []
    for case, theory, draws in per_case:
        n = int(case["n"])
        for o in observables:
            m, se = mean_stderr(draws[o])
            th = float(theory[o])
            if not np.isfinite(th):
                raise ArithmeticError(f"theory for {o} is not finite at {case}")
            allow = tol.finite_size_coef * claim.scale(o, th) * n ** (-tol.finite_size_power)
            z = (m - th) / se if se > 0 else (0.0 if m == th else np.inf * np.sign(m - th))
            results.append(
                CaseResult(
                    {k: v for k, v in case.items()},
                    o,
                    n,
                    th,
                    m,
                    se,
                    float(z),
                    allow,
                    abs(m - th) <= zc * se + allow,
                )
            )
    trends: list[TrendResult] = []
    if len(cases) > 1:
        for o in observables:
            cs = sorted((c for c in results if c.observable == o), key=lambda c: c.n)
            ns = np.array([c.n for c in cs], dtype=float)
            d = np.array([c.mean - c.theory for c in cs])
            se = np.array([c.stderr for c in cs])
            a, sea, b = extrapolate(ns, d, se, tol.finite_size_power)
            allow = tol.systematic * claim.scale(o, cs[-1].theory)
            shrinks = abs(d[-1]) <= abs(d[0]) + zc * np.hypot(se[0], se[-1])
            ok = abs(a) <= zc * sea + allow and shrinks
            trends.append(
                TrendResult(
                    o, [int(x) for x in ns], d.tolist(), a, sea, b, allow, bool(shrinks), bool(ok)
                )
            )
    rep = Report(
        name=name,
        backend=be.name,
        params=p,
        seeds=int(nseeds),
        seed=seed,
        z_crit=zc,
        tolerance=tol.to_dict(),
        cases=results,
        trends=trends,
        perturb=perturb,
        elapsed_s=time.time() - t0,
    )
    if keep_samples:
        rep.samples = {
            o: {int(c["n"]): dr[o].tolist() for c, _, dr in per_case} for o in observables
        }
    return rep
