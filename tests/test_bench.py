"""``callsift bench`` times the naive loop and callsift on the same files, each in a process."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from callsift.bench import in_child, naive_loop, run_bench
from callsift.cli import app


def _corpus(demo_dir: Path, tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(demo_dir / "call_016.amr", corpus)  # the smallest demo call
    (corpus / "notes.md").write_text("not a recording: both loops skip it\n")
    return corpus


def test_both_runs_take_the_same_recording(demo_dir: Path, tmp_path: Path) -> None:
    naive, callsift = run_bench(_corpus(demo_dir, tmp_path), [1], translate=False)
    assert naive.name == "naive faster-whisper loop"
    assert callsift.name == "callsift, 1 worker, no translation"
    assert naive.files == callsift.files == 1
    assert 0 < callsift.audio_s <= naive.audio_s + 0.5
    assert naive.wall_s > 0 and callsift.wall_s > 0 and callsift.peak_rss_mb > 0
    assert {"ingest", "transcribe"} <= set(callsift.stage_s)


def test_the_naive_loop_runs_on_the_threads_it_is_given(demo_dir: Path, tmp_path: Path) -> None:
    result = in_child(naive_loop, str(_corpus(demo_dir, tmp_path)), 1, 1)
    assert result["files"] == 1 and result["audio_s"] > 0


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(app, ["bench", str(tmp_path / "nowhere")])
    assert outcome.exit_code == 1
    assert "no such folder" in outcome.output
