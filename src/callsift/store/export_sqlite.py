"""The Datasette-ready SQLite export: a new database file, never the case itself.

The case database is built for the pipeline (metadata as JSON, numbers in a
side table, verification apart); this file is built for reading: one row per
call with every column flat, foreign keys declared so Datasette links a
segment to its call, views for the questions investigators ask first, and an
FTS5 index written the way Datasette detects it (``segments_fts`` with
``content="segments"``: the double quotes matter, Datasette's detector looks
for them) so the segments table gets a search box. See
https://docs.datasette.io/en/stable/full_text_search.html

The file is written under a temporary name and renamed into place when
complete, so a crash never leaves a half-written export where a finished one
is expected.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from callsift.store.sqlite import split_statements

__all__ = ["write_export_database"]

SCHEMA = """
CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    started_at TEXT,
    duration_s REAL,
    stated_duration_s REAL,
    location TEXT,
    notes TEXT,
    caller_raw TEXT,
    caller_e164 TEXT,
    caller_valid INTEGER,
    caller_country TEXT,
    caller_carrier TEXT,
    caller_name TEXT,
    receiver_raw TEXT,
    receiver_e164 TEXT,
    receiver_valid INTEGER,
    receiver_country TEXT,
    receiver_carrier TEXT,
    receiver_name TEXT,
    languages TEXT,
    flags INTEGER NOT NULL,
    flag_topics TEXT,
    findings INTEGER NOT NULL,
    verification TEXT NOT NULL,
    reviewer TEXT,
    verification_note TEXT,
    verified_at TEXT,
    other_names TEXT,
    size INTEGER NOT NULL,
    codec TEXT,
    container TEXT,
    sample_rate INTEGER,
    channels INTEGER,
    ingested_at TEXT NOT NULL,
    processed_at TEXT,
    extra TEXT
);
CREATE TABLE numbers (
    call_id INTEGER NOT NULL REFERENCES calls(id),
    role TEXT NOT NULL,
    raw TEXT NOT NULL,
    e164 TEXT,
    valid INTEGER NOT NULL,
    country TEXT,
    carrier TEXT,
    name TEXT,
    PRIMARY KEY (call_id, role)
);
CREATE TABLE known_numbers (
    raw TEXT NOT NULL,
    e164 TEXT,
    name TEXT NOT NULL,
    unit TEXT,
    source TEXT,
    note TEXT,
    directory TEXT NOT NULL
);
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    channel INTEGER NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    language TEXT,
    text TEXT NOT NULL,
    translation TEXT,
    translation_engine TEXT,
    lemmas TEXT
);
CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    segment_id INTEGER NOT NULL REFERENCES segments(id),
    channel INTEGER NOT NULL,
    start REAL NOT NULL,
    type TEXT NOT NULL,
    text TEXT NOT NULL,
    normal TEXT NOT NULL,
    value REAL,
    fraction REAL,
    kind TEXT,
    attrs TEXT
);
CREATE TABLE flags (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    segment_id INTEGER NOT NULL REFERENCES segments(id),
    channel INTEGER NOT NULL,
    start REAL NOT NULL,
    topic TEXT NOT NULL,
    term TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    other_call_id INTEGER REFERENCES calls(id),
    score REAL,
    detail TEXT,
    found_at TEXT NOT NULL,
    checked_with TEXT NOT NULL
);
CREATE TABLE verification_history (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    status TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    note TEXT,
    links TEXT,
    at TEXT NOT NULL
);
CREATE TABLE call_links (
    call_id INTEGER NOT NULL REFERENCES calls(id),
    other_call_id INTEGER NOT NULL REFERENCES calls(id),
    relation TEXT NOT NULL,
    note TEXT,
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE custody (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    sha256 TEXT,
    tool_version TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX segments_call ON segments(call_id, start);
CREATE INDEX entities_call ON entities(call_id);
CREATE INDEX entities_normal ON entities(type, normal);
CREATE INDEX flags_call ON flags(call_id);
CREATE INDEX findings_call ON findings(call_id);
CREATE INDEX numbers_e164 ON numbers(e164);
CREATE INDEX custody_sha256 ON custody(sha256);
"""

SEARCH = """
CREATE VIRTUAL TABLE segments_fts USING fts5(
    text, translation, lemmas, content="segments", content_rowid="id",
    tokenize="porter unicode61 remove_diacritics 2"
);
INSERT INTO segments_fts(segments_fts) VALUES ('rebuild');
CREATE VIEW call_summary AS
    SELECT c.id, c.file, c.started_at, c.duration_s,
        coalesce(c.caller_e164, c.caller_raw) AS caller, c.caller_name,
        coalesce(c.receiver_e164, c.receiver_raw) AS receiver, c.receiver_name,
        c.languages, c.verification, c.flags, c.flag_topics, c.findings,
        (SELECT count(*) FROM segments s WHERE s.call_id = c.id) AS segments,
        c.location, c.notes
    FROM calls c ORDER BY c.started_at, c.id;
CREATE VIEW flagged_segments AS
    SELECT f.call_id, c.file, c.started_at, f.channel, s.start, s."end", f.topic, f.term,
        f.text AS matched, s.text, s.translation, c.verification
    FROM flags f JOIN segments s ON s.id = f.segment_id JOIN calls c ON c.id = f.call_id
    ORDER BY f.call_id, s.start;
CREATE VIEW number_activity AS
    SELECT coalesce(n.e164, n.raw) AS number, n.valid, n.country, n.carrier, n.name,
        count(DISTINCT n.call_id) AS calls,
        sum(n.role = 'caller') AS as_caller, sum(n.role = 'receiver') AS as_receiver,
        min(c.started_at) AS first_call, max(c.started_at) AS last_call
    FROM numbers n JOIN calls c ON c.id = n.call_id
    GROUP BY coalesce(n.e164, n.raw) ORDER BY calls DESC, number;
CREATE VIEW mentioned AS
    SELECT type, normal, count(*) AS mentions, count(DISTINCT call_id) AS calls
    FROM entities GROUP BY type, normal ORDER BY calls DESC, mentions DESC, normal;
"""


def write_export_database(
    out: Path, tables: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> Path:
    """Create ``out`` with the export schema, fill ``tables``, then index and add the views.

    Each of ``tables`` is ``(name, column names, rows)``; every table of the
    schema not given stays empty. An existing ``out`` is replaced only once the
    new file is complete.
    """
    tmp = out.with_name(f".{out.name}.partial")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for statement in split_statements(SCHEMA):
            conn.execute(statement)
        for name, columns, rows in tables:
            quoted = ", ".join(f'"{column}"' for column in columns)
            marks = ", ".join("?" for _ in columns)
            conn.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', rows)
        for statement in split_statements(SEARCH):
            conn.execute(statement)
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    os.replace(tmp, out)
    return out
