r"""GD of the readout of linear random features on the population loss as a sympy derivation:
the one-point contour formula with κ from the S-transform of FFᵀ, the projection (t → ∞) limit
and N → ∞.

.. math:: E_g(t)=\frac1{2\pi i}\oint(1-\eta s)^{2t}\frac{\kappa_s}{s}\mathrm{tf}_1(\kappa_s)\,ds,
          \qquad\kappa_s=-s\frac DN+\frac{\kappa_s}{N}\mathrm{Df}_1(\kappa_s),\qquad
          E_g(\infty)=\kappa_N\mathrm{tf}_1(\kappa_N),\ \mathrm{Df}_1(\kappa_N)=N.

:func:`rf_gd_kernels` exports the integrand without its f-factor and the projection error in
the named primitives for the compiled solver (:mod:`rmtscale.numeric.rf_gd`). Conventions:
:mod:`.learning`.
"""

from __future__ import annotations

import sympy as sp

from . import ridge as _ridge
from .derivation import Derivation
from .learning import (
    BASE_CONVENTIONS,
    CONTOUR_CONVENTION,
    K1,
    TF1,
    D,
    Df1f,
    E_g,
    N,
    Oint,
    _check,
    _check_isotropic_mp,
    _is_zero,
    df1_sum,
    eta,
    k,
    kappa,
    kappa_fn,
    kappa_from_s_transform,
    kappa_N,
    lam,
    msum,
    quad,
    s,
    t,
    tf1_sum,
    wbar,
    z,
)
from .random_features import s_transform_ff


def rf_gd_kernels() -> dict[str, sp.Expr]:
    r"""The learning curve's integrand without its f-factor and the t → ∞ limit, in the
    primitives of :func:`rmtscale.symbolic.learning.primitives`:
    :math:`E_g(t)=\oint(1-\eta s)^{2t}\,\mathrm{loss}\,ds` with κ₁ = κ_s on the width equation,
    and ``static`` :math:`=E_g(\infty)` with κ₁ = κ_N (Df₁(κ_N) = N; 0 for N ≥ D).
    :func:`derive_rf_population_gd` builds its integrand from these; :mod:`rmtscale.numeric.rf_gd`
    compiles them."""
    return {"loss": K1 / s * TF1, "static": K1 * TF1}


def check_rf_step(Dn: int = 2, Nn: int = 2) -> bool:
    """One population-GD step on the readout a, in u = Σ^{1/2}(Fa − w̄) coordinates, equals
    u ← (I − ηK)u with K = Σ^{1/2}FFᵀΣ^{1/2} (symbolic F, a, w̄, diagonal Σ)."""
    F = sp.Matrix(Dn, Nn, lambda a, b: sp.Symbol(f"F_{a}{b}"))
    a = sp.Matrix(sp.symbols(f"a0:{Nn}"))
    wb = sp.Matrix(sp.symbols(f"wb0:{Dn}"))
    ls = sp.symbols(f"l0:{Dn}", positive=True)
    Sg = sp.diag(*ls)
    Sh = sp.diag(*[sp.sqrt(li) for li in ls])
    a1 = a - eta * F.T * Sg * (F * a - wb)
    u0 = Sh * (F * a - wb)
    u1 = Sh * (F * a1 - wb)
    K = Sh * F * F.T * Sh
    return _is_zero(u1 - (sp.eye(Dn) - eta * K) * u0)


def derive_rf_population_gd() -> Derivation:
    """GD of the readout of linear random features on the population loss: one-point contour
    formula with κ from the S-transform of FFᵀ, the projection (t → ∞) limit, and N → ∞."""
    d = Derivation(
        "rf_gd.learning_curve",
        "Linear random features, population GD: learning curve and the width bottleneck",
        conventions=[
            *BASE_CONVENTIONS,
            r"model $f(x)=(F^\top x)\cdot a$, frozen $F\in\mathbb{R}^{D\times N}$, "
            r"$F_{ij}\sim N(0,1/D)$, readout $a\in\mathbb{R}^N$ with $a_0=0$",
            r"GD on the population loss $\frac12\mathbb{E}(f-y)^2$: "
            r"$a_{t+1}=a_t-\eta F^\top\Sigma(Fa_t-\bar w)$ (infinite data, $P=\infty$)",
            CONTOUR_CONVENTION,
            r"with this normalization $FF^\top\to(N/D)I$: the effective learning rate is "
            r"$\tilde\eta=\eta N/D$",
        ],
        assumptions=[
            r"proportional limit $D,N\to\infty$; Gaussian $F$ independent of $\bar w$",
            r"one-point deterministic equivalent via S-multiplicativity (exact in the limit)",
            r"$0<\eta<2/\lambda_{\max}(K)$ for the $t\to\infty$ limit",
        ],
    )
    Dm = sp.Symbol("D", integer=True, positive=True)
    I = sp.Identity(Dm)
    Sig = sp.MatrixSymbol(r"\Sigma", Dm, Dm)
    Sh = sp.MatPow(Sig, sp.Rational(1, 2))
    Fm = sp.MatrixSymbol("F", Dm, sp.Symbol("N", integer=True, positive=True))
    Km = sp.MatrixSymbol("K", Dm, Dm)
    ut, ut1, u0 = (sp.MatrixSymbol(nm, Dm, 1) for nm in ("u_t", "u_{t+1}", "u_0"))
    wb = sp.MatrixSymbol(r"\bar{w}", Dm, 1)
    _check(check_rf_step(2, 2), "u_{t+1} = (1 - eta K) u_t for symbolic F (D=N=2)")
    d.step(sp.Eq(Km, Sh * Fm * Fm.T * Sh), "the feature kernel in whitened data coordinates")
    d.step(
        sp.Eq(ut1, (I - eta * Km) * ut),
        "u = Sigma^(1/2)(F a - wbar): GD on a is linear in u (checked with symbolic F, D=N=2)",
    )
    d.step(sp.Eq(u0, -Sh * wb), "a_0 = 0")
    d.step(
        sp.Eq(E_g(t), quad(sp.MatMul(u0.T, sp.MatPow(I - eta * Km, 2 * t), u0))),
        "E_g = |u_t|^2: a single matrix function of K (one-point; no two-point needed)",
    )
    d.step(
        sp.Eq(E_g(t), Oint((1 - eta * s) ** (2 * t) * quad(u0.T * (s * I - Km) ** -1 * u0), s)),
        "contour representation",
    )  # fmt: skip
    dfs = _ridge.df
    S_F = s_transform_ff()
    d.step(
        sp.Eq(sp.Function(r"S_{FF^{\top}}")(dfs), S_F),
        "S-transform of F F^T (transport of the N x N Wishart F^T F; random_features)",
    )
    kexpr = kappa_from_s_transform(d, S_F, "N features", dfs, "F F^T")
    kap_eq = sp.Eq(kappa, z * D / N + kappa * Df1f(kappa) / N)
    _check(
        _is_zero(sp.solve(sp.Eq(kappa, kexpr), z)[0] - sp.solve(kap_eq, z)[0]),
        "kappa = z D/N + kappa Df1/N from S_FF",
    )
    zt = sp.Symbol("zt", positive=True)
    _check(_check_isotropic_mp(D / N, zt), "isotropic check: (D/N) F F^T is MP with q = D/N")
    d.step(kap_eq, "the width equation (checked against the MP law of (D/N) F F^T at Sigma = I)")
    d.step(
        sp.Eq(z * sp.MatrixSymbol(r"(K+z)^{-1}", Dm, Dm), kappa * (Sig + kappa * I) ** -1),
        "one-point equivalent of the feature-kernel resolvent",
    )
    ks = kappa_fn(s)
    ks_eq = sp.Eq(ks, -s * D / N + ks * Df1f(ks) / N)
    d.step(ks_eq, "on the contour: kappa_s = kappa(z = -s)")
    kern = rf_gd_kernels()
    integrand = (1 - eta * s) ** (2 * t) * kern["loss"].xreplace({K1: ks, TF1: tf1_sum(ks)})
    Eg_eq = sp.Eq(E_g(t), Oint(integrand, s))
    d.step(Eg_eq, "learning curve: (s - K)^(-1) = (kappa_s/s)(Sigma + kappa_s)^(-1)")
    # static limit
    proj = msum(lam[k] * wbar[k] ** 2 * kappa_N / (lam[k] + kappa_N))
    static = kern["static"].xreplace({K1: kappa_N, TF1: tf1_sum(kappa_N)})
    _check(_is_zero((static - proj).subs(D, 3).doit()), "projection error = kappa_N tf1(kappa_N)")
    res0 = sp.residue(sp.Function("phi")(s) * kappa_N / s * sp.Symbol("Q"), s, 0)
    _check(_is_zero(res0 - sp.Function("phi")(0) * kappa_N * sp.Symbol("Q")), "residue at 0")
    kz0 = sp.solve(sp.Eq(kap_eq.rhs.subs(z, 0), kappa).subs(kappa, kappa_N), Df1f(kappa_N))
    _check(kz0 == [N], "kappa_N solves Df1 = N")
    d.step(
        sp.Eq(Df1f(kappa_N), N),
        "z -> 0: kappa (1 - Df1/N) = z D/N -> 0 gives Df1(kappa_N) = N for N < D "
        "(kappa_N = 0 for N >= D)",
    )
    d.step(
        sp.Eq(E_g(sp.oo), proj),
        "t -> inf: only the residue at s = 0 survives; an orthogonal projection, LINEAR in "
        "kappa_N/(lambda + kappa_N)",
    )
    # N -> infinity: rescaled learning rate
    eta_t = sp.Symbol(r"\tilde{\eta}", positive=True)
    zt2 = sp.Symbol(r"\tilde{z}", positive=True)
    resc = sp.Eq(kappa, zt2 + kappa * Df1f(kappa) / N)
    _check(_is_zero(kap_eq.rhs.subs(z, zt2 * N / D) - resc.rhs), "rescaled width equation")
    d.step(
        resc,
        "rescale: K-tilde = (D/N) K = Sigma^(1/2) W Sigma^(1/2), W unit-mean Wishart (q = D/N), "
        "z-tilde = z D/N, eta-tilde = eta N/D",
    )
    _check(_is_zero(sp.limit(resc.rhs, N, sp.oo) - zt2), "N -> inf: kappa -> z-tilde")
    # the learning-curve integrand itself, one mode, kappa_s -> -s D/N: residue at s = lambda N/D
    l0, w0 = sp.Symbol("lambda_1", positive=True), sp.Symbol("wbar_1", real=True)
    summ = integrand.atoms(sp.Sum).pop()
    one = integrand.xreplace({summ: summ.function}).xreplace({lam[k]: l0, wbar[k]: w0})
    one = one.xreplace({ks: -s * D / N})
    res = sp.residue(sp.cancel(one), s, l0 * N / D)
    _check(_is_zero(res - l0 * w0**2 * (1 - eta * N / D * l0) ** (2 * t)), "N -> inf residue")
    ninf = msum(lam[k] * wbar[k] ** 2 * (1 - eta_t * lam[k]) ** (2 * t))
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{N\to\infty}(t)"), ninf),
        "N -> inf at fixed eta-tilde: kappa_s -> -s, residues at s = lambda_k: linear "
        "population GD",
    )
    d.result = Eg_eq
    d.extras.update(
        kappa_equation=kap_eq,
        contour_kappa_equation=sp.Eq(ks, -s * D / N + ks * df1_sum(ks) / N),
        integrand=integrand,
        projection_error=proj,
        kappa_N_equation=sp.Eq(df1_sum(kappa_N), N),
        infinite_width=ninf,
        effective_lr=sp.Eq(eta_t, eta * N / D),
    )
    return d
