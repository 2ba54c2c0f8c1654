r"""The rich time exponent χ(β) = β·max(1, 2/(1+β)) from the N = ∞ reduced dynamics."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..derivation import Derivation
from .common import _base, _check, _finish, _zero, alpha, beta, chi_expr, gam, k, q, t, tau, y
from .compute_optimal import compute_optimal
from .lemma import SAMPLES_HARD, mode_sum


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
