r"""Symbols, conventions and helpers shared by the exponent derivations (see
:mod:`rmtscale.symbolic.exponents`; conventions in ``docs/conventions.md``)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import sympy as sp

from ...errors import ParameterError
from ..derivation import Derivation

# ---------------------------------------------------------------------------------- symbols
alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", positive=True)
ell = sp.Symbol("ell", positive=True)  # ridge schedule lambda = P^-ell
L_depth = sp.Symbol("L", positive=True, integer=True)  # depth of deep linear random features
k = sp.Symbol("k", positive=True)
x = sp.Symbol("x", positive=True)
y = sp.Symbol("y", positive=True)
u = sp.Symbol("u", positive=True)
kappa = sp.Symbol("kappa", positive=True)
kappa_P = sp.Symbol("kappa_P", positive=True)
kappa_N = sp.Symbol("kappa_N", positive=True)
tau = sp.Symbol("tau", positive=True)
t = sp.Symbol("t", positive=True)
N = sp.Symbol("N", positive=True)
P = sp.Symbol("P", positive=True)
B = sp.Symbol("B", positive=True)
gam = sp.Symbol("gamma", positive=True)  # feature-learning strength (lazy: gamma -> 0)
q = sp.Symbol("q", nonnegative=True)
share = sp.Symbol("a", real=True)  # N = C^a, t = C^(1-a)
alpha_P = sp.Symbol(r"alpha_P", positive=True)
beta_P = sp.Symbol(r"beta_P", real=True)

HARD, EASY, SUPER = "hard", "easy", "super-easy"
REGIMES = (HARD, EASY, SUPER)
PPXP_PHASE = {HARD: "Ia", EASY: "II", SUPER: "III"}

CONVENTIONS = [
    r"$\lambda_k=k^{-\alpha}$ ($\alpha>1$), $\lambda_k\bar w_k^2=k^{-\alpha\beta-1}$ "
    r"($\beta>0$; RKHS iff $\beta>1$); paper 2's $(a,b)=(\alpha\beta+1,\alpha)$",
    r"an exponent $e$ means loss $\propto X^{-e}$; a share $s$ means $X^\star\propto C^{s}$",
    r"compute $C=N\,t$ (batch dropped); $t$ = gradient-flow time $\tau$ or SGD steps",
    r"regimes: hard $\beta<1$, easy $1\le\beta<2-1/\alpha$, super-easy $\beta\ge2-1/\alpha$ "
    r"(a boundary point belongs to the regime above it; exponents are continuous there)",
]
ASSUMPTIONS = [
    r"mode sums replaced by integrals (leading order as the resolution $\kappa\to0$); "
    r"a log factor at each saturation boundary",
    r"one bottleneck at a time: the other resources are infinite",
]


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise ArithmeticError(f"exponent derivation check failed: {what}")


def _zero(expr: Any) -> bool:
    """expr == 0, trying cheap normal forms before ``simplify``."""
    e = sp.expand(sp.sympify(expr))
    if e == 0:
        return True
    e = sp.cancel(sp.together(e))
    if e == 0:
        return True
    return sp.simplify(e) == 0


def pmin(a: Any, b: Any) -> sp.Piecewise:
    """min(a, b) as a Piecewise (β-conditions read naturally in LaTeX)."""
    return sp.Piecewise((a, a < b), (b, True))


# The three regimes as Piecewise conditions (strict: a boundary belongs to the regime above).
EASY_EDGE = 2 - 1 / alpha


def by_regime(hard: Any, easy: Any, super_easy: Any) -> sp.Piecewise:
    """Piecewise over the regimes (hard β < 1, easy β < 2 − 1/α, else super-easy)."""
    return sp.Piecewise((hard, beta < 1), (easy, beta < EASY_EDGE), (super_easy, True))


def chi_expr() -> sp.Piecewise:
    r"""χ(β) = β·max(1, 2/(1+β)): the rich time exponent (note §2.3, Eq. (10) of 2409.17858)."""
    return sp.Piecewise((2 * beta / (1 + beta), beta < 1), (beta, True))


def _base(name: str, title: str, params: dict[str, Any]) -> Derivation:
    return Derivation(
        name,
        title,
        conventions=list(CONVENTIONS),
        assumptions=list(ASSUMPTIONS),
        params={k_: v for k_, v in params.items() if v is not None},
    )


def _finish(d: Derivation, result: dict[str, sp.Expr], values: dict[str, Any]) -> Derivation:
    """Substitute given parameter values, set ``result`` and ``extras['exponents']``."""
    sub = {sym: _exact(v, name) for name, (sym, v) in values.items() if v is not None}
    if sub:
        result = {k_: sp.simplify(sp.piecewise_fold(v.subs(sub))) for k_, v in result.items()}
    d.result = sp.Tuple(*[sp.Eq(sp.Symbol(f"e_{{{k_}}}"), v) for k_, v in result.items()])
    d.extras["exponents"] = result
    return d


def _exact(value: Any, name: str) -> sp.Rational:
    """Exact rational for a parameter value: snapped to a fraction with denominator ≤ 1000
    when within 1e-9 (relative) of it, else the float's exact binary value."""
    if isinstance(value, sp.Basic):
        return value
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, "must be a finite number", value) from None
    if not math.isfinite(v):
        raise ParameterError(name, "must be a finite number", value)
    fr = Fraction(v).limit_denominator(1000)
    if abs(float(fr) - v) > 1e-9 * max(1.0, abs(v)):
        fr = Fraction(v)
    return sp.Rational(fr.numerator, fr.denominator)
