r"""Deep linear models trained by plain gradient descent, and their largest convergent step.

Two models, both with the output **centred** (zero at initialisation) and **divided by γ**,
the feature-learning strength of Atanasov–Meterez–Simon–Pehlevan (arXiv 2410.04642; γ ≪ 1
lazy, γ = 1 μP / mean field, γ ≫ 1 "ultra-rich"; ``shared/theory/dynamics_and_exponents.md``
§4 and pitfalls 7–9). Both are trained by full-batch GD on ½(f − y)² with a **raw** step η
(stated per model below), and time counts steps.

The scalar chain (the theory's toy model)
    One datum x = 1, target y, parameters a ∈ ℝᴸ:
    :math:`f(a)=(\prod_\ell a_\ell-\prod_\ell a_\ell(0))/\gamma`,
    :math:`a_\ell\leftarrow a_\ell-\eta\,(f-y)\,\partial f/\partial a_\ell`
    (η is the raw GD step). Default start a_ℓ(0) = 1, y = 1 (the symmetric start, for which
    :math:`\eta_{\max}=2\gamma^2/(L(1+\gamma)^{2-2/L})`). A run **converges** when
    :math:`|f-y|<` ``tol`` within ``steps`` updates; it is stopped as divergent when
    :math:`|f-y|` is non-finite or exceeds 1e30. :func:`chain_eta_max` bisects on that
    predicate (the theory note §4.5 uses tol = 1e−10 and 2×10⁴ steps).

The width-N network (:func:`network_eta_max`, :func:`train_network`)
    Task: linear regression on whitened Gaussian inputs x ~ N(0, I_D) with target
    y = w̄·x (no noise; w̄ = e₁ by default, ‖w̄‖ = 1, the toy's y = 1), trained on the
    **population** loss :math:`\mathcal L=\tfrac12\mathbb E(f(x)-y)^2=\tfrac12\lVert
    w_{\rm eff}-\bar w\rVert^2` (full-batch GD with the exact population gradient; nothing is
    sampled but the initialisation). Depth L ≥ 2, width N:

    .. math:: f(x)=\frac{v^\top W_{L-1}\cdots W_2W_1x-v_0^\top W_{L-1}(0)\cdots W_1(0)x}
              {\gamma N},\qquad w_{\rm eff}=\frac{(M-M_0)^\top}{\gamma N},\quad
              M=v^\top W_{L-1}\cdots W_1,

    with :math:`W_1\in\mathbb R^{N\times D}` (entries N(0, 1/D)), hidden
    :math:`W_\ell\in\mathbb R^{N\times N}`, ℓ = 2 … L−1 (entries N(0, 1/N)) and the readout
    :math:`v\in\mathbb R^N` (entries N(0, 1), used with the 1/(γN) factor). This is μP
    (Yang & Hu's Table 3 for SGD: input layer variance 1/fan_in and learning rate η·N, hidden
    layers variance 1/N and learning rate η, readout variance 1/N² and learning rate η/N, our
    v being N × that readout), with the output further divided by γ and centred (paper 3's
    parameterisation, pitfall 8). The updates, simultaneous, with
    :math:`e=w_{\rm eff}-\bar w`:

    .. math:: v\leftarrow v-\frac\eta\gamma\,W_{L-1}\cdots W_1e,\qquad
              W_1\leftarrow W_1-\frac\eta\gamma\,b_1e^\top,\qquad
              W_\ell\leftarrow W_\ell-\frac{\eta}{\gamma N}\,b_\ell\,(W_{\ell-1}\cdots W_1e)^\top,

    :math:`b_\ell=W_{\ell+1}^\top\cdots W_{L-1}^\top v` (each is the gradient of ½‖e‖²
    times the layer's μP rate). For L = 2 it is :mod:`rmtscale.simulate.sgd`'s ``two_layer`` model
    (there ``lr`` = η) on population GD with Σ = I. At γ → 0 the dynamics is linear with the
    initial NTK :math:`K_0\approx(1+(L-1)/D)\,I/\gamma^2`, so the stable η ∝ γ²; at γ ≫ 1 the
    weights must grow by γ^{1/L} per layer (balancedness), the sharpness at the solution is
    ∝ γ^{−2/L}, and η_max ∝ γ^{2/L}.

    A run **converges** when :math:`\lVert e\rVert<` ``tol``·‖w̄‖ within ``steps`` updates. It
    **fails** as soon as the loss exceeds ``max_rise`` × its initial value ½‖w̄‖² (or is
    non-finite, or exceeds 1e30). With the default ``max_rise = 1`` a run may never do worse
    than the zero predictor it starts from: this excludes catapults (at γ ≪ 1 a step a little
    above the edge of stability can still converge after a loss spike of size ~1/γ² that
    flattens the network); ``max_rise = inf`` counts them as convergent.

Largest convergent step (both models)
    Per (run, γ): start from the initial edge of stability η₀ = 2/λ₀ (λ₀ the top eigenvalue
    of the initial NTK; for the chain ‖∇f(a(0))‖²); if η₀ converges, double until a step fails,
    else divide by 4 until one converges (at most 40 times each; NaN when no bracket is found,
    e.g. when no step converges within the budget); then bisect in log η until
    hi/lo < 1 + ``rtol``. The value returned is ``lo``, the largest step seen to converge (so
    it is below the true boundary by at most a factor 1 + rtol, plus the finite-``steps``
    bias: within T steps a step at relative distance δ below the edge contracts the error by
    ~(1 − 2δ)^T only).
    The predicate is assumed monotone in η (checked in the tests on grids).

Random streams
    Run r of a call with ``seed`` uses stream r + ``run_offset`` of
    :func:`~rmtscale.simulate.xoroshiro.init_states` (``init_states(runs, seed, run_offset)``):
    it draws, with ``normal_f64``, W₁ row by row (N rows of D normals, divided by √D), then each
    hidden W_ℓ, ℓ = 2 … L−1, row by row (divided by √N), then v (N normals). Nothing else is
    random, every γ of a run uses the same initial network (so the fitted slope of one run has
    no init-to-init noise in its prefactor), and results do not depend on ``runs`` batching or
    thread scheduling.

Cost
    One GD step of the network: O(3(L−2)N² + 3ND) flops; memory per concurrently running
    (run, γ) pair: 8 bytes × ((L−2)N² + N(D + L + 1)). Pairs run in parallel over numba
    threads (``prange``). A CUDA kernel is not provided (the sweep is CPU-bound but cheap:
    see ``benchmarks/optimal_lr_sweep.py``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numba
import numpy as np
from numba import prange

from ..errors import ParameterError
from .xoroshiro import init_states, normal_f64

DIVERGED = 1e30
#: Bound on the memory of the initial networks of one call (bytes).
MEMORY_BUDGET_BYTES = 8 * 2**30

_CONVERGED, _BUDGET, _FAILED = 1, 0, -1
_MAX_BRACKET = 40  # doublings / quarterings of the bracket search before giving up (NaN)


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


# ============================================================================ network
@numba.njit(cache=True)
def _draw_network(states, r, D, N, L, W1, Wh, v):
    sd = 1.0 / math.sqrt(D)
    sn = 1.0 / math.sqrt(N)
    for i in range(N):
        for k in range(D):
            W1[i, k] = sd * normal_f64(states, r)
    for h in range(L - 2):
        for i in range(N):
            for j in range(N):
                Wh[h, i, j] = sn * normal_f64(states, r)
    for i in range(N):
        v[i] = normal_f64(states, r)


@numba.njit(cache=True)
def _draw_networks(states, D, N, L, W1s, Whs, vs, M0s):
    for r in range(W1s.shape[0]):
        _draw_network(states, r, D, N, L, W1s[r], Whs[r], vs[r])
        Bv = np.empty((L - 1, N))
        _backward(Whs[r], vs[r], Bv)
        _end_to_end(W1s[r], Bv, M0s[r])


@numba.njit(cache=True)
def _backward(Wh, v, Bv):
    """Bv[j] = ∂(v·h_{L−1})/∂h_{j+1}, j = 0 … L−2 (Bv[L−2] = v)."""
    nh = Wh.shape[0]
    N = v.size
    for i in range(N):
        Bv[nh, i] = v[i]
    for j in range(nh, 0, -1):
        W = Wh[j - 1]
        for i in range(N):
            Bv[j - 1, i] = 0.0
        for a in range(N):
            ba = Bv[j, a]
            Wa = W[a]
            for i in range(N):
                Bv[j - 1, i] += ba * Wa[i]


@numba.njit(cache=True)
def _end_to_end(W1, Bv, M):
    """M = W1ᵀ Bv[0] (the row vector vᵀ W_{L−1}⋯W₁)."""
    N, D = W1.shape
    for k in range(D):
        M[k] = 0.0
    for i in range(N):
        b = Bv[0, i]
        for k in range(D):
            M[k] += b * W1[i, k]


@numba.njit(cache=True)
def _net_loss_e(W1, Wh, v, M0, wbar, gamma, Bv, M, e):
    """Fill Bv, M, e = w_eff − w̄; return the loss ½‖e‖²."""
    _backward(Wh, v, Bv)
    _end_to_end(W1, Bv, M)
    N = v.size
    inv = 1.0 / (gamma * N)
    s = 0.0
    for k in range(M.size):
        e[k] = (M[k] - M0[k]) * inv - wbar[k]
        s += e[k] * e[k]
    return 0.5 * s


@numba.njit(cache=True)
def _net_step(W1, Wh, v, e, Bv, C, eta, gamma):
    """One simultaneous GD update (Bv must hold the current backward vectors)."""
    N, D = W1.shape
    nh = Wh.shape[0]
    # forward of e with the old weights: C[0] = W1 e, C[j] = Wh[j−1] C[j−1]
    for i in range(N):
        s = 0.0
        for k in range(D):
            s += W1[i, k] * e[k]
        C[0, i] = s
    for j in range(1, nh + 1):
        W = Wh[j - 1]
        for i in range(N):
            s = 0.0
            Wi = W[i]
            for a in range(N):
                s += Wi[a] * C[j - 1, a]
            C[j, i] = s
    s1 = eta / gamma
    # readout: v -= (η/γ) C[L−2]
    for i in range(N):
        v[i] -= s1 * C[nh, i]
    # input layer: W1 -= (η/γ) Bv[0] eᵀ
    for i in range(N):
        bi = s1 * Bv[0, i]
        for k in range(D):
            W1[i, k] -= bi * e[k]
    # hidden layers: Wh[h] -= (η/(γN)) Bv[h+1] C[h]ᵀ
    s2 = eta / (gamma * N)
    for h in range(nh):
        W = Wh[h]
        for i in range(N):
            bi = s2 * Bv[h + 1, i]
            Wi = W[i]
            for a in range(N):
                Wi[a] -= bi * C[h, a]


@numba.njit(cache=True)
def _net_run(W1_0, Wh_0, v_0, M0, wbar, gamma, eta, steps, tol, max_rise, W1, Wh, v, Bv, C, M, e):
    """One GD run from the stored init; returns (status, steps used)."""
    W1[:, :] = W1_0
    Wh[:, :, :] = Wh_0
    v[:] = v_0
    loss0 = 0.0
    for k in range(wbar.size):
        loss0 += wbar[k] * wbar[k]
    loss0 *= 0.5
    ceiling = min(max_rise * loss0 * (1.0 + 1e-12), DIVERGED)
    tol_loss = 0.5 * tol * tol * (2.0 * loss0)
    for t in range(steps + 1):
        loss = _net_loss_e(W1, Wh, v, M0, wbar, gamma, Bv, M, e)
        if not (loss <= ceiling):
            return _FAILED, t
        if loss < tol_loss:
            return _CONVERGED, t
        if t == steps:
            break
        _net_step(W1, Wh, v, e, Bv, C, eta, gamma)
    return _BUDGET, steps


@numba.njit(cache=True)
def _net_search(W1_0, Wh_0, v_0, M0, wbar, gamma, eta0, steps, tol, max_rise, rtol):
    N, D = W1_0.shape
    nh = Wh_0.shape[0]
    W1 = np.empty((N, D))
    Wh = np.empty((nh, N, N))
    v = np.empty(N)
    Bv = np.empty((nh + 1, N))
    C = np.empty((nh + 1, N))
    M = np.empty(D)
    e = np.empty(D)
    trials = 1
    st, _ = _net_run(
        W1_0, Wh_0, v_0, M0, wbar, gamma, eta0, steps, tol, max_rise, W1, Wh, v, Bv, C, M, e
    )
    bracketed = False
    if st == _CONVERGED:
        lo = eta0
        hi = 2.0 * eta0
        for _ in range(_MAX_BRACKET):
            trials += 1
            st, _ = _net_run(
                W1_0, Wh_0, v_0, M0, wbar, gamma, hi, steps, tol, max_rise, W1, Wh, v, Bv, C, M, e
            )
            if st != _CONVERGED:
                bracketed = True
                break
            lo = hi
            hi *= 2.0
    else:
        hi = eta0
        lo = 0.25 * eta0
        for _ in range(_MAX_BRACKET):
            trials += 1
            st, _ = _net_run(
                W1_0, Wh_0, v_0, M0, wbar, gamma, lo, steps, tol, max_rise, W1, Wh, v, Bv, C, M, e
            )
            if st == _CONVERGED:
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
        st, _ = _net_run(
            W1_0, Wh_0, v_0, M0, wbar, gamma, mid, steps, tol, max_rise, W1, Wh, v, Bv, C, M, e
        )
        if st == _CONVERGED:
            lo = mid
        else:
            hi = mid
    return lo, hi, trials


@numba.njit(parallel=True, cache=True)
def _net_grid(
    W1s, Whs, vs, M0s, wbar, gammas, eta0s, steps, tol, max_rise, rtol, lo_out, hi_out, trials_out
):
    n = gammas.size
    for k in prange(W1s.shape[0] * n):
        r = k // n
        j = k % n
        lo, hi, tr = _net_search(
            W1s[r], Whs[r], vs[r], M0s[r], wbar, gammas[j], eta0s[r, j], steps, tol, max_rise, rtol
        )
        lo_out[r, j] = lo
        hi_out[r, j] = hi
        trials_out[r, j] = tr


@numba.njit(cache=True)
def _net_train(W1s, Whs, vs, M0s, wbar, gamma, eta, steps, loss_out):
    for r in range(W1s.shape[0]):
        N, D = W1s[r].shape
        nh = Whs[r].shape[0]
        W1 = W1s[r].copy()
        Wh = Whs[r].copy()
        v = vs[r].copy()
        Bv = np.empty((nh + 1, N))
        C = np.empty((nh + 1, N))
        M = np.empty(D)
        e = np.empty(D)
        for t in range(steps + 1):
            loss = _net_loss_e(W1, Wh, v, M0s[r], wbar, gamma, Bv, M, e)
            loss_out[r, t] = loss
            if not (loss <= DIVERGED):
                for tt in range(t + 1, steps + 1):
                    loss_out[r, tt] = np.inf
                break
            if t < steps:
                _net_step(W1, Wh, v, e, Bv, C, eta, gamma)


# ---------------------------------------------------------------------------- interface
@dataclass
class NetworkInit:
    """Initial weights of ``runs`` networks: W1 (runs, N, D), Wh (runs, L−2, N, N), v
    (runs, N), M0 = v₀ᵀW_{L−1}(0)⋯W₁(0) (runs, D) and κ₀ = γ²·λ_max(initial NTK) (runs,)."""

    W1: np.ndarray
    Wh: np.ndarray
    v: np.ndarray
    M0: np.ndarray
    kappa0: np.ndarray

    @property
    def depth(self) -> int:
        return self.Wh.shape[1] + 2

    @property
    def width(self) -> int:
        return self.v.shape[1]


def init_networks(
    runs: int, depth: int, width: int, D: int = 2, seed: int = 0, run_offset: int = 0
) -> NetworkInit:
    """Draw ``runs`` initial networks (stream layout in the module docstring)."""
    runs = _as_int("runs", runs, 1)
    L = _as_int("depth", depth, 2)
    N = _as_int("width", width, 1)
    D = _as_int("D", D, 1)
    seed = _as_int("seed", seed, 0)
    run_offset = _as_int("run_offset", run_offset, 0)
    per_run = 8.0 * ((L - 2) * N * N + N * (D + 1))
    if per_run * runs > MEMORY_BUDGET_BYTES:
        raise ParameterError(
            "width",
            f"makes {runs} initial networks need more than "
            f"{MEMORY_BUDGET_BYTES / 2**30:.0f} GiB (deep_linear.MEMORY_BUDGET_BYTES)",
        )
    states = init_states(runs, seed % 2**64, run_offset)
    W1 = np.empty((runs, N, D))
    Wh = np.empty((runs, L - 2, N, N))
    v = np.empty((runs, N))
    M0 = np.empty((runs, D))
    _draw_networks(states, D, N, L, W1, Wh, v, M0)  # M0 exactly as the training loop does
    kappa0 = np.array([_init_kernel(W1[r], Wh[r], v[r]) for r in range(runs)])
    return NetworkInit(W1, Wh, v, M0, kappa0)


def _init_kernel(W1, Wh, v) -> float:
    """γ²·λ_max of the initial NTK of w_eff (the D×D kernel of the GD map on e)."""
    N, D = W1.shape
    nh = Wh.shape[0]
    # backward vectors b (at h_1 … h_{L−1}) and forward maps C (N×D at h_1 … h_{L−1})
    bs = [None] * (nh + 1)
    bs[nh] = v
    for j in range(nh, 0, -1):
        bs[j - 1] = Wh[j - 1].T @ bs[j]
    Cs = [W1]
    for j in range(1, nh + 1):
        Cs.append(Wh[j - 1] @ Cs[-1])
    # K·γ²: readout (rate ηN): N·CᵀC; input (rate ηN): N·‖b₁‖² I; hidden h (rate η):
    # ‖b_{h+1}‖² C_hᵀC_h; all over N²
    K = N * Cs[nh].T @ Cs[nh] + N * float(bs[0] @ bs[0]) * np.eye(D)
    for h in range(nh):
        K += float(bs[h + 1] @ bs[h + 1]) * Cs[h].T @ Cs[h]
    K /= N * N
    return float(np.linalg.eigvalsh(K)[-1])


@dataclass
class EtaMaxResult:
    """Largest convergent raw step per (run, γ): ``eta`` = lo (converged), ``eta_hi`` (the
    smallest failing step found), ``trials`` (GD runs used), ``gammas``, ``elapsed_s``."""

    gammas: np.ndarray
    eta: np.ndarray
    eta_hi: np.ndarray
    trials: np.ndarray
    elapsed_s: float


def network_eta_max(
    gammas,
    *,
    depth: int,
    width: int,
    D: int = 2,
    runs: int = 8,
    seed: int = 0,
    run_offset: int = 0,
    steps: int = 2000,
    tol: float = 1e-6,
    max_rise: float = 1.0,
    rtol: float = 1e-2,
    init: NetworkInit | None = None,
) -> EtaMaxResult:
    """Largest convergent raw GD step η of the depth-L, width-N network (module docstring)
    for every γ in ``gammas`` and each of ``runs`` initialisations (the same initial network
    for every γ of a run). Returns :class:`EtaMaxResult` with arrays of shape (runs, len(γ))."""
    t0 = time.perf_counter()
    g = _gammas(gammas)
    steps = _check_steps(steps)
    _check_pos("tol", tol)
    _check_pos("rtol", rtol)
    if not (max_rise > 0):
        raise ParameterError("max_rise", "must be > 0 (inf allowed)", max_rise)
    if init is None:
        init = init_networks(runs, depth, width, D, seed, run_offset)
    R = init.v.shape[0]
    Dn = init.W1.shape[2]
    wbar = np.zeros(Dn)
    wbar[0] = 1.0
    eta0 = 2.0 * g[None, :] ** 2 / init.kappa0[:, None]
    lo = np.empty((R, g.size))
    hi = np.empty_like(lo)
    tr = np.empty((R, g.size), dtype=np.int64)
    _net_grid(
        init.W1,
        init.Wh,
        init.v,
        init.M0,
        wbar,
        g,
        np.ascontiguousarray(eta0),
        steps,
        float(tol),
        float(max_rise),
        float(rtol),
        lo,
        hi,
        tr,
    )
    return EtaMaxResult(g, lo, hi, tr, time.perf_counter() - t0)


def train_network(gamma: float, eta: float, *, steps: int, init: NetworkInit) -> np.ndarray:
    """Loss ½‖w_eff − w̄‖² at steps 0 … ``steps`` of each initial network in ``init``
    (array (runs, steps + 1); inf after a divergence)."""
    _check_pos("gamma", gamma)
    _check_pos("eta", eta)
    steps = _check_steps(steps)
    Dn = init.W1.shape[2]
    wbar = np.zeros(Dn)
    wbar[0] = 1.0
    out = np.empty((init.v.shape[0], steps + 1))
    _net_train(init.W1, init.Wh, init.v, init.M0, wbar, float(gamma), float(eta), steps, out)
    return out


def fit_slopes(gammas, eta) -> np.ndarray:
    """Least-squares slope of ln η against ln γ, per row of ``eta`` (shape (..., len(γ)))."""
    x = np.log(np.asarray(gammas, dtype=float))
    yv = np.log(np.asarray(eta, dtype=float))
    xc = x - x.mean()
    return (yv - yv.mean(axis=-1, keepdims=True)) @ xc / (xc @ xc)


# ---------------------------------------------------------------------------- checks
def _as_int(name: str, value: object, minimum: int) -> int:
    req = f"must be an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)):
        raise ParameterError(name, req, value)
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, req, value) from None
    if not math.isfinite(f) or f != int(f) or int(f) < minimum:
        raise ParameterError(name, req, value)
    return int(f)


def _check_pos(name: str, value: object) -> float:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, "must be a finite number > 0", value) from None
    if not math.isfinite(f) or f <= 0:
        raise ParameterError(name, "must be a finite number > 0", value)
    return f


def _check_steps(steps: object) -> int:
    return _as_int("steps", steps, 1)


def _gammas(gammas) -> np.ndarray:
    g = np.atleast_1d(np.asarray(gammas, dtype=float))
    if g.ndim != 1 or g.size == 0 or not np.all(np.isfinite(g)) or np.any(g <= 0):
        raise ParameterError(
            "gamma", "must be a finite number > 0 (or a 1-D array of them)", gammas
        )
    return np.ascontiguousarray(g)
