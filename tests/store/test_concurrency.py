"""Two runs on one case, a reviewer during a run, old cases opened by two processes at once."""

from __future__ import annotations

import io
import multiprocessing
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from callsift.analyze.run import analyze_case
from callsift.errors import CaseBusyError, DiskFullError
from callsift.pipeline import ProcessOptions, process_case
from callsift.records import AudioInfo, ChannelTranscript, Segment
from callsift.store import CaseStore, segments_of
from callsift.store.jobs import recent_jobs, start_job
from callsift.store.review import correct_segment, segment_versions_of
from callsift.store.schema import MIGRATIONS
from callsift.store.sqlite import split_statements

INFO = AudioInfo(duration_s=4.0, sample_rate=8000, channels=1, codec="pcm_s16le", container="wav")


def _call(store: CaseStore, data: bytes = b"RIFF-bytes") -> int:
    sha, size, _ = store.originals.put(io.BytesIO(data))
    return store.add_call(sha, "a.wav", "/in/a.wav", size)[0]


def _transcript(*texts: str) -> list[ChannelTranscript]:
    segments = [
        Segment(channel=0, start=float(i), end=i + 0.9, language="ru", text=text)
        for i, text in enumerate(texts)
    ]
    return [
        ChannelTranscript(
            channel=0, language="ru", language_probability=0.9, speech_s=4.0, segments=segments
        )
    ]


_HOLDER = """
import sys, time
from pathlib import Path
from callsift.store import CaseStore
with CaseStore(Path(sys.argv[1]), actor="first-run") as store, store.exclusive("process"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_run_on_a_case_stops_and_names_the_first(tmp_path: Path) -> None:
    root = tmp_path / "case"
    with CaseStore(root) as store:
        _call(store)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with CaseStore(root) as store:
            for stage in (
                lambda: process_case(store, ProcessOptions(workers=0)),
                lambda: analyze_case(store),
            ):
                with pytest.raises(CaseBusyError, match=r"callsift process \(process \d+"):
                    stage()
            assert "first-run" in str(pytest.raises(CaseBusyError, analyze_case, store).value)
            assert [e["action"] for e in store.custody()] == ["ingest"]
    finally:
        holder.kill()
        holder.communicate()
    with CaseStore(root) as store:  # the kernel let go of the dead holder's lock
        assert analyze_case(store) == 0


def test_the_work_lock_is_reentrant_in_one_thread_only(case: CaseStore) -> None:
    import threading

    errors: list[BaseException] = []

    def other_thread() -> None:
        try:
            with case.exclusive("analyze"):
                pass
        except CaseBusyError as error:
            errors.append(error)

    with case.exclusive("process"), case.exclusive("analyze"):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert len(errors) == 1
    with case.exclusive("analyze"):  # released once the outer hold ended
        pass


def test_a_correction_made_during_a_run_is_never_overwritten(case: CaseStore) -> None:
    call_id = _call(case)
    assert case.save_transcript(call_id, INFO, _transcript("первый", "второй"), '{"k": 1}')
    first = segments_of(case, call_id)
    segment_id = case.conn.execute(
        "SELECT id FROM segments WHERE call_id = ? ORDER BY start", (call_id,)
    ).fetchone()[0]
    # A run with new settings listed the call, then a reviewer corrected it.
    assert case.pending_calls('{"k": 2}') == [(call_id, case.call_sha256(call_id), "a.wav")]
    correct_segment(case, call_id, segment_id, "исправленный", "reviewer", 1)
    assert not case.save_transcript(call_id, INFO, _transcript("машинный"), '{"k": 2}')
    after = segments_of(case, call_id)
    assert [s.text for s in after] == ["исправленный", first[1].text]
    assert case.custody()[-1]["action"] == "transcribe-kept-corrections"
    with pytest.raises(sqlite3.IntegrityError, match="corrected segment is never deleted"):
        case.conn.execute("DELETE FROM segments WHERE id = ?", (segment_id,))


def test_segment_ids_are_never_reused(case: CaseStore) -> None:
    call_id = _call(case)
    case.save_transcript(call_id, INFO, _transcript("а", "б", "в"), '{"k": 1}')
    old = [r[0] for r in case.conn.execute("SELECT id FROM segments")]
    case.save_transcript(call_id, INFO, _transcript("г"), '{"k": 2}')
    new = [r[0] for r in case.conn.execute("SELECT id FROM segments")]
    assert min(new) > max(old)


def _v4_case(root: Path) -> None:
    """A case as callsift made it before schema 5, with a corrected segment and analysis."""
    root.mkdir(parents=True)
    conn = sqlite3.connect(root / "case.db", isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:4], start=1):
        for statement in split_statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={number}")
    conn.execute(
        "INSERT INTO calls (id, sha256, file, size, ingested_at, status)"
        " VALUES (1, 'ab', 'a.wav', 3, 'now', 'done')"
    )
    conn.execute(
        "INSERT INTO custody (at, actor, action, sha256, tool_version)"
        " VALUES ('2022-04-01T00:00:00', 'old', 'ingest', 'ab', 'callsift 0.0')"
    )
    for seg_id, text in ((1, "один"), (7, "семь")):
        conn.execute(
            'INSERT INTO segments (id, call_id, channel, start, "end", language, text, words)'
            " VALUES (?, 1, 0, ?, ?, 'ru', ?, '[]')",
            (seg_id, float(seg_id), seg_id + 0.5, text),
        )
    # A correction whose segment was since deleted by the old bug: id 9 must never come back.
    conn.execute(
        'INSERT INTO segment_versions (call_id, segment_id, channel, start, "end", version,'
        " text, editor, at) VALUES (1, 9, 0, 9.0, 9.5, 2, 'девять', 'reviewer', 'now')"
    )
    conn.execute(
        "INSERT INTO mentions (call_id, segment_id, channel, start, type, text, normal,"
        " start_char, end_char) VALUES (1, 7, 0, 7.0, 'LOC', 'семь', 'семь', 0, 4)"
    )
    conn.close()


def _open(root: str) -> int:
    with CaseStore(Path(root)) as store:
        return int(store.conn.execute("PRAGMA user_version").fetchone()[0])


def test_an_old_case_opened_by_four_processes_at_once_migrates_once(tmp_path: Path) -> None:
    root = tmp_path / "case"
    _v4_case(root)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        versions = pool.map(_open, [str(root)] * 4)
    assert versions == [len(MIGRATIONS)] * 4
    with CaseStore(root) as store:
        assert [r[0] for r in store.conn.execute("SELECT id FROM segments ORDER BY id")] == [1, 7]
        assert store.conn.execute("SELECT count(*) FROM mentions").fetchone()[0] == 1
        hits = store.conn.execute(
            "SELECT rowid FROM segments_fts WHERE segments_fts MATCH 'семь'"
        ).fetchall()
        assert [r[0] for r in hits] == [7]
        assert not store.save_transcript(1, INFO, _transcript("новый"), '{"k": 1}')
        new_id = store.conn.execute(
            'INSERT INTO segments (call_id, channel, start, "end", language, text, words)'
            " VALUES (1, 0, 20.0, 21.0, 'ru', 'новый', '[]')"
        ).lastrowid
        assert new_id is not None and new_id > 9  # past every id a correction ever named
        assert segment_versions_of(store, 1)[9][0].text == "девять"


def test_a_job_whose_process_died_is_marked_interrupted(case: CaseStore) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with case.transaction():
        case.conn.execute(
            "INSERT INTO jobs (kind, actor, pid, state, started_at, updated_at)"
            " VALUES ('process', 'x', ?, 'running', 'then', 'then')",
            (dead.pid,),
        )
    start_job(case, "analyze", 3)
    states = {job.kind: job.state for job in recent_jobs(case)}
    assert states == {"process": "interrupted", "analyze": "running"}


def test_holding_the_lock_does_not_block_readers(tmp_path: Path) -> None:
    root = tmp_path / "case"
    with CaseStore(root) as store, store.exclusive("process"):
        started = time.monotonic()
        with CaseStore(root) as reader:
            assert reader.custody() == []
        assert time.monotonic() - started < 5


def test_a_full_disk_while_saving_a_transcript_leaves_the_call_as_it_was(
    case: CaseStore,
) -> None:
    call_id = _call(case)
    case.conn.execute("VACUUM")  # no free pages left to fill
    pages = case.conn.execute("PRAGMA page_count").fetchone()[0]
    case.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
    many = _transcript(*(f"слово {n} " * 40 for n in range(50)))
    with pytest.raises(DiskFullError, match="no space left .* the last change was not saved"):
        case.save_transcript(call_id, INFO, many, '{"k": 1}')
    assert not case.conn.in_transaction
    assert segments_of(case, call_id) == []
    assert case.pending_calls('{"k": 1}') == [(call_id, case.call_sha256(call_id), "a.wav")]
