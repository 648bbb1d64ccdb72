"""The demo case checked once, shared by the consistency-check tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from callsift.records import FindingRecord
from callsift.store import CaseStore
from callsift.verify import check_case


@pytest.fixture(scope="package")
def checked(
    demo_case: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CaseStore, list[FindingRecord]]]:
    """A copy of the demo case after one run of every check (read, never written, by tests)."""
    root = tmp_path_factory.mktemp("checked") / "case"
    shutil.copytree(demo_case, root)
    with CaseStore(root) as store:
        yield store, check_case(store)
