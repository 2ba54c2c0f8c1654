r"""Spectral sums of a population spectrum as functions of the ridge, to machine precision.

Every deterministic equivalent for ridge / random features needs sums over the modes

.. math::
    \mathrm{df}_1(\kappa)=\sum_k\frac{\lambda_k}{\lambda_k+\kappa},\quad
    \mathrm{df}_2(\kappa)=\sum_k\frac{\lambda_k^2}{(\lambda_k+\kappa)^2},\quad
    \mathrm{tf}_1=\sum_k\frac{p_k}{\lambda_k+\kappa},\quad
    \mathrm{tf}_1'=\sum_k\frac{p_k}{(\lambda_k+\kappa)^2},\quad
    \mathrm{tf}_2=\sum_k\frac{p_k\lambda_k}{(\lambda_k+\kappa)^2}

(unnormalized traces; :math:`p_k=\lambda_k\bar w_k^2` the target power), at many κ.
In :math:`s=\log\kappa` each is analytic in the strip :math:`|\operatorname{Im}s|<\pi`
(poles at :math:`\kappa=-\lambda_k`), so piecewise Chebyshev interpolation on segments of
length 2 in s converges geometrically (Bernstein ellipse ρ ≈ 6.4): degree 22 reaches
double precision. One :class:`SpectralTable` costs ``segments × 23`` exact O(D) sums
(numba, parallel); afterwards every evaluation is O(1) whatever D is (10⁶ modes or more).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

NFUNC = 5  # df1, df2, tf1, tf1p, tf2
DEGREE = 22
SEGMENT = 2.0  # segment length in log κ
BLOCK = 4096  # modes per partial sum in exact_sums (blocked summation)


@numba.njit(parallel=True, cache=True)
def exact_sums(eta: np.ndarray, power: np.ndarray, kappas: np.ndarray) -> np.ndarray:
    """The five sums at each κ, exactly (O(D) per κ, parallel over κ).

    Summed in blocks of ``BLOCK`` modes (partial sums, then the sum of the partials): the
    rounding error grows like (BLOCK + D/BLOCK)·eps instead of D·eps, which keeps the sums
    (and so the table built from them) at ~1e-13 relative for 10⁷ modes."""
    out = np.zeros((NFUNC, kappas.size))
    n = eta.size
    for j in numba.prange(kappas.size):
        k = kappas[j]
        a = 0.0
        b = 0.0
        c = 0.0
        d = 0.0
        e = 0.0
        for i0 in range(0, n, BLOCK):
            pa = 0.0
            pb = 0.0
            pc = 0.0
            pd = 0.0
            pe = 0.0
            for i in range(i0, min(i0 + BLOCK, n)):
                inv = 1.0 / (eta[i] + k)
                r = eta[i] * inv
                pa += r
                pb += r * r
                pc += power[i] * inv
                pd += power[i] * inv * inv
                pe += power[i] * r * inv
            a += pa
            b += pb
            c += pc
            d += pd
            e += pe
        out[0, j] = a
        out[1, j] = b
        out[2, j] = c
        out[3, j] = d
        out[4, j] = e
    return out


def _cheb_nodes(n: int) -> np.ndarray:
    """Chebyshev points of the second kind on [-1, 1] (n + 1 of them, ascending)."""
    return -np.cos(np.pi * np.arange(n + 1) / n)


def _values_to_coeffs(vals: np.ndarray) -> np.ndarray:
    """Chebyshev coefficients from values at second-kind points (last axis), via DCT-I."""
    n = vals.shape[-1] - 1
    v = vals[..., ::-1]  # order x_j = cos(pi j / n)
    ext = np.concatenate([v, v[..., -2:0:-1]], axis=-1)
    c = np.real(np.fft.fft(ext, axis=-1))[..., : n + 1] / n
    c[..., 0] /= 2.0
    c[..., n] /= 2.0
    return c


@numba.njit(cache=True)
def _clenshaw(c: np.ndarray, x: float) -> float:
    b1 = 0.0
    b2 = 0.0
    for k in range(c.size - 1, 0, -1):
        b1, b2 = 2.0 * x * b1 - b2 + c[k], b1
    return x * b1 - b2 + c[0]


@numba.njit(cache=True)
def table_eval(coeffs: np.ndarray, s0: float, h: float, s: float, out: np.ndarray) -> None:
    """Evaluate the five interpolants at s = log κ into ``out`` (s clipped to the table)."""
    nseg = coeffs.shape[1]
    u = (s - s0) / h
    i = int(np.floor(u))
    if i < 0:
        i = 0
    if i > nseg - 1:
        i = nseg - 1
    x = 2.0 * (u - i) - 1.0
    if x < -1.0:
        x = -1.0
    if x > 1.0:
        x = 1.0
    for f in range(coeffs.shape[0]):
        out[f] = _clenshaw(coeffs[f, i], x)


@dataclass
class SpectralTable:
    """Piecewise-Chebyshev tables of the five spectral sums on ``[s_min, s_max]`` (s = log κ).

    ``coeffs`` has shape ``(5, segments, DEGREE + 1)``; ``max_rel_error`` is the measured
    relative error at the midpoints between nodes (checked against exact sums)."""

    s0: float
    h: float
    coeffs: np.ndarray
    D: int
    max_rel_error: float

    @property
    def s_max(self) -> float:
        return self.s0 + self.h * self.coeffs.shape[1]

    def __call__(self, kappa: float | np.ndarray) -> np.ndarray:
        """Interpolated (df1, df2, tf1, tf1p, tf2) at κ; shape (5,) or (5, n)."""
        ks = np.atleast_1d(np.asarray(kappa, dtype=float))
        out = np.empty((NFUNC, ks.size))
        buf = np.empty(NFUNC)
        for j, k in enumerate(ks):
            table_eval(self.coeffs, self.s0, self.h, np.log(k), buf)
            out[:, j] = buf
        return out if np.ndim(kappa) else out[:, 0]


def build_table(
    eta: np.ndarray,
    power: np.ndarray,
    kappa_min: float,
    kappa_max: float,
    h: float = SEGMENT,
    degree: int = DEGREE,
) -> SpectralTable:
    """Tabulate the sums for κ in [kappa_min, kappa_max] (any D; cost segments·(degree+1)·D).

    The interpolation error is measured at the segment midpoints of a sample of segments and
    reported as ``max_rel_error`` (a :class:`ArithmeticError` is raised above 1e-11)."""
    if not (0 < kappa_min < kappa_max and np.isfinite(kappa_max)):
        raise ValueError("need 0 < kappa_min < kappa_max < inf")
    s0 = np.log(kappa_min) - 1e-9
    nseg = max(1, int(np.ceil((np.log(kappa_max) + 1e-9 - s0) / h)))
    x = _cheb_nodes(degree)
    starts = s0 + h * np.arange(nseg)
    s_nodes = (starts[:, None] + 0.5 * h * (x[None, :] + 1.0)).ravel()
    vals = exact_sums(eta, power, np.exp(s_nodes)).reshape(NFUNC, nseg, degree + 1)
    coeffs = np.ascontiguousarray(_values_to_coeffs(vals))
    # measure the error between nodes
    test_seg = np.unique(np.linspace(0, nseg - 1, min(nseg, 16)).astype(int))
    s_test = (
        starts[test_seg]
        + 0.5
        * h
        * (1.0 + np.cos(np.pi * (np.arange(degree) + 0.5) / degree)[[0, degree // 2]])[:, None]
    )
    s_test = s_test.ravel()
    exact = exact_sums(eta, power, np.exp(s_test))
    table = SpectralTable(s0, h, coeffs, int(eta.size), 0.0)
    approx = table(np.exp(s_test))
    scale = np.maximum(np.abs(exact), 1e-300)
    err = float(np.max(np.abs(approx - exact) / scale))
    table.max_rel_error = err
    if err > 1e-11:
        raise ArithmeticError(f"spectral table interpolation error {err:.2e} > 1e-11")
    return table
