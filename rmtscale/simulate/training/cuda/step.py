"""CUDA kernel ``train``: every (model, regime) but online linear B = 1, in one fused step loop.

Per step: record and divergence checks (E_g of e_t before the update of step t; training
loss at record steps for finite data); the gradient u with respect to w_eff (population: Σe;
online: B fresh samples drawn into a per-run scratch, residuals by chunked block reductions of
32 samples; minibatch: B indices, lane i mod 32 draws index i, into the stored dataset; full
batch: Σ̂e − c, or all P rows); then the model update (linear: e −= lr·u, fused with the
gradient pass; rf: e −= lr·K u or lr·F(Fᵀu); two_layer: W, v simultaneous, then
e = ((W−W₀)v + W₀(v−v₀))/(γN) − w̄). Barriers per step: 2 per chunk of 32 samples, +1
(minibatch index draw), +1–4 when lanes read other lanes' entries (rf, two_layer, Σ̂e).
"""

from __future__ import annotations

import math

import numpy as np

from ..plan import CHECK_EVERY, DIVERGED, LANES

cuda = None  # numba.cuda, or the simulator's stand-in (cuda.sim); bound by build()


def build(cuda_module, rng, helpers):
    """The kernel (a Python function for ``cuda.jit``) using ``rng`` and ``helpers``
    (:func:`.reductions.build`)."""
    global cuda
    cuda = cuda_module
    uniform = rng.uniform
    block_sum = helpers.block_sum
    residuals = helpers.residuals
    L = LANES
    DIV = DIVERGED
    CHECK = CHECK_EVERY
    INF = math.inf
    f64 = np.float64

    def train(
        states,
        model,
        regime,
        gram,
        dense_k,
        B,
        P,
        lam,
        sqrt_lam,
        wbar,
        lr,
        noise_sd,
        gamma,
        times,
        e,
        u,
        xs,
        eps_s,
        rbuf,
        idx,
        X,
        eps,
        G,
        cvec,
        s2,
        K,
        Ft,
        v0,
        dv,
        dWt,
        z,
        loss,
        train_loss,
    ):
        run = cuda.blockIdx.x
        lane = cuda.threadIdx.x
        if run >= e.shape[0]:
            return
        D = lam.shape[0]
        N = Ft.shape[1]
        T = times.shape[0]
        t_end = times[T - 1]
        buf = cuda.shared.array(32, dtype=f64)
        part = cuda.shared.array((32, 33), dtype=f64)
        sid = run * L + lane
        s0 = states[sid, 0]
        s1 = states[sid, 1]
        finite = regime == 2 or regime == 3
        # lanes read other lanes' e (and u) in these cases: barrier after each update
        cross = model != 0 or (regime == 2 and gram)
        n_batch = P if regime == 2 else B
        mode = 0 if regime == 1 else (1 if regime == 2 else 2)
        j = 0
        diverged = False
        for t in range(t_end + 1):
            # ---- records and divergence checks (E_g of e_t, before the update of step t)
            if t == times[j] or t % CHECK == 0:
                p = 0.0
                for k in range(lane, D, L):
                    ek = e[run, k]
                    p += lam[k] * ek * ek
                eg = block_sum(p, buf, lane)
                if not (eg <= DIV):
                    diverged = True
                    break
                if t == times[j]:
                    if finite:
                        if regime == 2 and gram:
                            p1 = 0.0
                            p2 = 0.0
                            for a in range(lane, D, L):
                                acc = 0.0
                                for b in range(D):
                                    acc += e[run, b] * G[run, b, a]
                                p1 += e[run, a] * acc
                                p2 += e[run, a] * cvec[run, a]
                            q1 = block_sum(p1, buf, lane)
                            q2 = block_sum(p2, buf, lane)
                            tr = q1 - 2.0 * q2 + s2[run, 0]
                        else:
                            sq, s0, s1 = residuals(
                                run,
                                lane,
                                P,
                                1,
                                s0,
                                s1,
                                sqrt_lam,
                                noise_sd,
                                e,
                                xs,
                                eps_s,
                                X,
                                eps,
                                idx,
                                rbuf,
                                part,
                            )
                            tr = block_sum(sq, buf, lane) / P
                        if lane == 0:
                            train_loss[run, j] = tr
                    if lane == 0:
                        loss[run, j] = eg
                    j += 1
                    if j == T:
                        break
            # ---- gradient u with respect to w_eff (linear + sampled batch: fused update)
            if regime == 0:
                for k in range(lane, D, L):
                    u[run, k] = lam[k] * e[run, k]
            elif regime == 2 and gram:
                for a in range(lane, D, L):
                    acc = 0.0
                    for b in range(D):
                        acc += e[run, b] * G[run, b, a]
                    u[run, a] = acc - cvec[run, a]
            else:
                if regime == 3:
                    cuda.syncthreads()  # every lane is done reading last step's idx
                    for i in range(lane, B, L):
                        uu, s0, s1 = uniform(s0, s1)
                        ii = int(uu * P)
                        idx[run, i] = ii if ii < P else P - 1
                    cuda.syncthreads()
                sq, s0, s1 = residuals(
                    run,
                    lane,
                    n_batch,
                    mode,
                    s0,
                    s1,
                    sqrt_lam,
                    noise_sd,
                    e,
                    xs,
                    eps_s,
                    X,
                    eps,
                    idx,
                    rbuf,
                    part,
                )
                for k in range(lane, D, L):
                    acc = 0.0
                    for i in range(n_batch):
                        if mode == 0:
                            xik = xs[run, i, k]
                        elif mode == 1:
                            xik = X[run, i, k]
                        else:
                            xik = X[run, idx[run, i], k]
                        acc += rbuf[run, i] * xik
                    uk = acc / n_batch
                    if model == 0:
                        e[run, k] -= lr * uk
                    else:
                        u[run, k] = uk
                if model == 0:
                    continue
            if cross:
                cuda.syncthreads()
            # ---- model update
            if model == 0:
                for k in range(lane, D, L):
                    e[run, k] -= lr * u[run, k]
            elif model == 1:
                if dense_k:
                    for a in range(lane, D, L):
                        acc = 0.0
                        for b in range(D):
                            acc += u[run, b] * K[run, b, a]
                        e[run, a] -= lr * acc
                else:
                    for c in range(lane, N, L):
                        acc = 0.0
                        for k in range(D):
                            acc += Ft[run, c, k] * u[run, k]
                        z[run, c] = acc
                    cuda.syncthreads()
                    for k in range(lane, D, L):
                        acc = 0.0
                        for c in range(N):
                            acc += z[run, c] * Ft[run, c, k]
                        e[run, k] -= lr * acc
            else:
                s = lr / gamma
                for c in range(lane, N, L):
                    a1 = 0.0
                    for k in range(D):
                        a1 += Ft[run, c, k] * u[run, k]
                    a2 = 0.0
                    for k in range(D):
                        a2 += dWt[run, c, k] * u[run, k]
                    z[run, c] = a1 + a2
                cuda.syncthreads()
                for k in range(lane, D, L):
                    uk = u[run, k]
                    for c in range(N):
                        sv = s * (v0[run, c] + dv[run, c])
                        dWt[run, c, k] -= sv * uk
                cuda.syncthreads()
                for c in range(lane, N, L):
                    dv[run, c] -= s * z[run, c]
                cuda.syncthreads()
                inv = 1.0 / (gamma * N)
                for k in range(lane, D, L):
                    acc = 0.0
                    for c in range(N):
                        vc = v0[run, c] + dv[run, c]
                        dvc = dv[run, c]
                        acc += vc * dWt[run, c, k] + dvc * Ft[run, c, k]
                    e[run, k] = acc * inv - wbar[k]
            if cross:
                cuda.syncthreads()
        if diverged and lane == 0:
            for jj in range(j, T):
                loss[run, jj] = INF
                train_loss[run, jj] = INF
        states[sid, 0] = s0
        states[sid, 1] = s1

    return train
