r"""Slope claims: a symbolic exponent against the fitted slope of a compiled numeric theory.

Each claim is a :class:`~rmtscale.validate.deterministic.DeterministicClaim` (``kind =
"deterministic"``): the *theory* is the symbolic exponent at (α, β)
(:func:`rmtscale.symbolic.exponents.classify`); the *measurement* is the least-squares slope
in log-log of a deterministic curve of :mod:`rmtscale.numeric.scaling_curves` over
``windows`` fit windows of ``decades`` (≥ 3) decades, whose lower ends are spread evenly over
``[x0, x0·10^jitter]`` (on a spline of the computed curve). Verdict
(:func:`~rmtscale.validate.deterministic.run_deterministic`): |mean slope − exponent| ≤ 0.02
(0.03 for the compute-optimal width share), and the drift of the slope across the windows
(max − min) ≤ 0.04. An exponent wrong by 0.05 fails (``perturb`` *adds* eps to the exponent).
``seed`` and ``seeds`` have no effect (nothing is random); measurements are cached per case.

Curves: ``ridge_data_exponent`` E_g(P) (λ = σ = 0, D = 10⁶ modes); ``ridge_optimal_exponent``
λ*(P), E_g*(P) with noise σ²; ``rf_width_exponent`` E_g(N) at P = ∞ (projection error);
``time_exponent`` gradient-flow E_g(τ) at N = 10⁸·D (= ∞); ``rich_time_exponent`` the exact
N = ∞ reduced feature-learning dynamics L(t); ``compute_exponent`` L*(C), N*(C) at C = N·τ
(width-independent time); ``ridge_lambda_exponent`` E_g(λ) at P = 10³⁰; ``rf_data_exponent``
E_g(P) at N = 10³·P; ``sgd_noise_exponent`` B·(E_SGD,B − E_GD)(t).

Defaults are chosen where the pre-asymptotic corrections and the mode truncation are both
below ~0.01 over the windows: (α, β) = (2, 0.75) for ridge, optimal ridge, time, λ and RF data;
(3, 0.4) for width and compute (the projection filter converges like N^-α(1-β), slowly for β
near 1 at α = 2); (2, 0.6, γ = 1) for the rich claim; (2, 3), B = 100, η = 0.5, t ≥ 100 for the
SGD-noise claim (β > 1 needed: Σ_t E_g finite; relative corrections O(1/t)). RF at N = 10³P for
β > 1 sits in the variance-limited wedge beyond P ~ 10³ (α = 2, β = 1.5), so the RF data claim
needs β ≤ 1 or a larger width. α ≈ 1 needs many more modes (the truncated trace biases κ by
(x/D)^(α−1)); easy-task (β > 1) compute slopes converge slowly (O(t^-(β-1)) corrections).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import ParameterError
from ...params import Param, ParamSet
from ...validate.claims import register
from ...validate.deterministic import (
    DeterministicClaim,
    log_grid,
    window_offsets,
    window_slopes,
)

SLOPE_TOL = 0.02
DRIFT_TOL = 0.04

COMMON = (
    Param("decades", default=3.0, ge=3, help="width of each fit window (decades)"),
    Param("jitter", default=0.5, ge=0, le=2, help="spread of the window offsets (decades)"),
    Param("windows", kind="int", default=8, ge=2, help="number of fit windows"),
)


def _curves():
    from ...numeric import scaling_curves

    return scaling_curves


def exponent_at(key: str, p: dict[str, Any]) -> float:
    """The symbolic exponent ``key`` of :func:`~rmtscale.symbolic.exponents.classify` at p."""
    from ...symbolic.exponents import classify

    return float(classify(p["alpha"], p["beta"])[key])


class ExponentTheory:
    """theory(case) -> {observable: exponent}: symbolic exponents by their classify keys."""

    def __init__(self, **keys: str):
        self.keys = keys

    def __call__(self, case: dict[str, Any]) -> dict[str, float]:
        return {obs: exponent_at(key, case) for obs, key in self.keys.items()}

    def __repr__(self) -> str:
        return f"ExponentTheory({self.keys})"


def add_perturb(values: dict[str, float], case: dict[str, Any], eps: float) -> dict:  # noqa: ARG001
    """Perturb an exponent additively: e -> e + eps (a wrong exponent by eps)."""
    return {k: v + eps for k, v in values.items()}


def _offsets(case: dict[str, Any]) -> np.ndarray:
    return window_offsets(int(case["windows"]), case["jitter"])


def _slopes(x, yv, case, x0_key: str, sign: float = -1.0) -> np.ndarray:
    return sign * window_slopes(x, yv, case[x0_key], case["decades"], _offsets(case))


def slope_claim(
    name: str,
    summary: str,
    params: tuple[Param, ...],
    theory: ExponentTheory,
    measure,
    derivation_name: str,
    n_key: str,
    x0_key: str,
    tolerance: Any = SLOPE_TOL,
) -> DeterministicClaim:
    """A deterministic slope claim (module docstring); the case size n is ``case[n_key]``."""

    def cases(p: dict[str, Any]) -> list[dict[str, Any]]:
        c = dict(p)
        c["n"] = int(p[n_key])
        return [c]

    def windows(case: dict[str, Any]) -> list[tuple[float, float]]:
        x0, d = case[x0_key], case["decades"]
        return [(x0 * 10**u, x0 * 10 ** (u + d)) for u in _offsets(case)]

    return DeterministicClaim(
        name=name,
        summary=summary,
        params=ParamSet(params),
        theory=theory,
        simulate=None,
        cases=cases,
        perturb=add_perturb,
        backends=("cpu",),
        derivation=derivation_name,
        measure=measure,
        windows=windows,
        value_tolerance=tolerance,
        drift_tolerance=DRIFT_TOL,
    )


def _alpha(default: float) -> Param:
    return Param("alpha", default=default, gt=1, help="capacity")


def _beta(default: float) -> Param:
    return Param("beta", default=default, gt=0, help="source")


def _modes(default: int, ge: int = 1000, name: str = "D", help: str = "modes") -> Param:
    return Param(name, kind="int", default=default, ge=ge, help=help)


# ------------------------------------------------------------------ 1. ridge E_g vs P
def measure_ridge_data(case):
    Ps = log_grid(case["P0"], case["decades"], case["jitter"], 12)
    E = _curves().ridge_data_curve(case["alpha"], case["beta"], case["D"], Ps)
    return {"exponent": _slopes(Ps, E, case, "P0")}


register(
    slope_claim(
        "scaling.ridge_data_exponent",
        "ridgeless noiseless E_g ~ P^-(alpha min(beta,2)): slope of ridge_theory over >= 3 decades",
        (
            _alpha(2.0),
            _beta(0.75),
            _modes(10**6, help="modes (truncation, pitfall 10)"),
            Param("P0", default=30.0, ge=1, help="lower end of the first fit window (samples)"),
            *COMMON,
        ),
        ExponentTheory(exponent="ridge_data_exponent"),
        measure_ridge_data,
        "scaling.ridge",
        "D",
        "P0",
    )
)


# ------------------------------------------------------------------ 2. optimal ridge
def measure_ridge_optimal(case):
    Ps = log_grid(case["P0"], case["decades"], case["jitter"], 8)
    lstar, estar = _curves().ridge_optimal_curve(
        case["alpha"], case["beta"], case["D"], case["noise"], Ps
    )
    return {
        "ridge_exponent": _slopes(Ps, lstar, case, "P0"),
        "error_exponent": _slopes(Ps, estar, case, "P0"),
    }


register(
    slope_claim(
        "scaling.ridge_optimal_exponent",
        "optimally tuned ridge with noise: lambda* ~ P^-alpha/(alpha m+1), "
        "E_g* ~ P^-alpha m/(alpha m+1), m = min(beta,2)",
        (
            _alpha(2.0),
            _beta(0.75),
            _modes(10**6),
            Param("noise", default=1.0, gt=0, help="label-noise variance sigma^2"),
            Param("P0", default=100.0, ge=1, help="lower end of the first fit window"),
            *COMMON,
        ),
        ExponentTheory(
            ridge_exponent="optimal_ridge_exponent", error_exponent="optimal_ridge_error_exponent"
        ),
        measure_ridge_optimal,
        "scaling.ridge",
        "D",
        "P0",
    )
)


# ------------------------------------------------------------------ 3. RF width
def measure_rf_width(case):
    Ns = log_grid(case["N0"], case["decades"], case["jitter"], 12)
    E = _curves().rf_width_curve(case["alpha"], case["beta"], case["D"], Ns)
    return {"exponent": _slopes(Ns, E, case, "N0")}


register(
    slope_claim(
        "scaling.rf_width_exponent",
        "random features at P = t = oo: E_g ~ N^-(alpha min(beta,1)) (linear projection), "
        "slope of rf_theory",
        (
            _alpha(3.0),
            _beta(0.4),
            _modes(10**6),
            Param("N0", default=30.0, ge=1, help="lower end of the first fit window (width)"),
            *COMMON,
        ),
        ExponentTheory(exponent="rf_width_exponent"),
        measure_rf_width,
        "scaling.random_features",
        "D",
        "N0",
    )
)


# ------------------------------------------------------------------ 4. lazy time exponent
def measure_time(case):
    taus = log_grid(case["t0"], case["decades"], case["jitter"], 6)
    E = _curves().lazy_time_curve(
        case["alpha"], case["beta"], case["D"], taus, case["width_factor"]
    )
    return {"exponent": _slopes(taus, E, case, "t0")}


register(
    slope_claim(
        "scaling.time_exponent",
        "lazy gradient flow E_g ~ tau^-beta (no saturation): slope of the rf_gd flow theory "
        "at width N = 1e8 D (N = oo)",
        (
            _alpha(2.0),
            _beta(0.75),
            _modes(10**4, ge=100),
            Param("t0", default=10.0, gt=0, help="lower end of the first fit window (time)"),
            Param("width_factor", default=1e8, ge=1, help="width N = width_factor * D"),
            *COMMON,
        ),
        ExponentTheory(exponent="time_exponent_lazy"),
        measure_time,
        "scaling.dynamics",
        "D",
        "t0",
    )
)


# ------------------------------------------------------------------ 5. rich time exponent
def measure_rich(case):
    t, L, _ = _curves().rich_curve(case["alpha"], case["beta"], case["gamma"], case["M"])
    span_hi = case["t0"] * 10 ** (case["decades"] + case["jitter"])
    if t[-1] < span_hi:
        raise ArithmeticError("tau grid too short for the requested time window")
    keep = t <= span_hi * 10
    return {"exponent": _slopes(t[keep], L[keep], case, "t0")}


register(
    slope_claim(
        "scaling.rich_time_exponent",
        "rich (gamma > 0) loss ~ t^-chi(beta), chi = beta max(1, 2/(1+beta)): slope of the exact "
        "N = oo reduced dynamics (isotropic channel)",
        (
            _alpha(2.0),
            _beta(0.6),
            Param("gamma", default=1.0, gt=0, help="feature-learning strength"),
            _modes(10**6, name="M"),
            Param("t0", default=10.0, gt=0, help="lower end of the first fit window (time)"),
            *COMMON,
        ),
        ExponentTheory(exponent="time_exponent_rich"),
        measure_rich,
        "scaling.feature_learning",
        "M",
        "t0",
    )
)


# ------------------------------------------------------------------ 6. compute-optimal
def measure_compute(case):
    Cs = log_grid(case["C0"], case["decades"], case["jitter"], 3)
    share = exponent_at("width_share_flow", case)
    Ns, Ls, _ = _curves().compute_frontier(case["alpha"], case["beta"], case["D"], Cs, share)
    if Ns.max() > case["D"] / 4:
        raise ParameterError("D", f"must be >= 4 N* = {4 * Ns.max():.0f} (mode truncation)")
    return {
        "compute_exponent": _slopes(Cs, Ls, case, "C0"),
        "width_share": _slopes(Cs, Ns, case, "C0", sign=1.0),
    }


register(
    slope_claim(
        "scaling.compute_exponent",
        "lazy compute-optimal L* ~ C^-e, N* ~ C^s (C = N tau, gradient flow): slopes of the "
        "rf_gd flow theory minimized over N",
        (
            _alpha(3.0),
            _beta(0.4),
            _modes(4000, ge=100),
            Param("C0", default=1000.0, gt=0, help="lower end of the first fit window (compute)"),
            *COMMON,
        ),
        ExponentTheory(compute_exponent="compute_exponent_flow", width_share="width_share_flow"),
        measure_compute,
        "scaling.compute_optimal",
        "D",
        "C0",
        tolerance={"compute_exponent": SLOPE_TOL, "width_share": 1.5 * SLOPE_TOL},
    )
)


# ------------------------------------------------------------------ 7. ridge E_g vs lambda
def measure_ridge_lambda(case):
    lams = log_grid(case["lam0"], case["decades"], case["jitter"], 12)
    E = _curves().ridge_lambda_curve(case["alpha"], case["beta"], case["D"], lams, case["P"])
    return {"exponent": _slopes(lams, E, case, "lam0", sign=1.0)}


register(
    slope_claim(
        "scaling.ridge_lambda_exponent",
        "ridge-limited noiseless E_g ~ lambda^min(beta,2) at P = oo (kappa = lambda): slope of "
        "ridge_theory over >= 3 decades in lambda",
        (
            _alpha(2.0),
            _beta(0.75),
            _modes(10**6, help="modes (lambda >> D^-alpha)"),
            Param("P", default=1e30, gt=0, help="samples (P^-alpha << lambda: the P = oo limit)"),
            Param("lam0", default=1e-7, gt=0, help="lower end of the first fit window (ridge)"),
            *COMMON,
        ),
        ExponentTheory(exponent="ridge_lambda_exponent"),
        measure_ridge_lambda,
        "scaling.ridge",
        "D",
        "lam0",
    )
)


# ------------------------------------------------------------------ 8. RF E_g vs P (N >> P)
def measure_rf_data(case):
    Ps = log_grid(case["P0"], case["decades"], case["jitter"], 12)
    E = _curves().rf_data_curve(
        case["alpha"], case["beta"], case["D"], Ps, case["width_factor"], case["ridge"]
    )
    return {"exponent": _slopes(Ps, E, case, "P0")}


register(
    slope_claim(
        "scaling.rf_data_exponent",
        "random features, data-limited (N = 1e3 P >> P): E_g ~ P^-(alpha min(beta,2)), slope "
        "of rf_theory",
        (
            _alpha(2.0),
            _beta(0.75),
            _modes(10**6),
            Param("P0", default=30.0, ge=1, help="lower end of the first fit window (samples)"),
            Param("width_factor", default=1e3, ge=1, help="width N = width_factor * P"),
            Param("ridge", default=0.0, ge=0, help="ridge lambda (not scaled by P)"),
            *COMMON,
        ),
        ExponentTheory(exponent="rf_data_exponent"),
        measure_rf_data,
        "scaling.random_features",
        "D",
        "P0",
    )
)


# ------------------------------------------------------------------ 9. SGD-noise term
def measure_sgd_noise(case):
    steps = np.unique(np.round(log_grid(case["t0"], case["decades"], case["jitter"], 12)))
    y = _curves().sgd_noise_curve(
        case["alpha"], case["beta"], case["D"], steps, case["lr"], int(case["batch"])
    )
    return {"exponent": _slopes(steps, y, case, "t0")}


register(
    slope_claim(
        "scaling.sgd_noise_exponent",
        "online-SGD noise term B^-1 t^-(2-1/alpha): slope of B (E_SGD - E_GD) vs steps "
        "(sgd_learning_curve, noiseless, super-easy task)",
        (
            _alpha(2.0),
            Param("beta", default=3.0, gt=1, help="source (> 1; super-easy: > 2 - 1/alpha)"),
            _modes(3000, ge=100),
            Param("t0", default=100.0, ge=1, help="lower end of the first fit window (steps)"),
            Param("lr", default=0.5, gt=0, help="learning rate eta"),
            Param("batch", kind="int", default=100, ge=1, help="batch size B"),
            *COMMON,
        ),
        ExponentTheory(exponent="sgd_noise_exponent"),
        measure_sgd_noise,
        "scaling.dynamics",
        "D",
        "t0",
    )
)
