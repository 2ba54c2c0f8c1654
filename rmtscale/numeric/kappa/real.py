r"""The one real-κ core: spectral sums at κ, κ_edge, safeguarded Newton, continuation.

Every real renormalized-ridge problem of ``rmtscale`` (ridge, random features, deep and
anisotropic feature layers; docs/conventions.md) is one member of the family

.. math:: h(s)=s+\log\Big(1-\frac{\mathrm{Df}_1}{P}\Big)+\sum_\ell\log\frac1{S_\ell}
          -\log\lambda=0,\qquad s=\log\kappa_2,

with one factor per feature layer: :math:`1/S_\ell=(N_\ell-\mathrm{Df}_1)/D` (isotropic layer
of width N, entries N(0, 1/D)) or :math:`1/S=\mathrm{Df}_1\kappa_F/D` with
:math:`\mathrm{Df}^F_1(\kappa_F)=\mathrm{Df}_1` (anisotropic weights Σ_F); no layer is ridge,
:math:`\kappa(1-\mathrm{Df}_1(\kappa)/P)=\lambda`. h is strictly increasing in s, with

.. math:: \frac{dh}{ds}=1+\frac{\mathrm{Df}_1-\mathrm{Df}_2}{P-\mathrm{Df}_1}+\sum_\ell t_\ell,
          \quad t_\ell=\frac{\mathrm{Df}_1-\mathrm{Df}_2}{N_\ell-\mathrm{Df}_1}\ \text{or}\
          \frac{(\mathrm{Df}_1-\mathrm{Df}_2)\mathrm{Df}^F_2}{\mathrm{Df}_1(\mathrm{Df}_1-
          \mathrm{Df}^F_2)},

(the terms are the derivatives of the symbolic factors in :mod:`rmtscale.symbolic.ridge` and
:mod:`rmtscale.symbolic.random_features`; tests/test_kappa_core.py checks this kernel against
them at random points). It is solved by a safeguarded Newton iteration inside the bracket
:math:`[\log\kappa_{\rm edge},\log\kappa_{\rm hi}]` (bisection whenever Newton leaves it or
stalls), where :math:`\mathrm{Df}_1(\kappa_{\rm edge})=\min(P,N_1,\dots)` (no edge when D is
smaller). Next to an edge it iterates on :math:`w=\log(s-s_{\rm edge})`. The inner equation
for κ_F is solved the same way, warm-started from the previous outer iterate.

**Continuation.** Grid points are grouped into lines along one parameter (the ridge when it
takes several values, else P, else N) with every other parameter fixed; each line is solved
in order, Newton warm-started by linear extrapolation (in log κ₂ vs the log of the parameter)
from the two previous solutions. Diagnostics per point: Newton iterations, the residual
\|h\| at the last iterate, and ``converged`` (the iteration and every inner κ_F solve stopped
before the cap). Ridgeless (λ = 0): κ₂ = κ_edge (or 0 without an edge).

The sums (df₁, df₂, tf₁, tf₁′, tf₂ at κ) come from a
:class:`~rmtscale.numeric.spectral_sums.SpectralTable`, below its range from the exact
second-order expansion at κ = 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from ..spectral_sums import NFUNC, SpectralTable, build_table, table_eval

MAXIT = 200
FBLOCK = 256  # feature modes per partial sum
FeatureSpectrum = np.ndarray | Callable[[int], np.ndarray]


# ============================================================================ kernels
@numba.njit(cache=True)
def _sums(coeffs, s0, h, k_lo, taylor, kappa, out):
    """The five sums at κ: table inside its range, exact linear expansion below it."""
    if kappa < k_lo:
        for f in range(NFUNC):
            out[f] = taylor[0, f] + kappa * (taylor[1, f] + kappa * taylor[2, f])
    else:
        table_eval(coeffs, s0, h, np.log(kappa), out)


@numba.njit(cache=True)
def _edge(coeffs, s0, h, k_lo, taylor, D, trace, P, buf):
    """κ_edge with df1(κ_edge) = P (0 when D <= P); safeguarded Newton in log κ."""
    if D <= P:
        return 0.0
    lo = np.log(k_lo)
    hi = np.log(trace / P * 2.0 + k_lo)
    s = 0.5 * (lo + hi)
    for _ in range(MAXIT):
        k = np.exp(s)
        _sums(coeffs, s0, h, k_lo, taylor, k, buf)
        G = buf[0] - P
        if G > 0:
            lo = s
        else:
            hi = s
        dG = -(buf[0] - buf[1])
        step = -G / dG if dG != 0 else 0.0
        sn = s + step
        if not (lo < sn < hi) or dG == 0:
            sn = 0.5 * (lo + hi)
        if abs(sn - s) < 1e-15 or hi - lo < 1e-15:
            s = sn
            break
        s = sn
    return np.exp(s)


@numba.njit(cache=True)
def data_factor(u, dd, P):
    """The data factor of h: log(1 − Df₁/P) and its slope −d/ds = (Df₁ − Df₂)/(P − Df₁)
    (u = Df₁, dd = Df₁ − Df₂ at κ₂ = e^s)."""
    a = 1.0 - u / P
    return np.log(a), dd / (P * a)


@numba.njit(cache=True)
def iso_layer(u, dd, N, D):
    """An isotropic layer: log((N − Df₁)/D) and t = (Df₁ − Df₂)/(N − Df₁)."""
    b = N - u
    return np.log(b / D), dd / b


@numba.njit(cache=True)
def aniso_layer(u, dd, tF, d2F, gapF, D):
    """Anisotropic weights: log(Df₁κ_F/D) (tF = log κ_F) and
    t = (Df₁ − Df₂)Df₂^F/(Df₁(Df₁ − Df₂^F)) (gapF = Df₁^F − Df₂^F at κ_F, Df₁^F = Df₁)."""
    return np.log(u / D) + tF, dd * d2F / (u * gapF) if gapF > 0.0 else np.inf


@numba.njit(cache=True)
def _feature_sums(fdata, start, length, kF):
    """Df₁^F, Df₂^F and Df₁^F − Df₂^F = Σ r(1 − r) (r = η/(η + κ_F), accurate at tiny κ_F)
    over ``fdata[start:start + length]``, in blocks of ``FBLOCK`` modes (rounding error
    ~(FBLOCK + N/FBLOCK)·eps)."""
    a = 0.0
    b = 0.0
    c = 0.0
    end = start + length
    for i0 in range(start, end, FBLOCK):
        pa = 0.0
        pb = 0.0
        pc = 0.0
        for i in range(i0, min(i0 + FBLOCK, end)):
            inv = 1.0 / (fdata[i] + kF)
            r = fdata[i] * inv
            pa += r
            pb += r * r
            pc += r * (kF * inv)
        a += pa
        b += pb
        c += pc
    return a, b, c


@numba.njit(cache=True)
def _kappa_F(fdata, start, length, trF, fmin, u, t0):
    """t = log κ_F with Df₁^F(κ_F) = u, by safeguarded Newton on log Df₁^F(e^t) − log u
    (decreasing in t) inside [log(η_min(N − u)/u), log(Tr Σ_F/u)], started at ``t0`` when it
    lies in the bracket. Returns (t, Df₂^F, Df₁^F − Df₂^F, iterations, converged);
    u ≥ N gives κ_F = 0 (t = −inf, Df₂^F = N, gap 0)."""
    N = float(length)
    if u >= N:
        return -np.inf, N, 0.0, 0, True
    lo = np.log(fmin * (N - u) / u) - 1e-12
    hi = np.log(trF / u) + 1e-12
    t = t0 if lo < t0 < hi else 0.5 * (lo + hi)
    lu = np.log(u)
    d2 = 0.0
    gap = 0.0
    it = 0
    prev = np.inf  # the step before the last one
    last = np.inf
    for it in range(1, MAXIT + 1):  # noqa: B007 - `it` is reported
        d1, d2, gap = _feature_sums(fdata, start, length, np.exp(t))
        G = np.log(d1) - lu
        if G > 0:  # too many degrees of freedom: κ_F is larger
            lo = t
        else:
            hi = t
        newton = gap > 0.0
        tn = t + G * d1 / gap if newton else 0.5 * (lo + hi)
        # bisect when Newton leaves the bracket or stalls (rounding noise: no 2-cycles)
        if not (lo <= tn <= hi) or abs(tn - t) > 0.5 * prev:
            tn = 0.5 * (lo + hi)
            newton = False
        prev, last = last, abs(tn - t)
        if (newton and abs(tn - t) <= 1e-14) or hi - lo <= 1e-14:
            t = tn
            break
        t = tn
    return t, d2, gap, it, it < MAXIT


@numba.njit(parallel=True, cache=True)
def _solve_lines(
    coeffs, s0, h, k_lo, taylor, D, trace, Ps, Ns, lams, log_hi, xs,
    fdata, fstart, flen, ftr, fmin, order, line_ptr, warm,
):  # fmt: skip
    r"""κ₂ at every point; points ``order[line_ptr[l]:line_ptr[l+1]]`` form line l, solved in
    that order (warm-started when ``warm``). ``Ns`` (points × layers, possibly 0 layers) are
    the widths; layer 0 is anisotropic where ``flen > 0``. Returns κ₂, κ_F, Df₂^F, Df₁^F −
    Df₂^F, iterations, inner iterations, converged, κ_edge and \|h\| at the last iterate."""
    n = Ps.size
    L = Ns.shape[1]
    kappa2 = np.empty(n)
    kappaF = np.zeros(n)
    df2F = np.zeros(n)
    gapF = np.zeros(n)
    iters = np.zeros(n, dtype=np.int64)
    fiters = np.zeros(n, dtype=np.int64)
    ok = np.ones(n, dtype=np.bool_)
    edge = np.zeros(n)
    resid = np.zeros(n)
    for li in numba.prange(line_ptr.size - 1):
        buf = np.empty(NFUNC)
        n_hist = 0
        s1 = 0.0
        s2 = 0.0
        x1 = 0.0
        x2 = 0.0
        tF = np.nan
        level_prev = -1.0
        ke = 0.0
        for jj in range(line_ptr[li], line_ptr[li + 1]):
            i = order[jj]
            P = Ps[i]
            lam = lams[i]
            aniso = flen[i] > 0
            level = P
            for ell in range(L):
                level = min(level, Ns[i, ell])
            if level != level_prev:
                ke = _edge(coeffs, s0, h, k_lo, taylor, D, trace, level, buf)
                level_prev = level
            good = True
            nF = 0
            H = 0.0
            if lam == 0.0:  # ridgeless: on the edge Df1 = min(P, N, ...) (or kappa_2 = 0)
                s = np.log(ke) if ke > 0 else -np.inf
                u = level if ke > 0 else float(D)
                it = 0
            else:
                se = np.log(ke) if ke > 0 else 0.0
                on_edge = ke > 0 and log_hi[i] > se
                if on_edge:  # iterate on w = log(s - s_edge): h ~ w + const near the edge
                    lo = np.log(4e-16 * max(1.0, abs(se)))
                    hi = np.log(log_hi[i] - se)
                else:  # w = s
                    lo = np.log(k_lo) - 50.0
                    hi = log_hi[i]
                w = hi  # cold start
                if warm and n_hist > 0:  # extrapolate the line; else its last solution
                    cand = s1
                    if n_hist > 1 and x1 != x2:
                        cand = s1 + (s1 - s2) * (xs[i] - x1) / (x1 - x2)
                    for _ in range(2):
                        wc = cand
                        if on_edge:
                            wc = np.log(cand - se) if cand > se else -np.inf
                        if lo < wc < hi:
                            w = wc
                            break
                        cand = s1
                it = 0
                prev = np.inf
                last = np.inf
                H = np.inf
                for it in range(1, MAXIT + 1):  # noqa: B007 - `it` is reported
                    ds = np.exp(w) if on_edge else 1.0  # ds/dw
                    s = se + ds if on_edge else w
                    _sums(coeffs, s0, h, k_lo, taylor, np.exp(s), buf)
                    u = buf[0]
                    dd = u - buf[1]
                    bmin = P - u
                    logb = 0.0
                    tsum = 0.0
                    for ell in range(L):
                        b = Ns[i, ell] - u
                        bmin = min(bmin, b)
                        if b > 0.0:
                            if aniso and ell == 0:
                                tF, d2, gap, nit, g = _kappa_F(
                                    fdata, fstart[i], flen[i], ftr[i], fmin[i], u, tF
                                )
                                nF += nit
                                good = good and g
                                lf, tl = aniso_layer(u, dd, tF, d2, gap, D)
                            else:
                                lf, tl = iso_layer(u, dd, Ns[i, ell], D)
                            logb += lf
                            tsum += tl
                    if bmin <= 0.0:  # below the edge (rounding): bisect upwards
                        lo = w
                        w = 0.5 * (lo + hi)
                        continue
                    la, ta = data_factor(u, dd, P)
                    H = s + la + logb - np.log(lam)
                    if H > 0:
                        hi = w
                    else:
                        lo = w
                    dH = (1.0 + ta + tsum) * ds
                    newton = 0.0 < dH < np.inf
                    wn = w - H / dH if newton else 0.5 * (lo + hi)
                    # bisect when Newton leaves the bracket or stalls (no 2-cycles)
                    if not (lo <= wn <= hi) or abs(wn - w) > 0.5 * prev:
                        wn = 0.5 * (lo + hi)
                        newton = False
                    step = abs(wn - w)
                    prev, last = last, step
                    if (newton and step * min(1.0, ds) <= 1e-14) or hi - lo <= 1e-14:
                        w = wn
                        break
                    w = wn
                s = se + np.exp(w) if on_edge else w
                good = good and it < MAXIT
                _sums(coeffs, s0, h, k_lo, taylor, np.exp(s), buf)
                u = buf[0]
                x2, s2 = x1, s1
                x1, s1 = xs[i], s
                n_hist += 1
            kappa2[i] = np.exp(s)
            if aniso:
                tF, d2, gap, nit, g = _kappa_F(fdata, fstart[i], flen[i], ftr[i], fmin[i], u, tF)
                nF += nit
                good = good and g
                kappaF[i] = np.exp(tF)
                df2F[i] = d2
                gapF[i] = gap
                if not np.isfinite(tF):
                    tF = np.nan  # no warm start from kappa_F = 0
            iters[i] = it
            fiters[i] = nF
            ok[i] = good
            edge[i] = ke
            resid[i] = abs(H)
    return kappa2, kappaF, df2F, gapF, iters, fiters, ok, edge, resid


# ============================================================================ drivers
def prepare_sums(
    eta: np.ndarray, power: np.ndarray, k_hi: float, table: SpectralTable | None = None
) -> tuple[SpectralTable, np.ndarray, float]:
    """Table of the spectral sums on [k_lo, k_hi] plus the 2nd-order expansion below k_lo.

    k_lo = 1e-6·min λ_k: below it the expansion's error (κ/λ_min)³ is under 1e-18."""
    D = eta.size
    k_lo = 1e-6 * float(eta.min())
    k_hi = max(k_hi, 10.0 * k_lo) + 10.0 * k_lo
    if table is None or table.s0 > np.log(k_lo) or table.s_max < np.log(k_hi):
        table = build_table(eta, power, k_lo, k_hi)
    inv = 1.0 / eta
    pi1, pi2, pi3, pi4 = (np.sum(power * inv**m) for m in (1, 2, 3, 4))
    i1, i2 = np.sum(inv), np.sum(inv**2)
    taylor = np.array(
        [  # coefficients of 1, κ, κ² of (df1, df2, tf1, tf1', tf2)
            [D, D, pi1, pi2, pi1],
            [-i1, -2 * i1, -pi2, -2 * pi3, -2 * pi2],
            [i2, 3 * i2, pi3, 3 * pi4, 3 * pi3],
        ]
    )
    return table, taylor, k_lo


@numba.njit(cache=True)
def _sums_many(coeffs, s0, h, k_lo, taylor, kappas, out):
    buf = np.empty(NFUNC)
    for j in range(kappas.size):
        _sums(coeffs, s0, h, k_lo, taylor, kappas[j], buf)
        for f in range(NFUNC):
            out[f, j] = buf[f]


def sums_at(table: SpectralTable, taylor: np.ndarray, k_lo: float, kappa: np.ndarray) -> np.ndarray:
    """The five sums at every κ of an array: shape (5,) + kappa.shape."""
    kappa = np.asarray(kappa, dtype=float)
    flat = np.array(kappa.ravel(), dtype=np.float64)
    out = np.empty((NFUNC, flat.size))
    _sums_many(table.coeffs, table.s0, table.h, float(k_lo), _f64(taylor), flat, out)
    return out.reshape((NFUNC,) + kappa.shape)


def continuation_lines(
    Ps: np.ndarray, Ns: np.ndarray, lams: np.ndarray, continuation: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order the points into continuation lines: (order, line_ptr, x = log of the parameter
    varied along the line). The parameter is the ridge when it takes several values, else P,
    else N (one layer only); all other parameters are fixed on a line."""
    n = Ps.size
    if not continuation:
        return np.arange(n), np.arange(n + 1), np.zeros(n)
    cols = [lams, Ps] + [Ns[:, ell] for ell in range(Ns.shape[1])]
    cands = [0, 1] + ([2] if Ns.shape[1] == 1 else [])
    counts = [np.unique(cols[c]).size for c in cands]
    c = cands[int(np.argmax(counts))]  # the first of the most-varied wins
    others = [col for j, col in enumerate(cols) if j != c]
    order = np.lexsort((cols[c], *others))
    brk = np.zeros(n, dtype=bool)
    brk[0] = True
    for col in others:
        sc = col[order]
        brk[1:] |= sc[1:] != sc[:-1]
    starts = list(np.flatnonzero(brk))
    # split long lines so that every thread has work (a cold start per piece is cheap)
    piece = max(32, -(-n // (4 * numba.get_num_threads())))
    ptr = []
    for a, b in zip(starts, starts[1:] + [n]):
        ptr += list(range(a, b, piece)) if b - a > 2 * piece else [a]
    with np.errstate(divide="ignore"):
        x = np.log(cols[c])
    return order, np.array(ptr + [n], dtype=np.int64), x


def feature_layout(feature_spectrum: FeatureSpectrum, Nflat: np.ndarray) -> tuple:
    """(fdata, fstart, flen, trace, min, max) per point for anisotropic weights.

    An array gives width N its first N entries (a power law j^-alpha_F is the same sequence
    at every N); a callable ``f(N)`` returns the N eigenvalues of Σ_F for width N."""
    if np.any(Nflat != np.round(Nflat)) or np.any(Nflat < 1):
        raise ValueError("anisotropic weights need integer widths N >= 1")
    Nint = Nflat.astype(np.int64)
    if callable(feature_spectrum):
        uniq, inv = np.unique(Nint, return_inverse=True)
        parts = [np.asarray(feature_spectrum(int(m)), dtype=float) for m in uniq]
        for m, e in zip(uniq, parts):
            if e.shape != (m,):
                raise ValueError(f"feature_spectrum({m}) must return {m} eigenvalues")
        starts = np.concatenate([[0], np.cumsum(uniq)[:-1]])
        fdata = np.concatenate(parts)
        tr = np.array([e.sum() for e in parts])
        mn = np.array([e.min() for e in parts])
        mx = np.array([e.max() for e in parts])
        fstart, ftr, fmin, fmax = starts[inv], tr[inv], mn[inv], mx[inv]
    else:
        e = np.asarray(feature_spectrum, dtype=float)
        if e.ndim != 1 or Nint.max() > e.size:
            raise ValueError(
                "feature_spectrum needs at least max(N) entries (width N uses the first N)"
            )
        fdata = e[: Nint.max()]
        fstart = np.zeros_like(Nint)
        idx = Nint - 1
        ftr = np.cumsum(fdata)[idx]
        fmin = np.minimum.accumulate(fdata)[idx]
        fmax = np.maximum.accumulate(fdata)[idx]
    if not np.all(fdata > 0) or not np.all(np.isfinite(fdata)):
        raise ValueError("feature_spectrum must be positive and finite")
    return np.ascontiguousarray(fdata), fstart.astype(np.int64), Nint, ftr, fmin, fmax


@dataclass
class KappaSolution:
    """κ₂ (and κ_F for anisotropic weights) at flattened points, with diagnostics."""

    kappa: np.ndarray
    kappa_edge: np.ndarray
    iterations: np.ndarray
    residual: np.ndarray
    converged: np.ndarray
    table: SpectralTable
    taylor: np.ndarray
    k_lo: float
    kappa_F: np.ndarray
    df2_F: np.ndarray
    gap_F: np.ndarray
    feature_iterations: np.ndarray

    def sums(self) -> np.ndarray:
        """(df1, df2, tf1, tf1', tf2) at the solution: shape (5, n)."""
        return sums_at(self.table, self.taylor, self.k_lo, self.kappa)


def _f64(a: np.ndarray) -> np.ndarray:  # one array type for the kernel: no recompiles
    return np.require(a, np.float64, ("C", "W", "O"))


def _i64(a: np.ndarray) -> np.ndarray:
    return np.require(a, np.int64, ("C", "W", "O"))


def solve_kappa(
    eta: np.ndarray,
    power: np.ndarray,
    Ps: np.ndarray,
    Ns: np.ndarray,
    lams: np.ndarray,
    k_hi: np.ndarray,
    features: tuple | None = None,
    continuation: bool = True,
    table: SpectralTable | None = None,
) -> KappaSolution:
    """Solve h(log κ₂) = 0 at n flattened points: ``Ps``, ``lams`` of shape (n,), widths
    ``Ns`` of shape (n, L) (L = 0: ridge); ``k_hi`` (n,) bounds κ₂ from above (h(log k_hi)
    > 0); ``features`` is :func:`feature_layout`'s (fdata, fstart, flen, trace, min) for an
    anisotropic first layer. The spectral table covers [k_lo, 2 max k_hi]."""
    eta = np.ascontiguousarray(eta, dtype=float)
    power = np.ascontiguousarray(power, dtype=float)
    n = Ps.size
    D = eta.size
    trace = float(eta.sum())
    table, taylor, k_lo = prepare_sums(eta, power, 2.0 * float(np.max(k_hi)), table)
    order, line_ptr, xs = continuation_lines(Ps, Ns, lams, continuation)
    if features is None:
        fdata, fstart, flen = np.ones(1), np.zeros(n, np.int64), np.zeros(n, np.int64)
        ftr, fmin = np.ones(n), np.ones(n)
    else:
        fdata, fstart, flen, ftr, fmin = features[:5]
    k2, kF, d2F, gapF, iters, fiters, ok, edge, resid = _solve_lines(
        table.coeffs, table.s0, table.h, float(k_lo), _f64(taylor), int(D), trace, _f64(Ps),
        _f64(Ns), _f64(lams), _f64(np.log(k_hi) + 1e-12), _f64(xs),
        _f64(fdata), _i64(fstart), _i64(flen), _f64(ftr), _f64(fmin), _i64(order),
        _i64(line_ptr), bool(continuation),
    )  # fmt: skip
    return KappaSolution(
        kappa=k2, kappa_edge=edge, iterations=iters, residual=resid, converged=ok, table=table,
        taylor=taylor, k_lo=k_lo, kappa_F=kF, df2_F=d2F, gap_F=gapF, feature_iterations=fiters,
    )  # fmt: skip
