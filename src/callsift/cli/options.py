"""Options shared by every command, declared once."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from callsift.errors import CallsiftError
from callsift.store import CaseStore
from callsift.store.custody import HEADS_FILE, ChainHead, chain_head, record_head

__all__ = ["CaseOption", "JsonOption", "err", "open_case", "out", "print_json", "progress"]

CaseOption = Annotated[
    Path,
    typer.Option(
        "--case",
        envvar="CALLSIFT_CASE",
        help="Case folder (else $CALLSIFT_CASE, else ./case).",
        show_default=True,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print stable JSON on stdout.")]

out = Console(highlight=False)
# Progress and messages go to stderr so stdout stays machine-readable.
err = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def open_case(path: Path, *, create: bool = False) -> Iterator[CaseStore]:
    """Open the case, turning library errors into one line and exit code 1.

    A command that added to the custody log (even one that then failed or was
    interrupted) records the chain's new head in ``custody.heads`` and prints
    it, dim, on stderr: see :mod:`callsift.store.custody`.
    """
    try:
        store = CaseStore(path, create=create)
    except CallsiftError as error:
        err.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(1) from error
    opened_at = chain_head(store.conn)
    try:
        yield store
    except CallsiftError as error:
        err.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(1) from error
    finally:
        try:
            _witness_head(store, opened_at)
        finally:
            store.close()


def _witness_head(store: CaseStore, opened_at: ChainHead | None) -> None:
    head = chain_head(store.conn)
    if head is None or head == opened_at:
        return
    try:
        record_head(store.root, head)
    except OSError as error:
        err.print(f"[yellow]Warning:[/yellow] {HEADS_FILE} not written ({error}); note the head")
    err.print(f"[dim]custody: entry {head.id}, head {head.hash}[/dim]")


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=_plain) + "\n")


def progress() -> Progress:
    """A progress bar on stderr: count, elapsed time and the item at hand."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[item]}"),
        console=err,
    )
