r"""The training simulator: GD and SGD of linear, random-feature and two-layer linear models.

:func:`train` validates its arguments once into a :class:`~.plan.Plan` (:func:`~.plan.make_plan`),
hands it to a backend (``training.cpu``: numba threads; ``training.cuda``: numba-cuda kernels)
and runs ``runs`` independent runs and returns the population excess loss (and the
training loss on a fixed dataset) at chosen step counts, as :class:`TrainingCurves`.

Data and target (``docs/conventions.md`` §1, §7)
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
      lr/γ², so a stable lr scales like γ² for γ ≪ 1 (the η* ∝ γ² law, ``docs/conventions.md`` §9).

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
    in parallel over numba threads; when the total would exceed the memory budget,
    fewer threads run at once, and a single run larger than the budget is a
    :class:`~rmtscale.errors.ParameterError`.
"""

from __future__ import annotations

import os

from ...errors import BackendError, ParameterError
from ...spectra import Spectrum
from .plan import (
    LANES,
    MODELS,
    REGIMES,
    Plan,
    TrainingCurves,
    default_times,
    make_plan,
)

__all__ = [
    "LANES",
    "MODELS",
    "REGIMES",
    "Plan",
    "TrainingCurves",
    "default_times",
    "make_plan",
    "train",
]


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

    See the package docstring for the model, update rule, data regimes (``P``/``batch``),
    what is recorded and the random-stream layout. ``lr`` > 0 is the step size of the
    batch-averaged gradient of ½(f − y)² (two_layer: raw lr·N, μP); ``steps`` ≥ 1 updates;
    ``noise`` is the label-noise variance σ²; ``N`` the width (rf, two_layer; ignored by
    linear); ``gamma`` the two_layer feature-learning strength (ignored otherwise);
    ``runs`` independent runs, run r using the streams of global run r + ``run_offset``;
    ``times`` the step counts to record (default :func:`default_times`); ``backend``
    ``"cpu"``, ``"cuda"`` (``training.cuda``) or ``"auto"`` (cuda when a real GPU is
    visible, else cpu); ``progress`` a tqdm bar on stderr over chunks of runs (cpu; None:
    only when stderr is a terminal).
    """
    plan = make_plan(
        model,
        spectrum,
        lr=lr,
        steps=steps,
        batch=batch,
        P=P,
        N=N,
        noise=noise,
        runs=runs,
        seed=seed,
        times=times,
        gamma=gamma,
        run_offset=run_offset,
    )
    if backend not in ("cpu", "cuda", "auto"):
        raise ParameterError("backend", "must be one of cpu, cuda, auto", backend)
    if backend == "cuda" or (backend == "auto" and _real_gpu()):
        from ..backends import CudaBackend

        if not CudaBackend.available():
            raise BackendError("backend 'cuda' is not available on this machine")
        try:
            from . import cuda
        except ImportError as exc:
            raise BackendError(f"backend 'cuda' is not available: {exc}") from None
        return cuda.run(plan, return_runs=return_runs)
    from . import cpu

    return cpu.run(plan, return_runs=return_runs, progress=progress)


def _real_gpu() -> bool:
    """A physical GPU is visible (the CUDA simulator does not count, for ``auto``)."""
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        return False
    from ..backends import CudaBackend

    return CudaBackend.available()
