r"""Learning-curve claims: training parameters, time grids and the claim factory shared by the
``sgd``, ``gd`` and ``rf_gd`` models.

Conventions (docs/conventions.md): per-sample loss :math:`\tfrac12(f(x)-y)^2`, gradient
**averaged** over a batch of B, :math:`w_0=0`; ``steps`` / ``t`` count updates (not η·t);
``loss`` is the excess loss :math:`E_g(t)` (no label noise), ``train_loss`` includes the noise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..params import Param, ParamSet
from ..spectra import SPECTRUM_PARAMS, make_spectrum
from .claims import Claim
from .stats import Tolerance

LR = Param("lr", default=0.3, gt=0, help="learning rate eta (per averaged-batch gradient)")
STEPS = Param("steps", kind="int", default=1000, ge=1, help="number of updates t_max")
BATCH = Param("batch", kind="int", default=1, ge=1, help="batch size B (gradient averaged)")
NOISE = Param("noise", default=0.1, ge=0, help="label-noise variance sigma^2")
P_PARAM = Param("P", kind="int", default=100, ge=1, help="training-set size (samples reused)")
N_PARAM = Param("N", kind="int", default=64, ge=1, help="number of random features (width)")
POINTS = Param("points", kind="int", default=40, ge=2, help="log-spaced recording times")
CHECK_TIMES = Param("check", kind="int", default=6, ge=1, help="times compared in validation")

DYN_SPECTRUM = tuple(
    Param(p.name, kind=p.kind, default=d, help=p.help, gt=p.gt, ge=p.ge, choices=p.choices)
    for p, d in zip(SPECTRUM_PARAMS, ("power_law", 256, 1.0, 1.5, 0.8), strict=True)
)
"""The spectrum parameters with the learning-curve defaults (power law, D = 256, α = 1.5,
β = 0.8)."""

SIZE_FACTORS = (1, 2, 4)
"""Validation cases: the default sizes times these factors."""


def log_times(steps: int, points: int) -> np.ndarray:
    """0 plus about ``points`` log-spaced unique integers in [1, steps], ``steps`` included."""
    t = np.unique(np.round(np.logspace(0, np.log10(max(steps, 1)), points)).astype(np.int64))
    return np.concatenate(([0], t[(t >= 1) & (t <= steps)]))


def check_times(steps: int, count: int) -> np.ndarray:
    """The ``count`` log-spaced times (≥ 1) at which a validation compares the curves."""
    t = np.unique(np.round(np.logspace(0, np.log10(max(steps, 1)), count + 1)).astype(np.int64))
    return t[t >= 1][-count:]


def dataset_seed(seed: int, case_index: int) -> int:
    """The xoroshiro seed of one validation case: a hash of (seed, case index)."""
    ss = np.random.SeedSequence([int(seed), int(case_index), 0x5D6])
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def draw_spectrum(rng: np.random.Generator, dmin: int = 3, dmax: int = 8) -> dict[str, Any]:
    """Spectrum words of a random small legal power law (for the solvers' ``check``)."""
    return {
        "spectrum": "power_law",
        "D": int(rng.integers(dmin, dmax + 1)),
        "signal": 1.0,
        "alpha": float(rng.uniform(1.2, 2.5)),
        "beta": float(rng.uniform(0.3, 1.5)),
    }


def with_defaults(params: tuple[Param, ...], **defaults: Any) -> tuple[Param, ...]:
    """``params`` with some defaults replaced."""
    out = []
    for p in params:
        if p.name in defaults:
            p = Param(
                p.name,
                kind=p.kind,
                default=defaults[p.name],
                help=p.help,
                gt=p.gt,
                ge=p.ge,
                choices=p.choices,
            )
        out.append(p)
    return tuple(out)


def curve_claim(
    name: str,
    summary: str,
    params: tuple[Param, ...],
    values: Callable[[dict[str, Any], np.ndarray | None], dict[str, Any]],
    model: str,
    regime: dict[str, Any],
    observables: tuple[tuple[str, str], ...],
    cases: Callable[[dict[str, Any]], list[dict[str, Any]]],
    tolerance: Tolerance,
    default_seeds: int,
) -> Claim:
    """A learning-curve claim: the curve compared at ``check`` log-spaced times.

    ``values(case, times)`` is the theory; observables are named ``loss@t=…`` (and
    ``train@t=…``); the simulation runs all replicates of a case in one call of the training
    simulator (one run per replicate); ``regime`` maps the simulator's keywords to case keys
    (or constants)."""

    def theory(case: dict[str, Any], lr_factor: float = 1.0) -> dict[str, float]:
        times = check_times(case["steps"], case["check"])
        c = dict(case)
        c["lr"] = case["lr"] * lr_factor
        v = values(c, times)
        out = {}
        for prefix, key in observables:
            for t, val in zip(times, v[key], strict=True):
                out[f"{prefix}@t={int(t)}"] = float(val)
        return out

    def simulate_batch(
        case: dict[str, Any], seed: int, case_index: int, nseeds: int, backend: Any
    ) -> dict[str, np.ndarray]:
        from ..simulate.training import train

        times = check_times(case["steps"], case["check"])
        kw = {k: (case[v] if isinstance(v, str) else v) for k, v in regime.items()}
        res = train(
            model,
            make_spectrum(case),
            lr=case["lr"],
            steps=int(case["steps"]),
            noise=case.get("noise", 0.0),
            runs=nseeds,
            seed=dataset_seed(seed, case_index),
            times=times,
            backend=backend.name,
            return_runs=True,
            progress=False,
            **kw,
        )
        runs = {"loss": res.runs_loss, "train_loss": res.runs_train}
        out = {}
        for prefix, key in observables:
            for j, t in enumerate(times):
                out[f"{prefix}@t={int(t)}"] = runs[key][:, j]
        return out

    def perturb(values_: dict[str, float], case: dict[str, Any], eps: float) -> dict:
        """The learning rate in the theory is perturbed: lr -> lr (1 + eps)."""
        return theory(case, 1.0 + eps)

    return Claim(
        name=name,
        summary=summary,
        params=ParamSet(params),
        theory=theory,
        simulate=None,
        simulate_batch=simulate_batch,
        cases=cases,
        tolerance=tolerance,
        perturb=perturb,
        backends=("cpu", "cuda"),
        default_seeds=default_seeds,
        derivation=name,
    )
