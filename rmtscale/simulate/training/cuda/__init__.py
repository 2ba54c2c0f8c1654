r"""CUDA backend of the training simulator: fused numba-cuda kernels, one warp per run.

:func:`run` executes a :class:`~rmtscale.simulate.training.plan.Plan` and returns the same
:class:`~rmtscale.simulate.training.plan.TrainingCurves` as the CPU backend. Models, data
regimes, the update rule, what is recorded and the random-stream layout are those of the
``rmtscale.simulate.training`` package docstring; this backend reproduces that layout exactly,
so CPU and CUDA runs see the same samples and differ only by floating-point reduction order
(and by libdevice against libm in ``log``/``cos``).

Layout and launch
    One run = one thread block of ``LANES = 32`` threads (one warp): lane j owns the RNG
    stream ``(run + run_offset)·32 + j`` and the coordinates k ≡ j (mod 32) of every D-vector
    (coalesced loads of ``e[run, k]``), and the rows c ≡ j (mod 32) of N×D matrices where a
    row is needed whole. Grid = number of runs in the chunk, block = 32. Cross-lane sums are
    exact-order shared-memory reductions (:mod:`.reductions`). Per-run device arrays (weights,
    scratch) are ``(runs, …)``; runs are processed in chunks so that they fit
    :data:`DEVICE_BUDGET_BYTES` (or half the free device memory).

Kernels (built lazily by :func:`kernels`; importing this package does not import numba.cuda),
one module each: :mod:`.online` (``linear_online_b1``, online linear SGD with B = 1),
:mod:`.draws` (``init``: model and dataset draws), :mod:`.step` (``train``: every other model
and regime); :mod:`.rng` the register xoroshiro128+; :mod:`.sim` what the kernels see under the
CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``).

Floating point
    Per-element operations are written in the CPU backend's order (e.g. ``e -= lr*u`` with
    ``u = (Σ_i r_i x_i)/B``); sums over modes are lane-partial sums added in lane order instead
    of sequential sums, and on a GPU NVVM may contract a·b+c into FMAs, so CUDA results differ
    from CPU results at the 1e-15 relative level per operation, and ``log``/``cos`` of libdevice
    against libm by at most an ulp. Under the simulator, normals equal the CPU backend's bit for
    bit and only reduction order differs.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np

from ....errors import BackendError, ParameterError
from ..plan import (
    FULL_BATCH,
    LANES,
    LINEAR,
    MINIBATCH,
    ONLINE,
    POPULATION,
    RF,
    TWO_LAYER,
    Plan,
    TrainingCurves,
    curves,
)
from .rng import rng_functions

#: Device memory the concurrently processed runs of one chunk may use (bytes); the chunk is
#: also limited to half of the free device memory.
DEVICE_BUDGET_BYTES = 8 * 2**30

_KERNELS: SimpleNamespace | None = None


def kernels() -> SimpleNamespace:
    """Build (once) and return the CUDA kernels; imports numba.cuda (simulator if
    ``NUMBA_ENABLE_CUDASIM=1`` was set before numba was imported)."""
    global _KERNELS
    if _KERNELS is not None:
        return _KERNELS
    from ...backends import _import_numba_cuda

    cuda = _import_numba_cuda()
    from numba import config

    from . import draws, online, reductions, step

    sim = bool(config.ENABLE_CUDASIM)
    if sim:
        from .sim import SimCuda

        kcuda = SimCuda()
        rng = rng_functions(sim=True)

        def dev(f):
            return f

    else:
        kcuda = cuda
        dev = cuda.jit(device=True)
        rng = rng_functions(dev)
    helpers = reductions.build(kcuda, dev, rng)
    raw = SimpleNamespace(
        linear_online_b1=online.build(kcuda, rng),
        init=draws.build(kcuda, rng, helpers),
        train=step.build(kcuda, rng, helpers),
    )
    _KERNELS = SimpleNamespace(
        sim=sim,
        cuda=cuda,
        rng=rng,
        raw=raw,
        linear_online_b1=cuda.jit(raw.linear_online_b1),
        init=cuda.jit(raw.init),
        train=cuda.jit(raw.train),
    )
    return _KERNELS


# ============================================================================ host side
def _per_run_bytes(model, regime, D, N, B, P, dense_k, gram) -> tuple[int, str]:
    """Device bytes of one run in a chunk and the parameter responsible for most of it."""
    parts = {"spectrum": 8 * (3 * D + 64 + 2 * LANES)}
    if regime == ONLINE:
        parts["batch"] = 8 * (B * D + 2 * B)
    elif regime == MINIBATCH:
        parts["P"] = 8 * (P * D + 3 * P + 2 * B)
    elif regime == FULL_BATCH:
        parts["P"] = 8 * (D * D + 2 * D + P) if gram else 8 * (P * D + 3 * P)
    if model == RF:
        parts["N"] = 8 * (N * D + (D * D if dense_k else 0) + N)
    elif model == TWO_LAYER:
        parts["N"] = 8 * (2 * N * D + 3 * N)
    return sum(parts.values()), max(parts, key=parts.get)


def _fmt_bytes(n: float) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.3g} MiB"


def _zeros(cuda, shape):
    return cuda.to_device(np.zeros(shape, dtype=np.float64))


def run(plan: Plan, *, return_runs: bool = False) -> TrainingCurves:
    """Run ``plan`` on the GPU (or numba's CUDA simulator); raises
    :class:`~rmtscale.errors.BackendError` when numba-cuda or a device is missing."""
    from ...backends import CudaBackend
    from ...xoroshiro import init_states

    t_start = time.perf_counter()
    if not CudaBackend.available():
        raise BackendError("backend 'cuda' is not available on this machine")
    try:
        kk = kernels()
    except Exception as exc:  # noqa: BLE001 - any numba-cuda import/driver failure
        raise BackendError(f"backend 'cuda' is not available: {exc}") from None
    cuda = kk.cuda

    m, regime, D, N, B, Pn = plan.m, plan.regime, plan.D, plan.N, plan.B, plan.Pn
    dense_k, gram, noise_sd, lr, gamma = (
        plan.dense_k,
        plan.gram,
        plan.noise_sd,
        plan.lr,
        plan.gamma,
    )
    runs, t_rec = plan.runs, plan.times

    per_run, culprit = _per_run_bytes(m, regime, D, N, B, Pn, dense_k, gram)
    budget = DEVICE_BUDGET_BYTES
    if not kk.sim:
        free, _total = cuda.current_context().get_memory_info()
        budget = min(budget, free // 2)
    if per_run > budget:
        raise ParameterError(
            culprit,
            f"makes one run need {_fmt_bytes(per_run)} of device memory, more than the "
            f"{_fmt_bytes(budget)} available to a chunk (training.cuda.DEVICE_BUDGET_BYTES, "
            "or half the free device memory)",
        )
    chunk = max(1, min(runs, int(budget // per_run)))

    T = t_rec.size
    loss = np.full((runs, T), np.nan)
    train_l = np.full((runs, T), np.nan)
    d_lam = cuda.to_device(plan.lam)
    d_sql = cuda.to_device(plan.sqrt_lam)
    d_wbar = cuda.to_device(plan.wbar)
    d_times = cuda.to_device(t_rec.astype(np.int64))
    fast = m == LINEAR and regime == ONLINE and B == 1
    finite = plan.finite_data

    for a in range(0, runs, chunk):
        b = min(runs, a + chunk)
        nr = b - a
        states = init_states(nr * LANES, plan.seed, (plan.run_offset + a) * LANES)
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
        need_u = m != LINEAR or regime == POPULATION or gram
        d_u = _zeros(cuda, (nr, D) if need_u else (nr, 1))
        d_xs = _zeros(cuda, (nr, B, D) if regime == ONLINE else (nr, 1, 1))
        d_eps_s = _zeros(cuda, (nr, B) if regime == ONLINE else (nr, 1))
        d_rbuf = _zeros(cuda, (nr, nb))
        d_idx = cuda.to_device(np.zeros((nr, B if regime == MINIBATCH else 1), dtype=np.int64))
        stored = finite and not gram
        d_X = _zeros(cuda, (nr, Pn, D) if stored else (nr, 1, 1))
        d_eps = _zeros(cuda, (nr, Pn) if stored else (nr, 1))
        d_G = _zeros(cuda, (nr, D, D) if gram else (nr, 1, 1))
        d_c = _zeros(cuda, (nr, D) if gram else (nr, 1))
        d_s2 = _zeros(cuda, (nr, 1))
        d_xrow = _zeros(cuda, (nr, D) if gram else (nr, 1))
        d_K = _zeros(cuda, (nr, D, D) if dense_k else (nr, 1, 1))
        d_Ft = _zeros(cuda, (nr, N, D) if m != LINEAR else (nr, 1, 1))
        d_v0 = _zeros(cuda, (nr, N) if m == TWO_LAYER else (nr, 1))
        d_dv = _zeros(cuda, (nr, N) if m == TWO_LAYER else (nr, 1))
        d_dWt = _zeros(cuda, (nr, N, D) if m == TWO_LAYER else (nr, 1, 1))
        d_z = _zeros(cuda, (nr, N) if m != LINEAR else (nr, 1))
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

    return curves(
        plan,
        loss,
        train_l,
        backend="cuda",
        return_runs=return_runs,
        elapsed_s=time.perf_counter() - t_start,
    )
