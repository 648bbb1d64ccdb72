"""``callsift ingest`` and ``callsift process``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID
from rich.table import Table

from callsift.analyze.run import AnalyzeOptions
from callsift.audio import DecodeOptions
from callsift.cli import app
from callsift.cli.analysis import WatchlistOption
from callsift.cli.options import CaseOption, JsonOption, err, open_case, print_json, progress
from callsift.cli.read import status_table
from callsift.ingest.run import ingest_paths
from callsift.pipeline import ProcessOptions
from callsift.run import RunOptions, run_case
from callsift.store import case_status
from callsift.transcribe import (
    DEFAULT_MODEL,
    ModelSpec,
    TranscribeOptions,
    default_compute_type,
)
from callsift.translate import ArgosTranslator, LibreTranslateTranslator, TextTranslator

STAGE_LABELS = {"transcribe": "Transcribing", "analyze": "Analysing"}


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders or ZIP/TAR archives.")],
    case: CaseOption = Path("case"),
    metadata: Annotated[
        list[Path] | None,
        typer.Option("--metadata", "-m", help="Metadata sidecar (CSV or JSON); repeatable."),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", help="Map a sidecar column to a field: 'Номер абонента=caller'."),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding of the sidecars (koi8_r, cp1251…); else detected."),
    ] = None,
    rehash: Annotated[
        bool,
        typer.Option(help="Read again files taken in before that look unchanged (size, times)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Copy recordings into the case (hashed, read-only) and log their custody.

    Files ending .csv, .tsv or .json are read as metadata sidecars. Exits 0 when
    the batch ran, even if some files were refused: those are listed. Run again
    after an interruption: files already taken in are passed over unread.

    Example: callsift ingest /media/drive/calls --metadata calls.csv --case ./case
    """
    mapping = {}
    for pair in column or []:
        name, sep, field = pair.partition("=")
        if not sep:
            err.print(f"[red]Error:[/red] --column {pair!r}: expected COLUMN=FIELD")
            raise typer.Exit(2)
        mapping[name.strip().lower()] = field.strip()
    with open_case(case, create=True) as store, progress() as bar:
        task = bar.add_task("Ingesting", total=None, item="")

        def advance(name: str) -> None:
            speed = bar.tasks[0].speed
            rate = f" {speed:.0f} files/s" if speed else ""
            bar.update(task, advance=1, item=name, description=f"Ingesting{rate}")

        report = ingest_paths(
            store,
            paths,
            metadata or [],
            mapping,
            on_item=advance,
            encoding=encoding,
            rehash=rehash,
        )
        bar.update(task, total=bar.tasks[0].completed, item="")
    if as_json:
        print_json(
            {
                "new_calls": report.new_calls,
                "duplicates": report.duplicates,
                "already_known": report.already_known,
                "metadata_rows": report.metadata_rows,
                "metadata_conflicts": report.metadata_conflicts,
                "failures": [{"file": f.path, "reason": f.reason} for f in report.failures],
                "recovered": asdict(report.recovered),
                "unchanged": report.unchanged,
                "files": report.files,
                "seconds": round(report.seconds, 3),
                "files_per_s": round(report.files_per_s, 1),
            }
        )
        return
    table = Table(
        "new calls", "same bytes, new name", "already in case", "metadata rows", "conflicting rows"
    )
    table.add_row(
        str(report.new_calls),
        str(report.duplicates),
        str(report.already_known),
        str(report.metadata_rows),
        str(report.metadata_conflicts),
    )
    err.print(table)
    unchanged = f", {report.unchanged} unchanged and not read again" if report.unchanged else ""
    err.print(
        f"{report.files} files in {report.seconds:.1f} s"
        f" ({report.files_per_s:.0f} files/s){unchanged}"
    )
    left = report.recovered
    if left.temp_files or left.orphans:
        err.print(
            f"removed what a killed run left: {left.temp_files} temp file(s)"
            f" ({left.temp_bytes / 1e6:.1f} MB) and {len(left.orphans)} unrecorded original(s)"
        )
    for failure in report.failures:
        err.print(f"[yellow]refused[/yellow] {failure.path}: {failure.reason}")


@app.command()
def process(
    case: CaseOption = Path("case"),
    model: Annotated[
        str, typer.Option(help="'base' (pinned, offline), a model folder or a cached name.")
    ] = DEFAULT_MODEL,
    language: Annotated[
        str | None, typer.Option(help="Force a language code (ru, uk, en…).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (one model each).")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Run the calls on Dask: a scheduler (tcp://HOST:8786), or 'local' to start"
            " --workers Dask processes here."
        ),
    ] = None,
    shared_path: Annotated[
        bool,
        typer.Option(
            "--shared-path",
            help="Dask workers read originals from the case folder (same path on every"
            " machine) instead of receiving their bytes.",
        ),
    ] = False,
    beam_size: Annotated[int, typer.Option(help="Beam search width.")] = 5,
    max_duration: Annotated[
        float, typer.Option(help="Refuse recordings longer than this many seconds.")
    ] = DecodeOptions().max_duration_s,
    device: Annotated[str, typer.Option(help="cpu or cuda.")] = "cpu",
    compute_type: Annotated[
        str | None, typer.Option(help="Default: int8 on cpu, float16 on cuda.")
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Windows decoded at once (batched pipeline). Default: 16 on cuda, 0 (off) on cpu.",
        ),
    ] = None,
    retry_failed: Annotated[bool, typer.Option(help="Try failed calls again.")] = False,
    call_timeout: Annotated[
        float, typer.Option(min=1, help="Stop and fail a call that takes longer (seconds).")
    ] = ProcessOptions().call_timeout_s,
    translate: Annotated[
        bool, typer.Option(help="Add Whisper's English translation to every segment.")
    ] = True,
    translate_url: Annotated[
        str | None, typer.Option(help="Translate the text with this LibreTranslate server.")
    ] = None,
    argos: Annotated[
        bool, typer.Option("--argos", help="Translate the text with installed Argos packages.")
    ] = False,
    watchlists: WatchlistOption = None,
    call: Annotated[
        list[int] | None,
        typer.Option(
            "--call",
            help="Transcribe this call again even if done (repeatable), e.g. with --language.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Decode, split parties, detect speech and transcribe every pending call.

    Resumable: stop it at any point and run it again; finished calls are kept.
    Exits 0 when the batch ran, even if some calls failed (they are listed).
    With --call, only those calls, again: a transcript that came out empty or
    in the wrong language is redone with the language (or model) you choose,
    and a later run of the whole case keeps that choice.

    Example: callsift process --case ./case --workers 2
    Example: callsift process --case ./case --scheduler tcp://10.0.0.5:8786
    Example: callsift process --case ./case --call 14 --language uk
    """
    options = ProcessOptions(
        transcribe=TranscribeOptions(
            model=ModelSpec(
                name=model,
                device=device,
                compute_type=compute_type or default_compute_type(device),
                batch_size=(16 if device == "cuda" else 0) if batch_size is None else batch_size,
            ),
            language=language,
            beam_size=beam_size,
        ),
        decode=DecodeOptions(max_duration_s=max_duration),
        workers=workers,
        retry_failed=retry_failed,
        translate=translate and not (translate_url or argos),
        call_timeout_s=call_timeout,
        scheduler=scheduler,
        shared_path=shared_path,
    )
    with open_case(case) as store, progress() as bar:
        missing = sorted(set(call or []) - {c for c, _, _ in store.chosen_calls(call or [])})
        if missing:
            bar.stop()
            err.print(f"[red]Error:[/red] no call {', '.join(map(str, missing))} in this case")
            raise typer.Exit(2)
        # A bar appears once its stage knows its size (the model checked and the
        # calls counted first), so that an error before then is the only line printed.
        tasks: dict[str, TaskID] = {}

        def stage(name: str, total: int) -> None:
            for task in tasks.values():
                bar.update(task, visible=False)
            tasks[name] = bar.add_task(STAGE_LABELS[name], total=total, item="")

        translator: TextTranslator | None = None
        if translate_url:
            translator = LibreTranslateTranslator(translate_url)
        elif argos:
            translator = ArgosTranslator()
        run = run_case(
            store,
            RunOptions(options, AnalyzeOptions(watchlists), translator),
            calls=call or None,
            on_stage=stage,
            on_item=lambda name, item: bar.update(tasks[name], advance=1, item=item),
        )
        report = run.process
        bar.stop()
        status = case_status(store)
    if as_json:
        print_json(
            {
                "processed": report.calls,
                "done": report.done,
                "failed": report.failed,
                "audio_s": round(report.audio_s, 2),
                "wall_s": round(report.wall_s, 2),
                "failures": [{"file": f, "reason": r} for f, r in report.failures],
                "damaged": [{"file": f, "damage": d} for f, d in report.damaged],
                "kept_corrections": report.kept_corrections,
            }
        )
        return
    err.print(status_table(status))
    for file, reason in report.failures:
        err.print(f"[yellow]failed[/yellow] {file}: {reason}")
    for file, damage in report.damaged:
        err.print(f"[yellow]damaged[/yellow] {file}: {damage}")
    for file in report.kept_corrections:
        err.print(
            f"[yellow]kept[/yellow] {file}: a reviewer corrected it during this run;"
            " their transcript stays"
        )
    speed = report.audio_s / report.wall_s if report.wall_s else 0.0
    err.print(
        f"{report.done} transcribed, {report.failed} failed: {report.audio_s:.0f} s of audio"
        f" in {report.wall_s:.0f} s ({speed:.1f}x real time)"
    )
