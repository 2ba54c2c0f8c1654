r"""Full-batch GD on P samples (infinite width) as a sympy derivation: the exact error
decomposition, contour representation, one- and two-point deterministic equivalents, the
learning curves and their limits.

With :math:`f(s)=(1-\eta s)^t` and :math:`\kappa_s=-s+\frac{\kappa_s}{P}\mathrm{Df}_1(\kappa_s)`,

.. math:: E_g(t)=\frac{1}{(2\pi i)^2}\oint\!\oint f(s)f(s')\frac{\kappa_s\kappa_{s'}}{ss'}
          \frac{T(\kappa_s,\kappa_{s'})}{1-G(\kappa_s,\kappa_{s'})/P}+\sigma^2\frac1{2\pi i}
          \oint(1-f)^2\frac{\kappa_s}{s^2},\quad E_{tr}(t)=-\frac1{2\pi i}\oint f^2
          \Big[\mathrm{tf}_1(\kappa_s)+\frac{\sigma^2}{\kappa_s}\Big]

(:math:`T=\sum_k\lambda_k\bar w_k^2/((\lambda_k+\kappa)(\lambda_k+\kappa'))`,
:math:`G=\sum_k\lambda_k^2/((\lambda_k+\kappa)(\lambda_k+\kappa'))`,
:math:`\mathrm{tf}_1=\sum_k\lambda_k\bar w_k^2/(\lambda_k+\kappa)`). :func:`gd_kernels` exports
these integrands without their f-factors, in the named primitives, for the compiled solver
(:mod:`rmtscale.numeric.gd`). Conventions: :mod:`.learning`.
"""

from __future__ import annotations

import sympy as sp

from . import ridge as _ridge
from .derivation import Derivation
from .ensembles import marchenko_pastur
from .learning import (
    BASE_CONVENTIONS,
    CONTOUR_CONVENTION,
    G12,
    K1,
    K2,
    T12,
    TF1,
    D,
    Df1f,
    E_g,
    E_tr,
    Oint,
    P,
    _check,
    _check_isotropic_mp,
    _is_zero,
    df1_sum,
    df2_sum,
    eta,
    j,
    k,
    kappa,
    kappa_fn,
    kappa_from_s_transform,
    kappa_P,
    lam,
    msum,
    quad,
    s,
    s2,
    sigma2,
    t,
    tau,
    tf1_sum,
    tf1p_sum,
    tf1pf,
    wbar,
    z,
)

TF1P = sp.Symbol(r"\mathrm{tf}_1'(\kappa_P)")  # sum_k lambda_k wbar_k^2/(lambda_k + kappa_P)^2
GAMMA_P = sp.Symbol("gamma_P", positive=True)  # Df2(kappa_P)/P


def gd_kernels() -> dict[str, sp.Expr]:
    r"""The integrands of the GD learning curves without their f-factors, in the primitives of
    :func:`rmtscale.symbolic.learning.primitives` (κ₁ = κ_s, κ₂ = κ_s'), with
    :math:`f=(1-\eta s)^t`:

    * ``bias``: :math:`E_g^{\rm bias}=\oint\oint f(s)f(s')\,\mathrm{bias}`;
    * ``noise``: :math:`E_g^{\rm noise}=\sigma^2\oint(1-f)^2\,\mathrm{noise}` (one point) and
      ``noise_at_infinity`` :math:`=\oint\mathrm{noise}\,ds` (the residue at infinity);
    * ``train``: :math:`E_{tr}=\oint f^2\,\mathrm{train}`.

    :func:`derive_gd_finite_data` builds its integrands from these (and checks the one-point
    noise form); :mod:`rmtscale.numeric.gd` compiles them."""
    noise = K1 / s**2
    return {
        "bias": K1 * K2 / (s * s2) * T12 / (1 - G12 / P),
        "noise": noise,
        "noise_at_infinity": sp.limit(s * noise.xreplace({K1: -s}), s, sp.oo),
        "train": -(TF1 + sigma2 / K1),
    }


def gd_static() -> dict[str, sp.Expr]:
    """The t → ∞ limits: ridgeless ``test`` E_g in κ_P (Df₁(κ_P) = P; 0 for P ≥ D),
    :data:`TF1P` and :data:`GAMMA_P`; ``train`` as a Piecewise in D, P."""
    return {
        "test": (kappa_P**2 * TF1P + GAMMA_P * sigma2) / (1 - GAMMA_P),
        "train": sp.Piecewise((0, D > P), (sigma2 * (1 - D / P), True)),
    }


def check_gd_unrolled(steps: int = 4) -> bool:
    """η Σ_{s<t} (1 − ηx)^s = (1 − (1 − ηx)^t)/x for t = 1..steps (scalar x)."""
    x = sp.Symbol("x", positive=True)
    for tt in range(1, steps + 1):
        geo = eta * sum((1 - eta * x) ** ss for ss in range(tt))
        if not _is_zero(geo - (1 - (1 - eta * x) ** tt) / x):
            return False
    return True


def check_gd_explicit(Pn: int = 3, Dn: int = 2, steps: int = 2) -> bool:
    """Run full-batch GD with symbolic X (Pn x Dn), ε, w̄, η for ``steps`` steps; compare the
    weights with the unrolled form and X h(Σ̂) Xᵀ/P = I − (I − ηK̂)^t; then, with X fixed to
    generic rationals, E_ε E_g with bias + noise trace and E_ε E_tr with the train formula."""
    X = sp.Matrix(Pn, Dn, lambda a, b: sp.Symbol(f"x_{a}{b}"))
    eps = sp.Matrix(sp.symbols(f"e0:{Pn}"))
    wb = sp.Matrix(sp.symbols(f"wb0:{Dn}"))
    ls = sp.symbols(f"l0:{Dn}", positive=True)
    Sg = sp.diag(*ls)
    y = X * wb + eps
    Sh = X.T * X / Pn
    Kh = X * X.T / Pn
    w = sp.zeros(Dn, 1)
    for _ in range(steps):
        w = w - eta / Pn * X.T * (X * w - y)
    v = w - wb
    Mt = (sp.eye(Dn) - eta * Sh) ** steps
    h = eta * sum(((sp.eye(Dn) - eta * Sh) ** ss for ss in range(steps)), sp.zeros(Dn, Dn))
    if not _is_zero(v - (Mt * (-wb) + h * X.T * eps / Pn)):
        return False
    if not _is_zero(X * h * X.T / Pn - (sp.eye(Pn) - (sp.eye(Pn) - eta * Kh) ** steps)):
        return False

    # expectations over eps: X fixed to generic rationals (the rest stays symbolic) for speed
    Xr = sp.Matrix(Pn, Dn, lambda a, b: sp.Rational((7 * a + 3 * b * b + 5) % 11 - 4, 3 + a + b))
    sub_x = {X[a, b]: Xr[a, b] for a in range(Pn) for b in range(Dn)}
    X, y, Sh, Kh = Xr, Xr * wb + eps, Xr.T * Xr / Pn, Xr * Xr.T / Pn
    w = sp.zeros(Dn, 1)
    for _ in range(steps):
        w = w - eta / Pn * X.T * (X * w - y)
    v = w - wb
    Mt, h = Mt.subs(sub_x), h.subs(sub_x)
    # v and the residual are affine in eps: E_eps[q^T A q] = q_0^T A q_0 + sigma^2 Tr(J^T A J)
    zero_eps = {e: 0 for e in eps}

    def noise_avg(vec: sp.Matrix, A: sp.Matrix) -> sp.Expr:
        J = vec.jacobian(eps)
        v0 = vec.subs(zero_eps)
        if not _is_zero(vec - v0 - J * eps):
            raise ArithmeticError("not affine in the noise")
        return (v0.T * A * v0)[0, 0] + sigma2 * (J.T * A * J).trace()

    Eg = noise_avg(v, Sg)
    Eg_formula = (wb.T * Mt * Sg * Mt * wb)[0, 0] + sigma2 / Pn * (Sh * h * Sg * h).trace()
    if not _is_zero(Eg - Eg_formula):
        return False
    r = X * w - y
    Etr = noise_avg(r, sp.eye(Pn) / Pn)
    Mt2 = (sp.eye(Pn) - eta * Kh) ** (2 * steps)
    Etr_formula = (wb.T * Sh * Mt * Mt * wb)[0, 0] + sigma2 / Pn * Mt2.trace()
    return _is_zero(Etr - Etr_formula)


def derive_gd_finite_data() -> Derivation:
    """Full-batch GD on P samples (infinite width): exact error decomposition, contour
    representation, one- and two-point deterministic equivalents, learning curves, limits."""
    d = Derivation(
        "gd.learning_curve",
        "Full-batch GD on P samples: test and train learning curves from deterministic equivalents",
        conventions=[
            *BASE_CONVENTIONS,
            r"full-batch GD on $P$ reused samples: $w_{t+1}=w_t-\frac{\eta}{P}X^\top(Xw_t-y)$, "
            r"$X\in\mathbb{R}^{P\times D}$; $\hat\Sigma=X^\top X/P$, $\hat K=XX^\top/P$",
            r"$E_g(t)$ averaged over the label noise; "
            r"$E_{tr}(t)=\frac1P\lVert Xw_t-y\rVert^2$ (includes the noise)",
            CONTOUR_CONVENTION,
            r"$N=\infty$: the model is linear in all $D$ data modes (no feature bottleneck)",
        ],
        assumptions=[
            r"proportional limit $D,P\to\infty$ (errors $O(1/D)$); Gaussian covariates, "
            r"$\bar w$ independent of $X$",
            r"one-point equivalent $zG(z)\simeq\kappa(\Sigma+\kappa)^{-1}$ from S-multiplicativity "
            r"(standard free probability)",
            r"two-point equivalent stated, not derived here: theory note §5.3 [D] "
            r"(leave-one-out/cavity, numerically verified there; Atanasov et al. 2502.05074)",
            r"$0<\eta<2/\lambda_{\max}(\hat\Sigma)$ for the $t\to\infty$ limits",
        ],
    )
    Dm = sp.Symbol("D", integer=True, positive=True)
    Pm = sp.Symbol("P", integer=True, positive=True)
    I = sp.Identity(Dm)
    Sh = sp.MatrixSymbol(r"\hat{\Sigma}", Dm, Dm)
    Sig = sp.MatrixSymbol(r"\Sigma", Dm, Dm)
    Kh = sp.MatrixSymbol(r"\hat{K}", Pm, Pm)
    X = sp.MatrixSymbol("X", Pm, Dm)
    ep = sp.MatrixSymbol(r"\epsilon", Pm, 1)
    wb = sp.MatrixSymbol(r"\bar{w}", Dm, 1)
    vt = sp.MatrixSymbol("v_t", Dm, 1)
    vt1 = sp.MatrixSymbol("v_{t+1}", Dm, 1)
    v0 = sp.MatrixSymbol("v_0", Dm, 1)
    x = sp.Symbol("x", positive=True)
    hfun = sp.Function("h_t")
    hSh = sp.MatrixSymbol(r"h_t(\hat{\Sigma})", Dm, Dm)

    d.step(
        sp.Eq(vt1, (I - eta * Sh) * vt + eta * X.T * ep / P),
        "error v = w - wbar of one full-batch step, with y = X wbar + eps",
    )
    _check(check_gd_unrolled(4), "geometric sum of the unrolled recursion (t <= 4)")
    _check(check_gd_explicit(3, 2, 2), "explicit GD with symbolic X (P=3, D=2, t=2)")
    d.step(
        sp.Eq(vt, sp.MatPow(I - eta * Sh, t) * v0 + hSh * X.T * ep / P, evaluate=False),
        "unrolled: signal propagator plus the fitted noise (checked: symbolic X, P=3, D=2, t=2)",
    )
    d.step(
        sp.Eq(hfun(x), sp.Eq(eta * sp.Sum((1 - eta * x) ** j, (j, 0, t - 1)),
                             (1 - (1 - eta * x) ** t) / x, evaluate=False), evaluate=False),
        "the noise filter: a geometric sum (checked for t <= 4)",
    )  # fmt: skip
    bias_q = quad(sp.MatMul(wb.T, sp.MatPow(I - eta * Sh, t), Sig, sp.MatPow(I - eta * Sh, t), wb))
    noise_tr = sigma2 / P * sp.Trace(Sh * hSh * Sig * hSh)
    d.step(
        sp.Eq(E_g(t), bias_q + noise_tr, evaluate=False),
        "average over eps (E eps eps^T = sigma^2 I), v_0 = -wbar: bias quadratic form plus a "
        "noise trace",
    )
    train = quad(sp.MatMul(wb.T, Sh, sp.MatPow(I - eta * Sh, 2 * t), wb)) + sigma2 / P * sp.Trace(
        sp.MatPow(sp.Identity(Pm) - eta * Kh, 2 * t)
    )
    d.step(
        sp.Eq(E_tr(t), train, evaluate=False),
        "train residual X v_t - eps = X (1 - eta Sigma-hat)^t v_0 - (1 - eta K-hat)^t eps, "
        "K-hat = X X^T / P",
    )
    fsym = sp.Function("f")
    d.step(
        sp.Eq(
            sp.MatrixSymbol(r"f(\hat{\Sigma})", Dm, Dm),
            Oint(fsym(s) * (s * I - Sh) ** -1, s),
            evaluate=False,
        ),
        "Cauchy/Riesz: a polynomial in Sigma-hat as a contour integral of the resolvent",
    )
    # --- one-point equivalent, from the Wishart S-transform
    dfs = _ridge.df
    d.step(
        sp.Eq(Sh, sp.MatMul(sp.MatPow(Sig, sp.Rational(1, 2)), sp.MatrixSymbol("W", Dm, Dm),
                            sp.MatPow(Sig, sp.Rational(1, 2)))),
        "empirical covariance = Sigma^(1/2) W Sigma^(1/2), W white Wishart with q = D/P",
    )  # fmt: skip
    S_W = marchenko_pastur(D / P).s_transform_df(dfs)
    kexpr = kappa_from_s_transform(d, S_W, "q = D/P", dfs, "W (white Wishart, q = D/P)")
    one_pt = sp.Eq(kappa, z + kappa * Df1f(kappa) / P)
    _check(
        _is_zero(sp.solve(sp.Eq(kappa, kexpr), z)[0] - sp.solve(one_pt, z)[0]),
        "kappa = z + kappa Df1/P from the S-transform",
    )
    _check(_check_isotropic_mp(D / P, sp.Symbol("zt", positive=True)), "isotropic MP check")
    d.step(one_pt, "the self-consistent equation (checked against the MP law at Sigma = I)")
    Gz = sp.MatrixSymbol("G(z)", Dm, Dm)
    d.step(
        sp.Eq(z * Gz, kappa * (Sig + kappa * I) ** -1),
        "one-point deterministic equivalent of G(z) = (Sigma-hat + z)^(-1)",
    )
    ks, ks2 = kappa_fn(s), kappa_fn(s2)
    d.step(
        sp.Eq(ks, -s + ks * Df1f(ks) / P),
        "kappa_s := kappa(z = -s): the same equation continued to the contour",
    )
    d.step(
        sp.Eq((s * I - Sh) ** -1, ks / s * (Sig + ks * I) ** -1, evaluate=False),
        "resolvent on the contour: (s - Sigma-hat)^(-1) = -G(-s)",
    )
    # --- two-point equivalent (stated)
    Bm = sp.MatrixSymbol("M", Dm, Dm)
    z2 = sp.Symbol("z'", positive=True)
    k1, k2 = kappa, sp.Symbol(r"\kappa'", positive=True)
    R1, R2 = (Sig + k1 * I) ** -1, (Sig + k2 * I) ** -1
    num = sp.Trace(Bm * R2 * Sig * R1) / P
    den = 1 - sp.Trace(Sig**2 * R1 * R2) / P
    d.step(
        sp.Eq(
            z * z2 * sp.MatrixSymbol("G(z)", Dm, Dm) * Bm * sp.MatrixSymbol("G(z')", Dm, Dm),
            k1 * k2 * R1 * Bm * R2 + k1 * k2 * num / den * R1 * Sig * R2,
            evaluate=False,
        ),
        "two-point equivalent (theory note 5.3, Wishart case; stated), kappa' = kappa(z')",
    )
    # scalar forms: T, gamma, A on the contour
    Tq = msum(lam[k] * wbar[k] ** 2 / ((lam[k] + ks) * (lam[k] + ks2)))
    Gq = msum(lam[k] ** 2 / ((lam[k] + ks) * (lam[k] + ks2))) / P
    Aq = msum(lam[k] / ((lam[k] + ks) * (lam[k] + ks2)))
    Ts, gs, As = sp.symbols("T gamma_2pt A")
    _check(_is_zero(Ts + Ts * gs / (1 - gs) - Ts / (1 - gs)), "two-point sandwich sums")
    gam_ss = sp.Function(r"\gamma")(ks, ks2)
    d.step(sp.Eq(gam_ss, Gq), "the two-point variance inflation on the contour")
    kern = gd_kernels()
    at_nodes = {K1: ks, K2: ks2}
    bias_int = kern["bias"].xreplace({**at_nodes, T12: Tq, G12: P * gam_ss})
    _check(_is_zero(bias_int - ks * ks2 / (s * s2) * Tq / (1 - gam_ss)), "bias kernel")
    noise_int = ks * ks2 / (s * s2) * Aq / (P * (1 - gam_ss))
    d.step(
        sp.Eq(
            sp.Symbol(r"\bar{w}^{\top}(s-\hat\Sigma)^{-1}\Sigma(s'-\hat\Sigma)^{-1}\bar{w}"),
            bias_int,
        ),
        "M = Sigma sandwiched by wbar: T + T gamma/(1 - gamma) = T/(1 - gamma)",
    )
    d.step(
        sp.Eq(sp.Symbol(r"\frac{1}{P}\mathrm{Tr}\,(s-\hat\Sigma)^{-1}\Sigma(s'-\hat\Sigma)^{-1}"),
              noise_int),
        "M = Sigma traced: the noise kernel",
    )  # fmt: skip
    phi = (1 - eta * s) ** t
    phi2 = (1 - eta * s2) ** t
    h1 = (1 - phi) / s  # h_t(s) and s h_t(s) = 1 - phi
    h2 = (1 - phi2) / s2
    Eg_formula = Oint(Oint(phi * phi2 * bias_int + sigma2 * (s * h1) * h2 * noise_int, s2), s)
    Eg_eq = sp.Eq(E_g(t), Eg_formula)
    d.step(
        Eg_eq,
        "test learning curve: double contour integral of the two-point equivalent "
        "(signal and noise)",
    )
    # --- train loss: one point
    d.step(
        sp.Eq(Sh * (s * I - Sh) ** -1, -Sig * (Sig + ks * I) ** -1, evaluate=False),
        "Sigma-hat (s - Sigma-hat)^(-1) = s (s - Sigma-hat)^(-1) - 1: one-point",
    )
    oneP = sp.Symbol(r"\frac{1}{P}\mathrm{Tr}\,(s-\hat K)^{-1}")
    d.step(
        sp.Eq(oneP, -1 / ks),
        "Gram resolvent: (1/P) Tr s (s - K-hat)^(-1) = 1 - Df1(kappa_s)/P = -s/kappa_s",
    )
    tr_int = (1 - eta * s) ** (2 * t) * kern["train"].xreplace({**at_nodes, TF1: tf1_sum(ks)})
    Etr_eq = sp.Eq(E_tr(t), Oint(tr_int, s))
    d.step(Etr_eq, "train learning curve: a single contour integral (one-point suffices)")
    # --- the noise term in one contour: h and Sigma-hat commute
    Dsym = sp.Symbol("Df")
    Df_sol = sp.solve(sp.Eq(kappa, -s + kappa * Dsym / P), Dsym)
    _check(
        len(Df_sol) == 1 and _is_zero(kappa / s * Df_sol[0] / P - 1 - kappa / s),
        "(1/P) Tr Sigma (s - Sigma-hat)^(-1) = 1 + kappa_s/s",
    )
    d.step(
        sp.Eq(sp.Symbol(r"\frac{1}{P}\mathrm{Tr}\,\Sigma(s-\hat\Sigma)^{-1}"), 1 + ks / s),
        "one point: (kappa_s/s) Df1(kappa_s)/P = 1 + kappa_s/s by the kappa equation",
    )
    for tt in range(1, 4):
        _check(
            sp.residue((1 - (1 - eta * s) ** tt) ** 2 / s, s, 0) == 0,
            "(1 - f)^2/s is entire",
        )
    noise_one = sigma2 * (1 - phi) ** 2 * kern["noise"].xreplace(at_nodes)
    _check(_is_zero(noise_one - sigma2 * (1 - phi) ** 2 * ks / s**2), "noise kernel")
    d.step(
        sp.Eq(
            sp.Symbol(r"\frac{\sigma^2}{P}\mathrm{Tr}[\Sigma h_t\hat\Sigma h_t]"),
            Oint(noise_one, s),
        ),
        "noise term with one contour: Tr[Sigma h Sigma-hat h] = Tr[Sigma g(Sigma-hat)], "
        "g = (1-f)^2/x; the 1/s part of (1 + kappa_s/s) g integrates to 0 (entire; checked t<=3)",
    )
    _check(kern["noise_at_infinity"] == -1, "residue at infinity")
    d.step(
        sp.Eq(Oint(ks / s**2, s), kern["noise_at_infinity"]),
        "kappa_s ~ -s as |s| -> inf: the residue at infinity (the constant term of (1 - f)^2)",
    )
    # --- P -> infinity: kappa_s -> -s, residues at the eigenvalues
    _check(sp.limit(sp.solve(sp.Eq(kappa, -s + kappa * Df1f(kappa) / P), s)[0] + kappa, P,
                    sp.oo) == 0, "P -> inf: kappa_s = -s")  # fmt: skip
    l0, w0 = sp.Symbol("lambda_1", positive=True), sp.Symbol("wbar_1", real=True)
    one_mode = phi * phi2 * (-s) * (-s2) / (s * s2) * l0 * w0**2 / ((l0 - s) * (l0 - s2))
    res = sp.residue(sp.residue(one_mode, s2, l0), s, l0)
    _check(_is_zero(res - l0 * w0**2 * (1 - eta * l0) ** (2 * t)), "P -> inf residues (test)")
    tr_one = -((1 - eta * s) ** (2 * t)) * (l0 * w0**2 / (l0 - s) + sigma2 / (-s))
    res_tr = sp.residue(tr_one, s, l0) + sp.residue(tr_one, s, 0)
    _check(
        _is_zero(res_tr - l0 * w0**2 * (1 - eta * l0) ** (2 * t) - sigma2),
        "P -> inf residues (train)",
    )
    pinf = msum(lam[k] * wbar[k] ** 2 * (1 - eta * lam[k]) ** (2 * t))
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{P\to\infty}(t)"), pinf),
        "P -> inf: kappa_s -> -s, gamma -> 0; residues at s = lambda_k give population GD "
        "(and E_tr -> E_g + sigma^2)",
    )
    # --- t -> infinity: the ridgeless (min-norm) limit
    d.step(
        sp.Eq(sp.Symbol("v_{\\infty}"),
              sp.Symbol(r"-(1-\hat\Sigma^{+}\hat\Sigma)\bar{w}+\hat\Sigma^{+}X^{\top}\epsilon/P")),
        "t -> inf: (1 - eta s)^t -> 1 at s = 0 and 0 on the rest of the spectrum: the min-norm "
        "(ridgeless) interpolator",
    )  # fmt: skip
    kP_eq = sp.Eq(Df1f(kappa_P), P)
    lam0 = sp.solve(sp.Eq(kappa, _ridge.lam + kappa * _ridge.Df1 / P), _ridge.lam)[0]
    _check(
        _is_zero(lam0.subs(_ridge.Df1, P)),
        "ridge kappa equation at lambda = 0 is Df1(kappa_P) = P",
    )
    d.step(kP_eq, "kappa_0 = kappa_P > 0 (P < D): Df1(kappa_P) = P, the ridgeless kappa")
    bias_inf = kappa_P**2 * tf1p_sum(kappa_P) / (1 - df2_sum(kappa_P) / P)
    res_bias = (ks * ks2 * Tq / (1 - Gq)).subs({ks: kappa_P, ks2: kappa_P})
    _check(_is_zero(sp.simplify(res_bias - bias_inf)), "bias residue at s = s' = 0")
    # noise: (1/P) Tr Sigma-hat^+ Sigma = kappa'(0) Df2/P, kappa'(z) = 1/(1 - Df2/P) (3 modes)
    l3 = sp.symbols("m1:4", positive=True)
    kz = sp.Symbol("kz", positive=True)
    Fimp = kz - z - kz * sum(li / (li + kz) for li in l3) / P
    dk = -sp.diff(Fimp, z) / sp.diff(Fimp, kz)
    g3 = sum(li**2 / (li + kz) ** 2 for li in l3) / P
    _check(_is_zero(dk - 1 / (1 - g3)), "kappa'(z) = 1/(1 - Df2/P) (3 modes)")
    gP = sp.Symbol("gamma_P", positive=True)
    d.step(
        sp.Eq(sp.Symbol(r"\frac{\sigma^2}{P}\mathrm{Tr}\,\hat\Sigma^{+}\Sigma"),
              sigma2 * gP / (1 - gP)),
        "noise: Sigma-hat^+ = lim d(zG)/dz and kappa'(z) = 1/(1 - Df2/P) (checked on 3 modes)",
    )  # fmt: skip
    Eg_inf = gd_static()["test"].xreplace({TF1P: tf1pf(kappa_P), GAMMA_P: gP})
    ridge0 = (
        _ridge.test_error_expr()
        .xreplace({_ridge.tf1p: tf1p_sum(kappa), _ridge.Df2: df2_sum(kappa)})
        .subs(kappa, kappa_P)
    )
    ours = bias_inf + sigma2 * (df2_sum(kappa_P) / P) / (1 - df2_sum(kappa_P) / P)
    _check(_is_zero(sp.simplify(ridge0 - ours)), "t -> inf equals ridge E_g at lambda -> 0")
    d.step(
        sp.Eq(E_g(sp.oo), Eg_inf),
        "ridgeless E_g with gamma_P = Df2(kappa_P)/P: residue at s = s' = 0; equals "
        "rmtscale.symbolic.ridge's test error at lambda -> 0 (checked)",
    )
    # train at t -> inf: no pole at 0 if kappa_0 > 0; P > D: kappa_s ~ -s P/(P - D)
    q0 = sp.Symbol("q", positive=True)
    res_tr0 = sp.residue(-sigma2 / (-s / (1 - q0)), s, 0)
    _check(_is_zero(res_tr0 - sigma2 * (1 - q0)), "train residual noise at P > D")
    d.step(
        sp.Eq(E_tr(sp.oo), gd_static()["train"]),
        "train at t -> inf: interpolation (P < D, kappa_0 > 0: no pole at 0); for P > D, "
        "kappa_s ~ -s P/(P - D) leaves sigma^2 (1 - D/P)",
    )
    # gradient flow
    gf = sp.limit((1 - eta * s) ** (tau / eta), eta, 0)
    _check(_is_zero(gf - sp.exp(-s * tau)), "gradient-flow limit of the propagator")
    d.step(
        sp.Eq(sp.Symbol(r"\lim_{\eta\to0}(1-\eta s)^{\tau/\eta}"), gf),
        "gradient flow: eta -> 0 at tau = eta t; h_t(s) -> (1 - exp(-tau s))/s",
    )
    d.result = Eg_eq
    d.extras.update(
        train=Etr_eq,
        kappa_equation=sp.Eq(ks, -s + ks * df1_sum(ks) / P),
        test_bias_integrand=phi * phi2 * bias_int.xreplace({gam_ss: Gq}),
        test_noise_integrand=sigma2 * (1 - phi) * h2 * noise_int.xreplace({gam_ss: Gq}),
        test_noise_one_point=noise_one,
        train_integrand=tr_int,
        ridgeless=Eg_inf,
        train_ridgeless=gd_static()["train"],
        population_gd=pinf,
    )
    return d
