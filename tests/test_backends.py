"""Simulation backends, seeded streams, random-matrix samplers and numba statistics."""

from __future__ import annotations

import numpy as np
import pytest

from rmtscale.errors import BackendError, ParameterError, RmtscaleError
from rmtscale.simulate import CpuBackend, CudaBackend, get_backend, rng_for
from rmtscale.simulate.eigen import (
    empirical_cdf,
    resolvent_trace,
    wigner_eigenvalues,
    wishart_eigenvalues,
    wishart_product_eigenvalues,
)

HAS_GPU = CudaBackend.available()


# ----------------------------------------------------------------------------- backends
def test_auto_is_cpu_for_a_cpu_only_claim():
    be = get_backend("auto")
    assert isinstance(be, CpuBackend)
    assert be.name == "cpu"
    assert get_backend("cpu", ("cpu", "cuda")).name == "cpu"


@pytest.mark.skipif(HAS_GPU, reason="a GPU is visible: auto may legitimately pick cuda")
def test_auto_is_cpu_here_even_when_cuda_is_supported():
    assert get_backend("auto", ("cpu", "cuda")).name == "cpu"


def test_auto_prefers_cuda_when_supported_and_available(monkeypatch):
    monkeypatch.setattr(CudaBackend, "available", classmethod(lambda cls: True))
    assert get_backend("auto", ("cpu", "cuda")).name == "cuda"
    assert get_backend("auto", ("cpu",)).name == "cpu"
    assert get_backend("cuda", ("cpu", "cuda")).name == "cuda"


def test_auto_with_nothing_available(monkeypatch):
    monkeypatch.setattr(CudaBackend, "available", classmethod(lambda cls: False))
    with pytest.raises(BackendError, match="no available backend"):
        get_backend("auto", ("cuda",))


def test_cuda_unsupported_by_claim_is_a_backend_error():
    with pytest.raises(BackendError, match="cuda") as ei:
        get_backend("cuda")  # the default claim support is cpu only
    assert isinstance(ei.value, RmtscaleError)
    assert "supports: cpu" in str(ei.value)


@pytest.mark.skipif(HAS_GPU, reason="a GPU is visible")
def test_cuda_unavailable_is_a_backend_error():
    with pytest.raises(BackendError, match="not available"):
        get_backend("cuda", ("cpu", "cuda"))


@pytest.mark.parametrize("bad", ["gpu", "CPU", "", "numpy"])
def test_bad_backend_name(bad):
    with pytest.raises(ParameterError, match="parameter 'backend' must be one of auto, cpu, cuda"):
        get_backend(bad)


def test_cudasim_env_counts_as_available(monkeypatch):
    monkeypatch.setenv("NUMBA_ENABLE_CUDASIM", "1")
    assert CudaBackend.available()


# ----------------------------------------------------------------------------- rng
def test_rng_streams_reproducible():
    a = rng_for(7, 1, 2).standard_normal(16)
    b = rng_for(7, 1, 2).standard_normal(16)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("other", [(8, 1, 2), (7, 2, 2), (7, 1, 3), (7, 2, 1), (7, 1)])
def test_rng_streams_differ_by_any_key(other):
    a = rng_for(7, 1, 2).standard_normal(16)
    b = rng_for(*other).standard_normal(16)
    assert not np.allclose(a, b)


def test_rng_streams_independent():
    # replicate streams of one case look like independent normals: near-zero correlation
    x = np.array([rng_for(0, 0, r).standard_normal(2000) for r in range(6)])
    c = np.corrcoef(x)
    off = c[~np.eye(6, dtype=bool)]
    assert np.max(np.abs(off)) < 0.1  # sd of a null correlation is 1/sqrt(2000) ~ 0.022
    # and a stream does not depend on how many draws other streams made
    rng_for(0, 0, 1).standard_normal(10_000)
    np.testing.assert_array_equal(rng_for(0, 0, 0).standard_normal(2000), x[0])


def test_rng_accepts_numpy_ints():
    np.testing.assert_array_equal(
        rng_for(np.int64(3), np.int32(1)).random(4), rng_for(3, 1).random(4)
    )


# ----------------------------------------------------------------------------- samplers
@pytest.mark.parametrize("D, P", [(40, 80), (40, 40), (60, 25)])
def test_wishart_eigenvalues_shape_order_and_zeros(D, P):
    e = wishart_eigenvalues(np.ones(D), P, rng_for(1, D, P))
    assert e.shape == (D,)
    assert np.all(np.diff(e) >= 0)  # ascending
    assert np.all(e >= -1e-10)
    nzero = int(np.sum(np.abs(e) < 1e-10))
    assert nzero == max(D - P, 0)
    # trace of Z^T Z / P is a sum of D*P squares / P: mean D, sd sqrt(2D)
    assert abs(e.sum() - D) < 6 * np.sqrt(2 * D)


def test_wishart_eigenvalues_match_direct_computation():
    D, P = 12, 30
    pop = np.linspace(0.5, 2.0, D)
    e = wishart_eigenvalues(pop, P, rng_for(5))
    Z = rng_for(5).standard_normal((P, D))
    X = Z * np.sqrt(pop)
    np.testing.assert_allclose(e, np.linalg.eigvalsh(X.T @ X / P), rtol=1e-10, atol=1e-12)


def test_wishart_eigenvalues_mean_follows_population():
    # E tr(Sigma_hat) = tr(Sigma)
    pop = np.array([4.0] * 10 + [0.25] * 30)
    tr = [wishart_eigenvalues(pop, 50, rng_for(2, r)).sum() for r in range(40)]
    assert abs(np.mean(tr) - pop.sum()) < 5 * np.std(tr) / np.sqrt(len(tr))


@pytest.mark.parametrize("bad", [np.array([1.0, -1.0]), np.array([1.0, np.nan]), np.ones((2, 2))])
def test_wishart_eigenvalues_rejects_bad_population(bad):
    with pytest.raises(ValueError, match="population"):
        wishart_eigenvalues(bad, 10, rng_for(0))


@pytest.mark.parametrize("D, P1, P2", [(30, 60, 120), (40, 20, 80), (40, 80, 25), (30, 15, 10)])
def test_wishart_product_rank_and_positivity(D, P1, P2):
    e = wishart_product_eigenvalues(D, P1, P2, rng_for(3, D, P1, P2))
    assert e.shape == (D,)
    assert np.all(np.diff(e) >= 0)
    r = min(D, P1, P2)
    assert int(np.sum(e == 0.0)) == D - r
    assert np.all(e[D - r :] > 1e-8)  # the nonzero part is strictly positive


def test_wishart_product_matches_definition():
    # same stream -> eigenvalues of W1^{1/2} W2 W1^{1/2} == eigenvalues of W1 W2
    D, P1, P2 = 10, 25, 40
    e = wishart_product_eigenvalues(D, P1, P2, rng_for(11))
    rng = rng_for(11)
    Z1 = rng.standard_normal((P1, D))
    Z2 = rng.standard_normal((P2, D))
    W1, W2 = Z1.T @ Z1 / P1, Z2.T @ Z2 / P2
    ref = np.sort(np.linalg.eigvals(W1 @ W2).real)
    np.testing.assert_allclose(e, ref, rtol=1e-8, atol=1e-10)


def test_wishart_product_trace_mean_is_D():
    # E tr(W1 W2) = tr(E W1 E W2) = tr(I) = D (independent, unit-mean Wisharts)
    D, P1, P2 = 30, 60, 120
    tr = np.array([wishart_product_eigenvalues(D, P1, P2, rng_for(4, r)).sum() for r in range(60)])
    m, se = tr.mean(), tr.std(ddof=1) / np.sqrt(tr.size)
    assert abs(m - D) < 5 * se
    assert se < 0.05 * D  # the check has teeth: a wrong normalization (e.g. 1/D) fails it


def test_wigner_symmetric_spectrum():
    D, s = 200, 2.0
    e = wigner_eigenvalues(D, s, rng_for(6))
    assert e.shape == (D,)
    assert np.all(np.diff(e) >= 0)
    # semicircle on [-2 sqrt s, 2 sqrt s], symmetric: mean ~ 0, second moment ~ s
    edge = 2 * np.sqrt(s)
    assert -1.15 * edge < e[0] < -0.85 * edge
    assert 0.85 * edge < e[-1] < 1.15 * edge
    assert abs(e.mean()) < 0.1
    assert abs(np.mean(e**2) - s) < 0.1 * s
    assert abs(np.median(e)) < 0.15
    assert abs(np.sum(e > 0) - np.sum(e < 0)) < 0.15 * D


def test_wigner_matrix_is_symmetric_by_construction():
    # same stream: eigvalsh of the explicit symmetric matrix equals eigvals (no imaginary part)
    D, s = 20, 1.0
    e = wigner_eigenvalues(D, s, rng_for(9))
    A = rng_for(9).standard_normal((D, D))
    H = (A + A.T) * np.sqrt(s / (2.0 * D))
    ev = np.linalg.eigvals(H)
    assert np.max(np.abs(ev.imag)) < 1e-10
    np.testing.assert_allclose(e, np.sort(ev.real), atol=1e-10)


# ----------------------------------------------------------------------------- statistics
def test_resolvent_trace_matches_numpy():
    rng = np.random.default_rng(0)
    eigs = rng.gamma(2.0, 1.0, 57)
    zs = np.array([0.5 + 0.2j, 1.0 + 1e-3j, -1.0 + 0.5j, 3.0 + 0j, 2.0 - 0.1j])
    ref = np.mean(1.0 / (zs[:, None] - eigs[None, :]), axis=1)
    out = resolvent_trace(eigs, zs)
    assert out.dtype == np.complex128
    np.testing.assert_allclose(out, ref, rtol=1e-12)
    # Herglotz sign for Im z > 0 (physics sign g ~ 1/z)
    assert np.all(out[zs.imag > 0].imag < 0)
    np.testing.assert_allclose(resolvent_trace(eigs, np.array([1e6 + 0j])), [1e-6], rtol=1e-4)


def test_resolvent_trace_matrix_identity():
    # (1/D) Tr (z - W)^{-1} computed from the matrix itself
    rng = rng_for(12)
    Z = rng.standard_normal((30, 20))
    W = Z.T @ Z / 30
    z = 1.3 + 0.4j
    ref = np.trace(np.linalg.inv(z * np.eye(20) - W)) / 20
    out = resolvent_trace(np.linalg.eigvalsh(W), np.array([z]))
    np.testing.assert_allclose(out[0], ref, rtol=1e-10)


def test_empirical_cdf_matches_numpy():
    rng = np.random.default_rng(1)
    eigs = np.sort(np.concatenate([np.zeros(5), rng.random(95)]))
    xs = np.array([-1.0, 0.0, 0.25, 0.5, 0.999, 2.0, eigs[50]])
    ref = np.array([np.mean(eigs <= x) for x in xs])
    out = empirical_cdf(eigs, xs)
    np.testing.assert_array_equal(out, ref)
    assert out[0] == 0.0 and out[1] == 0.05 and out[5] == 1.0
    assert out[-1] == 51 / 100  # ties count: F(x) = fraction <= x
