"""``callsift export`` and ``quote``: evidence packages, their offline check, case exports, quotes.

One command with three forms, told apart by its arguments:

* ``callsift export CALL_ID... -o PACKAGE.zip [--redact ...]`` writes a package;
* ``callsift export verify PACKAGE.zip`` checks one;
* ``callsift export --format html|pdf|ftm|sqlite|csv -o FILE [CALL_ID...]``
  writes a report or a data export of a selection or of the whole case.

Click cannot give a command both free positional call ids and a ``verify``
subcommand (a group's variadic argument would swallow the subcommand's name),
so ``export`` takes its arguments as words and dispatches on the first.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from callsift.cli import app
from callsift.cli.options import CaseOption, JsonOption, err, open_case, out, print_json, progress
from callsift.export.manifest import VerifyResult, verify_package
from callsift.export.package import PackageResult, build_package
from callsift.export.quote import write_quote
from callsift.export.redact import Redaction

_FORMATS = ("html", "pdf", "ftm", "sqlite", "csv")


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]Error:[/red] {escape(message)}")
    return typer.Exit(code)


def _call_ids(words: list[str]) -> list[int]:
    try:
        return [int(word) for word in words]
    except ValueError as error:
        raise _fail(
            f"call ids are numbers (see callsift list), not {error.args[0].split(': ')[-1]}", 2
        ) from error


@app.command(name="export")
def export(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="CALL_ID... | verify PACKAGE",
            help="Calls to put in the package (see callsift list), or: verify PACKAGE.zip.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The ZIP (or --format file) to write.")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"A report or data export: {', '.join(_FORMATS)}."),
    ] = None,
    redact: Annotated[
        bool,
        typer.Option(
            "--redact", help="For publication: mask numbers, bleep them, leave out the original."
        ),
    ] = False,
    mask_name: Annotated[
        list[str] | None,
        typer.Option("--mask-name", help="A name to mask and bleep too (implies --redact)."),
    ] = None,
    private_field: Annotated[
        list[str] | None,
        typer.Option(
            "--private-field", help="A sidecar column to strip, e.g. intercept_ref (--redact)."
        ),
    ] = None,
    mask_party: Annotated[
        list[str] | None,
        typer.Option(
            "--mask-party",
            help="caller or receiver: mask and bleep all they say (implies --redact).",
        ),
    ] = None,
    expect: Annotated[
        str | None,
        typer.Option("--expect", help="verify: the manifest SHA-256 recorded at export."),
    ] = None,
    case: CaseOption = Path("case"),
    as_json: JsonOption = False,
) -> None:
    """Write an evidence package, check one offline, or export the case.

    A package holds each call's untouched original, its audio as 16 kHz WAV,
    transcript and translation (JSON, SRT, VTT, TXT), entities, flags,
    findings, verification record and custody log, and manifest.json with the
    SHA-256 of every file, and the custody log's hash chain up to its head.
    The manifest's SHA-256 is printed: record it. `export verify PACKAGE.zip`
    exits 1 and names the problem if any byte of the package changed, an
    original does not hash as at ingest or the custody chain does not hold.
    An original that no longer hashes as at ingest is never exported. With
    --redact the package is for publication: no original, numbers (and
    --mask-name names) masked in every text and bleeped in the audio, file
    names replaced by call ids, actors masked, --private-field columns
    stripped; with --format, the report or data export is made from a
    redacted copy of the case the same way.

    Example: callsift export 3 7 -o calls-3-7.zip && callsift export verify calls-3-7.zip
    """
    words = list(args or [])
    if words and words[0] == "verify":
        if len(words) != 2:
            raise _fail("usage: callsift export verify PACKAGE.zip", 2)
        _verify(Path(words[1]), expect, as_json)
        return
    if output is None:
        raise _fail("name the file to write with -o/--output", 2)
    redaction = None
    if any(p not in ("caller", "receiver") for p in mask_party or ()):
        raise _fail("--mask-party takes caller or receiver", 2)
    if redact or mask_name or private_field or mask_party:
        redaction = Redaction(
            names=tuple(mask_name or ()),
            private_fields=tuple(private_field or ()),
            parties=tuple(mask_party or ()),
        )
    if fmt is not None:
        _write_format(case, fmt, _call_ids(words), output, redaction, as_json)
        return
    if not words:
        raise _fail("name the calls to export (see callsift list), or use --format", 2)
    ids = _call_ids(words)
    with open_case(case) as store, progress() as bar:
        task = bar.add_task("Packing", total=len(ids), item="")
        result = build_package(
            store,
            ids,
            output,
            redaction=redaction,
            on_call=lambda call_id: bar.update(task, advance=1, item=f"call {call_id}"),
        )
    _report_package(result, as_json)


def _report_package(result: PackageResult, as_json: bool) -> None:
    if as_json:
        print_json({**asdict(result), "path": str(result.path)})
        return
    kind = "redacted package" if result.redacted else "package"
    err.print(
        f"Wrote {kind} {escape(str(result.path))}: {len(result.call_ids)} call(s), "
        f"{result.files} files, {result.size / 1e6:.1f} MB. Record the manifest's SHA-256:"
    )
    out.print(f"manifest sha256 {result.manifest_sha256}", soft_wrap=True)
    out.print(f"package  sha256 {result.package_sha256}", soft_wrap=True)


def _verify(path: Path, expect: str | None, as_json: bool) -> None:
    try:
        result = verify_package(path, expect)
    except OSError as error:
        raise _fail(f"{path}: cannot read the package ({error.strerror or error})") from error
    if as_json:
        print_json(result)
    else:
        _print_verify(path, result)
    if not result.ok:
        raise typer.Exit(1)


def _print_verify(path: Path, result: VerifyResult) -> None:
    # One line per statement, never wrapped: a reader compares the hashes and
    # paths in them, and a script may grep them from a log.
    if result.ok:
        calls = ", ".join(str(call_id) for call_id in result.call_ids)
        out.print(
            f"[green]OK[/green] {escape(str(path))}: {result.files} files match the manifest "
            f"and the seal, originals their ingest SHA-256, custody its chain (calls {calls})",
            soft_wrap=True,
        )
        out.print(f"manifest sha256 {result.manifest_sha256}", soft_wrap=True)
        return
    out.print(
        f"[red]FAILED[/red] {escape(str(path))}: {len(result.problems)} problem(s)", soft_wrap=True
    )
    for problem in result.problems:
        out.print(f"  {escape(problem)}", soft_wrap=True)


def _write_format(
    case: Path,
    fmt: str,
    ids: list[int],
    output: Path,
    redaction: Redaction | None,
    as_json: bool,
) -> None:
    # Imported here: the report and data formats pull in matplotlib and fpdf2,
    # which would slow every other callsift command down at start-up.
    from callsift.export.formats import write_format

    with open_case(case) as store:
        written = write_format(store, fmt, ids or None, output, redaction)
    if as_json:
        print_json(
            {
                "format": fmt,
                "path": str(written),
                "call_ids": ids or None,
                "redacted": redaction is not None,
            }
        )
        return
    out.print(f"Wrote {'redacted ' if redaction else ''}{fmt} {escape(str(written))}")


@app.command(name="quote")
def quote(
    call: Annotated[int, typer.Option("--call", help="The call to quote (see callsift list).")],
    start: Annotated[float, typer.Option("--start", help="Seconds into the call.")],
    end: Annotated[float, typer.Option("--end", help="Seconds into the call.")],
    output: Annotated[Path, typer.Option("--out", "-o", help="The quote ZIP to write.")],
    case: CaseOption = Path("case"),
    as_json: JsonOption = False,
) -> None:
    """Write a quote: a passage of a call as a WAV clip with its words, ready to cite.

    The ZIP holds clip.wav (cut from the original once it hashes as at
    ingest), citation.txt and citation.json (the call, its file, the
    original's and the clip's SHA-256, the offsets, each segment's text and
    English with their versions, who corrected them and who said it) and the
    custody entry of the quote, logged in the case; `callsift export verify`
    checks it. A quote is at most 5 minutes.

    Example: callsift quote --case case --call 3 --start 12.5 --end 31 --out call-3-quote.zip
    """
    with open_case(case) as store:
        result = write_quote(store, call, start, end, output)
    if as_json:
        print_json({**asdict(result), "path": str(result.path)})
        return
    err.print(
        f"Wrote quote {escape(str(result.path))}: call {result.call_id},"
        f" {result.start:.2f}-{result.end:.2f} s, custody entry {result.custody_id}."
    )
    out.print(f"clip     sha256 {result.clip_sha256}", soft_wrap=True)
    out.print(f"manifest sha256 {result.manifest_sha256}", soft_wrap=True)
