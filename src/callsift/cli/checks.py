"""``callsift check``: consistency checks, the custody chain, and (asked) every original."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from callsift.cli import app
from callsift.cli.options import (
    CaseOption,
    JsonOption,
    err,
    open_case,
    out,
    print_json,
    progress,
)
from callsift.store import CaseStore, list_calls
from callsift.store.custody import chain_head, custody_problems
from callsift.verify import check_case
from callsift.verify.originals import check_originals

_COLOURS = {"problem": "red", "warning": "yellow", "info": "cyan"}


@app.command()
def check(
    case: CaseOption = Path("case"),
    as_json: JsonOption = False,
    originals: Annotated[
        bool,
        typer.Option(
            "--originals", help="Instead: re-hash every original against its ingest SHA-256."
        ),
    ] = False,
) -> None:
    """Check every call: metadata against content, duplicates, signs of editing.

    Values the sheet holds that cannot be read (a 32 March, a number that is
    no phone number), dates spoken against started_at, the sheet's duration
    against the audio, number country against language and places, the
    sheet's location against the places named, the same recording or speech
    under other names, spliced silence and abrupt cuts. Each finding is a lead
    for a person to weigh; it is stored on the call (see `show`) and replaces
    the previous run's. --json prints a list of findings with call_id, file,
    kind, severity, message, other_call_id, score and detail.

    Every run also checks the custody log's hash chain and the heads recorded
    in custody.heads; a break is printed on stderr and exits 1. With
    --originals, every original is re-hashed instead of the checks above and
    each missing or changed one listed (exit 1 if any); --json then prints
    {"originals": {"checked", "bytes", "problems"}, "custody": {"head",
    "problems"}}.

    Example: callsift check --json; callsift check --originals
    """
    if originals:
        _check_originals(case, as_json)
        return
    with open_case(case) as store:
        broken = custody_problems(store.conn, store.root)
        with progress() as bar:
            task = bar.add_task("Checking", total=None, item="")
            findings = check_case(
                store,
                on_start=lambda n: bar.update(task, total=n),
                on_call=lambda call_id: bar.update(task, advance=1, item=f"call {call_id}"),
            )
        files = {call.id: call.file for call in list_calls(store)}
    if as_json:
        print_json(
            [{"call_id": f.call_id, "file": files[f.call_id], **asdict(f)} for f in findings]
        )
    else:
        table = Table(
            "call", "file", "severity", "kind", "finding", title=f"{len(findings)} findings"
        )
        for finding in findings:
            colour = _COLOURS[finding.severity]
            table.add_row(
                str(finding.call_id),
                escape(files[finding.call_id]),
                f"[{colour}]{finding.severity}[/{colour}]",
                finding.kind,
                escape(finding.message),
            )
        out.print(table)
    if _report_custody(broken):
        raise typer.Exit(1)


def _report_custody(problems: list[str]) -> bool:
    """Print each break of the custody chain on stderr; whether there was one."""
    if problems:
        err.print(f"[red]custody log: {len(problems)} break(s) in its hash chain[/red]")
    for problem in problems:
        err.print(f"  {escape(problem)}")
    return bool(problems)


def _check_originals(case: Path, as_json: bool) -> None:
    with open_case(case) as store:
        broken = custody_problems(store.conn, store.root)
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[item]}"),
            console=err,
        )
        with bar:
            task = bar.add_task("Hashing originals", total=None, item="")
            report = check_originals(
                store,
                on_start=lambda size: bar.update(task, total=size),
                on_call=lambda call: bar.update(task, advance=call.size, item=f"call {call.id}"),
            )
        head = _head(store)
    if as_json:
        problems = [
            {key: value for key, value in vars(error).items() if not key.startswith("_")}
            | {"message": str(error)}
            for error in report.problems
        ]
        print_json(
            {
                "originals": {
                    "checked": report.checked,
                    "bytes": report.bytes,
                    "problems": problems,
                },
                "custody": {"head": head, "problems": broken},
            }
        )
    else:
        for error in report.problems:
            what = "MISSING" if error.found is None else "CHANGED"
            out.print(f"[red]{what}[/red] {escape(str(error))}", soft_wrap=True)
        colour = "red" if report.problems else "green"
        out.print(
            f"[{colour}]{report.checked - len(report.problems)} of {report.checked} originals"
            f" hash as at ingest[/{colour}] ({report.bytes / 1e6:.1f} MB read)",
            soft_wrap=True,
        )
    if _report_custody(broken) or report.problems:
        raise typer.Exit(1)


def _head(store: CaseStore) -> dict[str, Any] | None:
    head = chain_head(store.conn)
    return None if head is None else asdict(head)
