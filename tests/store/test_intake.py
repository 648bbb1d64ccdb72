"""An original and its record land together: crashes, full disks and concurrent runs."""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from callsift.errors import DiskFullError
from callsift.ingest.run import ingest_paths
from callsift.store import CaseStore, blobs
from callsift.store.intake import recover_originals


def on_disk(case: CaseStore) -> list[str]:
    """Every file under originals/ but the lock: blobs and temp files."""
    root = case.originals.root
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".intake.lock"
    )


def held(case: CaseStore) -> list[str]:
    rows = case.conn.execute("SELECT sha256 FROM calls ORDER BY sha256").fetchall()
    return sorted(f"{row[0][:2]}/{row[0]}" for row in rows)


def kill_mid_ingest(case_root: Path, file: Path, where: str) -> None:
    """Ingest ``file`` in another process that kills itself with SIGKILL ``where``:
    "copying" (half the bytes in a temp file) or "recording" (original in, no row)."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from callsift.ingest.run import ingest_paths
        from callsift.store import CaseStore, blobs

        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

        real_write = blobs._write_all
        def half_then_die(fd, data):
            real_write(fd, data[: len(data) // 2])
            die()

        store = CaseStore(Path({str(case_root)!r}))
        if {where!r} == "copying":
            blobs._write_all = half_then_die
        else:
            store.add_call = die
        ingest_paths(store, [Path({str(file)!r})])
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False)
    assert done.returncode == -9


@pytest.mark.parametrize("where", ["copying", "recording"])
def test_the_next_ingest_removes_what_a_kill_left(
    case: CaseStore, tmp_path: Path, where: str
) -> None:
    (tmp_path / "first.wav").write_bytes(b"first")
    (tmp_path / "killed.wav").write_bytes(os.urandom(3 * 1024 * 1024))
    ingest_paths(case, [tmp_path / "first.wav"])
    kill_mid_ingest(case.root, tmp_path / "killed.wav", where)
    assert len(on_disk(case)) == 2  # the first original and what the kill left

    report = ingest_paths(case, [tmp_path / "first.wav"])

    assert on_disk(case) == held(case) and len(held(case)) == 1
    assert report.already_known == 1
    [entry] = [e for e in case.custody() if e["action"] == "ingest-recovered"]
    assert entry["detail"]["temp_files"] == (1 if where == "copying" else 0)
    assert len(entry["detail"]["orphans"]) == (0 if where == "copying" else 1)
    ingest_paths(case, [tmp_path / "killed.wav"])
    assert on_disk(case) == held(case) and len(held(case)) == 2


def test_a_temp_file_a_live_writer_holds_is_left_alone(case: CaseStore) -> None:
    case.originals.root.mkdir(parents=True)
    temp = case.originals.root / ".incoming-live"
    with open(temp, "wb") as writer:
        fcntl.flock(writer.fileno(), fcntl.LOCK_EX)
        writer.write(b"being written")
        assert recover_originals(case).temp_files == 0
        assert temp.exists()
    assert recover_originals(case).temp_files == 1
    assert not temp.exists()


def test_recovery_waits_for_an_ingest_between_its_copy_and_its_row(
    case: CaseStore, tmp_path: Path
) -> None:
    """An original another run has just put in, and is about to record, is no orphan."""
    other = CaseStore(case.root)
    finished = threading.Event()

    def recover() -> None:
        recover_originals(other)
        finished.set()

    with case.originals.lock(), open(__file__, "rb") as stream:
        sha256, size, _ = case.originals.put(stream)
        thread = threading.Thread(target=recover)
        thread.start()
        assert not finished.wait(0.5)  # held off by the intake lock
        case.add_call(sha256, "test.py", __file__, size)
    thread.join(10)
    other.close()
    assert finished.is_set() and case.originals.has(sha256)


def fail_temp_writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make writes into the originals' temp files fail as a full disk does."""
    failed: list[int] = []
    real = os.write

    def write(fd: int, data: bytes) -> int:
        if ".incoming-" in os.readlink(f"/proc/self/fd/{fd}"):
            failed.append(fd)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(blobs.os, "write", write)
    return failed


def test_a_full_disk_stops_the_batch_once_and_leaves_the_case_whole(
    case: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ["known.wav", "new.wav", "never.wav"]:
        (tmp_path / name).write_bytes(name.encode() * 1000)
    ingest_paths(case, [tmp_path / "known.wav"])
    custody = len(case.custody())
    failed = fail_temp_writes(monkeypatch)

    with pytest.raises(DiskFullError) as raised:
        names = ["known.wav", "new.wav", "never.wav"]
        ingest_paths(case, [tmp_path / name for name in names], rehash=True)

    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'new.wav'}: no space left on the disk of")
    assert "needs 0.0 MB" in message and "MB free" in message
    assert len(failed) == 2  # known.wav, then new.wav; never.wav not tried
    assert on_disk(case) == held(case) and len(held(case)) == 1
    actions = [e["action"] for e in case.custody()[custody:]]
    assert actions == ["ingest-again"]  # the known file, recognised by its hash


def test_a_known_file_needs_no_room_for_a_copy(
    case: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "known.wav").write_bytes(b"known")
    ingest_paths(case, [tmp_path / "known.wav"])
    failed = fail_temp_writes(monkeypatch)
    monkeypatch.setattr(
        blobs.shutil, "disk_usage", lambda path: blobs.shutil._ntuple_diskusage(10**9, 10**9, 0)
    )
    report = ingest_paths(case, [tmp_path / "known.wav"], rehash=True)
    assert report.already_known == 1 and report.unchanged == 0 and failed == []


def test_a_full_database_removes_the_original_it_could_not_record(
    case: CaseStore, tmp_path: Path
) -> None:
    (tmp_path / "first.wav").write_bytes(b"first")
    deep = tmp_path.joinpath(*["f" * 200] * 15)  # a long origin needs new pages
    deep.mkdir(parents=True)
    (deep / "second.wav").write_bytes(b"second")
    ingest_paths(case, [tmp_path / "first.wav"])
    case.conn.execute("VACUUM")  # no free pages left to fill
    pages = case.conn.execute("PRAGMA page_count").fetchone()[0]
    case.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"

    with pytest.raises(DiskFullError, match="second.wav: no space left"):
        ingest_paths(case, [deep / "second.wav"])

    assert on_disk(case) == held(case) and len(held(case)) == 1
    assert not case.conn.in_transaction
