r"""The scalar chain f(a) = (∏a − ∏a(0))/γ trained by GD, and its largest convergent step.

Definitions, convergence criterion and the bracket/bisection search: the
``rmtscale.simulate.deep_linear`` package docstring (symmetric start a(0) = 1:
:math:`\eta_{\max}=2\gamma^2/(L(1+\gamma)^{2-2/L})`).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ...errors import ParameterError
from .checks import (
    _BUDGET,
    _CONVERGED,
    _FAILED,
    _MAX_BRACKET,
    DIVERGED,
    _as_int,
    _check_pos,
    _check_steps,
    _gammas,
)


# ============================================================================ scalar chain
@numba.njit(cache=True)
def _chain_run(a0, y, gamma, eta, steps, tol, d):
    """GD on the scalar chain from a0; returns 1 converged, 0 out of budget, −1 diverged.

    The state is the displacement d = a − a(0) (no cancellation in ∏a − ∏a(0) at γ ≪ 1):
    ∏a − ∏a(0) = Σ_ℓ (∏_{m<ℓ} a_m) d_ℓ (∏_{m>ℓ} a_m(0))."""
    L = a0.size
    for i in range(L):
        d[i] = 0.0
    g = np.empty(L)
    suf0 = np.empty(L + 1)  # suf0[i] = prod_{m >= i} a0_m
    suf0[L] = 1.0
    for i in range(L - 1, -1, -1):
        suf0[i] = suf0[i + 1] * a0[i]
    for _ in range(steps + 1):
        # centred output, and g_l = prod_{m != l} a_m by prefix/suffix products
        pre = 1.0
        dp = 0.0
        for i in range(L):
            g[i] = pre
            dp += pre * d[i] * suf0[i + 1]
            pre *= a0[i] + d[i]
        suf = 1.0
        for i in range(L - 1, -1, -1):
            g[i] *= suf
            suf *= a0[i] + d[i]
        r = dp / gamma - y
        if not (abs(r) <= DIVERGED):
            return _FAILED
        if abs(r) < tol:
            return _CONVERGED
        s = eta * r / gamma
        for i in range(L):
            d[i] -= s * g[i]
    return _BUDGET


@numba.njit(cache=True)
def _chain_search(a0, y, gamma, steps, tol, rtol):
    """Largest convergent η for one γ: (lo, hi, trials)."""
    L = a0.size
    a = np.empty(L)
    lam0 = 0.0
    for i in range(L):
        g = 1.0
        for m in range(L):
            if m != i:
                g *= a0[m]
        lam0 += g * g
    lam0 /= gamma * gamma
    eta = 2.0 / lam0 if lam0 > 0 else 1.0
    trials = 1
    bracketed = False
    if _chain_run(a0, y, gamma, eta, steps, tol, a) == _CONVERGED:
        lo = eta
        hi = 2.0 * eta
        for _ in range(_MAX_BRACKET):
            trials += 1
            if _chain_run(a0, y, gamma, hi, steps, tol, a) != _CONVERGED:
                bracketed = True
                break
            lo = hi
            hi *= 2.0
    else:
        hi = eta
        lo = 0.25 * eta
        for _ in range(_MAX_BRACKET):
            trials += 1
            if _chain_run(a0, y, gamma, lo, steps, tol, a) == _CONVERGED:
                bracketed = True
                break
            hi = lo
            lo *= 0.25
    if not bracketed:
        return np.nan, np.nan, trials
    while hi > lo * (1.0 + rtol):
        mid = math.sqrt(lo * hi)
        if mid <= lo or mid >= hi:
            break
        trials += 1
        if _chain_run(a0, y, gamma, mid, steps, tol, a) == _CONVERGED:
            lo = mid
        else:
            hi = mid
    return lo, hi, trials


@numba.njit(cache=True)
def _chain_grid(a0s, y, gammas, steps, tol, rtol, lo_out, hi_out):
    n = gammas.size
    for k in range(a0s.shape[0] * n):
        i = k // n
        j = k % n
        lo, hi, _ = _chain_search(a0s[i], y, gammas[j], steps, tol, rtol)
        lo_out[i, j] = lo
        hi_out[i, j] = hi


def chain_converges(
    gamma: float,
    eta: float,
    depth: int | None = None,
    a0=None,
    y: float = 1.0,
    steps: int = 20000,
    tol: float = 1e-10,
) -> int:
    """Run GD on the scalar chain once: 1 converged (|f − y| < tol within ``steps``),
    0 not yet converged, −1 diverged. ``a0`` defaults to ones of length ``depth``."""
    a0 = _chain_start(depth, a0)
    g = _check_pos("gamma", gamma)
    e = _check_pos("eta", eta)
    n = _check_steps(steps)
    t = _check_pos("tol", tol)
    return int(_chain_run(a0, float(y), g, e, n, t, np.empty(a0.size)))


def chain_eta_max(
    gamma,
    depth: int | None = None,
    a0=None,
    y: float = 1.0,
    steps: int = 20000,
    tol: float = 1e-10,
    rtol: float = 1e-9,
) -> np.ndarray:
    """Largest convergent raw GD step of the scalar chain, by bisection (module docstring).

    ``gamma``: a number or 1-D array (> 0). ``a0``: the start, a 1-D array (one chain) or a 2-D
    array (one chain per row; the result then has shape (rows, len(gamma))); default ones of
    length ``depth`` (the symmetric start). Returns an array shaped like ``gamma`` (or
    (rows, len(gamma)))."""
    g = _gammas(gamma)
    starts = None
    if a0 is not None:
        try:
            starts = np.asarray(a0, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError("a0", "must be an array of finite numbers", a0) from None
    if starts is not None and starts.ndim == 2:
        a0s = np.ascontiguousarray(np.stack([_chain_start(depth, r) for r in starts]))
    else:
        a0s = _chain_start(depth, starts)[None, :]
    n = _check_steps(steps)
    t = _check_pos("tol", tol)
    rt = _check_pos("rtol", rtol)
    lo = np.empty((a0s.shape[0], g.size))
    hi = np.empty_like(lo)
    _chain_grid(a0s, float(y), g, n, t, rt, lo, hi)
    if starts is not None and starts.ndim == 2:
        return lo
    out = lo[0]
    return out if np.ndim(gamma) else out.reshape(())


def _chain_start(depth, a0) -> np.ndarray:
    if a0 is None:
        if depth is None:
            raise ParameterError("depth", "must be an integer >= 1 (or give a0)")
        return np.ones(_as_int("depth", depth, 1))
    try:
        a = np.ascontiguousarray(np.asarray(a0, dtype=float).ravel())
    except (TypeError, ValueError):
        raise ParameterError("a0", "must be a non-empty array of finite numbers", a0) from None
    if a.size < 1 or not np.all(np.isfinite(a)):
        raise ParameterError("a0", "must be a non-empty array of finite numbers", a0)
    if depth is not None and a.size != _as_int("depth", depth, 1):
        raise ParameterError("a0", f"must have depth={depth} entries", a0)
    return a
