"""``callsift voices``: one voice on several numbers, several voices on one number."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from callsift.cli import app
from callsift.cli.options import CaseOption, JsonOption, err, open_case, out, print_json, progress
from callsift.graph.voices import VoiceChannel, VoiceOptions, VoiceReport, voice_case
from callsift.store import list_calls

__all__ = ["voices"]

_DEFAULTS = VoiceOptions()


def _options(
    threshold: float, different_below: float, min_speech: float, channel0: str
) -> VoiceOptions:
    try:
        return VoiceOptions(
            threshold=threshold,
            different_below=min(different_below, threshold),
            min_speech_s=min_speech,
            channel0=channel0,
        )
    except ValueError as error:
        err.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(2) from error


def _json(report: VoiceReport, files: dict[int, str]) -> dict[str, object]:
    return {
        "model": report.model,
        "options": asdict(report.options),
        "embedded": report.embedded,
        "reused": report.reused,
        "voices": [asdict(cluster) for cluster in report.clusters],
        "findings": [
            {
                "call_id": f.call_id,
                "file": files.get(f.call_id, ""),
                "other_file": files.get(f.other_call_id or 0),
                **asdict(f),
            }
            for f in report.findings
        ],
        "skipped": [asdict(s) for s in report.skipped],
    }


def _where(c: VoiceChannel) -> str:
    who = f"{c.party} {c.number or '(no number)'}" if c.party else "mixed"
    if c.speaker and not c.party:
        who = "role unknown"
    voice = f" speaker {c.speaker}" if c.speaker else ""
    return f"{c.call_id} {escape(c.file)} ch{c.channel}{voice} [dim]{escape(who)}[/dim]"


@app.command()
def voices(
    case: CaseOption = Path("case"),
    threshold: Annotated[
        float, typer.Option(help="Same voice at or above this mean cosine similarity.")
    ] = _DEFAULTS.threshold,
    different_below: Annotated[
        float,
        typer.Option(
            help="Two voices on one number only under this similarity (at most --threshold)."
        ),
    ] = _DEFAULTS.different_below,
    min_speech: Annotated[
        float, typer.Option(help="Seconds of speech a channel needs to be compared.")
    ] = _DEFAULTS.min_speech_s,
    channel0: Annotated[
        str, typer.Option(help="Party on channel 0 of a stereo call: caller or receiver.")
    ] = _DEFAULTS.channel0,
    as_json: JsonOption = False,
) -> None:
    """Group the voices of every call and compare them with the numbers.

    Each party's speech is turned into a voice print (Resemblyzer, offline;
    stored, so a second run embeds only new calls), voices are grouped across
    the case, and two kinds of finding replace the last run's:
    same-voice-different-numbers (a borrowed phone, a second SIM) and
    same-number-different-voices (a shared phone, or the wrong number in the
    metadata). In a stereo call channel 0 is the caller, channel 1 the
    receiver (--channel0 receiver swaps them); a mono call mixes both parties,
    so it is grouped with the voice it resembles but makes no finding. Every
    finding is a lead: listen before you rely on it.

    --json prints an object: model (the embedding model key), options,
    embedded and reused (channels), voices (each with id, members, mixed,
    numbers, cohesion; a member has call_id, file, channel, speech_s, mixed,
    party, number, number_key, cluster and similarity, its mean similarity to
    the rest of its voice), findings (each with call_id, file, kind, severity,
    message, other_call_id, other_file, score: the similarity, and detail:
    channel, party, number, cluster and the same for the other call, plus
    similarity, model and channel_pairs) and skipped (call_id, file, channel,
    reason).

    Example: callsift voices --threshold 0.9 --json
    """
    options = _options(threshold, different_below, min_speech, channel0)
    with open_case(case) as store:
        with progress() as bar:
            task = bar.add_task("Embedding voices", total=None, item="")
            report = voice_case(
                store,
                options,
                on_start=lambda n: bar.update(task, total=n),
                on_call=lambda call_id: bar.update(task, advance=1, item=f"call {call_id}"),
            )
        files = {call.id: call.file for call in list_calls(store)}
    if as_json:
        print_json(_json(report, files))
        return
    heard = [v for v in report.clusters if len(v.members) > 1 or v.mixed]
    table = Table(
        "voice",
        "cohesion",
        "channels",
        "numbers",
        title=f"{len(heard)} voices heard more than once"
        f" (of {len(report.clusters)}; threshold {options.threshold:g})",
    )
    for voice in heard:
        lines = [_where(c) for c in voice.members]
        lines += [f"{_where(c)} {c.similarity:.3f}" for c in voice.mixed]
        cohesion = "" if voice.cohesion is None else f"{voice.cohesion:.3f}"
        table.add_row(str(voice.id), cohesion, "\n".join(lines), escape(", ".join(voice.numbers)))
    out.print(table)
    found = Table("call", "kind", "other", "similarity", "finding", title="Findings")
    for f in report.findings:
        found.add_row(
            str(f.call_id),
            f.kind,
            str(f.other_call_id),
            f"{f.score:.3f}" if f.score is not None else "",
            escape(f.message),
        )
    out.print(found)
    err.print(
        f"{report.embedded} channels embedded, {report.reused} reused,"
        f" {len(report.skipped)} skipped (see --json)."
    )
