r"""Spectral laws and their transforms: Stieltjes g, t, R, S, χ and moments.

Conventions (``docs/conventions.md`` §3; physics signs):

* Stieltjes transform  :math:`g(z)=\int\rho(x)\,dx/(z-x)`, so :math:`g(z)\sim 1/z` at
  infinity and :math:`\operatorname{Im} g(z)<0` for :math:`\operatorname{Im} z>0`
  (the math-convention transform :math:`m=-g` is the Herglotz function);
  density :math:`\rho(x)=-\tfrac1\pi\operatorname{Im} g(x+i0)`.
* t-transform :math:`t(z)=z\,g(z)-1=\sum_{k\ge1} m_k z^{-k}`.
* R-transform: :math:`g\big(R(w)+1/w\big)=w`; additive rule :math:`R_{A+B}=R_A+R_B`.
* S-transform (Voiculescu's sign): with :math:`\zeta` the inverse of :math:`t`,
  :math:`S(t)=\frac{1+t}{t\,\zeta(t)}`; multiplicative rule :math:`S_{AB}=S_AS_B`.
  The paper's "df" convention is :math:`S_{\rm df}(\mathrm{df})=S(-\mathrm{df})`.
* χ-function :math:`\chi(t)=t\,S(t)/(1+t)`, the inverse of the moment generating function
  :math:`\psi(u)=\sum_{k\ge1} m_k u^k = t(1/u)`.

A :class:`SpectralLaw` always carries its **g-equation** :math:`P(z,g)=0`, a polynomial in g
(the algebraic form every numeric solver uses), and, when known, closed forms of R and S.
Conversions between them are done symbolically, with the branch fixed by the physics:
:math:`S(0)=1/m_1`, :math:`R(0)=m_1`, :math:`g\sim1/z`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

# Canonical symbols, shared by every law.
z = sp.Symbol("z")
g = sp.Symbol("g")
t = sp.Symbol("t")
w = sp.Symbol("w")
u = sp.Symbol("u")
S_sym = sp.Symbol("S")
R_sym = sp.Symbol("R")
a_sym = sp.Symbol("a")  # atom mass


def _strip_trivial_factors(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """Numerator of ``expr`` with constant-in-``var`` factors removed, expanded."""
    num = sp.numer(sp.together(sp.expand(expr)))
    _, factors = sp.factor_list(num, var)
    keep = [f**k for f, k in factors if f.has(var)]
    if not keep:
        raise ValueError(f"equation does not involve {var}")
    return sp.expand(sp.Mul(*keep))


def _pick_branch(candidates: list[sp.Expr], var: sp.Symbol, target: sp.Expr) -> sp.Expr:
    """The candidate whose limit at ``var -> 0`` equals ``target`` (the physical branch)."""
    good = []
    for c in candidates:
        try:
            lim = sp.limit(c, var, 0)
        except Exception:  # noqa: BLE001 - sympy raises many kinds here
            continue
        if sp.simplify(lim - target) == 0:
            good.append(sp.simplify(c))
    if len(good) != 1:
        raise ValueError(
            f"could not isolate a unique physical branch (limit at {var}=0 equal to {target}); "
            f"{len(good)} of {len(candidates)} candidates qualify"
        )
    return good[0]


class SpectralLaw:
    """A limiting spectral measure described by free-probability transforms.

    Build one from an ensemble (:mod:`rmtscale.symbolic.ensembles`), or with
    :meth:`from_s_transform` / :meth:`from_r_transform`; combine with :meth:`times`
    (free multiplicative convolution, :math:`S_{AB}=S_AS_B`) and :meth:`plus` (free additive
    convolution, :math:`R_{A+B}=R_A+R_B`).

    Parameters are sympy symbols (e.g. the aspect ratio ``q``); :meth:`subs` substitutes
    numbers. ``support_bound`` is an interval guaranteed to contain the support.
    """

    def __init__(
        self,
        name: str,
        g_equation: sp.Expr,
        *,
        s_transform: sp.Expr | None = None,
        r_transform: sp.Expr | None = None,
        mean: sp.Expr | None = None,
        support_bound: tuple[sp.Expr, sp.Expr] | None = None,
        positive: bool = False,
        latex_name: str | None = None,
        description: str = "",
    ):
        self.name = name
        self.g_equation = sp.expand(g_equation)
        self._S = s_transform
        self._R = r_transform
        self._mean = mean
        self.support_bound = support_bound
        self.positive = positive
        self.latex_name = latex_name or name
        self.description = description

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_s_transform(cls, name: str, S: sp.Expr, **kw: Any) -> SpectralLaw:
        r"""Law with S-transform ``S(t)``: :math:`z\,t\,S(t)=1+t` with :math:`t=zg-1`."""
        S = sp.sympify(S)
        eq = _strip_trivial_factors((z * t * S - (1 + t)).subs(t, z * g - 1), g)
        mean = kw.pop("mean", None)
        if mean is None:
            mean = sp.simplify(1 / S.subs(t, 0))
        return cls(name, eq, s_transform=S, mean=mean, **kw)

    @classmethod
    def from_r_transform(cls, name: str, R: sp.Expr, **kw: Any) -> SpectralLaw:
        r"""Law with R-transform ``R(w)``: :math:`z=R(g)+1/g`."""
        R = sp.sympify(R)
        eq = _strip_trivial_factors(z - R.subs(w, g) - 1 / g, g)
        mean = kw.pop("mean", None)
        if mean is None:
            mean = sp.simplify(R.subs(w, 0))
        return cls(name, eq, r_transform=R, mean=mean, **kw)

    # ------------------------------------------------------------------ basics
    @property
    def parameters(self) -> list[sp.Symbol]:
        """The free parameters (every symbol other than z, g)."""
        return sorted(self.g_equation.free_symbols - {z, g}, key=str)

    def subs(self, values: Mapping[Any, Any] | None = None, **kw: Any) -> SpectralLaw:
        """Substitute parameter values (by symbol or by name)."""
        vals = dict(values or {})
        vals.update(kw)
        by_name = {str(p): p for p in self.parameters}
        rep = {
            by_name.get(str(k), k): sp.nsimplify(v) if isinstance(v, (int, float)) else v
            for k, v in vals.items()
        }

        def s(e: Any) -> Any:
            return None if e is None else sp.sympify(e).subs(rep)

        sb = (
            None
            if self.support_bound is None
            else (s(self.support_bound[0]), s(self.support_bound[1]))
        )
        return SpectralLaw(
            self.name,
            s(self.g_equation),
            s_transform=s(self._S),
            r_transform=s(self._R),
            mean=s(self._mean),
            support_bound=sb,
            positive=self.positive,
            latex_name=self.latex_name,
            description=self.description,
        )

    def stieltjes_equation(self) -> sp.Equality:
        """:math:`P(z,g)=0`, the algebraic equation of the Stieltjes transform."""
        return sp.Eq(sp.collect(self.g_equation, g), 0)

    def degree(self) -> int:
        return sp.degree(self.g_equation, g)

    def g_coefficients(self) -> list[sp.Expr]:
        """Coefficients of :math:`P(z,g)` in g, highest power first."""
        return [sp.expand(c) for c in sp.Poly(self.g_equation, g).all_coeffs()]

    @property
    def mean(self) -> sp.Expr:
        if self._mean is None:
            self._mean = self.moments(1)[1]
        return self._mean

    # ------------------------------------------------------------------ transforms
    def s_transform(self) -> sp.Expr:
        r"""S(t) (Voiculescu's sign). From the g-equation when not stored:
        substitute :math:`g=tS`, :math:`z=(1+t)/(tS)` and take the root with :math:`S(0)=1/m_1`."""
        if self._S is None:
            if sp.simplify(self.mean) == 0:
                raise ValueError(f"{self.name}: the S-transform needs a nonzero mean")
            eq = _strip_trivial_factors(
                self.g_equation.subs({z: (1 + t) / (t * S_sym), g: t * S_sym}, simultaneous=True),
                S_sym,
            )
            self._S = _pick_branch(sp.solve(eq, S_sym), t, 1 / self.mean)
        return self._S

    def s_transform_df(self, df: sp.Symbol | None = None) -> sp.Expr:
        r"""The paper's df convention :math:`S_{\rm df}(\mathrm{df})=S(-\mathrm{df})`."""
        df = df if df is not None else sp.Symbol(r"\mathrm{df}")
        return sp.simplify(self.s_transform().subs(t, -df))

    def r_transform(self) -> sp.Expr:
        r"""R(w). From the g-equation when not stored: substitute :math:`g=w`,
        :math:`z=R+1/w` and take the root with :math:`R(0)=m_1`."""
        if self._R is None:
            eq = _strip_trivial_factors(
                self.g_equation.subs({z: R_sym + 1 / w, g: w}, simultaneous=True), R_sym
            )
            self._R = _pick_branch(sp.solve(eq, R_sym), w, self.mean)
        return self._R

    def chi(self) -> sp.Expr:
        r""":math:`\chi(t)=t\,S(t)/(1+t)`, the functional inverse of :math:`\psi`."""
        return sp.simplify(t * self.s_transform() / (1 + t))

    def moment_generating_equation(self) -> sp.Equality:
        r"""Equation for :math:`\psi(u)=\sum_k m_k u^k` (as the symbol u·ψ ↦ ``t``):
        :math:`P(1/u,\,u(1+\psi))=0`, written with ``t`` standing for ψ."""
        e = _strip_trivial_factors(
            self.g_equation.subs({z: 1 / u, g: u * (1 + t)}, simultaneous=True), t
        )
        return sp.Eq(e, 0)

    def moments(self, n: int) -> list[sp.Expr]:
        r"""Moments :math:`m_0=1, m_1, \dots, m_n` from :math:`g=\sum_k m_k z^{-k-1}`,
        solved order by order from the g-equation (exact in the parameters)."""
        ms = [sp.Integer(1)]
        coeffs = sp.symbols(f"_m1:{n + 1}")
        for k in range(1, n + 1):
            M = sum(ms[j] * u**j for j in range(k)) + coeffs[k - 1] * u**k
            expr = sp.expand(self.g_equation.subs({z: 1 / u, g: u * M}, simultaneous=True))
            low = min(sp.Poly(sp.expand(expr * u**50), u).monoms(), default=(0,))[0] - 50
            expr = sp.expand(expr * u ** (-low))
            # lowest orders vanish automatically; the first non-trivial one fixes m_k.
            poly = sp.Poly(expr, u)
            sol = None
            for order in range(0, k + 3):
                c = sp.expand(poly.coeff_monomial(u**order))
                if c.has(coeffs[k - 1]):
                    sol = sp.solve(c, coeffs[k - 1])
                    break
            if not sol:
                raise ValueError(f"{self.name}: could not solve for moment m_{k}")
            ms.append(sp.simplify(sol[0]))
        return ms

    def stieltjes_closed_form(self) -> sp.Expr:
        r"""Explicit g(z) for quadratic equations, written with the *physical* square root
        :math:`\sqrt{(z-a)}\sqrt{(z-b)}` (branch cut on the support, :math:`g\sim1/z`),
        not the principal :math:`\sqrt{(z-a)(z-b)}`."""
        if self.degree() != 2:
            raise ValueError(f"{self.name}: closed form only for quadratic g-equations")
        A, B, C = self.g_coefficients()
        disc = sp.factor(B**2 - 4 * A * C)
        lead = sp.Poly(disc, z).LC()
        zroots = sp.roots(sp.Poly(disc, z))
        roots = [r for r, m in zroots.items() for _ in range(m)]
        if len(roots) != 2:
            raise ValueError(f"{self.name}: discriminant is not quadratic in z")
        sq = sp.sqrt(lead) * sp.sqrt(z - roots[0]) * sp.sqrt(z - roots[1])
        cands = [(-B + sq) / (2 * A), (-B - sq) / (2 * A)]
        # physical branch: g ~ 1/z at z -> +infinity
        for c in cands:
            if sp.simplify(sp.limit(z * c, z, sp.oo) - 1) == 0:
                return c
        raise ValueError(f"{self.name}: no root behaves like 1/z at infinity")

    def atom_candidates(self) -> list[sp.Expr]:
        r"""Possible masses of an atom at 0: roots in a of the leading behaviour of
        :math:`P(z, a/z)` as :math:`z\to0` (0 is always allowed)."""
        e = sp.expand(self.g_equation.subs(g, a_sym / z))
        low = min(m[0] for m in sp.Poly(sp.expand(e * z**50), z).monoms()) - 50
        lead = sp.expand(e * z ** (-low)).subs(z, 0)
        return sorted(set(sp.solve(lead, a_sym)) | {sp.Integer(0)}, key=str)

    # ------------------------------------------------------------------ algebra
    def times(self, other: SpectralLaw, name: str | None = None) -> SpectralLaw:
        r"""Free multiplicative convolution: :math:`S_{AB}(t)=S_A(t)\,S_B(t)`."""
        S = sp.simplify(self.s_transform() * other.s_transform())
        sb = None
        if self.positive and other.positive and self.support_bound and other.support_bound:
            sb = (sp.Integer(0), self.support_bound[1] * other.support_bound[1])
        return SpectralLaw.from_s_transform(
            name or f"({self.name})*({other.name})",
            S,
            support_bound=sb,
            positive=self.positive and other.positive,
            latex_name=rf"{self.latex_name}\boxtimes {other.latex_name}",
            description=f"free product of {self.name} and {other.name}",
        )

    def plus(self, other: SpectralLaw, name: str | None = None) -> SpectralLaw:
        r"""Free additive convolution: :math:`R_{A+B}(w)=R_A(w)+R_B(w)`."""
        R = sp.simplify(self.r_transform() + other.r_transform())
        sb = None
        if self.support_bound and other.support_bound:
            sb = (
                self.support_bound[0] + other.support_bound[0],
                self.support_bound[1] + other.support_bound[1],
            )
        return SpectralLaw.from_r_transform(
            name or f"({self.name})+({other.name})",
            R,
            support_bound=sb,
            positive=self.positive and other.positive,
            latex_name=rf"{self.latex_name}\boxplus {other.latex_name}",
            description=f"free sum of {self.name} and {other.name}",
        )

    def scaled(self, c: Any) -> SpectralLaw:
        r"""Law of :math:`cA`: :math:`S_{cA}=S_A/c`, :math:`R_{cA}(w)=c\,R_A(cw)`."""
        c = sp.sympify(c)
        eq = _strip_trivial_factors(
            self.g_equation.subs({z: z / c, g: c * g}, simultaneous=True), g
        )
        S = None if self._S is None else self._S / c
        R = None if self._R is None else c * self._R.subs(w, c * w)
        sb = (
            None
            if self.support_bound is None
            else (c * self.support_bound[0], c * self.support_bound[1])
        )
        return SpectralLaw(
            f"{c}*{self.name}",
            eq,
            s_transform=S,
            r_transform=R,
            mean=None if self._mean is None else c * self._mean,
            support_bound=sb,
            positive=self.positive,
            latex_name=rf"{sp.latex(c)}\,{self.latex_name}",
        )

    def __repr__(self) -> str:
        return f"<SpectralLaw {self.name}: {sp.sstr(self.stieltjes_equation())}>"
