"""``callsift check``: consistency checks, each a finding on the call."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from callsift.cli import app
from callsift.cli.options import CaseOption, JsonOption, open_case, out, print_json, progress
from callsift.store import list_calls
from callsift.verify import check_case

_COLOURS = {"problem": "red", "warning": "yellow", "info": "cyan"}


@app.command()
def check(case: CaseOption = Path("case"), as_json: JsonOption = False) -> None:
    """Check every call: metadata against content, duplicates, signs of editing.

    Values the sheet holds that cannot be read (a 32 March, a number that is
    no phone number), dates spoken against started_at, the sheet's duration
    against the audio, number country against language and places, the
    sheet's location against the places named, the same recording or speech
    under other names, spliced silence and abrupt cuts. Each finding is a lead
    for a person to weigh; it is stored on the call (see `show`) and replaces
    the previous run's. --json prints a list of findings with call_id, file,
    kind, severity, message, other_call_id, score and detail.

    Example: callsift check --json
    """
    with open_case(case) as store:
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
        return
    table = Table("call", "file", "severity", "kind", "finding", title=f"{len(findings)} findings")
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
