"""``callsift users``: accounts and case memberships of the review web app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from callsift.cli import app
from callsift.cli.options import JsonOption, err, open_case, out, print_json
from callsift.errors import CallsiftError
from callsift.store.team import Account, TeamStore

users_app = typer.Typer(
    help="Accounts of the review web app: create, give cases, disable.", no_args_is_help=True
)
app.add_typer(users_app, name="users")

UsersOption = Annotated[
    Path,
    typer.Option(
        "--users",
        envvar="CALLSIFT_USERS",
        help="The team file of accounts (else $CALLSIFT_USERS, else ./callsift-users.db).",
    ),
]
NameArgument = Annotated[str, typer.Argument(help="User name.")]
CasesOption = Annotated[
    list[Path] | None, typer.Option("--case", help="A case folder to make the user a member of.")
]
_DEFAULT = Path("callsift-users.db")


def _fail(error: CallsiftError) -> typer.Exit:
    err.print(f"[red]Error:[/red] {escape(str(error))}")
    return typer.Exit(1)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _grant(team: TeamStore, name: str, cases: list[Path]) -> None:
    for folder in cases:
        with open_case(folder) as store:
            team.grant(name, store.uuid, str(folder.resolve()))
        err.print(f"{escape(name)} is a member of {escape(str(folder))}")


@users_app.command("add")
def add(
    name: NameArgument,
    role: Annotated[str, typer.Option(help="admin, reviewer, analyst or viewer.")],
    case: CasesOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    users: UsersOption = _DEFAULT,
) -> None:
    """Create an account (password from a prompt, or --password-stdin).

    viewer: read, search, listen. analyst: also annotate, correct, export.
    reviewer: also set verification statuses. admin: everything, and accounts.

    Example: callsift users add ana --role reviewer --case ./case
    """
    from callsift.web.accounts import add_account

    password = _password(password_stdin)
    with TeamStore(users) as team:
        try:
            add_account(team, name, role, password)
        except CallsiftError as error:
            raise _fail(error) from error
        err.print(f"created {escape(name)} ({role}) in {escape(str(users))}")
        _grant(team, name, case or [])


@users_app.command()
def grant(name: NameArgument, case: CasesOption = None, users: UsersOption = _DEFAULT) -> None:
    """Make a user a member of cases.

    Example: callsift users grant ana --case ./case --case ../other-case
    """
    with TeamStore(users) as team:
        if team.account(name) is None:
            err.print(f"[red]Error:[/red] no user {escape(name)}")
            raise typer.Exit(1)
        _grant(team, name, case or [])


@users_app.command()
def revoke(name: NameArgument, case: CasesOption = None, users: UsersOption = _DEFAULT) -> None:
    """End a user's membership of cases.

    Example: callsift users revoke ana --case ./case
    """
    with TeamStore(users) as team:
        for folder in case or []:
            with open_case(folder) as store:
                removed = team.revoke(name, store.uuid)
            err.print(
                f"{escape(name)}: {'removed from' if removed else 'not a member of'} {folder}"
            )


def _set_disabled(name: str, disabled: bool, users: Path) -> None:
    with TeamStore(users) as team:
        if not team.update_account(name, disabled=disabled):
            err.print(f"[red]Error:[/red] no user {escape(name)}")
            raise typer.Exit(1)
    err.print(f"{escape(name)} {'disabled: every session ended' if disabled else 'enabled'}")


@users_app.command()
def disable(name: NameArgument, users: UsersOption = _DEFAULT) -> None:
    """Disable an account; its sessions end at once.

    Example: callsift users disable ben
    """
    _set_disabled(name, True, users)


@users_app.command()
def enable(name: NameArgument, users: UsersOption = _DEFAULT) -> None:
    """Enable a disabled account again.

    Example: callsift users enable ben
    """
    _set_disabled(name, False, users)


@users_app.command("sign-out")
def sign_out(name: NameArgument, users: UsersOption = _DEFAULT) -> None:
    """End every session of an account (a lost laptop); it may sign in again.

    Example: callsift users sign-out ben
    """
    with TeamStore(users) as team:
        if team.account(name) is None:
            err.print(f"[red]Error:[/red] no user {escape(name)}")
            raise typer.Exit(1)
        ended = team.end_sessions(name)
    err.print(f"{escape(name)}: {ended} session{'' if ended == 1 else 's'} ended")


@users_app.command()
def passwd(
    name: NameArgument,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    users: UsersOption = _DEFAULT,
) -> None:
    """Set a new password; the account's sessions end.

    Example: callsift users passwd ana
    """
    from callsift.web.accounts import set_password

    password = _password(password_stdin)
    with TeamStore(users) as team:
        try:
            set_password(team, name, password)
        except CallsiftError as error:
            raise _fail(error) from error
    err.print(f"new password for {escape(name)}")


@users_app.command("list")
def list_(users: UsersOption = _DEFAULT, as_json: JsonOption = False) -> None:
    """Every account with its role, state and cases.

    Example: callsift users list --json
    """
    with TeamStore(users) as team:
        accounts = team.accounts()
        paths = team.case_paths()

    def cases_of(account: Account) -> list[str]:
        return sorted(paths.get(uuid, uuid) for uuid in account.cases)

    if as_json:
        print_json(
            [
                {"name": a.name, "role": a.role, "disabled": a.disabled, "cases": cases_of(a)}
                for a in accounts
            ]
        )
        return
    table = Table("name", "role", "state", "cases")
    for account in accounts:
        table.add_row(
            escape(account.name),
            account.role,
            "disabled" if account.disabled else "active",
            escape(", ".join(cases_of(account))),
        )
    out.print(table)
