"""The call page names the two voices of a mono call that diarisation split."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from callsift.store import CaseStore, list_calls
from callsift.store.speakers import speakers_of

from .conftest import signed_in


def test_a_split_mono_call_shows_each_segment_s_voice(app: FastAPI, cases: dict[str, Any]) -> None:
    with CaseStore(cases["alpha"]) as store:
        call_id = next(c.id for c in list_calls(store) if c.file == "call_001.wav")
        voices = speakers_of(store, call_id)
    assert [v.label for v in voices] == ["caller", "receiver"]

    with signed_in(app, "viewer") as viewer:
        page = viewer.get(f"/cases/alpha/calls/{call_id}").text

    labels = re.findall(r'class="party party-\w+ speaker sp(\d)"[^>]*><strong>([^<]+)<', page)
    assert {("1", "Speaker 1 (caller)"), ("2", "Speaker 2 (receiver)")} <= set(labels)
    assert "<div>caller: Russian</div>" in page  # the voice's own language decision
    assert "introduces themselves" in page
