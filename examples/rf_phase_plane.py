"""Linear random features: the test error E_g over the (N, P) plane, with its regimes.

One ``rmtscale.solve("rf.test_error", P=array, N=array, ...)`` call gives E_g on a whole
grid of sample sizes P and widths N (power-law spectrum, noiseless, tiny ridge). The map is
drawn on log-log axes with the regime boundaries of the theory
(``docs/conventions.md`` §6; the paper's source exponent r is beta/2):

* N = P: below it (N < P) the model is width-limited, E_g ~ N^(-2 alpha min(r, 1/2));
* P_* = N^(1/(1 + alpha (2r - 1))) (for 1/2 < r < 1): in the over-parameterized half
  (N > P), bias dominates for P < P_* (E_g ~ P^(-2 alpha r)) and the feature variance
  Var_F + Var_XF ~ P^(1 - alpha)/N dominates for P_* < P < N.

Run::

    python examples/rf_phase_plane.py [out.png]     # default rf_phase_plane.png
"""

from __future__ import annotations

import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

import rmtscale  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else "rf_phase_plane.png"
ALPHA, BETA, D = 1.5, 1.6, 20000  # r = beta/2 = 0.8: the variance-limited wedge exists
R = BETA / 2
Ps = np.geomspace(10, 5000, 80)
Ns = np.geomspace(10, 5000, 80)

t0 = time.time()
sol = rmtscale.solve(
    "rf.test_error", spectrum="power_law", alpha=ALPHA, beta=BETA, D=D,
    P=Ps, N=Ns, ridge=1e-8, noise=0.0,
)  # fmt: skip
Eg = sol["test_error"]  # shape (len(P), len(N))
share = (sol["var_f"] + sol["var_xf"]) / Eg
print(f"solve on a {Eg.shape[0]} x {Eg.shape[1]} (P, N) grid: {time.time() - t0:.2f} s")
print(f"E_g from {Eg.min():.3g} to {Eg.max():.3g}")

fig, ax = plt.subplots(figsize=(7.2, 5.8))
NN, PP = np.meshgrid(Ns, Ps)
mesh = ax.pcolormesh(NN, PP, Eg, norm=LogNorm(), cmap="viridis", shading="auto")
fig.colorbar(mesh, ax=ax, label=r"$E_g$ (noiseless, $\lambda=10^{-8}$)")
ax.contour(NN, PP, share, levels=[0.5], colors="white", linestyles=":", linewidths=1.5)

ax.plot(Ns, Ns, "w-", lw=2, label="$N=P$")
p_star = Ns ** (1 / (1 + ALPHA * (2 * R - 1)))
ax.plot(Ns, p_star, "w--", lw=2, label=r"$P_*=N^{1/(1+\alpha(2r-1))}$")
ax.plot([], [], "w:", lw=1.5, label=r"Var$_F$+Var$_{XF}=E_g/2$ (solver)")
leg = ax.legend(loc="upper left", framealpha=0.25, facecolor="black", edgecolor="white")
for t in leg.get_texts():
    t.set_color("white")
kw = {"color": "white", "fontsize": 10, "ha": "center", "va": "center"}
ax.text(3e2, 4e2, "$N=P$", rotation=38, **kw)
ax.text(1.1e3, 28, "$P_*$", rotation=25, **kw)
ax.text(35, 450, "width-limited\n" + r"$N<P$: $E_g\sim N^{-\alpha}$", **kw)
ax.text(1.6e3, 15, "bias-limited\n" + r"$E_g\sim P^{-2\alpha r}$", **kw)
ax.text(2.2e3, 6.5e2, "variance-limited\n" + r"$E_g\sim P^{1-\alpha}/N$", **kw)

ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlim(Ns[0], Ns[-1])
ax.set_ylim(Ps[0], Ps[-1])
ax.set_xlabel("features $N$")
ax.set_ylabel("samples $P$")
ax.set_title(rf"Linear random features: $\alpha={ALPHA}$, $r=\beta/2={R}$, $D={D}$, $\sigma^2=0$")
fig.tight_layout()
fig.savefig(OUT, dpi=130)
print(f"wrote {OUT}")
