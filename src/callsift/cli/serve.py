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
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="A name browsers reach this server by (repeatable); loopback names and"
            " --host are always allowed, any other Host header is refused.",
        ),
    ] = None,
    self_verification: Annotated[
        bool,
        typer.Option(
            "--self-verification",
            help="Let whoever corrected a call's transcript also mark it verified or"
            " corroborated (one-person teams); the verification says so.",
        ),
    ] = False,
    session_hours: Annotated[
        float, typer.Option(min=0.1, max=24 * 30, help="A sign-in lasts this long at most.")
    ] = 12.0,
    idle_minutes: Annotated[
        float, typer.Option(min=1, help="A sign-in unused for this long ends.")
    ] = 60.0,
) -> None:
    """Serve the review web app: search, listen, read, annotate, verify, export.

    Sign-in cookies are Secure: browsers send them to http://127.0.0.1 and
    http://localhost, so the default works on this machine; to serve a team
    over the network, give --host 0.0.0.0 with --certfile and --keyfile, and
    --allow-host with the name the team types in the address bar.
    Create accounts first with `callsift users add`.

    Example: callsift serve --case ./case --users team.db
    """
    import uvicorn

    from callsift.web.app import LOOPBACK, WebSettings, create_app
    from callsift.web.serving import server_config

    if host not in ("127.0.0.1", "localhost", "::1") and certfile is None:
        err.print(
            "[yellow]Warning:[/yellow] serving beyond this machine without TLS: browsers will"
            " not keep the sign-in cookie. Give --certfile and --keyfile."
        )
    bound = f"[{host}]" if ":" in host else host
    hosts = tuple(h for h in (bound, *(allow_host or [])) if h not in ("0.0.0.0", "[::]"))
    if host in ("0.0.0.0", "::") and not allow_host:
        err.print(
            "[yellow]Warning:[/yellow] listening on every address, but only loopback names are"
            " allowed: give --allow-host with the name or address the team uses."
        )
    settings = WebSettings(
        tuple(case or [Path("case")]),
        users,
        watchlists,
        session_hours=session_hours,
        idle_minutes=idle_minutes,
        allowed_hosts=hosts,
        self_verification=self_verification,
    )
    try:
        web = create_app(settings)
    except CallsiftError as error:
        err.print(f"[red]Error:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error
    scheme = "https" if certfile else "http"
    name = next((h for h in (*hosts, *LOOPBACK) if h), "127.0.0.1")
    for served in web.state.cases.values():
        err.print(f"{escape(served.title)}: {scheme}://{name}:{port}/cases/{served.slug}/")
    uvicorn.Server(server_config(web, host, port, certfile=certfile, keyfile=keyfile)).run()
