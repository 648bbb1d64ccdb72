"""The sound index: each segment's words as they sound, under a trigram index.

Schema 7 keeps ``segment_sounds`` (a key per segment) and its FTS5 trigram
index ``sounds_fts``; triggers queue in ``sounds_stale`` every segment that is
new or whose text changed. The key is Python (``callsift.search.sounds``), so
it is passed in here, and the queue is drained before a search: a case written
by another SQLite client, or migrated from schema 6, catches up on first use.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from callsift.records import SearchFilters, SearchHit
from callsift.store.case import CaseStore
from callsift.store.search import HIT_COLUMNS, filter_clauses

__all__ = [
    "SOUND_KEY_VERSION",
    "forget_sounds",
    "refresh_sounds",
    "sound_candidates",
    "sounds_pending",
]

_BATCH = 5000
SOUND_KEY_VERSION = "sound_key"
"""The ``case_info`` row naming the sound-key version the stored keys were made with."""


def refresh_sounds(store: CaseStore, key: Callable[[str], str], version: str) -> int:
    """Key every queued segment; how many were keyed.

    ``version`` names the key function: an index made by another one is
    emptied and made again. A case the process cannot write (read-only, or
    locked past the timeout) is searched as it is: ``sound_candidates`` also
    reads the queue.
    """
    done = 0
    try:
        if _version(store) != version:
            with store.transaction() as conn:
                forget_sounds(conn)
                conn.execute(
                    "INSERT OR REPLACE INTO case_info (key, value) VALUES (?, ?)",
                    (SOUND_KEY_VERSION, version),
                )
        while store.conn.execute("SELECT 1 FROM sounds_stale LIMIT 1").fetchone() is not None:
            with store.transaction() as conn:
                rows = conn.execute(
                    "SELECT q.segment_id AS id, s.text FROM sounds_stale q"
                    " LEFT JOIN segments s ON s.id = q.segment_id LIMIT ?",
                    (_BATCH,),
                ).fetchall()
                ids = [(row["id"],) for row in rows]
                conn.executemany("DELETE FROM segment_sounds WHERE segment_id = ?", ids)
                conn.executemany(
                    "INSERT INTO segment_sounds (segment_id, sounds) VALUES (?, ?)",
                    [(row["id"], key(row["text"])) for row in rows if row["text"] is not None],
                )
                conn.executemany("DELETE FROM sounds_stale WHERE segment_id = ?", ids)
                done += len(rows)
    except sqlite3.OperationalError:
        pass
    return done


def sounds_pending(store: CaseStore) -> bool:
    """Whether some segment still waits for its key (``refresh_sounds`` could not write)."""
    return store.conn.execute("SELECT 1 FROM sounds_stale LIMIT 1").fetchone() is not None


def _version(store: CaseStore) -> str | None:
    row = store.conn.execute("SELECT value FROM case_info WHERE key = ?", (SOUND_KEY_VERSION,))
    found = row.fetchone()
    return None if found is None else str(found[0])


def forget_sounds(conn: sqlite3.Connection) -> None:
    """Empty the sound index, to its last trigram, and queue every segment again.

    A redacted copy calls this before masking the text: the keys of the words
    it masks must not survive in the index (``delete-all`` drops every index
    page, where row deletes would leave the old trigrams until a merge).
    """
    conn.execute("DELETE FROM segment_sounds")
    conn.execute("INSERT INTO sounds_fts(sounds_fts) VALUES ('delete-all')")
    conn.execute("INSERT OR IGNORE INTO sounds_stale (segment_id) SELECT id FROM segments")


def sound_candidates(
    store: CaseStore, match: str, exact: str, filters: SearchFilters, limit: int
) -> list[SearchHit]:
    """Segments whose key holds a piece of the query (``match``, a trigram MATCH
    expression) and that the exact expression ``exact`` does not find; those not
    yet keyed come too. At most ``limit``, for the caller to verify.

    The two indexes are read for row ids alone and subtracted here: joining
    every piece's match to the segments first cost ten times as much.
    """
    ids = {row[0] for row in store.conn.execute(_IDS.format("sounds_fts"), (match,))}
    ids |= {row[0] for row in store.conn.execute("SELECT segment_id FROM sounds_stale")}
    ids -= {row[0] for row in store.conn.execute(_IDS.format("segments_fts"), (exact,))}
    if not ids:
        return []
    clauses, args = filter_clauses(filters)
    where = "".join(f" AND {clause}" for clause in clauses)
    rows = store.conn.execute(
        f"""
        SELECT {HIT_COLUMNS}, 0.0 AS score FROM segments s JOIN calls c ON c.id = s.call_id
        WHERE s.id IN (SELECT value FROM json_each(?)){where}
        ORDER BY s.id LIMIT ?
        """,
        [json.dumps(sorted(ids)), *args, limit],
    )
    return [SearchHit(**dict(row)) for row in rows]


_IDS = "SELECT rowid FROM {0} WHERE {0} MATCH ?"
