"""Shared fixtures: real model, real audio, small cases in tmp folders."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from callsift.store import CaseStore

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo" / "calls"
REAL = REPO / "tests" / "data" / "real"
"""Real speech clips, kept in the repository with their licences (``NOTICE.md`` there)."""


def _demo_calls() -> int:
    files = json.loads((REPO / "demo" / "truth.json").read_text(encoding="utf-8"))["files"]
    return len({entry["sha256"] for entry in files.values()})


DEMO_CALLS = _demo_calls()
"""Calls the demo corpus makes in a case: one per distinct recording (the corrupt one too)."""


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    return json.loads((REPO / "demo" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return REAL


@pytest.fixture
def case(tmp_path: Path) -> Iterator[CaseStore]:
    store = CaseStore(tmp_path / "case")
    yield store
    store.close()


@pytest.fixture(scope="session")
def model() -> Any:
    """The pinned default model, loaded once for the session."""
    from callsift.transcribe import ModelSpec, load_model

    return load_model(ModelSpec())


@pytest.fixture(scope="session")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole demo corpus, ingested, processed and analysed once (uninterrupted).

    For quick work on one test file, ``CALLSIFT_TEST_DEMO_CASE`` may name a
    case folder that ``python -m tests.conftest DIR`` made (the same calls
    as here): it is copied instead of processed again. CI never sets it.
    """
    root = tmp_path_factory.mktemp("demo") / "case"
    cached = os.environ.get("CALLSIFT_TEST_DEMO_CASE")
    if cached:
        shutil.copytree(cached, root)
        return root
    build_demo_case(root)
    return root


def build_demo_case(root: Path) -> None:
    from callsift.analyze.run import analyze_case
    from callsift.ingest.run import ingest_paths
    from callsift.pipeline import ProcessOptions, process_case
    from callsift.translate.repair import repair_case

    with CaseStore(root) as store:
        ingest_paths(store, [DEMO])
        process_case(store, ProcessOptions())
        analyze_case(store)
        repair_case(store)


if __name__ == "__main__":
    import sys

    build_demo_case(Path(sys.argv[1]))
