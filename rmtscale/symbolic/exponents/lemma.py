r"""The mode-sum lemma behind every exponent (see :mod:`rmtscale.symbolic.exponents`)."""

from __future__ import annotations

import functools
import math

import sympy as sp
from scipy.integrate import quad

from ..derivation import Derivation
from .common import _check, alpha, beta, k, kappa, u, x, y


# =============================================================================== the lemma
@functools.cache
def _small_order(h: sp.Expr) -> sp.Expr:
    """n with h(y) ~ c y^n as y → 0 (oo when h vanishes faster than any power)."""
    return sp.limit(y * sp.diff(h, y) / h, y, 0)


@functools.cache
def _large_order(h: sp.Expr) -> sp.Expr:
    """m with h(y) ~ c y^(-m) as y → oo."""
    return -sp.limit(y * sp.diff(h, y) / h, y, sp.oo)


def _mellin(h: sp.Expr, s: sp.Expr) -> sp.Expr:
    r"""Closed form of :math:`\int_0^\infty y^{s-1}h(y)\,dy` for the filters used here."""
    a_, b_ = sp.Wild("a_", exclude=[y]), sp.Wild("b_", exclude=[y])
    for n_, m_ in ((2, 2), (1, 1), (1, 2), (0, 1), (0, 2)):
        if h == y**n_ / (1 + y) ** m_:
            # Beta integral: int y^(s+n-1)/(1+y)^m = Gamma(s+n) Gamma(m-n-s)/Gamma(m)
            return sp.gamma(s + n_) * sp.gamma(m_ - n_ - s) / sp.gamma(m_)
    m = h.match(sp.exp(-a_ / y))
    if m:
        # v = a/y: int y^(s-1) e^(-a/y) dy = a^s Gamma(-s)  (s < 0)
        return m[a_] ** s * sp.gamma(-s)
    m = h.match((1 - sp.exp(-b_ / y)) ** 2)
    if m:
        # v = b/y, r = -s in (0, 2)... analytic continuation of the three Gamma integrals:
        # int v^(r-1) (1 - e^-v)^2 dv = Gamma(r) (2^(-r) - 2) for -2 < r < 0
        r = -s
        return m[b_] ** s * sp.gamma(r) * (2 ** (-r) - 2)
    raise NotImplementedError(f"no Mellin closed form for {h}")


def _mellin_numeric_check(h: sp.Expr, s_val: float, closed: sp.Expr) -> None:
    """Quadrature check of a Mellin closed form at one real s (y = e^v: the integrand
    e^(s v) h(e^v) decays exponentially at both ends)."""
    f = sp.lambdify(y, y**s_val * h, "math")

    def g(v: float) -> float:
        try:
            return f(math.exp(v))
        except (OverflowError, ZeroDivisionError):
            return 0.0

    ref = float(closed)
    num = sum(
        quad(g, lo, hi, limit=200, epsabs=1e-13 * abs(ref), epsrel=1e-10)[0]
        for lo, hi in ((-400, -30), (-30, 0), (0, 30), (30, 400))
    )
    _check(abs(num / ref - 1) < 1e-7, f"Mellin integral of {h} at s={s_val}")


@functools.cache
def mode_sum(a: sp.Expr, h: sp.Expr, samples: tuple[tuple[float, float], ...]) -> dict:
    r"""The mode-sum lemma for :math:`\sum_kk^{-a}h(\kappa k^\alpha)` as κ → 0.

    Returns the κ-exponent (a Piecewise min((a−1)/α, n)), the small- and large-y orders
    n, m of h, the prefactor of the integral branch and its convergence condition. The
    Mellin closed form is checked against mpmath quadrature at the (α, β) ``samples``."""
    n = _small_order(h)
    m = _large_order(h)
    e_int = sp.simplify((a - 1) / alpha)
    s = sp.simplify((1 - a) / alpha)  # Mellin argument after u = x^alpha
    pref = _mellin(h, s) / alpha
    for av, bv in samples:
        sv = float(s.subs({alpha: av, beta: bv}))
        converges = (n is sp.oo or sv + float(n) > 0) and sv < float(m)
        if converges:
            _mellin_numeric_check(h, sv, _mellin(h, s).subs({alpha: av, beta: bv}))
    # substitution check: k = kappa^(-1/alpha) x maps the summand to kappa^e x^(-a) h(x^alpha)
    summand = k ** (-a) * h.subs(y, kappa * k**alpha)
    mapped = sp.powsimp(
        sp.expand_power_base(
            sp.powdenest(
                summand.subs(k, kappa ** (-1 / alpha) * x) * kappa ** (-1 / alpha), force=True
            ),
            force=True,
        ),
        force=True,
    )
    target = kappa**e_int * x ** (-a) * h.subs(y, x**alpha)
    for av, bv in samples:
        sub = {alpha: av, beta: bv, kappa: 0.37, x: 1.7}
        _check(
            abs(float(mapped.subs(sub)) / float(target.subs(sub)) - 1) < 1e-10,
            "substitution k = kappa^(-1/alpha) x",
        )
    if n is sp.oo:
        expo = e_int
    else:
        expo = sp.Piecewise((e_int, e_int < n), (n, True))
    return {
        "exponent": expo,
        "n": n,
        "m": m,
        "integral_exponent": e_int,
        "prefactor": pref,
        "summand": summand,
        "s": s,
    }


def _lemma_steps(d: Derivation) -> None:
    a_ = sp.Symbol("a", real=True)
    h_ = sp.Function("h")
    d.step(
        sp.Eq(
            sp.Sum(k ** (-a_) * h_(kappa * k**alpha), (k, 1, sp.oo)),
            kappa ** ((a_ - 1) / alpha)
            / alpha
            * sp.Integral(u ** ((1 - a_) / alpha - 1) * h_(u), (u, 0, sp.oo)),
        ),
        "mode-sum lemma: substitute k = kappa^(-1/alpha) x, then u = x^alpha (valid when the "
        "Mellin integral converges; kappa -> 0)",
    )
    n_ = sp.Symbol("n", nonnegative=True)
    d.step(
        sp.Eq(
            sp.Sum(k ** (-a_) * h_(kappa * k**alpha), (k, 1, sp.oo)),
            kappa**n_ * sp.Sum(k ** (alpha * n_ - a_), (k, 1, sp.oo)),
        ),
        "if h(y) ~ y^n at small y and (a-1)/alpha > n the integral diverges at the learned "
        "modes, which then dominate: exponent min((a-1)/alpha, n), log at equality",
    )


SAMPLES_HARD = ((2.5, 0.4), (1.5, 0.7))
SAMPLES_ALL = ((2.5, 0.4), (1.5, 0.7), (2.0, 1.3), (3.0, 2.6))
