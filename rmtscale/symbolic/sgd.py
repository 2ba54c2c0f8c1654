r"""Online SGD on Gaussian linear regression as a sympy derivation: the exact mode-wise
second-moment recursion, its Volterra form, stability, the noise floor and the limits.

.. math:: c_k(t+1)=\rho_kc_k(t)+\frac{\eta^2}{B}\lambda_k\big(E_g(t)+\sigma^2\big),\quad
          \rho_k=(1-\eta\lambda_k)^2+\frac{\eta^2}{B}\lambda_k^2,\quad
          E_g(\infty)=\sigma^2\frac{\bar{\mathcal K}}{1-\bar{\mathcal K}},\quad
          \bar{\mathcal K}=\sum_k\frac{\eta\lambda_k}{2B-\eta(B+1)\lambda_k}.

:func:`sgd_coefficients` exports the per-mode coefficients (ρ_k, the kernel mass per mode) and
the fixed point as expressions of a scalar eigenvalue; the numeric solver
(:mod:`rmtscale.numeric.sgd`) is tested against them. Conventions: :mod:`.learning`.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .learning import (
    BASE_CONVENTIONS,
    B,
    E_g,
    F_forcing,
    K_kernel,
    _check,
    _is_zero,
    c_mode,
    ell,
    eta,
    j,
    k,
    lam,
    msum,
    rho,
    sigma2,
    t,
    tau,
    wbar,
)
from .moments import (
    _sym_matrix,
    check_fourth_moment,
    check_isserlis_mgf,
    check_minibatch_moment,
)

lam_mode = sp.Symbol("lambda_k", positive=True)
"""One eigenvalue λ_k (the per-mode coefficients are functions of it)."""
KBAR = sp.Symbol(r"\bar{\mathcal{K}}", positive=True)
"""The kernel mass Σ_τ K(τ) = Σ_k kernel_mass(λ_k)."""


def sgd_coefficients() -> dict[str, sp.Expr]:
    r"""The recursion's coefficients, as used by :func:`derive_sgd_recursion` (which checks them)
    and compiled by :mod:`rmtscale.numeric.sgd`:
    :math:`c_k(t+1)=\rho_kc_k(t)+\mathrm{drive}\,\lambda_k(E_g(t)+\sigma^2)`.

    ``rho`` and ``kernel_mass`` (η²λ²/(B(1−ρ)), written without cancellation) are functions of
    :data:`lam_mode`; ``fixed_point`` E_g(∞) is a function of :data:`KBAR` (stable iff every
    ρ_k < 1, i.e. 2B − η(B+1)λ_k > 0, and KBAR < 1)."""
    return {
        "rho": (1 - eta * lam_mode) ** 2 + eta**2 / B * lam_mode**2,
        "drive": eta**2 / B,
        "kernel_mass": eta * lam_mode / (2 * B - eta * (B + 1) * lam_mode),
        "fixed_point": sigma2 * KBAR / (1 - KBAR),
    }


def _sgd_mode_rhs(lams: list, cs: list, kk: int) -> sp.Expr:
    """Right side of the mode recursion for mode kk (explicit finite spectrum)."""
    L = sum(lj * cj for lj, cj in zip(lams, cs)) + sigma2
    r = (1 - eta * lams[kk]) ** 2 + eta**2 * lams[kk] ** 2 / B
    return r * cs[kk] + eta**2 / B * lams[kk] * L


def check_volterra(modes: int = 2, steps: int = 3) -> bool:
    """Unroll the mode recursion ``steps`` times for a symbolic ``modes``-mode spectrum and
    compare E_g + σ² with the Volterra equation solved step by step."""
    lams = list(sp.symbols(f"l1:{modes + 1}", positive=True))
    ws = list(sp.symbols(f"w1:{modes + 1}", real=True))
    rhos = [(1 - eta * lk) ** 2 + eta**2 * lk**2 / B for lk in lams]
    cs = [wk**2 for wk in ws]
    L_rec = [sum(lk * ck for lk, ck in zip(lams, cs)) + sigma2]
    for _ in range(steps):
        cs = [_sgd_mode_rhs(lams, cs, i) for i in range(modes)]
        L_rec.append(sum(lk * ck for lk, ck in zip(lams, cs)) + sigma2)

    def F(tt: int) -> sp.Expr:
        return sigma2 + sum(lk * wk**2 * rk**tt for lk, wk, rk in zip(lams, ws, rhos))

    def K(r: int) -> sp.Expr:
        return eta**2 / B * sum(lk**2 * rk**r for lk, rk in zip(lams, rhos))

    L_vol: list[sp.Expr] = []
    for tt in range(steps + 1):
        L_vol.append(F(tt) + sum(K(tt - 1 - ss) * L_vol[ss] for ss in range(tt)))
    return all(sp.expand(a - b) == 0 for a, b in zip(L_rec, L_vol))


def derive_sgd_recursion() -> Derivation:
    """Online SGD on Gaussian linear regression: the exact mode-wise second-moment recursion,
    its Volterra form, stability, fixed point, and the gradient-flow limit."""
    d = Derivation(
        "sgd.learning_curve",
        "Online SGD learning curve: exact second-moment recursion and Volterra equation",
        conventions=[
            *BASE_CONVENTIONS,
            r"online SGD: a fresh batch of $B$ samples per step; the gradient is *averaged* "
            r"over the batch: $w\leftarrow w-\frac{\eta}{B}\sum_{i=1}^{B}x_i(x_i\cdot w-y_i)$",
            r"$c_k(t)=\mathbb{E}[(w_t-\bar w)_k^2]$ in the eigenbasis of $\Sigma$; "
            r"$E_g(t)=\sum_k\lambda_kc_k(t)$",
        ],
        assumptions=[
            r"Gaussian covariates (the fourth moment is Isserlis'); exact for every finite $D$",
            r"batches independent across steps and of the current weights (one pass)",
            r"label noise $\epsilon$ independent of $x$ with mean zero",
            r"stability: $\rho_k<1$ for every $k$ and $\sum_{\ell\ge0}\mathcal{K}(\ell)<1$",
        ],
    )
    Dm = sp.Symbol("D", integer=True, positive=True)  # matrix dimension for display
    I = sp.Identity(Dm)
    Sig = sp.MatrixSymbol(r"\Sigma", Dm, Dm)
    SigB = sp.MatrixSymbol(r"\hat{\Sigma}_B", Dm, Dm)
    Cm = sp.MatrixSymbol("C_t", Dm, Dm)
    Cm1 = sp.MatrixSymbol("C_{t+1}", Dm, Dm)
    vt = sp.MatrixSymbol("v_t", Dm, 1)
    vt1 = sp.MatrixSymbol("v_{t+1}", Dm, 1)
    xi = sp.MatrixSymbol(r"\xi_t", Dm, 1)

    d.step(
        sp.Eq(
            sp.MatrixSymbol("w_{t+1}", Dm, 1),
            sp.MatrixSymbol("w_t", Dm, 1)
            - eta / B * sp.MatrixSymbol(r"\sum_{i=1}^{B} x_i (x_i^{\top} w_t - y_i)", Dm, 1),
        ),
        "one SGD step: gradient of the loss (f-y)^2/2 averaged over a fresh batch of B samples",
    )
    d.step(
        sp.Eq(vt1, (I - eta * SigB) * vt + eta * xi),
        "error v = w - wbar: batch covariance Sigma_B = sum x x^T / B, noise xi = sum x eps / B",
    )
    d.step(
        sp.Eq(E_g(t), sp.Trace(Sig * Cm)),
        "C_t = E[v_t v_t^T]: the excess loss is linear in the second moment",
    )
    # --- Gaussian fourth moment, checked by Isserlis / Wick expansion
    _check(check_isserlis_mgf(2), "Isserlis fourth moments vs the Gaussian MGF (2x2)")
    _check(check_fourth_moment(3), "E[x x^T C x x^T] = 2 S C S + Tr(S C) S (3x3, Wick)")
    Cs = sp.MatrixSymbol("C", Dm, Dm)
    d.step(
        sp.Eq(
            sp.MatrixSymbol(r"\mathbb{E}[x x^{\top} C x x^{\top}]", Dm, Dm),
            2 * Sig * Cs * Sig + sp.Trace(Sig * Cs) * Sig,
        ),
        "Gaussian fourth moment (Isserlis; checked entry by entry for symbolic 3x3 Sigma and C)",
    )
    # --- minibatch: B(B-1) pairs i != j give Sigma C Sigma, B diagonal terms the fourth moment
    M1, M2, Bn = sp.symbols("M_1 M_2 B_n", positive=True)  # Sigma C Sigma, Tr(Sigma C) Sigma
    batch = (Bn * (Bn - 1) * M1 + Bn * (2 * M1 + M2)) / Bn**2
    _check(_is_zero(batch - (M1 + (M1 + M2) / Bn)), "minibatch fourth moment")
    _check(check_minibatch_moment(2, 2) and check_minibatch_moment(2, 3), "minibatch, Wick")
    d.step(
        sp.Eq(
            sp.MatrixSymbol(r"\mathbb{E}[\hat{\Sigma}_B C \hat{\Sigma}_B]", Dm, Dm),
            Sig * Cs * Sig + (Sig * Cs * Sig + sp.Trace(Sig * Cs) * Sig) / B,
        ),
        "minibatch: B(B-1) independent pairs give Sigma C Sigma, the B diagonal terms the "
        "fourth moment, all over B^2 (checked by Wick for B = 2, 3)",
    )
    d.step(
        sp.Eq(sp.MatrixSymbol(r"\mathbb{E}[\xi_t \xi_t^{\top}]", Dm, Dm), sigma2 * Sig / B),
        "label-noise term; the cross terms vanish since E[eps] = 0 and eps is independent of x",
    )
    Cupd = (I - eta * Sig) * Cm * (I - eta * Sig) + eta**2 / B * (
        Sig * Cm * Sig + sp.Trace(Sig * Cm) * Sig + sigma2 * Sig
    )
    d.step(sp.Eq(Cm1, Cupd), "second-moment update: expand E[v_{t+1} v_{t+1}^T]")
    # --- explicit 3x3 check: the matrix update, diagonal entries -> mode recursion
    n = 3
    ls = sp.symbols("l1:4", positive=True)
    Sg = sp.diag(*ls)
    Cg = _sym_matrix("c", n)
    In = sp.eye(n)
    full = (
        Cg
        - eta * (Sg * Cg + Cg * Sg)
        + eta**2 * (Sg * Cg * Sg + (Sg * Cg * Sg + (Sg * Cg).trace() * Sg) / B)
        + eta**2 * sigma2 * Sg / B
    )
    factored = (In - eta * Sg) * Cg * (In - eta * Sg) + eta**2 / B * (
        Sg * Cg * Sg + (Sg * Cg).trace() * Sg + sigma2 * Sg
    )
    _check(_is_zero(full - factored), "second-moment update (3x3)")
    cdiag = [Cg[i, i] for i in range(n)]
    for i in range(n):
        _check(
            _is_zero(factored[i, i] - _sgd_mode_rhs(list(ls), cdiag, i)),
            "diagonal of the update = mode recursion (3x3)",
        )
    coef = sgd_coefficients()
    at_k = {lam_mode: lam[k]}
    rho_k = coef["rho"].xreplace(at_k)
    _check(_is_zero(sp.expand(_sgd_mode_rhs(list(ls), cdiag, 0)).coeff(cdiag[0]) - rho_k.xreplace(
        {lam[k]: ls[0]}) - coef["drive"] * ls[0] ** 2), "rho_k and the drive")  # fmt: skip
    Lsum = msum(lam[j] * c_mode(j, t), j) + sigma2
    recursion = sp.Eq(c_mode(k, t + 1), rho[k] * c_mode(k, t) + coef["drive"] * lam[k] * Lsum)
    d.step(
        recursion,
        "diagonal entries in the eigenbasis of Sigma: they close on themselves (checked on an "
        "explicit 3x3 update)",
    )
    d.step(sp.Eq(rho[k], rho_k), "per-mode contraction: GD part plus the SGD-noise part")
    d.step(sp.Eq(c_mode(k, 0), wbar[k] ** 2), "w_0 = 0, so v_0 = -wbar")
    d.step(
        sp.Eq(E_g(t) + sigma2, sp.Symbol(r"\mathbb{E}[(x^{\top} w_t - y)^2]")),
        "E_g + sigma^2 is the noisy population MSE = the expected batch loss (twice the 1/2 loss)",
    )
    unrolled = wbar[k] ** 2 * rho[k] ** t + eta**2 / B * lam[k] * sp.Sum(
        rho[k] ** (t - 1 - j) * (E_g(j) + sigma2), (j, 0, t - 1)
    )
    d.step(sp.Eq(c_mode(k, t), unrolled), "unroll the linear recursion (discrete Duhamel)")
    forcing = sigma2 + msum(lam[k] * wbar[k] ** 2 * rho[k] ** t)
    kernel = eta**2 / B * msum(lam[k] ** 2 * rho[k] ** ell)
    volterra = sp.Eq(
        E_g(t) + sigma2,
        F_forcing(t) + sp.Sum(K_kernel(t - 1 - j) * (E_g(j) + sigma2), (j, 0, t - 1)),
    )
    _check(check_volterra(2, 3), "recursion unrolled 3 steps = Volterra (2 modes)")
    d.step(volterra, "multiply by lambda_k and sum over k: a discrete Volterra equation")
    d.step(
        sp.Eq(F_forcing(t), forcing), "forcing: noise floor plus the GD-like decay of the target"
    )
    d.step(
        sp.Eq(K_kernel(ell), kernel),
        "kernel: SGD noise re-injected into every mode (checked against 3 unrolled steps, "
        "2 symbolic modes)",
    )
    # --- stability and fixed point
    Kbar_term = sp.factor(sp.simplify(coef["drive"] * lam[k] ** 2 / (1 - rho_k)))
    _check(_is_zero(Kbar_term - coef["kernel_mass"].xreplace(at_k)), "kernel mass per mode")
    Kbar_term = coef["kernel_mass"].xreplace(at_k)
    Kbar = msum(Kbar_term)
    Kbar_sym = KBAR
    d.step(
        sp.Eq(
            Kbar_sym,
            sp.Eq(msum(eta**2 / B * lam[k] ** 2 / (1 - rho[k])), Kbar, evaluate=False),
            evaluate=False,
        ),
        "kernel mass: geometric sums over the lag (each rho_k < 1)",
    )
    d.step(
        sp.And(Kbar < 1, sp.Lt(eta * lam[k], 2 * B / (B + 1))),
        "stability: total kernel mass below 1 and every mode contracting",
    )
    small = sp.limit(Kbar_term / eta, eta, 0)
    d.step(
        sp.Lt(eta * msum(small), 1),
        "small eta: the classic condition eta < 2B / Tr Sigma",
    )
    Linf = sp.Symbol(r"L_{\infty}", positive=True)
    cinf = eta**2 / B * lam[k] * Linf / (1 - rho[k])
    d.step(
        sp.Eq(c_mode(k, sp.oo), cinf),
        "fixed point: c_k(t+1) = c_k(t), with L_inf = E_g(inf) + sigma^2",
    )
    Lsol = sp.solve(sp.Eq(Linf, sigma2 + Linf * Kbar_sym), Linf)
    _check(len(Lsol) == 1, "unique fixed point")
    _check(_is_zero(Lsol[0] - sigma2 / (1 - Kbar_sym)), "L_inf")
    Linf_expr = sigma2 / (1 - Kbar_sym)
    d.step(sp.Eq(Linf, Linf_expr), "sum lambda_k c_k(inf): L_inf = sigma^2 + L_inf Kbar")
    _check(_is_zero(Linf_expr - sigma2 - sigma2 * Kbar_sym / (1 - Kbar_sym)), "E_g(inf)")
    Eg_inf = coef["fixed_point"]
    _check(_is_zero(Linf_expr - sigma2 - Eg_inf), "E_g(inf) = L_inf - sigma^2")
    # check on 2 modes by solving the linear fixed-point system directly
    l1, l2 = sp.symbols("l1 l2", positive=True)
    c1, c2 = sp.symbols("c1 c2")
    sol = sp.solve(
        [
            sp.Eq(c1, _sgd_mode_rhs([l1, l2], [c1, c2], 0)),
            sp.Eq(c2, _sgd_mode_rhs([l1, l2], [c1, c2], 1)),
        ],
        [c1, c2],
        dict=True,
    )
    Kb2 = sum(coef["kernel_mass"].subs(lam_mode, li) for li in (l1, l2))
    _check(
        len(sol) == 1 and _is_zero(l1 * sol[0][c1] + l2 * sol[0][c2] - Eg_inf.subs(Kbar_sym, Kb2)),
        "fixed point (2 modes, solved directly)",
    )
    d.step(
        sp.Eq(E_g(sp.oo), Eg_inf),
        "the SGD noise floor: E_g(inf) = sigma^2 Kbar/(1 - Kbar) (checked by solving 2 modes)",
    )
    lead = sp.series(Eg_inf.subs(Kbar_sym, Kb2), eta, 0, 2).removeO()
    _check(_is_zero(lead - sigma2 * eta * (l1 + l2) / (2 * B)), "noise floor to first order in eta")
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{\eta\to0}(\infty)"), sigma2 * eta * sp.Symbol(r"\mathrm{Tr}\,\Sigma")
              / (2 * B)),
        "leading order in eta: sigma^2 eta Tr Sigma / (2B)",
    )  # fmt: skip
    # --- limits
    rho_Binf = sp.limit(rho_k, B, sp.oo)
    _check(_is_zero(rho_Binf - (1 - eta * lam[k]) ** 2), "B -> inf limit of rho")
    _check(sp.limit(eta**2 / B, B, sp.oo) == 0, "kernel vanishes at B -> inf")
    gd = msum(lam[k] * wbar[k] ** 2 * (1 - eta * lam[k]) ** (2 * t))
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{B\to\infty}(t)"), gd),
        "B -> inf: rho_k -> (1 - eta lambda_k)^2, the kernel vanishes: full-population GD",
    )
    lk = sp.Symbol("lambda_k", positive=True)
    rho_scalar = rho_k.subs(lam[k], lk)
    lim_rho = sp.limit(rho_scalar ** (tau / eta), eta, 0)
    lim_gd = sp.limit(((1 - eta * lk) ** 2) ** (tau / eta), eta, 0)
    lim_K = sp.limit(Kbar_term.subs(lam[k], lk), eta, 0)
    _check(
        _is_zero(lim_rho - sp.exp(-2 * lk * tau)) and _is_zero(lim_gd - sp.exp(-2 * lk * tau)),
        "gradient-flow limit of rho^t",
    )
    _check(lim_K == 0, "kernel mass vanishes as eta -> 0")
    gf = msum(lam[k] * wbar[k] ** 2 * sp.exp(-2 * lam[k] * tau))
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{\eta\to0}(\tau)"), gf),
        "eta -> 0 at tau = eta t (any B): rho_k^t -> exp(-2 lambda_k tau), kernel mass -> 0: "
        "gradient flow",
    )
    d.result = recursion
    d.extras.update(
        rho=rho_k,
        forcing=forcing.xreplace({rho[k]: rho_k}),
        kernel=kernel.xreplace({rho[k]: rho_k}),
        kernel_mass=Kbar,
        kernel_mass_symbol=Kbar_sym,
        fixed_point=Eg_inf.subs(Kbar_sym, Kbar),
        volterra=volterra,
        stability=sp.And(Kbar < 1, sp.Lt(eta * lam[k], 2 * B / (B + 1))),
        population_gd=gd,
        gradient_flow=gf,
    )
    return d
