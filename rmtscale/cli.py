"""The ``rmtscale`` command: list, derive, solve, validate.

Parameters are ``key=value`` words after the name. With ``--json`` a command prints exactly
one JSON object on stdout; progress and logs go to stderr. Bad input exits with status 2 and
one line naming the parameter.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click
import numpy as np

from . import __version__
from .errors import RmtscaleError
from .params import parse_words
from .result import jsonable


def _fail(msg: str) -> None:
    click.echo(f"rmtscale: error: {msg}", err=True)
    sys.exit(2)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RmtscaleError as e:
            _fail(str(e))
        except (ValueError, ArithmeticError) as e:
            _fail(f"{type(e).__name__}: {e}")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rmtscale")
def main() -> None:
    """Random-matrix theory of neural scaling laws: derive, solve, validate."""


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def list_cmd(as_json: bool) -> None:
    """List claims (validatable), derivations and solvers with their parameters."""
    from .registry import CLAIMS, DERIVATIONS, SOLVERS, load

    load()
    data = {
        "claims": [c.describe() for _, c in sorted(CLAIMS.items())],
        "derivations": [e.describe() for _, e in sorted(DERIVATIONS.items())],
        "solvers": [e.describe() for _, e in sorted(SOLVERS.items())],
    }
    if as_json:
        click.echo(json.dumps(jsonable(data)))
        return
    for section in ("claims", "derivations", "solvers"):
        click.echo(f"{section}:")
        for item in data[section]:
            ps = " ".join(f"{p['name']}={p['default']}" for p in item["parameters"])
            click.echo(f"  {item['name']:<30} {item['summary']}")
            if ps:
                click.echo(f"  {'':<30}   params: {ps}")


@main.command()
@click.argument("name")
@click.argument("params", nargs=-1)
@click.option("--latex", is_flag=True, help="print the LaTeX align block")
@click.option("--document", is_flag=True, help="with --latex: a standalone LaTeX document")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def derive(name: str, params: tuple[str, ...], latex: bool, document: bool, as_json: bool) -> None:
    """Run a symbolic derivation; parameters left out stay symbolic."""
    from . import derive as _derive

    d = _derive(name, **parse_words(params))
    if as_json:
        click.echo(json.dumps(jsonable(d.to_dict())))
    elif latex:
        click.echo(d.latex(document=document))
    else:
        click.echo(str(d))


@main.command()
@click.argument("name")
@click.argument("params", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def solve(name: str, params: tuple[str, ...], as_json: bool) -> None:
    """Evaluate a compiled theory; a comma list (x=0.5,1,2) is a grid."""
    from . import solve as _solve

    values = _solve(name, **parse_words(params))
    resolved = values.params
    if as_json:
        out = {"name": name, "params": jsonable(resolved), "values": values.to_dict()}
        click.echo(json.dumps(out))
        return
    click.echo(f"{name}  " + " ".join(f"{k}={v}" for k, v in resolved.items() if v is not None))
    for k, v in values.items():
        if isinstance(v, np.ndarray) and v.size > 8:
            v = np.array2string(v, precision=6, threshold=8)
        click.echo(f"  {k:<14} {v}")


@main.command()
@click.argument("name")
@click.argument("params", nargs=-1)
@click.option(
    "--backend", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True
)
@click.option("--seeds", type=int, default=None, help="replicates per size (claim default)")
@click.option("--seed", type=int, default=0, show_default=True, help="root random seed")
@click.option(
    "--perturb",
    type=float,
    default=0.0,
    help="perturb the theory by this relative amount (to see the verdict fail)",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="save a plot of simulation vs theory to this file",
)
@click.option("--progress/--no-progress", default=None, help="progress bar on stderr")
def validate(
    name: str,
    params: tuple[str, ...],
    backend: str,
    seeds: int | None,
    seed: int,
    perturb: float,
    as_json: bool,
    plot_path: str | None,
    progress: bool | None,
) -> None:
    """Validate a claim against finite-size simulation; exit status 1 if it fails."""
    from . import validate as _validate

    rep = _validate(
        name,
        seeds=seeds,
        seed=seed,
        backend=backend,
        perturb=perturb,
        progress=progress,
        **parse_words(params),
    )
    if plot_path:
        rep.plot(plot_path)
        click.echo(f"plot written to {plot_path}", err=True)
    if as_json:
        click.echo(rep.to_json())
    else:
        click.echo(rep.table())
        for f in rep.failures():
            click.echo(f"  failed: {f}")
    sys.exit(0 if rep.passed else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
