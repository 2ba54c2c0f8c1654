r"""Gaussian moments by Wick/Isserlis expansion: the fourth moment and the minibatch moment
used by the online-SGD derivation (:mod:`.sgd`), checked on explicit symbolic matrices.

:math:`\mathbb E[x_{i_1}\cdots x_{i_n}]` for :math:`x\sim N(0,\Sigma)` is the sum over perfect
pairings of products of covariances; hence :math:`\mathbb E[xx^\top Cxx^\top]=2\Sigma C\Sigma
+\mathrm{Tr}(\Sigma C)\Sigma` and, for the batch covariance :math:`\hat\Sigma_B`,
:math:`\mathbb E[\hat\Sigma_BC\hat\Sigma_B]=\Sigma C\Sigma+(\Sigma C\Sigma+\mathrm{Tr}(\Sigma C)
\Sigma)/B`.
"""

from __future__ import annotations

import itertools

import sympy as sp


def _wick(idx: list[int], cov: sp.Matrix) -> sp.Expr:
    """E[x_{i1} ... x_{in}] for x ~ N(0, cov): the sum over perfect pairings (Isserlis)."""
    if not idx:
        return sp.Integer(1)
    if len(idx) % 2:
        return sp.Integer(0)
    first, rest = idx[0], idx[1:]
    return sp.Add(
        *[cov[first, rest[i]] * _wick(rest[:i] + rest[i + 1 :], cov) for i in range(len(rest))]
    )


def _sym_matrix(name: str, n: int) -> sp.Matrix:
    return sp.Matrix(n, n, lambda a, b: sp.Symbol(f"{name}_{min(a, b)}{max(a, b)}"))


def check_isserlis_mgf(n: int = 2) -> bool:
    """Isserlis' fourth moments against derivatives of the Gaussian MGF exp(u'Σu/2)."""
    S = _sym_matrix("s", n)
    u = sp.symbols(f"u0:{n}")
    uv = sp.Matrix(u)
    mgf = sp.exp((uv.T * S * uv)[0, 0] / 2)
    zero = {ui: 0 for ui in u}
    for idx in itertools.combinations_with_replacement(range(n), 4):
        m = sp.diff(mgf, *[u[i] for i in idx]).subs(zero)
        if sp.expand(m - _wick(list(idx), S)) != 0:
            return False
    return True


def check_fourth_moment(n: int = 3) -> bool:
    """E[x x^T C x x^T] = 2 Σ C Σ + Tr(Σ C) Σ, entry by entry via Isserlis, for symmetric
    symbolic n x n Σ and C."""
    S = _sym_matrix("s", n)
    C = _sym_matrix("c", n)
    lhs = sp.Matrix(
        n,
        n,
        lambda a, d: sp.Add(
            *[C[b, c] * _wick([a, b, c, d], S) for b in range(n) for c in range(n)]
        ),
    )
    rhs = 2 * S * C * S + (S * C).trace() * S
    return (lhs - rhs).expand() == sp.zeros(n, n)


def check_minibatch_moment(n: int = 2, batch: int = 3) -> bool:
    """E[Σ̂_B C Σ̂_B] = ΣCΣ + (ΣCΣ + Tr(ΣC)Σ)/B for Σ̂_B = (1/B) Σ_i x_i x_iᵀ with B independent
    N(0, Σ) vectors: Wick expansion on the joint (block-diagonal) covariance, symbolic n x n
    Σ and C."""
    S = _sym_matrix("s", n)
    C = _sym_matrix("c", n)
    joint = sp.diag(*[S] * batch)  # x_i has coordinates i*n .. i*n + n - 1

    def entry(a: int, dd: int) -> sp.Expr:
        out = sp.Integer(0)
        for i in range(batch):
            for jj in range(batch):
                for b in range(n):
                    for c in range(n):
                        idx = [i * n + a, i * n + b, jj * n + c, jj * n + dd]
                        out += C[b, c] * _wick(idx, joint)
        return out / batch**2

    lhs = sp.Matrix(n, n, entry)
    rhs = S * C * S + (S * C * S + (S * C).trace() * S) / batch
    return (lhs - rhs).expand() == sp.zeros(n, n)
