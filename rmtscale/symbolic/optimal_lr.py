r"""The largest stable learning rate across the feature-learning strength γ, as a derivation.

Source: Atanasov–Meterez–Simon–Pehlevan, *The Optimization Landscape of SGD Across the
Feature Learning Strength* (arXiv 2410.04642); conventions in ``docs/conventions.md``. The toy
model is a scalar deep linear chain on one datum (x = 1,
target y), output centred and divided by γ (γ ≪ 1 lazy, γ ≫ 1 rich):

.. math:: f(a)=\frac1\gamma\Big(\prod_{\ell=1}^{L}a_\ell-\prod_{\ell=1}^{L}a_\ell(0)\Big),\qquad
          \mathcal L=\tfrac12(f-y)^2,\qquad a\leftarrow a-\eta\nabla_a\mathcal L,

η the **raw** GD step of the toy (no width or γ factor in it). η* is the **largest convergent**
step: GD converges to a zero-loss point only if that point is linearly stable, η < 2/λ_max
(the edge of stability). Results:

* lazy, γ ≪ 1: :math:`\eta^\star\simeq 2\gamma^2/\sum_\ell\prod_{m\ne\ell}a_m(0)^2\propto\gamma^2`;
* rich, γ ≫ 1, balanced weights: :math:`\eta^\star\simeq\frac{2}{L\,y^{2-2/L}}\gamma^{2/L}`;
* **symmetric start** :math:`a_\ell(0)=1`, y = 1, exactly:
  :math:`\eta_{\max}(\gamma)=\dfrac{2\gamma^2}{L(1+\gamma)^{2-2/L}}`, with local slope
  :math:`\dfrac{d\ln\eta_{\max}}{d\ln\gamma}=2-\Big(2-\dfrac2L\Big)\dfrac{\gamma}{1+\gamma}`.

Every algebraic step is checked inside :func:`derive_optimal_lr` (sympy ``simplify`` /
``limit`` / an explicit-depth Hessian) and raises :class:`ArithmeticError` when it fails. That
η_max is *sufficient* for convergence from the symmetric start (not only necessary) is a
numerical fact (bisection, :func:`rmtscale.simulate.deep_linear.chain_eta_max`), stated as such.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation

# ---------------------------------------------------------------------------------- symbols
gamma = sp.Symbol("gamma", positive=True)  # feature-learning strength
eta = sp.Symbol("eta", positive=True)  # raw GD step
L = sp.Symbol("L", positive=True, integer=True)  # depth
y = sp.Symbol("y", positive=True)  # target
a_sym = sp.Symbol("a", positive=True)  # common value of the a_l on the symmetric line
a_star = sp.Symbol("a_*", positive=True)
t = sp.Symbol("t", integer=True, nonnegative=True)
tau = sp.Symbol("tau", nonnegative=True)  # gradient-flow time
ell = sp.Symbol("ell", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
a = sp.IndexedBase("a")  # a[ell]: weights; a0[ell]: their initial values
a0 = sp.IndexedBase("a^{(0)}")
f = sp.Symbol("f")
loss = sp.Symbol(r"\mathcal{L}")
lam_max = sp.Symbol(r"\lambda_{\max}", positive=True)
eta_max = sp.Symbol(r"\eta_{\max}", positive=True)
eta_star = sp.Symbol("eta^*", positive=True)
slope_sym = sp.Symbol(r"\frac{d\ln\eta_{\max}}{d\ln\gamma}")
delta = sp.Symbol("delta")  # displacement from a zero-loss point

CONVENTIONS = [
    r"Toy model: one datum $x=1$, target $y$; $f=(\prod_\ell a_\ell-\prod_\ell a_\ell(0))/\gamma$"
    r" (output centred and divided by $\gamma$; $\gamma\ll1$ lazy, $\gamma\gg1$ rich).",
    r"Loss $\frac12(f-y)^2$, plain gradient descent $a\leftarrow a-\eta\nabla_a\mathcal L$;"
    r" $\eta$ is the raw GD step of the toy (no width or $\gamma$ factor); $t$ counts steps.",
    r"$\eta^\star$ is the largest convergent step (edge of stability), $\eta<2/\lambda_{\max}$"
    r" at the zero-loss point reached.",
    r"The exact formula is for the symmetric start $a_\ell(0)=1$ and $y=1$"
    r" (pitfall 9: random starts keep the exponents, not the prefactor).",
]
ASSUMPTIONS = [
    r"GD converges to a zero-loss point only if that point is linearly stable"
    r" ($\eta<2/\lambda_{\max}$ is necessary).",
    r"From the symmetric start the sharpness only grows along the path (progressive"
    r" sharpening), so $\eta<2/\lambda_{\max}(a_*)$ is also sufficient; this is checked"
    r" numerically by bisection on plain GD (theory note \S4.5), not proved.",
    r"Lazy: the weights move by $O(\gamma)$. Rich: balancedness ($a_\ell^2-a_m^2$ conserved"
    r" by gradient flow) and $\gamma y\gg\prod_\ell a_\ell(0)$.",
]


# ----------------------------------------------------------------------------- closed forms
def eta_max_expr(depth=L, g=gamma) -> sp.Expr:
    r""":math:`\eta_{\max}=2\gamma^2/(L(1+\gamma)^{2-2/L})` (symmetric start, y = 1)."""
    return 2 * g**2 / (depth * (1 + g) ** (2 - sp.Integer(2) / depth))


def slope_expr(depth=L, g=gamma) -> sp.Expr:
    r""":math:`d\ln\eta_{\max}/d\ln\gamma=2-(2-2/L)\gamma/(1+\gamma)`."""
    return 2 - (2 - sp.Integer(2) / depth) * g / (1 + g)


def sharpness_expr(depth=L, g=gamma) -> sp.Expr:
    r"""Sharpness at the symmetric zero-loss point, :math:`L(1+\gamma)^{2-2/L}/\gamma^2`."""
    return depth * (1 + g) ** (2 - sp.Integer(2) / depth) / g**2


def lazy_asymptote_expr(depth=L, g=gamma) -> sp.Expr:
    r"""γ ≪ 1: :math:`2\gamma^2/L`."""
    return 2 * g**2 / depth


def rich_asymptote_expr(depth=L, g=gamma) -> sp.Expr:
    r"""γ ≫ 1: :math:`2\gamma^{2/L}/L`."""
    return 2 * g ** (sp.Integer(2) / depth) / depth


def slope_lazy_expr(depth=L) -> sp.Expr:
    r"""Lazy slope :math:`\lim_{\gamma\to0}d\ln\eta_{\max}/d\ln\gamma` (= 2)."""
    return sp.limit(slope_expr(depth), gamma, 0)


def slope_rich_expr(depth=L) -> sp.Expr:
    r"""Rich slope :math:`\lim_{\gamma\to\infty}d\ln\eta_{\max}/d\ln\gamma` (= 2/L)."""
    return sp.limit(slope_expr(depth), gamma, sp.oo)


def _check(cond: bool, what: str) -> None:
    if not cond:
        raise ArithmeticError(f"derivation check failed: {what}")


def _is_zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


# ------------------------------------------------------------------------------ derivation
def derive_optimal_lr(depth: int | None = None) -> Derivation:
    """The derivation of η*(γ) for the scalar deep linear chain (module docstring).

    ``depth`` substitutes a number for L in the final steps (the general-L steps are kept)."""
    d = Derivation(
        name="scaling.optimal_lr",
        title="Largest stable learning rate across the feature-learning strength "
        "(deep linear chain)",
        conventions=list(CONVENTIONS),
        assumptions=list(ASSUMPTIONS),
    )
    if depth is not None:
        d.params["L"] = int(depth)
    prod_a = sp.Product(a[m], (m, 1, L))
    prod_a0 = sp.Product(a0[m], (m, 1, L))
    prod_others = sp.Product(a[m], (m, 1, L)) / a[ell]  # ∏_{m≠ℓ} a_m
    d.step(sp.Eq(f, (prod_a - prod_a0) / gamma), "toy model: scalar deep linear chain on x = 1")
    d.step(sp.Eq(loss, (f - y) ** 2 / 2), "square loss on the single datum")
    d.step(
        sp.Eq(sp.Derivative(f, a[ell]), prod_others / gamma),
        "gradient of the output: the product of the other factors, over gamma",
    )
    d.step(
        sp.Eq(
            sp.Function("a_ell")(t + 1),
            a[ell] - eta * (f - y) * prod_others / gamma,
        ),
        "plain GD with raw step eta (all factors updated simultaneously)",
    )

    # -- Hessian at a zero-loss point: explicit check at depth 3
    xs = sp.symbols("x1:4", positive=True)
    f3 = (xs[0] * xs[1] * xs[2] - 1) / gamma
    l3 = (f3 - y) ** 2 / 2
    H = sp.hessian(l3, xs)
    grad = sp.Matrix([sp.diff(f3, x) for x in xs])
    resid = (H - grad * grad.T - (f3 - y) * sp.hessian(f3, xs)).applyfunc(sp.simplify)
    _check(resid == sp.zeros(3, 3), "Hessian = grad f grad f^T + (f - y) Hess f")
    lam_general = sp.Sum((prod_others / gamma) ** 2, (ell, 1, L))
    d.step(
        sp.Eq(lam_max, lam_general),
        "at f = y the Hessian is grad f grad f^T (rank one): its top eigenvalue is |grad f|^2",
    )
    d.step(
        sp.Eq(delta, (1 - eta * lam_max) * delta),
        "linearised GD along the top eigenvector, one step",
    )
    d.step(
        sp.Eq(eta_star, 2 / lam_max),
        "stable iff |1 - eta lambda_max| < 1: the largest convergent step is 2/lambda_max",
    )

    # -- lazy regime
    lazy_lam = sp.Sum(sp.Product(a0[m] ** 2, (m, 1, L)) / a0[ell] ** 2, (ell, 1, L)) / gamma**2
    d.step(
        sp.Eq(lam_max, lazy_lam + sp.O(1 / gamma)),
        "lazy (gamma << 1): f = y needs prod a to move by gamma y only, so a = a(0) + O(gamma)",
    )
    d.step(
        sp.Eq(eta_star, lazy_asymptote_expr()),
        "lazy with a(0) = 1: lambda_max = L/gamma^2, eta* = 2 gamma^2/L, proportional to gamma^2",
    )

    # -- balancedness (gradient flow), explicit check at depth 3
    prod3 = xs[0] * xs[1] * xs[2]
    phi = sp.Function("phi")
    dl = [sp.diff(phi(prod3), x) for x in xs]  # any loss of the product
    flows = [-2 * x * g for x, g in zip(xs, dl, strict=True)]  # d(a_l^2)/dtau = -2 a_l dL/da_l
    _check(_is_zero(flows[0] - flows[1]) and _is_zero(flows[1] - flows[2]), "balancedness")
    d.step(
        sp.Eq(
            sp.Derivative(sp.Function("a_ell")(tau) ** 2 - sp.Function("a_m")(tau) ** 2, tau),
            0,
        ),
        "gradient flow: d(a_l^2)/dtau = -2 (f - y) prod a / gamma, the same for every l",
    )
    d.step(
        sp.Eq(sp.Product(a[m], (m, 1, L)), gamma * y + prod_a0),
        "zero loss: the product must reach gamma y + prod a(0), about gamma y when gamma >> 1",
    )
    rich_lam = L * (gamma * y) ** (2 - sp.Integer(2) / L) / gamma**2
    d.step(
        sp.Eq(lam_max, sp.powsimp(rich_lam)),
        "rich (gamma >> 1): balanced weights a_l = (gamma y)^(1/L) give this sharpness",
    )
    d.step(
        sp.Eq(eta_star, 2 * gamma ** (sp.Integer(2) / L) / (L * y ** (2 - sp.Integer(2) / L))),
        "rich: eta* proportional to gamma^(2/L) (sharpness rises from L/gamma^2: progressive "
        "sharpening)",
    )

    # -- symmetric start: exact
    lam_sym = L * a_sym ** (2 * L - 2) / gamma**2
    d.step(
        sp.Eq(lam_max, lam_sym),
        "symmetric start a_l(0) = 1: GD keeps every a_l equal to a; sharpness on that line",
    )
    sol = sp.Eq(a_star**L, 1 + gamma)
    d.step(sol, "zero loss with y = 1: (a^L - 1)/gamma = 1")
    lam_star = sp.powsimp(lam_sym.subs(a_sym, (1 + gamma) ** (1 / L)), force=True)
    _check(_is_zero(lam_star - sharpness_expr()), "sharpness at the symmetric solution")
    d.step(
        sp.Eq(lam_max, sharpness_expr()),
        "sharpness at the solution; it grows monotonically along the path a: 1 -> a_*",
    )
    em = eta_max_expr()
    _check(_is_zero(2 / sharpness_expr() - em), "eta_max = 2 / lambda_max")
    d.step(sp.Eq(eta_max, em), "largest convergent step from the symmetric start (y = 1)")
    sl = slope_expr()
    _check(_is_zero(gamma * sp.diff(sp.log(em), gamma) - sl), "log-log slope")
    d.step(sp.Eq(slope_sym, sl), "its local log-log slope, gamma d ln(eta_max)/d gamma")

    # -- limits
    checks = [
        (sp.limit(em / gamma**2, gamma, 0), 2 / L, "lazy limit of eta_max / gamma^2"),
        (slope_lazy_expr(), sp.Integer(2), "lazy limit of the slope"),
        (sp.limit(em / gamma ** (2 / L), gamma, sp.oo), 2 / L, "rich limit of eta_max/gamma^(2/L)"),
        (slope_rich_expr(), 2 / L, "rich limit of the slope"),
    ]
    for got, want, what in checks:
        _check(_is_zero(got - want), what)
    d.step(
        sp.Eq(sp.Limit(eta_max / gamma**2, gamma, 0), 2 / L),
        "lazy limit (sympy limit): eta_max -> 2 gamma^2 / L",
    )
    d.step(sp.Eq(sp.Limit(slope_sym, gamma, 0), 2), "lazy slope: 2")
    d.step(
        sp.Eq(sp.Limit(eta_max / gamma ** (2 / L), gamma, sp.oo), 2 / L),
        "rich limit (sympy limit): eta_max -> 2 gamma^(2/L) / L",
    )
    d.step(sp.Eq(sp.Limit(slope_sym, gamma, sp.oo), 2 / L), "rich slope: 2/L")

    result = sp.Eq(eta_max, em)
    if depth is not None:
        Lv = sp.Integer(int(depth))
        d.step(
            sp.Eq(eta_max, sp.simplify(em.subs(L, Lv))),
            f"at depth L = {int(depth)}",
        )
        d.step(sp.Eq(slope_sym, sp.simplify(sl.subs(L, Lv))), f"slope at depth L = {int(depth)}")
        result = sp.Eq(eta_max, sp.simplify(em.subs(L, Lv)))
    d.result = result
    d.extras.update(
        {
            "eta_max": em,
            "slope": sl,
            "sharpness": sharpness_expr(),
            "lr_lazy_asymptote": lazy_asymptote_expr(),
            "lr_rich_asymptote": rich_asymptote_expr(),
            "slope_lazy": slope_lazy_expr(),
            "slope_rich": slope_rich_expr(),
        }
    )
    return d
