r"""The ``toy`` model: a trivial derivation, solver and claim registered from outside rmtscale.

Derivation: :math:`y = x^2`; solver: ``{"y": x**2}``; claim ``toy.mean``: the sample mean of
``n`` draws of N(mu, 1) against mu.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rmtscale.params import Param, ParamSet
from rmtscale.registry import derivation, solver
from rmtscale.validate.claims import Claim, register

X = Param("x", default=2.0, help="input")


@derivation("toy.square", "y = x^2", (Param("x", default=None, help="input"),))
def derive_square(x: float | None = None) -> Any:
    import sympy as sp

    from rmtscale.symbolic.derivation import Derivation

    xs = sp.Symbol("x") if x is None else sp.nsimplify(x)
    d = Derivation("toy.square", "a square", conventions=[], assumptions=[])
    d.step(sp.Eq(sp.Symbol("y"), xs**2), "square it")
    d.result = xs**2
    return d


def check_square(rng: np.random.Generator) -> tuple[dict, dict]:
    import sympy as sp

    x = float(rng.uniform(-3, 3))
    f = sp.lambdify(sp.Symbol("x"), derive_square().result, modules="mpmath")
    return {"x": x}, {"y": float(f(x))}


@solver("toy.square", "y = x^2", (X,), derivation="toy.square", check=check_square)
def solve_square(x: float) -> dict[str, float]:
    return {"y": x * x}


def _cases(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"mu": p["mu"], "n": n} for n in (50, 100)]


def _theory(case: dict[str, Any]) -> dict[str, float]:
    return {"mean": case["mu"]}


def _simulate(case: dict[str, Any], rng: np.random.Generator, backend: Any) -> dict[str, float]:
    return {"mean": float(rng.normal(case["mu"], 1.0, case["n"]).mean())}


def _shift(values: dict[str, float], case: dict[str, Any], eps: float) -> dict[str, float]:
    return {k: v + 10 * eps for k, v in values.items()}


register(
    Claim(
        name="toy.mean",
        summary="sample mean of N(mu, 1) draws is mu",
        params=ParamSet((Param("mu", default=1.0, help="mean"),)),
        theory=_theory,
        simulate=_simulate,
        cases=_cases,
        perturb=_shift,
        default_seeds=30,
        derivation="toy.square",
        solver="toy.square",
    )
)
