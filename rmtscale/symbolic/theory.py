r"""A theory as data: fixed-point equation(s) and observables over named spectral primitives.

A :class:`Theory` holds sympy expressions only: its parameters (P, λ, σ², N, …), its unknowns
(κ, κ₂, κ_F, …), the fixed-point equations (expressions that vanish on the solution),
intermediate definitions (γ = Df₂/P, ρ, …) and observables ``{name: expr}``, all written in
terms of named **primitives**: mode sums such as

.. math:: \mathrm{Df}_1(\kappa)=\sum_k\frac{\lambda_k}{\lambda_k+\kappa},\qquad
          \mathrm{tf}_1'(\kappa)=\sum_k\frac{p_k}{(\lambda_k+\kappa)^2}

(:math:`p_k=\lambda_k\bar w_k^2`; docs/conventions.md), each stored with its summand. The
same expressions feed two evaluators:

* :meth:`Theory.compile` — numba code through :mod:`rmtscale.numeric.codegen` (``cse``; a loop
  over flattened grid points), used by the numeric solvers;
* :meth:`Theory.evaluate_mp` — high precision with mpmath: every primitive summed over the
  modes, the unknowns found by ``mp.findroot`` started from the double-precision solution and
  the residual checked; used by the solvers' ``check=`` functions and the tests.

The derivations build their ``.result`` from the same expressions, so the derivation, the
compiled solver and the high-precision oracle cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

eta_k = sp.Symbol("lambda_k", positive=True)  # one eigenvalue of Sigma
p_k = sp.Symbol("p_k", nonnegative=True)  # its target power lambda_k wbar_k^2
eta_j = sp.Symbol("eta_j", positive=True)  # one eigenvalue of Sigma_F (feature modes)


@dataclass(frozen=True)
class Primitive:
    """A mode sum ``symbol = Σ_modes summand(at)``: ``modes`` is ``"data"`` (λ_k, p_k) or
    ``"features"`` (η_j); ``at`` is the unknown it is evaluated at; ``name`` is the plain
    identifier used by compiled code and results (``df1``, ``tf1p``, …)."""

    name: str
    symbol: sp.Expr
    summand: sp.Expr
    at: sp.Symbol
    modes: str = "data"


@dataclass
class Theory:
    """Fixed point + observables of one model (see the module docstring); ``branch`` lists
    expressions that are positive exactly on the physical branch of the fixed point."""

    name: str
    parameters: tuple[sp.Symbol, ...]
    unknowns: tuple[sp.Symbol, ...]
    equations: tuple[sp.Expr, ...]
    primitives: tuple[Primitive, ...]
    observables: dict[str, sp.Expr]
    definitions: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    branch: tuple[sp.Expr, ...] = ()  # positive on the physical branch

    # ------------------------------------------------------------------ expressions
    def expand(self, expr: sp.Expr, keep: Iterable[sp.Symbol] = ()) -> sp.Expr:
        """``expr`` with every intermediate definition substituted (except those in ``keep``)."""
        defs = {s: e for s, e in self.definitions.items() if s not in set(keep)}
        for _ in range(len(defs) + 1):
            new = expr.xreplace(defs)
            if new == expr:
                return expr
            expr = new
        raise ValueError("circular definitions")

    def expr(self, name: str, keep: Iterable[sp.Symbol] = ()) -> sp.Expr:
        """Observable ``name`` in parameters, unknowns and primitives (``keep`` stay symbols)."""
        return self.expand(self.observables[name], keep)

    def plain(self, expr: sp.Expr) -> sp.Expr:
        """Primitives replaced by plain symbols named after them (for code generation)."""
        return expr.xreplace({p.symbol: sp.Symbol(p.name, real=True) for p in self.primitives})

    def solved_for(self, symbol: sp.Symbol, equation: int = 0) -> sp.Expr:
        """``symbol`` eliminated with fixed-point equation ``equation`` (unique solution)."""
        sols = sp.solve(self.equations[equation], symbol)
        if len(sols) != 1:
            raise ArithmeticError(f"{symbol} is not unique in {self.name}'s equation")
        return sols[0]

    # ------------------------------------------------------------------ numeric
    def compile(
        self,
        names: Sequence[str],
        inputs: Mapping[str, sp.Symbol | str],
        keep: Iterable[sp.Symbol] = (),
        replace: Mapping[sp.Symbol, sp.Expr] | None = None,
        label: str | None = None,
        extra: Mapping[str, sp.Expr] | None = None,
    ) -> Any:
        """numba loop evaluating the observables ``names`` from the arrays ``inputs``
        (a :class:`~rmtscale.numeric.observables.CompiledObservables`).

        ``inputs`` maps the keyword names of the compiled function to symbols (or primitive
        names); intermediates in ``keep`` may be inputs; ``replace`` substitutes before
        compiling (e.g. λ eliminated with the fixed point); ``extra`` names further
        expressions of the theory's symbols to compile alongside."""
        from ..numeric.codegen import compile_loop
        from ..numeric.observables import CompiledObservables

        prim = {p.name: sp.Symbol(p.name, real=True) for p in self.primitives}
        args = [prim[a] if isinstance(a, str) else a for a in inputs.values()]
        exprs = []
        for n in names:
            e = self.expand(extra[n], keep) if extra and n in extra else self.expr(n, keep)
            if replace:
                e = e.xreplace(dict(replace))
            exprs.append(self.plain(e))
        fn = compile_loop(args, exprs, label or f"{self.name}_observables")
        return CompiledObservables(tuple(names), tuple(inputs), fn)

    def evaluate_mp(
        self,
        eigenvalues: Sequence[float],
        target_power: Sequence[float],
        values: Mapping[sp.Symbol, Any],
        start: Mapping[sp.Symbol, float],
        names: Sequence[str] | None = None,
        feature_eigenvalues: Sequence[float] | None = None,
        dps: int = 30,
    ) -> dict[str, Any]:
        """Observables (mpmath numbers) at one parameter point, to ``dps`` digits.

        Primitives are exact mode sums in mpmath; the unknowns solve the fixed-point
        equations by ``mp.findroot`` from ``start`` (the double-precision solution, or for one
        unknown a bracket ``(lo, hi)`` on the physical branch, solved by Anderson's method); a
        relative residual above 10^(−dps/2), or a root off the physical branch (an
        expression of :attr:`branch` ≤ 0), raises :class:`ArithmeticError`."""
        import mpmath as mp

        with mp.workdps(dps):
            data = [(mp.mpf(float(e)), mp.mpf(float(w))) for e, w in zip(eigenvalues, target_power)]
            feat = [
                mp.mpf(float(x))
                for x in ([] if feature_eigenvalues is None else feature_eigenvalues)
            ]
            env0 = {s: mp.mpf(v) for s, v in values.items()}
            sums = {}
            for p in self.primitives:
                f = sp.lambdify((p.at, eta_k, p_k, eta_j), p.summand, modules="mpmath")
                if p.modes == "data":
                    sums[p.symbol] = (p.at, lambda u, f=f: mp.fsum(f(u, e, w, 0) for e, w in data))
                else:
                    sums[p.symbol] = (p.at, lambda u, f=f: mp.fsum(f(u, 0, 0, e) for e in feat))
            cache: dict[sp.Expr, Any] = {}

            def ev(expr: sp.Expr, point: dict) -> Any:
                if expr not in cache:
                    args = sorted(expr.free_symbols | _applied(expr), key=str)
                    args += [s for s in (p.symbol for p in self.primitives) if s in expr.atoms()]
                    args = list(dict.fromkeys(args))
                    cache[expr] = (args, sp.lambdify(args, expr, modules="mpmath"))
                args, g = cache[expr]
                env = {**env0, **point}
                vals = []
                for a in args:
                    if a in sums and a not in env:
                        at, fsum = sums[a]
                        env[a] = fsum(point[at])
                    vals.append(env[a])
                return g(*vals)

            unknowns = list(self.unknowns)
            eqs = [self.expand(e) for e in self.equations]

            def residual(*xs: Any) -> list:
                point = dict(zip(unknowns, xs))
                return [ev(e, point) for e in eqs]

            if len(unknowns) == 1 and isinstance(start[unknowns[0]], tuple):  # a bracket
                lo, hi = (mp.mpf(x) for x in start[unknowns[0]])
                f1 = lambda x: residual(x)[0]  # noqa: E731
                root = [mp.findroot(f1, (lo, hi), solver="anderson", maxsteps=500)]
            elif len(unknowns) == 1:
                root = [mp.findroot(lambda x: residual(x)[0], mp.mpf(float(start[unknowns[0]])))]
            else:
                root = list(mp.findroot(residual, [mp.mpf(float(start[u])) for u in unknowns]))
            point = dict(zip(unknowns, root))
            tol = mp.mpf(10) ** (-(dps // 2))
            for e, r in zip(self.equations, residual(*root)):
                terms = sp.Add.make_args(sp.expand(self.expand(e)))
                scale = mp.fsum(abs(ev(t, point)) for t in terms)  # the size of its terms
                if not abs(r) <= tol * scale:
                    raise ArithmeticError(f"{self.name}: fixed-point residual {r} at {point}")
            for b in self.branch:
                if not ev(self.expand(b), point) > 0:
                    raise ArithmeticError(f"{self.name}: {b} <= 0: root off the physical branch")
            return {n: ev(self.expr(n), point) for n in names or list(self.observables)}

    def mp_sum(self, name: str, modes: Sequence[float], at: Any, powers: Sequence[float] = ()):
        """Primitive ``name`` summed over ``modes`` (and target ``powers``) at ``at``, in the
        current mpmath precision."""
        import mpmath as mp

        p = next(p for p in self.primitives if p.name == name)
        f = sp.lambdify((p.at, eta_k, p_k, eta_j), p.summand, modules="mpmath")
        if p.modes == "features":
            return mp.fsum(f(at, 0, 0, mp.mpf(float(e))) for e in modes)
        pw = list(powers) or [0.0] * len(modes)
        return mp.fsum(f(at, mp.mpf(float(e)), mp.mpf(float(w)), 0) for e, w in zip(modes, pw))


def _applied(expr: sp.Expr) -> set:
    return {a for a in expr.atoms(sp.Function) if isinstance(a, sp.core.function.AppliedUndef)}
