r"""Numeric Stieltjes transforms and densities from a g-equation :math:`P(z,g)=0`.

Branch selection is done by the physics, never by a principal ``sqrt``:
for each target point :math:`z_*=x+iy` the roots of :math:`P(z,\cdot)` are followed along
:math:`z=x+i\eta`, with η decreasing geometrically from far above the support (where the
physical root is the one closest to :math:`1/z`) down to y, at each step taking the root
nearest the previous one among those with :math:`\operatorname{Im} g\le0` (Herglotz, physics
sign: :math:`-g` maps the upper half plane to itself). For :math:`y=0` a last step solves on
the real axis and :math:`\rho(x)=-\operatorname{Im} g(x+i0)/\pi`.

All loops are numba-compiled; the coefficient function of P is generated from sympy by
:mod:`rmtscale.numeric.codegen` and cached on disk. :func:`family_solver` also compiles the
support bound and the atom candidates of a law family, so a warm process builds a solver
without importing sympy.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numba
import numpy as np

from .codegen import CompiledFunction, cached, generate_source, load_module

if TYPE_CHECKING:  # sympy is imported inside the functions that need it
    import sympy as sp

    from ..symbolic.transforms import SpectralLaw

# ``g`` opens one numba parallel region per continuation step. OpenMP's default (active)
# wait policy keeps idle workers spinning between regions, so on a busy machine every step
# waits for a scheduler slice (~2 s per call instead of ms). Must be set before the OpenMP
# runtime loads, i.e. before the first parallel call; an explicit user setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@numba.njit(cache=True)
def _roots(c):
    # drop exactly vanishing leading coefficients (z = 0); tiny ones are kept on purpose:
    # they carry the large roots (g ~ z^-k) that must stay distinct from the physical one
    i = 0
    while i < c.size - 1 and c[i] == 0:
        i += 1
    return np.roots(c[i:])


@numba.njit(cache=True, parallel=True)
def _pick_nearest(C, target, herglotz_tol, status):
    """Row-wise: the root of polynomial C[i] nearest target[i] with Im g <= tol[i]."""
    n = C.shape[0]
    out = np.empty(n, dtype=np.complex128)
    for i in numba.prange(n):
        roots = _roots(C[i])
        best = -1
        bestd = np.inf
        for k in range(roots.size):
            r = roots[k]
            if r.imag > herglotz_tol[i]:
                continue
            d = abs(r - target[i])
            if d < bestd:
                bestd = d
                best = k
        if best < 0:
            status[i] = 1
            out[i] = target[i]
        else:
            out[i] = roots[best]
    return out


_ATOM_CACHE: dict[str, list[sp.Expr]] = {}


def __getattr__(name: str) -> Any:  # ``g`` (the sympy symbol) stays importable from here
    if name == "g":
        from ..symbolic.transforms import g

        return g
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _family_module(law: SpectralLaw, extras: bool) -> CompiledFunction:
    """Generate and load the module of a law *family* (parameters stay arguments):
    ``gcoeffs(z, *params)`` — the g-coefficients of P(z, g; params); ``many(zs, pv)`` — them
    over an array of z, shape ``(len(zs), degree + 1)``; with ``extras`` also
    ``bounds(*params)`` — the support bound — and ``atoms(*params)`` — the atom candidates
    (complex arrays), and the constants ``LAW`` and ``PARAMS``. Cached on disk with its numba
    machine code (:func:`rmtscale.numeric.codegen.load_module`)."""
    import sympy as sp

    from ..symbolic.transforms import z

    coeffs = [sp.sympify(c) for c in law.g_coefficients()]
    pars = list(law.parameters)
    source = generate_source([z, *pars], coeffs, name="gcoeffs", dtype="complex128")
    # numba cannot splat an array into arguments: generate the call for this arity
    call = ", ".join(["zs[i]"] + [f"pv[{k}]" for k in range(len(pars))])
    parts = [
        source,
        "def many(zs, pv):\n"
        f"    out = np.empty((zs.size, {len(coeffs)}), dtype=np.complex128)\n"
        "    for i in range(zs.size):\n"
        f"        out[i, :] = gcoeffs({call})\n"
        "    return out\n",
    ]
    names = ["gcoeffs", "many"]
    if extras:
        if law.support_bound is None:
            raise ValueError(f"{law.name}: no support bound; give one to locate the density")
        for fname, exprs in [("bounds", law.support_bound), ("atoms", law.atom_candidates())]:
            exprs = [sp.sympify(e) for e in exprs]
            parts.append(generate_source(pars, exprs, name=fname, dtype="complex128"))
            names.append(fname)
        parts.append(f"LAW = {law.name!r}\nPARAMS = {tuple(str(p) for p in pars)!r}\n")
    module = load_module("\n\n".join(parts), names)
    return CompiledFunction(source, "gcoeffs", module.gcoeffs, module)


def _vectorized_coefficients(law: SpectralLaw) -> tuple[CompiledFunction, Callable[..., Any]]:
    """The compiled ``gcoeffs`` and ``many`` of :func:`_family_module` (once per family)."""
    compiled = _family_module(law, extras=False)
    return compiled, compiled.module.many


@cached
def _compiled_family(factory: str) -> CompiledFunction:
    """:func:`_family_module` (with extras) of the law ``factory()``, ``"module:function"``;
    indexed on disk by the factory's name, so a warm process skips sympy entirely."""
    modname, _, fname = factory.partition(":")
    return _family_module(getattr(importlib.import_module(modname), fname)(), extras=True)


@dataclass
class StieltjesSolver:
    """Compiled g(z) and density for one numeric :class:`SpectralLaw`.

    Create with :func:`stieltjes_solver`. ``scale`` sets the start of the continuation
    (100·scale above the axis); ``nsteps`` is the number of geometric η steps.
    """

    law: SpectralLaw | None  # None when built by :func:`family_solver` (no sympy)
    values: dict[str, float]
    coeffs: CompiledFunction
    coeffs_many: Callable[..., np.ndarray]
    pvals: np.ndarray
    lo: float
    hi: float
    nsteps: int = 120
    atoms: Callable[..., np.ndarray] | None = None  # compiled atom candidates, if any

    @property
    def scale(self) -> float:
        return max(self.hi - self.lo, abs(self.lo), abs(self.hi), 1.0)

    def g(self, zs: complex | np.ndarray) -> np.ndarray:
        r"""Stieltjes transform :math:`g(z)=\int\rho(x)dx/(z-x)` for Im z ≥ 0 (physical branch).

        For Im z = 0 this is the boundary value g(x + i0)."""
        za = np.atleast_1d(np.asarray(zs, dtype=complex))
        if np.any(za.imag < 0):
            raise ValueError("g(z) is evaluated for Im z >= 0; use conj(g(conj z)) below the axis")
        if not np.all(np.isfinite(za)):
            raise ValueError("z must be finite")
        out, status = self._continue(za)
        return out if np.ndim(zs) else out[0]

    def _continue(self, za: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scale = self.scale
        y_end = np.where(za.imag > 0, za.imag, 1e-10 * scale)
        eta0 = np.maximum(100.0 * scale, 2.0 * y_end)
        status = np.zeros(za.size, dtype=np.int64)
        zc = za.real + 1j * eta0
        gp = _pick_nearest(
            self.coeffs_many(zc, self.pvals), 1.0 / zc, np.full(za.size, 1e-12 * scale), status
        )
        ratio = (y_end / eta0) ** (1.0 / self.nsteps)
        eta = eta0.copy()
        gpp = gp
        for _ in range(self.nsteps):
            eta *= ratio
            zc = za.real + 1j * eta
            # geometric predictor g_prev * (g_prev / g_prevprev): exact for g ~ a / z near an
            # atom (where plain nearest-root tracking jumps between the a/z branches)
            with np.errstate(divide="ignore", invalid="ignore"):
                pred = np.where(np.abs(gpp) > 0, gp * (gp / gpp), gp)
            pred = np.where(np.isfinite(pred), pred, gp)
            new = _pick_nearest(
                self.coeffs_many(zc, self.pvals), pred, 1e-9 * (np.abs(gp) + 1e-300), status
            )
            gpp, gp = gp, new
        on_axis = za.imag == 0
        if np.any(on_axis):
            # last step onto the real axis: nearest root, Im part given the Herglotz sign
            zr = za.real[on_axis] + 0j
            r = _pick_nearest(
                self.coeffs_many(zr, self.pvals),
                gp[on_axis],
                np.full(zr.size, np.inf),
                status[on_axis],
            )
            gp[on_axis] = r.real - 1j * np.abs(r.imag)
        return gp, status

    def density(self, x: float | np.ndarray) -> np.ndarray:
        r"""Absolutely continuous density :math:`\rho(x)=-\operatorname{Im} g(x+i0)/\pi`
        (atoms are reported by :meth:`atom_at_zero`, not here)."""
        xa = np.atleast_1d(np.asarray(x, dtype=float))
        rho = np.maximum(-self.g(xa.astype(complex)).imag / np.pi, 0.0)
        return rho if np.ndim(x) else rho[0]

    def support(self, ngrid: int = 4001) -> list[tuple[float, float]]:
        """Intervals where the density is positive, edges refined by bisection (cached)."""
        cached = self.__dict__.get("_support")
        if cached is not None and cached[0] == ngrid:
            return list(cached[1])
        intervals = self._find_support(ngrid)
        self.__dict__["_support"] = (ngrid, intervals)
        return list(intervals)

    def _find_support(self, ngrid: int) -> list[tuple[float, float]]:
        pad = 1e-9 * self.scale
        xs = np.linspace(self.lo - pad, self.hi + pad, ngrid)
        inside = self.density(xs) > 1e-12
        intervals = []
        i = 0
        while i < len(xs):
            if inside[i]:
                j = i
                while j + 1 < len(xs) and inside[j + 1]:
                    j += 1
                a = self._edge(xs[i - 1], xs[i]) if i > 0 else xs[i]
                b = self._edge(xs[j + 1], xs[j]) if j + 1 < len(xs) else xs[j]
                if self.lo <= 0.0 and abs(a) < 1e-6 * self.scale:
                    a = 0.0  # hard edge / singularity at the origin
                intervals.append((a, b))
                i = j + 1
            else:
                i += 1
        return intervals

    def _edge(self, out_x: float, in_x: float, rounds: int = 7, npts: int = 33) -> float:
        """Support edge between a point outside and one inside, by repeated gridding
        (each round shrinks the bracket ``npts - 1`` fold with one vectorized call)."""
        for _ in range(rounds):
            xs = np.linspace(out_x, in_x, npts)
            inside = self.density(xs) > 1e-12
            k = int(np.argmax(inside))  # first inside point walking from out_x
            out_x, in_x = xs[k - 1], xs[k]
        return 0.5 * (out_x + in_x)

    def atom_at_zero(self) -> float:
        r"""Mass of an atom at 0: the candidate from the g-equation's :math:`z\to0`
        behaviour that matches :math:`\lim z\,g(z)` along the imaginary axis."""
        if "_atom" not in self.__dict__:
            if self.atoms is not None:
                cands = [complex(c) for c in self.atoms(*self.pvals)]
            else:
                import sympy as sp

                rep = {p: self.values[str(p)] for p in self.law.parameters}
                cands = [complex(sp.N(sp.sympify(c).subs(rep))) for c in self._atom_candidates()]
            eps = 1e-7 * self.scale
            est = complex(1j * eps * self.g(1j * eps))
            self.__dict__["_atom"] = float(min(cands, key=lambda c: abs(c - est)).real)
        return self.__dict__["_atom"]

    def _atom_candidates(self) -> list[sp.Expr]:
        import sympy as sp

        key = sp.srepr(self.law.g_equation)
        if key not in _ATOM_CACHE:
            _ATOM_CACHE[key] = self.law.atom_candidates()
        return _ATOM_CACHE[key]

    def mass(self) -> float:
        """Total mass: integral of the density over its support plus the atom at zero."""
        atom = self.atom_at_zero() if self.lo <= 0.0 <= self.hi else 0.0
        return float(sum(self._integral(a, b) for a, b in self.support()) + atom)

    def cdf(self, x: float | np.ndarray) -> np.ndarray:
        """Cumulative distribution function F(x) = mass of (-inf, x], atoms at 0 included."""
        xa = np.atleast_1d(np.asarray(x, dtype=float))
        sup = self.support()
        atom = self.atom_at_zero() if self.lo <= 0.0 <= self.hi else 0.0
        out = np.where(xa >= 0.0, atom, 0.0)
        for a, b in sup:
            ends = np.clip(xa, a, b)
            nodes = [_tanh_sinh_nodes(a, e) if e > a else (np.empty(0), np.empty(0)) for e in ends]
            allx = np.concatenate([nd[0] for nd in nodes])
            rho = self.density(allx) if allx.size else allx
            k = 0
            for i, (xn, wn) in enumerate(nodes):
                out[i] += float(np.dot(wn, rho[k : k + xn.size]))
                k += xn.size
        return out if np.ndim(x) else out[0]

    def _integral(self, a: float, b: float) -> float:
        """Tanh-sinh (double-exponential) quadrature of the density on [a, b]; exact to
        ~1e-10 for the algebraic edge singularities (sqrt, x^(-1/2), x^(-2/3)) of these laws."""
        x, wts = _tanh_sinh_nodes(a, b)
        return float(np.dot(wts, self.density(x)))


def _tanh_sinh_nodes(a: float, b: float, h: float = 1.0 / 32, tmax: float = 3.6):
    k = np.arange(-int(tmax / h), int(tmax / h) + 1)
    tt = k * h
    s = 0.5 * np.pi * np.sinh(tt)
    # distance from the nearer end, computed without cancellation
    e = np.exp(-2.0 * np.abs(s))
    frac_near = e / (1.0 + e)
    x = np.where(tt < 0, a + (b - a) * frac_near, b - (b - a) * frac_near)
    wts = (b - a) * h * 0.5 * np.pi * np.cosh(tt) / (2.0 * np.cosh(s) ** 2)
    keep = (x > a) & (x < b)
    return x[keep], wts[keep]


def stieltjes_solver(law: SpectralLaw, nsteps: int = 120, **values: float) -> StieltjesSolver:
    """Compile the g-equation of ``law`` (once per law family) and bind parameter values.

    ``values`` gives every free parameter of the law by name, e.g. ``q=0.5``.
    """
    names = [str(p) for p in law.parameters]
    missing = [n for n in names if n not in values]
    extra = [k for k in values if k not in names]
    if missing or extra:
        raise ValueError(
            f"{law.name}: parameters needed {names}; missing {missing}, unknown {extra}"
        )
    scalar, many = _vectorized_coefficients(law)
    pvals = np.array([float(values[n]) for n in names], dtype=np.complex128)
    if law.support_bound is None:
        raise ValueError(f"{law.name}: no support bound; give one to locate the density")
    import sympy as sp

    rep = {p: values[str(p)] for p in law.parameters}
    lo, hi = (float(sp.N(sp.sympify(b).subs(rep))) for b in law.support_bound)
    return StieltjesSolver(
        law, {n: float(values[n]) for n in names}, scalar, many, pvals, lo, hi, nsteps
    )


def family_solver(factory: str, nsteps: int = 120, **values: float) -> StieltjesSolver:
    """:func:`stieltjes_solver` for the law ``factory()`` named ``"module:function"`` (e.g.
    ``family_solver("rmtscale.symbolic.ensembles:marchenko_pastur", q=0.5)``).

    Support bound and atom candidates are compiled with the g-coefficients into one cached
    module (:func:`rmtscale.numeric.codegen.cached`): a warm process imports no sympy."""
    compiled = _compiled_family(factory)
    module = compiled.module
    names = list(module.PARAMS)
    missing = [n for n in names if n not in values]
    extra = [k for k in values if k not in names]
    if missing or extra:
        raise ValueError(
            f"{module.LAW}: parameters needed {names}; missing {missing}, unknown {extra}"
        )
    pvals = np.array([float(values[n]) for n in names], dtype=np.complex128)
    lo, hi = (float(b.real) for b in module.bounds(*pvals))
    return StieltjesSolver(
        None, {n: float(values[n]) for n in names}, compiled, module.many, pvals, lo, hi, nsteps,
        atoms=module.atoms,
    )  # fmt: skip


__all__ = ["StieltjesSolver", "stieltjes_solver", "family_solver", "g"]  # noqa: F822 (lazy g)
