"""The ``callsift`` command line: thin commands over the library.

Each command opens the case, calls one library function and prints the
result (a Rich table for people, ``--json`` for scripts), in the manner of
sqlite-utils.
"""

from __future__ import annotations

import typer

from callsift import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="callsift",
    help="Turn recorded phone calls into searchable, verified evidence, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"callsift {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """callsift: recorded calls to searchable transcripts, with every original preserved."""


from callsift.cli import (  # noqa: E402,F401  (commands register on import)
    analysis,
    bench,
    checks,
    export,
    graph,
    phones,
    pipeline,
    read,
    serve,
    users,
    verify,
    voices,
)


def main() -> None:
    app()
