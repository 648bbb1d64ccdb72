"""The custody log's hash chain: forged, edited or removed entries and rewritten heads are found."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from callsift.store import CaseStore
from callsift.store.custody import (
    GENESIS,
    HEADS_FILE,
    chain_head,
    chain_problems,
    content_sha256,
    custody_problems,
    entries,
    link_hash,
    read_heads,
    record_head,
)
from callsift.store.schema import MIGRATIONS

_CHAIN_VERSION = 5  # The migration that chains the log.


def _logged(store: CaseStore, count: int) -> None:
    for number in range(count):
        store.log("test", "a" * 64, number=number, note="Буча")


def _tamper(store: CaseStore, sql: str, *args: object) -> None:
    """What someone with the database file can do: drop the trigger, edit, put it back."""
    conn = store.conn
    (trigger,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'custody_no_update'"
    ).fetchone()
    conn.execute("DROP TRIGGER custody_no_update")
    conn.execute("DROP TRIGGER IF EXISTS custody_no_delete")
    conn.execute(sql, args)
    conn.execute(trigger)


def test_each_entry_names_the_hash_of_the_one_before(case: CaseStore) -> None:
    _logged(case, 3)
    chain = list(entries(case.conn))
    assert [e["id"] for e in chain] == [1, 2, 3]
    assert chain[0]["prev_hash"] == GENESIS
    for before, entry in zip(chain, chain[1:], strict=False):
        assert entry["prev_hash"] == before["hash"]
    for entry in chain:
        assert entry["hash"] == link_hash(entry["prev_hash"], content_sha256(entry))
    assert chain_problems(chain) == [] and custody_problems(case.conn, case.root) == []
    head = chain_head(case.conn)
    assert head is not None and (head.id, head.hash) == (3, chain[-1]["hash"])


def test_a_plain_or_back_dated_insert_is_refused_or_found(case: CaseStore) -> None:
    _logged(case, 2)
    insert = (
        "INSERT INTO custody (id, at, actor, action, tool_version, prev_hash, hash)"
        " VALUES (?, '2020-01-01T00:00:00.000+00:00', 'someone', 'ingest', 'callsift 0.1.0', ?, ?)"
    )
    with pytest.raises(sqlite3.IntegrityError, match="must follow"):
        case.conn.execute(
            "INSERT INTO custody (at, actor, action, tool_version)"
            " VALUES ('2020-01-01T00:00:00.000+00:00', 'someone', 'ingest', 'callsift 0.1.0')"
        )
    with pytest.raises(sqlite3.IntegrityError, match="must follow"):  # not after the last
        case.conn.execute(insert, (3, GENESIS, "f" * 64))
    assert [e["id"] for e in entries(case.conn)] == [1, 2]
    last = chain_head(case.conn)
    assert last is not None and custody_problems(case.conn, case.root) == []
    case.conn.execute(insert, (3, last.hash, "f" * 64))  # linked, but a hash made up
    assert custody_problems(case.conn, case.root) == [
        "custody entry 3: its content or links were changed (hash differs)"
    ]


def test_an_edit_behind_the_triggers_back_is_a_break(case: CaseStore) -> None:
    _logged(case, 4)
    _tamper(case, "UPDATE custody SET actor = 'someone else', at = '2020-01-01' WHERE id = 2")
    problems = custody_problems(case.conn, case.root)
    assert problems == ["custody entry 2: its content or links were changed (hash differs)"]


def test_a_removed_entry_is_a_gap_and_a_broken_link(case: CaseStore) -> None:
    _logged(case, 4)
    _tamper(case, "DELETE FROM custody WHERE id = 3")
    problems = custody_problems(case.conn, case.root)
    assert "custody entry 4: expected entry 3 here (an entry is missing)" in problems
    assert "custody entry 4: does not link to the entry before it (prev_hash differs)" in problems


def test_a_rewritten_chain_no_longer_holds_its_recorded_head(case: CaseStore) -> None:
    """Editing entry 2 and hashing every entry again: only the head kept outside tells."""
    _logged(case, 3)
    recorded = chain_head(case.conn)
    assert recorded is not None
    record_head(case.root, recorded)
    chain = list(entries(case.conn))
    chain[1]["actor"] = "someone else"
    prev = GENESIS
    for entry in chain:
        entry["prev_hash"], entry["hash"] = prev, link_hash(prev, content_sha256(entry))
        prev = entry["hash"]
    for entry in chain:
        _tamper(
            case,
            "UPDATE custody SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?",
            entry["actor"],
            entry["prev_hash"],
            entry["hash"],
            entry["id"],
        )
    assert chain_problems(entries(case.conn)) == []  # the chain itself holds
    (problem,) = custody_problems(case.conn, case.root)
    assert problem.startswith(f"{HEADS_FILE}: head recorded ") and "entry 3 now has hash" in problem


def test_an_entry_back_dated_behind_a_recorded_head_is_found(case: CaseStore) -> None:
    _logged(case, 2)
    head = chain_head(case.conn)
    assert head is not None
    record_head(case.root, head)
    assert read_heads(case.root) == ([head], []) or read_heads(case.root)[0][0].id == head.id
    time.sleep(0.002)
    case.log("test", None)
    # Forged with a correct hash, dated a day before the head was recorded.
    _tamper(case, "DELETE FROM custody WHERE id = 3")
    prev = head.hash
    forged = {"id": 3, "at": "2020-01-01T00:00:00.000+00:00", "actor": "someone"}
    forged |= {"action": "ingest", "sha256": None, "tool_version": "callsift 0.1.0"}
    forged |= {"detail": None}
    case.conn.execute(
        "INSERT INTO custody (id, at, actor, action, sha256, tool_version, detail, prev_hash, hash)"
        " VALUES (:id, :at, :actor, :action, :sha256, :tool_version, :detail, :prev, :hash)",
        forged | {"prev": prev, "hash": link_hash(prev, content_sha256(forged))},
    )
    assert chain_problems(entries(case.conn)) == []
    (problem,) = custody_problems(case.conn, case.root)
    assert problem.startswith("custody entry 3: dated 2020-01-01") and "back-dated" in problem


def test_a_damaged_heads_file_is_reported(case: CaseStore) -> None:
    _logged(case, 1)
    (case.root / HEADS_FILE).write_text("not a head\n", encoding="ascii")
    assert custody_problems(case.conn, case.root) == [
        f"{HEADS_FILE} line 1: not a recorded head ('not a head')"
    ]


def test_an_older_case_is_chained_by_the_migration(tmp_path: Path) -> None:
    """A case made before the chain: its entries get hashes, and new ones link on."""
    root = tmp_path / "old"
    root.mkdir()
    conn = sqlite3.connect(root / "case.db")
    for script in MIGRATIONS[: _CHAIN_VERSION - 1]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version={_CHAIN_VERSION - 1}")
    conn.executemany(
        "INSERT INTO custody (at, actor, action, sha256, tool_version, detail)"
        " VALUES (?, 'ana', ?, NULL, 'callsift 0.1.0', ?)",
        [
            ("2025-01-01T00:00:00.000+00:00", "ingest", '{"file": "a.wav"}'),
            ("2025-01-02T00:00:00.000+00:00", "transcribe", None),
        ],
    )
    conn.commit()
    conn.close()
    with CaseStore(root) as store:
        chain = list(entries(store.conn))
        assert [e["action"] for e in chain] == ["ingest", "transcribe"]
        assert all(e["hash"] for e in chain) and chain_problems(chain) == []
        store.log("after-upgrade")
        assert custody_problems(store.conn, store.root) == []
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.conn.execute("UPDATE custody SET actor = 'ben'")


def test_insert_cost_per_entry_on_a_long_log(tmp_path: Path) -> None:
    """Chaining reads the last entry first: its cost must not grow with the log."""
    with CaseStore(tmp_path / "case") as store:
        with store.transaction():
            _logged(store, 10_000)

        def per_entry() -> float:
            started = time.perf_counter()
            with store.transaction():
                _logged(store, 500)
            return (time.perf_counter() - started) / 500

        cost = min(per_entry() for _ in range(3))
        assert cost < 0.002, f"{cost * 1e6:.0f} µs per custody entry"
        assert custody_problems(store.conn, store.root) == []
