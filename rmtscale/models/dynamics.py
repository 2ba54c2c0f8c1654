r"""Learning curves of GD / SGD end to end: derivations, theory solvers, simulation claims.

Conventions (stated in every docstring and LaTeX output):

* data :math:`x\sim\mathcal N(0,\Sigma)`, :math:`\Sigma=\mathrm{diag}(\lambda_k)`, target
  :math:`y=\bar w\cdot x+\varepsilon`, :math:`\mathrm{Var}\,\varepsilon=\sigma^2` (``noise``);
* per-sample loss :math:`\tfrac12(f(x)-y)^2`, gradient **averaged** over a batch of B,
  update :math:`w\leftarrow w-\frac{\eta}{B}\sum_i x_i(x_i\cdot w-y_i)`, :math:`w_0=0`;
* time ``t`` counts updates (integer steps), not :math:`\eta t`;
* ``loss`` is the population **excess** loss :math:`E_g(t)=(w_t-\bar w)^\top\Sigma(w_t-\bar w)`
  (no label noise), averaged over data (and features); ``train_loss`` is
  :math:`\frac1P\lVert Xw_t-y\rVert^2` and includes the noise.

Claims: ``sgd.learning_curve`` (online SGD, linear model; exact mode-wise recursion),
``gd.learning_curve`` (full-batch GD on P samples; two-point deterministic equivalent),
``rf_gd.learning_curve`` (GD on the population loss of linear random features of width N;
one-point deterministic equivalent).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..params import Param, ParamSet
from ..registry import derivation, solver
from ..validate.claims import Claim, register
from ..validate.stats import Tolerance
from .ridge import SPECTRUM_PARAMS, make_spectrum

# ============================================================================ parameters
LR = Param("lr", default=0.3, gt=0, help="learning rate eta (per averaged-batch gradient)")
STEPS = Param("steps", kind="int", default=1000, ge=1, help="number of updates t_max")
BATCH = Param("batch", kind="int", default=1, ge=1, help="batch size B (gradient averaged)")
NOISE = Param("noise", default=0.1, ge=0, help="label-noise variance sigma^2")
P_PARAM = Param("P", kind="int", default=100, ge=1, help="training-set size (samples reused)")
N_PARAM = Param("N", kind="int", default=64, ge=1, help="number of random features (width)")
POINTS = Param("points", kind="int", default=40, ge=2, help="log-spaced recording times")
CHECK_TIMES = Param("check", kind="int", default=6, ge=1, help="times compared in validation")

DYN_SPECTRUM = tuple(
    Param(p.name, kind=p.kind, default=d, help=p.help, gt=p.gt, ge=p.ge, choices=p.choices)
    for p, d in zip(SPECTRUM_PARAMS, ("power_law", 256, 1.0, 1.5, 0.8), strict=True)
)


def log_times(steps: int, points: int) -> np.ndarray:
    """0 plus about ``points`` log-spaced unique integers in [1, steps], ``steps`` included."""
    t = np.unique(np.round(np.logspace(0, np.log10(max(steps, 1)), points)).astype(np.int64))
    return np.concatenate(([0], t[(t >= 1) & (t <= steps)]))


def check_times(steps: int, count: int) -> np.ndarray:
    """The ``count`` log-spaced times (≥ 1) at which a validation compares the curves."""
    t = np.unique(np.round(np.logspace(0, np.log10(max(steps, 1)), count + 1)).astype(np.int64))
    return t[t >= 1][-count:]


def _dataset_seed(seed: int, case_index: int) -> int:
    """The xoroshiro seed of one validation case: a hash of (seed, case index)."""
    ss = np.random.SeedSequence([int(seed), int(case_index), 0x5D6])
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


# ============================================================================ derivations
@derivation(
    "sgd.learning_curve",
    "Online SGD: Gaussian 4th moment -> mode-wise recursion, Volterra form, stability, E_g(inf)",
)
def _d_sgd():
    from ..symbolic.dynamics import derive_sgd_recursion

    return derive_sgd_recursion()


@derivation(
    "gd.learning_curve",
    "Full-batch GD on P samples: contour integrals of the one- and two-point equivalents",
)
def _d_gd():
    from ..symbolic.dynamics import derive_gd_finite_data

    return derive_gd_finite_data()


@derivation(
    "rf_gd.learning_curve",
    "Population GD on linear random features: one-point equivalent, projection limit",
)
def _d_rf_gd():
    from ..symbolic.dynamics import derive_rf_population_gd

    return derive_rf_population_gd()


@derivation(
    "dynamics.exponents",
    "Dynamical model: time/width/data exponents and the compute-optimal split C = N t",
)
def _d_exponents():
    from ..symbolic.dynamics import derive_dynamical_exponents

    return derive_dynamical_exponents()


# ============================================================================ theory
def sgd_values(p: dict[str, Any], times: np.ndarray | None = None) -> dict[str, Any]:
    """Online SGD (linear model): exact mode-wise recursion at ``times`` (default log grid)."""
    from ..numeric.dynamics import sgd_learning_curve

    t = log_times(p["steps"], p.get("points", 40)) if times is None else times
    th = sgd_learning_curve(
        make_spectrum(p), lr=p["lr"], batch=p["batch"], noise=p["noise"], times=t
    )
    return {"t": th.t, "loss": th.loss, "loss_inf": float(th.loss_inf)}


def gd_values(p: dict[str, Any], times: np.ndarray | None = None) -> dict[str, Any]:
    """Full-batch GD on P samples: test and train curves (two-/one-point equivalents)."""
    from ..numeric.dynamics import gd_learning_curve

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


def rf_gd_values(p: dict[str, Any], times: np.ndarray | None = None) -> dict[str, Any]:
    """GD on the population loss of width-N linear random features (one-point equivalent)."""
    from ..numeric.dynamics import rf_gd_learning_curve

    t = log_times(p["steps"], p.get("points", 40)) if times is None else times
    th = rf_gd_learning_curve(make_spectrum(p), N=p["N"], lr=p["lr"], times=t)
    return {
        "t": th.t,
        "loss": th.loss,
        "loss_inf": float(th.loss_inf),
        "method": [str(m) for m in th.method],
    }


SGD_SOLVE = (*DYN_SPECTRUM, LR, BATCH, STEPS, NOISE, POINTS)
GD_SOLVE = (*DYN_SPECTRUM, P_PARAM, LR, STEPS, NOISE, POINTS)
RF_GD_SOLVE = (*DYN_SPECTRUM, N_PARAM, LR, STEPS, POINTS)

solver(
    "sgd.learning_curve",
    "online SGD on a linear model: t (steps), loss = E_g(t) (no noise), loss_inf",
    SGD_SOLVE,
)(lambda **p: sgd_values(p))
solver(
    "gd.learning_curve",
    "full-batch GD on P samples: t, loss (test E_g), train_loss (with noise), t->inf limits",
    GD_SOLVE,
)(lambda **p: gd_values(p))
solver(
    "rf_gd.learning_curve",
    "population GD on width-N linear random features: t, loss = E_g(t), loss_inf",
    RF_GD_SOLVE,
)(lambda **p: rf_gd_values(p))


# ============================================================================ claims
SIZE_FACTORS = (1, 2, 4)


def _scaled_cases(keys: tuple[str, ...], n_key: str):
    def cases(p: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for f in SIZE_FACTORS:
            c = dict(p)
            for k in keys:
                c[k] = int(p[k]) * f
            c["n"] = int(c[n_key]) if n_key in c else int(c["D"])
            out.append(c)
        return out

    return cases


def _curve_claim(
    name: str,
    summary: str,
    params: tuple[Param, ...],
    values,
    model: str,
    regime: dict[str, Any],
    observables: tuple[tuple[str, str], ...],
    cases,
    tolerance: Tolerance,
    default_seeds: int,
) -> Claim:
    """A learning-curve claim: the curve compared at ``check`` log-spaced times.

    Observables are named ``loss@t=…`` (and ``train@t=…``); the simulation runs all replicates
    of a case in one call of :func:`rmtscale.simulate.sgd.train` (one run per replicate)."""

    def theory(case: dict[str, Any], lr_factor: float = 1.0) -> dict[str, float]:
        times = check_times(case["steps"], case["check"])
        c = dict(case)
        c["lr"] = case["lr"] * lr_factor
        v = values(c, times)
        out = {}
        for prefix, key in observables:
            for t, val in zip(times, v[key], strict=True):
                out[f"{prefix}@t={int(t)}"] = float(val)
        return out

    def simulate_batch(
        case: dict[str, Any], seed: int, case_index: int, nseeds: int, backend: Any
    ) -> dict[str, np.ndarray]:
        from ..simulate.sgd import train

        times = check_times(case["steps"], case["check"])
        kw = {k: (case[v] if isinstance(v, str) else v) for k, v in regime.items()}
        res = train(
            model,
            make_spectrum(case),
            lr=case["lr"],
            steps=int(case["steps"]),
            noise=case.get("noise", 0.0),
            runs=nseeds,
            seed=_dataset_seed(seed, case_index),
            times=times,
            backend=backend.name,
            return_runs=True,
            progress=False,
            **kw,
        )
        runs = {"loss": res.runs_loss, "train_loss": res.runs_train}
        out = {}
        for prefix, key in observables:
            for j, t in enumerate(times):
                out[f"{prefix}@t={int(t)}"] = runs[key][:, j]
        return out

    def perturb(values_: dict[str, float], case: dict[str, Any], eps: float) -> dict:
        """The learning rate in the theory is perturbed: lr -> lr (1 + eps)."""
        return theory(case, 1.0 + eps)

    return Claim(
        name=name,
        summary=summary,
        params=ParamSet(params),
        theory=theory,
        simulate=None,
        simulate_batch=simulate_batch,
        cases=cases,
        tolerance=tolerance,
        perturb=perturb,
        backends=("cpu", "cuda"),
        default_seeds=default_seeds,
        derivation=name,
    )


def _with_defaults(params: tuple[Param, ...], **defaults: Any) -> tuple[Param, ...]:
    out = []
    for p in params:
        if p.name in defaults:
            p = Param(
                p.name,
                kind=p.kind,
                default=defaults[p.name],
                help=p.help,
                gt=p.gt,
                ge=p.ge,
                choices=p.choices,
            )
        out.append(p)
    return tuple(out)


def _cases_sgd(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(p, D=p["D"] * f, n=p["D"] * f) for f in SIZE_FACTORS]


def _cases_gd(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(p, D=p["D"] * f, P=p["P"] * f, n=min(p["D"], p["P"]) * f) for f in SIZE_FACTORS]


def _cases_rf(p: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(p, D=p["D"] * f, N=p["N"] * f, n=min(p["D"], p["N"]) * f) for f in SIZE_FACTORS]


register(
    _curve_claim(
        "sgd.learning_curve",
        "online SGD (linear model, batch B): E_g(t) from the exact mode-wise recursion vs runs",
        _with_defaults((*SGD_SOLVE, CHECK_TIMES), D=100, steps=400),
        sgd_values,
        "linear",
        {"batch": "batch", "P": None},
        (("loss", "loss"),),
        _cases_sgd,
        # exact in expectation at every size: no finite-size allowance
        Tolerance(finite_size_coef=0.0, finite_size_power=1.0, systematic=1e-3),
        default_seeds=2000,
    )
)
register(
    _curve_claim(
        "gd.learning_curve",
        "full-batch GD on P samples: test E_g(t) and train loss from deterministic equivalents",
        _with_defaults((*GD_SOLVE, CHECK_TIMES), D=100, P=50, lr=0.2, steps=300),
        gd_values,
        "linear",
        {"batch": None, "P": "P"},
        (("loss", "loss"), ("train", "train_loss")),
        _cases_gd,
        Tolerance(finite_size_coef=2.0, finite_size_power=1.0, systematic=5e-3),
        default_seeds=150,
    )
)
register(
    _curve_claim(
        "rf_gd.learning_curve",
        "population GD on width-N linear random features: E_g(t) vs runs over F",
        _with_defaults((*RF_GD_SOLVE, CHECK_TIMES), D=100, N=50, lr=0.5, steps=300),
        rf_gd_values,
        "rf",
        {"batch": None, "P": None, "N": "N"},
        (("loss", "loss"),),
        _cases_rf,
        Tolerance(finite_size_coef=2.0, finite_size_power=1.0, systematic=5e-3),
        default_seeds=200,
    )
)
