"""Model folders in the key, the GPU switch on a CPU-only machine, the batched path on CPU."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import ctranslate2
import pytest
from typer.testing import CliRunner

from callsift.cli import app
from callsift.errors import ModelError
from callsift.ingest.run import ingest_paths
from callsift.pipeline import ProcessOptions, process_call
from callsift.store import CaseStore
from callsift.transcribe import ModelSpec, TranscribeOptions, check_device, load_model

no_gpu = pytest.mark.skipif(
    ctranslate2.get_cuda_device_count() > 0, reason="this machine has a CUDA GPU"
)


def model_folder(root: Path, weights: bytes) -> Path:
    root.mkdir(parents=True)
    (root / "model.bin").write_bytes(weights)
    (root / "config.json").write_text("{}", encoding="utf-8")
    (root / "README.md").write_text("notes", encoding="utf-8")
    return root


def model_key(folder: Path) -> dict[str, Any]:
    return json.loads(TranscribeOptions(model=ModelSpec(name=str(folder))).key())["model"]


def test_a_model_folder_is_keyed_by_the_sha256_of_its_files_not_its_path(tmp_path: Path) -> None:
    folder = model_folder(tmp_path / "a" / "large-v3", b"weights")
    first = model_key(folder)
    assert first["name"] == "large-v3" and len(first["sha256"]) == 64
    moved = tmp_path / "b" / "large-v3"
    moved.parent.mkdir()
    shutil.move(folder, moved)
    assert model_key(moved) == first
    (moved / "README.md").write_text("other notes", encoding="utf-8")  # not read by the model
    assert model_key(moved) == first
    (moved / "model.bin").write_bytes(b"other weights")
    assert model_key(moved)["sha256"] != first["sha256"]


def test_the_default_model_keeps_the_key_transcripts_were_made_under() -> None:
    """A case transcribed before model folders were hashed is not transcribed again."""
    key = json.loads(TranscribeOptions().key())["model"]
    assert key == {"name": "base", "device": "cpu", "compute_type": "int8"}
    batched = TranscribeOptions(model=ModelSpec(batch_size=8)).key()
    assert json.loads(batched)["model"]["batch_size"] == 8


@no_gpu
def test_cuda_on_a_machine_without_a_gpu_is_one_clear_error(tmp_path: Path, real_dir: Path) -> None:
    with pytest.raises(ModelError, match="device 'cuda'.*no CUDA GPU"):
        check_device(ModelSpec(device="cuda", compute_type="float16"))
    with CaseStore(tmp_path / "case") as store:
        ingest_paths(store, [real_dir / "ru_deepspeech_smoke_ru.wav"])
    result = CliRunner().invoke(
        app, ["process", "--case", str(tmp_path / "case"), "--device", "cuda"]
    )
    assert result.exit_code == 1
    (line,) = [text for text in result.output.splitlines() if text.strip()]
    assert "device 'cuda'" in line and "--device cpu" in line
    with CaseStore(tmp_path / "case") as store:  # nothing was tried, so nothing failed
        assert store.conn.execute("SELECT status FROM calls").fetchone()["status"] == "pending"


def test_an_unknown_device_is_refused() -> None:
    with pytest.raises(ModelError, match="'tpu'"):
        check_device(ModelSpec(device="tpu"))


@pytest.fixture(scope="module")
def batched() -> Any:
    """The pinned model behind faster-whisper's batched pipeline, as on a GPU."""
    return load_model(ModelSpec(batch_size=4))


def test_the_batched_pipeline_transcribes_and_translates_on_cpu_too(
    real_dir: Path, batched: Any
) -> None:
    """The GPU's code path is the CPU's with one branch: it runs here, on the real model."""
    path = real_dir / "ru_pisets_test_sound_ru.wav"
    outcome = process_call(path, 1, path.name, ProcessOptions(), batched)
    (channel,) = outcome.channels
    assert channel.language == "ru"
    text = " ".join(segment.text for segment in channel.segments).lower()
    assert "нейронн" in text and "хорошо" in text
    english = " ".join(segment.translation or "" for segment in channel.segments).lower()
    assert "network" in english and "good" in english
