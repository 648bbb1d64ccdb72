"""Transcripts as files people open: SRT and WebVTT subtitles, plain text, full JSON.

Subtitles let a reader play a call in any video or audio player (VLC, a
newsroom's web player) with the words under it. Both parties go in one file,
each cue labelled with who said it (``callsift.parties``: "Caller,
+79035551708, Сидоров Иван", "Speaker 2", "Both parties" on a mono channel
not split): one file keeps the turn taking visible, where a file per party
would hide who answered whom. WebVTT labels with a voice span (``<v Caller,
…>``), which players show as the speaker; SRT has no such markup, so the label
is a plain prefix. The English translation is a second file of the same kind,
so the original words are never mixed with a machine's rendering of them.

The English is the machine's (or a reviewer's correction of it) and says so:
the plain text opens with that, and a line whose translation checks failed
(``callsift.translate.checks``) is marked ``[doubtful]`` in every format; a
translation that looped is shown as dropped, never printed.

Formats followed: SRT as players read it (``00:00:01,500``, cues numbered from
1, a blank line between cues); WebVTT per https://www.w3.org/TR/webvtt1/
(``WEBVTT`` header, ``00:00:01.500``, ``&``, ``<`` and ``>`` escaped in cue text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from callsift.parties import CallParties
from callsift.records import ChannelTranscript, Segment

__all__ = ["srt_time", "to_srt", "to_txt", "to_vtt", "transcript_document", "vtt_time"]

_MACHINE = (
    "Machine translation (see translation_engines in the transcript JSON). Lines marked"
    " [doubtful] failed a check of names, numbers, length or the model's confidence."
)


def _clock(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def srt_time(seconds: float) -> str:
    """``1.5`` -> ``00:00:01,500`` (SRT uses a comma before the milliseconds)."""
    return _clock(seconds, ",")


def vtt_time(seconds: float) -> str:
    """``1.5`` -> ``00:00:01.500`` (WebVTT uses a full stop)."""
    return _clock(seconds, ".")


def _cues(
    segments: Sequence[Segment], translation: bool, parties: CallParties | None
) -> list[tuple[Segment, str, str | None]]:
    """``(segment, one-line text, who said it or None)`` for each segment with words."""
    cues = []
    for segment in segments:
        text = segment.translation if translation else segment.text
        line = " ".join((text or "").split())
        if translation and segment.language != "en":
            line = _checked(line, segment)
        if line:
            label = " ".join(parties.of(segment).text.split()) if parties else None
            cues.append((segment, line, label))
    return cues


def _checked(line: str, segment: Segment) -> str:
    """Machine English marked as doubtful, or as dropped, where its checks say so."""
    if not line and segment.translation_dropped:
        return f"[translation dropped: it looped ({segment.translation_dropped})]"
    if any(not note.get("fixed") for note in segment.translation_notes):
        return f"[doubtful] {line}" if line else "[doubtful] (no English)"
    return line


def to_srt(
    segments: Sequence[Segment], *, translation: bool = False, parties: CallParties | None = None
) -> str:
    """SubRip subtitles of the segments' text (or English ``translation``), each
    cue prefixed with who said it when ``parties`` is given."""
    blocks = []
    for number, (segment, line, label) in enumerate(_cues(segments, translation, parties), 1):
        text = f"{label}: {line}" if label else line
        blocks.append(f"{number}\n{srt_time(segment.start)} --> {srt_time(segment.end)}\n{text}\n")
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(
    segments: Sequence[Segment], *, translation: bool = False, parties: CallParties | None = None
) -> str:
    """WebVTT subtitles; with ``parties``, each cue carries who said it as its voice."""
    blocks = ["WEBVTT\n"]
    for number, (segment, line, label) in enumerate(_cues(segments, translation, parties), 1):
        text = _vtt_escape(line)
        if label:
            text = f"<v {_vtt_escape(label)}>{text}"
        blocks.append(f"{number}\n{vtt_time(segment.start)} --> {vtt_time(segment.end)}\n{text}\n")
    return "\n".join(blocks)


def to_txt(
    segments: Sequence[Segment],
    *,
    translation: bool = False,
    title: str = "",
    parties: CallParties | None = None,
) -> str:
    """One line per segment: times, who said it (with ``parties``) and language, then the words."""
    lines = [title, ""] if title else []
    if translation:
        lines[:0] = [_MACHINE, ""]
    for segment, line, label in _cues(segments, translation, parties):
        language = "en" if translation else segment.language
        who = f"{label}, {language}" if label else language
        lines.append(f"{vtt_time(segment.start)}-{vtt_time(segment.end)}  [{who}]  {line}")
    return "\n".join(lines) + "\n"


def transcript_document(
    call_id: int,
    channels: Sequence[ChannelTranscript],
    segments: Sequence[Segment],
    translation_engines: Sequence[str] = (),
    parties: CallParties | None = None,
) -> dict[str, Any]:
    """Everything the recogniser and translator wrote: segments, words, timings, scores;
    with ``parties``, each segment's ``party`` as ``show --json`` gives it."""
    return {
        "call_id": call_id,
        "channels": [
            {key: value for key, value in asdict(channel).items() if key != "segments"}
            for channel in channels
        ],
        "translation_engines": list(translation_engines),
        "segments": [
            {**asdict(segment), **(parties.of(segment).fields() if parties else {})}
            for segment in segments
        ],
    }
