r"""Deterministic claims: a measured number of a deterministic computation against a formula.

A *slope claim* fits the log–log slope of a compiled numeric theory (a deterministic curve,
e.g. E_g(P) from ``ridge_theory``) and compares it with a symbolic exponent. Nothing is
random, so there are no replicates and no z-statistics: the verdict is a stated tolerance.

**How a claim declares its measurement.** A :class:`DeterministicClaim` is a
:class:`~rmtscale.validate.claims.Claim` with ``kind = "deterministic"`` and
``measure(case) -> {observable: [m_1, …, m_R]}``: the measured value of each observable in
each of R *fit windows* (for a slope claim, the least-squares slope over the window
:math:`[x_0 10^{u_r}, x_0 10^{u_r+d}]`, offsets :math:`u_r` evenly over ``[0, jitter]``
decades: :func:`window_offsets`, :func:`window_slopes`). ``windows(case)`` optionally names
the windows for the report. ``theory(case)`` gives the expected value e (the exponent);
``perturb(theory, case, eps)`` shifts it (slope claims: e → e + eps).

**Verdict** (:func:`run_deterministic`), per case and observable, with the measured value
:math:`\bar m=\frac1R\sum_r m_r` (the mean over windows):

* *value*: :math:`|\bar m-e|\le\tau_o` (``value_tolerance``: a number or ``{observable: number}``);
* *drift*: :math:`\max_r m_r-\min_r m_r\le\delta_o` (``drift_tolerance``): the local slope
  must have settled over the windows, or the window range is not asymptotic yet (pre-asymptotic
  corrections at the low end, mode truncation at the high end). It is its own check, reported
  in ``drifts``.

The report (:class:`DeterministicReport`) keeps the CLI's JSON contract: each case has
``params``, ``theory`` (= e), ``mean`` (= m̄), ``stderr`` = ``z`` = ``None`` and explicit
``deviation`` (m̄ − e) and ``tolerance``. Measurements are cached per (claim, case), so a
perturbed re-validation does not recompute the numeric theory; ``seed`` has no effect.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..errors import ParameterError
from .claims import Claim
from .report import _clean


# ============================================================================ the claim kind
@dataclass
class DeterministicClaim(Claim):
    """A claim judged by a stated tolerance on a deterministic measurement (module docstring).

    ``measure(case) -> {observable: sequence of R values}`` (one per fit window);
    ``value_tolerance`` (absolute, per observable or one number) bounds |mean − theory|;
    ``drift_tolerance`` bounds max − min over the windows; ``windows(case)`` (optional) gives
    the windows ``[(lo, hi), …]`` for the report."""

    measure: Callable[[dict[str, Any]], Mapping[str, Sequence[float]]] | None = None
    value_tolerance: Any = 0.02  # float | {observable: float}
    drift_tolerance: Any = 0.04  # float | {observable: float}
    windows: Callable[[dict[str, Any]], list[tuple[float, float]]] | None = None
    kind: str = "deterministic"
    default_seeds: int = 0  # nothing is random

    def __post_init__(self) -> None:
        parent = getattr(super(), "__post_init__", None)
        if parent is not None:
            parent()
        if self.measure is None:
            raise TypeError(f"deterministic claim {self.name!r} needs a measure(case) function")
        self.kind = "deterministic"

    def tolerance_for(self, observable: str) -> float:
        return _per_obs(self.value_tolerance, observable)

    def drift_tolerance_for(self, observable: str) -> float:
        return _per_obs(self.drift_tolerance, observable)

    def describe(self) -> dict[str, Any]:
        d = super().describe()
        d["kind"] = self.kind
        d["tolerance"] = {
            "model": "|mean over fit windows - theory| <= tolerance; "
            "max - min over fit windows <= drift_tolerance",
            "tolerance": _clean(self.value_tolerance),
            "drift_tolerance": _clean(self.drift_tolerance),
        }
        return d


def _per_obs(spec: Any, observable: str) -> float:
    if isinstance(spec, Mapping):
        return float(spec[observable])
    return float(spec)


# ============================================================================ slope fits
def window_offsets(R: int, jitter: float) -> np.ndarray:
    """Offsets (decades) of the R fit windows, evenly spread over [0, jitter]."""
    return np.linspace(0.0, jitter, R) if R > 1 else np.zeros(1)


def log_grid(x0: float, decades: float, jitter: float, per_decade: int) -> np.ndarray:
    """Log grid from x0 over ``decades + jitter`` decades, ``per_decade`` points per decade."""
    span = decades + jitter
    return x0 * np.logspace(0.0, span, int(round(per_decade * span)) + 1)


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


# ============================================================================ the report
@dataclass
class DeterministicCase:
    """One observable at one case: the measured value against the expected one."""

    params: dict[str, Any]
    observable: str
    n: int
    theory: float
    mean: float
    deviation: float
    tolerance: float
    passed: bool
    values: list[float] = field(default_factory=list)  # one per fit window
    windows: list[list[float]] = field(default_factory=list)
    stderr: None = None  # no replicates: kept for the CLI JSON contract
    z: None = None

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


@dataclass
class DriftResult:
    """The spread of the per-window values of one observable at one case."""

    observable: str
    n: int
    drift: float
    tolerance: float
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


@dataclass
class DeterministicReport:
    """Result of a deterministic claim (``passed``, ``to_dict``, ``table``, ``plot``)."""

    name: str
    params: dict[str, Any]
    cases: list[DeterministicCase]
    drifts: list[DriftResult]
    perturb: float = 0.0
    elapsed_s: float = 0.0
    backend: str = "cpu"
    kind: str = "deterministic"
    seeds: None = None  # nothing is random
    tolerance: dict[str, Any] = field(default_factory=dict)
    trends: list[Any] = field(default_factory=list)  # no finite-size trend
    samples: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases) and all(d.passed for d in self.drifts)

    def failures(self) -> list[str]:
        out = [
            f"{c.observable} at n={c.n}: |{c.mean:.6g} - {c.theory:.6g}| = "
            f"{abs(c.deviation):.3g} > {c.tolerance:.3g}"
            for c in self.cases
            if not c.passed
        ]
        out += [
            f"{d.observable} at n={d.n}: drift over the fit windows {d.drift:.3g} > "
            f"{d.tolerance:.3g} (the window range is not asymptotic)"
            for d in self.drifts
            if not d.passed
        ]
        return out

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "name": self.name,
                "backend": self.backend,
                "kind": self.kind,
                "passed": self.passed,
                "params": self.params,
                "seeds": self.seeds,
                "perturb": self.perturb,
                "tolerance": self.tolerance,
                "cases": [c.to_dict() for c in self.cases],
                "drifts": [d.to_dict() for d in self.drifts],
                "trends": [],
                "elapsed_s": self.elapsed_s,
            }
        )

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), **kw)

    def table(self) -> str:
        """A fixed-width text table of every case and drift check, then the verdict."""
        head = ["observable", "n", "theory", "measured", "deviation", "tol", "drift", "dtol", "ok"]
        drift = {(d.observable, d.n): d for d in self.drifts}
        rows = []
        for c in self.cases:
            d = drift.get((c.observable, c.n))
            ok = c.passed and (d is None or d.passed)
            rows.append(
                [
                    c.observable,
                    str(c.n),
                    f"{c.theory:.6g}",
                    f"{c.mean:.6g}",
                    f"{c.deviation:+.3g}",
                    f"{c.tolerance:.3g}",
                    "-" if d is None else f"{d.drift:.3g}",
                    "-" if d is None else f"{d.tolerance:.3g}",
                    "yes" if ok else "NO",
                ]
            )
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        fmt = "  ".join("{:<%d}" % w for w in widths)
        lines = [
            f"claim {self.name}  deterministic (mean of the fit windows vs theory; drift = "
            f"max - min over the windows)"
            + (f"  PERTURBED by {self.perturb:+g}" if self.perturb else ""),
            fmt.format(*head),
            fmt.format(*["-" * w for w in widths]),
        ]
        lines += [fmt.format(*r) for r in rows]
        lines.append(f"verdict: {'PASSED' if self.passed else 'FAILED'} ({self.elapsed_s:.1f} s)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def plot(self, path: str | None = None) -> Any:
        """The value in each fit window against the window's lower end, with the theory and
        its tolerance band, one panel per observable; saved to ``path`` if given."""
        import matplotlib

        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(
            1, len(self.cases), figsize=(4.2 * len(self.cases), 3.2), squeeze=False
        )
        for ax, c in zip(axes[0], self.cases):
            xs = [w[0] for w in c.windows] if c.windows else list(range(len(c.values)))
            ax.axhspan(c.theory - c.tolerance, c.theory + c.tolerance, color="0.85")
            ax.axhline(c.theory, color="k", lw=0.8, label="theory ± tolerance")
            ax.plot(xs, c.values, "o-", color="C0" if c.passed else "C3", label="fit windows")
            if c.windows:
                ax.set_xscale("log")
                ax.set_xlabel("lower end of the fit window")
            ax.set_title(c.observable, fontsize=9)
            ax.legend(fontsize=7)
        fig.suptitle(f"{self.name}: {'PASSED' if self.passed else 'FAILED'}")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110)
            plt.close(fig)
        return fig


# ============================================================================ the verdict
_CACHE: dict[tuple[str, str], tuple[dict[str, np.ndarray], list]] = {}
_CACHE_MAX = 64


def _key(claim: Claim, case: dict[str, Any]) -> tuple[str, str]:
    return claim.name, repr(sorted((k, repr(v)) for k, v in case.items()))


def _measure(claim: DeterministicClaim, case: dict[str, Any]) -> tuple[dict, list]:
    key = _key(claim, case)
    if key not in _CACHE:
        raw = claim.measure(case)
        vals = {k: np.asarray(v, dtype=float).reshape(-1) for k, v in raw.items()}
        wins = [list(map(float, w)) for w in claim.windows(case)] if claim.windows else []
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (vals, wins)
    vals, wins = _CACHE[key]
    return {k: v.copy() for k, v in vals.items()}, wins


def run_deterministic(
    claim: Claim, params: Mapping[str, Any], *, perturb: float = 0.0, progress: Any = None
) -> DeterministicReport:
    """Judge a deterministic claim at ``params`` (raw or resolved; see the module docstring).

    ``perturb`` shifts the theory through the claim's ``perturb`` hook (slope claims: the
    exponent by +perturb, absolute) to show that the verdict can fail."""
    if getattr(claim, "measure", None) is None:
        raise TypeError(f"claim {claim.name!r} is not a deterministic claim (no measure)")
    if not np.isfinite(perturb) or abs(perturb) >= 1:
        raise ParameterError(
            "perturb", "must be a perturbation with |perturb| < 1 (absolute for slopes)", perturb
        )
    p = claim.params.resolve(dict(params))
    cases = claim.cases(p)
    if progress is None:
        progress = sys.stderr.isatty()
    t0 = time.time()
    results: list[DeterministicCase] = []
    drifts: list[DriftResult] = []
    for ci, case in enumerate(cases):
        if progress:
            print(f"measure {claim.name}: case {ci + 1}/{len(cases)}", file=sys.stderr)
        theory = claim.theory(case)
        if perturb:
            theory = claim.perturb(theory, case, perturb)
        values, wins = _measure(claim, case)
        n = int(case.get("n", 0))
        for o, th in theory.items():
            th = float(th)
            if not np.isfinite(th):
                raise ArithmeticError(f"theory for {o} is not finite at {case}")
            v = values[o]
            if v.size == 0 or not np.all(np.isfinite(v)):
                raise ArithmeticError(f"measurement of {o} is empty or not finite at {case}")
            m = float(v.mean())
            tol = claim.tolerance_for(o)
            results.append(
                DeterministicCase(
                    dict(case), o, n, th, m, m - th, tol, abs(m - th) <= tol, v.tolist(), wins
                )
            )
            dt = claim.drift_tolerance_for(o)
            spread = float(v.max() - v.min())
            drifts.append(DriftResult(o, n, spread, dt, spread <= dt))
    return DeterministicReport(
        name=claim.name,
        params=p,
        cases=results,
        drifts=drifts,
        perturb=float(perturb),
        elapsed_s=time.time() - t0,
        backend=claim.backends[0] if claim.backends else "cpu",
        tolerance=claim.describe()["tolerance"],
    )


__all__ = [
    "DeterministicCase",
    "DeterministicClaim",
    "DeterministicReport",
    "DriftResult",
    "log_grid",
    "run_deterministic",
    "window_offsets",
    "window_slopes",
]
