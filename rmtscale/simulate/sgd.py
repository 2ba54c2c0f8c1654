r"""Training dynamics of linear, random-feature and two-layer linear models: GD and SGD.

:func:`train` runs ``runs`` independent runs and returns the population excess loss (and the
training loss on a fixed dataset) at chosen step counts, as :class:`TrainingCurves`.

Data and target (canonical conventions, ``DESIGN.md``)
    Data are sampled in the eigenbasis of Σ = diag(λ): :math:`x=\sqrt\lambda\odot g`,
    :math:`g\sim\mathcal N(0,I_D)`. Teacher :math:`\bar w_k=+\sqrt{p_k/\lambda_k}` with
    :math:`p_k=\lambda_k\bar w_k^2` the spectrum's ``target_power`` (all signs +), label
    :math:`y=x\cdot\bar w+\sqrt{\text{noise}}\,\xi`, ξ ~ N(0, 1).

Models (initial predictor 0 in every case)
    * ``linear``: :math:`f(x)=w\cdot x`, w(0) = 0; effective weights :math:`w_{\rm eff}=w`.
    * ``rf``: frozen :math:`F\in\mathbb R^{D\times N}`, :math:`F_{ij}\sim\mathcal N(0,1/D)`,
      drawn per run; readout a(0) = 0 trained; :math:`f(x)=(F^\top x)\cdot a`,
      :math:`w_{\rm eff}=Fa`.
    * ``two_layer``: :math:`W\in\mathbb R^{D\times N}`, :math:`W_{ij}(0)\sim\mathcal N(0,1/D)`,
      :math:`v\in\mathbb R^N`, :math:`v_j(0)\sim\mathcal N(0,1)`, centred output
      :math:`f(x)=(x^\top Wv-x^\top W_0v_0)/(\gamma N)`, so
      :math:`w_{\rm eff}=(Wv-W_0v_0)/(\gamma N)`; γ = ``gamma`` is the feature-learning
      strength (γ ≪ 1 lazy, γ ≫ 1 rich). Both layers are trained with the *raw* learning rate
      lr·N (μP-style: with it, ``lr`` is width-independent), i.e.
      :math:`W\leftarrow W-\frac{lr}{\gamma}\,u\,v^\top`, :math:`v\leftarrow v-\frac{lr}
      {\gamma}W^\top u` (simultaneous), with u the gradient with respect to
      :math:`w_{\rm eff}` below. Near initialisation :math:`w_{\rm eff}` moves with the
      kernel :math:`K_0=(\lVert v_0\rVert^2/N\;I+W_0W_0^\top/N)/\gamma^2\approx
      (1+1/D)\,I/\gamma^2`: the lazy limit is linear regression with learning rate ≈
      lr/γ², so a stable lr scales like γ² for γ ≪ 1 (the η* ∝ γ² law of the theory notes).

Update rule (every model)
    Per-sample loss ½(f(x) − y)², gradient averaged over the batch, step size lr:
    :math:`\theta\leftarrow\theta-\frac{lr}{B}\sum_{i\in\text{batch}}\nabla_\theta\tfrac12
    (f(x_i)-y_i)^2`. All models are linear in x, so with the error vector
    :math:`e=w_{\rm eff}-\bar w` and residual :math:`r_i=f(x_i)-y_i=x_i\cdot e-
    \sqrt{\text{noise}}\,\xi_i`, the gradient with respect to :math:`w_{\rm eff}` is
    :math:`u=\frac1B\sum_ir_ix_i`; linear: e ← e − lr·u; rf: e ← e − lr·FFᵀu. **Time t is the
    number of updates (steps)**, not lr × steps.

Data regimes
    * ``P=None``, ``batch=B`` (int ≥ 1): online SGD, B fresh samples every step.
    * ``P`` int, ``batch=None`` or ``batch >= P``: full-batch GD on P samples drawn once per
      run, :math:`u=\hat\Sigma e-X^\top\varepsilon/P`, :math:`\hat\Sigma=X^\top X/P`.
    * ``P`` int, ``batch=B < P``: minibatch SGD on the fixed dataset, B indices drawn uniformly
      *with replacement* every step.
    * ``P=None``, ``batch=None``: population GD, the exact population gradient u = Σe
      (E[xxᵀ] = Σ; nothing is sampled; the linear model is then deterministic).

Recorded
    At every step count in ``times`` (default: 0 and ~40 log-spaced unique integers up to
    ``steps``, ``steps`` included), the population excess loss computed exactly from the
    weights, :math:`E_g=(w_{\rm eff}-\bar w)^\top\Sigma(w_{\rm eff}-\bar w)=\sum_k\lambda_k
    e_k^2` (no label noise, no test set), and for finite-dataset runs the training loss
    :math:`\frac1P\lVert Xw_{\rm eff}-y\rVert^2` (it includes the label noise). Means over runs
    and standard errors std(ddof=1)/√runs (NaN for a single run). A run whose E_g becomes
    non-finite or exceeds 1e30 (checked at records and every 64 steps) is stopped; its losses
    are inf from then on, and :func:`train` warns once.

Random streams (the layout the CUDA backend reproduces, so both see the same samples)
    Generator: xoroshiro128+ of ``numba.cuda.random`` (:mod:`rmtscale.simulate.xoroshiro`).

    * ``LANES = 32`` streams per run. Run r of a call is global run g = r + run_offset and owns
      streams g·LANES + j, j = 0..31, of ``init_states(·, seed)`` (splitmix64 of the seed, one
      2⁶⁴-jump per stream): the call creates ``init_states(runs*LANES, seed,
      subsequence_start=run_offset*LANES)`` and run r uses rows r·LANES … r·LANES + 31 ("lane
      j" = row r·LANES + j).
    * *A vector of n normals* v₀ … v_{n−1}: :math:`v_i=` ``normal_f64`` of lane i mod 32; each
      lane draws its entries in increasing i (lane j: v_j, v_{j+32}, v_{j+64}, …). Only the
      order within a lane matters (lanes are separate streams).
    * *A sample*: a vector of D normals g, :math:`x_k=\sqrt{\lambda_k}\,g_k` (sqrt(λ_k) in
      float64, then one product); then ξ = ``normal_f64`` of lane 0 (after lane 0's
      coordinates; drawn also when noise = 0); the label noise is sqrt(noise)·ξ.
    * Order of the draws of a run:

      1. model: ``rf``: F column by column, c = 0 … N−1, each column a vector of D normals,
         :math:`F_{kc}=g_k/\sqrt D`. ``two_layer``: W₀ exactly as F, then v₀ = a vector of N
         normals (:math:`v_{0,j}=g_j`). ``linear``: nothing.
      2. dataset (``P`` given): samples μ = 0 … P−1 in order, each a sample as above.
      3. steps t = 0, 1, …: online SGD: samples i = 0 … B−1, each a sample as above.
         Minibatch SGD: indices i = 0 … B−1, index i from lane i mod 32,
         idx = min(⌊P·u⌋, P−1) with u = ``uniform_f64``. Full-batch and population GD: nothing.

    Nothing else is drawn. A run's numbers therefore do not depend on the other runs, on
    ``runs``/``run_offset`` batching, or on thread scheduling: ``train(runs=8)`` equals two calls
    with ``runs=4`` and ``run_offset=0, 4``, bit for bit.

Cost (per run; D modes, N width, B batch, P samples)
    Sampling a sample costs D normals (two generator steps, a log, a sqrt and a cos each).
    Per step: online/minibatch O(BD), population O(D), full-batch O(min(P, D)·D) (Σ̂ = XᵀX/P
    is precomputed once in O(PD²/2) when P ≥ D; otherwise X is kept and used directly);
    plus, for ``rf``, O(min(D², 2ND)) (FFᵀ precomputed when D ≤ 2N) and for ``two_layer``
    O(5ND). Memory per concurrently running run, 8 bytes ×: D² (full batch, P ≥ D) or P·D
    (full batch with P < D, and minibatch), plus D² or N·D (rf), plus 2N·D (two_layer). Runs go
    in parallel over numba threads; when the total would exceed :data:`MEMORY_BUDGET_BYTES`,
    fewer threads run at once, and a single run larger than the budget is a
    :class:`~rmtscale.errors.ParameterError`.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from dataclasses import dataclass

import numba
import numpy as np
from numba import prange

from ..errors import BackendError, ParameterError
from ..spectra import Spectrum
from .xoroshiro import continue_states, init_states, normal_f64, uniform_f64

LANES = 32
#: Upper bound on the memory of the runs that execute at the same time (bytes).
MEMORY_BUDGET_BYTES = 4 * 2**30
DIVERGED = 1e30
_CHECK_EVERY = 64
_MAX_CHUNK = 4096

MODELS = ("linear", "rf", "two_layer")
_LINEAR, _RF, _TWO_LAYER = 0, 1, 2
_POPULATION, _ONLINE, _FULL_BATCH, _MINIBATCH = 0, 1, 2, 3
REGIMES = ("population_gd", "online_sgd", "full_batch_gd", "minibatch_sgd")


@dataclass
class TrainingCurves:
    """Losses recorded during training, averaged over runs.

    ``t``: int64 step counts (number of updates) of the records. ``loss_mean`` /
    ``loss_stderr``: population excess loss E_g (no label noise) and its standard error over
    runs (std ddof=1 / √runs). ``train_mean`` / ``train_stderr``: training loss
    (1/P)‖Xw_t − y‖² (includes label noise), finite-dataset runs only. ``runs_loss`` /
    ``runs_train``: per-run values (runs, len(t)) when ``return_runs=True``."""

    t: np.ndarray
    loss_mean: np.ndarray
    loss_stderr: np.ndarray
    train_mean: np.ndarray | None
    train_stderr: np.ndarray | None
    runs_loss: np.ndarray | None
    runs_train: np.ndarray | None
    backend: str
    elapsed_s: float


# ============================================================================ kernels
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


# ============================================================================ interface
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
    return int(value) if isinstance(value, (int, np.integer)) else int(f)


def _as_float(name: str, value: object, requirement: str, ok) -> float:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, requirement, value) from None
    if isinstance(value, (bool, np.bool_)) or not math.isfinite(f) or not ok(f):
        raise ParameterError(name, requirement, value)
    return f


def default_times(steps: int, n: int = 40) -> np.ndarray:
    """0 and ~``n`` log-spaced unique integers in [1, steps], ``steps`` included."""
    grid = np.round(np.logspace(0.0, np.log10(steps), n)).astype(np.int64)
    return np.unique(np.concatenate([[0], grid, [steps]])).astype(np.int64)


def _check_times(times: object, steps: int) -> np.ndarray:
    req = f"must be a non-empty list of integers in [0, steps={steps}]"
    try:
        arr = np.asarray(times, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ParameterError("times", req) from None
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
        raise ParameterError("times", req)
    if arr.min() < 0 or arr.max() > steps:
        raise ParameterError("times", req)
    return np.unique(arr.astype(np.int64))


def _regime(P: int | None, batch: int | None) -> int:
    if P is None:
        return _POPULATION if batch is None else _ONLINE
    return _FULL_BATCH if batch is None or batch >= P else _MINIBATCH


def _per_run_bytes(model: int, regime: int, D: int, N: int, P: int, dense_k: bool, gram: bool):
    """Estimated bytes of one run, and the parameter responsible for most of it."""
    parts = {"spectrum": 8.0 * 6 * D}
    if regime == _FULL_BATCH and gram:
        parts["spectrum"] += 8.0 * D * D
    elif regime in (_FULL_BATCH, _MINIBATCH):
        parts["P"] = 8.0 * (P * D + 2 * P)
    if model == _RF:
        parts["N"] = 8.0 * (N * D + (D * D if dense_k else 0) + N)
    elif model == _TWO_LAYER:
        parts["N"] = 8.0 * (2 * N * D + 3 * N)
    return sum(parts.values()), max(parts, key=parts.get)


def _summary(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = a.shape[0]
    with np.errstate(invalid="ignore", over="ignore"):
        mean = a.mean(axis=0)
        if n > 1:
            finite = np.all(np.isfinite(a), axis=0)
            centred = np.where(finite, a - np.where(finite, mean, 0.0), 0.0)
            sd = np.sqrt((centred**2).sum(axis=0) / (n - 1))
            stderr = np.where(finite, sd / math.sqrt(n), np.inf)
        else:
            stderr = np.full(a.shape[1], np.nan)
    return mean, stderr


def check_inputs(
    model, spectrum, lr, steps, batch, P, N, noise, runs, seed, times, gamma, run_offset
):
    """Validate and normalise :func:`train`'s arguments (shared by the cpu and cuda backends).

    Returns ``(lr, steps, batch, P, N, noise, runs, seed, times, gamma, run_offset)``; N is 0
    for the linear model. Raises :class:`ParameterError` naming the first bad parameter."""
    if model not in MODELS:
        raise ParameterError("model", "must be one of " + ", ".join(MODELS), model)
    if not isinstance(spectrum, Spectrum):
        raise ParameterError("spectrum", "must be an rmtscale.spectra.Spectrum", type(spectrum))
    lr = _as_float("lr", lr, "must be a finite number > 0", lambda v: v > 0)
    steps = _as_int("steps", steps, 1)
    if batch is not None:
        batch = _as_int("batch", batch, 1)
    if P is not None:
        P = _as_int("P", P, 1)
    if model in ("rf", "two_layer"):
        if N is None:
            raise ParameterError("N", f"is required for model '{model}' (an integer >= 1)")
        N = _as_int("N", N, 1)
    else:
        N = 0
    noise = _as_float("noise", noise, "must be a finite number >= 0", lambda v: v >= 0)
    runs = _as_int("runs", runs, 1)
    seed = _as_int("seed", seed, 0)
    if seed >= 2**64:
        raise ParameterError("seed", "must be an integer in [0, 2**64)", seed)
    gamma = _as_float("gamma", gamma, "must be a finite number > 0", lambda v: v > 0)
    run_offset = _as_int("run_offset", run_offset, 0)
    t_rec = default_times(steps) if times is None else _check_times(times, steps)
    return lr, steps, batch, P, N, noise, runs, seed, t_rec, gamma, run_offset


def train(
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
    backend: str = "cpu",
    return_runs: bool = False,
    gamma: float = 1.0,
    run_offset: int = 0,
    progress: bool | None = None,
) -> TrainingCurves:
    """Train ``model`` (``"linear"``, ``"rf"``, ``"two_layer"``) on data with ``spectrum``.

    See the module docstring for the model, update rule, data regimes (``P``/``batch``),
    what is recorded and the random-stream layout. ``lr`` > 0 is the step size of the
    batch-averaged gradient of ½(f − y)² (two_layer: raw lr·N, μP); ``steps`` ≥ 1 updates;
    ``noise`` is the label-noise variance σ²; ``N`` the width (rf, two_layer; ignored by
    linear); ``gamma`` the two_layer feature-learning strength (ignored otherwise);
    ``runs`` independent runs, run r using the streams of global run r + ``run_offset``;
    ``times`` the step counts to record (default :func:`default_times`); ``backend``
    ``"cpu"``, ``"cuda"`` (:func:`rmtscale.simulate.sgd_cuda.train_cuda`) or ``"auto"``
    (cuda when a real GPU is visible, else cpu); ``progress`` a tqdm bar on stderr over
    chunks of runs (None: only when stderr is a terminal).
    """
    t_start = time.perf_counter()
    lr, steps, batch, P, N, noise, runs, seed, t_rec, gamma, run_offset = check_inputs(
        model, spectrum, lr, steps, batch, P, N, noise, runs, seed, times, gamma, run_offset
    )
    if backend not in ("cpu", "cuda", "auto"):
        raise ParameterError("backend", "must be one of cpu, cuda, auto", backend)

    if backend != "cpu":
        from .backends import CudaBackend

        if backend == "cuda" or (backend == "auto" and _real_gpu()):
            if not CudaBackend.available():
                raise BackendError("backend 'cuda' is not available on this machine")
            try:
                from .sgd_cuda import train_cuda
            except ImportError as exc:
                raise BackendError(f"backend 'cuda' is not available: {exc}") from None
            return train_cuda(
                model,
                spectrum,
                lr=lr,
                steps=steps,
                batch=batch,
                P=P,
                N=N if model != "linear" else None,
                noise=noise,
                runs=runs,
                seed=seed,
                times=t_rec,
                return_runs=return_runs,
                gamma=gamma,
                run_offset=run_offset,
            )

    m = MODELS.index(model)
    regime = _regime(P, batch)
    lam = np.ascontiguousarray(spectrum.eigenvalues, dtype=np.float64)
    D = lam.size
    sqrt_lam = np.sqrt(lam)
    wbar = np.sqrt(np.asarray(spectrum.target_power, dtype=np.float64) / lam)
    B = batch if regime in (_ONLINE, _MINIBATCH) else 1
    Pn = P if P is not None else 0
    dense_k = m == _RF and D <= 2 * N
    gram = regime == _FULL_BATCH and Pn >= D

    per_run, culprit = _per_run_bytes(m, regime, D, N, Pn, dense_k, gram)
    if per_run > MEMORY_BUDGET_BYTES:
        raise ParameterError(
            culprit,
            f"makes one run need {per_run / 2**30:.1f} GiB, more than the "
            f"{MEMORY_BUDGET_BYTES / 2**30:.0f} GiB budget (sgd.MEMORY_BUDGET_BYTES)",
        )
    n_threads = numba.get_num_threads()
    concurrent = max(1, min(n_threads, int(MEMORY_BUDGET_BYTES // per_run)))

    T = t_rec.size
    loss = np.full((runs, T), np.nan)
    train_l = np.full((runs, T), np.nan)

    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    # chunks of runs: bounded state memory, and progress updates
    chunk = min(runs, _MAX_CHUNK, max(concurrent, -(-runs // 20)) if progress else runs)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=runs, file=sys.stderr, desc=f"{model} {REGIMES[regime]}", unit="run")
    numba.set_num_threads(concurrent)
    try:
        last = None  # the previous chunk's last stream, before any draw
        for a in range(0, runs, chunk):
            b = min(runs, a + chunk)
            if last is None:
                states = init_states((b - a) * LANES, seed, run_offset * LANES)
            else:
                states = continue_states(last, (b - a) * LANES)
            last = states[-1].copy()
            _kernel(
                states,
                m,
                regime,
                lam,
                sqrt_lam,
                wbar,
                lr,
                B,
                Pn,
                N,
                math.sqrt(noise),
                gamma,
                dense_k,
                gram,
                t_rec,
                loss[a:b],
                train_l[a:b],
            )
            if bar is not None:
                bar.update(b - a)
    finally:
        numba.set_num_threads(n_threads)
        if bar is not None:
            bar.close()

    n_div = int(np.sum(np.isinf(loss[:, -1])))
    if n_div:
        warnings.warn(
            f"{n_div} of {runs} runs diverged (E_g non-finite or > {DIVERGED:g}); "
            "their losses are recorded as inf from then on",
            RuntimeWarning,
            stacklevel=2,
        )
    finite_data = regime in (_FULL_BATCH, _MINIBATCH)
    loss_mean, loss_se = _summary(loss)
    train_mean = train_se = None
    if finite_data:
        train_mean, train_se = _summary(train_l)
    return TrainingCurves(
        t=t_rec,
        loss_mean=loss_mean,
        loss_stderr=loss_se,
        train_mean=train_mean,
        train_stderr=train_se,
        runs_loss=loss if return_runs else None,
        runs_train=(train_l if finite_data else None) if return_runs else None,
        backend="cpu",
        elapsed_s=time.perf_counter() - t_start,
    )


def _real_gpu() -> bool:
    """A physical GPU is visible (the CUDA simulator does not count, for ``auto``)."""
    import os

    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        return False
    from .backends import CudaBackend

    return CudaBackend.available()
