"""Ridge and random features as one pipeline: derivation = Theory = compiled solver = oracle.

(a) every derivation's ``.result`` is the Theory's expression (typed once);
(b) the code compiled from the Theory evaluates the sympy expressions (random points);
(c) the solvers' ``check=`` functions: solve() vs the Theory in 30-digit mpmath;
(d) the Theory's high-precision evaluator rejects a root off the physical branch;
(e) model modules import neither sympy nor numba.
"""

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

import rmtscale
from rmtscale import registry
from rmtscale.numeric import random_features as NRF
from rmtscale.numeric import ridge as NR
from rmtscale.spectra import isotropic
from rmtscale.symbolic import random_features as RF
from rmtscale.symbolic import ridge as R

# ------------------------------------------------------------------ (a) one expression


def test_ridge_derivations_are_the_theory():
    T = R.THEORY
    d = rmtscale.derive("ridge.kappa").result
    assert d.lhs - d.rhs == T.equations[0]
    assert rmtscale.derive("ridge.test_error").result.rhs == T.expr("test_error")
    assert rmtscale.derive("ridge.train_error").result.rhs == T.observables["train_error"]
    terms = list(rmtscale.derive("ridge.bias_variance").result)
    assert terms == [T.observables[k] for k in ("bias2", "var_x", "var_noise")]
    gcv = rmtscale.derive("ridge.gcv")
    assert any(s.eq.lhs == T.observables["gcv"] for s in gcv.steps)
    # lambda from the fixed point, used where lambda = 0
    assert sp.simplify(T.solved_for(R.lam) - R.LAM_ON_SOLUTION) == 0


def test_rf_derivations_are_the_theory():
    T = RF.THEORY
    d = rmtscale.derive("rf.kappa").result
    assert d.lhs - d.rhs == T.equations[0]
    Eg = rmtscale.derive("rf.test_error").result.rhs
    assert Eg == T.expand(T.observables["test_error"], keep=(RF.rho, RF.gamma1))
    assert rmtscale.derive("rf.train_error").result.rhs == T.observables["train_error"]
    terms = list(rmtscale.derive("rf.bias_variance").result)
    assert terms == [T.observables[k] for k in RF.TERM_KEYS]
    d = rmtscale.derive("rf.kappa_anisotropic").result
    assert sp.expand(d.lhs - d.rhs - RF.anisotropic_theory().equations[0]) == 0
    # lambda/kappa_1 = 1 - Df1/P on the solution
    lam = sp.solve(T.equations[0], RF.lam)[0]
    assert sp.simplify(lam / T.expand(RF.kappa1) - RF.LAM_OVER_KAPPA1) == 0


@pytest.mark.parametrize("L", [1, 3])
def test_deep_rf_derivation_is_the_theory(L):
    d = rmtscale.derive("deep_rf.kappa", L=L).result
    assert sp.expand(d.lhs - d.rhs - RF.deep_theory(L).equations[0]) == 0
    if L == 1:  # one layer: the deep theory is the shallow one
        N1 = sp.Symbol("N_1", positive=True)
        deep = RF.deep_theory(1).expr("test_error").subs(N1, RF.N)
        assert deep == RF.THEORY.expr("test_error")


# ------------------------------------------------------------------ (b) compiled = sympy


def _random_inputs(rng, names, n=50):
    return {k: rng.uniform(0.1, 0.9, n) * (100.0 if k in ("P", "kappa") else 1.0) for k in names}


@pytest.mark.parametrize("ridgeless", [False, True])
def test_compiled_ridge_observables_are_the_sympy_expressions(ridgeless):
    rng = np.random.default_rng(1)
    obs = NR.observables(ridgeless)
    x = _random_inputs(rng, obs.inputs)
    got = obs(**x)
    T = R.THEORY
    syms = {"kappa": R.kappa, "P": R.P, "noise": R.sigma2, "ridge": R.lam}
    args = [syms.get(k, sp.Symbol(k, real=True)) for k in obs.inputs]
    for name in obs.names:
        e = T.expr(name).xreplace({R.lam: R.LAM_ON_SOLUTION} if ridgeless else {})
        ref = sp.lambdify(args, T.plain(e))(*(x[k] for k in obs.inputs))
        np.testing.assert_allclose(got[name], ref, rtol=1e-13, err_msg=name)
    assert "def ridge" in obs.source or "def ridgeless" in obs.source


def test_compiled_rf_observables_are_the_sympy_expressions():
    rng = np.random.default_rng(2)
    obs = NRF._compiled("observables")
    x = _random_inputs(rng, obs.inputs)
    x["gamma1"] *= 0.5
    got = obs(**x)
    T = RF.THEORY
    inv_s = sp.Symbol("inv_s", positive=True)
    syms = {"kappa2": RF.kappa2, "P": RF.P, "noise": RF.sigma2, "rho": RF.rho,
            "gamma1": RF.gamma1, "gamma2": RF.gamma2, "inv_s": inv_s}  # fmt: skip
    args = [syms.get(k, sp.Symbol(k, real=True)) for k in obs.inputs]
    keep = (RF.rho, RF.gamma1, RF.gamma2, RF.kappa1)
    for name in obs.names:
        e = T.expr(name, keep).xreplace({RF.lam: inv_s * RF.kappa1})
        ref = sp.lambdify(args, T.plain(e))(*(x[k] for k in obs.inputs))
        np.testing.assert_allclose(got[name], ref, rtol=1e-12, err_msg=name)


# ------------------------------------------------------------------ (c) check functions

SOLVERS = ("ridge.kappa", "ridge.test_error", "ridge.train_error", "ridge.bias_variance",
           "ridge.gcv", "rf.test_error", "rf.train_error", "rf.bias_variance",
           "deep_rf.test_error")  # fmt: skip


def test_every_solver_names_its_derivation_and_a_check():
    for name in SOLVERS:
        e = registry.lookup(registry.SOLVERS, "solver", name)
        assert e.check is not None and e.derivation in registry.DERIVATIONS, name
        assert e.func.__name__ != "<lambda>"


@pytest.mark.parametrize(
    ("name", "seed"),
    [("ridge.test_error", 0), ("ridge.test_error", 1), ("rf.test_error", 2),
     ("rf.test_error", 4), ("rf.test_error", 11), ("deep_rf.test_error", 4)],
)  # fmt: skip
def test_check_functions_agree_with_solve(name, seed):
    e = registry.lookup(registry.SOLVERS, "solver", name)
    params, expected = e.check(np.random.default_rng(seed))
    got = rmtscale.solve(name, **params)
    assert set(expected) <= set(got)
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, rel=e.check_rtol, abs=1e-300), k


def test_check_fails_for_a_wrong_solver():
    # a perturbed solver output is caught at check_rtol
    e = registry.lookup(registry.SOLVERS, "solver", "ridge.test_error")
    params, expected = e.check(np.random.default_rng(3))
    got = rmtscale.solve("ridge.test_error", **params)
    assert got["test_error"] * (1 + 1e-8) != pytest.approx(expected["test_error"], rel=1e-9)


# ------------------------------------------------------------------ (d) physical branch


def test_evaluate_mp_rejects_the_unphysical_root():
    s = isotropic(40, 1.0)
    vals = {R.P: 20, R.lam: 0.1, R.sigma2: 0.0}
    # isotropic: kappa^2 + (1 - q - lambda) kappa - lambda = 0 has one negative root
    q, lam = 2.0, 0.1
    neg = (-(1 - q - lam) - np.sqrt((1 - q - lam) ** 2 + 4 * lam)) / 2
    with pytest.raises(ArithmeticError, match="branch"):
        R.THEORY.evaluate_mp(s.eigenvalues, s.target_power, vals, {R.kappa: neg})
    good = R.THEORY.evaluate_mp(s.eigenvalues, s.target_power, vals, {R.kappa: 1.0})
    assert float(good["kappa"]) == pytest.approx(R.derive_kappa().extras["isotropic"].subs(
        {R.q: q, R.lam: lam}), rel=1e-25)  # fmt: skip


# ------------------------------------------------------------------ (e) cheap model modules


def test_model_modules_import_neither_sympy_nor_numba():
    code = (
        "import sys; import rmtscale.models.ridge, rmtscale.models.rf, rmtscale.models.deep_rf;"
        "print(sorted(m for m in ('sympy', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
