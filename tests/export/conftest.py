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


def pdf_text(data: bytes) -> str:
    """The text a PDF reader extracts, decoded through each font's ToUnicode map."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    maps = []
    for stream in streams:
        if b"beginbfchar" in stream:
            pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]{4,8})>", stream)
            maps.append({bytes.fromhex(g.decode()): bytes.fromhex(u.decode()) for g, u in pairs})
    literals = [
        re.sub(rb"\\([\\()])", rb"\1", s).replace(b"\\r", b"\r").replace(b"\\n", b"\n")
        for stream in streams
        for s in re.findall(rb"\((.*?)(?<!\\)\)", stream, re.S)
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
