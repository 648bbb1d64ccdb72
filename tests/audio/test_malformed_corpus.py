"""A slice of the malformed-media soak (benchmarks/malformed_media.py) as a test.

The full run (2,000+ files, a worker pool) is a benchmark; here 260 of the same
seeded files are decoded in-process, where any exception but InputError fails.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from callsift.audio import decode, probe
from callsift.errors import InputError

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def soak(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # On sys.path, so that the pool's spawned workers can import it too.
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("malformed_media")


def test_corpus_is_deterministic(tmp_path: Path, soak: ModuleType) -> None:
    first = soak.generate(tmp_path / "a", 40, seed=3)
    second = soak.generate(tmp_path / "b", 40, seed=3)

    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert {p.name.split("_")[1] for p in first} >= {"cut", "flip", "bogus", "splice"}


def test_malformed_files_end_in_a_result_or_an_input_error(
    tmp_path: Path, soak: ModuleType
) -> None:
    outcomes = {"ok": 0, "flagged": 0, "refused": 0}
    for path in soak.generate(tmp_path, 260, seed=9):
        try:
            probe(path)
            info, _ = decode(path)
            outcomes["flagged" if info.damage else "ok"] += 1
        except InputError as error:
            assert error.path == str(path) and error.reason
            outcomes["refused"] += 1

    assert min(outcomes.values()) > 20  # the corpus exercises every ending


def test_the_pool_survives_a_dying_worker(tmp_path: Path, soak: ModuleType) -> None:
    paths = soak.generate(tmp_path, 6, seed=1)

    # 64 MiB of address space cannot even import callsift: every worker dies.
    results = soak.decode_all(paths, workers=1, limit_s=5, memory_bytes=64 << 20)

    assert set(results) == set(paths)
    assert {outcome[0] for outcome in results.values()} == {"crash"}
