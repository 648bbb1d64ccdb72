"""Directories of known numbers: CSV and vCard reading, import, matches and conflicts.

Every name and number here is invented (the numbers are the demo corpus's).
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from callsift.graph.directory import DirectoryEntry, read_directory
from callsift.graph.phones import (
    directory_conflicts,
    import_directories,
    known_calls,
    number_case,
)
from callsift.store import CaseStore
from callsift.store.phones import directory_entries

CSV = (
    "Телефон;ФИО;Подразделение;Источник;Комментарий;Позывной\n"  # line 1
    "8 (916) 555-23-41;Иванов Пётр;331 полк;;мать в Москве;Кедр\n"  # 2
    "+7 903 555 17 08;Сидоров Иван;;перехват 0304;;\n"  # 3
    ";Без номера;;;;\n"  # 4
    "нет;Неизвестный;;;;\n"  # 5
    "12345;Коротыш;;;;\n"  # 6
    '"+7 985 555 62 30, 8 985 555 62 31";Петров;64 ОМСБр;;;\n'  # 7
)
MAPPING = {
    "Телефон": "number",
    "ФИО": "name",
    "подразделение ": "unit",
    "Источник": "source",
    "Комментарий": "note",
}
VCARD = (
    "BEGIN:VCARD\r\n"  # line 1
    "VERSION:3.0\r\n"
    "FN:ИВАНОВ  пётр\r\n"
    "N:Иванов;Пётр;;;\r\n"
    "ORG:331 полк\r\n"
    "TEL;TYPE=CELL:+7 916 555 23 41\r\n"
    "item1.TEL;TYPE=HOME:8 903 555 40 12\r\n"
    "NOTE:мать\\, Москва\\nзвонит вечером\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"  # line 10
    "VERSION:4.0\r\n"
    "N:Сидорова;Анна;;;\r\n"
    'TEL;VALUE=uri;TYPE="voice,cell":tel:+380-67-123-4567\r\n'
    "NOTE:заметка, перенесённая\r\n"
    "  на вторую строку\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"  # line 17
    "VERSION:3.0\r\n"
    "FN:Смирнов Олег\r\n"
    "ORG:Управление;Отдел 2\r\n"
    "TEL:+79035551708\r\n"
    "TEL:+7 985 555 62 30\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"  # line 24: no number
    "FN:Без телефона\r\n"
    "END:VCARD\r\n"
    "просто строка\r\n"  # line 27
    "BEGIN:VCARD\r\n"  # line 28: never closed
    "FN:Незакрытая\r\n"
    "TEL:+7 926 555 31 77\r\n"
)


def test_csv_rows_with_the_teams_headers_and_unknown_columns_kept_in_the_note() -> None:
    entries, errors = read_directory(
        "lists/known.csv", CSV.encode("cp1251"), mapping=MAPPING, source="roster 2022"
    )
    assert entries == [
        DirectoryEntry(
            "known.csv", "8 (916) 555-23-41", "+79165552341", "Иванов Пётр", "331 полк",
            "roster 2022", "мать в Москве; Позывной: Кедр",
        ),
        DirectoryEntry(
            "known.csv", "+7 903 555 17 08", "+79035551708", "Сидоров Иван", "", "перехват 0304", ""
        ),
        DirectoryEntry("known.csv", "12345", None, "Коротыш", "", "roster 2022", ""),
        DirectoryEntry(
            "known.csv", "+7 985 555 62 30", "+79855556230", "Петров", "64 ОМСБр", "roster 2022", ""
        ),
        DirectoryEntry(
            "known.csv", "8 985 555 62 31", "+79855556231", "Петров", "64 ОМСБр", "roster 2022", ""
        ),
    ]  # fmt: skip
    assert [(e.path, e.reason) for e in errors] == [
        ("lists/known.csv line 4", "no number"),
        ("lists/known.csv line 5", "number 'нет' has no digits"),
    ]


def test_csv_with_default_headers_and_one_without_a_number_column() -> None:
    entries, errors = read_directory(
        "k.csv", b"number,name,unit\n+380 50 555 4477,Bohdan,\n", regions=("UA",)
    )
    assert [(e.e164, e.name, e.unit) for e in entries] == [("+380505554477", "Bohdan", "")]
    assert errors == []
    entries, errors = read_directory("k.csv", b"tel,who\n+7 903 555 17 08,X\n")
    assert entries == []
    assert [str(e) for e in errors] == [
        "k.csv: has no number column (its columns: tel, who); map one with --column"
    ]
    with pytest.raises(ValueError, match="unknown field 'phone'"):
        read_directory("k.csv", b"", mapping={"tel": "phone"})


def test_vcard_cards_every_tel_folding_escapes_and_bad_cards_by_line() -> None:
    entries, errors = read_directory("contacts.vcf", VCARD.encode(), source="phone of X")
    assert [(e.raw, e.e164, e.name, e.unit, e.note) for e in entries] == [
        ("+7 916 555 23 41", "+79165552341", "ИВАНОВ  пётр", "331 полк",
         "мать, Москва\nзвонит вечером"),
        ("8 903 555 40 12", "+79035554012", "ИВАНОВ  пётр", "331 полк",
         "мать, Москва\nзвонит вечером"),
        ("+380-67-123-4567", "+380671234567", "Анна Сидорова", "",
         "заметка, перенесённая на вторую строку"),
        ("+79035551708", "+79035551708", "Смирнов Олег", "Управление, Отдел 2", ""),
        ("+7 985 555 62 30", "+79855556230", "Смирнов Олег", "Управление, Отдел 2", ""),
    ]  # fmt: skip
    assert {e.source for e in entries} == {"phone of X"}
    assert [(e.path, e.reason) for e in errors] == [
        ("contacts.vcf line 24", "card has no TEL number"),
        ("contacts.vcf line 27", "not a vCard line: 'просто строка'"),
        ("contacts.vcf line 28", "card has no END:VCARD"),
    ]


def test_unreadable_text_is_one_error_naming_the_file() -> None:
    entries, errors = read_directory("bad.csv", b"\x98\xff\xfe\x00")
    assert entries == []
    assert [str(e) for e in errors] == ["bad.csv: is neither UTF-8 nor cp1251 text"]


@pytest.fixture
def directory_case(demo_case: Path, tmp_path: Path) -> Path:
    """A private copy of the demo case with both directories imported once."""
    root = tmp_path / "case"
    shutil.copytree(demo_case, root)
    (tmp_path / "known.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "contacts.vcf").write_text(VCARD, encoding="utf-8", newline="")
    with CaseStore(root) as store:
        number_case(store)
        imports = import_directories(
            store, [tmp_path / "known.csv", tmp_path / "contacts.vcf", tmp_path / "missing.csv"],
            mapping=MAPPING,
        )  # fmt: skip
    assert [(Path(i.file).name, i.entries, i.added, len(i.errors)) for i in imports] == [
        ("known.csv", 5, 5, 2),
        ("contacts.vcf", 5, 5, 3),
        ("missing.csv", 0, 0, 1),
    ]
    assert imports[2].sha256 is None and "cannot be read" in imports[2].errors[0].reason
    return root


def test_reimport_adds_nothing_and_each_import_is_logged_with_the_files_hash(
    directory_case: Path,
) -> None:
    files = [directory_case.parent / "known.csv", directory_case.parent / "contacts.vcf"]
    with CaseStore(directory_case) as store:
        again = import_directories(store, files, mapping=MAPPING)
        log = [e for e in store.custody() if e["action"] == "directory-import"]
    assert [(i.entries, i.added) for i in again] == [(5, 0), (5, 0)]
    digests = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    assert [e["sha256"] for e in log] == digests + digests
    assert [(e["detail"]["added"], e["detail"]["errors"]) for e in log] == [
        (5, 2),
        (5, 3),
        (0, 2),
        (0, 3),
    ]


def test_calls_involving_known_numbers(directory_case: Path, truth: dict[str, Any]) -> None:
    with CaseStore(directory_case) as store:
        rows = known_calls(store)
        files = {r["id"]: r["file"] for r in store.conn.execute("SELECT id, file FROM calls")}
        entries = directory_entries(store)
    found = [
        (files[r.call_id], r.role, r.number.e164 or r.number.raw, r.entry.name, r.entry.directory)
        for r in rows
    ]
    # Every planted number the directories list is found, once per entry (truth.json).
    listed = Counter(e.e164 or e.raw for e in entries)
    expected = Counter(
        (p["file"], p["column"], p["e164"] or p["raw"])
        for p in truth["planted"]["number_formats"]
        if p["file"] in files.values()
        for _ in range(listed[p["e164"] or p["raw"]])
    )
    assert Counter(f[:3] for f in found) == expected
    # In call order, caller first, entries in import order; the first 22 demo calls:
    assert [f for f in found if f[0] <= "call_022"] == [
        ("call_001.wav", "caller", "+79035551708", "Сидоров Иван", "known.csv"),
        ("call_001.wav", "caller", "+79035551708", "Смирнов Олег", "contacts.vcf"),
        ("call_001.wav", "receiver", "+79165552341", "Иванов Пётр", "known.csv"),
        ("call_001.wav", "receiver", "+79165552341", "ИВАНОВ  пётр", "contacts.vcf"),
        ("call_003.wav", "receiver", "+79035554012", "ИВАНОВ  пётр", "contacts.vcf"),
        ("call_005.mp3", "caller", "+79855556230", "Петров", "known.csv"),
        ("call_005.mp3", "caller", "+79855556230", "Смирнов Олег", "contacts.vcf"),
        ("call_005.mp3", "receiver", "+79855556231", "Петров", "known.csv"),
        ("call_014.wav", "caller", "+380671234567", "Анна Сидорова", "contacts.vcf"),
        ("call_016.amr", "receiver", "+380671234567", "Анна Сидорова", "contacts.vcf"),
        # An invalid number still meets the same digits, written in both places.
        ("call_018.ogg", "receiver", "12345", "Коротыш", "known.csv"),
        ("call_020.mp3", "caller", "+79035551708", "Сидоров Иван", "known.csv"),
        ("call_020.mp3", "caller", "+79035551708", "Смирнов Олег", "contacts.vcf"),
        ("call_020.mp3", "receiver", "+79165552341", "Иванов Пётр", "known.csv"),
        ("call_020.mp3", "receiver", "+79165552341", "ИВАНОВ  пётр", "contacts.vcf"),
    ]


def test_one_number_two_identities_is_a_conflict_but_case_and_spacing_are_not(
    directory_case: Path,
) -> None:
    with CaseStore(directory_case) as store:
        conflicts = directory_conflicts(store)
    assert [(c.number, c.names, c.units) for c in conflicts] == [
        ("+79035551708", ["Сидоров Иван", "Смирнов Олег"], ["Управление, Отдел 2"]),
        ("+79855556230", ["Петров", "Смирнов Олег"], ["64 ОМСБр", "Управление, Отдел 2"]),
    ]
    assert [len(c.entries) for c in conflicts] == [2, 2]
