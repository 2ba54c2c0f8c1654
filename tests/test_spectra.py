import numpy as np
import pytest

from rmtscale import ParameterError
from rmtscale.spectra import (
    SPECTRUM_PARAMS,
    draw_spectrum_params,
    from_arrays,
    isotropic,
    make_spectrum,
    power_law,
)


def test_isotropic_norm_and_variance():
    s = isotropic(400, signal=2.0)
    assert s.D == 400
    assert np.all(s.eigenvalues == 1.0)
    assert s.signal == pytest.approx(2.0)
    assert s.target_variance == pytest.approx(2.0)


def test_power_law_convention():
    s = power_law(1.5, 0.8, 1000)
    k = np.arange(1, 1001)
    assert np.allclose(s.eigenvalues, k**-1.5)
    # lambda_k * wbar_k^2 = k^(-alpha*beta - 1)
    assert np.allclose(s.eigenvalues * s.teacher_sq, k ** (-1.5 * 0.8 - 1))
    assert s.target_variance == pytest.approx(np.sum(k ** (-2.2)))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"alpha": 1.0, "beta": 0.5, "D": 10}, "alpha"),
        ({"alpha": 0.5, "beta": 0.5, "D": 10}, "alpha"),
        ({"alpha": float("nan"), "beta": 0.5, "D": 10}, "alpha"),
        ({"alpha": 2.0, "beta": -1.0, "D": 10}, "beta"),
        ({"alpha": 2.0, "beta": 0.5, "D": 0}, "D"),
        ({"alpha": 2.0, "beta": 0.5, "D": 2.5}, "D"),
    ],
)
def test_power_law_bad_input_names_parameter(kwargs, name):
    with pytest.raises(ParameterError) as e:
        power_law(**kwargs)
    assert e.value.name == name
    assert f"'{name}'" in str(e.value)


def test_from_arrays_checks():
    s = from_arrays([1.0, 0.5], [0.2, 0.1])
    assert s.teacher_sq == pytest.approx([0.2, 0.2])
    with pytest.raises(ParameterError, match="eigenvalues"):
        from_arrays([1.0, -0.5], [0.2, 0.1])
    with pytest.raises(ParameterError, match="eigenvalues"):
        from_arrays([1.0, np.inf], [0.2, 0.1])
    with pytest.raises(ParameterError, match="target_power"):
        from_arrays([1.0, 0.5], [0.2])
    with pytest.raises(ParameterError, match="signal"):
        isotropic(10, signal=-1)


def test_spectrum_parameters_live_here():
    assert [p.name for p in SPECTRUM_PARAMS] == ["spectrum", "D", "signal", "alpha", "beta"]
    p = {"spectrum": "power_law", "D": 50, "signal": 1.0, "alpha": 2.0, "beta": 0.5}
    s = make_spectrum(p)
    assert s.name == "power_law" and np.allclose(s.eigenvalues, np.arange(1, 51) ** -2.0)
    s = make_spectrum({**p, "spectrum": "isotropic", "signal": 3.0})
    assert s.signal == pytest.approx(3.0) and s.D == 50


def test_drawn_spectrum_parameters_are_legal():
    from rmtscale.params import ParamSet

    ps = ParamSet(SPECTRUM_PARAMS)
    for seed in range(20):
        p = draw_spectrum_params(np.random.default_rng(seed), D_max=30)
        full = ps.resolve(p)  # every value passes its declared bounds
        assert 8 <= full["D"] <= 30
        assert make_spectrum({**{q.name: q.default for q in SPECTRUM_PARAMS}, **p}).D == p["D"]
