"""Downloads from the call page: the call's evidence (or publication) package, and a quote.

A quote is the passage a reviewer marked, with what ties it to the
evidence. The call page's player marks a span (from the player's position, or from
words selected in the transcript); this route writes the quote ZIP through
:func:`callsift.export.quote.write_quote` (the original checked against its
ingest hash, a custody entry logged) and sends it. A span the library
refuses is a 400 that says why; an original that no longer hashes as at
ingest is never quoted.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from callsift.errors import OriginalError
from callsift.export.package import build_package, call_folder
from callsift.export.quote import write_quote
from callsift.export.redact import Redaction
from callsift.web.calls import existing_call
from callsift.web.errors import BadRequest, WebError
from callsift.web.inputs import MAX_SECONDS, CallId
from callsift.web.security import CaseContext, Exporting

__all__ = ["package_download", "router"]

router = APIRouter()

Seconds = Annotated[float, Form(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]


@router.post("/cases/{case}/calls/{call_id}/export")
def export_call(
    ctx: Exporting,
    call_id: CallId,
    redact: Annotated[bool, Form()] = False,
    names: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """The call's evidence package (or, with ``redact``, its publication package) as a download."""
    existing_call(ctx, call_id)
    redaction = None
    if redact:
        redaction = Redaction(names=tuple(n.strip() for n in names.split(",") if n.strip()))
    name = f"{call_folder(call_id)}{'-redacted' if redact else ''}.zip"
    return package_download(ctx, [call_id], name, redaction)


def package_download(
    ctx: CaseContext, ids: list[int], name: str, redaction: Redaction | None = None
) -> Response:
    """The package of ``ids`` as a download named ``name``, made in a folder removed after.

    An original that no longer hashes as at ingest stops the package (400 with why):
    a package that left a call out would mislead whoever receives it.
    """
    folder = Path(tempfile.mkdtemp(prefix="callsift-export-"))
    try:
        result = build_package(ctx.store, ids, folder / name, redaction=redaction)
    except OriginalError as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise BadRequest(f"no package made: {error}") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        result.path,
        media_type="application/zip",
        filename=name,
        headers={"x-manifest-sha256": result.manifest_sha256},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


@router.post("/cases/{case}/calls/{call_id}/quote")
def quote_call(ctx: Exporting, call_id: CallId, start: Seconds, end: Seconds) -> Response:
    """The quote of ``start``-``end`` seconds of the call, as a ZIP to download."""
    call = existing_call(ctx, call_id)
    folder = Path(tempfile.mkdtemp(prefix="callsift-quote-"))
    name = f"{call_folder(call_id)}-quote-{start:.1f}-{end:.1f}s.zip"
    try:
        result = write_quote(ctx.store, call_id, start, end, folder / name)
    except BaseException as error:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, OriginalError):
            raise WebError(
                f"call {call_id} ({call.file}) is not quoted: its original no longer matches"
                " the SHA-256 recorded at ingest; run callsift check --originals"
            ) from error
        raise
    return FileResponse(
        result.path,
        media_type="application/zip",
        filename=name,
        headers={
            "x-clip-sha256": result.clip_sha256,
            "x-manifest-sha256": result.manifest_sha256,
            "x-custody-entry": str(result.custody_id),
        },
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
