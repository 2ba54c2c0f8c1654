r"""Symbols, display objects and helpers shared by the learning-curve derivations
(:mod:`.sgd`, :mod:`.gd`, :mod:`.rf_gd`).

Canonical conventions (docs/conventions.md; repeated in each derivation's LaTeX): data
:math:`x\sim N(0,\Sigma)`, :math:`\Sigma=\mathrm{diag}(\lambda_k)`, target
:math:`y=\bar w\cdot x+\epsilon`, :math:`\mathrm{Var}\,\epsilon=\sigma^2`; :math:`w_0=0`;
per-sample loss :math:`\frac12(f-y)^2`; t counts updates (not η·t); :math:`E_g(t)` is the
population excess loss :math:`(w_t-\bar w)^\top\Sigma(w_t-\bar w)` (no label noise; the noisy
test MSE is :math:`E_g+\sigma^2`), training losses include the noise. Where a step is an identity
that can be checked by algebra, the check runs inside the derivation on a small explicit case
and raises :class:`ArithmeticError` when it fails.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from . import ridge as _ridge
from .derivation import Derivation
from .ensembles import marchenko_pastur
from .random_features import N  # noqa: F401  (the width symbol, re-exported)

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


def tf1_sum(x: sp.Expr) -> sp.Sum:
    return msum(lam[k] * wbar[k] ** 2 / (lam[k] + x))


# named primitives of the learning-curve kernels at contour nodes s, s' (complex values)
K1 = sp.Symbol("kappa_1")  # kappa_s at the node s
K2 = sp.Symbol("kappa_2")  # kappa_{s'} at the node s'
TF1 = sp.Symbol(r"\mathrm{tf}_1")  # tf1(kappa_1) = sum_k lambda_k wbar_k^2/(lambda_k + kappa_1)
T12 = sp.Symbol("T")  # sum_k lambda_k wbar_k^2/((lambda_k + kappa_1)(lambda_k + kappa_2))
G12 = sp.Symbol("G")  # sum_k lambda_k^2/((lambda_k + kappa_1)(lambda_k + kappa_2))


def primitives() -> dict[sp.Symbol, sp.Expr]:
    """The named spectral sums of the kernels as mode sums (k = 1..D) at κ₁ = κ_s, κ₂ = κ_s'."""
    return {
        TF1: tf1_sum(K1),
        T12: msum(lam[k] * wbar[k] ** 2 / ((lam[k] + K1) * (lam[k] + K2))),
        G12: msum(lam[k] ** 2 / ((lam[k] + K1) * (lam[k] + K2))),
    }


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
