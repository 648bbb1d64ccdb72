"""``callsift status`` shows which calls a running job has on which Dask worker."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from callsift.cli import app
from callsift.store import CaseStore
from callsift.store.jobs import finish_job, set_job_item, start_job, update_job


def test_status_shows_the_calls_running_on_each_worker(tmp_path: Path) -> None:
    where = "call_003.wav on tcp://10.0.0.5:40123, call_004.wav on tcp://10.0.0.6:39001"
    with CaseStore(tmp_path / "case") as store:
        job = start_job(store, "process", 32)
        update_job(store, job, done=12, failed=1, item="call_002.wav")
        set_job_item(store, job, where)
    running = CliRunner().invoke(app, ["status", "--case", str(tmp_path / "case")])
    with CaseStore(tmp_path / "case") as store:
        finish_job(store, job, completed=True)
    finished = CliRunner().invoke(app, ["status", "--case", str(tmp_path / "case")])
    assert running.exit_code == 0 and finished.exit_code == 0
    assert f"12/32 done, 1 failed; {where}" in " ".join(running.stdout.split())
    assert "running" not in finished.stdout
