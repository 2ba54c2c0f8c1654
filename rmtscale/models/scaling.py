r"""Scaling exponents: derivations, the regime classifier, and slope claims.

Derivations (``rmtscale derive NAME [alpha=… beta=…]``; parameters left out stay symbolic):
``scaling.ridge``, ``scaling.random_features``, ``scaling.dynamics``,
``scaling.compute_optimal``, ``scaling.feature_learning``, ``scaling.ppxp``,
``scaling.regime`` (formulas in :mod:`rmtscale.symbolic.exponents`).

Solvers: ``scaling.regime`` (α, β → regime and every exponent), ``scaling.ppxp`` (the same
from PPXP's (α_P, β_P)).

Claims — **slope claims**: the "theory" is the symbolic exponent at (α, β); the "simulation"
is the slope of the *compiled numeric theory* fitted by least squares in log-log over a window
of ≥ 3 decades. The numeric theory is deterministic, so a claim has one case (n = the number
of modes) and its *replicates are fit windows*: replicate r of R fits the window
``[x0·10^u_r, x0·10^(u_r+decades)]`` with offsets u_r spread evenly over ``[0, jitter]``
decades (on a spline of the computed log-log curve). The mean over windows is the measured
exponent; their spread (stderr) measures how much the local slope still drifts (pre-asymptotic
corrections at the low end, mode truncation at the high end, pitfall 10). The error model is
|mean − exponent| ≤ z*·stderr + c with an absolute allowance c (``Tolerance(c, p=0)``, scale 1):
c = 0.02 for every claim (0.03 for the compute-optimal width share), so an exponent wrong by
0.05 fails (tests perturb the theory by ±0.05 through the claim's ``perturb`` hook, which
*adds* eps to the exponent). ``seed`` has no effect (nothing is random). Results are cached
per (case, R), so a perturbed re-validation does not recompute the numeric theory.

Numeric theories used:

* ``scaling.ridge_data_exponent`` — :func:`rmtscale.numeric.ridge.ridge_theory`, λ = 0, σ = 0,
  E_g vs P (D = 10⁶ modes);
* ``scaling.ridge_optimal_exponent`` — the same with noise σ², minimized over λ on a grid:
  slopes of λ*(P) and E_g*(P);
* ``scaling.rf_width_exponent`` — :func:`rmtscale.numeric.random_features.rf_theory` at
  P = ∞, λ = 0 (the projection error, = ``rf_gd`` ``loss_inf``) vs N;
* ``scaling.time_exponent`` — :func:`rmtscale.numeric.dynamics.rf_gd_learning_curve`
  (gradient flow) at width N = 10⁸·D (the N = ∞ limit), E_g vs τ;
* ``scaling.rich_time_exponent`` — the N = ∞ reduced feature-learning dynamics of note §2.4
  (isotropic channel), evaluated exactly through the first integral
  (1+q)² = 1 + 2γ²‖β(τ)‖², t(τ) = ∫dτ/(1+q) (:func:`rich_curve`), L vs t;
* ``scaling.compute_exponent`` — lazy, gradient flow: ``rf_gd`` in the width-independent
  normalization (τ_rf = τ·D/N, i.e. lr ∝ 1/N, note §3.2; with rmtscale's F ~ N(0, 1/D) the
  kernel grows like N/D and C = N·τ_rf would not trade width for time) minimized over N at
  fixed C = N·τ: slopes of L*(C) and N*(C);
* ``scaling.ridge_lambda_exponent`` — :func:`rmtscale.numeric.ridge.ridge_theory` at P = 10³⁰
  (the P = ∞ ridge-limited regime, κ = λ), σ = 0, E_g vs λ (λ not scaled by P);
* ``scaling.rf_data_exponent`` — :func:`rmtscale.numeric.random_features.rf_theory` at width
  N = 10³·P (data-limited), λ = 0, σ = 0, E_g vs P;
* ``scaling.sgd_noise_exponent`` — :func:`rmtscale.numeric.dynamics.sgd_learning_curve`,
  the SGD-noise term isolated as B·(E_SGD,B − E_GD) (GD = batch 10⁹), σ = 0, vs steps t.

Defaults are chosen where the pre-asymptotic corrections and the mode truncation are both
below ~0.01 over the window: (α, β) = (2, 0.75) for ridge, optimal ridge and time; (3, 0.4)
for the width and compute claims (the linear projection filter converges like N^-α(1-β),
slowly for β near 1 at α = 2); (2, 0.6, γ = 1) for the rich claim (note §2.6's test case);
(2, 0.75) for the λ and RF data claims (RF at N = 10³P for β > 1 would sit in the
variance-limited wedge: the feature variance (P/N)P^-α dominates P^-αβ beyond P ~ 10³ at
α = 2, β = 1.5); (2, 3), B = 100, η = 0.5, t ≥ 100 for the SGD-noise claim (β > 1 needed:
Σ_t E_g finite; relative corrections O(1/t)).
Other (α, β) work when the window is asymptotic: e.g. α ≈ 1 needs many more modes
(the truncated trace Σ_{k>D} λ_k biases κ by (x/D)^(α−1)), and easy-task (β > 1) compute
slopes converge slowly (the embedding term has O(t^-(β-1)) relative corrections: at α = 3,
β = 1.5 the fitted L* / N* slopes are 0.845 / 0.411 from C = 10², 0.837 / 0.417 from 10³,
0.831 / 0.427 from 10⁴ against 0.818 / 0.455).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numba
import numpy as np

from .. import spectra
from ..errors import ParameterError
from ..params import Param, ParamSet
from ..registry import derivation, solver
from ..symbolic import exponents as ex
from ..validate.claims import Claim, register
from ..validate.stats import Tolerance

ALPHA_OPT = Param(
    "alpha", default=None, gt=1, help="capacity: lambda_k = k^-alpha (symbolic if omitted)"
)
BETA_OPT = Param("beta", default=None, gt=0, help="source: k^-(alpha beta+1) (symbolic if omitted)")
ALPHA_REQ = Param("alpha", required=True, gt=1, help="capacity: eigenvalues lambda_k = k^-alpha")
BETA_REQ = Param("beta", required=True, gt=0, help="source: target power k^-(alpha beta + 1)")


# ============================================================================ derivations
def _register_derivations() -> None:
    opt = (ALPHA_OPT, BETA_OPT)
    entries = (
        (
            "scaling.ridge",
            "Ridge: E_g ~ P^-alpha min(beta,2), lambda^min(beta,2), optimal ridge, noise",
            (*opt, Param("ell", default=None, gt=0, help="ridge schedule lambda = P^-ell")),
            lambda alpha, beta, ell: ex.derive_ridge(alpha, beta, ell),
        ),
        (
            "scaling.random_features",
            "Linear RF: N^-alpha min(beta,1) (linear projection), P^-alpha min(beta,2), Var_F",
            (*opt, Param("L", kind="int", default=None, ge=1, help="depth (prefactors only)")),
            lambda alpha, beta, L: ex.derive_random_features(alpha, beta, L),
        ),
        (
            "scaling.dynamics",
            "Dynamical model (lazy): t^-beta, N^-alpha min(beta,1), P^-alpha min(beta,2), SGD term",
            opt,
            lambda alpha, beta: ex.derive_dynamics(alpha, beta),
        ),
        (
            "scaling.compute_optimal",
            "Compute-optimal C = N t: width/time shares and C-exponents (lazy, flow, rich)",
            opt,
            lambda alpha, beta: ex.derive_compute_optimal(alpha, beta),
        ),
        (
            "scaling.feature_learning",
            "Rich time exponent chi(beta) = beta max(1, 2/(1+beta)) and the rich compute law",
            opt,
            lambda alpha, beta: ex.derive_feature_learning(alpha, beta),
        ),
        (
            "scaling.ppxp",
            "Lazy hard/easy/super-easy = PPXP phases Ia/II/III (conversion and exponents)",
            opt,
            lambda alpha, beta: ex.derive_ppxp(alpha, beta),
        ),
        (
            "scaling.regime",
            "Regimes hard (beta<1) / easy / super-easy (beta >= 2-1/alpha), boundaries",
            opt,
            lambda alpha, beta: ex.derive_regime(alpha, beta),
        ),
    )
    for name, summary, params, fn in entries:
        derivation(name, summary, params)(fn)


_register_derivations()


# ============================================================================ solvers
@solver(
    "scaling.regime",
    "Regime (hard/easy/super-easy) and every scaling exponent at (alpha, beta)",
    (ALPHA_REQ, BETA_REQ),
)
def _s_regime(alpha: float, beta: float) -> dict[str, Any]:
    return ex.classify(alpha, beta)


@solver(
    "scaling.ppxp",
    "PPXP (alpha_P, beta_P) -> canonical (alpha, beta), phase and every exponent",
    (
        Param("alpha_P", required=True, gt=0.5, help="PPXP data exponent: E x_j^2 = j^-2alpha_P"),
        Param("beta_P", required=True, help="PPXP target exponent b_j = j^-beta_P"),
    ),
)
def _s_ppxp(alpha_P: float, beta_P: float) -> dict[str, Any]:
    if not alpha_P + beta_P > 0.5:
        raise ParameterError("beta_P", "must be > 1/2 - alpha_P (finite loss)", beta_P)
    a, b = ex.from_ppxp(alpha_P, beta_P)
    out = {"alpha": a, "beta": b}
    out.update(ex.classify(a, b))
    out["d_share"] = out["width_share_lazy"]
    out["loss_exponent"] = out["compute_exponent_lazy"]
    return out


# ============================================================================ slope fits
def window_offsets(R: int, jitter: float) -> np.ndarray:
    """Offsets (decades) of the R fit windows, evenly spread over [0, jitter]."""
    return np.linspace(0.0, jitter, R) if R > 1 else np.zeros(1)


def window_slopes(
    x: np.ndarray, yv: np.ndarray, x0: float, decades: float, offsets: np.ndarray
) -> np.ndarray:
    """Least-squares slopes of log y vs log x in the windows [x0 10^u, x0 10^(u+decades)].

    The log-log curve (computed on a grid) is interpolated by a cubic spline and sampled at
    20 points per decade in each window."""
    from scipy.interpolate import CubicSpline

    lx, ly = np.log10(x), np.log10(yv)
    if not np.all(np.isfinite(ly)):
        raise ArithmeticError("the numeric theory returned a non-positive or non-finite value")
    cs = CubicSpline(lx, ly)
    out = np.empty(offsets.size)
    for i, u in enumerate(offsets):
        lo = math.log10(x0) + u
        xs = np.linspace(lo, lo + decades, int(20 * decades) + 1)
        if xs[0] < lx[0] - 1e-9 or xs[-1] > lx[-1] + 1e-9:
            raise ArithmeticError("fit window outside the computed grid")
        out[i] = np.polyfit(xs, cs(xs), 1)[0]
    return out


def _grid(x0: float, decades: float, jitter: float, per_decade: int) -> np.ndarray:
    span = decades + jitter
    return x0 * np.logspace(0.0, span, int(round(per_decade * span)) + 1)


_CACHE: dict[tuple, dict[str, np.ndarray]] = {}


def _cached(name: str, case: dict[str, Any], R: int, fn) -> dict[str, np.ndarray]:
    key = (name, R, tuple(sorted((k, v) for k, v in case.items())))
    if key not in _CACHE:
        _CACHE[key] = fn()
    return _CACHE[key]


def _add_perturb(values: dict[str, float], case: dict[str, Any], eps: float) -> dict:  # noqa: ARG001
    """Perturb an exponent additively: e -> e + eps (a wrong exponent by eps)."""
    return {k: v + eps for k, v in values.items()}


SLOPE_TOL = 0.02

COMMON = (
    Param("decades", default=3.0, ge=3, help="width of each fit window (decades)"),
    Param("jitter", default=0.5, ge=0, le=2, help="spread of the window offsets (decades)"),
)


def _slope_claim(
    name: str,
    summary: str,
    params: tuple[Param, ...],
    theory,
    measure,
    derivation_name: str,
    n_key: str,
    scale=None,
) -> Claim:
    def cases(p: dict[str, Any]) -> list[dict[str, Any]]:
        c = dict(p)
        c["n"] = int(p[n_key])
        return [c]

    def simulate_batch(case, seed, case_index, nseeds, backend):  # noqa: ARG001
        return _cached(
            name, case, nseeds, lambda: measure(case, window_offsets(nseeds, case["jitter"]))
        )

    return Claim(
        name=name,
        summary=summary,
        params=ParamSet(params),
        theory=theory,
        simulate=None,
        simulate_batch=simulate_batch,
        cases=cases,
        tolerance=Tolerance(finite_size_coef=SLOPE_TOL, finite_size_power=0.0, systematic=0.0),
        scale=scale or (lambda obs, th: 1.0),
        perturb=_add_perturb,
        backends=("cpu",),
        default_seeds=8,
        derivation=derivation_name,
    )


def _exponent_at(key: str, p: dict[str, Any]) -> float:
    return float(ex.classify(p["alpha"], p["beta"])[key])


# ------------------------------------------------------------------ 1. ridge E_g vs P
def ridge_data_curve(alpha: float, beta: float, D: int, Ps: np.ndarray) -> np.ndarray:
    """Noiseless ridgeless E_g(P) from :func:`ridge_theory` on a power-law spectrum."""
    from ..numeric.ridge import ridge_theory

    s = spectra.power_law(alpha, beta, D)
    th = ridge_theory(s.eigenvalues, s.target_power, Ps, np.array([0.0]), noise=0.0)
    if not np.all(th.converged):
        raise ArithmeticError("ridge kappa iteration did not converge")
    return th.test_error[:, 0]


def _measure_ridge(case, offsets):
    Ps = _grid(case["P0"], case["decades"], case["jitter"], 12)
    E = ridge_data_curve(case["alpha"], case["beta"], case["D"], Ps)
    return {"exponent": -window_slopes(Ps, E, case["P0"], case["decades"], offsets)}


register(
    _slope_claim(
        "scaling.ridge_data_exponent",
        "ridgeless noiseless E_g ~ P^-(alpha min(beta,2)): slope of ridge_theory over >= 3 decades",
        (
            Param("alpha", default=2.0, gt=1, help="capacity"),
            Param("beta", default=0.75, gt=0, help="source"),
            Param("D", kind="int", default=10**6, ge=1000, help="modes (truncation, pitfall 10)"),
            Param("P0", default=30.0, ge=1, help="lower end of the first fit window (samples)"),
            *COMMON,
        ),
        lambda c: {"exponent": _exponent_at("ridge_data_exponent", c)},
        _measure_ridge,
        "scaling.ridge",
        "D",
    )
)


# ------------------------------------------------------------------ 2. optimal ridge
def ridge_optimal_curve(
    alpha: float, beta: float, D: int, noise: float, Ps: np.ndarray, per_decade: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """(λ*(P), E_g*(P)): E_g minimized over λ (log grid + parabola in log λ)."""
    from ..numeric.ridge import ridge_theory

    s = spectra.power_law(alpha, beta, D)
    lams = np.logspace(-14, 1, 15 * per_decade + 1)
    th = ridge_theory(s.eigenvalues, s.target_power, Ps, lams, noise=noise)
    if not np.all(th.converged):
        raise ArithmeticError("ridge kappa iteration did not converge")
    logE = np.log(th.test_error)
    ll = np.log(lams)
    lstar, estar = np.empty(Ps.size), np.empty(Ps.size)
    for i in range(Ps.size):
        j = int(np.argmin(logE[i]))
        if j == 0 or j == lams.size - 1:
            raise ArithmeticError(f"optimal ridge at the edge of the lambda grid (P={Ps[i]:g})")
        c = np.polyfit(ll[j - 1 : j + 2], logE[i, j - 1 : j + 2], 2)
        u = -c[1] / (2 * c[0])
        lstar[i], estar[i] = math.exp(u), math.exp(np.polyval(c, u))
    return lstar, estar


def _measure_ridge_opt(case, offsets):
    Ps = _grid(case["P0"], case["decades"], case["jitter"], 8)
    lstar, estar = ridge_optimal_curve(case["alpha"], case["beta"], case["D"], case["noise"], Ps)
    w = (case["P0"], case["decades"], offsets)
    return {
        "ridge_exponent": -window_slopes(Ps, lstar, *w),
        "error_exponent": -window_slopes(Ps, estar, *w),
    }


register(
    _slope_claim(
        "scaling.ridge_optimal_exponent",
        "optimally tuned ridge with noise: lambda* ~ P^-alpha/(alpha m+1), "
        "E_g* ~ P^-alpha m/(alpha m+1), m = min(beta,2)",
        (
            Param("alpha", default=2.0, gt=1, help="capacity"),
            Param("beta", default=0.75, gt=0, help="source"),
            Param("D", kind="int", default=10**6, ge=1000, help="modes"),
            Param("noise", default=1.0, gt=0, help="label-noise variance sigma^2"),
            Param("P0", default=100.0, ge=1, help="lower end of the first fit window"),
            *COMMON,
        ),
        lambda c: {
            "ridge_exponent": _exponent_at("optimal_ridge_exponent", c),
            "error_exponent": _exponent_at("optimal_ridge_error_exponent", c),
        },
        _measure_ridge_opt,
        "scaling.ridge",
        "D",
    )
)


# ------------------------------------------------------------------ 3. RF width
def rf_width_curve(alpha: float, beta: float, D: int, Ns: np.ndarray) -> np.ndarray:
    """Width-limited ridgeless random-feature error at P = ∞ (projection error) vs N."""
    from ..numeric.random_features import rf_theory

    s = spectra.power_law(alpha, beta, D)
    r = rf_theory(s.eigenvalues, s.target_power, np.array(np.inf), Ns, np.array(0.0))
    if not np.all(r["converged"]):
        raise ArithmeticError("rf kappa iteration did not converge")
    return np.asarray(r["test_error"], dtype=float).reshape(-1)


def _measure_rf(case, offsets):
    Ns = _grid(case["N0"], case["decades"], case["jitter"], 12)
    E = rf_width_curve(case["alpha"], case["beta"], case["D"], Ns)
    return {"exponent": -window_slopes(Ns, E, case["N0"], case["decades"], offsets)}


register(
    _slope_claim(
        "scaling.rf_width_exponent",
        "random features at P = t = oo: E_g ~ N^-(alpha min(beta,1)) (linear projection), "
        "slope of rf_theory",
        (
            Param("alpha", default=3.0, gt=1, help="capacity"),
            Param("beta", default=0.4, gt=0, help="source"),
            Param("D", kind="int", default=10**6, ge=1000, help="modes"),
            Param("N0", default=30.0, ge=1, help="lower end of the first fit window (width)"),
            *COMMON,
        ),
        lambda c: {"exponent": _exponent_at("rf_width_exponent", c)},
        _measure_rf,
        "scaling.random_features",
        "D",
    )
)


# ------------------------------------------------------------------ 4. lazy time exponent
def lazy_time_curve(
    alpha: float, beta: float, D: int, taus: np.ndarray, width_factor: float = 1e8
) -> np.ndarray:
    """Gradient-flow E_g(τ) of linear random features of width N = width_factor·D, in the
    width-independent time τ = τ_rf·N/D. The default N = 10⁸·D is the N = ∞ limit to ~1e-8
    relative: at N ~ D the finite-width embedding term N^-1 τ^-(1-1/α) (note §3.5) would
    dominate τ^-β for easy tasks (β > 1) at late times."""
    from ..numeric.dynamics import rf_gd_learning_curve

    s = spectra.power_law(alpha, beta, D)
    N = int(math.ceil(width_factor * D))
    lc = rf_gd_learning_curve(s, N=N, times=taus * D / N, flow=True)
    return np.asarray(lc.loss, dtype=float)


def _measure_time(case, offsets):
    taus = _grid(case["t0"], case["decades"], case["jitter"], 6)
    E = lazy_time_curve(case["alpha"], case["beta"], case["D"], taus, case["width_factor"])
    return {"exponent": -window_slopes(taus, E, case["t0"], case["decades"], offsets)}


register(
    _slope_claim(
        "scaling.time_exponent",
        "lazy gradient flow E_g ~ tau^-beta (no saturation): slope of the rf_gd flow theory "
        "at width N = 1e8 D (N = oo)",
        (
            Param("alpha", default=2.0, gt=1, help="capacity"),
            Param("beta", default=0.75, gt=0, help="source"),
            Param("D", kind="int", default=10**4, ge=100, help="modes"),
            Param("t0", default=10.0, gt=0, help="lower end of the first fit window (time)"),
            Param("width_factor", default=1e8, ge=1, help="width N = width_factor * D"),
            *COMMON,
        ),
        lambda c: {"exponent": _exponent_at("time_exponent_lazy", c)},
        _measure_time,
        "scaling.dynamics",
        "D",
    )
)


# ------------------------------------------------------------------ 5. rich time exponent
@numba.njit(parallel=True, cache=True)
def _rich_sums(lam, w2, p, taus):  # pragma: no cover - compiled
    out = np.zeros((2, taus.size))
    for j in numba.prange(taus.size):
        tv = taus[j]
        nb = 0.0
        loss = 0.0
        for k in range(lam.size):
            e = math.exp(-lam[k] * tv)
            nb += w2[k] * (1.0 - e) ** 2
            loss += p[k] * e * e
        out[0, j] = nb
        out[1, j] = loss
    return out


def rich_curve(
    alpha: float, beta: float, gamma: float, M: int, tau_max: float = 1e12, per_decade: int = 16
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The N = ∞ reduced feature-learning dynamics of note §2.4 (isotropic channel, K = I,
    η = 1), exactly: target normalized to :math:`\sum_k\lambda_k\bar w_k^2=1` (M modes),
    :math:`v_k=\bar w_ke^{-\lambda_k\tau}`, :math:`(1+q)^2=1+2\gamma^2\lVert\beta(\tau)\rVert^2`,
    :math:`t(\tau)=\int_0^\tau d\tau'/(1+q)` (from τ = 10⁻⁴, where t = τ; 1/(1+q) linear in
    log τ on each grid cell, integrated exactly against dτ = τ d log τ).
    Returns (t, L, q) on a log-τ grid up to ``tau_max``. γ = 0 is the lazy limit (t = τ)."""
    k = np.arange(1, M + 1, dtype=float)
    lam = k**-alpha
    p = k ** (-alpha * beta - 1.0)
    p /= p.sum()
    w2 = p / lam
    lo = -4.0
    taus = np.logspace(lo, math.log10(tau_max), int(per_decade * (math.log10(tau_max) - lo)) + 1)
    nb, L = _rich_sums(lam, w2, p, taus)
    q = np.sqrt(1.0 + 2.0 * gamma * gamma * nb) - 1.0
    # t = tau_0 + int e^u g(u) du with u = log tau, g = 1/(1+q) linear on each cell: exact
    # cell integrals e^u1 (g1 - g') - e^u0 (g0 - g'), g' = (g1 - g0)/h (t = tau when q = 0)
    g = 1.0 / (1.0 + q)
    h = np.diff(np.log(taus))
    gp = np.diff(g) / h
    cells = taus[1:] * (g[1:] - gp) - taus[:-1] * (g[:-1] - gp)
    t = taus[0] + np.concatenate([[0.0], np.cumsum(cells)])
    return t, L, q


def _measure_rich(case, offsets):
    t, L, _ = rich_curve(case["alpha"], case["beta"], case["gamma"], case["M"])
    span_hi = case["t0"] * 10 ** (case["decades"] + case["jitter"])
    if t[-1] < span_hi:
        raise ArithmeticError("tau grid too short for the requested time window")
    keep = t <= span_hi * 10
    return {"exponent": -window_slopes(t[keep], L[keep], case["t0"], case["decades"], offsets)}


register(
    _slope_claim(
        "scaling.rich_time_exponent",
        "rich (gamma > 0) loss ~ t^-chi(beta), chi = beta max(1, 2/(1+beta)): slope of the exact "
        "N = oo reduced dynamics (isotropic channel)",
        (
            Param("alpha", default=2.0, gt=1, help="capacity"),
            Param("beta", default=0.6, gt=0, help="source"),
            Param("gamma", default=1.0, gt=0, help="feature-learning strength"),
            Param("M", kind="int", default=10**6, ge=1000, help="modes"),
            Param("t0", default=10.0, gt=0, help="lower end of the first fit window (time)"),
            *COMMON,
        ),
        lambda c: {"exponent": _exponent_at("time_exponent_rich", c)},
        _measure_rich,
        "scaling.feature_learning",
        "M",
    )
)


# ------------------------------------------------------------------ 6. compute-optimal
class _LossSurface:
    """Lazy gradient-flow loss L(N, τ) of width-N random features, width-independent time."""

    def __init__(self, alpha: float, beta: float, D: int):
        self.s = spectra.power_law(alpha, beta, D)
        self.D = D
        self.evals = 0

    @functools.cache  # noqa: B019 - one surface per measurement
    def log_loss(self, N: int, C: float) -> float:
        from ..numeric.dynamics import rf_gd_learning_curve

        self.evals += 1
        tau = C / N
        lc = rf_gd_learning_curve(self.s, N=N, times=np.array([tau * self.D / N]), flow=True)
        return math.log(float(lc.loss[0]))


def _argmin_N(surf: _LossSurface, C: float, guess: float) -> tuple[float, float]:
    """min over integer N of log L(N, C/N): walk downhill in log N, refine, then a parabola
    through the five best points (in log N). Returns (N*, log L*)."""

    def f(logn: float) -> float:
        return surf.log_loss(max(1, int(round(math.exp(logn)))), C)

    h = 0.3
    u = math.log(max(guess, 1.0))
    fu, fl, fr = f(u), f(u - h), f(u + h)
    for _ in range(60):
        if fu <= fl and fu <= fr:
            break
        if fl < fu:
            u, fr, fu = u - h, fu, fl
            fl = f(u - h)
        else:
            u, fl, fu = u + h, fu, fr
            fr = f(u + h)
    else:
        raise ArithmeticError(f"no minimum over N found at C = {C:g}")
    for _ in range(2):
        den = fl - 2 * fu + fr
        u = u + (0.5 * h * (fl - fr) / den if den > 0 else 0.0)
        h /= 3
        fu, fl, fr = f(u), f(u - h), f(u + h)
    pts = sorted({max(1, int(round(math.exp(v)))) for v in (u - 3 * h, u - h, u, u + h, u + 3 * h)})
    f(math.log(pts[0]))
    xs = np.log(np.array(pts, dtype=float))
    ys = np.array([surf.log_loss(n, C) for n in pts])
    c = np.polyfit(xs, ys, 2)
    if c[0] <= 0:
        j = int(np.argmin(ys))
        return float(pts[j]), float(ys[j])
    us = -c[1] / (2 * c[0])
    return math.exp(us), float(np.polyval(c, us))


def compute_frontier(
    alpha: float, beta: float, D: int, Cs: np.ndarray, share_guess: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """(N*(C), L*(C), number of loss evaluations) for lazy gradient flow at C = N·τ."""
    surf = _LossSurface(alpha, beta, D)
    Ns, Ls = np.empty(Cs.size), np.empty(Cs.size)
    guess = max(2.0, Cs[0] ** share_guess)
    for i, Cv in enumerate(Cs):
        Ns[i], lL = _argmin_N(surf, float(Cv), guess)
        Ls[i] = math.exp(lL)
        if i + 1 < Cs.size:
            guess = Ns[i] * (Cs[i + 1] / Cv) ** share_guess
    return Ns, Ls, surf.evals


def _measure_compute(case, offsets):
    Cs = _grid(case["C0"], case["decades"], case["jitter"], 3)
    share = _exponent_at("width_share_flow", case)
    Ns, Ls, _ = compute_frontier(case["alpha"], case["beta"], case["D"], Cs, share)
    if Ns.max() > case["D"] / 4:
        raise ParameterError("D", f"must be >= 4 N* = {4 * Ns.max():.0f} (mode truncation)")
    w = (case["C0"], case["decades"], offsets)
    return {
        "compute_exponent": -window_slopes(Cs, Ls, *w),
        "width_share": window_slopes(Cs, Ns, *w),
    }


register(
    _slope_claim(
        "scaling.compute_exponent",
        "lazy compute-optimal L* ~ C^-e, N* ~ C^s (C = N tau, gradient flow): slopes of the "
        "rf_gd flow theory minimized over N",
        (
            Param("alpha", default=3.0, gt=1, help="capacity"),
            Param("beta", default=0.4, gt=0, help="source"),
            Param("D", kind="int", default=4000, ge=100, help="modes"),
            Param("C0", default=1000.0, gt=0, help="lower end of the first fit window (compute)"),
            *COMMON,
        ),
        lambda c: {
            "compute_exponent": _exponent_at("compute_exponent_flow", c),
            "width_share": _exponent_at("width_share_flow", c),
        },
        _measure_compute,
        "scaling.compute_optimal",
        "D",
        scale=lambda obs, th: 1.5 if obs == "width_share" else 1.0,
    )
)


# ------------------------------------------------------------------ 7. ridge E_g vs lambda
def ridge_lambda_curve(
    alpha: float, beta: float, D: int, lams: np.ndarray, P: float = 1e30
) -> np.ndarray:
    """Noiseless E_g(λ) from :func:`ridge_theory` at a huge P (the P = ∞ ridge-limited
    regime: κ = λ, γ = 0, E_g = Σ λ_k w̄_k² κ²/(λ_k + κ)²); λ is not scaled by P."""
    from ..numeric.ridge import ridge_theory

    s = spectra.power_law(alpha, beta, D)
    th = ridge_theory(s.eigenvalues, s.target_power, np.array([P]), lams, noise=0.0)
    if not np.all(th.converged):
        raise ArithmeticError("ridge kappa iteration did not converge")
    return th.test_error[0, :]


def _measure_ridge_lambda(case, offsets):
    lams = _grid(case["lam0"], case["decades"], case["jitter"], 12)
    E = ridge_lambda_curve(case["alpha"], case["beta"], case["D"], lams, case["P"])
    return {"exponent": window_slopes(lams, E, case["lam0"], case["decades"], offsets)}


register(
    _slope_claim(
        "scaling.ridge_lambda_exponent",
        "ridge-limited noiseless E_g ~ lambda^min(beta,2) at P = oo (kappa = lambda): slope of "
        "ridge_theory over >= 3 decades in lambda",
        (
            Param("alpha", default=2.0, gt=1, help="capacity"),
            Param("beta", default=0.75, gt=0, help="source"),
            Param("D", kind="int", default=10**6, ge=1000, help="modes (lambda >> D^-alpha)"),
            Param("P", default=1e30, gt=0, help="samples (P^-alpha << lambda: the P = oo limit)"),
            Param("lam0", default=1e-7, gt=0, help="lower end of the first fit window (ridge)"),
            *COMMON,
        ),
        lambda c: {"exponent": _exponent_at("ridge_lambda_exponent", c)},
        _measure_ridge_lambda,
        "scaling.ridge",
        "D",
    )
)


# ------------------------------------------------------------------ 8. RF E_g vs P (N >> P)
def rf_data_curve(
    alpha: float, beta: float, D: int, Ps: np.ndarray, width_factor: float, ridge: float = 0.0
) -> np.ndarray:
    """Random-feature E_g(P) from :func:`rf_theory` at width N = width_factor·P (data-limited,
    N ≫ P), noiseless. At N = ∞ this is ridge regression; at N = cP the feature variance
    (P/N) P^-α min(β,1) is a constant fraction of the bias for β ≤ 1 (same slope), but for
    β > 1 it dominates the bias P^-α min(β,2) beyond the crossover P* ~ N^(1/(1+α(m₂−m₁)))
    (note §3), so the claim's clean window needs β ≤ 1 or a much larger width."""
    from ..numeric.random_features import rf_theory

    s = spectra.power_law(alpha, beta, D)
    r = rf_theory(s.eigenvalues, s.target_power, Ps, width_factor * Ps, np.array(ridge))
    if not np.all(r["converged"]):
        raise ArithmeticError("rf kappa iteration did not converge")
    return np.asarray(r["test_error"], dtype=float).reshape(-1)


def _measure_rf_data(case, offsets):
    Ps = _grid(case["P0"], case["decades"], case["jitter"], 12)
    E = rf_data_curve(
        case["alpha"], case["beta"], case["D"], Ps, case["width_factor"], case["ridge"]
    )
    return {"exponent": -window_slopes(Ps, E, case["P0"], case["decades"], offsets)}


register(
    _slope_claim(
        "scaling.rf_data_exponent",
        "random features, data-limited (N = 1e3 P >> P): E_g ~ P^-(alpha min(beta,2)), slope "
        "of rf_theory",
        (
            Param("alpha", default=2.0, gt=1, help="capacity"),
            Param("beta", default=0.75, gt=0, help="source"),
            Param("D", kind="int", default=10**6, ge=1000, help="modes"),
            Param("P0", default=30.0, ge=1, help="lower end of the first fit window (samples)"),
            Param("width_factor", default=1e3, ge=1, help="width N = width_factor * P"),
            Param("ridge", default=0.0, ge=0, help="ridge lambda (not scaled by P)"),
            *COMMON,
        ),
        lambda c: {"exponent": _exponent_at("rf_data_exponent", c)},
        _measure_rf_data,
        "scaling.random_features",
        "D",
    )
)


# ------------------------------------------------------------------ 9. SGD-noise term
def sgd_noise_curve(
    alpha: float, beta: float, D: int, steps: np.ndarray, lr: float, batch: int
) -> np.ndarray:
    """The SGD-noise term isolated: B·(E_SGD,B(t) − E_GD(t)) from
    :func:`rmtscale.numeric.dynamics.sgd_learning_curve` (noiseless; GD = batch 10⁹) at
    integer steps t. For β > 1 (Σ_t E(t) finite) it is ≈ K(t)·Σ_s E(s) with the Volterra
    kernel K(t) = (η²/B)Σλ_k²e^(−2ηλ_k t) ~ t^-(2−1/α), relative corrections O(1/t)."""
    from ..numeric.dynamics import sgd_learning_curve

    s = spectra.power_law(alpha, beta, D)
    e_b = sgd_learning_curve(s, lr=lr, batch=batch, times=steps).loss
    e_gd = sgd_learning_curve(s, lr=lr, batch=10**9, times=steps).loss
    return batch * (np.asarray(e_b, dtype=float) - np.asarray(e_gd, dtype=float))


def _measure_sgd(case, offsets):
    steps = np.unique(np.round(_grid(case["t0"], case["decades"], case["jitter"], 12)))
    y = sgd_noise_curve(
        case["alpha"], case["beta"], case["D"], steps, case["lr"], int(case["batch"])
    )
    return {"exponent": -window_slopes(steps, y, case["t0"], case["decades"], offsets)}


register(
    _slope_claim(
        "scaling.sgd_noise_exponent",
        "online-SGD noise term B^-1 t^-(2-1/alpha): slope of B (E_SGD - E_GD) vs steps "
        "(sgd_learning_curve, noiseless, super-easy task)",
        (
            Param("alpha", default=2.0, gt=1, help="capacity"),
            Param("beta", default=3.0, gt=1, help="source (> 1; super-easy: > 2 - 1/alpha)"),
            Param("D", kind="int", default=3000, ge=100, help="modes"),
            Param("t0", default=100.0, ge=1, help="lower end of the first fit window (steps)"),
            Param("lr", default=0.5, gt=0, help="learning rate eta"),
            Param("batch", kind="int", default=100, ge=1, help="batch size B"),
            *COMMON,
        ),
        lambda c: {"exponent": _exponent_at("sgd_noise_exponent", c)},
        _measure_sgd,
        "scaling.dynamics",
        "D",
    )
)
