"""Benchmark: compiled ridge deterministic equivalent vs the loop a researcher writes today.

Baseline (same process): for every (P, λ) grid point, ``scipy.optimize.brentq`` on
κ(1 − df1(κ)/P) − λ in log κ, with numpy sums over the spectrum (bracket [max(λ, κ_edge),
λ + Tr Σ/P], κ_edge itself by brentq), then E_g from numpy sums at the root.
rmtscale: one ``ridge_theory`` call on the whole grid (table build included; a fresh spectrum,
so nothing is reused from a previous call). Reported: wall times, the speed ratio, and the max
relative difference of κ and E_g over the grid.

    python benchmarks/ridge_solver.py --modes 100000 --grid 100
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from scipy.optimize import brentq

from rmtscale.numeric.ridge import ridge_theory
from rmtscale.spectra import power_law


def baseline(eta, power, Ps, lams, noise):
    trace = eta.sum()
    kappa = np.empty((Ps.size, lams.size))
    Eg = np.empty_like(kappa)
    for a, P in enumerate(Ps):
        edge = 0.0
        if eta.size > P:
            edge = np.exp(
                brentq(
                    lambda s, P=P: np.sum(eta / (eta + np.exp(s))) - P,
                    np.log(1e-14 * eta.min()),
                    np.log(2 * trace / P),
                    xtol=1e-15,
                    rtol=1e-15,
                    maxiter=500,
                )
            )
        for j, lam in enumerate(lams):
            lo, hi = max(lam, edge), lam + trace / P
            s = brentq(
                lambda s, P=P, lam=lam: np.exp(s) * (1 - np.sum(eta / (eta + np.exp(s))) / P) - lam,
                np.log(lo),
                np.log(hi) + 1e-12,
                xtol=1e-15,
                rtol=1e-15,
                maxiter=500,
            )
            k = np.exp(s)
            r = eta / (eta + k)
            g = np.sum(r * r) / P
            tf1p = np.sum(power / (eta + k) ** 2)
            kappa[a, j] = k
            Eg[a, j] = (k * k * tf1p + g * noise) / (1 - g)
    return kappa, Eg


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modes", type=int, default=100_000)
    ap.add_argument("--grid", type=int, default=100)
    ap.add_argument("--alpha", type=float, default=1.5)
    ap.add_argument("--beta", type=float, default=0.8)
    ap.add_argument("--noise", type=float, default=0.1)
    args = ap.parse_args()
    s = power_law(args.alpha, args.beta, args.modes)
    Ps = np.logspace(1, np.log10(args.modes) + 0.5, args.grid)
    lams = np.logspace(-6, 0, args.grid)
    # warm up numba (compilation is not what we measure) on a different spectrum
    w = power_law(args.alpha, args.beta, 1000)
    ridge_theory(w.eigenvalues, w.target_power, Ps[:2], lams[:2], noise=args.noise)

    t0 = time.perf_counter()
    th = ridge_theory(s.eigenvalues, s.target_power, Ps, lams, noise=args.noise)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb, Egb = baseline(s.eigenvalues, s.target_power, Ps, lams, args.noise)
    t_base = time.perf_counter() - t0
    dk = np.max(np.abs(th.kappa - kb) / kb)
    dE = np.max(np.abs(th.test_error - Egb) / Egb)
    print(f"machine: {platform.processor() or platform.machine()}, {platform.system()}")
    print(
        f"spectrum: power_law alpha={args.alpha} beta={args.beta}, {args.modes} modes; "
        f"grid {args.grid} x {args.grid} (P in [10, {Ps[-1]:.3g}], ridge in [1e-6, 1])"
    )
    print(
        f"rmtscale ridge_theory: {t_fast:.3f} s  (table error {th.table_error:.1e}, "
        f"max iterations {th.iterations.max()})"
    )
    print(f"baseline brentq loop : {t_base:.3f} s")
    print(f"speed ratio          : {t_base / t_fast:.1f}x")
    print(f"max rel diff kappa   : {dk:.2e}")
    print(f"max rel diff E_g     : {dE:.2e}")


if __name__ == "__main__":
    main()
