"""``callsift serve``: the review web app for a team."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from callsift.cli import app
from callsift.cli.analysis import WatchlistOption
from callsift.cli.options import err
from callsift.cli.users import UsersOption
from callsift.errors import CallsiftError


@app.command()
def serve(
    case: Annotated[
        list[Path] | None,
        typer.Option(
            "--case",
            envvar="CALLSIFT_CASE",
            help="A case folder to serve (repeatable; else ./case).",
        ),
    ] = None,
    users: UsersOption = Path("callsift-users.db"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (needed to serve beyond this machine).")
    ] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS private key.")] = None,
    watchlists: WatchlistOption = None,
) -> None:
    """Serve the review web app: search, listen, read, annotate, verify, export.

    Sign-in cookies are Secure: browsers send them to http://127.0.0.1 and
    http://localhost, so the default works on this machine; to serve a team
    over the network, give --host 0.0.0.0 with --certfile and --keyfile.
    Create accounts first with `callsift users add`.

    Example: callsift serve --case ./case --users team.db
    """
    import uvicorn

    from callsift.web.app import WebSettings, create_app

    if host not in ("127.0.0.1", "localhost", "::1") and certfile is None:
        err.print(
            "[yellow]Warning:[/yellow] serving beyond this machine without TLS: browsers will"
            " not keep the sign-in cookie. Give --certfile and --keyfile."
        )
    settings = WebSettings(tuple(case or [Path("case")]), users, watchlists)
    try:
        web = create_app(settings)
    except CallsiftError as error:
        err.print(f"[red]Error:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error
    scheme = "https" if certfile else "http"
    for served in web.state.cases.values():
        err.print(f"{escape(served.title)}: {scheme}://{host}:{port}/cases/{served.slug}/")
    uvicorn.run(
        web,
        host=host,
        port=port,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        log_level="info",
    )
