r"""Compiled deterministic equivalent of ridge regression on any spectrum, over (P, λ) grids.

Conventions (``DESIGN.md``): loss :math:`\frac1P\lVert Xw-y\rVert^2+\lambda\lVert w\rVert^2`
(λ **not** scaled by P); df's are unnormalized traces; E_g excludes label noise.

The renormalized ridge solves

.. math:: F(\kappa)=\kappa\Big(1-\frac{\mathrm{df}_1(\kappa)}{P}\Big)-\lambda=0,\qquad
          \frac{dF}{d\kappa}=1-\frac{\mathrm{df}_2(\kappa)}{P}=1-\gamma>0

on the physical branch :math:`\kappa>\kappa_{\rm edge}` (:math:`\mathrm{df}_1(\kappa_{\rm edge})=P`,
present iff D > P), bracketed by :math:`\max(\lambda,\kappa_{\rm edge})\le\kappa\le\lambda+
\operatorname{Tr}\Sigma/P`. Each grid row (one P) is solved by a safeguarded Newton iteration
in log κ, warm-started along λ (sorted), with bisection whenever Newton leaves the bracket.
The spectral sums come from a :class:`~rmtscale.numeric.spectral_sums.SpectralTable`
(machine-precision interpolation, O(1) per evaluation), below its range from the exact
second-order expansion at κ = 0. Ridgeless: λ = 0 gives κ = κ_edge for P < D and κ = 0 for
P ≥ D (γ = D/P, divergence at P = D reported as ``inf``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .spectral_sums import NFUNC, SpectralTable, build_table, exact_sums, table_eval

MAXIT = 200


@numba.njit(cache=True)
def _sums(coeffs, s0, h, k_lo, taylor, kappa, out):
    """The five sums at κ: table inside its range, exact linear expansion below it."""
    if kappa < k_lo:
        for f in range(NFUNC):
            out[f] = taylor[0, f] + kappa * (taylor[1, f] + kappa * taylor[2, f])
    else:
        table_eval(coeffs, s0, h, np.log(kappa), out)


@numba.njit(cache=True)
def _edge(coeffs, s0, h, k_lo, taylor, D, trace, P, buf):
    """κ_edge with df1(κ_edge) = P (0 when D <= P); safeguarded Newton in log κ."""
    if D <= P:
        return 0.0
    lo = np.log(k_lo)
    hi = np.log(trace / P * 2.0 + k_lo)
    s = 0.5 * (lo + hi)
    for _ in range(MAXIT):
        k = np.exp(s)
        _sums(coeffs, s0, h, k_lo, taylor, k, buf)
        G = buf[0] - P
        if G > 0:
            lo = s
        else:
            hi = s
        dG = -(buf[0] - buf[1])
        step = -G / dG if dG != 0 else 0.0
        sn = s + step
        if not (lo < sn < hi) or dG == 0:
            sn = 0.5 * (lo + hi)
        if abs(sn - s) < 1e-15 or hi - lo < 1e-15:
            s = sn
            break
        s = sn
    return np.exp(s)


@numba.njit(parallel=True, cache=True)
def _solve_grid(coeffs, s0, h, k_lo, taylor, D, trace, Ps, lams_sorted, order):
    nP = Ps.size
    nl = lams_sorted.size
    kappa = np.empty((nP, nl))
    edge = np.empty(nP)
    iters = np.zeros((nP, nl), dtype=np.int64)
    resid = np.zeros((nP, nl))
    for a in numba.prange(nP):
        P = Ps[a]
        buf = np.empty(NFUNC)
        ke = _edge(coeffs, s0, h, k_lo, taylor, D, trace, P, buf)
        edge[a] = ke
        s_prev = np.nan
        for jj in range(nl):
            j = order[jj]
            lam = lams_sorted[jj]
            if lam == 0.0:
                kappa[a, j] = ke
                continue
            klo = max(lam, ke)
            khi = lam + trace / P
            lo = np.log(klo)
            hi = np.log(khi) + 1e-12
            s = s_prev if (s_prev == s_prev and lo < s_prev < hi) else 0.5 * (lo + hi)
            F = np.inf
            for it in range(1, MAXIT + 1):  # noqa: B007 - `it` is reported
                k = np.exp(s)
                _sums(coeffs, s0, h, k_lo, taylor, k, buf)
                F = k * (1.0 - buf[0] / P) - lam
                if F > 0:
                    hi = s
                else:
                    lo = s
                dF = k * (1.0 - buf[1] / P)
                sn = s - F / dF if dF > 0 else 0.5 * (lo + hi)
                if not (lo <= sn <= hi):
                    sn = 0.5 * (lo + hi)
                # stop at a relative change of 1e-14 in κ: below that F is rounding noise
                # (near κ_edge, 1 - df1/P cancels), bisection or not
                if abs(sn - s) <= 1e-14 or hi - lo <= 1e-14:
                    s = sn
                    break
                s = sn
            k = np.exp(s)
            kappa[a, j] = k
            iters[a, j] = it
            resid[a, j] = abs(F) / lam
            s_prev = s
    return kappa, edge, iters, resid


def prepare_sums(
    eta: np.ndarray, power: np.ndarray, k_hi: float, table: SpectralTable | None = None
) -> tuple[SpectralTable, np.ndarray, float]:
    """Table of the spectral sums on [k_lo, k_hi] plus the 2nd-order expansion below k_lo.

    k_lo = 1e-6·min λ_k: below it the expansion's error (κ/λ_min)³ is under 1e-18."""
    D = eta.size
    k_lo = 1e-6 * float(eta.min())
    k_hi = max(k_hi, 10.0 * k_lo) + 10.0 * k_lo
    if table is None or table.s0 > np.log(k_lo) or table.s_max < np.log(k_hi):
        table = build_table(eta, power, k_lo, k_hi)
    inv = 1.0 / eta
    pi1, pi2, pi3, pi4 = (np.sum(power * inv**m) for m in (1, 2, 3, 4))
    i1, i2 = np.sum(inv), np.sum(inv**2)
    taylor = np.array(
        [  # coefficients of 1, κ, κ² of (df1, df2, tf1, tf1', tf2)
            [D, D, pi1, pi2, pi1],
            [-i1, -2 * i1, -pi2, -2 * pi3, -2 * pi2],
            [i2, 3 * i2, pi3, 3 * pi4, 3 * pi3],
        ]
    )
    return table, taylor, k_lo


def sums_at(table: SpectralTable, taylor: np.ndarray, k_lo: float, kappa: np.ndarray) -> np.ndarray:
    """The five sums at every κ of an array: shape (5,) + kappa.shape."""
    out = np.empty((NFUNC,) + kappa.shape)
    buf = np.empty(NFUNC)
    for idx in np.ndindex(kappa.shape):
        _sums(table.coeffs, table.s0, table.h, k_lo, taylor, float(kappa[idx]), buf)
        out[(slice(None),) + idx] = buf
    return out


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

    @property
    def converged(self) -> np.ndarray:
        """True where the Newton/bisection iteration stopped before its cap."""
        return self.iterations < MAXIT


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
    Bias² = κ²tf₁′, Var_X = Bias²γ/(1−γ), Var_Xε = σ²γ/(1−γ); ``bias`` = Bias²+Var_X
    (= κ²tf₁′/(1−γ)), ``variance`` = Var_Xε; E_g = bias + variance (no label noise);
    E_tr = (E_g + σ²)/S² with S = κ/λ = 1/(1 − df₁/P) (finite at λ = 0); the GCV target
    E_g + σ² = S²E_tr. ``noise`` is σ² (variance of the label noise).
    """
    eta = np.ascontiguousarray(eigenvalues, dtype=float)
    power = np.ascontiguousarray(target_power, dtype=float)
    Ps = np.atleast_1d(np.asarray(P, dtype=float))
    lams = np.atleast_1d(np.asarray(ridge, dtype=float))
    D = eta.size
    trace = float(eta.sum())
    k_hi = 2.0 * (float(lams.max()) + trace / float(Ps.min()))
    table, taylor, k_lo = prepare_sums(eta, power, k_hi, table)
    order = np.argsort(lams, kind="stable")
    kappa, edge, iters, resid = _solve_grid(
        table.coeffs, table.s0, table.h, k_lo, taylor, D, trace, Ps, lams[order], order
    )
    # spectral sums at the solution
    sums = sums_at(table, taylor, k_lo, kappa)
    df1, df2, tf1, tf1p, tf2 = sums
    Pg = Ps[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = df2 / Pg
        one_m = 1.0 - gamma
        bias2 = kappa**2 * tf1p
        var_x = np.where(one_m > 0, bias2 * gamma / one_m, np.inf)
        var_noise = np.where(one_m > 0, noise * gamma / one_m, np.inf)
        bias = bias2 + var_x
        test = bias + var_noise
        inv_S = np.maximum(1.0 - df1 / Pg, 0.0)
        # ridgeless with P < D sits exactly on the edge df1 = P: S is infinite, E_tr = 0
        inv_S = np.where((lams[None, :] == 0) & (Pg < D), 0.0, inv_S)
        train = inv_S**2 * (test + noise)
        S = np.where(inv_S > 0, 1.0 / inv_S, np.inf)
    return RidgeTheory(
        kappa=kappa,
        df1=df1,
        df2=df2,
        gamma=gamma,
        bias2=bias2,
        var_x=var_x,
        var_noise=var_noise,
        bias=bias,
        variance=var_noise,
        test_error=test,
        train_error=train,
        gcv=test + noise,
        s_transform=S,
        kappa_edge=edge,
        iterations=iters,
        residual=resid,
        table_error=table.max_rel_error,
    )


__all__ = ["RidgeTheory", "ridge_theory", "exact_sums"]
