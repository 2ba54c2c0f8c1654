"""The documentation inside the repository stays true to the code.

* README.md's claim table lists exactly the claims of ``rmtscale list --json``;
* docs/conventions.md exists, and every ``docs/...`` path (and every "docs/conventions.md §N"
  section) cited in rmtscale/, README.md or docs/ exists;
* no file in rmtscale/, README.md or docs/ cites material outside the repository;
* the repository paths and the ``rmtscale.…`` Python names that README.md mentions exist.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CONVENTIONS = ROOT / "docs" / "conventions.md"
OUTSIDE = ("../shared/", "shared/theory", "DESIGN.md")


def _package_files() -> list[Path]:
    return sorted(p for p in (ROOT / "rmtscale").rglob("*.py") if "__pycache__" not in p.parts)


def _doc_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def _section(text: str, heading: str) -> str:
    """The body of the level-2 section ``## heading`` of a markdown text."""
    m = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"README.md has no '## {heading}' section"
    return m.group(1)


def readme_claim_table() -> dict[str, str]:
    """``{claim: summary}`` from the table of README.md's "Claims" section."""
    body = _section(README.read_text(), "Claims")
    rows = re.findall(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$", body, re.M)
    names = [name for name, _ in rows]
    dups = sorted({n for n in names if names.count(n) > 1})
    assert not dups, f"claims listed twice in README.md: {dups}"
    return {name: summary.strip() for name, summary in rows}


@functools.cache
def rmtscale_list() -> dict:
    """The JSON printed by ``rmtscale list --json`` (in a fresh process)."""
    out = subprocess.run(
        [sys.executable, "-m", "rmtscale.cli", "list", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def listed_claims() -> set[str]:
    return {c["name"] for c in rmtscale_list()["claims"]}


def test_readme_claim_table_equals_rmtscale_list():
    table = readme_claim_table()
    claims = listed_claims()
    assert claims, "rmtscale list --json lists no claims"
    missing = sorted(claims - set(table))
    stale = sorted(set(table) - claims)
    assert not missing and not stale, (
        f"README.md claim table out of date: add {missing}, remove {stale}"
    )
    empty = sorted(name for name, summary in table.items() if not summary)
    assert not empty, f"claims without a summary in README.md: {empty}"


def test_table_parser_sees_a_changed_table(tmp_path, monkeypatch):
    """The parser is not vacuous: a row removed from the table is noticed."""
    text = README.read_text()
    table = readme_claim_table()
    first = next(iter(table))
    fake = tmp_path / "README.md"
    fake.write_text(re.sub(rf"^\|\s*`{re.escape(first)}`.*\n", "", text, flags=re.M))
    monkeypatch.setattr(sys.modules[__name__], "README", fake)
    assert set(readme_claim_table()) == set(table) - {first}


def test_conventions_doc_exists_and_covers_the_canonical_conventions():
    assert CONVENTIONS.is_file()
    text = CONVENTIONS.read_text()
    for needle in (
        "q=D/P",  # Wishart aspect ratio
        r"g(z)\sim\frac1z",  # physics-sign Stieltjes transform
        r"\frac{1+t}{t\,\zeta(t)}",  # Voiculescu's S
        "**not** scaled by $P$",  # ridge
        "**without** label noise",  # E_g
        r"\kappa=\lambda+\frac{\kappa}{P}\,\mathrm{df}_1(\kappa)",  # kappa equation
        r"\mathrm{tf}_1'(\kappa)",
        r"k^{-(\alpha\beta+1)}",  # power-law target
        "counts updates",  # time units
        "SeedSequence([seed, i, r])",  # random streams
        "Bonferroni",
    ):
        assert needle in text, f"docs/conventions.md lacks {needle!r}"


def _cited_docs(files: list[Path]) -> dict[str, list[str]]:
    cited: dict[str, list[str]] = {}
    for f in files:
        for path in re.findall(r"(?<![\w/.])(docs/[\w./-]*\w)", f.read_text()):
            cited.setdefault(path, []).append(str(f.relative_to(ROOT)))
    return cited


def test_cited_docs_paths_exist():
    cited = _cited_docs(_package_files() + _doc_files())
    assert "docs/conventions.md" in cited, "nothing cites docs/conventions.md"
    missing = {p: sorted(set(fs)) for p, fs in cited.items() if not (ROOT / p).exists()}
    assert not missing, f"cited docs/ paths that do not exist: {missing}"


def test_cited_conventions_sections_exist():
    sections = set(re.findall(r"^## (\d+)\. ", CONVENTIONS.read_text(), re.M))
    assert sections, "docs/conventions.md has no numbered sections"
    bad = []
    pattern = r"docs/conventions\.md[`)\]]*\s*§\s*(\d+)(?:\s*[–-]\s*(\d+))?"
    for f in _package_files() + _doc_files():
        for lo, hi in re.findall(pattern, f.read_text()):
            for n in range(int(lo), int(hi or lo) + 1):
                if str(n) not in sections:
                    bad.append(f"{f.relative_to(ROOT)}: §{n}")
    assert not bad, f"citations of missing sections of docs/conventions.md: {bad}"


def test_no_citations_outside_the_repository():
    offenders = {}
    for f in _package_files() + _doc_files():
        text = f.read_text()
        hits = [s for s in OUTSIDE if s in text]
        if hits:
            offenders[str(f.relative_to(ROOT))] = hits
    assert not offenders, f"files citing material outside the repository: {offenders}"


def test_readme_repository_paths_exist():
    text = README.read_text()
    roots = r"(?:rmtscale|derivations|examples|benchmarks|tests|docs|\.ci)"
    paths = set(re.findall(rf"(?<![\w/.]){roots}/[\w./-]*\w", text))
    assert paths
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"README.md mentions paths that do not exist: {missing}"


def test_readme_registry_names_exist():
    """Every ``prefix.name`` in README.md with a registered prefix is a registered name."""
    listing = rmtscale_list()
    names = {e["name"] for kind in ("claims", "derivations", "solvers") for e in listing[kind]}
    prefixes = "|".join(sorted({n.split(".")[0] for n in names}, key=len, reverse=True))
    found = set(re.findall(rf"(?<![\w./-])((?:{prefixes})\.\w+)(?![\w.])", README.read_text()))
    found = {n for n in found if n.rsplit(".", 1)[1] not in {"png", "py", "md", "json", "npz"}}
    assert found
    unknown = sorted(found - names)
    assert not unknown, f"README.md names unregistered derivations/solvers/claims: {unknown}"


def _resolve(dotted: str) -> bool:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def test_readme_python_names_exist():
    text = README.read_text()
    names = set(re.findall(r"`(rmtscale(?:\.[A-Za-z_]\w*)+)", text))
    assert names
    missing = sorted(n for n in names if not _resolve(n))
    assert not missing, f"README.md names Python objects that do not exist: {missing}"


def test_duplicate_rows_are_refused(tmp_path, monkeypatch):
    fake = tmp_path / "README.md"
    fake.write_text("## Claims\n\n| claim | what |\n|---|---|\n| `a.b` | one |\n| `a.b` | two |\n")
    monkeypatch.setattr(sys.modules[__name__], "README", fake)
    with pytest.raises(AssertionError, match="listed twice"):
        readme_claim_table()
