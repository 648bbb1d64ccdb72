"""The team's tags on calls: short labels ("for the editor", "Bucha file") to group and find calls.

A tag is a working note, not evidence, but who tagged what and when is still
part of the record: every tag added or removed also lands in the custody log,
in the same transaction as the change. A tag is one line of printable text,
at most ``MAX_TAG_CHARS`` characters, kept as typed (spaces at its ends
trimmed); two tags differ if their text differs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from callsift.errors import ReviewError
from callsift.store.case import CaseStore, utc_now

__all__ = ["MAX_TAG_CHARS", "add_tag", "case_tags", "check_tag", "remove_tag", "tags_of"]

MAX_TAG_CHARS = 60


def check_tag(tag: str) -> str:
    """The tag as stored (trimmed), or ``ReviewError`` saying what is wrong with it."""
    tag = tag.strip()
    if not tag:
        raise ReviewError("a tag needs at least one letter or digit")
    if len(tag) > MAX_TAG_CHARS:
        raise ReviewError(f"a tag has at most {MAX_TAG_CHARS} characters (this one has {len(tag)})")
    if not tag.isprintable() or "\ufffd" in tag:  # U+FFFD: what undecodable bytes became
        raise ReviewError("a tag is one line of readable text, without control characters")
    return tag


def _sha256(store: CaseStore, call_id: int) -> str:
    row = store.conn.execute("SELECT sha256 FROM calls WHERE id = ?", (call_id,)).fetchone()
    if row is None:
        raise ReviewError(f"no call {call_id} in this case")
    return str(row["sha256"])


def add_tag(store: CaseStore, call_id: int, tag: str, who: str) -> bool:
    """Tag the call; ``False`` if it already had the tag (nothing is logged then)."""
    tag = check_tag(tag)
    with store.transaction() as conn:
        sha256 = _sha256(store, call_id)
        added = conn.execute(
            "INSERT OR IGNORE INTO call_tags (call_id, tag, tagged_by, tagged_at)"
            " VALUES (?, ?, ?, ?)",
            (call_id, tag, who, utc_now()),
        ).rowcount
        if added:
            store.log("tag", sha256, call_id=call_id, tag=tag, change="added", by=who)
    return bool(added)


def remove_tag(store: CaseStore, call_id: int, tag: str, who: str) -> bool:
    """Take the tag off the call; ``False`` if it did not have it."""
    tag = check_tag(tag)
    with store.transaction() as conn:
        sha256 = _sha256(store, call_id)
        removed = conn.execute(
            "DELETE FROM call_tags WHERE call_id = ? AND tag = ?", (call_id, tag)
        ).rowcount
        if removed:
            store.log("tag", sha256, call_id=call_id, tag=tag, change="removed", by=who)
    return bool(removed)


def tags_of(store: CaseStore, call_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each of ``call_ids``'s tags, alphabetically (calls without a tag are left out)."""
    rows = store.conn.execute(
        "SELECT call_id, tag FROM call_tags WHERE call_id IN (SELECT value FROM json_each(?))"
        " ORDER BY call_id, tag",
        (json.dumps(list(call_ids)),),
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["call_id"], []).append(row["tag"])
    return found


def case_tags(store: CaseStore) -> dict[str, int]:
    """Every tag in the case and how many calls carry it, most used first."""
    rows = store.conn.execute(
        "SELECT tag, count(*) AS n FROM call_tags GROUP BY tag ORDER BY n DESC, tag"
    )
    return {row["tag"]: row["n"] for row in rows}
