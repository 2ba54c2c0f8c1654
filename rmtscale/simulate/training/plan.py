"""The plan of a training simulation, validated once, and the curves every backend returns.

:func:`make_plan` checks and normalises the arguments of
:func:`rmtscale.simulate.training.train` (the only place they are checked) and returns a
frozen :class:`Plan`; the backends (``training.cpu``, ``training.cuda``) run a plan and return
:class:`TrainingCurves`. Semantics (models, regimes, update rule, random streams): the
``rmtscale.simulate.training`` package docstring and ``docs/conventions.md`` §7, §10.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import ParameterError
from ...spectra import Spectrum

#: RNG streams (threads of a CUDA block) per run.
LANES = 32
#: A run whose E_g exceeds this (or is non-finite) is stopped as diverged.
DIVERGED = 1e30
#: Divergence is checked at records and every this many steps.
CHECK_EVERY = 64

MODELS = ("linear", "rf", "two_layer")
LINEAR, RF, TWO_LAYER = 0, 1, 2
REGIMES = ("population_gd", "online_sgd", "full_batch_gd", "minibatch_sgd")
POPULATION, ONLINE, FULL_BATCH, MINIBATCH = 0, 1, 2, 3


@dataclass
class TrainingCurves:
    """Losses recorded during training, averaged over runs.

    ``t``: int64 step counts (number of updates) of the records. ``loss_mean`` /
    ``loss_stderr``: population excess loss E_g (no label noise) and its standard error over
    runs (std ddof=1 / √runs). ``train_mean`` / ``train_stderr``: training loss
    (1/P)‖Xw_t − y‖² (includes label noise), finite-dataset runs only. ``runs_loss`` /
    ``runs_train``: per-run values (runs, len(t)) when ``return_runs=True``."""

    t: np.ndarray
    loss_mean: np.ndarray
    loss_stderr: np.ndarray
    train_mean: np.ndarray | None
    train_stderr: np.ndarray | None
    runs_loss: np.ndarray | None
    runs_train: np.ndarray | None
    backend: str
    elapsed_s: float


@dataclass(frozen=True)
class Plan:
    """A validated training simulation (built by :func:`make_plan`, never by hand).

    The arguments of ``train`` after validation (``N`` is 0 for the linear model, ``times``
    the sorted unique int64 record steps), plus the quantities both backends derive from them:
    ``m`` the model code, ``regime`` (:data:`REGIMES` index), ``lam`` = λ, ``sqrt_lam`` = √λ,
    ``wbar`` = w̄ = √(p/λ), ``B`` the samples per step (1 when nothing is sampled), ``Pn`` = P
    or 0, ``dense_k`` (rf with D ≤ 2N: FFᵀ is precomputed), ``gram`` (full-batch GD with
    P ≥ D: Σ̂ = XᵀX/P is precomputed) and ``noise_sd`` = √noise."""

    model: str
    spectrum: Spectrum
    lr: float
    steps: int
    batch: int | None
    P: int | None
    N: int
    noise: float
    runs: int
    seed: int
    times: np.ndarray
    gamma: float
    run_offset: int
    m: int
    regime: int
    lam: np.ndarray
    sqrt_lam: np.ndarray
    wbar: np.ndarray
    B: int
    Pn: int
    dense_k: bool
    gram: bool
    noise_sd: float

    @property
    def D(self) -> int:
        return self.lam.size

    @property
    def finite_data(self) -> bool:
        """Runs train on a fixed dataset of P samples (a training loss is recorded)."""
        return self.regime in (FULL_BATCH, MINIBATCH)


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
    return int(value) if isinstance(value, (int, np.integer)) else int(f)


def _as_float(name: str, value: object, requirement: str, ok) -> float:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, requirement, value) from None
    if isinstance(value, (bool, np.bool_)) or not math.isfinite(f) or not ok(f):
        raise ParameterError(name, requirement, value)
    return f


def default_times(steps: int, n: int = 40) -> np.ndarray:
    """0 and ~``n`` log-spaced unique integers in [1, steps], ``steps`` included."""
    grid = np.round(np.logspace(0.0, np.log10(steps), n)).astype(np.int64)
    return np.unique(np.concatenate([[0], grid, [steps]])).astype(np.int64)


def _check_times(times: object, steps: int) -> np.ndarray:
    req = f"must be a non-empty list of integers in [0, steps={steps}]"
    try:
        arr = np.asarray(times, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ParameterError("times", req) from None
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
        raise ParameterError("times", req)
    if arr.min() < 0 or arr.max() > steps:
        raise ParameterError("times", req)
    return np.unique(arr.astype(np.int64))


def regime_of(P: int | None, batch: int | None) -> int:
    """The data regime (index into :data:`REGIMES`) of ``P`` and ``batch``."""
    if P is None:
        return POPULATION if batch is None else ONLINE
    return FULL_BATCH if batch is None or batch >= P else MINIBATCH


def make_plan(
    model: str,
    spectrum: Spectrum,
    *,
    lr: float,
    steps: int,
    batch: int | None = 1,
    P: int | None = None,
    N: int | None = None,
    noise: float = 0.0,
    runs: int = 64,
    seed: int = 0,
    times=None,
    gamma: float = 1.0,
    run_offset: int = 0,
) -> Plan:
    """Validate and normalise ``train``'s arguments into a :class:`Plan`.

    Raises :class:`~rmtscale.errors.ParameterError` naming the first bad parameter."""
    if model not in MODELS:
        raise ParameterError("model", "must be one of " + ", ".join(MODELS), model)
    if not isinstance(spectrum, Spectrum):
        raise ParameterError("spectrum", "must be an rmtscale.spectra.Spectrum", type(spectrum))
    lr = _as_float("lr", lr, "must be a finite number > 0", lambda v: v > 0)
    steps = _as_int("steps", steps, 1)
    if batch is not None:
        batch = _as_int("batch", batch, 1)
    if P is not None:
        P = _as_int("P", P, 1)
    if model in ("rf", "two_layer"):
        if N is None:
            raise ParameterError("N", f"is required for model '{model}' (an integer >= 1)")
        N = _as_int("N", N, 1)
    else:
        N = 0
    noise = _as_float("noise", noise, "must be a finite number >= 0", lambda v: v >= 0)
    runs = _as_int("runs", runs, 1)
    seed = _as_int("seed", seed, 0)
    if seed >= 2**64:
        raise ParameterError("seed", "must be an integer in [0, 2**64)", seed)
    gamma = _as_float("gamma", gamma, "must be a finite number > 0", lambda v: v > 0)
    run_offset = _as_int("run_offset", run_offset, 0)
    t_rec = default_times(steps) if times is None else _check_times(times, steps)

    m = MODELS.index(model)
    regime = regime_of(P, batch)
    lam = np.ascontiguousarray(spectrum.eigenvalues, dtype=np.float64)
    Pn = P if P is not None else 0
    return Plan(
        model=model,
        spectrum=spectrum,
        lr=lr,
        steps=steps,
        batch=batch,
        P=P,
        N=N,
        noise=noise,
        runs=runs,
        seed=seed,
        times=t_rec,
        gamma=gamma,
        run_offset=run_offset,
        m=m,
        regime=regime,
        lam=lam,
        sqrt_lam=np.sqrt(lam),
        wbar=np.sqrt(np.asarray(spectrum.target_power, dtype=np.float64) / lam),
        B=batch if regime in (ONLINE, MINIBATCH) else 1,
        Pn=Pn,
        dense_k=m == RF and lam.size <= 2 * N,
        gram=regime == FULL_BATCH and Pn >= lam.size,
        noise_sd=math.sqrt(noise),
    )


def _summary(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = a.shape[0]
    with np.errstate(invalid="ignore", over="ignore"):
        mean = a.mean(axis=0)
        if n > 1:
            finite = np.all(np.isfinite(a), axis=0)
            centred = np.where(finite, a - np.where(finite, mean, 0.0), 0.0)
            sd = np.sqrt((centred**2).sum(axis=0) / (n - 1))
            stderr = np.where(finite, sd / math.sqrt(n), np.inf)
        else:
            stderr = np.full(a.shape[1], np.nan)
    return mean, stderr


def curves(
    plan: Plan,
    loss: np.ndarray,
    train_loss: np.ndarray,
    *,
    backend: str,
    return_runs: bool,
    elapsed_s: float,
) -> TrainingCurves:
    """:class:`TrainingCurves` from per-run losses (runs, len(times)); warns once when runs
    diverged (their losses are inf from then on)."""
    import warnings

    n_div = int(np.sum(np.isinf(loss[:, -1])))
    if n_div:
        warnings.warn(
            f"{n_div} of {plan.runs} runs diverged (E_g non-finite or > {DIVERGED:g}); "
            "their losses are recorded as inf from then on",
            RuntimeWarning,
            stacklevel=4,
        )
    loss_mean, loss_se = _summary(loss)
    train_mean = train_se = None
    if plan.finite_data:
        train_mean, train_se = _summary(train_loss)
    return TrainingCurves(
        t=plan.times,
        loss_mean=loss_mean,
        loss_stderr=loss_se,
        train_mean=train_mean,
        train_stderr=train_se,
        runs_loss=loss if return_runs else None,
        runs_train=(train_loss if plan.finite_data else None) if return_runs else None,
        backend=backend,
        elapsed_s=elapsed_s,
    )
