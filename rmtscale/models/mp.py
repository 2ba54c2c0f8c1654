r"""The Marchenko–Pastur law (``mp.*``): derivations, compiled solvers and claims.

Conventions (docs/conventions.md): :math:`W=Z^\top Z/P`, :math:`q=D/P`; physics Stieltjes
transform :math:`g(z)=\frac1D\operatorname{Tr}(z-W)^{-1}`; Voiculescu's S-transform
:math:`S_W(t)=1/(1+qt)`. The Stieltjes equation derived here is

.. math:: q z g^2 - (z - 1 + q) g + 1 = 0,

(up to normalization), with the physical root chosen by :math:`g\sim1/z` (Herglotz), and the
density :math:`\rho(x)=\sqrt{(x_+-x)(x-x_-)}/(2\pi q x)`, :math:`x_\pm=(1\pm\sqrt q)^2`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from ..params import Param, ParamSet
from ..registry import derivation, solver
from ..validate.claims import Claim, register
from ..validate.stats import Tolerance
from ._laws import (
    D_PARAM,
    FREENESS,
    SIZE_FACTORS,
    WISHART_CONVENTIONS,
    X_GRID,
    ZIM,
    ZRE,
    cdf_claim,
    density_values,
    draw_z,
    g_equation_coefficients,
    g_equation_steps,
    herglotz_root,
    law_solver,
    moments_eq,
    stieltjes_values,
    sym_value,
    unit_scale,
)

Q = Param("q", default=None, gt=0, help="aspect ratio D/P (symbolic if omitted)")
Q_NUM = Param("q", default=0.5, gt=0, help="aspect ratio D/P")


# ============================================================================ derivations
def s_transform_steps(d: Any, qv: Any) -> Any:
    """Steps R_W -> S_W of the white Wishart; returns S_W(t)."""
    import sympy as sp

    from ..symbolic.transforms import t, w

    S = sp.Symbol("S")
    R = 1 / (1 - qv * w)
    d.step(
        sp.Eq(sp.Function("R_W")(w), R),
        "R-transform of the white Wishart (free Poisson law with rate 1/q, jump q)",
    )
    d.step(sp.Eq(S, 1 / R.subs(w, t * S)), "S and R are linked by S(t) = 1/R(t S(t))")
    sol = list(sp.solve(sp.Eq(S, 1 / R.subs(w, t * S)), S))
    St = sp.simplify(sol[0])
    d.step(sp.Eq(sp.Function("S_W")(t), St), "solve the linear equation for S")
    df = sp.Symbol(r"\mathrm{df}")
    d.step(
        sp.Eq(sp.Function("S_W")(df), St.subs(t, -df)),
        "the paper's df convention: evaluate at t = -df (negative real axis z = -lambda)",
    )
    return St


def _new(name: str, title: str, q: float | None) -> Any:
    from ..symbolic.derivation import Derivation

    return Derivation(
        name,
        title,
        conventions=list(WISHART_CONVENTIONS),
        assumptions=[FREENESS],
        params={} if q is None else {"q": q},
    )


@derivation("mp.s_transform", "S-transform of the Marchenko–Pastur law from its R-transform", (Q,))
def derive_mp_s_transform(q: float | None = None) -> Any:
    from ..symbolic import ensembles

    d = _new("mp.s_transform", "S-transform of the white Wishart (Marchenko–Pastur) law", q)
    d.result = s_transform_steps(d, sym_value(q, ensembles.q))
    return d


@derivation("mp.stieltjes", "Stieltjes transform of Marchenko–Pastur from its S-transform", (Q,))
def derive_mp_stieltjes(q: float | None = None) -> Any:
    import sympy as sp

    from ..symbolic import ensembles
    from ..symbolic.transforms import g

    qv = sym_value(q, ensembles.q)
    d = _new("mp.stieltjes", "Marchenko–Pastur Stieltjes transform from its S-transform", q)
    St = s_transform_steps(d, qv)
    P = g_equation_steps(d, St, "marchenko_pastur")
    law = ensembles.marchenko_pastur(qv)
    gc = law.stieltjes_closed_form()
    d.step(sp.Eq(g, gc), "physical root: sqrt(z-a)sqrt(z-b) (cut on the support), g ~ 1/z")
    d.step(moments_eq(law, 4), "moments m_1..m_4 from the large-z expansion (Narayana polynomials)")
    d.result = sp.Eq(sp.collect(P, g), 0)
    d.extras["closed_form"] = gc
    return d


@derivation("mp.density", "Marchenko–Pastur density by Stieltjes inversion", (Q,))
def derive_mp_density(q: float | None = None) -> Any:
    import sympy as sp

    from ..symbolic import ensembles

    qv = sym_value(q, ensembles.q)
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


# ============================================================================ solver checks
def _draw_q(rng: np.random.Generator) -> float:
    return float(10 ** rng.uniform(-1.0, np.log10(3.0)))


@cache
def _density_reference() -> Any:
    import sympy as sp

    from ..symbolic import ensembles

    rho = derive_mp_density().result.rhs
    (x,) = rho.free_symbols - {ensembles.q}
    return sp.lambdify((x, ensembles.q), rho, modules="mpmath")


def check_density(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random q and points x in the bulk; the density from the derivation's closed form
    (mpmath, 30 digits; its real part, which is 0 off the support)."""
    import mpmath as mp

    q = _draw_q(rng)
    rho = _density_reference()
    with mp.workdps(30):
        cand = [(float(x), float(mp.re(rho(mp.mpf(x), mp.mpf(q))))) for x in rng.uniform(0, 8, 60)]
    bulk = [(x, r) for x, r in cand if r > 1e-3][:6]
    xs = np.array([x for x, _ in bulk])
    return {"q": q, "x": xs}, {"density": np.array([r for _, r in bulk])}


@cache
def _g_coefficients() -> Any:
    from ..symbolic import ensembles

    return g_equation_coefficients(derive_mp_stieltjes().result, (ensembles.q,))


def check_stieltjes(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random q and z off the axis; g(z) = the Herglotz root of the derivation's equation
    (mpmath, 30 digits)."""
    import mpmath as mp

    q = _draw_q(rng)
    zr, zi = draw_z(rng, (-1.0, (1 + q**0.5) ** 2 + 1))
    with mp.workdps(30):
        gz = herglotz_root(_g_coefficients(), mp.mpc(zr, zi), mp.mpf(q))
    return {"q": q, "z_re": zr, "z_im": zi}, {"g_re": float(gz.real), "g_im": float(gz.imag)}


# ============================================================================ solvers
@solver(
    "mp.density",
    "Marchenko–Pastur density, support, atom and mass",
    (Q_NUM, X_GRID),
    derivation="mp.density",
    check=check_density,
    check_rtol=1e-8,
)
def solve_mp_density(q: float, x: Any = None) -> dict[str, Any]:
    return density_values(law_solver("mp", q=q), x)


@solver(
    "mp.stieltjes",
    "Marchenko–Pastur g(z) (physical branch) at Im z >= 0",
    (Q_NUM, ZRE, ZIM),
    derivation="mp.stieltjes",
    check=check_stieltjes,
    check_rtol=1e-8,
)
def solve_mp_stieltjes(q: float, z_re: Any, z_im: Any) -> dict[str, Any]:
    return stieltjes_values(law_solver("mp", q=q), z_re, z_im)


# ============================================================================ claims
def mp_sizes(p: dict[str, Any]) -> list[dict[str, Any]]:
    """Cases at D, 2D, 4D with P = round(D/q) (q recomputed as D/P)."""
    out = []
    for f in SIZE_FACTORS:
        D = p["D"] * f
        P = max(1, round(D / p["q"]))
        out.append({"q": D / P, "D": D, "P": P, "n": D})
    return out


def _mp_law(case: dict[str, Any]) -> Any:
    return law_solver("mp", q=case["q"])


def _sample_wishart(case: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    from ..simulate.eigen import wishart_eigenvalues

    return wishart_eigenvalues(np.ones(case["D"]), case["P"], rng)


register(
    cdf_claim(
        "mp.density",
        "Marchenko–Pastur law: CDF of sampled white-Wishart eigenvalues vs the S-transform density",
        (Q_NUM, D_PARAM),
        _mp_law,
        mp_sizes,
        _sample_wishart,
        "mp.density",
        "mp.density",
        check_params={"D": 100},
        check_seeds=12,
    )
)


def _points(c: dict[str, Any]) -> list[complex]:
    y = c["y"]
    return [complex(0.5, y), complex(1.0, y), complex(2.0, y), complex(-0.5, y)]


def _g_dict(c: dict[str, Any], gz: np.ndarray) -> dict[str, float]:
    names = [f"{part} g({zz.real:g}{zz.imag:+g}i)" for zz in _points(c) for part in ("Re", "Im")]
    vals = [v for gg in gz for v in (gg.real, gg.imag)]
    return dict(zip(names, map(float, vals)))


def _stieltjes_cases(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**c, "y": p["y"]} for c in mp_sizes(p)]


def _stieltjes_theory(c: dict[str, Any]) -> dict[str, float]:
    return _g_dict(c, law_solver("mp", q=c["q"]).g(np.array(_points(c))))


def _stieltjes_simulate(c: dict[str, Any], rng: np.random.Generator, backend: Any) -> dict:
    from ..simulate.eigen import resolvent_trace

    return _g_dict(c, resolvent_trace(_sample_wishart(c, rng), np.array(_points(c))))


register(
    Claim(
        name="mp.stieltjes",
        summary="Marchenko–Pastur g(z) off the axis vs the sampled resolvent trace "
        "(1/D) Tr (z - W)^-1",
        params=ParamSet(
            (Q_NUM, D_PARAM, Param("y", default=0.2, gt=0, help="Im z of the test points"))
        ),
        theory=_stieltjes_theory,
        simulate=_stieltjes_simulate,
        cases=_stieltjes_cases,
        tolerance=Tolerance(finite_size_coef=1.0, finite_size_power=1.0, systematic=2e-3),
        scale=unit_scale,
        default_seeds=20,
        derivation="mp.stieltjes",
        solver="mp.stieltjes",
        check_params={"D": 100},
        check_seeds=12,
        check_perturb=0.03,
    )
)
