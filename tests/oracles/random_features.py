"""Oracles for linear random features, from ``rmtscale.symbolic.random_features``'s theories.

* :func:`kappa2_mp` — κ₂ of one isotropic layer, bracketed in mpmath;
* :func:`anisotropic_mp` — κ₂, κ₁, κ_F of anisotropic weights, nested bracketed mpmath solves;
* :func:`rf_structured_brentq` — the scalar reference of the first implementation: nested
  scipy ``brentq`` in log κ on exact double sums; every output from the Theory's expressions
  (numpy ``lambdify``).
"""

from __future__ import annotations

import functools

import mpmath as mp
import numpy as np
import sympy as sp

from rmtscale.symbolic import random_features as RF

ANISO = RF.anisotropic_theory()


def _lhs(theory, *symbols):
    """The fixed point's λ-side, lambdified (mpmath) in ``symbols``."""
    expr = theory.plain(theory.expand(theory.equations[0] + RF.lam))
    return sp.lambdify(symbols, expr, modules="mpmath")


def kappa2_mp(eta, P, N, lam, dps: int = 40):
    """κ₂ of :data:`RF.THEORY` at (P, N, λ > 0), bracketed by the edge Df₁ = min(P, N)."""
    T = RF.THEORY
    df1 = sp.Symbol("df1", real=True)
    lhs = _lhs(T, RF.kappa2, df1, RF.P, RF.N, RF.D)
    with mp.workdps(dps):
        D = len(eta)
        trace = mp.fsum(mp.mpf(float(e)) for e in eta)
        lo = mp.mpf(0)
        level = min(P, N)
        if D > level:
            lo = mp.findroot(lambda k: T.mp_sum("df1", eta, k) - level, (mp.mpf("1e-30"), trace),
                             solver="anderson")  # fmt: skip
        hi = trace / P + trace / N + lam * D / N
        return mp.findroot(
            lambda k: lhs(k, T.mp_sum("df1", eta, k), P, N, D) - lam,
            (lo * (1 + mp.mpf("1e-30")), hi), solver="anderson",
        )  # fmt: skip


def anisotropic_mp(eta, eF, P, lam, dps: int = 30):
    """κ₂, κ₁, κ_F of :func:`RF.anisotropic_theory` in ``dps`` digits: κ_F(u) bracketed in
    [min η^F (N − u)/u, Tr Σ_F/u], κ₂ bracketed above the edge Df₁ = min(P, N)."""
    df1 = sp.Symbol("df1", real=True)
    lhs = _lhs(ANISO, RF.kappa2, df1, RF.kappa_F, RF.P, RF.D)
    k1 = sp.lambdify((RF.kappa2, df1, RF.kappa_F, RF.D),
                     ANISO.plain(ANISO.expand(RF.kappa1)), modules="mpmath")  # fmt: skip
    with mp.workdps(dps):
        eF = [mp.mpf(float(x)) for x in eF]
        D, N, P, lam = len(eta), len(eF), mp.mpf(P), mp.mpf(lam)
        trace = mp.fsum(mp.mpf(float(e)) for e in eta)

        def df(k):
            return ANISO.mp_sum("df1", eta, k)

        def kappa_F(u):
            return mp.findroot(
                lambda k: ANISO.mp_sum("df1_F", eF, k) - u,
                (min(eF) * (N - u) / u, mp.fsum(eF) / u), solver="anderson", maxsteps=500,
            )  # fmt: skip

        level = min(P, N)
        lo = mp.mpf("1e-25")
        if D > level:
            edge = mp.findroot(lambda k: df(k) - level, (mp.mpf("1e-30"), 10 * trace),
                               solver="anderson", maxsteps=500)  # fmt: skip
            lo = edge * (1 + mp.mpf("1e-25"))
        hi = trace / P + 2 * max(eF) * trace / mp.fsum(eF) + 2 * lam * D / mp.fsum(eF)
        k2 = mp.findroot(lambda k: lhs(k, df(k), kappa_F(df(k)), P, D) - lam, (lo, hi),
                         solver="anderson", maxsteps=500)  # fmt: skip
        u = df(k2)
        kF = kappa_F(u)
        return k2, k1(k2, u, kF, D), kF


def rf_structured_brentq(eigenvalues, target_power, P, feature_spectrum, ridge, noise=0.0):
    """Scalar reference for anisotropic weights (N = len(feature_spectrum), ridge > 0):
    nested ``brentq`` in log κ on exact sums; outputs from :func:`RF.anisotropic_theory`."""
    from scipy.optimize import brentq

    from rmtscale.numeric.spectral_sums import exact_sums

    eta = np.ascontiguousarray(eigenvalues, dtype=float)
    power = np.ascontiguousarray(target_power, dtype=float)
    eF = np.asarray(feature_spectrum, dtype=float)
    D, N, P, lam = eta.size, eF.size, float(P), float(ridge)
    if lam <= 0:
        raise ValueError("structured random features need ridge > 0")

    def sums(k: float) -> np.ndarray:
        return exact_sums(eta, power, np.array([k]))[:, 0]

    def kappa_F(target: float) -> float:
        g = lambda u: np.sum(eF / (eF + np.exp(u))) - target  # noqa: E731
        lo, hi = np.log(eF.min()) - 60.0, np.log(eF.sum() / target) + 1.0
        return float(np.exp(brentq(g, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)))

    lhs, outputs, keys = _aniso_numpy()
    level = min(P, N)
    trace = float(eta.sum())
    edge = 0.0
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

    def H(u: float) -> float:
        s = sums(np.exp(u))
        if s[0] >= level:
            return -np.inf
        return np.log(lhs(np.exp(u), s[0], kappa_F(s[0]), P, D)) - np.log(lam)

    lo = np.log(edge) + 1e-13 if edge > 0 else np.log(1e-9 * eta.min())
    hi = np.log(trace / P + trace + lam * D + eta.max())
    while H(hi) < 0:
        hi += 2.0
    lo_val = H(lo)
    while not np.isfinite(lo_val) or lo_val > 0:
        lo = lo + 1e-9 if not np.isfinite(lo_val) else lo - 2.0
        lo_val = H(lo)
    k2 = float(np.exp(brentq(H, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)))
    s = sums(k2)
    kF = kappa_F(s[0])
    env = [s[0], s[1], s[2], s[3], s[4], float(np.sum((eF / (eF + kF)) ** 2)), s[0]]
    return dict(zip(keys, (float(v) for v in outputs(k2, kF, P, D, lam, noise, *env))))


@functools.cache
def _aniso_numpy():
    """The anisotropic theory's λ-side and every output, lambdified (numpy) once."""
    df1 = sp.Symbol("df1", real=True)
    lhs = sp.lambdify((RF.kappa2, df1, RF.kappa_F, RF.P, RF.D),
                      ANISO.plain(ANISO.expand(ANISO.equations[0] + RF.lam)))  # fmt: skip
    names = ("df1", "df2", "tf1", "tf1p", "tf2", "df2_F", "df1_F")
    args = [RF.kappa2, RF.kappa_F, RF.P, RF.D, RF.lam, RF.sigma2]
    args += [sp.Symbol(n, real=True) for n in names]
    keys = [*RF.OBSERVABLES, "kappa_F"]
    exprs = [ANISO.plain(ANISO.expr(k)) for k in keys]
    return lhs, sp.lambdify(args, exprs), keys
