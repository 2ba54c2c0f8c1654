r"""GD on the population loss of linear random features of width N (P = ∞): the learning curve
from the one-point deterministic equivalent, as a contour integral of a compiled kernel.

Conventions (docs/conventions.md): :math:`f(x)=(F^\top x)\cdot a`, frozen
:math:`F_{ij}\sim\mathcal N(0,1/D)`, :math:`a_0=0`,
:math:`a\leftarrow a-\eta F^\top\Sigma(Fa-\bar w)`; ``times`` integer steps (``flow=True``:
continuous τ, :math:`e^{-2\tau K}`); ``loss`` is :math:`E_g(t)` averaged over F. With
:math:`K=\Sigma^{1/2}FF^\top\Sigma^{1/2}` and κ_s on :math:`\kappa_s(1-\mathrm{Df}_1(\kappa_s)/N)
=-sD/N` (:mod:`rmtscale.numeric.kappa.complex`), the kernel of
:func:`rmtscale.symbolic.rf_gd.rf_gd_kernels` gives

.. math:: E_g(t)=\oint f(s)^2\,\mathrm{loss}(s,\kappa_s,\mathrm{tf}_1(\kappa_s))\,ds,\qquad
          E_g(\infty)=\mathrm{static}(\kappa_N,\mathrm{tf}_1(\kappa_N)),\ \mathrm{Df}_1(\kappa_N)=N

(0 for N ≥ D), with the rules of :mod:`rmtscale.numeric.contours`; the static value is used
once the bulk has decayed (:math:`-2t\log(1-\eta a)\ge40`). Discrete time needs lr·s_max(K) < 1.
As N → ∞, RF-GD at η equals linear GD at ηN/D.
"""

from __future__ import annotations

import numpy as np

from ..spectra import Spectrum
from .codegen import cached
from .contours import TALBOT_M1, ellipse, evaluate, one_point, powers, talbot, use_ellipse
from .curves import LearningCurve, check_int, check_map, check_spectrum, decayed, time_axis
from .kappa.complex import kappa_path


@cached
def _kernels():
    """Compiled (s, κ, tf₁) -> [loss, static] (complex loop; static ignores s)."""
    from ..symbolic.learning import K1, TF1, s
    from ..symbolic.rf_gd import rf_gd_kernels
    from .codegen import compile_loop

    k = rf_gd_kernels()
    return compile_loop([s, K1, TF1], [k["loss"], k["static"]], name="rf_gd_kernels")


def _at(lam: np.ndarray, tp: np.ndarray, s: np.ndarray, kap: np.ndarray) -> np.ndarray:
    tf1 = (1.0 / (lam[None, :] + kap[:, None])) @ tp
    return evaluate(_kernels(), 2, s, kap, tf1)


def rf_gd_learning_curve(
    spectrum: Spectrum,
    *,
    N: int,
    lr: float | None = None,
    times,
    flow: bool = False,
    M1: int = TALBOT_M1,
) -> LearningCurve:
    r"""GD on the population loss of linear random features of width N (module docstring).

    ``loss_inf`` = the projection error κ_N tf₁(κ_N), Df₁(κ_N) = N (0 for N ≥ D). No
    ``train_loss`` (population training)."""
    lam, tp = check_spectrum(spectrum)
    N = check_int("N", N)
    t, tau, lr = time_axis(times, lr, flow)
    D = lam.size
    pr = kappa_path(lam, N, D / N)
    check_map(pr, lr, flow, "K = Sigma^1/2 F F^T Sigma^1/2")
    if N < D:
        k = np.array([pr.kappa_edge], dtype=complex)
        loss_inf = float(_at(lam, tp, k, k)[1, 0].real)
    else:
        loss_inf = 0.0
    uniq, inv = np.unique(t, return_inverse=True)
    ul, um = np.empty(uniq.size), np.empty(uniq.size, dtype=object)
    ell_idx = []
    map_lr = None if flow else lr
    for i, tv in enumerate(uniq):
        tauv = tv if lr is None else lr * tv
        if tv == 0:
            ul[i], um[i] = float(tp.sum()), "exact"
        elif decayed(pr, tv, tauv, map_lr, flow, factor=2.0):
            ul[i], um[i] = loss_inf, "static"
        elif use_ellipse(tv, M1, 2.0, map_lr, flow):
            ell_idx.append(i)
            um[i] = "ellipse"
        else:
            c2 = talbot(2 * tauv, M1, map_lr)
            ul[i] = one_point(c2, _at(lam, tp, c2.s, pr.kappas(c2.s))[0])
            um[i] = "talbot"
    if ell_idx:
        ce = ellipse(pr.s_max)
        phi = _at(lam, tp, ce.s, pr.kappas(ce.s))[0]
        F2 = np.stack([powers(ce.s, x, map_lr, 2.0) for x in uniq[ell_idx]])
        vals = one_point(ce, F2 * phi[None, :])
        for j, i in enumerate(ell_idx):
            ul[i] = vals[j]
    return LearningCurve(
        t=t,
        tau=tau,
        loss=ul[inv],
        train_loss=None,
        loss_inf=loss_inf,
        train_loss_inf=None,
        method=um[inv].astype(str),
        diagnostics={
            "s_max": pr.s_max,
            "s_low": pr.s_low,
            "kappa_N": pr.kappa_edge,
            "lr_max_map": 1.0 / pr.s_max,
            "M1": M1,
        },
    )


__all__ = ["rf_gd_learning_curve"]
