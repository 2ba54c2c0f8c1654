r"""The depth-L, width-N μP linear network trained by population GD, and its largest stable step.

Model, updates (simultaneous; raw rate η on W₁, η/N on hidden layers, v with the 1/(γN)
output), failure criterion, bracket search and random streams: the
``rmtscale.simulate.deep_linear`` package docstring. Pairs (run, γ) run in parallel over numba
threads (``prange``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numba
import numpy as np
from numba import prange

from ...errors import ParameterError
from ..xoroshiro import init_states, normal_f64
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

#: Bound on the memory of the initial networks of one call (bytes).
MEMORY_BUDGET_BYTES = 8 * 2**30


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
