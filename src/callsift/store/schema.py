"""Versioned schema of the case database.

Each entry of ``MIGRATIONS`` moves the database one version up and is applied
once, in a transaction, with ``PRAGMA user_version`` recording where a case
stands; a case made by an older callsift is upgraded on open, never rebuilt.

The custody log is append-only inside SQLite itself: triggers abort any UPDATE
or DELETE on it, so no code path (ours or a plugin's) can rewrite history.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

_V1 = """
CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    file TEXT NOT NULL,
    size INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    reason TEXT,
    metadata TEXT,
    duration_s REAL,
    sample_rate INTEGER,
    channels INTEGER,
    codec TEXT,
    container TEXT,
    processed_at TEXT,
    processed_with TEXT
);
CREATE INDEX calls_status ON calls(status);

CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    name TEXT NOT NULL,
    origin TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    UNIQUE (call_id, origin)
);
CREATE INDEX sources_name ON sources(name);

CREATE TABLE sidecar_rows (
    file TEXT PRIMARY KEY,
    sidecar TEXT NOT NULL,
    metadata TEXT NOT NULL
);

CREATE TABLE input_failures (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (file, reason)
);

CREATE TABLE channels (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    channel INTEGER NOT NULL,
    language TEXT,
    language_probability REAL,
    speech_s REAL NOT NULL,
    PRIMARY KEY (call_id, channel)
);

CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    channel INTEGER NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    language TEXT NOT NULL,
    text TEXT NOT NULL,
    avg_logprob REAL,
    no_speech_prob REAL,
    compression_ratio REAL,
    words TEXT NOT NULL
);
CREATE INDEX segments_call ON segments(call_id, channel, start);

CREATE VIRTUAL TABLE segments_fts USING fts5(
    text, content='segments', content_rowid='id', tokenize="unicode61 remove_diacritics 2"
);
CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER segments_fts_update AFTER UPDATE ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
END;

CREATE TABLE custody (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    sha256 TEXT,
    tool_version TEXT NOT NULL,
    detail TEXT
);
CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody BEGIN
    SELECT RAISE(ABORT, 'the custody log is append-only');
END;
CREATE TRIGGER custody_no_delete BEFORE DELETE ON custody BEGIN
    SELECT RAISE(ABORT, 'the custody log is append-only');
END;
"""

MIGRATIONS: list[str] = [_V1]
