"""Schema version 10: what the web pages and the graph analytics of a large case need (#13).

Each part is filled by the change that needs it; ``V10`` is what migrates.
"""

# The timeline page at 100,000 calls (#13). What it draws from the whole case (calls
# per day, the first date said on each day, the places on the map) is read once per
# change of what it is read from, not on every view: ``timeline_state.generation`` is
# raised, in the writer's own transaction, by every change of a date or a place said
# (``mentions`` of type date or LOC) and of a call (its metadata holds its date);
# ``web.timecache`` keeps the figures beside the generation they were read at. The
# dates said are listed a page at a time in the order of the day they fall on, which
# SQL works out from each date and its call; ``mentions_said`` (dates only, so small)
# holds all it reads for that, so a page costs no lookup into the mentions table.
# Both are filled for an existing case by this migration itself: the index by its
# CREATE, the generation starts at 0 and the cache is in memory only.
_TIMELINE = "UPDATE timeline_state SET generation = generation + 1;"
WEB = f"""
CREATE TABLE timeline_state (generation INTEGER NOT NULL);
INSERT INTO timeline_state (generation) VALUES (0);
CREATE TRIGGER timeline_mention_insert AFTER INSERT ON mentions
WHEN new.type IN ('date', 'LOC') BEGIN {_TIMELINE} END;
CREATE TRIGGER timeline_mention_update AFTER UPDATE ON mentions
WHEN old.type IN ('date', 'LOC') OR new.type IN ('date', 'LOC') BEGIN {_TIMELINE} END;
CREATE TRIGGER timeline_mention_delete AFTER DELETE ON mentions
WHEN old.type IN ('date', 'LOC') BEGIN {_TIMELINE} END;
CREATE TRIGGER timeline_call_insert AFTER INSERT ON calls BEGIN {_TIMELINE} END;
CREATE TRIGGER timeline_call_update AFTER UPDATE OF metadata ON calls
WHEN old.metadata IS NOT new.metadata BEGIN {_TIMELINE} END;
CREATE TRIGGER timeline_call_delete AFTER DELETE ON calls BEGIN {_TIMELINE} END;
CREATE INDEX mentions_said ON mentions(type, call_id, start, normal) WHERE type = 'date';
"""
# The call graph's analytics follow its structure only (#13). Schema 9 raised one
# generation on any change the graph is read from, so while ``process`` ran each
# finished call (its status, its duration) threw away communities and betweenness:
# a minute per page view at 100,000 calls. Louvain and betweenness read which
# numbers spoke and how often, nothing else, so the generation (``structure``) is
# now raised by a call's numbers (``call_numbers``), a call that joins or leaves
# the graph (metadata set or cleared, a call deleted) only. What is read beside
# them has counters of its own: ``decoration`` (the metadata's dates and stated
# durations, the directories' names and units: the analytics are kept and only
# the graph's labels and dates are read again) and ``durations`` (a call's status
# and decoded length: only an edge's total duration, which no page shows, so a
# page never waits on it; an export or the CLI reads it again). ``calls.file``
# raises nothing: nothing the cache keeps holds it. Each counter is raised in the
# writer's own transaction, so none goes backwards or skips a change, whichever
# process writes. A cached result keeps all three; a result current at schema 9
# (its generation the case's) is current for all three. ``claimed`` and
# ``claimed_until`` (Unix time) name the structure a process is computing the
# analytics of: the web server's background computation waits for a live claim
# instead of doing the same minute of work beside ``process`` (a claim of a
# killed process lapses).
_STRUCTURE = "UPDATE graph_state SET generation = generation + 1;"
_DECORATION = "UPDATE graph_state SET decoration = decoration + 1;"
_DURATIONS = "UPDATE graph_state SET durations = durations + 1;"
GRAPH = f"""
ALTER TABLE graph_state ADD COLUMN decoration INTEGER NOT NULL DEFAULT 0;
ALTER TABLE graph_state ADD COLUMN durations INTEGER NOT NULL DEFAULT 0;
ALTER TABLE graph_state ADD COLUMN claimed INTEGER;
ALTER TABLE graph_state ADD COLUMN claimed_until REAL;
ALTER TABLE graph_cache ADD COLUMN decoration INTEGER NOT NULL DEFAULT -1;
ALTER TABLE graph_cache ADD COLUMN durations INTEGER NOT NULL DEFAULT -1;
UPDATE graph_cache SET decoration = 0, durations = 0
WHERE generation = (SELECT generation FROM graph_state);

DROP TRIGGER graph_numbers_update;
CREATE TRIGGER graph_numbers_update AFTER UPDATE ON call_numbers
WHEN old.call_id IS NOT new.call_id OR old.role IS NOT new.role OR old.raw IS NOT new.raw
  OR old.e164 IS NOT new.e164 OR old.valid IS NOT new.valid OR old.country IS NOT new.country
  OR old.region IS NOT new.region OR old.carrier IS NOT new.carrier
  OR old.line_type IS NOT new.line_type
BEGIN {_STRUCTURE} END;
DROP TRIGGER graph_calls_update;
CREATE TRIGGER graph_calls_joined AFTER UPDATE OF metadata ON calls
WHEN (old.metadata IS NULL) IS NOT (new.metadata IS NULL)
BEGIN {_STRUCTURE} END;
CREATE TRIGGER graph_calls_inserted AFTER INSERT ON calls
WHEN EXISTS (SELECT 1 FROM call_numbers WHERE call_id = new.id)
BEGIN {_STRUCTURE} END;
CREATE TRIGGER graph_calls_metadata AFTER UPDATE OF metadata ON calls
WHEN old.metadata IS NOT new.metadata
BEGIN {_DECORATION} END;
CREATE TRIGGER graph_calls_durations AFTER UPDATE OF status, duration_s ON calls
WHEN old.status IS NOT new.status OR old.duration_s IS NOT new.duration_s
BEGIN {_DURATIONS} END;
DROP TRIGGER graph_directory_insert;
DROP TRIGGER graph_directory_update;
DROP TRIGGER graph_directory_delete;
CREATE TRIGGER graph_directory_insert AFTER INSERT ON directory_entries BEGIN {_DECORATION} END;
CREATE TRIGGER graph_directory_update AFTER UPDATE ON directory_entries BEGIN {_DECORATION} END;
CREATE TRIGGER graph_directory_delete AFTER DELETE ON directory_entries BEGIN {_DECORATION} END;
"""

V10 = WEB + GRAPH
