r"""Statistics of a validation: per-size agreement and the finite-size trend.

Tolerance model, per observable o and size n (with R independent replicates):

* **per size**:  :math:`|\bar y_n-\theta_n|\le z_*\,\mathrm{se}_n + c\,s_o\,n^{-p}`, where
  :math:`\mathrm{se}_n=\mathrm{sd}/\sqrt R`, :math:`s_o` the observable's scale (|θ| or a stated
  constant), and :math:`c, p` the claim's *stated* finite-size coefficient and exponent;
* **trend**: fit :math:`\bar y_n-\theta_n=a+b\,n^{-p}` by weighted least squares over the
  sizes; the extrapolated discrepancy must vanish, :math:`|a|\le z_*\,\mathrm{se}(a)+r\,s_o`
  (r: stated systematic tolerance), and the discrepancy must not grow:
  :math:`|d_{n_{\max}}|\le|d_{n_{\min}}|+z_*\sqrt{\mathrm{se}_{\min}^2+\mathrm{se}_{\max}^2}`.

:math:`z_*` is Bonferroni-corrected over every test in the report at family-wise level α,
so a correct theory fails with probability at most α.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    """Stated error model of a claim (see module docstring)."""

    finite_size_coef: float = 1.0  # c
    finite_size_power: float = 1.0  # p
    systematic: float = 0.0  # r, relative to the observable's scale
    alpha: float = 1e-3  # family-wise false-failure rate

    def to_dict(self) -> dict[str, float | str]:
        return {
            "model": "|mean-theory| <= z*·stderr + c·scale·n^-p (per size); "
            "extrapolated discrepancy |a| <= z*·se(a) + r·scale (trend)",
            "c": self.finite_size_coef,
            "p": self.finite_size_power,
            "r": self.systematic,
            "alpha": self.alpha,
        }


def bonferroni_z(alpha: float, ntests: int) -> float:
    """Two-sided critical z for ``ntests`` tests at family-wise level ``alpha``."""
    from scipy import stats

    return float(stats.norm.isf(alpha / (2.0 * max(ntests, 1))))


def mean_stderr(samples: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of independent replicates (ddof=1)."""
    x = np.asarray(samples, dtype=float)
    if x.size < 2:
        raise ValueError("need at least 2 replicates for a standard error")
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


def extrapolate(
    ns: np.ndarray, d: np.ndarray, se: np.ndarray, power: float
) -> tuple[float, float, float]:
    r"""Weighted least squares of :math:`d=a+b\,n^{-p}`; returns (a, se(a), b).

    With one size the intercept is the discrepancy itself. Standard errors of (nearly) zero
    (every replicate identical, e.g. a CDF value inside an atom) are floored at 1e-6 of the
    largest one, which keeps the weights finite and the normal matrix invertible; when all
    are zero the fit is unweighted and se(a) is 0."""
    ns, d, se = (np.asarray(v, dtype=float) for v in (ns, d, se))
    if ns.size == 1:
        return float(d[0]), float(se[0]), 0.0
    top = float(se.max())
    floor = 1e-6 * top if top > 0 else 1.0
    wts = 1.0 / np.maximum(se, floor) ** 2
    A = np.column_stack([np.ones_like(ns), ns ** (-power)])
    AtW = A.T * wts
    cov = np.linalg.inv(AtW @ A)
    coef = cov @ (AtW @ d)
    sea = float(np.sqrt(cov[0, 0])) if top > 0 else 0.0
    return float(coef[0]), sea, float(coef[1])
