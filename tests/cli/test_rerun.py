"""``callsift process --call ID --language X``: one call transcribed again, by choice.

One real run of the pinned model over two demo calls: a Ukrainian call forced
to Norwegian comes out unreliable (and stays so: a later run of the whole
case keeps an analyst's choice), and a call a reviewer corrected keeps its
corrections (``kept_corrections``).
"""

from __future__ import annotations

import json
from pathlib import Path

from callsift.pipeline import ProcessOptions
from callsift.store import CaseStore, segments_of
from callsift.store.reliability import reliability_of
from callsift.store.review import correct_segment

from .conftest import run


def test_rerun_one_call_with_a_forced_language(case: str) -> None:
    with CaseStore(Path(case)) as store:
        assert reliability_of(store, [16])[16].state == "reliable"
        first = segments_of(store, 14)[0]
        correct_segment(store, 14, first.id, "Виправлений текст.", "reviewer", first.version)

    report = run(
        "process", "--case", case, "--call", "16", "--call", "14", "--language", "nn", "--json"
    )

    assert report["processed"] == 2
    assert report["kept_corrections"] == ["call_014.wav"]
    with CaseStore(Path(case)) as store:
        found = reliability_of(store, [14, 16])
        assert found[14].state == "reliable"  # the reviewer's words stayed
        assert found[16].state == "unreliable"
        assert "Norwegian" in found[16].reason
        row = store.conn.execute("SELECT processed_with FROM calls WHERE id = 16").fetchone()
        key = json.loads(row[0])
        assert key["transcribe"]["language"] == "nn" and key["chosen"] is True
        # A plain run of the case does not undo the analyst's choice.
        pending = store.pending_calls(ProcessOptions().key())
        assert 16 not in [call_id for call_id, _, _ in pending]
        jobs = store.conn.execute("SELECT kind, state FROM jobs ORDER BY id DESC").fetchone()
        assert tuple(jobs) == ("rerun", "finished")


def test_rerun_of_an_unknown_call_is_refused(case: str) -> None:
    result = run("process", "--case", case, "--call", "999", code=2)
    assert "no call 999" in result.output
