r"""Deep linear random features F = F1...FL: derivation, compiled solver, simulation claim.

Conventions as in :mod:`rmtscale.models.rf`; layer entries N(0, 1/D) (``layer_norm=D``) or
N(0, 1/N_(l-1)) with N_0 = D (``layer_norm=fan_in``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ParameterError
from ..params import Param, ParamSet
from ..registry import derivation, solver
from ..spectra import SPECTRUM_PARAMS, draw_spectrum_params, make_spectrum
from ..validate.claims import Claim, register
from ..validate.stats import Tolerance
from .rf import RF_KEYS, SIZE_FACTORS, _claim_params, _squeeze

LAYER_NORMS = ("D", "fan_in")


@derivation(
    "deep_rf.kappa",
    "Deep random features: kappa_2 (1 - Df1/P) prod (N_l - Df1)/D = lambda",
    (Param("L", kind="int", default=2, ge=1, le=6, help="number of feature layers"),),
)
def _d_deep(L: int = 2):
    from ..symbolic import random_features

    return random_features.derive_deep_rf_kappa(L)


DEEP_SOLVE_PARAMS = (
    *SPECTRUM_PARAMS,
    Param("P", default=100, gt=0, array_ok=True, help="samples (grid ok)"),
    Param("widths", default=(150.0, 200.0), gt=0, array_ok=True,
          help="layer widths N1,...,NL (layer entries: see layer_norm)"),
    Param("ridge", default=0.05, ge=0, array_ok=True, help="readout ridge, not scaled by P"),
    Param("noise", default=0.0, ge=0, help="label-noise variance sigma^2"),
)  # fmt: skip
LAYER_NORM = Param(
    "layer_norm", kind="str", default="D", choices=LAYER_NORMS,
    help="layer entries N(0, 1/D) (D) or N(0, 1/N_(l-1)) with N_0 = D (fan_in; theory: "
    "the D result at ridge lambda prod_(l<L) N_l/D, kappa_1 rescaled)",
)  # fmt: skip
DEEP_SOLVE_PARAMS = (*DEEP_SOLVE_PARAMS, LAYER_NORM)


def deep_rf_values(p: dict[str, Any]) -> dict[str, Any]:
    """Theory at the (P, ridge) grid of the array parameters, all layers at once."""
    from ..numeric.random_features import deep_rf_theory

    s = make_spectrum(p)
    widths = np.atleast_1d(np.asarray(p["widths"], dtype=float))
    Pg, Lg = np.meshgrid(np.atleast_1d(p["P"]), np.atleast_1d(p["ridge"]), indexing="ij")
    th = deep_rf_theory(
        s.eigenvalues, s.target_power, Pg, widths, Lg, noise=p["noise"],
        layer_norm=p.get("layer_norm", "D"),
    )  # fmt: skip
    if not np.all(th["converged"]):
        raise ArithmeticError("kappa_2 iteration did not converge at some points")
    return _squeeze(th, p, ("P", "ridge"))


def solve_deep_rf(**p: Any) -> dict[str, Any]:
    """Every deep random-feature output (:func:`deep_rf_values`)."""
    return deep_rf_values(p)


def check_deep_rf(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random legal point (small spectrum, 1-3 layers of widths below, near and above D and
    P, λ in [1e-5, 1], layer_norm D) and the theory there in 30-digit arithmetic."""
    from ..symbolic import random_features as RF

    p = draw_spectrum_params(rng)
    D = p["D"]
    L = int(rng.integers(1, 4))
    p["P"] = float(max(2, round(D * float(rng.choice([0.3, 0.9, 1.1, 2.5])))))
    p["widths"] = [float(max(2, round(D * rng.uniform(0.3, 3.0)))) for _ in range(L)]
    p.update(ridge=float(10 ** rng.uniform(-5, 0)), noise=float(rng.uniform(0, 0.5)))
    p["layer_norm"] = "D"
    v = deep_rf_values(p)
    s = make_spectrum(p)
    T = RF.deep_theory(L)
    Ns = sp_widths(L)
    vals = {RF.P: p["P"], RF.lam: p["ridge"], RF.sigma2: p["noise"], RF.D: D,
            **dict(zip(Ns, p["widths"]))}  # fmt: skip
    exp = T.evaluate_mp(s.eigenvalues, s.target_power, vals, {RF.kappa2: v["kappa2"]}, RF_KEYS)
    return p, {k: float(x) for k, x in exp.items()}


def sp_widths(L: int) -> tuple:
    """The width symbols N_1..N_L of :func:`rmtscale.symbolic.random_features.deep_theory`."""
    import sympy as sp

    return sp.symbols(f"N_1:{L + 1}", positive=True)


solver(
    "deep_rf.test_error",
    "deep linear random features: kappa1, kappa2, E_g, E_tr, all terms (layer_norm=D|fan_in)",
    DEEP_SOLVE_PARAMS,
    derivation="deep_rf.kappa",
    check=check_deep_rf,
)(solve_deep_rf)

DEEP_CLAIM_PARAMS = _claim_params(
    300, Param("widths", default=(150.0, 200.0), ge=1, array_ok=True,
               help="layer widths at the smallest size (comma list)"),
    100, 0.05, 0.1,
) + (LAYER_NORM,)  # fmt: skip


def _deep_cases(p: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    w = np.atleast_1d(np.asarray(p["widths"], dtype=float))
    if np.any(w != np.round(w)):
        raise ParameterError("widths", "must be integers", p["widths"])
    for f in SIZE_FACTORS:
        c = dict(p)
        c["D"], c["P"] = p["D"] * f, p["P"] * f
        c["widths"] = [int(x) * f for x in w]
        c["n"] = min(c["D"], c["P"], *c["widths"])
        out.append(c)
    return out


def _deep_theory(case: dict[str, Any]) -> dict[str, float]:
    return {"test_error": float(deep_rf_values(case)["test_error"])}


def _deep_simulate(case: dict[str, Any], rng: np.random.Generator, backend: Any) -> dict:
    from ..simulate.random_features import rf_replicate

    s = make_spectrum(case)
    r = rf_replicate(
        s.eigenvalues, s.target_power, case["P"], case["widths"], case["ridge"],
        case["noise"], rng, layer_norm=case.get("layer_norm", "D"),
    )  # fmt: skip
    return {"test_error": r["test_error"]}


register(
    Claim(
        name="deep_rf.test_error",
        summary="Deep linear random features (F = F1...FL, layers N(0, 1/D) or, with "
        "layer_norm=fan_in, N(0, 1/N_(l-1))): E_g from the S-product vs exact finite-size fits",
        params=ParamSet(DEEP_CLAIM_PARAMS), theory=_deep_theory, simulate=_deep_simulate,
        cases=_deep_cases,
        tolerance=Tolerance(finite_size_coef=2.0, finite_size_power=1.0, systematic=5e-3),
        default_seeds=160, derivation="deep_rf.kappa", solver="deep_rf.test_error",
        check_params=dict(spectrum="isotropic", D=150, widths=[75, 100], P=50, ridge=0.05,
                          noise=0.1),
        check_seeds=80,
    )
)  # fmt: skip
