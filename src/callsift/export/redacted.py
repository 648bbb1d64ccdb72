"""A redacted copy of the case, from which any report or data export can be published.

Evidence packages mask record by record as they write them. The reports and
data formats read the case through many queries (``export_calls``, the
readable tables, flagged excerpts…), so rather than teach each query to
mask, they read a throwaway copy of the database in which every text value
has already gone through the package's :class:`~callsift.export.masking.Masker`,
on the same deny-by-default footing:

* every TEXT column of every table is masked (JSON values key by key, as in
  packages), except hashes, timestamps and the few columns listed in ``_KEEP``
  that hold only codes (a language, a status);
* file names become call folders (``call-0007``) wherever the case keeps them;
  the sheet rows themselves go (each call keeps its redacted metadata);
* people on the team (actors, reviewers, authors) are masked whole, and so
  are the calls' numbers;
* word timings go: a number said as separate words ("903", "555") would
  survive a word-by-word mask, and no export format needs them;
* voice prints (biometric), the team's directories of known numbers
  (identities) and its annotations are left out, and so are its notes (why a
  status was given or a segment corrected) and character offsets into the
  unmasked text (they would give away the length of what was masked);
* the copy's append-only triggers are dropped first: it is not evidence, and
  it is deleted as soon as the export is written.

The copy is made with SQLite's backup API into a temporary folder; the case
itself is never written.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from callsift.export.masking import Masker
from callsift.export.redact import Redaction, redact_metadata
from callsift.store import CaseStore, list_calls
from callsift.store.case import DB_NAME
from callsift.store.sounds import forget_sounds

__all__ = ["redacted_copy"]

_KEEP = frozenset(
    {"sha256", "tool_version", "status", "severity", "language", "whisper_language",
     "type", "kind", "topic", "state", "role", "relation", "codec", "container",
     "country", "carrier", "line_type", "model", "translation_engine", "action"}
)  # fmt: skip
_PEOPLE = frozenset({"actor", "reviewer", "author", "editor"})
_DROPPED_TABLES = ("voices", "directory_entries", "sidecar_rows", "jobs", "annotations")


def _tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Every ordinary table (not FTS) with its TEXT columns."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'segments_fts%'"
        )
    ]
    return {
        name: [col[1] for col in conn.execute(f"PRAGMA table_info({name})") if col[2] == "TEXT"]
        for name in names
    }


def _maskers(masker: Masker, redaction: Redaction) -> dict[str, Callable[[Any], Any]]:
    def value(text: Any) -> Any:
        if not isinstance(text, str) or not text:
            return text
        if text[:1] in "[{":
            try:
                return json.dumps(masker.json(json.loads(text)), ensure_ascii=False)
            except ValueError:
                pass
        return masker.text(text)

    def metadata(text: Any) -> Any:
        if not text:
            return text
        masked = masker.json(redact_metadata(json.loads(text), redaction))
        return json.dumps(masked, ensure_ascii=False)

    def whole(text: Any) -> Any:
        return redaction.mask if text else text

    return {"value": value, "metadata": metadata, "whole": whole}


@contextmanager
def redacted_copy(store: CaseStore, redaction: Redaction) -> Iterator[CaseStore]:
    """A masked copy of ``store``'s database, open, for the length of the block."""
    masker = Masker(redaction, list_calls(store))
    with tempfile.TemporaryDirectory(prefix="callsift-redacted-") as folder:
        root = Path(folder) / "case"
        root.mkdir()
        copy = sqlite3.connect(root / DB_NAME)
        with copy:
            store.conn.backup(copy)
        functions = _maskers(masker, redaction)
        for name, function in functions.items():
            copy.create_function(f"mask_{name}", 1, function, deterministic=True)
        with copy:
            for (trigger,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND (name LIKE '%_no_update' OR name LIKE '%_no_delete')"
            ).fetchall():
                copy.execute(f"DROP TRIGGER {trigger}")
            for table in _DROPPED_TABLES:
                copy.execute(f"DELETE FROM {table}")
            forget_sounds(copy)
            _mask_tables(copy, redaction)
            copy.execute("INSERT INTO segments_fts(segments_fts) VALUES ('rebuild')")
            # The numbers' trigrams too: a row delete leaves old trigrams until a merge.
            copy.execute("INSERT INTO call_digits_fts(call_digits_fts) VALUES ('rebuild')")
        copy.execute("VACUUM")  # no masked value left behind in a free page
        copy.close()
        masked = CaseStore(root, create=False)
        try:
            yield masked
        finally:
            masked.close()


def _mask_tables(conn: sqlite3.Connection, redaction: Redaction) -> None:
    conn.execute(
        "UPDATE calls SET file = printf('call-%04d', id), metadata = mask_metadata(metadata)"
    )
    conn.execute(
        "UPDATE sources SET name = printf('call-%04d', call_id), origin = printf('source %d', id)"
    )
    conn.execute("UPDATE segments SET words = '[]'")
    for table in ("mentions", "flags"):
        conn.execute(f"UPDATE {table} SET start_char = 0, end_char = 0")
    if redaction.numbers:
        conn.execute("UPDATE call_numbers SET raw = mask_whole(raw), e164 = mask_whole(e164)")
    done = {("calls", "file"), ("calls", "metadata"), ("sources", "name"), ("sources", "origin"),
            ("segments", "words"), ("call_numbers", "raw"), ("call_numbers", "e164")}  # fmt: skip
    for table, columns in _tables(conn).items():
        for column in columns:
            if (
                (table, column) in done
                or column in _KEEP
                or column == "at"
                or column.endswith("_at")
            ):
                continue
            if column == "note":
                conn.execute(f"UPDATE {table} SET note = ''")
                continue
            how = "whole" if column in _PEOPLE else "value"
            conn.execute(f'UPDATE {table} SET "{column}" = mask_{how}("{column}")')
