r"""Closed forms for standard ensembles, as :class:`SpectralLaw` objects.

* :func:`identity` — point mass at c: :math:`g=1/(z-c)`, :math:`R=c`, :math:`S=1/c`.
* :func:`marchenko_pastur` — white Wishart :math:`W=Z^\top Z/P`, :math:`Z\in\mathbb R^{P\times D}`
  standard Gaussian, :math:`q=D/P`, unit mean: :math:`R=1/(1-qw)`, :math:`S=1/(1+qt)`,
  :math:`qzg^2-(z+q-1)g+1=0`.
* :func:`semicircle` — Wigner matrix with off-diagonal variance :math:`s/D`:
  :math:`R=sw`, :math:`sg^2-zg+1=0`, support :math:`[-2\sqrt s,2\sqrt s]` (no S-transform:
  mean zero).
* :func:`wishart_product` — :math:`W_1^{1/2}W_2W_1^{1/2}` for independent white Wisharts,
  :math:`S=\frac{1}{(1+q_1t)(1+q_2t)}`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .transforms import SpectralLaw, t, w

q = sp.Symbol("q", positive=True)
q1 = sp.Symbol("q_1", positive=True)
q2 = sp.Symbol("q_2", positive=True)
s = sp.Symbol("s", positive=True)
c = sp.Symbol("c", positive=True)


def _num(x: Any) -> Any:
    return sp.nsimplify(x) if isinstance(x, (int, float)) else sp.sympify(x)


def identity(scale: Any = 1) -> SpectralLaw:
    """Point mass at ``scale`` (the spectrum of ``scale * I``)."""
    cc = _num(scale)
    law = SpectralLaw.from_s_transform(
        "identity",
        1 / cc,
        support_bound=(cc, cc),
        positive=True,
        latex_name=r"\mathbb{1}",
        description="point mass (scaled identity)",
    )
    law._R = cc
    return law


def marchenko_pastur(ratio: Any = q) -> SpectralLaw:
    """White Wishart / Marchenko–Pastur law with aspect ratio ``q = D/P`` and unit mean."""
    qq = _num(ratio)
    law = SpectralLaw.from_s_transform(
        "marchenko_pastur",
        1 / (1 + qq * t),
        support_bound=(sp.Integer(0), (1 + sp.sqrt(qq)) ** 2),
        positive=True,
        latex_name=r"\mu_{\mathrm{MP}}",
        description="white Wishart W = Z^T Z / P, Z in R^{P x D} standard Gaussian, q = D/P",
    )
    law._R = 1 / (1 - qq * w)
    return law


def semicircle(variance: Any = s) -> SpectralLaw:
    """Wigner semicircle with variance ``s`` (support ``[-2 sqrt(s), 2 sqrt(s)]``)."""
    ss = _num(variance)
    return SpectralLaw.from_r_transform(
        "semicircle",
        ss * w,
        mean=sp.Integer(0),
        support_bound=(-2 * sp.sqrt(ss), 2 * sp.sqrt(ss)),
        latex_name=r"\mu_{\mathrm{SC}}",
        description="Wigner matrix, symmetric, off-diagonal entries of variance s/D",
    )


def wishart_product(ratio1: Any = q1, ratio2: Any = q2) -> SpectralLaw:
    """Free product of two white Wisharts with ratios ``q1 = D/P1`` and ``q2 = D/P2``."""
    law = marchenko_pastur(ratio1).times(marchenko_pastur(ratio2), name="wishart_product")
    law.latex_name = r"\mu_{\mathrm{MP}}\boxtimes\mu_{\mathrm{MP}}"
    law.description = "W1^{1/2} W2 W1^{1/2}, independent white Wisharts, q_i = D/P_i"
    return law
