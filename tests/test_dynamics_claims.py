"""Learning-curve claims (sgd/gd/rf_gd.learning_curve): solve outputs, validation against the
training kernels (kind (c)), and failure when the theory's learning rate is off by 5 %."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import rmtscale
from rmtscale.cli import main
from rmtscale.errors import BackendError, ParameterError
from rmtscale.validate.curves import check_times, log_times

NAMES = ("sgd.learning_curve", "gd.learning_curve", "rf_gd.learning_curve")


def test_claims_registered_with_cuda_backend():
    from rmtscale.validate.claims import get_claim

    for name in NAMES:
        assert name in rmtscale.claims()
        assert get_claim(name).backends == ("cpu", "cuda")


def test_time_grids():
    t = log_times(1000, 40)
    assert t[0] == 0 and t[-1] == 1000 and np.all(np.diff(t) > 0)
    c = check_times(300, 6)
    assert c.size == 6 and c[-1] == 300 and c[0] >= 1


@pytest.mark.parametrize("name", NAMES)
def test_solve_returns_curves(name):
    v = rmtscale.solve(name, steps=200, points=10)
    t, loss = np.asarray(v["t"]), np.asarray(v["loss"])
    assert t[0] == 0 and t[-1] == 200 and t.shape == loss.shape
    # E_g(0) is the target variance sum_k lambda_k wbar_k^2 (w_0 = 0), whatever the model
    s = rmtscale.spectra.power_law(1.5, 0.8, 256)
    assert loss[0] == pytest.approx(s.target_variance, rel=1e-10)
    assert np.all(np.isfinite(loss)) and loss[-1] < 0.2 * loss[0]
    assert np.isfinite(v["loss_inf"])
    if name == "gd.learning_curve":
        tr = np.asarray(v["train_loss"])
        assert tr[0] == pytest.approx(s.target_variance + 0.1, rel=1e-10)  # noise included
        assert np.all(tr[1:] < tr[:-1])  # full-batch GD decreases the training loss


def test_sgd_noiseless_curve_decreases_to_zero():
    v = rmtscale.solve("sgd.learning_curve", noise=0.0, steps=3000, points=12)
    loss = np.asarray(v["loss"])
    assert np.all(np.diff(loss) < 0) and v["loss_inf"] == 0.0


def test_bad_learning_rates_are_named():
    with pytest.raises(ParameterError, match="lr"):
        rmtscale.solve("sgd.learning_curve", lr=-0.1)
    with pytest.raises(ParameterError, match="lr"):
        rmtscale.solve("sgd.learning_curve", lr=5.0)  # unstable recursion
    with pytest.raises(ParameterError, match="lr"):
        rmtscale.solve("gd.learning_curve", lr=5.0)  # outside the discrete-time map
    with pytest.raises(ParameterError, match="steps"):
        rmtscale.solve("gd.learning_curve", steps=0)


def test_cuda_backend_unavailable_is_a_clear_error(monkeypatch):
    from rmtscale.simulate.backends import CudaBackend

    monkeypatch.setattr(CudaBackend, "available", classmethod(lambda cls: False))
    with pytest.raises(BackendError, match="not available"):
        rmtscale.validate("rf_gd.learning_curve", backend="cuda", seeds=4)


def test_sgd_acceptance_command_passes_cpu_json():
    res = CliRunner().invoke(main, ["validate", "sgd.learning_curve", "--backend", "cpu", "--json"])
    assert res.exit_code == 0, res.stderr
    rep = json.loads(res.stdout)
    assert rep["passed"] is True and rep["backend"] == "cpu"
    assert len(rep["cases"]) == 18  # 3 sizes x 6 times


def test_gd_claim_with_more_data_than_dimensions():
    rep = rmtscale.validate("gd.learning_curve", D=40, P=80, lr=0.1, seeds=100)
    assert rep.passed
