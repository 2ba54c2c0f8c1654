r"""PPXP's (α_P, β_P) parameterization (arXiv 2405.15074): the conversion to canonical (α, β)
and its phases Ia / II / III = the lazy regimes hard / easy / super-easy."""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp

from ..derivation import Derivation
from .common import (
    EASY_EDGE,
    PPXP_PHASE,
    _base,
    _check,
    _finish,
    _zero,
    alpha,
    alpha_P,
    beta,
    beta_P,
    by_regime,
)
from .compute_optimal import compute_optimal, compute_optimal_pieces


# ========================================================================= 6. PPXP phases
def ppxp_from_canonical() -> dict[sp.Symbol, sp.Expr]:
    """α_P = α/2, β_P = (αβ + 1 − α)/2 (note §1)."""
    return {alpha_P: alpha / 2, beta_P: (alpha * beta + 1 - alpha) / 2}


def canonical_from_ppxp() -> dict[sp.Symbol, sp.Expr]:
    """α = 2α_P, β = (2α_P + 2β_P − 1)/(2α_P) (note §1)."""
    return {alpha: 2 * alpha_P, beta: (2 * alpha_P + 2 * beta_P - 1) / (2 * alpha_P)}


PPXP_TABLE = {
    "Ia": (1 / (2 * alpha_P + 1), (2 * alpha_P + 2 * beta_P - 1) / (2 * alpha_P + 1)),
    "II": (
        beta_P / (alpha_P + beta_P),
        (2 * alpha_P + 2 * beta_P - 1) / (2 * alpha_P + 2 * beta_P),
    ),
    "III": (sp.Rational(1, 2), 1 - 1 / (4 * alpha_P)),
}
"""PPXP's phase table (note §8.5): phase → (d* share, loss exponent) in PPXP units."""


def derive_ppxp(alpha_v: Any = None, beta_v: Any = None) -> Derivation:
    r"""The lazy phase diagram is PPXP's (α_P, β_P) phase diagram above the high-dimensional
    line: hard/easy/super-easy = phases Ia/II/III, with identical compute-optimal exponents."""
    d = _base(
        "scaling.ppxp",
        "Lazy phases = PPXP phases Ia / II / III (4+3 phases, arXiv 2405.15074)",
        {"alpha": alpha_v, "beta": beta_v},
    )
    d.conventions.append(
        r"PPXP: $\mathbb E x_j^2=j^{-2\alpha_P}$, target $b_j=j^{-\beta_P}$, power per mode "
        r"$j^{-2\alpha_P-2\beta_P}$; compute $f=d\cdot r$ ($B=1$), $d$ = parameters"
    )
    conv = canonical_from_ppxp()
    d.step(sp.Eq(alpha, conv[alpha]), "eigenvalues j^(-2 alpha_P) = k^(-alpha)")
    d.step(
        sp.Eq(beta, conv[beta]), "power per mode j^(-2 alpha_P - 2 beta_P) = k^(-alpha beta - 1)"
    )
    back = ppxp_from_canonical()
    _check(
        _zero(back[alpha_P].subs(conv) - alpha_P) and _zero(back[beta_P].subs(conv) - beta_P),
        "inverse conversion",
    )
    d.step(sp.Eq(beta_P, back[beta_P]), "inverse: alpha_P = alpha/2")
    # boundaries
    b1 = sp.simplify((beta - 1).subs(conv) * 2 * alpha_P)
    _check(_zero(b1 - (2 * beta_P - 1)), "beta = 1 <=> 2 beta_P = 1")
    d.step(
        sp.Eq(2 * alpha_P * (beta - 1), b1),
        "hard/easy boundary beta = 1 is 2 beta_P = 1 (same sign since alpha_P > 0)",
    )
    b2 = sp.simplify((beta - EASY_EDGE).subs(conv) * 2 * alpha_P)
    _check(_zero(b2 - 2 * (beta_P - alpha_P)), "beta = 2 - 1/alpha <=> beta_P = alpha_P")
    d.step(
        sp.Eq(2 * alpha_P * (beta - EASY_EDGE), b2),
        "easy/super-easy boundary beta = 2 - 1/alpha is beta_P = alpha_P",
    )
    d.step(
        sp.Eq(alpha - 1, sp.simplify((alpha - 1).subs(conv))),
        "alpha > 1 is 2 alpha_P > 1: above PPXP's high-dimensional line",
    )
    d.step(
        sp.Eq(2 * alpha_P * beta, sp.simplify((beta * 2 * alpha_P).subs(conv))),
        "beta > 0 is alpha_P + beta_P > 1/2 (finite loss)",
    )
    lazy = compute_optimal("lazy")
    lp = compute_optimal_pieces("lazy")
    for reg, ph in PPXP_PHASE.items():
        ds, ps = PPXP_TABLE[ph]
        ws = lp["width_share"][reg]
        ce = lp["compute"][reg]
        _check(_zero(ws.subs(conv) - ds), f"{ph}: d* share")
        _check(_zero(ce.subs(conv) - ps), f"{ph}: loss exponent")
        d.step(
            sp.Eq(sp.Symbol(rf"(s_N, e_C)_{{\rm {ph}}}"), sp.Tuple(ds, ps)),
            f"PPXP phase {ph} = lazy {reg}: substituting the conversion into the lazy table "
            "gives these exactly",
        )
    phase = by_regime(sp.Symbol("Ia"), sp.Symbol("II"), sp.Symbol("III"))
    res = {
        "alpha_P": alpha / 2,
        "beta_P": back[beta_P],
        "d_share": lazy["width_share"],
        "loss_exponent": lazy["compute"],
    }
    d.extras["phase"] = phase
    d.extras["canonical"] = conv  # (alpha, beta) in terms of (alpha_P, beta_P)
    return _finish(d, res, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v)})


@functools.cache
def _from_ppxp_compiled() -> Any:
    conv = canonical_from_ppxp()
    return sp.lambdify((alpha_P, beta_P), (conv[alpha], conv[beta]), "math")


def from_ppxp(alpha_p: float, beta_p: float) -> tuple[float, float]:
    """Canonical (α, β) from PPXP's (α_P, β_P), compiled from :func:`canonical_from_ppxp`:
    α = 2α_P, β = (2α_P + 2β_P − 1)/(2α_P)."""
    a, b = _from_ppxp_compiled()(float(alpha_p), float(beta_p))
    return float(a), float(b)


def to_ppxp(alpha_v: float, beta_v: float) -> tuple[float, float]:
    """PPXP's (α_P, β_P) from canonical (α, β): α_P = α/2, β_P = (αβ + 1 − α)/2."""
    return alpha_v / 2, (alpha_v * beta_v + 1 - alpha_v) / 2
