"""Calls on a real Dask cluster give the local pool's transcripts, whatever happens to it.

The demo corpus's six shortest calls and its corrupt file stand in for the
whole corpus: on two cores the whole of it takes over two minutes through
two workers, and every failure path here needs only a few calls in flight.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callsift.cli import app
from callsift.errors import ClusterError
from callsift.ingest.run import ingest_paths
from callsift.pipeline import ProcessOptions, process_case
from callsift.store import CaseStore, channels_of, list_calls, segments_of
from tests.engines.conftest import Cluster

pytestmark = pytest.mark.slow

Transcript = tuple[list[tuple[int, str | None]], list[tuple[int, str]]]


def transcripts(store: CaseStore) -> dict[str, Transcript]:
    """Per original: each channel's language and each segment's text."""
    return {
        call.sha256: (
            [(channel.channel, channel.language) for channel in channels_of(store, call.id)],
            [(segment.channel, segment.text) for segment in segments_of(store, call.id)],
        )
        for call in list_calls(store)
        if call.status == "done"
    }


def local_pool(demo_case: Path) -> tuple[dict[str, Transcript], dict[str, str]]:
    """The demo case as the local pool made it: transcripts, and reasons of failed calls."""
    with CaseStore(demo_case, create=False) as store:
        failed = {c.sha256: c.reason or "" for c in list_calls(store) if c.status == "failed"}
        return transcripts(store), failed


def inbox(tmp_path: Path, demo_dir: Path, demo_case: Path, speech: int) -> Path:
    """The ``speech`` shortest calls of the demo case, and the file it failed on."""
    with CaseStore(demo_case, create=False) as store:
        calls = list_calls(store)
    done = sorted((c for c in calls if c.status == "done"), key=lambda c: c.duration_s or 0)
    chosen = [c.file for c in done[:speech]] + [c.file for c in calls if c.status == "failed"]
    folder = tmp_path / "in"
    folder.mkdir()
    for name in chosen:
        shutil.copy(demo_dir / name, folder / name)
    return folder


def kill_a_busy_worker(case: Path, cluster: Cluster, killed: dict[str, str]) -> None:
    """Once a call is saved, ``kill -9`` the worker that ``status`` shows running one."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(case / "case.db", timeout=30)) as conn:
            saved = conn.execute("SELECT count(*) FROM calls WHERE status != 'pending'").fetchone()
            job = conn.execute("SELECT item FROM jobs WHERE state = 'running'").fetchone()
        busy = re.search(r"(\S+) on (tcp://[\d.:]+)", job[0]) if job and saved[0] else None
        if busy and busy[2] in cluster.workers:
            cluster.kill(busy[2])
            killed.update(file=busy[1], worker=busy[2])
            return
        time.sleep(0.05)


def test_a_worker_killed_midway_loses_no_call_and_changes_no_transcript(
    cluster: Cluster, tmp_path: Path, demo_dir: Path, demo_case: Path
) -> None:
    reference, reasons = local_pool(demo_case)
    killed: dict[str, str] = {}
    with CaseStore(tmp_path / "case") as store:
        ingest_paths(store, [inbox(tmp_path, demo_dir, demo_case, speech=6)])
        killer = threading.Thread(target=kill_a_busy_worker, args=(store.root, cluster, killed))
        killer.start()
        try:
            report = process_case(store, ProcessOptions(scheduler=cluster.address))
        finally:
            killer.join()
        made = transcripts(store)
        failed = {c.sha256: c.reason for c in list_calls(store) if c.status == "failed"}
        saves = [entry["action"] for entry in store.custody()].count("transcribe")
    assert killed, "no worker was seen running a call"
    assert report.done == 6 and saves == 6  # every call saved, and saved once
    assert made == {sha: reference[sha] for sha in made}
    assert failed == {sha: reasons[sha] for sha in failed} and len(failed) == 1


def test_each_original_is_hash_checked_on_the_worker(
    cluster: Cluster, tmp_path: Path, demo_dir: Path, demo_case: Path
) -> None:
    reference, _ = local_pool(demo_case)
    folder = inbox(tmp_path, demo_dir, demo_case, speech=2)
    (folder / "call_020.mp3").unlink()
    with CaseStore(tmp_path / "case") as store:
        ingest_paths(store, [folder])
        tampered = list_calls(store)[1]
        original = store.originals.path(tampered.sha256)
        original.chmod(0o644)
        changed = bytearray(original.read_bytes())
        changed[-1] ^= 1  # one bit of the original changed after ingest
        original.write_bytes(changed)
        shared = process_case(store, ProcessOptions(scheduler=cluster.address, shared_path=True))
        sent = process_case(store, ProcessOptions(scheduler=cluster.address, retry_failed=True))
        made = transcripts(store)
    assert shared.done == 1 and made == {sha: reference[sha] for sha in made}
    on_disk, received = dict(shared.failures)[tampered.file], dict(sent.failures)[tampered.file]
    assert f"the original of {tampered.file} at {original.resolve()} on this worker" in on_disk
    assert f"the bytes of {tampered.file} this worker received" in received
    assert all(f"not {tampered.sha256} recorded at ingest" in r for r in (on_disk, received))


def test_local_cluster_from_the_command_line_and_a_second_run_does_nothing(
    tmp_path: Path, demo_dir: Path, demo_case: Path
) -> None:
    reference, _ = local_pool(demo_case)
    folder = inbox(tmp_path, demo_dir, demo_case, speech=2)
    (folder / "call_020.mp3").unlink()
    case = str(tmp_path / "case")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(folder), "--case", case]).exit_code == 0
    process = ["process", "--case", case, "--scheduler", "local", "--workers", "2", "--json"]
    first = runner.invoke(app, process)
    again = runner.invoke(app, process)
    assert first.exit_code == 0 and '"done": 2' in first.stdout, first.output
    assert again.exit_code == 0 and '"processed": 0' in again.stdout, again.output
    with CaseStore(Path(case), create=False) as store:
        made = transcripts(store)
    assert len(made) == 2 and made == {sha: reference[sha] for sha in made}


def test_a_worker_whose_numpy_was_not_pinned_is_refused_before_any_call(
    cluster: Cluster, tmp_path: Path
) -> None:
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if " avx512f" not in flags or os.environ.get("CALLSIFT_REPRODUCIBLE") == "0":
        pytest.skip("numpy takes the pinned paths by itself here")
    from callsift import _REPRODUCIBLE_CPU

    fresh = {name: value for name, value in os.environ.items() if name not in _REPRODUCIBLE_CPU}
    worker = cluster.add_worker(pinned=False, env=fresh)  # a shell that never imported callsift
    try:
        cluster.wait_for_workers(len(cluster.workers))
        with CaseStore(tmp_path / "case") as store:
            store.add_call("0" * 64, "a.wav", "/in/a.wav", 1)
            with pytest.raises(ClusterError, match=f"{worker}: .* --preload-nanny callsift"):
                process_case(store, ProcessOptions(scheduler=cluster.address))
    finally:
        cluster.kill(worker)
