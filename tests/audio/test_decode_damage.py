"""Broken headers are refused by name; cut files decode as far as they go, flagged."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import av
import pytest

from callsift.audio import decode, probe
from callsift.audio.declared import ogg_unfinished, wav_data_bytes
from callsift.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
CODECS = ROOT / "tests" / "data" / "codecs"
DEMO = ROOT / "demo" / "calls"
INTACT = [
    "pcm16.wav",
    "alaw.wav",
    "mulaw.wav",
    "gsm.wav",
    "mp3.mp3",
    "amr.amr",
    "opus.ogg",
    "aac.m4a",
    "flac.flac",
    "stereo_two_parties.wav",
    "stereo_same_mix.wav",
]
# Formats whose header declares a length, so a cut says how much is missing.
DECLARED = {n for n in INTACT if n.endswith(".wav")} | {"mp3.mp3", "flac.flac"}
UNREADABLE_FORMAT = "its audio format is unknown or invalid"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _patched_wav(tmp_path: Path, offset: int, form: str, value: int) -> Path:
    data = bytearray((CODECS / "pcm16.wav").read_bytes())
    struct.pack_into(form, data, offset, value)
    return _write(tmp_path, "patched.wav", bytes(data))


@pytest.mark.parametrize(
    ("offset", "form", "value", "reason"),
    [
        (34, "<H", 0, UNREADABLE_FORMAT),  # 0 bits per sample
        (34, "<H", 1000, UNREADABLE_FORMAT),
        (20, "<H", 0x1234, UNREADABLE_FORMAT),  # unknown format tag
        (20, "<H", 0, UNREADABLE_FORMAT),
        (20, "<H", 0xFFFE, UNREADABLE_FORMAT),  # "extensible" with no extension
        (22, "<H", 0, "the header gives 0 audio channels"),
        (24, "<I", 0, "not an audio file"),  # FFmpeg refuses a 0 Hz rate itself
        (24, "<I", 1, "the header gives a sample rate of 1 Hz"),
    ],
)
def test_nonsense_wav_header_fields_are_refused_by_name(
    tmp_path: Path, offset: int, form: str, value: int, reason: str
) -> None:
    path = _patched_wav(tmp_path, offset, form, value)

    for read in (probe, decode):
        with pytest.raises(InputError) as raised:
            read(path)
        assert raised.value.path == str(path)
        assert raised.value.reason.startswith(reason)


def test_huge_declared_data_size_is_flagged(tmp_path: Path) -> None:
    path = _patched_wav(tmp_path, 40, "<I", 0xFFFFFFF0)

    info, _ = decode(path)

    assert info.duration_s == pytest.approx(2.0)
    assert info.missing_s == pytest.approx(0xFFFFFFF0 / 16000 - 2.0, abs=0.01)
    assert info.damage is not None and info.damage.startswith("damaged: last 268433.5 s missing")


@pytest.mark.parametrize("size", [0, 0xFFFFFFFF])
def test_wav_with_no_declared_size_is_whole(tmp_path: Path, size: int) -> None:
    # What recorders write until they close the file: "the data runs to the end".
    path = _patched_wav(tmp_path, 40, "<I", size)

    info, _ = decode(path)

    assert (info.duration_s, info.missing_s, info.damage) == (2.0, None, None)


_NASTY = [0, 1, 3, 1000, 0x1234, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    kind = rng.randrange(4)
    if kind == 0:  # a nonsense value in a header word
        struct.pack_into(rng.choice(["<I", ">I"]), out, rng.randrange(0, 60), rng.choice(_NASTY))
    elif kind == 1:  # bit flips in the header
        for _ in range(rng.randint(1, 4)):
            out[rng.randrange(0, 128)] ^= 1 << rng.randrange(8)
    elif kind == 2:  # bit flips anywhere
        for _ in range(rng.randint(1, 10)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    else:  # cut anywhere
        del out[rng.randrange(1, len(out)) :]
    return bytes(out)


@pytest.mark.parametrize("name", INTACT)
def test_mutated_files_raise_nothing_but_input_error(tmp_path: Path, name: str) -> None:
    """Property: whatever is done to a real file, reading it ends in a result or an
    InputError naming it. 40 seeded mutations of each fixture."""
    rng = random.Random(name)
    data = (CODECS / name).read_bytes()
    for attempt in range(40):
        path = _write(tmp_path, f"{attempt}_{name}", _mutate(data, rng))
        for read in (probe, decode):
            try:
                read(path)
            except InputError as error:
                assert error.path == str(path) and error.reason


def _decode_flagged(path: Path) -> tuple[float, float | None, str]:
    info, tracks = decode(path)
    assert info.damage is not None, f"{path.name} decoded {info.duration_s} s, unflagged"
    assert [t.size for t in tracks] == [round(info.duration_s * 16000)] * info.channels
    return info.duration_s, info.missing_s, info.damage


@pytest.mark.parametrize("share", [0.5, 0.75])
@pytest.mark.parametrize("name", [n for n in INTACT if n != "aac.m4a"])
def test_a_cut_file_decodes_what_is_there_and_says_what_is_missing(
    tmp_path: Path, name: str, share: float
) -> None:
    data = (CODECS / name).read_bytes()
    path = _write(tmp_path, name, data[: int(len(data) * share)])

    duration, missing, damage = _decode_flagged(path)

    assert 0.3 < duration < 2.0 * share + 0.2
    if name in DECLARED:
        assert missing == pytest.approx(2.0 - duration, abs=0.05)
        assert damage == (
            f"damaged: last {missing:.1f} s missing (file cut short; its header declares 2.0 s)"
        )
    else:  # Ogg and AMR declare no length
        assert missing is None and "how much is missing is unknown" in damage


def test_a_cut_m4a_with_its_index_at_the_end_is_refused(tmp_path: Path) -> None:
    data = (CODECS / "aac.m4a").read_bytes()
    path = _write(tmp_path, "aac.m4a", data[: len(data) // 2])

    with pytest.raises(InputError) as raised:
        decode(path)

    assert raised.value.reason == (
        "an MP4/M4A with no index: file cut short, or copied while recording (moov atom not found)"
    )


def test_a_file_cut_inside_its_first_packet_is_refused_as_cut(tmp_path: Path) -> None:
    data = (CODECS / "opus.ogg").read_bytes()
    path = _write(tmp_path, "opus.ogg", data[: len(data) // 4])

    with pytest.raises(InputError) as raised:
        decode(path)

    assert raised.value.reason == "file cut short: it ends inside its header or first packet"


def _packet_ends(name: str) -> list[int]:
    with av.open(str(CODECS / name)) as container:
        packets = container.demux(container.streams.audio[0])
        return [p.pos + p.size for p in packets if p.size and p.pos is not None]


@pytest.mark.parametrize("name", ["pcm16.wav", "mp3.mp3", "flac.flac", "opus.ogg"])
def test_a_cut_between_packets_is_flagged_too(tmp_path: Path, name: str) -> None:
    # No partial packet to trip on: the header's length (or Ogg's missing end page)
    # is all that shows the cut. Before, this decoded as a shorter, clean recording.
    ends = _packet_ends(name)
    data = (CODECS / name).read_bytes()
    path = _write(tmp_path, name, data[: ends[len(ends) // 2]])

    duration, missing, damage = _decode_flagged(path)

    assert duration < 1.6
    if name == "opus.ogg":
        assert missing is None and "no Ogg end-of-stream page" in damage
    else:
        assert missing == pytest.approx(2.0 - duration, abs=0.05)


def test_intact_files_are_not_flagged() -> None:
    files = [CODECS / n for n in INTACT] + sorted(DEMO.glob("call_*"))
    flagged = {}
    for path in files:
        if path.name == "call_020.mp3":  # the demo's file that "would not play at intake"
            continue
        info, _ = decode(path)
        if info.damage or info.missing_s:
            flagged[path.name] = info.damage
    assert len(files) == 43 and flagged == {}


def test_declared_length_readers(tmp_path: Path) -> None:
    assert wav_data_bytes(CODECS / "pcm16.wav") == (32000, 32000)
    assert wav_data_bytes(CODECS / "truncated.wav") == (32000, 16000)
    assert wav_data_bytes(CODECS / "flac.flac") is None
    ogg = (CODECS / "opus.ogg").read_bytes()
    assert not ogg_unfinished(CODECS / "opus.ogg")
    for size in (len(ogg) - 1, len(ogg) // 2, ogg.rfind(b"OggS")):  # in a page, between pages
        assert ogg_unfinished(_write(tmp_path, "cut.ogg", ogg[:size]))
