"""Hard branches of the Stieltjes continuation: cases that once picked the wrong root."""

import numpy as np
import pytest
import sympy as sp

from rmtscale.numeric.stieltjes import stieltjes_solver
from rmtscale.symbolic import ensembles as E


@pytest.mark.parametrize(
    ("q1", "q2", "atom"),
    [(2.0, 3.0, 2.0 / 3.0), (3.0, 2.0, 2.0 / 3.0), (2.0, 0.5, 0.5), (0.5, 0.25, 0.0)],
)
def test_wishart_product_atom_is_one_minus_rank_fraction(q1, q2, atom):
    # rank(W1 W2) = min(D, P1, P2): atom at 0 of mass 1 - min(1, 1/q1, 1/q2). Two candidate
    # branches g ~ a/z (a = 1 - 1/q1 and 1 - 1/q2) meet near z = 0; nearest-root tracking
    # without a predictor jumped to the wrong one for q1, q2 > 1.
    sol = stieltjes_solver(E.wishart_product(), q_1=q1, q_2=q2)
    assert sol.atom_at_zero() == pytest.approx(atom, abs=1e-9)
    assert sol.mass() == pytest.approx(1.0, abs=1e-8)
    eps = 1e-7
    assert complex(1j * eps * sol.g(1j * eps)).real == pytest.approx(atom, abs=1e-6)


def test_small_x_density_keeps_tiny_leading_coefficients():
    # q1 = q2 = 1: rho(x) ~ sqrt(3)/(2 pi) x^(-2/3) at 0. The cubic's leading coefficient
    # q1 q2 z^2 is tiny there; dropping it (a relative-threshold trim) picked g = 1/x.
    sol = stieltjes_solver(E.wishart_product(), q_1=1.0, q_2=1.0)
    x = np.array([1e-12, 1e-10, 1e-8])
    assert np.allclose(sol.density(x) * x ** (2 / 3), np.sqrt(3) / (2 * np.pi), rtol=2e-3)


def test_free_sum_and_triple_product_are_probability_measures():
    half = sp.Rational(1, 2)
    s = stieltjes_solver(E.marchenko_pastur(half).plus(E.semicircle(sp.Rational(1, 4))))
    assert s.mass() == pytest.approx(1.0, abs=1e-8)
    law3 = E.marchenko_pastur(half).times(E.marchenko_pastur(sp.Rational(1, 3)))
    law3 = law3.times(E.marchenko_pastur(1))
    s3 = stieltjes_solver(law3)
    assert s3.mass() == pytest.approx(1.0, abs=1e-8)
    # mean of a free product is the product of means (= 1) and m2 = 1 + sum q_i
    x = np.linspace(0, s3.hi, 20001)
    rho = s3.density(x)
    m2 = np.trapezoid(x**2 * rho, x)
    assert m2 == pytest.approx(1 + 0.5 + 1 / 3 + 1, rel=2e-3)
