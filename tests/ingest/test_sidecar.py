"""read_sidecar over the CSV and JSON shapes teams actually export."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import pytest

from callsift.errors import InputError
from callsift.ingest.sidecar import DEFAULT_FIELDS, read_sidecar
from callsift.records import CallMetadata

Errors = list[tuple[str, str]]


def read(
    name: str,
    data: str | bytes,
    mapping: Mapping[str, str] | None = None,
    encoding: str | None = None,
) -> tuple[list[CallMetadata], Errors]:
    """The calls and errors of a sheet; a sheet that cannot be read gives one error."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    calls: list[CallMetadata] = []
    errors: list[InputError] = []
    try:
        for row in read_sidecar(name, io.BytesIO(raw), mapping, encoding):
            if isinstance(row, InputError):
                errors.append(row)
            else:
                calls.append(row[1])
    except InputError as error:
        errors.append(error)
    return calls, [(error.path, error.reason) for error in errors]


def test_default_columns() -> None:
    header = ",".join(DEFAULT_FIELDS)
    row = "day1/0001.wav,+7 916 123-45-67,0501234567,2022-03-14T18:22:05+03:00,93.5,Kherson,first"
    assert read("meta.csv", f"{header}\n{row}\n") == (
        [
            CallMetadata(
                file="day1/0001.wav",
                caller="+7 916 123-45-67",
                receiver="0501234567",
                started_at="2022-03-14T18:22:05+03:00",
                duration_s=93.5,
                location="Kherson",
                notes="first",
            )
        ],
        [],
    )


def test_headers_are_matched_loosely_and_values_stripped() -> None:
    text = " File ;CALLER; Started_At \n 0001.wav ; 380501234567 ;2022-03-14 18:22Z\n"
    assert read("meta.csv", text) == (
        [
            CallMetadata(
                file="0001.wav", caller="380501234567", started_at="2022-03-14T18:22:00+00:00"
            )
        ],
        [],
    )


def test_mapping_names_the_teams_columns() -> None:
    text = "Имя файла,Номер абонента,Дата,Кому\n0001.wav,79161234567,2022-03-14T18:22+03:00,Б\n"
    mapping = {"имя файла": "file", " НОМЕР АБОНЕНТА": "caller", "дата": "started_at"}
    assert read("meta.csv", text, mapping) == (
        [
            CallMetadata(
                file="0001.wav",
                caller="79161234567",
                started_at="2022-03-14T18:22:00+03:00",
                extra={"Кому": "Б"},
            )
        ],
        [],
    )


def test_mapping_to_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown field 'phone'"):
        read("meta.csv", "file\n0001.wav\n", {"номер": "phone"})


def test_unknown_and_repeated_columns_are_kept_in_extra() -> None:
    text = "file,Operator,notes,Notes,,\n0001.wav,MTS,a,b,c,d,e\n0002.wav,,,,,\n"
    assert read("meta.csv", text) == (
        [
            CallMetadata(
                file="0001.wav",
                notes="a",
                extra={
                    "Operator": "MTS",
                    "Notes": "b",
                    "column 5": "c",
                    "column 6": "d",
                    "column 7": "e",
                },
            ),
            CallMetadata(file="0002.wav"),
        ],
        [],
    )


def test_cp1251_semicolon_csv_from_russian_excel() -> None:
    text = 'Файл;Абонент;Примечание\r\n0001.wav;Иванов;"Разговор о ""грузе"", срочно"\r\n;;\r\n'
    mapping = {"файл": "file", "абонент": "caller", "примечание": "notes"}
    assert read("Звонки.csv", text.encode("cp1251"), mapping) == (
        [CallMetadata(file="0001.wav", caller="Иванов", notes='Разговор о "грузе", срочно')],
        [],
    )


def test_tab_separated_with_bom() -> None:
    text = "\ufefffile\tlocation\n0001.wav\tХерсон, центр\n"
    assert read("meta.tsv", text) == ([CallMetadata(file="0001.wav", location="Херсон, центр")], [])


def test_json_list_keeps_numbers_as_written() -> None:
    doc = """[{"file": "0001.wav", "caller": 79161234567, "duration_s": 93.50,
               "Tower": 1.50, "flags": {"a": true}, "notes": null}]"""
    assert read("meta.json", doc) == (
        [
            CallMetadata(
                file="0001.wav",
                caller="79161234567",
                duration_s=93.5,
                extra={"Tower": "1.50", "flags": '{"a": true}'},
            )
        ],
        [],
    )


def test_json_object_with_calls_list_and_sniffed_format() -> None:
    doc = json.dumps({"case": "x", "calls": [{"File": "0001.wav"}, "junk", {"file": "0002.wav"}]})
    assert read("export.txt", doc) == (
        [CallMetadata(file="0001.wav"), CallMetadata(file="0002.wav")],
        [("export.txt row 2", "is not a JSON object")],
    )


def test_started_at_without_offset_or_unreadable_is_a_problem_with_raw_kept() -> None:
    text = (
        "file,Дата\n"
        "0001.wav,2022-03-14 18:22\n"
        "0002.wav,14.03.2022 18:22\n"
        "0003.wav,2022-03-14\n"
        "0004.wav,2022-03-14T18:22:05.5-05:00\n"
    )
    calls, errors = read("meta.csv", text, {"дата": "started_at"})
    assert errors == []
    assert calls == [
        CallMetadata(
            file="0001.wav",
            extra={"Дата": "2022-03-14 18:22"},
            problems=["started_at '2022-03-14 18:22' has no UTC offset"],
        ),
        CallMetadata(
            file="0002.wav",
            extra={"Дата": "14.03.2022 18:22"},
            problems=["started_at '14.03.2022 18:22' is not an ISO 8601 date"],
        ),
        CallMetadata(
            file="0003.wav",
            extra={"Дата": "2022-03-14"},
            problems=["started_at '2022-03-14' has no UTC offset"],
        ),
        CallMetadata(file="0004.wav", started_at="2022-03-14T18:22:05.500000-05:00"),
    ]


@pytest.mark.parametrize(
    "raw,seconds",
    [("93.5", 93.5), ("0", 0.0), ("01:33", 93.0), ("75:00", 4500.0), ("1:02:03.5", 3723.5)],
)
def test_duration_formats(raw: str, seconds: float) -> None:
    assert read("m.csv", f"file,duration_s\na.wav,{raw}\n") == (
        [CallMetadata(file="a.wav", duration_s=seconds)],
        [],
    )


@pytest.mark.parametrize(
    "raw,problem",
    [
        ("-5", "is negative"),
        ("1:75:00", "is not a valid MM:SS or H:MM:SS time"),
        ("01:60", "is not a valid MM:SS or H:MM:SS time"),
        ("inf", "is not a number of seconds, MM:SS or H:MM:SS"),
        ("1 min", "is not a number of seconds, MM:SS or H:MM:SS"),
        ("-1:00", "is not a number of seconds, MM:SS or H:MM:SS"),
    ],
)
def test_bad_durations_are_problems_with_raw_kept(raw: str, problem: str) -> None:
    assert read("m.csv", f"file,duration_s\na.wav,{raw}\n") == (
        [
            CallMetadata(
                file="a.wav",
                extra={"duration_s": raw},
                problems=[f"duration_s {raw!r} {problem}"],
            )
        ],
        [],
    )


def test_row_without_file_is_an_error_and_the_rest_goes_on() -> None:
    text = "file,notes\n0001.wav,a\n,orphan\nday1\\0002.wav,b\n0001.wav,again\n"
    # Which of two rows for one file wins is the store's decision (tests/ingest/test_sheets.py).
    assert read("m.csv", text) == (
        [
            CallMetadata(file="0001.wav", notes="a"),
            CallMetadata(file="day1/0002.wav", notes="b"),
            CallMetadata(file="0001.wav", notes="again"),
        ],
        [("m.csv row 3", "no value in the file column")],
    )


def test_sidecar_without_a_file_column_is_one_error() -> None:
    text = "Имя,Номер\n0001.wav,1\n0002.wav,2\n"
    assert read("m.csv", text) == (
        [],
        [("m.csv", "has no file column; its columns are Имя, Номер")],
    )


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("m.json", b'[{"file": "a.wav"', "is not valid JSON: "),
        ("m.json", b'{"rows": []}', "is neither a JSON list of calls nor an object with a 'calls'"),
        ("m.csv", b"file\n\x00\xff\x00\xfe\x81\n", "is text in no encoding callsift knows"),
        ("m.csv", b'file,notes\na.wav,"x\x00' + b"y" * 200_000 + b'"\n', "is not a readable CSV"),
    ],
)
def test_unparseable_sidecar_is_one_error(name: str, data: bytes, reason: str) -> None:
    calls, errors = read(name, data)
    assert calls == []
    assert len(errors) == 1 and errors[0][0] == name and errors[0][1].startswith(reason)


def test_empty_sidecar_has_no_rows() -> None:
    assert read("m.csv", b"") == ([], [])
    assert read("m.csv", "file,notes\n") == ([], [])
    assert read("m.json", "[]") == ([], [])
