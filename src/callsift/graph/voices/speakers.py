"""Give the segments of a mixed channel their speakers, parties and languages.

The pipeline calls :func:`split_speakers` in its worker, after transcription
and before translation, for each channel that holds both parties (a mono call,
or stereo channels carrying one mix): the channel is diarised
(``diarize.py``), each segment gets its speaker (a segment that changes
speaker is cut in two, so each piece is translated on its own), the two voices
are named caller and receiver where the content says (``analyze/roles.py``),
and each voice's language is decided on its own words, as a single-party
channel's is on the whole channel. The result travels with the transcript and
is stored in the call's transaction, so a run killed midway leaves the call
pending with nothing half-written, like every other stage of ``process``.

Whisper transcribes the channel once, in the channel's language; when one
voice's own words say another language, that is recorded (and shown) for the
voice rather than the channel transcribed again per voice.
"""

from __future__ import annotations

import numpy as np

from callsift.analyze.language import decide_language
from callsift.analyze.roles import name_roles
from callsift.audio.channels import SILENT_PEAK
from callsift.graph.voices.diarize import DiarizeOptions, assign_speakers, diarize
from callsift.graph.voices.encoder import load_encoder
from callsift.records import ChannelAudio, ChannelTranscript, Speaker

__all__ = ["holds_both_parties", "split_speakers"]


def holds_both_parties(tracks: list[np.ndarray], parties: int) -> bool:
    """Whether the one party track left of ``tracks`` is a mix of both sides.

    True for a mono recording and for stereo channels merged as one mix; false
    where a stereo call's other channel was dropped as silent (that side holds
    one party, as the voice comparison also assumes).
    """
    if parties != 1:
        return False
    return all(t.size and float(np.max(np.abs(t))) >= SILENT_PEAK for t in tracks)


def split_speakers(
    party: ChannelAudio, transcript: ChannelTranscript, options: DiarizeOptions
) -> None:
    """Diarise a mixed channel and set its segments' speakers, its voices and the reason.

    Loads the voice encoder once per process (``load_encoder`` is cached).
    """
    if not transcript.segments:
        transcript.speakers_reason = "no speech transcribed: not split"
        return
    found = diarize(load_encoder(), party.samples, party.speech, options)
    transcript.speakers_reason = found.reason
    if found.speakers < 2:
        return
    transcript.segments = assign_speakers(transcript.segments, found)
    turns = [(s.speaker or 0, s.text) for s in transcript.segments]
    roles, role_reason = name_roles(turns)
    voices = []
    for speaker in (1, 2):
        text = " ".join(t for s, t in turns if s == speaker)
        decision = (
            decide_language(
                text,
                transcript.whisper_language or transcript.language,
                transcript.language_probability,
            )
            if text
            else None
        )
        voices.append(
            Speaker(
                channel=transcript.channel,
                speaker=speaker,
                speech_s=found.speech_s(speaker),
                role=roles.get(speaker),
                role_reason=role_reason,
                language=decision.language if decision else None,
                language_reason=decision.reason if decision else None,
            )
        )
    transcript.speakers = voices
