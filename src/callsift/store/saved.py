"""Saved searches: a user's named query and filters, and how far they had looked.

A watch term is a saved search a journalist comes back to: "Буча", calls from
one number, a flag. What matters on return is what is new, so each saved
search remembers the highest segment id the case held when its owner last
opened it (``seen_segment``); hits on segments stored later are new. Segment
ids only grow, so a call processed since is new however its date reads. Each
user sees and changes only their own saved searches (``owner``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace

from callsift.errors import ReviewError
from callsift.records import SearchFilters
from callsift.store.case import CaseStore, utc_now

__all__ = [
    "MAX_NAME_CHARS",
    "MAX_SAVED",
    "SavedSearch",
    "delete_saved",
    "latest_segment",
    "mark_seen",
    "save_search",
    "saved_search",
    "saved_searches",
]

MAX_NAME_CHARS = 80
MAX_SAVED = 100
"""Saved searches per user and case: each is run to count its new hits when listed."""


@dataclass(frozen=True)
class SavedSearch:
    """One user's saved search.

    Attributes:
        id: its row id.
        owner: the user who saved it.
        name: what they called it.
        query: the words (may be empty: the filters alone).
        filters: the filters saved with it.
        seen_segment: the highest segment id when last opened (0: never).
        seen_at: when it was last opened (None: never).
    """

    id: int
    owner: str
    name: str
    query: str
    filters: SearchFilters
    seen_segment: int
    seen_at: str | None


_FILTER_FIELDS = {f.name for f in fields(SearchFilters)} - {"since_segment"}


def _record(row: object) -> SavedSearch:
    values = dict(row)  # type: ignore[call-overload]
    stored = json.loads(values.pop("filters"))
    filters = SearchFilters(**{k: v for k, v in stored.items() if k in _FILTER_FIELDS})
    values.pop("created_at", None)
    return SavedSearch(filters=filters, **values)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ReviewError("give the saved search a name")
    if len(name) > MAX_NAME_CHARS:
        raise ReviewError(
            f"a saved search's name has at most {MAX_NAME_CHARS} characters"
            f" (this one has {len(name)})"
        )
    if not name.isprintable() or "\ufffd" in name:  # U+FFFD: what undecodable bytes became
        raise ReviewError(
            "a saved search's name is one line of readable text, without control characters"
        )
    return name


def latest_segment(store: CaseStore) -> int:
    """The highest segment id in the case (0 when none): what "seen up to now" means."""
    return int(store.conn.execute("SELECT coalesce(max(id), 0) FROM segments").fetchone()[0])


def save_search(
    store: CaseStore, owner: str, name: str, query: str, filters: SearchFilters
) -> SavedSearch:
    """Save (or, under a name the owner already used, replace) a search, seen up to now.

    Raises:
        ReviewError: an empty or overlong name, or more than ``MAX_SAVED`` searches.
    """
    name = _check_name(name)
    stored = json.dumps(
        {k: v for k, v in asdict(replace(filters, since_segment=None)).items() if v},
        ensure_ascii=False,
        sort_keys=True,
    )
    with store.transaction() as conn:
        count = conn.execute(
            "SELECT count(*) FROM saved_searches WHERE owner = ? AND name != ?", (owner, name)
        ).fetchone()[0]
        if count >= MAX_SAVED:
            raise ReviewError(f"you have {MAX_SAVED} saved searches here; delete one first")
        conn.execute(
            """
            INSERT INTO saved_searches (owner, name, query, filters, seen_segment, seen_at,
                                        created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (owner, name) DO UPDATE SET
                query = excluded.query, filters = excluded.filters,
                seen_segment = excluded.seen_segment, seen_at = excluded.seen_at
            """,
            (owner, name, query.strip(), stored, latest_segment(store), utc_now(), utc_now()),
        )
        row = conn.execute(
            "SELECT * FROM saved_searches WHERE owner = ? AND name = ?", (owner, name)
        ).fetchone()
    return _record(row)


def saved_searches(store: CaseStore, owner: str) -> list[SavedSearch]:
    """The owner's saved searches, by name."""
    rows = store.conn.execute(
        "SELECT * FROM saved_searches WHERE owner = ? ORDER BY name, id", (owner,)
    )
    return [_record(row) for row in rows]


def saved_search(store: CaseStore, owner: str, saved_id: int) -> SavedSearch | None:
    """The owner's saved search ``saved_id`` (None: no such search of theirs)."""
    row = store.conn.execute(
        "SELECT * FROM saved_searches WHERE id = ? AND owner = ?", (saved_id, owner)
    ).fetchone()
    return _record(row) if row else None


def mark_seen(store: CaseStore, owner: str, saved_id: int, segment_id: int) -> None:
    """The owner has now seen the search's hits up to ``segment_id``."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE saved_searches SET seen_segment = max(seen_segment, ?), seen_at = ?"
            " WHERE id = ? AND owner = ?",
            (segment_id, utc_now(), saved_id, owner),
        )


def delete_saved(store: CaseStore, owner: str, saved_id: int) -> bool:
    """Delete the owner's saved search; ``False`` if they have none by that id."""
    with store.transaction() as conn:
        gone = conn.execute(
            "DELETE FROM saved_searches WHERE id = ? AND owner = ?", (saved_id, owner)
        ).rowcount
    return bool(gone)
