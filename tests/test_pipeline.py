"""Every solver against its derivation: the derivation's result, evaluated at random legal
points with mpmath (the solver entry's ``check``, e.g. through ``sympy.lambdify(...,
modules="mpmath")``), must equal ``rmtscale.solve`` at the entry's ``check_rtol`` (the pattern
of scipy.special's mpmath tests)."""

from __future__ import annotations

import numpy as np
import pytest

import rmtscale
from rmtscale import registry

EXEMPT: dict[str, str] = {
    # solver name: one-line reason (empty: every solver names its derivation and a check)
}
SEEDS = (0, 1, 2)


def _solvers() -> list[str]:
    return rmtscale.solvers()


@pytest.mark.parametrize("name", _solvers())
def test_solver_names_its_derivation_and_check(name):
    entry = registry.SOLVERS[name]
    if name in EXEMPT:
        pytest.skip(f"exempt: {EXEMPT[name]}")
    assert entry.derivation is not None, f"{name}: solver(..., derivation=...) missing"
    assert entry.derivation in registry.DERIVATIONS, f"{name}: unknown {entry.derivation!r}"
    assert callable(entry.check), f"{name}: solver(..., check=...) missing"
    assert 0 < entry.check_rtol <= 1e-6


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", [n for n in _solvers() if n not in EXEMPT])
def test_solver_matches_its_derivation(name, seed):
    entry = registry.SOLVERS[name]
    params, expected = entry.check(np.random.default_rng(seed))
    assert expected, f"{name}: the check compares nothing"
    got = rmtscale.solve(name, **params)
    for key, want in expected.items():
        want = np.asarray(want, dtype=float)
        have = np.asarray(got[key], dtype=float)
        assert have.shape == want.shape, (key, have.shape, want.shape)
        assert np.all(np.isfinite(want)), (key, want)
        np.testing.assert_allclose(
            have, want, rtol=entry.check_rtol, atol=0, err_msg=f"{name}[{key}] at {params}"
        )


def test_exempt_lists_only_registered_solvers():
    assert set(EXEMPT) <= set(_solvers())


def test_a_wrong_solver_fails_the_comparison(monkeypatch):
    """The harness can fail: a solver off by 1e-6 relative is caught."""
    entry = registry.SOLVERS["mp.stieltjes"]
    params, expected = entry.check(np.random.default_rng(0))
    got = rmtscale.solve("mp.stieltjes", **params)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(
            got["g_re"] * (1 + 1e-6), expected["g_re"], rtol=entry.check_rtol
        )
