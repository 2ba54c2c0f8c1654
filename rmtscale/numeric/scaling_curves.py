r"""Deterministic curves of the compiled numeric theories whose log-log slopes the ``scaling.*``
slope claims measure (:mod:`rmtscale.models.scaling.claims`), with the canonical power law
:math:`\lambda_k=k^{-\alpha}`, :math:`\lambda_k\bar w_k^2=k^{-\alpha\beta-1}` on D modes
(``docs/conventions.md``):

* :func:`ridge_data_curve` E_g(P) (λ = 0), :func:`ridge_lambda_curve` E_g(λ) at P = ∞,
  :func:`ridge_optimal_curve` (λ*(P), E_g*(P)) minimized over λ — from ``ridge_theory``;
* :func:`rf_width_curve` E_g(N) at P = ∞, :func:`rf_data_curve` E_g(P) at N = cP — from
  ``rf_theory``;
* :func:`lazy_time_curve` gradient-flow E_g(τ) and :func:`compute_frontier` (N*(C), L*(C)) at
  C = N·τ — from ``rf_gd_learning_curve``; :func:`sgd_noise_curve` B·(E_SGD,B − E_GD)(t) —
  from ``sgd_learning_curve``;
* :func:`rich_curve` the N = ∞ reduced feature-learning dynamics (isotropic channel), exactly,
  with its numba mode-sum kernel :func:`rich_sums`.
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np

from .. import spectra


def ridge_data_curve(alpha: float, beta: float, D: int, Ps: np.ndarray) -> np.ndarray:
    """Noiseless ridgeless E_g(P) from :func:`ridge_theory` on a power-law spectrum."""
    from .ridge import ridge_theory

    s = spectra.power_law(alpha, beta, D)
    th = ridge_theory(s.eigenvalues, s.target_power, Ps, np.array([0.0]), noise=0.0)
    if not np.all(th.converged):
        raise ArithmeticError("ridge kappa iteration did not converge")
    return th.test_error[:, 0]


def ridge_optimal_curve(
    alpha: float, beta: float, D: int, noise: float, Ps: np.ndarray, per_decade: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """(λ*(P), E_g*(P)): E_g minimized over λ (log grid + parabola in log λ)."""
    from .ridge import ridge_theory

    s = spectra.power_law(alpha, beta, D)
    lams = np.logspace(-14, 1, 15 * per_decade + 1)
    th = ridge_theory(s.eigenvalues, s.target_power, Ps, lams, noise=noise)
    if not np.all(th.converged):
        raise ArithmeticError("ridge kappa iteration did not converge")
    logE = np.log(th.test_error)
    ll = np.log(lams)
    lstar, estar = np.empty(Ps.size), np.empty(Ps.size)
    for i in range(Ps.size):
        j = int(np.argmin(logE[i]))
        if j == 0 or j == lams.size - 1:
            raise ArithmeticError(f"optimal ridge at the edge of the lambda grid (P={Ps[i]:g})")
        c = np.polyfit(ll[j - 1 : j + 2], logE[i, j - 1 : j + 2], 2)
        u = -c[1] / (2 * c[0])
        lstar[i], estar[i] = math.exp(u), math.exp(np.polyval(c, u))
    return lstar, estar


def rf_width_curve(alpha: float, beta: float, D: int, Ns: np.ndarray) -> np.ndarray:
    """Width-limited ridgeless random-feature error at P = ∞ (projection error) vs N."""
    from .random_features import rf_theory

    s = spectra.power_law(alpha, beta, D)
    r = rf_theory(s.eigenvalues, s.target_power, np.array(np.inf), Ns, np.array(0.0))
    if not np.all(r["converged"]):
        raise ArithmeticError("rf kappa iteration did not converge")
    return np.asarray(r["test_error"], dtype=float).reshape(-1)


def lazy_time_curve(
    alpha: float, beta: float, D: int, taus: np.ndarray, width_factor: float = 1e8
) -> np.ndarray:
    """Gradient-flow E_g(τ) of linear random features of width N = width_factor·D, in the
    width-independent time τ = τ_rf·N/D. The default N = 10⁸·D is the N = ∞ limit to ~1e-8
    relative: at N ~ D the finite-width embedding term N^-1 τ^-(1-1/α) (note §3.5) would
    dominate τ^-β for easy tasks (β > 1) at late times."""
    from .rf_gd import rf_gd_learning_curve

    s = spectra.power_law(alpha, beta, D)
    N = int(math.ceil(width_factor * D))
    lc = rf_gd_learning_curve(s, N=N, times=taus * D / N, flow=True)
    return np.asarray(lc.loss, dtype=float)


@numba.njit(parallel=True, cache=True)
def rich_sums(lam, w2, p, taus):  # pragma: no cover - compiled
    out = np.zeros((2, taus.size))
    for j in numba.prange(taus.size):
        tv = taus[j]
        nb = 0.0
        loss = 0.0
        for k in range(lam.size):
            e = math.exp(-lam[k] * tv)
            nb += w2[k] * (1.0 - e) ** 2
            loss += p[k] * e * e
        out[0, j] = nb
        out[1, j] = loss
    return out


def rich_curve(
    alpha: float, beta: float, gamma: float, M: int, tau_max: float = 1e12, per_decade: int = 16
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The N = ∞ reduced feature-learning dynamics of note §2.4 (isotropic channel, K = I,
    η = 1), exactly: target normalized to :math:`\sum_k\lambda_k\bar w_k^2=1` (M modes),
    :math:`v_k=\bar w_ke^{-\lambda_k\tau}`, :math:`(1+q)^2=1+2\gamma^2\lVert\beta(\tau)\rVert^2`,
    :math:`t(\tau)=\int_0^\tau d\tau'/(1+q)` (from τ = 10⁻⁴, where t = τ; 1/(1+q) linear in
    log τ on each grid cell, integrated exactly against dτ = τ d log τ).
    Returns (t, L, q) on a log-τ grid up to ``tau_max``. γ = 0 is the lazy limit (t = τ)."""
    k = np.arange(1, M + 1, dtype=float)
    lam = k**-alpha
    p = k ** (-alpha * beta - 1.0)
    p /= p.sum()
    w2 = p / lam
    lo = -4.0
    taus = np.logspace(lo, math.log10(tau_max), int(per_decade * (math.log10(tau_max) - lo)) + 1)
    nb, L = rich_sums(lam, w2, p, taus)
    q = np.sqrt(1.0 + 2.0 * gamma * gamma * nb) - 1.0
    # t = tau_0 + int e^u g(u) du with u = log tau, g = 1/(1+q) linear on each cell: exact
    # cell integrals e^u1 (g1 - g') - e^u0 (g0 - g'), g' = (g1 - g0)/h (t = tau when q = 0)
    g = 1.0 / (1.0 + q)
    h = np.diff(np.log(taus))
    gp = np.diff(g) / h
    cells = taus[1:] * (g[1:] - gp) - taus[:-1] * (g[:-1] - gp)
    t = taus[0] + np.concatenate([[0.0], np.cumsum(cells)])
    return t, L, q


class _LossSurface:
    """Lazy gradient-flow loss L(N, τ) of width-N random features, width-independent time."""

    def __init__(self, alpha: float, beta: float, D: int):
        self.s = spectra.power_law(alpha, beta, D)
        self.D = D
        self.evals = 0

    @functools.cache  # noqa: B019 - one surface per measurement
    def log_loss(self, N: int, C: float) -> float:
        from .rf_gd import rf_gd_learning_curve

        self.evals += 1
        tau = C / N
        lc = rf_gd_learning_curve(self.s, N=N, times=np.array([tau * self.D / N]), flow=True)
        return math.log(float(lc.loss[0]))


def _argmin_N(surf: _LossSurface, C: float, guess: float) -> tuple[float, float]:
    """min over integer N of log L(N, C/N): walk downhill in log N, refine, then a parabola
    through the five best points (in log N). Returns (N*, log L*)."""

    def f(logn: float) -> float:
        return surf.log_loss(max(1, int(round(math.exp(logn)))), C)

    h = 0.3
    u = math.log(max(guess, 1.0))
    fu, fl, fr = f(u), f(u - h), f(u + h)
    for _ in range(60):
        if fu <= fl and fu <= fr:
            break
        if fl < fu:
            u, fr, fu = u - h, fu, fl
            fl = f(u - h)
        else:
            u, fl, fu = u + h, fu, fr
            fr = f(u + h)
    else:
        raise ArithmeticError(f"no minimum over N found at C = {C:g}")
    for _ in range(2):
        den = fl - 2 * fu + fr
        u = u + (0.5 * h * (fl - fr) / den if den > 0 else 0.0)
        h /= 3
        fu, fl, fr = f(u), f(u - h), f(u + h)
    pts = sorted({max(1, int(round(math.exp(v)))) for v in (u - 3 * h, u - h, u, u + h, u + 3 * h)})
    f(math.log(pts[0]))
    xs = np.log(np.array(pts, dtype=float))
    ys = np.array([surf.log_loss(n, C) for n in pts])
    c = np.polyfit(xs, ys, 2)
    if c[0] <= 0:
        j = int(np.argmin(ys))
        return float(pts[j]), float(ys[j])
    us = -c[1] / (2 * c[0])
    return math.exp(us), float(np.polyval(c, us))


def compute_frontier(
    alpha: float, beta: float, D: int, Cs: np.ndarray, share_guess: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """(N*(C), L*(C), number of loss evaluations) for lazy gradient flow at C = N·τ."""
    surf = _LossSurface(alpha, beta, D)
    Ns, Ls = np.empty(Cs.size), np.empty(Cs.size)
    guess = max(2.0, Cs[0] ** share_guess)
    for i, Cv in enumerate(Cs):
        Ns[i], lL = _argmin_N(surf, float(Cv), guess)
        Ls[i] = math.exp(lL)
        if i + 1 < Cs.size:
            guess = Ns[i] * (Cs[i + 1] / Cv) ** share_guess
    return Ns, Ls, surf.evals


def ridge_lambda_curve(
    alpha: float, beta: float, D: int, lams: np.ndarray, P: float = 1e30
) -> np.ndarray:
    """Noiseless E_g(λ) from :func:`ridge_theory` at a huge P (the P = ∞ ridge-limited
    regime: κ = λ, γ = 0, E_g = Σ λ_k w̄_k² κ²/(λ_k + κ)²); λ is not scaled by P."""
    from .ridge import ridge_theory

    s = spectra.power_law(alpha, beta, D)
    th = ridge_theory(s.eigenvalues, s.target_power, np.array([P]), lams, noise=0.0)
    if not np.all(th.converged):
        raise ArithmeticError("ridge kappa iteration did not converge")
    return th.test_error[0, :]


def rf_data_curve(
    alpha: float, beta: float, D: int, Ps: np.ndarray, width_factor: float, ridge: float = 0.0
) -> np.ndarray:
    """Random-feature E_g(P) from :func:`rf_theory` at width N = width_factor·P (data-limited,
    N ≫ P), noiseless. At N = ∞ this is ridge regression; at N = cP the feature variance
    (P/N) P^-α min(β,1) is a constant fraction of the bias for β ≤ 1 (same slope), but for
    β > 1 it dominates the bias P^-α min(β,2) beyond the crossover P* ~ N^(1/(1+α(m₂−m₁)))
    (note §3), so the claim's clean window needs β ≤ 1 or a much larger width."""
    from .random_features import rf_theory

    s = spectra.power_law(alpha, beta, D)
    r = rf_theory(s.eigenvalues, s.target_power, Ps, width_factor * Ps, np.array(ridge))
    if not np.all(r["converged"]):
        raise ArithmeticError("rf kappa iteration did not converge")
    return np.asarray(r["test_error"], dtype=float).reshape(-1)


def sgd_noise_curve(
    alpha: float, beta: float, D: int, steps: np.ndarray, lr: float, batch: int
) -> np.ndarray:
    """The SGD-noise term isolated: B·(E_SGD,B(t) − E_GD(t)) from
    :func:`rmtscale.numeric.sgd.sgd_learning_curve` (noiseless; GD = batch 10⁹) at
    integer steps t. For β > 1 (Σ_t E(t) finite) it is ≈ K(t)·Σ_s E(s) with the Volterra
    kernel K(t) = (η²/B)Σλ_k²e^(−2ηλ_k t) ~ t^-(2−1/α), relative corrections O(1/t)."""
    from .sgd import sgd_learning_curve

    s = spectra.power_law(alpha, beta, D)
    e_b = sgd_learning_curve(s, lr=lr, batch=batch, times=steps).loss
    e_gd = sgd_learning_curve(s, lr=lr, batch=10**9, times=steps).loss
    return batch * (np.asarray(e_b, dtype=float) - np.asarray(e_gd, dtype=float))
