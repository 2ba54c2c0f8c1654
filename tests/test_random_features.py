"""Linear random features: (a) symbolic, (b) solver vs mpmath and known values, (c) simulation."""

import numpy as np
import pytest
import sympy as sp
from oracles.random_features import kappa2_mp

import rmtscale
from rmtscale.numeric.random_features import rf_theory
from rmtscale.numeric.ridge import ridge_theory
from rmtscale.spectra import isotropic, power_law
from rmtscale.symbolic import random_features as RF
from rmtscale.symbolic import ridge as R

# ------------------------------------------------------------------ (a) symbolic


def test_feature_s_transform_is_one_over_width_minus_df():
    S = RF.s_transform_ff()
    assert sp.simplify(S - 1 / (RF.N / R.D - R.df)) == 0


def test_kappa2_equation_and_infinite_width_limit():
    d = rmtscale.derive("rf.kappa")
    assert sp.simplify(d.result.lhs - RF.kappa2 * (1 - RF.Df1 / R.P) * (RF.N - RF.Df1) / R.D) == 0
    # N -> infinity at fixed lambda D / N: the ridge equation kappa (1 - Df1/P) = lambda'
    lim = sp.limit(d.result.lhs * R.D / RF.N, RF.N, sp.oo)
    assert sp.simplify(lim - RF.kappa2 * (1 - RF.Df1 / R.P)) == 0


def test_rho_tends_to_one_at_infinite_width():
    d = rmtscale.derive("rf.test_error")
    assert any(s.eq == sp.Eq(RF.rho, 1) for s in d.steps)


# ------------------------------------------------------------------ (b) numeric


def test_theory_note_case_10_all_terms():
    s = isotropic(300, 1.0)
    r = rf_theory(s.eigenvalues, s.target_power, 450, 150, 0.01, noise=0.25)
    expect = dict(kappa1=0.014793076, kappa2=1.057562, gamma1=0.31517728, gamma2=0.15747184,
                  bias2=0.26418357, var_x=0.049376951, var_f=0.23655816, var_xf=0.18108038,
                  var_xe=0.046725986, var_xfe=0.068331994, test_error=0.84625703,
                  train_error=0.5009512)  # fmt: skip
    for k, v in expect.items():
        assert float(r[k]) == pytest.approx(v, rel=2e-7), k


def test_theory_note_case_11_overparameterized_power_law():
    # alpha = 1.5, r = 0.8 (beta = 2r = 1.6), D=400, N=300, P=100, lambda=1e-3, sigma^2=0.05
    s = power_law(1.5, 1.6, 400)
    r = rf_theory(s.eigenvalues, s.target_power, 100, 300, 1e-3, noise=0.05)
    assert float(r["test_error"]) == pytest.approx(0.026229656, rel=1e-7)
    assert float(r["kappa1"]) == pytest.approx(0.0027958404, rel=1e-7)
    assert float(r["var_f"]) == pytest.approx(1.0245354e-3, rel=1e-6)


@pytest.mark.parametrize("spec", [isotropic(300, 1.0), power_law(1.5, 0.8, 300)])
@pytest.mark.parametrize("P", [100, 200, 600])
def test_infinite_width_reduces_to_ridge(spec, P):
    N = 1e9
    lam = 0.01
    r = rf_theory(spec.eigenvalues, spec.target_power, P, N, lam * N / 300, noise=0.1)
    t = ridge_theory(spec.eigenvalues, spec.target_power, [P], [lam], noise=0.1)
    assert float(r["test_error"]) == pytest.approx(t.test_error[0, 0], rel=1e-6)
    assert float(r["kappa2"]) == pytest.approx(t.kappa[0, 0], rel=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_kappa2_matches_mpmath(seed):
    rng = np.random.default_rng(100 + seed)
    D = int(rng.integers(20, 60))
    eta = np.exp(rng.uniform(-6, 1, D))
    power = np.exp(rng.uniform(-5, 0, D))
    P, N = float(rng.integers(5, 2 * D)), float(rng.integers(5, 2 * D))
    lam = float(np.exp(rng.uniform(-7, 0)))
    r = rf_theory(eta, power, P, N, lam)
    assert float(r["kappa2"]) == pytest.approx(float(kappa2_mp(eta, P, N, lam)), rel=1e-10)


def test_solve_returns_every_term_and_grids():
    v = rmtscale.solve("rf.test_error", spectrum="power_law", alpha=1.5, beta=0.8, D=300,
                       N=150, P=200, ridge=0.01, noise=0.1)  # fmt: skip
    for k in ("kappa1", "kappa2", "test_error", "train_error", "bias2", "var_x", "var_f",
              "var_xf", "var_xe", "var_xfe"):  # fmt: skip
        assert np.isfinite(v[k])
    terms = v["bias2"] + v["var_x"] + v["var_f"] + v["var_xf"] + v["var_xe"] + v["var_xfe"]
    assert terms == pytest.approx(v["test_error"], rel=1e-12)
    g = rmtscale.solve("rf.test_error", N=[50, 100, 200], P=[100, 400], ridge=0.01)
    assert g["test_error"].shape == (2, 3)


def test_bad_width_is_rejected():
    with pytest.raises(rmtscale.ParameterError, match="'N'"):
        rmtscale.solve("rf.test_error", N=0)


# ------------------------------------------------------------------ (c) simulation

ACCEPT = dict(spectrum="power_law", alpha=1.5, beta=0.8, D=300, N=150, P=200, ridge=0.01,
              noise=0.1)  # fmt: skip


@pytest.mark.parametrize(
    "kw",
    [
        dict(spectrum="isotropic", D=100, N=200, P=80, ridge=0.05, noise=0.2),  # N > P
        dict(spectrum="power_law", alpha=1.5, beta=0.8, D=120, N=50, P=150, ridge=0.01),  # N < P
    ],
)
@pytest.mark.parametrize("claim", ["rf.test_error", "rf.train_error"])
def test_rf_claims_pass_in_both_width_regimes(claim, kw):
    rep = rmtscale.validate(claim, seeds=40, **kw)
    assert rep.passed, rep.table()


def test_negative_ridge_is_a_clear_error():
    with pytest.raises(rmtscale.ParameterError, match="'ridge'"):
        rmtscale.solve("rf.test_error", ridge=-1e-3)


@pytest.mark.parametrize(("P", "N"), [(300, 100), (100, 300), (600, 800), (150, 1000)])
def test_ridgeless_limit_is_continuous(P, N):
    s = power_law(1.5, 0.8, 400)
    a = rf_theory(s.eigenvalues, s.target_power, P, N, 0.0, noise=0.1)
    b = rf_theory(s.eigenvalues, s.target_power, P, N, 1e-12, noise=0.1)
    assert float(a["test_error"]) == pytest.approx(float(b["test_error"]), rel=1e-5)
    assert float(a["train_error"]) == pytest.approx(float(b["train_error"]), abs=1e-9)


def test_ridgeless_width_limited_closed_form():
    # N < P < D, lambda = 0: Df1(kappa_2) = N, rho = 0,
    # E_g = (kappa_2 tf1(kappa_2) + sigma^2 N/P) / (1 - N/P)   (theory note 8.4)
    s = power_law(1.5, 0.8, 400)
    r = rf_theory(s.eigenvalues, s.target_power, 300, 100, 0.0, noise=0.1)
    k2 = float(r["kappa2"])
    assert float(r["df1"]) == pytest.approx(100, rel=1e-10)
    tf1 = np.sum(s.target_power / (s.eigenvalues + k2))
    expect = (k2 * tf1 + 0.1 * 100 / 300) / (1 - 100 / 300)
    assert float(r["test_error"]) == pytest.approx(expect, rel=1e-10)
    # train error of the ridgeless underparameterized-in-width fit: (1 - N/P)^2 (E_g + s^2)
    assert float(r["train_error"]) == pytest.approx((1 - 1 / 3) ** 2 * (expect + 0.1), rel=1e-10)


@pytest.mark.parametrize(("P", "N"), [(300, 300), (400, 500)])
def test_ridgeless_interpolation_threshold_is_inf_not_nan(P, N):
    s = power_law(1.5, 0.8, 400)
    r = rf_theory(s.eigenvalues, s.target_power, P, N, 0.0, noise=0.1)
    assert np.isinf(float(r["test_error"]))
    assert float(r["train_error"]) == 0.0


# ------------------------------------------------------------------ deep linear random features


def test_deep_rf_theory_note_case_12():
    from rmtscale.numeric.random_features import deep_rf_theory

    s = isotropic(300, 1.0)
    r = deep_rf_theory(s.eigenvalues, s.target_power, 100, [150, 200], 0.05, noise=0.1)
    assert float(r["kappa2"]) == pytest.approx(2.7363511, rel=1e-7)
    assert float(r["kappa1"]) == pytest.approx(0.25370717, rel=1e-7)
    assert float(r["test_error"]) == pytest.approx(1.5670794, rel=1e-7)


def test_deep_with_one_layer_is_shallow_and_huge_layers_drop_out():
    from rmtscale.numeric.random_features import deep_rf_theory

    s = power_law(1.5, 0.8, 200)
    one = deep_rf_theory(s.eigenvalues, s.target_power, 150, [80], 0.01, noise=0.1)
    shallow = rf_theory(s.eigenvalues, s.target_power, 150, 80, 0.01, noise=0.1)
    assert float(one["test_error"]) == pytest.approx(float(shallow["test_error"]), rel=1e-13)
    # an extra layer of width W -> infinity at ridge lambda*W/D is the shallow model
    W = 1e10
    two = deep_rf_theory(s.eigenvalues, s.target_power, 150, [80, W], 0.01 * W / 200, noise=0.1)
    assert float(two["test_error"]) == pytest.approx(float(shallow["test_error"]), rel=1e-6)


@pytest.mark.parametrize(
    "kw",
    [
        dict(spectrum="isotropic", D=150, widths=[75, 100], P=50, ridge=0.05, noise=0.1),
        dict(spectrum="power_law", alpha=1.5, beta=0.8, D=120, widths=[200, 80, 150], P=60,
             ridge=0.01, noise=0.05),
    ],
)  # fmt: skip
def test_deep_rf_claim_passes_for_two_and_three_layers(kw):
    rep = rmtscale.validate("deep_rf.test_error", seeds=60, **kw)
    assert rep.passed, rep.table()


# ------------------------------------------------------------------ fine-grained terms


def test_bias_variance_estimators_are_unbiased_on_a_toy_grid():
    # with lambda huge the fit is ~0, so Y = -wbar exactly: Bias^2 = ||wbar||^2_Sigma, rest 0
    from rmtscale.simulate import rng_for
    from rmtscale.simulate.random_features import rf_bias_variance_replicate

    s = isotropic(20, 2.0)
    r = rf_bias_variance_replicate(s.eigenvalues, s.target_power, 30, 10, 1e12, 0.0,
                                   rng_for(0, 0), n_x=3, n_f=4)  # fmt: skip
    assert r["bias2"] == pytest.approx(2.0, rel=1e-9)
    for k in ("var_x", "var_f", "var_xf", "var_xe", "var_xfe"):
        assert abs(r[k]) < 1e-9


BV_SMALL = dict(spectrum="isotropic", D=60, N=30, P=90, ridge=0.01, noise=0.25)


def test_bias_variance_claim_every_term_matches():
    rep = rmtscale.validate("rf.bias_variance", seeds=20, **BV_SMALL)
    assert {c.observable for c in rep.cases} == {
        "bias2", "var_x", "var_f", "var_xf", "var_xe", "var_xfe"
    }  # fmt: skip
    assert rep.passed, rep.table()


# ------------------------------------------------------------------ more derivations


def test_rf_train_error_and_bias_variance_derivations():
    d = rmtscale.derive("rf.train_error")
    assert d.result.rhs == (R.lam / RF.kappa1) ** 2 * (RF.E_g + R.sigma2)
    terms = rmtscale.derive("rf.bias_variance").result
    assert len(terms) == 6
    # at infinite width (rho = 1, gamma_1 = gamma_2) Var_F and Var_XFe vanish
    g2 = sp.Symbol("gamma_2", positive=True)
    lim = [sp.simplify(t.subs({RF.rho: 1, RF.gamma1: g2})) for t in terms]
    assert lim[2] == 0 and lim[5] == 0


@pytest.mark.parametrize("L", [1, 2, 3])
def test_deep_kappa_derivation_matches_the_solver(L):
    from rmtscale.numeric.random_features import deep_rf_theory

    d = rmtscale.derive("deep_rf.kappa", L=L)
    widths = [150, 200, 120][:L]
    s = isotropic(300, 1.0)
    r = deep_rf_theory(s.eigenvalues, s.target_power, 100, widths, 0.05)
    k2 = float(r["kappa2"])
    df1 = 300 / (1 + k2)  # isotropic: Df1 = D/(1+kappa)
    Ns = sp.symbols(f"N_1:{L + 1}", positive=True)
    subs = {RF.kappa2: k2, RF.Df1: df1, R.P: 100, R.D: 300, **dict(zip(Ns, widths))}
    lhs = float(d.result.lhs.subs(subs))
    assert lhs == pytest.approx(0.05, rel=1e-10)


def test_ridgeless_width_limited_derivation_step():
    wl = rmtscale.derive("rf.test_error").extras["ridgeless_width_limited"]
    expect = (RF.kappa2 * RF.tf1 + R.sigma2 * RF.N / R.P) / (1 - RF.N / R.P)
    assert sp.simplify(wl - expect) == 0


# ------------------------------------------------------------------ anisotropic weights


def test_structured_features_theory_note_case_14b():
    from rmtscale.numeric.random_features import rf_structured_theory

    s = isotropic(400, 1.0)
    eF = np.arange(1, 301) ** -0.7
    r = rf_structured_theory(s.eigenvalues, s.target_power, 200, eF, 0.02, noise=0.2)
    assert r["kappa1"] == pytest.approx(0.045428933, rel=1e-7)
    assert r["kappa2"] == pytest.approx(2.5730114, rel=1e-7)
    assert r["test_error"] == pytest.approx(0.92748841, rel=1e-7)
    assert r["train_error"] == pytest.approx(0.21852796, rel=1e-7)
    # power-law data with power-law weights (alpha = alpha_F = 1.5, r = 0.8 -> beta = 1.6)
    s = power_law(1.5, 1.6, 600)
    r = rf_structured_theory(s.eigenvalues, s.target_power, 200, np.arange(1, 401) ** -1.5, 1e-3)
    assert r["test_error"] == pytest.approx(0.18914, rel=1e-4)
    assert r["kappa1"] == pytest.approx(0.0010188, rel=1e-4)


def test_structured_with_identity_weights_is_isotropic_rf():
    from rmtscale.numeric.random_features import rf_structured_theory

    s = power_law(1.5, 0.8, 300)
    a = rf_structured_theory(s.eigenvalues, s.target_power, 150, np.ones(200), 0.01, noise=0.1)
    b = rf_theory(s.eigenvalues, s.target_power, 150, 200, 0.01, noise=0.1)
    for k in ("kappa1", "kappa2", "test_error", "train_error", "var_f", "var_xf"):
        assert a[k] == pytest.approx(float(b[k]), rel=1e-9), k


def test_structured_accepts_grids():
    # anisotropic weights on grids (more in tests/test_rf_structured.py)
    g = rmtscale.solve("rf.test_error", alpha_F=0.7, P=[100, 200])
    one = rmtscale.solve("rf.test_error", alpha_F=0.7, P=200)
    assert g["test_error"][1] == pytest.approx(one["test_error"], rel=1e-12)


ANISO = dict(spectrum="power_law", alpha=1.5, beta=1.6, D=150, N=100, P=60, ridge=1e-3,
             noise=0.05, alpha_F=1.5)  # fmt: skip


def test_structured_claim_passes_on_power_law_data():
    assert rmtscale.validate("rf.test_error", seeds=60, **ANISO).passed


ANISO_ISO = dict(spectrum="isotropic", D=200, N=150, P=100, ridge=0.02, noise=0.2, alpha_F=0.7)


def test_structured_claim_passes_and_fails_when_perturbed():
    assert rmtscale.validate("rf.test_error", seeds=60, **ANISO_ISO).passed
    assert not rmtscale.validate("rf.test_error", seeds=60, perturb=0.05, **ANISO_ISO).passed
