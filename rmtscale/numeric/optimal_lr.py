r"""Numbers from the optimal-learning-rate theory of the deep linear chain (compiled from sympy).

The closed forms of :mod:`rmtscale.symbolic.optimal_lr` (symmetric start a_ℓ(0) = 1, y = 1;
η the raw GD step of the toy; η* the largest convergent step, i.e. the edge of stability
2/λ_max at the zero-loss point) are compiled once per process by
:func:`rmtscale.numeric.codegen.compile_expressions` into one numba function of (γ, L):

* ``lr`` — :math:`\eta_{\max}=2\gamma^2/(L(1+\gamma)^{2-2/L})`;
* ``slope`` — :math:`d\ln\eta_{\max}/d\ln\gamma=2-(2-2/L)\gamma/(1+\gamma)`;
* ``lr_lazy_asymptote`` — :math:`2\gamma^2/L` (γ ≪ 1); ``lr_rich_asymptote`` —
  :math:`2\gamma^{2/L}/L` (γ ≫ 1);
* ``sharpness`` — :math:`\lambda_{\max}=L(1+\gamma)^{2-2/L}/\gamma^2` at the solution;

and, as functions of L alone, the limits of the slope: lazy (γ → 0) 2, rich (γ → ∞) 2/L
(:func:`asymptotic_slopes`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ParameterError
from .codegen import cached, compile_expressions

OUTPUTS = ("lr", "slope", "lr_lazy_asymptote", "lr_rich_asymptote", "sharpness")


@cached
def compiled():
    """The compiled function ``(gamma, L) -> array of OUTPUTS`` (built once, cached on disk)."""
    from ..symbolic import optimal_lr as sym

    exprs = [
        sym.eta_max_expr(),
        sym.slope_expr(),
        sym.lazy_asymptote_expr(),
        sym.rich_asymptote_expr(),
        sym.sharpness_expr(),
    ]
    return compile_expressions([sym.gamma, sym.L], exprs, name="optimal_lr_toy")


def _check(gamma: Any, depth: Any) -> tuple[np.ndarray, int]:
    if isinstance(depth, (bool, np.bool_)):
        raise ParameterError("depth", "must be an integer >= 1", depth)
    try:
        dv = float(depth)
    except (TypeError, ValueError):
        raise ParameterError("depth", "must be an integer >= 1", depth) from None
    if not np.isfinite(dv) or dv != int(dv) or dv < 1:
        raise ParameterError("depth", "must be an integer >= 1", depth)
    try:
        g = np.asarray(gamma, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("gamma", "must be a finite number > 0", gamma) from None
    if g.ndim > 1 or g.size == 0 or not np.all(np.isfinite(g)) or np.any(g <= 0):
        raise ParameterError("gamma", "must be a finite number > 0 (or a 1-D array)", gamma)
    return g, int(dv)


def toy_optimal_lr(gamma: Any, depth: int) -> dict[str, Any]:
    """The OUTPUTS at ``gamma`` (a number → floats, a 1-D array → arrays) and depth L ≥ 1."""
    g, L = _check(gamma, depth)
    fn = compiled()
    flat = np.atleast_1d(g)
    vals = np.array([fn(float(x), float(L)) for x in flat])  # (len(gamma), len(OUTPUTS))
    out: dict[str, Any] = {}
    for i, k in enumerate(OUTPUTS):
        col = vals[:, i]
        out[k] = float(col[0]) if g.ndim == 0 else col.copy()
    return out


@cached
def _asymptotic() -> Any:
    """Compiled ``L -> (lazy slope, rich slope)`` from the symbolic limits (cached on disk)."""
    from ..symbolic import optimal_lr as sym

    return compile_expressions(
        [sym.L], [sym.slope_lazy_expr(), sym.slope_rich_expr()], name="optimal_lr_slopes"
    )


def asymptotic_slopes(depth: int) -> tuple[float, float]:
    """The lazy and rich slopes of η* against γ, (2, 2/L): the symbolic limits of the slope
    (:func:`rmtscale.symbolic.optimal_lr.slope_lazy_expr`, ``slope_rich_expr``), compiled."""
    _, L = _check(1.0, depth)
    lazy, rich = _asymptotic()(float(L))
    return float(lazy), float(rich)


def fitted_slope(gammas: Any, depth: int) -> float:
    """Least-squares slope of ln η_max against ln γ of the symmetric-start formula over the
    grid ``gammas`` (what a log–log fit of exact toy data on that grid returns)."""
    g, L = _check(gammas, depth)
    g = np.atleast_1d(g)
    if np.unique(g).size < 2:
        raise ParameterError("gammas", "must hold at least two different values", gammas)
    lr = np.asarray(toy_optimal_lr(g, L)["lr"])
    x = np.log(g)
    xc = x - x.mean()
    return float(np.log(lr) @ xc / (xc @ xc))
