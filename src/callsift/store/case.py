"""The case: one folder holding originals, the SQLite database and derived files.

The database runs in WAL mode with ``synchronous=FULL``: a reader (the web app,
``callsift status``) never blocks the writer, and a committed transaction
survives a power cut. Each processed call is written in one transaction, so
a crash (even SIGKILL) leaves every call either wholly done or still pending.
This module and its siblings in ``store`` are the only code that speaks SQL.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from callsift import __version__
from callsift.errors import CaseError
from callsift.records import AudioInfo, CallMetadata, ChannelTranscript
from callsift.store.blobs import OriginalStore
from callsift.store.schema import MIGRATIONS

__all__ = ["CaseStore", "default_actor", "immediate_transaction", "utc_now"]

DB_NAME = "case.db"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def default_actor() -> str:
    """``$CALLSIFT_ACTOR``, else the operating system's user: who the custody log names."""
    return os.environ.get("CALLSIFT_ACTOR") or getpass.getuser()


class CaseStore:
    """Open (or create) the case folder ``root``.

    ``actor`` names who the custody log records for everything done through
    this store (the web app opens one per signed-in user); by default it is
    ``$CALLSIFT_ACTOR``, else the operating system's user.
    """

    def __init__(self, root: Path, *, create: bool = True, actor: str | None = None) -> None:
        self.root = Path(root)
        self.actor = actor
        if not self.root.exists():
            if not create:
                raise CaseError(f"{self.root}: no such case folder")
            self.root.mkdir(parents=True)
        elif not self.root.is_dir():
            raise CaseError(f"{self.root}: not a folder")
        self.originals = OriginalStore(self.root / "originals")
        self.derived = self.root / "derived"
        try:
            # Usable from another thread than the opener's (the web app's request
            # handlers), never by two at once: each request opens its own store.
            self.conn = sqlite3.connect(
                self.root / DB_NAME, timeout=30, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise CaseError(
                f"{self.root / DB_NAME}: cannot open the case database ({error})"
            ) from error
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        self.conn.close()

    @property
    def who(self) -> str:
        """The actor the custody log records for work done through this store."""
        return self.actor or default_actor()

    @property
    def uuid(self) -> str:
        """The case's own identity, made once when its database was created."""
        row = self.conn.execute("SELECT value FROM case_info WHERE key = 'uuid'").fetchone()
        return str(row["value"])

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise CaseError(
                f"{self.root}: made by a newer callsift (schema {version}); upgrade callsift"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in _statements(script):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={number}")

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One atomic unit of work: everything in it lands, or nothing does."""
        return immediate_transaction(self.conn)

    # -- custody -----------------------------------------------------------

    def log(self, action: str, sha256: str | None = None, **detail: Any) -> None:
        """Append one entry to the custody log (UTC time, actor, tool version)."""
        self.conn.execute(
            "INSERT INTO custody (at, actor, action, sha256, tool_version, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                utc_now(),
                self.who,
                action,
                sha256,
                f"callsift {__version__}",
                json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
            ),
        )

    def custody(self, sha256: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM custody"
        args: tuple[str, ...] = ()
        if sha256:
            sql += " WHERE sha256 = ?"
            args = (sha256,)
        rows = self.conn.execute(sql + " ORDER BY id", args).fetchall()
        return [
            {**dict(row), "detail": json.loads(row["detail"]) if row["detail"] else None}
            for row in rows
        ]

    # -- ingest ------------------------------------------------------------

    def add_call(self, sha256: str, name: str, origin: str, size: int) -> tuple[int, bool, bool]:
        """Record that ``name`` at ``origin`` holds ``sha256``.

        Returns ``(call_id, new_call, new_source)``: the same bytes under a new
        name add a source to the existing call, never a second call.
        """
        now = utc_now()
        with self.transaction():
            row = self.conn.execute("SELECT id FROM calls WHERE sha256 = ?", (sha256,)).fetchone()
            new_call = row is None
            if new_call:
                call_id = self.conn.execute(
                    "INSERT INTO calls (sha256, file, size, ingested_at) VALUES (?, ?, ?, ?)",
                    (sha256, name, size, now),
                ).lastrowid
            else:
                call_id = row["id"]
            inserted = self.conn.execute(
                "INSERT OR IGNORE INTO sources (call_id, name, origin, first_seen)"
                " VALUES (?, ?, ?, ?)",
                (call_id, name, origin, now),
            ).rowcount
            if new_call:
                action = "ingest"
            elif inserted:
                action = "ingest-duplicate"
            else:
                action = "ingest-again"
            self.log(action, sha256, file=name, origin=origin, size=size)
        assert call_id is not None
        return call_id, new_call, bool(inserted)

    def add_input_failure(self, file: str, reason: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO input_failures (file, reason, at) VALUES (?, ?, ?)",
                (file, reason, utc_now()),
            )
            self.log("ingest-failed", None, file=file, reason=reason)

    def add_sidecar_rows(self, sidecar: str, sha256: str, rows: list[CallMetadata]) -> int:
        """Keep every sidecar row (first one wins per file), then attach to calls."""
        with self.transaction():
            added = 0
            for row in rows:
                added += self.conn.execute(
                    "INSERT OR IGNORE INTO sidecar_rows (file, sidecar, metadata) VALUES (?, ?, ?)",
                    (row.file, sidecar, json.dumps(asdict(row), ensure_ascii=False)),
                ).rowcount
            self.log("metadata", sha256, sidecar=sidecar, rows=len(rows), added=added)
        self.attach_metadata()
        return added

    def attach_metadata(self) -> int:
        """Give each call without metadata the sidecar row naming one of its sources.

        A row matches a source by its full relative name first, then by base name,
        so a sidecar listing ``0001.wav`` still finds ``day1/0001.wav``.
        """
        with self.transaction():
            return self.conn.execute(
                """
                UPDATE calls SET metadata = (
                    SELECT r.metadata FROM sources s JOIN sidecar_rows r
                      ON r.file = s.name
                      OR r.file = replace(s.name, rtrim(s.name, replace(s.name, '/', '')), '')
                    WHERE s.call_id = calls.id
                    ORDER BY (r.file = s.name) DESC, s.id LIMIT 1)
                WHERE metadata IS NULL
                """
            ).rowcount

    # -- processing --------------------------------------------------------

    def pending_calls(
        self, processed_with: str, retry_failed: bool = False
    ) -> list[tuple[int, str, str]]:
        """Calls to (re)process: ``(id, sha256, file)``.

        A call done with other settings (another model, say) is done again,
        unless a reviewer has corrected its transcript: a new machine
        transcript would set their work aside. Failed calls wait for
        ``retry_failed``.
        """
        statuses = "('pending', 'failed')" if retry_failed else "('pending')"
        rows = self.conn.execute(
            f"SELECT id, sha256, file FROM calls WHERE status IN {statuses}"
            " OR (status = 'done' AND processed_with IS NOT ?"
            " AND NOT EXISTS (SELECT 1 FROM segment_versions v WHERE v.call_id = calls.id))"
            " ORDER BY id",
            (processed_with,),
        ).fetchall()
        return [(row["id"], row["sha256"], row["file"]) for row in rows]

    def save_transcript(
        self,
        call_id: int,
        info: AudioInfo,
        channels: list[ChannelTranscript],
        processed_with: str,
    ) -> None:
        """Replace a call's transcript and mark it done, in one transaction."""
        with self.transaction():
            self.conn.execute("DELETE FROM segments WHERE call_id = ?", (call_id,))
            self.conn.execute("DELETE FROM channels WHERE call_id = ?", (call_id,))
            for channel in channels:
                self.conn.execute(
                    "INSERT INTO channels (call_id, channel, language, language_probability,"
                    " speech_s, whisper_language, mixed, language_reason)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        call_id,
                        channel.channel,
                        channel.language,
                        channel.language_probability,
                        channel.speech_s,
                        channel.whisper_language,
                        int(channel.mixed),
                        channel.language_reason,
                    ),
                )
                self.conn.executemany(
                    'INSERT INTO segments (call_id, channel, start, "end", language, text,'
                    " avg_logprob, no_speech_prob, compression_ratio, words, translation,"
                    " translation_engine) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            call_id,
                            s.channel,
                            s.start,
                            s.end,
                            s.language,
                            s.text,
                            s.avg_logprob,
                            s.no_speech_prob,
                            s.compression_ratio,
                            json.dumps([asdict(w) for w in s.words], ensure_ascii=False),
                            s.translation,
                            channel.translation_engine if s.translation is not None else None,
                        )
                        for s in channel.segments
                    ],
                )
            self.conn.execute("UPDATE calls SET analyzed_with = NULL WHERE id = ?", (call_id,))
            sha256 = self._set_status(call_id, "done", None, info, processed_with)
            self.log(
                "transcribe",
                sha256,
                processed_with=json.loads(processed_with),
                segments=sum(len(c.segments) for c in channels),
            )

    def mark_failed(self, call_id: int, reason: str, info: AudioInfo | None = None) -> None:
        with self.transaction():
            sha256 = self._set_status(call_id, "failed", reason, info, None)
            self.log("process-failed", sha256, reason=reason)

    def _set_status(
        self,
        call_id: int,
        status: str,
        reason: str | None,
        info: AudioInfo | None,
        processed_with: str | None,
    ) -> str:
        audio = asdict(info) if info else {}
        self.conn.execute(
            "UPDATE calls SET status = ?, reason = ?, processed_at = ?, processed_with = ?,"
            " duration_s = ?, sample_rate = ?, channels = ?, codec = ?, container = ?"
            " WHERE id = ?",
            (
                status,
                reason,
                utc_now(),
                processed_with,
                audio.get("duration_s"),
                audio.get("sample_rate"),
                audio.get("channels"),
                audio.get("codec"),
                audio.get("container"),
                call_id,
            ),
        )
        row = self.conn.execute("SELECT sha256 FROM calls WHERE id = ?", (call_id,)).fetchone()
        return str(row["sha256"])


@contextmanager
def immediate_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    IMMEDIATE takes the write lock at once, so two writers queue on the busy
    timeout instead of one failing halfway with "database is locked".
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (triggers hold inner semicolons)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
