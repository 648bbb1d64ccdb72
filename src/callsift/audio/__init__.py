"""Audio stage: decode a recording, split it into parties, find the speech.

``decode`` turns any telephone codec into 16 kHz float32 tracks (one per
channel), ``split_parties`` merges a duplicated stereo mix or drops a silent
channel, and ``speech_regions`` runs Silero VAD on each party's track.
"""

from callsift.audio.channels import split_parties
from callsift.audio.decode import DecodeOptions, decode, probe
from callsift.audio.vad import speech_regions, telephone_vad_options

__all__ = [
    "DecodeOptions",
    "decode",
    "probe",
    "speech_regions",
    "split_parties",
    "telephone_vad_options",
]
