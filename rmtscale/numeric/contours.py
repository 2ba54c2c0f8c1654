r"""Contour rules for the learning curves: fixed Talbot and Bernstein-ellipse quadratures of
one- and two-point contour integrals :math:`\frac1{2\pi i}\oint`, and elementwise evaluation of
compiled kernels on their nodes.

**Discrete time:** :math:`1-\eta s=e^{\eta p}` makes :math:`f=(1-\eta s)^t=e^{\tau p}`,
:math:`\tau=\eta t`; the strip :math:`|\mathrm{Im}\,\eta p|<\pi` maps one-to-one onto
:math:`\mathbb C\setminus[1/\eta,\infty)`, so the map needs :math:`\eta\,s_{\max}<1`, and a Talbot
contour :math:`p=r\theta(\cot\theta+i)`, :math:`r=2M/(5T)`, must stay inside the strip:
:math:`r\eta\le` :data:`RLR_MAX`. Fixed Talbot rule (Abate–Valkó): weights
:math:`\frac r{2M}(1+i\sigma_j)e^{Tp_j}s'(p_j)`,
:math:`\sigma=\theta+(\theta\cot\theta-1)\cot\theta`, :math:`\theta_j=j\pi/M`; 2-D as the
product rule. **Gradient flow:** :math:`s=-p`, :math:`f=e^{-\tau s}`, the same rule. **Small
t** (discrete, where rη > RLR_MAX): the trapezoid rule on a Bernstein ellipse around
:math:`[0,s_{\max}]` (ρ = 1.5), where :math:`|1-\eta s|\le1.05`, so nothing is amplified.

All contours are conjugate-symmetric; only the lower half (Im s ≤ 0) is stored, with
multiplicities (1 for real nodes, else 2):
:math:`\frac1{2\pi i}\oint\Phi\,ds\approx\sum_j m_j\,\mathrm{Re}(w_j\Phi(s_j))` for
conjugate-symmetric Φ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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


@dataclass
class Contour:
    """Half of a conjugate-symmetric contour: nodes s (Im s ≤ 0), full-rule weights ``wt``
    (incl. ds and, for Talbot, the e^{Tp} factor) and multiplicities ``mult``."""

    s: np.ndarray
    wt: np.ndarray
    mult: np.ndarray

    def full(self, values: np.ndarray) -> np.ndarray:
        """Values at all nodes: the half set, then the conjugates of its complex nodes
        (last axis)."""
        return np.concatenate([values, np.conj(values[..., self.mult > 1])], axis=-1)


def talbot(T: float, M: int, lr: float | None) -> Contour:
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
    return Contour(s, wt, mult)


def ellipse(s_max: float, n: int = ELLIPSE_N, rho: float = ELLIPSE_RHO) -> Contour:
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
    return Contour(s, wt, mult)


def use_ellipse(tval: float, M: int, factor: float, lr: float | None, flow: bool) -> bool:
    """Discrete time only: Talbot at time factor·τ needs r·lr = 2M/(5·factor·t) ≤ RLR_MAX."""
    if flow or lr is None:
        return False
    return 2.0 * M / (5.0 * factor * tval) > RLR_MAX


def powers(s: np.ndarray, tval: float, lr: float | None, m: float) -> np.ndarray:
    """f(s)^m = (1 − lr s)^{m t} (or e^{−m τ s})."""
    if lr is None:
        return np.exp(-m * tval * s)
    return np.exp(m * tval * np.log1p(-lr * s))


def one_minus_f(s: np.ndarray, tval: float, lr: float | None) -> np.ndarray:
    """1 − f(s) without cancellation."""
    if lr is None:
        return -np.expm1(-tval * s)
    return -np.expm1(tval * np.log1p(-lr * s))


def one_point(ct: Contour, phi: np.ndarray) -> np.ndarray:
    """(1/2πi)∮ Φ ≈ Σ mult Re(wt·Φ); phi shape (..., nodes)."""
    return np.sum(ct.mult * np.real(ct.wt * phi), axis=-1)


def two_point(ct: Contour, wt: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    r"""(1/2πi)²∮∮ Φ(s, s') over the product rule: ``kernel`` has shape (half nodes, full
    nodes) (:meth:`Contour.full` order); rows of ``wt`` are independent weight sets on the half
    nodes (e.g. several times, with their f-factors)."""
    wt = np.atleast_2d(wt)
    inner = ct.full(wt) @ kernel.T  # (weight sets, half nodes)
    return np.sum(ct.mult * np.real(wt * inner), axis=-1)


def evaluate(compiled, nout: int, *args: np.ndarray) -> np.ndarray:
    """A kernel compiled by :func:`rmtscale.numeric.codegen.compile_loop`, evaluated elementwise
    on the broadcast ``args`` (complex); returns shape (nout, *broadcast shape)."""
    arrs = np.broadcast_arrays(*[np.asarray(a, dtype=complex) for a in args])
    shape = arrs[0].shape
    flat = [np.ascontiguousarray(a.ravel()) for a in arrs]
    out = np.empty((nout, flat[0].size), dtype=complex)
    compiled(*flat, out)
    return out.reshape((nout, *shape))
