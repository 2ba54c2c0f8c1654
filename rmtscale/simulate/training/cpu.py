r"""CPU backend of the training simulator: numba kernels, runs in parallel over threads (prange).

:func:`run` executes a :class:`~rmtscale.simulate.training.plan.Plan`; semantics (models, data
regimes, update rule, records, random streams) are those of the
``rmtscale.simulate.training`` package docstring. One run = one call of ``_run`` with its 32
xoroshiro streams (``LANES``); it performs, per step, the gradient with respect to
:math:`w_{\rm eff}` (population u = Σe; online/minibatch u = (1/B)Σ_i r_i x_i with
r_i = x_i·e − ε_i; full batch u = Σ̂e − Xᵀε/P or the P rows directly) and the model update
(linear e ← e − lr·u; rf e ← e − lr·FFᵀu; two_layer W, v simultaneous), and records E_g = Σ_k
λ_k e_k² at the requested steps.

Memory: per concurrently running run, 8 bytes × D² (full batch, P ≥ D) or P·D (full batch with
P < D, and minibatch), plus D² or N·D (rf), plus 2N·D (two_layer); fewer threads run at once
when the total would exceed :data:`MEMORY_BUDGET_BYTES`, and a single run larger than the
budget is a :class:`~rmtscale.errors.ParameterError`.
"""

from __future__ import annotations

import math
import sys
import time

import numba
import numpy as np
from numba import prange

from ...errors import ParameterError
from ..xoroshiro import continue_states, init_states, normal_f64, uniform_f64
from .plan import (
    CHECK_EVERY,
    DIVERGED,
    FULL_BATCH,
    LANES,
    MINIBATCH,
    REGIMES,
    RF,
    TWO_LAYER,
    Plan,
    TrainingCurves,
    curves,
)

#: Upper bound on the memory of the runs that execute at the same time (bytes).
MEMORY_BUDGET_BYTES = 4 * 2**30
_CHECK_EVERY = CHECK_EVERY
_MAX_CHUNK = 4096


@numba.njit(cache=True)
def _draw_normals(states, out):
    """out[i] = normal of lane i mod LANES (increasing i within a lane)."""
    for i in range(out.size):
        out[i] = normal_f64(states, i % LANES)


@numba.njit(cache=True)
def _draw_sample(states, sqrt_lam, noise_sd, x):
    """Fill x with a sample; return its label noise sqrt(noise)·ξ."""
    for k in range(x.size):
        x[k] = sqrt_lam[k] * normal_f64(states, k % LANES)
    return noise_sd * normal_f64(states, 0)


@numba.njit(cache=True)
def _dot(a, b):
    s = 0.0
    for i in range(a.size):
        s += a[i] * b[i]
    return s


@numba.njit(cache=True)
def _sym_matvec(G, e, out):
    """out = G e for symmetric G, as a sum of rows (contiguous, vectorisable)."""
    n = e.size
    for i in range(n):
        out[i] = 0.0
    for j in range(n):
        ej = e[j]
        Gj = G[j]
        for i in range(n):
            out[i] += ej * Gj[i]


@numba.njit(cache=True)
def _add_outer_upper(G, x, scale):
    """Upper triangle of G += scale · x xᵀ."""
    n = x.size
    for a in range(n):
        xa = scale * x[a]
        Ga = G[a]
        for b in range(a, n):
            Ga[b] += xa * x[b]


@numba.njit(cache=True)
def _mirror_upper(G):
    n = G.shape[0]
    for a in range(n):
        for b in range(a):
            G[a, b] = G[b, a]


@numba.njit(cache=True)
def _residual_x(X, eps, e, r):
    """r = X e − eps; returns ‖r‖²."""
    s = 0.0
    for mu in range(X.shape[0]):
        r[mu] = _dot(X[mu], e) - eps[mu]
        s += r[mu] * r[mu]
    return s


@numba.njit(cache=True)
def _run(
    states,
    model,
    regime,
    lam,
    sqrt_lam,
    wbar,
    lr,
    B,
    P,
    N,
    noise_sd,
    gamma,
    dense_k,
    gram_mode,
    times,
    loss_out,
    train_out,
):
    D = lam.size
    T = times.size
    t_end = times[T - 1]
    sqrt_d = math.sqrt(D)
    e = -wbar.copy()
    x = np.empty(D)
    u = np.empty(D)
    tmp = np.empty(D)

    # ---------------------------------------------------------------- 1. model draws
    Ft = np.empty((0, D))  # rf: F transposed (row c = column c of F)
    K = np.empty((0, 0))  # rf: F Fᵀ when dense_k
    W0t = np.empty((0, D))  # two_layer: W₀ transposed
    dWt = np.empty((0, D))  # two_layer: W − W₀ (transposed)
    v0 = np.empty(0)
    dv = np.empty(0)
    z = np.empty(N)
    if model == 1:
        Ft = np.empty((N, D))
        for c in range(N):
            _draw_normals(states, Ft[c])
            for k in range(D):
                Ft[c, k] = Ft[c, k] / sqrt_d
        if dense_k:
            K = np.zeros((D, D))
            for c in range(N):
                _add_outer_upper(K, Ft[c], 1.0)
            _mirror_upper(K)
    elif model == 2:
        W0t = np.empty((N, D))
        for c in range(N):
            _draw_normals(states, W0t[c])
            for k in range(D):
                W0t[c, k] = W0t[c, k] / sqrt_d
        v0 = np.empty(N)
        _draw_normals(states, v0)
        dWt = np.zeros((N, D))
        dv = np.zeros(N)

    # ---------------------------------------------------------------- 2. dataset
    G = np.empty((0, 0))
    c_vec = np.empty(0)
    s2 = 0.0
    X = np.empty((0, D))
    eps = np.empty(0)
    r = np.empty(0)
    finite_data = regime == 2 or regime == 3
    if regime == 2 and gram_mode:
        G = np.zeros((D, D))
        c_vec = np.zeros(D)
        for _ in range(P):
            ep = _draw_sample(states, sqrt_lam, noise_sd, x)
            _add_outer_upper(G, x, 1.0)
            for k in range(D):
                c_vec[k] += ep * x[k]
            s2 += ep * ep
        _mirror_upper(G)
        for a in range(D):
            for b in range(D):
                G[a, b] /= P
            c_vec[a] /= P
        s2 /= P
    elif finite_data:
        X = np.empty((P, D))
        eps = np.empty(P)
        r = np.empty(P)
        for mu in range(P):
            eps[mu] = _draw_sample(states, sqrt_lam, noise_sd, X[mu])
    idx = np.empty(B, dtype=np.int64)

    # ---------------------------------------------------------------- 3. steps
    j = 0
    diverged = False
    for t in range(t_end + 1):
        if t == times[j] or t % _CHECK_EVERY == 0:
            eg = 0.0
            for k in range(D):
                eg += lam[k] * e[k] * e[k]
            if not (eg <= DIVERGED):  # also catches NaN
                diverged = True
                break
            if t == times[j]:
                loss_out[j] = eg
                if finite_data:
                    if regime == 2 and gram_mode:
                        _sym_matvec(G, e, tmp)
                        train_out[j] = _dot(e, tmp) - 2.0 * _dot(e, c_vec) + s2
                    else:
                        train_out[j] = _residual_x(X, eps, e, r) / P
                j += 1
                if j == T:
                    break

        # gradient with respect to w_eff: u
        if regime == 0:
            for k in range(D):
                u[k] = lam[k] * e[k]
        elif regime == 1:
            for k in range(D):
                u[k] = 0.0
            for _ in range(B):
                ep = _draw_sample(states, sqrt_lam, noise_sd, x)
                ri = _dot(x, e) - ep
                for k in range(D):
                    u[k] += ri * x[k]
            for k in range(D):
                u[k] /= B
        elif regime == 2:
            if gram_mode:
                _sym_matvec(G, e, u)
                for k in range(D):
                    u[k] -= c_vec[k]
            else:
                _residual_x(X, eps, e, r)
                for k in range(D):
                    u[k] = 0.0
                for mu in range(P):
                    rm = r[mu]
                    Xm = X[mu]
                    for k in range(D):
                        u[k] += rm * Xm[k]
                for k in range(D):
                    u[k] /= P
        else:
            for i in range(B):
                ii = np.int64(uniform_f64(states, i % LANES) * P)
                idx[i] = ii if ii < P else P - 1
            for k in range(D):
                u[k] = 0.0
            for i in range(B):
                Xm = X[idx[i]]
                ri = _dot(Xm, e) - eps[idx[i]]
                for k in range(D):
                    u[k] += ri * Xm[k]
            for k in range(D):
                u[k] /= B

        # model update
        if model == 0:
            for k in range(D):
                e[k] -= lr * u[k]
        elif model == 1:
            if dense_k:
                _sym_matvec(K, u, tmp)
            else:
                for c in range(N):
                    z[c] = _dot(Ft[c], u)
                for k in range(D):
                    tmp[k] = 0.0
                for c in range(N):
                    zc = z[c]
                    Fc = Ft[c]
                    for k in range(D):
                        tmp[k] += zc * Fc[k]
            for k in range(D):
                e[k] -= lr * tmp[k]
        else:
            s = lr / gamma
            for c in range(N):
                z[c] = _dot(W0t[c], u) + _dot(dWt[c], u)  # (Wᵀu)_c with the old W
            for c in range(N):
                sv = s * (v0[c] + dv[c])  # old v
                dWc = dWt[c]
                for k in range(D):
                    dWc[k] -= sv * u[k]
            for c in range(N):
                dv[c] -= s * z[c]
            # W v − W₀ v₀ = (W − W₀) v + W₀ (v − v₀): no cancellation at small γ
            for k in range(D):
                tmp[k] = 0.0
            for c in range(N):
                vc = v0[c] + dv[c]
                dvc = dv[c]
                dWc = dWt[c]
                W0c = W0t[c]
                for k in range(D):
                    tmp[k] += vc * dWc[k] + dvc * W0c[k]
            inv = 1.0 / (gamma * N)
            for k in range(D):
                e[k] = tmp[k] * inv - wbar[k]

    if diverged:
        for jj in range(j, T):
            loss_out[jj] = np.inf
            train_out[jj] = np.inf


@numba.njit(parallel=True, cache=True)
def _kernel(
    states,
    model,
    regime,
    lam,
    sqrt_lam,
    wbar,
    lr,
    B,
    P,
    N,
    noise_sd,
    gamma,
    dense_k,
    gram_mode,
    times,
    loss,
    train,
):
    for rr in prange(loss.shape[0]):
        _run(
            states[rr * LANES : (rr + 1) * LANES],
            model,
            regime,
            lam,
            sqrt_lam,
            wbar,
            lr,
            B,
            P,
            N,
            noise_sd,
            gamma,
            dense_k,
            gram_mode,
            times,
            loss[rr],
            train[rr],
        )


def _per_run_bytes(plan: Plan) -> tuple[float, str]:
    """Estimated bytes of one run, and the parameter responsible for most of it."""
    D, N, P = plan.D, plan.N, plan.Pn
    parts = {"spectrum": 8.0 * 6 * D}
    if plan.regime == FULL_BATCH and plan.gram:
        parts["spectrum"] += 8.0 * D * D
    elif plan.regime in (FULL_BATCH, MINIBATCH):
        parts["P"] = 8.0 * (P * D + 2 * P)
    if plan.m == RF:
        parts["N"] = 8.0 * (N * D + (D * D if plan.dense_k else 0) + N)
    elif plan.m == TWO_LAYER:
        parts["N"] = 8.0 * (2 * N * D + 3 * N)
    return sum(parts.values()), max(parts, key=parts.get)


def run(plan: Plan, *, return_runs: bool = False, progress: bool | None = None) -> TrainingCurves:
    """Run ``plan`` on the CPU; ``progress`` a tqdm bar on stderr over chunks of runs (None:
    only when stderr is a terminal)."""
    t_start = time.perf_counter()
    per_run, culprit = _per_run_bytes(plan)
    if per_run > MEMORY_BUDGET_BYTES:
        raise ParameterError(
            culprit,
            f"makes one run need {per_run / 2**30:.1f} GiB, more than the "
            f"{MEMORY_BUDGET_BYTES / 2**30:.0f} GiB budget (training.cpu.MEMORY_BUDGET_BYTES)",
        )
    n_threads = numba.get_num_threads()
    concurrent = max(1, min(n_threads, int(MEMORY_BUDGET_BYTES // per_run)))

    runs = plan.runs
    T = plan.times.size
    loss = np.full((runs, T), np.nan)
    train_l = np.full((runs, T), np.nan)

    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    # chunks of runs: bounded state memory, and progress updates
    chunk = min(runs, _MAX_CHUNK, max(concurrent, -(-runs // 20)) if progress else runs)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        desc = f"{plan.model} {REGIMES[plan.regime]}"
        bar = tqdm(total=runs, file=sys.stderr, desc=desc, unit="run")
    numba.set_num_threads(concurrent)
    try:
        last = None  # the previous chunk's last stream, before any draw
        for a in range(0, runs, chunk):
            b = min(runs, a + chunk)
            if last is None:
                states = init_states((b - a) * LANES, plan.seed, plan.run_offset * LANES)
            else:
                states = continue_states(last, (b - a) * LANES)
            last = states[-1].copy()
            _kernel(
                states,
                plan.m,
                plan.regime,
                plan.lam,
                plan.sqrt_lam,
                plan.wbar,
                plan.lr,
                plan.B,
                plan.Pn,
                plan.N,
                plan.noise_sd,
                plan.gamma,
                plan.dense_k,
                plan.gram,
                plan.times,
                loss[a:b],
                train_l[a:b],
            )
            if bar is not None:
                bar.update(b - a)
    finally:
        numba.set_num_threads(n_threads)
        if bar is not None:
            bar.close()
    return curves(
        plan,
        loss,
        train_l,
        backend="cpu",
        return_runs=return_runs,
        elapsed_s=time.perf_counter() - t_start,
    )
