"""mpmath oracles for the learning curves, generated from the symbolic derivations.

* :func:`sgd_mp` — the online-SGD recursion iterated in mpmath with the coefficients of
  ``rmtscale.symbolic.sgd.sgd_coefficients`` (lambdified, never retyped);
* :func:`sgd_volterra`, :func:`sgd_kernel_mass` — the Volterra form and the kernel mass, from
  the same coefficients (numpy);
* :func:`gd_mp` — full-batch GD test and train loss from the derivation's own two-point test
  integrands and one-point train integrand, integrated on a circle with an independent mpmath
  κ continuation (``rmtscale.numeric.reference.gd_reference``).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from rmtscale.numeric.kappa.complex import support_edges
from rmtscale.numeric.reference import gd_reference
from rmtscale.symbolic import sgd as S


def sgd_mp(lam, tp, lr, batch, noise, steps: int, dps: int = 30):
    """([E_g(0), …, E_g(steps)], E_g(∞)) of online SGD in ``dps``-digit arithmetic."""
    c = S.sgd_coefficients()
    args = (S.lam_mode, S.eta, S.B)
    rho = sp.lambdify(args, c["rho"], "mpmath")
    drive = sp.lambdify((S.eta, S.B), c["drive"], "mpmath")
    mass = sp.lambdify(args, c["kernel_mass"], "mpmath")
    fixed = sp.lambdify((S.sigma2, S.KBAR), c["fixed_point"], "mpmath")
    with mp.workdps(dps):
        L = [mp.mpf(x) for x in lam]
        e, b, n = mp.mpf(lr), mp.mpf(batch), mp.mpf(noise)
        r = [rho(x, e, b) for x in L]
        g = drive(e, b)
        cs = [mp.mpf(p) / x for x, p in zip(L, tp)]
        ref = []
        for _ in range(steps + 1):
            eg = mp.fsum(x * ck for x, ck in zip(L, cs))
            ref.append(eg)
            cs = [rk * ck + g * x * (eg + n) for rk, ck, x in zip(r, cs, L)]
        inf = fixed(n, mp.fsum(mass(x, e, b) for x in L))
    return [float(v) for v in ref], float(inf)


def gd_mp(lam, tp, P, lr, t, noise, nodes: int = 64):
    """(test, train) loss of full-batch GD at step t (30 digits)."""
    s_max = support_edges(lam, P)["s_max"]
    r = gd_reference(lam, tp, P, lr, noise, [t], s_max, nodes=nodes)
    return float(r["loss"][0]), float(r["train_loss"][0])


def _sgd_numpy():
    c = S.sgd_coefficients()
    args = (S.lam_mode, S.eta, S.B)
    return (
        sp.lambdify(args, c["rho"], "numpy"),
        sp.lambdify((S.eta, S.B), c["drive"], "numpy"),
        sp.lambdify(args, c["kernel_mass"], "numpy"),
    )


def sgd_volterra(lam, tp, lr, batch, noise, T: int):
    """E_g(0..T) from the Volterra form L(t) = F(t) + Σ_{s<t} K(t−1−s) L(s), L = E_g + σ²,
    F(t) = σ² + Σ_k λ_k w̄_k² ρ_k^t, K(τ) = drive Σ_k λ_k² ρ_k^τ (numpy, from the coefficients
    of rmtscale.symbolic.sgd)."""
    rho_f, drive_f, _ = _sgd_numpy()
    rho, g = rho_f(lam, lr, batch), drive_f(lr, batch)
    F = noise + np.array([np.sum(tp * rho**t) for t in range(T + 1)])
    K = np.array([g * np.sum(lam**2 * rho**t) for t in range(T + 1)])
    L = np.empty(T + 1)
    for t in range(T + 1):
        L[t] = F[t] + sum(K[t - 1 - s] * L[s] for s in range(t))
    return L - noise


def sgd_kernel_mass(lam, lr, batch) -> float:
    """Σ_τ K(τ) = Σ_k kernel_mass(λ_k) (numpy, from rmtscale.symbolic.sgd)."""
    return float(np.sum(_sgd_numpy()[2](lam, lr, batch)))
