"""The demo corpus end to end: real model, real (synthetic-voice) calls, planted problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from callsift.ingest.run import ingest_paths
from callsift.store import CaseStore, case_status, list_calls, segments_of, sha256_file


def channel_text(store: CaseStore, call_id: int) -> dict[int, str]:
    texts: dict[int, str] = {}
    for segment in segments_of(store, call_id):
        texts[segment.channel] = texts.get(segment.channel, "") + " " + segment.text.lower()
    return texts


def languages(store: CaseStore, call_id: int) -> list[str]:
    rows = store.conn.execute(
        "SELECT language FROM channels WHERE call_id = ? ORDER BY channel", (call_id,)
    )
    return [row["language"] for row in rows]


@pytest.fixture(scope="module")
def store(demo_case: Path) -> Any:
    with CaseStore(demo_case, create=False) as opened:
        yield opened


@pytest.fixture(scope="module")
def calls(store: CaseStore) -> dict[str, Any]:
    return {call.file: call for call in list_calls(store)}


def test_every_call_is_done_but_the_corrupt_one(calls: dict[str, Any], truth: Any) -> None:
    corrupt = truth["planted"]["corrupt"]["file"]
    assert calls[corrupt].status == "failed"
    assert "not an audio file" in calls[corrupt].reason
    assert {name for name, call in calls.items() if call.status != "done"} == {corrupt}


def test_the_same_recording_under_two_names_is_one_call(calls: dict[str, Any], truth: Any) -> None:
    first, second = truth["planted"]["duplicate"]["files"]
    assert second not in calls
    assert calls[first].names == [first, second]
    assert len(calls) == len(truth["files"]) - 1


def test_key_words_are_heard_on_the_right_channel(
    store: CaseStore, calls: dict[str, Any], truth: Any
) -> None:
    checked = 0
    for name, expected in truth["files"].items():
        if expected["kind"] != "speech" or name not in calls:
            continue
        texts = channel_text(store, calls[name].id)
        for channel, words in enumerate(expected["key_words"]):
            for word in words:
                assert word in texts.get(channel, ""), (name, channel, word, texts)
                checked += 1
    assert checked >= 60


def test_language_is_right_for_every_call(
    store: CaseStore, calls: dict[str, Any], truth: Any
) -> None:
    for name, expected in truth["files"].items():
        if expected["kind"] == "speech" and name in calls:
            assert languages(store, calls[name].id) == expected["language"], name


def test_ukrainian_speakers_are_detected_as_ukrainian_from_the_audio(
    store: CaseStore, calls: dict[str, Any], truth: Any
) -> None:
    """Whisper's detection on the audio, before callsift reads the text, says uk too."""
    ukrainian = [
        name for name, entry in truth["files"].items() if "uk" in entry.get("language", [])
    ]
    assert len(ukrainian) >= 4
    for name in ukrainian:
        rows = store.conn.execute(
            "SELECT whisper_language, language FROM channels WHERE call_id = ?", (calls[name].id,)
        ).fetchall()
        assert [(row["whisper_language"], row["language"]) for row in rows] == [("uk", "uk")], name


def test_a_stereo_call_gives_each_party_its_own_text(
    store: CaseStore, calls: dict[str, Any]
) -> None:
    texts = channel_text(store, calls["call_011.flac"].id)
    assert set(texts) == {0, 1}
    assert "окружили" in texts[0] and "окружили" not in texts[1]
    assert "случилось" in texts[1] and "случилось" not in texts[0]


def test_a_call_of_only_line_noise_has_no_text(store: CaseStore, calls: dict[str, Any]) -> None:
    noise = calls["call_019.wav"]
    assert noise.status == "done"
    assert segments_of(store, noise.id) == []


def test_metadata_is_attached_and_bad_values_are_reported(
    store: CaseStore, calls: dict[str, Any]
) -> None:
    meta = calls["call_001.wav"].metadata
    assert (meta["caller"], meta["receiver"]) == ("+7 903 555 17 08", "8 (916) 555-23-41")
    assert meta["extra"] == {"intercept_ref": "IR-0304-017"}
    bad = calls["call_012.ogg"].metadata
    assert bad["started_at"] is None and bad["extra"]["started_at"].startswith("2022-03-32")
    reasons = [f.reason for f in case_status(store).failures if f.stage == "ingest"]
    assert any("2022-03-32" in reason for reason in reasons)


def test_originals_rehash_identical_after_processing(
    store: CaseStore, calls: dict[str, Any], demo_dir: Path
) -> None:
    for call in calls.values():
        path = store.originals.path(call.sha256)
        assert sha256_file(path) == call.sha256
        assert sha256_file(demo_dir / call.file) == call.sha256


def test_ingesting_the_same_folder_twice_adds_nothing(tmp_path: Path, demo_dir: Path) -> None:
    with CaseStore(tmp_path / "case") as store:
        first = ingest_paths(store, [demo_dir])
        calls_before = [(c.id, c.sha256, c.names) for c in list_calls(store)]
        blobs_before = sorted(p.name for p in store.originals.root.rglob("*") if p.is_file())
        second = ingest_paths(store, [demo_dir])
        assert (second.new_calls, second.duplicates) == (0, 0)
        assert second.already_known == first.new_calls + first.duplicates
        assert [(c.id, c.sha256, c.names) for c in list_calls(store)] == calls_before
        assert sorted(p.name for p in store.originals.root.rglob("*") if p.is_file()) == (
            blobs_before
        )
        # Passed over unread (same path, size and times), counted in one custody entry.
        assert second.unchanged == second.already_known
        [entry] = [e for e in store.custody() if e["action"] == "ingest-unchanged"]
        assert entry["detail"] == {"files": len(calls_before) + 1}
        third = ingest_paths(store, [demo_dir], rehash=True)  # read again, each logged
        assert (third.already_known, third.unchanged) == (second.already_known, 0)
        assert [e["action"] for e in store.custody()].count("ingest-again") == len(calls_before) + 1
