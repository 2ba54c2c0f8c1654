"""The claim contract (:func:`rmtscale.check_claim`) over every registered claim, one test id
per claim (scikit-learn's ``parametrize_with_checks`` pattern), and on user claims."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

import rmtscale
from rmtscale.errors import ClaimCheckError, UnknownNameError
from rmtscale.params import Param, ParamSet
from rmtscale.validate.claims import Claim
from rmtscale.validate.contract import ClaimCheck

CHECKS = ["describe", "registry", "theory", "passes", "perturbed", "reproducible", "json"]


@pytest.mark.parametrize("name", rmtscale.claims())
def test_claim_contract(name):
    result = rmtscale.check_claim(name, raise_on_failure=False)
    assert [c.name for c in result.checks] == CHECKS
    result.raise_if_failed()


# ============================================================================ user claims
def _cases(p):
    return [{"mu": p["mu"], "n": n} for n in (40, 80)]


def _theory(case):
    return {"mean": case["mu"]}


def _simulate(case, rng, backend):
    return {"mean": float(rng.normal(case["mu"], 1.0, case["n"]).mean())}


def _shift(values, case, eps):
    return {k: v + 20 * eps for k, v in values.items()}


USER = Claim(
    name="user.mean",
    summary="sample mean of N(mu, 1) draws is mu",
    params=ParamSet((Param("mu", default=1.0, help="mean"),)),
    theory=_theory,
    simulate=_simulate,
    cases=_cases,
    perturb=_shift,
    default_seeds=40,
    derivation="mp.density",  # any registered derivation: the contract checks it exists
    check_seeds=20,
)


def test_user_claim_not_in_the_registry_passes():
    assert "user.mean" not in rmtscale.claims()
    result = rmtscale.check_claim(USER)
    assert isinstance(result, ClaimCheck) and result.passed
    assert [c.name for c in result.checks] == CHECKS
    d = result.to_dict()
    assert json.loads(json.dumps(d)) == d and d["passed"] is True
    assert "user.mean" not in rmtscale.claims()


def test_broken_theory_is_reported_by_name():
    broken = replace(USER, name="user.biased", theory=lambda case: {"mean": case["mu"] + 0.5})
    result = rmtscale.check_claim(broken, raise_on_failure=False)
    failed = {c.name for c in result.failed()}
    assert "passes" in failed and "describe" not in failed and "registry" not in failed
    with pytest.raises(ClaimCheckError, match=r"claim 'user\.biased' failed check 'passes'"):
        result.raise_if_failed()
    with pytest.raises(ClaimCheckError) as info:
        rmtscale.check_claim(broken)
    assert len(str(info.value).splitlines()) == 1


def test_a_perturbation_that_cannot_fail_is_reported():
    blind = replace(USER, name="user.blind", perturb=lambda values, case, eps: values)
    result = rmtscale.check_claim(blind, raise_on_failure=False)
    assert [c.name for c in result.failed()] == ["perturbed"]


def test_unregistered_derivation_and_unjsonable_describe_are_reported():
    class Odd(Claim):
        def describe(self):
            return {**super().describe(), "bad": np.float64("nan")}

    fields = {f: getattr(USER, f) for f in USER.__dataclass_fields__}
    odd = Odd(**{**fields, "name": "user.odd", "derivation": "nope.none", "solver": "nope.s"})
    result = rmtscale.check_claim(odd, raise_on_failure=False)
    by = {c.name: c for c in result.checks}
    assert not by["describe"].passed and "JSON" in by["describe"].detail
    assert not by["registry"].passed
    assert "nope.none" in by["registry"].detail and "nope.s" in by["registry"].detail
    assert by["passes"].passed and by["perturbed"].passed


def test_theory_that_raises_is_reported_and_validation_not_run():
    def boom(case):
        raise ArithmeticError("no branch here")

    result = rmtscale.check_claim(
        replace(USER, name="user.boom", theory=boom), raise_on_failure=False
    )
    by = {c.name: c for c in result.checks}
    assert not by["theory"].passed and "no branch here" in by["theory"].detail
    assert not by["passes"].passed and not by["reproducible"].passed
    assert "not run" in by["reproducible"].detail


def test_irreproducible_simulation_is_reported():
    state = np.random.default_rng(1)

    def leaky(case, rng, backend):  # ignores the seeded rng it is given
        return {"mean": float(state.normal(case["mu"], 1.0, case["n"]).mean())}

    result = rmtscale.check_claim(
        replace(USER, name="user.leaky", simulate=leaky), raise_on_failure=False
    )
    assert "reproducible" in {c.name for c in result.failed()}


def test_unknown_claim_name():
    with pytest.raises(UnknownNameError, match="unknown claim 'user.nothing'"):
        rmtscale.check_claim("user.nothing")
