"""Narration helpers shared by the literate scripts in ``derivations/``.

A derivation script prints a narrative (sections, derivation steps, LaTeX blocks) and
asserts every number it reproduces. With ``--document`` its stdout carries only one
standalone LaTeX document and the narrative goes to stderr; :class:`Narrator` routes the
output accordingly.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

import numpy as np
import sympy as sp


class Narrator:
    """Where a script's narrative goes: stdout normally, stderr in ``--document`` mode."""

    def __init__(self, document: bool = False) -> None:
        self.document = bool(document)
        self.log: TextIO = sys.stderr if self.document else sys.stdout

    def say(self, *parts: object) -> None:
        print(*parts, file=self.log)

    def section(self, title: str) -> None:
        self.say(f"\n{'=' * 78}\n{title}\n{'=' * 78}")

    def show_latex(self, d: Any) -> None:
        """Print a derivation's LaTeX align block (in --document mode the whole document is
        printed once at the end instead)."""
        if not self.document:
            self.say(f"\n% LaTeX of {d.name!r} ({len(d.steps)} steps)")
            self.say(d.latex())

    def say_steps(self, d: Any, first: int = 1) -> None:
        """Print the steps of ``d`` from number ``first`` on (earlier ones were shown above)."""
        at = ", ".join(f"{k} = {v}" for k, v in getattr(d, "params", {}).items())
        if first > 1:
            self.say(f"{d.title}  (steps 1-{first - 1} as above" + (f", at {at})" if at else ")"))
        else:
            self.say(d.title + (f"  (at {at})" if at else ""))
        for i, s in enumerate(d.steps[first - 1 :], first):
            self.say(f"[{i}] {s.text}")
            self.say(
                "\n".join("    " + ln for ln in sp.pretty(s.eq, use_unicode=True).splitlines())
            )


def is_zero(expr: sp.Expr) -> bool:
    """True when sympy simplifies ``expr`` to 0."""
    return sp.simplify(sp.expand(expr)) == 0


def close(got: Any, want: Any, rtol: float, what: str) -> None:
    """Assert ``got`` ≈ ``want`` (relative tolerance), with a message naming the quantity."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert np.allclose(got, want, rtol=rtol, atol=0.0), f"{what}: {got} != {want}"
