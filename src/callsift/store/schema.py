"""Versioned schema of the case database.

Each entry of ``MIGRATIONS`` moves the database one version up and is applied
once, in a transaction, with ``PRAGMA user_version`` recording where a case
stands; a case made by an older callsift is upgraded on open, never rebuilt.

The custody log is append-only inside SQLite itself: triggers abort any UPDATE
or DELETE on it, so no code path (ours or a plugin's) can rewrite history.
"""

from __future__ import annotations

from callsift.store.schema_v9 import V9
from callsift.store.schema_v10 import V10

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


# Language layer (#3): translations and lemmas beside each segment, one index
# over original words, their lemmas and the English, and the analysis results.
# The full-text index follows ``segments`` through these triggers (schema 2 made
# them; schema 6 makes them again on the rebuilt table).
_SEGMENTS_FTS_TRIGGERS = """
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

_V2 = (
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
    + _SEGMENTS_FTS_TRIGGERS
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
_V3 = """
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
_V4 = """
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

# Hash-chained custody log (#9, evidence integrity): each entry holds its hash and the
# previous entry's (see callsift.store.custody). Existing entries are chained in id
# order with custody_hash(), which CaseStore registers; UPDATE is refused by a
# trigger, so it is dropped for the back-fill and made again. A new entry must name
# the last entry's hash and take the next id, so a plain INSERT is refused.
_V5 = """
ALTER TABLE custody ADD COLUMN prev_hash TEXT;
ALTER TABLE custody ADD COLUMN hash TEXT;
DROP TRIGGER custody_no_update;
CREATE TEMP TABLE custody_chain AS
WITH RECURSIVE chain(id, hash) AS (
    SELECT 0, '0000000000000000000000000000000000000000000000000000000000000000'
    UNION ALL
    SELECT c.id, custody_hash(chain.hash, c.id, c.at, c.actor, c.action, c.sha256,
                              c.tool_version, c.detail)
    FROM chain JOIN custody c ON c.id = (SELECT min(id) FROM custody WHERE id > chain.id)
)
SELECT id, hash, lag(hash) OVER (ORDER BY id) AS prev_hash FROM chain;
UPDATE custody SET prev_hash = k.prev_hash, hash = k.hash
FROM temp.custody_chain k WHERE k.id = custody.id;
DROP TABLE temp.custody_chain;
CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody BEGIN
    SELECT RAISE(ABORT, 'the custody log is append-only');
END;
CREATE TRIGGER custody_chained BEFORE INSERT ON custody
WHEN new.hash IS NULL
  OR new.id IS NOT coalesce((SELECT max(id) FROM custody), 0) + 1
  OR new.prev_hash IS NOT coalesce(
        (SELECT hash FROM custody ORDER BY id DESC LIMIT 1),
        '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
    SELECT RAISE(ABORT, 'a custody entry must follow and name the last one (callsift logs it)');
END;
"""

# Hardening (#9). Segment ids are never reused: without AUTOINCREMENT, a call
# transcribed again could give its new segments the ids of deleted ones, and a
# reviewer's correction (segment_versions.segment_id) would then point at words
# it was never made on. A corrected segment can no longer be deleted at all.
# Calls decoded from a file cut short say so (``damage``), and a job whose
# process died is marked ``interrupted`` instead of running forever. Runs with
# foreign keys off (see ``CaseStore._migrate``): rebuilding ``segments`` must not
# cascade into the analysis that refers to it.
_V6 = (
    """
CREATE TABLE segments_v6 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    channel INTEGER NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    language TEXT NOT NULL,
    text TEXT NOT NULL,
    avg_logprob REAL,
    no_speech_prob REAL,
    compression_ratio REAL,
    words TEXT NOT NULL,
    lemmas TEXT NOT NULL DEFAULT '',
    translation TEXT,
    translation_engine TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO segments_v6 (id, call_id, channel, start, "end", language, text, avg_logprob,
    no_speech_prob, compression_ratio, words, lemmas, translation, translation_engine, version)
SELECT id, call_id, channel, start, "end", language, text, avg_logprob,
    no_speech_prob, compression_ratio, words, lemmas, translation, translation_engine, version
FROM segments;
INSERT INTO sqlite_sequence (name, seq) SELECT 'segments_v6', 0
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'segments_v6');
UPDATE sqlite_sequence
SET seq = max(seq, coalesce((SELECT max(segment_id) FROM segment_versions), 0))
WHERE name = 'segments_v6';
DROP TABLE segments;
ALTER TABLE segments_v6 RENAME TO segments;
CREATE INDEX segments_call ON segments(call_id, channel, start);
"""
    + _SEGMENTS_FTS_TRIGGERS
    + """CREATE TRIGGER segments_keep_corrected BEFORE DELETE ON segments
WHEN EXISTS (SELECT 1 FROM segment_versions v WHERE v.segment_id = old.id) BEGIN
    SELECT RAISE(ABORT, 'a corrected segment is never deleted');
END;

ALTER TABLE calls ADD COLUMN damage TEXT;

CREATE TABLE jobs_v6 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    pid INTEGER NOT NULL,
    state TEXT NOT NULL
        CHECK (state IN ('running', 'finished', 'stopped', 'interrupted')),
    total INTEGER,
    done INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    item TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO jobs_v6 SELECT * FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v6 RENAME TO jobs;
"""
)

# Trustworthy words (#11): each part belongs to one capability and is kept
# apart so that each reads on its own; together they make schema 7.
# Search that survives mishearing: a sound index beside the text. Each
# segment's words as they sound (``callsift.search.sounds``), joined without
# spaces, under a trigram index: a word split in two or glued to a preposition
# is still a substring. The key is computed in Python, so plain SQL only queues
# what needs it (``sounds_stale``): every segment now, then each one inserted or
# whose text changes. Any SQLite client can still write segments; callsift fills
# the queue before it searches.
_V7_SEARCH = """
CREATE TABLE segment_sounds (
    segment_id INTEGER PRIMARY KEY,
    sounds TEXT NOT NULL
);
CREATE VIRTUAL TABLE sounds_fts USING fts5(
    sounds, content='segment_sounds', content_rowid='segment_id', tokenize='trigram'
);
CREATE TRIGGER segment_sounds_insert AFTER INSERT ON segment_sounds BEGIN
    INSERT INTO sounds_fts(rowid, sounds) VALUES (new.segment_id, new.sounds);
END;
CREATE TRIGGER segment_sounds_delete AFTER DELETE ON segment_sounds BEGIN
    INSERT INTO sounds_fts(sounds_fts, rowid, sounds) VALUES ('delete', old.segment_id, old.sounds);
END;
CREATE TABLE sounds_stale (segment_id INTEGER PRIMARY KEY);
CREATE TRIGGER segments_sounds_insert AFTER INSERT ON segments BEGIN
    INSERT OR IGNORE INTO sounds_stale (segment_id) VALUES (new.id);
END;
CREATE TRIGGER segments_sounds_update AFTER UPDATE OF text ON segments BEGIN
    DELETE FROM segment_sounds WHERE segment_id = old.id;
    INSERT OR IGNORE INTO sounds_stale (segment_id) VALUES (new.id);
END;
CREATE TRIGGER segments_sounds_delete AFTER DELETE ON segments BEGIN
    DELETE FROM segment_sounds WHERE segment_id = old.id;
    DELETE FROM sounds_stale WHERE segment_id = old.id;
END;
INSERT INTO sounds_stale (segment_id) SELECT id FROM segments;
"""
# English that does not mislead: checks per segment, reviewers' English.
# ``translation_doubts`` is the JSON list of the checks' notes
# (``callsift.translate.checks``), ``translation_dropped`` what was cut out of a
# looping translation, ``translation_machine`` the model's English exactly as
# written (``translation`` is what is shown: names set to the gazetteer's),
# ``translation_repair`` the JSON of a second try at English that lost a name
# or a number (``callsift.translate.repair``), kept or not.
# Reviewers' English is kept like transcript corrections: append-only
# versions, the machine's first (store/translations.py).
_V7_TRANSLATION = """
ALTER TABLE segments ADD COLUMN translation_logprob REAL;
ALTER TABLE segments ADD COLUMN translation_dropped TEXT;
ALTER TABLE segments ADD COLUMN translation_doubts TEXT;
ALTER TABLE segments ADD COLUMN translation_machine TEXT;
ALTER TABLE segments ADD COLUMN translation_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE segments ADD COLUMN translation_repair TEXT;
CREATE TABLE translation_versions (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    segment_id INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    engine TEXT,
    editor TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    UNIQUE (segment_id, version)
);
CREATE INDEX translation_versions_call ON translation_versions(call_id, segment_id);
CREATE TRIGGER translation_versions_no_update BEFORE UPDATE ON translation_versions BEGIN
    SELECT RAISE(ABORT, 'translation versions are append-only');
END;
CREATE TRIGGER translation_versions_no_delete BEFORE DELETE ON translation_versions BEGIN
    SELECT RAISE(ABORT, 'translation versions are append-only');
END;
CREATE TRIGGER segments_keep_translated BEFORE DELETE ON segments
WHEN EXISTS (SELECT 1 FROM translation_versions v WHERE v.segment_id = old.id) BEGIN
    SELECT RAISE(ABORT, 'a segment with corrected English is never deleted');
END;
"""
# Confidence a reader can see: word confidence carried to every finding.
_V7_CONFIDENCE = """
ALTER TABLE mentions ADD COLUMN confidence REAL;
ALTER TABLE flags ADD COLUMN confidence REAL;
ALTER TABLE calls ADD COLUMN words INTEGER;
ALTER TABLE calls ADD COLUMN low_words INTEGER;
ALTER TABLE calls ADD COLUMN certainty REAL;
CREATE INDEX calls_certainty ON calls (certainty);
"""
# Who spoke on mono calls: a speaker per segment of a mixed channel.
# ``segments.speaker`` is 1 or 2 on a channel split into two voices (NULL on a
# channel that holds one party, or a mix not split); ``channels.speakers`` says
# how many voices a mixed channel was found to hold and ``speakers_reason`` why.
# ``speakers`` holds each voice's party (caller, receiver, or NULL when neither
# metadata nor content says), the evidence for it, and its language decision.
# ``voices`` gains ``speaker`` (0: the whole channel) so that each voice of a
# split channel has its own voice print, compared across calls like a party's.
_V7_SPEAKERS = """
ALTER TABLE segments ADD COLUMN speaker INTEGER;
ALTER TABLE channels ADD COLUMN speakers INTEGER;
ALTER TABLE channels ADD COLUMN speakers_reason TEXT;
CREATE TABLE speakers (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    channel INTEGER NOT NULL,
    speaker INTEGER NOT NULL,
    speech_s REAL NOT NULL,
    role TEXT,
    role_reason TEXT,
    language TEXT,
    language_reason TEXT,
    PRIMARY KEY (call_id, channel, speaker)
);
CREATE TABLE voices_v7 (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    channel INTEGER NOT NULL,
    speaker INTEGER NOT NULL DEFAULT 0,
    embedding BLOB NOT NULL,
    speech_s REAL NOT NULL,
    model TEXT NOT NULL,
    PRIMARY KEY (call_id, channel, speaker)
);
INSERT INTO voices_v7 (call_id, channel, embedding, speech_s, model)
SELECT call_id, channel, embedding, speech_s, model FROM voices;
DROP TABLE voices;
ALTER TABLE voices_v7 RENAME TO voices;
"""
_V7 = _V7_SEARCH + _V7_TRANSLATION + _V7_CONFIDENCE + _V7_SPEAKERS

# The review experience (#12): how reliable each call's transcript is, the team's
# tags on calls, and each user's saved searches with what they last saw.
# Words each channel's transcript holds, beside the speech its voice detector
# found (``store.reliability``): a dashboard counting unreliable calls reads
# one row per channel instead of every segment's word list.
_V8_RELIABILITY = """
ALTER TABLE channels ADD COLUMN words INTEGER;
UPDATE channels SET words = (
    SELECT coalesce(sum(json_array_length(s.words)), 0) FROM segments s
    WHERE s.call_id = channels.call_id AND s.channel = channels.channel
);
"""
# Tags a team puts on calls (``store.tags``; every change also goes to the
# custody log) and each user's saved searches (``store.saved``): the query and
# its filters (JSON of ``SearchFilters``), and the highest segment id the user
# had seen when last opening it, so that hits on later segments count as new.
_V8_BROWSE = """
CREATE TABLE call_tags (
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    tagged_by TEXT NOT NULL,
    tagged_at TEXT NOT NULL,
    PRIMARY KEY (call_id, tag)
);
CREATE INDEX call_tags_tag ON call_tags(tag);
CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    filters TEXT NOT NULL,
    seen_segment INTEGER NOT NULL DEFAULT 0,
    seen_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (owner, name)
);
"""
_V8 = _V8_RELIABILITY + _V8_BROWSE

MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, V9, V10]
