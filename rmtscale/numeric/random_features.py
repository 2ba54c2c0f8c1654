r"""Compiled deterministic equivalent of linear random-feature ridge regression.

Model (``shared/theory/ridge_and_random_features.md`` §8): frozen :math:`F\in\mathbb R^{D\times N}`,
:math:`F_{ij}\sim N(0,1/D)`; features :math:`F^\top x`; readout
:math:`\hat v=\arg\min\frac1P\sum_\mu(y_\mu-v^\top F^\top x_\mu)^2+\lambda\lVert v\rVert^2`
(λ not scaled by P); predictor :math:`x^\top F\hat v`. df's are unnormalized traces at κ₂;
E_g excludes label noise; ``noise`` is σ².

Two renormalized ridges (S-transform product :math:`\kappa_1=\lambda S_W`, :math:`\kappa_2=
\kappa_1 S_{FF^\top}` with :math:`S_{FF^\top}(\mathrm{df})=1/(N/D-\mathrm{df})`):

.. math:: \kappa_2\Big(1-\frac{\mathrm{Df}_1}{P}\Big)\frac{N-\mathrm{Df}_1}{D}=\lambda,\qquad
          \kappa_1=\kappa_2\,\frac{N-\mathrm{Df}_1}{D},

on the physical branch :math:`\mathrm{Df}_1(\kappa_2)<\min(P,N)`. It is solved in log form,
:math:`h(s)=s+\log(1-\mathrm{Df}_1/P)+\log(N-\mathrm{Df}_1)-\log(D\lambda)`, which is strictly
increasing, by a safeguarded Newton iteration bracketed by
:math:`[\kappa_{\rm edge},\ \mathrm{Tr}\Sigma/P+\mathrm{Tr}\Sigma/N+\lambda D/N]`.
Then, with :math:`\rho=[1+(\mathrm{Df}_1-\mathrm{Df}_2)/(N-\mathrm{Df}_1)]^{-1}`,
:math:`\gamma_2=\mathrm{Df}_2/P`,
:math:`\gamma_1=[\mathrm{Df}_1-(\mathrm{Df}_1-\mathrm{Df}_2)\rho]/P`:
E_g = [κ₂²tf₁′ρ + κ₂tf₁(1−ρ)]/(1−γ₁) + σ²γ₁/(1−γ₁), E_tr = (λ/κ₁)²(E_g + σ²) (with
λ/κ₁ = 1 − Df₁/P, finite at λ = 0), and the
fine-grained terms Bias² = κ₂²tf₁′, Var_X = Bias²γ₂/(1−γ₂), Var_F = (1−ρ)κ₂tf₂,
Var_XF = signal − Bias² − Var_X − Var_F, Var_Xε = σ²γ₂/(1−γ₂), Var_XFε = σ²γ₁/(1−γ₁) − Var_Xε.
"""

from __future__ import annotations

import numba
import numpy as np

from .ridge import MAXIT, _edge, _sums, prepare_sums, sums_at
from .spectral_sums import NFUNC


@numba.njit(parallel=True, cache=True)
def _solve_points(coeffs, s0, h, k_lo, taylor, D, trace, Ps, Ns, lams):
    n = Ps.size
    kappa2 = np.empty(n)
    iters = np.zeros(n, dtype=np.int64)
    for i in numba.prange(n):
        buf = np.empty(NFUNC)
        P, lam = Ps[i], lams[i]
        L = Ns.shape[1]
        level = P
        inv_sum = 0.0
        for ell in range(L):
            level = min(level, Ns[i, ell])
            inv_sum += 1.0 / Ns[i, ell]
        ke = _edge(coeffs, s0, h, k_lo, taylor, D, trace, level, buf)
        if lam == 0.0:
            kappa2[i] = ke
            continue
        lo = np.log(ke) if ke > 0 else np.log(k_lo) - 50.0
        # at kappa = Tr/P + Tr·sum(1/N_l) + lam·prod(D/N_l) every factor is large enough
        prodDN = 1.0
        for ell in range(L):
            prodDN *= D / Ns[i, ell]
        hi = np.log(trace / P + trace * inv_sum + lam * prodDN) + 1e-12
        s = 0.5 * (lo + hi) if ke > 0 else hi
        for it in range(1, MAXIT + 1):  # noqa: B007 - `it` is reported
            k = np.exp(s)
            _sums(coeffs, s0, h, k_lo, taylor, k, buf)
            a = 1.0 - buf[0] / P
            bmin = a * P
            logb = 0.0
            dd = buf[0] - buf[1]
            dH = 1.0 + dd / P / a
            for ell in range(L):
                b = Ns[i, ell] - buf[0]
                bmin = min(bmin, b)
                if b > 0.0:
                    logb += np.log(b / D)
                    dH += dd / b
            if bmin <= 0.0:  # below the edge (rounding): bisect upwards
                lo = s
                s = 0.5 * (lo + hi)
                continue
            H = s + np.log(a) + logb - np.log(lam)
            if H > 0:
                hi = s
            else:
                lo = s
            sn = s - H / dH
            if not (lo <= sn <= hi):
                sn = 0.5 * (lo + hi)
            if abs(sn - s) <= 1e-14 or hi - lo <= 1e-14:
                s = sn
                break
            s = sn
        kappa2[i] = np.exp(s)
        iters[i] = it
    return kappa2, iters


def rf_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    N: np.ndarray,
    ridge: np.ndarray,
    noise: float = 0.0,
) -> dict[str, np.ndarray]:
    """Deterministic equivalent of linear random features at broadcast (P, N, ridge) points.

    Returns a dict of arrays with the broadcast shape: kappa1, kappa2, df1, df2, gamma1,
    gamma2, rho, bias2, var_x, var_f, var_xf, var_xe, var_xfe, test_error, train_error,
    iterations."""
    return deep_rf_theory(
        eigenvalues, target_power, P, np.asarray(N, float)[..., None], ridge, noise
    )


def deep_rf_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    widths: np.ndarray,
    ridge: np.ndarray,
    noise: float = 0.0,
) -> dict[str, np.ndarray]:
    r"""Deep linear random features F = F₁⋯F_L (every layer's entries N(0, 1/D), the
    normalization under which the S-product is exact; theory note §9.1):
    :math:`\kappa_2(1-\mathrm{Df}_1/P)\prod_\ell(N_\ell-\mathrm{Df}_1)/D=\lambda`,
    :math:`\kappa_1=\kappa_2\prod_\ell(N_\ell-\mathrm{Df}_1)/D`,
    :math:`\rho^{-1}=1+(\mathrm{Df}_1-\mathrm{Df}_2)\sum_\ell 1/(N_\ell-\mathrm{Df}_1)`.
    ``widths`` has a last axis of length L (the layers); other axes broadcast with P, ridge."""
    eta = np.ascontiguousarray(eigenvalues, dtype=float)
    power = np.ascontiguousarray(target_power, dtype=float)
    W = np.asarray(widths, dtype=float)
    if W.ndim == 0:
        W = W[None]
    Pb, Lb = np.broadcast_arrays(np.asarray(P, dtype=float), np.asarray(ridge, dtype=float))
    shape = np.broadcast_shapes(Pb.shape, W.shape[:-1])
    Pb, Lb = np.broadcast_to(Pb, shape), np.broadcast_to(Lb, shape)
    W = np.broadcast_to(W, shape + W.shape[-1:])
    Ps, lams = (np.ascontiguousarray(a.ravel()) for a in (Pb, Lb))
    Ns = np.ascontiguousarray(W.reshape(-1, W.shape[-1]))
    D = eta.size
    trace = float(eta.sum())
    k_hi = 2.0 * float(
        np.max(trace / Ps + trace * np.sum(1 / Ns, axis=1) + lams * np.prod(D / Ns, axis=1))
    )
    table, taylor, k_lo = prepare_sums(eta, power, k_hi)
    k2, iters = _solve_points(table.coeffs, table.s0, table.h, k_lo, taylor, D, trace, Ps, Ns, lams)
    df1, df2, tf1, tf1p, tf2 = sums_at(table, taylor, k_lo, k2)
    with np.errstate(divide="ignore", invalid="ignore"):
        widths_left = np.maximum(Ns - df1[:, None], 0.0)  # 0 on a width edge (ridgeless)
        k1 = k2 * np.prod(widths_left / D, axis=1)
        rho = 1.0 / (1.0 + (df1 - df2) * np.sum(1.0 / widths_left, axis=1))
        g2 = df2 / Ps
        g1 = (df1 - (df1 - df2) * rho) / Ps
        # interpolation threshold (ridgeless, P = min width, or P = D): gamma_1 -> 1, E_g = inf
        g1 = np.where(g1 > 1.0 - 1e-10, 1.0, g1)
        signal = (k2**2 * tf1p * rho + k2 * tf1 * (1 - rho)) / (1 - g1)
        bias2 = k2**2 * tf1p
        var_x = bias2 * g2 / (1 - g2)
        var_f = (1 - rho) * k2 * tf2
        var_xe = noise * g2 / (1 - g2)
        noise_part = noise * g1 / (1 - g1)
        test = np.where(g1 >= 1.0, np.inf, signal + noise_part)
        # λ/κ₁ = 1 − Df₁/P exactly on the solution (the κ₂ equation); this form stays finite
        # in the ridgeless limit (κ₁ → 0 when the width is the bottleneck)
        inv_S = np.maximum(1.0 - df1 / Ps, 0.0)
        train = np.where(inv_S > 0, inv_S**2 * (test + noise), 0.0)  # interpolation: E_tr = 0
        var_xf = np.where(np.isfinite(test), signal - bias2 - var_x - var_f, np.inf)
        var_xfe = np.where(np.isfinite(test), noise_part - var_xe, np.inf)
    out = {
        "kappa1": k1, "kappa2": k2, "df1": df1, "df2": df2, "gamma1": g1, "gamma2": g2,
        "rho": rho, "bias2": bias2, "var_x": var_x, "var_f": var_f,
        "var_xf": var_xf, "var_xe": var_xe,
        "var_xfe": var_xfe, "test_error": test, "train_error": train,
        "iterations": iters,
    }  # fmt: skip
    return {k: v.reshape(shape) for k, v in out.items()}


def rf_structured_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: float,
    feature_spectrum: np.ndarray,
    ridge: float,
    noise: float = 0.0,
) -> dict[str, float]:
    r"""Random features with anisotropic weights :math:`F=Z\Sigma_F^{1/2}/\sqrt D`
    (``feature_spectrum`` = eigenvalues of Σ_F, N of them; theory note §9.3, derived there and
    checked by simulation). With
    :math:`\mathrm{Df}^F_1(\kappa_F)=\sum_j\eta^F_j/(\eta^F_j+\kappa_F)`:

    .. math:: \kappa_2\Big(1-\frac{\mathrm{Df}_1}{P}\Big)\frac{\mathrm{Df}_1}{D}\,\kappa_F=\lambda,
              \quad \mathrm{Df}^F_1(\kappa_F)=\mathrm{Df}_1(\kappa_2),\quad
              \kappa_1=\kappa_2\frac{\mathrm{Df}_1}{D}\kappa_F,

    :math:`\rho^{-1}=1-(\mathrm{Df}_1-\mathrm{Df}_2)\big[\frac{1}{\mathrm{Df}_1}-
    \frac{1}{\mathrm{Df}_1-\mathrm{Df}^F_2(\kappa_F)}\big]`; the rest as for isotropic F
    (Σ_F = I gives back :func:`rf_theory`). Scalar inputs; nested bracketed root finding
    (scipy ``brentq`` in log κ), exact sums. ``ridge`` must be > 0."""
    from scipy.optimize import brentq

    from .spectral_sums import exact_sums

    eta = np.ascontiguousarray(eigenvalues, dtype=float)
    power = np.ascontiguousarray(target_power, dtype=float)
    eF = np.asarray(feature_spectrum, dtype=float)
    D, N, P, lam = eta.size, eF.size, float(P), float(ridge)
    if lam <= 0:
        raise ValueError("structured random features need ridge > 0")

    def sums(k: float) -> np.ndarray:
        return exact_sums(eta, power, np.array([k]))[:, 0]

    def kappa_F(target: float) -> float:
        # Df1_F decreases from N (kappa_F = 0) to 0: solve Df1_F(kappa_F) = target < N
        g = lambda u: np.sum(eF / (eF + np.exp(u))) - target  # noqa: E731
        lo, hi = np.log(eF.min()) - 60.0, np.log(eF.sum() / target) + 1.0
        return float(np.exp(brentq(g, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)))

    level = min(P, N)
    trace = float(eta.sum())
    # kappa_2 edge: Df1(kappa_2) = level (none if D <= level)
    if D > level:
        edge = np.exp(
            brentq(
                lambda u: sums(np.exp(u))[0] - level,
                np.log(1e-9 * eta.min()),
                np.log(2 * trace / level + eta.max()),
                xtol=1e-15,
                rtol=1e-15,
            )
        )
    else:
        edge = 0.0

    def H(u: float) -> float:
        s = sums(np.exp(u))
        if s[0] >= level:
            return -np.inf
        return u + np.log(1 - s[0] / P) + np.log(s[0] / D) + np.log(kappa_F(s[0])) - np.log(lam)

    lo = np.log(edge) + 1e-13 if edge > 0 else np.log(1e-9 * eta.min())
    hi = np.log(trace / P + trace + lam * D + eta.max())
    while H(hi) < 0:
        hi += 2.0
    lo_val = H(lo)
    while not np.isfinite(lo_val) or lo_val > 0:
        lo = lo + 1e-9 if not np.isfinite(lo_val) else lo - 2.0
        lo_val = H(lo)
    k2 = float(np.exp(brentq(H, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)))
    df1, df2, tf1, tf1p, tf2 = sums(k2)
    kF = kappa_F(df1)
    dfF2 = float(np.sum((eF / (eF + kF)) ** 2))
    k1 = k2 * df1 / D * kF
    rho = 1.0 / (1.0 - (df1 - df2) * (1.0 / df1 - 1.0 / (df1 - dfF2)))
    g2 = df2 / P
    g1 = (df1 - (df1 - df2) * rho) / P
    signal = (k2**2 * tf1p * rho + k2 * tf1 * (1 - rho)) / (1 - g1)
    noise_part = noise * g1 / (1 - g1)
    test = signal + noise_part
    bias2 = k2**2 * tf1p
    var_x = bias2 * g2 / (1 - g2)
    var_f = (1 - rho) * k2 * tf2
    var_xe = noise * g2 / (1 - g2)
    return {
        "kappa1": k1, "kappa2": k2, "kappa_F": kF, "df1": df1, "df2": df2, "gamma1": g1,
        "gamma2": g2, "rho": rho, "bias2": bias2, "var_x": var_x, "var_f": var_f,
        "var_xf": signal - bias2 - var_x - var_f, "var_xe": var_xe,
        "var_xfe": noise_part - var_xe, "test_error": test,
        "train_error": (lam / k1) ** 2 * (test + noise),
    }  # fmt: skip
