r"""Power-law scaling exponents as exact sympy Piecewise functions of capacity α and source β.

Conventions (``docs/conventions.md``): :math:`\lambda_k=k^{-\alpha}` (α > 1), target power per
mode :math:`\lambda_k\bar w_k^2=k^{-\alpha\beta-1}` (β > 0; the target lies in the RKHS iff
β > 1). An exponent e means "loss ∝ X^(−e)"; a *share* s means "X* ∝ C^s" at the
compute-optimal allocation of C = N·t. Time is gradient-flow time τ or SGD steps t (same
exponents); compute drops the batch size.

Everything here follows from one **mode-sum lemma** (:mod:`.lemma`): for a filter h(y) of the
scaled variable :math:`y=\kappa k^\alpha` (κ the resolution: a ridge, κ_N, κ_P, or 1/τ),

.. math:: \sum_k k^{-a}h(\kappa k^\alpha)\simeq\kappa^{(a-1)/\alpha}\,\frac1\alpha
          \mathcal M[h]\Big(\frac{1-a}\alpha\Big)\quad\text{if the Mellin integral converges,}

else (learned modes dominate, :math:`h(y)\simeq c\,y^n` at small y) :math:`\simeq c\,\kappa^n
\sum_kk^{\alpha n-a}`; so the κ-exponent is :math:`\min((a-1)/\alpha,\,n)` (a log at equality).
With the target power a = αβ + 1 this is **min(β, n)**: n = 2 for the squared ridge filter
(data, λ: saturation at β = 2), n = 1 for the linear projection filter (width: saturation at
β = 1), n = ∞ for gradient flow's exponential filter (time: no saturation).

The regimes: **hard** β < 1, **easy** 1 ≤ β < 2 − 1/α, **super-easy** β ≥ 2 − 1/α.
Boundary rule (deterministic): a point on a boundary belongs to the regime *above* it (the
Piecewise conditions are strict "<"); every exponent is continuous across both boundaries,
so this only names the point. :func:`classify` decides in exact rational arithmetic after
snapping each input to the nearest fraction with denominator ≤ 1000 when it lies within
1e-9 (relative) of it, so ``beta=1.3333333333`` with ``alpha=1.5`` is *on* β = 2 − 1/α.

This is the one home of the exponents; its modules, one per concept:

* :mod:`.common` — symbols, conventions, Piecewise helpers, exact rationals;
* :mod:`.lemma` — the mode-sum lemma (:func:`mode_sum`, Mellin closed forms checked by
  quadrature);
* :mod:`.bottlenecks` — one bottleneck at a time: :func:`derive_ridge`,
  :func:`derive_random_features`, :func:`derive_dynamics` (the lazy dynamical model: time,
  width, data, embedding and SGD-noise exponents);
* :mod:`.compute_optimal` — the split of C = N·t (:func:`loss_terms`,
  :func:`compute_optimal`, :func:`derive_compute_optimal`);
* :mod:`.feature_learning` — χ(β) (:func:`derive_feature_learning`);
* :mod:`.phases` — PPXP's parameterization and phases (:func:`derive_ppxp`,
  :func:`from_ppxp`, :func:`to_ppxp`);
* :mod:`.regimes` — :func:`derive_regime`, the table :func:`exponents` and :func:`classify`.
"""

from __future__ import annotations

from .bottlenecks import derive_dynamics, derive_random_features, derive_ridge
from .common import (
    ASSUMPTIONS,
    CONVENTIONS,
    EASY,
    EASY_EDGE,
    HARD,
    PPXP_PHASE,
    REGIMES,
    SUPER,
    B,
    L_depth,
    N,
    P,
    alpha,
    alpha_P,
    beta,
    beta_P,
    by_regime,
    chi_expr,
    ell,
    gam,
    k,
    kappa,
    kappa_N,
    kappa_P,
    pmin,
    q,
    share,
    t,
    tau,
    u,
    x,
    y,
)
from .compute_optimal import (
    REGIME_SAMPLES,
    binding_pairs,
    compute_optimal,
    compute_optimal_pieces,
    derive_compute_optimal,
    loss_terms,
)
from .feature_learning import derive_feature_learning
from .lemma import SAMPLES_ALL, SAMPLES_HARD, mode_sum
from .phases import (
    PPXP_TABLE,
    canonical_from_ppxp,
    derive_ppxp,
    from_ppxp,
    ppxp_from_canonical,
    to_ppxp,
)
from .regimes import DOMINANT, classify, derive_regime, exponents, regime_code, regime_of

__all__ = [
    "ASSUMPTIONS",
    "B",
    "CONVENTIONS",
    "DOMINANT",
    "EASY",
    "EASY_EDGE",
    "HARD",
    "L_depth",
    "N",
    "P",
    "PPXP_PHASE",
    "PPXP_TABLE",
    "REGIMES",
    "REGIME_SAMPLES",
    "SAMPLES_ALL",
    "SAMPLES_HARD",
    "SUPER",
    "alpha",
    "alpha_P",
    "beta",
    "beta_P",
    "binding_pairs",
    "by_regime",
    "canonical_from_ppxp",
    "chi_expr",
    "classify",
    "compute_optimal",
    "compute_optimal_pieces",
    "derive_compute_optimal",
    "derive_dynamics",
    "derive_feature_learning",
    "derive_ppxp",
    "derive_random_features",
    "derive_regime",
    "derive_ridge",
    "ell",
    "exponents",
    "from_ppxp",
    "gam",
    "k",
    "kappa",
    "kappa_N",
    "kappa_P",
    "loss_terms",
    "mode_sum",
    "pmin",
    "ppxp_from_canonical",
    "q",
    "regime_code",
    "regime_of",
    "share",
    "t",
    "tau",
    "to_ppxp",
    "u",
    "x",
    "y",
]
