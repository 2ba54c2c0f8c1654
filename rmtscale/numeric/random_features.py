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
