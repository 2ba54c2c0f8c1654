r"""Finite-size linear random-feature regression, solved exactly.

One replicate draws a fresh projection :math:`F\in\mathbb R^{D\times N}`,
:math:`F_{ij}\sim N(0,1/D)`,
and fresh data :math:`X=Z\Sigma^{1/2}` (P×D), :math:`y=X\bar w+\sigma\epsilon`; fits
:math:`\hat v=\arg\min\frac1P\lVert XF v-y\rVert^2+\lambda\lVert v\rVert^2` (λ not scaled by P)
by one Cholesky solve of the smaller of ΦᵀΦ/P + λ (N×N) and ΦΦᵀ/P + λ (P×P), Φ = XF; and
reports E_g = (Fv̂ − w̄)ᵀΣ(Fv̂ − w̄) (no label noise), E_tr = ‖Φv̂ − y‖²/P and
κ̂₁ = [Tr(ΦΦᵀ/P + λ)⁻¹/P]⁻¹ (the GCV estimate of κ₁).
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from .ridge import _trace_inverse


def rf_replicate(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: int,
    N: int | list[int],
    ridge: float,
    noise: float,
    rng: np.random.Generator,
) -> dict[str, float]:
    """One random-feature experiment; returns test_error, train_error, kappa1_hat.

    ``N`` may be a list of widths [N₁, …, N_L]: deep linear features F = F₁⋯F_L with every
    layer's entries N(0, 1/D) (the normalization of ``deep_rf_theory``)."""
    eta = np.asarray(eigenvalues, dtype=float)
    D = eta.size
    lam = float(ridge)
    if lam <= 0:
        raise ValueError("the random-feature simulation needs ridge > 0")
    wbar = np.sqrt(np.asarray(target_power, dtype=float) / eta)
    widths = [int(n) for n in np.atleast_1d(N)]
    F = rng.standard_normal((D, widths[0])) / np.sqrt(D)
    for a, b in zip(widths[:-1], widths[1:]):
        F = F @ (rng.standard_normal((a, b)) / np.sqrt(D))
    N = widths[-1]
    X = rng.standard_normal((P, D)) * np.sqrt(eta)
    y = X @ wbar + np.sqrt(noise) * rng.standard_normal(P)
    Phi = X @ F
    if N <= P:
        L = linalg.cholesky(Phi.T @ Phi / P + lam * np.eye(N), lower=True)
        v = linalg.cho_solve((L, True), Phi.T @ y / P)
        tr_inv = _trace_inverse(L) + (P - N) / lam  # Tr (ΦΦᵀ/P + λ)^-1 over P modes
    else:
        L = linalg.cholesky(Phi @ Phi.T / P + lam * np.eye(P), lower=True)
        v = Phi.T @ linalg.cho_solve((L, True), y) / P
        tr_inv = _trace_inverse(L)
    w = F @ v
    r = Phi @ v - y
    return {
        "test_error": float(np.sum(eta * (w - wbar) ** 2)),
        "train_error": float(r @ r / P),
        "kappa1_hat": float(P / tr_inv),
    }
