r"""The Wigner semicircle (``semicircle.*``): derivation, compiled solver and claim.

Conventions (docs/conventions.md): :math:`H=\sqrt{s/D}\,(A+A^\top)/\sqrt2`, A i.i.d.
N(0, 1); physics Stieltjes transform :math:`g(z)=\frac1D\operatorname{Tr}(z-H)^{-1}`. From
:math:`R(w)=s\,w` and :math:`z=R(g)+1/g`: :math:`s\,g^2-z\,g+1=0`, physical root
:math:`g\sim1/z`; density :math:`\rho(x)=\sqrt{4s-x^2}/(2\pi s)`.
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
    SIZE_FACTORS,
    X_GRID,
    cdf_claim,
    density_values,
    g_equation_coefficients,
    herglotz_root,
    law_solver,
    sym_value,
)

SVAR = Param("s", default=None, gt=0, help="semicircle variance (symbolic if omitted)")
S_NUM = Param("s", default=1.0, gt=0, help="variance")


@derivation("semicircle.stieltjes", "Wigner semicircle from its R-transform", (SVAR,))
def derive_semicircle(s: float | None = None) -> Any:
    import sympy as sp

    from ..symbolic import ensembles
    from ..symbolic.derivation import Derivation
    from ..symbolic.transforms import g, w, z

    sv = sym_value(s, ensembles.s)
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


@cache
def _g_coefficients() -> Any:
    from ..symbolic import ensembles

    return g_equation_coefficients(derive_semicircle().result, (ensembles.s,))


def check_density(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random variance s and points x in the bulk; the density -Im g(x + i0)/pi from the
    Herglotz root of the derivation's equation (mpmath, 30 digits)."""
    import mpmath as mp

    s = float(10 ** rng.uniform(np.log10(0.2), np.log10(4.0)))
    out = []
    with mp.workdps(30):
        for x in rng.uniform(-3, 3, 12) * s**0.5:  # the support is [-2 sqrt s, 2 sqrt s]
            gz = herglotz_root(_g_coefficients(), mp.mpc(x, 0), mp.mpf(s))
            rho = float(-gz.imag / mp.pi)
            if rho > 1e-3:
                out.append((float(x), rho))
            if len(out) == 4:
                break
    return {"s": s, "x": np.array([x for x, _ in out])}, {"density": np.array([r for _, r in out])}


@solver(
    "semicircle.density",
    "Wigner semicircle density",
    (S_NUM, X_GRID),
    derivation="semicircle.stieltjes",
    check=check_density,
    check_rtol=1e-8,
)
def solve_sc_density(s: float, x: Any = None) -> dict[str, Any]:
    return density_values(law_solver("semicircle", s=s), x)


def _sc_law(case: dict[str, Any]) -> Any:
    return law_solver("semicircle", s=case["s"])


def _sc_sizes(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"s": p["s"], "D": p["D"] * f, "n": p["D"] * f} for f in SIZE_FACTORS]


def _sample_goe(case: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    from ..simulate.eigen import wigner_eigenvalues

    return wigner_eigenvalues(case["D"], case["s"], rng)


register(
    cdf_claim(
        "semicircle.density",
        "Wigner semicircle: CDF of sampled GOE eigenvalues vs the R-transform density",
        (S_NUM, D_PARAM),
        _sc_law,
        _sc_sizes,
        _sample_goe,
        "semicircle.stieltjes",
        "semicircle.density",
        check_params={"D": 100},
        check_seeds=12,
    )
)
