"""Quotes: a passage of a call as a clip with its words, its hashes and its custody entry."""

from __future__ import annotations

import hashlib
import io
import json
import math
import shutil
import wave
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from callsift.errors import InputError, OriginalError
from callsift.export.manifest import verify_package
from callsift.export.quote import MAX_QUOTE_S, check_span, write_quote
from callsift.store import CaseStore, get_call, segments_of
from callsift.store.custody import chain_problems
from callsift.store.review import correct_segment
from callsift.store.translations import correct_translation, english_of


@pytest.fixture(scope="module")
def store(demo_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseStore]:
    """A copy of the demo case whose call 3 has its first segment and its English corrected."""
    root = tmp_path_factory.mktemp("quote") / "case"
    shutil.copytree(demo_case, root)
    with CaseStore(root) as opened:
        first = segments_of(opened, 3)[0]
        assert first.id is not None
        correct_segment(opened, 3, first.id, first.text + " (сверено)", "ana", first.version)
        english = english_of(opened, 3)[0]
        correct_translation(opened, 3, first.id, "Dad, hi, it's Dima.", "ben", english.version)
        yield opened


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_quote_is_the_span_cut_from_the_original_with_its_words_and_custody(
    store: CaseStore, tmp_path: Path
) -> None:
    before = len(store.custody())
    result = write_quote(store, 3, 1.25, 6.5, tmp_path / "quote.zip")
    members = _members(result.path)
    assert set(members) == {
        "clip.wav", "citation.json", "citation.txt", "custody-chain.json", "manifest.json",
    }  # fmt: skip
    with wave.open(io.BytesIO(members["clip.wav"])) as clip:
        rate, frames = clip.getframerate(), clip.getnframes()
    assert abs(frames - (6.5 - 1.25) * rate) <= 1  # the span, within a frame
    call = get_call(store, 3)
    assert call is not None
    citation = json.loads(members["citation.json"])
    clip_sha = hashlib.sha256(members["clip.wav"]).hexdigest()
    assert citation["call"] == {"id": 3, "file": call.file, "sha256": call.sha256}
    assert citation["span"] == {"start": 1.25, "end": 6.5, "seconds": 5.25}
    assert citation["clip"]["sha256"] == clip_sha == result.clip_sha256
    # The custody entry was appended, names the clip, and the citation names it.
    log = store.custody()
    assert len(log) == before + 1
    entry = log[-1]
    assert entry["action"] == "quote" and entry["sha256"] == call.sha256
    assert entry["detail"]["clip_sha256"] == clip_sha
    assert (entry["detail"]["start"], entry["detail"]["end"]) == (1.25, 6.5)
    assert citation["custody"]["id"] == entry["id"] == result.custody_id
    assert citation["custody"]["hash"] == entry["hash"] == result.custody_hash
    # The segment the span touches, its versions and who corrected what.
    (passage,) = [p for p in citation["segments"] if p["start"] < 1.25]
    assert passage["text"].endswith("(сверено)") and passage["text_version"] == 2
    assert passage["text_corrected_by"] == ["ana"]
    assert passage["english"] == "Dad, hi, it's Dima." and passage["english_corrected_by"] == [
        "ben"
    ]
    assert passage["party"] in ("both", "caller", "receiver", "speaker 1", "speaker 2")
    text = members["citation.txt"].decode()
    for needed in (call.sha256, clip_sha, entry["hash"], "0:01.2–0:06.5", "corrected by ana"):
        assert needed in text, needed
    # The ZIP checks offline like a package: seal, files, chain, and the quote's own entry.
    checked = verify_package(result.path)
    assert checked.ok, checked.problems
    assert checked.call_ids == [3]
    assert chain_problems(json.loads(members["custody-chain.json"])) == []


def test_verify_fails_a_quote_whose_clip_is_not_the_one_logged(
    store: CaseStore, tmp_path: Path
) -> None:
    """A clip swapped and the manifest rewritten to match still fails: the custody entry says."""
    result = write_quote(store, 3, 0.5, 2.0, tmp_path / "quote.zip")
    members = _members(result.path)
    members["clip.wav"] = members["clip.wav"][:-2] + b"\x00\x01"
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == "clip.wav":
            entry["sha256"] = hashlib.sha256(members["clip.wav"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    problems = verify_package(forged).problems
    assert any("clip.wav: its SHA-256 is not the one" in p for p in problems), problems


@pytest.mark.parametrize(
    ("start", "end", "why"),
    [
        (math.nan, 3.0, "as numbers"),
        (1.0, math.inf, "as numbers"),
        (-1.0, 3.0, "seconds into the call"),
        (4.0, 4.0, "must come after the start"),
        (5.0, 2.0, "must come after the start"),
        (0.0, MAX_QUOTE_S + 1, "at most 5 minutes"),
        (500.0, 510.0, "choose a span inside it"),
    ],
)
def test_spans_that_are_not_a_passage_of_the_call_are_refused(
    store: CaseStore, tmp_path: Path, start: float, end: float, why: str
) -> None:
    before = len(store.custody())
    with pytest.raises(InputError, match=why):
        write_quote(store, 3, start, end, tmp_path / "quote.zip")
    assert not (tmp_path / "quote.zip").exists() and len(store.custody()) == before


def test_an_end_a_little_past_the_call_is_the_call_s_end() -> None:
    assert check_span(2.0, 10.1, 10.0) == (2.0, 10.0)


def test_no_quote_of_an_unknown_call_over_a_file_or_from_a_changed_original(
    store: CaseStore, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="not in this case"):
        write_quote(store, 9999, 0.0, 1.0, tmp_path / "a.zip")
    taken = tmp_path / "taken.zip"
    taken.write_bytes(b"mine")
    with pytest.raises(InputError, match="never overwritten"):
        write_quote(store, 3, 0.0, 1.0, taken)
    assert taken.read_bytes() == b"mine"
    with pytest.raises(InputError, match="was not decoded") as refused:  # call_020, corrupt
        write_quote(store, 20, 0.0, 1.0, tmp_path / "corrupt.zip")
    assert str(store.root) not in str(refused.value)  # the case's folder is not told
    call = get_call(store, 4)
    assert call is not None
    original = store.originals.path(call.sha256)
    kept = original.read_bytes()
    original.chmod(0o644)
    try:
        original.write_bytes(kept[:-10] + b"\x00" * 10)
        with pytest.raises(OriginalError):
            write_quote(store, 4, 0.0, 1.0, tmp_path / "changed.zip")
    finally:
        original.write_bytes(kept)
    assert not (tmp_path / "changed.zip").exists()
