r"""Online SGD on a linear model: derivation, theory solver and simulation claim (``sgd.*``).

Conventions (docs/conventions.md): data :math:`x\sim\mathcal N(0,\Sigma)`, target
:math:`y=\bar w\cdot x+\varepsilon`, :math:`\mathrm{Var}\,\varepsilon=\sigma^2` (``noise``);
update :math:`w\leftarrow w-\frac{\eta}{B}\sum_i x_i(x_i\cdot w-y_i)` (gradient **averaged**
over a fresh batch of B), :math:`w_0=0`; ``t`` counts updates; ``loss`` is the excess loss
:math:`E_g(t)` (no label noise). The theory is the exact mode-wise second-moment recursion
:math:`c_k(t+1)=\rho_kc_k(t)+\frac{\eta^2}{B}\lambda_k(E_g(t)+\sigma^2)`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..registry import derivation, solver
from ..spectra import make_spectrum
from ..validate.claims import register
from ..validate.curves import (
    BATCH,
    CHECK_TIMES,
    DYN_SPECTRUM,
    LR,
    NOISE,
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
    "sgd.learning_curve",
    "Online SGD: Gaussian 4th moment -> mode-wise recursion, Volterra form, stability, E_g(inf)",
)
def derive_learning_curve():
    from ..symbolic.sgd import derive_sgd_recursion

    return derive_sgd_recursion()


def sgd_values(p: dict[str, Any], times: np.ndarray | None = None) -> dict[str, Any]:
    """Online SGD (linear model): exact mode-wise recursion at ``times`` (default log grid)."""
    from ..numeric.sgd import sgd_learning_curve

    t = log_times(p["steps"], p.get("points", 40)) if times is None else times
    th = sgd_learning_curve(
        make_spectrum(p), lr=p["lr"], batch=p["batch"], noise=p["noise"], times=t
    )
    return {"t": th.t, "loss": th.loss, "loss_inf": float(th.loss_inf)}


SGD_SOLVE = (*DYN_SPECTRUM, LR, BATCH, STEPS, NOISE, POINTS)


def check_learning_curve(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random legal point (power law with D ≤ 8, B ≤ 4, lr below the stability bound, ≤ 30
    steps) and the derivation's recursion and fixed point there in 30-digit mpmath
    (:func:`rmtscale.numeric.reference.sgd_reference`)."""
    from ..numeric.reference import sgd_reference
    from ..numeric.sgd import sgd_max_lr

    p = draw_spectrum(rng)
    s = make_spectrum(p)
    batch = int(rng.integers(1, 5))
    p.update(
        batch=batch,
        lr=float(rng.uniform(0.2, 0.9) * sgd_max_lr(s.eigenvalues, batch)),
        steps=int(rng.integers(5, 31)),
        noise=float(rng.uniform(0.0, 0.5)),
        points=5,
    )
    t = log_times(p["steps"], p["points"])
    ref = sgd_reference(s.eigenvalues, s.target_power, p["lr"], batch, p["noise"], t)
    return p, {"t": t, **ref}


@solver(
    "sgd.learning_curve",
    "online SGD on a linear model: t (steps), loss = E_g(t) (no noise), loss_inf",
    SGD_SOLVE,
    derivation="sgd.learning_curve",
    check=check_learning_curve,
    check_rtol=1e-12,  # an exact recursion: rounding only (≤ 30 steps)
)
def solve_learning_curve(**p: Any) -> dict[str, Any]:
    return sgd_values(p)


def _cases(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(p, D=p["D"] * f, n=p["D"] * f) for f in SIZE_FACTORS]


register(
    curve_claim(
        "sgd.learning_curve",
        "online SGD (linear model, batch B): E_g(t) from the exact mode-wise recursion vs runs",
        with_defaults((*SGD_SOLVE, CHECK_TIMES), D=100, steps=400),
        sgd_values,
        "linear",
        {"batch": "batch", "P": None},
        (("loss", "loss"),),
        _cases,
        # exact in expectation at every size: no finite-size allowance
        Tolerance(finite_size_coef=0.0, finite_size_power=1.0, systematic=1e-3),
        default_seeds=2000,
    )
)
