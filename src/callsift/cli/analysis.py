"""``callsift analyze``, ``entities`` and ``flags``: the language layer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from callsift.analyze.confidence import is_low
from callsift.analyze.run import AnalyzeOptions, analyze_case
from callsift.cli import app
from callsift.cli.options import CaseOption, JsonOption, open_case, out, print_json, progress
from callsift.store import CaseStore
from callsift.store.analysis import entity_counts, flag_hits

WatchlistOption = Annotated[
    Path | None,
    typer.Option("--watchlists", exists=True, dir_okay=False, help="Your YAML watchlist file."),
]

_TYPES = ("PER", "LOC", "ORG", "unit", "equipment", "casualty", "order", "date", "phone")


def run_analysis(store: CaseStore, watchlists: Path | None) -> int:
    """Analyse what is not yet analysed, with a progress bar."""
    with progress() as bar:
        task = bar.add_task("Analysing", total=None, item="")
        return analyze_case(
            store,
            AnalyzeOptions(watchlists),
            on_start=lambda n: bar.update(task, total=n),
            on_call=lambda call_id: bar.update(task, advance=1, item=f"call {call_id}"),
        )


@app.command()
def analyze(case: CaseOption = Path("case"), watchlists: WatchlistOption = None) -> None:
    """Find entities, units, casualty figures and watchlist flags in every transcript.

    `process` runs this too; run it alone after editing your watchlists.

    Example: callsift analyze --watchlists team-watchlists.yaml
    """
    with open_case(case) as store:
        count = run_analysis(store, watchlists)
    out.print(f"{count} calls analysed")


@app.command()
def entities(
    case: CaseOption = Path("case"),
    type_: Annotated[
        list[str] | None, typer.Option("--type", help=f"Only these types: {', '.join(_TYPES)}.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """People, places, organisations, units, equipment, casualty figures: with counts.

    Example: callsift entities --type LOC --type unit --json
    """
    with open_case(case) as store:
        rows = entity_counts(store, tuple(type_ or _TYPES))
    if as_json:
        print_json(rows)
        return
    table = Table("type", "normal form", "calls", "mentions", "English / where")
    for row in rows:
        attrs = row["attrs"] if isinstance(row["attrs"], dict) else {}
        where = attrs.get("english", "")
        if "lat" in attrs:
            where += f" ({attrs['lat']:.2f}, {attrs['lon']:.2f})"
        table.add_row(
            str(row["type"]),
            escape(str(row["normal"])),
            str(row["calls"]),
            str(row["mentions"]),
            escape(where),
        )
    out.print(table)


@app.command()
def flags(
    case: CaseOption = Path("case"),
    topic: Annotated[str | None, typer.Option(help="Only this watchlist topic.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every watchlist hit, with its call, time and the words that matched.

    Example: callsift flags --topic orders
    """
    with open_case(case) as store:
        rows = flag_hits(store, topic)
    if as_json:
        print_json(rows)
        return
    table = Table("call", "file", "time", "topic", "matched", "segment")
    for row in rows:
        table.add_row(
            str(row["call_id"]),
            escape(str(row["file"])),
            f"{row['start']:.1f}",
            str(row["topic"]),
            escape(str(row["text"])) + unsure_note(row["confidence"]),
            escape(str(row["segment"])),
        )
    out.print(table)


def unsure_note(confidence: object) -> str:
    """`` (uncertain 0.42)`` for a finding resting on a low-confidence word."""
    if isinstance(confidence, float) and is_low(confidence):
        return f" [yellow](uncertain {confidence:.2f})[/yellow]"
    return ""
