"""FollowTheMoney entities of a case, as JSON lines for Aleph and the ``ftm`` tools.

FollowTheMoney (https://followthemoney.tech) is the data model of OCCRP's
Aleph. Each call becomes:

- an ``Audio`` document: the original recording (file names, SHA-1 as Aleph's
  ``contentHash``, MIME type, size, length in ms, sample rate), its transcript
  as ``bodyText`` and the English as ``translatedText``, the people, places and
  organisations spoken of, and whether callsift could process it;
- a ``Call``: who called whom and when (numbers in E.164), with the recording
  as its ``proof``; the SHA-256 of the original is its ``recordId``;
- a ``Person`` for each name the team's directories give one of its numbers,
  linked as ``caller`` or ``receiver``;
- a ``Mention`` for each distinct person, organisation or place named in it,
  resolved to a directory ``Person`` only where the name is exactly the same.

Entity ids are hashes of the original's SHA-256 (and the number, name or
mention), never of case-local row ids, so exporting again, from another copy
of the case or from another case holding the same recording, gives the same
ids and Aleph merges instead of duplicating. ``contentHash`` must be SHA-1
(the FtM checksum type and Aleph's archive key); Aleph drops it on upload
unless the uploader is trusted, which is harmless. Loading into Aleph::

    alephclient write-entities -i calls.ftm.json -f <collection foreign id>
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy

from callsift import __version__
from callsift.export.calls import ExportCall, Party, export_calls
from callsift.store import CaseStore
from callsift.store.export_queries import mention_names, transcript_lines

__all__ = ["case_entities", "write_ftm"]

_SCHEMA_OF_TYPE = {"PER": "Person", "ORG": "Organization", "LOC": "Address"}
_MENTIONED = {"PER": "peopleMentioned", "ORG": "companiesMentioned", "LOC": "locationMentioned"}
_AUDIO_TYPES = {".amr": "audio/amr", ".m4a": "audio/mp4", ".opus": "audio/ogg"}


def _sha1(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha1(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _mime(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    return _AUDIO_TYPES.get(suffix) or mimetypes.guess_type(name, strict=False)[0]


def _person(party: Party, name: str) -> EntityProxy:
    entity = model.make_entity("Person")
    entity.make_id("callsift-person", party.key, name)
    entity.add("name", name)
    entity.add("phone", party.e164)
    for entry in party.known:
        if " ".join(entry.name.casefold().split()) == " ".join(name.casefold().split()):
            entity.add("description", f"Unit: {entry.unit}" if entry.unit else None)
            entity.add("notes", entry.note or None)
            entity.add("publisher", entry.source or entry.directory)
    return entity


def _audio(store: CaseStore, call: ExportCall) -> EntityProxy:
    entity = model.make_entity("Audio")
    entity.make_id("callsift-audio", call.sha256)
    entity.add("fileName", list(dict.fromkeys((call.file, *call.names))))
    entity.add("title", call.file)
    entity.add("contentHash", _sha1(store.originals.path(call.sha256)))
    entity.add("mimeType", _mime(call.file))
    entity.add("extension", Path(call.file).suffix.lstrip(".").lower() or None)
    entity.add("fileSize", call.size)
    if call.duration_s is not None:
        entity.add("duration", round(call.duration_s * 1000))
    entity.add("samplingRate", call.sample_rate)
    entity.add("date", call.started_at)
    entity.add("language", list(call.languages), quiet=True)
    entity.add("processingAgent", f"callsift {__version__}")
    entity.add("processingStatus", "success" if call.status == "done" else call.status)
    entity.add("processingError", call.reason)
    entity.add(
        "description",
        f"Recorded call, SHA-256 {call.sha256}; verification: {call.verification.status}.",
    )
    entity.add("notes", call.notes)
    lines = transcript_lines(store, call.id)
    if lines:
        entity.add("bodyText", "\n".join(f"[{s:.1f}s ch{ch}] {text}" for s, ch, text, _ in lines))
    english = [(s, ch, tr) for s, ch, _, tr in lines if tr]
    if english:
        entity.add("translatedText", "\n".join(f"[{s:.1f}s ch{ch}] {tr}" for s, ch, tr in english))
        entity.add("translatedLanguage", "en")
    return entity


def _call(call: ExportCall, audio: EntityProxy, people: dict[str, list[str]]) -> EntityProxy:
    entity = model.make_entity("Call")
    entity.make_id("callsift-call", call.sha256)
    entity.add("recordId", call.sha256)
    entity.add("proof", audio.id)
    entity.add("date", call.started_at)
    duration = call.duration_s if call.duration_s is not None else call.stated_duration_s
    entity.add("duration", duration)
    entity.add("summary", call.notes)
    notes = []
    for role, party in (("caller", call.caller), ("receiver", call.receiver)):
        entity.add(f"{role}Number", party.e164)
        entity.add(role, people.get(party.key or "", []))
        if party.number is not None and not party.number.valid:
            notes.append(f"{role} number as logged: {party.raw} (not a valid number)")
    if call.location:
        notes.append(f"location in the metadata: {call.location}")
    entity.add("description", "; ".join(notes) or None)
    return entity


def _mentions(
    call: ExportCall, audio: EntityProxy, names: list[tuple[str, str]], people: dict[str, str]
) -> Iterator[EntityProxy]:
    phones = [p.e164 for p in (call.caller, call.receiver) if p.e164]
    countries = [p.number.country for p in (call.caller, call.receiver) if p.number]
    for kind, name in names:
        audio.add(_MENTIONED[kind], name, quiet=True)
        mention = model.make_entity("Mention")
        mention.make_id("callsift-mention", call.sha256, kind, name)
        mention.add("document", audio.id)
        mention.add("name", name)
        mention.add("detectedSchema", _SCHEMA_OF_TYPE[kind])
        if kind == "PER":
            mention.add("resolved", people.get(name.casefold()))
        mention.add("contextPhone", phones)
        mention.add("contextCountry", countries, quiet=True)
        yield mention


def case_entities(store: CaseStore, call_ids: Sequence[int] | None) -> Iterator[EntityProxy]:
    """The FtM entities of the selected calls (``None``: whole case): people first."""
    calls = export_calls(store, call_ids)
    selection = None if call_ids is None else [call.id for call in calls]
    people_of_number: dict[str, list[str]] = {}
    people_by_name: dict[str, str] = {}
    seen: set[str] = set()
    for call in calls:
        for party in (call.caller, call.receiver):
            for name in party.names:
                person = _person(party, name)
                assert person.id is not None and party.key is not None
                people_by_name.setdefault(name.casefold(), person.id)
                if person.id not in seen:
                    seen.add(person.id)
                    people_of_number.setdefault(party.key, []).append(person.id)
                    yield person
    mentioned = mention_names(store, selection, tuple(_SCHEMA_OF_TYPE))
    for call in calls:
        audio = _audio(store, call)
        mentions = list(_mentions(call, audio, mentioned.get(call.id, []), people_by_name))
        yield audio
        yield _call(call, audio, people_of_number)
        yield from mentions


def write_ftm(store: CaseStore, call_ids: Sequence[int] | None, out: Path) -> Path:
    """Write the entities to ``out``, one JSON object per line (UTF-8)."""
    tmp = out.with_name(f".{out.name}.partial")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            for entity in case_entities(store, call_ids):
                handle.write(json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True))
                handle.write("\n")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    return out
