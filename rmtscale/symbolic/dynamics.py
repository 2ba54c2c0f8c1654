r"""Learning-curve theory as sympy derivations: online SGD, full-batch GD on finite data, GD of
linear random features on the population loss, and the bottleneck / compute-optimal exponents.

Source: ``shared/theory/dynamics_and_exponents.md`` §3 (the dynamical model of scaling laws),
§5 (one- and two-point deterministic equivalents, the SGD Volterra equation) and §9 (pitfalls).

Every function returns a :class:`~rmtscale.symbolic.derivation.Derivation`; no arrays. Where a
step is an identity that can be checked by algebra (Isserlis' theorem, the minibatch fourth
moment, the unrolled recursion, the Volterra form, fixed points, limits, integrals) the check
runs inside the function on a small explicit case and raises :class:`ArithmeticError` when it
fails. Deterministic equivalents that are *stated* (the two-point equivalent) say so.

Canonical conventions (repeated in each derivation's LaTeX):
data :math:`x\sim N(0,\Sigma)`, :math:`\Sigma=\mathrm{diag}(\lambda_k)`, target
:math:`y=\bar w\cdot x+\epsilon`, :math:`\mathrm{Var}\,\epsilon=\sigma^2`; :math:`w_0=0`;
per-sample loss :math:`\frac12(f-y)^2`; t counts updates (not η·t); :math:`E_g(t)` is the
population excess loss :math:`(w_t-\bar w)^\top\Sigma(w_t-\bar w)` (no label noise; the noisy
test MSE is :math:`E_g+\sigma^2`), training losses include the noise.
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy as sp

from . import ridge as _ridge
from .derivation import Derivation
from .ensembles import marchenko_pastur
from .random_features import N, s_transform_ff

# ---------------------------------------------------------------------------------- symbols
eta = sp.Symbol("eta", positive=True)
B = sp.Symbol("B", positive=True)  # batch size
sigma2 = _ridge.sigma2
D = _ridge.D  # number of modes (data dimension)
P = _ridge.P  # number of training samples
t = sp.Symbol("t", integer=True, nonnegative=True)  # number of updates
tau = sp.Symbol("tau", positive=True)  # gradient-flow time eta * t
ell = sp.Symbol("ell", integer=True, nonnegative=True)  # kernel lag
k = sp.Symbol("k", integer=True, positive=True)
j = sp.Symbol("j", integer=True, nonnegative=True)
s = sp.Symbol("s")  # spectral (contour) variable
s2 = sp.Symbol("s'")
z = sp.Symbol("z", positive=True)  # ridge-like resolvent argument
lam = sp.IndexedBase("lambda", positive=True)  # eigenvalues of Sigma
wbar = sp.IndexedBase(r"\bar{w}", real=True)  # target coefficients in Sigma's eigenbasis
rho = sp.IndexedBase("rho", positive=True)  # per-mode contraction factor of the second moment
alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", positive=True)
kappa = _ridge.kappa
kappa_P = sp.Symbol("kappa_P", positive=True)
kappa_N = sp.Symbol("kappa_N", positive=True)
kappa_fn = sp.Function("kappa")  # kappa_s = kappa(s): the renormalized ridge at z = -s
Df1f = sp.Function(r"\mathrm{Df}_1")
Df2f = sp.Function(r"\mathrm{Df}_2")
tf1pf = sp.Function(r"\mathrm{tf}_1'")
E_g = sp.Function("E_g")
E_tr = sp.Function("E_tr")
F_forcing = sp.Function("F")
K_kernel = sp.Function(r"\mathcal{K}")


class c_mode(sp.Function):  # noqa: N801 - printed as c_k(t)
    """Second moment :math:`c_k(t)=\\mathbb E[(w_t-\\bar w)_k^2]` of mode k at step t."""

    nargs = 2

    def _latex(self, printer: Any, exp: Any = None) -> str:
        kk, tt = self.args
        out = rf"c_{{{printer._print(kk)}}}\left({printer._print(tt)}\right)"
        return out if exp is None else rf"{out}^{{{exp}}}"

    def _sympystr(self, printer: Any) -> str:
        kk, tt = self.args
        return f"c_{printer._print(kk)}({printer._print(tt)})"


class Oint(sp.Function):
    r""":math:`\frac{1}{2\pi i}\oint_\Gamma f(s)\,ds`, Γ counterclockwise around the spectrum
    (and 0). Unevaluated: a display object for contour representations."""

    nargs = 2

    def _latex(self, printer: Any, exp: Any = None) -> str:
        f, var = self.args
        out = r"\frac{1}{2\pi i}\oint_{\Gamma} " + printer._print(f) + r"\, d" + printer._print(var)
        return out if exp is None else rf"\left({out}\right)^{{{exp}}}"


class quad(sp.Function):  # noqa: N801 - printed as its argument
    """A 1 x 1 matrix expression (a quadratic form) used as a scalar; prints as its argument."""

    nargs = 1

    def _latex(self, printer: Any, exp: Any = None) -> str:
        out = printer._print(self.args[0])
        return out if exp is None else rf"\left({out}\right)^{{{exp}}}"


def msum(expr: sp.Expr, idx: sp.Symbol = k) -> sp.Sum:
    """Sum over the D modes."""
    return sp.Sum(expr, (idx, 1, D))


def df1_sum(x: sp.Expr) -> sp.Sum:
    return msum(lam[k] / (lam[k] + x))


def df2_sum(x: sp.Expr) -> sp.Sum:
    return msum(lam[k] ** 2 / (lam[k] + x) ** 2)


def tf1p_sum(x: sp.Expr) -> sp.Sum:
    return msum(lam[k] * wbar[k] ** 2 / (lam[k] + x) ** 2)


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise ArithmeticError(f"symbolic check failed: {what}")


def _is_zero(expr: Any) -> bool:
    if isinstance(expr, sp.MatrixBase):
        return all(_is_zero(e) for e in expr)
    e = sp.expand(expr)
    if e == 0:
        return True
    return sp.simplify(sp.cancel(sp.together(e))) == 0


BASE_CONVENTIONS = [
    r"$x\sim N(0,\Sigma)$ with $\Sigma=\mathrm{diag}(\lambda_k)$, $y=x\cdot\bar w+\epsilon$, "
    r"$\mathrm{Var}\,\epsilon=\sigma^2$; the initial weights are $w_0=0$",
    r"per-sample loss $\frac12(f(x)-y)^2$, so the per-sample gradient is $x(x\cdot w-y)$",
    r"$t$ counts updates (steps), not $\eta t$; gradient-flow time is $\tau=\eta t$",
    r"$E_g(t)=\mathbb{E}[(w_t-\bar w)^\top\Sigma(w_t-\bar w)]$: population excess loss, "
    r"without label noise (noisy test MSE $=E_g+\sigma^2$); training losses include the noise",
    r"$\mathrm{Df}_1(\kappa)=\mathrm{Tr}\,\Sigma(\Sigma+\kappa)^{-1}$, "
    r"$\mathrm{Df}_2(\kappa)=\mathrm{Tr}\,\Sigma^2(\Sigma+\kappa)^{-2}$, "
    r"$\mathrm{tf}_1'(\kappa)=\bar w^\top\Sigma(\Sigma+\kappa)^{-2}\bar w$ (unnormalized)",
]

CONTOUR_CONVENTION = (
    r"contours: $f(A)=\frac{1}{2\pi i}\oint_\Gamma f(s)(s-A)^{-1}ds$, $\Gamma$ counterclockwise "
    r"around the spectrum of $A$ and $0$; resolvent $G(z)=(A+z)^{-1}$, "
    r"$\kappa_s:=\kappa(z=-s)$"
)


# =============================================================================== 1. SGD
def _wick(idx: list[int], cov: sp.Matrix) -> sp.Expr:
    """E[x_{i1} ... x_{in}] for x ~ N(0, cov): the sum over perfect pairings (Isserlis)."""
    if not idx:
        return sp.Integer(1)
    if len(idx) % 2:
        return sp.Integer(0)
    first, rest = idx[0], idx[1:]
    return sp.Add(
        *[cov[first, rest[i]] * _wick(rest[:i] + rest[i + 1 :], cov) for i in range(len(rest))]
    )


def _sym_matrix(name: str, n: int) -> sp.Matrix:
    return sp.Matrix(n, n, lambda a, b: sp.Symbol(f"{name}_{min(a, b)}{max(a, b)}"))


def check_isserlis_mgf(n: int = 2) -> bool:
    """Isserlis' fourth moments against derivatives of the Gaussian MGF exp(u'Σu/2)."""
    S = _sym_matrix("s", n)
    u = sp.symbols(f"u0:{n}")
    uv = sp.Matrix(u)
    mgf = sp.exp((uv.T * S * uv)[0, 0] / 2)
    zero = {ui: 0 for ui in u}
    for idx in itertools.combinations_with_replacement(range(n), 4):
        m = sp.diff(mgf, *[u[i] for i in idx]).subs(zero)
        if sp.expand(m - _wick(list(idx), S)) != 0:
            return False
    return True


def check_fourth_moment(n: int = 3) -> bool:
    """E[x x^T C x x^T] = 2 Σ C Σ + Tr(Σ C) Σ, entry by entry via Isserlis, for symmetric
    symbolic n x n Σ and C."""
    S = _sym_matrix("s", n)
    C = _sym_matrix("c", n)
    lhs = sp.Matrix(
        n,
        n,
        lambda a, d: sp.Add(
            *[C[b, c] * _wick([a, b, c, d], S) for b in range(n) for c in range(n)]
        ),
    )
    rhs = 2 * S * C * S + (S * C).trace() * S
    return (lhs - rhs).expand() == sp.zeros(n, n)


def check_minibatch_moment(n: int = 2, batch: int = 3) -> bool:
    """E[Σ̂_B C Σ̂_B] = ΣCΣ + (ΣCΣ + Tr(ΣC)Σ)/B for Σ̂_B = (1/B) Σ_i x_i x_iᵀ with B independent
    N(0, Σ) vectors: Wick expansion on the joint (block-diagonal) covariance, symbolic n x n
    Σ and C."""
    S = _sym_matrix("s", n)
    C = _sym_matrix("c", n)
    joint = sp.diag(*[S] * batch)  # x_i has coordinates i*n .. i*n + n - 1

    def entry(a: int, dd: int) -> sp.Expr:
        out = sp.Integer(0)
        for i in range(batch):
            for jj in range(batch):
                for b in range(n):
                    for c in range(n):
                        idx = [i * n + a, i * n + b, jj * n + c, jj * n + dd]
                        out += C[b, c] * _wick(idx, joint)
        return out / batch**2

    lhs = sp.Matrix(n, n, entry)
    rhs = S * C * S + (S * C * S + (S * C).trace() * S) / batch
    return (lhs - rhs).expand() == sp.zeros(n, n)


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
    rho_k = (1 - eta * lam[k]) ** 2 + eta**2 / B * lam[k] ** 2
    Lsum = msum(lam[j] * c_mode(j, t), j) + sigma2
    recursion = sp.Eq(c_mode(k, t + 1), rho[k] * c_mode(k, t) + eta**2 / B * lam[k] * Lsum)
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
    Kbar_term = sp.factor(sp.simplify(eta**2 / B * lam[k] ** 2 / (1 - rho_k)))
    _check(
        _is_zero(Kbar_term - eta * lam[k] / (2 * B - eta * (B + 1) * lam[k])),
        "kernel mass per mode",
    )
    Kbar_term = eta * lam[k] / (2 * B - eta * (B + 1) * lam[k])
    Kbar = msum(Kbar_term)
    Kbar_sym = sp.Symbol(r"\bar{\mathcal{K}}", positive=True)
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
    Eg_inf = sigma2 * Kbar_sym / (1 - Kbar_sym)
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
    Kb2 = sum(eta * li / (2 * B - eta * (B + 1) * li) for li in (l1, l2))
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


# ================================================================ one-point equivalents
def kappa_from_s_transform(
    d: Derivation, S_white: sp.Expr, scale: sp.Expr, df_sym: sp.Symbol, what: str
) -> sp.Expr:
    """Steps from S-multiplicativity to κ = z·S_white(df), df = Df1(κ)/D; returns κ's expression
    (in terms of z and Df1(κ)). ``S_white`` is the df-convention S-transform of the white factor.
    """
    d.step(
        sp.Eq(sp.Function(r"S_{A}")(df_sym), sp.Function(r"S_{\Sigma}")(df_sym) * S_white),
        f"free multiplicative convolution: A = Sigma^(1/2) M Sigma^(1/2), M = {what}",
    )
    relation = sp.Eq((1 - df_sym) / (df_sym * z), (1 - df_sym) / (df_sym * kappa) * S_white)
    d.step(
        relation,
        "df convention S(df) = (1-df)/(df lambda(df)): match df of A at z with df of Sigma "
        "at kappa",
    )
    ksol = sp.solve(relation, kappa)
    _check(len(ksol) == 1, "unique kappa")
    kexpr = sp.simplify(ksol[0].subs(df_sym, Df1f(kappa) / D))
    d.step(sp.Eq(kappa, kexpr), f"kappa = z S_M(df) with df = Df1(kappa)/D ({scale})")
    return kexpr


def _check_isotropic_mp(q: sp.Expr, zt: sp.Expr) -> bool:
    """Σ = I: with κ = z̃ + qκ/(1+κ), the value g(−z̃) = −κ/(z̃(1+κ)) solves the
    Marchenko–Pastur g-equation (physics sign) of :func:`ensembles.marchenko_pastur`."""
    from .transforms import g as g_sym
    from .transforms import z as z_sym

    poly = marchenko_pastur(q).stieltjes_equation().lhs
    kap = sp.Symbol("kappa_iso", positive=True)
    zt_of_k = sp.solve(sp.Eq(kap, zt + q * kap / (1 + kap)), zt)[0]
    val = poly.subs({z_sym: -zt, g_sym: -kap / (zt * (1 + kap))}, simultaneous=True)
    return _is_zero(val.subs(zt, zt_of_k))


# ====================================================================== 2. GD, finite data
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
    bias_int = ks * ks2 / (s * s2) * Tq / (1 - gam_ss)
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
    tr_int = -((1 - eta * s) ** (2 * t)) * (
        msum(lam[k] * wbar[k] ** 2 / (lam[k] + ks)) + sigma2 / ks
    )
    Etr_eq = sp.Eq(E_tr(t), Oint(tr_int, s))
    d.step(Etr_eq, "train learning curve: a single contour integral (one-point suffices)")
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
    Eg_inf = (kappa_P**2 * tf1pf(kappa_P) + gP * sigma2) / (1 - gP)
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
        sp.Eq(E_tr(sp.oo), sp.Piecewise((0, D > P), (sigma2 * (1 - D / P), True))),
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
        train_integrand=tr_int,
        ridgeless=Eg_inf,
        population_gd=pinf,
    )
    return d


# ============================================================ 3. random features, population
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
    integrand = (1 - eta * s) ** (2 * t) * ks / s * msum(lam[k] * wbar[k] ** 2 / (lam[k] + ks))
    Eg_eq = sp.Eq(E_g(t), Oint(integrand, s))
    d.step(Eg_eq, "learning curve: (s - K)^(-1) = (kappa_s/s)(Sigma + kappa_s)^(-1)")
    # static limit
    proj = msum(lam[k] * wbar[k] ** 2 * kappa_N / (lam[k] + kappa_N))
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


# ===================================================================== 4. exponents
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


def _balance(
    terms: dict[str, sp.Expr], pair: tuple[str, str], a: sp.Symbol
) -> tuple[sp.Expr, sp.Expr]:
    """N = C^a, t = C^(1-a): solve exponent(term1) = exponent(term2) for a; return (a*, L*)."""
    sol = sp.solve(sp.Eq(terms[pair[0]], terms[pair[1]]), a)
    _check(len(sol) == 1, f"unique balance {pair}")
    a_star = sp.simplify(sol[0])
    return a_star, sp.simplify(terms[pair[0]].subs(a, a_star))


def derive_dynamical_exponents(alpha: Any = None, beta: Any = None) -> Derivation:
    """Bottleneck exponents of the dynamical model (time, width, data) and the compute-optimal
    split C = N t, as Piecewise functions of the canonical (α, β).

    With numbers for ``alpha`` and/or ``beta`` the exponents in ``result`` / ``extras`` are
    evaluated there (the steps stay symbolic) and ``params`` records them."""
    return _derive_exponents(alpha, beta)


def _derive_exponents(alpha_value: Any, beta_value: Any) -> Derivation:
    params: dict[str, Any] = {}
    if alpha_value is not None:
        params["alpha"] = alpha_value
    if beta_value is not None:
        params["beta"] = beta_value
    d = Derivation(
        "dynamics.exponents",
        "Dynamical model of scaling laws: time, width, data and compute-optimal exponents",
        conventions=[
            *BASE_CONVENTIONS,
            r"canonical power laws: $\lambda_k=k^{-\alpha}$ ($\alpha>1$), "
            r"$\lambda_k\bar w_k^2=k^{-\alpha\beta-1}$ (source exponent $\beta$; RKHS iff "
            r"$\beta>1$); paper 2's $(a,b)=(\alpha\beta+1,\alpha)$",
            r"loss exponents are of the unnormalized target; $L\propto X^{-e}$ is reported as $e$",
            r"compute $C=N\,t$ ($t$ = steps, batch dropped); $N^\star\propto C^{a}$, "
            r"$t^\star\propto C^{1-a}$",
        ],
        assumptions=[
            r"sums over modes replaced by integrals (leading order as $t,N,P\to\infty$)",
            r"one bottleneck at a time: the other two resources are infinite",
            r"compute-optimal: the lazy online loss of theory note §2.3, "
            r"$t^{-\beta}+N^{-\alpha\min(1,\beta)}+1[\beta>1]N^{-1}t^{-(1-1/\alpha)}"
            r"+B^{-1}t^{-(2-1/\alpha)}$ with unit constants (pitfall 13)",
        ],
        params=params,
    )
    lam_k, pow_k = k ** (-alpha), k ** (-alpha * beta - 1)
    d.step(sp.Eq(lam[k], lam_k), "capacity: eigenvalues decay as k^(-alpha)")
    d.step(sp.Eq(lam[k] * wbar[k] ** 2, pow_k), "source: target power per mode k^(-alpha beta - 1)")
    # ---- time
    Lt = sp.Integral(pow_k * sp.exp(-2 * lam_k * tau), (k, 0, sp.oo))
    d.step(
        sp.Eq(
            E_g(tau),
            sp.Eq(sp.Sum(pow_k * sp.exp(-2 * lam_k * tau), (k, 1, sp.oo)), Lt, evaluate=False),
            evaluate=False,
        ),
        "gradient flow (N, P infinite), tau = eta t: the mode sum as an integral",
    )
    u = sp.Symbol("u", positive=True)
    ksub = (2 * tau / u) ** (1 / alpha)
    integrand_u = sp.simplify(
        sp.powsimp((pow_k * sp.exp(-2 * lam_k * tau)).subs(k, ksub) * -sp.diff(ksub, u), force=True)
    )
    _check(
        _is_zero(sp.simplify(integrand_u / (u ** (beta - 1) * sp.exp(-u) * (2 * tau) ** (-beta)
                                            / alpha)) - 1),
        "substitution u = 2 tau k^(-alpha)",
    )  # fmt: skip
    d.step(
        sp.Eq(Lt, (2 * tau) ** (-beta) / alpha * sp.Integral(u ** (beta - 1) * sp.exp(-u),
                                                             (u, 0, sp.oo))),
        "substitute u = 2 tau k^(-alpha) (converges for beta > 0)",
    )  # fmt: skip
    gam_int = sp.integrate(u ** (beta - 1) * sp.exp(-u), (u, 0, sp.oo), conds="none")
    time_law = sp.simplify((2 * tau) ** (-beta) / alpha * gam_int)
    direct = sp.integrate(pow_k * sp.exp(-2 * lam_k * tau), (k, 0, sp.oo), conds="none")
    _check(_is_zero(sp.simplify(direct / time_law) - 1), "time integral, direct vs substituted")
    d.step(
        sp.Eq(E_g(tau), time_law),
        "the Gamma integral: E_g ~ Gamma(beta) (2 tau)^(-beta) / alpha",
    )
    time_exp = -_exponent_of(time_law, tau)
    _check(_is_zero(time_exp - beta), "time exponent")
    # ---- width
    xv = sp.Symbol("x", positive=True)
    kap = sp.Symbol("kappa", positive=True)
    kpow_df, xint_df = _rescaled(lam_k / (lam_k + kap), kap, xv)
    I1 = sp.integrate(xint_df, (xv, 0, sp.oo), conds="none")
    _check(_is_zero(kpow_df - kap ** (-1 / alpha)), "Df1 scaling")
    d.step(
        sp.Eq(Df1f(kap), kap ** (-1 / alpha) * I1),
        "Df1(kappa) = int dk/(1 + kappa k^alpha): substitute k = kappa^(-1/alpha) x",
    )
    kN_sol = sp.solve(sp.Eq(kap ** (-1 / alpha) * I1, N), kap)
    _check(len(kN_sol) == 1, "kappa_N")
    kN = sp.simplify(kN_sol[0])
    d.step(sp.Eq(kappa_N, kN), "Df1(kappa_N) = N: kappa_N ~ N^(-alpha)")
    _check(_is_zero(_exponent_of(kN, N) + alpha), "kappa_N exponent")
    kpow_pr, xint_pr = _rescaled(pow_k * kap / (lam_k + kap), kap, xv)
    _check(_is_zero(_exponent_of(kpow_pr, kap) - beta), "projection scaling")
    Ipr = sp.integrate(xint_pr, (xv, 0, sp.oo), conds="none")
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{(N)}(\infty)"), kpow_pr * Ipr),
        "projection error sum k^(-alpha beta-1) kappa/(lambda_k + kappa), same substitution: "
        "converges for 0 < beta < 1",
    )
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{(N),\beta>1}(\infty)"),
              kap * sp.Sum(k ** (alpha - alpha * beta - 1), (k, 1, sp.oo))),
        "beta > 1: the x-integral diverges at the low modes; they dominate: kappa sum wbar_k^2 "
        "= kappa |wbar|^2 (finite in the RKHS)",
    )  # fmt: skip
    kexp_width = sp.Piecewise((beta, beta < 1), (1, True))
    width_exp = sp.piecewise_fold(alpha * kexp_width)
    d.step(
        sp.Eq(sp.Symbol(r"e_N"), width_exp),
        "width exponent alpha min(1, beta): the t = inf error is LINEAR in kappa_N/(lambda + "
        "kappa_N) (theory note 3.4, pitfall 3), not min(alpha beta, 2 alpha)",
    )
    # ---- data
    kpow_d, xint_d = _rescaled(pow_k * kap**2 / (lam_k + kap) ** 2, kap, xv)
    _check(_is_zero(_exponent_of(kpow_d, kap) - beta), "data scaling")
    Id = sp.integrate(xint_d, (xv, 0, sp.oo), conds="none")
    kpow_g, xint_g = _rescaled(lam_k**2 / (lam_k + kap) ** 2, kap, xv)
    Ig = sp.integrate(xint_g, (xv, 0, sp.oo), conds="none")
    gP = sp.simplify(Ig / I1)
    _check(_is_zero(gP - (1 - 1 / alpha)), "gamma_P -> 1 - 1/alpha")
    d.step(
        sp.Eq(sp.Symbol("gamma_P"), gP),
        "gamma_P = Df2(kappa_P)/Df1(kappa_P) at Df1 = P: a constant, so 1/(1 - gamma_P) = alpha",
    )
    d.step(
        sp.Eq(sp.Symbol(r"E_g^{(P)}(\infty)"), sp.simplify(kpow_d * Id / (1 - gP))),
        "ridgeless bias kappa_P^2 tf1'(kappa_P)/(1 - gamma_P), kappa_P ~ P^(-alpha): SQUARED "
        "functional, converges for 0 < beta < 2",
    )
    data_exp = sp.piecewise_fold(alpha * sp.Piecewise((beta, beta < 2), (2, True)))
    d.step(
        sp.Eq(sp.Symbol(r"e_P"), data_exp),
        "data exponent alpha min(beta, 2): for beta > 2 the low modes give kappa_P^2 sum "
        "lambda^(-1) (lambda wbar^2)",
    )
    d.step(sp.Eq(sp.Symbol(r"e_t"), time_exp), "time exponent (in steps t or in tau = eta t)")
    # ---- compute-optimal
    a = sp.Symbol("a", real=True)
    terms = {
        "time": beta * (1 - a),
        "width_hard": alpha * beta * a,
        "width_easy": alpha * a,
        "cross": a + (1 - a) * (1 - 1 / alpha),
        "sgd": (2 - 1 / alpha) * (1 - a),
    }
    d.step(
        sp.Eq(sp.Symbol("L"), sp.Symbol(r"C^{-\beta(1-a)}+C^{-\alpha\beta a}")),
        "hard case (beta < 1): N = C^a, t = C^(1-a), L ~ t^(-beta) + N^(-alpha beta)",
    )
    a_h, L_h = _balance(terms, ("time", "width_hard"), a)
    _check(_is_zero(a_h - 1 / (1 + alpha)) and _is_zero(L_h - alpha * beta / (1 + alpha)),
           "hard compute-optimal")  # fmt: skip
    d.step(sp.Eq(a, a_h), "balance beta (1 - a) = alpha beta a (sympy solve)")
    a_e, L_e = _balance(terms, ("time", "cross"), a)
    a_s, L_s = _balance(terms, ("sgd", "cross"), a)
    d.step(
        sp.Eq(sp.Symbol("a_{easy}"), a_e),
        "easy (1 < beta < 2 - 1/alpha): the finite-N embedding term N^(-1) t^(-(1-1/alpha)) "
        "beats N^(-alpha) (theory note 2.5, PPXP phase II)",
    )
    d.step(
        sp.Eq(sp.Symbol("a_{super-easy}"), a_s),
        "super-easy (beta > 2 - 1/alpha, online SGD at fixed B): SGD noise vs the embedding "
        "term (PPXP phase III)",
    )
    # check the balanced pair is the binding constraint at sample points of each regime
    regimes = [
        (a_h, L_h, ["time", "width_hard", "sgd"], [(1.5, 0.5), (2, 0.25), (1.2, 0.9), (3, 0.7)]),
        (a_e, L_e, ["time", "width_easy", "cross", "sgd"], [(1.5, 1.2), (2, 1.25), (3, 1.5)]),
        (a_s, L_s, ["width_easy", "cross", "sgd"], [(2, 3), (1.5, 2), (1.4, 1.714)]),
    ]
    for a_st, L_st, names, pts in regimes:
        for av, bv in pts:
            sub = {alpha: sp.nsimplify(av), beta: sp.nsimplify(bv)}
            Lv = L_st.subs(sub)
            vals = [terms[nm].subs(sub).subs(a, a_st.subs(sub)) for nm in names]
            _check(min(vals) == Lv, f"balanced pair binds at (alpha, beta) = ({av}, {bv})")
    N_star = sp.Piecewise((a_h, beta < 1), (a_e, beta < 2 - 1 / alpha), (a_s, True))
    t_star = sp.Piecewise(
        (sp.cancel(1 - a_h), beta < 1),
        (sp.cancel(1 - a_e), beta < 2 - 1 / alpha),
        (sp.cancel(1 - a_s), True),
    )
    L_star = sp.Piecewise((L_h, beta < 1), (L_e, beta < 2 - 1 / alpha), (L_s, True))
    d.step(sp.Eq(sp.Symbol(r"e_{N^\star}"), N_star), "compute-optimal width: N* ~ C^(e)")
    d.step(sp.Eq(sp.Symbol(r"e_{t^\star}"), t_star), "compute-optimal steps: t* ~ C^(e)")
    d.step(sp.Eq(sp.Symbol(r"e_{L^\star}"), L_star), "compute-optimal loss: L* ~ C^(-e)")
    gf_N = sp.Piecewise((a_h, beta < 1), (a_e, True))
    gf_L = sp.Piecewise((L_h, beta < 1), (L_e, True))
    result = {
        "time": time_exp,
        "width": width_exp,
        "data": data_exp,
        "compute": L_star,
        "N_star": N_star,
        "t_star": t_star,
    }
    if params:
        sub = {}
        if alpha_value is not None:
            sub[alpha] = sp.nsimplify(alpha_value)
        if beta_value is not None:
            sub[beta] = sp.nsimplify(beta_value)
        result = {kk: sp.simplify(v.subs(sub)) for kk, v in result.items()}
    d.result = sp.Tuple(*[sp.Eq(sp.Symbol(f"e_{{{kk}}}"), v) for kk, v in result.items()])
    d.extras.update(
        exponents=result,
        time_prefactor=sp.simplify(time_law * (2 * tau) ** beta),  # times (2 tau)^(-beta)
        kappa_N=kN,
        width_prefactor_hard=Ipr,
        data_prefactor=sp.simplify(Id / (1 - gP)),
        gamma_P=gP,
        compute_gradient_flow={"N_star": gf_N, "compute": gf_L},
    )
    return d
