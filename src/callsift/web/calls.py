"""The call page and what a reviewer does on it: listen, annotate, correct, verify, export.

Every view of the page and every play of the audio is written to the custody
log under the reviewer's name (each audio request is a play, with the byte
range it asked for). Changes answer htmx with
the updated fragment; a change made against an outdated version answers 409
with the current state in the same fragment, so the reviewer sees what
changed before trying again.

Whoever corrected a call's transcript does not also vouch for it (set it
``verified`` or ``corroborated``): another reviewer does, unless the server
allows it (``WebSettings.self_verification``, for one-person teams), and
then the verification's note says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from callsift.analyze.run import AnalyzeOptions, analyze_unless_busy
from callsift.audio.playback import playback_audio
from callsift.dossier import CallDossier, call_dossier
from callsift.errors import ConflictError, InputError, OriginalError, ReviewError
from callsift.export.package import call_folder
from callsift.records import Call
from callsift.store import get_call
from callsift.store.certainty import certainties
from callsift.store.review import (
    add_annotation,
    annotations_of,
    correct_segment,
    segment_versions_of,
)
from callsift.store.translations import (
    correct_translation,
    english_engines,
    english_of,
    translation_versions_of,
)
from callsift.verify.originals import verify_original_once
from callsift.verify.status import STATUSES, set_status, verification_of
from callsift.web.charts import waveform_path
from callsift.web.errors import BadRequest, Conflict, NotFound, WebError
from callsift.web.inputs import (
    MAX_CHANNEL,
    MAX_ID,
    MAX_LINKS,
    MAX_SECONDS,
    CallId,
    SegmentId,
    check_id,
)
from callsift.web.render import page
from callsift.web.rerun import RERUN_LANGUAGES, rerun_state
from callsift.web.security import (
    Annotating,
    CaseContext,
    Correcting,
    Reading,
    Verifying,
)
from callsift.web.transcript import SegmentView, segment_views

__all__ = ["VOUCHING", "existing_call", "open_call", "router", "vouched_note"]

router = APIRouter()

# The statuses that vouch for a call, which its own corrector may not give.
VOUCHING = frozenset({"verified", "corroborated"})


def open_call(ctx: CaseContext, call_id: int) -> CallDossier:
    """The call's dossier, or 404 for a call the case does not hold."""
    try:
        return call_dossier(ctx.store, check_id(call_id))
    except ReviewError:
        raise NotFound() from None


def existing_call(ctx: CaseContext, call_id: int) -> Call:
    """The call's record alone (no transcript), or 404: for routes that only change it."""
    call = get_call(ctx.store, check_id(call_id))
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
def call_page(request: Request, ctx: Reading, call_id: CallId) -> Response:
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
            "segments": _views(ctx, dossier),
            "english_engines": english_engines(ctx.store, call_id),
            "waveform": waveform,
            "statuses": STATUSES,
            "error": "",
            "certainty": certainties(ctx.store, call_id).get(call_id),
            "reliability": dossier.reliability,
            "rerun": rerun_state(ctx, call_id, dossier.call.file),
            "rerun_languages": RERUN_LANGUAGES,
            "finding_files": _other_files(ctx, dossier),
        },
        case=ctx,
    )


def _other_files(ctx: CaseContext, dossier: CallDossier) -> dict[int, str]:
    """The file of each call a finding of this call compares it with (its links name them)."""
    ids = {i for f in dossier.findings for i in (f.call_id, f.other_call_id) if i is not None}
    calls = (get_call(ctx.store, i) for i in sorted(ids))
    return {call.id: call.file for call in calls if call is not None}


@router.get("/cases/{case}/calls/{call_id}/audio")
def call_audio(request: Request, ctx: Reading, call_id: int) -> Response:
    """The call as 16 kHz PCM WAV, parties on their channels; seekable (range requests).

    Nothing is played from an original that no longer hashes as at ingest
    (checked once per file identity, see ``verify_original_once``): the
    answer names the call, its file and both hashes.
    """
    call = existing_call(ctx, call_id)
    if call.status != "done":
        raise NotFound("this recording could not be decoded, so it cannot be played")
    try:
        original = verify_original_once(ctx.store, call)
    except OriginalError as error:
        found = f"it now hashes to {error.found}" if error.found else "it is missing"
        raise WebError(
            f"call {call_id} ({call.file}) is not played: its original does not match the"
            f" SHA-256 {call.sha256} recorded at ingest ({found}); run callsift check --originals"
        ) from error
    wav, _ = playback_audio(original, ctx.store.derived / "playback", call.sha256)
    # Every read is a play, whatever range it asks for: ranges can assemble the
    # whole file ("bytes=1-", "bytes=00-", a suffix, or a run of small pieces),
    # so none goes unrecorded. A browser seeking makes a few entries per listen.
    asked = request.headers.get("range", "")[:200]
    ctx.store.log("play", call.sha256, call_id=call_id, via="web", range=asked or "whole")
    return FileResponse(wav, media_type="audio/wav", filename=f"{call_folder(call_id)}.wav")


@router.post("/cases/{case}/calls/{call_id}/annotations", response_class=HTMLResponse)
def annotate(
    request: Request,
    ctx: Annotating,
    call_id: CallId,
    text: Annotated[str, Form(max_length=10_000)],
    channel: Annotated[int | None, Form(ge=0, le=MAX_CHANNEL)] = None,
    start: Annotated[float | None, Form(ge=0, le=MAX_SECONDS, allow_inf_nan=False)] = None,
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
    call_id: CallId,
    segment_id: SegmentId,
    text: Annotated[str, Form(max_length=10_000)],
    version: Annotated[int, Form(ge=0, le=MAX_ID)],
    note: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """Record a corrected text as the segment's next version, then re-analyse the call."""
    error, status = _attempt(
        lambda: correct_segment(
            ctx.store, call_id, segment_id, text, ctx.viewer.name, version, note
        )
    )
    if not error:
        analyze_unless_busy(
            ctx.store, AnalyzeOptions(request.app.state.settings.watchlists), call_id
        )
    typed = Typed("text", text, note, status == 409) if error else None
    return _segment_page(request, ctx, call_id, segment_id, error, status, typed)


@router.post(
    "/cases/{case}/calls/{call_id}/segments/{segment_id}/english", response_class=HTMLResponse
)
def correct_english(
    request: Request,
    ctx: Correcting,
    call_id: CallId,
    segment_id: SegmentId,
    text: Annotated[str, Form(max_length=10_000)],
    version: Annotated[int, Form(ge=0, le=MAX_ID)],
    note: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """Record a reviewer's English as the segment's next English version."""
    error, status = _attempt(
        lambda: correct_translation(
            ctx.store, call_id, segment_id, text, ctx.viewer.name, version, note
        )
    )
    typed = Typed("english", text, note, status == 409) if error else None
    return _segment_page(request, ctx, call_id, segment_id, error, status, typed)


def _views(ctx: CaseContext, dossier: CallDossier) -> list[SegmentView]:
    call_id = dossier.call.id
    english = english_of(ctx.store, call_id)
    return segment_views(dossier, english, translation_versions_of(ctx.store, call_id))


@dataclass(frozen=True)
class Typed:
    """What a reviewer typed into a correction that was refused, given back to the form.

    Attributes:
        which: ``text`` (the transcript) or ``english``.
        text: the words typed.
        note: the reason typed.
        conflict: refused because someone saved a newer version meanwhile: the
            page shows both versions side by side to merge.
    """

    which: str
    text: str
    note: str
    conflict: bool


def _segment_page(
    request: Request,
    ctx: CaseContext,
    call_id: int,
    segment_id: int,
    error: str,
    status: int,
    typed: Typed | None = None,
) -> Response:
    """One segment after a change, for htmx; back to the call page for a plain form."""
    dossier = open_call(ctx, call_id)
    view = next((v for v in _views(ctx, dossier) if v.segment.id == segment_id), None)
    if view is None:
        raise NotFound()
    plain = _without_htmx(request, ctx, call_id, error, status)
    if plain is not None:
        return plain
    return page(
        request,
        "_segment.html",
        {
            "view": view,
            "d": dossier,
            "error": error,
            "typed": typed,
            "english_engines": english_engines(ctx.store, call_id),
        },
        case=ctx,
        status_code=status,
    )


def _links(text: str) -> list[int]:
    parts = text.replace(",", " ").split()
    if len(parts) > MAX_LINKS or not all(
        part.isascii() and part.isdigit() and 1 <= int(part) <= MAX_ID for part in parts
    ):
        raise ReviewError(
            f"links are up to {MAX_LINKS} call numbers, separated by commas or spaces",
            field="links",
        )
    return [int(part) for part in parts]


def vouched_note(request: Request, ctx: CaseContext, call_id: int, status: str, note: str) -> str:
    """The note to record with ``status``, once the separation of duties allows it.

    Raises:
        ReviewError: the reviewer corrected the call's transcript and would
            vouch for it, and the server does not allow that.
    """
    if status not in VOUCHING:
        return note
    corrected = segment_versions_of(ctx.store, call_id).values()
    if not any(v.editor == ctx.viewer.name and v.version > 1 for vs in corrected for v in vs):
        return note
    if not request.app.state.settings.self_verification:
        raise ReviewError(
            f"you corrected this call's transcript, so another reviewer must mark it {status}"
            " (a one-person team can allow this: callsift serve --self-verification)",
            field="status",
        )
    said = (
        f"[{ctx.viewer.name} also corrected this call's transcript; the server allows"
        " self-verification]"
    )
    return f"{note.strip()}\n{said}".strip()


@router.post("/cases/{case}/calls/{call_id}/verification", response_class=HTMLResponse)
def verify(
    request: Request,
    ctx: Verifying,
    call_id: CallId,
    status: Annotated[str, Form(max_length=100)],
    version: Annotated[int, Form(ge=0, le=MAX_ID)],
    note: Annotated[str, Form(max_length=10_000)] = "",
    links: Annotated[str, Form(max_length=1_000)] = "",
) -> Response:
    """Set the call's status; a refusal answers the form as typed, the field at fault marked."""
    existing_call(ctx, call_id)
    error, field, code = "", None, 200
    try:
        set_status(
            ctx.store,
            call_id,
            status,
            ctx.viewer.name,
            vouched_note(request, ctx, call_id, status, note),
            _links(links),
            version,
        )
    except ConflictError as conflict:
        error, code = str(conflict), 409
    except ReviewError as refused:
        error, field, code = str(refused), refused.field, 400
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
            "field": field,
            # What the reviewer typed, given back whole when the change was refused.
            "typed": {"status": status, "note": note, "links": links} if error else None,
            "oob": True,  # the status badge beside the call's title follows
        },
        case=ctx,
        status_code=code,
    )
