"""Validation: claim registry, statistics, reports."""

from .claims import Claim, claim_names, get_claim, register
from .engine import run_validation
from .report import Report
from .stats import Tolerance

__all__ = ["Claim", "Report", "Tolerance", "claim_names", "get_claim", "register", "run_validation"]
