r"""Learning-curve theory of GD / SGD in linear models: the curves simulations are checked against.

Conventions (``DESIGN.md``; every function below uses them)
------------------------------------------------------------
* data :math:`x\sim\mathcal N(0,\Sigma)`, :math:`\Sigma=\mathrm{diag}(\lambda_k)` (the
  :class:`~rmtscale.spectra.Spectrum`), target :math:`y=x\cdot\bar w+\varepsilon`,
  :math:`\mathrm{Var}\,\varepsilon=\sigma^2` (``noise``); the spectrum carries
  :math:`\lambda_k\bar w_k^2` (``target_power``);
* :math:`w_0=0`; per-sample loss :math:`\tfrac12(f(x)-y)^2`, gradient **averaged** over the
  batch: :math:`w\leftarrow w-\frac{\eta}{B}\sum_i x_i(x_i\cdot w-y_i)` (η = ``lr``);
* ``t`` counts updates (integer steps), **not** η·t; gradient flow (``flow=True``) runs in
  continuous time :math:`\tau` (:math:`\dot w=-\nabla`), and a discrete curve at step t is
  compared with the flow at :math:`\tau=\eta t`;
* ``loss`` is the population **excess** loss :math:`E_g(t)=\mathbb E[(w_t-\bar w)^\top\Sigma
  (w_t-\bar w)]` (no label noise); ``train_loss`` is :math:`\mathbb E[\frac1P\lVert Xw_t-y
  \rVert^2]` and includes the noise.

The three learning curves
-------------------------
:func:`sgd_learning_curve` — **online SGD** (fresh batch of B Gaussian samples per step). The
Gaussian fourth moment closes the dynamics on the mode-wise second moments
:math:`c_k(t)=\mathbb E(w_t-\bar w)_k^2` exactly:

.. math:: c_k(t+1)=\rho_k c_k(t)+\frac{\eta^2}{B}\lambda_k\big(E_g(t)+\sigma^2\big),\quad
          \rho_k=(1-\eta\lambda_k)^2+\frac{\eta^2}{B}\lambda_k^2,\quad c_k(0)=\bar w_k^2,\quad
          E_g(t)=\sum_k\lambda_kc_k(t),

i.e. the Volterra equation :math:`E_g(t)+\sigma^2=F(t)+\sum_{s<t}\mathcal K(t-1-s)(E_g(s)+
\sigma^2)` with :math:`\mathcal K(\tau)=\frac{\eta^2}{B}\sum_k\lambda_k^2\rho_k^\tau`. It is
stable iff every :math:`\rho_k<1` and :math:`\sum_\tau\mathcal K(\tau)=\frac{\eta^2}{B}\sum_k
\lambda_k^2/(1-\rho_k)<1`; then :math:`E_g(\infty)=\sigma^2S/(1-S)` with S that sum.

:func:`gd_learning_curve` — **full-batch GD** on P fixed samples (N = ∞). With
:math:`\hat\Sigma=X^\top X/P` and :math:`v_t=w_t-\bar w`,

.. math:: v_t=f(\hat\Sigma)v_0+h(\hat\Sigma)X^\top\varepsilon/P,\qquad f(x)=(1-\eta x)^t,\quad
          h(x)=\frac{1-f(x)}x,\quad v_0=-\bar w,

so :math:`E_g=v_0^\top f\Sigma f v_0+\frac{\sigma^2}P\mathrm{Tr}[\Sigma h^2\hat\Sigma]` and
:math:`E_{\rm tr}=v_0^\top\hat\Sigma f^2v_0+\frac{\sigma^2}P\mathrm{Tr}_P f(XX^\top/P)^2`.
Deterministic equivalents with :math:`\kappa=\kappa(z)`,
:math:`\kappa=z+\frac\kappa P\mathrm{Tr}\,\Sigma(\Sigma+\kappa)^{-1}` continued to complex z
on the physical branch, and :math:`(s-\hat\Sigma)^{-1}\simeq\frac{\kappa}{s}(\Sigma+
\kappa)^{-1}` at :math:`\kappa=\kappa(-s)`:

* train (one point): :math:`E_{\rm tr}(t)=\frac1{2\pi i}\oint f(s)^2\big[\kappa\sum_k
  \frac{\bar w_k^2}{\lambda_k+\kappa}-\frac{\sigma^2}{\kappa}\big]ds=-\frac1{2\pi i}\oint f^2
  \big[\sum_k\frac{\lambda_k\bar w_k^2}{\lambda_k+\kappa}+\frac{\sigma^2}{\kappa}\big]ds`
  (the constant :math:`\sum\bar w_k^2` integrates to 0 against the entire :math:`f^2`);
* test bias (two point, note §5.3 with B = Σ):
  :math:`\frac1{(2\pi i)^2}\oint\!\oint f(s)f(s')\frac{\kappa\kappa'}{ss'}\,
  \frac{\sum_k\lambda_k\bar w_k^2/((\lambda_k+\kappa)(\lambda_k+\kappa'))}{1-\frac1P\sum_k
  \lambda_k^2/((\lambda_k+\kappa)(\lambda_k+\kappa'))}ds\,ds'`;
* test noise: since :math:`h` and :math:`\hat\Sigma` commute,
  :math:`\mathrm{Tr}[\Sigma h\hat\Sigma h]=\mathrm{Tr}[\Sigma g(\hat\Sigma)]` with
  :math:`g=(1-f)^2/x`, a one-point quantity; with :math:`\frac1P\mathrm{Tr}\Sigma(s-
  \hat\Sigma)^{-1}\simeq1+\kappa/s` it is :math:`\sigma^2\frac1{2\pi i}\oint(1-f)^2
  \frac{\kappa}{s^2}ds=\sigma^2[-1-2I_1+I_2]`, :math:`I_m=\frac1{2\pi i}\oint f^m
  \frac{\kappa}{s^2}ds` (the −1 is the residue at infinity). It equals the two-point route
  :math:`\hat\Sigma G(z')=I-z'G(z')` of the note, in one contour instead of two.

The contours enclose the support of the spectrum of :math:`\hat\Sigma` (including 0). **Discrete
time:** :math:`1-\eta s=e^{\eta p}` makes :math:`f=e^{\tau p}`, :math:`\tau=\eta t`; the strip
:math:`|\mathrm{Im}\,\eta p|<\pi` maps one-to-one onto :math:`\mathbb C\setminus[1/\eta,
\infty)`, so the map needs :math:`\eta\,s_{\max}<1` (:math:`s_{\max}` = top edge of the DE
support, found from :math:`\mathrm{df}_2(\kappa_c)=P`, :math:`\kappa_c<-\lambda_{\max}`) and
a Talbot contour :math:`p=r\theta(\cot\theta+i)`, :math:`r=2M/(5T)`, inside the strip:
:math:`r\eta<1` (the contour reaches :math:`\mathrm{Im}\,p=\pm r\pi`; we require
:math:`r\eta\le1/2`). Fixed Talbot rule (Abate–Valkó): weights
:math:`\frac r{2M}(1+i\sigma_j)`, :math:`\sigma=\theta+(\theta\cot\theta-1)\cot\theta`,
:math:`\theta_j=j\pi/M`; 2-D as the product rule. **Gradient flow:** :math:`s=-p`,
:math:`f=e^{-\tau s}`, the same rule. **Small t** (discrete, where rη > 1/2): a Bernstein
ellipse around :math:`[0,s_{\max}]` (ρ = 1.5) with the trapezoid rule, where
:math:`|1-\eta s|\le1.05` so nothing is amplified. **Large t:** once the bulk has decayed
(:math:`-t\log(1-\eta a)\ge40`, or :math:`\tau a\ge40` for flow; a = lower edge of the
continuous part; 2τa for the RF loss, which has f² only) the static t = ∞ values are exact
to :math:`e^{-40}`: ridgeless (min-norm) regression for P < D, OLS for P > D.

Accuracy (measured, see tests/test_dynamics_theory.py): against the same contour formulas in
20-digit mpmath, ~2e-11 relative; against quadrature over the Marchenko–Pastur law (Σ = I),
≤ 5e-11; ellipse vs Talbot where both apply ≤ 2e-10; train loss absolute ~1e-12 × its t = 0
value (values below that are rounding noise). Agreement with finite simulations is limited by
the O(1/P), O(1/N) corrections of the deterministic equivalent (≈ 0.5 % at P = 100).

:func:`rf_gd_learning_curve` — **GD on the population loss of linear random features**
:math:`f(x)=(F^\top x)\cdot a`, frozen :math:`F\in\mathbb R^{D\times N}`,
:math:`F_{ij}\sim\mathcal N(0,1/D)`, :math:`a_0=0`. With :math:`u=\Sigma^{1/2}(Fa-\bar w)`:
:math:`u_{t+1}=(I-\eta K)u_t`, :math:`K=\Sigma^{1/2}FF^\top\Sigma^{1/2}`, so
:math:`E_g(t)=u_0^\top(I-\eta K)^{2t}u_0` (one point; label noise does not enter the population
gradient). :math:`FF^\top=\frac ND\,W`, W an N-sample Wishart, so :math:`K=\frac ND
\Sigma^{1/2}W\Sigma^{1/2}` and :math:`z(K+z)^{-1}\simeq\kappa_N(\Sigma+\kappa_N)^{-1}`,
:math:`\kappa_N=\frac{zD}N+\frac{\kappa_N}N\mathrm{Tr}\Sigma(\Sigma+\kappa_N)^{-1}`;
:math:`E_g(t)=\frac1{2\pi i}\oint f(s)^2\frac{\kappa}{s}\sum_k\frac{\lambda_k\bar w_k^2}
{\lambda_k+\kappa}ds` with :math:`\kappa=\kappa_N(-s)`; t = ∞: the orthogonal-projection error
:math:`\sum_k\lambda_k\bar w_k^2\kappa_N/(\lambda_k+\kappa_N)`, :math:`\mathrm{df}_1(\kappa_N)=N`
(N < D; 0 for N ≥ D). As N → ∞, :math:`K\to\frac ND\Sigma`: RF-GD at η equals linear GD at
:math:`\eta N/D`.

κ at complex arguments: both problems are :math:`\kappa(1-\mathrm{df}_1(\kappa)/P_e)=w` with
:math:`(P_e,w)=(P,-s)` (GD) or :math:`(N,-sD/N)` (RF). Each contour is a path starting on the
real axis at w > 0 (κ real, :math:`\kappa>\kappa_{\rm edge}`, solved by bisection); κ is
continued node to node by a tangent predictor and Newton corrector with step halving, a step
accepted only if Newton converges close to the prediction and :math:`\mathrm{Im}\,\kappa` has the
sign of :math:`\mathrm{Im}\,w` (physical branch; κ → w as |w| → ∞).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba
import numpy as np

from ..errors import BranchError, ParameterError
from ..spectra import Spectrum

TALBOT_M1 = 28
"""Fixed-Talbot nodes per one-point contour (accuracy ~1e-12 relative)."""
TALBOT_M2 = 16
"""Fixed-Talbot nodes per dimension of the two-point (test-bias) contour (~1e-10 relative)."""
ELLIPSE_N = 128
"""Trapezoid nodes on the Bernstein ellipse used at small discrete t."""
ELLIPSE_RHO = 1.5
"""Bernstein parameter of that ellipse (trapezoid error ~ ρ^-N)."""
RLR_MAX = 0.5
"""Talbot is used in discrete time only where r·lr ≤ RLR_MAX (the map needs r·lr < 1)."""
STATIC_DECAY = 40.0
"""The static t = ∞ value is used once the slowest bulk mode has decayed by e^-STATIC_DECAY."""
_BLOCK = 256


# ============================================================================ SGD recursion
@numba.njit(cache=True)
def _sgd_kernel(lam, c0, rho, g, noise, rec):
    """E_g at the sorted integer steps ``rec`` of c_k(t+1) = ρ_k c_k + g λ_k (E_g + σ²)."""
    D = lam.size
    c = c0.copy()
    out = np.empty(rec.size)
    total = 0.0
    block = 0.0
    for k in range(D):
        block += lam[k] * c[k]
        if (k + 1) % _BLOCK == 0:
            total += block
            block = 0.0
    eg = total + block
    ir = 0
    T = rec[rec.size - 1]
    t = 0
    while True:
        while ir < rec.size and rec[ir] == t:
            out[ir] = eg
            ir += 1
        if t >= T:
            break
        drive = g * (eg + noise)
        total = 0.0
        block = 0.0
        for k in range(D):
            ck = rho[k] * c[k] + drive * lam[k]
            c[k] = ck
            block += lam[k] * ck
            if (k + 1) % _BLOCK == 0:
                total += block
                block = 0.0
        eg = total + block
        t += 1
    return out


def _sgd_kernel_sum(lam: np.ndarray, lr: float, B: int) -> tuple[np.ndarray, float]:
    """ρ_k and S = Σ_τ K(τ) = (η²/B) Σ λ²/(1−ρ) (inf when some ρ_k ≥ 1)."""
    x = lr * lam
    one_m_rho = x * (2.0 - x * (1.0 + 1.0 / B))  # 1 - ρ without cancellation
    rho = 1.0 - one_m_rho
    if np.any(one_m_rho <= 0):
        return rho, math.inf
    return rho, float((lr / B) * np.sum(lam / (2.0 - x * (1.0 + 1.0 / B))))


def sgd_max_lr(eigenvalues: np.ndarray, batch: int) -> float:
    """Largest stable learning rate of online SGD: sup{η : all ρ_k < 1 and Σ_τ K(τ) < 1}."""
    lam = np.asarray(eigenvalues, dtype=float)
    hi = 2.0 * batch / ((batch + 1.0) * lam.max())
    lo = 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _sgd_kernel_sum(lam, mid, batch)[1] < 1.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return lo


# ============================================================================ κ solvers
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


# ============================================================================ problem data
@dataclass(frozen=True)
class _Problem:
    """κ(1 − df1(κ)/Pe) = −c·s on the spectrum; edges of the support in s."""

    lam: np.ndarray
    tp: np.ndarray  # λ w̄²
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


def _make_problem(lam: np.ndarray, tp: np.ndarray, Pe: float, c: float) -> _Problem:
    kedge, ktop, wtop, klow, wlow = _edges(lam, float(Pe))
    return _Problem(lam, tp, float(Pe), float(c), kedge, -wtop / c, max(-wlow / c, 0.0))


def support_edges(eigenvalues: np.ndarray, P: float, scale: float = 1.0) -> dict[str, float]:
    r"""Edges of the deterministic-equivalent spectrum of :math:`\hat\Sigma=X^\top X/P` (scale 1)
    or of :math:`K=\Sigma^{1/2}FF^\top\Sigma^{1/2}` (P = N, scale = N/D).

    Returns ``s_max`` (top edge), ``s_low`` (lower edge of the continuous part; 0 at P = D;
    an atom at 0 of mass 1 − P/D sits below it when P < D) and ``kappa_edge``
    (df₁(κ_edge) = P, 0 when P ≥ D)."""
    lam = np.ascontiguousarray(eigenvalues, dtype=float)
    pr = _make_problem(lam, np.zeros_like(lam), float(P), 1.0 / scale)
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


# ============================================================================ contours
@dataclass
class _Contour:
    """Half of a conjugate-symmetric contour: nodes s (Im s ≤ 0), full-rule weights ``wt``
    (incl. ds and the e^{Tp} factor) and multiplicities ``mult`` (1 for real nodes, else 2):
    (1/2πi)∮ Φ ds ≈ Σ mult·Re(wt·Φ(s)) for conjugate-symmetric Φ."""

    s: np.ndarray
    wt: np.ndarray
    mult: np.ndarray


def _talbot(T: float, M: int, lr: float | None) -> _Contour:
    """Fixed Talbot rule for (1/2πi)∮ e^{T p} Φ(s(p)) s'(p) dp, s = (1 − e^{lr p})/lr or −p."""
    r = 2.0 * M / (5.0 * T)
    th = np.arange(M) * (math.pi / M)
    with np.errstate(divide="ignore", invalid="ignore"):
        cot = np.cos(th) / np.sin(th)
        tc = np.where(th == 0, 1.0, th * cot)
        sig = np.where(th == 0, 0.0, th + (tc - 1.0) * cot)
    p = r * tc + 1j * r * th
    if lr is None:
        s = -p
        ds = -np.ones_like(p)
    else:
        s = -np.expm1(lr * p) / lr
        ds = -np.exp(lr * p)
    wt = (r / (2.0 * M)) * (1.0 + 1j * sig) * np.exp(T * p) * ds
    s = s.astype(complex)
    s[0] = complex(s[0].real, 0.0)
    mult = np.full(M, 2.0)
    mult[0] = 1.0
    return _Contour(s, wt, mult)


def _ellipse(s_max: float, n: int = ELLIPSE_N, rho: float = ELLIPSE_RHO) -> _Contour:
    """Trapezoid rule on the Bernstein ellipse of [0, s_max] (lower half, left to right)."""
    h = 0.5 * s_max
    a = h * 0.5 * (rho + 1.0 / rho)
    b = h * 0.5 * (rho - 1.0 / rho)
    psi = math.pi + np.arange(n // 2 + 1) * (2.0 * math.pi / n)
    s = h + a * np.cos(psi) + 1j * b * np.sin(psi)
    dsdpsi = -a * np.sin(psi) + 1j * b * np.cos(psi)
    wt = dsdpsi / (n * 1j)
    s[0] = complex(s[0].real, 0.0)
    s[-1] = complex(s[-1].real, 0.0)
    mult = np.full(s.size, 2.0)
    mult[0] = mult[-1] = 1.0
    return _Contour(s, wt, mult)


def _one_point(ct: _Contour, phi: np.ndarray) -> np.ndarray:
    """Σ mult Re(wt·Φ); phi shape (..., nodes)."""
    return np.sum(ct.mult * np.real(ct.wt * phi), axis=-1)


def _two_point_bias(
    pr: _Problem, s: np.ndarray, kap: np.ndarray, wt: np.ndarray, mult: np.ndarray
) -> np.ndarray:
    r"""(1/2πi)²∮∮ weights · (κκ'/(ss')) S_w/(1 − S_2/P): rows of ``wt`` are independent
    weight sets (e.g. several times) on the same nodes; the full node set is the half set and
    its conjugates."""
    cplx = mult > 1
    s_f = np.concatenate([s, np.conj(s[cplx])])
    k_f = np.concatenate([kap, np.conj(kap[cplx])])
    wt = np.atleast_2d(wt)
    wt_f = np.concatenate([wt, np.conj(wt[:, cplx])], axis=1)
    A = 1.0 / (pr.lam[None, :] + kap[:, None])
    A_f = 1.0 / (pr.lam[None, :] + k_f[:, None])
    Sw = (A * pr.tp) @ A_f.T
    S2 = (A * pr.lam**2) @ A_f.T
    Q = Sw / (1.0 - S2 / pr.Pe)
    alpha = kap / s
    alpha_f = k_f / s_f
    inner = (wt_f * alpha_f) @ Q.T  # (ntimes, nH)
    return np.sum(mult * np.real(wt * alpha * inner), axis=-1)


# ============================================================================ results
@dataclass
class LearningCurve:
    """A theory learning curve at the requested times (arrays in the order of ``times``).

    ``t``: the requested times (steps; continuous τ for gradient flow); ``tau``: η·t (or τ);
    ``loss``: E_g(t) (excess, no label noise); ``train_loss``: E[(1/P)‖Xw_t − y‖²] (with
    noise) or None; ``loss_inf`` / ``train_loss_inf``: the t → ∞ limits; ``method`` per time:
    'exact' (t = 0 or the SGD recursion), 'ellipse', 'talbot' or 'static';
    ``diagnostics``: edges, κ_edge, stability sums, contour sizes."""

    t: np.ndarray
    tau: np.ndarray
    loss: np.ndarray
    train_loss: np.ndarray | None
    loss_inf: float
    train_loss_inf: float | None
    method: np.ndarray
    diagnostics: dict = field(default_factory=dict)

    def __getitem__(self, key: str):  # dict-style access for the claims layer
        return getattr(self, key)

    def to_dict(self) -> dict:
        d = {
            "t": self.t.tolist(),
            "tau": self.tau.tolist(),
            "loss": self.loss.tolist(),
            "loss_inf": self.loss_inf,
            "method": self.method.tolist(),
        }
        if self.train_loss is not None:
            d["train_loss"] = self.train_loss.tolist()
            d["train_loss_inf"] = self.train_loss_inf
        return d


# ============================================================================ validation
def _check_spectrum(spectrum: Spectrum) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(spectrum, Spectrum):
        raise ParameterError("spectrum", "must be a rmtscale.spectra.Spectrum", type(spectrum))
    lam = np.ascontiguousarray(spectrum.eigenvalues, dtype=float)
    tp = np.ascontiguousarray(spectrum.target_power, dtype=float)
    return lam, tp


def _check_pos(name: str, value: object, *, allow_zero: bool = False) -> float:
    req = "must be a finite number " + (">= 0" if allow_zero else "> 0")
    if isinstance(value, bool):
        raise ParameterError(name, req, value)
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, req, value) from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ParameterError(name, req, value)
    return v


def _check_int(name: str, value: object) -> int:
    req = "must be an integer >= 1"
    if isinstance(value, bool):
        raise ParameterError(name, req, value)
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, req, value) from None
    if not math.isfinite(v) or v < 1 or v != int(v):
        raise ParameterError(name, req, value)
    return int(v)


def _check_times(times: object, *, integer: bool) -> np.ndarray:
    req = "a non-negative integer or array of them" if integer else "non-negative finite numbers"
    try:
        arr = np.atleast_1d(np.asarray(times, dtype=float))
    except (TypeError, ValueError):
        raise ParameterError("times", "must be " + req, times) from None
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ParameterError("times", "must be " + req, times)
    if integer:
        if np.any(arr != np.round(arr)) or np.any(arr > 2**62):
            raise ParameterError("times", "must be " + req, times)
    return arr


# ============================================================================ 1. online SGD
def sgd_learning_curve(
    spectrum: Spectrum, *, lr: float, batch: int = 1, noise: float = 0.0, times
) -> LearningCurve:
    r"""Online SGD learning curve, exact in expectation for Gaussian data.

    :math:`w\leftarrow w-\frac{\eta}{B}\sum_{i=1}^Bx_i(x_i\cdot w-y_i)`, a fresh batch per step,
    :math:`w_0=0`; ``times`` are integer step counts. Mode-wise second moments
    :math:`c_k(t+1)=\rho_kc_k(t)+\frac{\eta^2}{B}\lambda_k(E_g(t)+\sigma^2)`,
    :math:`\rho_k=(1-\eta\lambda_k)^2+\frac{\eta^2}B\lambda_k^2`, :math:`c_k(0)=\bar w_k^2`,
    :math:`E_g=\sum_k\lambda_kc_k` (numba, O(steps·D), blocked sums). ``loss_inf`` is the
    fixed point :math:`\sigma^2S/(1-S)`, :math:`S=\frac{\eta^2}B\sum_k\lambda_k^2/(1-\rho_k)`.

    Raises :class:`ParameterError` ('lr') when the recursion is unstable (some ρ_k ≥ 1 or
    S ≥ 1); the message gives the largest stable lr."""
    lam, tp = _check_spectrum(spectrum)
    lr = _check_pos("lr", lr)
    B = _check_int("batch", batch)
    noise = _check_pos("noise", noise, allow_zero=True)
    t = _check_times(times, integer=True)
    rho, S = _sgd_kernel_sum(lam, lr, B)
    lmax = sgd_max_lr(lam, B)
    if not S < 1.0:
        raise ParameterError(
            "lr",
            f"must be < {lmax:.6g} for batch {B} (SGD second-moment recursion unstable: "
            f"sum_tau K(tau) = (lr^2/B) sum lambda^2/(1-rho) = {S:.4g} >= 1 or some rho >= 1)",
            lr,
        )
    ti = t.astype(np.int64)
    uniq, inv = np.unique(ti, return_inverse=True)
    c0 = tp / lam
    vals = _sgd_kernel(lam, c0, rho, lr * lr / B, noise, uniq)
    loss = vals[inv]
    loss_inf = noise * S / (1.0 - S)
    return LearningCurve(
        t=t,
        tau=lr * t,
        loss=loss,
        train_loss=None,
        loss_inf=float(loss_inf),
        train_loss_inf=None,
        method=np.full(t.size, "exact"),
        diagnostics={"kernel_sum": S, "rho_max": float(rho.max()), "lr_max": lmax},
    )


# ============================================================================ shared helpers
def _time_axis(times, lr, flow):
    if flow:
        t = _check_times(times, integer=False)
        if lr is None:
            return t, t.copy(), None
        lr = _check_pos("lr", lr)
        return t, lr * t, lr
    if lr is None:
        raise ParameterError("lr", "must be given (a finite number > 0) unless flow=True")
    lr = _check_pos("lr", lr)
    t = _check_times(times, integer=True)
    return t, lr * t, lr


def _check_map(pr: _Problem, lr: float | None, flow: bool, what: str) -> None:
    if flow or lr is None:
        return
    if not lr * pr.s_max < 1.0:
        raise ParameterError(
            "lr",
            f"must be < 1/s_max = {1.0 / pr.s_max:.6g} (top edge of the deterministic-equivalent "
            f"spectrum of {what}: s_max = {pr.s_max:.6g}; the discrete-time contour map "
            "1 - lr*s = exp(lr*p) needs lr*s_max < 1)",
            lr,
        )


def _decayed(pr: _Problem, tval: float, tau: float, lr: float | None, flow: bool) -> bool:
    if pr.s_low <= 0:
        return False
    if flow or lr is None:
        return tau * pr.s_low >= STATIC_DECAY
    return -tval * math.log1p(-lr * pr.s_low) >= STATIC_DECAY


def _use_ellipse(tval: float, M: int, factor: float, lr: float | None, flow: bool) -> bool:
    """Discrete time only: Talbot at time factor·τ needs r·lr = 2M/(5·factor·t) ≤ RLR_MAX."""
    if flow or lr is None:
        return False
    return 2.0 * M / (5.0 * factor * tval) > RLR_MAX


def _powers(s: np.ndarray, tval: float, lr: float | None, m: float) -> np.ndarray:
    """f(s)^m = (1 − lr s)^{m t} (or e^{−m τ s})."""
    if lr is None:
        return np.exp(-m * tval * s)
    return np.exp(m * tval * np.log1p(-lr * s))


def _one_minus_f(s: np.ndarray, tval: float, lr: float | None) -> np.ndarray:
    if lr is None:
        return -np.expm1(-tval * s)
    return -np.expm1(tval * np.log1p(-lr * s))


# ============================================================================ 2. full-batch GD
def _gd_static(pr: _Problem, noise: float) -> tuple[float, float]:
    lam, tp, P, D = pr.lam, pr.tp, pr.Pe, pr.D
    if P < D:
        k = pr.kappa_edge
        gam = float(np.sum(lam**2 / (lam + k) ** 2)) / P
        bias = k * k * float(np.sum(tp / (lam + k) ** 2)) / (1.0 - gam)
        return bias + noise * gam / (1.0 - gam), 0.0
    if P > D:
        return noise * D / (P - D), noise * (P - D) / P
    return (math.inf if noise > 0 else 0.0), 0.0


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
    r"""Full-batch GD on P fixed samples (N = ∞): test E_g(t) and train loss, deterministic
    equivalents (module docstring for the formulas and contours).

    GD: :math:`w_{t+1}=w_t-\frac{\eta}P X^\top(Xw_t-y)`, :math:`w_0=0`, ``times`` = integer
    steps t; ``flow=True``: gradient flow :math:`\dot w=-\frac1PX^\top(Xw-y)`, ``times`` are
    continuous times τ (or steps with τ = lr·t when ``lr`` is given). ``loss`` excludes label
    noise, ``train_loss`` includes it. Discrete time needs lr·s_max < 1 with s_max the top edge
    of the DE spectrum of X^T X/P (ParameterError 'lr' otherwise; GD itself is stable up to
    2/s_max, but the contour map is not). ``M1``/``M2``: Talbot nodes (one-/two-point)."""
    lam, tp = _check_spectrum(spectrum)
    P = _check_int("P", P)
    noise = _check_pos("noise", noise, allow_zero=True)
    t, tau, lr = _time_axis(times, lr, flow)
    pr = _make_problem(lam, tp, P, 1.0)
    _check_map(pr, lr, flow, "X^T X/P")
    loss_inf, train_inf = _gd_static(pr, noise)

    def train_phi(kap):
        # κ Σ w̄²/(λ+κ) = Σ w̄² − Σ λw̄²/(λ+κ); the constant integrates to 0 against the entire
        # f², and dropping it avoids a cancellation of size Σ w̄² (large for hard targets)
        A = 1.0 / (lam[None, :] + kap[:, None])
        return -(A @ tp) - noise / kap

    loss = np.empty(t.size)
    train = np.empty(t.size)
    method = np.empty(t.size, dtype=object)
    uniq, inv = np.unique(t, return_inverse=True)
    ul, ut, um = np.empty(uniq.size), np.empty(uniq.size), np.empty(uniq.size, dtype=object)
    ell_idx = []
    for i, tv in enumerate(uniq):
        tauv = tv if lr is None else lr * tv
        if tv == 0:
            ul[i], ut[i], um[i] = float(tp.sum()), float(tp.sum()) + noise, "exact"
        elif _decayed(pr, tv, tauv, lr, flow):
            ul[i], ut[i], um[i] = loss_inf, train_inf, "static"
        elif _use_ellipse(tv, max(M1, M2), 1.0, lr, flow):
            ell_idx.append(i)
            um[i] = "ellipse"
        else:
            lr_map = None if flow else lr
            T = tauv
            c1 = _talbot(T, M1, lr_map)  # e^{τp}: I_1
            c2 = _talbot(2 * T, M1, lr_map)  # e^{2τp}: train, I_2
            cb = _talbot(T, M2, lr_map)  # two-point bias
            k1, k2, kb = pr.kappas(c1.s), pr.kappas(c2.s), pr.kappas(cb.s)
            bias = _two_point_bias(pr, cb.s, kb, cb.wt, cb.mult)[0]
            I1 = _one_point(c1, k1 / c1.s**2)
            I2 = _one_point(c2, k2 / c2.s**2)
            ul[i] = bias + noise * (-1.0 - 2.0 * I1 + I2)
            ut[i] = _one_point(c2, train_phi(k2))
            um[i] = "talbot"
    if ell_idx:
        ce = _ellipse(pr.s_max)
        ke = pr.kappas(ce.s)
        tt = uniq[ell_idx]  # discrete steps (flow never uses the ellipse)
        F1 = np.stack([_powers(ce.s, x, lr, 1.0) for x in tt])  # (nt, nodes)
        OMF = np.stack([_one_minus_f(ce.s, x, lr) for x in tt])
        bias = _two_point_bias(pr, ce.s, ke, ce.wt[None, :] * F1, ce.mult)
        nz = _one_point(ce, OMF**2 * (ke / ce.s**2)[None, :])
        tr = _one_point(ce, F1**2 * train_phi(ke)[None, :])
        for j, i in enumerate(ell_idx):
            ul[i] = bias[j] + noise * nz[j]
            ut[i] = tr[j]
    loss[:] = ul[inv]
    train[:] = ut[inv]
    method[:] = um[inv]
    return LearningCurve(
        t=t,
        tau=tau,
        loss=loss,
        train_loss=train,
        loss_inf=float(loss_inf),
        train_loss_inf=float(train_inf),
        method=method.astype(str),
        diagnostics={
            "s_max": pr.s_max,
            "s_low": pr.s_low,
            "kappa_edge": pr.kappa_edge,
            "lr_max_map": 1.0 / pr.s_max,
            "M1": M1,
            "M2": M2,
        },
    )


# ============================================================================ 3. RF population GD
def rf_gd_learning_curve(
    spectrum: Spectrum,
    *,
    N: int,
    lr: float | None = None,
    times,
    flow: bool = False,
    M1: int = TALBOT_M1,
) -> LearningCurve:
    r"""GD on the population loss of linear random features of width N (P = ∞).

    :math:`f(x)=(F^\top x)\cdot a`, :math:`F_{ij}\sim\mathcal N(0,1/D)` frozen, :math:`a_0=0`,
    :math:`a\leftarrow a-\eta F^\top\Sigma(Fa-\bar w)`; :math:`E_g(t)=u_0^\top(I-\eta K)^{2t}u_0`,
    :math:`K=\Sigma^{1/2}FF^\top\Sigma^{1/2}`, averaged over F by the one-point deterministic
    equivalent (module docstring). ``times`` = integer steps; ``flow=True``: continuous τ
    (:math:`e^{-2\tau K}`). ``loss_inf`` = projection error Σλw̄²κ_N/(λ+κ_N), df₁(κ_N) = N
    (0 for N ≥ D). No ``train_loss`` (population training). Discrete time needs
    lr·s_max(K) < 1."""
    lam, tp = _check_spectrum(spectrum)
    N = _check_int("N", N)
    t, tau, lr = _time_axis(times, lr, flow)
    D = lam.size
    pr = _make_problem(lam, tp, N, D / N)
    _check_map(pr, lr, flow, "K = Sigma^1/2 F F^T Sigma^1/2")
    if N < D:
        k = pr.kappa_edge
        loss_inf = float(np.sum(tp * k / (lam + k)))
    else:
        loss_inf = 0.0

    def phi(kap, s):
        A = 1.0 / (lam[None, :] + kap[:, None])
        return (kap / s) * (A @ tp)

    uniq, inv = np.unique(t, return_inverse=True)
    ul, um = np.empty(uniq.size), np.empty(uniq.size, dtype=object)
    ell_idx = []
    map_lr = None if flow else lr
    for i, tv in enumerate(uniq):
        tauv = tv if lr is None else lr * tv
        if tv == 0:
            ul[i], um[i] = float(tp.sum()), "exact"
        elif pr.s_low > 0 and (
            (2 * tauv * pr.s_low if map_lr is None else -2 * tv * math.log1p(-lr * pr.s_low))
            >= STATIC_DECAY
        ):
            ul[i], um[i] = loss_inf, "static"
        elif _use_ellipse(tv, M1, 2.0, map_lr, flow):
            ell_idx.append(i)
            um[i] = "ellipse"
        else:
            c2 = _talbot(2 * tauv, M1, map_lr)
            k2 = pr.kappas(c2.s)
            ul[i] = _one_point(c2, phi(k2, c2.s))
            um[i] = "talbot"
    if ell_idx:
        ce = _ellipse(pr.s_max)
        ke = pr.kappas(ce.s)
        F2 = np.stack([_powers(ce.s, x, map_lr, 2.0) for x in uniq[ell_idx]])
        vals = _one_point(ce, F2 * phi(ke, ce.s)[None, :])
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


__all__ = [
    "LearningCurve",
    "sgd_learning_curve",
    "gd_learning_curve",
    "rf_gd_learning_curve",
    "sgd_max_lr",
    "support_edges",
    "kappa_at",
]
