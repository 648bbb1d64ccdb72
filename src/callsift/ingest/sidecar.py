"""Read the team's metadata spreadsheet (the sidecar) into ``CallMetadata`` rows.

Teams keep these sheets in Excel and export them however their machine does:
CSV with ``,`` or ``;``, in UTF-8, UTF-16, the Windows code page or an old
KOI8 or DOS one, or JSON from another tool. Each row stands alone: a bad value
becomes a problem on its row, a row that names no file becomes an
``InputError``, and the other rows go on. Nothing the team wrote is dropped:
columns callsift does not know, and values it cannot read, are kept as text
in ``extra`` under the column's own header. Values are stripped of
surrounding blanks but otherwise kept as written (a leading tab or carriage
return is kept: see ``_value``); phone numbers and places are normalised by a
later stage. Which row wins when two name one file is the store's decision
(``store.sidecars.add_sidecar_rows``), not the reader's.

A CSV sheet is read row by row, so a sheet of any size takes little memory:
the encoding is told from its first MiB (``callsift.ingest.encoding``), then rows are
decoded and parsed as they are read. A JSON sheet is one document and is read
whole.

Rows are counted as a spreadsheet shows them: in a CSV file the header is row 1;
in JSON the first call is row 1.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING

from callsift.errors import InputError
from callsift.ingest.encoding import detect_encoding, python_codec
from callsift.records import CallMetadata

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["DEFAULT_FIELDS", "MAX_FIELD", "SidecarRow", "read_sidecar"]

DEFAULT_FIELDS = ("file", "caller", "receiver", "started_at", "duration_s", "location", "notes")

_DELIMITERS = (",", ";", "\t")
_CLOCK = re.compile(r"(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)")

# One row: (column header as written, value as text), in column order.
_Row = list[tuple[str, str]]

SidecarRow = tuple[int, CallMetadata] | InputError
"""What ``read_sidecar`` yields: ``(row number, call)``, or the error of one bad row."""


def read_sidecar(
    name: str,
    stream: IO[bytes],
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
) -> Iterator[SidecarRow]:
    """Read a CSV or JSON sidecar row by row: each call with its row number, or its error.

    ``name`` picks the format by extension (``.csv``, ``.tsv``, ``.json``; else
    by content) and labels errors. ``mapping`` maps the team's column headers to
    callsift's field names (``DEFAULT_FIELDS``); headers are compared after
    ``strip().lower()``. ``encoding`` (a Python codec name) overrides detection.
    ``stream`` must be seekable. A sidecar that cannot be read at all raises one
    ``InputError`` from the iteration, before any row when the fault is in its
    first MiB. Raises ``ValueError`` at once if ``mapping`` names a field
    callsift lacks.
    """
    return _calls(name, stream, _fields(mapping), encoding)


def _calls(
    name: str, stream: IO[bytes], fields: Mapping[str, str], encoding: str | None
) -> Iterator[SidecarRow]:
    try:
        for number, row in _parse(name, stream, fields, encoding):
            if isinstance(row, InputError):
                yield row
                continue
            call = _call(row, fields)
            if call is None:
                yield InputError(f"{name} row {number}", "no value in the file column")
            else:
                yield number, call
    except OSError as exc:
        raise InputError(name, f"cannot be read: {exc}") from exc


def _fields(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Normalised column header -> field name."""
    fields = {field: field for field in DEFAULT_FIELDS}
    for column, field in (mapping or {}).items():
        target = field.strip().lower()
        if target not in DEFAULT_FIELDS:
            known = ", ".join(DEFAULT_FIELDS)
            raise ValueError(f"mapping names unknown field {field!r}; fields are {known}")
        fields[column.strip().lower()] = target
    return fields


MAX_FIELD = 131_072
"""The longest cell a sidecar may hold (csv's own default limit)."""

MAX_RECORD = 32 * MAX_FIELD
"""The most characters one CSV row may span, read before its cells are checked."""

_Parsed = Iterator[tuple[int, _Row | InputError]]


def _parse(
    name: str, stream: IO[bytes], fields: Mapping[str, str], encoding: str | None
) -> _Parsed:
    codec = python_codec(name, encoding) if encoding else detect_encoding(name, stream)
    stream.seek(0)
    head = stream.read(4096).decode(codec, errors="replace")
    stream.seek(0)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".csv", ".tsv", ".json"):
        is_json = suffix == ".json"
    else:
        is_json = head.lstrip("\ufeff \t\r\n").startswith(("[", "{"))
    origin = (
        f"read as {encoding}, as asked"
        if encoding
        else f"its start reads as {codec}; name its encoding with --encoding"
    )
    if is_json:
        data = stream.read()
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(name, f"is not {codec} text at byte {exc.start} ({origin})") from None
        yield from _json_rows(name, text, fields)
    else:
        yield from _csv_rows(name, stream, codec, fields, origin)


def _csv_rows(
    name: str, stream: IO[bytes], codec: str, fields: Mapping[str, str], origin: str
) -> _Parsed:
    text = io.TextIOWrapper(stream, encoding=codec, newline="")
    lines = _Lines(text)
    try:
        # The delimiter that splits the header into the most columns, quotes respected.
        start = text.read(65_536)
        delimiter = max(
            _DELIMITERS,
            key=lambda d: len(next(_reader(io.StringIO(start, newline=""), d), [])),
        )
        text.seek(0)
        reader = _reader(lines, delimiter)
        columns = _unique(next(reader, []))
        has_file = "file" in (fields.get(column.strip().lower()) for column in columns)
        for values in reader:
            lines.pending = 0
            longest = max(map(len, values), default=0)
            if longest > MAX_FIELD:
                # Checked here, not left to csv.field_size_limit: that limit is
                # process-wide, and followthemoney raises it when imported.
                raise csv.Error(
                    f"line {reader.line_num}: a field of {longest} characters (at most"
                    f" {MAX_FIELD}); an unclosed quote, or not a spreadsheet"
                )
            if any(value.strip() for value in values):
                if not has_file:  # one error, not one per row: usually a missing --column
                    raise _no_file_column(name, columns)
                yield reader.line_num, [(_column(columns, i), v) for i, v in enumerate(values)]
    except csv.Error as exc:
        raise InputError(name, f"is not a readable CSV file: {exc}") from exc
    except UnicodeDecodeError as exc:
        where = f"at or after line {lines.number + 1}"  # text is decoded ahead of the rows
        raise InputError(name, f"is not {codec} text {where}: {exc.reason} ({origin})") from None
    finally:
        text.detach()  # the caller's stream stays open


class _Lines:
    """The lines of a text for ``csv.reader``, refusing a row of over ``MAX_RECORD`` characters.

    ``csv.reader`` holds a whole row before it returns it; an unclosed quote
    would make that row the rest of the file. The reader's owner sets
    ``pending`` to 0 after each row.
    """

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.pending = 0
        self.number = 0  # lines read

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_RECORD - self.pending + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self.pending += len(line)
        if self.pending > MAX_RECORD:
            raise csv.Error(
                f"a row of over {MAX_RECORD} characters; an unclosed quote, or not a spreadsheet"
            )
        return line


def _reader(lines: Iterable[str], delimiter: str) -> Reader:
    return csv.reader(lines, delimiter=delimiter)


def _no_file_column(name: str, columns: Iterable[str]) -> InputError:
    return InputError(name, f"has no file column; its columns are {', '.join(columns)}")


def _unique(header: list[str]) -> list[str]:
    """Headers as written, made unique so no value overwrites another in ``extra``."""
    columns: list[str] = []
    for i, cell in enumerate(header):
        base = column = cell.strip() or f"column {i + 1}"
        copy = 1
        while column in columns:
            copy += 1
            column = f"{base} ({copy})"
        columns.append(column)
    return columns


def _column(columns: list[str], i: int) -> str:
    """The header of a row's ``i``-th value; values past the header get ``column N``."""
    return columns[i] if i < len(columns) else f"column {i + 1}"


def _json_rows(name: str, text: str, fields: Mapping[str, str]) -> _Parsed:
    try:
        # Numbers stay as the text written: 79161234567 and 1.50 are not floats.
        document = json.loads(text, parse_int=str, parse_float=str)
    except (ValueError, RecursionError) as exc:
        raise InputError(name, f"is not valid JSON: {exc}") from exc
    items = document.get("calls") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise InputError(name, "is neither a JSON list of calls nor an object with a 'calls' list")
    columns = dict.fromkeys(key for item in items if isinstance(item, dict) for key in item)
    if columns and "file" not in (fields.get(column.strip().lower()) for column in columns):
        raise _no_file_column(name, columns)
    for number, item in enumerate(items, 1):
        if isinstance(item, dict):
            yield number, [(key, _text(value)) for key, value in item.items()]
        else:
            yield number, InputError(f"{name} row {number}", "is not a JSON object")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _call(row: _Row, fields: Mapping[str, str]) -> CallMetadata | None:
    """The row as a call, or None when it names no file."""
    values: dict[str, str] = {}
    columns: dict[str, str] = {}
    extra: dict[str, str] = {}
    for column, raw in row:
        value = _value(raw)
        if not value:
            continue
        field = fields.get(column.strip().lower())
        if field is None or field in values:  # a second column for a field is kept as extra
            extra[column] = value
        else:
            values[field] = value
            columns[field] = column
    if "file" not in values:
        return None
    call = CallMetadata(
        file=values["file"].strip().replace("\\", "/"),
        caller=values.get("caller"),
        receiver=values.get("receiver"),
        location=values.get("location"),
        notes=values.get("notes"),
        extra=extra,
    )
    if "started_at" in values:
        try:
            call.started_at = _started_at(values["started_at"])
        except ValueError as exc:
            _problem(call, "started_at", values["started_at"], columns["started_at"], exc)
    if "duration_s" in values:
        try:
            call.duration_s = _duration(values["duration_s"])
        except ValueError as exc:
            _problem(call, "duration_s", values["duration_s"], columns["duration_s"], exc)
    return call


def _value(raw: str) -> str:
    """The cell without the blanks around it, except a tab or carriage return that starts it.

    A spreadsheet reads a cell starting with one of those as a formula; the value
    is kept as the sheet holds it, so the export can neutralise it
    (``callsift.csvsafe``) and the custody record shows what the team wrote.
    """
    value = raw.rstrip().lstrip(" ")
    return value if value.startswith(("\t", "\r")) else value.strip()


def _problem(call: CallMetadata, field: str, raw: str, column: str, exc: ValueError) -> None:
    call.problems.append(f"{field} {raw!r} {exc}")
    call.extra[column] = raw


def _started_at(raw: str) -> str:
    try:
        moment = datetime.fromisoformat(raw)  # Python 3.11 reads a trailing Z as UTC
    except ValueError:
        raise ValueError("is not an ISO 8601 date") from None
    if moment.tzinfo is None:
        raise ValueError("has no UTC offset")
    return moment.isoformat()


def _duration(raw: str) -> float:
    """Seconds from ``93.5``, ``MM:SS`` or ``H:MM:SS``."""
    clock = _CLOCK.fullmatch(raw)
    if clock:
        hours, minutes, seconds = clock.groups()
        if float(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
            raise ValueError("is not a valid MM:SS or H:MM:SS time")
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    try:
        seconds_value = float(raw)
    except ValueError:
        raise ValueError("is not a number of seconds, MM:SS or H:MM:SS") from None
    if not math.isfinite(seconds_value):
        raise ValueError("is not a number of seconds, MM:SS or H:MM:SS")
    if seconds_value < 0:
        raise ValueError("is negative")
    return seconds_value
