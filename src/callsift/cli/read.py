"""``callsift status``, ``list``, ``show`` and ``search``: reading a case."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from callsift.analyze.confidence import is_low, word_spans
from callsift.cli import app
from callsift.cli.analysis import unsure_note
from callsift.cli.options import CaseOption, JsonOption, err, open_case, out, print_json
from callsift.cli.phones import number_text
from callsift.dossier import call_dossier
from callsift.records import CaseStatus, SearchFilters, Segment
from callsift.search import search as run_search
from callsift.store import case_status, list_calls
from callsift.store.certainty import CallCertaintyRow, certainties, review_queue
from callsift.store.jobs import running_jobs
from callsift.verify.status import Status


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
        running = running_jobs(store)
    if as_json:
        print_json(result)
        return
    out.print(status_table(result))
    for job in running:  # on a Dask cluster, the item says which calls run on which worker
        out.print(
            f"[cyan]running[/cyan] {job.kind} (process {job.pid}): {job.done}/{job.total} done,"
            f" {job.failed} failed; {escape(job.item)}"
        )
    for failure in result.failures:
        out.print(
            f"[yellow]{failure.stage} failed[/yellow] {escape(failure.file)}: "
            f"{escape(failure.reason)}"
        )
    for damaged in result.damaged:
        out.print(f"[yellow]damaged[/yellow] {escape(damaged.file)}: {escape(damaged.reason)}")


@app.command(name="list")
def list_(
    case: CaseOption = Path("case"),
    status: Annotated[str | None, typer.Option(help="Only calls in this state.")] = None,
    sort: Annotated[
        str,
        typer.Option(
            help="'id', or 'certainty': the review queue, least certain first"
            " (analysed calls not yet verified or rejected)."
        ),
    ] = "id",
    as_json: JsonOption = False,
) -> None:
    """Every call with its file, hash, state and how surely its words were heard.

    Example: callsift list --status failed; callsift list --sort certainty
    """
    if sort not in ("id", "certainty"):
        raise typer.BadParameter("use 'id' or 'certainty'", param_hint="--sort")
    with open_case(case) as store:
        calls = list_calls(store, status)
        sure = certainties(store)
        if sort == "certainty":
            order = [row.call_id for row in review_queue(store)]
            by_id = {call.id: call for call in calls}
            calls = [by_id[i] for i in order if i in by_id]
    if as_json:
        print_json([{**asdict(c), "certainty": _summary(sure.get(c.id))} for c in calls])
        return
    table = Table("id", "file", "sha256", "status", "duration", "caller", "receiver", "certainty")
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
            certainty_text(sure.get(call.id)),
        )
    out.print(table)


def _summary(row: CallCertaintyRow | None) -> dict[str, float | int] | None:
    return None if row is None else row.summary()


def certainty_text(row: CallCertaintyRow | None) -> str:
    """``0.82 (3 of 40 words unsure)``, or nothing for a call not analysed."""
    if row is None:
        return ""
    return f"{row.certainty:.2f} ({row.low_words} of {row.words} words unsure)"


def _underline_unsure(segment: Segment) -> str:
    """The segment's text, escaped for Rich, with its low-confidence words underlined."""
    text, markup, position = segment.text, [], 0
    for word in word_spans(segment):
        if is_low(word.probability):
            markup.append(escape(text[position : word.start_char]))
            markup.append(f"[u]{escape(text[word.start_char : word.end_char])}[/u]")
            position = word.end_char
    return "".join(markup) + escape(text[position:])


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
        dossier = call_dossier(store, call_id)
    if as_json:
        print_json(dossier.document())
        return
    call, verification = dossier.call, dossier.verification
    out.print(f"[bold]Call {call.id}[/bold]  {escape(call.file)}  \\[{call.status}]")
    out.print(f"sha256 {call.sha256}")
    out.print(f"verification: {verification.status} (version {verification.version})")
    if call.reason:
        out.print(f"[yellow]{escape(call.reason)}[/yellow]")
    if dossier.reliability.state == "unreliable":
        out.print(f"[yellow]transcript unreliable: {escape(dossier.reliability.reason)}[/yellow]")
    if call.damage:
        out.print(
            f"[yellow]{escape(call.damage)}: the transcript ends where the file does[/yellow]"
        )
    for channel in dossier.channels:
        mixed = " (mixed Russian/Ukrainian)" if channel.mixed else ""
        out.print(f"channel {channel.channel}: {channel.language}{mixed}")
        for voice in channel.speakers:
            out.print(f"  {voice.label}: {voice.language}, {escape(voice.role_reason or '')}")
    for key, value in (call.metadata or {}).items():
        if value and key not in ("file", "problems", "extra", "caller", "receiver"):
            out.print(f"{key}: {escape(str(value))}")
    for role, number in dossier.numbers.items():
        out.print(f"{role}: {number_text(number)}")
    for segment in dossier.segments:
        who = escape(dossier.parties.of(segment).text)
        out.print(
            f"[dim]{segment.start:7.2f}–{segment.end:7.2f}[/dim] "
            f"[cyan]{who}, {segment.language}[/cyan] {_underline_unsure(segment)}"
        )
        if segment.translation and segment.language != "en":
            out.print(f"{'':16}[dim]{escape(segment.translation)}[/dim]")
        doubts = [n["detail"] for n in segment.translation_notes if not n.get("fixed")]
        if doubts and segment.language != "en":
            out.print(f"{'':16}[yellow]doubtful machine translation: {escape('; '.join(doubts))}")
    for mention in dossier.mentions:
        value = f" = {mention.value:g}" if mention.value is not None else ""
        value += f" = {mention.fraction:g}" if mention.fraction is not None else ""
        out.print(
            f"[green]{mention.type}[/green] {mention.start:6.1f}s {escape(mention.normal)}"
            f"{value} {escape(mention.kind or '')}{unsure_note(mention.confidence)}"
        )
    for hit in dossier.flags:
        out.print(
            f"[red]flag {hit.topic}[/red] {hit.start:6.1f}s {escape(hit.text)}"
            f"{unsure_note(hit.confidence)}"
        )
    for finding in dossier.findings:
        out.print(f"[yellow]{finding.severity} {finding.kind}[/yellow] {escape(finding.message)}")


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(help='Words, "phrases", "near words"~5, -not, prefix*; or none.')
    ] = "",
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
    status: Annotated[Status | None, typer.Option(help="The call's verification status.")] = None,
    limit: Annotated[int, typer.Option(min=0, max=10_000, help="Most hits to show.")] = 20,
    offset: Annotated[
        int, typer.Option(min=0, help="Hits to skip: the next page starts at offset + limit.")
    ] = 0,
    facets: Annotated[bool, typer.Option("--facets", help="Count hits per facet.")] = False,
    exact: Annotated[
        bool, typer.Option("--exact", help="Only the words as written: no approximate hits.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Search every transcript in every word form, and the English translations.

    A Russian or Ukrainian word finds all its forms ("Буча" finds "в Буче", "из
    Бучи"); English words search the translations. Segments where the model
    misheard the word ("визюме" for "в Изюме") follow as approximate hits (≈),
    unless --exact. Without words, the filters alone list the calls they pick
    (one hit per call). --json prints a list of hits (a page of --limit from
    --offset), each with "match" (exact or approximate), "matched" and "party"
    (caller, receiver, "speaker 1"/"speaker 2" on a mono call split into voices,
    or both); with --facets, an object with hits, total (every hit), offset,
    limit, approximate, by_call and facets.

    Example: callsift search "приказали" --from 2022-03-01 --flag orders --json
    """
    filters = SearchFilters(
        lang,
        date_from,
        date_to,
        number,
        flag,
        entity,
        unit,
        status.value if status else None,
        exact=exact,
    )
    with open_case(case) as store:
        result = run_search(store, query, filters, limit, facets, offset)
    if as_json:
        print_json(result if facets else result.hits)
        rest = result.total - offset - len(result.hits)
        if not facets and rest > 0:  # the list stays a list (stable JSON); never silently cut
            err.print(
                f"{len(result.hits)} of {result.total} shown; the next page: --offset"
                f" {offset + len(result.hits)} (--facets prints an object with total)"
            )
        return
    shown = f"{offset + 1}–{offset + len(result.hits)} of " if result.hits else ""
    kind = "calls" if result.by_call else "hits"
    title = f"{shown}{result.total} {kind} ({result.approximate} approximate, ≈)"
    table = Table("call", "file", "who", "time", "text", "English", title=title)
    for hit in result.hits:
        table.add_row(
            str(hit.call_id),
            escape(hit.file),
            escape(", ".join(filter(None, (hit.party_label, hit.party_number, hit.party_name)))),
            f"{hit.start:.1f}–{hit.end:.1f}",
            escape(hit.snippet if hit.match == "exact" else f"≈ {hit.snippet}"),
            escape(hit.translation_snippet or hit.translation or ""),
        )
    out.print(table)
    for name, counts in result.facets.items():
        if counts:
            out.print(f"[bold]{name}[/bold]: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
