"""`Derivation`: an inspectable, LaTeX-exportable chain of symbolic steps.

A derivation is an ordered list of :class:`Step` (a sympy equation plus one line of words),
the assumptions and conventions it rests on, and a final ``result`` (a sympy object).
``latex()`` renders an ``align`` block (or a standalone document), ``_repr_latex_`` renders
in Jupyter, ``str()`` gives a readable terminal view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp


@dataclass
class Step:
    """One step: an equation (or expression) and one line saying what was done."""

    eq: Any
    text: str

    def latex(self) -> str:
        return _latex_eq(self.eq)


def _latex_eq(eq: Any) -> str:
    if isinstance(eq, sp.Equality):
        return sp.latex(eq.lhs) + " &= " + sp.latex(eq.rhs)
    return "& " + sp.latex(eq)


_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def _escape_text(s: str) -> str:
    # one pass, so the braces of an inserted \textbackslash{} are not escaped again
    return "".join(_TEXT_ESCAPES.get(ch, ch) for ch in s)


def _text_with_math(s: str) -> str:
    """Escape text for LaTeX but keep ``$...$`` segments as math."""
    parts = s.split("$")
    out = []
    for i, p in enumerate(parts):
        out.append(("$" + p + "$") if i % 2 == 1 else _escape_text(p))
    return "".join(out)


@dataclass
class Derivation:
    """A symbolic derivation.

    Attributes
    ----------
    name: registry name, e.g. ``"mp.stieltjes"``.
    title: one line.
    steps: ordered :class:`Step` list.
    assumptions, conventions: short sentences (``$..$`` allowed for inline math).
    result: the final sympy object (an ``Eq`` or an expression).
    params: the numeric parameter values substituted, if any.
    """

    name: str
    title: str
    steps: list[Step] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    conventions: list[str] = field(default_factory=list)
    result: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def step(self, eq: Any, text: str) -> Any:
        """Append a step and return its equation (so derivations read top to bottom)."""
        self.steps.append(Step(eq, text))
        return eq

    # ------------------------------------------------------------------ output
    def latex(self, document: bool = False) -> str:
        """The steps as a LaTeX ``align`` block, each step tagged with its words.

        With ``document=True`` a complete standalone document (amsmath) with the title,
        conventions and assumptions as lists.
        """
        lines = []
        for i, s in enumerate(self.steps):
            tail = r" \\" if i < len(self.steps) - 1 else ""
            lines.append(rf"  {s.latex()} && \text{{{_escape_text(s.text)}}}{tail}")
        block = "\\begin{align}\n" + "\n".join(lines) + "\n\\end{align}"
        if not document:
            return block
        parts = [
            r"\documentclass{article}",
            r"\usepackage{amsmath,amssymb}",
            r"\usepackage[margin=2cm]{geometry}",
            r"\begin{document}",
            rf"\section*{{{_escape_text(self.title)}}}",
        ]
        if self.params:
            ps = ", ".join(f"${sp.latex(sp.Symbol(k))} = {v}$" for k, v in self.params.items())
            parts.append(r"\noindent Parameters: " + ps + r"\\")
        for head, items in (("Conventions", self.conventions), ("Assumptions", self.assumptions)):
            if items:
                parts.append(rf"\paragraph{{{head}.}}" + "\n\\begin{itemize}")
                parts += [r"  \item " + _text_with_math(it) for it in items]
                parts.append(r"\end{itemize}")
        parts.append(block)
        if self.result is not None:
            parts.append(r"\paragraph{Result.}" + "\n\\[" + sp.latex(self.result) + r"\]")
        parts.append(r"\end{document}")
        return "\n".join(parts) + "\n"

    def _repr_latex_(self) -> str:
        body = " \\\\\n".join(
            f"{s.latex()} && \\text{{{_escape_text(s.text)}}}" for s in self.steps
        )
        return "$$\\begin{aligned}\n" + body + "\n\\end{aligned}$$"

    def __str__(self) -> str:
        out = [self.title, "=" * len(self.title)]
        if self.conventions:
            out.append("Conventions:")
            out += [f"  - {c}" for c in self.conventions]
        if self.assumptions:
            out.append("Assumptions:")
            out += [f"  - {a}" for a in self.assumptions]
        for i, s in enumerate(self.steps, 1):
            out.append(f"[{i}] {s.text}")
            pretty = sp.pretty(s.eq, use_unicode=True)
            out += ["    " + ln for ln in pretty.splitlines()]
        if self.result is not None:
            out.append("Result:")
            out += ["    " + ln for ln in sp.pretty(self.result, use_unicode=True).splitlines()]
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"<Derivation {self.name!r}: {len(self.steps)} steps>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "params": {k: _jsonable(v) for k, v in self.params.items()},
            "conventions": self.conventions,
            "assumptions": self.assumptions,
            "steps": [
                {"text": s.text, "latex": s.latex(), "sympy": sp.srepr(s.eq)} for s in self.steps
            ],
            "result": str(self.result),
            "result_latex": sp.latex(self.result) if self.result is not None else None,
        }


def _jsonable(v: Any) -> Any:
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)
