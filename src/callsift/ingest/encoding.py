"""Tell the text encoding of a team's spreadsheet, or say why it cannot be told.

A byte-order mark settles it (UTF-8, UTF-16, UTF-32). Without one, a sample
that is valid UTF-8 is UTF-8: Cyrillic in a code page is never valid UTF-8
beyond a few letters. Otherwise charset-normalizer ranks the code pages
Russian and Ukrainian machines save in, by how messy each reading of the
sample looks. Every byte means a letter in both cp1251 and KOI8-R, so on a
short sheet two readings can look equally clean ("БУЧА" in KOI8-R reads
"вхюб" in cp1251): when the best two readings that differ are within
``MARGIN`` of each other, the sheet is refused with both readings shown, and
the user names the encoding. Guessing would store wrong names as evidence.
"""

from __future__ import annotations

import codecs
from typing import IO

from charset_normalizer import from_bytes

from callsift.errors import InputError

__all__ = ["ENCODINGS", "SAMPLE_BYTES", "detect_encoding", "python_codec"]

SAMPLE_BYTES = 1 << 20
"""How much of a sheet its encoding is told from."""

ENCODINGS = ("cp1251", "koi8_r", "koi8_u", "cp866", "cp1125")
"""The code pages a sheet without a byte-order mark may be in, besides UTF-8:
Windows (Russian and Ukrainian), KOI8-R, KOI8-U, DOS Russian and DOS Ukrainian."""

MARGIN = 0.05
"""Readings whose messiness (charset-normalizer's chaos, 0 to 1) differs by less tie."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its mark starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ASK = "name its encoding with --encoding (e.g. --encoding koi8_r)"


def python_codec(name: str, encoding: str) -> str:
    """The codec for an encoding the user named; UTF-8 skips a byte-order mark."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(name, f"encoding {encoding!r} is not one Python knows") from None
    return "utf-8-sig" if codec == "utf-8" else codec


def detect_encoding(name: str, stream: IO[bytes]) -> str:
    """The codec of the text in ``stream``, told from its first ``SAMPLE_BYTES``.

    Reads the sample and leaves the stream after it. Raises ``InputError``
    naming the file when the encoding is none callsift reads or cannot be told.
    """
    sample = stream.read(SAMPLE_BYTES)
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec
    if len(sample) == SAMPLE_BYTES:  # more follows: end the sample on a whole line
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    readings: dict[str, tuple[str, float]] = {}  # text -> (codec, chaos), best first
    for match in from_bytes(sample, cp_isolation=list(ENCODINGS)):
        readings.setdefault(str(match), (match.encoding, match.chaos))
    if not readings:
        known = "UTF-8, UTF-16 or UTF-32 with a byte-order mark, " + ", ".join(ENCODINGS)
        raise InputError(name, f"is text in no encoding callsift knows ({known}); {_ASK}")
    (text, (codec, chaos)), *rest = readings.items()
    for other, (other_codec, other_chaos) in rest:
        if other_chaos - chaos < MARGIN:
            ours, theirs = _first_difference(text, other)
            raise InputError(
                name,
                f"is too short to tell whether it is {codec} ({ours!r}) or {other_codec}"
                f" ({theirs!r}); {_ASK}",
            )
    if codec == "koi8_r" and sample.decode("koi8_u") == text:
        return "koi8_u"  # KOI8-U adds the Ukrainian letters where KOI8-R draws boxes
    return codec


def _first_difference(one: str, two: str) -> tuple[str, str]:
    """The first word where two readings of the same bytes differ, in each."""
    at = next(i for i, (a, b) in enumerate(zip(one, two, strict=False)) if a != b)
    start = end = at
    while start > 0 and one[start - 1].isalpha() and two[start - 1].isalpha():
        start -= 1
    while end < min(len(one), len(two)) and (one[end].isalpha() or two[end].isalpha()):
        end += 1
    return one[start:end], two[start:end]
