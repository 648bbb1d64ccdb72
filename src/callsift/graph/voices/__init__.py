"""Voices across calls: who speaks on which number, from the sound of the voice.

``voice_case`` embeds each party's speech with Resemblyzer (weights inside its
wheel, checked by SHA-256, run offline on the CPU), groups the voices of the
whole case and records two kinds of finding: one voice on two numbers
(``same-voice-different-numbers``) and two voices on one number
(``same-number-different-voices``). Importing this package does not import
torch; embedding does.
"""

from callsift.graph.voices.cluster import VOICE_KINDS, VoiceChannel
from callsift.graph.voices.encoder import VoiceEncoder, encoder_key, load_encoder
from callsift.graph.voices.run import (
    SkippedChannel,
    VoiceCluster,
    VoiceOptions,
    VoiceReport,
    embed_call,
    embed_case,
    voice_case,
)

__all__ = [
    "VOICE_KINDS",
    "SkippedChannel",
    "VoiceChannel",
    "VoiceCluster",
    "VoiceEncoder",
    "VoiceOptions",
    "VoiceReport",
    "embed_call",
    "embed_case",
    "encoder_key",
    "load_encoder",
    "voice_case",
]
