"""Schema version 9: what a case needs to stay fast at a million segments (#13).

Kept apart from ``schema.py`` (versions 5–8; 1–4 are in ``schema_v1_4``), which had
grown past 600 lines.
Each part is filled by the change that needs it; ``V9`` is what migrates.
"""

# Search filters as indexed columns, and the queue of the derived full-text
# index (``store.search_index``): read per row from the metadata JSON, a date or
# number filter cost half a second at a million segments.
# ``calls.started_day`` is the call's day, computed from its metadata by SQLite
# itself (a generated column: no code path can let it drift) and indexed.
# ``call_digits`` holds the digits of the caller and the receiver as written (a
# space between them) under a trigram index, so "digits the number contains"
# is an index lookup, not a scan of every call; plain-SQL triggers keep it in
# step with the metadata, whoever writes it.
# ``search_stale`` queues each call whose words, sound keys, flags, mentions,
# numbers or metadata changed; callsift re-indexes those calls before the next
# search, then deletes only the rows it read (by ``seq``: a call queued again
# meanwhile gets a new ``seq`` and stays queued). A case without the derived
# index gets it built whole, so the queue needs no backfill.
_DIGITS = (
    "replace(replace(replace(replace(replace(replace(coalesce(json_extract({0}, '$.{1}'), ''),"
    " ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '')"
)
_CALL_DIGITS = _DIGITS.format("{0}", "caller") + " || ' ' || " + _DIGITS.format("{0}", "receiver")
_QUEUE = "INSERT OR REPLACE INTO search_stale (call_id) VALUES ({0});"
SEARCH = f"""
ALTER TABLE calls ADD COLUMN started_day TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(metadata)
    THEN substr(json_extract(metadata, '$.started_at'), 1, 10) END) VIRTUAL;
CREATE INDEX calls_started_day ON calls(started_day);

CREATE TABLE call_digits (call_id INTEGER PRIMARY KEY, digits TEXT NOT NULL);
CREATE VIRTUAL TABLE call_digits_fts USING fts5(
    digits, content='call_digits', content_rowid='call_id', tokenize='trigram'
);
CREATE TRIGGER call_digits_insert AFTER INSERT ON call_digits BEGIN
    INSERT INTO call_digits_fts(rowid, digits) VALUES (new.call_id, new.digits);
END;
CREATE TRIGGER call_digits_delete AFTER DELETE ON call_digits BEGIN
    INSERT INTO call_digits_fts(call_digits_fts, rowid, digits)
    VALUES ('delete', old.call_id, old.digits);
END;
CREATE TRIGGER calls_digits_insert AFTER INSERT ON calls WHEN json_valid(new.metadata) BEGIN
    INSERT INTO call_digits (call_id, digits)
    VALUES (new.id, {_CALL_DIGITS.format("new.metadata")});
END;
CREATE TRIGGER calls_digits_update AFTER UPDATE OF metadata ON calls BEGIN
    DELETE FROM call_digits WHERE call_id = old.id;
    INSERT INTO call_digits (call_id, digits)
    SELECT new.id, {_CALL_DIGITS.format("new.metadata")} WHERE json_valid(new.metadata);
END;
CREATE TRIGGER calls_digits_delete AFTER DELETE ON calls BEGIN
    DELETE FROM call_digits WHERE call_id = old.id;
END;
INSERT INTO call_digits (call_id, digits)
SELECT id, {_CALL_DIGITS.format("metadata")} FROM calls WHERE json_valid(metadata);

CREATE TABLE search_stale (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id INTEGER NOT NULL UNIQUE
);
CREATE TRIGGER search_segment_insert AFTER INSERT ON segments BEGIN
    {_QUEUE.format("new.call_id")}
END;
CREATE TRIGGER search_segment_update
AFTER UPDATE OF text, lemmas, translation, language ON segments BEGIN
    {_QUEUE.format("new.call_id")}
END;
CREATE TRIGGER search_segment_delete AFTER DELETE ON segments BEGIN
    {_QUEUE.format("old.call_id")}
END;
CREATE TRIGGER search_flag_insert AFTER INSERT ON flags BEGIN {_QUEUE.format("new.call_id")} END;
CREATE TRIGGER search_flag_delete AFTER DELETE ON flags BEGIN {_QUEUE.format("old.call_id")} END;
CREATE TRIGGER search_mention_insert AFTER INSERT ON mentions BEGIN
    {_QUEUE.format("new.call_id")}
END;
CREATE TRIGGER search_mention_delete AFTER DELETE ON mentions BEGIN
    {_QUEUE.format("old.call_id")}
END;
CREATE TRIGGER search_sounds_insert AFTER INSERT ON segment_sounds BEGIN
    INSERT OR REPLACE INTO search_stale (call_id)
    SELECT call_id FROM segments WHERE id = new.segment_id;
END;
CREATE TRIGGER search_sounds_delete AFTER DELETE ON segment_sounds BEGIN
    INSERT OR REPLACE INTO search_stale (call_id)
    SELECT call_id FROM segments WHERE id = old.segment_id;
END;
CREATE TRIGGER search_number_insert AFTER INSERT ON call_numbers BEGIN
    {_QUEUE.format("new.call_id")}
END;
CREATE TRIGGER search_number_delete AFTER DELETE ON call_numbers BEGIN
    {_QUEUE.format("old.call_id")}
END;
CREATE TRIGGER search_call_update AFTER UPDATE OF metadata ON calls BEGIN
    {_QUEUE.format("new.id")}
END;
CREATE TRIGGER search_call_delete AFTER DELETE ON calls BEGIN
    {_QUEUE.format("old.id")}
END;
"""
# Graph analytics computed once per change of the call graph: Louvain and
# betweenness took a minute per page view at 100,000 calls. ``graph_state``
# holds one generation number that plain-SQL triggers raise whenever what the
# graph is built from changes (a call's numbers, its metadata, status or
# duration, a directory entry), whoever writes it; ``graph_cache`` keeps each
# computed result with the generation it was computed at, so a stale one is
# never read (``store.graph.cached_result``). Nothing to backfill: an empty
# cache is computed on first use.
# With it, the indexes the review app's other case-wide pages read at 100,000
# calls (each was a scan of 0.3 to 2 s): the calls list sorted by date, the
# review queue, the dashboard's sums and counts, flag filters, top places, the
# silent calls (``channels_heard``) and the calls whose transcript is
# doubtful (``channels_doubtful``: the rule of
# ``store.reliability``, written out again because SQLite uses a partial index
# only for a query that states its condition; a test checks that both agree).
_BUMP = "UPDATE graph_state SET generation = generation + 1;"
GRAPH = f"""
CREATE TABLE graph_state (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL);
INSERT INTO graph_state (id, generation) VALUES (1, 0);
CREATE TABLE graph_cache (
    name TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TRIGGER graph_numbers_insert AFTER INSERT ON call_numbers BEGIN {_BUMP} END;
CREATE TRIGGER graph_numbers_update AFTER UPDATE ON call_numbers BEGIN {_BUMP} END;
CREATE TRIGGER graph_numbers_delete AFTER DELETE ON call_numbers BEGIN {_BUMP} END;
CREATE TRIGGER graph_calls_update AFTER UPDATE OF metadata, status, duration_s, file ON calls
WHEN old.metadata IS NOT new.metadata OR old.status IS NOT new.status
  OR old.duration_s IS NOT new.duration_s OR old.file IS NOT new.file
BEGIN {_BUMP} END;
CREATE TRIGGER graph_calls_delete AFTER DELETE ON calls BEGIN {_BUMP} END;
CREATE TRIGGER graph_directory_insert AFTER INSERT ON directory_entries BEGIN {_BUMP} END;
CREATE TRIGGER graph_directory_update AFTER UPDATE ON directory_entries BEGIN {_BUMP} END;
CREATE TRIGGER graph_directory_delete AFTER DELETE ON directory_entries BEGIN {_BUMP} END;

CREATE INDEX calls_started_at ON calls((
    CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.started_at') END));
CREATE INDEX calls_status_duration ON calls(status, duration_s);
CREATE INDEX calls_review_queue ON calls(status, certainty, low_words);
CREATE INDEX calls_not_analysed ON calls(id) WHERE analyzed_with IS NULL;
CREATE INDEX channels_language ON channels(language);
CREATE INDEX channels_heard ON channels(call_id) WHERE speech_s >= 3.0;
CREATE INDEX flags_call_topic ON flags(call_id, topic);
CREATE INDEX mentions_type_normal_call ON mentions(type, normal, call_id, attrs);
CREATE INDEX channels_doubtful ON channels(call_id) WHERE speech_s >= 3.0 AND (
    coalesce(words, 0) < 0.5 * speech_s OR language IS NULL OR language NOT IN ('ru', 'uk', 'en')
    OR (language_probability < 0.5 AND (whisper_language IS NULL OR whisper_language = language)));
"""
# Ingest of very large batches: what a resumed run needs to skip done files. Each file
# taken in, keyed by the raw bytes of its origin, with how it looked when taken (device,
# inode, size, modification and change times; an archive member: its archive's and its
# own sizes): a run after a kill, or the same folder given again, skips a file that still
# looks so without reading it (``callsift.store.intake``). Nothing to backfill: older
# cases never kept how a file looked, so each is hashed once more on its next ingest.
INGEST = """
CREATE TABLE intake_seen (
    origin BLOB PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    sha256 TEXT NOT NULL
) WITHOUT ROWID;
"""

V9 = SEARCH + GRAPH + INGEST
