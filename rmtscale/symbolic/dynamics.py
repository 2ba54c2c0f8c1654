r"""The registered derivation ``dynamics.exponents``: the exponents of the dynamical model from
the one home of the exponents (:func:`rmtscale.symbolic.exponents.derive_dynamics`), plus the
prefactors and the compute-optimal split C = N t that the learning-curve notes quote.

Canonical power laws (docs/conventions.md): :math:`\lambda_k=k^{-\alpha}` (α > 1),
:math:`\lambda_k\bar w_k^2=k^{-\alpha\beta-1}`. The prefactors (leading order, mode sums as
integrals, :math:`k=\kappa^{-1/\alpha}x`):

.. math:: E_g(\tau)\simeq\frac{\Gamma(\beta)}{\alpha}(2\tau)^{-\beta},\quad
          \mathrm{Df}_1(\kappa)\simeq\kappa^{-1/\alpha}I_1\Rightarrow\kappa_N=(I_1/N)^{\alpha},
          \quad E_g^{(N)}(\infty)\simeq\kappa_N^{\beta}I_{\rm pr}\ (\beta<1),\quad
          \gamma_P=\mathrm{Df}_2/\mathrm{Df}_1\to1-1/\alpha.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .derivation import Derivation
from .learning import N, _check, _is_zero, alpha, beta, k, kappa_N, tau

COMPUTE_CONVENTION = (
    r"compute $C=N\,t$ ($t$ = steps, batch dropped); $N^\star\propto C^{a}$, "
    r"$t^\star\propto C^{1-a}$"
)


def _exponent_of(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """d log(expr) / d log(var), required to be constant (a pure power law in var)."""
    e = sp.simplify(sp.expand_log(var * sp.diff(sp.log(expr), var), force=True))
    _check(not e.has(var), f"not a power law in {var}")
    return e


def _rescaled(integrand: sp.Expr, kap: sp.Symbol, xvar: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    """Substitute k = κ^{-1/α} x (dk = κ^{-1/α} dx) and split into (κ power, x integrand)."""
    e = integrand.subs(k, kap ** (-1 / alpha) * xvar) * kap ** (-1 / alpha)
    e = sp.powsimp(sp.expand_power_base(sp.powdenest(e, force=True), force=True), force=True)
    e = sp.simplify(e)
    kpart, xpart = e.as_independent(xvar, as_Add=False)
    _check(not xpart.has(kap), "the rescaled integrand is kappa-free")
    return sp.simplify(kpart), sp.simplify(xpart)


def _prefactor_steps(d: Derivation) -> dict[str, sp.Expr]:
    """Leading-order prefactors of the time, width and data bottlenecks (steps added to d)."""
    lam_k, pow_k = k ** (-alpha), k ** (-alpha * beta - 1)
    u = sp.Symbol("u", positive=True)
    gam_int = sp.integrate(u ** (beta - 1) * sp.exp(-u), (u, 0, sp.oo), conds="none")
    time_law = sp.simplify((2 * tau) ** (-beta) / alpha * gam_int)
    direct = sp.integrate(pow_k * sp.exp(-2 * lam_k * tau), (k, 0, sp.oo), conds="none")
    _check(_is_zero(sp.simplify(direct / time_law) - 1), "time integral, direct vs substituted")
    _check(_is_zero(-_exponent_of(time_law, tau) - beta), "time exponent")
    E_g = sp.Function("E_g")
    d.step(
        sp.Eq(E_g(tau), time_law),
        "prefactor: the mode integral with u = 2 tau k^(-alpha) is a Gamma integral",
    )
    xv, kap = sp.Symbol("x", positive=True), sp.Symbol("kappa", positive=True)
    kpow_df, xint_df = _rescaled(lam_k / (lam_k + kap), kap, xv)
    _check(_is_zero(kpow_df - kap ** (-1 / alpha)), "Df1 scaling")
    I1 = sp.integrate(xint_df, (xv, 0, sp.oo), conds="none")
    kN_sol = sp.solve(sp.Eq(kap ** (-1 / alpha) * I1, N), kap)
    _check(len(kN_sol) == 1, "kappa_N")
    kN = sp.simplify(kN_sol[0])
    _check(_is_zero(_exponent_of(kN, N) + alpha), "kappa_N exponent")
    d.step(sp.Eq(kappa_N, kN), "Df1(kappa_N) = N with Df1(kappa) = kappa^(-1/alpha) I_1")
    kpow_pr, xint_pr = _rescaled(pow_k * kap / (lam_k + kap), kap, xv)
    _check(_is_zero(_exponent_of(kpow_pr, kap) - beta), "projection scaling")
    Ipr = sp.integrate(xint_pr, (xv, 0, sp.oo), conds="none")
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{(N)}(\infty)"), kpow_pr * Ipr),
        "width prefactor: the projection error with k = kappa^(-1/alpha) x (0 < beta < 1)",
    )
    kpow_d, xint_d = _rescaled(pow_k * kap**2 / (lam_k + kap) ** 2, kap, xv)
    _check(_is_zero(_exponent_of(kpow_d, kap) - beta), "data scaling")
    Id = sp.integrate(xint_d, (xv, 0, sp.oo), conds="none")
    _, xint_g = _rescaled(lam_k**2 / (lam_k + kap) ** 2, kap, xv)
    gP = sp.simplify(sp.integrate(xint_g, (xv, 0, sp.oo), conds="none") / I1)
    _check(_is_zero(gP - (1 - 1 / alpha)), "gamma_P -> 1 - 1/alpha")
    d.step(sp.Eq(sp.Symbol("gamma_P"), gP), "gamma_P = Df2/Df1 at Df1 = P: 1/(1 - gamma_P) = alpha")
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{(P)}(\infty)"), sp.simplify(kpow_d * Id / (1 - gP))),
        "data prefactor: ridgeless bias kappa_P^2 tf1'(kappa_P)/(1 - gamma_P) (0 < beta < 2)",
    )
    return {
        "time_prefactor": sp.simplify(time_law * (2 * tau) ** beta),  # times (2 tau)^(-beta)
        "kappa_N": kN,
        "width_prefactor_hard": Ipr,
        "data_prefactor": sp.simplify(Id / (1 - gP)),
        "gamma_P": gP,
    }


def derive_dynamical_exponents(alpha: Any = None, beta: Any = None) -> Derivation:
    """Bottleneck exponents of the dynamical model (time, width, data) and the compute-optimal
    split C = N t, as Piecewise functions of the canonical (α, β).

    The exponents are :func:`rmtscale.symbolic.exponents.derive_dynamics` and
    :func:`~rmtscale.symbolic.exponents.compute_optimal` ('lazy': online SGD at fixed batch;
    'flow': gradient flow); this adds the prefactors. With numbers for ``alpha`` and/or
    ``beta`` the exponents in ``result`` / ``extras`` are evaluated there (the steps stay
    symbolic) and ``params`` records them."""
    from . import exponents as ex

    d = ex.derive_dynamics(alpha, beta)
    d.name = "dynamics.exponents"
    d.title = "Dynamical model of scaling laws: time, width, data and compute-optimal exponents"
    d.conventions.append(COMPUTE_CONVENTION)
    bottleneck = dict(d.extras["exponents"])
    extras = _prefactor_steps(d)
    lazy, flow = ex.compute_optimal("lazy"), ex.compute_optimal("flow")
    sub = {s_: sp.nsimplify(v) for s_, v in ((ex.alpha, alpha), (ex.beta, beta)) if v is not None}
    result = {
        "time": bottleneck["time"],
        "width": bottleneck["width"],
        "data": bottleneck["data"],
        "compute": lazy["compute"],
        "N_star": lazy["width_share"],
        "t_star": lazy["time_share"],
    }
    if sub:
        result = {kk: sp.simplify(sp.piecewise_fold(sp.sympify(v).subs(sub))) for kk, v in
                  result.items()}  # fmt: skip
    for key, what in (("compute", "loss: L* ~ C^(-e)"), ("N_star", "width: N* ~ C^(e)"),
                      ("t_star", "steps: t* ~ C^(e)")):  # fmt: skip
        d.step(
            sp.Eq(sp.Symbol(f"e_{{{key}}}"), result[key]),
            f"compute-optimal {what} (online SGD at fixed batch; rmtscale.symbolic.exponents)",
        )
    d.result = sp.Tuple(*[sp.Eq(sp.Symbol(f"e_{{{kk}}}"), v) for kk, v in result.items()])
    d.extras.update(
        extras,
        exponents=result,
        bottleneck_exponents=bottleneck,
        compute_gradient_flow={"N_star": flow["width_share"], "compute": flow["compute"]},
    )
    return d


__all__ = ["derive_dynamical_exponents"]
