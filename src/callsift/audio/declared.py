"""How much of a recording is missing: its declared length against what decoded.

:func:`callsift.audio.decode` flags a file that ends early instead of refusing it
(the start of a cut call is still evidence). The declared length is FFmpeg's
duration when it comes from the header (WAV ``data`` size, FLAC STREAMINFO, MP3
Xing/VBRI frame count, MP4 ``moov``), not when FFmpeg estimated it from bitrate and
file size, which for a cut file is just what is left. Two cases need the file's
own bytes:

* WAV: when the ``data`` chunk runs past the end of the file, FFmpeg drops the
  chunk's size and estimates the duration from the bytes that are there. The
  chunk's size still says how much was recorded.
* Ogg: FFmpeg takes the duration from the last page it finds, so a cut file
  "declares" just what is left. A finished Ogg stream ends with a complete page
  flagged end-of-stream (RFC 3533, section 6); a recorder killed mid-call, or a
  copy cut short, leaves none. How much is missing cannot be known.

Both read at most 64 KiB from one end of the file, and any read or layout problem
answers "nothing to report": this is a check on top of decoding, and decoding
refuses what cannot be read. Intact files of every codec decode within a few
milliseconds of their declared length (Opus: 6.5 ms short), hence the tolerance.
"""

from __future__ import annotations

import struct
from pathlib import Path

import av
from av.container import InputContainer

__all__ = ["declared_s", "ogg_unfinished", "shortfall", "wav_data_bytes"]

_WAV_UNKNOWN_SIZES = (0, 0xFFFFFFFF)  # written by streaming recorders: "until the end"
_OGG_MAX_PAGE = 27 + 255 + 255 * 255  # header, segment table, largest body
_OGG_END_OF_STREAM = 0x04
_ESTIMATED = "Estimating duration from bitrate"
_CUT_WARNING = "filesize and duration do not match"  # MP3: Xing/VBRI length vs file size
# Decoded audio may fall this far short of the declared length without a flag
# (encoder delay and padding, rounding); beyond it the file is flagged.
_SHORTFALL_S = 0.04
_SHORTFALL_SHARE = 0.002
_SHORTFALL_CUT_S = 0.02  # when the file also shows it was cut, a smaller gap counts


def wav_data_bytes(path: Path) -> tuple[int, int] | None:
    """``(declared, present)`` bytes of a RIFF WAV's ``data`` chunk, or None.

    None when the file is not RIFF/WAVE, has no ``data`` chunk in its first 64 KiB,
    or declares no size (0 or 0xFFFFFFFF, as recorders write while still recording).
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
            size = handle.seek(0, 2)
    except OSError:
        return None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    offset = 12
    while offset + 8 <= len(head):
        tag, chunk = struct.unpack_from("<4sI", head, offset)
        if tag == b"data":
            if chunk in _WAV_UNKNOWN_SIZES:
                return None
            return chunk, max(0, min(chunk, size - offset - 8))
        offset += 8 + chunk + (chunk & 1)  # chunks are padded to an even size
    return None


def ogg_unfinished(path: Path) -> bool:
    """True when an Ogg file's last page is cut off or is not flagged end-of-stream."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            start = max(0, size - _OGG_MAX_PAGE)
            handle.seek(start)
            tail = handle.read()
    except OSError:
        return False
    at = tail.rfind(b"OggS")
    while at >= 0:
        # Version 0 and a whole header: a real page, not "OggS" inside a packet.
        if tail[at + 4 : at + 5] == b"\x00" and at + 27 <= len(tail):
            flags, segments = tail[at + 5], tail[at + 26]
            lacing = tail[at + 27 : at + 27 + segments]
            end = at + 27 + segments + sum(lacing)
            if len(lacing) < segments or end > len(tail):
                return True  # the last page is cut off
            return not flags & _OGG_END_OF_STREAM
        at = tail.rfind(b"OggS", 0, at)
    return False


def declared_s(
    container: InputContainer, stream: av.AudioStream, open_log: list[tuple[int, str, str]]
) -> tuple[float | None, bool]:
    """The length the container's header declares (None if none), and whether FFmpeg
    warned that the file is shorter than that.

    FFmpeg fills in an estimate from bitrate and file size when there is no header
    length (and says so in a warning); an estimate from a cut file's size matches
    what decodes, so it proves nothing either way.
    """
    warned = any(_CUT_WARNING in line for _, _, line in open_log)
    if any(_ESTIMATED in line for _, _, line in open_log):
        return None, warned
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base), warned
    if container.duration is not None:
        return container.duration / av.time_base, warned
    return None, warned


def shortfall(
    container: str,
    declared: float | None,
    decoded: float,
    damage: tuple[float, str] | None,
    cut: bool,
    wav: tuple[int, int] | None,
) -> tuple[float | None, str | None]:
    """``(missing_s, damage)`` for :class:`AudioInfo`: how much of the call is not there.

    ``damage`` is damage with nothing decodable after it; ``cut`` is a sign that the
    file ends early (FFmpeg's MP3 length warning, an Ogg stream with no end page);
    ``wav`` is a WAV's ``(declared, present)`` data bytes, as FFmpeg drops the
    declared size when the file is shorter.
    """
    if wav and wav[1]:
        cut = cut or wav[0] > wav[1]
        declared = decoded * wav[0] / wav[1]  # the bytes that decoded set the rate
    missing = declared - decoded if declared is not None else 0.0
    allowed = _SHORTFALL_CUT_S if cut or damage else _SHORTFALL_S + _SHORTFALL_SHARE * decoded
    if missing > allowed:
        cause = "file cut short; " if cut or damage else ""
        return round(missing, 3), (
            f"damaged: last {missing:.1f} s missing ({cause}its header declares {declared:.1f} s)"
        )
    if damage:
        return None, (
            f"damaged: the file ends in data that does not decode ({damage[1].strip()}); "
            "if it was cut short, how much is missing is unknown"
        )
    if cut and container == "ogg":
        return None, (
            "damaged: file cut short (no Ogg end-of-stream page); how much is missing is unknown"
        )
    return None, None
