r"""Learning-curve results and input checks shared by the SGD, GD and RF-GD solvers.

Conventions (docs/conventions.md): ``t`` counts updates (integer steps), **not** η·t; gradient
flow runs in continuous time τ and a discrete curve at step t is compared with the flow at
τ = η·t; ``loss`` is the population **excess** loss :math:`E_g(t)` (no label noise),
``train_loss`` :math:`\mathbb E[\frac1P\lVert Xw_t-y\rVert^2]` includes the noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ParameterError
from ..spectra import Spectrum
from .kappa.complex import KappaPath

STATIC_DECAY = 40.0
"""The static t = ∞ value is used once the slowest bulk mode has decayed by e^-STATIC_DECAY."""


@dataclass
class LearningCurve:
    """A theory learning curve at the requested times (arrays in the order of ``times``).

    ``t``: the requested times (steps; continuous τ for gradient flow); ``tau``: η·t (or τ);
    ``loss``: E_g(t) (excess, no label noise); ``train_loss``: E[(1/P)‖Xw_t − y‖²] (with
    noise) or None; ``loss_inf`` / ``train_loss_inf``: the t → ∞ limits; ``method`` per time:
    'exact' (t = 0 or the SGD recursion), 'ellipse', 'talbot' or 'static';
    ``diagnostics``: edges, κ_edge, stability sums, contour sizes."""

    t: np.ndarray
    tau: np.ndarray
    loss: np.ndarray
    train_loss: np.ndarray | None
    loss_inf: float
    train_loss_inf: float | None
    method: np.ndarray
    diagnostics: dict = field(default_factory=dict)

    def __getitem__(self, key: str):  # dict-style access for the claims layer
        return getattr(self, key)

    def to_dict(self) -> dict:
        d = {
            "t": self.t.tolist(),
            "tau": self.tau.tolist(),
            "loss": self.loss.tolist(),
            "loss_inf": self.loss_inf,
            "method": self.method.tolist(),
        }
        if self.train_loss is not None:
            d["train_loss"] = self.train_loss.tolist()
            d["train_loss_inf"] = self.train_loss_inf
        return d


def check_spectrum(spectrum: Spectrum) -> tuple[np.ndarray, np.ndarray]:
    """(eigenvalues, target power λw̄²) of a Spectrum, contiguous float arrays."""
    if not isinstance(spectrum, Spectrum):
        raise ParameterError("spectrum", "must be a rmtscale.spectra.Spectrum", type(spectrum))
    lam = np.ascontiguousarray(spectrum.eigenvalues, dtype=float)
    tp = np.ascontiguousarray(spectrum.target_power, dtype=float)
    return lam, tp


def check_pos(name: str, value: object, *, allow_zero: bool = False) -> float:
    req = "must be a finite number " + (">= 0" if allow_zero else "> 0")
    if isinstance(value, bool):
        raise ParameterError(name, req, value)
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, req, value) from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ParameterError(name, req, value)
    return v


def check_int(name: str, value: object) -> int:
    req = "must be an integer >= 1"
    if isinstance(value, bool):
        raise ParameterError(name, req, value)
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, req, value) from None
    if not math.isfinite(v) or v < 1 or v != int(v):
        raise ParameterError(name, req, value)
    return int(v)


def check_times(times: object, *, integer: bool) -> np.ndarray:
    req = "a non-negative integer or array of them" if integer else "non-negative finite numbers"
    try:
        arr = np.atleast_1d(np.asarray(times, dtype=float))
    except (TypeError, ValueError):
        raise ParameterError("times", "must be " + req, times) from None
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ParameterError("times", "must be " + req, times)
    if integer:
        if np.any(arr != np.round(arr)) or np.any(arr > 2**62):
            raise ParameterError("times", "must be " + req, times)
    return arr


def time_axis(times, lr, flow):
    """(t, τ, lr): ``times`` checked as steps (or continuous τ for flow), τ = lr·t."""
    if flow:
        t = check_times(times, integer=False)
        if lr is None:
            return t, t.copy(), None
        lr = check_pos("lr", lr)
        return t, lr * t, lr
    if lr is None:
        raise ParameterError("lr", "must be given (a finite number > 0) unless flow=True")
    lr = check_pos("lr", lr)
    t = check_times(times, integer=True)
    return t, lr * t, lr


def check_map(pr: KappaPath, lr: float | None, flow: bool, what: str) -> None:
    """Discrete time needs lr·s_max < 1 (the contour map 1 − lr·s = e^{lr p})."""
    if flow or lr is None:
        return
    if not lr * pr.s_max < 1.0:
        raise ParameterError(
            "lr",
            f"must be < 1/s_max = {1.0 / pr.s_max:.6g} (top edge of the deterministic-equivalent "
            f"spectrum of {what}: s_max = {pr.s_max:.6g}; the discrete-time contour map "
            "1 - lr*s = exp(lr*p) needs lr*s_max < 1)",
            lr,
        )


def decayed(
    pr: KappaPath, tval: float, tau: float, lr: float | None, flow: bool, factor: float = 1.0
) -> bool:
    """True once the slowest bulk mode has decayed by e^-STATIC_DECAY (``factor`` 2 for f²)."""
    if pr.s_low <= 0:
        return False
    if flow or lr is None:
        return factor * tau * pr.s_low >= STATIC_DECAY
    return -factor * tval * math.log1p(-lr * pr.s_low) >= STATIC_DECAY
