r"""Population spectra with a target: the input of every ridge / random-feature theory.

A :class:`Spectrum` holds the eigenvalues :math:`\lambda_k` of the data covariance Σ (in the
eigenbasis, so Σ = diag(λ)) and the teacher's power per mode :math:`\lambda_k\bar w_k^2`
(the target variance it carries). Conventions (docs/conventions.md):

* :func:`isotropic` — :math:`\Sigma=I_D`, :math:`\lVert\bar w\rVert^2=` ``signal``
  (spread evenly, :math:`\bar w_k^2=\text{signal}/D`; isotropic results depend only on the norm);
* :func:`power_law` — :math:`\lambda_k=k^{-\alpha}` (α > 1), :math:`\lambda_k\bar w_k^2=
  k^{-\alpha\beta-1}` (source β; the task lies in the RKHS iff β > 1), k = 1..D;
* :func:`from_arrays` — any positive eigenvalues and non-negative target powers.

:data:`SPECTRUM_PARAMS` declares the spectrum words every model takes (``spectrum``, ``D``,
``signal``, ``alpha``, ``beta``) and :func:`make_spectrum` turns them into a :class:`Spectrum`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ParameterError
from .params import Param


@dataclass(frozen=True)
class Spectrum:
    """Eigenvalues ``eigenvalues`` (λ_k > 0) and target power ``target_power`` (λ_k w̄_k²)."""

    eigenvalues: np.ndarray
    target_power: np.ndarray
    name: str = "custom"

    @property
    def D(self) -> int:
        return int(self.eigenvalues.size)

    @property
    def teacher_sq(self) -> np.ndarray:
        r""":math:`\bar w_k^2 = \text{target\_power}_k/\lambda_k`."""
        return self.target_power / self.eigenvalues

    @property
    def signal(self) -> float:
        r""":math:`\lVert\bar w\rVert^2`."""
        return float(self.teacher_sq.sum())

    @property
    def target_variance(self) -> float:
        r""":math:`\bar w^\top\Sigma\bar w=\sum_k\lambda_k\bar w_k^2`
        (E_g of the zero predictor)."""
        return float(self.target_power.sum())


def _check_D(D: object) -> int:
    if isinstance(D, bool) or not isinstance(D, (int, np.integer, float)) or D != int(D):
        raise ParameterError("D", "must be an integer >= 1", D)
    if int(D) < 1:
        raise ParameterError("D", "must be an integer >= 1", D)
    return int(D)


def _check_finite(name: str, value: object, requirement: str) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, requirement, value) from None
    if not np.isfinite(v):
        raise ParameterError(name, requirement, value)
    return v


def isotropic(D: int, signal: float = 1.0) -> Spectrum:
    r"""Σ = I_D with :math:`\lVert\bar w\rVert^2=` ``signal`` (≥ 0)."""
    D = _check_D(D)
    s = _check_finite("signal", signal, "must be a finite number >= 0")
    if s < 0:
        raise ParameterError("signal", "must be a finite number >= 0", signal)
    return Spectrum(np.ones(D), np.full(D, s / D), name="isotropic")


def power_law(alpha: float, beta: float, D: int) -> Spectrum:
    r""":math:`\lambda_k=k^{-\alpha}`, :math:`\lambda_k\bar w_k^2=k^{-\alpha\beta-1}`, k = 1..D."""
    a = _check_finite("alpha", alpha, "must be a finite number > 1")
    if a <= 1:
        raise ParameterError("alpha", "must be a finite number > 1 (normalizable spectrum)", alpha)
    b = _check_finite("beta", beta, "must be a finite number > 0")
    if b <= 0:
        raise ParameterError("beta", "must be a finite number > 0", beta)
    D = _check_D(D)
    k = np.arange(1, D + 1, dtype=float)
    return Spectrum(k**-a, k ** (-a * b - 1.0), name="power_law")


def from_arrays(eigenvalues: np.ndarray, target_power: np.ndarray) -> Spectrum:
    r"""Any spectrum: eigenvalues λ_k > 0 and target powers :math:`\lambda_k\bar w_k^2\ge0`."""
    ev = np.asarray(eigenvalues, dtype=float)
    tp = np.asarray(target_power, dtype=float)
    if ev.ndim != 1 or ev.size < 1:
        raise ParameterError("eigenvalues", "must be a non-empty 1-D array")
    if not np.all(np.isfinite(ev)) or np.any(ev <= 0):
        raise ParameterError("eigenvalues", "must be finite and > 0")
    if tp.shape != ev.shape:
        raise ParameterError(
            "target_power", f"must have the shape of eigenvalues {ev.shape}", tp.shape
        )
    if not np.all(np.isfinite(tp)) or np.any(tp < 0):
        raise ParameterError("target_power", "must be finite and >= 0")
    return Spectrum(ev.copy(), tp.copy(), name="custom")


# ============================================================================ parameters
SPECTRUM_PARAMS = (
    Param(
        "spectrum",
        kind="str",
        default="isotropic",
        choices=("isotropic", "power_law"),
        help="population spectrum",
    ),
    Param("D", kind="int", default=400, ge=1, help="number of modes (input dimension)"),
    Param("signal", default=1.0, ge=0, help="isotropic: ||wbar||^2"),
    Param("alpha", default=1.5, gt=1, help="power_law: eigenvalues k^-alpha"),
    Param("beta", default=0.8, gt=0, help="power_law: target power k^-(alpha*beta+1)"),
)


def make_spectrum(p: dict[str, Any]) -> Spectrum:
    """The :class:`Spectrum` named by the words of :data:`SPECTRUM_PARAMS` in ``p``."""
    if p["spectrum"] == "isotropic":
        return isotropic(p["D"], p["signal"])
    return power_law(p["alpha"], p["beta"], p["D"])


def draw_spectrum_params(rng: np.random.Generator, D_max: int = 60) -> dict[str, Any]:
    """A random legal point of :data:`SPECTRUM_PARAMS` with a small D (for the solvers'
    high-precision ``check=`` functions): isotropic or a power law, D in [8, D_max]."""
    p: dict[str, Any] = {"D": int(rng.integers(8, D_max + 1))}
    if rng.random() < 0.3:
        p.update(spectrum="isotropic", signal=float(rng.uniform(0.2, 2.0)))
    else:
        p.update(
            spectrum="power_law",
            alpha=float(rng.uniform(1.1, 2.5)),
            beta=float(rng.uniform(0.2, 2.0)),
        )
    return p
