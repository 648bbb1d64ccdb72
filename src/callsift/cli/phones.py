"""``callsift phones``: the case's numbers, the team's directories, matches and conflicts."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from callsift.cli import app
from callsift.cli.options import CaseOption, JsonOption, err, open_case, out, print_json
from callsift.graph.directory import DirectoryEntry
from callsift.graph.numbers import DEFAULT_REGIONS, PhoneNumber, check_regions
from callsift.graph.phones import (
    directory_conflicts,
    import_directories,
    known_calls,
    number_case,
    number_summaries,
)

__all__ = ["number_text", "phones_app"]

phones_app = typer.Typer(
    help="Phone numbers: intelligence per number, directories of known numbers, conflicts.",
    no_args_is_help=True,
)
app.add_typer(phones_app, name="phones")

RegionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        help="Country of numbers written without a country code (ISO code); repeatable,"
        f" tried in order. Default: {', then '.join(DEFAULT_REGIONS)}.",
    ),
]


def _regions(values: list[str] | None) -> tuple[str, ...]:
    try:
        return check_regions(values or DEFAULT_REGIONS)
    except ValueError as error:
        err.print(f"[red]Error:[/red] --region: {error}")
        raise typer.Exit(2) from error


def number_text(number: PhoneNumber) -> str:
    """One number for people (Rich markup): an invalid one is marked and kept as written."""
    if not number.valid:
        return f"[yellow]⚠ {escape(number.raw)}[/yellow] (not a valid number; kept as written)"
    facts = [number.country, number.region, number.carrier, number.line_type]
    written = f" ({escape(number.raw)})" if number.raw != number.e164 else ""
    return f"{number.e164}{written}  [dim]{escape(' · '.join(f for f in facts if f))}[/dim]"


def _who(entry: DirectoryEntry) -> str:
    return ", ".join(part for part in (entry.name, entry.unit) if part)


@phones_app.command(name="list")
def list_(
    case: CaseOption = Path("case"),
    region: RegionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every number in the calls' metadata: validity, country, carrier, calls, known name.

    Numbers are read again from the metadata first, so the list is always current.

    Example: callsift phones list --region UA --json
    """
    regions = _regions(region)
    with open_case(case) as store:
        number_case(store, regions)
        summaries = number_summaries(store)
    if as_json:
        print_json(
            [
                {
                    **asdict(s.number),
                    "spellings": s.spellings,
                    "as_caller": s.as_caller,
                    "as_receiver": s.as_receiver,
                    "known": s.known,
                }
                for s in summaries
            ]
        )
        return
    table = Table("number", "country", "carrier", "line", "caller", "receiver", "known as")
    for s in summaries:
        n = s.number
        table.add_row(
            n.e164 or f"[yellow]⚠ {escape(n.raw)}[/yellow]",
            n.country or "",
            escape(n.carrier or ""),
            n.line_type or "",
            str(len(s.as_caller)),
            str(len(s.as_receiver)),
            escape("; ".join(_who(entry) for entry in s.known)),
        )
    out.print(table)
    invalid = sum(not s.number.valid for s in summaries)
    if invalid:
        err.print(f"[yellow]⚠ {invalid} numbers are not valid; they are kept as written.[/yellow]")


@phones_app.command(name="import")
def import_(
    files: Annotated[
        list[Path], typer.Argument(help="CSV or vCard (.vcf) files of known numbers.")
    ],
    case: CaseOption = Path("case"),
    source: Annotated[
        str, typer.Option(help="Where the list comes from, for entries whose row names none.")
    ] = "",
    column: Annotated[
        list[str] | None,
        typer.Option("--column", help="Map a CSV column to a field: 'Телефон=number'."),
    ] = None,
    region: RegionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add the team's lists of known numbers (number, name, unit, source, note) to the case.

    CSV columns callsift does not know are kept in the note. Rows that cannot be
    read are listed with file and line; the others are imported. Importing the
    same file again adds nothing. Each import is logged with the file's SHA-256.

    Example: callsift phones import contacts.vcf known.csv --source "unit roster"
    """
    regions = _regions(region)
    mapping: dict[str, str] = {}
    for pair in column or []:
        name, sep, field = pair.partition("=")
        if not sep:
            err.print(f"[red]Error:[/red] --column {pair!r}: expected COLUMN=FIELD")
            raise typer.Exit(2)
        mapping[name] = field
    with open_case(case) as store:
        try:
            results = import_directories(
                store, files, mapping=mapping, source=source, regions=regions
            )
        except ValueError as error:
            err.print(f"[red]Error:[/red] --column: {error}")
            raise typer.Exit(2) from error
    if as_json:
        print_json(
            [
                {
                    "file": r.file,
                    "sha256": r.sha256,
                    "entries": r.entries,
                    "added": r.added,
                    "errors": [{"where": e.path, "reason": e.reason} for e in r.errors],
                }
                for r in results
            ]
        )
        return
    table = Table("file", "entries", "new", "rows refused", "sha256")
    for r in results:
        table.add_row(
            escape(r.file), str(r.entries), str(r.added), str(len(r.errors)), (r.sha256 or "")[:12]
        )
    err.print(table)
    for r in results:
        for refused in r.errors:
            err.print(f"[yellow]refused[/yellow] {escape(str(refused))}")


@phones_app.command()
def known(
    case: CaseOption = Path("case"),
    region: RegionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Calls whose caller or receiver is in an imported directory, with name and unit.

    Example: callsift phones known --json
    """
    regions = _regions(region)
    with open_case(case) as store:
        number_case(store, regions)
        rows = known_calls(store)
    if as_json:
        print_json(rows)
        return
    table = Table("call", "file", "role", "number", "name", "unit", "source", "directory")
    for row in rows:
        table.add_row(
            str(row.call_id),
            escape(row.file),
            row.role,
            row.number.e164 or f"[yellow]⚠ {escape(row.number.raw)}[/yellow]",
            escape(row.entry.name),
            escape(row.entry.unit),
            escape(row.entry.source),
            escape(row.entry.directory),
        )
    out.print(table)


@phones_app.command()
def conflicts(case: CaseOption = Path("case"), as_json: JsonOption = False) -> None:
    """Numbers the directories give two identities: different names or different units.

    Example: callsift phones conflicts --json
    """
    with open_case(case) as store:
        found = directory_conflicts(store)
    if as_json:
        print_json(found)
        return
    table = Table("number", "names", "units", "directories", title=f"{len(found)} conflicts")
    for conflict in found:
        directories = dict.fromkeys(e.directory for e in conflict.entries)
        table.add_row(
            conflict.number,
            escape(" | ".join(conflict.names)),
            escape(" | ".join(conflict.units)),
            escape(", ".join(directories)),
        )
    out.print(table)
