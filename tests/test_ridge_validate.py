"""Ridge claims against finite-size simulation (kind (c)): pass, and fail when perturbed."""

import pytest

import rmtscale

ACCEPT = dict(spectrum="power_law", alpha=1.5, beta=0.8, D=400, P=300, ridge=0.05, noise=0.1)


@pytest.fixture(scope="module")
def accept_report():
    return rmtscale.validate("ridge.test_error", **ACCEPT)


def test_acceptance_power_law_passes(accept_report):
    assert accept_report.passed, accept_report.table()
    d = accept_report.to_dict()
    assert d["name"] == "ridge.test_error" and d["backend"] == "cpu"
    assert [c["params"]["D"] for c in d["cases"]] == [400, 800, 1600]


@pytest.mark.parametrize(
    "kw",
    [
        dict(spectrum="isotropic", D=100, P=200, ridge=0.1, noise=0.25),  # under-parameterized
        dict(spectrum="isotropic", D=200, P=100, ridge=0.1, noise=0.0),  # over, noiseless
        dict(spectrum="power_law", alpha=2.0, beta=1.0, D=200, P=100, ridge=1e-3, noise=0.0),
        dict(spectrum="power_law", alpha=1.5, beta=0.8, D=100, P=200, ridge=0.05, noise=0.2),
    ],
)
@pytest.mark.parametrize("claim", ["ridge.test_error", "ridge.train_error", "ridge.gcv"])
def test_ridge_claims_pass_across_regimes(claim, kw):
    rep = rmtscale.validate(claim, seeds=24, **kw)
    assert rep.passed, rep.table()


def test_gcv_observables():
    rep = rmtscale.validate(
        "ridge.gcv", spectrum="isotropic", D=100, P=200, ridge=0.1, noise=0.25, seeds=10
    )
    assert {c.observable for c in rep.cases} == {"gcv", "test_error_noisy"}
    # both observables are compared with the same theory value E_g + sigma^2
    for n in {c.n for c in rep.cases}:
        th = {c.observable: c.theory for c in rep.cases if c.n == n}
        assert th["gcv"] == th["test_error_noisy"]
