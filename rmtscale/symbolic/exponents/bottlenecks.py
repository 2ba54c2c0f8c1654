r"""One-bottleneck exponents: ridge (data, λ, optimal ridge), linear random features
(width, data, feature variance) and the lazy dynamical model (time, width, data, SGD noise)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..derivation import Derivation
from .common import (
    B,
    L_depth,
    N,
    P,
    _base,
    _check,
    _finish,
    _zero,
    alpha,
    beta,
    ell,
    k,
    kappa,
    kappa_N,
    kappa_P,
    pmin,
    t,
    tau,
    y,
)
from .lemma import SAMPLES_ALL, SAMPLES_HARD, _lemma_steps, mode_sum


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
