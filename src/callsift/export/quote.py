"""A quote: one passage of a call as an audio clip with its words, ready to cite.

A journalist quoting a call needs the passage itself (a clip to play to an
editor or a court), what was said in it and its English, and what ties the
clip to the evidence: the original's SHA-256, where in the call the passage
lies, and the custody entry that records the quote being made. A quote ZIP
carries exactly that:

* ``clip.wav``: the span cut from the original, decoded as for evidence
  packages (16 kHz 16-bit PCM, every channel kept), after the original is
  checked to hash as at ingest;
* ``citation.json`` and ``citation.txt``: the call, its file, the original's
  and the clip's SHA-256, the offsets, each segment the span touches with its
  text and English, their versions and who corrected them, the party where
  known, and the custody entry of the quote (id and hash);
* ``custody-chain.json`` and ``manifest.json``, sealed, as an evidence
  package has them, so ``callsift export verify`` checks a quote too: the
  manifest names the quote, and the check finds its custody entry in the
  chain with the clip's SHA-256 (:mod:`callsift.export.chain`).

The custody entry is logged before the ZIP is written, so the citation can
name it; it records the clip's SHA-256, which is all a later reader needs to
tie a clip found on its own back to the call. A span is refused when it is
not a finite stretch inside the call, or longer than :data:`MAX_QUOTE_S`.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callsift.audio import DecodeOptions, decode
from callsift.audio.wavfile import write_wav
from callsift.errors import InputError
from callsift.export.chain import CHAIN, chain_manifest, chain_segment
from callsift.export.manifest import FORMAT, MANIFEST, SEAL_PLACEHOLDER, seal, tool_versions
from callsift.export.partial import partial_file
from callsift.parties import call_parties
from callsift.records import Call
from callsift.store import CaseStore, get_call, segments_of, utc_now
from callsift.store.custody import chain_head
from callsift.store.review import segment_versions_of
from callsift.store.translations import english_of, translation_versions_of
from callsift.verify.originals import verify_original

__all__ = ["CLIP", "MAX_QUOTE_S", "QuoteResult", "check_span", "write_quote"]

MAX_QUOTE_S = 300.0
"""The longest quote: a passage to cite, not a copy of the call (export a package for that)."""
CLIP = "clip.wav"
_END_SLACK_S = 0.25  # a player's end-of-audio may pass the decoded end by a few frames
_EPOCH = (1980, 1, 1, 0, 0, 0)
_DECODE = DecodeOptions()


@dataclass(frozen=True)
class QuoteResult:
    """A quote written.

    Attributes:
        path: the ZIP.
        call_id: the call quoted.
        start: where the clip starts, seconds into the call.
        end: where it ends.
        clip_sha256: SHA-256 of ``clip.wav``.
        custody_id: the custody entry recording the quote.
        custody_hash: that entry's chain hash.
        manifest_sha256: SHA-256 of the ZIP's ``manifest.json``.
        package_sha256: SHA-256 of the whole ZIP.
    """

    path: Path
    call_id: int
    start: float
    end: float
    clip_sha256: str
    custody_id: int
    custody_hash: str
    manifest_sha256: str
    package_sha256: str


def check_span(start: float, end: float, length: float | None = None) -> tuple[float, float]:
    """``(start, end)`` once they are a stretch a quote may cover; ``end`` kept inside the call.

    Raises:
        InputError: a time that is not a finite number of seconds, an end not
            after the start, a span longer than :data:`MAX_QUOTE_S`, or one
            outside a call ``length`` seconds long.
    """
    where = "quote"
    if not (math.isfinite(start) and math.isfinite(end)):
        raise InputError(where, "the start and end are seconds into the call, as numbers")
    if start < 0:
        raise InputError(where, f"the start is seconds into the call, not {start:g}")
    if end <= start:
        raise InputError(where, f"the end ({end:g} s) must come after the start ({start:g} s)")
    if end - start > MAX_QUOTE_S:
        raise InputError(
            where,
            f"a quote is at most {MAX_QUOTE_S / 60:g} minutes; this span is"
            f" {end - start:.1f} s (export the call's package for more)",
        )
    if length is not None:
        if start >= length or end > length + _END_SLACK_S:
            raise InputError(where, f"the call is {length:.1f} s long; choose a span inside it")
        end = min(end, length)
        if end <= start:
            raise InputError(where, "the span is empty inside the call; choose a longer one")
    return start, end


def write_quote(store: CaseStore, call_id: int, start: float, end: float, out: Path) -> QuoteResult:
    """Write the quote of ``call_id`` from ``start`` to ``end`` seconds to ``out`` (a ZIP).

    Raises ``InputError`` for an unknown call, a span :func:`check_span`
    refuses, an original that cannot be decoded or an ``out`` that exists,
    and ``OriginalError`` for an original that no longer hashes as at ingest.
    """
    call = get_call(store, call_id)
    if call is None:
        raise InputError(f"call {call_id}", "not in this case (see callsift list)")
    if call.status != "done":
        why = f": {call.reason}" if call.reason else ""
        raise InputError(
            f"call {call_id} ({call.file})", f"was not decoded, so it has no quote{why}"
        )
    out = Path(out)
    if out.exists():
        raise InputError(str(out), "already exists; a quote is never overwritten")
    start, end = check_span(start, end, call.duration_s or None)
    _, tracks = decode(verify_original(store, call), _DECODE)
    rate = _DECODE.sample_rate
    start, end = check_span(start, end, len(tracks[0]) / rate)
    first, last = round(start * rate), min(round(end * rate), len(tracks[0]))
    clip = io.BytesIO()
    write_wav(clip, [track[first:last] for track in tracks], rate)
    clip_bytes = clip.getvalue()
    clip_sha256 = hashlib.sha256(clip_bytes).hexdigest()
    passages = _passages(store, call, start, end)
    with store.transaction():
        store.log(
            "quote",
            call.sha256,
            call_id=call.id,
            start=start,
            end=end,
            clip_sha256=clip_sha256,
            segments=[p["segment"] for p in passages],
        )
        head = chain_head(store.conn)
    assert head is not None  # the entry just logged
    entry = next(e for e in store.custody(call.sha256) if e["id"] == head.id)
    citation = {
        "call": {"id": call.id, "file": call.file, "sha256": call.sha256},
        "span": {"start": start, "end": end, "seconds": round(end - start, 3)},
        "clip": {
            "path": CLIP,
            "sha256": clip_sha256,
            "size": len(clip_bytes),
            "sample_rate": rate,
            "channels": len(tracks),
            "frames": last - first,
        },
        "segments": passages,
        "custody": {k: entry[k] for k in ("id", "at", "actor", "action", "prev_hash", "hash")},
    }
    shown = {e["id"] for e in store.custody(call.sha256)}
    chain = chain_segment(store.conn, head, shown, None)
    manifest_bytes, package_sha256 = _write_zip(out, clip_bytes, citation, chain, head)
    return QuoteResult(
        path=out,
        call_id=call.id,
        start=start,
        end=end,
        clip_sha256=clip_sha256,
        custody_id=int(entry["id"]),
        custody_hash=str(entry["hash"]),
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        package_sha256=package_sha256,
    )


def _passages(store: CaseStore, call: Call, start: float, end: float) -> list[dict[str, Any]]:
    """Each segment the span touches: its words, English, versions, editors and party."""
    parties = call_parties(store, call.id)
    english = {e.segment_id: e for e in english_of(store, call.id)}
    versions = segment_versions_of(store, call.id)
    english_versions = translation_versions_of(store, call.id)
    passages = []
    for segment in segments_of(store, call.id):
        if segment.end <= start or segment.start >= end or segment.id is None:
            continue
        shown = english.get(segment.id)
        edits = versions.get(segment.id, [])
        english_edits = english_versions.get(segment.id, [])
        passages.append(
            {
                "segment": segment.id,
                "channel": segment.channel,
                "start": segment.start,
                "end": segment.end,
                **parties.of(segment).fields(),
                "language": segment.language,
                "text": segment.text,
                "text_version": segment.version,
                "text_corrected_by": _editors(edits),
                "english": shown.english if shown else None,
                "english_version": shown.version if shown else None,
                "english_engine": shown.engine if shown else None,
                "english_corrected_by": _editors(english_edits),
            }
        )
    return passages


def _editors(versions: list[Any]) -> list[str]:
    """The reviewers who changed a text, in the order of their first change."""
    return list(dict.fromkeys(v.editor for v in versions if v.version > 1))


def _write_zip(
    out: Path, clip: bytes, citation: dict[str, Any], chain: list[dict[str, Any]], head: Any
) -> tuple[bytes, str]:
    """The sealed ZIP; returns its manifest's bytes and the whole file's SHA-256."""
    members = {
        CLIP: clip,
        "citation.json": _json_bytes(citation),
        "citation.txt": citation_text(citation).encode("utf-8"),
        CHAIN: _json_bytes(chain),
    }
    manifest = {
        "format": FORMAT,
        "format_version": 2,
        "kind": "quote",
        "created_at": utc_now(),
        "tools": tool_versions(),
        "call_ids": [citation["call"]["id"]],
        "redacted": False,
        "calls": [],  # no whole call: the quote's original is named, not carried
        "quote": {
            "call_id": citation["call"]["id"],
            "sha256": citation["call"]["sha256"],
            "start": citation["span"]["start"],
            "end": citation["span"]["end"],
            "clip": CLIP,
            "custody_id": citation["custody"]["id"],
        },
        "custody": chain_manifest(head, chain),
        "files": [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
        ],
    }
    manifest_bytes = _json_bytes(manifest)
    with partial_file(out) as (fd, tmp):
        with os.fdopen(fd, "w+b") as handle, zipfile.ZipFile(handle, "w") as archive:
            archive.comment = SEAL_PLACEHOLDER
            for name, data in [*members.items(), (MANIFEST, manifest_bytes)]:
                info = zipfile.ZipInfo(name, date_time=_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                archive.writestr(info, data)
        package_sha256 = seal(tmp)
        os.chmod(tmp, 0o444)
        os.replace(tmp, out)
    return manifest_bytes, package_sha256


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def citation_text(citation: dict[str, Any]) -> str:
    """The citation for people: what the quote is, its hashes, and what was said."""
    call, span, clip, custody = (
        citation["call"],
        citation["span"],
        citation["clip"],
        citation["custody"],
    )
    lines = [
        f"Quote from call {call['id']} ({call['file']}),"
        f" {_clock(span['start'])}–{_clock(span['end'])} ({span['seconds']:.1f} s)",
        f"Original SHA-256: {call['sha256']}",
        f"Clip {clip['path']} SHA-256: {clip['sha256']}"
        f" ({clip['channels']} channel(s), {clip['sample_rate']} Hz)",
        f"Offsets: {span['start']:.3f} s to {span['end']:.3f} s into the original",
        f"Custody entry {custody['id']} ({custody['action']} by {custody['actor']},"
        f" {custody['at']}), hash {custody['hash']}",
        "",
    ]
    for p in citation["segments"]:
        who = ", ".join(x for x in (p["party_label"], p["party_number"], p["party_name"]) if x)
        edited = (
            f", corrected by {', '.join(p['text_corrected_by'])}" if p["text_corrected_by"] else ""
        )
        lines.append(f"[{_clock(p['start'])} {who}] {p['text']}")
        lines.append(f"    (transcript version {p['text_version']}{edited})")
        if p["english"] and p["language"] != "en":
            by = p["english_corrected_by"]
            made = f"corrected by {', '.join(by)}" if by else f"machine, {p['english_engine']}"
            lines.append(f"    English: {p['english']}")
            lines.append(f"    (English version {p['english_version']}, {made})")
    if not citation["segments"]:
        lines.append("(no transcribed speech in this span)")
    return "\n".join(lines) + "\n"
