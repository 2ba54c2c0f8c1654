r"""Ridge regression end to end: derivations, compiled solver, simulation claims.

Conventions (``DESIGN.md``): loss :math:`\frac1P\lVert Xw-y\rVert^2+\lambda\lVert w\rVert^2`
(λ not scaled by P); E_g excludes label noise; df's are unnormalized traces; ``noise`` is
σ², the label-noise variance; spectra as in :mod:`rmtscale.spectra`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import spectra
from ..numeric.ridge import ridge_theory
from ..params import Param, ParamSet
from ..registry import derivation, solver
from ..simulate.ridge import ridge_replicate
from ..symbolic import ridge as sym
from ..validate.claims import Claim, register
from ..validate.stats import Tolerance

SPECTRUM_PARAMS = (
    Param(
        "spectrum",
        kind="str",
        default="isotropic",
        choices=("isotropic", "power_law"),
        help="population spectrum",
    ),
    Param("D", kind="int", default=400, ge=1, help="number of modes (input dimension)"),
    Param("signal", default=1.0, ge=0, help="isotropic: ||wbar||^2"),
    Param("alpha", default=1.5, gt=1, help="power_law: eigenvalues k^-alpha"),
    Param("beta", default=0.8, gt=0, help="power_law: target power k^-(alpha*beta+1)"),
)
NOISE = Param("noise", default=0.0, ge=0, help="label-noise variance sigma^2")


def make_spectrum(p: dict[str, Any]) -> spectra.Spectrum:
    if p["spectrum"] == "isotropic":
        return spectra.isotropic(p["D"], p["signal"])
    return spectra.power_law(p["alpha"], p["beta"], p["D"])


# ============================================================================ derivations
@derivation("ridge.kappa", "Renormalized ridge kappa = lambda + (kappa/P) Df1(kappa) from S_W")
def _d_kappa():
    return sym.derive_kappa()


@derivation("ridge.test_error", "Ridge E_g = (kappa^2 tf1' + gamma sigma^2)/(1 - gamma)")
def _d_test():
    return sym.derive_test_error()


@derivation("ridge.train_error", "Ridge E_tr = (lambda/kappa)^2 (E_g + sigma^2)")
def _d_train():
    return sym.derive_train_error()


@derivation("ridge.bias_variance", "Ridge Bias^2, Var_X, Var_Xe (fine-grained decomposition)")
def _d_bv():
    return sym.derive_bias_variance()


@derivation("ridge.gcv", "GCV: E_g + sigma^2 = S^2 E_tr, S estimated from training data")
def _d_gcv():
    return sym.derive_gcv()


# ============================================================================ solvers
SOLVE_PARAMS = (
    *SPECTRUM_PARAMS,
    Param("P", default=800, gt=0, array_ok=True, help="number of samples (grid ok)"),
    Param(
        "ridge", default=1e-3, ge=0, array_ok=True, help="ridge lambda, not scaled by P (grid ok)"
    ),
    NOISE,
)


def ridge_values(p: dict[str, Any]) -> dict[str, Any]:
    """Solve the theory; arrays of shape (len(P), len(ridge)) squeezed to the inputs' shape."""
    s = make_spectrum(p)
    Ps = np.atleast_1d(p["P"])
    lams = np.atleast_1d(p["ridge"])
    th = ridge_theory(s.eigenvalues, s.target_power, Ps, lams, noise=p["noise"])
    if not np.all(th.converged):
        raise ArithmeticError("kappa iteration did not converge at some grid points")
    shape = tuple(n for n, arr in ((Ps.size, p["P"]), (lams.size, p["ridge"])) if np.ndim(arr) > 0)

    def out(a: np.ndarray) -> Any:
        a = a.reshape(shape) if shape else a.reshape(())
        return float(a) if a.ndim == 0 else a

    return {
        "kappa": out(th.kappa),
        "df1": out(th.df1),
        "df2": out(th.df2),
        "gamma": out(th.gamma),
        "bias": out(th.bias),
        "variance": out(th.variance),
        "bias2": out(th.bias2),
        "var_x": out(th.var_x),
        "var_noise": out(th.var_noise),
        "test_error": out(th.test_error),
        "train_error": out(th.train_error),
        "gcv": out(th.gcv),
        "s_transform": out(th.s_transform),
    }


for _name, _summary in (
    ("ridge.test_error", "kappa, df1, df2, bias, variance, test/train error on a (P, ridge) grid"),
    ("ridge.train_error", "same outputs as ridge.test_error"),
    ("ridge.kappa", "renormalized ridge and degrees of freedom on a (P, ridge) grid"),
    ("ridge.bias_variance", "Bias^2, Var_X, Var_Xe and their sum E_g"),
    ("ridge.gcv", "GCV target E_g + sigma^2 = S^2 E_tr and the S-transform"),
):
    solver(_name, _summary, SOLVE_PARAMS)(lambda **p: ridge_values(p))


# ============================================================================ claims
SIZE_FACTORS = (1, 2, 4)
CLAIM_PARAMS = (
    *SPECTRUM_PARAMS,
    Param("P", kind="int", default=300, ge=2, help="samples at the smallest size"),
    Param("ridge", default=0.05, gt=0, help="ridge lambda (> 0 for validation)"),
    Param("noise", default=0.1, ge=0, help="label-noise variance sigma^2"),
)


def _cases(p: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f in SIZE_FACTORS:
        c = dict(p)
        c["D"], c["P"] = p["D"] * f, p["P"] * f
        c["n"] = min(c["D"], c["P"])
        out.append(c)
    return out


def _theory_for(keys: tuple[str, ...]):
    def theory(case: dict[str, Any]) -> dict[str, float]:
        v = ridge_values(case)
        return {k: float(v[src]) for k, src in keys}

    return theory


def _sim_for(keys: tuple[str, ...]):
    def simulate(case: dict[str, Any], rng: np.random.Generator, backend: Any) -> dict:
        s = make_spectrum(case)
        r = ridge_replicate(
            s.eigenvalues,
            s.target_power,
            case["P"],
            case["ridge"],
            case["noise"],
            rng,
            gcv=any(k == "gcv" for k, _ in keys),
        )
        return {k: r[k] for k, _ in keys}

    return simulate


def _ridge_claim(
    name: str, summary: str, keys: tuple[tuple[str, str], ...], derivation_name: str
) -> Claim:
    return Claim(
        name=name,
        summary=summary,
        params=ParamSet(CLAIM_PARAMS),
        theory=_theory_for(keys),
        simulate=_sim_for(keys),
        cases=_cases,
        tolerance=Tolerance(finite_size_coef=2.0, finite_size_power=1.0, systematic=5e-3),
        default_seeds=40,
        derivation=derivation_name,
    )


register(
    _ridge_claim(
        "ridge.test_error",
        "Ridge E_g (no label noise) vs exact finite-size ridge fits on the given spectrum",
        (("test_error", "test_error"),),
        "ridge.test_error",
    )
)
register(
    _ridge_claim(
        "ridge.train_error",
        "Ridge training error (lambda/kappa)^2 (E_g + sigma^2) vs finite-size fits",
        (("train_error", "train_error"),),
        "ridge.train_error",
    )
)
register(
    _ridge_claim(
        "ridge.gcv",
        "GCV estimate S_hat^2 E_tr from training data alone vs the true E_g + sigma^2",
        (("gcv", "gcv"), ("test_error_noisy", "gcv")),
        "ridge.gcv",
    )
)
