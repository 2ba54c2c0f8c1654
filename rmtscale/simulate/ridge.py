r"""Finite-size ridge regression, solved exactly, in the eigenbasis of Σ.

One replicate: :math:`X=Z\Sigma^{1/2}` (P×D, Z standard Gaussian), :math:`y=X\bar w+\sigma\epsilon`
with :math:`\bar w_k=\sqrt{p_k/\lambda_k}`; :math:`\hat w=\arg\min\frac1P\lVert Xw-y\rVert^2+
\lambda\lVert w\rVert^2` (λ not scaled by P). Reported, exactly (no test sampling):
E_g = (ŵ−w̄)ᵀΣ(ŵ−w̄) (no label noise), E_tr = ‖Xŵ−y‖²/P, and (``gcv=True``) the GCV
estimate of E_g + σ², :math:`\hat S^2E_{tr}` with
:math:`\hat S^{-1}=1-\frac1P\operatorname{Tr}\hat\Sigma(\hat\Sigma+\lambda)^{-1}`, and
:math:`\hat\kappa=[\frac1P\operatorname{Tr}(G+\lambda)^{-1}]^{-1}`, G = XXᵀ/P.
The fit is one Cholesky solve of the smaller of XᵀX/P + λ (D×D) and XXᵀ/P + λ (P×P);
λ = 0 uses the minimum-norm least-squares solution.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg


def _trace_inverse(c: np.ndarray) -> float:
    """Tr A⁻¹ from the (lower) Cholesky factor L of A: ‖L⁻¹‖_F²."""
    Linv = linalg.solve_triangular(c, np.eye(c.shape[0]), lower=True)
    return float(np.sum(Linv * Linv))


def ridge_replicate(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: int,
    ridge: float,
    noise: float,
    rng: np.random.Generator,
    gcv: bool = True,
) -> dict[str, float]:
    """One finite-size ridge experiment: test_error, train_error, test_error_noisy and, with
    ``gcv``, the GCV estimate ``gcv`` and ``kappa_hat``."""
    eta = np.asarray(eigenvalues, dtype=float)
    D = eta.size
    wbar = np.sqrt(np.asarray(target_power, dtype=float) / eta)
    X = rng.standard_normal((P, D)) * np.sqrt(eta)
    y = X @ wbar + np.sqrt(noise) * rng.standard_normal(P)
    lam = float(ridge)
    out: dict[str, float] = {}
    if lam == 0.0:
        what = np.linalg.lstsq(X, y, rcond=None)[0]
        tr_ratio = min(D, P) / P  # Tr Σ̂(Σ̂+λ)^-1 / P at λ -> 0
        kappa_hat = np.nan
    elif D <= P:
        L = linalg.cholesky(X.T @ X / P + lam * np.eye(D), lower=True)
        what = linalg.cho_solve((L, True), X.T @ y / P)
        if gcv:
            tr_inv = _trace_inverse(L)  # Tr (Σ̂+λ)^-1 over D; G has P - D extra zero modes
            tr_ratio = (D - lam * tr_inv) / P
            kappa_hat = 1.0 / ((tr_inv + (P - D) / lam) / P)
    else:
        L = linalg.cholesky(X @ X.T / P + lam * np.eye(P), lower=True)
        what = X.T @ linalg.cho_solve((L, True), y) / P
        if gcv:
            tr_inv = _trace_inverse(L)
            tr_ratio = (P - lam * tr_inv) / P
            kappa_hat = 1.0 / (tr_inv / P)
    r = X @ what - y
    out["test_error"] = float(np.sum(eta * (what - wbar) ** 2))
    out["train_error"] = float(r @ r / P)
    out["test_error_noisy"] = out["test_error"] + noise
    if gcv or lam == 0.0:
        inv_S = 1.0 - tr_ratio
        out["gcv"] = out["train_error"] / inv_S**2 if inv_S > 0 else np.inf
        out["kappa_hat"] = kappa_hat
    return out
