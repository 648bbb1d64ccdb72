"""A run killed with SIGKILL midway loses nothing and ends as an uninterrupted run."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from callsift.store import CaseStore, list_calls, segments_of


def transcripts(root: Path) -> dict[str, list[tuple[int, float, float, str]]]:
    with CaseStore(root, create=False) as store:
        return {
            call.sha256: [(s.channel, s.start, s.end, s.text) for s in segments_of(store, call.id)]
            for call in list_calls(store)
            if call.status == "done"
        }


def callsift(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "callsift", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def done_count(root: Path) -> int:
    with sqlite3.connect(root / "case.db", timeout=30) as conn:
        return int(conn.execute("SELECT count(*) FROM calls WHERE status='done'").fetchone()[0])


def test_sigkill_midway_then_rerun_gives_the_uninterrupted_result(
    tmp_path: Path, demo_dir: Path, demo_case: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    speech = sorted(
        (p for p in demo_dir.iterdir() if p.suffix in (".wav", ".flac", ".ogg", ".m4a")),
        key=lambda p: p.stat().st_size,
    )[:5]
    for path in speech:
        shutil.copy(path, inbox / path.name)
    case = tmp_path / "case"
    assert callsift("ingest", str(inbox), "--case", str(case)).wait() == 0

    run = callsift("process", "--case", str(case))
    deadline = time.monotonic() + 300
    while done_count(case) < 2 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.poll() is None, "process finished before it could be killed"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    interrupted = done_count(case)
    assert 2 <= interrupted < len(speech)

    rerun = callsift("process", "--case", str(case))
    assert rerun.wait() == 0
    resumed = transcripts(case)
    assert len(resumed) == len(speech)
    reference = transcripts(demo_case)
    assert resumed == {sha: reference[sha] for sha in resumed}

    with CaseStore(case, create=False) as store:
        actions = [e["action"] for e in store.custody()]
        assert actions.count("transcribe") == len(speech)  # no call transcribed twice
        assert all(store.originals.verify(call.sha256) for call in list_calls(store))
