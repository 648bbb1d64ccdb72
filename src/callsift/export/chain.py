"""The custody chain in an evidence package, and its offline check.

A package carries ``custody-chain.json``: every entry of the case's custody
log from the first to the head at export time, with its hashes (see
:mod:`callsift.store.custody`). Entries that concern the packaged calls (those
in their ``custody.json``) are shown whole; the others are withheld, carried
as ``id``, ``prev_hash``, ``content_sha256`` and ``hash`` only, so a package for
one call tells nothing of the case's other files, yet every link from the
first entry to the head checks. The manifest names the head; a team that
recorded the head when the package was made (``callsift export`` prints it)
can see that the package's chain is the case's.

A publication package masks the actors and details of the entries it shows.
Their content can no longer be hashed again, so they carry the
``content_sha256`` of the true content and are marked ``masked``: the check
then holds for the links and the hashes as stored, not for the content shown.

``export verify`` checks, from the ZIP alone: the chain's links and hashes, the
head the manifest names, that each call's custody entries are in the chain
(and, unmasked, hash to it), that the call's ingest is in the chain, and that
each packaged original hashes to the SHA-256 recorded at ingest. A quote
(:mod:`callsift.export.quote`) carries no original: its check is that the
custody entry of the quote is in the chain and records the clip's SHA-256.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterable
from typing import Any

from callsift.export.masking import Masker
from callsift.store.custody import (
    ChainHead,
    chain_problems,
    content_sha256,
    entries,
    link_hash,
)

__all__ = ["CHAIN", "chain_manifest", "chain_segment", "masked_custody", "package_problems"]

CHAIN = "custody-chain.json"
_HASHES = ("prev_hash", "hash")


def _masked(entry: dict[str, Any], masker: Masker) -> dict[str, Any]:
    """An entry as a publication shows it: hashes kept as they are, the rest masked."""
    content = content_sha256(entry)
    shown = masker.json({k: v for k, v in entry.items() if k not in _HASHES})
    return (
        shown
        | {key: entry[key] for key in _HASHES}
        | {
            "content_sha256": content,
            "masked": True,
        }
    )


def masked_custody(custody: list[dict[str, Any]], masker: Masker | None) -> list[dict[str, Any]]:
    """A call's ``custody.json`` entries, masked for a publication package if asked."""
    if masker is None:
        return custody
    return [_masked(entry, masker) for entry in custody]


def chain_segment(
    conn: sqlite3.Connection, head: ChainHead | None, shown: set[int], masker: Masker | None
) -> list[dict[str, Any]]:
    """The chain up to ``head``: entries in ``shown`` whole (or masked), the others withheld."""
    if head is None:
        return []
    segment = []
    for entry in entries(conn, head.id):
        if entry["detail"] is not None:
            entry["detail"] = json.loads(entry["detail"])
        if entry["id"] not in shown:
            withheld = {key: entry[key] for key in ("id", "prev_hash", "hash")}
            segment.append(withheld | {"content_sha256": content_sha256(entry)})
        elif masker is not None:
            segment.append(_masked(entry, masker))
        else:
            segment.append(entry)
    return segment


def chain_manifest(head: ChainHead | None, segment: list[dict[str, Any]]) -> dict[str, Any]:
    """What the manifest says of the chain: its head, and how much of it is shown."""
    return {
        "file": CHAIN,
        "head": None if head is None else {"id": head.id, "hash": head.hash, "at": head.at},
        "entries": len(segment),
        "shown": sum("action" in entry for entry in segment),
        "masked": sum(bool(entry.get("masked")) for entry in segment),
    }


def _json(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name).decode("utf-8"))


def package_problems(
    archive: zipfile.ZipFile, manifest: dict[str, Any], digests: dict[str, str]
) -> list[str]:
    """Originals against their ingest hashes, and the custody chain (format 2 on).

    ``digests`` holds the SHA-256 of each member as read by the member check.
    Any damage to the JSON is a problem found, never an exception.
    """
    try:
        problems = _original_problems(manifest, digests)
        if int(manifest.get("format_version", 1)) >= 2:
            problems += _chain_problems(archive, manifest)
        if manifest.get("quote") is not None:
            problems += _quote_problems(archive, manifest["quote"], digests)
        return problems
    except Exception as error:  # A damaged or hostile manifest or chain, however it fails.
        return [f"{CHAIN}: the custody chain cannot be checked ({error!r})"]


def _original_problems(manifest: dict[str, Any], digests: dict[str, str]) -> list[str]:
    problems = []
    for call in manifest["calls"]:
        if manifest["redacted"]:
            continue  # A publication package leaves the original out.
        prefix = f"{call['folder']}/original/"
        originals = [name for name in digests if name.startswith(prefix)]
        if not originals:
            problems.append(f"{prefix}: call {call['id']}'s original is not in the package")
        for name in originals:
            if digests[name] and digests[name] != call["sha256"]:  # "": unreadable, reported
                problems.append(
                    f"{name}: SHA-256 {digests[name]} is not the {call['sha256']}"
                    f" recorded at ingest for call {call['id']}: the original was changed"
                )
    return problems


def _chain_problems(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> list[str]:
    custody = manifest.get("custody") or {}
    head = custody.get("head")
    try:
        segment = _json(archive, CHAIN)
    except KeyError:
        return [f"{CHAIN}: missing; the package must carry its custody chain"]
    problems = [f"{CHAIN}: {problem}" for problem in chain_problems(segment)]
    last = (segment[-1].get("id"), segment[-1].get("hash")) if segment else None
    if last != (None if head is None else (head.get("id"), head.get("hash"))):
        problems.append(f"{CHAIN}: does not end at the head the manifest names ({head})")
    by_id = {entry.get("id"): entry for entry in segment}
    for call in manifest["calls"]:
        name = f"{call['folder']}/custody.json"
        problems += _call_problems(name, _json(archive, name), by_id, manifest["redacted"])
        ingested = any(
            entry.get("action") == "ingest" and entry.get("sha256") == call["sha256"]
            for entry in segment
        )
        if not ingested:
            problems.append(f"{CHAIN}: holds no ingest of call {call['id']} ({call['sha256']})")
    return problems


def _call_problems(
    name: str, custody: Iterable[dict[str, Any]], by_id: dict[Any, Any], redacted: bool
) -> list[str]:
    problems = []
    for entry in custody:
        chained = by_id.get(entry.get("id"))
        if chained is None or chained.get("hash") != entry.get("hash"):
            problems.append(f"{name}: entry {entry.get('id')} is not in the custody chain")
        elif not redacted and entry.get("hash") != link_hash(
            str(entry.get("prev_hash")), content_sha256(entry)
        ):
            problems.append(f"{name}: entry {entry.get('id')} was changed (its hash differs)")
    return problems


def _quote_problems(
    archive: zipfile.ZipFile, quote: dict[str, Any], digests: dict[str, str]
) -> list[str]:
    """A quote (:mod:`callsift.export.quote`): its custody entry is in the chain, whole,
    records this clip's SHA-256, and the quoted original's ingest is in the chain too."""
    segment = _json(archive, CHAIN)
    entry = next((e for e in segment if e.get("id") == quote["custody_id"]), None)
    where = f"{CHAIN}: the quote's custody entry {quote['custody_id']}"
    if entry is None or entry.get("action") != "quote":
        return [f"{where} is not in the chain"]
    problems = []
    detail = entry.get("detail") or {}
    if entry.get("sha256") != quote["sha256"] or detail.get("call_id") != quote["call_id"]:
        problems.append(f"{where} is of another original than the one quoted")
    if detail.get("clip_sha256") != digests.get(quote["clip"]):
        problems.append(f"{quote['clip']}: its SHA-256 is not the one {where} records")
    if not any(e.get("action") == "ingest" and e.get("sha256") == quote["sha256"] for e in segment):
        problems.append(f"{CHAIN}: holds no ingest of the quoted original ({quote['sha256']})")
    return problems
