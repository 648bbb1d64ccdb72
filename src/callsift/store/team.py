"""The team file: accounts, case memberships and sign-in sessions of the web app.

One SQLite file serves every case a server shows, apart from the cases: a
journalist has one password whatever number of investigations she works on,
and a case folder handed to a court or another newsroom carries no accounts
and no password hashes with it. Memberships name a case by its identity
(``CaseStore.uuid``), so moving or renaming the folder keeps its members.

What is stored is what a stolen copy of the file cannot be used with:
passwords as argon2id hashes (made by :mod:`callsift.web.accounts`), sessions
as the SHA-256 of a 256-bit random token that only the browser holds.
Disabling an account deletes its sessions in the same transaction, so the
next request of anyone signed in as it is refused. A session ends at its
absolute expiry, or sooner when unused for the idle time the server asks
(``seen_at``); an account keeps at most ``MAX_SESSIONS``, the oldest going
first, and "sign out everywhere" ends them all.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from callsift.errors import CaseError
from callsift.store.case import utc_now
from callsift.store.sqlite import immediate_transaction, split_statements

__all__ = ["MAX_SESSIONS", "Account", "Session", "TeamStore"]

MAX_SESSIONS = 50

_SCHEMA = """
CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE memberships (
    account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    case_uuid TEXT NOT NULL,
    case_path TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (account, case_uuid)
);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    seen_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions(account);
"""
# Each step takes the file from the version before it to its own.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        "ALTER TABLE sessions ADD COLUMN seen_at TEXT NOT NULL DEFAULT ''",
        "UPDATE sessions SET seen_at = created_at",
    ),
}
_VERSION = max(_MIGRATIONS)
# A session's last use is written again only when older than this: a page's
# burst of requests costs one write, not one each.
_SEEN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Account:
    """Someone who may sign in.

    Attributes:
        name: the user name.
        role: ``admin``, ``analyst``, ``reviewer`` or ``viewer``.
        disabled: refused at sign-in and on every request.
        cases: identities of the cases the account is a member of.
    """

    name: str
    role: str
    disabled: bool
    cases: frozenset[str]


@dataclass(frozen=True)
class Session:
    """A signed-in browser or API client.

    Attributes:
        account: who is signed in.
        csrf: the token every state-changing request must carry.
        expires_at: when the session ends (UTC, ISO 8601).
    """

    account: Account
    csrf: str
    expires_at: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TeamStore:
    """Open (or create) the team file at ``path``.

    The connection may be used from another thread than the one that opened
    it (FastAPI runs a request's dependencies and its handler on different
    threads of its pool), never by two at once: open one per request.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise CaseError(f"{self.path}: cannot open the team file ({error})") from error
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        if self.conn.execute("PRAGMA user_version").fetchone()[0] != _VERSION:
            self._upgrade()

    def _upgrade(self) -> None:
        """Create the tables, or bring an older team file up to date (its sessions kept)."""
        with self._transaction():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > _VERSION:
                raise CaseError(f"{self.path}: a team file of a newer callsift; upgrade it")
            if version == 0:
                for statement in split_statements(_SCHEMA):
                    self.conn.execute(statement)
            else:
                for step in range(version + 1, _VERSION + 1):
                    for statement in _MIGRATIONS[step]:
                        self.conn.execute(statement)
            if version != _VERSION:
                self.conn.execute(f"PRAGMA user_version={_VERSION}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> TeamStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self.conn)

    # -- accounts ----------------------------------------------------------

    def add_account(self, name: str, role: str, password_hash: str) -> bool:
        """Create an account; ``False`` if the name is taken."""
        now = utc_now()
        with self._transaction():
            return bool(
                self.conn.execute(
                    "INSERT OR IGNORE INTO accounts (name, role, password_hash, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?)",
                    (name, role, password_hash, now, now),
                ).rowcount
            )

    def account(self, name: str) -> Account | None:
        row = self.conn.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
        return self._account(row) if row else None

    def accounts(self) -> list[Account]:
        rows = self.conn.execute("SELECT * FROM accounts ORDER BY name").fetchall()
        return [self._account(row) for row in rows]

    def _account(self, row: sqlite3.Row) -> Account:
        cases = frozenset(
            r["case_uuid"]
            for r in self.conn.execute(
                "SELECT case_uuid FROM memberships WHERE account = ?", (row["name"],)
            )
        )
        return Account(row["name"], row["role"], bool(row["disabled"]), cases)

    def password_hash(self, name: str) -> str | None:
        row = self.conn.execute(
            "SELECT password_hash FROM accounts WHERE name = ?", (name,)
        ).fetchone()
        return str(row["password_hash"]) if row else None

    def update_account(
        self,
        name: str,
        *,
        role: str | None = None,
        password_hash: str | None = None,
        disabled: bool | None = None,
    ) -> bool:
        """Change what is given; disabling or a new password ends the account's sessions."""
        changes = {"role": role, "password_hash": password_hash, "disabled": disabled}
        sets = {
            k: (int(v) if isinstance(v, bool) else v) for k, v in changes.items() if v is not None
        }
        with self._transaction():
            found = self.conn.execute(
                f"UPDATE accounts SET {', '.join(f'{k} = ?' for k in sets)}, updated_at = ?"
                " WHERE name = ?",
                (*sets.values(), utc_now(), name),
            ).rowcount
            if found and (disabled or password_hash is not None):
                self.conn.execute("DELETE FROM sessions WHERE account = ?", (name,))
        return bool(found)

    # -- memberships -------------------------------------------------------

    def grant(self, name: str, case_uuid: str, case_path: str) -> None:
        with self._transaction():
            self.conn.execute(
                "INSERT INTO memberships (account, case_uuid, case_path, added_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET case_path = excluded.case_path",
                (name, case_uuid, case_path, utc_now()),
            )

    def case_paths(self) -> dict[str, str]:
        """Where each case with members was last seen, by its identity."""
        return dict(self.conn.execute("SELECT case_uuid, case_path FROM memberships").fetchall())

    def revoke(self, name: str, case_uuid: str) -> bool:
        with self._transaction():
            return bool(
                self.conn.execute(
                    "DELETE FROM memberships WHERE account = ? AND case_uuid = ?",
                    (name, case_uuid),
                ).rowcount
            )

    # -- sessions ----------------------------------------------------------

    def start_session(self, name: str, token: str, csrf: str, lifetime: timedelta) -> None:
        """A new session; expired ones go, and the account's oldest beyond ``MAX_SESSIONS``."""
        now = datetime.now(UTC).isoformat()
        expires = (datetime.now(UTC) + lifetime).isoformat()
        with self._transaction():
            self.conn.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            self.conn.execute(
                "INSERT INTO sessions (token_sha256, account, csrf, created_at, expires_at,"
                " seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                (token_digest(token), name, csrf, now, expires, now),
            )
            self.conn.execute(
                "DELETE FROM sessions WHERE account = ? AND token_sha256 NOT IN (SELECT"
                " token_sha256 FROM sessions WHERE account = ? ORDER BY created_at DESC,"
                " rowid DESC LIMIT ?)",
                (name, name, MAX_SESSIONS),
            )

    def session(self, token: str, idle: timedelta | None = None) -> Session | None:
        """The live session of ``token``, or ``None`` (unknown, expired, idle, account disabled).

        A session unused for longer than ``idle`` has ended; any other is
        marked used now.
        """
        now = datetime.now(UTC)
        oldest = (now - idle).isoformat() if idle is not None else ""
        row = self.conn.execute(
            "SELECT s.csrf, s.expires_at, s.seen_at, a.* FROM sessions s JOIN accounts a"
            " ON a.name = s.account WHERE s.token_sha256 = ? AND s.expires_at > ?"
            " AND s.seen_at >= ? AND a.disabled = 0",
            (token_digest(token), now.isoformat(), oldest),
        ).fetchone()
        if row is None:
            return None
        if row["seen_at"] < (now - _SEEN_EVERY).isoformat():
            with self._transaction():
                self.conn.execute(
                    "UPDATE sessions SET seen_at = ? WHERE token_sha256 = ?",
                    (now.isoformat(), token_digest(token)),
                )
        return Session(self._account(row), row["csrf"], row["expires_at"])

    def end_session(self, token: str) -> None:
        with self._transaction():
            self.conn.execute("DELETE FROM sessions WHERE token_sha256 = ?", (token_digest(token),))

    def end_sessions(self, name: str) -> int:
        """Sign ``name`` out everywhere; returns how many sessions ended."""
        with self._transaction():
            return int(
                self.conn.execute("DELETE FROM sessions WHERE account = ?", (name,)).rowcount
            )
