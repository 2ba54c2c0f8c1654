"""The deterministic verdict (rmtscale.validate.deterministic) on synthetic slope claims:
|mean slope over the fit windows - exponent| <= tolerance, and the drift of the slope across
the windows bounded as its own check; the report keeps the CLI JSON contract."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rmtscale.errors import ParameterError
from rmtscale.params import Param, ParamSet
from rmtscale.validate.deterministic import (
    DeterministicClaim,
    log_grid,
    run_deterministic,
    window_offsets,
    window_slopes,
)

CALLS: list[dict] = []


def _curve_claim(name: str, curve, exponent: float, **kw) -> DeterministicClaim:
    def cases(p):
        return [dict(p, n=1000)]

    def theory(case):  # noqa: ARG001
        return {"exponent": exponent}

    def measure(case):
        CALLS.append(case)
        x = log_grid(1.0, 3.0, case["jitter"], 12)
        off = window_offsets(case["windows"], case["jitter"])
        return {"exponent": -window_slopes(x, curve(x), 1.0, 3.0, off)}

    def perturb(values, case, eps):  # noqa: ARG001
        return {k: v + eps for k, v in values.items()}

    return DeterministicClaim(
        name=name,
        summary="synthetic",
        params=ParamSet(
            (
                Param("jitter", default=1.0, ge=0, le=2, help="window spread"),
                Param("windows", kind="int", default=6, ge=2, help="windows"),
            )
        ),
        theory=theory,
        simulate=None,
        cases=cases,
        perturb=perturb,
        measure=measure,
        **kw,
    )


def test_pure_power_law_passes_and_a_wrong_exponent_fails() -> None:
    claim = _curve_claim("toy.pure", lambda x: 2.0 * x**-1.5, 1.5)
    assert claim.kind == "deterministic"
    rep = run_deterministic(claim, {}, progress=False)
    assert rep.passed, rep.table()
    (c,) = rep.cases
    assert c.mean == pytest.approx(1.5, abs=1e-9) and len(c.values) == 6
    assert rep.drifts[0].drift < 1e-9
    CALLS.clear()
    for eps in (0.05, -0.05, 0.021):
        bad = run_deterministic(claim, {}, perturb=eps, progress=False)
        assert not bad.passed and "exponent" in bad.failures()[0]
        assert bad.cases[0].deviation == pytest.approx(-eps, abs=1e-9)
    assert CALLS == []  # cached: a perturbed run does not measure again
    assert run_deterministic(claim, {}, perturb=0.019, progress=False).passed
    with pytest.raises(ParameterError):
        run_deterministic(claim, {}, perturb=float("nan"))


def test_a_drifting_slope_fails_its_own_check() -> None:
    """x^-1 + 30 x^-2: the local slope moves from ~2 to ~1 over the windows, so the mean may
    sit near 1.5 but the drift check fails (the window range is not asymptotic)."""
    claim = _curve_claim("toy.bent", lambda x: x**-1.0 + 30.0 * x**-2.0, 1.5, value_tolerance=1.0)
    rep = run_deterministic(claim, {}, progress=False)
    assert all(c.passed for c in rep.cases)  # the value check alone passes (tolerance 1)
    (d,) = rep.drifts
    assert d.drift > 0.04 and not d.passed and not rep.passed
    assert any("drift" in f for f in rep.failures())
    loose = _curve_claim(
        "toy.bent_loose", lambda x: x**-1.0 + 30.0 * x**-2.0, 1.5, value_tolerance=1.0,
        drift_tolerance=d.drift + 1e-9,
    )  # fmt: skip
    assert run_deterministic(loose, {}, progress=False).passed


def test_report_keeps_the_cli_json_contract_and_round_trips() -> None:
    claim = _curve_claim(
        "toy.two", lambda x: x**-1.0, 1.0, value_tolerance={"exponent": 0.01}, drift_tolerance=0.1
    )
    rep = run_deterministic(claim, {"windows": 3}, progress=False)
    d = rep.to_dict()
    assert {"name", "backend", "passed", "cases"} <= set(d) and d["kind"] == "deterministic"
    (case,) = d["cases"]
    assert {"params", "theory", "mean", "stderr", "z", "deviation", "tolerance"} <= set(case)
    assert case["stderr"] is None and case["z"] is None and case["tolerance"] == 0.01
    assert case["params"]["windows"] == 3 and len(case["values"]) == 3
    assert json.loads(rep.to_json()) == d
    assert "PASSED" in rep.table() and "exponent" in rep.table()
    desc = claim.describe()
    assert desc["kind"] == "deterministic" and desc["tolerance"]["drift_tolerance"] == 0.1
    json.dumps(desc)


def test_plot_writes_a_file(tmp_path) -> None:
    claim = _curve_claim("toy.plot", lambda x: x**-1.0, 1.0)
    path = tmp_path / "slope.png"
    run_deterministic(claim, {}, progress=False).plot(str(path))
    assert path.stat().st_size > 0


def test_measure_is_required_and_bad_parameters_are_named() -> None:
    with pytest.raises(TypeError):
        DeterministicClaim(
            name="toy.none", summary="", params=ParamSet(()), theory=dict, simulate=None,
            cases=list,
        )  # fmt: skip
    claim = _curve_claim("toy.params", lambda x: x**-1.0, 1.0)
    with pytest.raises(ParameterError) as e:
        run_deterministic(claim, {"windows": 1})
    assert e.value.name == "windows"
    assert np.all(window_offsets(1, 0.5) == 0)
