"""Evidence packages: everything a call is, in one ZIP that fails its check on any changed byte.

Byte flips, measured on 2 cores: ``verify_bytes`` costs about 0.6 ms on a
10 kB package (its 16 members' ZIP overhead dominates) and 2.4 ms on a
550 kB one. So every byte of the smallest real package (0.1 s of a demo
call with its word: 9,507 bytes) is flipped, about 6 s; in the package of a
whole demo call (call 7, 554 kB) every byte of the ZIP structure (each local
header, the central directory, the end record with its seal) and of the
manifest is flipped (3,851 bytes), and the other members' data every
1,009th byte (556 more), about 8 s.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import signal
import stat
import struct
import subprocess
import sys
import wave
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from callsift import __version__
from callsift.errors import InputError, OriginalError
from callsift.export.manifest import SEAL_PLACEHOLDER, seal, verify_bytes, verify_package
from callsift.export.package import build_package
from callsift.export.redact import Redaction
from callsift.ingest.run import ingest_paths
from callsift.records import AudioInfo, ChannelTranscript, Segment, Word
from callsift.store import CaseStore, get_call, list_calls, segments_of
from callsift.store.blobs import sha256_file
from callsift.store.custody import chain_problems, content_sha256, entries
from callsift.transcribe import resolve_model
from callsift.verify.status import verification_of


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _chunks(wav: bytes) -> list[bytes]:
    """The RIFF chunk ids of a WAV file, in order."""
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    ids, at = [], 12
    while at < len(wav):
        ids.append(wav[at : at + 4])
        at += 8 + struct.unpack("<I", wav[at + 4 : at + 8])[0]
    return ids


@pytest.fixture(scope="module")
def package(export_case: CaseStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Calls 1 (verified by ana) and 10 (stereo) of the demo case."""
    out = tmp_path_factory.mktemp("package") / "calls-1-10.zip"
    build_package(export_case, [1, 10], out)
    return out


def test_package_holds_each_call_whole(
    export_case: CaseStore, package: Path, demo_dir: Path
) -> None:
    members = _members(package.read_bytes())
    for call_id in (1, 10):
        call = get_call(export_case, call_id)
        assert call is not None and call.channels
        folder = f"call-{call_id:04d}"
        texts = [
            f"{stem}.{ext}"
            for stem in ("transcript", "translation.en")
            for ext in "srt vtt txt".split()
        ]
        assert {name for name in members if name.startswith(folder)} == {
            f"{folder}/{name}"
            for name in [
                f"original/{call.file}",
                *[f"audio/channel-{n}.wav" for n in range(call.channels)],
                "call.json",
                "numbers.json",
                "transcript.json",
                *texts,
                "entities.json",
                "flags.json",
                "findings.json",
                "verification.json",
                "custody.json",
            ]
        }
        original = members[f"{folder}/original/{call.file}"]
        assert original == (demo_dir / call.file).read_bytes()  # untouched
        assert hashlib.sha256(original).hexdigest() == call.sha256
        for channel in range(call.channels):
            wav = members[f"{folder}/audio/channel-{channel}.wav"]
            assert _chunks(wav) == [b"fmt ", b"data"]  # no tags, nothing but the samples
            with wave.open(io.BytesIO(wav)) as audio:
                assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (
                    1,
                    2,
                    16000,
                )
                assert audio.getnframes() / 16000 == pytest.approx(call.duration_s, abs=0.01)
        document = json.loads(members[f"{folder}/transcript.json"])
        stored = segments_of(export_case, call_id)
        assert [s["text"] for s in document["segments"]] == [s.text for s in stored]
        assert [len(s["words"]) for s in document["segments"]] == [len(s.words) for s in stored]
        srt = members[f"{folder}/transcript.srt"].decode()
        assert srt.count(" --> ") == len([s for s in stored if s.text.strip()])
        assert json.loads(members[f"{folder}/call.json"])["sha256"] == call.sha256
        verification = json.loads(members[f"{folder}/verification.json"])
        assert verification == json.loads(json.dumps(asdict(verification_of(export_case, call_id))))
        custody = json.loads(members[f"{folder}/custody.json"])
        assert {"ingest", "transcribe", "analyze"} <= {entry["action"] for entry in custody}
        assert all(
            entry["sha256"] == call.sha256 or entry["action"] in ("metadata", "phones")
            for entry in custody
        ), [entry["action"] for entry in custody]
    assert json.loads(members["call-0001/verification.json"])["status"] == "verified"


def test_package_transcripts_name_who_said_each_line(package: Path) -> None:
    members = _members(package.read_bytes())
    stereo = json.loads(members["call-0010/transcript.json"])["segments"]
    assert {(s["channel"], s["party"], s["party_number"]) for s in stereo} == {
        (0, "caller", "+79165550303"),
        (1, "receiver", "+79165554790"),
    }
    vtt = members["call-0010/transcript.vtt"].decode()
    assert "<v Caller, +79165550303>" in vtt and "<v Receiver, +79165554790>" in vtt
    assert "Channel 0" not in vtt
    srt = members["call-0001/translation.en.srt"].decode()
    named = "Speaker 1 (caller), +79035551708, Сидоров Иван / Смирнов Олег: "
    assert named in srt and "Speaker 2 (receiver), +79165552341: " in srt
    text = members["call-0001/transcript.txt"].decode()
    assert "[Speaker 2 (receiver), +79165552341, ru]" in text


def test_manifest_lists_every_file_with_its_hash_and_the_tools(
    export_case: CaseStore, package: Path
) -> None:
    data = package.read_bytes()
    members = _members(data)
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == "callsift-evidence-package" and manifest["redacted"] is False
    assert manifest["call_ids"] == [1, 10]
    assert sorted(f["path"] for f in manifest["files"]) == sorted(set(members) - {"manifest.json"})
    for entry in manifest["files"]:
        content = members[entry["path"]]
        assert (entry["sha256"], entry["size"]) == (
            hashlib.sha256(content).hexdigest(),
            len(content),
        )
    assert manifest["tools"]["callsift"] == __version__
    assert {"python", "faster-whisper", "ctranslate2", "av", "numpy"} <= set(manifest["tools"])
    weights = sha256_file(Path(resolve_model("base")) / "model.bin")  # what made the transcript
    for entry in manifest["calls"]:
        call = get_call(export_case, entry["id"])
        assert call is not None
        assert (entry["sha256"], entry["file"], entry["names"]) == (
            call.sha256,
            call.file,
            call.names,
        )
        assert entry["model"] == {"name": "base", "sha256": weights}
        assert entry["processed_with"]["transcribe"]["model"]["name"] == "base"
        assert entry["normalised_audio"]["sample_rate"] == 16000


def test_build_reports_the_hashes_and_logs_them(export_case: CaseStore, tmp_path: Path) -> None:
    out = tmp_path / "one.zip"
    result = build_package(export_case, [3, 3], out)
    data = out.read_bytes()
    assert result.call_ids == (3,)
    assert result.manifest_sha256 == hashlib.sha256(_members(data)["manifest.json"]).hexdigest()
    assert result.package_sha256 == hashlib.sha256(data).hexdigest()
    assert (result.size, result.redacted) == (len(data), False)
    assert stat.S_IMODE(out.stat().st_mode) == 0o444  # a package is not edited in place
    logged = [e for e in export_case.custody() if e["action"] == "export"][-1]
    assert logged["detail"]["manifest_sha256"] == result.manifest_sha256
    assert logged["detail"]["package"] == str(out)
    assert list(tmp_path.iterdir()) == [out]  # no partial file left behind


def test_same_calls_make_the_same_package_but_for_its_date_and_custody(
    export_case: CaseStore, package: Path, tmp_path: Path
) -> None:
    first = _members(package.read_bytes())
    again = _members(build_package(export_case, [1, 10], tmp_path / "again.zip").path.read_bytes())
    custody = {"call-0001/custody.json", "call-0010/custody.json", "custody-chain.json"}
    changing = custody | {"manifest.json"}
    assert set(first) == set(again)
    assert {k: v for k, v in first.items() if k not in changing} == {
        k: v for k, v in again.items() if k not in changing
    }
    for path in custody:  # the log grew by the first export; nothing before it changed
        old, new = json.loads(first[path]), json.loads(again[path])
        added = {e.get("action") for e in new[len(old) :]} - {None}  # None: withheld (others')
        assert new[: len(old)] == old and added == {"export"}
    one, two = (json.loads(members["manifest.json"]) for members in (first, again))
    assert one.pop("created_at") <= two.pop("created_at")
    assert one.pop("custody")["head"]["id"] < two.pop("custody")["head"]["id"]
    for manifest in (one, two):
        manifest["files"] = [f for f in manifest["files"] if f["path"] not in custody]
    assert one == two


def test_refuses_unknown_calls_and_existing_files(export_case: CaseStore, package: Path) -> None:
    with pytest.raises(InputError, match="already exists"):
        build_package(export_case, [1], package)
    with pytest.raises(InputError, match="not in this case"):
        build_package(export_case, [999], package.with_name("x.zip"))
    with pytest.raises(InputError, match="no calls"):
        build_package(export_case, [], package.with_name("y.zip"))
    assert not package.with_name("x.zip").exists()


def test_a_call_that_cannot_be_decoded_still_travels(
    export_case: CaseStore, tmp_path: Path
) -> None:
    (corrupt,) = [call for call in list_calls(export_case) if call.status == "failed"]
    result = build_package(export_case, [corrupt.id], tmp_path / "corrupt.zip")
    assert corrupt.file == "call_020.mp3"
    members = _members(result.path.read_bytes())
    assert not [name for name in members if "/audio/" in name]
    (entry,) = json.loads(members["manifest.json"])["calls"]
    assert entry["normalised_audio"]["error"].startswith("could not be decoded")
    assert verify_package(result.path).ok


# -- the offline check -------------------------------------------------------------------------


def test_an_untouched_package_passes(package: Path) -> None:
    result = verify_package(package)
    assert (result.ok, result.problems, result.call_ids, result.redacted) == (
        True,
        [],
        [1, 10],
        False,
    )
    manifest = _members(package.read_bytes())["manifest.json"]
    assert result.manifest_sha256 == hashlib.sha256(manifest).hexdigest()
    assert result.files == len(json.loads(manifest)["files"])
    assert result.package_sha256 == hashlib.sha256(package.read_bytes()).hexdigest()
    assert verify_package(package, expect=result.manifest_sha256.upper()).ok


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Iterator[bytes]:
    """The smallest real package: 0.1 s of call_001.wav's speech, with its word."""
    root = tmp_path_factory.mktemp("tiny")
    with wave.open(str(demo_dir / "call_001.wav")) as source:
        source.setpos(8000)  # 1.0 s: inside "Мама"
        frames, params = source.readframes(800), source.getparams()
    with wave.open(str(root / "clip.wav"), "wb") as clip:
        clip.setparams(params)
        clip.writeframes(frames)
    with CaseStore(root / "case") as store:
        ingest_paths(store, [root / "clip.wav"])
        word = Word(0.0, 0.1, " Мама.", 0.9)
        segment = Segment(0, 0.0, 0.1, "Мама.", "ru", words=[word], translation="Mom.")
        channel = ChannelTranscript(0, "ru", 0.9, 0.1, [segment])
        store.save_transcript(1, AudioInfo(0.1, 8000, 1, "pcm_s16le", "wav"), [channel], "{}")
        yield build_package(store, [1], root / "tiny.zip").path.read_bytes()


def _flips_that_pass(data: bytes, positions: Iterator[int] | range) -> list[int]:
    """Positions where flipping every bit of the byte leaves the package passing."""
    passed = []
    buffer = bytearray(data)
    for position in positions:
        buffer[position] ^= 0xFF
        if verify_bytes(bytes(buffer)).ok:
            passed.append(position)
        buffer[position] ^= 0xFF
    return passed


def test_every_byte_of_a_small_package_matters(tiny: bytes) -> None:
    members = _members(tiny)
    assert {"call-0001/transcript.json", "call-0001/audio/channel-0.wav"} <= set(members)
    assert verify_bytes(tiny).ok
    assert _flips_that_pass(tiny, range(len(tiny))) == []


def _structure(data: bytes) -> tuple[list[int], list[tuple[int, int]]]:
    """Every byte position of the ZIP structure and manifest; the other members' data spans."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos, start_dir = archive.infolist(), archive.start_dir
    structure = list(range(start_dir, len(data)))  # central directory, end record, seal
    spans = []
    for info in infos:
        names, extra = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
        begin = info.header_offset + 30 + names + extra
        structure += range(info.header_offset, begin)
        if info.filename == "manifest.json":
            structure += range(begin, begin + info.compress_size)
        else:
            spans.append((begin, begin + info.compress_size))
    return structure, spans


def test_any_changed_byte_of_a_real_package_fails(export_case: CaseStore, tmp_path: Path) -> None:
    data = build_package(export_case, [7], tmp_path / "seven.zip").path.read_bytes()
    structure, spans = _structure(data)
    sample = [p for begin, end in spans for p in range(begin, end, 1009)]
    assert len(structure) > 2000 and len(sample) > 400
    assert _flips_that_pass(data, iter(structure + sample)) == []


def test_a_cut_or_extended_package_fails(package: Path) -> None:
    data = package.read_bytes()
    for damaged in (data[:-1], data + b"\0", data[:-100], data[1:], b"PK" + data):
        result = verify_bytes(damaged)
        assert not result.ok and result.problems


def _reseal(data: bytes, path: str, content: bytes) -> bytes:
    """What a forger with callsift's code can do: change a member, its manifest entry, the seal."""
    members = _members(data)
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == path:
            entry.update(sha256=hashlib.sha256(content).hexdigest(), size=len(content))
    members |= {path: content, "manifest.json": json.dumps(manifest).encode()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.comment = SEAL_PLACEHOLDER
        for name, member in members.items():
            archive.writestr(name, member)
    return buffer.getvalue()


def test_a_resealed_forgery_fails_against_the_recorded_manifest_hash(
    package: Path, tmp_path: Path
) -> None:
    recorded = verify_package(package).manifest_sha256
    assert recorded is not None
    forged = tmp_path / "forged.zip"
    forged.write_bytes(_reseal(package.read_bytes(), "call-0001/transcript.txt", b"nothing said\n"))
    seal(forged)
    assert verify_package(forged).ok  # a seal is a checksum, not a signature
    result = verify_package(forged, expect=recorded)
    assert not result.ok and result.problems == [
        f"manifest.json: SHA-256 {result.manifest_sha256} is not the recorded {recorded}"
    ]


def test_problems_name_what_changed(package: Path) -> None:
    data = bytearray(package.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("call-0001/original/call_001.wav")
    names, extra = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    data[info.header_offset + 30 + names + extra + 1000] ^= 0x01  # one bit of a sample
    problems = verify_bytes(bytes(data)).problems
    assert problems[0].startswith("package: its bytes differ from its seal")
    assert problems[1].startswith("call-0001/original/call_001.wav: cannot be read")
    assert len(problems) == 2


# -- originals checked against ingest, the custody chain, partial files ------------------------


@pytest.fixture
def own_case(demo_case: Path, tmp_path: Path) -> Iterator[CaseStore]:
    """A copy of the demo case of the test's own, to damage."""
    root = tmp_path / "case"
    shutil.copytree(demo_case, root)
    with CaseStore(root) as store:
        yield store


def _damage(store: CaseStore, call_id: int, how: str) -> Path:
    call = get_call(store, call_id)
    assert call is not None
    path = store.originals.path(call.sha256)
    path.chmod(0o644)
    if how == "flip":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    elif how == "replace":
        path.unlink()
        path.write_bytes(store.originals.path(get_call(store, 2).sha256).read_bytes())  # type: ignore[union-attr]
    else:
        path.unlink()
    return path


@pytest.mark.parametrize("how", ["flip", "replace", "delete"])
def test_a_damaged_original_is_never_exported(own_case: CaseStore, how: str) -> None:
    path = _damage(own_case, 1, how)
    for redaction in (None, Redaction()):
        out = own_case.root.parent / f"{how}-{redaction is not None}.zip"
        with pytest.raises(OriginalError) as caught:
            build_package(own_case, [1], out, redaction=redaction)
        error = caught.value
        assert error.call_id == 1 and error.path == str(path)
        assert "call 1 (call_001.wav)" in str(error) and error.expected in str(error)
        if how == "delete":
            assert error.found is None and "is missing" in str(error)
        else:
            assert error.found == sha256_file(path) and error.found in str(error)
        assert not out.exists() and not list(out.parent.glob("*.partial"))


def test_a_package_whose_original_was_swapped_fails_against_the_ingest_hash(
    package: Path, tmp_path: Path
) -> None:
    """The forger changes the original, its manifest entry and the seal: the call's hash stays."""
    name = "call-0001/original/call_001.wav"
    original = _members(package.read_bytes())[name]
    swapped = original[:1000] + bytes([original[1000] ^ 1]) + original[1001:]
    forged = tmp_path / "swapped.zip"
    forged.write_bytes(_reseal(package.read_bytes(), name, swapped))
    seal(forged)
    result = verify_package(forged)
    assert not result.ok
    (problem,) = [p for p in result.problems if p.startswith(name)]
    assert hashlib.sha256(swapped).hexdigest() in problem and "recorded at ingest" in problem


def test_a_package_carries_the_custody_chain_to_its_head(
    export_case: CaseStore, package: Path
) -> None:
    members = _members(package.read_bytes())
    manifest = json.loads(members["manifest.json"])
    chain = json.loads(members["custody-chain.json"])
    assert chain_problems(chain) == []
    head = manifest["custody"]["head"]
    assert (chain[-1]["id"], chain[-1]["hash"]) == (head["id"], head["hash"])
    stored = {e["id"]: e for e in entries(export_case.conn)}
    assert all(stored[e["id"]]["hash"] == e["hash"] for e in chain)  # the case's own chain
    shown = {e["id"] for e in chain if "action" in e}
    for call_id in (1, 10):
        custody = json.loads(members[f"call-{call_id:04d}/custody.json"])
        assert {e["id"] for e in custody} <= shown
    withheld = [e for e in chain if "action" not in e]
    assert withheld and all(
        set(e) == {"id", "prev_hash", "hash", "content_sha256"} for e in withheld
    )


def _rewrite(data: bytes, path: str, change: Callable[[Any], Any]) -> bytes:
    members = _members(data)
    return _reseal(data, path, json.dumps(change(json.loads(members[path]))).encode())


def test_an_edited_custody_entry_in_a_package_fails(package: Path, tmp_path: Path) -> None:
    def actor(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        entries[0]["actor"] = "someone else"
        return entries

    def dropped(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return entries[:3] + entries[4:]

    cases = {
        "custody-chain.json": (actor, "custody entry 1: its content or links were changed"),
        "call-0001/custody.json": (actor, "call-0001/custody.json: entry 1 was changed"),
    }
    for path, (change, expected) in cases.items():
        forged = tmp_path / "forged.zip"
        forged.unlink(missing_ok=True)
        forged.write_bytes(_rewrite(package.read_bytes(), path, change))
        seal(forged)
        problems = verify_package(forged).problems
        assert any(expected in problem for problem in problems), problems
    forged.unlink()
    forged.write_bytes(_rewrite(package.read_bytes(), "custody-chain.json", dropped))
    seal(forged)
    problems = verify_package(forged).problems
    assert any("expected entry 4 here" in problem for problem in problems), problems


def test_a_publication_package_masks_actors_and_still_links(
    export_case: CaseStore, tmp_path: Path
) -> None:
    result = build_package(export_case, [1], tmp_path / "public.zip", redaction=Redaction())
    members = _members(result.path.read_bytes())
    chain = json.loads(members["custody-chain.json"])
    shown = [e for e in chain if "action" in e]
    assert shown and all(e["masked"] and e["actor"] == "[REDACTED]" for e in shown)
    assert chain_problems(chain) == [] and verify_package(result.path).ok
    stored = {e["id"]: e for e in entries(export_case.conn)}
    assert all(e["content_sha256"] == content_sha256(stored[e["id"]]) for e in shown)


def test_a_killed_exports_partial_file_goes_at_the_next_export(
    export_case: CaseStore, tmp_path: Path
) -> None:
    """One writer killed with SIGKILL mid-export, one alive: only the dead one's file goes."""
    out = tmp_path / "calls.zip"
    holder = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from callsift.export.partial import partial_file\n"
        "with partial_file(Path(sys.argv[1])) as (fd, path):\n"
        "    print(path, flush=True)\n"
        "    time.sleep(60)\n"
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", holder, str(out)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    try:
        dead, alive = (Path(w.stdout.readline().strip()) for w in writers)  # type: ignore[union-attr]
        writers[0].send_signal(signal.SIGKILL)
        writers[0].wait()
        assert dead.exists() and alive.exists()  # the kill left it behind
        build_package(export_case, [3], out)
        assert not dead.exists() and alive.exists()
        assert verify_package(out).ok
    finally:
        for writer in writers:
            writer.kill()
            writer.wait()
            writer.stdout.close()  # type: ignore[union-attr]
