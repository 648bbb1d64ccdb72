from __future__ import annotations

import io
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from callsift.errors import CaseError
from callsift.records import AudioInfo, CallMetadata, ChannelTranscript, Segment, Word
from callsift.store import CaseStore, case_status, get_call, list_calls, segments_of, sha256_file
from callsift.store.schema import MIGRATIONS
from callsift.store.sidecars import add_sidecar_rows, attach_metadata


def test_new_case_uses_wal_full_sync_and_foreign_keys(case: CaseStore) -> None:
    assert case.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert case.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert case.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert case.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_reopening_keeps_data_and_schema(tmp_path: Path) -> None:
    with CaseStore(tmp_path / "c") as store:
        sha, size, _ = store.originals.put(io.BytesIO(b"abc"))
        store.add_call(sha, "a.wav", "/in/a.wav", size)
    with CaseStore(tmp_path / "c", create=False) as store:
        assert [c.file for c in list_calls(store)] == ["a.wav"]


def test_missing_case_is_refused_when_not_creating(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="no such case folder"):
        CaseStore(tmp_path / "nope", create=False)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    CaseStore(tmp_path / "c").close()
    with sqlite3.connect(tmp_path / "c" / "case.db") as conn:
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(CaseError, match="newer callsift"):
        CaseStore(tmp_path / "c")


def test_same_bytes_under_two_names_is_one_call_with_two_names(case: CaseStore) -> None:
    sha, size, new = case.originals.put(io.BytesIO(b"RIFF-bytes"))
    assert new
    first = case.add_call(sha, "a.wav", "/in/a.wav", size)
    _, _, again = case.originals.put(io.BytesIO(b"RIFF-bytes"))
    second = case.add_call(sha, "copy_of_a.wav", "/in/copy_of_a.wav", size)
    third = case.add_call(sha, "copy_of_a.wav", "/in/copy_of_a.wav", size)
    assert not again
    assert first == (1, True, True)
    assert second == (1, False, True)
    assert third == (1, False, False)
    call = get_call(case, 1)
    assert call is not None and call.names == ["a.wav", "copy_of_a.wav"]
    actions = [entry["action"] for entry in case.custody(sha)]
    assert actions == ["ingest", "ingest-duplicate", "ingest-again"]


def test_custody_log_is_append_only(case: CaseStore) -> None:
    case.log("test", "0" * 64, note="x")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        case.conn.execute("UPDATE custody SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        case.conn.execute("DELETE FROM custody")
    entry = case.custody()[0]
    assert entry["action"] == "test" and entry["tool_version"].startswith("callsift ")
    assert entry["at"].endswith("+00:00")


def test_originals_are_read_only_and_content_addressed(case: CaseStore) -> None:
    sha, _, _ = case.originals.put(io.BytesIO(b"evidence"))
    path = case.originals.path(sha)
    assert sha256_file(path) == sha and path.name == sha
    assert stat.S_IMODE(path.stat().st_mode) & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0
    assert case.originals.verify(sha)


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")
def test_an_unprivileged_process_cannot_change_an_original(case: CaseStore) -> None:
    """Root ignores file modes, so try the write as the 'nobody' user, like a reviewer would."""
    sha, _, _ = case.originals.put(io.BytesIO(b"evidence"))
    case.root.chmod(0o755)
    script = (
        "import os, sys; os.setgid(65534); os.setuid(65534)\n"
        "try:\n    open(sys.argv[1], 'ab').write(b'x')\nexcept PermissionError:\n    sys.exit(7)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(case.originals.path(sha))])
    assert done.returncode == 7
    assert case.originals.verify(sha)


K1 = '{"model": "a"}'
K2 = '{"model": "b"}'


def _transcript() -> list[ChannelTranscript]:
    words = [Word(0.5, 0.9, " Мама,", 0.9), Word(1.0, 1.4, " мы", 0.8)]
    segment = Segment(0, 0.5, 1.4, "Мама, мы", "ru", -0.2, 0.01, 1.1, words)
    return [ChannelTranscript(0, "ru", 0.97, 1.2, [segment])]


def test_saving_a_transcript_replaces_the_old_one_and_marks_done(case: CaseStore) -> None:
    sha, size, _ = case.originals.put(io.BytesIO(b"x"))
    call_id, _, _ = case.add_call(sha, "a.wav", "/a.wav", size)
    info = AudioInfo(3.0, 8000, 1, "pcm_s16le", "wav")
    assert case.pending_calls(K1) == [(call_id, sha, "a.wav")]
    case.save_transcript(call_id, info, _transcript(), K1)
    case.save_transcript(call_id, info, _transcript(), K1)
    assert case.pending_calls(K1) == []
    assert case.pending_calls(K2) == [(call_id, sha, "a.wav")]  # other settings: redo
    assert [s.text for s in segments_of(case, call_id)] == ["Мама, мы"]
    assert segments_of(case, call_id)[0].words[0].word == " Мама,"
    status = case_status(case)
    assert (status.calls, status.done, status.segments, status.languages) == (1, 1, 1, {"ru": 1})


def test_a_failed_call_keeps_its_reason_and_waits_for_retry(case: CaseStore) -> None:
    sha, size, _ = case.originals.put(io.BytesIO(b"x"))
    call_id, _, _ = case.add_call(sha, "bad.mp3", "/bad.mp3", size)
    case.mark_failed(call_id, "not an audio file")
    assert case.pending_calls("k") == []
    assert case.pending_calls("k", retry_failed=True) == [(call_id, sha, "bad.mp3")]
    failures = case_status(case).failures
    assert [(f.file, f.reason, f.stage) for f in failures] == [
        ("bad.mp3", "not an audio file", "process")
    ]


def test_sidecar_rows_attach_by_name_or_base_name_in_any_order(case: CaseStore) -> None:
    sha, size, _ = case.originals.put(io.BytesIO(b"x"))
    add_sidecar_rows(
        case, "meta.csv", "f" * 64, [(2, CallMetadata(file="0001.wav", caller="+7 903"))]
    )
    case.add_call(sha, "day1/0001.wav", "/drive/day1/0001.wav", size)
    assert attach_metadata(case) == 1
    call = get_call(case, 1)
    assert call is not None and call.metadata is not None
    assert call.metadata["caller"] == "+7 903"
