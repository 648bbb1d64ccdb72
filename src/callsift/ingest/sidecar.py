"""Read the team's metadata spreadsheet (the sidecar) into ``CallMetadata`` rows.

Teams keep these sheets in Excel and export them however their machine does:
CSV with ``,`` or ``;``, UTF-8 or the Russian Windows code page, or JSON from
another tool. Each row stands alone: a bad value becomes a problem on its row,
a row that names no file becomes an ``InputError``, and the other rows go on.
Nothing the team wrote is dropped: columns callsift does not know, and values
it cannot read, are kept as text in ``extra`` under the column's own header.
Values are stripped of surrounding blanks but otherwise kept as written;
phone numbers and places are normalised by a later stage.

Rows are counted as a spreadsheet shows them: in a CSV file the header is row 1;
in JSON the first call is row 1.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING

from callsift.errors import InputError
from callsift.records import CallMetadata

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["DEFAULT_FIELDS", "read_sidecar"]

DEFAULT_FIELDS = ("file", "caller", "receiver", "started_at", "duration_s", "location", "notes")

_DELIMITERS = (",", ";", "\t")
_CLOCK = re.compile(r"(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)")

# One row: (column header as written, value as text), in column order.
_Row = list[tuple[str, str]]


def read_sidecar(
    name: str, stream: IO[bytes], mapping: Mapping[str, str] | None = None
) -> tuple[list[CallMetadata], list[InputError]]:
    """Read a CSV or JSON sidecar; return its calls and the rows that could not be taken.

    ``name`` picks the format by extension (``.csv``, ``.tsv``, ``.json``; else
    by content) and labels errors. ``mapping`` maps the team's column headers to
    callsift's field names (``DEFAULT_FIELDS``); headers are compared after
    ``strip().lower()``. A sidecar that cannot be parsed at all gives no calls and
    one error. Raises ``ValueError`` if ``mapping`` names a field callsift lacks.
    """
    fields = _fields(mapping)
    try:
        rows, errors = _parse(name, stream.read())
    except OSError as exc:
        return [], [InputError(name, f"cannot be read: {exc}")]
    except InputError as exc:
        return [], [exc]
    columns = dict.fromkeys(column for _, row in rows for column, _ in row)
    if rows and "file" not in (fields.get(column.strip().lower()) for column in columns):
        # One error, not one per row: the usual cause is a missing ``mapping`` entry.
        return [], [InputError(name, f"has no file column; its columns are {', '.join(columns)}")]
    calls: list[CallMetadata] = []
    first_row: dict[str, int] = {}
    for number, row in rows:
        where = f"{name} row {number}"
        call = _call(row, fields)
        if call is None:
            errors.append(InputError(where, "no value in the file column"))
        elif call.file in first_row:
            earlier = first_row[call.file]
            errors.append(InputError(where, f"file {call.file!r} is already in row {earlier}"))
        else:
            first_row[call.file] = number
            calls.append(call)
    return calls, errors


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


def _parse(name: str, data: bytes) -> tuple[list[tuple[int, _Row]], list[InputError]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")  # what Russian Excel saves as "CSV"
        except UnicodeDecodeError:
            raise InputError(name, "is neither UTF-8 nor cp1251 text") from None
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".csv", ".tsv", ".json"):
        is_json = suffix == ".json"
    else:
        is_json = text.lstrip().startswith(("[", "{"))
    return _json_rows(name, text) if is_json else (_csv_rows(name, text), [])


MAX_FIELD = 131_072
"""The longest cell a sidecar may hold (csv's own default limit)."""


def _csv_rows(name: str, text: str) -> list[tuple[int, _Row]]:
    try:
        # The delimiter that splits the header into the most columns, quotes respected.
        delimiter = max(_DELIMITERS, key=lambda d: len(next(_reader(text, d), [])))
        reader = _reader(text, delimiter)
        columns = _unique(next(reader, []))
        rows: list[tuple[int, _Row]] = []
        for values in reader:
            longest = max(map(len, values), default=0)
            if longest > MAX_FIELD:
                # Checked here, not left to csv.field_size_limit: that limit is
                # process-wide, and followthemoney raises it when imported.
                raise csv.Error(
                    f"line {reader.line_num}: a field of {longest} characters (at most"
                    f" {MAX_FIELD}); an unclosed quote, or not a spreadsheet"
                )
            if any(value.strip() for value in values):
                row = [(_column(columns, i), value) for i, value in enumerate(values)]
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(name, f"is not a readable CSV file: {exc}") from exc
    return rows


def _reader(text: str, delimiter: str) -> Reader:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


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


def _json_rows(name: str, text: str) -> tuple[list[tuple[int, _Row]], list[InputError]]:
    try:
        # Numbers stay as the text written: 79161234567 and 1.50 are not floats.
        document = json.loads(text, parse_int=str, parse_float=str)
    except (ValueError, RecursionError) as exc:
        raise InputError(name, f"is not valid JSON: {exc}") from exc
    items = document.get("calls") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise InputError(name, "is neither a JSON list of calls nor an object with a 'calls' list")
    rows: list[tuple[int, _Row]] = []
    errors: list[InputError] = []
    for number, item in enumerate(items, 1):
        if isinstance(item, dict):
            rows.append((number, [(key, _text(value)) for key, value in item.items()]))
        else:
            errors.append(InputError(f"{name} row {number}", "is not a JSON object"))
    return rows, errors


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
        value = raw.strip()
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
        file=values["file"].replace("\\", "/"),
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
