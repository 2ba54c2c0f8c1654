"""Statistical validation (kind c): claims pass against simulation, perturbed theory fails,
reports are complete and reproducible, and the tolerance model has teeth.

Full validations cost seconds each, so every one runs once per module (fixtures) and the
assertions share it. ``mp.density`` and ``wishart_product.density`` run at their default
parameters (acceptance checks); other runs use smaller sizes where the point is the verdict.
"Passes at a small preset, fails perturbed (3%), reproducible" for every claim is the claim
contract, tests/test_check_claim.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import rmtscale
from rmtscale.errors import ParameterError, UnknownNameError
from rmtscale.params import Param, ParamSet
from rmtscale.simulate import get_backend
from rmtscale.validate.claims import CLAIMS, Claim, register
from rmtscale.validate.stats import Tolerance, bonferroni_z, extrapolate, mean_stderr

CASE_KEYS = {"params", "theory", "mean", "stderr", "z"}


def _auto_backend(name: str) -> str:
    """What ``backend="auto"`` resolves to for this claim ("cpu" on a machine without GPU)."""
    return get_backend("auto", rmtscale.get_claim(name).backends).name


# ============================================================================ real claims
@pytest.fixture(scope="module")
def mp_default():
    return rmtscale.validate("mp.density")


@pytest.fixture(scope="module")
def mp_perturbed():
    return rmtscale.validate("mp.density", perturb=0.03)


@pytest.fixture(scope="module")
def wp_default():
    return rmtscale.validate("wishart_product.density")


def test_mp_density_default_passes(mp_default):
    rep = mp_default
    assert rep.passed is True, rep.table()
    assert rep.failures() == []
    assert rep.backend == _auto_backend("mp.density")
    assert rep.seeds == rmtscale.get_claim("mp.density").default_seeds
    assert sorted({c.n for c in rep.cases}) == [200, 400, 800]  # D, 2D, 4D
    assert len(rep.trends) == len({c.observable for c in rep.cases})
    assert all(t.passed for t in rep.trends)


def test_mp_density_perturbed_fails(mp_perturbed):
    assert mp_perturbed.passed is False
    assert mp_perturbed.failures()
    assert mp_perturbed.perturb == 0.03


def test_perturbation_changes_theory_not_simulation(mp_default, mp_perturbed):
    # same seed -> the very same draws; only the theory column moves (the law is dilated)
    a, b = mp_default.to_dict()["cases"], mp_perturbed.to_dict()["cases"]
    assert [c["mean"] for c in a] == [c["mean"] for c in b]
    assert [c["stderr"] for c in a] == [c["stderr"] for c in b]
    ta, tb = np.array([c["theory"] for c in a]), np.array([c["theory"] for c in b])
    assert np.all(tb < ta)  # F(x / 1.03) < F(x) inside the support
    assert np.max(ta - tb) > 0.005


def test_wishart_product_default_passes(wp_default):
    assert wp_default.passed is True, wp_default.table()
    assert sorted({c.n for c in wp_default.cases}) == [200, 400, 800]


@pytest.fixture(scope="module")
def mps_default():
    return rmtscale.validate("mp.stieltjes")


def test_mp_stieltjes_passes(mps_default):
    assert mps_default.passed is True, mps_default.table()
    obs = {c.observable for c in mps_default.cases}
    assert {"Re g(0.5+0.2i)", "Im g(0.5+0.2i)"} <= obs
    # Herglotz: Im g < 0 above the axis, in theory and in simulation
    for c in mps_default.cases:
        if c.observable.startswith("Im"):
            assert c.theory < 0 and c.mean < 0


def test_mp_with_atom_at_zero_passes():
    rep = rmtscale.validate("mp.density", q=2)
    assert rep.passed is True, rep.table()
    assert rep.params["q"] == 2.0
    # the test points sit above the atom of mass 1 - 1/q = 0.5
    assert all(c.theory > 0.5 for c in rep.cases)


# ============================================================================ report
def test_to_dict_contract(mp_default):
    d = mp_default.to_dict()
    assert {"name", "backend", "passed", "cases"} <= set(d)
    assert d["name"] == "mp.density"
    assert d["backend"] == _auto_backend("mp.density")
    assert d["passed"] is True
    assert len(d["cases"]) == 3 * 7  # 3 sizes x 7 CDF points
    for c in d["cases"]:
        assert CASE_KEYS <= set(c)
        assert isinstance(c["params"], dict) and "n" in c["params"]
        assert all(isinstance(c[k], float) for k in ("theory", "mean", "stderr", "z"))
        assert 0.0 < c["theory"] < 1.0
        assert c["stderr"] > 0
        assert math.isclose(c["z"], (c["mean"] - c["theory"]) / c["stderr"], rel_tol=1e-9)
    # strict JSON (no NaN / inf tokens), and to_json round-trips
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert json.loads(mp_default.to_json())["cases"] == d["cases"]


def test_table_has_verdict(mp_default, mp_perturbed):
    t = mp_default.table()
    assert "verdict" in t
    assert "PASSED" in t
    assert str(mp_default) == t
    tp = mp_perturbed.table()
    assert "verdict: FAILED" in tp
    assert "PERTURBED" in tp


def test_plot_writes_png(mp_default, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    path = tmp_path / "mp.png"
    mp_default.plot(str(path))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5000


# ============================================================================ seeds
def _means(rep):
    return [c["mean"] for c in rep.to_dict()["cases"]]


def test_same_seed_reproduces_and_other_seed_differs():
    kw = dict(D=50, seeds=4)
    a = rmtscale.validate("mp.stieltjes", seed=3, **kw)
    b = rmtscale.validate("mp.stieltjes", seed=3, **kw)
    c = rmtscale.validate("mp.stieltjes", seed=4, **kw)
    assert _means(a) == _means(b)
    assert _means(a) != _means(c)
    assert a.seed == 3 and c.seed == 4


# ============================================================================ bad input
@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(q=-1), "q"),
        (dict(D="abc"), "D"),
        (dict(D=5), "D"),
        (dict(foo=1), "foo"),
        (dict(seeds=1), "seeds"),
        (dict(perturb=1.5), "perturb"),
        (dict(backend="gpu"), "backend"),
    ],
)
def test_bad_parameters_name_the_parameter(kw, name):
    with pytest.raises(ParameterError) as ei:
        rmtscale.validate("mp.density", **kw)
    assert ei.value.name == name
    assert f"'{name}'" in str(ei.value)


def test_unknown_claim():
    with pytest.raises(UnknownNameError, match="unknown claim 'nope'"):
        rmtscale.validate("nope")


def test_claims_listing():
    names = rmtscale.claims()
    assert {"mp.density", "mp.stieltjes", "wishart_product.density", "semicircle.density"} <= set(
        names
    )
    assert names == sorted(names)
    for n in names:
        desc = rmtscale.get_claim(n).describe()
        assert desc["name"] == n and desc["summary"]


# ============================================================================ statistics
@pytest.mark.parametrize("power", [1.0, 0.5, 2.0])
def test_extrapolate_recovers_intercept_and_slope(power):
    ns = np.array([100.0, 200.0, 400.0, 800.0])
    a, b = 0.03, -1.7
    d = a + b * ns ** (-power)
    ea, sea, eb = extrapolate(ns, d, np.full(4, 1e-3), power)
    assert ea == pytest.approx(a, abs=1e-10)
    assert eb == pytest.approx(b, rel=1e-8)
    assert 0 < sea < 1


def test_extrapolate_se_scales_and_weights_matter():
    ns = np.array([10.0, 20.0, 40.0])
    _, s1, _ = extrapolate(ns, np.zeros(3), np.full(3, 0.01), 1.0)
    _, s2, _ = extrapolate(ns, np.zeros(3), np.full(3, 0.02), 1.0)
    assert s2 == pytest.approx(2 * s1)
    # closed form for equal weights: var(a) = s^2 (1/k + xbar^2 / Sxx), x = 1/n
    x = 1 / ns
    ref = 0.01 * np.sqrt(1 / 3 + x.mean() ** 2 / np.sum((x - x.mean()) ** 2))
    assert s1 == pytest.approx(ref, rel=1e-10)
    # a precise point pulls the fit: noisy outlier at n=10 barely moves the intercept
    d = np.array([1.0, 0.0, 0.0])
    ea, _, _ = extrapolate(ns, d, np.array([100.0, 1e-3, 1e-3]), 1.0)
    assert abs(ea) < 1e-6


def test_extrapolate_single_size_and_degenerate_stderr():
    assert extrapolate(np.array([50.0]), np.array([0.2]), np.array([0.1]), 1.0) == (0.2, 0.1, 0.0)
    # replicates that are all identical give stderr 0 (or roundoff): the fit must stay finite
    ns = np.array([10.0, 20.0, 40.0])
    for se in ([0.0, 0.0, 0.0], [7.8e-17, 0.03, 7.8e-17], [0.0, 0.01, 0.02]):
        with np.errstate(all="raise"):
            a, sea, b = extrapolate(ns, np.array([1e-3, 2e-3, 1e-3]), np.array(se), 1.0)
        assert all(np.isfinite([a, sea, b]))
    a, sea, _ = extrapolate(ns, np.full(3, 0.5), np.zeros(3), 1.0)
    assert a == pytest.approx(0.5) and sea == 0.0


def test_bonferroni_z():
    assert bonferroni_z(0.05, 1) == pytest.approx(1.959964, abs=1e-5)
    zs = [bonferroni_z(1e-3, n) for n in (1, 2, 4, 8, 28, 100, 1000)]
    assert all(b > a for a, b in zip(zs, zs[1:]))  # more tests -> stricter critical value
    assert bonferroni_z(0.01, 10) > bonferroni_z(0.05, 10)
    assert bonferroni_z(0.05, 0) == bonferroni_z(0.05, 1)


def test_mean_stderr():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    m, se = mean_stderr(x)
    assert m == 3.5
    assert se == pytest.approx(np.std(x, ddof=1) / 2)
    with pytest.raises(ValueError):
        mean_stderr(np.array([1.0]))


# ============================================================================ toy claims
@pytest.fixture
def toy():
    """Register throw-away claims (theory 1.0; simulation 1 + bias(n) + noise) and remove
    them afterwards."""
    made: list[str] = []

    def make(bias, noise=0.01, name=None):
        name = name or f"test.toy{len(made)}"

        def cases(p):
            return [{"n": p["n0"] * f} for f in (1, 2, 4)]

        def theory(case):
            return {"value": 1.0}

        def simulate(case, rng, backend):
            return {"value": 1.0 + bias(case["n"]) + noise * rng.standard_normal()}

        register(
            Claim(
                name=name,
                summary="toy claim for tests",
                params=ParamSet((Param("n0", kind="int", default=10, ge=1),)),
                theory=theory,
                simulate=simulate,
                cases=cases,
                tolerance=Tolerance(
                    finite_size_coef=1.0, finite_size_power=1.0, systematic=0.0, alpha=1e-3
                ),
                scale=lambda o, th: 1.0,
                default_seeds=50,
            )
        )
        made.append(name)
        return name

    yield make
    for n in made:
        CLAIMS.pop(n, None)
    assert not [n for n in CLAIMS if n.startswith("test.")]


def test_toy_with_shrinking_bias_passes(toy):
    name = toy(lambda n: 0.5 / n)  # discrepancy 0.05, 0.025, 0.0125: within c/n, -> 0
    rep = rmtscale.validate(name)
    assert rep.passed is True, rep.table()
    assert name in rmtscale.claims()
    assert rep.z_crit == pytest.approx(bonferroni_z(1e-3, 4))  # 3 sizes + 1 trend
    (t,) = rep.trends
    assert t.sizes == [10, 20, 40]
    assert abs(t.intercept) < 0.01 and t.slope == pytest.approx(0.5, abs=0.2)
    assert t.shrinks


def test_toy_perturbed_fails(toy):
    name = toy(lambda n: 0.5 / n)
    for eps in (0.03, -0.03):
        rep = rmtscale.validate(name, perturb=eps)
        assert rep.passed is False, rep.table()
        assert rep.trends[0].intercept == pytest.approx(-eps, abs=0.01)


def test_toy_constant_offset_fails(toy):
    # the bias does not shrink with size: it must fail even though 0.05 < c/n at n = 10
    name = toy(lambda n: 0.05 + 0.5 / n)
    rep = rmtscale.validate(name)
    assert rep.passed is False
    assert rep.trends[0].intercept == pytest.approx(0.05, abs=0.01)
    assert not rep.trends[0].passed


def test_trend_catches_offset_inside_every_allowance(toy):
    # a constant 0.02 is inside every per-size allowance (0.1, 0.05, 0.025 + z*se), so only the
    # extrapolation to n -> infinity can catch it
    name = toy(lambda n: 0.02)
    rep = rmtscale.validate(name)
    assert all(c.passed for c in rep.cases), rep.table()
    assert rep.passed is False
    t = rep.trends[0]
    assert not t.passed
    assert abs(t.intercept) > rep.z_crit * t.intercept_se


def test_trend_catches_growing_bias(toy):
    name = toy(lambda n: 5e-4 * n)  # 0.005, 0.01, 0.02: inside each allowance, but growing
    rep = rmtscale.validate(name)
    assert all(c.passed for c in rep.cases), rep.table()
    assert rep.passed is False
    assert rep.trends[0].shrinks is False


def test_toy_per_size_tolerance(toy):
    # a bias of 2/n exceeds the stated allowance c/n = 1/n at every size
    name = toy(lambda n: 2.0 / n, noise=1e-3)
    rep = rmtscale.validate(name)
    assert rep.passed is False
    assert not any(c.passed for c in rep.cases)
    assert rep.failures()


def test_toy_keep_samples_and_seeds(toy):
    name = toy(lambda n: 0.0)
    rep = rmtscale.validate(name, seeds=7, keep_samples=True)
    assert rep.seeds == 7
    assert sorted(rep.samples["value"]) == [10, 20, 40]
    assert all(len(v) == 7 for v in rep.samples["value"].values())
    m, se = mean_stderr(np.array(rep.samples["value"][20]))
    c = next(c for c in rep.cases if c.n == 20)
    assert (c.mean, c.stderr) == pytest.approx((m, se))
