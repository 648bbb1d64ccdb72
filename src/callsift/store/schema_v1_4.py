"""Schema versions 1–4 of the case database: calls, transcripts, search, review.

Kept apart from ``schema.py`` (which assembles ``MIGRATIONS``) once that file
had grown past 600 lines; a version's text never changes after release.
"""

V1 = """
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


# Language layer (#3): translations and lemmas beside each segment, one index
# over original words, their lemmas and the English, and the analysis results.
# The full-text index follows ``segments`` through these triggers (schema 2 made
# them; schema 6 makes them again on the rebuilt table).
SEGMENTS_FTS_TRIGGERS = """
CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts(rowid, text, lemmas, translation)
    VALUES (new.id, new.text, new.lemmas, new.translation);
END;
CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text, lemmas, translation)
    VALUES ('delete', old.id, old.text, old.lemmas, old.translation);
END;
CREATE TRIGGER segments_fts_update AFTER UPDATE ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text, lemmas, translation)
    VALUES ('delete', old.id, old.text, old.lemmas, old.translation);
    INSERT INTO segments_fts(rowid, text, lemmas, translation)
    VALUES (new.id, new.text, new.lemmas, new.translation);
END;
"""

V2 = (
    """
ALTER TABLE segments ADD COLUMN lemmas TEXT NOT NULL DEFAULT '';
ALTER TABLE segments ADD COLUMN translation TEXT;
ALTER TABLE segments ADD COLUMN translation_engine TEXT;
ALTER TABLE channels ADD COLUMN whisper_language TEXT;
ALTER TABLE channels ADD COLUMN mixed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN language_reason TEXT;
ALTER TABLE calls ADD COLUMN analyzed_with TEXT;

DROP TRIGGER segments_fts_insert;
DROP TRIGGER segments_fts_delete;
DROP TRIGGER segments_fts_update;
DROP TABLE segments_fts;
CREATE VIRTUAL TABLE segments_fts USING fts5(
    text, lemmas, translation, content='segments', content_rowid='id',
    tokenize="porter unicode61 remove_diacritics 2"
);
INSERT INTO segments_fts(segments_fts) VALUES ('rebuild');
"""
    + SEGMENTS_FTS_TRIGGERS
    + """
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    channel INTEGER NOT NULL,
    start REAL NOT NULL,
    type TEXT NOT NULL,
    text TEXT NOT NULL,
    normal TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    value REAL,
    fraction REAL,
    kind TEXT,
    attrs TEXT
);
CREATE INDEX mentions_call ON mentions(call_id, start);
CREATE INDEX mentions_type_normal ON mentions(type, normal);
CREATE INDEX mentions_segment ON mentions(segment_id);

CREATE TABLE flags (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    channel INTEGER NOT NULL,
    start REAL NOT NULL,
    topic TEXT NOT NULL,
    term TEXT NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL
);
CREATE INDEX flags_call ON flags(call_id, start);
CREATE INDEX flags_topic ON flags(topic);
CREATE INDEX flags_segment ON flags(segment_id);
"""
)


# Numbers, voices, findings and verification (#4). Each block belongs to one
# module of ``store``: phones.py, voices.py, findings.py, verification.py.
V3 = """
CREATE TABLE call_numbers (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('caller', 'receiver')),
    raw TEXT NOT NULL,
    e164 TEXT,
    valid INTEGER NOT NULL,
    country TEXT,
    region TEXT,
    carrier TEXT,
    line_type TEXT,
    PRIMARY KEY (call_id, role)
);
CREATE INDEX call_numbers_e164 ON call_numbers(e164);

CREATE TABLE directory_entries (
    id INTEGER PRIMARY KEY,
    directory TEXT NOT NULL,
    raw TEXT NOT NULL,
    e164 TEXT,
    name TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL,
    UNIQUE (directory, raw, name)
);
CREATE INDEX directory_entries_e164 ON directory_entries(e164);

CREATE TABLE voices (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    channel INTEGER NOT NULL,
    embedding BLOB NOT NULL,
    speech_s REAL NOT NULL,
    model TEXT NOT NULL,
    PRIMARY KEY (call_id, channel)
);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'problem')),
    message TEXT NOT NULL,
    other_call_id INTEGER REFERENCES calls(id) ON DELETE CASCADE,
    score REAL,
    detail TEXT,
    found_at TEXT NOT NULL,
    checked_with TEXT NOT NULL
);
CREATE INDEX findings_call ON findings(call_id);
CREATE INDEX findings_kind ON findings(kind);

CREATE TABLE verification (
    call_id INTEGER PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (
        status IN ('unverified', 'corroborated', 'verified', 'disputed', 'rejected')),
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE verification_history (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    status TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    links TEXT,
    at TEXT NOT NULL
);
CREATE INDEX verification_history_call ON verification_history(call_id, id);
CREATE TRIGGER verification_history_no_update BEFORE UPDATE ON verification_history BEGIN
    SELECT RAISE(ABORT, 'the verification history is append-only');
END;
CREATE TRIGGER verification_history_no_delete BEFORE DELETE ON verification_history BEGIN
    SELECT RAISE(ABORT, 'the verification history is append-only');
END;

CREATE TABLE call_links (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    other_call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    relation TEXT NOT NULL DEFAULT 'corroborates',
    note TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (call_id, other_call_id, relation)
);
"""


# Review by a team (#5): a stable identity for the case (memberships in the
# team file refer to it, so a renamed or moved folder keeps its members),
# reviewers' annotations, transcript corrections kept as versions, and the
# progress of long jobs for the web app's live status. Blocks belong to
# store/review.py and store/jobs.py.
V4 = """
CREATE TABLE case_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO case_info (key, value) VALUES ('uuid', lower(hex(randomblob(16))));

CREATE TABLE annotations (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    channel INTEGER,
    start REAL,
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX annotations_call ON annotations(call_id, start);
CREATE TRIGGER annotations_no_update BEFORE UPDATE ON annotations BEGIN
    SELECT RAISE(ABORT, 'annotations are append-only');
END;
CREATE TRIGGER annotations_no_delete BEFORE DELETE ON annotations BEGIN
    SELECT RAISE(ABORT, 'annotations are append-only');
END;

ALTER TABLE segments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE TABLE segment_versions (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    segment_id INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    editor TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    UNIQUE (segment_id, version)
);
CREATE INDEX segment_versions_call ON segment_versions(call_id, segment_id);
CREATE TRIGGER segment_versions_no_update BEFORE UPDATE ON segment_versions BEGIN
    SELECT RAISE(ABORT, 'transcript versions are append-only');
END;
CREATE TRIGGER segment_versions_no_delete BEFORE DELETE ON segment_versions BEGIN
    SELECT RAISE(ABORT, 'transcript versions are append-only');
END;

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    pid INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'stopped')),
    total INTEGER,
    done INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    item TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""
