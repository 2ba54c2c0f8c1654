r"""The regimes hard / easy / super-easy: their derivation, the table of every Piecewise
exponent, and the classifier at a point (the ``scaling.regime`` solver)."""

from __future__ import annotations

import functools
import math
from typing import Any

import sympy as sp

from ...errors import ParameterError
from ..derivation import Derivation
from .bottlenecks import derive_dynamics, derive_random_features, derive_ridge
from .common import (
    EASY,
    EASY_EDGE,
    HARD,
    PPXP_PHASE,
    SUPER,
    _base,
    _check,
    _exact,
    _finish,
    _zero,
    alpha,
    alpha_P,
    beta,
    beta_P,
    by_regime,
    chi_expr,
    k,
)
from .compute_optimal import compute_optimal_pieces, derive_compute_optimal
from .phases import ppxp_from_canonical


# ============================================================================ 7. regimes
def derive_regime(alpha_v: Any = None, beta_v: Any = None) -> Derivation:
    r"""Hard / easy / super-easy: definitions, boundaries, continuity of every exponent across
    them, and which term dominates as t grows."""
    d = _base(
        "scaling.regime",
        "Regimes of the (alpha, beta) plane: hard, easy, super-easy",
        {"alpha": alpha_v, "beta": beta_v},
    )
    a_b = alpha * beta + 1 - alpha
    d.step(
        sp.Eq(sp.Symbol(r"\lVert\bar w\rVert^2"), sp.Sum(k ** (-a_b), (k, 1, sp.oo))),
        "hard <=> beta < 1: the target norm sum k^(alpha(1-beta)-1) diverges (outside the RKHS "
        "of the initial kernel)",
    )
    d.step(
        sp.Eq(beta, EASY_EDGE),
        "easy/super-easy: the SGD-noise term t^-(2-1/alpha) decays slower than t^(-beta) iff "
        "beta > 2 - 1/alpha (in (1, 2) for alpha > 1)",
    )
    reg = by_regime(sp.Symbol("hard"), sp.Symbol("easy"), sp.Symbol("super-easy"))
    d.step(
        sp.Eq(sp.Symbol("regime"), reg),
        "boundary points belong to the regime above them (strict <)",
    )
    lazy = compute_optimal_pieces("lazy")
    for nm in ("lazy", "rich", "flow"):
        pw = compute_optimal_pieces(nm)
        for key in ("width_share", "compute"):
            pc = pw[key]
            _check(_zero(pc[HARD].subs(beta, 1) - pc[EASY].subs(beta, 1)), f"{nm} {key} at b=1")
            _check(
                _zero(pc[EASY].subs(beta, EASY_EDGE) - pc[SUPER].subs(beta, EASY_EDGE)),
                f"{nm} {key} at b=2-1/alpha",
            )
    d.step(
        sp.Eq(sp.Symbol(r"s_N(\beta=1)"), sp.simplify(lazy["width_share"][HARD].subs(beta, 1))),
        "continuity at beta = 1 (lazy, rich and flow; shares and C-exponent: checked "
        "symbolically). Dominant terms as t grows (lazy): hard t^-beta -> N^-alpha beta (rich: "
        "t^-chi first); easy t^-beta -> N^-1 t^-(1-1/alpha) -> N^-alpha; super-easy "
        "B^-1 t^-(2-1/alpha) -> N^-1 t^-(1-1/alpha) -> N^-alpha",
    )
    d.step(
        sp.Eq(
            sp.Symbol(r"s_N(\beta=2-1/\alpha)"),
            sp.simplify(lazy["width_share"][EASY].subs(beta, EASY_EDGE)),
        ),
        "continuity at beta = 2 - 1/alpha: N* ~ C^(1/2) on both sides",
    )
    res = {"regime": reg}
    # every exponent the ``scaling.regime`` solver reports, symbolic in (alpha, beta): the
    # expressions it compiles (and the generic derivation <-> solver test evaluates)
    d.extras["table"] = exponents()
    return _finish(d, res, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v)})


@functools.lru_cache(maxsize=1)
def exponents() -> dict[str, sp.Expr]:
    """Every exponent as a symbolic Piecewise in (α, β) — the formulas :func:`classify` uses."""
    rg = derive_ridge().extras["exponents"]
    rf = derive_random_features().extras["exponents"]
    dy = derive_dynamics().extras["exponents"]
    co = derive_compute_optimal().extras["exponents"]
    ppxp = ppxp_from_canonical()
    return {
        "time_exponent_lazy": beta,
        "time_exponent_rich": chi_expr(),
        "width_exponent": dy["width"],
        "data_exponent": dy["data"],
        "sgd_noise_exponent": dy["sgd_noise"],
        "embedding_time_exponent": dy["embedding_time"],
        "compute_exponent_lazy": co["compute_lazy"],
        "compute_exponent_rich": co["compute_rich"],
        "compute_exponent_flow": co["compute_flow"],
        "width_share_lazy": co["width_share_lazy"],
        "width_share_rich": co["width_share_rich"],
        "width_share_flow": co["width_share_flow"],
        "time_share_lazy": co["time_share_lazy"],
        "time_share_rich": co["time_share_rich"],
        "time_share_flow": co["time_share_flow"],
        "ridge_data_exponent": rg["data"],
        "ridge_lambda_exponent": rg["lambda"],
        "optimal_ridge_exponent": rg["optimal_ridge"],
        "optimal_ridge_error_exponent": rg["optimal_error"],
        "variance_limited_exponent": rg["variance_limited"],
        "rf_width_exponent": rf["width"],
        "rf_data_exponent": rf["data"],
        "rf_feature_variance_P_exponent": rf["feature_variance_P"],
        "rf_crossover_exponent": rf["crossover"],
        "alpha_ppxp": ppxp[alpha_P],
        "beta_ppxp": ppxp[beta_P],
    }


@functools.lru_cache(maxsize=1)
def _compiled() -> dict[str, Any]:
    return {k_: sp.lambdify((alpha, beta), v, "math") for k_, v in exponents().items()}


DOMINANT = {
    ("lazy", HARD): "t^-beta -> N^-(alpha beta)",
    ("rich", HARD): "t^-chi -> N^-(alpha beta)",
    ("lazy", EASY): "t^-beta -> N^-1 t^-(1-1/alpha) -> N^-alpha",
    ("lazy", SUPER): "B^-1 t^-(2-1/alpha) -> N^-1 t^-(1-1/alpha) -> N^-alpha",
}


def regime_of(alpha_v: Any, beta_v: Any) -> tuple[str, str]:
    """(regime, boundary) in exact arithmetic; boundary is 'none', 'beta=1' or
    'beta=2-1/alpha' (a boundary point is assigned to the regime above it)."""
    a, b = _exact(alpha_v, "alpha"), _exact(beta_v, "beta")
    edge = 2 - 1 / a
    if b < 1:
        return HARD, "none"
    if b == 1:
        return EASY, "beta=1"
    if b < edge:
        return EASY, "none"
    return SUPER, ("beta=2-1/alpha" if b == edge else "none")


def _check_inputs(alpha_v: Any, beta_v: Any) -> tuple[float, float]:
    for name, v, req in (("alpha", alpha_v, "> 1"), ("beta", beta_v, "> 0")):
        try:
            fv = float(v)
        except (TypeError, ValueError):
            raise ParameterError(name, f"must be a finite number {req}", v) from None
        if isinstance(v, bool) or not math.isfinite(fv):
            raise ParameterError(name, f"must be a finite number {req}", v)
    a, b = float(alpha_v), float(beta_v)
    if not a > 1:
        raise ParameterError(
            "alpha", "must be a finite number > 1 (capacity: lambda_k = k^-alpha summable)", alpha_v
        )
    if not b > 0:
        raise ParameterError(
            "beta", "must be a finite number > 0 (source: target power k^-(alpha beta+1))", beta_v
        )
    return a, b


def classify(alpha_v: Any, beta_v: Any) -> dict[str, Any]:
    r"""Regime name and every exponent at one point (α, β) (canonical units).

    Keys: ``regime`` ('hard', 'easy', 'super-easy'), ``boundary`` ('none', 'beta=1',
    'beta=2-1/alpha'), ``ppxp_phase`` ('Ia', 'II', 'III'), ``in_rkhs``, the exponents of
    :func:`exponents` (floats; loss ∝ X^-e, X* ∝ C^share), ``dominant_lazy`` /
    ``dominant_rich`` (which term dominates as t grows) and ``log_corrections`` (a note at
    the saturation boundaries β = 1, 2). Raises :class:`ParameterError` for α ≤ 1, β ≤ 0."""
    a, b = _check_inputs(alpha_v, beta_v)
    reg, boundary = regime_of(a, b)
    # evaluate each exponent on the branch of the decided regime: representative point
    # strictly inside that regime for the regime-Piecewise, exact value otherwise
    ea, eb = _exact(a, "alpha"), _exact(b, "beta")
    fa, fb = float(ea), float(eb)
    out: dict[str, Any] = {
        "regime": reg,
        "boundary": boundary,
        "ppxp_phase": PPXP_PHASE[reg],
        "in_rkhs": bool(eb > 1),
    }
    vals = {}
    for k_, f in _compiled().items():
        vals[k_] = float(f(fa, fb))
    if boundary != "none":
        # exact branch choice on the boundary (floats could fall either side): evaluate the
        # regime-dependent formulas exactly
        for k_, expr in exponents().items():
            vals[k_] = float(sp.piecewise_fold(expr).subs({alpha: ea, beta: eb}))
    out.update(vals)
    out["dominant_lazy"] = DOMINANT[("lazy", reg)]
    out["dominant_rich"] = DOMINANT[("rich" if reg == HARD else "lazy", reg)]
    logs = []
    if eb == 1:
        logs.append("beta=1: width/projection term N^-alpha log N; time exponent chi = 1")
    if eb == 2:
        logs.append("beta=2: data/ridge term P^-2alpha log P (saturation of the squared filter)")
    if boundary == "beta=2-1/alpha":
        logs.append("beta=2-1/alpha: t^-beta and B^-1 t^-(2-1/alpha) decay alike")
    out["log_corrections"] = "; ".join(logs) if logs else "none"
    return out


def regime_code(alpha_v: Any, beta_v: Any) -> Any:
    """Vectorized regime index (0 hard, 1 easy, 2 super-easy) for plotting (float boundary
    rule: β < 1, β < 2 − 1/α strict, as the Piecewise)."""
    import numpy as np

    a = np.asarray(alpha_v, dtype=float)
    b = np.asarray(beta_v, dtype=float)
    return np.where(b < 1, 0, np.where(b < 2 - 1 / a, 1, 2))
