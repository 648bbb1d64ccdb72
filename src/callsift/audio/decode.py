"""Decode one recording into per-channel 16 kHz float32 arrays, within set bounds.

PyAV is used because its wheel bundles FFmpeg's decoders, so every telephone codec
(A-law, µ-law, GSM 6.10, AMR-NB, MP3, AAC, Opus, FLAC) decodes with no system
ffmpeg. faster-whisper decodes the same way (``faster_whisper/audio.py``,
https://github.com/SYSTRAN/faster-whisper). What differs here, for evidence work:

* Channels stay apart (planar float, input layout kept): call recorders often put
  one party on each channel, and :func:`callsift.audio.split_parties` decides later.
* Decoding is bounded: the file is read packet by packet, and decoding stops once the
  decoded audio passes ``max_duration_s`` or the wall clock passes ``timeout_s``
  (both checked between packets).
  The duration returned is counted from decoded samples, because headers can be
  missing or wrong (MP3 without a Xing header, WAV written by a recorder that crashed).
* Damage mid-call is an error, not skipped. faster-whisper drops frames that fail to decode;
  callsift raises ``InputError`` with "corrupt or truncated data after N s", even when
  most of the file decoded, because a transcript that silently leaves out a stretch
  of a call misleads whoever reads it. Some FFmpeg decoders resync over damage
  without failing (FLAC with a bad frame) and only log an error, so the FFmpeg log of
  the decoding thread is captured and an ERROR line counts as damage too.
* A cut tail is flagged, not refused: a recorder that died, or a copy that stopped
  early, leaves a file whose start is sound evidence. Damage with no decodable audio
  after it is a cut tail; the audio before it is returned, and the ``AudioInfo``
  carries ``missing_s`` and a ``damage`` line. A file cut cleanly between packets is
  caught by its length instead: decoded audio short of what the header declares
  (WAV ``data`` size, FLAC STREAMINFO, MP3 Xing/VBRI frame count, MP4 ``moov``), or an
  Ogg stream with no end-of-stream page (see :mod:`callsift.audio.declared`). What
  is still undetectable: a cut between packets of a format with no declared length
  (MP3 without a Xing header, AMR, ADTS AAC).
* AMR-NB goes to the opencore decoder, as FFmpeg's own stops at comfort-noise frames.
* Every failure is an :class:`~callsift.errors.InputError` naming the file and why.

FFmpeg's log never reaches stderr (it would break the CLI's progress bars): at
import, WARNING and ERROR lines are routed into Python logging under ``libav`` (where
:class:`av.logging.Capture` can collect them) and that logger gets a
``NullHandler``, so it prints only if the application configures logging.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import av
import av.logging
import numpy as np
from av.audio.codeccontext import AudioCodecContext
from av.container import InputContainer

from callsift.audio.declared import declared_s, ogg_unfinished, shortfall, wav_data_bytes
from callsift.errors import InputError
from callsift.records import AudioInfo

__all__ = ["DecodeOptions", "decode", "probe"]

# WARNING, not ERROR: "Estimating duration from bitrate" (a warning) says that the
# container declared no length, so a short decode is no sign of a cut.
av.logging.set_level(av.logging.WARNING)
# Identical lines are otherwise dropped, so a second damaged file in a row would go unseen.
av.logging.set_skip_repeated(False)
logging.getLogger("libav").addHandler(logging.NullHandler())

# A rate outside this is a broken header, not a recording: at 1 Hz, 2 s of 8 kHz
# samples would "play" for 4.4 hours and fill memory up to the duration cap.
_RATES = (2000, 768000)


@dataclass(frozen=True)
class DecodeOptions:
    """Bounds and output format for :func:`decode`.

    Attributes:
        max_duration_s: Longer recordings are refused. This bounds memory: decoded
            audio is held as 16 kHz float32, 230 MB per channel per hour.
        timeout_s: Wall-clock budget for decoding one file, in seconds.
        sample_rate: Rate of the returned arrays; Whisper and Silero VAD expect 16000.
        max_channels: Files with more channels are refused; a call has two parties.
    """

    max_duration_s: float = 4 * 3600.0
    timeout_s: float = 900.0
    sample_rate: int = 16000
    max_channels: int = 2


def probe(path: Path) -> AudioInfo:
    """Read what the container says (codec, rate, channels, duration) without decoding.

    ``duration_s`` is the container's claim, 0.0 when it makes none; :func:`decode`
    returns the real one.
    """
    with _opened(path) as (container, _):
        stream = _audio_stream(container, path)
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = 0.0
        return AudioInfo(
            duration_s=duration,
            sample_rate=stream.codec_context.sample_rate,
            channels=stream.codec_context.channels,
            codec=stream.codec_context.codec.canonical_name,
            container=container.format.name,
        )


def decode(
    path: Path, options: DecodeOptions = DecodeOptions()
) -> tuple[AudioInfo, list[np.ndarray]]:
    """Decode the first audio stream into one float32 array per channel at 16 kHz.

    The returned ``AudioInfo`` has the source's sample rate and channel count and
    the decoded duration. Raises ``InputError`` for anything that makes the file
    unusable, including damage part-way through. A file that ends early (cut
    short, or damaged to its end) is returned as far as it decodes, flagged in the
    ``AudioInfo``'s ``missing_s`` and ``damage``.
    """
    started = time.monotonic()
    with _opened(path) as (container, ffmpeg_log):
        stream = _audio_stream(container, path)
        channels = stream.codec_context.channels
        if channels > options.max_channels:
            raise InputError(str(path), _too_many_channels(channels, options))
        declared, warned_cut = declared_s(container, stream, ffmpeg_log)
        wav = wav_data_bytes(path) if container.format.name == "wav" else None
        # FFmpeg flags a WAV's last packet when it is short of a full read; with no
        # declared size (a recorder still writing) that is just where the data ends.
        short_read_is_damage = container.format.name != "wav" or wav is not None
        decoder = _decoder(stream)
        output = _Output(options.sample_rate)
        cap = options.max_duration_s * options.sample_rate
        ffmpeg_log.clear()  # Lines from opening the file are not damage.
        damage: tuple[float, str] | None = None  # where the first damage was, and what
        try:
            for packet in container.demux(stream):
                done = output.samples / options.sample_rate
                problem = None
                if packet.is_corrupt and short_read_is_damage:
                    problem = "FFmpeg flags a packet as damaged"
                try:
                    decoded = _decode_packet(decoder, packet, output, options, path)
                except av.error.FFmpegError as error:
                    decoded, problem = 0, problem or _detail(error)
                errors = [msg for level, _, msg in ffmpeg_log if level <= av.logging.ERROR]
                ffmpeg_log.clear()
                problem = problem or (errors[0] if errors else None)
                if problem and damage is None:
                    damage = (done, problem)
                elif not problem and damage and decoded and packet.size:
                    # Audio decodes after the damage: a hole mid-call, not a cut tail.
                    raise InputError(str(path), _damaged(*damage))
                if output.samples > cap:
                    raise InputError(
                        str(path),
                        f"longer than the {options.max_duration_s:g} s cap; "
                        "raise max_duration_s to process it",
                    )
                if time.monotonic() - started > options.timeout_s:
                    raise InputError(
                        str(path),
                        f"decoding took longer than {options.timeout_s:g} s (stopped after "
                        f"{done:.1f} s of audio); raise timeout_s to allow more",
                    )
            output.flush()
        except av.error.FFmpegError as error:
            done = output.samples / options.sample_rate
            raise InputError(str(path), _damaged(done, _detail(error))) from error
        if output.samples == 0:
            why = f": {damage[1].strip()}" if damage else ""
            raise InputError(str(path), f"no audio could be decoded (0 s){why}")
        duration = output.samples / options.sample_rate
        if container.format.name == "ogg" and ogg_unfinished(path):
            warned_cut = True
        missing, reason = shortfall(
            container.format.name, declared, duration, damage, warned_cut, wav
        )
        info = AudioInfo(
            duration_s=duration,
            sample_rate=output.source_rate,
            channels=output.channels,
            codec=stream.codec_context.codec.canonical_name,
            container=container.format.name,
            missing_s=missing,
            damage=reason,
        )
    return info, output.tracks()


def _decode_packet(
    decoder: AudioCodecContext,
    packet: av.Packet,
    output: _Output,
    options: DecodeOptions,
    path: Path,
) -> int:
    """Decode one packet into ``output``; returns the source samples it gave."""
    samples = 0
    for frame in decoder.decode(packet):
        if frame.layout.nb_channels > options.max_channels:
            raise InputError(str(path), _too_many_channels(frame.layout.nb_channels, options))
        output.add(frame, path)
        samples += frame.samples
    return samples


class _Output:
    """Resamples decoded frames to planar float at the target rate and keeps them.

    A resampler is bound to the format of the first frame. FFmpeg itself refuses
    most mid-stream changes (chained Ogg, concatenated MP3s of different rates), and
    any that get through are refused here too: the tracks would no longer line up.
    """

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.samples = 0
        self.channels = 0
        self.source_rate = 0
        self._chunks: list[np.ndarray] = []
        self._format: str | None = None
        self._resampler = av.AudioResampler(format="fltp", rate=rate)

    def add(self, frame: av.AudioFrame, path: Path) -> None:
        described = f"{frame.sample_rate} Hz {frame.layout.name} {frame.format.name}"
        if self._format is None:
            self._format = described
            self.channels, self.source_rate = frame.layout.nb_channels, frame.sample_rate
        elif described != self._format:
            raise InputError(
                str(path), f"audio format changes mid-stream ({self._format} to {described})"
            )
        self._keep(frame)

    def flush(self) -> None:
        self._keep(None)

    def tracks(self) -> list[np.ndarray]:
        joined = np.concatenate(self._chunks, axis=1)
        return [np.ascontiguousarray(row, dtype=np.float32) for row in joined]

    def _keep(self, frame: av.AudioFrame | None) -> None:
        for out in self._resampler.resample(frame):
            chunk = out.to_ndarray()
            self._chunks.append(chunk)
            self.samples += chunk.shape[1]


@contextmanager
def _opened(path: Path) -> Iterator[tuple[InputContainer, list[tuple[int, str, str]]]]:
    """Open ``path`` for reading, turning every way that can fail into ``InputError``.

    Also yields the FFmpeg log lines of this thread while the file is open.
    """
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(str(path), f"cannot read the file ({error.strerror or error})") from error
    if size == 0:
        raise InputError(str(path), "empty file (0 bytes)")
    with av.logging.Capture() as ffmpeg_log:
        try:
            container = av.open(str(path), mode="r", metadata_errors="ignore")
        except av.error.InvalidDataError as error:
            said = _ffmpeg_says(error)
            reason = "not an audio file, or a format FFmpeg does not know"
            if said == "moov atom not found":
                # MP4 writes its index last: a cut recording has audio but no way to read it.
                reason = "an MP4/M4A with no index: file cut short, or copied while recording"
            raise InputError(str(path), f"{reason} ({said})" if said else reason) from error
        except av.error.EOFError as error:
            raise InputError(
                str(path), "file cut short: it ends inside its header or first packet"
            ) from error
        except av.error.FFmpegError as error:
            raise InputError(str(path), f"cannot open the file: {_detail(error)}") from error
        with container:
            yield container, ffmpeg_log


def _audio_stream(container: InputContainer, path: Path) -> av.AudioStream:
    """The first audio stream, once its header is known to be usable.

    FFmpeg opens a WAV with a nonsense format (0 or 1000 bits per sample, an unknown
    format tag) and leaves the stream with no decoder at all; 0 channels passes too.
    """
    if not container.streams.audio:
        found = ", ".join(sorted({s.type for s in container.streams})) or "none"
        raise InputError(str(path), f"no audio stream (streams found: {found})")
    stream = container.streams.audio[0]
    context = stream.codec_context
    if context is None:
        raise InputError(
            str(path),
            "its audio format is unknown or invalid (FFmpeg has no decoder for what the "
            "header describes, e.g. an unknown format tag or bits per sample)",
        )
    if context.channels < 1:
        raise InputError(str(path), f"the header gives {context.channels} audio channels")
    if not _RATES[0] <= context.sample_rate <= _RATES[1]:
        raise InputError(
            str(path),
            f"the header gives a sample rate of {context.sample_rate} Hz (a recording has "
            f"{_RATES[0]} to {_RATES[1]})",
        )
    return stream


def _decoder(stream: av.AudioStream) -> AudioCodecContext:
    """The stream's own decoder, except for AMR-NB.

    FFmpeg's AMR-NB decoder stops at the first comfort-noise (DTX/SID) frame, which
    phones send in every pause ("dtx mode is not implemented"); the opencore-amr
    decoder bundled in PyAV's wheel reads them.
    """
    context = stream.codec_context
    if context.codec.canonical_name != "amr_nb":
        return context
    opencore = av.CodecContext.create("libopencore_amrnb", "r")
    opencore.sample_rate = context.sample_rate
    opencore.layout = context.layout
    return opencore


def _ffmpeg_says(error: av.error.FFmpegError) -> str:
    """FFmpeg's last log line for ``error``, or "" (PyAV keeps it as (level, name, text))."""
    log = getattr(error, "log", None)
    return log[2].strip() if log and isinstance(log[-1], str) else ""


def _detail(error: av.error.FFmpegError) -> str:
    return _ffmpeg_says(error) or str(error.strerror)


def _damaged(seconds: float, detail: str) -> str:
    return f"corrupt or truncated data after {seconds:.2f} s ({detail.strip()})"


def _too_many_channels(channels: int, options: DecodeOptions) -> str:
    return (
        f"{channels} channels; at most {options.max_channels} are expected "
        "(one per party); raise max_channels to process it"
    )
