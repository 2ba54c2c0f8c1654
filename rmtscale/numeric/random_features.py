r"""Compiled deterministic equivalent of linear random-feature ridge regression.

Model (docs/conventions.md; :mod:`rmtscale.symbolic.random_features`): frozen
:math:`F\in\mathbb R^{D\times N}`, :math:`F_{ij}\sim N(0,1/D)`; features :math:`F^\top x`;
readout :math:`\hat v=\arg\min\frac1P\sum_\mu(y_\mu-v^\top F^\top x_\mu)^2+\lambda\lVert v
\rVert^2` (λ not scaled by P); predictor :math:`x^\top F\hat v`. df's are unnormalized traces
at κ₂; E_g excludes label noise; ``noise`` is σ². Deep features F = F₁⋯F_L and anisotropic
weights :math:`F=Z\Sigma_F^{1/2}/\sqrt D` add one factor :math:`1/S_\ell` per layer:

.. math:: \kappa_2\Big(1-\frac{\mathrm{Df}_1}{P}\Big)\prod_\ell\frac1{S_\ell}=\lambda,\qquad
          \kappa_1=\kappa_2\prod_\ell\frac1{S_\ell},\qquad
          \rho=\Big(1+\sum_\ell t_\ell\Big)^{-1},

solved by the one real-κ core :func:`rmtscale.numeric.kappa.solve_kappa` (edges, log-space
safeguarded Newton, continuation along grid lines, diagnostics). This module is glue: it
builds the points, calls the core, takes κ₁ and ρ from the solution (each from the side of
λ/κ₁ = 1 − Df₁/P = ∏(1/S_ℓ)·κ₂/κ₁ that does not cancel next to an edge), and evaluates
γ₁, γ₂, the six bias-variance terms, E_g and E_tr with code compiled from
:data:`rmtscale.symbolic.random_features.THEORY` (E_g = [κ₂²tf₁′ρ + κ₂tf₁(1−ρ) + σ²γ₁]/(1−γ₁),
E_tr = (λ/κ₁)²(E_g + σ²)). Singular points: γ₁ → 1 (interpolation threshold) gives
E_g = ∞; λ/κ₁ = 0 (ridgeless on an edge) gives E_tr = 0.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from .codegen import cached
from .kappa import FeatureSpectrum, feature_layout, solve_kappa
from .observables import CompiledObservables

LAYER_NORMS = ("D", "fan_in")


_PARTS = {
    "gap": (("lam_over_kappa1",), ("df1", "P")),
    "gammas": (("gamma1", "gamma2"), ("df1", "df2", "P", "rho")),
    "observables": (
        ("bias2", "var_x", "var_f", "var_xf", "var_xe", "var_xfe", "test_error", "train_error"),
        ("kappa2", "df1", "df2", "tf1", "tf1p", "tf2", "P", "noise", "rho", "gamma1",
         "gamma2", "inv_s"),
    ),
}  # fmt: skip


@cached
def _loop(part: str) -> Any:
    import sympy as sp

    from ..symbolic import random_features as RF

    T = RF.THEORY
    names, inputs = _PARTS[part]
    if part == "gap":
        return T.compile(
            names, {"df1": "df1", "P": RF.P}, extra={names[0]: RF.LAM_OVER_KAPPA1},
            label="rf_gap",
        ).fn  # fmt: skip
    if part == "gammas":
        args = dict(zip(inputs, ("df1", "df2", RF.P, RF.rho)))
        return T.compile(names, args, keep=(RF.rho,), label="rf_gammas").fn
    assert names == (*RF.TERM_KEYS, "test_error", "train_error")
    inv_s = sp.Symbol("inv_s", positive=True)
    syms = (RF.kappa2, "df1", "df2", "tf1", "tf1p", "tf2", RF.P, RF.sigma2, RF.rho,
            RF.gamma1, RF.gamma2, inv_s)  # fmt: skip
    return T.compile(
        names, dict(zip(inputs, syms)), keep=(RF.rho, RF.gamma1, RF.gamma2, RF.kappa1),
        replace={RF.lam: inv_s * RF.kappa1}, label="rf_observables",
    ).fn  # fmt: skip


@cache
def _compiled(part: str) -> CompiledObservables:
    """Code compiled from :data:`rmtscale.symbolic.random_features.THEORY` (cached on disk):
    ``gap`` (λ/κ₁ = 1 − Df₁/P on the solution), ``gammas`` (γ₁, γ₂ at given ρ) and
    ``observables`` (the six terms, E_g and E_tr at given ρ, γ₁, γ₂ and λ/κ₁ = ``inv_s``);
    ρ and κ₁ come from the κ₂ solve, which knows the feature layers."""
    names, inputs = _PARTS[part]
    return CompiledObservables(names, inputs, _loop(part))


def _theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    widths: np.ndarray,
    ridge: np.ndarray,
    noise: float,
    feature_spectrum: FeatureSpectrum | None = None,
    continuation: bool = True,
    layer_norm: str = "D",
) -> dict[str, np.ndarray]:
    """Shared driver of :func:`rf_theory`, :func:`deep_rf_theory`, :func:`rf_structured_theory`."""
    if layer_norm not in LAYER_NORMS:
        raise ValueError(f"layer_norm must be one of {LAYER_NORMS}, not {layer_norm!r}")
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
    n, L = Ns.shape
    D = eta.size
    trace = float(eta.sum())
    # layers N(0, 1/N_{l-1}): F = c F_D with c^2 = prod_{l<L} D/N_l, the same fit as F_D at
    # ridge lambda prod_{l<L} N_l/D (note §9.1); kappa_1 scales by c^2
    scale = np.prod(Ns[:, :-1] / D, axis=1) if layer_norm == "fan_in" else np.ones(n)
    lam_eff = lams * scale
    aniso = feature_spectrum is not None
    if aniso:
        if L != 1:
            raise ValueError("anisotropic weights are implemented for one layer")
        features = feature_layout(feature_spectrum, Ns[:, 0])
        fmax, ftr = features[5], features[3]
        # at this kappa_2 every factor of h is large enough (see the module docstring)
        k_hi = trace / Ps + 2.0 * fmax * trace / ftr + 2.0 * lam_eff * D / ftr
    else:
        k_hi = trace / Ps + trace * np.sum(1 / Ns, axis=1) + lam_eff * np.prod(D / Ns, axis=1)
    sol = solve_kappa(eta, power, Ps, Ns, lam_eff, k_hi, features if aniso else None, continuation)
    k2, kF, d2F, gapF = sol.kappa, sol.kappa_F, sol.df2_F, sol.gap_F
    iters, fiters, ok = sol.iterations, sol.feature_iterations, sol.converged
    df1, df2, tf1, tf1p, tf2 = sol.sums()
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = df1 - df2
        # On the solution λ/κ₁ = 1 − Df₁/P (the κ₂ equation). Near an edge one of the two
        # sides cancels: 1 − Df₁/P when P is the bottleneck (Df₁ ≈ P), the width factor
        # when a width is (Df₁ ≈ N). Take each quantity from the side without cancellation.
        gap_P = _compiled("gap")(df1=df1, P=Ps)["lam_over_kappa1"]
        gap_N = np.min(1.0 - df1[:, None] / Ns, axis=1)
        width_tight = (lam_eff > 0) & (gap_N <= gap_P)
        if aniso:
            k1 = np.where(width_tight, lam_eff / gap_P, k2 * df1 / D * kF)
            t_sum = np.where(gapF > 0, dd * d2F / (df1 * gapF), np.inf)
        else:
            widths_left = np.maximum(Ns - df1[:, None], 0.0)  # 0 on a width edge (ridgeless)
            k1 = np.where(width_tight, lam_eff / gap_P, k2 * np.prod(widths_left / D, axis=1))
            # the tightest layer's N - Df1 from the equation: prod_l (N_l - Df1)/D = k1/k2
            rows = np.flatnonzero(width_tight)
            if rows.size:
                j = np.argmin(Ns[rows], axis=1)
                rest = np.prod(widths_left[rows] / D, axis=1) / (widths_left[rows, j] / D)
                widths_left[rows, j] = D * (k1[rows] / k2[rows]) / rest
            t_sum = dd * np.sum(1.0 / widths_left, axis=1)
        use_k1 = (lam_eff > 0) & ~width_tight & (k1 > 0)
        inv_S = np.where(use_k1, lam_eff / k1, np.maximum(gap_P, 0.0))
        k1 = k1 / scale
        rho = 1.0 / (1.0 + t_sum)
        g = _compiled("gammas")(df1=df1, df2=df2, P=Ps, rho=rho)
        # interpolation threshold (ridgeless, P = min width, or P = D): gamma_1 -> 1, E_g = inf
        g1 = np.where(g["gamma1"] > 1.0 - 1e-10, 1.0, g["gamma1"])
        v = _compiled("observables")(
            kappa2=k2, df1=df1, df2=df2, tf1=tf1, tf1p=tf1p, tf2=tf2, P=Ps, noise=noise,
            rho=rho, gamma1=g1, gamma2=g["gamma2"], inv_s=inv_S,
        )  # fmt: skip
        for k in ("var_x", "var_xe"):  # gamma_2 = 1 (D = P ridgeless): +inf, whatever sign
            v[k] = np.where(g["gamma2"] >= 1.0, np.abs(v[k]), v[k])
        test = np.where(g1 >= 1.0, np.inf, v["test_error"])
        finite = np.isfinite(test)
        v.update(
            test_error=test,
            train_error=np.where(inv_S > 0, v["train_error"], 0.0),  # interpolation: E_tr = 0
            var_xf=np.where(finite, v["var_xf"], np.inf),
            var_xfe=np.where(finite, v["var_xfe"], np.inf),
        )
    out = {
        "kappa1": k1, "kappa2": k2, "df1": df1, "df2": df2, "gamma1": g1,
        "gamma2": g["gamma2"], "rho": rho, **v, "iterations": iters, "converged": ok,
    }  # fmt: skip
    if aniso:
        out.update(kappa_F=kF, df2_F=d2F, feature_iterations=fiters)
    return {k: v.reshape(shape) for k, v in out.items()}


def rf_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    N: np.ndarray,
    ridge: np.ndarray,
    noise: float = 0.0,
    feature_spectrum: FeatureSpectrum | None = None,
    continuation: bool = True,
) -> dict[str, np.ndarray]:
    """Deterministic equivalent of linear random features at broadcast (P, N, ridge) points.

    Returns a dict of arrays with the broadcast shape: kappa1, kappa2, df1, df2, gamma1,
    gamma2, rho, bias2, var_x, var_f, var_xf, var_xe, var_xfe, test_error, train_error,
    iterations (Newton iterations per point), converged (bool).

    ``feature_spectrum``: anisotropic weights F = Z Σ_F^{1/2}/√D (note §9.3), either an array
    whose first N entries are the eigenvalues of Σ_F at width N (N must then be integers), or
    a callable N → the N eigenvalues; adds kappa_F (Df₁^F(κ_F) = Df₁(κ₂)), df2_F (Df₂^F at
    κ_F) and feature_iterations (inner Newton iterations per point).
    ``continuation=False`` solves every point from a cold start (same answers, more
    iterations)."""
    return _theory(
        eigenvalues, target_power, P, np.asarray(N, float)[..., None], ridge, noise,
        feature_spectrum, continuation,
    )  # fmt: skip


def deep_rf_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    widths: np.ndarray,
    ridge: np.ndarray,
    noise: float = 0.0,
    layer_norm: str = "D",
    continuation: bool = True,
) -> dict[str, np.ndarray]:
    r"""Deep linear random features F = F₁⋯F_L, F_ℓ ∈ ℝ^{N_{ℓ−1}×N_ℓ}, N₀ = D (note §9.1).

    ``layer_norm="D"`` (default): every layer's entries N(0, 1/D), the normalization under
    which the S-product is exact:
    :math:`\kappa_2(1-\mathrm{Df}_1/P)\prod_\ell(N_\ell-\mathrm{Df}_1)/D=\lambda`,
    :math:`\kappa_1=\kappa_2\prod_\ell(N_\ell-\mathrm{Df}_1)/D`,
    :math:`\rho^{-1}=1+(\mathrm{Df}_1-\mathrm{Df}_2)\sum_\ell 1/(N_\ell-\mathrm{Df}_1)`.
    ``layer_norm="fan_in"``: layer ℓ has entries N(0, 1/N_{ℓ−1}). Then F = cF_D with
    :math:`c^2=\prod_{\ell<L}D/N_\ell`, and the fit is the "D" one at ridge
    :math:`\lambda\prod_{\ell<L}N_\ell/D`: same κ₂, E_g, E_tr and terms there, and κ₁
    (the ridge of the feature Gram c²Φ_DΦ_Dᵀ) is c² times the "D" one.
    ``widths`` has a last axis of length L (the layers); other axes broadcast with P, ridge."""
    return _theory(
        eigenvalues, target_power, P, widths, ridge, noise, None, continuation, layer_norm
    )


def rf_structured_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    feature_spectrum: FeatureSpectrum,
    ridge: np.ndarray,
    noise: float = 0.0,
    N: np.ndarray | None = None,
    continuation: bool = True,
) -> dict[str, np.ndarray]:
    r"""Random features with anisotropic weights :math:`F=Z\Sigma_F^{1/2}/\sqrt D`
    (theory note §9.3, derived there and checked by simulation; ``derive("rf.kappa_anisotropic")``).
    With :math:`\mathrm{Df}^F_1(\kappa_F)=\sum_j\eta^F_j/(\eta^F_j+\kappa_F)`:

    .. math:: \kappa_2\Big(1-\frac{\mathrm{Df}_1}{P}\Big)\frac{\mathrm{Df}_1}{D}\,\kappa_F=\lambda,
              \quad \mathrm{Df}^F_1(\kappa_F)=\mathrm{Df}_1(\kappa_2),\quad
              \kappa_1=\kappa_2\frac{\mathrm{Df}_1}{D}\kappa_F,

    :math:`\rho^{-1}=1-(\mathrm{Df}_1-\mathrm{Df}_2)\big[\frac{1}{\mathrm{Df}_1}-
    \frac{1}{\mathrm{Df}_1-\mathrm{Df}^F_2(\kappa_F)}\big]`; the rest as for isotropic F
    (Σ_F = I gives back :func:`rf_theory`). Broadcast (P, N, ridge) grids; ``N`` defaults to
    ``len(feature_spectrum)`` (an array's first N entries are Σ_F at width N; see
    :func:`rf_theory`). ``ridge = 0`` is the ridgeless limit. Compiled nested safeguarded
    Newton (κ₂ outside, κ_F inside) with continuation; returns every key of
    :func:`rf_theory` plus kappa_F, df2_F, feature_iterations."""
    if N is None:
        if callable(feature_spectrum):
            raise ValueError("give N when feature_spectrum is a callable")
        N = float(np.size(feature_spectrum))
    return rf_theory(eigenvalues, target_power, P, N, ridge, noise, feature_spectrum, continuation)
