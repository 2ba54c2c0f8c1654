r"""Compiled deterministic equivalent of ridge regression on any spectrum, over (P, λ) grids.

Conventions (docs/conventions.md): loss :math:`\frac1P\lVert Xw-y\rVert^2+\lambda\lVert w
\rVert^2` (λ **not** scaled by P); df's are unnormalized traces; E_g excludes label noise.

κ solves :math:`\kappa(1-\mathrm{Df}_1(\kappa)/P)=\lambda` on the physical branch
(:func:`rmtscale.numeric.kappa.solve_kappa` with no feature layer: log-space safeguarded Newton,
continuation along λ); every output is then evaluated by code compiled from
:data:`rmtscale.symbolic.ridge.THEORY` (λ eliminated with the fixed point,
:math:`\lambda/\kappa=1-\mathrm{Df}_1/P`, so λ = 0 is covered). Ridgeless: λ = 0 gives
κ = κ_edge for P < D (S = ∞, E_tr = 0) and κ = 0 for P ≥ D (γ = D/P; the divergence at P = D
is reported as ``inf``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from .codegen import cached
from .kappa import MAXIT, solve_kappa
from .observables import CompiledObservables
from .spectral_sums import SpectralTable, exact_sums

KEYS = (
    "kappa", "df1", "df2", "gamma", "bias2", "var_x", "var_noise", "bias", "variance",
    "test_error", "train_error", "gcv", "s_transform",
)  # fmt: skip
SINGULAR = ("var_x", "var_noise", "bias", "variance", "test_error", "gcv")  # inf at gamma >= 1


INPUTS = ("kappa", "df1", "df2", "tf1p", "P", "noise")


@cached
def _observables_loop(ridgeless: bool) -> Any:
    from ..symbolic import ridge as R

    args = dict(zip(INPUTS, (R.kappa, "df1", "df2", "tf1p", R.P, R.sigma2)))
    if ridgeless:
        replace = {R.lam: R.LAM_ON_SOLUTION}
        return R.THEORY.compile(KEYS[1:], args, replace=replace, label="ridgeless_obs").fn
    return R.THEORY.compile(KEYS[1:], {**args, "ridge": R.lam}, label="ridge_obs").fn


@cache
def observables(ridgeless: bool = False) -> CompiledObservables:
    """The ridge observables compiled from :data:`rmtscale.symbolic.ridge.THEORY` (one numba
    loop, cached on disk).

    λ > 0: the derivation's expressions as they stand (λ/κ is well conditioned, unlike
    1 − Df₁/P next to the edge); ``ridgeless``: λ eliminated with the fixed point,
    λ/κ = 1 − Df₁/P, which stays finite at λ = 0 (κ = 0 included)."""
    inputs = INPUTS if ridgeless else (*INPUTS, "ridge")
    return CompiledObservables(KEYS[1:], inputs, _observables_loop(ridgeless))


@dataclass
class RidgeTheory:
    """All outputs of :func:`ridge_theory`, arrays of shape ``(len(P), len(ridge))``."""

    kappa: np.ndarray
    df1: np.ndarray
    df2: np.ndarray
    gamma: np.ndarray
    bias2: np.ndarray
    var_x: np.ndarray
    var_noise: np.ndarray
    bias: np.ndarray
    variance: np.ndarray
    test_error: np.ndarray
    train_error: np.ndarray
    gcv: np.ndarray
    s_transform: np.ndarray
    kappa_edge: np.ndarray
    iterations: np.ndarray
    residual: np.ndarray
    table_error: float
    converged: np.ndarray

    def to_dict(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in KEYS}


def ridge_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    ridge: np.ndarray,
    noise: float = 0.0,
    table: SpectralTable | None = None,
) -> RidgeTheory:
    r"""Deterministic equivalent of ridge regression on a (P, λ) grid.

    Returns κ; df₁, df₂ (traces); γ = df₂/P; the fine-grained terms
    Bias² = κ²tf₁′, Var_X = Bias²γ/(1−γ), Var_Xε = σ²γ/(1−γ); ``bias`` = Bias²+Var_X,
    ``variance`` = Var_Xε; E_g = (κ²tf₁′ + γσ²)/(1−γ) (no label noise);
    E_tr = (λ/κ)²(E_g + σ²) with λ/κ = 1 − df₁/P = 1/S; the GCV target E_g + σ² = S²E_tr;
    diagnostics ``kappa_edge`` (per P), ``iterations``, ``residual`` (\|h\| at the last
    Newton iterate), ``converged``. ``noise`` is σ² (variance of the label noise).
    """
    eta = np.ascontiguousarray(eigenvalues, dtype=float)
    power = np.ascontiguousarray(target_power, dtype=float)
    Ps = np.atleast_1d(np.asarray(P, dtype=float))
    lams = np.atleast_1d(np.asarray(ridge, dtype=float))
    D = eta.size
    trace = float(eta.sum())
    Pg, Lg = (np.ascontiguousarray(a.ravel()) for a in np.meshgrid(Ps, lams, indexing="ij"))
    sol = solve_kappa(eta, power, Pg, np.zeros((Pg.size, 0)), Lg, Lg + trace / Pg, table=table)
    df1, df2, tf1, tf1p, tf2 = sol.sums()
    args = dict(kappa=sol.kappa, df1=df1, df2=df2, tf1p=tf1p, P=Pg, noise=noise)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = observables()(**args, ridge=Lg)
    zero = Lg == 0
    if zero.any():
        v0 = observables(True)(**{k: a[zero] if np.ndim(a) else a for k, a in args.items()})
        for k in v:
            v[k][zero] = v0[k]
    with np.errstate(invalid="ignore"):
        singular = v["gamma"] >= 1.0  # interpolation threshold: E_g diverges
        for k in SINGULAR:
            v[k] = np.where(singular, np.inf, v[k])
        # ridgeless with P < D sits exactly on the edge df1 = P: S is infinite, E_tr = 0
        S = v["s_transform"]
        edge = ((Lg == 0) & (Pg < D)) | ~(S > 0) | ~np.isfinite(S)
        v["s_transform"] = np.where(edge, np.inf, S)
        v["train_error"] = np.where(edge, 0.0 * (v["test_error"] + noise), v["train_error"])
    shape = (Ps.size, lams.size)
    out = {"kappa": sol.kappa, **v}
    return RidgeTheory(
        **{k: np.reshape(out[k], shape) for k in KEYS},
        kappa_edge=sol.kappa_edge.reshape(shape)[:, 0],
        iterations=sol.iterations.reshape(shape),
        residual=sol.residual.reshape(shape),
        table_error=sol.table.max_rel_error,
        converged=(sol.converged & (sol.iterations < MAXIT)).reshape(shape),
    )


__all__ = ["RidgeTheory", "ridge_theory", "exact_sums", "observables"]
