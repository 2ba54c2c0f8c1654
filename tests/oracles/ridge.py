"""mpmath oracle for ridge: κ bracketed on the physical branch, outputs from the Theory."""

from __future__ import annotations

import mpmath as mp

from rmtscale.symbolic import ridge as R


def ridge_mp(eta, power, P, lam, noise, dps: int = 40) -> dict:
    """Every ridge observable at (P, λ > 0, σ²) in ``dps``-digit arithmetic.

    κ solves the Theory's fixed point by Anderson's method inside the physical bracket
    [max(λ, κ_edge), λ + Tr Σ/P], with Df₁(κ_edge) = P when D > P."""
    T = R.THEORY
    with mp.workdps(dps):
        P, lam = mp.mpf(P), mp.mpf(lam)
        trace = mp.fsum(mp.mpf(float(e)) for e in eta)
        lo = lam
        if len(eta) > P:
            edge = mp.findroot(
                lambda k: T.mp_sum("df1", eta, k) - P,
                (mp.mpf("1e-30"), trace / P), solver="anderson", maxsteps=500,
            )  # fmt: skip
            lo = max(lo, edge)
        vals = {R.P: P, R.lam: lam, R.sigma2: mp.mpf(noise)}
        return T.evaluate_mp(eta, power, vals, {R.kappa: (lo, lam + trace / P)}, dps=dps)
