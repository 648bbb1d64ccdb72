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
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from callsift import __version__
from callsift.errors import CaseError
from callsift.records import AudioInfo, ChannelTranscript
from callsift.store.blobs import OriginalStore
from callsift.store.custody import append_entry, register_functions
from callsift.store.locks import case_lock
from callsift.store.names import printable
from callsift.store.schema import MIGRATIONS
from callsift.store.sqlite import immediate_transaction, split_statements

__all__ = ["CaseStore", "default_actor", "utc_now"]

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
        register_functions(self.conn)  # the custody chain's migration hashes in SQL
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

    @property
    def identity(self) -> str:
        """Its resolved path and uuid: what a process keys its memory of the case by
        (a case restored over another at the same path is another case)."""
        return f"{self.root.resolve()}\n{self.uuid}"

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        """Bring the database up to this callsift's schema, one version at a time.

        The version is read again inside each write transaction: two processes
        opening an old case at once queue on the lock, and the second finds the
        work done instead of running the same migration twice. Foreign keys are
        off meanwhile (SQLite's own recipe for rebuilding a table, which would
        otherwise cascade deletes into every table that refers to it) and are
        checked before each version commits.
        """
        if self._schema_version() == len(MIGRATIONS):
            return
        self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            while True:
                with self.transaction():
                    version = self._schema_version()
                    if version == len(MIGRATIONS):
                        return
                    for statement in split_statements(MIGRATIONS[version]):
                        self.conn.execute(statement)
                    broken = self.conn.execute("PRAGMA foreign_key_check").fetchone()
                    if broken is not None:
                        raise CaseError(
                            f"{self.root}: schema {version + 1} leaves a broken reference"
                            f" in {broken[0]} (row {broken[1]}); the case is unchanged"
                        )
                    self.conn.execute(f"PRAGMA user_version={version + 1}")
        finally:
            self.conn.execute("PRAGMA foreign_keys=ON")

    def _schema_version(self) -> int:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise CaseError(
                f"{self.root}: made by a newer callsift (schema {version}); upgrade callsift"
            )
        return version

    def exclusive(self, command: str) -> AbstractContextManager[None]:
        """Hold the case's work lock while ``command`` writes derived data (``store.locks``)."""
        return case_lock(self.root, command, self.who)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One atomic unit of work: everything in it lands, or nothing does."""
        return immediate_transaction(self.conn)

    # -- custody -----------------------------------------------------------

    def log(self, action: str, sha256: str | None = None, **detail: Any) -> None:
        """Append one entry to the custody log (UTC time, actor, tool version), chained.

        The entry names the hash of the one before it (see
        :mod:`callsift.store.custody`), so reading the last entry and adding
        this one must not interleave with another writer: outside a
        transaction, one is opened for it. The time is taken under the write
        lock, so entries are in time order as well as id order.
        """
        with nullcontext() if self.conn.in_transaction else self.transaction():
            append_entry(
                self.conn,
                utc_now(),
                self.who,
                action,
                sha256,
                f"callsift {__version__}",
                json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
            )

    def custody(self, sha256: str | None = None) -> list[dict[str, Any]]:
        """Entries (of one original, or all), oldest first, each with its chain hashes."""
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
        name add a source to the existing call, never a second call. A name or
        origin holding bytes that are not UTF-8 (surrogate escapes) is stored
        with those bytes as ``\\xNN`` and logged with its raw bytes in hex.
        """
        now = utc_now()
        name, name_bytes = printable(name)
        origin, origin_bytes = printable(origin)
        raw = {"file_bytes": name_bytes} if name_bytes else {}
        raw |= {"origin_bytes": origin_bytes} if origin_bytes else {}
        # Inside a caller's transaction when ingest records a batch (``store.intake``).
        with nullcontext() if self.conn.in_transaction else self.transaction():
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
            self.log(action, sha256, file=name, origin=origin, size=size, **raw)
        assert call_id is not None
        return call_id, new_call, bool(inserted)

    def add_input_failure(self, file: str, reason: str) -> None:
        """Record a refused input; a name that is not UTF-8 is kept as ``add_call`` keeps it."""
        file, file_bytes = printable(file)
        reason = printable(reason)[0]
        raw = {"file_bytes": file_bytes} if file_bytes else {}
        with nullcontext() if self.conn.in_transaction else self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO input_failures (file, reason, at) VALUES (?, ?, ?)",
                (file, reason, utc_now()),
            )
            self.log("ingest-failed", None, file=file, reason=reason, **raw)

    # -- processing --------------------------------------------------------

    def pending_calls(
        self, processed_with: str, retry_failed: bool = False
    ) -> list[tuple[int, str, str]]:
        """Calls to (re)process: ``(id, sha256, file)``.

        A call done with other settings (another model, say) is done again,
        unless a reviewer has corrected its transcript: a new machine
        transcript would set their work aside, or an analyst re-ran that call
        with settings of their choosing (``chosen`` in its key). Failed calls
        wait for ``retry_failed``.
        """
        statuses = "('pending', 'failed')" if retry_failed else "('pending')"
        # The key names the CPU that made the transcript, for the record; another
        # CPU with the same settings is no reason to transcribe a call again.
        rows = self.conn.execute(
            f"SELECT id, sha256, file FROM calls WHERE status IN {statuses}"
            " OR (status = 'done'"
            " AND json_remove(processed_with, '$.cpu') IS NOT json_remove(?, '$.cpu')"
            " AND json_extract(processed_with, '$.chosen') IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM segment_versions v WHERE v.call_id = calls.id))"
            " ORDER BY id",
            (processed_with,),
        ).fetchall()
        return [(row["id"], row["sha256"], row["file"]) for row in rows]

    def chosen_calls(self, call_ids: Iterable[int]) -> list[tuple[int, str, str]]:
        """These calls, whatever their state, as ``pending_calls`` lists (unknown ids left out)."""
        ids = sorted(set(call_ids))
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT id, sha256, file FROM calls WHERE id IN ({marks}) ORDER BY id", ids
        ).fetchall()
        return [(row["id"], row["sha256"], row["file"]) for row in rows]

    def save_transcript(
        self,
        call_id: int,
        info: AudioInfo,
        channels: list[ChannelTranscript],
        processed_with: str,
    ) -> bool:
        """Replace a call's transcript and mark it done, in one transaction.

        Returns False, and changes nothing but the custody log, when a reviewer
        corrected the call's transcript while it was being transcribed again:
        their words stay, and the new machine transcript is set aside.
        """
        with self.transaction():
            corrected = self.conn.execute(
                "SELECT (SELECT count(*) FROM segment_versions WHERE call_id = ?)"
                " + (SELECT count(*) FROM translation_versions WHERE call_id = ?)",
                (call_id, call_id),
            ).fetchone()[0]
            if corrected:
                sha256 = self.call_sha256(call_id)
                self.log("transcribe-kept-corrections", sha256, corrections=corrected)
                return False
            self.conn.execute("DELETE FROM segments WHERE call_id = ?", (call_id,))
            self.conn.execute("DELETE FROM channels WHERE call_id = ?", (call_id,))
            self.conn.execute("DELETE FROM speakers WHERE call_id = ?", (call_id,))
            for channel in channels:
                self.conn.execute(
                    "INSERT INTO channels (call_id, channel, language, language_probability,"
                    " speech_s, whisper_language, mixed, language_reason, speakers,"
                    " speakers_reason, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        call_id,
                        channel.channel,
                        channel.language,
                        channel.language_probability,
                        channel.speech_s,
                        channel.whisper_language,
                        int(channel.mixed),
                        channel.language_reason,
                        len(channel.speakers) or (1 if channel.speakers_reason else None),
                        channel.speakers_reason,
                        sum(len(segment.words) for segment in channel.segments),
                    ),
                )
                self.conn.executemany(
                    "INSERT INTO speakers (call_id, channel, speaker, speech_s, role,"
                    " role_reason, language, language_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (call_id, channel.channel, v.speaker, v.speech_s, v.role)
                        + (v.role_reason, v.language, v.language_reason)
                        for v in channel.speakers
                    ],
                )
                self.conn.executemany(
                    'INSERT INTO segments (call_id, channel, start, "end", language, text,'
                    " avg_logprob, no_speech_prob, compression_ratio, words, translation,"
                    " translation_engine, translation_logprob, translation_dropped, speaker)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                            s.translation_logprob,
                            s.translation_dropped,
                            s.speaker,
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
                **({"damage": info.damage} if info.damage else {}),
            )
        return True

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
            " duration_s = ?, sample_rate = ?, channels = ?, codec = ?, container = ?,"
            " damage = ? WHERE id = ?",
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
                audio.get("damage"),
                call_id,
            ),
        )
        return self.call_sha256(call_id)

    def call_sha256(self, call_id: int) -> str:
        """The SHA-256 of a call's original, which its custody entries name."""
        row = self.conn.execute("SELECT sha256 FROM calls WHERE id = ?", (call_id,)).fetchone()
        return str(row["sha256"])
