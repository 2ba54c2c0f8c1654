r"""Online SGD learning curve (linear model, Gaussian data): the exact mode-wise recursion.

Conventions (docs/conventions.md): :math:`w\leftarrow w-\frac{\eta}{B}\sum_{i=1}^Bx_i(x_i\cdot
w-y_i)`, a fresh batch of B per step, :math:`w_0=0`; ``times`` are integer step counts;
``loss`` is the excess loss :math:`E_g(t)` (no label noise). The Gaussian fourth moment closes
the dynamics on the mode-wise second moments (:func:`rmtscale.symbolic.sgd.derive_sgd_recursion`):

.. math:: c_k(t+1)=\rho_kc_k(t)+\mathrm{drive}\,\lambda_k\big(E_g(t)+\sigma^2\big),\quad
          c_k(0)=\bar w_k^2,\quad E_g(t)=\sum_k\lambda_kc_k(t),

stable iff every ρ_k < 1 and the kernel mass :math:`\bar{\mathcal K}=\sum_k m(\lambda_k)<1`;
then :math:`E_g(\infty)=\sigma^2\bar{\mathcal K}/(1-\bar{\mathcal K})`. The coefficients ρ(λ),
drive, m(λ) and the fixed point are the derivation's expressions
(:func:`rmtscale.symbolic.sgd.sgd_coefficients`), compiled through
:mod:`rmtscale.numeric.codegen` as polynomial coefficients in λ (ρ and m are rational in λ)
and evaluated on the spectrum by Horner's rule; the recursion itself is a hand-written numba
loop (O(steps·D), blocked sums), tested against the derivation's recursion in
tests/test_dynamics_theory.py.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..errors import ParameterError
from ..spectra import Spectrum
from .codegen import cached
from .curves import LearningCurve, check_int, check_pos, check_spectrum, check_times

_BLOCK = 256
_DEG = 2  # ρ and m are ratios of polynomials of degree ≤ 2 in λ
_NC = _DEG + 1
_KEYS = ("rho_num", "rho_den", "mass_num", "mass_den")


@cached
def _coefficients():
    """Compiled (η, B, σ², K̄) -> [Horner coefficients of ρ and m in λ (lowest first, 3 each
    for numerator and denominator), drive, fixed point at K̄]."""
    import sympy as sp

    from ..symbolic.sgd import KBAR, B, eta, lam_mode, sgd_coefficients, sigma2
    from .codegen import compile_expressions

    c = sgd_coefficients()
    exprs = []
    for key in ("rho", "kernel_mass"):
        num, den = sp.fraction(sp.cancel(sp.together(c[key])))
        for part in (num, den):
            coeffs = sp.Poly(part, lam_mode).all_coeffs()[::-1]
            if len(coeffs) > _NC:
                raise ValueError(f"sgd {key}: degree > {_DEG} in lambda")
            exprs += list(coeffs) + [sp.Integer(0)] * (_NC - len(coeffs))
    exprs += [c["drive"], c["fixed_point"]]
    return compile_expressions([eta, B, sigma2, KBAR], exprs, name="sgd_coefficients")


def _horner(coeffs: np.ndarray, lam: np.ndarray) -> np.ndarray:
    out = np.full(lam.shape, coeffs[-1])
    for c in coeffs[-2::-1]:
        out = out * lam + c
    return out


def sgd_terms(lam: np.ndarray, lr: float, B: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(ρ_k, m_k, drive) on the spectrum; m_k = inf where ρ_k ≥ 1 (the mode does not
    contract)."""
    v = _coefficients()(float(lr), float(B), 0.0, 0.0)
    parts = {k: v[i * _NC : (i + 1) * _NC] for i, k in enumerate(_KEYS)}
    rho = _horner(parts["rho_num"], lam) / _horner(parts["rho_den"], lam)
    with np.errstate(divide="ignore", invalid="ignore"):
        mass = _horner(parts["mass_num"], lam) / _horner(parts["mass_den"], lam)
    mass[~(np.isfinite(mass) & (mass > 0))] = math.inf  # m = η²λ²/(B(1 − ρ)) > 0 iff ρ < 1
    return rho, mass, float(v[4 * _NC])


def fixed_point(lr: float, B: int, noise: float, kbar: float) -> float:
    """E_g(∞) at kernel mass ``kbar`` (< 1)."""
    return float(_coefficients()(float(lr), float(B), float(noise), float(kbar))[4 * _NC + 1])


def _kernel_mass(lam: np.ndarray, lr: float, B: int) -> float:
    mass = sgd_terms(lam, lr, B)[1]
    return math.inf if np.any(np.isinf(mass)) else float(np.sum(mass))


@numba.njit(cache=True)
def _sgd_kernel(lam, c0, rho, g, noise, rec):
    """E_g at the sorted integer steps ``rec`` of c_k(t+1) = ρ_k c_k + g λ_k (E_g + σ²)."""
    D = lam.size
    c = c0.copy()
    out = np.empty(rec.size)
    total = 0.0
    block = 0.0
    for k in range(D):
        block += lam[k] * c[k]
        if (k + 1) % _BLOCK == 0:
            total += block
            block = 0.0
    eg = total + block
    ir = 0
    T = rec[rec.size - 1]
    t = 0
    while True:
        while ir < rec.size and rec[ir] == t:
            out[ir] = eg
            ir += 1
        if t >= T:
            break
        drive = g * (eg + noise)
        total = 0.0
        block = 0.0
        for k in range(D):
            ck = rho[k] * c[k] + drive * lam[k]
            c[k] = ck
            block += lam[k] * ck
            if (k + 1) % _BLOCK == 0:
                total += block
                block = 0.0
        eg = total + block
        t += 1
    return out


def sgd_max_lr(eigenvalues: np.ndarray, batch: int) -> float:
    """Largest stable learning rate of online SGD: sup{η : all ρ_k < 1 and K̄ < 1}."""
    lam = np.asarray(eigenvalues, dtype=float)
    hi = 2.0 * batch / ((batch + 1.0) * lam.max())
    lo = 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _kernel_mass(lam, mid, batch) < 1.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return lo


def sgd_learning_curve(
    spectrum: Spectrum, *, lr: float, batch: int = 1, noise: float = 0.0, times
) -> LearningCurve:
    r"""Online SGD learning curve, exact in expectation for Gaussian data (module docstring).

    ``loss_inf`` is the fixed point :math:`\sigma^2\bar{\mathcal K}/(1-\bar{\mathcal K})`.
    Raises :class:`ParameterError` ('lr') when the recursion is unstable (some ρ_k ≥ 1 or
    K̄ ≥ 1); the message gives the largest stable lr."""
    lam, tp = check_spectrum(spectrum)
    lr = check_pos("lr", lr)
    B = check_int("batch", batch)
    noise = check_pos("noise", noise, allow_zero=True)
    t = check_times(times, integer=True)
    rho, mass, drive = sgd_terms(lam, lr, B)
    S = math.inf if np.any(np.isinf(mass)) else float(np.sum(mass))
    lmax = sgd_max_lr(lam, B)
    if not S < 1.0:
        raise ParameterError(
            "lr",
            f"must be < {lmax:.6g} for batch {B} (SGD second-moment recursion unstable: "
            f"sum_tau K(tau) = (lr^2/B) sum lambda^2/(1-rho) = {S:.4g} >= 1 or some rho >= 1)",
            lr,
        )
    ti = t.astype(np.int64)
    uniq, inv = np.unique(ti, return_inverse=True)
    vals = _sgd_kernel(lam, tp / lam, rho, drive, noise, uniq)
    return LearningCurve(
        t=t,
        tau=lr * t,
        loss=vals[inv],
        train_loss=None,
        loss_inf=fixed_point(lr, B, noise, S),
        train_loss_inf=None,
        method=np.full(t.size, "exact"),
        diagnostics={"kernel_sum": S, "rho_max": float(rho.max()), "lr_max": lmax},
    )


__all__ = ["sgd_learning_curve", "sgd_max_lr", "sgd_terms"]
