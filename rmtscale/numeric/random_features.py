r"""Compiled deterministic equivalent of linear random-feature ridge regression.

Model (``shared/theory/ridge_and_random_features.md`` §8): frozen :math:`F\in\mathbb R^{D\times N}`,
:math:`F_{ij}\sim N(0,1/D)`; features :math:`F^\top x`; readout
:math:`\hat v=\arg\min\frac1P\sum_\mu(y_\mu-v^\top F^\top x_\mu)^2+\lambda\lVert v\rVert^2`
(λ not scaled by P); predictor :math:`x^\top F\hat v`. df's are unnormalized traces at κ₂;
E_g excludes label noise; ``noise`` is σ².

Two renormalized ridges (S-transform product :math:`\kappa_1=\lambda S_W`, :math:`\kappa_2=
\kappa_1 S_{FF^\top}`). Every feature layer contributes one factor :math:`1/S_\ell`:

* isotropic layer of width N (entries N(0, 1/D)): :math:`1/S=(N-\mathrm{Df}_1)/D`;
* anisotropic weights :math:`F=Z\Sigma_F^{1/2}/\sqrt D` (note §9.3): :math:`1/S=\mathrm{Df}_1
  \kappa_F/D` with :math:`\kappa_F` the renormalized ridge of Σ_F at the same degrees of
  freedom, :math:`\mathrm{Df}^F_1(\kappa_F)=\sum_j\eta^F_j/(\eta^F_j+\kappa_F)=\mathrm{Df}_1`.

.. math:: \kappa_2\Big(1-\frac{\mathrm{Df}_1}{P}\Big)\prod_\ell\frac1{S_\ell}=\lambda,\qquad
          \kappa_1=\kappa_2\prod_\ell\frac1{S_\ell},

on the physical branch :math:`\mathrm{Df}_1(\kappa_2)<\min(P,N_1,\dots)`. It is solved in log
form, :math:`h(s)=s+\log(1-\mathrm{Df}_1/P)+\sum_\ell\log(1/S_\ell)-\log\lambda`, which is
strictly increasing in :math:`s=\log\kappa_2`, by a safeguarded Newton iteration inside the
bracket :math:`[\log\kappa_{\rm edge},\ \log\kappa_{\rm hi}]` (bisection whenever Newton leaves
it). :math:`dh/ds=1+\frac{\mathrm{Df}_1-\mathrm{Df}_2}{P-\mathrm{Df}_1}+\sum_\ell t_\ell`,
:math:`t_\ell=\frac{\mathrm{Df}_1-\mathrm{Df}_2}{N_\ell-\mathrm{Df}_1}` (isotropic) or
:math:`\frac{(\mathrm{Df}_1-\mathrm{Df}_2)\mathrm{Df}^F_2}{\mathrm{Df}_1(\mathrm{Df}_1-
\mathrm{Df}^F_2)}` (anisotropic; :math:`\mathrm{Df}^F_2` at κ_F). The inner equation for
κ_F is solved the same way (safeguarded Newton on :math:`\log\mathrm{Df}^F_1(e^t)=\log
\mathrm{Df}_1`, bracket :math:`[\eta^F_{\min}(N-\mathrm{Df}_1)/\mathrm{Df}_1,\
\mathrm{Tr}\Sigma_F/\mathrm{Df}_1]`), warm-started from the previous outer iterate, with
exact (blocked) sums over the N feature eigenvalues.

**Continuation.** Grid points are grouped into lines along one parameter (the ridge when it
takes several values, else P, else N) with every other parameter fixed; each line is solved
in order, Newton warm-started by linear extrapolation (in log κ₂ vs the log of the
parameter) from the two previous solutions. ``iterations`` reports the Newton iterations per
point and ``converged`` whether the iteration (and every inner κ_F solve) stopped before its
cap; ``continuation=False`` solves every point from the cold start (the bracket) instead.

Then, with :math:`\rho=1/(1+\sum_\ell t_\ell)` (= d log κ₂/d log κ₁),
:math:`\gamma_2=\mathrm{Df}_2/P`,
:math:`\gamma_1=[\mathrm{Df}_1-(\mathrm{Df}_1-\mathrm{Df}_2)\rho]/P`:
E_g = [κ₂²tf₁′ρ + κ₂tf₁(1−ρ)]/(1−γ₁) + σ²γ₁/(1−γ₁), E_tr = (λ/κ₁)²(E_g + σ²) (with
λ/κ₁ = 1 − Df₁/P, finite at λ = 0), and the
fine-grained terms Bias² = κ₂²tf₁′, Var_X = Bias²γ₂/(1−γ₂), Var_F = (1−ρ)κ₂tf₂,
Var_XF = signal − Bias² − Var_X − Var_F, Var_Xε = σ²γ₂/(1−γ₂), Var_XFε = σ²γ₁/(1−γ₁) − Var_Xε.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from .ridge import MAXIT, _edge, _sums, prepare_sums, sums_at
from .spectral_sums import NFUNC

LAYER_NORMS = ("D", "fan_in")
FBLOCK = 256  # feature modes per partial sum
FeatureSpectrum = np.ndarray | Callable[[int], np.ndarray]


# ============================================================================ kernels
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
    """κ₂ at every point; points ``order[line_ptr[l]:line_ptr[l+1]]`` form line l, solved in
    that order (warm-started when ``warm``). Layer 0 is anisotropic where ``flen > 0``."""
    n = Ps.size
    L = Ns.shape[1]
    kappa2 = np.empty(n)
    kappaF = np.zeros(n)
    df2F = np.zeros(n)
    gapF = np.zeros(n)
    iters = np.zeros(n, dtype=np.int64)
    fiters = np.zeros(n, dtype=np.int64)
    ok = np.ones(n, dtype=np.bool_)
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
                                logb += np.log(u / D) + tF
                                tsum += dd * d2 / (u * gap) if gap > 0.0 else np.inf
                            else:
                                logb += np.log(b / D)
                                tsum += dd / b
                    if bmin <= 0.0:  # below the edge (rounding): bisect upwards
                        lo = w
                        w = 0.5 * (lo + hi)
                        continue
                    a = 1.0 - u / P
                    H = s + np.log(a) + logb - np.log(lam)
                    if H > 0:
                        hi = w
                    else:
                        lo = w
                    dH = (1.0 + dd / (P * a) + tsum) * ds
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
    return kappa2, kappaF, df2F, gapF, iters, fiters, ok


# ============================================================================ drivers
def _lines(
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


def _feature_layout(feature_spectrum: FeatureSpectrum, Nflat: np.ndarray) -> tuple:
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


def _theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    widths: np.ndarray,
    ridge: np.ndarray,
    noise: float,
    feature_spectrum: FeatureSpectrum | None = None,
    continuation: bool = True,
    layer_norm: str = "D",
) -> dict[str, np.ndarray]:
    """Shared driver of :func:`rf_theory`, :func:`deep_rf_theory`, :func:`rf_structured_theory`."""
    if layer_norm not in LAYER_NORMS:
        raise ValueError(f"layer_norm must be one of {LAYER_NORMS}, not {layer_norm!r}")
    eta = np.ascontiguousarray(eigenvalues, dtype=float)
    power = np.ascontiguousarray(target_power, dtype=float)
    W = np.asarray(widths, dtype=float)
    if W.ndim == 0:
        W = W[None]
    Pb, Lb = np.broadcast_arrays(np.asarray(P, dtype=float), np.asarray(ridge, dtype=float))
    shape = np.broadcast_shapes(Pb.shape, W.shape[:-1])
    Pb, Lb = np.broadcast_to(Pb, shape), np.broadcast_to(Lb, shape)
    W = np.broadcast_to(W, shape + W.shape[-1:])
    Ps, lams = (np.ascontiguousarray(a.ravel()) for a in (Pb, Lb))
    Ns = np.ascontiguousarray(W.reshape(-1, W.shape[-1]))
    n, L = Ns.shape
    D = eta.size
    trace = float(eta.sum())
    # layers N(0, 1/N_{l-1}): F = c F_D with c^2 = prod_{l<L} D/N_l, the same fit as F_D at
    # ridge lambda prod_{l<L} N_l/D (note §9.1); kappa_1 scales by c^2
    scale = np.prod(Ns[:, :-1] / D, axis=1) if layer_norm == "fan_in" else np.ones(n)
    lam_eff = lams * scale
    aniso = feature_spectrum is not None
    if aniso:
        if L != 1:
            raise ValueError("anisotropic weights are implemented for one layer")
        fdata, fstart, flen, ftr, fmin, fmax = _feature_layout(feature_spectrum, Ns[:, 0])
        # at this kappa_2 every factor of h is large enough (see the module docstring)
        k_hi = trace / Ps + 2.0 * fmax * trace / ftr + 2.0 * lam_eff * D / ftr
    else:
        fdata, fstart, flen = np.ones(1), np.zeros(n, np.int64), np.zeros(n, np.int64)
        ftr, fmin = np.ones(n), np.ones(n)
        k_hi = trace / Ps + trace * np.sum(1 / Ns, axis=1) + lam_eff * np.prod(D / Ns, axis=1)
    table, taylor, k_lo = prepare_sums(eta, power, 2.0 * float(np.max(k_hi)))
    order, line_ptr, xs = _lines(Ps, Ns, lams, continuation)

    def f64(a: np.ndarray) -> np.ndarray:  # one array type for the kernel: no recompiles
        return np.require(a, np.float64, ("C", "W", "O"))

    def i64(a: np.ndarray) -> np.ndarray:
        return np.require(a, np.int64, ("C", "W", "O"))

    k2, kF, d2F, gapF, iters, fiters, ok = _solve_lines(
        table.coeffs, table.s0, table.h, float(k_lo), f64(taylor), int(D), trace, f64(Ps),
        f64(Ns), f64(lam_eff), f64(np.log(k_hi) + 1e-12), f64(xs), f64(fdata), i64(fstart),
        i64(flen), f64(ftr), f64(fmin), i64(order), i64(line_ptr), bool(continuation),
    )  # fmt: skip
    df1, df2, tf1, tf1p, tf2 = sums_at(table, taylor, k_lo, k2)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = df1 - df2
        # On the solution λ/κ₁ = 1 − Df₁/P (the κ₂ equation). Near an edge one of the two
        # sides cancels: 1 − Df₁/P when P is the bottleneck (Df₁ ≈ P), the width factor
        # when a width is (Df₁ ≈ N). Take each quantity from the side without cancellation.
        gap_P = 1.0 - df1 / Ps
        gap_N = np.min(1.0 - df1[:, None] / Ns, axis=1)
        width_tight = (lam_eff > 0) & (gap_N <= gap_P)
        if aniso:
            k1 = np.where(width_tight, lam_eff / gap_P, k2 * df1 / D * kF)
            t_sum = np.where(gapF > 0, dd * d2F / (df1 * gapF), np.inf)
        else:
            widths_left = np.maximum(Ns - df1[:, None], 0.0)  # 0 on a width edge (ridgeless)
            k1 = np.where(width_tight, lam_eff / gap_P, k2 * np.prod(widths_left / D, axis=1))
            # the tightest layer's N - Df1 from the equation: prod_l (N_l - Df1)/D = k1/k2
            rows = np.flatnonzero(width_tight)
            if rows.size:
                j = np.argmin(Ns[rows], axis=1)
                rest = np.prod(widths_left[rows] / D, axis=1) / (widths_left[rows, j] / D)
                widths_left[rows, j] = D * (k1[rows] / k2[rows]) / rest
            t_sum = dd * np.sum(1.0 / widths_left, axis=1)
        use_k1 = (lam_eff > 0) & ~width_tight & (k1 > 0)
        inv_S = np.where(use_k1, lam_eff / k1, np.maximum(gap_P, 0.0))
        k1 = k1 / scale
        rho = 1.0 / (1.0 + t_sum)
        g2 = df2 / Ps
        g1 = (df1 - dd * rho) / Ps
        # interpolation threshold (ridgeless, P = min width, or P = D): gamma_1 -> 1, E_g = inf
        g1 = np.where(g1 > 1.0 - 1e-10, 1.0, g1)
        signal = (k2**2 * tf1p * rho + k2 * tf1 * (1 - rho)) / (1 - g1)
        bias2 = k2**2 * tf1p
        var_x = bias2 * g2 / (1 - g2)
        var_f = (1 - rho) * k2 * tf2
        var_xe = noise * g2 / (1 - g2)
        noise_part = noise * g1 / (1 - g1)
        test = np.where(g1 >= 1.0, np.inf, signal + noise_part)
        train = np.where(inv_S > 0, inv_S**2 * (test + noise), 0.0)  # interpolation: E_tr = 0
        var_xf = np.where(np.isfinite(test), signal - bias2 - var_x - var_f, np.inf)
        var_xfe = np.where(np.isfinite(test), noise_part - var_xe, np.inf)
    out = {
        "kappa1": k1, "kappa2": k2, "df1": df1, "df2": df2, "gamma1": g1, "gamma2": g2,
        "rho": rho, "bias2": bias2, "var_x": var_x, "var_f": var_f,
        "var_xf": var_xf, "var_xe": var_xe,
        "var_xfe": var_xfe, "test_error": test, "train_error": train,
        "iterations": iters, "converged": ok,
    }  # fmt: skip
    if aniso:
        out.update(kappa_F=kF, df2_F=d2F, feature_iterations=fiters)
    return {k: v.reshape(shape) for k, v in out.items()}


def rf_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    N: np.ndarray,
    ridge: np.ndarray,
    noise: float = 0.0,
    feature_spectrum: FeatureSpectrum | None = None,
    continuation: bool = True,
) -> dict[str, np.ndarray]:
    """Deterministic equivalent of linear random features at broadcast (P, N, ridge) points.

    Returns a dict of arrays with the broadcast shape: kappa1, kappa2, df1, df2, gamma1,
    gamma2, rho, bias2, var_x, var_f, var_xf, var_xe, var_xfe, test_error, train_error,
    iterations (Newton iterations per point), converged (bool).

    ``feature_spectrum``: anisotropic weights F = Z Σ_F^{1/2}/√D (note §9.3), either an array
    whose first N entries are the eigenvalues of Σ_F at width N (N must then be integers), or
    a callable N → the N eigenvalues; adds kappa_F (Df₁^F(κ_F) = Df₁(κ₂)), df2_F (Df₂^F at
    κ_F) and feature_iterations (inner Newton iterations per point).
    ``continuation=False`` solves every point from a cold start (same answers, more
    iterations)."""
    return _theory(
        eigenvalues, target_power, P, np.asarray(N, float)[..., None], ridge, noise,
        feature_spectrum, continuation,
    )  # fmt: skip


def deep_rf_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    widths: np.ndarray,
    ridge: np.ndarray,
    noise: float = 0.0,
    layer_norm: str = "D",
    continuation: bool = True,
) -> dict[str, np.ndarray]:
    r"""Deep linear random features F = F₁⋯F_L, F_ℓ ∈ ℝ^{N_{ℓ−1}×N_ℓ}, N₀ = D (note §9.1).

    ``layer_norm="D"`` (default): every layer's entries N(0, 1/D), the normalization under
    which the S-product is exact:
    :math:`\kappa_2(1-\mathrm{Df}_1/P)\prod_\ell(N_\ell-\mathrm{Df}_1)/D=\lambda`,
    :math:`\kappa_1=\kappa_2\prod_\ell(N_\ell-\mathrm{Df}_1)/D`,
    :math:`\rho^{-1}=1+(\mathrm{Df}_1-\mathrm{Df}_2)\sum_\ell 1/(N_\ell-\mathrm{Df}_1)`.
    ``layer_norm="fan_in"``: layer ℓ has entries N(0, 1/N_{ℓ−1}). Then F = cF_D with
    :math:`c^2=\prod_{\ell<L}D/N_\ell`, and the fit is the "D" one at ridge
    :math:`\lambda\prod_{\ell<L}N_\ell/D`: same κ₂, E_g, E_tr and terms there, and κ₁
    (the ridge of the feature Gram c²Φ_DΦ_Dᵀ) is c² times the "D" one.
    ``widths`` has a last axis of length L (the layers); other axes broadcast with P, ridge."""
    return _theory(
        eigenvalues, target_power, P, widths, ridge, noise, None, continuation, layer_norm
    )


def rf_structured_theory(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: np.ndarray,
    feature_spectrum: FeatureSpectrum,
    ridge: np.ndarray,
    noise: float = 0.0,
    N: np.ndarray | None = None,
    continuation: bool = True,
) -> dict[str, np.ndarray]:
    r"""Random features with anisotropic weights :math:`F=Z\Sigma_F^{1/2}/\sqrt D`
    (theory note §9.3, derived there and checked by simulation; ``derive("rf.kappa_anisotropic")``).
    With :math:`\mathrm{Df}^F_1(\kappa_F)=\sum_j\eta^F_j/(\eta^F_j+\kappa_F)`:

    .. math:: \kappa_2\Big(1-\frac{\mathrm{Df}_1}{P}\Big)\frac{\mathrm{Df}_1}{D}\,\kappa_F=\lambda,
              \quad \mathrm{Df}^F_1(\kappa_F)=\mathrm{Df}_1(\kappa_2),\quad
              \kappa_1=\kappa_2\frac{\mathrm{Df}_1}{D}\kappa_F,

    :math:`\rho^{-1}=1-(\mathrm{Df}_1-\mathrm{Df}_2)\big[\frac{1}{\mathrm{Df}_1}-
    \frac{1}{\mathrm{Df}_1-\mathrm{Df}^F_2(\kappa_F)}\big]`; the rest as for isotropic F
    (Σ_F = I gives back :func:`rf_theory`). Broadcast (P, N, ridge) grids; ``N`` defaults to
    ``len(feature_spectrum)`` (an array's first N entries are Σ_F at width N; see
    :func:`rf_theory`). ``ridge = 0`` is the ridgeless limit. Compiled nested safeguarded
    Newton (κ₂ outside, κ_F inside) with continuation; returns every key of
    :func:`rf_theory` plus kappa_F, df2_F, feature_iterations."""
    if N is None:
        if callable(feature_spectrum):
            raise ValueError("give N when feature_spectrum is a callable")
        N = float(np.size(feature_spectrum))
    return rf_theory(eigenvalues, target_power, P, N, ridge, noise, feature_spectrum, continuation)


def rf_structured_theory_brentq(
    eigenvalues: np.ndarray,
    target_power: np.ndarray,
    P: float,
    feature_spectrum: np.ndarray,
    ridge: float,
    noise: float = 0.0,
) -> dict[str, float]:
    r"""Scalar reference for :func:`rf_structured_theory` (the first implementation, kept for
    cross-checks): nested bracketed root finding (scipy ``brentq`` in log κ) on exact sums,
    N = len(feature_spectrum), ``ridge`` > 0."""
    from scipy.optimize import brentq

    from .spectral_sums import exact_sums

    eta = np.ascontiguousarray(eigenvalues, dtype=float)
    power = np.ascontiguousarray(target_power, dtype=float)
    eF = np.asarray(feature_spectrum, dtype=float)
    D, N, P, lam = eta.size, eF.size, float(P), float(ridge)
    if lam <= 0:
        raise ValueError("structured random features need ridge > 0")

    def sums(k: float) -> np.ndarray:
        return exact_sums(eta, power, np.array([k]))[:, 0]

    def kappa_F(target: float) -> float:
        # Df1_F decreases from N (kappa_F = 0) to 0: solve Df1_F(kappa_F) = target < N
        g = lambda u: np.sum(eF / (eF + np.exp(u))) - target  # noqa: E731
        lo, hi = np.log(eF.min()) - 60.0, np.log(eF.sum() / target) + 1.0
        return float(np.exp(brentq(g, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)))

    level = min(P, N)
    trace = float(eta.sum())
    # kappa_2 edge: Df1(kappa_2) = level (none if D <= level)
    if D > level:
        edge = np.exp(
            brentq(
                lambda u: sums(np.exp(u))[0] - level,
                np.log(1e-9 * eta.min()),
                np.log(2 * trace / level + eta.max()),
                xtol=1e-15,
                rtol=1e-15,
            )
        )
    else:
        edge = 0.0

    def H(u: float) -> float:
        s = sums(np.exp(u))
        if s[0] >= level:
            return -np.inf
        return u + np.log(1 - s[0] / P) + np.log(s[0] / D) + np.log(kappa_F(s[0])) - np.log(lam)

    lo = np.log(edge) + 1e-13 if edge > 0 else np.log(1e-9 * eta.min())
    hi = np.log(trace / P + trace + lam * D + eta.max())
    while H(hi) < 0:
        hi += 2.0
    lo_val = H(lo)
    while not np.isfinite(lo_val) or lo_val > 0:
        lo = lo + 1e-9 if not np.isfinite(lo_val) else lo - 2.0
        lo_val = H(lo)
    k2 = float(np.exp(brentq(H, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)))
    df1, df2, tf1, tf1p, tf2 = sums(k2)
    kF = kappa_F(df1)
    dfF2 = float(np.sum((eF / (eF + kF)) ** 2))
    k1 = k2 * df1 / D * kF
    rho = 1.0 / (1.0 - (df1 - df2) * (1.0 / df1 - 1.0 / (df1 - dfF2)))
    g2 = df2 / P
    g1 = (df1 - (df1 - df2) * rho) / P
    signal = (k2**2 * tf1p * rho + k2 * tf1 * (1 - rho)) / (1 - g1)
    noise_part = noise * g1 / (1 - g1)
    test = signal + noise_part
    bias2 = k2**2 * tf1p
    var_x = bias2 * g2 / (1 - g2)
    var_f = (1 - rho) * k2 * tf2
    var_xe = noise * g2 / (1 - g2)
    return {
        "kappa1": k1, "kappa2": k2, "kappa_F": kF, "df1": df1, "df2": df2, "gamma1": g1,
        "gamma2": g2, "rho": rho, "bias2": bias2, "var_x": var_x, "var_f": var_f,
        "var_xf": signal - bias2 - var_x - var_f, "var_xe": var_xe,
        "var_xfe": noise_part - var_xe, "test_error": test,
        "train_error": (lam / k1) ** 2 * (test + noise),
    }  # fmt: skip
