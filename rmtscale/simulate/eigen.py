r"""Random-matrix samplers returning eigenvalues (CPU: numpy/LAPACK), and numba statistics.

Conventions (``docs/conventions.md`` §2): a Wishart matrix is :math:`\hat\Sigma=X^\top X/P` with
:math:`X=Z\Sigma^{1/2}`, :math:`Z\in\mathbb R^{P\times D}` standard Gaussian, so with
:math:`\Sigma=I` the spectrum follows Marchenko–Pastur with :math:`q=D/P`.
"""

from __future__ import annotations

import numba
import numpy as np


def wishart_eigenvalues(population: np.ndarray, P: int, rng: np.random.Generator) -> np.ndarray:
    r"""Eigenvalues (ascending) of :math:`\Sigma^{1/2}Z^\top Z\Sigma^{1/2}/P`, D = len(pop)."""
    pop = np.asarray(population, dtype=float)
    if pop.ndim != 1 or np.any(pop < 0) or not np.all(np.isfinite(pop)):
        raise ValueError("population spectrum must be a 1-D array of finite values >= 0")
    D = pop.size
    Z = rng.standard_normal((P, D))
    X = Z * np.sqrt(pop)
    if P >= D:
        return np.linalg.eigvalsh(X.T @ X / P)
    # D > P: D - P zero eigenvalues plus the spectrum of the P x P Gram matrix
    nz = np.linalg.eigvalsh(X @ X.T / P)
    return np.concatenate([np.zeros(D - P), nz])


def wishart_product_eigenvalues(D: int, P1: int, P2: int, rng: np.random.Generator) -> np.ndarray:
    r"""Eigenvalues of :math:`W_1^{1/2}W_2W_1^{1/2}`, :math:`W_i=Z_i^\top Z_i/P_i` (D×D).

    Computed in D-space as the spectrum of :math:`S^\top W_2 S` with
    :math:`S=V\operatorname{diag}(\sqrt{e})`, :math:`W_1=V\operatorname{diag}(e)V^\top`
    (orthogonally similar to :math:`W_1^{1/2}W_2W_1^{1/2}`; valid for singular :math:`W_1`)."""
    Z1 = rng.standard_normal((P1, D))
    Z2 = rng.standard_normal((P2, D))
    e, V = np.linalg.eigh(Z1.T @ Z1 / P1)
    S = V * np.sqrt(np.maximum(e, 0.0))
    W2 = Z2.T @ Z2 / P2
    eigs = np.linalg.eigvalsh(S.T @ W2 @ S)
    r = min(D, P1, P2)
    eigs[: D - r] = 0.0  # exact zeros of the rank-deficient product (roundoff otherwise)
    return np.sort(eigs)


def wigner_eigenvalues(D: int, variance: float, rng: np.random.Generator) -> np.ndarray:
    r"""GOE-type Wigner matrix :math:`H=\sqrt{s/D}\,(A+A^\top)/\sqrt2`: off-diagonal
    variance s/D, semicircle on :math:`[-2\sqrt s, 2\sqrt s]`."""
    A = rng.standard_normal((D, D))
    H = (A + A.T) * np.sqrt(variance / (2.0 * D))
    return np.linalg.eigvalsh(H)


@numba.njit(cache=True)
def resolvent_trace(eigs: np.ndarray, zs: np.ndarray) -> np.ndarray:
    r"""Normalized trace of the resolvent, :math:`\frac1D\sum_i (z-\lambda_i)^{-1}`, per z."""
    out = np.empty(zs.size, dtype=np.complex128)
    for j in range(zs.size):
        acc = 0j
        for i in range(eigs.size):
            acc += 1.0 / (zs[j] - eigs[i])
        out[j] = acc / eigs.size
    return out


@numba.njit(cache=True)
def empirical_cdf(sorted_eigs: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Fraction of eigenvalues <= x, for each x (eigenvalues sorted ascending)."""
    out = np.empty(xs.size)
    for j in range(xs.size):
        out[j] = np.searchsorted(sorted_eigs, xs[j], side="right") / sorted_eigs.size
    return out
