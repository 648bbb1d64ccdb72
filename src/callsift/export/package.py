"""Evidence packages: one ZIP holding everything a call is, for a court or an editor.

A package is made to be handed over and checked years later without callsift's
case folder. Each call gets a folder (``call-0001/``) with the untouched
original under the name it arrived with, its audio decoded to plain 16 kHz
16-bit WAV (one file per channel, no tags), the transcript and translation
(JSON with every word's timing, SRT, WebVTT, text), entities, flags, findings,
the verification record, the reviewers' annotations and corrected segments
(every version), the custody log entries that concern it, and
``call.json`` with its metadata. ``custody-chain.json`` carries the custody
log's hash chain up to its head (see :mod:`callsift.export.chain`). The
original is hashed as it is copied and the package refused (``OriginalError``)
unless it hashes as at ingest. ``manifest.json`` lists every file with its
SHA-256 and size, the tool and model versions and settings that made them, and
the ZIP comment seals the whole file (see :mod:`callsift.export.manifest`).

The ZIP is deterministic apart from ``created_at``: members in a fixed order,
each dated 1980-01-01 (the ZIP epoch), Unix permissions 0644. Large members
(the original, the WAVs) are streamed through the hash into the ZIP, so a
four-hour recording never sits in memory as bytes twice.

With a :class:`~callsift.export.redact.Redaction` the package is for
publication instead (see :mod:`callsift.export.masking`): no original, the
audio bleeped, every text masked, file names replaced by call ids.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from callsift.audio import DecodeOptions, decode
from callsift.audio.wavfile import wav_size, write_wav
from callsift.errors import InputError, OriginalError
from callsift.export.chain import CHAIN, chain_manifest, chain_segment, masked_custody
from callsift.export.manifest import (
    FORMAT,
    MANIFEST,
    SEAL_PLACEHOLDER,
    model_identity,
    seal,
    tool_versions,
)
from callsift.export.masking import Masker
from callsift.export.partial import partial_file
from callsift.export.redact import Redaction, bleep, party_masked
from callsift.export.transcripts import to_srt, to_txt, to_vtt, transcript_document
from callsift.parties import CallParties, call_parties
from callsift.records import Call
from callsift.store import CaseStore, channels_of, get_call, list_calls, segments_of, utc_now
from callsift.store.analysis import flags_of, mentions_of
from callsift.store.custody import ChainHead, chain_head
from callsift.store.export import CallProvenance, call_provenance, custody_of_call
from callsift.store.findings import list_findings
from callsift.store.phones import call_numbers_of
from callsift.store.review import annotations_of, segment_versions_of
from callsift.verify.originals import changed_original, verify_original
from callsift.verify.status import verification_of

__all__ = ["PackageResult", "build_package", "call_folder"]

_EPOCH = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20
_DECODE = DecodeOptions()


@dataclass(frozen=True)
class PackageResult:
    """A package written.

    Attributes:
        path: where it is.
        manifest_sha256: SHA-256 of its ``manifest.json``: record it.
        package_sha256: SHA-256 of the whole ZIP file.
        call_ids: the calls it holds, in order.
        files: members besides the manifest.
        size: bytes.
        redacted: made for publication (no original, masked, bleeped).
    """

    path: Path
    manifest_sha256: str
    package_sha256: str
    call_ids: tuple[int, ...]
    files: int
    size: int
    redacted: bool


def call_folder(call_id: int) -> str:
    """The folder a call's files go in: ``call-0007``."""
    return f"call-{call_id:04d}"


def build_package(
    store: CaseStore,
    call_ids: Sequence[int],
    out: Path,
    *,
    redaction: Redaction | None = None,
    on_call: Callable[[int], None] | None = None,
) -> PackageResult:
    """Write the evidence package of ``call_ids`` to ``out`` and log it in custody.

    Raises ``InputError`` for an unknown call id or an ``out`` that exists
    (a package is never overwritten), ``OriginalError`` for an original that is
    missing or no longer hashes as at ingest. ``on_call`` is told each call
    packed. Partial files that killed exports left in ``out``'s folder go.
    """
    ids = list(dict.fromkeys(call_ids))
    if not ids:
        raise InputError(str(out), "no calls to export; name at least one call id")
    calls = [_call(store, call_id) for call_id in ids]
    out = Path(out)
    if out.exists():
        raise InputError(str(out), "already exists; packages are never overwritten")
    masker = Masker(redaction, list_calls(store)) if redaction is not None else None
    identify = functools.lru_cache(model_identity)  # Hash each model's weights once.
    head = chain_head(store.conn)  # What the package's custody extracts stop at.
    with partial_file(out) as (fd, tmp):
        with os.fdopen(fd, "w+b") as handle, zipfile.ZipFile(handle, "w") as archive:
            archive.comment = SEAL_PLACEHOLDER
            writer = _Writer(archive)
            entries, shown = [], set()
            for call in calls:
                entry, custody = _add_call(writer, store, call, masker, identify, head)
                entries.append(entry)
                shown |= custody
                if on_call:
                    on_call(call.id)
            segment = chain_segment(store.conn, head, shown, masker)
            writer.json(CHAIN, segment)
            manifest = _manifest(ids, entries, writer.files, redaction)
            manifest["custody"] = chain_manifest(head, segment)
            manifest_bytes = _json_bytes(manifest)
            writer.add(MANIFEST, manifest_bytes, listed=False)
        package_sha256 = seal(tmp)
        os.chmod(tmp, 0o444)
        os.replace(tmp, out)
    result = PackageResult(
        path=out,
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        package_sha256=package_sha256,
        call_ids=tuple(ids),
        files=len(writer.files),
        size=out.stat().st_size,
        redacted=redaction is not None,
    )
    with store.transaction():
        for call in calls:
            store.log(
                "export",
                call.sha256,
                package=str(out),
                package_sha256=result.package_sha256,
                manifest_sha256=result.manifest_sha256,
                call_ids=ids,
                redacted=result.redacted,
            )
    return result


def _call(store: CaseStore, call_id: int) -> Call:
    call = get_call(store, call_id)
    if call is None:
        raise InputError(f"call {call_id}", "not in this case (see callsift list)")
    return call


class _Hashing:
    """A write-only stream that hashes and counts what passes into the ZIP member."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)

    def flush(self) -> None:
        self.target.flush()


class _Writer:
    """Adds members with fixed dates and permissions, recording each one's hash."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.files: list[dict[str, Any]] = []

    def _info(self, path: str, compress: bool, size: int | None = None) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=_EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.create_system = 3  # Unix, whatever the platform, for identical bytes.
        info.external_attr = 0o100644 << 16
        if size is not None:
            info.file_size = size  # Lets zipfile pick ZIP64 up front for huge members.
        return info

    def add(self, path: str, data: bytes, *, listed: bool = True) -> None:
        self.archive.writestr(self._info(path, compress=True), data)
        if listed:
            self._record(path, hashlib.sha256(data).hexdigest(), len(data))

    def text(self, path: str, text: str) -> None:
        self.add(path, text.encode("utf-8"))

    def json(self, path: str, value: Any) -> None:
        self.add(path, _json_bytes(value))

    @contextmanager
    def stream(self, path: str, size: int, *, compress: bool) -> Iterator[_Hashing]:
        with self.archive.open(self._info(path, compress, size), "w") as member:
            hashing = _Hashing(member)
            yield hashing
        self._record(path, hashing.digest.hexdigest(), hashing.size)

    def _record(self, path: str, sha256: str, size: int) -> None:
        self.files.append({"path": path, "sha256": sha256, "size": size})


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _json_bytes(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=_plain)
    return (text + "\n").encode("utf-8")


def _jsonable(value: Any) -> Any:
    """Records as plain JSON values (dicts, lists, strings, numbers)."""
    return json.loads(json.dumps(value, default=_plain))


def _add_call(
    writer: _Writer,
    store: CaseStore,
    call: Call,
    masker: Masker | None,
    identify: Callable[[str], dict[str, Any]],
    head: ChainHead | None,
) -> tuple[dict[str, Any], set[int]]:
    """Write one call's folder; returns its manifest entry and its custody entries' ids."""
    folder = call_folder(call.id)
    provenance = call_provenance(store, call.id)
    segments = segments_of(store, call.id)
    spans: list[tuple[float, float]] = []
    hidden: set[int | None] = set()  # segments of a party masked whole: nothing of them shown
    parties = call_parties(store, call.id)
    if masker is not None:
        verify_original(store, call)  # The audio is decoded from it, bleeped.
        party_of = parties.role_of
        hidden = {s.id for s in segments if party_masked(s, masker.redaction, party_of)}
        segments, spans = masker.segments(segments, party_of)
        parties = parties.anonymous()  # who said it, never whose number or name
    else:
        _add_original(writer, store, call, folder)
    audio = _add_audio(writer, store, call, folder, spans)

    def data(value: Any) -> Any:
        plain = _jsonable(value)
        return masker.json(plain) if masker is not None else plain

    record = asdict(call)
    if masker is not None:
        record = masker.call_record(record)
    writer.json(f"{folder}/call.json", record)
    if masker is None or not masker.redaction.numbers:
        numbers = call_numbers_of(store, call.id)
        if numbers:
            writer.json(f"{folder}/numbers.json", data(numbers))
    if segments:
        channels = channels_of(store, call.id)
        engines = provenance.translation_engines
        document = transcript_document(call.id, channels, segments, engines, parties)
        writer.json(f"{folder}/transcript.json", data(document))
        _add_subtitles(writer, f"{folder}/transcript", segments, False, call.id, parties)
        if any(segment.translation for segment in segments):
            _add_subtitles(writer, f"{folder}/translation.en", segments, True, call.id, parties)
    mentions = [m for m in mentions_of(store, call.id) if m.segment_id not in hidden]
    writer.json(f"{folder}/entities.json", data(mentions))
    flags = [f for f in flags_of(store, call.id) if f.segment_id not in hidden]
    writer.json(f"{folder}/flags.json", data(flags))
    writer.json(f"{folder}/findings.json", data(list_findings(store, call.id)))
    writer.json(f"{folder}/verification.json", data(verification_of(store, call.id)))
    # The reviewers' own record: their notes, and every version of a corrected segment.
    notes = annotations_of(store, call.id) if masker is None else []  # not for the public
    if notes:
        writer.json(f"{folder}/annotations.json", data(notes))
    versions = {k: v for k, v in segment_versions_of(store, call.id).items() if k not in hidden}
    if versions:
        writer.json(f"{folder}/corrections.json", data({str(k): v for k, v in versions.items()}))
    # Up to the chain's head at export: an entry logged meanwhile (a view in the web app) is
    # not in the chain segment the package carries.
    custody = [e for e in custody_of_call(store, call.id) if head and e["id"] <= head.id]
    for entry in custody:  # a correction of a masked party's segment quotes it
        detail = entry.get("detail") or {}
        if masker is not None and "text" in detail and detail.get("segment") in hidden:
            entry["detail"] = {**entry["detail"], "text": masker.redaction.mask}
    writer.json(f"{folder}/custody.json", masked_custody(_jsonable(custody), masker))
    settings = provenance.processed_with or {}
    model = settings.get("transcribe", {}).get("model", {}).get("name")
    entry = _call_entry(call, folder, provenance, audio, masker is not None)
    entry["model"] = identify(model) if model else None
    return entry, {e["id"] for e in custody}


def _add_original(writer: _Writer, store: CaseStore, call: Call, folder: str) -> None:
    """Copy the original in, hashing it on the way: refused unless it hashes as at ingest."""
    name = PurePosixPath(call.file).name.replace("\\", "_")
    path = store.originals.path(call.sha256)
    try:
        source = open(path, "rb")
    except OSError as error:
        missing = isinstance(error, FileNotFoundError)
        reason = None if missing else error.strerror or str(error)
        raise OriginalError(call.id, call.file, str(path), call.sha256, None, reason) from error
    with source, writer.stream(f"{folder}/original/{name}", call.size, compress=False) as member:
        while chunk := source.read(_CHUNK):
            member.write(chunk)
    found = member.digest.hexdigest()
    if found != call.sha256:
        raise changed_original(store, call, found)


def _add_subtitles(
    writer: _Writer,
    stem: str,
    segments: list[Any],
    translation: bool,
    call_id: int,
    parties: CallParties,
) -> None:
    what = "English translation" if translation else "transcript"
    writer.text(f"{stem}.srt", to_srt(segments, translation=translation, parties=parties))
    writer.text(f"{stem}.vtt", to_vtt(segments, translation=translation, parties=parties))
    title = f"Call {call_id}, {what}"
    writer.text(
        f"{stem}.txt", to_txt(segments, translation=translation, title=title, parties=parties)
    )


def _add_audio(
    writer: _Writer, store: CaseStore, call: Call, folder: str, spans: list[tuple[float, float]]
) -> dict[str, Any]:
    """Decode the original to one WAV per channel; bleep ``spans`` on every channel.

    A span is bleeped on every channel, not only the one it was heard on:
    phone recordings carry each party faintly on the other's channel (echo,
    crosstalk), and a number must not survive there.
    """
    try:
        _, tracks = decode(store.originals.path(call.sha256), _DECODE)
    except InputError as error:
        return {"error": f"could not be decoded: {error.reason}"}
    for channel, samples in enumerate(tracks):
        if spans:
            samples = bleep(samples, _DECODE.sample_rate, spans)
        size = wav_size(len(samples), 1)
        with writer.stream(f"{folder}/audio/channel-{channel}.wav", size, compress=False) as member:
            write_wav(cast(IO[bytes], member), [samples], _DECODE.sample_rate)
    return {
        "format": "WAV, PCM 16-bit, mono, one file per channel of the original",
        "sample_rate": _DECODE.sample_rate,
        "channels": len(tracks),
        "decode": asdict(_DECODE),
        "bleeped_spans": [list(span) for span in spans] if spans else None,
    }


def _call_entry(
    call: Call, folder: str, provenance: CallProvenance, audio: dict[str, Any], redacted: bool
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": call.id,
        "folder": folder,
        "sha256": call.sha256,
        "size": call.size,
        "status": call.status,
        "original": {
            "duration_s": call.duration_s,
            "sample_rate": call.sample_rate,
            "channels": call.channels,
            "codec": call.codec,
            "container": call.container,
        },
        "normalised_audio": audio,
        "processed_at": provenance.processed_at,
        "processed_with": provenance.processed_with,
        "translation_engines": list(provenance.translation_engines),
        "analyzed_with": provenance.analyzed_with,
    }
    if not redacted:
        entry["file"] = call.file
        entry["names"] = call.names
        entry["sidecar"] = provenance.sidecar
    return entry


def _manifest(
    ids: list[int],
    calls: Iterable[dict[str, Any]],
    files: list[dict[str, Any]],
    redaction: Redaction | None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": 2,
        "created_at": utc_now(),
        "tools": tool_versions(),
        "call_ids": ids,
        "redacted": redaction is not None,
        "redaction": None
        if redaction is None
        else {
            "numbers": redaction.numbers,
            "names": len(redaction.names),
            "private_fields": list(redaction.private_fields),
            "mask": redaction.mask,
            "original": "left out: it carries the voice, tags and numbers",
            "audio": "masked words bleeped on every channel",
        },
        "calls": list(calls),
        "files": files,
    }
