"""A demo case prepared for the format exports: numbers, a directory, reviews, a payload.

Names and numbers are invented (the numbers are the demo corpus's). Call 19
(no speech in the demo) is given a transcript holding markup, as a hostile
or unlucky recording could, and analysed, so its flag reaches every export.
"""

from __future__ import annotations

import re
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from callsift.analyze.flags import load_watchlists
from callsift.analyze.run import AnalyzeOptions, analysis_key, analyze_segment
from callsift.graph.phones import import_directories, number_case
from callsift.records import AudioInfo, ChannelTranscript, Segment
from callsift.store import CaseStore
from callsift.store.analysis import save_analysis, stored_segments
from callsift.store.verification import write_verification

DIRECTORY = (
    "number,name,unit,source,note\n"
    "79161112233,Андрей,2 батальон,перехват 0306,муж Лены\n"
    "+7 903 555 17 08,Сидоров Иван,,,\n"
    "8 903 555 17 08,Смирнов Олег,,список Б,\n"
    "12345,Коротыш,,,номер как в журнале\n"
)
PAYLOAD_TEXT = '<script>alert("x")</script> Нас обстреляли, убили двоих.'
PAYLOAD_TRANSLATION = "<img src=x onerror=alert(1)> They killed two."
PAYLOAD_CALL = 19


def _plant_payload(store: CaseStore) -> None:
    segment = Segment(0, 1.0, 4.0, PAYLOAD_TEXT, "ru", translation=PAYLOAD_TRANSLATION)
    info = AudioInfo(20.0, 8000, 1, "pcm_s16le", "wav")
    channel = ChannelTranscript(0, "ru", 0.9, 3.0, [segment])
    store.save_transcript(PAYLOAD_CALL, info, [channel], '{"test": "payload"}')
    options = AnalyzeOptions()
    watchlists = load_watchlists(options.watchlists)
    results = [
        analyze_segment(s, watchlists, segment_id)
        for segment_id, s in stored_segments(store, PAYLOAD_CALL)
    ]
    save_analysis(store, PAYLOAD_CALL, analysis_key(options), results)


_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _literals(content: bytes) -> list[bytes]:
    """The literal strings of a content stream, unescaped as a PDF reader does.

    A regular expression cannot find their ends: fpdf2 writes a glyph whose id
    has the byte of a backslash as ``\\\\``, so a string may end in ``\\\\)``.
    """
    found: list[bytes] = []
    i = 0
    while (i := content.find(b"(", i)) >= 0:
        text, depth, i = bytearray(), 1, i + 1
        while i < len(content) and depth:
            byte = content[i]
            if byte == 0x5C and i + 1 < len(content):  # backslash
                escaped = content[i + 1]
                octal = re.match(rb"[0-7]{1,3}", content[i + 1 : i + 4])
                if octal:
                    text.append(int(octal.group(), 8) & 0xFF)
                    i += 1 + len(octal.group())
                    continue
                if escaped not in b"\r\n":  # a backslash before a line end joins lines
                    text += _ESCAPES.get(escaped, bytes([escaped]))
                i += 2
                continue
            depth += {0x28: 1, 0x29: -1}.get(byte, 0)
            if depth:
                text.append(byte)
            i += 1
        found.append(bytes(text))
    return found


def pdf_text(data: bytes) -> str:
    """The text a PDF reader extracts, decoded through each font's ToUnicode map."""
    streams = []
    # The end of line before "endstream" is not stripped: a compressed stream may
    # end in a carriage return byte of its own; zlib stops at its own end.
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            streams.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    maps = []
    for stream in streams:
        if b"beginbfchar" in stream:
            pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]{4,8})>", stream)
            maps.append({bytes.fromhex(g.decode()): bytes.fromhex(u.decode()) for g, u in pairs})
    literals = [
        literal
        for stream in streams
        for block in re.findall(rb"\bBT\b(.*?)\bET\b", stream, re.S)
        for literal in _literals(block)
    ]
    texts = []
    for cmap in maps:
        decoded = [
            b"".join(cmap.get(lit[i : i + 2], b"\x00?") for i in range(0, len(lit) - 1, 2))
            for lit in literals
        ]
        texts.append("".join(d.decode("utf-16-be", "replace") for d in decoded))
    return "\n".join(texts)


@pytest.fixture(scope="package")
def export_case(demo_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseStore]:
    """A copy of the demo case with numbers, a directory, two reviews and the payload.

    Shared by the export tests, which only add custody entries to it.
    """
    root = tmp_path_factory.mktemp("export") / "case"
    shutil.copytree(demo_case, root)
    directory = root.parent / "known.csv"
    directory.write_text(DIRECTORY, encoding="utf-8")
    with CaseStore(root) as store:
        number_case(store)
        import_directories(store, [directory])
        write_verification(store, 1, "verified", "ana", "two sources confirm", [], 0)
        write_verification(store, 3, "disputed", "ben", "voice differs <b>", [1], 0)
        _plant_payload(store)
        yield store
