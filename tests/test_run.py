"""``run_case``: one library call runs every stage a call still needs, and only once."""

from __future__ import annotations

from pathlib import Path

from callsift.ingest.run import ingest_paths
from callsift.pipeline import ProcessOptions
from callsift.run import RunOptions, run_case
from callsift.store import CaseStore, list_calls
from callsift.store.analysis import flags_of, mentions_of
from callsift.store.phones import call_numbers_of

from .conftest import DEMO


def test_every_stage_runs_for_the_new_calls_then_nothing_is_left(tmp_path: Path) -> None:
    options = RunOptions(ProcessOptions(workers=0))  # in this process: one model, two calls
    stages: list[tuple[str, int]] = []
    items: list[tuple[str, str]] = []
    with CaseStore(tmp_path / "case") as store:
        ingest_paths(store, [DEMO / "call_001.wav", DEMO / "call_007.ogg", DEMO / "metadata.csv"])
        first = run_case(
            store,
            options,
            on_stage=lambda stage, total: stages.append((stage, total)),
            on_item=lambda stage, item: items.append((stage, item)),
        )
        ids = [call.id for call in list_calls(store)]
        assert (first.process.done, first.analysed) == (2, 2)
        assert stages == [("transcribe", 2), ("analyze", 2)]
        assert sorted(item for stage, item in items if stage == "transcribe") == [
            "call_001.wav",
            "call_007.ogg",
        ]
        assert list(first.stage_s) == [
            "transcribe",
            "analyze",
            "repair",
            "numbers",
            "graph",
            "index",
        ]
        # The search index is built by the run, not by the first reader who searches.
        assert first.indexed and (store.derived / "search").is_dir()
        # Analysis found what the synthetic calls hold; numbers are in E.164 for the graph.
        assert any(m.normal == "Буча" for m in mentions_of(store, ids[0]))
        assert any(f.topic == "orders" for f in flags_of(store, ids[1]))
        assert call_numbers_of(store, ids[0])["caller"].e164 == "+79035551708"
        assert first.repair is not None  # Whisper's English had its second look

        again = run_case(store, options)  # resumable: every stage keyed, nothing left to do
    assert (again.process.calls, again.analysed, again.repair and again.repair.tried) == (0, 0, 0)
