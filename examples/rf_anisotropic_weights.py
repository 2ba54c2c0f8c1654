"""Random features with anisotropic weights: the finite-width correction vs the width N.

Weights F = Z Σ_F^(1/2)/sqrt(D) with Σ_F eigenvalues j^(-alpha_F) (alpha_F = 0: isotropic F).
The finite-width part of the error, Var_F + Var_XF, decays like N^(-c) with
c = 1 (alpha_F < 1/2), (1 - alpha_F)/alpha_F (1/2 < alpha_F < 1), 0 (alpha_F > 1)
(``docs/conventions.md`` §6, anisotropic weights). One
``rmtscale.solve("rf.test_error", N=array, alpha_F=...)`` call per alpha_F gives the whole
curve (ridgeless, noiseless; power-law data alpha = 1.7, beta = 1.6, i.e. the note's r = 0.8).
Left: the correction vs N with guide lines N^(-c); right: its local slope, which approaches
c only slowly (and, at finite D, not for N >> D).

Run::

    python examples/rf_anisotropic_weights.py [out.png]   # default rf_anisotropic_weights.png
"""

from __future__ import annotations

import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import rmtscale  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else "rf_anisotropic_weights.png"
SETUP = dict(spectrum="power_law", alpha=1.7, beta=1.6, D=20000, P=1000, ridge=0.0, noise=0.0)
ALPHA_FS = (0.0, 0.3, 0.6, 0.7, 0.85, 1.5)
Ns = np.unique(np.round(np.geomspace(4000, 512000, 36)))


def exponent(a: float) -> float:
    """Asymptotic finite-width exponent c(alpha_F) of the theory note (§9.3)."""
    return 1.0 if a < 0.5 else ((1.0 - a) / a if a < 1.0 else 0.0)


fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.6))
colors = plt.cm.viridis(np.linspace(0, 0.9, len(ALPHA_FS)))
t0 = time.time()
for a, col in zip(ALPHA_FS, colors):
    v = rmtscale.solve("rf.test_error", **SETUP, N=Ns, alpha_F=a)
    corr = v["var_f"] + v["var_xf"]
    c = exponent(a)
    ax.loglog(Ns, corr, "-", color=col, lw=2, label=rf"$\alpha_F={a}$ ($c={c:.2f}$)")
    ax.loglog(Ns, corr[-1] * (Ns / Ns[-1]) ** -c, "--", color=col, lw=1)  # tangent at large N
    mid = np.sqrt(Ns[1:] * Ns[:-1])
    slope = -np.diff(np.log(corr)) / np.diff(np.log(Ns))
    bx.semilogx(mid, slope, "-", color=col, lw=2)
    bx.axhline(c, color=col, ls=":", lw=1)
    print(f"alpha_F = {a:4}: local slope {slope[0]:.3f} (N ~ {mid[0]:.0f}) -> "
          f"{slope[-1]:.3f} (N ~ {mid[-1]:.0f}); asymptotic c = {c:.3f}")  # fmt: skip
print(f"{len(ALPHA_FS)} solves over {Ns.size} widths: {time.time() - t0:.2f} s")

ax.set_xlabel("features $N$")
ax.set_ylabel(r"Var$_F$ + Var$_{XF}$ (finite-width correction)")
ax.set_title("solid: theory; dashed: $N^{-c}$ guides")
ax.legend(fontsize=8)
bx.axvline(SETUP["D"], color="gray", lw=1)
bx.text(SETUP["D"] * 1.05, 1.15, "$N=D$", color="gray", fontsize=9)
bx.set_xlabel("features $N$")
bx.set_ylabel(r"local slope $-d\log(\mathrm{Var}_F+\mathrm{Var}_{XF})/d\log N$")
bx.set_title("dotted: asymptotic exponent $c(\\alpha_F)$")
bx.set_ylim(-0.05, 1.3)
fig.suptitle(
    rf"Anisotropic random-feature weights $\Sigma_F=\mathrm{{diag}}(j^{{-\alpha_F}})$: "
    rf"$D={SETUP['D']}$, $P={SETUP['P']}$, $\alpha={SETUP['alpha']}$, "
    rf"$r=\beta/2={SETUP['beta'] / 2}$, $\lambda\to0$"
)
fig.tight_layout()
fig.savefig(OUT, dpi=130)
print(f"wrote {OUT}")
