"""Tamper with originals, the custody log and a package; count what callsift catches.

Each scenario starts from a fresh copy of one small case (three real clips,
ingested and exported), changes it the way someone with write access to the
case folder could, and runs what a team runs: ``callsift check --originals``
(which also checks the custody chain against ``custody.heads``) or ``callsift
export verify``. A tamper is caught when the command exits non-zero and names
the problem, or when SQLite itself refuses the change.

Usage: ``.venv/bin/python benchmarks/tamper_soak.py``
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from callsift.store.custody import GENESIS, content_sha256, link_hash

ROOT = Path(__file__).resolve().parents[1]
CALLSIFT = [sys.executable, "-m", "callsift"]
CLIPS = (
    "ru_pisets_test_sound_ru.wav",
    "ru_deepspeech_smoke_ru.wav",
    "ru_golos_001ce26c07c20eaa0d666b824c6c6924.wav",
)


@dataclass
class Outcome:
    scenario: str
    caught: bool
    how: str


def _callsift(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CALLSIFT, *args], capture_output=True, text=True, check=False)


def _blob(case: Path) -> Path:
    return next(p for p in (case / "originals").glob("*/*") if len(p.name) == 64)


def _writable(path: Path) -> None:
    path.chmod(0o644)


def flip_a_byte(case: Path) -> None:
    blob = _blob(case)
    _writable(blob)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))


def replace_the_file(case: Path) -> None:
    blob = _blob(case)
    size = blob.stat().st_size
    blob.unlink()
    blob.write_bytes(b"\0" * size)


def delete_the_file(case: Path) -> None:
    _blob(case).unlink()


def _db(case: Path) -> sqlite3.Connection:
    return sqlite3.connect(case / "case.db", isolation_level=None)


def backdated_insert(case: Path) -> None:
    """A plain INSERT of an entry dated 2022 under another name (the trigger should refuse)."""
    with _db(case) as conn:
        conn.execute(
            "INSERT INTO custody (at, actor, action, sha256, tool_version)"
            " VALUES ('2022-03-01T00:00:00', 'mallory', 'ingest', NULL, 'callsift 0.1.0')"
        )


def edit_behind_the_triggers(case: Path) -> None:
    """Drop the trigger, change who ingested the first call, put the trigger back."""
    with _db(case) as conn:
        sql = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'custody_no_update'"
        ).fetchone()[0]
        conn.execute("DROP TRIGGER custody_no_update")
        conn.execute("UPDATE custody SET actor = 'mallory' WHERE id = 1")
        conn.execute(sql)


def _rechain_with(conn: sqlite3.Connection, edit: Callable[[sqlite3.Connection], object]) -> None:
    """Drop the custody triggers, ``edit``, recompute every hash, restore the triggers.

    What a forger with callsift's own code and write access to the database can do.
    """
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'custody'"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    edit(conn)
    prev = GENESIS
    conn.row_factory = sqlite3.Row
    for row in conn.execute("SELECT * FROM custody ORDER BY id").fetchall():
        new = link_hash(prev, content_sha256(dict(row)))
        conn.execute(
            "UPDATE custody SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new, row["id"])
        )
        prev = new
    for _, sql in triggers:
        conn.execute(sql)


def rewrite_the_chain(case: Path) -> None:
    """Edit an entry and recompute every hash after it: the chain is whole again."""
    with _db(case) as conn:
        _rechain_with(
            conn, lambda c: c.execute("UPDATE custody SET actor = 'mallory' WHERE id = 2")
        )


def drop_the_last_entries(case: Path) -> None:
    """Delete the newest entries (the export), leaving a chain that links perfectly."""
    with _db(case) as conn:
        last = conn.execute("SELECT max(id) FROM custody").fetchone()[0]
        _rechain_with(conn, lambda c: c.execute("DELETE FROM custody WHERE id > ?", (last - 2,)))


def append_a_forged_entry(case: Path) -> None:
    """A well-linked entry appended with a date in the past, triggers dropped around it."""
    with _db(case) as conn:

        def forge(c: sqlite3.Connection) -> None:
            last_id, last_hash = c.execute(
                "SELECT id, hash FROM custody ORDER BY id DESC LIMIT 1"
            ).fetchone()
            entry = {
                "id": last_id + 1,
                "at": "2022-03-01T00:00:00.000+00:00",
                "actor": "mallory",
                "action": "ingest",
                "sha256": None,
                "tool_version": "callsift 0.1.0",
                "detail": None,
            }
            c.execute(
                "INSERT INTO custody (id, at, actor, action, sha256, tool_version, detail,"
                " prev_hash, hash) VALUES (:id, :at, :actor, :action, :sha256, :tool_version,"
                " :detail, :prev, :hash)",
                entry | {"prev": last_hash, "hash": link_hash(last_hash, content_sha256(entry))},
            )

        _rechain_with(conn, forge)


def _package_member(package: Path) -> str:
    with zipfile.ZipFile(package) as archive:
        return next(n for n in archive.namelist() if "/original" in n)


def swap_a_packaged_original(package: Path) -> None:
    member = _package_member(package)
    with zipfile.ZipFile(package) as archive:
        items = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(package, "w") as archive:
        for info, data in items:
            archive.writestr(info, b"\0" * len(data) if info.filename == member else data)


CASE_TAMPERS: dict[str, Callable[[Path], None]] = {
    "original: one byte flipped": flip_a_byte,
    "original: replaced by other bytes": replace_the_file,
    "original: deleted": delete_the_file,
    "custody: back-dated INSERT": backdated_insert,
    "custody: edited behind dropped triggers": edit_behind_the_triggers,
    "custody: edited, every later hash recomputed": rewrite_the_chain,
    "custody: last entries deleted, chain relinked": drop_the_last_entries,
    "custody: forged entry appended, well linked": append_a_forged_entry,
}


def _prepare(folder: Path) -> tuple[Path, Path]:
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    for name in CLIPS:
        shutil.copy(ROOT / "tests" / "data" / "real" / name, inbox / name)
    case = folder / "case"
    _callsift("ingest", str(inbox), "--case", str(case))
    package = folder / "package.zip"
    result = _callsift("export", "1", "2", "3", "-o", str(package), "--case", str(case))
    if result.returncode != 0:
        raise SystemExit(f"export failed: {result.stderr}")
    return case, package


def run() -> list[Outcome]:
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="callsift-tamper-") as tmp:
        pristine, package = _prepare(Path(tmp))
        clean = _callsift("check", "--originals", "--case", str(pristine))
        outcomes.append(Outcome("untouched case (must pass)", clean.returncode != 0, "check"))
        for number, (scenario, tamper) in enumerate(CASE_TAMPERS.items()):
            case = Path(tmp) / f"case-{number}"
            shutil.copytree(pristine, case)
            try:
                tamper(case)
            except sqlite3.DatabaseError as error:
                outcomes.append(Outcome(scenario, True, f"refused by SQLite: {error}"))
                continue
            result = _callsift("check", "--originals", "--json", "--case", str(case))
            report = json.loads(result.stdout or "{}")
            problems = report.get("originals", {}).get("problems", [])
            problems += report.get("custody", {}).get("problems", [])
            first = problems[0] if problems else result.stderr.strip().splitlines()[-1:]
            how = first["message"] if isinstance(first, dict) else str(first)
            outcomes.append(Outcome(scenario, result.returncode != 0 and bool(problems), how))
        forged = Path(tmp) / "forged.zip"
        shutil.copy(package, forged)
        swap_a_packaged_original(forged)
        result = _callsift("export", "verify", str(forged))
        tail = (result.stdout + result.stderr).strip().splitlines()
        outcomes.append(
            Outcome("package: original swapped", result.returncode != 0, tail[-1] if tail else "")
        )
    return outcomes


def main() -> int:
    outcomes = run()
    control, tampers = outcomes[0], outcomes[1:]
    print(f"{'FLAGGED' if control.caught else 'passes':7} {control.scenario}")
    for outcome in tampers:
        verdict = "CAUGHT" if outcome.caught else "missed"
        print(f"{verdict:7} {outcome.scenario}: {outcome.how[:150]}")
    print(
        f"tamper: {sum(o.caught for o in tampers)} of {len(tampers)} caught;"
        f" untouched case flagged: {outcomes[0].caught}"
    )
    return 0 if all(o.caught for o in tampers) and not outcomes[0].caught else 1


if __name__ == "__main__":
    sys.exit(main())
