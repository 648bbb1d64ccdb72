"""``callsift bench``: speed and memory against the naive loop, in one run."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from callsift.bench import run_bench
from callsift.cli import app
from callsift.cli.options import JsonOption, err, out, print_json


@app.command()
def bench(
    corpus: Annotated[Path, typer.Argument(help="Folder of recordings.")] = Path("demo/calls"),
    workers: Annotated[
        list[int] | None, typer.Option("--workers", help="Worker counts to try; repeatable.")
    ] = None,
    beam_size: Annotated[int, typer.Option(help="Beam width, same for both runs.")] = 5,
    naive: Annotated[bool, typer.Option(help="Also time the naive loop.")] = True,
    translate: Annotated[bool, typer.Option(help="Also time a run with translation.")] = True,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Time callsift on Dask: 'local' (a cluster of each --workers count here)"
            " or a scheduler's address (tcp://HOST:8786)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Audio seconds per wall second, real-time factor and peak memory, per stage.

    Runs the naive faster-whisper loop and callsift on the same files, same model
    and settings, each in a fresh process.

    Example: callsift bench demo/calls --workers 1 --workers 2
    Example: callsift bench demo/calls --scheduler local --no-naive --no-translate
    """
    if not corpus.is_dir():
        err.print(f"[red]Error:[/red] {corpus}: no such folder")
        raise typer.Exit(1)
    err.print(f"Benchmarking on {corpus} (this transcribes the corpus several times)…")
    results = run_bench(corpus, workers or [1, 2], beam_size, naive, translate, scheduler)
    if as_json:
        print_json(
            [{**asdict(r), "speed": round(r.speed, 3), "rtf": round(r.rtf, 4)} for r in results]
        )
        return
    table = Table(
        "run", "files", "audio s", "wall s", "audio s / wall s", "RTF", "peak MB (largest process)"
    )
    for r in results:
        table.add_row(
            r.name,
            str(r.files),
            f"{r.audio_s:.1f}",
            f"{r.wall_s:.1f}",
            f"{r.speed:.2f}",
            f"{r.rtf:.3f}",
            f"{r.peak_rss_mb:.0f}",
        )
    out.print(table)
    stages = Table("run", "stage", "seconds", "audio s / stage s")
    for r in results:
        for stage, seconds in r.stage_s.items():
            speed = r.audio_s / seconds if seconds else 0.0
            stages.add_row(r.name, stage, f"{seconds:.1f}", f"{speed:.1f}")
    out.print(stages)
    runs = [r for r in results if r.workers and "with translation" not in r.name]
    if len(runs) > 1:  # against the first run (one worker, by default); goal: ≥ 0.8 per worker
        scaling = Table("run", "speed-up", "speed-up / worker ratio")
        for r in runs[1:]:
            speed_up = r.speed / runs[0].speed if runs[0].speed else 0.0
            scaling.add_row(
                r.name, f"{speed_up:.2f}x", f"{speed_up * runs[0].workers / r.workers:.2f}"
            )
        out.print(scaling)
