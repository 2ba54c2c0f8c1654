"""Validation report: verdict, table, JSON, plot."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..result import jsonable


@dataclass
class CaseResult:
    """One observable at one size."""

    params: dict[str, Any]
    observable: str
    n: int
    theory: float
    mean: float
    stderr: float
    z: float
    allowance: float
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        return {k: _clean(v) for k, v in asdict(self).items()}


@dataclass
class TrendResult:
    """The finite-size trend of one observable across sizes."""

    observable: str
    sizes: list[int]
    discrepancies: list[float]
    intercept: float
    intercept_se: float
    slope: float
    allowance: float
    shrinks: bool
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        return {k: _clean(v) for k, v in asdict(self).items()}


_clean = jsonable  # the one JSON conversion (rmtscale.result)


@dataclass
class Report:
    """Result of :func:`rmtscale.validate`; ``passed`` is the verdict."""

    name: str
    backend: str
    params: dict[str, Any]
    seeds: int
    seed: int
    z_crit: float
    tolerance: dict[str, Any]
    cases: list[CaseResult] = field(default_factory=list)
    trends: list[TrendResult] = field(default_factory=list)
    perturb: float = 0.0
    elapsed_s: float = 0.0
    samples: dict[str, dict[int, list[float]]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases) and all(t.passed for t in self.trends)

    def failures(self) -> list[str]:
        out = [
            f"{c.observable} at n={c.n}: |{c.mean:.6g} - {c.theory:.6g}| > "
            f"{self.z_crit:.2f}·{c.stderr:.3g} + {c.allowance:.3g}"
            for c in self.cases
            if not c.passed
        ]
        out += [
            f"{t.observable}: extrapolated discrepancy {t.intercept:.3g} ± "
            f"{t.intercept_se:.3g} (allowance {t.allowance:.3g}), shrinks={t.shrinks}"
            for t in self.trends
            if not t.passed
        ]
        return out

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "name": self.name,
                "backend": self.backend,
                "passed": self.passed,
                "params": self.params,
                "seeds": self.seeds,
                "seed": self.seed,
                "perturb": self.perturb,
                "z_crit": self.z_crit,
                "tolerance": self.tolerance,
                "cases": [c.to_dict() for c in self.cases],
                "trends": [t.to_dict() for t in self.trends],
                "elapsed_s": self.elapsed_s,
            }
        )

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), **kw)

    def table(self) -> str:
        """A fixed-width text table of every case, then the trend lines and the verdict."""
        head = ["observable", "n", "theory", "mean", "stderr", "z", "allow", "ok"]
        rows = [
            [
                c.observable,
                str(c.n),
                f"{c.theory:.6g}",
                f"{c.mean:.6g}",
                f"{c.stderr:.2g}",
                f"{c.z:+.2f}",
                f"{c.allowance:.2g}",
                "yes" if c.passed else "NO",
            ]
            for c in self.cases
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        fmt = "  ".join("{:<%d}" % w for w in widths)
        lines = [
            f"claim {self.name}  backend={self.backend}  seeds={self.seeds}  "
            f"z*={self.z_crit:.2f}" + (f"  PERTURBED by {self.perturb:+g}" if self.perturb else ""),
            fmt.format(*head),
            fmt.format(*["-" * w for w in widths]),
        ]
        lines += [fmt.format(*r) for r in rows]
        if self.trends:
            lines.append("trend (discrepancy = a + b n^-p):")
        else:
            lines.append("trend: none (a single size)")
        for t in self.trends:
            lines.append(
                f"  {t.observable}: a = {t.intercept:.3g} ± {t.intercept_se:.2g} "
                f"(allow {t.allowance:.2g}), shrinks={'yes' if t.shrinks else 'NO'}, "
                f"{'ok' if t.passed else 'FAIL'}"
            )
        lines.append(f"verdict: {'PASSED' if self.passed else 'FAILED'} ({self.elapsed_s:.1f} s)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def plot(self, path: str | None = None, max_observables: int = 12) -> Any:
        """Discrepancy (mean − theory) ± z*·stderr against n per observable, with the
        allowance band; saved to ``path`` if given. Returns the matplotlib figure."""
        import matplotlib

        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        obs = list(dict.fromkeys(c.observable for c in self.cases))[:max_observables]
        ncol = min(3, len(obs))
        nrow = int(np.ceil(len(obs) / ncol))
        fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.2 * nrow), squeeze=False)
        for ax, o in zip(axes.ravel(), obs):
            cs = [c for c in self.cases if c.observable == o]
            n = np.array([c.n for c in cs], dtype=float)
            d = np.array([c.mean - c.theory for c in cs])
            e = np.array([self.z_crit * c.stderr for c in cs])
            al = np.array([c.allowance for c in cs])
            ax.fill_between(n, -al, al, color="0.85", label="finite-size allowance")
            ax.errorbar(
                n,
                d,
                yerr=e,
                fmt="o",
                color="C3" if not all(c.passed for c in cs) else "C0",
                capsize=3,
                label="simulation − theory (±z*·se)",
            )
            ax.axhline(0, color="k", lw=0.8)
            ax.set_xscale("log")
            ax.set_title(o, fontsize=9)
            ax.set_xlabel("size n")
        for ax in axes.ravel()[len(obs) :]:
            ax.axis("off")
        axes[0, 0].legend(fontsize=7)
        fig.suptitle(f"{self.name}: {'PASSED' if self.passed else 'FAILED'}")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110)
            plt.close(fig)
        return fig
