r"""Deep linear models trained by plain gradient descent, and their largest convergent step.

Two models, both with the output **centred** (zero at initialisation) and **divided by γ**,
the feature-learning strength of Atanasov–Meterez–Simon–Pehlevan (arXiv 2410.04642; γ ≪ 1
lazy, γ = 1 μP / mean field, γ ≫ 1 "ultra-rich"; ``docs/conventions.md`` §9). Both are
trained by full-batch GD on ½(f − y)² with a **raw** step η (stated per model below), and
time counts steps.

The scalar chain (the theory's toy model)
    One datum x = 1, target y, parameters a ∈ ℝᴸ:
    :math:`f(a)=(\prod_\ell a_\ell-\prod_\ell a_\ell(0))/\gamma`,
    :math:`a_\ell\leftarrow a_\ell-\eta\,(f-y)\,\partial f/\partial a_\ell`
    (η is the raw GD step). Default start a_ℓ(0) = 1, y = 1 (the symmetric start, for which
    :math:`\eta_{\max}=2\gamma^2/(L(1+\gamma)^{2-2/L})`). A run **converges** when
    :math:`|f-y|<` ``tol`` within ``steps`` updates; it is stopped as divergent when
    :math:`|f-y|` is non-finite or exceeds 1e30. :func:`chain_eta_max` bisects on that
    predicate (tol = 1e−10 and 2×10⁴ steps by default).

The width-N network (:func:`network_eta_max`, :func:`train_network`)
    Task: linear regression on whitened Gaussian inputs x ~ N(0, I_D) with target
    y = w̄·x (no noise; w̄ = e₁ by default, ‖w̄‖ = 1, the toy's y = 1), trained on the
    **population** loss :math:`\mathcal L=\tfrac12\mathbb E(f(x)-y)^2=\tfrac12\lVert
    w_{\rm eff}-\bar w\rVert^2` (full-batch GD with the exact population gradient; nothing is
    sampled but the initialisation). Depth L ≥ 2, width N:

    .. math:: f(x)=\frac{v^\top W_{L-1}\cdots W_2W_1x-v_0^\top W_{L-1}(0)\cdots W_1(0)x}
              {\gamma N},\qquad w_{\rm eff}=\frac{(M-M_0)^\top}{\gamma N},\quad
              M=v^\top W_{L-1}\cdots W_1,

    with :math:`W_1\in\mathbb R^{N\times D}` (entries N(0, 1/D)), hidden
    :math:`W_\ell\in\mathbb R^{N\times N}`, ℓ = 2 … L−1 (entries N(0, 1/N)) and the readout
    :math:`v\in\mathbb R^N` (entries N(0, 1), used with the 1/(γN) factor). This is μP
    (Yang & Hu's Table 3 for SGD: input layer variance 1/fan_in and learning rate η·N, hidden
    layers variance 1/N and learning rate η, readout variance 1/N² and learning rate η/N, our
    v being N × that readout), with the output further divided by γ and centred (the
    parameterisation of arXiv 2410.04642). The updates, simultaneous, with
    :math:`e=w_{\rm eff}-\bar w`:

    .. math:: v\leftarrow v-\frac\eta\gamma\,W_{L-1}\cdots W_1e,\qquad
              W_1\leftarrow W_1-\frac\eta\gamma\,b_1e^\top,\qquad
              W_\ell\leftarrow W_\ell-\frac{\eta}{\gamma N}\,b_\ell\,(W_{\ell-1}\cdots W_1e)^\top,

    :math:`b_\ell=W_{\ell+1}^\top\cdots W_{L-1}^\top v` (each is the gradient of ½‖e‖²
    times the layer's μP rate). For L = 2 it is the ``two_layer`` model of
    :mod:`rmtscale.simulate.training` (there ``lr`` = η) on population GD with Σ = I. At
    γ → 0 the dynamics is linear with the initial NTK
    :math:`K_0\approx(1+(L-1)/D)\,I/\gamma^2`, so the stable η ∝ γ²; at γ ≫ 1 the weights
    must grow by γ^{1/L} per layer (balancedness), the sharpness at the solution is
    ∝ γ^{−2/L}, and η_max ∝ γ^{2/L}.

    A run **converges** when :math:`\lVert e\rVert<` ``tol``·‖w̄‖ within ``steps`` updates. It
    **fails** as soon as the loss exceeds ``max_rise`` × its initial value ½‖w̄‖² (or is
    non-finite, or exceeds 1e30). With the default ``max_rise = 1`` a run may never do worse
    than the zero predictor it starts from: this excludes catapults (at γ ≪ 1 a step a little
    above the edge of stability can still converge after a loss spike of size ~1/γ² that
    flattens the network); ``max_rise = inf`` counts them as convergent.

Largest convergent step (both models)
    Per (run, γ): start from the initial edge of stability η₀ = 2/λ₀ (λ₀ the top eigenvalue
    of the initial NTK; for the chain ‖∇f(a(0))‖²); if η₀ converges, double until a step fails,
    else divide by 4 until one converges (at most 40 times each; NaN when no bracket is found,
    e.g. when no step converges within the budget); then bisect in log η until
    hi/lo < 1 + ``rtol``. The value returned is ``lo``, the largest step seen to converge (so
    it is below the true boundary by at most a factor 1 + rtol, plus the finite-``steps``
    bias: within T steps a step at relative distance δ below the edge contracts the error by
    ~(1 − 2δ)^T only).
    The predicate is assumed monotone in η (checked in the tests on grids).

Random streams
    Run r of a call with ``seed`` uses stream r + ``run_offset`` of
    :func:`~rmtscale.simulate.xoroshiro.init_states` (``init_states(runs, seed, run_offset)``):
    it draws, with ``normal_f64``, W₁ row by row (N rows of D normals, divided by √D), then each
    hidden W_ℓ, ℓ = 2 … L−1, row by row (divided by √N), then v (N normals). Nothing else is
    random, every γ of a run uses the same initial network (so the fitted slope of one run has
    no init-to-init noise in its prefactor), and results do not depend on ``runs`` batching or
    thread scheduling.

Cost
    One GD step of the network: O(3(L−2)N² + 3ND) flops; memory per concurrently running
    (run, γ) pair: 8 bytes × ((L−2)N² + N(D + L + 1)). Pairs run in parallel over numba
    threads (``prange``). A CUDA kernel is not provided (the sweep is CPU-bound but cheap:
    see ``benchmarks/optimal_lr_sweep.py``).

Modules: :mod:`.chain` (the scalar chain), :mod:`.network` (the width-N network),
:mod:`.checks` (argument checks).
"""

from __future__ import annotations

from .chain import chain_converges, chain_eta_max
from .checks import DIVERGED
from .network import (
    MEMORY_BUDGET_BYTES,
    EtaMaxResult,
    NetworkInit,
    fit_slopes,
    init_networks,
    network_eta_max,
    train_network,
)

__all__ = [
    "DIVERGED",
    "MEMORY_BUDGET_BYTES",
    "EtaMaxResult",
    "NetworkInit",
    "chain_converges",
    "chain_eta_max",
    "fit_slopes",
    "init_networks",
    "network_eta_max",
    "train_network",
]
