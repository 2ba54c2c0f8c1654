"""CUDA kernel ``linear_online_b1``: online SGD of the linear model, B = 1 (the benchmark).

One pass over the coordinates per step, fully fused: it applies the *pending* update of the
previous step, e_k ← e_k − lr·r_{t−1}·x_{t−1,k}, regenerating x_{t−1,k} by replaying that
step's RNG state (a second register copy of the stream, no x stored anywhere), accumulates
Σλ_k e_k² (so E_g is available at every step for free), draws x_{t,k} = √λ_k g_k and
accumulates x_t·e_t. One block reduction per step (one barrier: the shared buffer alternates
with the step's parity) gives E_g(t) and the residual r_t = x_t·e_t − √noise ξ_t (ξ from
lane 0 after its coordinates). Memory traffic: e read + written once per step (16 B/mode);
2 normals per mode; 64 registers, no spills (ptxas, sm_90). Recording and divergence checks
happen inside the kernel at the requested steps; a diverged run stops there.
"""

from __future__ import annotations

import math

import numpy as np

from ..plan import CHECK_EVERY, DIVERGED, LANES

cuda = None  # numba.cuda, or the simulator's stand-in (cuda.sim); bound by build()


def build(cuda_module, rng):
    """The kernel (a Python function for ``cuda.jit``) using the draws of ``rng``."""
    global cuda
    cuda = cuda_module
    normal = rng.normal
    L = LANES
    DIV = DIVERGED
    CHECK = CHECK_EVERY
    INF = math.inf
    f64 = np.float64

    def linear_online_b1(states, lam, sqrt_lam, wbar, lr, noise_sd, times, e, loss):
        run = cuda.blockIdx.x
        lane = cuda.threadIdx.x
        if run >= e.shape[0]:
            return
        D = lam.shape[0]
        T = times.shape[0]
        t_end = times[T - 1]
        buf = cuda.shared.array(144, dtype=f64)
        sid = run * L + lane
        s0 = states[sid, 0]
        s1 = states[sid, 1]
        rs0 = s0
        rs1 = s1
        for k in range(lane, D, L):
            e[run, k] = -wbar[k]
        r_prev = 0.0
        j = 0
        diverged = False
        for t in range(t_end + 1):
            ps0 = s0
            ps1 = s1
            eg_p = 0.0
            dot_p = 0.0
            draw = t < t_end
            for k in range(lane, D, L):
                ek = e[run, k]
                if t > 0:
                    g, rs0, rs1 = normal(rs0, rs1)
                    ek -= lr * (r_prev * (sqrt_lam[k] * g))
                    e[run, k] = ek
                eg_p += lam[k] * ek * ek
                if draw:
                    g, s0, s1 = normal(s0, s1)
                    dot_p += (sqrt_lam[k] * g) * ek
            # double-buffered by step parity: one barrier per step suffices
            o = (t & 1) * 72
            buf[o + lane] = eg_p
            buf[o + L + lane] = dot_p
            if lane == 0:
                ep = 0.0
                if draw:
                    xi, s0, s1 = normal(s0, s1)
                    ep = noise_sd * xi
                buf[o + 2 * L] = ep
            cuda.syncthreads()
            eg = 0.0
            dot = 0.0
            for q in range(L):
                eg += buf[o + q]
            for q in range(L):
                dot += buf[o + L + q]
            ep = buf[o + 2 * L]
            if t == times[j] or t % CHECK == 0:
                if not (eg <= DIV):
                    diverged = True
                    break
                if t == times[j]:
                    if lane == 0:
                        loss[run, j] = eg
                    j += 1
                    if j == T:
                        break
            r_prev = dot - ep
            rs0 = ps0
            rs1 = ps1
        if diverged and lane == 0:
            for jj in range(j, T):
                loss[run, jj] = INF
        states[sid, 0] = s0
        states[sid, 1] = s1

    return linear_online_b1
