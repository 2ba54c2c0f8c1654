r"""Ridge regression's deterministic equivalent, derived from the S-transform (sympy).

Atanasov, Zavatone-Veth & Pehlevan, "Scaling and renormalization in high-dimensional
regression" (conventions: docs/conventions.md). :data:`THEORY` holds the fixed point and every
observable of ``ridge.*``, typed once; the derivations are built from the same expressions.

Conventions: :math:`\hat w=\arg\min\frac1P\lVert Xw-y\rVert^2+\lambda\lVert w\rVert^2` (λ not
scaled by P); :math:`\hat\Sigma=X^\top X/P=\Sigma^{1/2}W\Sigma^{1/2}`, W white Wishart with
q = D/P; :math:`\mathrm{Df}_1(\kappa)=\operatorname{Tr}\Sigma(\Sigma+\kappa)^{-1}`,
:math:`\mathrm{Df}_2(\kappa)=\operatorname{Tr}\Sigma^2(\Sigma+\kappa)^{-2}` (unnormalized);
:math:`\mathrm{tf}_1'(\kappa)=\bar w^\top\Sigma(\Sigma+\kappa)^{-2}\bar w`; E_g is the excess
risk (no label noise), E_tr the training error, σ² the label-noise variance.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .ensembles import marchenko_pastur
from .theory import Primitive, Theory, eta_k, p_k
from .transforms import t

lam = sp.Symbol("lambda", positive=True)
kappa = sp.Symbol("kappa", positive=True)
q = sp.Symbol("q", positive=True)
P = sp.Symbol("P", positive=True)
D = sp.Symbol("D", positive=True)
df = sp.Symbol(r"\mathrm{df}", positive=True)
Df1 = sp.Function(r"\mathrm{Df}_1")(kappa)
Df2 = sp.Function(r"\mathrm{Df}_2")(kappa)
tf1 = sp.Function(r"\mathrm{tf}_1")(kappa)
tf1p = sp.Function(r"\mathrm{tf}_1'")(kappa)
tf2 = sp.Function(r"\mathrm{tf}_2")(kappa)
sigma2 = sp.Symbol("sigma^2", nonnegative=True)
r2 = sp.Symbol("r^2", nonnegative=True)  # ||wbar||^2 (isotropic)
gamma = sp.Symbol("gamma", positive=True)
E_g = sp.Symbol("E_g")
E_tr = sp.Symbol("E_tr")
S_sym = sp.Symbol("S")

# ============================================================================ the expressions
# (typed once: the derivations, the Theory and so the compiled solver all use these)
FIXED_POINT = sp.Eq(kappa, lam + kappa * Df1 / P)  # kappa = lambda + (kappa/P) Df1(kappa)
GAMMA = Df2 / P  # variance inflation gamma = Df2/P
BIAS2 = kappa**2 * tf1p  # population-ridge bias at kappa
TERMS = (BIAS2, BIAS2 * gamma / (1 - gamma), sigma2 * gamma / (1 - gamma))  # Bias2, VarX, VarXe
E_G = (kappa**2 * tf1p + gamma * sigma2) / (1 - gamma)  # in gamma; E_g = sum(TERMS)
S_OF_KAPPA = kappa / lam  # S-transform on the solution = 1/(1 - Df1/P)
E_TR = (lam / kappa) ** 2 * (E_g + sigma2)  # train-test gap
GCV_TARGET = E_g + sigma2  # = S^2 E_tr, what GCV estimates
LAM_ON_SOLUTION = kappa * (1 - Df1 / P)  # lambda from the fixed point (for lambda = 0 too)

CONVENTIONS = [
    r"loss $\frac{1}{P}\lVert Xw-y\rVert^2+\lambda\lVert w\rVert^2$: "
    r"$\lambda$ is not scaled by $P$",
    r"$x\sim N(0,\Sigma)$, $y=\bar w^\top x+\epsilon$, $\epsilon\sim N(0,\sigma^2)$, $P$ samples, "
    r"$q=D/P$",
    r"$\mathrm{Df}_1(\kappa)=\mathrm{Tr}\,\Sigma(\Sigma+\kappa)^{-1}$, "
    r"$\mathrm{Df}_2(\kappa)=\mathrm{Tr}\,\Sigma^2(\Sigma+\kappa)^{-2}$ (unnormalized traces)",
    r"$E_g=(\hat w-\bar w)^\top\Sigma(\hat w-\bar w)$: excess risk, without label noise "
    r"(noisy test MSE $=E_g+\sigma^2$); $E_{tr}=\frac1P\lVert X\hat w-y\rVert^2$",
    r"S-transform in the df convention $S(\mathrm{df})=S^{\mathrm{Voiculescu}}(-\mathrm{df})$",
]
ASSUMPTIONS = [
    r"proportional limit $D,P\to\infty$ at fixed $q$ (errors $O(1/D)$)",
    r"Gaussian (or universality-class) covariates, $\bar w$ independent of $X$",
    r"$\lambda>0$, with $\lambda\to0$ taken after the limit; physical branch "
    r"$1-\mathrm{Df}_1(\kappa)/P>0$",
]


def _base(name: str, title: str) -> Derivation:
    return Derivation(name, title, conventions=list(CONVENTIONS), assumptions=list(ASSUMPTIONS))


def kappa_steps(d: Derivation) -> sp.Equality:
    """Steps from S-multiplicativity to κ = λ + (κ/P)·Df₁(κ); returns that equation."""
    S_W = marchenko_pastur(q).s_transform_df(df)
    d.step(
        sp.Eq(sp.Symbol(r"\hat\Sigma"), sp.Symbol(r"\Sigma^{1/2} W \Sigma^{1/2}")),
        "empirical covariance = population covariance times a white Wishart (q = D/P)",
    )
    d.step(
        sp.Eq(
            sp.Function(r"S_{\hat\Sigma}")(t),
            sp.Function(r"S_{\Sigma}")(t) * marchenko_pastur(q).s_transform(),
        ),
        "free multiplicative convolution: S of the product is the product of S's",
    )
    d.step(
        sp.Eq(sp.Function("S_A")(df), (1 - df) / (df * sp.Function(r"\lambda_A")(df))),
        "df convention: S_A(df) = (1-df)/(df lambda_A(df)), with df_A(lambda_A) = df",
    )
    relation = sp.Eq((1 - df) / (df * lam), (1 - df) / (df * kappa) * S_W)
    d.step(relation, "match df of Sigma-hat at ridge lambda with df of Sigma at ridge kappa")
    ksol = sp.solve(relation, kappa)
    if len(ksol) != 1:
        raise ArithmeticError("expected a unique solution for kappa")
    kexpr = sp.simplify(ksol[0])
    d.step(sp.Eq(kappa, kexpr), "renormalized ridge: kappa = lambda S_W(df)")
    # unnormalized: df = Df1/D, q = D/P
    kfinal = sp.simplify(kexpr.subs({df: Df1 / D, q: D / P}))
    d.step(sp.Eq(kappa, kfinal), "with df = Df1/D and q = D/P")
    eq = FIXED_POINT
    check = sp.simplify(sp.solve(sp.Eq(kappa, kfinal), lam)[0] - sp.solve(eq, lam)[0])
    if check != 0:
        raise ArithmeticError("self-consistent equation does not follow")
    d.step(eq, "the self-consistent equation (Bach / kernel form)")
    return eq


def isotropic_kappa() -> sp.Expr:
    r"""Positive root of :math:`\kappa^2+(1-q-\lambda)\kappa-\lambda=0` (Σ = I)."""
    quad = sp.expand(kappa * (1 + kappa) - lam * (1 + kappa) - q * kappa)
    roots = sp.solve(quad, kappa)
    # physical: kappa >= lambda > 0; check on a sample point
    good = [r for r in roots if float(r.subs({lam: 0.1, q: 2.0})) > 0]
    if len(good) != 1:
        raise ArithmeticError("could not isolate the physical root of the isotropic quadratic")
    return good[0]


def derive_kappa() -> Derivation:
    d = _base("ridge.kappa", "Renormalized ridge kappa from the S-transform")
    eq = kappa_steps(d)
    iso = sp.Eq(kappa * (1 - q / (1 + kappa)), lam)
    d.step(iso, "isotropic Sigma = I: Df1 = D/(1+kappa)")
    kiso = isotropic_kappa()
    d.step(sp.Eq(kappa, kiso), "physical (positive) root of the quadratic, kappa >= lambda")
    d.step(
        sp.Eq(sp.Symbol(r"\kappa_{\lambda\to0}"), sp.Piecewise((0, q < 1), (q - 1, True))),
        "ridgeless: kappa -> 0 for q < 1 (P > D), kappa -> q - 1 for q > 1 (P < D)",
    )
    d.result = eq
    d.extras["isotropic"] = kiso
    return d


def test_error_expr() -> sp.Expr:
    """E_g in κ and the primitives (γ = Df₂/P substituted)."""
    return E_G.subs(gamma, GAMMA)


def derive_test_error() -> Derivation:
    d = _base("ridge.test_error", "Ridge generalization error E_g (deterministic equivalent)")
    kappa_steps(d)
    d.step(sp.Eq(gamma, GAMMA), "gamma = Df2(kappa)/P = q df2: the variance inflation")
    Eg = E_G
    d.step(
        sp.Eq(E_g, Eg),
        "two-point equivalent: population-ridge bias at kappa plus fitted noise, over 1-gamma",
    )
    iso = Eg.subs({tf1p: r2 / (1 + kappa) ** 2, gamma: q / (1 + kappa) ** 2})
    d.step(sp.Eq(E_g, sp.simplify(iso)), "isotropic: tf1' = r^2/(1+kappa)^2, gamma = q/(1+kappa)^2")
    under = sp.simplify(iso.subs(kappa, 0))
    over = sp.simplify(iso.subs(kappa, q - 1))
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{q<1,\lambda\to0}"), under),
        "ridgeless, under-parameterized (kappa = 0): classical sigma^2 q/(1-q)",
    )
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{q>1,\lambda\to0}"), over),
        "ridgeless, over-parameterized (kappa = q-1): r^2(1-1/q) + sigma^2/(q-1)",
    )
    d.result = sp.Eq(E_g, test_error_expr())
    d.extras.update(isotropic=iso, ridgeless_under=under, ridgeless_over=over)
    return d


def derive_train_error() -> Derivation:
    d = _base("ridge.train_error", "Ridge training error: the S-transform is the train-test gap")
    kappa_steps(d)
    d.step(sp.Eq(S_sym, S_OF_KAPPA), "S = kappa/lambda = 1/(1 - Df1/P)")
    Etr = E_TR
    d.step(sp.Eq(E_tr, Etr), "E_tr = (lambda/kappa)^2 (E_g + sigma^2)")
    iso_under = sp.simplify(((1 - q) ** 2) * (sigma2 * q / (1 - q) + sigma2))
    d.step(
        sp.Eq(sp.Symbol(r"E_{tr}^{q<1,\lambda\to0}"), iso_under),
        "ridgeless q < 1: lambda/kappa -> 1 - q, E_tr = sigma^2 (1 - q)",
    )
    d.result = sp.Eq(E_tr, Etr)
    d.extras["ridgeless_under"] = iso_under
    return d


def derive_bias_variance() -> Derivation:
    d = _base("ridge.bias_variance", "Fine-grained bias-variance decomposition of ridge")
    kappa_steps(d)
    d.step(sp.Eq(gamma, GAMMA), "gamma = Df2/P")
    names = [
        sp.Symbol(r"\mathrm{Bias}^2"),
        sp.Symbol(r"\mathrm{Var}_X"),
        sp.Symbol(r"\mathrm{Var}_{X\epsilon}"),
    ]
    terms = list(TERMS)
    for nm, tm, txt in zip(
        names,
        terms,
        [
            "bias of the X-averaged predictor: population ridge at kappa",
            "variance over the training inputs X of the noise-free predictor",
            "variance from the label noise (needs X to act)",
        ],
    ):
        d.step(sp.Eq(nm, tm), txt)
    total = sp.simplify(sum(terms))
    Eg = E_G
    if sp.simplify(total - Eg) != 0:
        raise ArithmeticError("terms do not add up to E_g")
    d.step(sp.Eq(E_g, total), "the three terms add up to E_g")
    d.result = sp.Matrix(terms)
    return d


def derive_gcv() -> Derivation:
    d = _base("ridge.gcv", "Generalized cross-validation from the S-transform")
    kappa_steps(d)
    Shat = sp.Symbol(r"\hat S")
    d.step(
        sp.Eq(GCV_TARGET, S_sym**2 * E_tr), "invert the train-test gap: E_g + sigma^2 = S^2 E_tr"
    )
    tr = sp.Symbol(r"\mathrm{Tr}\,\hat\Sigma(\hat\Sigma+\lambda)^{-1}")
    d.step(
        sp.Eq(Shat, 1 / (1 - tr / P)),
        "S from training data alone: Df1 of Sigma at kappa = Df1 of Sigma-hat at lambda",
    )
    gcv = Shat**2 * E_tr
    d.step(
        sp.Eq(sp.Symbol(r"\widehat{E_g+\sigma^2}"), gcv),
        "the GCV estimator (Golub-Heath-Wahba), asymptotically exact",
    )
    d.result = sp.Eq(sp.Symbol(r"\widehat{E_g+\sigma^2}"), gcv)
    return d


# ============================================================================ the theory
PRIMITIVES = (
    Primitive("df1", Df1, eta_k / (eta_k + kappa), kappa),
    Primitive("df2", Df2, eta_k**2 / (eta_k + kappa) ** 2, kappa),
    Primitive("tf1", tf1, p_k / (eta_k + kappa), kappa),
    Primitive("tf1p", tf1p, p_k / (eta_k + kappa) ** 2, kappa),
    Primitive("tf2", tf2, p_k * eta_k / (eta_k + kappa) ** 2, kappa),
)

THEORY = Theory(
    name="ridge",
    parameters=(P, lam, sigma2),
    unknowns=(kappa,),
    equations=(FIXED_POINT.lhs - FIXED_POINT.rhs,),
    primitives=PRIMITIVES,
    definitions={gamma: GAMMA, E_g: E_G},
    branch=(kappa, 1 - Df1 / P),
    observables={
        "kappa": kappa,
        "df1": Df1,
        "df2": Df2,
        "gamma": gamma,
        "bias2": TERMS[0],
        "var_x": TERMS[1],
        "var_noise": TERMS[2],
        "bias": TERMS[0] + TERMS[1],
        "variance": TERMS[2],
        "test_error": E_g,
        "train_error": E_TR,
        "gcv": GCV_TARGET,
        "s_transform": S_OF_KAPPA,
    },
)
"""Ridge: κ = λ + (κ/P)Df₁(κ) and every output of ``ridge.*`` (docs/conventions.md)."""
