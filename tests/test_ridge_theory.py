"""Ridge deterministic equivalent: (a) symbolic derivation, (b) compiled solver vs mpmath."""

import numpy as np
import pytest
import sympy as sp
from oracles.ridge import ridge_mp

import rmtscale
from rmtscale import ParameterError
from rmtscale.numeric.ridge import ridge_theory
from rmtscale.numeric.spectral_sums import build_table, exact_sums
from rmtscale.spectra import isotropic, power_law
from rmtscale.symbolic import ridge as R

# ------------------------------------------------------------------ (a) symbolic


def test_kappa_equation_follows_from_s_transform():
    d = rmtscale.derive("ridge.kappa")
    assert d.result == sp.Eq(R.kappa, R.lam + R.kappa * R.Df1 / R.P)
    assert any("free multiplicative" in s.text for s in d.steps)
    assert "align" in d.latex()


def test_isotropic_kappa_root_is_physical():
    k = R.derive_kappa().extras["isotropic"]
    # satisfies kappa (1 - q/(1+kappa)) = lambda
    assert (
        sp.simplify((k * (1 - R.q / (1 + k)) - R.lam).subs({R.q: 3, R.lam: sp.Rational(1, 7)})) == 0
    )
    assert sp.nsimplify(k.subs({R.q: 2, R.lam: 1})) == 1 + sp.sqrt(2)
    assert sp.limit(k.subs(R.q, 2), R.lam, 0) == 1  # q > 1: kappa -> q - 1
    assert sp.limit(k.subs(R.q, sp.Rational(1, 2)), R.lam, 0) == 0  # q < 1: kappa -> 0


def test_ridgeless_isotropic_risk_is_classical():
    d = R.derive_test_error()
    q, s2, r2 = R.q, R.sigma2, R.r2
    assert sp.simplify(d.extras["ridgeless_under"] - s2 * q / (1 - q)) == 0
    assert sp.simplify(d.extras["ridgeless_over"] - (r2 * (1 - 1 / q) + s2 / (q - 1))) == 0


def test_bias_variance_terms_sum_to_test_error():
    terms = R.derive_bias_variance().result
    g = R.gamma
    Eg = (R.kappa**2 * R.tf1p + g * R.sigma2) / (1 - g)
    assert sp.simplify(sum(terms) - Eg) == 0


def test_train_error_and_gcv_derivations():
    d = R.derive_train_error()
    assert sp.simplify(d.extras["ridgeless_under"] - R.sigma2 * (1 - R.q)) == 0
    gcv = R.derive_gcv().result.rhs
    # with S_hat -> S = kappa/lambda and E_tr from the train-error derivation, GCV = E_g + s^2
    etr = d.result.rhs
    val = gcv.subs({sp.Symbol(r"\hat S"): R.kappa / R.lam, R.E_tr: etr})
    assert sp.simplify(val - (R.E_g + R.sigma2)) == 0


# ------------------------------------------------------------------ (b) solver vs mpmath


def _mp_theory(eta, power, P, lam, noise):
    r = ridge_mp(eta, power, P, lam, noise)
    return float(r["kappa"]), float(r["test_error"]), float(r["train_error"])


@pytest.mark.parametrize("seed", range(6))
def test_solver_matches_mpmath_on_random_spectra(seed):
    rng = np.random.default_rng(seed)
    D = int(rng.integers(20, 80))
    eta = np.exp(rng.uniform(-8, 1, D))
    power = np.exp(rng.uniform(-6, 0, D))
    P = float(rng.integers(5, 2 * D))
    lam = float(np.exp(rng.uniform(-9, 0)))
    noise = float(rng.uniform(0, 0.5))
    th = ridge_theory(eta, power, [P], [lam], noise=noise)
    k, Eg, Etr = _mp_theory(eta, power, P, lam, noise)
    assert th.kappa[0, 0] == pytest.approx(k, rel=1e-10)
    assert th.test_error[0, 0] == pytest.approx(Eg, rel=1e-10)
    assert th.train_error[0, 0] == pytest.approx(Etr, rel=1e-9)


def test_spectral_table_matches_exact_sums():
    s = power_law(1.5, 0.8, 20000)
    T = build_table(s.eigenvalues, s.target_power, 1e-13, 1e2)
    ks = np.exp(np.random.default_rng(1).uniform(np.log(1e-13), np.log(1e2), 100))
    ex = exact_sums(s.eigenvalues, s.target_power, ks)
    assert np.max(np.abs(T(ks) - ex) / np.abs(ex)) < 1e-11


# ------------------------------------------------------------------ closed forms and limits


def test_isotropic_table_values_from_theory_note():
    # theory note section 12, case 3 (sigma^2 = 0.25, ||wbar||^2 = 1, q = D/P)
    s = isotropic(400, 1.0)
    th = ridge_theory(s.eigenvalues, s.target_power, [800, 400, 200], [0.1, 1.0], noise=0.25)
    assert th.kappa[0, 0] == pytest.approx(0.17416574, rel=1e-7)
    assert th.kappa[1, 0] == pytest.approx(0.37015621, rel=1e-7)
    assert th.kappa[2, 1] == pytest.approx(1 + np.sqrt(2), rel=1e-12)
    assert th.test_error[0, 0] == pytest.approx(0.17678373, rel=1e-7)
    assert th.train_error[0, 0] == pytest.approx(0.14069621, rel=1e-7)
    assert th.test_error[2, 0] == pytest.approx(0.68652866, rel=1e-7)
    assert th.bias2[2, 1] == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("q", [0.25, 0.5, 0.8])
def test_ridgeless_under_parameterized(q):
    D = 400
    s = isotropic(D, 1.0)
    th = ridge_theory(s.eigenvalues, s.target_power, [D / q], [0.0], noise=0.25)
    assert th.kappa[0, 0] == 0.0
    assert th.test_error[0, 0] == pytest.approx(0.25 * q / (1 - q), rel=1e-12)
    assert th.train_error[0, 0] == pytest.approx(0.25 * (1 - q), rel=1e-12)


@pytest.mark.parametrize("q", [1.25, 2.0, 4.0])
def test_ridgeless_over_parameterized(q):
    D = 400
    s = isotropic(D, 1.0)
    th = ridge_theory(s.eigenvalues, s.target_power, [D / q], [0.0], noise=0.25)
    assert th.kappa[0, 0] == pytest.approx(q - 1, rel=1e-12)
    assert th.test_error[0, 0] == pytest.approx((1 - 1 / q) + 0.25 / (q - 1), rel=1e-10)
    assert th.train_error[0, 0] == 0.0
    assert np.isinf(th.s_transform[0, 0])


def test_interpolation_threshold_diverges_not_nan():
    s = isotropic(100, 1.0)
    th = ridge_theory(s.eigenvalues, s.target_power, [100], [0.0], noise=0.25)
    assert np.isinf(th.test_error[0, 0])


def test_power_law_cases_from_theory_note():
    # case 7: D=2000, P=400, alpha=2, r=0.5 (beta = 2r = 1), lambda=1e-3, noiseless
    s = power_law(2.0, 1.0, 2000)
    th = ridge_theory(s.eigenvalues, s.target_power, [400], [1e-3])
    assert th.kappa[0, 0] == pytest.approx(0.0011293059, rel=1e-7)
    assert th.test_error[0, 0] == pytest.approx(5.9865163e-4, rel=1e-7)
    assert th.train_error[0, 0] == pytest.approx(4.6940855e-4, rel=1e-7)
    # case 8: D=3000, P=500, alpha=1.5, r=0.4, ridgeless, sigma^2 = 0.1
    s = power_law(1.5, 0.8, 3000)
    th = ridge_theory(s.eigenvalues, s.target_power, [500], [0.0], noise=0.1)
    assert th.kappa[0, 0] == pytest.approx(2.1864593e-4, rel=1e-7)
    assert th.test_error[0, 0] == pytest.approx(0.08029055, rel=1e-7)


def test_grid_is_one_call_and_converges():
    s = power_law(1.5, 0.8, 100_000)
    P = np.logspace(1, 5, 200)
    lam = np.logspace(-8, 0, 200)
    th = ridge_theory(s.eigenvalues, s.target_power, P, lam, noise=0.1)
    assert th.kappa.shape == (200, 200)
    assert np.all(th.converged)
    assert np.all(th.kappa >= lam[None, :] * (1 - 1e-12))
    assert np.all(th.gamma < 1)
    # kappa increases with lambda and decreases with P
    assert np.all(np.diff(th.kappa, axis=1) > 0)
    assert np.all(np.diff(th.kappa, axis=0) < 0)


# ------------------------------------------------------------------ public solve() and errors


def test_solve_acceptance_values():
    v = rmtscale.solve(
        "ridge.test_error", spectrum="isotropic", D=400, P=800, ridge=1e-8, noise=0.25, signal=1
    )
    assert v["test_error"] == pytest.approx(0.25, rel=1e-6)
    v = rmtscale.solve(
        "ridge.test_error", spectrum="isotropic", D=400, P=200, ridge=1e-8, noise=0.25, signal=1
    )
    g = 2.0
    assert v["test_error"] == pytest.approx(1 * (1 - 1 / g) + 0.25 / (g - 1), rel=1e-6)
    for key in ("kappa", "df1", "df2", "bias", "variance", "test_error", "train_error"):
        assert key in v


def test_solve_grid_shapes():
    v = rmtscale.solve("ridge.test_error", P=[100, 200, 400], ridge=[0.1, 0.01])
    assert v["kappa"].shape == (3, 2)
    v = rmtscale.solve("ridge.test_error", P=[100, 200, 400], ridge=0.1)
    assert v["kappa"].shape == (3,)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"ridge": -1.0}, "ridge"),
        ({"P": 0}, "P"),
        ({"spectrum": "power_law", "alpha": 0.9}, "alpha"),
        ({"D": 0}, "D"),
        ({"noise": float("nan")}, "noise"),
        ({"spectrum": "gauss"}, "spectrum"),
    ],
)
def test_bad_input_names_the_parameter(kw, name):
    with pytest.raises(ParameterError) as e:
        rmtscale.solve("ridge.test_error", **kw)
    assert e.value.name == name


def test_exact_sums_are_accurate_for_millions_of_modes():
    # a single running sum over 10^7 terms loses ~1e-10; blocked summation keeps ~1e-14
    import math

    s = power_law(2.0, 1.0, 3_000_000)
    k = 1e-6
    got = exact_sums(s.eigenvalues, s.target_power, np.array([k]))[:, 0]
    r = s.eigenvalues / (s.eigenvalues + k)
    ref = [math.fsum(r), math.fsum(r * r), math.fsum(s.target_power / (s.eigenvalues + k))]
    assert np.allclose(got[:3], ref, rtol=1e-13, atol=0)
