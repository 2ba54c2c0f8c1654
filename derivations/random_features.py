r"""Linear random features in rmtscale: two renormalized ridges, E_g and the scaling regimes.

A literate, runnable reproduction of the linear-random-feature (LRF) results of Atanasov,
Zavatone-Veth & Pehlevan, "Scaling and renormalization in high-dimensional regression"
(arXiv:2405.00592; conventions in ``docs/conventions.md`` §6),
through the public API only (``rmtscale.derive``, ``rmtscale.solve``):

1. **Two renormalized ridges from the S-transform.** The feature covariance is a product of
   two free factors (the data Wishart W and the projection :math:`FF^\top`), so
   :math:`\kappa_1=\lambda S_W` and :math:`\kappa_2=\kappa_1S_{FF^\top}`, which closes into
   :math:`\kappa_2(1-\mathrm{Df}_1/P)(N-\mathrm{Df}_1)/D=\lambda`.
2. **Generalization error** with ρ and γ₁, and its **N → ∞ limit**: ridge regression at ridge
   λD/N (checked symbolically and against ``solve("ridge.test_error")`` to 1e-6).
3. **Width-limited regime** N < P at small λ: ρ → 0 and
   :math:`E_g\to(\kappa_2\mathrm{tf}_1+\sigma^2N/P)/(1-N/P)` with :math:`\mathrm{Df}_1=N`.
4. **Variance-limited over-parameterized regime** (note §10): for P ≪ N the feature variance
   :math:`\mathrm{Var}_F+\mathrm{Var}_{XF}\sim(P/N)P^{-2\alpha\min(r,1/2)}`, i.e. the slope
   in P is −(α − 1) for r ≥ 1/2 and 1 − 2αr for r < 1/2; the note's solver slopes
   (D = 10⁶, N = 10⁵, P = 100…1600) are reproduced.
5. **Anisotropic weights** :math:`F=Z\Sigma_F^{1/2}/\sqrt D` (note §9.3): the S-transform of
   :math:`FF^\top` gives :math:`\kappa_2(1-\mathrm{Df}_1/P)(\mathrm{Df}_1/D)\kappa_F=\lambda` with
   :math:`\mathrm{Df}^F_1(\kappa_F)=\mathrm{Df}_1` (``derive("rf.kappa_anisotropic")``); the
   note's case 14b, and its case 14c: with :math:`\eta^F_j=j^{-\alpha_F}` the finite-width
   correction :math:`\mathrm{Var}_F+\mathrm{Var}_{XF}\sim N^{-c}`,
   :math:`c=1,\ (1-\alpha_F)/\alpha_F,\ 0` for :math:`\alpha_F<\tfrac12`,
   :math:`\tfrac12<\alpha_F<1`, :math:`\alpha_F>1`; the note's local slopes are reproduced.

Conventions (``docs/conventions.md`` §6): frozen :math:`F\in\mathbb R^{D\times N}`,
:math:`F_{ij}\sim
N(0,1/D)`; readout loss :math:`\frac1P\lVert y-XFv\rVert^2+\lambda\lVert v\rVert^2` (λ **not**
scaled by P); :math:`\mathrm{Df}_{1,2}` are unnormalized traces at κ₂; E_g is the excess risk,
without label noise; ``noise`` is σ². Power law: :math:`\lambda_k=k^{-\alpha}`,
:math:`\lambda_k\bar w_k^2=k^{-\alpha\beta-1}`; the note's source exponent r is **β/2**.

Run::

    python derivations/random_features.py             # narrative, checks, LaTeX blocks
    python derivations/random_features.py --document  # a standalone LaTeX document on
                                                      # stdout (narrative goes to stderr)
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np
import sympy as sp

import rmtscale
from rmtscale.narration import Narrator, close, is_zero
from rmtscale.symbolic import random_features as sym

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument(
    "--document",
    action="store_true",
    help="print one standalone LaTeX document on stdout instead of align "
    "blocks; the narrative goes to stderr",
)
args = parser.parse_args()

# In --document mode stdout carries only LaTeX (so `> random_features.tex` just works).
narrator = Narrator(document=args.document)
log = narrator.log
say, section, show_latex, say_steps = (
    narrator.say,
    narrator.section,
    narrator.show_latex,
    narrator.say_steps,
)
T0 = time.time()


# The symbols of the random-feature derivations.
lam, P, D, N, sigma2 = sym.lam, sym.P, sym.D, sym.N, sym.sigma2
kappa1, kappa2, rho, gamma1, E_g = sym.kappa1, sym.kappa2, sym.rho, sym.gamma1, sym.E_g
Df1, Df2, tf1, tf1p = sym.Df1, sym.Df2, sym.tf1, sym.tf1p
pl = {"spectrum": "power_law"}  # lambda_k = k^-alpha, lambda_k wbar_k^2 = k^-(alpha beta + 1)

# ============================================================================ 1. kappa
section("1. Two renormalized ridges from the S-transform  [derive('rf.kappa')]")
# The features F^T x have covariance F^T Sigma F; its empirical version is a free product of
# Sigma, the white data Wishart W and the projection F F^T. S-transforms multiply, so the
# data fluctuations renormalize lambda into kappa_1 = lambda S_W(df) and the feature
# fluctuations renormalize kappa_1 into kappa_2 = kappa_1 S_FF(df); all spectral filtering of
# the input happens at kappa_2, so df = Df1(kappa_2)/D closes the system.
d_k = rmtscale.derive("rf.kappa")
say(d_k)
N_KAPPA = len(d_k.steps)  # rf.test_error opens with the same steps
kappa_eq = d_k.result
assert is_zero(kappa_eq.lhs - kappa2 * (1 - Df1 / P) * (N - Df1) / D) and kappa_eq.rhs == lam
say("\ncheck: kappa_2 (1 - Df1/P)(N - Df1)/D = lambda")
# The S-transform of F F^T: 1/S_FF(df) = N/D - df, so kappa_1 = kappa_2 (N - Df1)/D.
s_ff = d_k.extras["s_ff"]
df = next(x for x in s_ff.free_symbols if x not in (N, D))
assert is_zero(1 / s_ff - (N / D - df))
k1_step = next(s.eq for s in d_k.steps if s.eq.lhs == kappa1 and s.eq.rhs.has(kappa2))
assert is_zero(k1_step.rhs - kappa2 * (N - Df1) / D)
say("check: 1/S_FF(df) = N/D - df, so kappa_1 = kappa_2 (N - Df1)/D")
# N -> infinity at fixed lambda D/N: F F^T -> (N/D) I, and the ridge equation appears.
lamr = sp.Symbol("lambda_r", positive=True)  # the ridge-regression ridge = lambda D/N
lim = sp.limit((kappa_eq.lhs - lamr * N / D) * D / N, N, sp.oo)
assert is_zero(lim - (kappa2 * (1 - Df1 / P) - lamr))
say("check: N -> oo with lambda D/N = lambda_r fixed gives kappa_2 (1 - Df1/P) = lambda_r (ridge)")
show_latex(d_k)

# ============================================================================ 2. E_g
section("2. Generalization error and its N -> infinity limit  [derive('rf.test_error')]")
# rho = dlog kappa_2/dlog kappa_1 in (0, 1] measures how much the feature noise is felt;
# gamma_1 interpolates between Df2/P (rho = 1, no feature noise) and Df1/P (rho = 0).
d_eg = rmtscale.derive("rf.test_error")
say_steps(d_eg, N_KAPPA + 1)
rho_of = 1 / (1 + (Df1 - Df2) / (N - Df1))
g1_of = (Df1 - (Df1 - Df2) * rho) / P
eg = d_eg.result.rhs
want = (kappa2**2 * tf1p * rho + kappa2 * tf1 * (1 - rho) + sigma2 * gamma1) / (1 - gamma1)
assert is_zero(eg - want)
# N -> infinity: rho -> 1, gamma_1 -> Df2/P and E_g -> (kappa^2 tf1' + sigma^2 gamma)/(1 - gamma).
assert sp.limit(rho_of, N, sp.oo) == 1
ridge_eg = (kappa2**2 * tf1p + sigma2 * Df2 / P) / (1 - Df2 / P)
assert is_zero(eg.subs(gamma1, g1_of).subs(rho, 1) - ridge_eg)
say(
    "\ncheck: N -> oo: rho -> 1, gamma_1 -> Df2/P,"
    " E_g -> (kappa^2 tf1' + sigma^2 gamma)/(1 - gamma)"
)
# Width-limited ridgeless (N < P, lambda -> 0): Df1 -> N so rho -> 0 and gamma_1 -> N/P.
eps = sp.Symbol("epsilon", positive=True)  # N - Df1
assert sp.limit(rho_of.subs(Df1, N - eps), eps, 0) == 0
width_eg = (kappa2 * tf1 + sigma2 * N / P) / (1 - N / P)
assert is_zero(eg.subs(gamma1, g1_of).subs(rho, 0).subs(Df1, N) - width_eg)
say("check: Df1 -> N: rho -> 0, gamma_1 -> N/P, E_g -> (kappa_2 tf1 + sigma^2 N/P)/(1 - N/P)")
show_latex(d_eg)

section("3. The compiled solver: N -> infinity is ridge regression  [solve('rf.test_error')]")
# One rf solve on a (P, N) grid with the readout ridge lambda_r N/D, against one ridge solve
# at lambda_r. The corrections are O(Df/N): at N = 1e10 they are below 1e-6.
D_PL, LAM_R, SIG = 2000, 1e-3, 0.1
Ps = np.array([200.0, 1000.0, 4000.0])
spec = {**pl, "alpha": 1.5, "beta": 0.8, "D": D_PL, "noise": SIG}
ridge = rmtscale.solve("ridge.test_error", **spec, P=Ps, ridge=LAM_R)
rf = {}
for Nbig in (1e8, 1e10):
    rf[Nbig] = rmtscale.solve("rf.test_error", **spec, P=Ps, N=Nbig, ridge=LAM_R * Nbig / D_PL)
say(f"{'P':>6} {'ridge E_g':>14} {'rf E_g, N=1e8':>14} {'rf E_g, N=1e10':>15} {'rel. diff':>10}")
for i, Pi in enumerate(Ps):
    e_r, e8, e10 = ridge["test_error"][i], rf[1e8]["test_error"][i], rf[1e10]["test_error"][i]
    say(f"{Pi:6.0f} {e_r:14.8e} {e8:14.8e} {e10:15.8e} {abs(e10 / e_r - 1):10.2e}")
r10 = rf[1e10]
close(r10["test_error"], ridge["test_error"], 1e-6, "N -> oo E_g")
close(r10["train_error"], ridge["train_error"], 1e-6, "N -> oo E_tr")
close(r10["kappa2"], ridge["kappa"], 1e-6, "N -> oo kappa_2 = kappa")
close(r10["bias2"] + r10["var_x"], ridge["bias2"] + ridge["var_x"], 1e-6, "bias")
assert np.all(1 - r10["rho"] < 1e-6)
say("check: at N = 1e10, ridge lambda_r N/D: E_g, E_tr, kappa_2 and Bias^2 + Var_X equal ridge")
say("       regression at lambda_r to 1e-6 (rho = 1 - O(Df/N))")

# ============================================================================ 4. width-limited
section("4. Width-limited regime N < P: E_g -> (kappa_2 tf1 + sigma^2 N/P)/(1 - N/P)")
# At lambda -> 0 with N < P the feature map is the bottleneck: Df1(kappa_2) = N fixes kappa_2,
# rho -> 0, and E_g is the bias of an N-dimensional projection plus the noise term N/P.
# tf1(kappa) = sum_k lambda_k wbar_k^2/(lambda_k + kappa) is evaluated here from the spectrum.
spectrum = rmtscale.spectra.power_law(1.5, 0.8, D_PL)
eta, power = spectrum.eigenvalues, spectrum.target_power
Ns = np.array([100.0, 200.0, 400.0])
Ps = np.array([1600.0, 3200.0])
lams = np.array([1e-8, 1e-10])
wl = rmtscale.solve("rf.test_error", **spec, P=Ps, N=Ns, ridge=lams)  # shape (P, N, ridge)
say(f"{'P':>6} {'N':>5} {'Df1/N':>10} {'rho':>9} {'E_g':>13} {'width formula':>13} {'rel':>9}")
rel = np.empty(wl["test_error"].shape)
for i, Pi in enumerate(Ps):
    for j, Nj in enumerate(Ns):
        for m in range(lams.size):
            k2 = wl["kappa2"][i, j, m]
            formula = (k2 * np.sum(power / (eta + k2)) + SIG * Nj / Pi) / (1 - Nj / Pi)
            rel[i, j, m] = abs(wl["test_error"][i, j, m] / formula - 1)
        say(
            f"{Pi:6.0f} {Nj:5.0f} {wl['df1'][i, j, 0] / Nj:10.7f} {wl['rho'][i, j, 0]:9.2e} "
            f"{wl['test_error'][i, j, 0]:13.7e} {formula:13.7e} {rel[i, j, 0]:9.2e}"
        )
assert rel[..., 0].max() < 1e-3, rel[..., 0].max()
close(wl["df1"][..., 0], np.broadcast_to(Ns, wl["df1"].shape[:2]), 1e-3, "Df1 = N")
# the gap is O(lambda D/(kappa_2 N)): 100 times smaller at lambda = 1e-10
assert np.all(rel[..., 1] < 0.02 * rel[..., 0]), rel
say(f"check: E_g = width formula to {rel[..., 0].max():.1e} (< 1e-3) at lambda = 1e-8 (table),")
say(f"       to {rel[..., 1].max():.1e} at lambda = 1e-10 (the gap is linear in lambda); Df1 = N")
say("       (at N/P = 1/2 and P = 800 the gap at lambda = 1e-8 is 1.4e-3: kappa_2 ~ N^-alpha")
say("       is small there, and the correction is ~ lambda D/(kappa_2 N))")

# ============================================================================ 5. variance
section("5. Variance-limited over-parameterized regime: Var_F + Var_XF ~ (P/N) P^(-2a min(r,1/2))")
# For P << N, lambda tiny, noiseless: the feature variance Var_F + Var_XF (the note plots them
# together; they are of the same order) scales as P^(1 - alpha) / N for r >= 1/2 and as
# (P/N) P^(-2 alpha r) for r < 1/2. The note (§10) quotes solver slopes at D = 1e6, N = 1e5,
# P = 100...1600: -0.49...-0.50 for alpha = 1.5, r = 1.2 (pred. -0.5) and +0.11 for r = 0.3
# (pred. +0.1). One solve call per spectrum, 9 values of P.
ALPHA, D_BIG, N_BIG = 1.5, 10**6, 1e5
Ps = np.geomspace(100, 1600, 9)
NOTE = {2.4: (-0.5, (-0.50, -0.49)), 0.6: (0.1, (0.11, 0.11))}  # beta: (prediction, note)
for beta, (pred, (lo, hi)) in NOTE.items():
    r = beta / 2
    t0 = time.time()
    s = rmtscale.solve(
        "rf.test_error", **pl, alpha=ALPHA, beta=beta, D=D_BIG, P=Ps, N=N_BIG, ridge=1e-10
    )
    v = s["var_f"] + s["var_xf"]
    slope = np.polyfit(np.log(Ps), np.log(v), 1)[0]
    local = np.diff(np.log(v)) / np.diff(np.log(Ps))
    say(f"\nalpha = {ALPHA}, beta = {beta} (r = {r}), D = 1e6, N = 1e5, lambda = 1e-10:")
    say(
        f"  solve: {time.time() - t0:.2f} s; Var_F + Var_XF / E_g from "
        f"{v[0] / s['test_error'][0]:.3f} (P = 100) to {v[-1] / s['test_error'][-1]:.3f} (P = 1600)"
    )
    say("  local slopes: " + " ".join(f"{x:+.3f}" for x in local))
    say(f"  fitted slope {slope:+.4f}; prediction {pred:+.2f}; note {lo:+.2f}...{hi:+.2f}")
    assert abs(slope - pred) < 0.05, (beta, slope, pred)
    in_note = lo - 0.05 <= slope <= hi + 0.05
    assert in_note, (beta, slope, lo, hi)
    agree = "agrees with" if lo - 0.01 <= slope <= hi + 0.01 else "is within 0.05 of"
    say(f"  check: slope within 0.05 of the prediction and {agree} the note's value")
    if r >= 1:  # the crossover P_* = N^(1/(1+alpha)) where bias meets the feature variance
        half = Ps[np.argmax(v / s["test_error"] > 0.5)]
        say(
            f"  P_* = N^(1/(1+alpha)) = {N_BIG ** (1 / (1 + ALPHA)):.0f} is a scaling estimate "
            f"(no constants): the feature variance passes E_g/2 near P = {half:.0f}"
        )
say("\nnote: for r = 0.3 the local slope drifts from +0.13 (P = 100) to +0.11 (P = 1600); the")
say("      least-squares slope over the whole range is slightly above the note's +0.11.")

# ============================================================================ 6. anisotropic
section("6. Anisotropic weights F = Z Sigma_F^(1/2)/sqrt(D)  [derive('rf.kappa_anisotropic')]")
# F^T F = Sigma_F^(1/2) (Z^T Z/D) Sigma_F^(1/2) is a free product of Sigma_F and an N x N white
# Wishart; transported to F F^T its S-transform is 1/S_FF(df) = df kappa_F(df D/N), where
# kappa_F is the renormalized ridge of Sigma_F at the same degrees of freedom. For Sigma_F = I,
# kappa_F = (N - Df1)/Df1 and the isotropic equation of section 1 comes back.
d_an = rmtscale.derive("rf.kappa_anisotropic")
say(d_an)
kF, Df1F, Df2F = sym.kappa_F, sym.Df1F, sym.Df2F
assert is_zero(d_an.result.lhs - kappa2 * (1 - Df1 / P) * Df1 / D * kF)
assert is_zero(1 / d_an.extras["s_ff"] - df * sym.kappa_F_of(df * D / N))
kF_iso = (N - Df1) / Df1  # Sigma_F = I
assert is_zero(d_an.result.lhs.subs(kF, kF_iso) - kappa_eq.lhs)
assert is_zero(d_an.extras["rho_inverse"].subs(Df2F, Df1**2 / N) - 1 / rho_of)
say("\ncheck: 1/S_FF(df) = df kappa_F(df D/N); Sigma_F = I (kappa_F = (N - Df1)/Df1,")
say("       Df^F_2 = Df1^2/N) gives back the isotropic kappa_2 equation and rho")
show_latex(d_an)

# The note's case 14b (isotropic data, eta^F_j = j^-0.7): solver vs the note's 8 digits.
c14b = rmtscale.solve("rf.test_error", spectrum="isotropic", D=400, N=300, P=200, ridge=0.02,
                      noise=0.2, alpha_F=0.7)  # fmt: skip
note14b = {"kappa1": 0.045428933, "kappa2": 2.5730114, "test_error": 0.92748841,
           "train_error": 0.21852796}  # fmt: skip
say("\ncase 14b (D=400, N=300, P=200, lambda=0.02, sigma^2=0.2, alpha_F=0.7):")
for k, v in note14b.items():
    say(f"  {k:12s} solver {c14b[k]:.9g}   note {v:.9g}")
    close(c14b[k], v, 1e-7, f"case 14b {k}")
say("check: case 14b agrees with the note to 1e-7 (its 8 digits)")

# Case 14c: the finite-width exponent. D = 20000, P = 1000, alpha = 1.7, note source r = 0.8
# (beta = 2r = 1.6), noiseless, lambda -> 0, N = 4000 ... 64000; local slopes of
# -log(Var_F + Var_XF) vs log N. One solve per alpha_F over the whole N grid (continuation
# along N). ridge = 0 is the exact ridgeless limit (kappa_2 on the edge Df1 = P); a tiny
# ridge 1e-12 gives the same slopes to 0.01.
Ns = 4000.0 * 2.0 ** np.arange(5)
c14 = {**pl, "alpha": 1.7, "beta": 1.6, "D": 20000, "P": 1000, "N": Ns, "noise": 0.0}
NOTE14C = {  # alpha_F: (note's local slopes, asymptotic exponent c)
    0.0: ((1.22, 1.10, 1.05, 1.02), 1.0),
    0.6: ((0.95, 0.80, 0.73, 0.69), (1 - 0.6) / 0.6),
    0.7: ((0.86, 0.69, 0.61, 0.55), (1 - 0.7) / 0.7),
    1.5: ((0.35, 0.19, 0.12, 0.07), 0.0),
}
say("\ncase 14c: D=20000, P=1000, alpha=1.7, r=0.8 (beta=1.6), lambda -> 0, sigma^2=0")
say("local slopes -dlog(Var_F + Var_XF)/dlog N between N = " + ", ".join(f"{n:.0f}" for n in Ns))
heads = ("4k-8k", "8k-16k", "16k-32k", "32k-64k")
say(f"{'alpha_F':>7} {'':>8} " + " ".join(f"{h:>7}" for h in heads) + f" {'c (N->oo)':>10}")
t0 = time.time()
worst, worst_tiny = 0.0, 0.0
for aF, (note, c_asym) in NOTE14C.items():
    slopes = {}
    for lam_ in (0.0, 1e-12):
        v = rmtscale.solve("rf.test_error", **c14, ridge=lam_, alpha_F=aF)
        w = v["var_f"] + v["var_xf"]
        slopes[lam_] = -np.diff(np.log(w)) / np.diff(np.log(Ns))
    got = slopes[0.0]
    say(f"{aF:7.1f} {'solver':>8} " + " ".join(f"{x:7.3f}" for x in got) + f" {c_asym:10.3f}")
    say(f"{'':7} {'note':>8} " + " ".join(f"{x:7.2f}" for x in note))
    worst = max(worst, float(np.max(np.abs(got - np.array(note)))))
    worst_tiny = max(worst_tiny, float(np.max(np.abs(slopes[1e-12] - got))))
    # the slopes fall monotonically towards the asymptotic exponent, from above
    assert np.all(np.diff(got) < 0) and np.all(got > c_asym), (aF, got)
assert worst <= 0.0051, worst  # the note gives two decimals
assert worst_tiny < 0.01, worst_tiny
say(f"check: every slope equals the note's to its two decimals (max |diff| {worst:.4f});")
say(f"       ridge 1e-12 instead of 0 moves them by at most {worst_tiny:.4f}; 8 solves in")
say(f"       {time.time() - t0:.1f} s.")
# The slopes approach c slowly (note pitfall 14); at finite D they stop short of it.
Nl = 4000.0 * 2.0 ** np.arange(11)  # up to N = 4.1e6
for aF in (0.6, 0.7):
    v = rmtscale.solve("rf.test_error", **{**c14, "N": Nl}, ridge=0.0, alpha_F=aF)
    sl = -np.diff(np.log(v["var_f"] + v["var_xf"])) / np.diff(np.log(Nl))
    j = int(np.argmin(sl))
    say(f"alpha_F = {aF}: continuing to N = {Nl[-1]:.2g}, the local slope is smallest,")
    mid = np.sqrt(Nl[j] * Nl[j + 1])
    say(f"       {sl[j]:.3f}, near N = {mid:.2g}, and {sl[-1]:.3f} at the end")
    say(
        f"       (c = {(1 - aF) / aF:.3f}; finite D = 20000: the N >> D range is not the asymptote)"
    )

# ============================================================================ output
if args.document:
    # One standalone document: the body of each derivation's own document, in order. The
    # conventions and assumptions (the same for both) are printed once, in the first.
    bodies = []
    shared = re.compile(
        r"\\paragraph\{(Conventions|Assumptions)\.\}\n\\begin\{itemize\}.*?\\end\{itemize\}\n",
        re.S,
    )
    for d in (d_k, d_eg, d_an):
        doc = d.latex(document=True)
        body = doc.split(r"\begin{document}", 1)[1].rsplit(r"\end{document}", 1)[0]
        if d is d_eg:  # rf.kappa_anisotropic keeps its own (longer) lists
            body, k = shared.subn("", body)
            assert k == 2, k
            body = body.replace(
                r"\begin{align}",
                r"\noindent Conventions and assumptions as in the first section;"
                f" steps 1--{N_KAPPA} derive $\\kappa_1$ and $\\kappa_2$ as there.\n"
                r"\begin{align}",
                1,
            )
        bodies.append(body)
    print(r"\documentclass{article}")
    print(r"\usepackage{amsmath,amssymb}")
    print(r"\usepackage[margin=2cm]{geometry}")
    print(r"\title{Linear random features in rmtscale: $\kappa_1$, $\kappa_2$ and $E_g$}")
    print(r"\begin{document}")
    print(r"\maketitle")
    print("".join(bodies).strip())
    print(r"\end{document}")

section(f"all checks passed ({time.time() - T0:.1f} s)")
