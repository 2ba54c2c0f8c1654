"""Kind (a) tests of the symbolic layer: g-equations, R/S/χ transforms, moments, free
convolutions, atoms (rmtscale.symbolic.transforms / ensembles).

Every transform is also recomputed from a *bare* law, ``SpectralLaw(name, g_equation)`` with
nothing stored, so the conversions g-equation -> S, R, moments are actually exercised.
"""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp

from rmtscale.symbolic import ensembles as E
from rmtscale.symbolic.transforms import SpectralLaw, g, t, u, w, z

q, q1, q2, s = E.q, E.q1, E.q2, E.s
c = sp.Symbol("c", positive=True)
r = sp.Symbol("r", positive=True)


def is_zero(expr) -> bool:
    return sp.simplify(sp.expand(expr)) == 0


def proportional(a, b) -> bool:
    """``a`` and ``b`` define the same equation: a/b is a nonzero constant in z and g."""
    ratio = sp.cancel(sp.expand(a) / sp.expand(b))
    return not ratio.has(z) and not ratio.has(g) and ratio != 0


def bare(law: SpectralLaw) -> SpectralLaw:
    """The same law known only through its g-equation (no S, R or mean stored)."""
    return SpectralLaw(law.name + "_bare", law.g_equation)


def series_compose_identity(psi, chi, var, order):
    """Coefficients of psi(chi(var)) - var up to ``order`` (all should vanish)."""
    comp = sp.series(psi.subs(u, chi), var, 0, order + 1).removeO()
    return [sp.simplify(comp.coeff(var, k) - (1 if k == 1 else 0)) for k in range(1, order + 1)]


# ------------------------------------------------------------------ Marchenko–Pastur
@pytest.fixture(scope="module")
def mp_law():
    return E.marchenko_pastur()


def test_mp_g_equation(mp_law):
    target = q * z * g**2 - (z + q - 1) * g + 1
    assert proportional(mp_law.g_equation, target)
    # a wrong sign of the (q - 1) term must not pass
    assert not proportional(mp_law.g_equation, q * z * g**2 - (z - q + 1) * g + 1)
    assert mp_law.degree() == 2
    assert mp_law.parameters == [q]


def test_mp_s_and_r_from_g_equation_alone(mp_law):
    b = bare(mp_law)
    assert b._S is None and b._R is None
    assert is_zero(b.s_transform() - 1 / (1 + q * t))
    assert is_zero(b.r_transform() - 1 / (1 - q * w))
    assert is_zero(b.mean - 1)
    # S and R are linked by S(t) = 1 / R(t S(t))
    S = b.s_transform()
    assert is_zero(S - 1 / b.r_transform().subs(w, t * S))


def test_mp_s_from_numeric_parameter():
    law = bare(E.marchenko_pastur(sp.Rational(1, 2)))
    assert is_zero(law.s_transform() - 2 / (t + 2))
    assert is_zero(law.r_transform() - 2 / (2 - w))


def test_mp_closed_form_solves_equation_and_is_physical(mp_law):
    gc = mp_law.stieltjes_closed_form()
    assert sp.limit(z * gc, z, sp.oo) == 1
    mp.mp.dps = 30
    for qv in (sp.Rational(1, 4), sp.Rational(1, 2), 1, 3):
        P = sp.lambdify((z, g), mp_law.g_equation.subs(q, qv), "mpmath")
        f = sp.lambdify(z, gc.subs(q, qv), "mpmath")
        for zz in (
            mp.mpc(1, 0.3),
            mp.mpc(0.2, 0.01),
            mp.mpc(-2, 0.5),
            mp.mpc(5, 4),
            mp.mpc(2, 1e-8),
        ):
            gv = f(zz)
            assert abs(P(zz, gv)) < mp.mpf(10) ** -25
            assert gv.imag < 0  # Herglotz (physics sign) in the upper half plane
        big = mp.mpc(1e8, 1e7)
        assert abs(big * f(big) - 1) < 1e-6


def test_mp_moments_are_narayana(mp_law):
    m = mp_law.moments(4)
    assert m[0] == 1
    assert is_zero(m[1] - 1)
    assert is_zero(m[2] - (1 + q))
    assert is_zero(m[3] - (1 + 3 * q + q**2))
    assert is_zero(m[4] - (1 + q) * (1 + 5 * q + q**2))
    # general Narayana: m_k = sum_j N(k, j) q^(j-1)
    narayana = [
        sum(sp.binomial(k, j) * sp.binomial(k, j - 1) / k * q ** (j - 1) for j in range(1, k + 1))
        for k in range(1, 5)
    ]
    assert all(is_zero(a - b) for a, b in zip(m[1:], narayana))


def test_mp_bare_moments_match(mp_law):
    assert [sp.expand(x) for x in bare(mp_law).moments(3)] == [1, 1, 1 + q, 1 + 3 * q + q**2]


def test_mp_atom_candidates(mp_law):
    cands = mp_law.atom_candidates()
    assert any(is_zero(a - (q - 1) / q) for a in cands)
    assert any(a == 0 for a in cands)


def test_mp_chi_and_df_convention(mp_law):
    chi = mp_law.chi()
    S = mp_law.s_transform()
    assert is_zero(chi - t * S / (1 + t))
    assert is_zero(chi - t / ((1 + t) * (1 + q * t)))
    # chi is the functional inverse of psi(u) = sum m_k u^k
    m = mp_law.moments(4)
    psi = sum(m[k] * u**k for k in range(1, 5))
    assert all(cf == 0 for cf in series_compose_identity(psi, chi, t, 4))
    df = sp.Symbol("df")
    assert is_zero(mp_law.s_transform_df(df) - 1 / (1 - q * df))


def test_moment_generating_equation(mp_law):
    # psi(u) = t(1/u) satisfies the equation; check with the series of psi
    eq = mp_law.moment_generating_equation().lhs
    m = mp_law.moments(4)
    psi = sum(m[k] * u**k for k in range(1, 5))
    residual = sp.series(eq.subs(t, psi), u, 0, 5).removeO()
    assert sp.expand(residual) == 0


# ------------------------------------------------------------------ semicircle
@pytest.fixture(scope="module")
def sc_law():
    return E.semicircle()


def test_semicircle_moments_r_and_no_s(sc_law):
    m = sc_law.moments(6)
    assert [sp.expand(x) for x in m] == [1, 0, s, 0, 2 * s**2, 0, 5 * s**3]  # Catalan
    assert proportional(sc_law.g_equation, s * g**2 - z * g + 1)
    b = bare(sc_law)
    assert is_zero(b.r_transform() - s * w)
    with pytest.raises(ValueError):
        b.s_transform()
    with pytest.raises(ValueError):
        sc_law.s_transform()


def test_semicircle_closed_form():
    law = E.semicircle(2)
    gc = law.stieltjes_closed_form()
    f = sp.lambdify(z, gc, "mpmath")
    for zz in (mp.mpc(0.5, 0.2), mp.mpc(-1, 1e-6), mp.mpc(3, 1)):
        gv = f(zz)
        assert gv.imag < 0
        assert abs(2 * gv**2 - zz * gv + 1) < 1e-20


def test_free_sum_of_semicircles_is_semicircle(sc_law):
    total = sc_law.plus(E.semicircle(r))
    assert proportional(total.g_equation, (s + r) * g**2 - z * g + 1)
    assert is_zero(total.moments(4)[4] - 2 * (s + r) ** 2)
    lo, hi = total.support_bound
    assert is_zero(hi - 2 * sp.sqrt(s) - 2 * sp.sqrt(r))


def test_free_sum_shift_by_identity(mp_law):
    # A + cI: R shifts by c, the law is translated: g_{A+c}(z) = g_A(z - c)
    shifted = mp_law.plus(E.identity(c))
    assert proportional(shifted.g_equation, mp_law.g_equation.subs(z, z - c))
    assert is_zero(shifted.mean - (1 + c))


# ------------------------------------------------------------------ Wishart product
@pytest.fixture(scope="module")
def wp_law():
    return E.wishart_product()


def test_wishart_product_s_is_product(wp_law):
    prod = 1 / ((1 + q1 * t) * (1 + q2 * t))
    assert is_zero(wp_law.s_transform() - prod)
    # from the cubic g-equation alone
    b = bare(wp_law)
    assert b.degree() == 3
    assert is_zero(b.s_transform() - prod)
    # z t S(t) = 1 + t with t = z g - 1, divided by z
    assert proportional(
        wp_law.g_equation,
        sp.expand((z * g - 1) - g * (1 + q1 * (z * g - 1)) * (1 + q2 * (z * g - 1))),
    )


def test_wishart_product_moments(wp_law):
    m = wp_law.moments(3)
    assert is_zero(m[1] - 1)
    assert is_zero(m[2] - (1 + q1 + q2))
    assert is_zero(m[3] - (1 + 3 * q1 + 3 * q2 + q1**2 + q2**2 + 3 * q1 * q2))


def test_wishart_product_moments_by_series_reversion(wp_law):
    """Independent route: invert chi(t) = t S(t)/(1+t) as a power series; psi(u) is the
    moment series. Compared against moments() from the cubic g-equation."""
    chi = t / ((1 + t) * (1 + q1 * t) * (1 + q2 * t))
    a = sp.symbols("a2:5")
    psi = u + sum(a[k - 2] * u**k for k in range(2, 5))
    comp = sp.expand(sp.series(chi.subs(t, psi), u, 0, 5).removeO())
    sol = sp.solve([comp.coeff(u, k) for k in range(2, 5)], a, dict=True)[0]
    m = wp_law.moments(4)
    for k in range(2, 5):
        assert is_zero(sol[a[k - 2]] - m[k])


def test_wishart_product_reduces_to_mp():
    law = E.wishart_product(q, 0)
    assert proportional(law.g_equation, E.marchenko_pastur().g_equation)


def test_wishart_product_atom_candidates():
    cands = E.wishart_product(2, sp.Rational(1, 2)).atom_candidates()
    assert sp.Rational(1, 2) in cands


# ------------------------------------------------------------------ scaling, identity
def test_scaled_law_from_equation(mp_law):
    scaled = bare(mp_law).scaled(c)
    assert scaled._S is None
    assert is_zero(scaled.mean - c)
    assert is_zero(scaled.s_transform() - 1 / (c * (1 + q * t)))
    assert is_zero(scaled.moments(2)[2] - c**2 * (1 + q))
    # g_{cA}(z) = g_A(z/c)/c
    assert proportional(
        scaled.g_equation,
        sp.expand(mp_law.g_equation.subs({z: z / c, g: c * g}, simultaneous=True) * c),
    )


def test_scaled_law_stored_transforms(mp_law):
    scaled = mp_law.scaled(3)
    assert is_zero(scaled.mean - 3)
    assert is_zero(scaled.s_transform() - 1 / (3 * (1 + q * t)))
    assert is_zero(scaled.r_transform() - 3 / (1 - 3 * q * w))
    assert is_zero(bare(scaled).s_transform() - scaled.s_transform())


def test_identity_law():
    law = E.identity(c)
    assert proportional(law.g_equation, g * (z - c) - 1)
    assert [sp.expand(x) for x in law.moments(3)] == [1, c, c**2, c**3]
    b = bare(law)
    assert is_zero(b.s_transform() - 1 / c)
    assert is_zero(b.r_transform() - c)
    # multiplying by the identity only rescales: S_{cW} = S_W / c
    prod = E.marchenko_pastur().times(E.identity(2))
    assert is_zero(prod.s_transform() - 1 / (2 * (1 + q * t)))
    assert is_zero(prod.moments(2)[2] - 4 * (1 + q))


def test_from_s_transform_roundtrip():
    S = 1 / (1 + q * t) ** 2  # product of two identical Wisharts
    law = SpectralLaw.from_s_transform("x", S)
    assert is_zero(bare(law).s_transform() - S)
    assert is_zero(law.moments(2)[2] - (1 + 2 * q))


def test_subs_by_name_and_symbol(mp_law):
    a = mp_law.subs(q=sp.Rational(1, 4))
    b = mp_law.subs({q: sp.Rational(1, 4)})
    assert a.parameters == [] and sp.expand(a.g_equation - b.g_equation) == 0
    assert is_zero(a.moments(2)[2] - sp.Rational(5, 4))


def test_closed_form_rejects_cubic(wp_law):
    with pytest.raises(ValueError):
        wp_law.stieltjes_closed_form()
