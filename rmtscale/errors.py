"""Exceptions with messages a user can act on."""

from __future__ import annotations


class RmtscaleError(Exception):
    """Base class of every error rmtscale raises on purpose."""


class ParameterError(RmtscaleError, ValueError):
    """A parameter is missing, unknown, or has a value it must not have.

    The message always names the parameter and says what it must be, e.g.
    ``parameter 'q' must be > 0 (got -1.0)``.
    """

    def __init__(self, name: str, requirement: str, got: object = None):
        self.name = name
        self.requirement = requirement
        self.got = got
        msg = f"parameter '{name}' {requirement}"
        if got is not None:
            msg += f" (got {got!r})"
        super().__init__(msg)


class UnknownNameError(RmtscaleError, KeyError):
    """No derivation, solver or claim is registered under this name."""

    def __init__(self, kind: str, name: str, known: list[str]):
        self.kind = kind
        self.name = name
        self.known = known
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown {self.kind} '{self.name}'; known: {', '.join(self.known)}"


class BranchError(RmtscaleError, ArithmeticError):
    """A solver could not stay on the physical branch (Herglotz / positivity violated)."""


class BackendError(RmtscaleError, RuntimeError):
    """The requested simulation backend is unavailable or does not implement this claim."""


class RegistryError(RmtscaleError, ValueError):
    """A model registers a name twice, or a name outside its prefix (``mp`` registers ``mp.*``)."""


class ClaimCheckError(RmtscaleError, AssertionError):
    """A claim failed its contract (:func:`rmtscale.check_claim`); the message names the check."""
