"""``callsift verify set``, ``list`` and ``history``: the reviewers' workflow."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from callsift.cli import app
from callsift.cli.options import CaseOption, JsonOption, open_case, out, print_json
from callsift.records import VerificationRecord
from callsift.store import list_calls
from callsift.verify.status import Status, set_status, verification_list, verification_of

verify_app = typer.Typer(
    help="Review calls: set a status with its evidence, list statuses, read the history.",
    no_args_is_help=True,
)
app.add_typer(verify_app, name="verify")

CallArgument = Annotated[int, typer.Argument(help="Call id (see callsift list).")]


def _summary(record: VerificationRecord, file: str | None = None) -> dict[str, Any]:
    """The record without its history (``verify history`` prints that)."""
    summary = {k: v for k, v in asdict(record).items() if k != "history"}
    return summary if file is None else {"call_id": record.call_id, "file": file, **summary}


def _links(record: VerificationRecord) -> str:
    return ", ".join(str(link.call_id) for link in record.links)


@verify_app.command("set")
def set_(
    call_id: CallArgument,
    status: Annotated[Status, typer.Option("--status", help="The new status.")],
    note: Annotated[
        str, typer.Option(help="Evidence or reason (needed for verified, disputed, rejected).")
    ] = "",
    link: Annotated[
        list[int] | None,
        typer.Option("--link", help="A call that corroborates this one (repeatable)."),
    ] = None,
    reviewer: Annotated[
        str | None, typer.Option(help="Who decides (else $CALLSIFT_ACTOR, else your user name).")
    ] = None,
    expect_version: Annotated[
        int | None,
        typer.Option(help="Fail if the record is no longer at this version (0: never reviewed)."),
    ] = None,
    case: CaseOption = Path("case"),
    as_json: JsonOption = False,
) -> None:
    """Set a call's status; the change goes into its history and the custody log.

    Example: callsift verify set 3 --status corroborated --link 9 --note "same unit, same day"
    """
    with open_case(case) as store:
        record = set_status(
            store, call_id, status.value, reviewer, note, link or (), expect_version
        )
    if as_json:
        print_json(record)
        return
    out.print(
        f"call {record.call_id}: [bold]{record.status}[/bold] by {escape(record.reviewer or '')}"
        f" (version {record.version})"
    )


@verify_app.command("list")
def list_(
    case: CaseOption = Path("case"),
    status: Annotated[Status | None, typer.Option(help="Only calls with this status.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every call with its status, reviewer and when it last changed.

    Example: callsift verify list --status disputed --json
    """
    with open_case(case) as store:
        records = verification_list(store, status.value if status else None)
        files = {call.id: call.file for call in list_calls(store)}
    if as_json:
        print_json([_summary(record, files[record.call_id]) for record in records])
        return
    table = Table("id", "file", "status", "reviewer", "updated", "links", "note")
    for record in records:
        table.add_row(
            str(record.call_id),
            escape(files[record.call_id]),
            record.status,
            escape(record.reviewer or ""),
            record.updated_at or "",
            _links(record),
            escape(record.note),
        )
    out.print(table)


@verify_app.command()
def history(
    call_id: CallArgument, case: CaseOption = Path("case"), as_json: JsonOption = False
) -> None:
    """Every change of a call's status, oldest first: who, when, why, which links.

    Example: callsift verify history 3 --json
    """
    with open_case(case) as store:
        record = verification_of(store, call_id)
    if as_json:
        print_json(record)
        return
    out.print(
        f"call {record.call_id}: [bold]{record.status}[/bold] (version {record.version})"
        + (f", corroborated by calls {_links(record)}" if record.links else "")
    )
    table = Table("version", "at", "status", "reviewer", "links", "note")
    for event in record.history:
        table.add_row(
            str(event.version),
            event.at,
            event.status,
            escape(event.reviewer),
            ", ".join(map(str, event.links)),
            escape(event.note),
        )
    out.print(table)
