r"""CUDA backend of :func:`rmtscale.simulate.sgd.train`: fused numba-cuda kernels, one warp per run.

:func:`train_cuda` has the interface of ``sgd.train`` and returns the same
:class:`~rmtscale.simulate.sgd.TrainingCurves`. Models, data regimes, the update rule, what is
recorded and the random-stream layout are those of the ``sgd`` module docstring; this backend
reproduces that layout exactly, so CPU and CUDA runs see the same samples and differ only by
floating-point reduction order (and by libdevice against libm in ``log``/``cos``, see RNG).

Layout and launch
    One run = one thread block of ``LANES = 32`` threads (one warp): lane j owns the RNG
    stream ``(run + run_offset)·32 + j`` and the coordinates k ≡ j (mod 32) of every D-vector
    (coalesced loads of ``e[run, k]``), and the rows c ≡ j (mod 32) of N×D matrices where a
    row is needed whole. Grid = number of runs in the chunk, block = 32. Cross-lane sums are
    exact-order shared-memory reductions (each lane writes its partial, ``syncthreads``,
    every lane adds the 32 partials in lane order, so all lanes hold bit-identical sums and
    branch uniformly); a one-warp block makes ``syncthreads`` a warp barrier. The same code
    runs under the CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``), where warp shuffles do not
    exist. Per-run device arrays (weights, scratch) are ``(runs, …)``; runs are processed in
    chunks so that they fit :data:`DEVICE_BUDGET_BYTES` (or half the free device memory).

Kernels (built lazily by :func:`kernels`; importing this module does not import numba.cuda)
    * ``linear_online_b1`` — online SGD, linear model, B = 1 (the benchmark kernel). One pass
      over the coordinates per step, fully fused: it applies the *pending* update of the
      previous step, e_k ← e_k − lr·r_{t−1}·x_{t−1,k}, regenerating x_{t−1,k} by replaying
      that step's RNG state (a second register copy of the stream, no x stored anywhere),
      accumulates Σλ_k e_k² (so E_g is available at every step for free), draws
      x_{t,k} = √λ_k g_k and accumulates x_t·e_t. One block reduction per step (one
      barrier: the shared buffer alternates with the step's parity) gives E_g(t) and the
      residual r_t = x_t·e_t − √noise ξ_t (ξ from lane 0 after its coordinates).
      Memory traffic: e read + written once per step (16 B/mode); 2 normals per mode; 64
      registers, no spills (ptxas, sm_90). Recording and divergence checks happen inside the
      kernel at the requested steps; a diverged run stops there.
    * ``init`` — the model and dataset draws of a run, in the CPU order: rf F (or two_layer
      W₀) column by column, F_kc = g/√D; two_layer v₀; the P samples of a finite dataset
      (stored as X, or, for full-batch GD with P ≥ D, accumulated into Σ̂ = XᵀX/P,
      c = Xᵀε/P, ‖ε‖²/P as the CPU does); rf with D ≤ 2N: K = FFᵀ. Sets e = −w̄.
    * ``train`` — every other (model, regime) in one fused step loop: in-kernel record and
      divergence checks; gradient u w.r.t. w_eff (population: Σe; online: B fresh samples
      drawn into a per-run scratch, residuals by chunked block reductions of 32 samples;
      minibatch: B indices (lane i mod 32 draws index i) into the stored dataset; full batch:
      Σ̂e − c, or all P rows); then the model update (linear: e −= lr·u, fused with the
      gradient pass; rf: e −= lr·K u or lr·F(Fᵀu); two_layer: W, v simultaneous, then
      e = ((W−W₀)v + W₀(v−v₀))/(γN) − w̄). Training loss at record steps for finite data.
      Barriers per step: 2 per chunk of 32 samples, +1 (minibatch index draw), +1–4 when
      lanes read other lanes' entries (rf, two_layer, Σ̂e).

RNG
    The xoroshiro128+ of ``numba.cuda.random`` with the state held in registers: the device
    functions here are register versions of :mod:`rmtscale.simulate.xoroshiro` (same
    operations, so the uint64 and uniform streams are bit-identical to the CPU backend's and
    to ``numba.cuda.random``'s), with the *float64* log of the CPU port in Box–Muller
    (numba's own ``xoroshiro128p_normal_float64`` is a float32 ``logf`` on a real GPU). States
    come from ``xoroshiro.init_states`` = ``numba.cuda.random.init_xoroshiro128p_states``.
    numba's own device functions are not used: they load/store the state in global memory on
    every draw and cannot be called from simulated kernels. Under the simulator the generator
    is evaluated with Python integers (no uint64-overflow warnings), the same arithmetic.

Floating point
    Per-element operations are written in the CPU backend's order (e.g. ``e -= lr*u`` with
    ``u = (Σ_i r_i x_i)/B``); sums over modes are lane-partial sums added in lane order instead
    of sequential sums, and on a GPU NVVM may contract a·b+c into FMAs, so CUDA results differ
    from CPU results at the 1e-15 relative level per operation, and ``log``/``cos`` of libdevice
    against libm by at most an ulp. Under the simulator, normals equal the CPU backend's bit for
    bit and only reduction order differs.
"""

from __future__ import annotations

import math
import time
import warnings
from types import SimpleNamespace

import numpy as np

from ..errors import BackendError, ParameterError
from ..spectra import Spectrum

LANES = 32
#: Device memory the concurrently processed runs of one chunk may use (bytes); the chunk is
#: also limited to half of the free device memory.
DEVICE_BUDGET_BYTES = 8 * 2**30
DIVERGED = 1e30
_CHECK_EVERY = 64
_LINEAR, _RF, _TWO_LAYER = 0, 1, 2
_POPULATION, _ONLINE, _FULL_BATCH, _MINIBATCH = 0, 1, 2, 3
_TWO_PI = np.float64(2 * math.pi)
_M64 = (1 << 64) - 1
_INV_2_53 = 1.0 / 9007199254740992.0

_KERNELS: SimpleNamespace | None = None


# ============================================================================ RNG device code
def rng_functions(decorator=None, sim: bool = False) -> SimpleNamespace:
    """Register-state xoroshiro128+ draws: ``next(s0, s1) -> (u64, s0, s1)``,
    ``uniform(s0, s1) -> (float64 in [0,1), s0, s1)``, ``normal(s0, s1) -> (z, s0, s1)``.

    ``decorator`` compiles them (``cuda.jit(device=True, inline=True)`` for the GPU, or
    ``numba.njit`` to test the GPU source on the CPU); ``sim=True`` gives the Python-integer
    version used under the CUDA simulator. All three are bitwise the draws of
    :mod:`rmtscale.simulate.xoroshiro` (``next_u64``, ``uniform_f64``, ``normal_f64``)."""
    if sim:

        def nxt(s0, s1):
            s0 = int(s0)
            s1 = int(s1)
            res = (s0 + s1) & _M64
            s1 ^= s0
            n0 = (((s0 << 55) & _M64) | (s0 >> 9)) ^ s1 ^ ((s1 << 14) & _M64)
            n1 = ((s1 << 36) & _M64) | (s1 >> 28)
            return res, n0, n1

        def uniform(s0, s1):
            r, s0, s1 = nxt(s0, s1)
            return float(r >> 11) * _INV_2_53, s0, s1

        def normal(s0, s1):
            r, s0, s1 = nxt(s0, s1)
            u1 = float(np.float32(float(r >> 11) * _INV_2_53))
            r, s0, s1 = nxt(s0, s1)
            u2 = float(np.float32(float(r >> 11) * _INV_2_53))
            return math.sqrt(-2.0 * math.log(u1)) * math.cos(_TWO_PI * u2), s0, s1

        return SimpleNamespace(next=nxt, uniform=uniform, normal=normal)

    from numba import float32, float64, uint32, uint64

    two_pi = _TWO_PI

    @decorator
    def nxt(s0, s1):
        s0 = uint64(s0)
        s1 = uint64(s1)
        res = uint64(s0 + s1)
        s1 = uint64(s1 ^ s0)
        r0 = uint64((s0 << uint32(55)) | (s0 >> uint32(9)))
        n0 = uint64(r0 ^ s1 ^ uint64(s1 << uint32(14)))
        n1 = uint64((s1 << uint32(36)) | (s1 >> uint32(28)))
        return res, n0, n1

    @decorator
    def unit_f64(x):
        x = uint64(x)
        return float64(x >> uint32(11)) * (float64(1) / float64(uint64(1) << uint32(53)))

    @decorator
    def uniform(s0, s1):
        r, s0, s1 = nxt(s0, s1)
        return unit_f64(r), s0, s1

    @decorator
    def normal(s0, s1):
        r, s0, s1 = nxt(s0, s1)
        u1 = float64(float32(unit_f64(r)))
        r, s0, s1 = nxt(s0, s1)
        u2 = float64(float32(unit_f64(r)))
        z = math.sqrt(-float64(2.0) * math.log(u1)) * math.cos(two_pi * u2)
        return z, s0, s1

    return SimpleNamespace(next=nxt, uniform=uniform, normal=normal)


# ============================================================================ kernels
cuda = None  # numba.cuda, bound by kernels(); the simulator swaps this global


def kernels() -> SimpleNamespace:
    """Build (once) and return the CUDA kernels; imports numba.cuda (simulator if
    ``NUMBA_ENABLE_CUDASIM=1`` was set before numba was imported)."""
    global _KERNELS, cuda
    if _KERNELS is not None:
        return _KERNELS
    from .backends import _import_numba_cuda

    cuda = _import_numba_cuda()
    from numba import config

    sim = bool(config.ENABLE_CUDASIM)
    if sim:
        rng = rng_functions(sim=True)

        def dev(f):
            return f

        def kern(f):
            return cuda.jit(f)

    else:
        dev = cuda.jit(device=True)
        rng = rng_functions(dev)

        def kern(f):
            return cuda.jit(f)

    normal = rng.normal
    uniform = rng.uniform
    L = LANES
    DIV = DIVERGED
    CHECK = _CHECK_EVERY
    INF = math.inf
    f64 = np.float64

    # ------------------------------------------------------------------ device helpers
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

    # ------------------------------------------------------------------ B = 1 online linear
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

    # ------------------------------------------------------------------ init: model + data
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

    # ------------------------------------------------------------------ generic step loop
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

    raw = SimpleNamespace(linear_online_b1=linear_online_b1, init=init, train=train)
    _KERNELS = SimpleNamespace(
        sim=sim,
        cuda=cuda,
        rng=rng,
        raw=raw,
        linear_online_b1=kern(linear_online_b1),
        init=kern(init),
        train=kern(train),
    )
    return _KERNELS


# ============================================================================ host side
def _per_run_bytes(model, regime, D, N, B, P, dense_k, gram) -> tuple[int, str]:
    """Device bytes of one run in a chunk and the parameter responsible for most of it."""
    parts = {"spectrum": 8 * (3 * D + 64 + 2 * LANES)}
    if regime == _ONLINE:
        parts["batch"] = 8 * (B * D + 2 * B)
    elif regime == _MINIBATCH:
        parts["P"] = 8 * (P * D + 3 * P + 2 * B)
    elif regime == _FULL_BATCH:
        parts["P"] = 8 * (D * D + 2 * D + P) if gram else 8 * (P * D + 3 * P)
    if model == _RF:
        parts["N"] = 8 * (N * D + (D * D if dense_k else 0) + N)
    elif model == _TWO_LAYER:
        parts["N"] = 8 * (2 * N * D + 3 * N)
    return sum(parts.values()), max(parts, key=parts.get)


def _fmt_bytes(n: float) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.3g} MiB"


def _zeros(cuda, shape):
    return cuda.to_device(np.zeros(shape, dtype=np.float64))


def train_cuda(
    model: str,
    spectrum: Spectrum,
    *,
    lr: float,
    steps: int,
    batch: int | None = 1,
    P: int | None = None,
    N: int | None = None,
    noise: float = 0.0,
    runs: int = 64,
    seed: int = 0,
    times=None,
    return_runs: bool = False,
    gamma: float = 1.0,
    run_offset: int = 0,
):
    """``sgd.train(..., backend="cuda")``: same arguments, same :class:`TrainingCurves`
    (``backend="cuda"``). See the module docstrings of ``sgd`` (semantics) and this module
    (kernels)."""
    from .backends import CudaBackend
    from .sgd import TrainingCurves, _regime, _summary, check_inputs
    from .xoroshiro import init_states

    t_start = time.perf_counter()
    lr, steps, batch, P, N, noise, runs, seed, t_rec, gamma, run_offset = check_inputs(
        model, spectrum, lr, steps, batch, P, N, noise, runs, seed, times, gamma, run_offset
    )
    if not CudaBackend.available():
        raise BackendError("backend 'cuda' is not available on this machine")
    try:
        kk = kernels()
    except Exception as exc:  # noqa: BLE001 - any numba-cuda import/driver failure
        raise BackendError(f"backend 'cuda' is not available: {exc}") from None
    cuda = kk.cuda

    m = ("linear", "rf", "two_layer").index(model)
    regime = _regime(P, batch)
    lam = np.ascontiguousarray(spectrum.eigenvalues, dtype=np.float64)
    D = lam.size
    sqrt_lam = np.sqrt(lam)
    wbar = np.sqrt(np.asarray(spectrum.target_power, dtype=np.float64) / lam)
    B = batch if regime in (_ONLINE, _MINIBATCH) else 1
    Pn = P if P is not None else 0
    dense_k = m == _RF and D <= 2 * N
    gram = regime == _FULL_BATCH and Pn >= D
    noise_sd = math.sqrt(noise)

    per_run, culprit = _per_run_bytes(m, regime, D, N, B, Pn, dense_k, gram)
    budget = DEVICE_BUDGET_BYTES
    if not kk.sim:
        free, _total = cuda.current_context().get_memory_info()
        budget = min(budget, free // 2)
    if per_run > budget:
        raise ParameterError(
            culprit,
            f"makes one run need {_fmt_bytes(per_run)} of device memory, more than the "
            f"{_fmt_bytes(budget)} available to a chunk (sgd_cuda.DEVICE_BUDGET_BYTES, "
            "or half the free device memory)",
        )
    chunk = max(1, min(runs, int(budget // per_run)))

    T = t_rec.size
    loss = np.full((runs, T), np.nan)
    train_l = np.full((runs, T), np.nan)
    d_lam = cuda.to_device(lam)
    d_sql = cuda.to_device(sqrt_lam)
    d_wbar = cuda.to_device(wbar)
    d_times = cuda.to_device(t_rec.astype(np.int64))
    fast = m == _LINEAR and regime == _ONLINE and B == 1
    finite = regime in (_FULL_BATCH, _MINIBATCH)

    for a in range(0, runs, chunk):
        b = min(runs, a + chunk)
        nr = b - a
        states = init_states(nr * LANES, seed, (run_offset + a) * LANES)
        d_states = cuda.to_device(states)
        d_e = cuda.device_array((nr, D), dtype=np.float64)
        d_loss = cuda.to_device(np.full((nr, T), np.nan))
        if fast:
            kk.linear_online_b1[nr, LANES](
                d_states, d_lam, d_sql, d_wbar, lr, noise_sd, d_times, d_e, d_loss
            )
            loss[a:b] = d_loss.copy_to_host()
            continue
        d_train = cuda.to_device(np.full((nr, T), np.nan))
        nb = max(B, Pn) if finite else B
        need_u = m != _LINEAR or regime == _POPULATION or gram
        d_u = _zeros(cuda, (nr, D) if need_u else (nr, 1))
        d_xs = _zeros(cuda, (nr, B, D) if regime == _ONLINE else (nr, 1, 1))
        d_eps_s = _zeros(cuda, (nr, B) if regime == _ONLINE else (nr, 1))
        d_rbuf = _zeros(cuda, (nr, nb))
        d_idx = cuda.to_device(np.zeros((nr, B if regime == _MINIBATCH else 1), dtype=np.int64))
        stored = finite and not gram
        d_X = _zeros(cuda, (nr, Pn, D) if stored else (nr, 1, 1))
        d_eps = _zeros(cuda, (nr, Pn) if stored else (nr, 1))
        d_G = _zeros(cuda, (nr, D, D) if gram else (nr, 1, 1))
        d_c = _zeros(cuda, (nr, D) if gram else (nr, 1))
        d_s2 = _zeros(cuda, (nr, 1))
        d_xrow = _zeros(cuda, (nr, D) if gram else (nr, 1))
        d_K = _zeros(cuda, (nr, D, D) if dense_k else (nr, 1, 1))
        d_Ft = _zeros(cuda, (nr, N, D) if m != _LINEAR else (nr, 1, 1))
        d_v0 = _zeros(cuda, (nr, N) if m == _TWO_LAYER else (nr, 1))
        d_dv = _zeros(cuda, (nr, N) if m == _TWO_LAYER else (nr, 1))
        d_dWt = _zeros(cuda, (nr, N, D) if m == _TWO_LAYER else (nr, 1, 1))
        d_z = _zeros(cuda, (nr, N) if m != _LINEAR else (nr, 1))
        kk.init[nr, LANES](
            d_states,
            m,
            regime,
            gram,
            dense_k,
            Pn,
            d_sql,
            d_wbar,
            noise_sd,
            d_e,
            d_Ft,
            d_v0,
            d_K,
            d_X,
            d_eps,
            d_G,
            d_c,
            d_s2,
            d_xrow,
        )
        kk.train[nr, LANES](
            d_states,
            m,
            regime,
            gram,
            dense_k,
            B,
            Pn,
            d_lam,
            d_sql,
            d_wbar,
            lr,
            noise_sd,
            gamma,
            d_times,
            d_e,
            d_u,
            d_xs,
            d_eps_s,
            d_rbuf,
            d_idx,
            d_X,
            d_eps,
            d_G,
            d_c,
            d_s2,
            d_K,
            d_Ft,
            d_v0,
            d_dv,
            d_dWt,
            d_z,
            d_loss,
            d_train,
        )
        loss[a:b] = d_loss.copy_to_host()
        train_l[a:b] = d_train.copy_to_host()

    n_div = int(np.sum(np.isinf(loss[:, -1])))
    if n_div:
        warnings.warn(
            f"{n_div} of {runs} runs diverged (E_g non-finite or > {DIVERGED:g}); "
            "their losses are recorded as inf from then on",
            RuntimeWarning,
            stacklevel=2,
        )
    loss_mean, loss_se = _summary(loss)
    train_mean = train_se = None
    if finite:
        train_mean, train_se = _summary(train_l)
    return TrainingCurves(
        t=t_rec,
        loss_mean=loss_mean,
        loss_stderr=loss_se,
        train_mean=train_mean,
        train_stderr=train_se,
        runs_loss=loss if return_runs else None,
        runs_train=(train_l if finite else None) if return_runs else None,
        backend="cuda",
        elapsed_s=time.perf_counter() - t_start,
    )
