"""``callsift process`` on a machine that has never run callsift."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.conftest import run, runner

pytestmark = pytest.mark.slow


def test_two_workers_on_an_empty_model_cache_assemble_the_model_once(
    tmp_path: Path, real_dir: Path
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("ru_pisets_test_sound_ru.wav", "ru_deepspeech_smoke_ru.wav"):
        shutil.copy(real_dir / name, inbox / name)
    case, cache = tmp_path / "case", tmp_path / "empty-cache"
    cache.mkdir()
    run("ingest", str(inbox), "--case", str(case))
    from callsift.cli import app

    result = runner.invoke(
        app,
        ["process", "--case", str(case), "--workers", "2", "--json"],
        env={"CALLSIFT_MODEL_CACHE": str(cache)},
    )
    assert result.exit_code == 0, result.output
    assert '"done": 2' in result.stdout and '"failed": 0' in result.stdout
    assembled = [p.name for p in cache.iterdir() if p.name != ".lock"]
    assert len(assembled) == 1 and assembled[0].startswith("whisper-base-"), assembled
