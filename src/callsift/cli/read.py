"""``callsift status``, ``list``, ``show`` and ``search``: reading a case."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from callsift.cli import app
from callsift.cli.options import CaseOption, JsonOption, err, open_case, out, print_json
from callsift.records import CaseStatus, SearchFilters
from callsift.search import search as run_search
from callsift.store import case_status, channels_of, get_call, list_calls, segments_of
from callsift.store.analysis import flags_of, mentions_of


def status_table(status: CaseStatus) -> Table:
    table = Table("calls", "done", "failed", "pending", "segments", "audio (min)", "languages")
    table.add_row(
        str(status.calls),
        str(status.done),
        str(status.failed),
        str(status.pending),
        str(status.segments),
        f"{status.audio_s / 60:.1f}",
        ", ".join(f"{lang} {n}" for lang, n in status.languages.items()),
    )
    return table


@app.command()
def status(case: CaseOption = Path("case"), as_json: JsonOption = False) -> None:
    """Counts per stage, languages, and every failure with its reason.

    Example: callsift status --json
    """
    with open_case(case) as store:
        result = case_status(store)
    if as_json:
        print_json(result)
        return
    out.print(status_table(result))
    for failure in result.failures:
        out.print(
            f"[yellow]{failure.stage} failed[/yellow] {escape(failure.file)}: "
            f"{escape(failure.reason)}"
        )


@app.command(name="list")
def list_(
    case: CaseOption = Path("case"),
    status: Annotated[str | None, typer.Option(help="Only calls in this state.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every call with its file, hash and state.

    Example: callsift list --status failed
    """
    with open_case(case) as store:
        calls = list_calls(store, status)
    if as_json:
        print_json(calls)
        return
    table = Table("id", "file", "sha256", "status", "duration", "caller", "receiver")
    for call in calls:
        meta = call.metadata or {}
        table.add_row(
            str(call.id),
            escape(call.file),
            call.sha256[:12],
            call.status if not call.reason else f"{call.status}: {escape(call.reason)}",
            f"{call.duration_s:.1f}s" if call.duration_s else "",
            escape(meta.get("caller") or ""),
            escape(meta.get("receiver") or ""),
        )
    out.print(table)


@app.command()
def show(
    call_id: Annotated[int, typer.Argument(help="Call id (see callsift list).")],
    case: CaseOption = Path("case"),
    as_json: JsonOption = False,
) -> None:
    """One call: metadata, hashes, and its transcript per party.

    Example: callsift show 3 --json
    """
    with open_case(case) as store:
        call = get_call(store, call_id)
        if call is None:
            err.print(f"[red]Error:[/red] no call {call_id} in {case}")
            raise typer.Exit(1)
        segments = segments_of(store, call_id)
        mentions = mentions_of(store, call_id)
        flags = flags_of(store, call_id)
        channels = [
            {k: v for k, v in asdict(c).items() if k not in ("segments", "translation_engine")}
            for c in channels_of(store, call_id)
        ]
    if as_json:
        print_json(
            {
                **asdict(call),
                "channels": channels,
                "segments": segments,
                "entities": mentions,
                "flags": flags,
            }
        )
        return
    out.print(f"[bold]Call {call.id}[/bold]  {escape(call.file)}  [{call.status}]")
    out.print(f"sha256 {call.sha256}")
    if call.reason:
        out.print(f"[yellow]{escape(call.reason)}[/yellow]")
    for channel in channels:
        mixed = " (mixed Russian/Ukrainian)" if channel["mixed"] else ""
        out.print(f"channel {channel['channel']}: {channel['language']}{mixed}")
    for key, value in (call.metadata or {}).items():
        if value and key not in ("file", "problems", "extra"):
            out.print(f"{key}: {escape(str(value))}")
    for segment in segments:
        out.print(
            f"[dim]{segment.start:7.2f}–{segment.end:7.2f}[/dim] "
            f"[cyan]ch{segment.channel} {segment.language}[/cyan] {escape(segment.text)}"
        )
        if segment.translation and segment.language != "en":
            out.print(f"{'':16}[dim]{escape(segment.translation)}[/dim]")
    for mention in mentions:
        value = f" = {mention.value:g}" if mention.value is not None else ""
        value += f" = {mention.fraction:g}" if mention.fraction is not None else ""
        out.print(
            f"[green]{mention.type}[/green] {mention.start:6.1f}s {escape(mention.normal)}"
            f"{value} {escape(mention.kind or '')}"
        )
    for hit in flags:
        out.print(f"[red]flag {hit.topic}[/red] {hit.start:6.1f}s {escape(hit.text)}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words, "phrases", "near words"~5, -not, prefix*.')],
    case: CaseOption = Path("case"),
    lang: Annotated[
        str | None, typer.Option(help="en: English translations; ru/uk: originals; none: both.")
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    number: Annotated[str | None, typer.Option(help="Caller or receiver number contains.")] = None,
    flag: Annotated[str | None, typer.Option(help="Segment raised this watchlist topic.")] = None,
    entity: Annotated[str | None, typer.Option(help="Call mentions this person/place/org.")] = None,
    unit: Annotated[str | None, typer.Option(help="Call mentions this unit ('331 полк').")] = None,
    limit: Annotated[int, typer.Option(help="Most hits to show.")] = 20,
    facets: Annotated[bool, typer.Option("--facets", help="Count hits per facet.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Search every transcript in every word form, and the English translations.

    A Russian or Ukrainian word finds all its forms ("Буча" finds "в Буче", "из
    Бучи"); English words search the translations. --json prints a list of hits;
    with --facets, an object with hits, total and facets.

    Example: callsift search "приказали" --from 2022-03-01 --flag orders --json
    """
    filters = SearchFilters(lang, date_from, date_to, number, flag, entity, unit)
    with open_case(case) as store:
        result = run_search(store, query, filters, limit, facets)
    if as_json:
        print_json(result if facets else result.hits)
        return
    table = Table("call", "file", "ch", "time", "text", "English", title=f"{result.total} hits")
    for hit in result.hits:
        table.add_row(
            str(hit.call_id),
            escape(hit.file),
            str(hit.channel),
            f"{hit.start:.1f}–{hit.end:.1f}",
            escape(hit.snippet),
            escape(hit.translation_snippet or hit.translation or ""),
        )
    out.print(table)
    for name, counts in result.facets.items():
        if counts:
            out.print(f"[bold]{name}[/bold]: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
