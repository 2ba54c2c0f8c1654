r"""Power-law scaling exponents as exact sympy Piecewise functions of capacity α and source β.

Sources: ``shared/theory/dynamics_and_exponents.md`` §1 (regimes), §2 (feature learning,
χ(β), the compute-optimal table §2.5), §3.4 (the dynamical model and its width-exponent
correction), §8.5 (the PPXP phases) and ``shared/theory/ridge_and_random_features.md`` §7 and
§10 (ridge and linear random features).

Canonical conventions (``DESIGN.md``): :math:`\lambda_k=k^{-\alpha}` (α > 1), target power per
mode :math:`\lambda_k\bar w_k^2=k^{-\alpha\beta-1}` (β > 0; the target lies in the RKHS iff
β > 1). An exponent e means "loss ∝ X^(−e)"; a *share* s means "X* ∝ C^s" at the
compute-optimal allocation of C = N·t. Time is gradient-flow time τ or SGD steps t (same
exponents); compute drops the batch size (pitfall 4 of the note).

Everything here follows from one **mode-sum lemma**: for a filter h(y) of the scaled variable
:math:`y=\kappa k^\alpha` (κ the resolution: a ridge, κ_N, κ_P, or 1/τ),

.. math:: \sum_k k^{-a}h(\kappa k^\alpha)\simeq\kappa^{(a-1)/\alpha}\,\frac1\alpha
          \mathcal M[h]\Big(\frac{1-a}\alpha\Big)\quad\text{if the Mellin integral converges,}

else (learned modes dominate, :math:`h(y)\simeq c\,y^n` at small y) :math:`\simeq c\,\kappa^n
\sum_kk^{\alpha n-a}`; so the κ-exponent is :math:`\min((a-1)/\alpha,\,n)` (a log at equality).
With the target power a = αβ + 1 this is **min(β, n)**: n = 2 for the squared ridge filter
(data, λ: saturation at β = 2), n = 1 for the linear projection filter (width: saturation at
β = 1), n = ∞ for gradient flow's exponential filter (time: no saturation).

The regimes (note §1): **hard** β < 1, **easy** 1 ≤ β < 2 − 1/α, **super-easy** β ≥ 2 − 1/α.
Boundary rule (deterministic): a point on a boundary belongs to the regime *above* it (the
Piecewise conditions are strict "<"); every exponent is continuous across both boundaries,
so this only names the point. :func:`classify` decides in exact rational arithmetic after
snapping each input to the nearest fraction with denominator ≤ 1000 when it lies within
1e-9 (relative) of it, so ``beta=1.3333333333`` with ``alpha=1.5`` is *on* β = 2 − 1/α.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import sympy as sp
from scipy.integrate import quad

from ..errors import ParameterError
from .derivation import Derivation

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


# ================================================================================= 1. ridge
def derive_ridge(alpha_v: Any = None, beta_v: Any = None, ell_v: Any = None) -> Derivation:
    r"""Ridge / kernel regression: E_g vs P (resolution-limited), vs λ, λ = P^−ℓ schedules,
    noise, the optimal ridge, and the variance-limited regime."""
    d = _base(
        "scaling.ridge",
        "Ridge regression: data, ridge and optimal-ridge exponents",
        {"alpha": alpha_v, "beta": beta_v, "ell": ell_v},
    )
    d.conventions.append(
        r"ridge loss $\frac1P\lVert Xw-y\rVert^2+\lambda\lVert w\rVert^2$; "
        r"$\kappa=\lambda+\frac\kappa P\mathrm{Df}_1(\kappa)$; $E_g$ without label noise"
    )
    _lemma_steps(d)
    # ---- degrees of freedom
    df1 = mode_sum(sp.Integer(0), 1 / (1 + y), SAMPLES_ALL)
    df2 = mode_sum(sp.Integer(0), 1 / (1 + y) ** 2, SAMPLES_ALL)
    _check(_zero(df1["exponent"] + 1 / alpha), "Df1 ~ kappa^(-1/alpha)")
    c_alpha = sp.simplify(df1["prefactor"])
    _check(
        _zero(
            sp.simplify(c_alpha - (sp.pi / alpha) / sp.sin(sp.pi / alpha)).subs(
                alpha, sp.Rational(5, 2)
            )
        ),
        "c_alpha = (pi/alpha)/sin(pi/alpha)",
    )
    Df1 = sp.Function(r"\mathrm{Df}_1")(kappa)
    d.step(
        sp.Eq(Df1, kappa ** (-1 / alpha) * (sp.pi / alpha) / sp.sin(sp.pi / alpha)),
        "Df1(kappa) = sum 1/(1 + kappa k^alpha): a = 0, h = 1/(1+y), Mellin = Beta function",
    )
    gP = sp.simplify(df2["prefactor"] / df1["prefactor"])
    _check(_zero(gP - (1 - 1 / alpha)), "Df2/Df1 -> 1 - 1/alpha")
    d.step(
        sp.Eq(sp.Symbol(r"\mathrm{Df}_2/\mathrm{Df}_1"), gP),
        "same for Df2 (h = 1/(1+y)^2): gamma = Df2/P -> 1 - 1/alpha at Df1 = P, so the "
        "1/(1-gamma) = alpha inflation is a constant",
    )
    kP = [(c_alpha / P) ** alpha]
    _check(_zero(sp.powdenest(kP[0] ** (-1 / alpha), force=True) * c_alpha - P), "kappa_P")
    d.step(
        sp.Eq(kappa_P, sp.simplify(kP[0])),
        "lambda = 0, P < D: kappa solves Df1(kappa_P) = P, so kappa_P ~ P^(-alpha) (the "
        "resolution); for lambda > 0, kappa ~ max(lambda, kappa_P)",
    )
    # ---- bias
    a_t = alpha * beta + 1
    bias = mode_sum(a_t, y**2 / (1 + y) ** 2, SAMPLES_HARD)
    _check(bias["n"] == 2 and _zero(bias["integral_exponent"] - beta), "bias orders")
    Bias = sp.Function(r"\kappa^2\mathrm{tf}_1'")(kappa)
    d.step(
        sp.Eq(Bias, sp.Sum(bias["summand"], (k, 1, sp.oo))),
        "bias functional: target power k^-(alpha beta+1) times the SQUARED filter "
        "(kappa/(lambda_k+kappa))^2: a = alpha beta + 1, h = y^2/(1+y)^2 (n = 2)",
    )
    d.step(
        sp.Eq(Bias, kappa**beta * sp.simplify(bias["prefactor"])),
        "integral branch, 0 < beta < 2 (prefactor Gamma(beta)Gamma(2-beta)/alpha)",
    )
    d.step(
        sp.Eq(Bias, kappa**2 * sp.Sum(k ** (2 * alpha - alpha * beta - 1), (k, 1, sp.oo))),
        "beta > 2: the learned modes dominate, kappa^2 sum lambda_k^-1 (lambda_k wbar_k^2) "
        "converges: saturation at kappa^2 (log at beta = 2)",
    )
    m2 = bias["exponent"]
    data = sp.piecewise_fold(alpha * m2)
    d.step(
        sp.Eq(sp.Symbol("e_P"), data),
        "lambda -> 0, noiseless, P << D (resolution-limited): E_g = Bias/(1 - gamma) at "
        "kappa_P ~ P^(-alpha): E_g ~ P^(-alpha min(beta, 2))",
    )
    d.step(
        sp.Eq(sp.Symbol(r"e_\lambda"), m2),
        "ridge-limited, lambda >> P^(-alpha): kappa -> lambda, E_g ~ lambda^(min(beta, 2))",
    )
    sched = sp.piecewise_fold(pmin(ell, alpha) * m2)
    d.step(
        sp.Eq(sp.Symbol(r"e_{P,\ell}"), sched),
        "schedule lambda = P^(-ell): kappa ~ P^(-min(ell, alpha)), E_g ~ "
        "P^(-min(ell, alpha) min(beta, 2))",
    )
    # ---- noise
    noise = sp.Piecewise((1 - ell / alpha, ell < alpha), (0, True))
    d.step(
        sp.Eq(sp.Symbol(r"e_{\sigma}"), noise),
        "noise term sigma^2 gamma/(1-gamma), gamma = Df2(kappa)/P ~ kappa^(-1/alpha)/P: with "
        "kappa = lambda = P^(-ell), ell < alpha it decays as P^-(1 - ell/alpha); ell >= alpha "
        "(incl. lambda = 0): O(sigma^2) (tempered overfitting, -> sigma^2 (alpha - 1))",
    )
    # ---- optimal ridge: balance lambda^m against sigma^2 lambda^(-1/alpha) / P
    mm = sp.Symbol("m", positive=True)
    lstar = alpha / (alpha * mm + 1)  # the root of ell m = 1 - ell/alpha (linear in ell)
    _check(_zero(lstar * mm - (1 - lstar / alpha)), "optimal ridge balance")
    d.step(
        sp.Eq(sp.Symbol(r"\ell^\star"), lstar),
        "optimal ridge with noise: balance the bias P^(-ell m) (m = min(beta, 2)) with the noise "
        "P^-(1 - ell/alpha): lambda* ~ P^(-ell*)",
    )
    lopt = sp.piecewise_fold(lstar.subs(mm, m2))
    eopt = sp.piecewise_fold(sp.simplify(lstar * mm).subs(mm, m2))
    _check(_zero(lstar * mm - (1 - lstar / alpha)), "optimal-ridge balance")
    d.step(
        sp.Eq(sp.Symbol(r"e_{P}^\star"), eopt),
        "optimally tuned ridge: E_g* ~ P^(-alpha m/(alpha m + 1)) (saturates at beta = 2)",
    )
    d.step(
        sp.Eq(sp.Symbol(r"e_{\rm var}"), 1),
        "variance-limited, P >> D (finite D, lambda > 0 or sigma > 0): kappa = lambda/(1 - "
        "Df1/P) = lambda (1 + Df1/P + ...) and the noise sigma^2 Df2/P: E_g - E_inf ~ P^-1",
    )
    result = {
        "data": data,
        "lambda": m2,
        "schedule": sched,
        "noise": noise,
        "optimal_ridge": lopt,
        "optimal_error": eopt,
        "variance_limited": sp.Integer(1),
    }
    d.extras.update(
        kappa_P=sp.simplify(kP[0]), gamma_P=gP, bias_prefactor=bias["prefactor"], c_alpha=c_alpha
    )
    return _finish(
        d, result, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v), "ell": (ell, ell_v)}
    )


# ====================================================================== 2. random features
def derive_random_features(alpha_v: Any = None, beta_v: Any = None, L_v: Any = None) -> Derivation:
    r"""Linear random features: the width bottleneck (linear projection functional), the data
    bottleneck, the feature-variance term of the over-parameterized regime and its crossover;
    depth L changes prefactors only."""
    d = _base(
        "scaling.random_features",
        "Linear random features: width, data and feature-variance exponents",
        {"alpha": alpha_v, "beta": beta_v, "L": L_v},
    )
    d.conventions.append(
        r"frozen $F\in\mathbb{R}^{D\times N}$, $F_{ij}\sim N(0,1/D)$ (deep: $L$ layers of "
        r"width $N$); ridgeless readout; $\kappa_2$ of ridge_and_random_features.md §8"
    )
    _lemma_steps(d)
    a_t = alpha * beta + 1
    proj = mode_sum(a_t, y / (1 + y), SAMPLES_HARD)
    _check(proj["n"] == 1, "projection order")
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{(N)}"), sp.Sum(proj["summand"].subs(kappa, kappa_N), (k, 1, sp.oo))),
        "width-limited (N < P, lambda -> 0; or P = oo, t = oo): Df1(kappa_N) = N and E_g = "
        "kappa_N tf1(kappa_N), an orthogonal projection: the filter is LINEAR, h = y/(1+y), n = 1",
    )
    m1 = proj["exponent"]
    width = sp.piecewise_fold(alpha * m1)
    d.step(
        sp.Eq(sp.Symbol("e_N"), width),
        "kappa_N ~ N^(-alpha): E_g ~ N^(-alpha min(beta, 1)); for beta > 1 the low modes give "
        "kappa_N |wbar|^2 (note §3.4: NOT min(alpha beta, 2 alpha))",
    )
    bias = mode_sum(a_t, y**2 / (1 + y) ** 2, SAMPLES_HARD)
    m2 = bias["exponent"]
    data = sp.piecewise_fold(alpha * m2)
    d.step(
        sp.Eq(sp.Symbol("e_P"), data),
        "data-limited (N >> P): rho -> 1 and E_g -> ridge regression at kappa_2 = kappa_P: "
        "P^(-alpha min(beta, 2)) (squared filter)",
    )
    tf2 = mode_sum(a_t, y / (1 + y) ** 2, SAMPLES_HARD)
    _check(_zero(tf2["exponent"] - m1), "kappa tf2 ~ kappa^min(beta,1)")
    rho_def = sp.Eq(
        1 - sp.Symbol("rho"),
        L_depth * (sp.Symbol(r"\mathrm{Df}_1") - sp.Symbol(r"\mathrm{Df}_2")) / N,
    )
    d.step(
        rho_def,
        "N >> P: 1 - rho = 1 - 1/(1 + sum_l (Df1 - Df2)/(N_l - Df1)) ~ L (Df1 - Df2)/N with "
        "Df1 = P and Df1 - Df2 = Df1/alpha: 1 - rho ~ L P/(alpha N)",
    )
    var_p = sp.piecewise_fold(alpha * m1 - 1)
    d.step(
        sp.Eq(
            sp.Symbol(r"\mathrm{Var}_F+\mathrm{Var}_{XF}"),
            L_depth * P / N * P ** (-sp.piecewise_fold(alpha * m1)),
        ),
        "feature variance (1 - rho) kappa_2 tf2(kappa_2), kappa tf2 ~ kappa^(min(beta,1)) "
        "(h = y/(1+y)^2, n = 1): ~ L (P/N) P^(-alpha min(beta, 1)); depth changes the prefactor",
    )
    cross_fold = sp.piecewise_fold(1 / (1 + alpha * (m2 - m1)))
    cross = sp.Piecewise(
        (1, beta < 1), (1 / (1 + alpha * (beta - 1)), beta < 2), (1 / (1 + alpha), True)
    )
    for av, bv in ((2, 0.5), (2, 1), (1.5, 1.5), (3, 2), (1.2, 4)):
        sub = {alpha: sp.nsimplify(av), beta: sp.nsimplify(bv)}
        _check(_zero(cross.subs(sub) - cross_fold.subs(sub)), "crossover tidy form")
    d.step(
        sp.Eq(sp.Symbol(r"\log P_\ast/\log N"), cross),
        "crossover: bias P^(-alpha m2) meets (P/N) P^(-alpha m1) at P* ~ N^(1/(1 + alpha (m2 - "
        "m1))): for beta <= 1 P* = N (no variance-limited wedge); 1 < beta < 2: "
        "N^(1/(1 + alpha (beta - 1))); beta >= 2: N^(1/(1 + alpha))",
    )
    result = {
        "width": width,
        "data": data,
        "feature_variance_N": sp.Integer(1),
        "feature_variance_P": var_p,
        "crossover": cross,
    }
    return _finish(
        d, result, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v), "L": (L_depth, L_v)}
    )


# ===================================================================== 3. dynamical model
def _time_lemma(a: sp.Expr) -> dict:
    """Gradient-flow mode sum sum k^-a e^(-2 tau lambda_k) as a mode sum with kappa = 1/tau."""
    return mode_sum(a, sp.exp(-2 / y), SAMPLES_ALL)


def derive_dynamics(alpha_v: Any = None, beta_v: Any = None) -> Derivation:
    r"""The dynamical model (random-feature gradient flow / online SGD, lazy): time, width and
    data exponents, the finite-N embedding term and the SGD-noise term."""
    d = _base(
        "scaling.dynamics",
        "Dynamical model of scaling laws (lazy): time, width, data, embedding, SGD-noise terms",
        {"alpha": alpha_v, "beta": beta_v},
    )
    _lemma_steps(d)
    a_t = alpha * beta + 1
    tl = _time_lemma(a_t)
    _check(tl["n"] is sp.oo and _zero(tl["exponent"] - beta), "time exponent")
    Eg = sp.Function("E_g")
    d.step(
        sp.Eq(Eg(tau), sp.Sum(k ** (-a_t) * sp.exp(-2 * tau * k ** (-alpha)), (k, 1, sp.oo))),
        "gradient flow, N = P = oo: each mode decays as e^(-2 lambda_k tau); with kappa = 1/tau "
        "the filter is h(y) = e^(-2/y), which vanishes faster than any power at small y (n = oo)",
    )
    d.step(
        sp.Eq(Eg(tau), sp.simplify(tl["prefactor"]) * tau ** (-beta)),
        "no saturation: E_g ~ Gamma(beta)/alpha (2 tau)^(-beta) for every beta > 0 "
        "(unlike the ridge filter, which saturates at beta = 2)",
    )
    proj = mode_sum(a_t, y / (1 + y), SAMPLES_HARD)
    width = sp.piecewise_fold(alpha * proj["exponent"])
    d.step(
        sp.Eq(sp.Symbol("e_N"), width),
        "t = oo, P = oo: orthogonal projection onto the N random features, kappa_N ~ N^(-alpha), "
        "linear filter: N^(-alpha min(beta, 1))",
    )
    bias = mode_sum(a_t, y**2 / (1 + y) ** 2, SAMPLES_HARD)
    data = sp.piecewise_fold(alpha * bias["exponent"])
    d.step(
        sp.Eq(sp.Symbol("e_P"), data),
        "t = oo, N = oo: ridgeless kernel regression on P samples, squared filter: "
        "P^(-alpha min(beta, 2))",
    )
    a_p, b_p = sp.symbols("a b", positive=True)
    paper_w = sp.Min(a_p - 1, 2 * b_p).subs({a_p: a_t, b_p: alpha})
    corr_w = sp.Min(a_p - 1, b_p).subs({a_p: a_t, b_p: alpha})
    for av, bv in ((2, 0.5), (2, 1.5), (1.5, 3)):
        sub = {alpha: sp.nsimplify(av), beta: sp.nsimplify(bv)}
        _check(sp.simplify(corr_w.subs(sub) - width.subs(sub)) == 0, "min(a-1, b) form")
    d.step(
        sp.Eq(sp.Symbol(r"e_N^{\rm paper\,2}") - sp.Symbol("e_N"), sp.simplify(paper_w - corr_w)),
        "paper 2 writes N^-min(a-1, 2b); the model gives min(a-1, b): they differ iff beta > 1",
    )
    kern = _time_lemma(2 * alpha)
    sgd = sp.simplify(kern["exponent"])
    _check(_zero(sgd - (2 - 1 / alpha)), "SGD kernel exponent")
    d.step(
        sp.Eq(
            sp.Function(r"\mathcal{K}")(t),
            sp.Sum(k ** (-2 * alpha) * sp.exp(-2 * t * k ** (-alpha)), (k, 1, sp.oo)) / B,
        ),
        "online SGD, batch B: Volterra kernel (1/B) sum lambda_k^2 e^(-2 lambda_k t): a = 2 alpha",
    )
    d.step(
        sp.Eq(sp.Symbol(r"e_{\rm SGD}"), sgd),
        "the loss inherits a term B^-1 t^-(2 - 1/alpha) (PPXP K_pp): it dominates t^(-beta) iff "
        "beta > 2 - 1/alpha (super-easy)",
    )
    emb_t = sp.simplify(1 - 1 / alpha)
    d.step(
        sp.Eq(sp.Symbol(r"e_{\rm emb}"), sp.Tuple(1, emb_t)),
        "finite-N embedding term (beta > 1; PPXP F_ac): R_N = 1 - Df1(1/t)/N + O(N^-2) distorts "
        "the learned modes by Df1(1/t)/N ~ t^(1/alpha)/N, each of relative weight 1/t: "
        "N^-1 t^-(1 - 1/alpha) times |wbar|^2 (finite iff beta > 1)",
    )
    result = {
        "time": beta,
        "width": width,
        "data": data,
        "sgd_noise": sgd,
        "embedding_width": sp.Integer(1),
        "embedding_time": emb_t,
    }
    d.extras["time_prefactor"] = tl["prefactor"]
    return _finish(d, result, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v)})


# ================================================================ 4. compute-optimal split
def loss_terms(kind: str) -> dict[str, tuple[sp.Expr, sp.Expr, sp.Expr]]:
    r"""Loss terms N^-u t^-v as {name: (u, v, condition)}: ``kind`` = 'lazy' (online SGD at
    fixed batch), 'rich' (χ(β) in place of β) or 'flow' (gradient flow: no SGD-noise term)."""
    tx = chi_expr() if kind == "rich" else beta
    terms = {
        "time": (sp.Integer(0), tx, sp.true),
        "width": (alpha * pmin(beta, 1), sp.Integer(0), sp.true),
        "embedding": (sp.Integer(1), 1 - 1 / alpha, beta > 1),
    }
    if kind != "flow":
        terms["sgd_noise"] = (sp.Integer(0), 2 - 1 / alpha, sp.true)
    return terms


def _decay(term: tuple, a: Any) -> Any:
    uu, vv, _ = term
    return uu * a + vv * (1 - a)


def _maxmin_numeric(terms: dict, av: Fraction, bv: Fraction) -> tuple[Any, tuple[str, str]]:
    """Exact max over a in [0, 1] of min over active terms of the C-decay rate u a + v (1-a);
    returns (a*, the binding pair)."""
    sub = {
        alpha: sp.Rational(av.numerator, av.denominator),
        beta: sp.Rational(bv.numerator, bv.denominator),
    }
    act = {}
    for nm, (uu, vv, cond) in terms.items():
        if bool(sp.sympify(cond).subs(sub)):
            act[nm] = (sp.sympify(uu).subs(sub), sp.sympify(vv).subs(sub))
    best = None
    names = sorted(act)
    for i, n1 in enumerate(names):
        for n2 in names[i + 1 :]:
            (u1, v1), (u2, v2) = act[n1], act[n2]
            den = (u1 - v1) - (u2 - v2)
            if den == 0:
                continue
            a = (v2 - v1) / den
            if not 0 <= a <= 1:
                continue
            val = min(uu * a + vv * (1 - a) for uu, vv in act.values())
            if u1 * a + v1 * (1 - a) == val and (best is None or val > best[0]):
                best = (val, a, (n1, n2))
    _check(best is not None, f"a binding pair at alpha={av}, beta={bv}")
    return best[1], best[2]


REGIME_SAMPLES = {
    HARD: (
        (Fraction(3, 2), Fraction(1, 2)),
        (Fraction(2), Fraction(1, 4)),
        (Fraction(6, 5), Fraction(9, 10)),
        (Fraction(3), Fraction(7, 10)),
        (Fraction(11, 10), Fraction(1, 20)),
    ),
    EASY: (
        (Fraction(3, 2), Fraction(6, 5)),
        (Fraction(2), Fraction(5, 4)),
        (Fraction(3), Fraction(3, 2)),
        (Fraction(5, 4), Fraction(11, 10)),
    ),
    SUPER: (
        (Fraction(2), Fraction(3)),
        (Fraction(3, 2), Fraction(2)),
        (Fraction(7, 5), Fraction(12, 7)),
        (Fraction(4), Fraction(5)),
    ),
}


@functools.cache
def _compute_optimal(kind: str) -> tuple:
    terms = {
        nm: (sp.piecewise_fold(uu), sp.piecewise_fold(vv), c)
        for nm, (uu, vv, c) in loss_terms(kind).items()
    }
    pieces: dict[str, dict[str, sp.Expr]] = {"width_share": {}, "time_share": {}, "compute": {}}
    pairs = {}
    for reg, pts in REGIME_SAMPLES.items():
        found = {_maxmin_numeric(terms, av, bv)[1] for av, bv in pts}
        _check(len(found) == 1, f"{kind}/{reg}: one binding pair throughout the samples")
        pair = found.pop()
        pairs[reg] = pair
        # inside one regime every min(.,.) has a fixed branch: take it at the first sample
        av, bv = pts[0]
        cond_sub = {
            alpha: sp.Rational(av.numerator, av.denominator),
            beta: sp.Rational(bv.numerator, bv.denominator),
        }
        (u1, v1), (u2, v2) = [
            (_branch(terms[nm][0], cond_sub), _branch(terms[nm][1], cond_sub)) for nm in pair
        ]
        # u1 a + v1 (1 - a) = u2 a + v2 (1 - a) is linear in a
        a_star = sp.factor(sp.cancel((v2 - v1) / ((u1 - v1) - (u2 - v2))))
        _check(_zero((u1 - u2) * a_star + (v1 - v2) * (1 - a_star)), f"{kind}/{reg} balance")
        e_star = sp.factor(sp.simplify(u1 * a_star + v1 * (1 - a_star)))
        for av, bv in pts:  # the closed forms equal the exact max-min at every sample
            a_num, _ = _maxmin_numeric(terms, av, bv)
            sub = {
                alpha: sp.Rational(av.numerator, av.denominator),
                beta: sp.Rational(bv.numerator, bv.denominator),
            }
            _check(sp.simplify(a_star.subs(sub) - a_num) == 0, f"{kind}/{reg} share at sample")
        pieces["width_share"][reg] = a_star
        pieces["time_share"][reg] = sp.factor(sp.simplify(1 - a_star))
        pieces["compute"][reg] = e_star
    full = {k_: by_regime(v[HARD], v[EASY], v[SUPER]) for k_, v in pieces.items()}
    return full, pieces, pairs


def compute_optimal(kind: str) -> dict[str, sp.Piecewise]:
    r"""Compute-optimal ``width_share`` (N* ∝ C^s), ``time_share`` and ``compute`` exponent
    (L* ∝ C^-e) as Piecewise over the regimes, for ``kind`` 'lazy' (online SGD at fixed
    batch), 'flow' (gradient flow) or 'rich'. Each regime's formula is the balance of the pair
    of terms that binds at the exact max-min of :func:`loss_terms` (found at sample points
    and checked at several)."""
    return dict(_compute_optimal(kind)[0])


def compute_optimal_pieces(kind: str) -> dict[str, dict[str, sp.Expr]]:
    """The per-regime formulas behind :func:`compute_optimal`: {key: {regime: expr}}."""
    return {k_: dict(v) for k_, v in _compute_optimal(kind)[1].items()}


def binding_pairs(kind: str) -> dict[str, tuple[str, str]]:
    """The pair of loss terms that balance at the optimum, per regime."""
    return dict(_compute_optimal(kind)[2])


def _branch(expr: sp.Expr, sub: dict) -> sp.Expr:
    """The Piecewise branch of ``expr`` selected at the sample ``sub`` (kept symbolic)."""
    expr = sp.piecewise_fold(sp.sympify(expr))
    if isinstance(expr, sp.Piecewise):
        for e, c in expr.args:
            if bool(sp.sympify(c).subs(sub)):
                return _branch(e, sub)
    return expr


def derive_compute_optimal(alpha_v: Any = None, beta_v: Any = None) -> Derivation:
    r"""Compute-optimal split of C = N t: lazy online SGD (fixed batch), gradient flow and the
    rich (feature-learning) regime."""
    d = _base(
        "scaling.compute_optimal",
        "Compute-optimal allocation of C = N t: width/time shares and the C-exponent",
        {"alpha": alpha_v, "beta": beta_v},
    )
    d.assumptions.append(
        r"loss = sum of the bottleneck terms of note §2.3 with unit constants (pitfall 13): "
        r"$t^{-\beta}+N^{-\alpha\min(1,\beta)}+1[\beta>1]N^{-1}t^{-(1-1/\alpha)}"
        r"+B^{-1}t^{-(2-1/\alpha)}$ (rich: $t^{-\beta}\to t^{-\chi(\beta)}$; gradient flow: "
        r"no $B^{-1}$ term)"
    )
    d.step(
        sp.Eq(sp.Symbol("L"), sp.Symbol(r"\sum_i N^{-u_i}t^{-v_i}")),
        "loss as a sum of bottleneck terms N^-u t^-v; with N = C^a, t = C^(1-a) each term "
        "decays as C^-(u a + v (1 - a))",
    )
    d.step(
        sp.Eq(sp.Symbol(r"e_C"), sp.Symbol(r"\max_{a\in[0,1]}\min_i[u_ia+v_i(1-a)]")),
        "the slowest term dominates; the optimum is where two terms balance (a vertex of the "
        "concave piecewise-linear min): found exactly at sample points of each regime",
    )
    x_, y_ = sp.symbols("x y", positive=True)
    a_bal = sp.solve(sp.Eq(x_ * (1 - share), y_ * share), share)[0]
    d.step(
        sp.Eq(share, a_bal),
        "two pure terms t^-x vs N^-y: N* ~ C^(x/(x+y)), t* ~ C^(y/(x+y)), L* ~ C^-(xy/(x+y))",
    )
    res = {}
    for kind, label in (
        ("lazy", "lazy, online SGD"),
        ("flow", "lazy, gradient flow"),
        ("rich", "rich"),
    ):
        co = compute_optimal(kind)
        pairs = binding_pairs(kind)
        d.step(
            sp.Eq(sp.Symbol(rf"e_C^{{\rm {kind}}}"), co["compute"]),
            f"{label}: binding pairs hard {pairs[HARD]}, easy {pairs[EASY]}, "
            f"super-easy {pairs[SUPER]}",
        )
        d.step(
            sp.Eq(sp.Symbol(rf"s_N^{{\rm {kind}}}"), co["width_share"]),
            f"{label}: width share, N* ~ C^(s_N)",
        )
        for k_, v in co.items():
            res[f"{k_}_{kind}"] = v
    gain = sp.factor(
        sp.simplify(
            compute_optimal_pieces("rich")["width_share"][HARD]
            - compute_optimal_pieces("lazy")["width_share"][HARD]
        )
    )
    _check(
        _zero(gain - alpha * (1 - beta) / ((1 + alpha) * (2 + alpha * (1 + beta)))),
        "rich minus lazy width share (hard)",
    )
    d.step(
        sp.Eq(sp.Symbol(r"s_N^{\rm rich}-s_N^{\rm lazy}"), gain),
        "hard tasks: positive for beta < 1, so feature learning moves compute toward width",
    )
    return _finish(d, res, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v)})


# ===================================================================== 5. feature learning
def derive_feature_learning(alpha_v: Any = None, beta_v: Any = None) -> Derivation:
    r"""χ(β) from the N = ∞ reduced dynamics of note §2.4 (isotropic channel, K frozen at I)."""
    d = _base(
        "scaling.feature_learning",
        "Feature learning: the rich time exponent chi(beta) = beta max(1, 2/(1+beta))",
        {"alpha": alpha_v, "beta": beta_v},
    )
    d.assumptions.append(
        r"N = B = oo reduced dynamics of note §2.4 with the isotropic channel only "
        r"($K$ frozen at $I$, $q=\lVert w\rVert^2/N$ dynamic), $\eta=1$, $\gamma>0$"
    )
    v = sp.Function("v")
    d.step(
        sp.Eq(sp.Derivative(v(t), t), -(1 + q) * sp.Symbol(r"\Lambda") * v(t)),
        "error vector v = w* - beta: dv/dt = -(1 + q) Lambda v; dq/dt = 2 gamma^2 beta^T Lambda v",
    )
    d.step(
        sp.Eq(tau, sp.Integral(1 + q, (t, 0, t))),
        "effective time tau = int (1 + q) dt: v_k = w*_k e^(-lambda_k tau) (a lazy run in tau)",
    )
    # exact first integral: (1+q)^2 = 1 + 2 gamma^2 |beta(tau)|^2
    lk, wk = sp.symbols("lambda_k wbar_k", positive=True)
    bnorm = wk**2 * (1 - sp.exp(-lk * tau)) ** 2  # one mode of |beta(tau)|^2
    qf = sp.sqrt(1 + 2 * gam**2 * bnorm) - 1
    # dq/dtau = (dq/dt)/(1+q) with dq/dt = 2 gamma^2 (w - v) lambda v, v = w e^(-lambda tau)
    lhs = sp.diff(qf, tau) * (1 + qf)
    rhs = 2 * gam**2 * (wk - wk * sp.exp(-lk * tau)) * lk * wk * sp.exp(-lk * tau)
    _check(_zero(lhs - rhs), "first integral (1+q)^2 = 1 + 2 gamma^2 |beta|^2 (one mode)")
    nb = sp.Symbol(r"\lVert\beta(\tau)\rVert^2")
    d.step(
        sp.Eq((1 + q) ** 2, 1 + 2 * gam**2 * nb),
        "exact first integral (checked by differentiation; q(0) = 0): the kernel grows like the "
        "norm of the learned function, q ~ sqrt(2) gamma |beta| at large |beta|",
    )
    a_b = alpha * beta + 1 - alpha  # wbar_k^2 = k^-(alpha beta + 1 - alpha)
    nlem = mode_sum(a_b, (1 - sp.exp(-1 / y)) ** 2, SAMPLES_HARD)
    d.step(
        sp.Eq(nb, sp.Sum(k ** (-a_b) * (1 - sp.exp(-tau * k ** (-alpha))) ** 2, (k, 1, sp.oo))),
        "|beta(tau)|^2 = sum wbar_k^2 (1 - e^(-lambda_k tau))^2: a = alpha beta + 1 - alpha, "
        "h = (1 - e^(-1/y))^2 with y = k^alpha/tau (n = 0)",
    )
    norm_exp = sp.piecewise_fold(-nlem["exponent"])  # exponent of tau
    _check(
        _zero(
            sp.piecewise_fold(norm_exp - sp.Piecewise((1 - beta, beta < 1), (0, True))).subs(
                beta, sp.Rational(1, 2)
            )
        )
        and _zero(norm_exp.subs(beta, 2)),
        "norm growth exponent",
    )
    d.step(
        sp.Eq(nb, tau ** (1 - beta) * sp.simplify(nlem["prefactor"])),
        "beta < 1 (outside the RKHS): the learned norm diverges as tau^(1-beta); beta > 1: "
        "|beta|^2 -> |wbar|^2, a constant speed-up only",
    )
    # close the loop: dt/dtau = 1/(1+q) ~ tau^-(1-beta)/2 / (sqrt2 gamma c)
    g_ = sp.Symbol("g", positive=True)
    t_of_tau = sp.integrate(tau ** (-(1 - beta) / 2) / g_, tau)
    t_exp = sp.simplify(tau * sp.diff(sp.log(t_of_tau), tau))
    _check(_zero(t_exp - (1 + beta) / 2), "t ~ tau^((1+beta)/2)")
    d.step(
        sp.Eq(t, t_of_tau),
        "dt/dtau = 1/(1 + q) ~ tau^(-(1-beta)/2)/(sqrt(2) gamma c): t ~ tau^((1+beta)/2), i.e. "
        "tau ~ (gamma t)^(2/(1+beta)); crossover once gamma |beta| >~ 1: t_x ~ gamma^(-2/(1-beta))",
    )
    chi = chi_expr()
    chi_hard = sp.simplify(beta / t_exp)
    _check(_zero(chi_hard - 2 * beta / (1 + beta)), "chi hard")
    d.step(
        sp.Eq(sp.Symbol(r"\chi"), chi),
        "L = sum k^-(alpha beta+1) e^(-2 lambda_k tau) ~ tau^(-beta) (no saturation) = "
        "t^(-2 beta/(1+beta)) for beta < 1; beta >= 1: q -> const, tau ~ t, chi = beta",
    )
    d.step(
        sp.Eq(sp.Symbol(r"\chi"), beta * sp.Max(1, 2 / (1 + beta))),
        "compact form of note Eq. (10); the exponent nearly doubles as beta -> 0",
    )
    proj = mode_sum(alpha * beta + 1, y / (1 + y), SAMPLES_HARD)
    width = sp.piecewise_fold(alpha * proj["exponent"])
    d.step(
        sp.Eq(sp.Symbol("e_N"), width),
        "finite N: A(t) stays in the row space of A_0, so the best error at width N is the lazy "
        "projection error: feature learning changes the time exponent, not the width cutoff",
    )
    co = compute_optimal("rich")
    d.step(
        sp.Eq(sp.Symbol(r"s_N^{\rm rich}"), co["width_share"]),
        "rich compute-optimal width share (hard: t^-chi vs N^-alpha beta, Table 1 of 2409.17858)",
    )
    d.step(sp.Eq(sp.Symbol(r"e_C^{\rm rich}"), co["compute"]), "rich compute-optimal loss exponent")
    result = {
        "time_rich": chi,
        "time_lazy": beta,
        "norm_growth": norm_exp,
        "width": width,
        "width_share_rich": co["width_share"],
        "time_share_rich": co["time_share"],
        "compute_rich": co["compute"],
    }
    return _finish(d, result, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v)})


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
    return _finish(d, res, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v)})


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
    return _finish(d, res, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v)})


# ====================================================================== numeric classify
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


@functools.lru_cache(maxsize=1)
def exponents() -> dict[str, sp.Expr]:
    """Every exponent as a symbolic Piecewise in (α, β) — the formulas :func:`classify` uses."""
    rg = derive_ridge().extras["exponents"]
    rf = derive_random_features().extras["exponents"]
    dy = derive_dynamics().extras["exponents"]
    co = derive_compute_optimal().extras["exponents"]
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
        "alpha_ppxp": alpha / 2,
        "beta_ppxp": (alpha * beta + 1 - alpha) / 2,
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


def from_ppxp(alpha_p: float, beta_p: float) -> tuple[float, float]:
    """Canonical (α, β) from PPXP's (α_P, β_P): α = 2α_P, β = (2α_P + 2β_P − 1)/(2α_P)."""
    return 2 * alpha_p, (2 * alpha_p + 2 * beta_p - 1) / (2 * alpha_p)


def to_ppxp(alpha_v: float, beta_v: float) -> tuple[float, float]:
    """PPXP's (α_P, β_P) from canonical (α, β): α_P = α/2, β_P = (αβ + 1 − α)/2."""
    return alpha_v / 2, (alpha_v * beta_v + 1 - alpha_v) / 2


__all__ = [
    "alpha",
    "beta",
    "chi_expr",
    "classify",
    "compute_optimal",
    "derive_compute_optimal",
    "derive_dynamics",
    "derive_feature_learning",
    "derive_ppxp",
    "derive_random_features",
    "derive_regime",
    "derive_ridge",
    "exponents",
    "from_ppxp",
    "loss_terms",
    "mode_sum",
    "regime_code",
    "regime_of",
    "to_ppxp",
]
