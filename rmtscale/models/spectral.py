r"""Spectral laws end to end: derivations, solvers and claims for Marchenko–Pastur, the free
product of two Wisharts, and the Wigner semicircle.

Conventions: :math:`W=Z^\top Z/P`, :math:`Z\in\mathbb R^{P\times D}` standard Gaussian,
:math:`q=D/P` (unit mean eigenvalue); physics Stieltjes transform
:math:`g(z)=\frac1D\operatorname{Tr}(z-W)^{-1}`; S-transform in Voiculescu's sign
(:math:`S_W(t)=1/(1+qt)`), with the paper's df convention
:math:`S_W(\mathrm{df})=1/(1-q\,\mathrm{df})`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

import numpy as np
import sympy as sp

from ..numeric.stieltjes import StieltjesSolver, stieltjes_solver
from ..params import Param
from ..registry import derivation, solver
from ..simulate.eigen import (
    empirical_cdf,
    resolvent_trace,
    wigner_eigenvalues,
    wishart_eigenvalues,
    wishart_product_eigenvalues,
)
from ..symbolic import ensembles
from ..symbolic.derivation import Derivation
from ..symbolic.transforms import SpectralLaw, g, t, w, z
from ..validate.claims import Claim, register
from ..validate.stats import Tolerance

WISHART_CONVENTIONS = [
    r"$W = Z^\top Z/P$, $Z\in\mathbb{R}^{P\times D}$ i.i.d. $N(0,1)$, aspect ratio $q = D/P$, "
    "unit mean eigenvalue",
    r"Stieltjes transform $g(z)=\frac{1}{D}\mathrm{Tr}(z-W)^{-1}$ (physics sign, "
    r"$g\sim 1/z$; density $\rho(x) = -\frac{1}{\pi}\mathrm{Im}\, g(x+i0)$)",
    r"S-transform in Voiculescu's sign, $S(t) = \frac{1+t}{t\,\zeta(t)}$ with $\zeta$ the "
    r"inverse of $t(z) = z g(z) - 1$; the paper's df convention is $S(-\mathrm{df})$",
]
FREENESS = (
    "the factors are asymptotically free (independent, one rotation invariant); "
    "proportional limit $D, P \\to \\infty$ at fixed $q$"
)

Q = Param("q", default=None, gt=0, help="aspect ratio D/P (symbolic if omitted)")
Q1 = Param("q1", default=None, gt=0, help="aspect ratio D/P1 of the first Wishart")
Q2 = Param("q2", default=None, gt=0, help="aspect ratio D/P2 of the second Wishart")
SVAR = Param("s", default=None, gt=0, help="semicircle variance (symbolic if omitted)")


def _val(x: Any, sym: sp.Symbol) -> Any:
    return sym if x is None else sp.nsimplify(x)


# ============================================================================ derivations
def _mp_s_steps(d: Derivation, qv: Any) -> sp.Expr:
    S = sp.Symbol("S")
    R = 1 / (1 - qv * w)
    d.step(
        sp.Eq(sp.Function("R_W")(w), R),
        "R-transform of the white Wishart (free Poisson law with rate 1/q, jump q)",
    )
    d.step(sp.Eq(S, 1 / R.subs(w, t * S)), "S and R are linked by S(t) = 1/R(t S(t))")
    sol = [s for s in sp.solve(sp.Eq(S, 1 / R.subs(w, t * S)), S)]
    St = sp.simplify(sol[0])
    d.step(sp.Eq(sp.Function("S_W")(t), St), "solve the linear equation for S")
    df = sp.Symbol(r"\mathrm{df}")
    d.step(
        sp.Eq(sp.Function("S_W")(df), St.subs(t, -df)),
        "the paper's df convention: evaluate at t = -df (negative real axis z = -lambda)",
    )
    return St


@derivation("mp.s_transform", "S-transform of the Marchenko–Pastur law from its R-transform", (Q,))
def derive_mp_s_transform(q: float | None = None) -> Derivation:
    qv = _val(q, ensembles.q)
    d = Derivation(
        "mp.s_transform",
        "S-transform of the white Wishart (Marchenko–Pastur) law",
        conventions=list(WISHART_CONVENTIONS),
        assumptions=[FREENESS],
        params={} if q is None else {"q": q},
    )
    d.result = _mp_s_steps(d, qv)
    return d


def _moments_eq(law: SpectralLaw, n: int) -> sp.Equality:
    ms = law.moments(n)[1:]
    lhs = sp.Matrix([sp.Symbol(f"m_{k}") for k in range(1, n + 1)])
    return sp.Eq(lhs, sp.Matrix([sp.factor(m) for m in ms]), evaluate=False)


def _g_equation_steps(d: Derivation, St: sp.Expr, label: str) -> sp.Expr:
    zeta = sp.simplify((1 + t) / (t * St))
    d.step(
        sp.Eq(sp.Function(r"\zeta")(t), zeta),
        "inverse of the t-transform: zeta(t) = (1+t)/(t S(t))",
    )
    d.step(sp.Eq(z * t, sp.factor(zeta * t)), "at z = zeta(t)")
    law = SpectralLaw.from_s_transform(label, St)
    eq = sp.Eq(sp.collect(law.g_equation, g), 0)
    d.step(eq, "substitute t = z g - 1 and clear denominators: the equation for g(z)")
    return law.g_equation


@derivation("mp.stieltjes", "Stieltjes transform of Marchenko–Pastur from its S-transform", (Q,))
def derive_mp_stieltjes(q: float | None = None) -> Derivation:
    qv = _val(q, ensembles.q)
    d = Derivation(
        "mp.stieltjes",
        "Marchenko–Pastur Stieltjes transform from its S-transform",
        conventions=list(WISHART_CONVENTIONS),
        assumptions=[FREENESS],
        params={} if q is None else {"q": q},
    )
    St = _mp_s_steps(d, qv)
    P = _g_equation_steps(d, St, "marchenko_pastur")
    law = ensembles.marchenko_pastur(qv)
    gc = law.stieltjes_closed_form()
    d.step(sp.Eq(g, gc), "physical root: sqrt(z-a)sqrt(z-b) (cut on the support), g ~ 1/z")
    d.step(
        _moments_eq(law, 4), "moments m_1..m_4 from the large-z expansion (Narayana polynomials)"
    )
    d.result = sp.Eq(sp.collect(P, g), 0)
    d.extras["closed_form"] = gc
    return d


@derivation("mp.density", "Marchenko–Pastur density by Stieltjes inversion", (Q,))
def derive_mp_density(q: float | None = None) -> Derivation:
    qv = _val(q, ensembles.q)
    d = derive_mp_stieltjes(q)
    d.name = "mp.density"
    d.title = "Marchenko–Pastur density by Stieltjes inversion"
    x = sp.Symbol("x", positive=True)
    xm, xp = (1 - sp.sqrt(qv)) ** 2, (1 + sp.sqrt(qv)) ** 2
    rho = sp.sqrt((xp - x) * (x - xm)) / (2 * sp.pi * qv * x)
    d.step(
        sp.Eq(sp.Function(r"\rho")(x), -sp.im(sp.Function("g")(sp.Symbol("x + i0^+"))) / sp.pi),
        "Stieltjes inversion on the real axis",
    )
    d.step(
        sp.Eq(sp.Function(r"\rho")(x), rho),
        "inside the support [(1-sqrt q)^2, (1+sqrt q)^2], the complex root",
    )
    atom = sp.Max(0, 1 - 1 / qv)
    d.step(sp.Eq(sp.Symbol(r"\mu(\{0\})"), atom), "atom at 0: lim z g(z) as z -> 0 (q > 1)")
    d.result = sp.Eq(sp.Function(r"\rho")(x), rho)
    return d


@derivation(
    "wishart_product.s_transform",
    "S-transform of the free product of two white Wisharts (S-multiplicativity)",
    (Q1, Q2),
)
def derive_wishart_product_s(q1: float | None = None, q2: float | None = None) -> Derivation:
    a, b = _val(q1, ensembles.q1), _val(q2, ensembles.q2)
    d = Derivation(
        "wishart_product.s_transform",
        "S-transform of W1^{1/2} W2 W1^{1/2} for independent white Wisharts",
        conventions=list(WISHART_CONVENTIONS) + [r"$q_i = D/P_i$"],
        assumptions=[FREENESS],
        params={k: v for k, v in (("q1", q1), ("q2", q2)) if v is not None},
    )
    S1 = ensembles.marchenko_pastur(a).s_transform()
    S2 = ensembles.marchenko_pastur(b).s_transform()
    d.step(sp.Eq(sp.Function("S_{W_1}")(t), S1), "Wishart S-transform, ratio q1")
    d.step(sp.Eq(sp.Function("S_{W_2}")(t), S2), "Wishart S-transform, ratio q2")
    law = ensembles.wishart_product(a, b)
    S = law.s_transform()
    d.step(sp.Eq(sp.Function("S_{W_1 W_2}")(t), S), "free multiplicative convolution: S = S1 S2")
    d.result = S
    d.extras["law"] = law
    return d


@derivation(
    "wishart_product.stieltjes",
    "Stieltjes equation of the product of two Wisharts from the S-transform product",
    (Q1, Q2),
)
def derive_wishart_product_stieltjes(
    q1: float | None = None, q2: float | None = None
) -> Derivation:
    d = derive_wishart_product_s(q1, q2)
    d.name, d.title = "wishart_product.stieltjes", "Product of two Wisharts: equation for g(z)"
    P = _g_equation_steps(d, d.result, "wishart_product")
    law = d.extras["law"]
    d.step(_moments_eq(law, 3), "moments from the large-z expansion (m_2 = 1 + q1 + q2)")
    d.result = sp.Eq(sp.collect(P, g), 0)
    return d


@derivation(
    "wishart_product.density",
    "Density of the product of two Wisharts: cubic g-equation, Herglotz inversion",
    (Q1, Q2),
)
def derive_wishart_product_density(q1: float | None = None, q2: float | None = None) -> Derivation:
    d = derive_wishart_product_stieltjes(q1, q2)
    d.name, d.title = "wishart_product.density", "Product of two Wisharts: spectral density"
    x = sp.Symbol("x", positive=True)
    d.step(
        sp.Eq(sp.Function(r"\rho")(x), -sp.im(sp.Function("g")(sp.Symbol("x + i0^+"))) / sp.pi),
        "Stieltjes inversion; the cubic's physical root is followed from large Im z (Herglotz)",
    )
    law = d.extras["law"]
    cands = law.atom_candidates()
    d.step(
        sp.Eq(sp.Symbol(r"\mu(\{0\})"), sp.FiniteSet(*cands), evaluate=False),
        "candidate atom masses at 0 from z g(z) as z -> 0; the numeric continuation picks one",
    )
    return d


@derivation("semicircle.stieltjes", "Wigner semicircle from its R-transform", (SVAR,))
def derive_semicircle(s: float | None = None) -> Derivation:
    sv = _val(s, ensembles.s)
    d = Derivation(
        "semicircle.stieltjes",
        "Wigner semicircle from its R-transform",
        conventions=[
            r"$H = \sqrt{s/D}\,(A+A^\top)/\sqrt{2}$, A i.i.d. N(0,1)",
            r"$g(z) = \frac1D \mathrm{Tr}(z-H)^{-1}$ (physics sign)",
        ],
        assumptions=["D -> infinity"],
        params={} if s is None else {"s": s},
    )
    d.step(sp.Eq(sp.Function("R")(w), sv * w), "R-transform of the semicircle (free cumulants)")
    d.step(sp.Eq(z, sv * g + 1 / g), "z = R(g) + 1/g (definition of R)")
    law = ensembles.semicircle(sv)
    d.step(sp.Eq(sp.collect(law.g_equation, g), 0), "clear denominators")
    gc = law.stieltjes_closed_form()
    d.step(sp.Eq(g, gc), "physical root: g ~ 1/z")
    d.result = sp.Eq(law.g_equation, 0)
    return d


# ============================================================================ solvers
@cache
def _family(kind: str) -> SpectralLaw:
    return {
        "mp": ensembles.marchenko_pastur,
        "wishart_product": ensembles.wishart_product,
        "semicircle": ensembles.semicircle,
    }[kind]()


def law_solver(kind: str, **values: float) -> StieltjesSolver:
    """Compiled Stieltjes solver of a registered family, e.g. ``law_solver("mp", q=0.5)``.

    Solvers are cached by (kind, values): support, atom and CDF work is done once."""
    return _law_solver_cached(kind, tuple(sorted((k, float(v)) for k, v in values.items())))


@lru_cache(maxsize=64)
def _law_solver_cached(kind: str, items: tuple[tuple[str, float], ...]) -> StieltjesSolver:
    names = {
        "mp": {"q": "q"},
        "wishart_product": {"q1": "q_1", "q2": "q_2"},
        "semicircle": {"s": "s"},
    }[kind]
    return stieltjes_solver(_family(kind), **{names[k]: v for k, v in items})


X_GRID = Param(
    "x",
    default=None,
    array_ok=True,
    help="points where the density is evaluated (default: 201 points over the support)",
)
ZRE = Param("z_re", default=1.0, array_ok=True, help="real part(s) of z")
ZIM = Param("z_im", default=0.1, ge=0, array_ok=True, help="imaginary part(s) of z (>= 0)")


def _density_values(sol: StieltjesSolver, x: Any) -> dict[str, Any]:
    sup = sol.support()
    if x is None:
        lo = min(a for a, _ in sup)
        hi = max(b for _, b in sup)
        x = np.linspace(lo, hi, 201)
    xa = np.atleast_1d(np.asarray(x, dtype=float))
    return {
        "x": xa,
        "density": sol.density(xa),
        "support": [[float(a), float(b)] for a, b in sup],
        "atom_at_zero": sol.atom_at_zero(),
        "mass": sol.mass(),
    }


def _stieltjes_values(sol: StieltjesSolver, z_re: Any, z_im: Any) -> dict[str, Any]:
    zr, zi = np.broadcast_arrays(np.atleast_1d(z_re), np.atleast_1d(z_im))
    gz = sol.g(zr + 1j * zi)
    scalar = np.ndim(z_re) == 0 and np.ndim(z_im) == 0
    return {
        "g_re": float(gz.real[0]) if scalar else gz.real,
        "g_im": float(gz.imag[0]) if scalar else gz.imag,
    }


@solver(
    "mp.density",
    "Marchenko–Pastur density, support, atom and mass",
    (Param("q", default=0.5, gt=0, help="aspect ratio D/P"), X_GRID),
)
def solve_mp_density(q: float, x: Any = None) -> dict[str, Any]:
    return _density_values(law_solver("mp", q=q), x)


@solver(
    "mp.stieltjes",
    "Marchenko–Pastur g(z) (physical branch) at Im z >= 0",
    (Param("q", default=0.5, gt=0, help="aspect ratio D/P"), ZRE, ZIM),
)
def solve_mp_stieltjes(q: float, z_re: Any, z_im: Any) -> dict[str, Any]:
    return _stieltjes_values(law_solver("mp", q=q), z_re, z_im)


@solver(
    "wishart_product.density",
    "Density of the free product of two white Wisharts",
    (
        Param("q1", default=0.5, gt=0, help="D/P1"),
        Param("q2", default=0.25, gt=0, help="D/P2"),
        X_GRID,
    ),
)
def solve_wp_density(q1: float, q2: float, x: Any = None) -> dict[str, Any]:
    return _density_values(law_solver("wishart_product", q1=q1, q2=q2), x)


@solver(
    "wishart_product.stieltjes",
    "g(z) of the free product of two white Wisharts",
    (
        Param("q1", default=0.5, gt=0, help="D/P1"),
        Param("q2", default=0.25, gt=0, help="D/P2"),
        ZRE,
        ZIM,
    ),
)
def solve_wp_stieltjes(q1: float, q2: float, z_re: Any, z_im: Any) -> dict[str, Any]:
    return _stieltjes_values(law_solver("wishart_product", q1=q1, q2=q2), z_re, z_im)


@solver(
    "semicircle.density",
    "Wigner semicircle density",
    (Param("s", default=1.0, gt=0, help="variance"), X_GRID),
)
def solve_sc_density(s: float, x: Any = None) -> dict[str, Any]:
    return _density_values(law_solver("semicircle", s=s), x)


# ============================================================================ claims
SIZE_FACTORS = (1, 2, 4)
LEVELS = (0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9)


def _quantile_points(sol: StieltjesSolver, levels: tuple[float, ...]) -> list[float]:
    """Test points near the quantiles of the continuous part of the law.

    Located from a cumulative trapezoid of the density on a grid (cheap); they only need to
    be fixed, well-spread points: the theory CDF *at* them is then computed accurately."""
    xs_all, cum_all = [], []
    total = 0.0
    for a, b in sol.support():
        grid = np.linspace(a, b, 801)
        rho = sol.density(grid)
        cum = total + np.concatenate([[0.0], np.cumsum(0.5 * (rho[1:] + rho[:-1]) * np.diff(grid))])
        total = cum[-1]
        xs_all.append(grid)
        cum_all.append(cum)
    grid, cum = np.concatenate(xs_all), np.concatenate(cum_all) / total
    return [float(np.round(np.interp(lv, cum, grid), 4)) for lv in levels]


def _cdf_claim(
    name: str,
    summary: str,
    params: tuple[Param, ...],
    law_of: Callable[[dict[str, Any]], StieltjesSolver],
    sizes: Callable[[dict[str, Any]], list[dict[str, Any]]],
    sample: Callable[[dict[str, Any], np.random.Generator], np.ndarray],
    derivation_name: str,
) -> Claim:
    """A density claim: the CDF at fixed points (theory quantiles of the nominal law) as
    observables. Per seed the empirical CDF of one matrix's eigenvalues is one replicate;
    replicates are independent, so mean ± stderr is a proper statistic (eigenvalues within one
    matrix are strongly correlated, so a pooled KS p-value would not be)."""

    def cases(p: dict[str, Any]) -> list[dict[str, Any]]:
        nominal = law_of(p)
        xs = _quantile_points(nominal, LEVELS)
        out = []
        for c in sizes(p):
            c["points"] = xs
            out.append(c)
        return out

    def theory(case: dict[str, Any]) -> dict[str, float]:
        sol = law_of(case)
        F = sol.cdf(np.array(case["points"]))
        return {f"cdf({x:g})": float(v) for x, v in zip(case["points"], F)}

    def perturb(vals: dict[str, float], case: dict[str, Any], eps: float) -> dict[str, float]:
        # dilate the theoretical law by (1 + eps): F_eps(x) = F(x / (1 + eps))
        sol = law_of(case)
        F = sol.cdf(np.array(case["points"]) / (1.0 + eps))
        return {f"cdf({x:g})": float(v) for x, v in zip(case["points"], F)}

    def simulate(case: dict[str, Any], rng: np.random.Generator, backend: Any) -> dict:
        eigs = np.sort(sample(case, rng))
        F = empirical_cdf(eigs, np.array(case["points"], dtype=float))
        return {f"cdf({x:g})": float(v) for x, v in zip(case["points"], F)}

    return Claim(
        name=name,
        summary=summary,
        params=params_set(params),
        theory=theory,
        simulate=simulate,
        cases=cases,
        perturb=perturb,
        tolerance=Tolerance(finite_size_coef=1.0, finite_size_power=1.0, systematic=2e-3),
        scale=lambda o, th: 1.0,
        default_seeds=20,
        derivation=derivation_name,
    )


def params_set(params: tuple[Param, ...]):
    from ..params import ParamSet

    return ParamSet(tuple(params))


D_PARAM = Param(
    "D", kind="int", default=200, ge=10, help="smallest matrix size; validated at D, 2D, 4D"
)


def _mp_sizes(p: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f in SIZE_FACTORS:
        D = p["D"] * f
        P = max(1, round(D / p["q"]))
        out.append({"q": D / P, "D": D, "P": P, "n": D})
    return out


register(
    _cdf_claim(
        "mp.density",
        "Marchenko–Pastur law: CDF of sampled white-Wishart eigenvalues vs the S-transform density",
        (Param("q", default=0.5, gt=0, help="aspect ratio D/P"), D_PARAM),
        lambda c: law_solver("mp", q=c["q"]),
        _mp_sizes,
        lambda c, rng: wishart_eigenvalues(np.ones(c["D"]), c["P"], rng),
        "mp.density",
    )
)


def _wp_sizes(p: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f in SIZE_FACTORS:
        D = p["D"] * f
        P1 = max(1, round(D / p["q1"]))
        P2 = max(1, round(D / p["q2"]))
        out.append({"q1": D / P1, "q2": D / P2, "D": D, "P1": P1, "P2": P2, "n": D})
    return out


register(
    _cdf_claim(
        "wishart_product.density",
        "Product of two Wisharts: sampled eigenvalue CDF vs the density from S = S1·S2",
        (
            Param("q1", default=0.5, gt=0, help="D/P1"),
            Param("q2", default=0.25, gt=0, help="D/P2"),
            D_PARAM,
        ),
        lambda c: law_solver("wishart_product", q1=c["q1"], q2=c["q2"]),
        _wp_sizes,
        lambda c, rng: wishart_product_eigenvalues(c["D"], c["P1"], c["P2"], rng),
        "wishart_product.density",
    )
)


register(
    _cdf_claim(
        "semicircle.density",
        "Wigner semicircle: CDF of sampled GOE eigenvalues vs the R-transform density",
        (Param("s", default=1.0, gt=0, help="variance"), D_PARAM),
        lambda c: law_solver("semicircle", s=c["s"]),
        lambda p: [{"s": p["s"], "D": p["D"] * f, "n": p["D"] * f} for f in SIZE_FACTORS],
        lambda c, rng: wigner_eigenvalues(c["D"], c["s"], rng),
        "semicircle.stieltjes",
    )
)


def _mp_stieltjes_claim() -> Claim:
    def points(c: dict[str, Any]) -> list[complex]:
        y = c["y"]
        return [complex(0.5, y), complex(1.0, y), complex(2.0, y), complex(-0.5, y)]

    def cases(p: dict[str, Any]) -> list[dict[str, Any]]:
        out = _mp_sizes(p)
        for c in out:
            c["y"] = p["y"]
        return out

    def names(c: dict[str, Any]) -> list[str]:
        return [f"{part} g({zz.real:g}{zz.imag:+g}i)" for zz in points(c) for part in ("Re", "Im")]

    def theory(c: dict[str, Any]) -> dict[str, float]:
        gz = law_solver("mp", q=c["q"]).g(np.array(points(c)))
        vals = [v for gg in gz for v in (gg.real, gg.imag)]
        return dict(zip(names(c), map(float, vals)))

    def simulate(c: dict[str, Any], rng: np.random.Generator, backend: Any) -> dict:
        eigs = wishart_eigenvalues(np.ones(c["D"]), c["P"], rng)
        gz = resolvent_trace(eigs, np.array(points(c)))
        vals = [v for gg in gz for v in (gg.real, gg.imag)]
        return dict(zip(names(c), map(float, vals)))

    return Claim(
        name="mp.stieltjes",
        summary="Marchenko–Pastur g(z) off the axis vs the sampled resolvent trace "
        "(1/D) Tr (z - W)^-1",
        params=params_set(
            (
                Param("q", default=0.5, gt=0, help="aspect ratio D/P"),
                D_PARAM,
                Param("y", default=0.2, gt=0, help="Im z of the test points"),
            )
        ),
        theory=theory,
        simulate=simulate,
        cases=cases,
        tolerance=Tolerance(finite_size_coef=1.0, finite_size_power=1.0, systematic=2e-3),
        scale=lambda o, th: 1.0,
        default_seeds=20,
        derivation="mp.stieltjes",
    )


register(_mp_stieltjes_claim())
