"""CSV that a spreadsheet opens without running anything a sheet or a call put in it.

Every CSV callsift writes for people goes through ``csv_writer``. Values come
from the team's sheets, directories and transcripts, so a cell may hold
``=HYPERLINK(…)`` or ``+cmd|' /C calc'!A0``: Excel and LibreOffice read a cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (also
after leading spaces) as a formula, and a formula can fetch a web address or
start a program. Such a cell is written with a leading ``'`` (OWASP's advice
on CSV injection), which a spreadsheet shows as text; the value is otherwise
kept as stored.

One exception keeps numbers readable: a cell whose trigger is a ``+`` or ``-``
sign followed only by digits, spaces and the punctuation numbers are written
with (``.,()/-``), such as ``+79031234567``, ``+7 (903) 555-17-08`` or
``-2.5``, is left alone. It names no function, no other sheet and no program
(no letters, no ``|`` or ``!``), so the worst a spreadsheet does with it is
read it as a number; prefixing it would put a stray ``'`` in every phone
number of the export. Anything else after the sign (``-2+3+cmd|…``) is
prefixed. Numbers that are not text (``int``, ``float``) are written as is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

__all__ = ["csv_writer", "safe_cell"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-][\d .,()/-]*\d[\d .,()/-]*")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading ``'`` if a spreadsheet would read it as a formula."""
    if not isinstance(value, str):
        return value
    start = value.lstrip(" ")
    if start.startswith(_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(start):
        return "'" + value
    return value


class _SafeWriter:
    """A ``csv.writer`` whose every cell passes through ``safe_cell``."""

    def __init__(self, handle: IO[str], **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Sequence[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: IO[str], **options: Any) -> _SafeWriter:
    """``csv.writer(handle, **options)`` that neutralises formula cells."""
    return _SafeWriter(handle, **options)
