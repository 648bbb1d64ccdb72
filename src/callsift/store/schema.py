"""Versioned schema of the case database.

Each entry of ``MIGRATIONS`` moves the database one version up and is applied
once, in a transaction, with ``PRAGMA user_version`` recording where a case
stands; a case made by an older callsift is upgraded on open, never rebuilt.

The custody log is append-only inside SQLite itself: triggers abort any UPDATE
or DELETE on it, so no code path (ours or a plugin's) can rewrite history.
"""

from __future__ import annotations

from callsift.store.schema_v1_4 import SEGMENTS_FTS_TRIGGERS, V1, V2, V3, V4
from callsift.store.schema_v9 import V9
from callsift.store.schema_v10 import V10

__all__ = ["MIGRATIONS"]

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
    + SEGMENTS_FTS_TRIGGERS
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

MIGRATIONS: list[str] = [V1, V2, V3, V4, _V5, _V6, _V7, _V8, V9, V10]
