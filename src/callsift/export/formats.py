"""One entry point for the case exports that are not evidence packages.

``callsift export --format FMT`` calls ``write_format``; each format is one
writer with the same signature, so adding one is one line in ``WRITERS``.
Every export is a disclosure of evidence, so once the file is complete its
SHA-256 is recorded in the custody log against each call it holds (one
transaction), the way evidence packages are.

Formats:

- ``html``: printable case report, one self-contained file.
- ``pdf``: the same report as an A4 PDF.
- ``ftm``: FollowTheMoney entities as JSON lines (Aleph, ``ftm`` tools).
- ``sqlite``: Datasette-ready database, plus ``<stem>.metadata.json``.
- ``csv``: ``calls.csv`` content; every table as CSVs when ``out`` ends in .zip.

Any of them can be made for publication from a redacted copy of the case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from callsift.errors import CallsiftError
from callsift.export.datasette import write_sqlite
from callsift.export.ftm import write_ftm
from callsift.export.pdf import write_pdf
from callsift.export.redact import Redaction
from callsift.export.redacted import redacted_copy
from callsift.export.report import build_report
from callsift.export.report_html import write_html
from callsift.export.tables import write_csv
from callsift.store import CaseStore, sha256_file
from callsift.store.export_queries import calls_for_export

__all__ = ["FORMATS", "WRITERS", "write_format"]

Writer = Callable[[CaseStore, Sequence[int] | None, Path], Path]


def _html(store: CaseStore, call_ids: Sequence[int] | None, out: Path) -> Path:
    return write_html(build_report(store, call_ids), out)


def _pdf(store: CaseStore, call_ids: Sequence[int] | None, out: Path) -> Path:
    return write_pdf(build_report(store, call_ids), out)


WRITERS: dict[str, Writer] = {
    "html": _html,
    "pdf": _pdf,
    "ftm": write_ftm,
    "sqlite": write_sqlite,
    "csv": write_csv,
}
FORMATS: tuple[str, ...] = tuple(WRITERS)


def write_format(
    store: CaseStore,
    fmt: str,
    call_ids: Sequence[int] | None,
    out: Path,
    redaction: Redaction | None = None,
) -> Path:
    """Export the selected calls (``None``: the whole case) as ``fmt`` to ``out``.

    With ``redaction`` the export is made from a masked copy of the case
    (:mod:`callsift.export.redacted`), for publication.

    Raises ``CallsiftError`` for an unknown format, a missing output folder or
    a call id not in the case, before anything is written.
    """
    writer = WRITERS.get(fmt)
    if writer is None:
        raise CallsiftError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not out.parent.is_dir():
        raise CallsiftError(f"{out}: the folder {out.parent} does not exist")
    calls = calls_for_export(store, call_ids)
    if redaction is None:
        path = writer(store, call_ids, out)
    else:
        with redacted_copy(store, redaction) as masked:
            path = writer(masked, call_ids, out)
    digest = sha256_file(path)
    with store.transaction():
        for call in calls:
            store.log(
                "export",
                call.sha256,
                format=fmt,
                file=str(path),
                file_sha256=digest,
                redacted=redaction is not None,
            )
    return path
