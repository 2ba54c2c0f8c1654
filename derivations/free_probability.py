r"""Free probability in rmtscale: Marchenko–Pastur and a product of two Wisharts.

A literate, runnable walk through the symbolic → numeric pipeline for the two simplest
spectral laws of the toolkit:

1. **Marchenko–Pastur from its S-transform.** The white Wishart
   :math:`W = Z^\top Z/P` (:math:`Z\in\mathbb R^{P\times D}` standard Gaussian, :math:`q = D/P`,
   unit mean eigenvalue) has the R-transform :math:`R(w) = 1/(1-qw)`. From it we derive
   its S-transform :math:`S(t)=1/(1+qt)` (Voiculescu's sign), the quadratic equation for
   the Stieltjes transform :math:`g(z)=\frac1D\operatorname{Tr}(z-W)^{-1}` (physics sign,
   :math:`g\sim 1/z`), its physical root, the moments (Narayana polynomials) and the density
   :math:`\rho(x) = -\frac1\pi\operatorname{Im} g(x+i0)`. We then check numerically that the
   *compiled* solver (which never uses the closed form: it follows the physical root of the
   g-equation by Herglotz continuation) reproduces the closed-form density.
2. **Product of two Wisharts.** For independent white Wisharts :math:`W_1, W_2` (ratios
   :math:`q_i = D/P_i`) the S-transform of :math:`W_1^{1/2}W_2W_1^{1/2}` is the product
   :math:`S_1S_2`; its g-equation is a cubic, with no convenient closed form. The compiled
   solver still gives the density; we check it integrates to one.

Every step goes through the public API (``rmtscale.derive``, ``rmtscale.solve``,
``rmtscale.ensembles``) and every claim made in the text is asserted, so this script fails
loudly if the library drifts.

Run::

    python derivations/free_probability.py             # narrative, checks, LaTeX blocks
    python derivations/free_probability.py --document  # a standalone LaTeX document on
                                                       # stdout (narrative goes to stderr)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import sympy as sp

import rmtscale
from rmtscale.narration import Narrator, is_zero
from rmtscale.symbolic.transforms import g, t, w, z

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument(
    "--document",
    action="store_true",
    help="print one standalone LaTeX document on stdout instead of align "
    "blocks; the narrative goes to stderr",
)
args = parser.parse_args()

# In --document mode stdout carries only LaTeX (so `> free_probability.tex` just works).
narrator = Narrator(document=args.document)
log = narrator.log
say, section, show_latex, say_steps = (
    narrator.say,
    narrator.section,
    narrator.show_latex,
    narrator.say_steps,
)
T0 = time.time()


q = rmtscale.ensembles.q  # the symbolic aspect ratio q = D/P (positive)

# ============================================================================ 1. S-transform
section("1. Marchenko–Pastur: S-transform from the R-transform  [derive('mp.s_transform')]")
# The white Wishart is a free Poisson law: its R-transform is R(w) = 1/(1 - q w). S and R
# are linked by S(t) = 1/R(t S(t)); for MP this equation is linear in S.
d_s = rmtscale.derive("mp.s_transform")
say(d_s)
S_mp = d_s.result
assert is_zero(S_mp - 1 / (1 + q * t)), S_mp
say("\ncheck: S(t) = 1/(1 + q t)  (Voiculescu's sign; the paper's df convention is S(-df))")
# With a numeric ratio the same derivation returns a number-valued S-transform.
assert is_zero(rmtscale.derive("mp.s_transform", q=0.5).result - 2 / (t + 2))
say("check: derive('mp.s_transform', q=0.5).result = 2/(t + 2)")
show_latex(d_s)

# ============================================================================ 2. SpectralLaw
section("2. The same law as a SpectralLaw object  [rmtscale.ensembles.marchenko_pastur()]")
# A SpectralLaw carries the algebraic g-equation P(z, g) = 0 (what the numeric solvers use)
# and converts between transforms symbolically, picking branches by physics
# (S(0) = 1/m_1, R(0) = m_1, g ~ 1/z), never by a principal square root.
law = rmtscale.ensembles.marchenko_pastur()
S, R = law.s_transform(), law.r_transform()
say(f"S(t) = {S}")
say(f"R(w) = {R}")
say(f"g-equation: {law.stieltjes_equation()}")
assert is_zero(S - S_mp)
# The defining relation between S and R, S(t) = 1/R(t S(t)):
assert is_zero(S - 1 / R.subs(w, t * S))
say("check: S(t) = 1/R(t S(t))")
# The g-equation of MP: q z g^2 - (z + q - 1) g + 1 = 0.
assert is_zero(law.g_equation - (q * z * g**2 - (z + q - 1) * g + 1))
say("check: q z g^2 - (z + q - 1) g + 1 = 0")

# Moments from the large-z expansion g = sum_k m_k z^(-k-1): the Narayana polynomials.
m = law.moments(4)
say(f"moments m_0..m_4 = {m}")
narayana = [1, 1, 1 + q, 1 + 3 * q + q**2, 1 + 6 * q + 6 * q**2 + q**3]
assert all(is_zero(a - b) for a, b in zip(m, narayana, strict=True))
say("check: m_k are the Narayana polynomials 1, 1, 1+q, 1+3q+q^2, 1+6q+6q^2+q^3")

# The closed-form Stieltjes transform, written with sqrt(z-a) sqrt(z-b) (cut on the support
# [a, b] = [(1-sqrt q)^2, (1+sqrt q)^2]) rather than the principal sqrt((z-a)(z-b)).
g_closed = law.stieltjes_closed_form()
say(f"closed form: g(z) = {g_closed}")
assert is_zero(law.g_equation.subs(g, g_closed))
assert sp.limit(z * g_closed, z, sp.oo) == 1
say("check: the closed form solves the g-equation and z g(z) -> 1 as z -> oo")

# ============================================================================ 3. Stieltjes
section("3. Stieltjes transform from the S-transform  [derive('mp.stieltjes')]")
# Invert t(z) = z g(z) - 1 through zeta(t) = (1 + t)/(t S(t)), substitute t = z g - 1 and
# clear denominators: the quadratic g-equation; its physical root is the closed form above.
d_g = rmtscale.derive("mp.stieltjes")
say(d_g)
assert is_zero(d_g.result.lhs - law.g_equation)
assert is_zero(d_g.extras["closed_form"] - g_closed)
say("\ncheck: the derived equation and physical root match the SpectralLaw")
show_latex(d_g)

# ============================================================================ 4. density
section("4. Density by Stieltjes inversion, and the compiled solver  [derive/solve('mp.density')]")
# rho(x) = -Im g(x + i0)/pi: inside the support the two roots are complex conjugates and
# rho(x) = sqrt((b - x)(x - a)) / (2 pi q x). For q > 1 an atom of mass 1 - 1/q sits at 0.
QV = 0.5
d_rho = rmtscale.derive("mp.density", q=QV)
say_steps(d_rho, len(d_g.steps) + 1)
show_latex(d_rho)

x_sym = next(iter(d_rho.result.rhs.free_symbols))
rho_closed = sp.lambdify(x_sym, d_rho.result.rhs, "numpy")
a_edge, b_edge = (1 - np.sqrt(QV)) ** 2, (1 + np.sqrt(QV)) ** 2
xs = np.array([0.1, 0.3, 0.5, 1.0, 1.5, 2.0, 2.5, 2.9])
num = rmtscale.solve("mp.density", q=QV, x=xs)  # compiled: Herglotz continuation of P(z,g)=0
ref = rho_closed(xs)
say(f"\nq = {QV}, support [(1-sqrt q)^2, (1+sqrt q)^2] = [{a_edge:.6f}, {b_edge:.6f}]")
say(f"{'x':>6}  {'compiled rho':>14}  {'closed form':>14}  {'|diff|':>9}")
for xi, ni, ri in zip(xs, num["density"], ref, strict=True):
    say(f"{xi:6.2f}  {ni:14.10f}  {ri:14.10f}  {abs(ni - ri):9.2e}")
assert np.allclose(num["density"], ref, rtol=1e-7, atol=1e-9)
((lo, hi),) = num["support"]
assert abs(lo - a_edge) < 1e-6 and abs(hi - b_edge) < 1e-6, num["support"]
assert abs(num["mass"] - 1.0) < 1e-8 and num["atom_at_zero"] == 0.0
say(f"check: compiled density = closed form; support edges match; mass = {num['mass']:.12f}")

# The compiled g(z) off the axis agrees with the closed form as well (physical branch).
zs = [complex(0.5, 0.2), complex(1.0, 0.05), complex(-0.5, 0.3), complex(4.0, 1.0)]
g_num = rmtscale.solve(
    "mp.stieltjes", q=QV, z_re=np.array([c.real for c in zs]), z_im=np.array([c.imag for c in zs])
)
g_ref = [complex(sp.N(g_closed.subs({q: sp.Rational(1, 2), z: sp.sympify(c)}))) for c in zs]
g_cmp = np.array(g_num["g_re"]) + 1j * np.array(g_num["g_im"])
assert np.allclose(g_cmp, g_ref, rtol=1e-8, atol=1e-10), (g_cmp, g_ref)
assert np.all(g_cmp.imag < 0)  # physics sign: Im g < 0 for Im z > 0
say("check: compiled g(z) = closed form at 4 points off the axis, Im g < 0 (physics sign)")

# ============================================================================ 5. product
section("5. Product of two Wisharts: S = S1 S2  [derive('wishart_product.s_transform')]")
# Freeness (W1, W2 independent, one of them rotation invariant) makes S multiplicative:
# S_{W1 W2}(t) = S_{W1}(t) S_{W2}(t) = 1/((1 + q1 t)(1 + q2 t)).
Q1, Q2 = 0.5, 0.25
d_ps = rmtscale.derive("wishart_product.s_transform", q1=Q1, q2=Q2)
say(d_ps)
S1 = rmtscale.ensembles.marchenko_pastur(sp.nsimplify(Q1)).s_transform()
S2 = rmtscale.ensembles.marchenko_pastur(sp.nsimplify(Q2)).s_transform()
assert is_zero(d_ps.result - S1 * S2), (d_ps.result, S1 * S2)
say(f"\ncheck: S = S1 S2 = {sp.factor(S1 * S2)}")
# Symbolically in q1, q2 too.
q1, q2 = rmtscale.ensembles.q1, rmtscale.ensembles.q2
assert is_zero(
    rmtscale.derive("wishart_product.s_transform").result - 1 / ((1 + q1 * t) * (1 + q2 * t))
)
say("check: symbolic S(t) = 1/((1 + q1 t)(1 + q2 t))")
show_latex(d_ps)

section("6. Its g-equation is a cubic  [derive('wishart_product.stieltjes')]")
# Same route as for MP: z t S(t) = 1 + t with t = z g - 1 gives P(z, g) = 0, now cubic in g.
# No closed form is used downstream: the solver follows the physical root numerically.
d_pg = rmtscale.derive("wishart_product.stieltjes", q1=Q1, q2=Q2)
say_steps(d_pg, len(d_ps.steps) + 1)
P = d_pg.result.lhs
assert sp.degree(P, g) == 3, P
# It must be the numerator of z t S(t) - (1 + t) at t = z g - 1, up to a factor free of g.
numer = sp.numer(sp.together((z * t * d_ps.result - (1 + t)).subs(t, z * g - 1)))
ratio = sp.cancel(numer / P)
assert not ratio.has(g), ratio
say(f"\ncheck: cubic in g: {sp.collect(P, g)} = 0")
# Second moment of a free product of unit-mean laws: m2 = 1 + q1 + q2.
m2 = rmtscale.ensembles.wishart_product().moments(2)[2]
assert is_zero(m2 - (1 + q1 + q2))
say("check: m_2 = 1 + q1 + q2")
show_latex(d_pg)

section("7. Density of the product and its mass  [solve('wishart_product.density')]")
d_pd = rmtscale.derive("wishart_product.density", q1=Q1, q2=Q2)
say_steps(d_pd, len(d_pg.steps) + 1)
show_latex(d_pd)
wp = rmtscale.solve("wishart_product.density", q1=Q1, q2=Q2)
say(f"support: {[[round(float(a), 6), round(float(b), 6)] for a, b in wp['support']]}")
say(f"atom at 0: {wp['atom_at_zero']}, total mass: {wp['mass']:.12f}")
assert abs(wp["mass"] - 1.0) < 1e-8, wp["mass"]
assert np.all(np.asarray(wp["density"]) >= 0)
say("check: |mass - 1| < 1e-8 and the density is non-negative")

# ============================================================================ output
if args.document:
    # One standalone document: the body of each derivation's own document, in order.
    bodies = []
    for d in (d_s, d_g, d_rho, d_ps, d_pg, d_pd):
        doc = d.latex(document=True)
        bodies.append(doc.split(r"\begin{document}", 1)[1].rsplit(r"\end{document}", 1)[0])
    print(r"\documentclass{article}")
    print(r"\usepackage{amsmath,amssymb}")
    print(r"\usepackage[margin=2cm]{geometry}")
    print(r"\title{Free probability in rmtscale: Marchenko--Pastur and a product of Wisharts}")
    print(r"\begin{document}")
    print(r"\maketitle")
    print("".join(bodies).strip())
    print(r"\end{document}")

section(f"all checks passed ({time.time() - T0:.1f} s)")
