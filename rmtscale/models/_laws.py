r"""Shared machinery of the spectral-law models ``mp``, ``semicircle`` and ``wishart_product``
(not a model itself: it registers nothing).

Conventions (docs/conventions.md): :math:`W=Z^\top Z/P`, :math:`Z\in\mathbb R^{P\times D}`
standard Gaussian, :math:`q=D/P` (unit mean eigenvalue); physics Stieltjes transform
:math:`g(z)=\frac1D\operatorname{Tr}(z-W)^{-1}` (so :math:`g\sim1/z` and
:math:`\operatorname{Im}g<0` for :math:`\operatorname{Im}z>0`); S-transform in Voiculescu's
sign (:math:`S_W(t)=1/(1+qt)`), with the paper's df convention
:math:`S_W(\mathrm{df})=1/(1-q\,\mathrm{df})`.

Contents: derivation steps shared by the laws (:func:`g_equation_steps`), the compiled
solvers (:func:`law_solver`) and their outputs, the CDF claim factory (:func:`cdf_claim`),
and the high-precision reference of the solver checks (:func:`herglotz_root`,
:func:`g_equation_coefficients`). sympy, numba and the samplers are imported inside functions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

import numpy as np

from ..params import Param, ParamSet
from ..validate.claims import Claim
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

X_GRID = Param(
    "x",
    default=None,
    array_ok=True,
    help="points where the density is evaluated (default: 201 points over the support)",
)
ZRE = Param("z_re", default=1.0, array_ok=True, help="real part(s) of z")
ZIM = Param("z_im", default=0.1, ge=0, array_ok=True, help="imaginary part(s) of z (>= 0)")
D_PARAM = Param(
    "D", kind="int", default=200, ge=10, help="smallest matrix size; validated at D, 2D, 4D"
)
SIZE_FACTORS = (1, 2, 4)
LEVELS = (0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9)


def sym_value(x: Any, sym: Any) -> Any:
    """``sym`` if ``x`` is None (the parameter stays symbolic), else ``x`` as a sympy number."""
    import sympy as sp

    return sym if x is None else sp.nsimplify(x)


# ============================================================================ derivation steps
def moments_eq(law: Any, n: int) -> Any:
    """The equation (m_1, …, m_n) = the law's moments (from the large-z expansion)."""
    import sympy as sp

    ms = law.moments(n)[1:]
    lhs = sp.Matrix([sp.Symbol(f"m_{k}") for k in range(1, n + 1)])
    return sp.Eq(lhs, sp.Matrix([sp.factor(m) for m in ms]), evaluate=False)


def g_equation_steps(d: Any, St: Any, label: str) -> Any:
    """Steps from an S-transform ``St`` to the polynomial equation P(g, z) = 0; returns P."""
    import sympy as sp

    from ..symbolic.transforms import SpectralLaw, g, t, z

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


# ============================================================================ solvers
_FACTORIES = {
    "mp": "marchenko_pastur",
    "wishart_product": "wishart_product",
    "semicircle": "semicircle",
}


@cache
def _family(kind: str) -> Any:
    from ..symbolic import ensembles

    return getattr(ensembles, _FACTORIES[kind])()


def law_solver(kind: str, **values: float) -> Any:
    """Compiled Stieltjes solver of a registered family, e.g. ``law_solver("mp", q=0.5)``.

    Solvers are cached by (kind, values): support, atom and CDF work is done once."""
    return _law_solver_cached(kind, tuple(sorted((k, float(v)) for k, v in values.items())))


@lru_cache(maxsize=64)
def _law_solver_cached(kind: str, items: tuple[tuple[str, float], ...]) -> Any:
    from ..numeric.stieltjes import family_solver

    names = {
        "mp": {"q": "q"},
        "wishart_product": {"q1": "q_1", "q2": "q_2"},
        "semicircle": {"s": "s"},
    }[kind]
    # compiled from the family's g-equation and cached on disk: a warm process needs no sympy
    factory = f"rmtscale.symbolic.ensembles:{_FACTORIES[kind]}"
    return family_solver(factory, **{names[k]: v for k, v in items})


def density_values(sol: Any, x: Any) -> dict[str, Any]:
    """Outputs of a density solver: x, density, support, atom at zero, total mass."""
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


def stieltjes_values(sol: Any, z_re: Any, z_im: Any) -> dict[str, Any]:
    """Outputs of a Stieltjes solver: Re g and Im g (floats, or arrays on a grid)."""
    zr, zi = np.broadcast_arrays(np.atleast_1d(z_re), np.atleast_1d(z_im))
    gz = sol.g(zr + 1j * zi)
    scalar = np.ndim(z_re) == 0 and np.ndim(z_im) == 0
    return {
        "g_re": float(gz.real[0]) if scalar else gz.real,
        "g_im": float(gz.imag[0]) if scalar else gz.imag,
    }


# ============================================================================ reference (checks)
def g_equation_coefficients(equation: Any, params: tuple[Any, ...]) -> Callable[..., list]:
    """``coeffs(z, *params)``: the coefficients (highest degree first) of a derivation's
    polynomial equation ``P(g, z) = 0`` in g, as mpmath numbers (sympy ``lambdify``)."""
    import sympy as sp

    from ..symbolic.transforms import g, z

    expr = equation.lhs - equation.rhs if isinstance(equation, sp.Equality) else equation
    poly = sp.Poly(sp.expand(expr), g)
    fns = [sp.lambdify((z, *params), c, modules="mpmath") for c in poly.all_coeffs()]

    def coeffs(zv: Any, *pv: Any) -> list:
        return [f(zv, *pv) for f in fns]

    return coeffs


def herglotz_root(coeffs: Callable[..., list], zv: Any, *pv: Any, steps: int = 40) -> Any:
    """The physical root g(z) of P(g, z) = 0 at ``zv`` (Im z >= 0), at mpmath precision.

    Branch by physics, not by a principal square root: far up the vertical line through z
    (at Im z = Y, |z| large) the physical root is the one nearest 1/z (g ~ 1/z); it is then
    followed down to z along geometrically spaced heights, at each height taking the root
    nearest the previous one (the roots are continuous in z). Raises ``ArithmeticError`` if
    the result breaks Herglotz (Im g > 0 for Im z >= 0 beyond rounding)."""
    import mpmath as mp

    zv = mp.mpc(zv)
    x, y = zv.real, zv.imag
    top = 1e4 * (1 + abs(zv))
    low = y if y > 0 else mp.mpf(10) ** -25
    heights = [top * (low / top) ** (mp.mpf(k) / steps) for k in range(steps + 1)]
    if y == 0:
        heights.append(mp.mpf(0))
    prev = None
    for h in heights:
        zz = mp.mpc(x, h)
        roots = mp.polyroots(coeffs(zz, *pv), maxsteps=400, extraprec=4 * mp.mp.prec)
        target = 1 / zz if prev is None else prev
        prev = min(roots, key=lambda r: abs(r - target))
    if prev.imag > mp.mpf(10) ** (-mp.mp.dps // 2):
        raise ArithmeticError(f"root followed to z = {zv} breaks Herglotz (Im g = {prev.imag})")
    return prev


def draw_z(rng: np.random.Generator, re: tuple[float, float]) -> tuple[float, float]:
    """A random test point z = (Re z, Im z) off the axis, Im z in [0.02, 2] (log-uniform)."""
    return float(rng.uniform(*re)), float(10 ** rng.uniform(np.log10(0.02), np.log10(2.0)))


# ============================================================================ claims
def _quantile_points(sol: Any, levels: tuple[float, ...]) -> list[float]:
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


def unit_scale(observable: str, theory: float) -> float:  # noqa: ARG001
    """Scale of a CDF or g observable in the tolerance model: 1 (they are O(1))."""
    return 1.0


class CdfClaim:
    """theory / perturb / simulate / cases of a density claim (see :func:`cdf_claim`)."""

    def __init__(self, law_of: Callable, sizes: Callable, sample: Callable):
        self.law_of, self.sizes, self.sample = law_of, sizes, sample

    def cases(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        xs = _quantile_points(self.law_of(p), LEVELS)
        return [{**c, "points": xs} for c in self.sizes(p)]

    def _cdf(self, case: dict[str, Any], dilation: float) -> dict[str, float]:
        F = self.law_of(case).cdf(np.array(case["points"]) / dilation)
        return {f"cdf({x:g})": float(v) for x, v in zip(case["points"], F)}

    def theory(self, case: dict[str, Any]) -> dict[str, float]:
        return self._cdf(case, 1.0)

    def perturb(self, vals: dict[str, float], case: dict[str, Any], eps: float) -> dict:
        """The theoretical law dilated by (1 + eps): F_eps(x) = F(x / (1 + eps))."""
        return self._cdf(case, 1.0 + eps)

    def simulate(self, case: dict[str, Any], rng: np.random.Generator, backend: Any) -> dict:
        from ..simulate.eigen import empirical_cdf

        eigs = np.sort(self.sample(case, rng))
        F = empirical_cdf(eigs, np.array(case["points"], dtype=float))
        return {f"cdf({x:g})": float(v) for x, v in zip(case["points"], F)}


def cdf_claim(
    name: str,
    summary: str,
    params: tuple[Param, ...],
    law_of: Callable[[dict[str, Any]], Any],
    sizes: Callable[[dict[str, Any]], list[dict[str, Any]]],
    sample: Callable[[dict[str, Any], np.random.Generator], np.ndarray],
    derivation_name: str,
    solver_name: str,
    check_params: dict[str, Any],
    check_seeds: int,
    check_perturb: float = 0.03,
) -> Claim:
    """A density claim: the CDF at fixed points (theory quantiles of the nominal law) as
    observables. Per seed the empirical CDF of one matrix's eigenvalues is one replicate;
    replicates are independent, so mean ± stderr is a proper statistic (eigenvalues within one
    matrix are strongly correlated, so a pooled KS p-value would not be). The contract's
    perturbation is a 3% dilation of the law (``check_perturb``)."""
    c = CdfClaim(law_of, sizes, sample)
    return Claim(
        name=name,
        summary=summary,
        params=ParamSet(tuple(params)),
        theory=c.theory,
        simulate=c.simulate,
        cases=c.cases,
        perturb=c.perturb,
        tolerance=Tolerance(finite_size_coef=1.0, finite_size_power=1.0, systematic=2e-3),
        scale=unit_scale,
        default_seeds=20,
        derivation=derivation_name,
        solver=solver_name,
        check_params=check_params,
        check_seeds=check_seeds,
        check_perturb=check_perturb,
    )
