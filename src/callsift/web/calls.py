"""The call page and what a reviewer does on it: listen, annotate, correct, verify, export.

Every view of the page and every play of the audio is written to the custody
log under the reviewer's name (the audio request is the play: a range
request for the rest of the file is not a new one). Changes answer htmx with
the updated fragment; a change made against an outdated version answers 409
with the current state in the same fragment, so the reviewer sees what
changed before trying again.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from callsift.analyze.run import AnalyzeOptions, analyze_case
from callsift.audio.playback import playback_audio
from callsift.dossier import CallDossier, call_dossier
from callsift.errors import ConflictError, InputError, ReviewError
from callsift.export.package import build_package, call_folder
from callsift.export.redact import Redaction
from callsift.records import Call
from callsift.store import get_call
from callsift.store.review import add_annotation, annotations_of, correct_segment
from callsift.verify.status import STATUSES, set_status, verification_of
from callsift.web.charts import waveform_path
from callsift.web.errors import BadRequest, Conflict, NotFound
from callsift.web.render import page
from callsift.web.security import (
    Annotating,
    CaseContext,
    Correcting,
    Exporting,
    Reading,
    Verifying,
)
from callsift.web.transcript import segment_views

__all__ = ["existing_call", "open_call", "router"]

router = APIRouter()


def open_call(ctx: CaseContext, call_id: int) -> CallDossier:
    """The call's dossier, or 404 for a call the case does not hold."""
    try:
        return call_dossier(ctx.store, call_id)
    except ReviewError:
        raise NotFound() from None


def existing_call(ctx: CaseContext, call_id: int) -> Call:
    """The call's record alone (no transcript), or 404: for routes that only change it."""
    call = get_call(ctx.store, call_id)
    if call is None:
        raise NotFound()
    return call


def _htmx(request: Request) -> bool:
    return "hx-request" in request.headers


def _attempt(change: Callable[[], object]) -> tuple[str, int]:
    """Make a reviewer's change: ``("", 200)``, or why it was refused and the status."""
    try:
        change()
    except ConflictError as conflict:
        return str(conflict), 409
    except ReviewError as refused:
        return str(refused), 400
    return "", 200


def _without_htmx(
    request: Request, ctx: CaseContext, call_id: int, error: str = "", code: int = 200
) -> Response | None:
    """A form sent by a browser without scripts: back to the call page, or the error page."""
    if _htmx(request):
        return None
    if error:
        raise Conflict(error) if code == 409 else BadRequest(error)
    return RedirectResponse(f"/cases/{ctx.case.slug}/calls/{call_id}", status_code=303)


@router.get("/cases/{case}/calls/{call_id}", response_class=HTMLResponse)
def call_page(request: Request, ctx: Reading, call_id: int) -> Response:
    dossier = open_call(ctx, call_id)
    ctx.store.log("view", dossier.call.sha256, call_id=call_id, via="web")
    waveform = None
    if dossier.call.status == "done":
        try:
            _, peaks = playback_audio(
                ctx.store.originals.path(dossier.call.sha256),
                ctx.store.derived / "playback",
                dossier.call.sha256,
            )
            waveform = waveform_path(peaks)
        except InputError:
            waveform = None
    return page(
        request,
        "call.html",
        {
            "d": dossier,
            "segments": segment_views(dossier),
            "waveform": waveform,
            "statuses": STATUSES,
            "error": "",
        },
        case=ctx,
    )


@router.get("/cases/{case}/calls/{call_id}/audio")
def call_audio(request: Request, ctx: Reading, call_id: int) -> Response:
    """The call as 16 kHz PCM WAV, parties on their channels; seekable (range requests)."""
    call = existing_call(ctx, call_id)
    if call.status != "done":
        raise NotFound("this recording could not be decoded, so it cannot be played")
    wav, _ = playback_audio(
        ctx.store.originals.path(call.sha256), ctx.store.derived / "playback", call.sha256
    )
    asked = request.headers.get("range", "")
    if not asked or asked.replace(" ", "").startswith("bytes=0-"):
        ctx.store.log("play", call.sha256, call_id=call_id, via="web")
    return FileResponse(wav, media_type="audio/wav", filename=f"{call_folder(call_id)}.wav")


@router.post("/cases/{case}/calls/{call_id}/annotations", response_class=HTMLResponse)
def annotate(
    request: Request,
    ctx: Annotating,
    call_id: int,
    text: Annotated[str, Form(max_length=10_000)],
    channel: Annotated[int | None, Form()] = None,
    start: Annotated[float | None, Form()] = None,
) -> Response:
    existing_call(ctx, call_id)
    add_annotation(ctx.store, call_id, ctx.viewer.name, text, channel, start)
    plain = _without_htmx(request, ctx, call_id)
    if plain is not None:
        return plain
    return page(
        request,
        "_annotations.html",
        {"annotations": annotations_of(ctx.store, call_id), "call_id": call_id},
        case=ctx,
    )


@router.post("/cases/{case}/calls/{call_id}/segments/{segment_id}", response_class=HTMLResponse)
def correct(
    request: Request,
    ctx: Correcting,
    call_id: int,
    segment_id: int,
    text: Annotated[str, Form(max_length=10_000)],
    version: Annotated[int, Form()],
    note: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """Record a corrected text as the segment's next version, then re-analyse the call."""
    error, status = _attempt(
        lambda: correct_segment(
            ctx.store, call_id, segment_id, text, ctx.viewer.name, version, note
        )
    )
    if not error:
        analyze_case(ctx.store, AnalyzeOptions(request.app.state.settings.watchlists))
    dossier = open_call(ctx, call_id)
    view = next((v for v in segment_views(dossier) if v.segment.id == segment_id), None)
    if view is None:
        raise NotFound()
    plain = _without_htmx(request, ctx, call_id, error, status)
    if plain is not None:
        return plain
    return page(
        request,
        "_segment.html",
        {"view": view, "d": dossier, "error": error},
        case=ctx,
        status_code=status,
    )


def _links(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(",", " ").split()]
    except ValueError:
        raise BadRequest("links are call numbers, separated by commas or spaces") from None


@router.post("/cases/{case}/calls/{call_id}/verification", response_class=HTMLResponse)
def verify(
    request: Request,
    ctx: Verifying,
    call_id: int,
    status: Annotated[str, Form()],
    version: Annotated[int, Form()],
    note: Annotated[str, Form(max_length=10_000)] = "",
    links: Annotated[str, Form(max_length=1_000)] = "",
) -> Response:
    existing_call(ctx, call_id)
    error, code = _attempt(
        lambda: set_status(
            ctx.store, call_id, status, ctx.viewer.name, note, _links(links), version
        )
    )
    plain = _without_htmx(request, ctx, call_id, error, code)
    if plain is not None:
        return plain
    return page(
        request,
        "_verification.html",
        {
            "v": verification_of(ctx.store, call_id),
            "call_id": call_id,
            "statuses": STATUSES,
            "error": error,
            "oob": True,  # the status badge beside the call's title follows
        },
        case=ctx,
        status_code=code,
    )


@router.post("/cases/{case}/calls/{call_id}/export")
def export_call(
    ctx: Exporting,
    call_id: int,
    redact: Annotated[bool, Form()] = False,
    names: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """The call's evidence package (or, with ``redact``, its publication package) as a download."""
    existing_call(ctx, call_id)
    folder = Path(tempfile.mkdtemp(prefix="callsift-export-"))
    redaction = None
    if redact:
        redaction = Redaction(names=tuple(n.strip() for n in names.split(",") if n.strip()))
    name = f"{call_folder(call_id)}{'-redacted' if redact else ''}.zip"
    try:
        result = build_package(ctx.store, [call_id], folder / name, redaction=redaction)
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
