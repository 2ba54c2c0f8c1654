"""Validation: claims, statistics, the engine, reports and the claim contract.

Names are imported on first use (``rmtscale.validate.Report`` imports the report module), so
that a model module importing :mod:`rmtscale.validate.claims` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "Claim": "claims",
    "claim_names": "claims",
    "get_claim": "claims",
    "register": "claims",
    "run_validation": "engine",
    "Report": "report",
    "Tolerance": "stats",
    "check_claim": "contract",
    "ClaimCheck": "contract",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = list(_LAZY)
