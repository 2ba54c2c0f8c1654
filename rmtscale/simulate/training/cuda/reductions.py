"""Device helpers of the CUDA training kernels: exact-order cross-lane reductions and sample draws.

One run = one block of ``LANES = 32`` threads (one warp); lane j owns the coordinates
k ≡ j (mod 32) of every D-vector. A cross-lane sum is an exact-order shared-memory reduction:
each lane writes its partial, ``syncthreads``, every lane adds the 32 partials in lane order
(so all lanes hold bit-identical sums and branch uniformly), ``syncthreads`` again before the
buffer is reused. A one-warp block makes ``syncthreads`` a warp barrier; the same code runs
under the CUDA simulator, where warp shuffles do not exist.
"""

from __future__ import annotations

from types import SimpleNamespace

from ..plan import LANES

cuda = None  # numba.cuda, or the simulator's stand-in (cuda.sim); bound by build()


def build(cuda_module, dev, rng) -> SimpleNamespace:
    """The helpers, compiled by ``dev`` (``cuda.jit(device=True)``, or the identity under the
    simulator) with the draws of ``rng`` (:func:`.rng.rng_functions`)."""
    global cuda
    cuda = cuda_module
    normal = rng.normal
    L = LANES

    @dev
    def block_sum(v, buf, lane):
        """Sum of v over the 32 lanes, in lane order; every lane gets the same bits."""
        buf[lane] = v
        cuda.syncthreads()
        s = 0.0
        for q in range(L):
            s += buf[q]
        cuda.syncthreads()
        return s

    @dev
    def draw_sample_into(s0, s1, lane, sqrt_lam, xrow):
        """The lane's coordinates x_k = √λ_k g_k of a fresh sample into xrow[k]."""
        D = sqrt_lam.shape[0]
        for k in range(lane, D, L):
            g, s0, s1 = normal(s0, s1)
            xrow[k] = sqrt_lam[k] * g
        return s0, s1

    @dev
    def residuals(
        run, lane, n, mode, s0, s1, sqrt_lam, noise_sd, e, xs, eps_s, X, eps, idx, rbuf, part
    ):
        """r_i = x_i·e − ε_i for the n samples of a batch into rbuf[run, i]; returns
        (Σ_i r_i² over the lane's i ≡ lane, s0, s1). mode 0: draw fresh samples into xs
        (online); 1: rows i of X (full batch); 2: rows idx[run, i] of X (minibatch)."""
        D = sqrt_lam.shape[0]
        sq = 0.0
        for base in range(0, n, L):
            m = n - base
            if m > L:
                m = L
            for ii in range(m):
                i = base + ii
                p = 0.0
                if mode == 0:
                    for k in range(lane, D, L):
                        g, s0, s1 = normal(s0, s1)
                        xk = sqrt_lam[k] * g
                        xs[run, i, k] = xk
                        p += xk * e[run, k]
                    if lane == 0:
                        xi, s0, s1 = normal(s0, s1)
                        eps_s[run, i] = noise_sd * xi
                else:
                    row = i if mode == 1 else idx[run, i]
                    for k in range(lane, D, L):
                        p += X[run, row, k] * e[run, k]
                part[ii, lane] = p
            cuda.syncthreads()
            if lane < m:
                i = base + lane
                d = 0.0
                for q in range(L):
                    d += part[lane, q]
                if mode == 0:
                    ep = eps_s[run, i]
                elif mode == 1:
                    ep = eps[run, i]
                else:
                    ep = eps[run, idx[run, i]]
                ri = d - ep
                rbuf[run, i] = ri
                sq += ri * ri
            cuda.syncthreads()
        return sq, s0, s1

    return SimpleNamespace(
        block_sum=block_sum, draw_sample_into=draw_sample_into, residuals=residuals
    )
