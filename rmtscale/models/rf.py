r"""Linear random features end to end: derivations, compiled solver, simulation claims.

Conventions: F ∈ ℝ^{D×N}, F_ij ~ N(0, 1/D), fresh per replicate; readout ridge λ with the
loss (1/P)‖y − XFv‖² + λ‖v‖² (λ not scaled by P); E_g excludes label noise; ``noise`` is σ².
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


def _sym():
    from ..symbolic import random_features

    return random_features


@derivation("rf.kappa", "Random features: kappa_2 (1 - Df1/P)(N - Df1)/D = lambda from S_W S_FF")
def _d_kappa():
    return _sym().derive_rf_kappa()


@derivation("rf.test_error", "Random features E_g with rho and gamma_1; N -> infinity is ridge")
def _d_test():
    return _sym().derive_rf_test_error()


@derivation("rf.train_error", "Random features E_tr = (lambda/kappa_1)^2 (E_g + sigma^2)")
def _d_train():
    return _sym().derive_rf_train_error()


@derivation("rf.bias_variance", "Random features: the six fine-grained terms, summing to E_g")
def _d_bv():
    return _sym().derive_rf_bias_variance()


@derivation(
    "rf.kappa_anisotropic",
    "Random features, anisotropic weights F = Z Sigma_F^1/2/sqrt(D): "
    "kappa_2 (1 - Df1/P) Df1 kappa_F/D = lambda, Df1^F(kappa_F) = Df1",
)
def _d_kappa_aniso():
    return _sym().derive_rf_kappa_anisotropic()


RF_KEYS = (
    "kappa1", "kappa2", "df1", "df2", "gamma1", "gamma2", "rho", "bias2", "var_x", "var_f",
    "var_xf", "var_xe", "var_xfe", "test_error", "train_error",
)  # fmt: skip

ALPHA_F = Param(
    "alpha_F", default=0.0, ge=0,
    help="anisotropic weights: Sigma_F eigenvalues j^-alpha_F (0 = isotropic F)",
)  # fmt: skip

SOLVE_PARAMS = (
    *SPECTRUM_PARAMS,
    Param("P", default=200, gt=0, array_ok=True, help="samples (grid ok)"),
    Param("N", default=150, gt=0, array_ok=True, help="number of random features (grid ok)"),
    Param(
        "ridge",
        default=0.01,
        ge=0,
        array_ok=True,
        help="readout ridge, not scaled by P (0: ridgeless limit)",
    ),  # fmt: skip  # fmt: skip
    Param("noise", default=0.0, ge=0, help="label-noise variance sigma^2"),
    ALPHA_F,
)


def feature_spectrum(p: dict[str, Any]) -> np.ndarray | None:
    """Σ_F eigenvalues j^-alpha_F, j = 1..max(N) (None for isotropic weights, alpha_F = 0);
    width N uses the first N of them."""
    if not p.get("alpha_F"):
        return None
    n_max = int(np.max(p["N"]))
    return np.arange(1, n_max + 1, dtype=float) ** -float(p["alpha_F"])


def rf_values(p: dict[str, Any]) -> dict[str, Any]:
    """Theory at the outer-product grid of the array parameters (scalars stay scalars)."""
    s = make_spectrum(p)
    eF = None
    if p.get("alpha_F"):
        if np.any(np.asarray(p["N"]) != np.round(np.asarray(p["N"]))):
            raise ParameterError("N", "must be integers when alpha_F > 0", p["N"])
        eF = feature_spectrum(p)
    axes = [np.atleast_1d(p[k]) for k in ("P", "N", "ridge")]
    grids = np.meshgrid(*axes, indexing="ij")
    from ..numeric.random_features import rf_theory

    th = rf_theory(s.eigenvalues, s.target_power, *grids, noise=p["noise"], feature_spectrum=eF)
    if not np.all(th["converged"]):
        raise ArithmeticError("kappa_2 iteration did not converge at some points")
    return _squeeze(th, p, ("P", "N", "ridge"))


def _squeeze(th: dict[str, np.ndarray], p: dict[str, Any], axes: tuple[str, ...]) -> dict:
    """Drop the grid axes of scalar parameters; 0-d results become floats."""
    keep = tuple(i for i, k in enumerate(axes) if np.ndim(p[k]) > 0)
    out = {}
    for k in RF_KEYS:
        a = th[k]
        a = a.reshape(tuple(a.shape[i] for i in keep)) if keep else a.reshape(())
        out[k] = float(a) if a.ndim == 0 else a
    return out


def solve_rf(**p: Any) -> dict[str, Any]:
    """Every random-feature output (:func:`rf_values`) at the declared parameters."""
    return rf_values(p)


def check_rf(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random legal point (small spectrum; P and N below, near and above D and each other;
    λ in [1e-5, 1]; anisotropic weights Σ_F = diag(j^-alpha_F) one time in three) and the
    theory there in 30-digit arithmetic (κ₂, and κ_F, from ``mp.findroot``)."""
    RF = _sym()
    p = draw_spectrum_params(rng)
    D = p["D"]
    ratios = [0.3, 0.9, 1.1, 2.5]
    p["P"] = float(max(2, round(D * float(rng.choice(ratios)))))
    p["N"] = float(max(2, round(float(rng.choice([p["P"], D])) * float(rng.choice(ratios)))))
    p.update(ridge=float(10 ** rng.uniform(-5, 0)), noise=float(rng.uniform(0, 0.5)))
    p["alpha_F"] = float(rng.uniform(0.3, 1.5)) if rng.random() < 1 / 3 else 0.0
    v = rf_values(p)
    s = make_spectrum(p)
    vals = {RF.P: p["P"], RF.N: p["N"], RF.lam: p["ridge"], RF.sigma2: p["noise"], RF.D: D}
    if p["alpha_F"]:
        from ..numeric.random_features import rf_theory

        eF = feature_spectrum(p)
        r = rf_theory(s.eigenvalues, s.target_power, p["P"], p["N"], p["ridge"],
                      feature_spectrum=eF)  # fmt: skip
        start = {RF.kappa2: v["kappa2"], RF.kappa_F: float(r["kappa_F"])}
        T = RF.anisotropic_theory()
        exp = T.evaluate_mp(s.eigenvalues, s.target_power, vals, start, RF_KEYS, eF)
    else:
        exp = RF.THEORY.evaluate_mp(
            s.eigenvalues, s.target_power, vals, {RF.kappa2: v["kappa2"]}, RF_KEYS
        )
    return p, {k: float(x) for k, x in exp.items()}


for _name, _summary in (
    ("rf.test_error", "kappa1, kappa2, E_g, E_tr and every bias-variance term"),
    ("rf.train_error", "same outputs as rf.test_error"),
    ("rf.bias_variance", "Bias^2, Var_X, Var_F, Var_XF, Var_Xe, Var_XFe"),
):
    solver(_name, _summary, SOLVE_PARAMS, derivation=_name, check=check_rf)(solve_rf)


SIZE_FACTORS = (1, 2, 4)


def _claim_params(D: int, width: Param, P: int, ridge: float, noise: float) -> tuple:
    """Spectrum words, then D, the width parameter, P, ridge and noise (sizes at the
    smallest of the validated sizes)."""
    return (
        *SPECTRUM_PARAMS[:1],
        Param("D", kind="int", default=D, ge=2, help="input dimension at the smallest size"),
        *SPECTRUM_PARAMS[2:],
        width,
        Param("P", kind="int", default=P, ge=2, help="samples at the smallest size"),
        Param("ridge", default=ridge, gt=0, help="readout ridge (> 0)"),
        Param("noise", default=noise, ge=0, help="label-noise variance sigma^2"),
    )


CLAIM_PARAMS = (
    *_claim_params(
        300, Param("N", kind="int", default=150, ge=1, help="features at the smallest size"),
        200, 0.01, 0.1,
    ),
    ALPHA_F,
)  # fmt: skip


def _cases(p: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f in SIZE_FACTORS:
        c = dict(p)
        c["D"], c["N"], c["P"] = p["D"] * f, p["N"] * f, p["P"] * f
        c["n"] = min(c["D"], c["N"], c["P"])
        out.append(c)
    return out


# contract preset (rmtscale.check_claim): the acceptance case; a 3 % perturbation fails there
RF_CHECK = dict(spectrum="power_law", alpha=1.5, beta=0.8, D=300, N=150, P=200, ridge=0.01,
                noise=0.1)  # fmt: skip


def _rf_claim(name: str, summary: str, key: str) -> Claim:
    def theory(case: dict[str, Any]) -> dict[str, float]:
        return {key: float(rf_values(case)[key])}

    def simulate(case: dict[str, Any], rng: np.random.Generator, backend: Any) -> dict:
        from ..simulate.random_features import rf_replicate

        s = make_spectrum(case)
        r = rf_replicate(
            s.eigenvalues, s.target_power, case["P"], case["N"], case["ridge"],
            case["noise"], rng, feature_spectrum=feature_spectrum(case),
        )  # fmt: skip
        return {key: r[key]}

    return Claim(
        name=name, summary=summary, params=ParamSet(CLAIM_PARAMS), theory=theory,
        simulate=simulate, cases=_cases,
        tolerance=Tolerance(finite_size_coef=2.0, finite_size_power=1.0, systematic=5e-3),
        default_seeds=160, derivation="rf.test_error", solver=name,
        check_params=RF_CHECK, check_perturb=0.03,
    )  # fmt: skip


register(_rf_claim(
    "rf.test_error",
    "Linear random features E_g vs exact finite-size fits (fresh F and X per replicate)",
    "test_error",
))  # fmt: skip
register(_rf_claim(
    "rf.train_error",
    "Linear random features E_tr = (lambda/kappa_1)^2 (E_g + sigma^2) vs finite-size fits",
    "train_error",
))  # fmt: skip


# ============================================================================ bias-variance
BV_TERMS = ("bias2", "var_x", "var_f", "var_xf", "var_xe", "var_xfe")
BV_PARAMS = _claim_params(
    150, Param("N", kind="int", default=75, ge=1, help="features at the smallest size"),
    225, 0.01, 0.25,
)  # fmt: skip


def _bv_cases(p: dict[str, Any]) -> list[dict[str, Any]]:
    return _cases(p)[:2]  # sizes x1, x2: each replicate is a 6 x 6 grid of fits


def _bv_theory(case: dict[str, Any]) -> dict[str, float]:
    v = rf_values(case)
    return {k: float(v[k]) for k in BV_TERMS}


def _bv_simulate(case: dict[str, Any], rng: np.random.Generator, backend: Any) -> dict:
    from ..simulate.random_features import rf_bias_variance_replicate

    s = make_spectrum(case)
    return rf_bias_variance_replicate(
        s.eigenvalues, s.target_power, case["P"], case["N"], case["ridge"], case["noise"], rng
    )


register(
    Claim(
        name="rf.bias_variance",
        summary="Random features: Bias^2, Var_X, Var_F, Var_XF, Var_Xe, Var_XFe vs unbiased "
        "pairwise estimates from independent 6 x 6 (data x features) grids of fits",
        params=ParamSet(BV_PARAMS), theory=_bv_theory, simulate=_bv_simulate, cases=_bv_cases,
        tolerance=Tolerance(finite_size_coef=2.0, finite_size_power=1.0, systematic=1e-2),
        default_seeds=30, derivation="rf.test_error", solver="rf.bias_variance",
        check_params=dict(spectrum="isotropic", D=60, N=30, P=90, ridge=0.01, noise=0.25),
        check_seeds=20, check_perturb=0.1,
    )
)  # fmt: skip
