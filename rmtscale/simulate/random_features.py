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
    feature_spectrum: np.ndarray | None = None,
    layer_norm: str = "D",
) -> dict[str, float]:
    """One random-feature experiment; returns test_error, train_error, kappa1_hat.

    ``feature_spectrum`` (length N, shallow only): anisotropic weights F = Z Σ_F^{1/2}/√D.

    ``N`` may be a list of widths [N₁, …, N_L]: deep linear features F = F₁⋯F_L,
    F_ℓ ∈ ℝ^{N_{ℓ−1}×N_ℓ} (N₀ = D), with entries N(0, 1/D) in every layer
    (``layer_norm="D"``) or N(0, 1/N_{ℓ−1}) (``layer_norm="fan_in"``), as in
    ``deep_rf_theory``. The first layer is N(0, 1/D) either way."""
    if layer_norm not in ("D", "fan_in"):
        raise ValueError(f"layer_norm must be 'D' or 'fan_in', not {layer_norm!r}")
    eta = np.asarray(eigenvalues, dtype=float)
    D = eta.size
    lam = float(ridge)
    if lam <= 0:
        raise ValueError("the random-feature simulation needs ridge > 0")
    wbar = np.sqrt(np.asarray(target_power, dtype=float) / eta)
    widths = [int(n) for n in np.atleast_1d(N)]
    F = rng.standard_normal((D, widths[0])) / np.sqrt(D)
    for a, b in zip(widths[:-1], widths[1:]):
        F = F @ (rng.standard_normal((a, b)) / np.sqrt(D if layer_norm == "D" else a))
    N = widths[-1]
    if feature_spectrum is not None:
        if len(widths) != 1 or len(feature_spectrum) != N:
            raise ValueError("feature_spectrum needs one layer and N entries")
        F = F * np.sqrt(np.asarray(feature_spectrum, dtype=float))
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


def _sigma_sq(eta: np.ndarray, a: np.ndarray) -> float:
    return float(np.sum(eta * a * a))


def rf_bias_variance_replicate(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: int,
    N: int,
    ridge: float,
    noise: float,
    rng: np.random.Generator,
    n_x: int = 6,
    n_f: int = 6,
) -> dict[str, float]:
    r"""Unbiased estimates of the six fine-grained terms from one n_x × n_f grid of fits.

    Data sets X_i (with their label noise ε_i) and projections F_j are independent; every
    (i, j) pair is fitted on the clean labels X_i w̄ and, separately, on the pure noise ε_i
    (the fit is linear in y). With Y_ij = F_j v̂_ij^clean − w̄, Z_ij = F_j v̂_ij^noise and
    ⟨a, b⟩ = aᵀΣb, pairwise (U-statistic) averages give Bias² (distinct i and j),
    Bias² + Var_X (same i), Bias² + Var_F (same j), the signal (same pair), Var_Xε (same i
    in Z) and the noise total; the interactions are the differences. One grid is one
    replicate, so mean ± standard error over grids is a proper error bar."""
    eta = np.asarray(eigenvalues, dtype=float)
    D = eta.size
    lam = float(ridge)
    wbar = np.sqrt(np.asarray(target_power, dtype=float) / eta)
    Fs = [rng.standard_normal((D, N)) / np.sqrt(D) for _ in range(n_f)]
    Y = np.empty((n_x, n_f, D))
    Z = np.empty((n_x, n_f, D))
    for i in range(n_x):
        X = rng.standard_normal((P, D)) * np.sqrt(eta)
        rhs = np.column_stack([X @ wbar, np.sqrt(noise) * rng.standard_normal(P)])
        for j, F in enumerate(Fs):
            Phi = X @ F
            if N <= P:
                L = linalg.cholesky(Phi.T @ Phi / P + lam * np.eye(N), lower=True)
                v = linalg.cho_solve((L, True), Phi.T @ rhs / P)
            else:
                L = linalg.cholesky(Phi @ Phi.T / P + lam * np.eye(P), lower=True)
                v = Phi.T @ linalg.cho_solve((L, True), rhs) / P
            w = F @ v
            Y[i, j] = w[:, 0] - wbar
            Z[i, j] = w[:, 1]
    sq = np.sqrt(eta)
    Yw, Zw = Y * sq, Z * sq  # so that <a, b> is a plain dot product
    T = float(np.sum(Yw * Yw))
    rows = float(np.sum(Yw.sum(axis=1) ** 2))
    cols = float(np.sum(Yw.sum(axis=0) ** 2))
    tot = float(np.sum(Yw.sum(axis=(0, 1)) ** 2))
    bias2 = (tot - rows - cols + T) / (n_x * (n_x - 1) * n_f * (n_f - 1))
    b_vx = (rows - T) / (n_x * n_f * (n_f - 1))
    b_vf = (cols - T) / (n_f * n_x * (n_x - 1))
    signal = T / (n_x * n_f)
    TZ = float(np.sum(Zw * Zw))
    rowsZ = float(np.sum(Zw.sum(axis=1) ** 2))
    var_xe = (rowsZ - TZ) / (n_x * n_f * (n_f - 1))
    noise_total = TZ / (n_x * n_f)
    var_x, var_f = b_vx - bias2, b_vf - bias2
    return {
        "bias2": bias2, "var_x": var_x, "var_f": var_f,
        "var_xf": signal - bias2 - var_x - var_f,
        "var_xe": var_xe, "var_xfe": noise_total - var_xe,
    }  # fmt: skip
