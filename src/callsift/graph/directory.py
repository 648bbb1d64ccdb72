"""Read the team's lists of known numbers: CSV sheets and vCard address books.

Teams keep who-is-who in a spreadsheet (number, name, unit, where they learnt
it) or in a phone's exported contacts. Both are read into ``DirectoryEntry``
rows with the number normalised like the calls' metadata, so a directory that
writes ``8 (916) 555-23-41`` matches a call whose sheet wrote ``+7 916 …``.

Each row stands alone, as with the metadata sidecar: a row with no number is
reported with its file and line and the others go on; a number that is not
valid is kept as written (``e164`` None) and still matches the same digits.
Nothing the team wrote is dropped: CSV columns callsift does not know are kept
in ``note`` as ``header: value``. A cell holding several numbers
(``+7 903 …; 8 916 …``) gives one entry per number.

vCard 3.0 and 4.0 are read with a small parser (RFC 6350 line folding, ``\\,``
escapes, ``tel:`` URIs): ``FN`` (else ``N``) is the name, every ``TEL`` an entry,
``ORG`` the unit, ``NOTE`` the note; other properties are ignored. Lines are
counted from 1 as an editor shows them; a vCard error names the card's
``BEGIN`` line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from callsift.errors import InputError
from callsift.graph.numbers import DEFAULT_REGIONS, normalize_number

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["DIRECTORY_FIELDS", "DirectoryEntry", "directory_fields", "read_directory"]

DIRECTORY_FIELDS = ("number", "name", "unit", "source", "note")

_DELIMITERS = (",", ";", "\t")
_SEVERAL = re.compile(r"[,;/\n]")
_VCARD_SUFFIXES = (".vcf", ".vcard")


@dataclass(frozen=True)
class DirectoryEntry:
    """One known number and who the team says it belongs to.

    Attributes:
        directory: the file the entry came from (its name, without folders).
        raw: the number as the file wrote it.
        e164: the normalised number, or ``None`` when it is not valid.
        name: the person, as written.
        unit: the unit or organisation (vCard ``ORG``).
        source: where the team learnt it (a column, or ``--source``).
        note: the team's note, then any columns callsift does not know.
    """

    directory: str
    raw: str
    e164: str | None
    name: str = ""
    unit: str = ""
    source: str = ""
    note: str = ""


def directory_fields(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Lower-cased column header -> field; raises ``ValueError`` for an unknown field."""
    fields = {field: field for field in DIRECTORY_FIELDS}
    for column, field in (mapping or {}).items():
        target = field.strip().lower()
        if target not in DIRECTORY_FIELDS:
            known = ", ".join(DIRECTORY_FIELDS)
            raise ValueError(f"mapping names unknown field {field!r}; fields are {known}")
        fields[column.strip().lower()] = target
    return fields


def read_directory(
    name: str,
    data: bytes,
    *,
    mapping: Mapping[str, str] | None = None,
    source: str = "",
    regions: Sequence[str] = DEFAULT_REGIONS,
) -> tuple[list[DirectoryEntry], list[InputError]]:
    """Read a CSV or vCard directory; return its entries and the rows that could not be taken.

    Args:
        name: the file's name: labels entries and errors, and picks the format
            by extension (``.vcf``/``.vcard``, else by content, else CSV).
        data: the file's bytes (UTF-8, with or without BOM, or cp1251).
        mapping: the team's CSV headers -> ``DIRECTORY_FIELDS``
            (``{"Телефон": "number"}``); headers compare after ``strip().lower()``.
        source: the ``source`` of entries whose row gives none.
        regions: the countries a national number may belong to, in order.
    """
    fields = directory_fields(mapping)
    label = PurePosixPath(name.replace("\\", "/")).name
    text = _decode(data)
    if text is None:
        return [], [InputError(name, "is neither UTF-8 nor cp1251 text")]
    if label.lower().endswith(_VCARD_SUFFIXES) or text.lstrip().upper().startswith("BEGIN:VCARD"):
        rows, errors = _vcard_rows(name, text)
    else:
        rows, errors = _csv_rows(name, text, fields)
    entries: list[DirectoryEntry] = []
    for line, row in rows:
        numbers = [n.strip() for n in _SEVERAL.split(row.get("number", "")) if n.strip()]
        if not any(ch.isdigit() for n in numbers for ch in n):
            written = row.get("number", "").strip()
            reason = f"number {written!r} has no digits" if written else "no number"
            errors.append(InputError(f"{name} line {line}", reason))
            continue
        for raw in numbers:
            entries.append(
                DirectoryEntry(
                    directory=label,
                    raw=raw,
                    e164=normalize_number(raw, regions).e164,
                    name=row.get("name", ""),
                    unit=row.get("unit", ""),
                    source=row.get("source", "") or source,
                    note=row.get("note", ""),
                )
            )
    errors.sort(key=lambda e: _line_of(e.path))
    return entries, errors


def _line_of(path: str) -> int:
    number = path.rpartition(" line ")[2]
    return int(number) if number.isdigit() else 0


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1251"):  # cp1251: what Russian Excel saves as "CSV"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# One row: (line, field -> value).
_Rows = tuple[list[tuple[int, dict[str, str]]], list[InputError]]


def _csv_rows(name: str, text: str, fields: dict[str, str]) -> _Rows:
    # The delimiter that splits the header into the most columns, quotes respected.
    delimiter = max(_DELIMITERS, key=lambda d: len(next(_reader(text, d), [])))
    reader = _reader(text, delimiter)
    header = [column.strip() for column in next(reader, [])]
    targets = [fields.get(column.lower()) for column in header]
    if "number" not in targets:
        columns = ", ".join(header) or "none"
        reason = f"has no number column (its columns: {columns}); map one with --column"
        return [], [InputError(name, reason)]
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            row: dict[str, str] = {}
            extra: list[str] = []
            for i, value in enumerate(v.strip() for v in values):
                target = targets[i] if i < len(targets) else None
                if target and not row.get(target):
                    row[target] = value
                elif value:
                    column = header[i] if i < len(header) and header[i] else f"column {i + 1}"
                    extra.append(f"{column}: {value}")
            row["note"] = "; ".join(filter(None, [row.get("note", ""), *extra]))
            rows.append((reader.line_num, row))
    except csv.Error as error:
        return rows, [InputError(f"{name} line {reader.line_num}", f"is not valid CSV: {error}")]
    return rows, []


def _reader(text: str, delimiter: str) -> Reader:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _vcard_rows(name: str, text: str) -> _Rows:
    """One row per ``TEL`` of each card, numbered by the card's ``BEGIN`` line."""
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[InputError] = []
    card: list[tuple[str, str]] | None = None
    begin = 0
    for line, content in _unfold(text):
        prop, value = _property(content)
        if prop == "BEGIN" and value.upper() == "VCARD":
            if card is not None:
                errors.append(InputError(f"{name} line {begin}", "card has no END:VCARD"))
            card, begin = [], line
        elif prop == "END" and value.upper() == "VCARD" and card is not None:
            rows += [(begin, row) for row in _card_rows(card)]
            if not any(p == "TEL" for p, _ in card):
                errors.append(InputError(f"{name} line {begin}", "card has no TEL number"))
            card = None
        elif card is None or prop == "":
            errors.append(InputError(f"{name} line {line}", f"not a vCard line: {content[:60]!r}"))
        else:
            card.append((prop, value))
    if card is not None:
        errors.append(InputError(f"{name} line {begin}", "card has no END:VCARD"))
    return rows, errors


def _unfold(text: str) -> Iterator[tuple[int, str]]:
    """Logical lines with the number of their first physical line (RFC 6350 3.2)."""
    start, current = 0, ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and start:
            current += line[1:]
            continue
        if start and current.strip():
            yield start, current
        start, current = number, line
    if start and current.strip():
        yield start, current


def _property(content: str) -> tuple[str, str]:
    """``(NAME, value)`` of a content line, the group and parameters dropped; "" if none."""
    quoted = False
    for i, ch in enumerate(content):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            head = content[:i].split(";", 1)[0]
            return head.rpartition(".")[2].strip().upper(), content[i + 1 :].strip()
    return "", content


def _card_rows(card: list[tuple[str, str]]) -> list[dict[str, str]]:
    values: dict[str, list[str]] = {}
    for prop, value in card:
        values.setdefault(prop, []).append(value)
    name = _text(values.get("FN", [""])[0])
    if not name and "N" in values:
        family, given, *_ = [*_components(values["N"][0]), "", ""]
        name = " ".join(part for part in (given, family) if part)
    unit = ", ".join(part for part in _components(values.get("ORG", [""])[0]) if part)
    note = "; ".join(_text(note) for note in values.get("NOTE", []))
    return [
        {"number": _tel(tel), "name": name, "unit": unit, "note": note}
        for tel in values.get("TEL", [])
    ]


def _tel(value: str) -> str:
    """A TEL value without its ``tel:`` URI scheme or URI parameters (``;ext=``)."""
    if value.lower().startswith("tel:"):
        return value[4:].split(";", 1)[0]
    return value.replace(",", " ").replace(";", " ")


def _components(value: str) -> list[str]:
    """Split a structured value on unescaped ``;`` and unescape each part."""
    return [_text(part) for part in re.split(r"(?<!\\);", value)]


def _text(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], value.strip()).strip()
