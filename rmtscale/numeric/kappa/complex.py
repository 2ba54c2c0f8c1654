r"""Complex κ(z) for the learning curves' contours: support edges, the physical branch, path
continuation.

Both learning-curve problems (docs/conventions.md) are

.. math:: \kappa\Big(1-\frac{\mathrm{Df}_1(\kappa)}{P_e}\Big)=w,\qquad
          \mathrm{Df}_1(\kappa)=\sum_k\frac{\lambda_k}{\lambda_k+\kappa},

with :math:`(P_e,w)=(P,-s)` (full-batch GD on P samples) or :math:`(N,-sD/N)` (population GD of
N linear random features); the ridge-like form is :math:`\kappa=z+\frac\kappa P\mathrm{Df}_1`
at w = z. **Edges** (:func:`support_edges`): κ_edge solves Df₁(κ_edge) = P_e (0 if P_e ≥ D);
the continuous support in w is bounded by the critical points Df₂(κ) = P_e
(:math:`\mathrm{Df}_2=\sum_k\lambda_k^2/(\lambda_k+\kappa)^2`), κ_top < −λ_max and κ_low.
**Paths** (:class:`KappaPath`): a contour starts on the real axis at w > 0 (κ real,
κ > κ_edge, bisection); κ is continued node to node by a tangent predictor
:math:`\delta\kappa=\delta w/(1-\mathrm{Df}_2/P_e)` and a Newton corrector with step halving,
a step accepted only if Newton converges close to the prediction and Im κ has the sign of
Im w (physical branch, Herglotz; κ → w as |w| → ∞).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from ...errors import BranchError

_BLOCK = 256


@numba.njit(cache=True)
def _dfs_complex(lam, kappa):
    """df1 = Σ λ/(λ+κ), df2 = Σ λ²/(λ+κ)² at complex κ (blocked sums)."""
    d1 = 0j
    d2 = 0j
    b1 = 0j
    b2 = 0j
    for k in range(lam.size):
        q = lam[k] / (lam[k] + kappa)
        b1 += q
        b2 += q * q
        if (k + 1) % _BLOCK == 0:
            d1 += b1
            d2 += b2
            b1 = 0j
            b2 = 0j
    return d1 + b1, d2 + b2


@numba.njit(cache=True)
def _shifted_sums(lam, shift, sign, u):
    """Σ λ/(δ+u), Σ λ²/(δ+u)² with δ_k = sign·(λ_k − shift) ≥ 0 computed without cancellation."""
    s1 = 0.0
    s2 = 0.0
    for k in range(lam.size):
        d = sign * (lam[k] - shift) + u
        q = lam[k] / d
        s1 += q
        s2 += q * q
    return s1, s2


@numba.njit(cache=True)
def _edges(lam, Pe):
    """(κ_edge, κ_top, w_top, κ_low, w_low) of κ(1 − df1(κ)/Pe) = w.

    κ_edge: df1 = Pe (0 if Pe ≥ D). κ_top < −λ_max and κ_low: the critical points df2 = Pe
    bounding the continuous support in w (w_top < w_low ≤ 0; w_low = 0 when Pe = D)."""
    D = lam.size
    lmax = lam.max()
    lmin = lam.min()
    trace = lam.sum()
    # --- κ_edge (bisection in log κ)
    kedge = 0.0
    if Pe < D:
        lo = math.log(lmin) - 60.0
        hi = math.log(trace / Pe) + 1.0
        for _ in range(300):
            mid = 0.5 * (lo + hi)
            k = math.exp(mid)
            d1 = 0.0
            for j in range(D):
                d1 += lam[j] / (lam[j] + k)
            if d1 > Pe:
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-15:
                break
        kedge = math.exp(0.5 * (lo + hi))
    # --- top: κ = −λmax − u, u > 0, Σ λ²/(δ+u)² = Pe with δ = λmax − λ
    lo = math.log(lmax / (2.0 * math.sqrt(Pe)))
    hi = math.log(math.sqrt((lam * lam).sum() / Pe)) + 1.0
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        s1, s2 = _shifted_sums(lam, lmax, -1.0, math.exp(mid))
        if s2 > Pe:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    u = math.exp(0.5 * (lo + hi))
    s1, s2 = _shifted_sums(lam, lmax, -1.0, u)
    ktop = -lmax - u
    wtop = ktop * (1.0 + s1 / Pe)  # df1 = −s1 there
    # --- lower edge
    klow = 0.0
    wlow = 0.0
    if Pe > D:  # κ = −λmin + u, u in (0, λmin)
        lo = math.log(lmin) - 60.0
        hi = math.log(lmin)
        for _ in range(300):
            mid = 0.5 * (lo + hi)
            s1, s2 = _shifted_sums(lam, lmin, 1.0, math.exp(mid))
            if s2 > Pe:
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-15:
                break
        u = math.exp(0.5 * (lo + hi))
        s1, s2 = _shifted_sums(lam, lmin, 1.0, u)
        klow = u - lmin
        wlow = klow * (1.0 - s1 / Pe)
    elif Pe < D:  # κ in (0, κ_edge), df2 decreasing
        lo = math.log(kedge) - 80.0
        hi = math.log(kedge)
        for _ in range(300):
            mid = 0.5 * (lo + hi)
            s1, s2 = _shifted_sums(lam, 0.0, 1.0, math.exp(mid))
            if s2 > Pe:
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-15:
                break
        klow = math.exp(0.5 * (lo + hi))
        s1, s2 = _shifted_sums(lam, 0.0, 1.0, klow)
        wlow = klow * (1.0 - s1 / Pe)
    return kedge, ktop, wtop, klow, wlow


@numba.njit(cache=True)
def _kappa_real(lam, Pe, w, kedge):
    """Real κ > κ_edge with κ(1 − df1/Pe) = w > 0 (bisection, then two Newton polishes)."""
    lo = kedge
    hi = w + lam.sum() / Pe
    for _ in range(400):
        mid = 0.5 * (lo + hi)
        d1 = 0.0
        for j in range(lam.size):
            d1 += lam[j] / (lam[j] + mid)
        if mid * (1.0 - d1 / Pe) > w:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-16 * hi:
            break
    k = 0.5 * (lo + hi)
    for _ in range(2):
        d1 = 0.0
        d2 = 0.0
        for j in range(lam.size):
            q = lam[j] / (lam[j] + k)
            d1 += q
            d2 += q * q
        dF = 1.0 - d2 / Pe
        if dF > 0:
            kn = k - (k * (1.0 - d1 / Pe) - w) / dF
            if kn > kedge:
                k = kn
    return k


@numba.njit(cache=True)
def _newton(lam, Pe, w, k):
    """Newton on κ(1 − df1/Pe) = w from k; returns (κ, converged)."""
    last = np.inf
    for it in range(60):
        d1, d2 = _dfs_complex(lam, k)
        F = k * (1.0 - d1 / Pe) - w
        dF = 1.0 - d2 / Pe
        if dF == 0:
            return k, False
        dk = F / dF
        k = k - dk
        a = abs(dk)
        if not (a == a):
            return k, False
        if a <= 1e-13 * abs(k) + 1e-300:
            d1, d2 = _dfs_complex(lam, k)  # one more step: quadratic convergence
            dF = 1.0 - d2 / Pe
            k = k - (k * (1.0 - d1 / Pe) - w) / dF
            return k, True
        if it > 8 and a > 0.5 * last:
            return k, False
        last = a
    return k, False


@numba.njit(cache=True)
def _continue_path(lam, Pe, ws, w0, k0):
    """κ along the path w0 → ws[0] → ws[1] → … (w0 real > 0, k0 = κ(w0) real).

    Tangent predictor, Newton corrector; a step is accepted if Newton converges, the
    correction is small compared with the step and Im κ has the sign of Im w (physical
    branch); otherwise the step is halved. Returns (κ array, number of failed points)."""
    n = ws.size
    out = np.empty(n, dtype=np.complex128)
    k = complex(k0)
    wc = complex(w0)
    fails = 0
    for j in range(n):
        target = ws[j]
        start = wc
        frac = 0.0
        step = 1.0
        ok = True
        while frac < 1.0:
            fn = min(1.0, frac + step)
            wn = start + fn * (target - start)
            d1, d2 = _dfs_complex(lam, k)
            dF = 1.0 - d2 / Pe
            kp = k + (wn - wc) / dF
            kn, conv = _newton(lam, Pe, wn, kp)
            good = conv
            if good:
                good = abs(kn - kp) <= 0.3 * abs(kp - k) + 1e-10 * abs(kn)
            if good:
                if wn.imag > 0 and kn.imag < -1e-12 * abs(kn):
                    good = False
                if wn.imag < 0 and kn.imag > 1e-12 * abs(kn):
                    good = False
            if good:
                k = kn
                wc = wn
                frac = fn
                step = min(1.0, 2.0 * step)
            else:
                step *= 0.5
                if step < 1e-10:
                    ok = False
                    break
        if not ok:
            fails += 1
            k, conv = _newton(lam, Pe, target, k)
            wc = target
        out[j] = k
    return out, fails


@dataclass(frozen=True)
class KappaPath:
    """κ(1 − Df₁(κ)/Pe) = −c·s on the spectrum λ; edges of the support in s (``s_max`` top
    edge, ``s_low`` lower edge of the continuous part, ``kappa_edge``: Df₁ = Pe)."""

    lam: np.ndarray
    Pe: float
    c: float
    kappa_edge: float
    s_max: float
    s_low: float

    @property
    def D(self) -> int:
        return int(self.lam.size)

    def kappas(self, s: np.ndarray) -> np.ndarray:
        """κ(−c·s) along nodes s[0], s[1], … (s[0] real < 0), by continuation."""
        w = -self.c * np.asarray(s, dtype=complex)
        w0 = float(w[0].real)
        if not (w0 > 0 and w[0].imag == 0):
            raise BranchError("a contour must start on the real axis at w > 0")
        k0 = _kappa_real(self.lam, self.Pe, w0, self.kappa_edge)
        kap, fails = _continue_path(self.lam, self.Pe, w, w0, k0)
        if fails:
            raise BranchError(f"kappa continuation failed at {fails} contour nodes")
        return kap


def kappa_path(lam: np.ndarray, Pe: float, c: float) -> KappaPath:
    """The edges of κ(1 − Df₁/Pe) = −c·s, ready to continue κ along contours."""
    lam = np.ascontiguousarray(lam, dtype=float)
    kedge, ktop, wtop, klow, wlow = _edges(lam, float(Pe))
    return KappaPath(lam, float(Pe), float(c), kedge, -wtop / c, max(-wlow / c, 0.0))


def support_edges(eigenvalues: np.ndarray, P: float, scale: float = 1.0) -> dict[str, float]:
    r"""Edges of the deterministic-equivalent spectrum of :math:`\hat\Sigma=X^\top X/P` (scale 1)
    or of :math:`K=\Sigma^{1/2}FF^\top\Sigma^{1/2}` (P = N, scale = N/D).

    Returns ``s_max`` (top edge), ``s_low`` (lower edge of the continuous part; 0 at P = D;
    an atom at 0 of mass 1 − P/D sits below it when P < D) and ``kappa_edge``
    (df₁(κ_edge) = P, 0 when P ≥ D)."""
    lam = np.ascontiguousarray(eigenvalues, dtype=float)
    pr = kappa_path(lam, float(P), 1.0 / scale)
    return {"s_max": pr.s_max, "s_low": pr.s_low, "kappa_edge": pr.kappa_edge}


def kappa_at(eigenvalues: np.ndarray, P: float, z: complex | np.ndarray) -> np.ndarray:
    r"""Physical κ(z) of :math:`\kappa=z+\frac\kappa P\sum_k\lambda_k/(\lambda_k+\kappa)` at
    complex z (ridge-like sign: z > 0 is a ridge), continued from the real point |z| (κ real,
    κ > κ_edge) along the arc |z|e^{iφ}, which never crosses the cut on the negative real axis.
    On the cut itself the value is the limit from Im z > 0 (or < 0 for z = x − 0j)."""
    lam = np.ascontiguousarray(eigenvalues, dtype=float)
    zs = np.atleast_1d(np.asarray(z, dtype=complex))
    kedge = _edges(lam, float(P))[0]
    out = np.empty(zs.shape, dtype=complex)
    for i, zi in enumerate(zs.ravel()):
        up = not (zi.imag < 0 or (zi.imag == 0 and math.copysign(1.0, zi.imag) < 0))
        zz = zi if up else np.conj(zi)
        w0 = abs(zz)
        if w0 == 0:
            out.flat[i] = kedge
            continue
        k0 = _kappa_real(lam, float(P), w0, kedge)
        phi = np.linspace(0.0, np.angle(zz), 33)[1:]
        path = w0 * np.exp(1j * phi)
        path[-1] = zz
        kap, fails = _continue_path(lam, float(P), path.astype(complex), w0, k0)
        if fails:
            raise BranchError(f"kappa continuation failed at z = {zi}")
        out.flat[i] = kap[-1] if up else np.conj(kap[-1])
    return out


__all__ = ["KappaPath", "kappa_at", "kappa_path", "support_edges"]
