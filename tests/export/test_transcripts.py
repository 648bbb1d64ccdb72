"""Subtitles and text transcripts: exact formats, escaping, labels, and real calls."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from callsift.export.transcripts import (
    srt_time,
    to_srt,
    to_txt,
    to_vtt,
    transcript_document,
    vtt_time,
)
from callsift.parties import CallParties, call_parties
from callsift.records import Segment, Word
from callsift.store import CaseStore, channels_of, segments_of


@pytest.mark.parametrize(
    ("seconds", "srt", "vtt"),
    [
        (0.0, "00:00:00,000", "00:00:00.000"),
        (1.5, "00:00:01,500", "00:00:01.500"),
        (59.9996, "00:01:00,000", "00:01:00.000"),
        (3723.0456, "01:02:03,046", "01:02:03.046"),
        (-0.01, "00:00:00,000", "00:00:00.000"),
    ],
)
def test_timestamps(seconds: float, srt: str, vtt: str) -> None:
    assert srt_time(seconds) == srt
    assert vtt_time(seconds) == vtt


MONO = [
    Segment(0, 0.0, 1.5, "Мама, привет!", "ru", translation="Mom, hello!"),
    Segment(0, 2.0, 2.5, "   ", "ru", translation=None),
    Segment(0, 3.25, 4.0, "Где\nты?", "ru", translation="Where are you?"),
]
STEREO = [
    Segment(0, 0.0, 1.0, "a < b & c > d --> e", "en", translation="a < b & c > d --> e"),
    Segment(1, 0.5, 2.0, "Да.", "ru", translation=None),
]
# A directory name is the team's text: a voice span must escape it.
PARTIES = CallParties(
    1,
    one_per_channel=True,
    numbers={"caller": "+79035551708", "receiver": "+79165552341"},
    names={"receiver": "Петров <П.>"},
)


def test_srt_numbers_cues_and_skips_empty_text() -> None:
    assert to_srt(MONO) == (
        "1\n00:00:00,000 --> 00:00:01,500\nМама, привет!\n\n"
        "2\n00:00:03,250 --> 00:00:04,000\nГде ты?\n"
    )
    assert to_srt(MONO, translation=True) == (
        "1\n00:00:00,000 --> 00:00:01,500\nMom, hello!\n\n"
        "2\n00:00:03,250 --> 00:00:04,000\nWhere are you?\n"
    )


def test_vtt_escapes_markup_and_labels_each_party() -> None:
    assert to_vtt(STEREO, parties=PARTIES) == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:01.000\n"
        "<v Caller, +79035551708>a &lt; b &amp; c &gt; d --&gt; e\n\n"
        "2\n00:00:00.500 --> 00:00:02.000\n<v Receiver, +79165552341, Петров &lt;П.&gt;>Да.\n"
    )
    # A segment with no translation has no cue in the translation file.
    assert to_vtt(STEREO, translation=True).count("-->") == 1 + 0 * 1
    assert "<v " not in to_vtt(STEREO)  # who said it is only written when known


def test_srt_labels_each_cue_with_a_prefix_and_keeps_text_as_written() -> None:
    srt = to_srt(STEREO, parties=PARTIES).splitlines()
    assert srt[2] == "Caller, +79035551708: a < b & c > d --> e"
    assert srt[6] == "Receiver, +79165552341, Петров <П.>: Да."
    # A mono channel not split into voices: every cue is said by both parties.
    assert to_srt(MONO, parties=CallParties(2)).splitlines()[2] == "Both parties: Мама, привет!"


def test_txt_reads_as_lines_with_times_party_and_language() -> None:
    assert to_txt(MONO, title="Call 1, transcript") == (
        "Call 1, transcript\n\n"
        "00:00:00.000-00:00:01.500  [ru]  Мама, привет!\n"
        "00:00:03.250-00:00:04.000  [ru]  Где ты?\n"
    )
    english = to_txt(STEREO, translation=True, parties=PARTIES)
    assert english.startswith("Machine translation")  # labelled as the machine's
    assert english.endswith(
        "\n\n00:00:00.000-00:00:01.000  [Caller, +79035551708, en]  a < b & c > d --> e\n"
    )


def test_json_document_keeps_every_word_and_score() -> None:
    words = [Word(0.0, 0.7, " Мама,", 0.9), Word(0.8, 1.5, " привет!", 0.95)]
    segment = Segment(0, 0.0, 1.5, "Мама, привет!", "ru", -0.2, 0.01, 1.1, words, "Mom, hello!")
    document = json.loads(json.dumps(transcript_document(4, [], [segment], ["whisper"])))
    assert document == {
        "call_id": 4,
        "channels": [],
        "translation_engines": ["whisper"],
        "segments": [
            {
                "channel": 0,
                "start": 0.0,
                "end": 1.5,
                "text": "Мама, привет!",
                "language": "ru",
                "avg_logprob": -0.2,
                "no_speech_prob": 0.01,
                "compression_ratio": 1.1,
                "words": [
                    {"start": 0.0, "end": 0.7, "word": " Мама,", "probability": 0.9},
                    {"start": 0.8, "end": 1.5, "word": " привет!", "probability": 0.95},
                ],
                "translation": "Mom, hello!",
                "translation_logprob": None,
                "translation_dropped": None,
                "translation_notes": [],
                "id": None,
                "version": 1,
                "speaker": None,
            }
        ],
    }
    with_party = transcript_document(4, [], [segment], parties=PARTIES)["segments"][0]
    assert {k: v for k, v in with_party.items() if k.startswith("party")} == {
        "party": "caller",
        "party_label": "Caller",
        "party_number": "+79035551708",
        "party_name": None,
    }


_VTT_TIME = r"\d\d:[0-5]\d:[0-5]\d\.\d{3}"
_VTT_CUE = re.compile(rf"(\d+)\n({_VTT_TIME}) --> ({_VTT_TIME})\n(<v [^>]+>)?([^\n]+)")


def test_real_stereo_call_subtitles_match_its_segments(demo_case: Path) -> None:
    with CaseStore(demo_case) as store:
        segments = segments_of(store, 10)
        channels = channels_of(store, 10)
        parties = call_parties(store, 10)
    assert {segment.channel for segment in segments} == {0, 1}
    vtt = to_vtt(segments, parties=parties)
    assert vtt.startswith("WEBVTT\n\n")
    cues = _VTT_CUE.findall(vtt)
    assert len(cues) == len(segments) == vtt.count(" --> ")
    for (_number, start, end, voice, text), segment in zip(cues, segments, strict=True):
        assert (start, end) == (vtt_time(segment.start), vtt_time(segment.end))
        number = "+79165550303" if segment.channel == 0 else "+79165554790"
        assert voice == f"<v {('Caller', 'Receiver')[segment.channel]}, {number}>"
        assert text == segment.text.strip()
    srt = to_srt(segments)
    assert [line for line in srt.splitlines() if "-->" in line] == [
        f"{srt_time(s.start)} --> {srt_time(s.end)}" for s in segments
    ]
    document = transcript_document(10, channels, segments)
    assert [c["language"] for c in document["channels"]] == ["ru", "ru"]
    assert "segments" not in document["channels"][0]
