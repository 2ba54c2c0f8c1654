"""CUDA kernel ``init``: the model and dataset draws of each run, in the CPU backend's order.

rf F (or two_layer W₀) column by column, F_kc = g/√D; two_layer v₀; the P samples of a finite
dataset (stored as X, or, for full-batch GD with P ≥ D, accumulated into Σ̂ = XᵀX/P,
c = Xᵀε/P, ‖ε‖²/P as the CPU does); rf with D ≤ 2N: K = FFᵀ. Sets e = −w̄.
"""

from __future__ import annotations

import math

import numpy as np

from ..plan import LANES

cuda = None  # numba.cuda, or the simulator's stand-in (cuda.sim); bound by build()


def build(cuda_module, rng, helpers):
    """The kernel (a Python function for ``cuda.jit``) using ``rng`` and ``helpers``
    (:func:`.reductions.build`)."""
    global cuda
    cuda = cuda_module
    normal = rng.normal
    draw_sample_into = helpers.draw_sample_into
    L = LANES
    f64 = np.float64

    def init(
        states,
        model,
        regime,
        gram,
        dense_k,
        P,
        sqrt_lam,
        wbar,
        noise_sd,
        e,
        Ft,
        v0,
        K,
        X,
        eps,
        G,
        cvec,
        s2,
        xrow,
    ):
        run = cuda.blockIdx.x
        lane = cuda.threadIdx.x
        if run >= e.shape[0]:
            return
        D = sqrt_lam.shape[0]
        N = Ft.shape[1]
        buf = cuda.shared.array(8, dtype=f64)
        sid = run * L + lane
        s0 = states[sid, 0]
        s1 = states[sid, 1]
        for k in range(lane, D, L):
            e[run, k] = -wbar[k]
        if model != 0:
            sqrt_d = math.sqrt(D)
            for c in range(N):
                for k in range(lane, D, L):
                    g, s0, s1 = normal(s0, s1)
                    Ft[run, c, k] = g / sqrt_d
            if model == 2:
                for c in range(lane, N, L):
                    g, s0, s1 = normal(s0, s1)
                    v0[run, c] = g
            if model == 1 and dense_k:
                cuda.syncthreads()
                for b in range(D):
                    for a in range(lane, D, L):
                        acc = 0.0
                        for c in range(N):
                            acc += Ft[run, c, a] * Ft[run, c, b]
                        K[run, b, a] = acc
        if regime == 2 or regime == 3:
            for mu in range(P):
                if gram:
                    s0, s1 = draw_sample_into(s0, s1, lane, sqrt_lam, xrow[run])
                else:
                    s0, s1 = draw_sample_into(s0, s1, lane, sqrt_lam, X[run, mu])
                if lane == 0:
                    xi, s0, s1 = normal(s0, s1)
                    ep = noise_sd * xi
                    if gram:
                        buf[0] = ep
                        s2[run, 0] += ep * ep
                    else:
                        eps[run, mu] = ep
                if gram:
                    cuda.syncthreads()
                    ep = buf[0]
                    for b in range(lane, D, L):
                        xb = xrow[run, b]
                        for a in range(D):
                            G[run, a, b] += xrow[run, a] * xb
                        cvec[run, b] += ep * xb
                    cuda.syncthreads()
            if gram:
                for b in range(lane, D, L):
                    for a in range(D):
                        G[run, a, b] /= P
                    cvec[run, b] /= P
                if lane == 0:
                    s2[run, 0] /= P
        states[sid, 0] = s0
        states[sid, 1] = s1

    return init
