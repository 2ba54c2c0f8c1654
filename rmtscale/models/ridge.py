r"""Ridge regression end to end: derivations, compiled solver, simulation claims.

Conventions (docs/conventions.md): loss :math:`\frac1P\lVert Xw-y\rVert^2+\lambda\lVert w\rVert^2`
(λ not scaled by P); E_g excludes label noise; df's are unnormalized traces; ``noise`` is
σ², the label-noise variance; spectra as in :mod:`rmtscale.spectra`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..params import Param, ParamSet
from ..registry import derivation, solver
from ..spectra import SPECTRUM_PARAMS, draw_spectrum_params, make_spectrum
from ..validate.claims import Claim, register
from ..validate.stats import Tolerance

NOISE = Param("noise", default=0.0, ge=0, help="label-noise variance sigma^2")
OUTPUTS = (
    "kappa", "df1", "df2", "gamma", "bias", "variance", "bias2", "var_x", "var_noise",
    "test_error", "train_error", "gcv", "s_transform",
)  # fmt: skip


def _sym():
    from ..symbolic import ridge

    return ridge


# ============================================================================ derivations
@derivation("ridge.kappa", "Renormalized ridge kappa = lambda + (kappa/P) Df1(kappa) from S_W")
def _d_kappa():
    return _sym().derive_kappa()


@derivation("ridge.test_error", "Ridge E_g = (kappa^2 tf1' + gamma sigma^2)/(1 - gamma)")
def _d_test():
    return _sym().derive_test_error()


@derivation("ridge.train_error", "Ridge E_tr = (lambda/kappa)^2 (E_g + sigma^2)")
def _d_train():
    return _sym().derive_train_error()


@derivation("ridge.bias_variance", "Ridge Bias^2, Var_X, Var_Xe (fine-grained decomposition)")
def _d_bv():
    return _sym().derive_bias_variance()


@derivation("ridge.gcv", "GCV: E_g + sigma^2 = S^2 E_tr, S estimated from training data")
def _d_gcv():
    return _sym().derive_gcv()


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
    from ..numeric.ridge import ridge_theory

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

    return {k: out(getattr(th, k)) for k in OUTPUTS}


def solve_ridge(**p: Any) -> dict[str, Any]:
    """Every ridge output (:func:`ridge_values`) at the declared parameters."""
    return ridge_values(p)


def check_ridge(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    """A random legal point (small spectrum; P below, near and above D; λ in [1e-6, 1]) and
    the ridge theory there in 30-digit arithmetic (κ from ``mp.findroot``)."""
    from ..numeric.ridge import ridge_theory

    R = _sym()
    p = draw_spectrum_params(rng)
    q = float(rng.choice([0.3, 0.9, 0.98, 1.02, 1.1, 3.0]))
    p.update(P=max(2.0, round(p["D"] / q)), ridge=float(10 ** rng.uniform(-6, 0)))
    p["noise"] = float(rng.uniform(0, 0.5))
    s = make_spectrum(p)
    k = ridge_theory(s.eigenvalues, s.target_power, [p["P"]], [p["ridge"]]).kappa[0, 0]
    vals = {R.P: p["P"], R.lam: p["ridge"], R.sigma2: p["noise"]}
    exp = R.THEORY.evaluate_mp(s.eigenvalues, s.target_power, vals, {R.kappa: k})
    return p, {key: float(v) for key, v in exp.items()}


for _name, _summary in (
    ("ridge.test_error", "kappa, df1, df2, bias, variance, test/train error on a (P, ridge) grid"),
    ("ridge.train_error", "same outputs as ridge.test_error"),
    ("ridge.kappa", "renormalized ridge and degrees of freedom on a (P, ridge) grid"),
    ("ridge.bias_variance", "Bias^2, Var_X, Var_Xe and their sum E_g"),
    ("ridge.gcv", "GCV target E_g + sigma^2 = S^2 E_tr and the S-transform"),
):
    solver(_name, _summary, SOLVE_PARAMS, derivation=_name, check=check_ridge)(solve_ridge)


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
        from ..simulate.ridge import ridge_replicate

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


# contract presets (rmtscale.check_claim): a 5 % perturbation of E_tr / GCV fails on the small
# isotropic case; E_g is checked on the power-law acceptance case, where 3 % fails
SMALL_CHECK = dict(spectrum="isotropic", D=200, P=400, ridge=0.1, noise=0.25)
ACCEPT_CHECK = dict(spectrum="power_law", alpha=1.5, beta=0.8, D=400, P=300, ridge=0.05, noise=0.1)


def _ridge_claim(
    name: str,
    summary: str,
    keys: tuple[tuple[str, str], ...],
    derivation_name: str,
    check: dict[str, Any] | None = None,
) -> Claim:
    check = check or dict(check_params=SMALL_CHECK, check_seeds=24)
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
        solver=derivation_name,
        **check,
    )


register(
    _ridge_claim(
        "ridge.test_error",
        "Ridge E_g (no label noise) vs exact finite-size ridge fits on the given spectrum",
        (("test_error", "test_error"),),
        "ridge.test_error",
        dict(check_params=ACCEPT_CHECK, check_perturb=0.03),
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
