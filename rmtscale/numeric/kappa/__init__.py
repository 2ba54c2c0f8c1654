"""The one κ / fixed-point core: real κ (edges, log-space safeguarded Newton, continuation
along grid lines, diagnostics) in :mod:`.real`; complex κ along the learning curves' contour
paths in :mod:`.complex`."""

from .complex import KappaPath, kappa_at, kappa_path, support_edges
from .real import (
    MAXIT,
    FeatureSpectrum,
    KappaSolution,
    continuation_lines,
    feature_layout,
    prepare_sums,
    solve_kappa,
    sums_at,
)

__all__ = [
    "MAXIT",
    "FeatureSpectrum",
    "KappaPath",
    "KappaSolution",
    "continuation_lines",
    "feature_layout",
    "kappa_at",
    "kappa_path",
    "prepare_sums",
    "solve_kappa",
    "sums_at",
    "support_edges",
]
