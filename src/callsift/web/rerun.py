"""Transcribe one call again from its page, with another language, while the team watches.

A transcript that came out empty or in a nonsense language (see
:mod:`callsift.store.reliability`) is redone by the same command an analyst
would type, ``callsift process --case DIR --call ID --language X``, started
as a child process (arguments as a list, no shell) and left to run apart
from the request. The server remembers its child per case, so a second
re-run of the same case is refused (409) while one runs, and the call page
polls a small fragment that shows it running, then reloads the page (the
``HX-Refresh`` header) when it has finished.

One server process keeps the children it started; a page served by another
process (or after a restart) follows the re-run through the case's jobs
table instead, which the command writes as it goes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from callsift.records import Call
from callsift.store import get_call
from callsift.store.case import CaseStore
from callsift.store.jobs import Job, mark_interrupted, recent_jobs
from callsift.store.reliability import reliability_of
from callsift.web.errors import Conflict, NotFound
from callsift.web.inputs import CallId, check_id
from callsift.web.render import page
from callsift.web.security import CaseContext, Correcting, Reading

__all__ = ["RERUN_LANGUAGES", "RerunState", "rerun_state", "router"]

router = APIRouter()

RERUN_LANGUAGES = ("uk", "ru", "en")
"""Languages offered for a re-run; an empty choice lets the model guess again."""

BUSY = "A re-run is already running in this case; wait for it to finish, then try again."

_LOG_TAIL = 300  # characters of the command's error output shown when it fails


@dataclass
class _Child:
    call_id: int
    process: subprocess.Popen[bytes]
    log: Path


_children: dict[Path, _Child] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class RerunState:
    """What the call page says about re-running this call.

    Attributes:
        running: a re-run of this call is under way (the fragment polls).
        done: it has just finished (the page reloads to show the new transcript).
        error: why the last re-run started here failed (empty otherwise).
        job: the latest re-run job of this call recorded in the case, if any.
        busy: another call of the case is being re-run (the form is held back).
        refused: why a request to re-run was refused: ``language`` (not one
            offered), ``same`` (the transcript is sound and already in that
            language: the model would write it again) or ``busy`` (a re-run of
            the case is running).
    """

    running: bool = False
    done: bool = False
    error: str = ""
    job: Job | None = None
    busy: bool = False
    refused: str = ""


def _recent_jobs(store: CaseStore) -> list[Job]:
    """The case's latest jobs, a job whose process died marked so first."""
    mark_interrupted(store)
    return recent_jobs(store, 20)


def _running_jobs(store: CaseStore) -> list[Job]:
    return [j for j in _recent_jobs(store) if j.state == "running"]


def rerun_state(ctx: CaseContext, call_id: int, file: str, *, collect: bool = False) -> RerunState:
    """Where a re-run of this call stands; ``collect`` takes in a finished child (once)."""
    jobs = _recent_jobs(ctx.store)  # read once: both what runs and this call's last re-run
    running = [j for j in jobs if j.state == "running"]
    job = next((j for j in jobs if j.kind == "rerun" and j.item == file), None)
    with _lock:
        child = _children.get(ctx.case.path)
        if child is not None and child.process.poll() is not None and collect:
            del _children[ctx.case.path]
            if child.call_id == call_id:
                if child.process.returncode == 0:
                    return RerunState(done=True, job=job)
                return RerunState(error=_failure(child), job=job)
    if child is not None and child.process.poll() is None:
        if child.call_id == call_id:
            return RerunState(running=True, job=job)
        return RerunState(busy=True, job=job)
    if job is not None and job.state == "running":
        return RerunState(running=True, job=job)
    return RerunState(job=job, busy=bool(running))


def _already_in(ctx: CaseContext, call_id: int, language: str) -> bool:
    """Whether a sound transcript of this call is already in ``language``: nothing to redo."""
    found = reliability_of(ctx.store, [call_id]).get(call_id)
    if not language or found is None or found.state != "reliable":
        return False
    heard = [c.language for c in found.channels if c.words]
    return bool(heard) and all(lang == language for lang in heard)


def _existing(ctx: CaseContext, call_id: int) -> Call:
    call = get_call(ctx.store, check_id(call_id))
    if call is None:
        raise NotFound()
    return call


def _failure(child: _Child) -> str:
    try:
        text = child.log.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    last = text.splitlines()[-1] if text else ""
    return last[-_LOG_TAIL:] or f"the command stopped (exit code {child.process.returncode})"


def _command(request: Request, ctx: CaseContext, call_id: int, language: str) -> list[str]:
    command = [sys.executable, "-m", "callsift", "process", "--case", str(ctx.case.path)]
    command += ["--call", str(call_id)]
    if language:
        command += ["--language", language]
    watchlists = request.app.state.settings.watchlists
    if watchlists is not None:
        command += ["--watchlists", str(watchlists)]
    return command


@router.post("/cases/{case}/calls/{call_id}/rerun", response_class=HTMLResponse)
def start_rerun(
    request: Request,
    ctx: Correcting,
    call_id: CallId,
    language: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Start ``callsift process --call ID`` for this call; 409 while a re-run of the case runs."""
    call = _existing(ctx, call_id)
    if language not in ("", *RERUN_LANGUAGES):
        return _fragment(
            request, ctx, call_id, RerunState(error="Choose a language from the list."), 400
        )
    if _already_in(ctx, call_id, language):
        return _fragment(request, ctx, call_id, RerunState(refused="same"))
    with _lock:
        child = _children.get(ctx.case.path)
        if (child is not None and child.process.poll() is None) or _running_jobs(ctx.store):
            if "hx-request" in request.headers:
                return _fragment(request, ctx, call_id, RerunState(error=BUSY, busy=True), 409)
            raise Conflict(BUSY)
        log = ctx.store.derived / "reruns" / f"call-{call_id}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        ctx.store.log("rerun-started", call.sha256, call_id=call_id, language=language or "auto")
        with log.open("wb") as errors:
            process = subprocess.Popen(  # noqa: S603 (our own command, arguments as a list)
                _command(request, ctx, call_id, language),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
                env=_environment(ctx),
            )
        _children[ctx.case.path] = _Child(call_id, process, log)
    if "hx-request" not in request.headers:
        return RedirectResponse(f"/cases/{ctx.case.slug}/calls/{call_id}", status_code=303)
    return _fragment(request, ctx, call_id, RerunState(running=True))


def _environment(ctx: CaseContext) -> dict[str, str]:
    """The server's environment, with the custody log naming the user who asked."""
    return {**os.environ, "CALLSIFT_ACTOR": ctx.viewer.name}


@router.get("/cases/{case}/calls/{call_id}/rerun", response_class=HTMLResponse)
def rerun_status(request: Request, ctx: Reading, call_id: CallId) -> Response:
    """The fragment the call page polls while its re-run runs; reloads the page when done."""
    call = _existing(ctx, call_id)
    state = rerun_state(ctx, call_id, call.file, collect=True)
    response = _fragment(request, ctx, call_id, state)
    if state.done:
        response.headers["HX-Refresh"] = "true"
    return response


def _fragment(
    request: Request, ctx: CaseContext, call_id: int, state: RerunState, status: int = 200
) -> HTMLResponse:
    return page(
        request,
        "_rerun.html",
        {"call_id": call_id, "rerun": state, "rerun_languages": RERUN_LANGUAGES},
        case=ctx,
        status_code=status,
    )
