r"""Full-batch GD on P samples (infinite width): derivation, theory solver, claim (``gd.*``).

Conventions (docs/conventions.md): :math:`w_{t+1}=w_t-\frac{\eta}{P}X^\top(Xw_t-y)`,
:math:`w_0=0`; ``t`` counts updates; ``loss`` is the excess test loss :math:`E_g(t)` (no label
noise), ``train_loss`` :math:`\frac1P\lVert Xw_t-y\rVert^2` includes the noise. Theory: contour
integrals of the one- and two-point deterministic equivalents,
:math:`\kappa_s=-s+\frac{\kappa_s}{P}\mathrm{Df}_1(\kappa_s)`.
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
    NOISE,
    P_PARAM,
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
    "gd.learning_curve",
    "Full-batch GD on P samples: contour integrals of the one- and two-point equivalents",
)
def derive_learning_curve():
    from ..symbolic.gd import derive_gd_finite_data

    return derive_gd_finite_data()


def gd_values(p: dict[str, Any], times: np.ndarray | None = None) -> dict[str, Any]:
    """Full-batch GD on P samples: test and train curves (two-/one-point equivalents)."""
    from ..numeric.gd import gd_learning_curve

    t = log_times(p["steps"], p.get("points", 40)) if times is None else times
    th = gd_learning_curve(make_spectrum(p), P=p["P"], lr=p["lr"], noise=p["noise"], times=t)
    return {
        "t": th.t,
        "loss": th.loss,
        "train_loss": th.train_loss,
        "loss_inf": float(th.loss_inf),
        "train_loss_inf": float(th.train_loss_inf),
        "method": [str(m) for m in th.method],
    }


GD_SOLVE = (*DYN_SPECTRUM, P_PARAM, LR, STEPS, NOISE, POINTS)


def check_learning_curve(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random legal point (power law with D ≤ 7, P ≠ D up to 2D, lr·s_max ≤ 0.9, ≤ 8 steps)
    and the derivation's two-point test and one-point train integrals there, 30-digit mpmath on
    a circle (:func:`rmtscale.numeric.reference.gd_reference`), with the t → ∞ limits."""
    from ..numeric.kappa.complex import support_edges
    from ..numeric.reference import gd_reference

    p = draw_spectrum(rng, 3, 7)
    s = make_spectrum(p)
    P = int(rng.choice([n for n in range(2, 2 * p["D"] + 1) if n != p["D"]]))
    s_max = support_edges(s.eigenvalues, P)["s_max"]
    p.update(
        P=P,
        lr=float(rng.uniform(0.3, 0.9) / s_max),
        steps=int(rng.integers(3, 9)),
        noise=float(rng.uniform(0.0, 0.5)),
        points=3,
    )
    t = log_times(p["steps"], p["points"])
    ref = gd_reference(s.eigenvalues, s.target_power, P, p["lr"], p["noise"], t, s_max, nodes=64)
    return p, {"t": t, **ref}


@solver(
    "gd.learning_curve",
    "full-batch GD on P samples: t, loss (test E_g), train_loss (with noise), t->inf limits",
    GD_SOLVE,
    derivation="gd.learning_curve",
    check=check_learning_curve,
    check_rtol=1e-9,  # contour quadratures: ~1e-12 (ellipse) to ~1e-10 (two-point Talbot)
)
def solve_learning_curve(**p: Any) -> dict[str, Any]:
    return gd_values(p)


def _cases(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(p, D=p["D"] * f, P=p["P"] * f, n=min(p["D"], p["P"]) * f) for f in SIZE_FACTORS]


register(
    curve_claim(
        "gd.learning_curve",
        "full-batch GD on P samples: test E_g(t) and train loss from deterministic equivalents",
        with_defaults((*GD_SOLVE, CHECK_TIMES), D=100, P=50, lr=0.2, steps=300),
        gd_values,
        "linear",
        {"batch": None, "P": "P"},
        (("loss", "loss"), ("train", "train_loss")),
        _cases,
        Tolerance(finite_size_coef=2.0, finite_size_power=1.0, systematic=5e-3),
        default_seeds=150,
    )
)
