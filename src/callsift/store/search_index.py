"""The derived full-text index: tantivy beside SQLite, for search at a million segments.

SQLite stays the source of truth; this index is a file in the case folder
(``derived/search``) built from it, and nothing else reads it but search.
FTS5 ranked every match of a common word through an SQL function before
cutting to ten (87–590 ms at a million segments, filters read per row);
tantivy ranks top hits by BM25 with block skipping, counts matches on the
postings, and filters on fast fields (ms).

Staying in step: plain-SQL triggers (schema 9) queue each call whose words,
flags, mentions or metadata change, whoever writes them; before a search the
queued calls are indexed again, committed, and only then taken off the queue,
so a ``kill -9`` at any moment leaves work to redo, never an index that looks
current and is not. A marker file names the token the database holds
(``case_info``); an index without it (missing, half-built, or beside a
database restored from elsewhere) is rebuilt whole, in a new folder swapped in
when complete. When the index cannot be brought up to date (a read-only case,
another process writing it), ``current_index`` says so and search falls back
to FTS5, which triggers keep exact.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import sqlite3
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy

from callsift.store.case import CaseStore

__all__ = ["INDEX_VERSION", "SearchIndex", "analyze", "current_index", "fold", "trigrams"]

INDEX_VERSION = "2"
"""Bumped when fields or analysis change: an index made by another version is rebuilt."""

_TOKEN_KEY = "search_index"
_MARKER = "callsift.json"
_BATCH = 2000  # calls read and indexed per step
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})$")

_WORDS = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .build()
)
_ENGLISH = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)
_TRIGRAMS = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def fold(text: str) -> str:
    """Diacritics removed (ё → е, й → и, ї → і), as FTS5's ``remove_diacritics 2`` folds them."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def analyze(text: str, english: bool = False) -> list[str]:
    """The index's tokens for ``text``: query words must be cut exactly as indexed words."""
    return (_ENGLISH if english else _WORDS).analyze(fold(text))


def trigrams(text: str) -> list[str]:
    """A sound key's trigrams in order, as FTS5's trigram tokenizer cuts it (case folded).

    Indexed as words, they keep their positions, so a piece of a key is the
    phrase of its trigrams: a substring, as in the trigram index of schema 7.
    """
    text = text.lower()
    return [text[i : i + 3] for i in range(len(text) - 2)]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("id", "call", "day"):  # day: YYYYMMDD of the call's start, absent if unknown
        builder.add_unsigned_field(name, indexed=True, fast=True)
    for name in ("lang", "flags", "units", "places", "entities", "numbers"):  # filters, facets
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    builder.add_text_field("text", tokenizer_name="callsift_words", index_option="freq")
    builder.add_text_field("lemmas", tokenizer_name="callsift_words")
    builder.add_text_field("translation", tokenizer_name="callsift_english")
    builder.add_text_field("sounds", tokenizer_name="callsift_trigrams")  # see ``trigrams``
    builder.add_text_field("digits", tokenizer_name="callsift_trigrams")  # the call's numbers
    return builder.build()


SCHEMA = _schema()


@dataclass
class SearchIndex:
    """An open, current index of one case."""

    index: tantivy.Index
    token: str

    @property
    def schema(self) -> tantivy.Schema:
        return SCHEMA

    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()


_OPEN: dict[Path, SearchIndex] = {}
_GUARD = threading.Lock()  # one refresh at a time in this process (web request threads)


def _open(folder: Path, token: str) -> SearchIndex:
    index = tantivy.Index(SCHEMA, path=str(folder), reuse=True)
    index.register_tokenizer("callsift_words", _WORDS)
    index.register_tokenizer("callsift_english", _ENGLISH)
    index.register_tokenizer("callsift_trigrams", _TRIGRAMS)
    return SearchIndex(index, token)


def _marker(folder: Path) -> str | None:
    try:
        data = json.loads((folder / _MARKER).read_text())
    except (OSError, ValueError):
        return None
    return str(data.get("token")) if data.get("version") == INDEX_VERSION else None


def current_index(store: CaseStore) -> SearchIndex | None:
    """The case's index with every queued change in it; None when it cannot be made current."""
    folder = store.derived / "search"
    try:
        with _GUARD:
            row = store.conn.execute(
                "SELECT value FROM case_info WHERE key = ?", (_TOKEN_KEY,)
            ).fetchone()
            token = _marker(folder)
            if row is None or token != row[0]:
                with _writing(store) as allowed:
                    if not allowed:
                        return None
                    token = _rebuild(store, folder)
            if token is None:
                return None
            opened = _OPEN.get(folder)
            if opened is None or opened.token != token:
                opened = _OPEN[folder] = _open(folder, token)
            if store.conn.execute("SELECT 1 FROM search_stale LIMIT 1").fetchone() is not None:
                with _writing(store) as allowed:
                    if not allowed:
                        return None
                    _drain(store, opened)
            opened.index.reload()
            return opened
    except (OSError, ValueError, sqlite3.OperationalError):
        return None


@contextmanager
def _writing(store: CaseStore) -> Iterator[bool]:
    """Hold the index's write lock if free; another process writing it means not now."""
    store.derived.mkdir(parents=True, exist_ok=True)
    with open(store.derived / "search.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _rebuild(store: CaseStore, folder: Path) -> str:
    """Index every call into a new folder, then swap it in; returns the new token."""
    fresh = folder.with_name("search.new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    token = uuid.uuid4().hex
    # The queue is emptied first: whatever changes from here on is queued again.
    with store.transaction() as conn:
        conn.execute("DELETE FROM search_stale")
        conn.execute(
            "INSERT OR REPLACE INTO case_info (key, value) VALUES (?, ?)", (_TOKEN_KEY, token)
        )
    built = _open(fresh, token)
    writer = built.index.writer(200_000_000, 1)
    calls = [row[0] for row in store.conn.execute("SELECT id FROM calls ORDER BY id")]
    for start in range(0, len(calls), _BATCH):
        _add_calls(store, writer, calls[start : start + _BATCH])
    writer.commit()
    writer.wait_merging_threads()
    (fresh / _MARKER).write_text(json.dumps({"token": token, "version": INDEX_VERSION}))
    old = folder.with_name("search.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    _OPEN.pop(folder, None)
    return token


def _drain(store: CaseStore, opened: SearchIndex) -> None:
    """Index the queued calls again; a queue row goes only after its call is committed."""
    while True:
        rows = store.conn.execute(
            "SELECT seq, call_id FROM search_stale ORDER BY seq LIMIT ?", (_BATCH,)
        ).fetchall()
        if not rows:
            return
        calls = sorted({row[1] for row in rows})
        writer = opened.index.writer(50_000_000, 1)
        # By query: deleting by a bare term misses an unsigned field (tantivy-py 0.27).
        writer.delete_documents_by_query(tantivy.Query.term_set_query(SCHEMA, "call", calls))
        _add_calls(store, writer, calls)
        writer.commit()
        writer.wait_merging_threads()
        with store.transaction() as conn:
            conn.executemany("DELETE FROM search_stale WHERE seq = ?", [(row[0],) for row in rows])


def _call_values(store: CaseStore, calls: str) -> dict[tuple[int, str], list[str]]:
    """Per call of the JSON list ``calls``: what it mentions (by field) and its numbers."""
    values: dict[tuple[int, str], list[str]] = {}
    for row in store.conn.execute(
        """
        SELECT call_id, CASE type WHEN 'unit' THEN 'units' ELSE 'entities' END,
            json_group_array(DISTINCT normal) FROM mentions
        WHERE call_id IN (SELECT value FROM json_each(?1))
            AND type IN ('unit', 'PER', 'LOC', 'ORG')
        GROUP BY 1, 2
        UNION ALL
        SELECT call_id, 'places', json_group_array(DISTINCT normal) FROM mentions
        WHERE call_id IN (SELECT value FROM json_each(?1)) AND type = 'LOC' GROUP BY 1
        UNION ALL
        SELECT call_id, 'numbers', json_group_array(DISTINCT e164) FROM call_numbers
        WHERE call_id IN (SELECT value FROM json_each(?1)) AND e164 IS NOT NULL GROUP BY 1
        UNION ALL
        SELECT call_id, 'digits', json_array(digits) FROM call_digits
        WHERE call_id IN (SELECT value FROM json_each(?1))
        """,
        (calls,),
    ):
        values[(row[0], row[1])] = json.loads(row[2])
    return values


def _add_calls(store: CaseStore, writer: tantivy.IndexWriter, calls: list[int]) -> None:
    ids = json.dumps(calls)
    values = _call_values(store, ids)
    rows = store.conn.execute(
        """
        SELECT s.id, s.call_id, s.language, s.text, s.lemmas, s.translation, c.started_day,
            (SELECT json_group_array(DISTINCT f.topic) FROM flags f
             WHERE f.segment_id = s.id) AS flags, k.sounds
        FROM segments s JOIN calls c ON c.id = s.call_id
        LEFT JOIN segment_sounds k ON k.segment_id = s.id
        WHERE s.call_id IN (SELECT value FROM json_each(?))
        """,
        (ids,),
    )
    for row in rows:
        doc = tantivy.Document()
        doc.add_unsigned("id", row[0])
        doc.add_unsigned("call", row[1])
        day = _DAY.match(row[6] or "")
        if day:
            doc.add_unsigned("day", int("".join(day.groups())))
        doc.add_text("lang", row[2])
        for value in json.loads(row[7]):
            doc.add_text("flags", value)
        for name in ("units", "places", "entities", "numbers"):
            for value in values.get((row[1], name), []):
                doc.add_text(name, value)
        # Each number's trigrams apart: a run of digits never spans two numbers.
        digits = values.get((row[1], "digits"), [""])[0].split()
        doc.add_text("digits", " | ".join(" ".join(trigrams(d)) for d in digits))
        doc.add_text("text", fold(row[3]))
        doc.add_text("lemmas", fold(row[4]))
        doc.add_text("translation", fold(row[5] or ""))
        doc.add_text("sounds", " ".join(trigrams(row[8] or "")))
        writer.add_document(doc)
