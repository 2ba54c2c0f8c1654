r"""Scaling-exponent derivations and the ``scaling.regime`` / ``scaling.ppxp`` solvers.

Derivations (``rmtscale derive NAME [alpha=… beta=…]``; parameters left out stay symbolic):
``scaling.ridge``, ``scaling.random_features``, ``scaling.dynamics``,
``scaling.compute_optimal``, ``scaling.feature_learning``, ``scaling.ppxp``,
``scaling.regime`` (formulas in :mod:`rmtscale.symbolic.exponents`).

Solvers: ``scaling.regime`` (α, β → regime and every exponent: the table
``derive('scaling.regime').extras['table']`` compiled by :func:`~rmtscale.symbolic.exponents.
classify`), ``scaling.ppxp`` (the same from PPXP's (α_P, β_P), converted by the derivation's
``extras['canonical']``). Their ``check`` functions evaluate those sympy expressions with mpmath
(30 digits) at random legal points.
"""

from __future__ import annotations

from typing import Any

from ...errors import ParameterError
from ...params import Param
from ...registry import derivation, solver

ALPHA_OPT = Param(
    "alpha", default=None, gt=1, help="capacity: lambda_k = k^-alpha (symbolic if omitted)"
)
BETA_OPT = Param("beta", default=None, gt=0, help="source: k^-(alpha beta+1) (symbolic if omitted)")
ALPHA_REQ = Param("alpha", required=True, gt=1, help="capacity: eigenvalues lambda_k = k^-alpha")
BETA_REQ = Param("beta", required=True, gt=0, help="source: target power k^-(alpha beta + 1)")
OPT = (ALPHA_OPT, BETA_OPT)


def _ex():
    from ...symbolic import exponents

    return exponents


# ============================================================================ derivations
@derivation(
    "scaling.ridge",
    "Ridge: E_g ~ P^-alpha min(beta,2), lambda^min(beta,2), optimal ridge, noise",
    (*OPT, Param("ell", default=None, gt=0, help="ridge schedule lambda = P^-ell")),
)
def derive_ridge(alpha=None, beta=None, ell=None):
    return _ex().derive_ridge(alpha, beta, ell)


@derivation(
    "scaling.random_features",
    "Linear RF: N^-alpha min(beta,1) (linear projection), P^-alpha min(beta,2), Var_F",
    (*OPT, Param("L", kind="int", default=None, ge=1, help="depth (prefactors only)")),
)
def derive_random_features(alpha=None, beta=None, L=None):
    return _ex().derive_random_features(alpha, beta, L)


@derivation(
    "scaling.dynamics",
    "Dynamical model (lazy): t^-beta, N^-alpha min(beta,1), P^-alpha min(beta,2), SGD term",
    OPT,
)
def derive_dynamics(alpha=None, beta=None):
    return _ex().derive_dynamics(alpha, beta)


@derivation(
    "scaling.compute_optimal",
    "Compute-optimal C = N t: width/time shares and C-exponents (lazy, flow, rich)",
    OPT,
)
def derive_compute_optimal(alpha=None, beta=None):
    return _ex().derive_compute_optimal(alpha, beta)


@derivation(
    "scaling.feature_learning",
    "Rich time exponent chi(beta) = beta max(1, 2/(1+beta)) and the rich compute law",
    OPT,
)
def derive_feature_learning(alpha=None, beta=None):
    return _ex().derive_feature_learning(alpha, beta)


@derivation(
    "scaling.ppxp",
    "Lazy hard/easy/super-easy = PPXP phases Ia/II/III (conversion and exponents)",
    OPT,
)
def derive_ppxp(alpha=None, beta=None):
    return _ex().derive_ppxp(alpha, beta)


@derivation(
    "scaling.regime",
    "Regimes hard (beta<1) / easy / super-easy (beta >= 2-1/alpha), boundaries",
    OPT,
)
def derive_regime(alpha=None, beta=None):
    return _ex().derive_regime(alpha, beta)


# ============================================================================ checks
def _generic(ex: Any, v: float) -> bool:
    """True when ``classify`` uses v as it is (no snap to a nearby simple fraction)."""
    return float(ex.common._exact(v, "x")) == v


def _mp_table(table: dict, args: tuple, point: tuple, dps: int = 30) -> dict[str, float]:
    """Every expression of ``table`` evaluated by mpmath at ``point`` with ``dps`` digits."""
    import mpmath
    import sympy as sp

    out = {}
    with mpmath.workdps(dps):
        mp_point = [mpmath.mpf(v) for v in point]
        for key, expr in table.items():
            f = sp.lambdify(args, expr, modules="mpmath")
            out[key] = float(f(*mp_point))
    return out


def check_regime(rng) -> tuple[dict[str, float], dict[str, float]]:
    """A random legal (α, β) and every exponent of the regime derivation's table there."""
    ex = _ex()
    while True:
        a, b = float(1.02 + 3 * rng.random()), float(0.02 + 4 * rng.random())
        if _generic(ex, a) and _generic(ex, b):
            break
    table = ex.derive_regime().extras["table"]
    return {"alpha": a, "beta": b}, _mp_table(table, (ex.alpha, ex.beta), (a, b))


def check_ppxp(rng) -> tuple[dict[str, float], dict[str, float]]:
    """A random legal (α_P, β_P) and the PPXP derivation's conversion and exponents there,
    with every exponent of the regime table at the converted (α, β)."""
    ex = _ex()
    while True:
        aP = float(0.52 + 1.5 * rng.random())
        bP = float(0.52 - aP + 3 * rng.random())
        a, b = ex.from_ppxp(aP, bP)
        if _generic(ex, a) and _generic(ex, b):
            break
    d = ex.derive_ppxp()
    conv = d.extras["canonical"]
    table = {"alpha": conv[ex.alpha], "beta": conv[ex.beta]}
    res = d.extras["exponents"]  # also alpha_P, beta_P (the identity): not solver outputs
    table.update({k: res[k].subs(conv) for k in ("d_share", "loss_exponent")})
    table.update({k: v.subs(conv) for k, v in ex.derive_regime().extras["table"].items()})
    return {"alpha_P": aP, "beta_P": bP}, _mp_table(table, (ex.alpha_P, ex.beta_P), (aP, bP))


# ============================================================================ solvers
@solver(
    "scaling.regime",
    "Regime (hard/easy/super-easy) and every scaling exponent at (alpha, beta)",
    (ALPHA_REQ, BETA_REQ),
    derivation="scaling.regime",
    check=check_regime,
)
def solve_regime(alpha: float, beta: float) -> dict[str, Any]:
    return _ex().classify(alpha, beta)


@solver(
    "scaling.ppxp",
    "PPXP (alpha_P, beta_P) -> canonical (alpha, beta), phase and every exponent",
    (
        Param("alpha_P", required=True, gt=0.5, help="PPXP data exponent: E x_j^2 = j^-2alpha_P"),
        Param("beta_P", required=True, help="PPXP target exponent b_j = j^-beta_P"),
    ),
    derivation="scaling.ppxp",
    check=check_ppxp,
)
def solve_ppxp(alpha_P: float, beta_P: float) -> dict[str, Any]:
    if not alpha_P + beta_P > 0.5:
        raise ParameterError("beta_P", "must be > 1/2 - alpha_P (finite loss)", beta_P)
    ex = _ex()
    a, b = ex.from_ppxp(alpha_P, beta_P)
    out = {"alpha": a, "beta": b}
    out.update(ex.classify(a, b))
    out["d_share"] = out["width_share_lazy"]
    out["loss_exponent"] = out["compute_exponent_lazy"]
    return out
