r"""The free product of two white Wisharts (``wishart_product.*``): derivations, compiled
solvers and claim.

Conventions (docs/conventions.md): :math:`W_i=Z_i^\top Z_i/P_i`, :math:`q_i=D/P_i`; physics
Stieltjes transform. S-multiplicativity of free products,
:math:`S_{W_1W_2}(t)=S_{W_1}(t)\,S_{W_2}(t)=\frac{1}{(1+q_1t)(1+q_2t)}`, gives a cubic
equation for g(z) whose physical root is followed from :math:`g\sim1/z` (Herglotz).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from ..params import Param
from ..registry import derivation, solver
from ..validate.claims import register
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
)

Q1 = Param("q1", default=None, gt=0, help="aspect ratio D/P1 of the first Wishart")
Q2 = Param("q2", default=None, gt=0, help="aspect ratio D/P2 of the second Wishart")
Q1_NUM = Param("q1", default=0.5, gt=0, help="D/P1")
Q2_NUM = Param("q2", default=0.25, gt=0, help="D/P2")


# ============================================================================ derivations
@derivation(
    "wishart_product.s_transform",
    "S-transform of the free product of two white Wisharts (S-multiplicativity)",
    (Q1, Q2),
)
def derive_wishart_product_s(q1: float | None = None, q2: float | None = None) -> Any:
    import sympy as sp

    from ..symbolic import ensembles
    from ..symbolic.derivation import Derivation
    from ..symbolic.transforms import t

    a, b = sym_value(q1, ensembles.q1), sym_value(q2, ensembles.q2)
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
def derive_wishart_product_stieltjes(q1: float | None = None, q2: float | None = None) -> Any:
    import sympy as sp

    from ..symbolic.transforms import g

    d = derive_wishart_product_s(q1, q2)
    d.name, d.title = "wishart_product.stieltjes", "Product of two Wisharts: equation for g(z)"
    P = g_equation_steps(d, d.result, "wishart_product")
    law = d.extras["law"]
    d.step(moments_eq(law, 3), "moments from the large-z expansion (m_2 = 1 + q1 + q2)")
    d.result = sp.Eq(sp.collect(P, g), 0)
    return d


@derivation(
    "wishart_product.density",
    "Density of the product of two Wisharts: cubic g-equation, Herglotz inversion",
    (Q1, Q2),
)
def derive_wishart_product_density(q1: float | None = None, q2: float | None = None) -> Any:
    import sympy as sp

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


# ============================================================================ solver checks
def _draw_q(rng: np.random.Generator) -> tuple[float, float]:
    q1, q2 = (float(v) for v in 10 ** rng.uniform(-1.0, np.log10(2.0), 2))
    return q1, q2


@cache
def _g_coefficients() -> Any:
    from ..symbolic import ensembles

    return g_equation_coefficients(
        derive_wishart_product_density().result, (ensembles.q1, ensembles.q2)
    )


def check_density(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """Random (q1, q2) and points x in the bulk; the density -Im g(x + i0)/pi from the
    Herglotz root of the derivation's cubic (mpmath, 30 digits)."""
    import mpmath as mp

    q1, q2 = _draw_q(rng)
    hi = (1 + q1**0.5) ** 2 * (1 + q2**0.5) ** 2  # a bound on the support, only to draw points
    out = []
    with mp.workdps(30):
        for x in rng.uniform(0, hi, 16):
            gz = herglotz_root(_g_coefficients(), mp.mpc(x, 0), mp.mpf(q1), mp.mpf(q2))
            rho = float(-gz.imag / mp.pi)
            if rho > 1e-3:
                out.append((float(x), rho))
            if len(out) == 4:
                break
    return {"q1": q1, "q2": q2, "x": np.array([x for x, _ in out])}, {
        "density": np.array([r for _, r in out])
    }


def check_stieltjes(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """Random (q1, q2) and z off the axis; g(z) = the Herglotz root of the derivation's cubic
    (mpmath, 30 digits)."""
    import mpmath as mp

    q1, q2 = _draw_q(rng)
    zr, zi = draw_z(rng, (-1.0, (1 + q1**0.5) ** 2 * (1 + q2**0.5) ** 2 + 1))
    with mp.workdps(30):
        gz = herglotz_root(_g_coefficients(), mp.mpc(zr, zi), mp.mpf(q1), mp.mpf(q2))
    params = {"q1": q1, "q2": q2, "z_re": zr, "z_im": zi}
    return params, {"g_re": float(gz.real), "g_im": float(gz.imag)}


# ============================================================================ solvers
@solver(
    "wishart_product.density",
    "Density of the free product of two white Wisharts",
    (Q1_NUM, Q2_NUM, X_GRID),
    derivation="wishart_product.density",
    check=check_density,
    check_rtol=1e-8,
)
def solve_wp_density(q1: float, q2: float, x: Any = None) -> dict[str, Any]:
    return density_values(law_solver("wishart_product", q1=q1, q2=q2), x)


@solver(
    "wishart_product.stieltjes",
    "g(z) of the free product of two white Wisharts",
    (Q1_NUM, Q2_NUM, ZRE, ZIM),
    derivation="wishart_product.stieltjes",
    check=check_stieltjes,
    check_rtol=1e-8,
)
def solve_wp_stieltjes(q1: float, q2: float, z_re: Any, z_im: Any) -> dict[str, Any]:
    return stieltjes_values(law_solver("wishart_product", q1=q1, q2=q2), z_re, z_im)


# ============================================================================ claim
def _wp_sizes(p: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f in SIZE_FACTORS:
        D = p["D"] * f
        P1 = max(1, round(D / p["q1"]))
        P2 = max(1, round(D / p["q2"]))
        out.append({"q1": D / P1, "q2": D / P2, "D": D, "P1": P1, "P2": P2, "n": D})
    return out


def _wp_law(case: dict[str, Any]) -> Any:
    return law_solver("wishart_product", q1=case["q1"], q2=case["q2"])


def _sample(case: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    from ..simulate.eigen import wishart_product_eigenvalues

    return wishart_product_eigenvalues(case["D"], case["P1"], case["P2"], rng)


register(
    cdf_claim(
        "wishart_product.density",
        "Product of two Wisharts: sampled eigenvalue CDF vs the density from S = S1·S2",
        (Q1_NUM, Q2_NUM, D_PARAM),
        _wp_law,
        _wp_sizes,
        _sample,
        "wishart_product.density",
        "wishart_product.density",
        check_params={"D": 100},
        check_seeds=12,
    )
)
