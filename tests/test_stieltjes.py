"""Kind (b) tests of the compiled Stieltjes solver (rmtscale.numeric.stieltjes) against
independent high-precision mpmath evaluations, plus Herglotz invariants, mass, support and CDF.

Conventions: physics sign g(z) = ∫ρ(x)dx/(z - x), Im g < 0 for Im z > 0, ρ = -Im g(x+i0)/π.
Solvers are built once per module (the numba continuation kernel compiles once per process).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from rmtscale.models._laws import law_solver
from rmtscale.numeric.stieltjes import stieltjes_solver
from rmtscale.symbolic import ensembles as E

DPS = 35
MP_QS = (0.25, 0.5, 1.0, 2.0)
WP_CASES = ((0.5, 0.25), (1.0, 1.0), (2.0, 0.5))


@pytest.fixture(scope="module")
def solvers():
    """Lazily built solvers shared by every test of the module (support/atom are cached)."""
    cache: dict = {}

    def get(kind: str, *vals: float):
        key = (kind, *vals)
        if key not in cache:
            if kind == "mp":
                cache[key] = law_solver("mp", q=vals[0])
            elif kind == "wp":
                cache[key] = law_solver("wishart_product", q1=vals[0], q2=vals[1])
            else:
                cache[key] = law_solver("semicircle", s=vals[0])
        return cache[key]

    return get


# ------------------------------------------------------------------ mpmath references
def mp_g_mp(zz: complex, q: float) -> mp.mpc:
    """Marchenko–Pastur g with the physical branch: product of principal square roots
    sqrt(z - x+) sqrt(z - x-) (cut exactly on the support), not sqrt of the product."""
    with mp.workdps(DPS):
        z = mp.mpc(zz.real, zz.imag)
        q = mp.mpf(q)
        xp, xm = (1 + mp.sqrt(q)) ** 2, (1 - mp.sqrt(q)) ** 2
        return (z - 1 + q - mp.sqrt(z - xp) * mp.sqrt(z - xm)) / (2 * q * z)


def mp_density_mp(x: float, q: float) -> float:
    xp, xm = (1 + math.sqrt(q)) ** 2, (1 - math.sqrt(q)) ** 2
    return math.sqrt(max((xp - x) * (x - xm), 0.0)) / (2 * math.pi * q * x)


def wp_coeffs(z, q1, q2):
    """Cubic for the free product of two Wisharts, derived by hand from z t S(t) = 1 + t with
    S = 1/((1+q1 t)(1+q2 t)), t = z g - 1 (divided by -z); highest power of g first."""
    return [q1 * q2 * z**2, z * (q1 + q2 - 2 * q1 * q2), q1 * q2 - q1 - q2 - z + 1, 1]


def _roots(z, q1, q2):
    return mp.polyroots(wp_coeffs(z, q1, q2), maxsteps=200, extraprec=80)


def mp_g_wp(zz: complex, q1: float, q2: float, eta_stop: float | None = None) -> mp.mpc:
    """g of the Wishart product at high precision by mpmath-side continuation: the root
    nearest 1/z at Im z = 1e3, followed down in Im z (geometric steps, nearest root, with a
    check that the choice is never ambiguous). ``eta_stop``: after reaching it, jump straight
    to the target height (used for boundary values inside the support)."""
    with mp.workdps(DPS):
        q1, q2 = mp.mpf(q1), mp.mpf(q2)
        x, y = mp.mpf(zz.real), mp.mpf(zz.imag)
        eta = mp.mpf(1000)
        zc = mp.mpc(x, eta)
        gp = min(_roots(zc, q1, q2), key=lambda v: abs(v - 1 / zc))
        floor = y if eta_stop is None else max(y, mp.mpf(eta_stop))
        while eta > floor:
            eta = max(eta * mp.mpf("0.8"), floor)
            if eta_stop is not None and eta == floor:
                eta = y
            zc = mp.mpc(x, eta)
            rs = sorted(_roots(zc, q1, q2), key=lambda v: abs(v - gp))
            assert abs(rs[0] - gp) < 0.5 * abs(rs[1] - gp), "ambiguous continuation step"
            gp = rs[0]
        return gp


def rel_err(got: complex, ref) -> float:
    ref = complex(ref)
    return abs(got - ref) / abs(ref)


# ------------------------------------------------------------------ Marchenko–Pastur: g(z)
@pytest.mark.parametrize("q", MP_QS)
def test_mp_g_matches_mpmath(solvers, q):
    sol = solvers("mp", q)
    xp, xm = (1 + math.sqrt(q)) ** 2, (1 - math.sqrt(q)) ** 2
    mid = 0.5 * (xp + xm)
    zs = np.array(
        [
            1 + 0.1j,
            3 + 2j,
            10 + 1j,
            0.05 + 0.01j,  # off axis
            -2 + 0.5j,
            -0.5 + 1e-6j,
            -3 + 0j,
            -1e-3 + 0j,  # negative real part / axis
            mid + 1e-3j,
            mid + 1e-9j,
            xm + 0.3 * (xp - xm) + 1e-12j,  # just above the support
            mid + 0j,
            xp - 0.01 + 0j,  # boundary value inside support
            xp + 1e-3 + 0j,
            2 * xp + 0j,  # real axis right of the support
        ]
    )
    got = sol.g(zs)
    for zz, gv in zip(zs, got):
        assert rel_err(gv, mp_g_mp(zz, q)) < 1e-10, (q, zz)


def test_mp_g_scalar_and_wrong_sheet(solvers):
    sol = solvers("mp", 0.5)
    gv = sol.g(1 + 0.1j)
    assert np.ndim(gv) == 0
    ref = mp_g_mp(1 + 0.1j, 0.5)
    assert rel_err(gv, ref) < 1e-10
    # the principal sqrt of the product gives the wrong sheet here: make sure we differ
    with mp.workdps(DPS):
        z = mp.mpc(1, 0.1)
        wrong = (z - 0.5 - mp.sqrt((z - 0.5 - 1) ** 2 - 4 * 0.5)) / (2 * 0.5 * z)
    assert rel_err(gv, wrong) > 0.1


@pytest.mark.parametrize("q", MP_QS)
def test_mp_density_closed_form(solvers, q):
    sol = solvers("mp", q)
    xp, xm = (1 + math.sqrt(q)) ** 2, (1 - math.sqrt(q)) ** 2
    xs = np.linspace(xm, xp, 41)[1:-1]
    rho = sol.density(xs)
    ref = np.array([mp_density_mp(x, q) for x in xs])
    np.testing.assert_allclose(rho, ref, rtol=1e-10)
    outside = np.array([-1.0, xp + 1e-3, xp + 2.0] + ([0.5 * xm] if xm > 1e-3 else []))
    assert np.all(sol.density(outside) <= 1e-12)
    assert np.ndim(sol.density(1.0)) == 0


# ------------------------------------------------------------------ Wishart product (cubic)
@pytest.mark.parametrize("q1,q2", [(0.5, 0.25), (2.0, 0.5)])
def test_wishart_product_g_matches_mpmath(solvers, q1, q2):
    sol = solvers("wp", q1, q2)
    zs = np.array([1 + 0.5j, 0.3 + 0.05j, -1 + 0.2j, 5 + 1j, 2 + 0.02j])
    got = sol.g(zs)
    for zz, gv in zip(zs, got):
        ref = mp_g_wp(zz, q1, q2)
        assert ref.imag < 0  # the mpmath continuation stays Herglotz
        assert rel_err(gv, ref) < 1e-10, (q1, q2, zz)


def test_wishart_product_density_matches_mpmath(solvers):
    q1, q2 = 0.5, 0.25
    sol = solvers("wp", q1, q2)
    xs = np.array([0.2, 0.8, 1.5, 3.0])
    rho = sol.density(xs)
    for x, r in zip(xs, rho):
        ref = -mp_g_wp(complex(x, 1e-30), q1, q2, eta_stop=1e-3).imag / mp.pi
        assert abs(r - float(ref)) <= 1e-10 * float(ref), x
        assert r > 0


def test_wishart_product_g_is_transform_of_density_plus_atom(solvers):
    """g(z) = ∫ρ(x)/(z-x)dx + atom/z, with ρ integrated on the solver's support by a
    cosine-substituted Gauss–Legendre rule (sqrt edges become smooth)."""
    sol = solvers("wp", 2.0, 0.5)
    ((a, b),) = sol.support()
    theta, wts = np.polynomial.legendre.leggauss(200)
    theta = 0.5 * np.pi * (theta + 1)
    wts = 0.5 * np.pi * wts
    x = a + 0.5 * (b - a) * (1 - np.cos(theta))
    jac = 0.5 * (b - a) * np.sin(theta)
    rho = sol.density(x)
    atom = sol.atom_at_zero()
    assert atom == pytest.approx(0.5, abs=1e-12)
    for zz in (1 + 0.5j, -2 + 1j, 4 + 0.3j):
        integral = np.sum(wts * jac * rho / (zz - x)) + atom / zz
        assert abs(sol.g(zz) - integral) < 1e-8


# ------------------------------------------------------------------ Herglotz invariants
LAWS = [("mp", 0.5), ("mp", 2.0), ("wp", 0.5, 0.25), ("wp", 2.0, 0.5), ("sc", 1.0)]


@pytest.mark.parametrize("spec", LAWS, ids=lambda s: "-".join(map(str, s)))
def test_herglotz_invariants(solvers, spec):
    sol = solvers(*spec)
    xr = np.linspace(sol.lo - 2.0, sol.hi + 2.0, 23)
    ys = np.array([1e-6, 1e-3, 0.1, 1.0, 10.0])
    zz = (xr[:, None] + 1j * ys[None, :]).ravel()
    gz = sol.g(zz)
    assert np.all(np.isfinite(gz))
    assert np.all(gz.imag <= 0.0)
    # |g(z)| <= 1/Im z for a probability measure
    assert np.all(np.abs(gz) <= 1.0 / zz.imag * (1 + 1e-9))
    assert np.all(sol.density(np.linspace(sol.lo - 1, sol.hi + 1, 301)) >= 0.0)
    # z g(z) -> 1 and z (z g - 1) -> mean at infinity, in several directions
    mean = 0.0 if spec[0] == "sc" else 1.0
    for phase in (0.05, 0.5, 1.5, 2.5, 3.1):
        for R in (1e4, 1e6):
            big = R * np.exp(1j * phase)
            gb = sol.g(big)
            assert abs(big * gb - 1) < 10 / R
            assert abs(big * (big * gb - 1) - mean) < 1e-2


def test_semicircle_g_matches_closed_form(solvers):
    sol = solvers("sc", 2.0)
    for zz in (0.3 + 0.1j, -1 + 1e-8j, 3.5 + 2j, -4 + 0j, 1 + 0j):
        with mp.workdps(DPS):
            z = mp.mpc(zz.real, zz.imag)
            ref = (z - mp.sqrt(z - 2 * mp.sqrt(2)) * mp.sqrt(z + 2 * mp.sqrt(2))) / 4
        assert rel_err(sol.g(zz), ref) < 1e-10


# ------------------------------------------------------------------ mass, atoms, support
MASS_CASES = [
    ("mp", 0.5),
    ("mp", 2.0),
    ("wp", 0.5, 0.25),
    ("wp", 1.0, 1.0),
    ("wp", 2.0, 0.5),
    ("sc", 1.0),
]
ATOMS = {("mp", 2.0): 0.5, ("wp", 2.0, 0.5): 0.5}


@pytest.mark.parametrize("spec", MASS_CASES, ids=lambda s: "-".join(map(str, s)))
def test_total_mass_is_one(solvers, spec):
    sol = solvers(*spec)
    assert sol.atom_at_zero() == pytest.approx(ATOMS.get(spec, 0.0), abs=1e-12)
    assert abs(sol.mass() - 1.0) < 1e-8


@pytest.mark.parametrize("q", [0.5, 1.0, 2.0])
def test_mp_support_edges(solvers, q):
    ((a, b),) = solvers("mp", q).support()
    assert a == pytest.approx((1 - math.sqrt(q)) ** 2, abs=1e-6)
    assert b == pytest.approx((1 + math.sqrt(q)) ** 2, abs=1e-6)


def test_wishart_product_support_edges_are_discriminant_roots(solvers):
    """Edges of the cubic's support are zeros of its discriminant in g (sympy, exact)."""
    gg, zz = sp.symbols("g z")
    q1, q2 = sp.Rational(1, 2), sp.Rational(1, 4)
    cubic = sp.Poly(sum(cf * gg ** (3 - k) for k, cf in enumerate(wp_coeffs(zz, q1, q2))), gg)
    disc = sp.Poly(sp.discriminant(cubic, gg), zz)
    real_roots = [float(r) for r in disc.real_roots() if r > 0]
    assert len(real_roots) >= 2
    ((a, b),) = solvers("wp", 0.5, 0.25).support()
    assert min(abs(a - r) for r in real_roots) < 1e-6
    assert min(abs(b - r) for r in real_roots) < 1e-6


def test_semicircle_support(solvers):
    ((a, b),) = solvers("sc", 1.0).support()
    assert a == pytest.approx(-2.0, abs=1e-6) and b == pytest.approx(2.0, abs=1e-6)


@pytest.mark.parametrize(
    "spec", [("mp", 0.5), ("mp", 2.0), ("wp", 0.5, 0.25)], ids=lambda s: "-".join(map(str, s))
)
def test_cdf_monotone_and_normalized(solvers, spec):
    sol = solvers(*spec)
    xs = np.linspace(sol.lo - 0.5, sol.hi + 0.5, 11)
    F = sol.cdf(xs)
    assert np.all(np.diff(F) >= -1e-14)
    assert F[0] == 0.0
    assert sol.cdf(sol.hi) == pytest.approx(1.0, abs=1e-8)
    assert sol.cdf(sol.hi + 10.0) == pytest.approx(1.0, abs=1e-8)
    atom = ATOMS.get(spec, 0.0)
    assert sol.cdf(0.0) == pytest.approx(atom, abs=1e-12)
    assert sol.cdf(-1e-9) == 0.0


@pytest.mark.parametrize("q", [0.5, 2.0])
def test_mp_cdf_matches_mpmath_quadrature(solvers, q):
    sol = solvers("mp", q)
    xm = (1 - math.sqrt(q)) ** 2
    atom = max(0.0, 1 - 1 / q)
    for x in (0.5, 1.0, 2.5):
        with mp.workdps(20):
            ref = mp.quad(lambda t: mp_density_mp(float(t), q), [xm, x]) + atom
        assert sol.cdf(x) == pytest.approx(float(ref), abs=1e-9)


# ------------------------------------------------------------------ errors, direct API
def test_lower_half_plane_raises(solvers):
    sol = solvers("mp", 0.5)
    with pytest.raises(ValueError):
        sol.g(1 - 0.1j)
    with pytest.raises(ValueError):
        sol.g(np.array([1 + 0.1j, 2 - 1e-12j]))
    with pytest.raises(ValueError):
        sol.g(complex(np.inf, 1.0))


def test_stieltjes_solver_direct_and_parameter_errors():
    law = E.marchenko_pastur()
    sol = stieltjes_solver(law, q=0.25)
    assert rel_err(sol.g(0.7 + 0.2j), mp_g_mp(0.7 + 0.2j, 0.25)) < 1e-10
    with pytest.raises(ValueError):
        stieltjes_solver(law)
    with pytest.raises(ValueError):
        stieltjes_solver(law, q=0.5, r=1.0)
    # a numeric law needs no parameters
    sol2 = stieltjes_solver(E.marchenko_pastur(sp.Rational(1, 2)))
    assert rel_err(sol2.g(1 + 0.1j), mp_g_mp(1 + 0.1j, 0.5)) < 1e-10
