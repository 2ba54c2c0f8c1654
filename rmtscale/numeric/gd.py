r"""Full-batch GD on P samples (N = ∞): test and train learning curves from the one- and
two-point deterministic equivalents, as contour integrals of compiled kernels.

Conventions (docs/conventions.md): :math:`w_{t+1}=w_t-\frac{\eta}{P}X^\top(Xw_t-y)`,
:math:`w_0=0`, ``times`` integer steps (``flow=True``: continuous τ); ``loss`` excludes the label
noise, ``train_loss`` includes it. With :math:`f(s)=(1-\eta s)^t` (or :math:`e^{-\tau s}`) and
κ_s on :math:`\kappa_s(1-\mathrm{Df}_1(\kappa_s)/P)=-s` (:mod:`rmtscale.numeric.kappa.complex`),
the kernels of :func:`rmtscale.symbolic.gd.gd_kernels` give

.. math:: E_g=\oint\!\oint f f'\,\mathrm{bias}+\sigma^2\Big[c_\infty-2\oint f\,\mathrm{noise}
          +\oint f^2\,\mathrm{noise}\Big],\qquad E_{tr}=\oint f^2\,\mathrm{train},

(:math:`c_\infty=\oint\mathrm{noise}`, the residue at infinity), evaluated with the rules of
:mod:`rmtscale.numeric.contours`; the primitives tf₁, T, G are spectral sums on the nodes.
**Large t:** once the bulk has decayed (:math:`-t\log(1-\eta a)\ge40`, a = lower edge of the
continuous part) the static t = ∞ values (:func:`rmtscale.symbolic.gd.gd_static`) are exact to
:math:`e^{-40}`. Accuracy (tests/test_dynamics_theory.py): ~2e-11 relative against 20-digit
mpmath contour integrals; ≤ 5e-11 against Marchenko–Pastur quadrature (Σ = I); train loss
absolute ~1e-12 × its t = 0 value.
"""

from __future__ import annotations

import numpy as np

from ..spectra import Spectrum
from .codegen import cached
from .contours import (
    TALBOT_M1,
    TALBOT_M2,
    Contour,
    ellipse,
    evaluate,
    one_minus_f,
    one_point,
    powers,
    talbot,
    two_point,
    use_ellipse,
)
from .curves import (
    LearningCurve,
    check_int,
    check_map,
    check_pos,
    check_spectrum,
    decayed,
    time_axis,
)
from .kappa.complex import KappaPath, kappa_path


@cached
def _one_point_kernels():
    """Compiled (s, κ, tf₁, σ²) -> [noise, train, noise_at_infinity] (complex loop)."""
    from ..symbolic.gd import gd_kernels
    from ..symbolic.learning import K1, TF1, s, sigma2
    from .codegen import compile_loop

    k = gd_kernels()
    exprs = [k["noise"], k["train"], k["noise_at_infinity"]]
    return compile_loop([s, K1, TF1, sigma2], exprs, name="gd_one_point")


@cached
def _bias_kernel():
    """Compiled (s, s', κ, κ', T, G, P) -> [bias] (complex loop)."""
    from ..symbolic.gd import gd_kernels
    from ..symbolic.learning import G12, K1, K2, T12, P, s, s2
    from .codegen import compile_loop

    return compile_loop([s, s2, K1, K2, T12, G12, P], [gd_kernels()["bias"]], name="gd_bias")


@cached
def _static():
    """Compiled (κ_P, tf₁'(κ_P), γ_P, σ², D, P) -> [test, train branch P > D, train P ≤ D]."""
    from ..symbolic.gd import GAMMA_P, TF1P, gd_static
    from ..symbolic.learning import D, P, kappa_P, sigma2
    from .codegen import compile_expressions

    st = gd_static()
    (tr_low, _), (tr_high, _) = st["train"].args  # (0, D > P), (σ²(1 − D/P), True)
    return compile_expressions(
        [kappa_P, TF1P, GAMMA_P, sigma2, D, P], [st["test"], tr_high, tr_low], name="gd_static"
    )


def _one_point(pr: KappaPath, tp: np.ndarray, s: np.ndarray, kap: np.ndarray, noise: float):
    """(noise, train, c_inf) kernels at the nodes; tf₁(κ) = Σ λw̄²/(λ+κ)."""
    tf1 = (1.0 / (pr.lam[None, :] + kap[:, None])) @ tp
    return evaluate(_one_point_kernels(), 3, s, kap, tf1, noise)


def _bias(pr: KappaPath, tp: np.ndarray, ct: Contour, kap: np.ndarray) -> np.ndarray:
    """The bias kernel on (half nodes, full nodes) with T = Σ λw̄²/((λ+κ)(λ+κ')),
    G = Σ λ²/((λ+κ)(λ+κ'))."""
    s_f, k_f = ct.full(ct.s), ct.full(kap)
    A = 1.0 / (pr.lam[None, :] + kap[:, None])
    A_f = 1.0 / (pr.lam[None, :] + k_f[:, None])
    T = (A * tp) @ A_f.T
    G = (A * pr.lam**2) @ A_f.T
    return evaluate(
        _bias_kernel(), 1, ct.s[:, None], s_f[None, :], kap[:, None], k_f[None, :], T, G, pr.Pe
    )[0]


def _gd_static(pr: KappaPath, tp: np.ndarray, noise: float) -> tuple[float, float]:
    lam, P, D = pr.lam, pr.Pe, pr.lam.size
    k = pr.kappa_edge  # κ_P (0 for P ≥ D)
    tf1p = float(np.sum(tp / (lam + k) ** 2))
    gam = float(np.sum(lam**2 / (lam + k) ** 2)) / P
    if P == D:  # γ_P = 1: the noise term diverges (the interpolation peak)
        tr_high, tr_low = _static()(k, tf1p, 0.0, noise, float(D), P)[1:]
        return (np.inf if noise > 0 else 0.0), float(tr_high)
    test, tr_high, tr_low = _static()(k, tf1p, gam, noise, float(D), P)
    return float(test), float(tr_low if D > P else tr_high)


def gd_learning_curve(
    spectrum: Spectrum,
    *,
    P: int,
    lr: float | None = None,
    noise: float = 0.0,
    times,
    flow: bool = False,
    M1: int = TALBOT_M1,
    M2: int = TALBOT_M2,
) -> LearningCurve:
    r"""Full-batch GD on P fixed samples (N = ∞): test E_g(t) and train loss (module docstring).

    GD: ``times`` = integer steps t; ``flow=True``: gradient flow
    :math:`\dot w=-\frac1PX^\top(Xw-y)`, ``times`` are continuous τ (or steps with τ = lr·t when
    ``lr`` is given). Discrete time needs lr·s_max < 1 with s_max the top edge of the DE
    spectrum of XᵀX/P (ParameterError 'lr' otherwise; GD itself is stable up to 2/s_max, but the
    contour map is not). ``M1``/``M2``: Talbot nodes (one-/two-point)."""
    lam, tp = check_spectrum(spectrum)
    P = check_int("P", P)
    noise = check_pos("noise", noise, allow_zero=True)
    t, tau, lr = time_axis(times, lr, flow)
    pr = kappa_path(lam, P, 1.0)
    check_map(pr, lr, flow, "X^T X/P")
    loss_inf, train_inf = _gd_static(pr, tp, noise)
    uniq, inv = np.unique(t, return_inverse=True)
    ul, ut, um = np.empty(uniq.size), np.empty(uniq.size), np.empty(uniq.size, dtype=object)
    ell_idx = []
    for i, tv in enumerate(uniq):
        tauv = tv if lr is None else lr * tv
        if tv == 0:
            ul[i], ut[i], um[i] = float(tp.sum()), float(tp.sum()) + noise, "exact"
        elif decayed(pr, tv, tauv, lr, flow):
            ul[i], ut[i], um[i] = loss_inf, train_inf, "static"
        elif use_ellipse(tv, max(M1, M2), 1.0, lr, flow):
            ell_idx.append(i)
            um[i] = "ellipse"
        else:
            lr_map = None if flow else lr
            c1 = talbot(tauv, M1, lr_map)  # e^{τp}: ∮ f noise
            c2 = talbot(2 * tauv, M1, lr_map)  # e^{2τp}: train, ∮ f² noise
            cb = talbot(tauv, M2, lr_map)  # two-point bias
            n1, _, cinf = _one_point(pr, tp, c1.s, pr.kappas(c1.s), noise)
            n2, tr2, _ = _one_point(pr, tp, c2.s, pr.kappas(c2.s), noise)
            bias = two_point(cb, cb.wt, _bias(pr, tp, cb, pr.kappas(cb.s)))[0]
            I1, I2 = one_point(c1, n1), one_point(c2, n2)
            ul[i] = bias + noise * (cinf[0].real - 2.0 * I1 + I2)
            ut[i] = one_point(c2, tr2)
            um[i] = "talbot"
    if ell_idx:
        ce = ellipse(pr.s_max)
        ke = pr.kappas(ce.s)
        tt = uniq[ell_idx]  # discrete steps (flow never uses the ellipse)
        F1 = np.stack([powers(ce.s, x, lr, 1.0) for x in tt])  # (nt, nodes)
        OMF = np.stack([one_minus_f(ce.s, x, lr) for x in tt])
        nk, trk, _ = _one_point(pr, tp, ce.s, ke, noise)
        bias = two_point(ce, ce.wt[None, :] * F1, _bias(pr, tp, ce, ke))
        nz = one_point(ce, OMF**2 * nk[None, :])
        tr = one_point(ce, F1**2 * trk[None, :])
        for j, i in enumerate(ell_idx):
            ul[i] = bias[j] + noise * nz[j]
            ut[i] = tr[j]
    return LearningCurve(
        t=t,
        tau=tau,
        loss=ul[inv],
        train_loss=ut[inv],
        loss_inf=float(loss_inf),
        train_loss_inf=float(train_inf),
        method=um[inv].astype(str),
        diagnostics={
            "s_max": pr.s_max,
            "s_low": pr.s_low,
            "kappa_edge": pr.kappa_edge,
            "lr_max_map": 1.0 / pr.s_max,
            "M1": M1,
            "M2": M2,
        },
    )


__all__ = ["gd_learning_curve"]
