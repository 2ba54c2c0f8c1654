r"""Population GD on linear random features of width N: derivation, solver, claim (``rf_gd.*``).

Conventions (docs/conventions.md): :math:`f(x)=(F^\top x)\cdot a`, frozen
:math:`F_{ij}\sim\mathcal N(0,1/D)`, :math:`a_0=0`, GD on the population loss
:math:`a\leftarrow a-\eta F^\top\Sigma(Fa-\bar w)`; ``t`` counts updates; ``loss`` is
:math:`E_g(t)` averaged over F (one-point deterministic equivalent,
:math:`\kappa_s=-sD/N+\frac{\kappa_s}{N}\mathrm{Df}_1(\kappa_s)`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..registry import derivation, solver
from ..spectra import make_spectrum
from ..validate.claims import register
from ..validate.curves import (
    CHECK_TIMES,
    DYN_SPECTRUM,
    LR,
    N_PARAM,
    POINTS,
    SIZE_FACTORS,
    STEPS,
    curve_claim,
    draw_spectrum,
    log_times,
    with_defaults,
)
from ..validate.stats import Tolerance


@derivation(
    "rf_gd.learning_curve",
    "Population GD on linear random features: one-point equivalent, projection limit",
)
def derive_learning_curve():
    from ..symbolic.rf_gd import derive_rf_population_gd

    return derive_rf_population_gd()


def rf_gd_values(p: dict[str, Any], times: np.ndarray | None = None) -> dict[str, Any]:
    """GD on the population loss of width-N linear random features (one-point equivalent)."""
    from ..numeric.rf_gd import rf_gd_learning_curve

    t = log_times(p["steps"], p.get("points", 40)) if times is None else times
    th = rf_gd_learning_curve(make_spectrum(p), N=p["N"], lr=p["lr"], times=t)
    return {
        "t": th.t,
        "loss": th.loss,
        "loss_inf": float(th.loss_inf),
        "method": [str(m) for m in th.method],
    }


RF_GD_SOLVE = (*DYN_SPECTRUM, N_PARAM, LR, STEPS, POINTS)


def check_learning_curve(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random legal point (power law with D ≤ 8, N up to 2D, lr·s_max(K) ≤ 0.9, ≤ 10 steps)
    and the derivation's contour integral there, 30-digit mpmath on a circle
    (:func:`rmtscale.numeric.reference.rf_gd_reference`), with the projection error."""
    from ..numeric.kappa.complex import support_edges
    from ..numeric.reference import rf_gd_reference

    p = draw_spectrum(rng)
    s = make_spectrum(p)
    N = int(rng.integers(2, 2 * p["D"] + 1))
    s_max = support_edges(s.eigenvalues, N, N / p["D"])["s_max"]
    p.update(N=N, lr=float(rng.uniform(0.3, 0.9) / s_max), steps=int(rng.integers(3, 11)))
    p["points"] = 4
    t = log_times(p["steps"], p["points"])
    ref = rf_gd_reference(s.eigenvalues, s.target_power, N, p["lr"], t, s_max, nodes=64)
    return p, {"t": t, **ref}


@solver(
    "rf_gd.learning_curve",
    "population GD on width-N linear random features: t, loss = E_g(t), loss_inf",
    RF_GD_SOLVE,
    derivation="rf_gd.learning_curve",
    check=check_learning_curve,
    check_rtol=1e-9,  # contour quadratures: ~1e-12 (ellipse) to ~1e-11 (Talbot)
)
def solve_learning_curve(**p: Any) -> dict[str, Any]:
    return rf_gd_values(p)


def _cases(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(p, D=p["D"] * f, N=p["N"] * f, n=min(p["D"], p["N"]) * f) for f in SIZE_FACTORS]


register(
    curve_claim(
        "rf_gd.learning_curve",
        "population GD on width-N linear random features: E_g(t) vs runs over F",
        with_defaults((*RF_GD_SOLVE, CHECK_TIMES), D=100, N=50, lr=0.5, steps=300),
        rf_gd_values,
        "rf",
        {"batch": None, "P": None, "N": "N"},
        (("loss", "loss"),),
        _cases,
        Tolerance(finite_size_coef=2.0, finite_size_power=1.0, systematic=5e-3),
        default_seeds=200,
    )
)
