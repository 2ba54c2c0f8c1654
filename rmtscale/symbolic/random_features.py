r"""Linear random features: the two renormalized ridges from the S-transform (sympy).

Conventions (docs/conventions.md): F ∈ ℝ^{D×N} with entries N(0, 1/D); readout ridge λ with
the loss (1/P)‖y − XFv‖² + λ‖v‖² (λ not scaled by P); normalized df = Df₁/D at κ₂; q = D/P.
:data:`THEORY` (one isotropic layer), :func:`deep_theory` and :func:`anisotropic_theory` hold
the fixed points and every ``rf.*`` / ``deep_rf.*`` output, typed once; the derivations are
built from the same expressions.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .ensembles import marchenko_pastur
from .ridge import ASSUMPTIONS, CONVENTIONS, D, P, df, lam, sigma2
from .theory import Primitive, Theory, eta_j, eta_k, p_k

N = sp.Symbol("N", positive=True)
kappa1 = sp.Symbol("kappa_1", positive=True)
kappa2 = sp.Symbol("kappa_2", positive=True)
Df1 = sp.Function(r"\mathrm{Df}_1")(kappa2)
Df2 = sp.Function(r"\mathrm{Df}_2")(kappa2)
tf1 = sp.Function(r"\mathrm{tf}_1")(kappa2)
tf1p = sp.Function(r"\mathrm{tf}_1'")(kappa2)
tf2 = sp.Function(r"\mathrm{tf}_2")(kappa2)
rho = sp.Symbol("rho", positive=True)
gamma1 = sp.Symbol("gamma_1", positive=True)
gamma2 = sp.Symbol("gamma_2", positive=True)
E_g = sp.Symbol("E_g")
E_tr = sp.Symbol("E_tr")

# ============================================================================ the expressions
# (typed once: the derivations, the Theory and so the compiled solver all use these)
FIXED_POINT = sp.Eq(kappa2 * (1 - Df1 / P) * (N - Df1) / D, lam)  # one isotropic layer
KAPPA1 = kappa2 * (N - Df1) / D  # kappa_1 = kappa_2 / S_FF
LAM_OVER_KAPPA1 = 1 - Df1 / P  # lambda/kappa_1 on the solution (any feature layers)
RHO = 1 / (1 + (Df1 - Df2) / (N - Df1))  # dlog kappa_2 / dlog kappa_1
GAMMA1 = (Df1 - (Df1 - Df2) * rho) / P
GAMMA2 = Df2 / P
SIGNAL = (kappa2**2 * tf1p * rho + kappa2 * tf1 * (1 - rho)) / (1 - gamma1)
E_G = (kappa2**2 * tf1p * rho + kappa2 * tf1 * (1 - rho) + sigma2 * gamma1) / (1 - gamma1)
E_TR = (lam / kappa1) ** 2 * (E_g + sigma2)
_B2 = kappa2**2 * tf1p
TERMS = (
    _B2,
    _B2 * gamma2 / (1 - gamma2),
    (1 - rho) * kappa2 * tf2,
    SIGNAL - _B2 - _B2 * gamma2 / (1 - gamma2) - (1 - rho) * kappa2 * tf2,
    sigma2 * gamma2 / (1 - gamma2),
    sigma2 * gamma1 / (1 - gamma1) - sigma2 * gamma2 / (1 - gamma2),
)  # Bias^2, Var_X, Var_F, Var_XF, Var_Xe, Var_XFe
TERM_KEYS = ("bias2", "var_x", "var_f", "var_xf", "var_xe", "var_xfe")

RF_CONVENTIONS = [
    *CONVENTIONS,
    r"frozen $F\in\mathbb{R}^{D\times N}$, $F_{ij}\sim N(0,1/D)$; features $F^\top x$; "
    r"predictor $x^\top F\hat v$",
]


def s_transform_ff() -> sp.Expr:
    r""":math:`S_{FF^\top}(\mathrm{df})=1/(N/D-\mathrm{df})` (df convention), from the
    transport of the N×N white Wishart :math:`F^\top F` (ratio D/N, scaled by N/D)."""
    c = N / D
    # F^T F (N x N) = Z^T Z / D is a white Wishart of ratio N/D (unit mean); transport its
    # S-transform to the D x D matrix F F^T (same nonzero spectrum): S_A(t) = (1+t)/(c+t) S_C(t/c)
    t = sp.Symbol("t")
    S_C = marchenko_pastur(c).s_transform()
    S_A = sp.simplify((1 + t) / (c + t) * S_C.subs(t, t / c))
    return sp.simplify(S_A.subs(t, -df))


def derive_rf_kappa() -> Derivation:
    d = Derivation(
        "rf.kappa",
        "Linear random features: two renormalized ridges",
        conventions=list(RF_CONVENTIONS),
        assumptions=list(ASSUMPTIONS),
    )
    q = D / P
    S_W = 1 / (1 - q * df)
    S_F = s_transform_ff()
    d.step(
        sp.Eq(sp.Function("S_{FF^T}")(df), S_F),
        "S-transform of FF^T: transport of the N x N Wishart F^T F to D dimensions",
    )
    d.step(sp.Eq(kappa1, lam * S_W), "data fluctuations: kappa_1 = lambda S_W(df)")
    d.step(sp.Eq(kappa2, kappa1 * S_F), "feature fluctuations: kappa_2 = kappa_1 S_FF(df)")
    eq = FIXED_POINT
    lhs = sp.simplify((lam * S_W * S_F).subs(df, Df1 / D))
    if sp.simplify(sp.solve(sp.Eq(kappa2, lhs), lam)[0] - sp.solve(eq, lam)[0]) != 0:
        raise ArithmeticError("the kappa_2 equation does not follow")
    d.step(eq, "with df = Df1(kappa_2)/D: the self-consistent equation for kappa_2")
    d.step(sp.Eq(kappa1, KAPPA1), "kappa_1 = kappa_2 (N - Df1)/D")
    if sp.simplify((lam / KAPPA1).subs(lam, eq.lhs) - LAM_OVER_KAPPA1) != 0:
        raise ArithmeticError("lambda/kappa_1 = 1 - Df1/P does not follow")
    lim = sp.limit((eq.lhs * D / N).subs(N, N), N, sp.oo)
    d.step(
        sp.Eq(lim, sp.Symbol(r"\lambda D/N")),
        "N -> infinity with lambda D/N fixed: the ridge equation at ridge lambda D/N",
    )
    d.result = eq
    d.extras["s_ff"] = S_F
    return d


def derive_rf_test_error() -> Derivation:
    d = derive_rf_kappa()
    d.name, d.title = "rf.test_error", "Linear random features: generalization error"
    d.step(sp.Eq(rho, RHO), "rho = dlog kappa_2 / dlog kappa_1")
    d.step(sp.Eq(gamma1, GAMMA1), "variance inflation gamma_1")
    Eg = E_G
    d.step(sp.Eq(E_g, Eg), "signal (bias at kappa_2 mixed with the width term) plus noise")
    d.step(
        sp.Eq(rho, sp.limit(RHO, N, sp.oo)),
        "N -> infinity: rho -> 1, gamma_1 -> Df2/P: the ridge E_g at kappa_2",
    )
    wl = sp.simplify(Eg.subs({rho: 0, gamma1: N / P}))
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{N<P,\lambda\to0}"), wl),
        "ridgeless, width-limited (N < P, N < D): Df1 -> N, rho -> 0, gamma_1 -> N/P",
    )
    d.extras["ridgeless_width_limited"] = wl
    d.result = sp.Eq(E_g, Eg)
    return d


def derive_rf_train_error() -> Derivation:
    d = derive_rf_kappa()
    d.name, d.title = "rf.train_error", "Linear random features: training error"
    d.step(sp.Eq(sp.Symbol("S"), kappa1 / lam), "S-transform of the feature Gram: kappa_1/lambda")
    d.step(
        sp.Eq(E_tr, E_TR),
        "train-test gap in feature space: E_tr = (lambda/kappa_1)^2 (E_g + sigma^2)",
    )
    d.result = sp.Eq(E_tr, E_TR)
    return d


def derive_rf_bias_variance() -> Derivation:
    d = derive_rf_test_error()
    d.name, d.title = "rf.bias_variance", "Linear random features: fine-grained bias-variance"
    d.step(sp.Eq(gamma2, GAMMA2), "gamma_2 = Df2/P (data-only inflation)")
    names = ["Bias^2", "Var_X", "Var_F", "Var_XF", r"Var_{X\epsilon}", r"Var_{XF\epsilon}"]
    terms = list(TERMS)
    texts = [
        "bias of the fully averaged predictor", "variance over the data X",
        "variance over the features F", "X-F interaction: the rest of the signal part",
        "label noise seen through X", "the rest of the noise part",
    ]  # fmt: skip
    for nm, tm, tx in zip(names, terms, texts):
        d.step(sp.Eq(sp.Symbol(r"\mathrm{" + nm + "}"), tm), tx)
    if sp.simplify(sum(terms) - E_G) != 0:
        raise ArithmeticError("the six terms do not add up to E_g")
    d.step(sp.Eq(E_g, sp.Add(*[sp.Symbol(r"\mathrm{" + n + "}") for n in names])),
           "the six terms add up to E_g (checked symbolically)")  # fmt: skip
    d.result = sp.Matrix(terms)
    return d


def derive_deep_rf_kappa(layers: int = 2) -> Derivation:
    """κ₂ for F = F₁⋯F_L, every layer N(0, 1/D): one S_{FF^T} factor per layer."""
    d = Derivation(
        "deep_rf.kappa", f"Deep linear random features (L = {layers}): renormalized ridges",
        conventions=[*RF_CONVENTIONS, r"$F=F_1\cdots F_L$, every layer's entries $N(0,1/D)$"],
        assumptions=list(ASSUMPTIONS), params={"L": layers},
    )  # fmt: skip
    Ns = sp.symbols(f"N_1:{layers + 1}", positive=True)
    S_layers = [1 / (n / D - df) for n in Ns]
    for n, S in zip(Ns, S_layers):
        d.step(sp.Eq(sp.Function(f"S_{{{n}}}")(df), S), f"layer of width {n}: 1/(N/D - df)")
    prod = sp.Mul(*S_layers)
    d.step(
        sp.Eq(kappa2, lam * prod / (1 - D * df / P)),
        "S-multiplicativity over the layers and the data: kappa_2 = lambda S_W prod S_l",
    )
    eq = sp.Eq(kappa2 * (1 - Df1 / P) * sp.Mul(*[(n - Df1) / D for n in Ns]), lam)
    check = sp.simplify((lam * prod / (1 - D * df / P)).subs(df, Df1 / D) - kappa2)
    if sp.simplify(sp.solve(check, lam)[0] - sp.solve(eq, lam)[0]) != 0:
        raise ArithmeticError("the deep kappa_2 equation does not follow")
    d.step(eq, "with df = Df1(kappa_2)/D")
    d.result = eq
    return d


# ============================================================================ anisotropic F
kappa_F = sp.Symbol("kappa_F", positive=True)
Df1F = sp.Symbol(r"\mathrm{Df}^F_1", positive=True)  # at kappa_F
Df2F = sp.Symbol(r"\mathrm{Df}^F_2", positive=True)  # at kappa_F
kappa_F_of = sp.Function(r"\kappa_F")  # kappa_F(x): ridge of Sigma_F at normalized df x

ANISO_CONVENTIONS = [
    *CONVENTIONS,
    r"anisotropic weights $F=Z\Sigma_F^{1/2}/\sqrt D$, $Z\in\mathbb{R}^{D\times N}$ standard "
    r"Gaussian, $\Sigma_F$ ($N\times N$) with eigenvalues $\eta^F_j$ (the solver uses "
    r"$\eta^F_j=j^{-\alpha_F}$); features $F^\top x$, predictor $x^\top F\hat v$",
    r"$\mathrm{Df}^F_1(\kappa)=\sum_j\eta^F_j/(\eta^F_j+\kappa)$, "
    r"$\mathrm{Df}^F_2(\kappa)=\sum_j(\eta^F_j)^2/(\eta^F_j+\kappa)^2$ (unnormalized, $N$ modes); "
    r"$\kappa_F(x)$ solves $\mathrm{Df}^F_1(\kappa_F)/N=x$",
    r"$\mathrm{df}=\mathrm{Df}_1(\kappa_2)/D$ (normalized); $\mathrm{Df}_{1,2}$ at $\kappa_2$",
]


def derive_rf_kappa_anisotropic() -> Derivation:
    r"""κ₂ and κ_F for random features with anisotropic weights (theory note §3.3, §9.3).

    :math:`F^\top F=\Sigma_F^{1/2}(Z^\top Z/D)\Sigma_F^{1/2}` is a free product of Σ_F and an
    N×N white Wishart of ratio N/D; transporting its S-transform to :math:`FF^\top` gives
    :math:`1/S_{FF^\top}(\mathrm{df})=\mathrm{df}\,\kappa_F(\mathrm{df}D/N)`, hence
    :math:`\kappa_2(1-\mathrm{Df}_1/P)(\mathrm{Df}_1/D)\kappa_F=\lambda` with
    :math:`\mathrm{Df}^F_1(\kappa_F)=\mathrm{Df}_1(\kappa_2)`. Every identity is checked."""
    d = Derivation(
        "rf.kappa_anisotropic",
        "Random features with anisotropic weights: kappa_2, kappa_F and rho",
        conventions=list(ANISO_CONVENTIONS),
        assumptions=[
            *ASSUMPTIONS,
            r"$N,D,P\to\infty$ at fixed ratios; $Z$ independent of $X$; $\Sigma_F$ fixed with "
            r"bounded spectrum (so $\Sigma_F$ and $Z^\top Z/D$ are asymptotically free)",
            r"physical branch $\mathrm{Df}_1(\kappa_2)<\min(P,N)$, $\kappa_F>0$",
        ],
    )
    t = sp.Symbol("t")
    x = sp.Symbol("x", positive=True)
    c = N / D
    # S of Sigma_F from its renormalized ridge (note 2.7): S(-x) = (1 - x)/(x kappa_F(x)),
    # i.e. in Voiculescu's variable S(t) = (1 + t)/(-t kappa_F(-t))
    S_SF = (1 + t) / (-t * kappa_F_of(-t))
    d.step(
        sp.Eq(sp.Function(r"S_{\Sigma_F}")(-x), sp.simplify(S_SF.subs(t, -x))),
        "S-transform of Sigma_F at -x from its ridge: df^1_{Sigma_F}(kappa_F(x)) = x",
    )
    S_W = marchenko_pastur(c).s_transform()
    S_C = S_SF * S_W
    d.step(
        sp.Eq(sp.Function("S_{F^TF}")(t), S_C),
        "F^T F = Sigma_F^1/2 (Z^T Z/D) Sigma_F^1/2: times the N x N Wishart of ratio N/D",
    )
    S_A = (1 + t) / (c + t) * S_C.subs(t, t / c)
    S_df = sp.simplify(S_A.subs(t, -df))
    d.step(
        sp.Eq(sp.Function("S_{FF^T}")(df), S_df),
        "transport to the D x D matrix F F^T (same nonzero spectrum), at t = -df",
    )
    if sp.simplify(1 / S_df - df * kappa_F_of(df * D / N)) != 0:
        raise ArithmeticError("1/S_FF(df) = df kappa_F(df D/N) does not follow")
    d.step(
        sp.Eq(1 / sp.Function("S_{FF^T}")(df), df * kappa_F_of(df * D / N)),
        "so 1/S_FF(df) = df kappa_F(df D/N)  (N/D - df for Sigma_F = I)",
    )
    q = D / P
    k2_of_lam = lam / (1 - q * df) * (1 / (df * kappa_F))
    d.step(
        sp.Eq(kappa2, k2_of_lam),
        "kappa_2 = lambda S_W(df) S_FF(df), kappa_F = kappa_F(df D/N)",
    )
    eq = sp.Eq(kappa2 * (1 - Df1 / P) * Df1 / D * kappa_F, lam)
    lam_from_k2 = sp.solve(sp.Eq(kappa2, k2_of_lam.subs(df, Df1 / D)), lam)[0]
    if sp.simplify(lam_from_k2 - eq.lhs) != 0:
        raise ArithmeticError("the anisotropic kappa_2 equation does not follow")
    d.step(eq, "with df = Df1(kappa_2)/D: the self-consistent equation for kappa_2")
    f_eq = sp.Eq(Df1F, Df1)
    d.step(f_eq, "kappa_F solves Df^F_1(kappa_F) = N df D/N = Df1(kappa_2)")
    d.step(sp.Eq(kappa1, kappa2 * Df1 / D * kappa_F), "kappa_1 = kappa_2 Df1 kappa_F / D")
    # Sigma_F = I: Df^F_1 = N/(1 + kappa_F) gives kappa_F = (N - Df1)/Df1: the isotropic model
    kF_iso = sp.solve(sp.Eq(N / (1 + kappa_F), Df1), kappa_F)[0]
    iso = sp.simplify(eq.lhs.subs(kappa_F, kF_iso))
    if sp.simplify(iso - derive_rf_kappa().result.lhs) != 0:
        raise ArithmeticError("Sigma_F = I does not give the isotropic equation")
    d.step(
        sp.Eq(sp.Symbol(r"\kappa_F^{\Sigma_F=I}"), kF_iso),
        "Sigma_F = I: Df^F_1 = N/(1 + kappa_F) gives back kappa_2 (1 - Df1/P)(N - Df1)/D",
    )
    # rho^-1 = dlog kappa_1/dlog kappa_2 by implicit differentiation, with
    # kappa dDf1/dkappa = -(Df1 - Df2) and kappa_F dDf^F_1/dkappa_F = -(Df^F_1 - Df^F_2)
    dlogu = -(Df1 - Df2) / Df1  # dlog Df1 / dlog kappa_2
    dlogkF_dlogu = -Df1 / (Df1 - Df2F)  # dlog kappa_F / dlog Df1 (Df^F_1 = Df1)
    dlogk1 = sp.simplify(1 + dlogu * (1 + dlogkF_dlogu))
    note = 1 - (Df1 - Df2) * (1 / Df1 - 1 / (Df1 - Df2F))
    if sp.simplify(dlogk1 - note) != 0:
        raise ArithmeticError("dlog kappa_1/dlog kappa_2 differs from the note's form")
    shown = 1 + (Df1 - Df2) * Df2F / (Df1 * (Df1 - Df2F))
    if sp.simplify(shown - dlogk1) != 0:
        raise ArithmeticError("rho^-1 simplification")
    d.step(
        sp.Eq(1 / rho, shown),
        "rho^-1 = dlog kappa_1/dlog kappa_2 (implicit differentiation of both equations)",
    )
    iso_rho = sp.simplify(dlogk1.subs(Df2F, Df1**2 / N))  # Sigma_F = I: Df^F_2 = Df1^2/N
    if sp.simplify(iso_rho - (1 + (Df1 - Df2) / (N - Df1))) != 0:
        raise ArithmeticError("Sigma_F = I does not give the isotropic rho")
    d.step(
        sp.Eq(sp.Symbol(r"\rho^{-1}_{\Sigma_F=I}"), 1 + (Df1 - Df2) / (N - Df1)),
        "Sigma_F = I (Df^F_2 = Df1^2/N): the isotropic rho; E_g, E_tr and the terms as there",
    )
    d.result = eq
    d.extras.update(kappa_F_equation=f_eq, rho_inverse=dlogk1, s_ff=S_df)
    return d


# ============================================================================ the theories
PRIMITIVES = (
    Primitive("df1", Df1, eta_k / (eta_k + kappa2), kappa2),
    Primitive("df2", Df2, eta_k**2 / (eta_k + kappa2) ** 2, kappa2),
    Primitive("tf1", tf1, p_k / (eta_k + kappa2), kappa2),
    Primitive("tf1p", tf1p, p_k / (eta_k + kappa2) ** 2, kappa2),
    Primitive("tf2", tf2, p_k * eta_k / (eta_k + kappa2) ** 2, kappa2),
)
OBSERVABLES = {
    "kappa1": kappa1, "kappa2": kappa2, "df1": Df1, "df2": Df2, "gamma1": gamma1,
    "gamma2": gamma2, "rho": rho, **dict(zip(TERM_KEYS, TERMS)), "test_error": E_g,
    "train_error": E_TR,
}  # fmt: skip
_COMMON = {gamma1: GAMMA1, gamma2: GAMMA2, E_g: E_G}

# one factor 1/S_l per feature layer of h(log kappa_2) (rmtscale.numeric.kappa.real) and its
# t_l = -dlog(1/S_l)/dlog kappa_2 (with kappa dDf1/dkappa = -(Df1 - Df2))
LOG_FACTOR = sp.log((N - Df1) / D)  # isotropic layer of width N
T_LAYER = (Df1 - Df2) / (N - Df1)
LOG_FACTOR_ANISO = sp.log(Df1 * kappa_F / D)  # anisotropic weights, Df^F_1(kappa_F) = Df1
T_LAYER_ANISO = (Df1 - Df2) * Df2F / (Df1 * (Df1 - Df2F))
if sp.simplify(RHO - 1 / (1 + T_LAYER)) != 0:
    raise ArithmeticError("rho is not 1/(1 + t) for one isotropic layer")

THEORY = Theory(
    name="rf",
    parameters=(P, N, lam, sigma2, D),
    unknowns=(kappa2,),
    equations=(FIXED_POINT.lhs - FIXED_POINT.rhs,),
    primitives=PRIMITIVES,
    definitions={rho: RHO, kappa1: KAPPA1, **_COMMON},
    branch=(kappa2, 1 - Df1 / P, N - Df1),
    observables=dict(OBSERVABLES),
)
"""Linear random features (one isotropic layer): the κ₂ equation and every ``rf.*`` output."""


def deep_theory(layers: int) -> Theory:
    """F = F₁⋯F_L, every layer N(0, 1/D), widths ``N_1..N_L``: one factor per layer."""
    Ns = sp.symbols(f"N_1:{layers + 1}", positive=True)
    factor = sp.Mul(*[(n - Df1) / D for n in Ns])
    return Theory(
        name=f"deep_rf_{layers}",
        parameters=(P, *Ns, lam, sigma2, D),
        unknowns=(kappa2,),
        equations=(kappa2 * (1 - Df1 / P) * factor - lam,),
        primitives=PRIMITIVES,
        definitions={
            rho: 1 / (1 + sp.Add(*[T_LAYER.subs(N, n) for n in Ns])),
            kappa1: kappa2 * factor,
            **_COMMON,
        },
        branch=(kappa2, 1 - Df1 / P, *[n - Df1 for n in Ns]),
        observables=dict(OBSERVABLES),
    )


def anisotropic_theory() -> Theory:
    """Anisotropic weights F = ZΣ_F^{1/2}/√D: unknowns κ₂ and κ_F (Df^F_1(κ_F) = Df₁(κ₂))."""
    feature = (
        Primitive("df1_F", Df1F, eta_j / (eta_j + kappa_F), kappa_F, "features"),
        Primitive("df2_F", Df2F, eta_j**2 / (eta_j + kappa_F) ** 2, kappa_F, "features"),
    )
    return Theory(
        name="rf_anisotropic",
        parameters=(P, lam, sigma2, D),
        unknowns=(kappa2, kappa_F),
        equations=(kappa2 * (1 - Df1 / P) * Df1 / D * kappa_F - lam, Df1F - Df1),
        primitives=PRIMITIVES + feature,
        definitions={rho: 1 / (1 + T_LAYER_ANISO), kappa1: kappa2 * Df1 / D * kappa_F, **_COMMON},
        branch=(kappa2, kappa_F, 1 - Df1 / P),
        observables={**OBSERVABLES, "kappa_F": kappa_F, "df2_F": Df2F},
    )
