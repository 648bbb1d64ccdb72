"""One call that crashes, hangs or trips a bug fails alone; the batch goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from callsift import pipeline
from callsift.ingest.run import ingest_paths
from callsift.pipeline import ProcessOptions, process_case
from callsift.store import CaseStore, list_calls
from tests.faults import faulty_worker

pytestmark = pytest.mark.slow


def test_a_worker_that_dies_or_hangs_fails_only_its_call(
    tmp_path: Path, real_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    clip = (real_dir / "ru_pisets_test_sound_ru.wav").read_bytes()
    names = ["segfault.wav", "oom.wav", "hang.wav", "bug.wav", "good.wav"]
    for index, name in enumerate(names):
        (inbox / name).write_bytes(clip + bytes(index))  # distinct originals, same speech
    monkeypatch.setattr(pipeline, "_guarded", faulty_worker)
    with CaseStore(tmp_path / "case") as store:
        ingest_paths(store, [inbox])
        report = process_case(store, ProcessOptions(workers=2, translate=False, call_timeout_s=20))
        calls = {call.file: call for call in list_calls(store)}
    reasons = dict(report.failures)
    assert report.done == 1 and calls["good.wav"].status == "done"
    assert "signal 11" in reasons["segfault.wav"]
    assert "signal 9" in reasons["oom.wav"] and "out of memory" in reasons["oom.wav"]
    assert "stopped after 20 s" in reasons["hang.wav"]
    assert "TypeError" in reasons["bug.wav"] and "please report it" in reasons["bug.wav"]
    assert {calls[name].status for name in names[:4]} == {"failed"}


def test_a_damaged_model_cache_is_made_again_from_the_packages(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    damaged = cache / Path(pipeline.resolve_model()).name
    shutil.copytree(Path(pipeline.resolve_model()), damaged)
    (damaged / "model.bin").chmod(0o644)
    with open(damaged / "model.bin", "r+b") as weights:
        weights.seek(1000)
        weights.write(b"\0\1\2\3")
    (cache / ".assemble-killed").mkdir()  # what a run killed while joining leaves
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CALLSIFT_MODEL_CACHE", str(cache))
        assert pipeline.resolve_model() == str(damaged)
    assert sorted(p.name for p in cache.iterdir()) == [".lock", damaged.name]


def test_a_model_error_is_one_line_before_any_worker_starts(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from callsift.cli import app

    not_a_folder = tmp_path / "cache-is-a-file"
    not_a_folder.write_text("")
    with CaseStore(tmp_path / "case") as store:
        store.add_call("0" * 64, "a.wav", "/in/a.wav", 1)
    result = CliRunner().invoke(
        app,
        ["process", "--case", str(tmp_path / "case"), "--workers", "2"],
        env={"CALLSIFT_MODEL_CACHE": str(not_a_folder)},
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "cannot assemble the default speech model" in lines[0], lines
